/**
 * One AWS environment (pilot, staging or production): provider, state, network lookups and the cache,
 * sized from the scaling tables.
 */
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataAwsSubnets } from '@cdktf/provider-aws/lib/data-aws-subnets';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { EnvironmentConfig, PROJECT } from '../config/environments';
import { RedisReplicationGroup } from '../constructs/elasticache/replication-group';
import { CacheAlarms } from '../constructs/monitoring/cache-alarms';
import { environmentProps } from './environment-props';
import { DeploymentSettings, localStatePath } from './settings';
import { SizingPlan, planSizing } from './sizing';

export interface CacheEnvironmentStackProps {
  readonly environment: EnvironmentConfig;
  readonly deployment: DeploymentSettings;
}

export class CacheEnvironmentStack extends TerraformStack {
  readonly plan: SizingPlan;
  readonly cache: RedisReplicationGroup;
  /** Alarms on every cache node and the environment's dashboard. */
  readonly alarms: CacheAlarms;

  constructor(scope: Construct, id: string, props: CacheEnvironmentStackProps) {
    super(scope, id);
    const { environment: env, deployment: dep } = props;

    this.plan = planSizing(
      { expectedUsers: env.expectedUsers, engine: env.engine, memoryFloorGiB: env.memoryFloorGiB },
      `config/environments.ts ${env.name}`,
    );

    new AwsProvider(this, 'aws', {
      region: dep.region,
      defaultTags: [{ tags: { environment: env.name, project: PROJECT, 'managed-by': 'cdktf' } }],
    });
    new RandomProvider(this, 'random');

    if (dep.stateBucket) {
      new S3Backend(this, {
        bucket: dep.stateBucket,
        key: `${PROJECT}/${env.name}.tfstate`,
        region: dep.stateRegion,
        encrypt: true,
        dynamodbTable: dep.stateLockTable,
      });
      // S3 native state locking (Terraform ≥ 1.10) unless a DynamoDB lock table is named
      if (!dep.stateLockTable) this.addOverride('terraform.backend.s3.use_lockfile', true);
    } else {
      new LocalBackend(this, { path: localStatePath(env.name) });
    }

    // --- network: explicit ids, or lookups by tag
    const vpc = new DataAwsVpc(this, 'vpc', dep.vpcId ? { id: dep.vpcId } : { tags: { [dep.vpcTag.key]: dep.vpcTag.value } });
    const subnetIds =
      dep.subnetIds ??
      new DataAwsSubnets(this, 'private-subnets', {
        filter: [
          { name: 'vpc-id', values: [vpc.id] },
          { name: `tag:${dep.subnetTag.key}`, values: [dep.subnetTag.value] },
          { name: 'availability-zone', values: dep.availabilityZones },
        ],
      }).ids;
    const built = environmentProps(env, dep, this.plan, { vpcId: vpc.id, vpcCidrBlock: vpc.cidrBlock, subnetIds });
    this.cache = new RedisReplicationGroup(this, 'cache', built.group);
    this.alarms = new CacheAlarms(this, 'alarms', { replicationGroup: this.cache, ...built.alarms });

    const c = this.cache;
    new TerraformOutput(this, 'primary_endpoint', {
      value: c.primaryEndpointAddress,
      description: 'Primary endpoint (cluster mode disabled)',
    });
    new TerraformOutput(this, 'reader_endpoint', {
      value: c.readerEndpointAddress,
      description: 'Reader endpoint (cluster mode disabled)',
    });
    new TerraformOutput(this, 'configuration_endpoint', {
      value: c.configurationEndpointAddress,
      description: 'Configuration endpoint (cluster mode enabled)',
    });
    new TerraformOutput(this, 'port', { value: c.port });
    new TerraformOutput(this, 'auth_secret_arn', {
      value: c.authSecret?.arn ?? '',
      description: 'Secrets Manager secret with auth_token, host, port',
    });
    new TerraformOutput(this, 'security_group_id', { value: c.securityGroup.id, description: 'Security group of the cache nodes' });
    new TerraformOutput(this, 'notification_topic_arn', { value: c.notificationTopic.arn });
    if (this.alarms.dashboard) {
      new TerraformOutput(this, 'alarm_dashboard_name', {
        value: this.alarms.dashboard.dashboardName,
        description: 'CloudWatch dashboard of the cache nodes',
      });
    }
  }
}
