// Another team's cdktf app using the construct library (README, "Using the constructs in another project").
// __tests__/integration/package.test.ts installs the packed library next to this file, runs it, reads the guardrails
// from what it wrote, validates it with the real engine and providers and plans it against moto.
const { App, TerraformStack } = require('cdktf');
const { AwsProvider } = require('@cdktf/provider-aws/lib/provider');
const { IamRole } = require('@cdktf/provider-aws/lib/iam-role');
const { RandomProvider } = require('@cdktf/provider-random/lib/provider');
const {
  AlarmSubscribers,
  CacheAlarms,
  Guardrails,
  PROTECTED_PACK,
  RedisReplicationGroup,
  applyGuardrails,
  pinVerifiedProviders,
} = require('redis-cache-infra');

const app = new App();
// the team's production stack: its name is its own; what it is held to, it declares
const stack = new TerraformStack(app, 'orders-cache');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
new RandomProvider(stack, 'random');
// the provider releases the library is verified with (aws 6.47.0, random 3.9.0) instead of the bindings' older pins
pinVerifiedProviders(stack);
// the orders cache serves users: TLS required, RBAC, Multi-AZ, backups, named clients, alarms that reach someone
Guardrails.of(stack).applyPack(PROTECTED_PACK);

const cache = new RedisReplicationGroup(stack, 'cache', {
  replicationGroupId: 'orders-cache',
  description: 'Orders service cache',
  nodeType: 'cache.r7g.large',
  replicasPerNodeGroup: 1,
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  allowedSecurityGroupIds: ['sg-0123456789abcdef0'],
  // the cache holds nothing the orders database cannot rebuild: one daily backup, for diagnosis
  snapshotRetentionLimitDays: 1,
});
// the protected pack asks for 7 days of backups; this group is exempt, and says why (synth output and reviews show it)
Guardrails.of(cache).suppress('backup-retention', 'rebuilt from the orders database in minutes; one daily backup is kept for diagnosis');

// who is paged: the on-call address, on every alarm and on ElastiCache's events
const subscribers = new AlarmSubscribers(stack, 'subscribers', {
  alarmTopic: cache.alarmTopic,
  otherTopics: [cache.notificationTopic],
  emails: ['orders-oncall@example.com'],
  required: true,
});
new CacheAlarms(stack, 'alarms', { replicationGroup: cache, alarmActions: subscribers.alarmActions });

// clients added after the group: the worker service's security group and the batch jobs' private range
cache.allowFrom('sg-0fedcba9876543210');
cache.allowFrom('10.20.0.0/16');

// the API's role reads the credentials secret (and decrypts it through Secrets Manager)
const api = new IamRole(stack, 'orders-api', {
  name: 'orders-api',
  assumeRolePolicy: JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  }),
});
cache.grantReadCredentials(api.name);

// the payments team's group, made in their stack: the orders API connects to it too, and this stack alarms on it
const payments = RedisReplicationGroup.fromReplicationGroupAttributes(stack, 'payments', {
  replicationGroupId: 'payments-cache',
  nodeType: 'cache.m7g.large',
  replicasPerNodeGroup: 1,
  engine: 'valkey',
  engineVersion: '8.1',
  endpointAddress: 'master.payments-cache.abc123.euw1.cache.amazonaws.com',
  securityGroupId: 'sg-0a1b2c3d4e5f60718',
  credentialsSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments-cache/auth-AbCdEf',
  encryptionKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
  alarmTopic: { arn: 'arn:aws:sns:eu-west-1:123456789012:payments-cache-alarms' },
});
payments.allowFrom('sg-0fedcba9876543210');
payments.grantReadCredentials(api.name);
new CacheAlarms(stack, 'payments-alarms', { replicationGroup: payments, dashboard: false });

// every stack is checked at synth: a violation of a rule held at `error` stops it
applyGuardrails(app);
app.synth();
