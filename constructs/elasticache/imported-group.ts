/**
 * A replication group made elsewhere (another stack, the console, another tool), described by its attributes so that
 * alarms can watch it, clients can be admitted to it and roles can read its credentials
 * (RedisReplicationGroup.fromReplicationGroupAttributes). Creates nothing until a verb is called.
 */
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Engine } from '../facts/elasticache';
import { Problems, isIntegerIn, validateConstruct } from '../validation';
import { CacheNode, memberNodes } from './member-nodes';
import { ITopic } from './props';
import { ReplicationGroupBase, SlowLogSource } from './replication-group-base';

export interface ReplicationGroupAttributes {
  /** The group's id (lower case, as ElastiCache stores it). */
  readonly replicationGroupId: string;
  /** Node type, e.g. `cache.r7g.large`. */
  readonly nodeType: string;
  /** `disabled` (one shard, nodes `<id>-00N`) or `enabled` (nodes `<id>-000S-00N`). @default 'disabled' */
  readonly clusterMode?: 'disabled' | 'enabled';
  /** Shards. @default 1 */
  readonly numNodeGroups?: number;
  /** Replicas per shard. @default 0 */
  readonly replicasPerNodeGroup?: number;
  /** The endpoint clients connect to (primary, or configuration endpoint in cluster mode). */
  readonly endpointAddress: string;
  /** @default none */
  readonly readerEndpointAddress?: string;
  /** @default 6379 */
  readonly port?: number;
  /** @default unknown: no latency percentiles (they need Valkey ≥ 7.2) */
  readonly engine?: Engine;
  readonly engineVersion?: string;
  /** @default `arn:<partition>:elasticache:<region>:<account>:replicationgroup:<id>` of the stack's provider */
  readonly replicationGroupArn?: string;
  /** The nodes' security group, for allowFrom. @default none: allowFrom refuses */
  readonly securityGroupId?: string;
  /** The credentials secret and its KMS key, for grantReadCredentials. @default none: grantReadCredentials refuses */
  readonly credentialsSecretArn?: string;
  readonly encryptionKeyArn?: string;
  /** Topic CacheAlarms notifies by default. @default none */
  readonly alarmTopic?: ITopic;
  /** Where its slow log is delivered, for the slow-commands alarm. @default none */
  readonly slowLog?: SlowLogSource;
}

export class ImportedReplicationGroup extends ReplicationGroupBase {
  readonly replicationGroupId: string;
  readonly replicationGroupArn: string;
  readonly engine?: Engine;
  readonly engineVersion?: string;
  readonly nodeType: string;
  readonly nodes: readonly CacheNode[];
  readonly port: number;
  readonly endpointAddress: string;
  readonly readerEndpointAddress?: string;
  readonly securityGroupId?: string;
  readonly credentialsSecretArn?: string;
  readonly encryptionKeyArn?: string;
  readonly alarmTopic?: ITopic;
  readonly slowLog?: SlowLogSource;
  readonly dependable?: ITerraformDependable = undefined;

  constructor(scope: Construct, id: string, attrs: ReplicationGroupAttributes) {
    super(scope, id);
    validateConstruct(this, () => {
      const p = new Problems(`${this.node.path} (RedisReplicationGroup.fromReplicationGroupAttributes)`);
      p.check(
        typeof attrs.replicationGroupId === 'string' && attrs.replicationGroupId.length > 0,
        'replicationGroupId',
        'the group id',
        attrs.replicationGroupId,
      );
      p.check(
        typeof attrs.nodeType === 'string' && attrs.nodeType.length > 0,
        'nodeType',
        'a node type such as cache.r7g.large',
        attrs.nodeType,
      );
      p.check(isIntegerIn(attrs.numNodeGroups ?? 1, 1, 500), 'numNodeGroups', 'a whole number from 1 to 500', attrs.numNodeGroups);
      p.check(
        isIntegerIn(attrs.replicasPerNodeGroup ?? 0, 0, 5),
        'replicasPerNodeGroup',
        'a whole number from 0 to 5',
        attrs.replicasPerNodeGroup,
      );
      p.check(
        (attrs.clusterMode ?? 'disabled') === 'enabled' || (attrs.numNodeGroups ?? 1) === 1,
        'numNodeGroups',
        '1 unless clusterMode is enabled',
        attrs.numNodeGroups,
      );
      p.throwIfAny();
    });
    this.replicationGroupId = attrs.replicationGroupId;
    this.nodeType = attrs.nodeType;
    this.nodes = memberNodes(
      attrs.replicationGroupId,
      attrs.numNodeGroups ?? 1,
      attrs.replicasPerNodeGroup ?? 0,
      attrs.clusterMode === 'enabled',
    );
    this.port = attrs.port ?? 6379;
    this.endpointAddress = attrs.endpointAddress;
    this.readerEndpointAddress = attrs.readerEndpointAddress;
    this.engine = attrs.engine;
    this.engineVersion = attrs.engineVersion;
    this.securityGroupId = attrs.securityGroupId;
    this.credentialsSecretArn = attrs.credentialsSecretArn;
    this.encryptionKeyArn = attrs.encryptionKeyArn;
    this.alarmTopic = attrs.alarmTopic;
    this.slowLog = attrs.slowLog;
    if (attrs.replicationGroupArn !== undefined) {
      this.replicationGroupArn = attrs.replicationGroupArn;
    } else {
      const { account, partition, region } = this.where();
      this.replicationGroupArn = `arn:${partition.partition}:elasticache:${region.region}:${account.accountId}:replicationgroup:${attrs.replicationGroupId}`;
    }
  }
}
