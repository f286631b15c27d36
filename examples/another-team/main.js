// Another team's cdktf app using the construct library (README, "Using the constructs in another project").
// __tests__/integration/package.test.ts installs the packed library next to this file and runs it.
const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { RandomProvider } = require('@cdktf/provider-random/lib/provider');
const { CacheAlarms, RedisReplicationGroup, pinVerifiedProviders } = require('redis-cache-infra');

const app = new App();
const stack = new TerraformStack(app, 'orders-cache');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
new RandomProvider(stack, 'random');
// the provider releases the library is verified with (aws 6.47.0, random 3.9.0) instead of the bindings' older pins
pinVerifiedProviders(stack);

const cache = new RedisReplicationGroup(stack, 'cache', {
  replicationGroupId: 'orders-cache',
  description: 'Orders service cache',
  nodeType: 'cache.r7g.large',
  replicasPerNodeGroup: 1,
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  allowedSecurityGroupIds: ['sg-0123456789abcdef0'],
});
new CacheAlarms(stack, 'alarms', { replicationGroup: cache });

app.synth();
