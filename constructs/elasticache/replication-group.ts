/**
 * RedisReplicationGroup: an ElastiCache replication group (Redis OSS or Valkey) with everything a secure,
 * recoverable cache needs: KMS key, parameter group, subnet group, security group, AUTH token in Secrets
 * Manager, TLS, Multi-AZ failover, backups, logs and event notifications.
 *
 * Props, defaults and validation: ./props.ts, ./defaults.ts. Construct ids below are a contract: renaming one makes
 * Terraform replace that resource.
 */
import { Annotations, Fn } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { ElasticacheParameterGroup } from '@cdktf/provider-aws/lib/elasticache-parameter-group';
import { ElasticacheReplicationGroup } from '@cdktf/provider-aws/lib/elasticache-replication-group';
import { ElasticacheSubnetGroup } from '@cdktf/provider-aws/lib/elasticache-subnet-group';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Password } from '@cdktf/provider-random/lib/password';
import { LIMITS, SLOWLOG } from '../../config/elasticache';
import { Problems, isAwsId, isUnresolved, validateConstruct } from '../validation';
import { AUTH_TOKEN_GENERATION, KMS_KEY_DELETION_WINDOW_DAYS, SECRET_RECOVERY_WINDOW_DAYS } from './defaults';
import { CacheNode, memberNodes } from './member-nodes';
import {
  IEncryptionKey,
  ITopic,
  RedisReplicationGroupProps,
  ResolvedReplicationGroupSettings,
  resolveReplicationGroupProps,
} from './props';

/** What CacheAlarms (constructs/monitoring) needs of a replication group; RedisReplicationGroup implements it. */
export interface IReplicationGroup {
  readonly replicationGroupId: string;
  /** Node type name, e.g. `cache.m7g.large`. */
  readonly nodeType: string;
  /** Member nodes as ElastiCache names them (./member-nodes.ts). */
  readonly nodes: readonly CacheNode[];
  /** Topic alarms notify by default. */
  readonly alarmTopic?: ITopic;
}

export class RedisReplicationGroup extends Construct implements IReplicationGroup {
  /** Every prop with its default applied. */
  readonly settings: ResolvedReplicationGroupSettings;
  /** Member nodes with their metric ids. */
  readonly nodes: readonly CacheNode[];
  /** Customer-managed key for data at rest, the secret, the logs and the SNS topic (created, or brought by props). */
  readonly encryptionKey: IEncryptionKey;
  /** SNS topic for ElastiCache events (created, or brought by props). */
  readonly notificationTopic: ITopic;
  readonly securityGroup: SecurityGroup;
  readonly parameterGroup: ElasticacheParameterGroup;
  readonly subnetGroup: ElasticacheSubnetGroup;
  readonly replicationGroup: ElasticacheReplicationGroup;
  /** Secret holding the AUTH token and the endpoint (JSON), when AUTH is on. */
  readonly authSecret?: SecretsmanagerSecret;
  readonly slowLogGroup: CloudwatchLogGroup;
  readonly engineLogGroup: CloudwatchLogGroup;

  private readonly props: RedisReplicationGroupProps;
  private clientSecurityGroups = 0;

  constructor(scope: Construct, id: string, props: RedisReplicationGroupProps) {
    super(scope, id);
    const s = validateConstruct(this, () => resolveReplicationGroupProps(props, `${this.node.path} (RedisReplicationGroup)`));
    this.settings = s;
    this.props = props;
    s.warnings.forEach((w) => Annotations.of(this).addWarning(w));
    this.nodes = memberNodes(s.replicationGroupId, s.numNodeGroups, s.replicasPerNodeGroup, s.clusterModeEnabled);

    this.encryptionKey = props.encryptionKey ?? this.createKey();
    this.notificationTopic = props.notificationTopic ?? this.createNotificationTopic();
    this.subnetGroup = this.createSubnetGroup();
    this.securityGroup = this.createSecurityGroup();
    (props.allowedSecurityGroupIds ?? []).forEach((sg) => this.allowClientSecurityGroup(sg));
    this.createCidrIngressRules();
    this.parameterGroup = this.createParameterGroup();
    this.slowLogGroup = this.createLogGroup('slow-log');
    this.engineLogGroup = this.createLogGroup('engine-log');
    const authToken = s.authTokenEnabled ? this.createAuthToken() : undefined;
    this.replicationGroup = this.createReplicationGroup(authToken);
    if (authToken) this.authSecret = this.createAuthSecret(authToken);
  }

  get replicationGroupId(): string {
    return this.settings.replicationGroupId;
  }

  get nodeType(): string {
    return this.settings.nodeType;
  }

  /** Alarms notify the group's notification topic unless CacheAlarms is given other topics. */
  get alarmTopic(): ITopic {
    return this.notificationTopic;
  }

  /** Primary endpoint (cluster mode disabled). */
  get primaryEndpointAddress(): string {
    return this.replicationGroup.primaryEndpointAddress;
  }

  /** Reader endpoint (cluster mode disabled). */
  get readerEndpointAddress(): string {
    return this.replicationGroup.readerEndpointAddress;
  }

  /** Configuration endpoint (cluster mode enabled). */
  get configurationEndpointAddress(): string {
    return this.replicationGroup.configurationEndpointAddress;
  }

  /** The endpoint clients connect to: the configuration endpoint in cluster mode, else the primary. */
  get endpointAddress(): string {
    return this.settings.clusterModeEnabled ? this.configurationEndpointAddress : this.primaryEndpointAddress;
  }

  get port(): number {
    return this.settings.port;
  }

  /**
   * Admit one more client security group to the cache port, after construction (e.g. a service created later).
   * Construct ids continue the numbering of `allowedSecurityGroupIds` (`ingress-sg-<n>`): add in a stable order.
   */
  allowClientSecurityGroup(securityGroupId: string): VpcSecurityGroupIngressRule {
    const problems = new Problems(`${this.node.path} (RedisReplicationGroup.allowClientSecurityGroup)`);
    if (!isUnresolved(securityGroupId)) {
      problems.check(
        isAwsId('sg', securityGroupId),
        'securityGroupId',
        'a security group id (sg- and 8 or 17 hex digits)',
        securityGroupId,
      );
    }
    problems.throwIfAny();
    const i = this.clientSecurityGroups++;
    return new VpcSecurityGroupIngressRule(this, `ingress-sg-${i}`, {
      securityGroupId: this.securityGroup.id,
      description: `Redis TLS port from client security group ${i + 1}`,
      ipProtocol: 'tcp',
      fromPort: this.settings.port,
      toPort: this.settings.port,
      referencedSecurityGroupId: securityGroupId,
      tags: this.props.tags,
    });
  }

  // ---- resources, in creation order

  /** KMS key: usable by the account's principals, by CloudWatch to publish to the encrypted topic, and by CloudWatch Logs. */
  private createKey(): KmsKey {
    const rg = this.settings.replicationGroupId;
    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');
    const region = new DataAwsRegion(this, 'region');
    const keyPolicy = new DataAwsIamPolicyDocument(this, 'key-policy', {
      statement: [
        {
          sid: 'AccountAdministers',
          principals: [{ type: 'AWS', identifiers: [`arn:${partition.partition}:iam::${account.accountId}:root`] }],
          actions: ['kms:*'],
          resources: ['*'],
        },
        {
          sid: 'ServicesPublishToEncryptedTopic',
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com', 'elasticache.amazonaws.com', 'events.amazonaws.com'] }],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
        },
        {
          sid: 'CloudWatchLogsEncryptsLogGroups',
          principals: [{ type: 'Service', identifiers: [`logs.${region.region}.amazonaws.com`] }],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          condition: [
            {
              test: 'ArnLike',
              variable: 'kms:EncryptionContext:aws:logs:arn',
              values: [`arn:${partition.partition}:logs:${region.region}:${account.accountId}:log-group:/aws/elasticache/${rg}/*`],
            },
          ],
        },
      ],
    });
    const key = new KmsKey(this, 'key', {
      description: `${rg}: ElastiCache data at rest, AUTH secret, logs and notifications`,
      enableKeyRotation: true,
      deletionWindowInDays: KMS_KEY_DELETION_WINDOW_DAYS,
      policy: keyPolicy.json,
      tags: this.props.tags,
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${rg}`, targetKeyId: key.keyId });
    return key;
  }

  private createNotificationTopic(): SnsTopic {
    const rg = this.settings.replicationGroupId;
    return new SnsTopic(this, 'events', {
      name: `${rg}-events`,
      displayName: `${rg} ElastiCache events and alarms`,
      kmsMasterKeyId: this.encryptionKey.arn,
      tags: this.props.tags,
    });
  }

  private createSubnetGroup(): ElasticacheSubnetGroup {
    const rg = this.settings.replicationGroupId;
    return new ElasticacheSubnetGroup(this, 'subnets', {
      name: rg,
      description: `${rg}: private subnets for the cache nodes`,
      subnetIds: this.props.subnetIds,
      tags: this.props.tags,
    });
  }

  /** A security group that admits the port only from the named clients (allowClientSecurityGroup, CIDR rules), and no egress. */
  private createSecurityGroup(): SecurityGroup {
    const { replicationGroupId: rg, port } = this.settings;
    const tags = this.props.tags;
    return new SecurityGroup(this, 'security-group', {
      name: `${rg}-cache`,
      description: `${rg}: Redis port ${port} from the application clients only; no egress`,
      vpcId: this.props.vpcId,
      // no egress rules: the nodes start no connections; the provider removes AWS's default allow-all egress
      egress: [],
      tags: { ...(tags ?? {}), Name: `${rg}-cache` },
    });
  }

  private createCidrIngressRules(): void {
    const port = this.settings.port;
    (this.props.allowedCidrBlocks ?? []).forEach(
      (cidr, i) =>
        new VpcSecurityGroupIngressRule(this, `ingress-cidr-${i}`, {
          securityGroupId: this.securityGroup.id,
          description: `Redis TLS port from private range ${i + 1}`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
          tags: this.props.tags,
        }),
    );
  }

  /**
   * Parameter group, named after family and cluster mode, so a change of either creates the new group before the old
   * one is destroyed (name and family force replacement).
   */
  private createParameterGroup(): ElasticacheParameterGroup {
    const s = this.settings;
    const rg = s.replicationGroupId;
    const parameters: Record<string, string> = {
      'maxmemory-policy': s.maxmemoryPolicy,
      'reserved-memory-percent': String(s.reservedMemoryPercent),
      'slowlog-log-slower-than': String(SLOWLOG.slowerThanMicroseconds),
      'slowlog-max-len': String(SLOWLOG.maxLen),
      ...(s.clusterModeEnabled ? { 'cluster-enabled': 'yes' } : {}),
      ...(this.props.parameters ?? {}),
    };
    return new ElasticacheParameterGroup(this, 'parameters', {
      name: `${rg}-${s.parameterGroupFamily.replace(/\./g, '-')}${s.clusterModeEnabled ? '-cluster' : ''}`,
      family: s.parameterGroupFamily,
      description: `${rg}: ${s.engine} ${s.engineVersion} parameters (${s.clusterModeEnabled ? 'cluster mode' : 'single shard'})`,
      parameter: Object.entries(parameters).map(([name, value]) => ({ name, value })),
      lifecycle: { createBeforeDestroy: true },
      tags: this.props.tags,
    });
  }

  private createLogGroup(kind: 'slow-log' | 'engine-log'): CloudwatchLogGroup {
    return new CloudwatchLogGroup(this, kind, {
      name: `/aws/elasticache/${this.settings.replicationGroupId}/${kind}`,
      retentionInDays: this.settings.logRetentionInDays,
      kmsKeyId: this.encryptionKey.arn,
      tags: this.props.tags,
    });
  }

  /** The AUTH token: generated by Terraform at deploy time, from the characters ElastiCache allows. */
  private createAuthToken(): Password {
    return new Password(this, 'auth-token', {
      length: AUTH_TOKEN_GENERATION.length,
      special: true,
      overrideSpecial: LIMITS.authTokenSpecialCharacters,
      minSpecial: AUTH_TOKEN_GENERATION.minEachClass,
      minNumeric: AUTH_TOKEN_GENERATION.minEachClass,
      minUpper: AUTH_TOKEN_GENERATION.minEachClass,
      minLower: AUTH_TOKEN_GENERATION.minEachClass,
      keepers: { version: String(this.settings.authTokenVersion) },
    });
  }

  private createReplicationGroup(authToken: Password | undefined): ElasticacheReplicationGroup {
    const s = this.settings;
    const rg = s.replicationGroupId;
    const zones = this.props.availabilityZones;
    const shardArgs = s.clusterModeEnabled
      ? { numNodeGroups: s.numNodeGroups, replicasPerNodeGroup: s.replicasPerNodeGroup }
      : {
          numCacheClusters: 1 + s.replicasPerNodeGroup,
          preferredCacheClusterAzs: zones
            ? Array.from({ length: 1 + s.replicasPerNodeGroup }, (_, i) => zones[i % zones.length])
            : undefined,
        };
    return new ElasticacheReplicationGroup(this, 'replication-group', {
      replicationGroupId: rg,
      description: this.props.description,
      engine: s.engine,
      engineVersion: s.engineVersion,
      nodeType: s.nodeType,
      port: s.port,
      parameterGroupName: this.parameterGroup.name,
      subnetGroupName: this.subnetGroup.name,
      securityGroupIds: [this.securityGroup.id],
      clusterMode: s.clusterModeEnabled ? 'enabled' : 'disabled',
      ...shardArgs,
      automaticFailoverEnabled: s.automaticFailoverEnabled,
      multiAzEnabled: s.multiAzEnabled,
      atRestEncryptionEnabled: 'true',
      kmsKeyId: this.encryptionKey.arn,
      transitEncryptionEnabled: s.transitEncryptionEnabled,
      transitEncryptionMode: s.transitEncryptionMode,
      authToken: authToken?.result,
      authTokenUpdateStrategy: authToken ? 'ROTATE' : undefined,
      snapshotRetentionLimit: s.snapshotRetentionLimitDays,
      snapshotWindow: s.snapshotWindow,
      maintenanceWindow: s.maintenanceWindow,
      finalSnapshotIdentifier: s.finalSnapshotEnabled ? `${rg}-final` : undefined,
      notificationTopicArn: this.notificationTopic.arn,
      autoMinorVersionUpgrade: 'true',
      applyImmediately: s.applyImmediately,
      logDeliveryConfiguration: [this.slowLogGroup, this.engineLogGroup].map((g, i) => ({
        destination: g.name,
        destinationType: 'cloudwatch-logs',
        logFormat: 'json',
        logType: i === 0 ? 'slow-log' : 'engine-log',
      })),
      tags: this.props.tags,
    });
  }

  private createAuthSecret(authToken: Password): SecretsmanagerSecret {
    const s = this.settings;
    const rg = s.replicationGroupId;
    const secret = new SecretsmanagerSecret(this, 'auth-secret', {
      name: `${rg}/auth`,
      description: `${rg}: AUTH token and endpoint of the ElastiCache replication group`,
      kmsKeyId: this.encryptionKey.arn,
      recoveryWindowInDays: SECRET_RECOVERY_WINDOW_DAYS,
      tags: this.props.tags,
    });
    new SecretsmanagerSecretVersion(this, 'auth-secret-value', {
      secretId: secret.id,
      secretString: Fn.jsonencode({
        auth_token: authToken.result,
        host: this.endpointAddress,
        port: s.port,
        tls: s.transitEncryptionEnabled,
      }),
    });
    return secret;
  }
}
