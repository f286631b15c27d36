/**
 * RedisReplicationGroup: an ElastiCache replication group (Redis OSS or Valkey) with everything a secure,
 * recoverable cache needs: KMS key, parameter group, subnet group, security group, AUTH token in Secrets
 * Manager, TLS, Multi-AZ failover, backups, logs and event notifications.
 *
 * Construct ids below are a contract: renaming one makes Terraform replace that resource.
 */
import { Fn } from 'cdktf';
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
import {
  AUTH_TOKEN_GENERATION, DEFAULT_ENGINE_VERSION, ENGINES, ENGINE_VERSIONS, Engine, KMS_KEY_DELETION_WINDOW_DAYS, LIMITS,
  MAXMEMORY_POLICIES, MaxmemoryPolicy, REPLICATION_GROUP_DEFAULTS, SECRET_RECOVERY_WINDOW_DAYS,
  SLOWLOG, parameterGroupFamily,
} from '../config/elasticache';
import { DEFAULT_RESERVED_MEMORY_PERCENT, NODE_CATALOG, NodeType, findNodeType } from '../config/node-catalog';
import { MAXMEMORY_POLICY } from '../config/scaling';
import {
  PropErrors, isIntegerIn, isPrivateCidr, isUnresolved, parseDailyWindow, parseWeeklyWindow, rangesOverlap,
} from './validation';

/** Engine parameters ElastiCache fixes per node type or per group; they cannot be set in a parameter group. */
const NOT_MODIFIABLE_PARAMETERS = ['maxmemory', 'maxclients', 'cluster-enabled'];

export interface RedisReplicationGroupProps {
  /** Replication group id: 1–40 letters, digits and hyphens, starting with a letter, no `--`, no trailing `-`. */
  readonly replicationGroupId: string;
  /** Human description of the group (required by the API, non-empty). */
  readonly description: string;
  /** Node type from the catalog (`config/node-catalog.ts`), e.g. `cache.m7g.large`. */
  readonly nodeType: string;
  /** VPC the cache lives in. */
  readonly vpcId: string;
  /** Private subnets for the subnet group, ideally one per availability zone. */
  readonly subnetIds: string[];
  /**
   * Engine, `redis` (Redis OSS) or `valkey`.
   * @default 'redis'
   */
  readonly engine?: Engine;
  /**
   * Pinned engine version, `major.minor`.
   * @default the newest supported for the engine (`DEFAULT_ENGINE_VERSION` in config/elasticache.ts)
   */
  readonly engineVersion?: string;
  /**
   * Shards (node groups). More than one enables cluster mode.
   * @default 1
   */
  readonly numNodeGroups?: number;
  /**
   * Read replicas per shard (0–5).
   * @default 0
   */
  readonly replicasPerNodeGroup?: number;
  /**
   * Cluster mode (sharding). Must be on when there is more than one shard.
   * @default true when numNodeGroups > 1
   */
  readonly clusterModeEnabled?: boolean;
  /**
   * Automatic failover to a replica. Needs a replica (or cluster mode, which requires it).
   * @default true when there is a replica or cluster mode is on
   */
  readonly automaticFailoverEnabled?: boolean;
  /**
   * Multi-AZ: replicas in other availability zones than their primary. Needs automatic failover.
   * @default the value of automaticFailoverEnabled
   */
  readonly multiAzEnabled?: boolean;
  /**
   * Availability zones to place the nodes in, in order (the first holds the primary). Used without cluster
   * mode; with cluster mode Multi-AZ spreads each shard over the subnet group's zones.
   * @default none: ElastiCache spreads the nodes over the subnet group's zones
   */
  readonly availabilityZones?: string[];
  /**
   * TCP port.
   * @default 6379
   */
  readonly port?: number;
  /**
   * Security groups of the clients allowed to connect.
   * @default none (then allowedCidrBlocks must name at least one private range)
   */
  readonly allowedSecurityGroupIds?: string[];
  /**
   * Private IPv4 ranges allowed to connect (RFC 1918 or RFC 6598); never 0.0.0.0/0.
   * @default none (then allowedSecurityGroupIds must name at least one group)
   */
  readonly allowedCidrBlocks?: string[];
  /**
   * Eviction policy (`maxmemory-policy`).
   * @default MAXMEMORY_POLICY from config/scaling.ts (`allkeys-lru`)
   */
  readonly maxmemoryPolicy?: MaxmemoryPolicy;
  /**
   * Memory kept back from data for replication and snapshots (`reserved-memory-percent`).
   * @default 25
   */
  readonly reservedMemoryPercent?: number;
  /**
   * Further engine parameters for the parameter group (not `maxmemory`, `maxclients` or `cluster-enabled`).
   * @default none
   */
  readonly parameters?: Record<string, string>;
  /**
   * In-transit encryption (TLS).
   * @default true
   */
  readonly transitEncryptionEnabled?: boolean;
  /**
   * `required` refuses plaintext clients; `preferred` only during a migration to TLS.
   * @default 'required' when in-transit encryption is on
   */
  readonly transitEncryptionMode?: 'required' | 'preferred';
  /**
   * AUTH token generated at deploy time and kept in Secrets Manager. Needs in-transit encryption.
   * @default true
   */
  readonly authTokenEnabled?: boolean;
  /**
   * Generation of the AUTH token: raising it generates a new token, which ElastiCache accepts beside the old one
   * (ROTATE strategy) until the next change. See README, "Rotating the AUTH token".
   * @default 1
   */
  readonly authTokenVersion?: number;
  /**
   * Days of automatic daily backups to keep (0 turns backups off; up to 35).
   * @default 7
   */
  readonly snapshotRetentionLimitDays?: number;
  /**
   * Daily backup window, UTC `hh:mm-hh:mm`, at least 60 minutes, not overlapping the maintenance window.
   * @default '03:00-04:00'
   */
  readonly snapshotWindow?: string;
  /**
   * Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`, at least 60 minutes.
   * @default 'sun:05:00-sun:06:00'
   */
  readonly maintenanceWindow?: string;
  /**
   * Take a final snapshot when the group is deleted or replaced.
   * @default true
   */
  readonly finalSnapshotEnabled?: boolean;
  /**
   * Retention of the slow-log and engine-log groups, days (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /**
   * Apply modifications at once instead of in the next maintenance window.
   * @default false
   */
  readonly applyImmediately?: boolean;
  /**
   * Tags for every resource (the provider's default tags come on top).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

/** One member node of the group, as ElastiCache names it and publishes its metrics. */
export interface CacheNode {
  /** `CacheClusterId` dimension: `<rg>-00N`, or `<rg>-000S-00N` in cluster mode. */
  readonly cacheClusterId: string;
  /** Shard number, from 1. */
  readonly shard: number;
  /** Role at creation. After a failover a replica may be the primary. */
  readonly role: 'primary' | 'replica';
}

/** The props with every default applied. */
export interface ResolvedReplicationGroupSettings {
  readonly replicationGroupId: string;
  readonly engine: Engine;
  readonly engineVersion: string;
  readonly parameterGroupFamily: string;
  readonly node: NodeType;
  readonly numNodeGroups: number;
  readonly replicasPerNodeGroup: number;
  readonly clusterModeEnabled: boolean;
  readonly automaticFailoverEnabled: boolean;
  readonly multiAzEnabled: boolean;
  readonly port: number;
  readonly maxmemoryPolicy: MaxmemoryPolicy;
  readonly reservedMemoryPercent: number;
  readonly transitEncryptionEnabled: boolean;
  readonly transitEncryptionMode?: 'required' | 'preferred';
  readonly authTokenEnabled: boolean;
  readonly authTokenVersion: number;
  readonly snapshotRetentionLimitDays: number;
  readonly snapshotWindow: string;
  readonly maintenanceWindow: string;
  readonly finalSnapshotEnabled: boolean;
  readonly logRetentionInDays: number;
  readonly applyImmediately: boolean;
}


const ID_PATTERN = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$|^[a-zA-Z]$/;

/**
 * Apply defaults and validate every prop. Throws one Error listing every problem; creates nothing.
 */
export function resolveReplicationGroupProps(props: RedisReplicationGroupProps): ResolvedReplicationGroupSettings {
  const d = REPLICATION_GROUP_DEFAULTS;
  const errors = new PropErrors('RedisReplicationGroup');
  const id = props.replicationGroupId;

  errors.check(typeof id === 'string' && id.length >= 1 && id.length <= LIMITS.replicationGroupIdMaxLength && ID_PATTERN.test(id),
    'replicationGroupId', `1–${LIMITS.replicationGroupIdMaxLength} letters, digits or hyphens, starting with a letter, no "--", no trailing "-"`, id);
  errors.check(typeof props.description === 'string' && props.description.trim().length > 0, 'description', 'a non-empty string', props.description);

  const engine = props.engine ?? d.engine;
  const engineOk = (ENGINES as readonly string[]).includes(engine);
  errors.check(engineOk, 'engine', `one of ${ENGINES.join(', ')}`, engine);
  const engineVersion = props.engineVersion ?? (engineOk ? DEFAULT_ENGINE_VERSION[engine] : '');
  const family = engineOk ? parameterGroupFamily(engine, engineVersion) : undefined;
  if (engineOk) {
    errors.check(family !== undefined, 'engineVersion', `for ${engine} one of ${Object.keys(ENGINE_VERSIONS[engine]).join(', ')}`, engineVersion);
  }

  const node = findNodeType(props.nodeType);
  errors.check(node !== undefined, 'nodeType', `one of ${NODE_CATALOG.map((n) => n.name).join(', ')}`, props.nodeType);

  const shards = props.numNodeGroups ?? d.numNodeGroups;
  const replicas = props.replicasPerNodeGroup ?? d.replicasPerNodeGroup;
  errors.check(isIntegerIn(shards, 1, LIMITS.maxShards), 'numNodeGroups', `a whole number from 1 to ${LIMITS.maxShards}`, shards);
  errors.check(isIntegerIn(replicas, 0, LIMITS.maxReplicasPerShard), 'replicasPerNodeGroup', `a whole number from 0 to ${LIMITS.maxReplicasPerShard}`, replicas);

  const clusterModeEnabled = props.clusterModeEnabled ?? shards > 1;
  errors.check(clusterModeEnabled || shards <= 1, 'clusterModeEnabled', `true when numNodeGroups > 1 (numNodeGroups is ${shards})`, clusterModeEnabled);
  const hasReplica = replicas > 0;
  const automaticFailoverEnabled = props.automaticFailoverEnabled ?? (hasReplica || clusterModeEnabled);
  const multiAzEnabled = props.multiAzEnabled ?? automaticFailoverEnabled;
  errors.check(!clusterModeEnabled || automaticFailoverEnabled, 'automaticFailoverEnabled', 'true when cluster mode is enabled', automaticFailoverEnabled);
  errors.check(clusterModeEnabled || !automaticFailoverEnabled || hasReplica, 'automaticFailoverEnabled',
    'false without a replica (replicasPerNodeGroup ≥ 1 is needed for failover)', automaticFailoverEnabled);
  errors.check(!multiAzEnabled || automaticFailoverEnabled, 'multiAzEnabled', 'false unless automaticFailoverEnabled is true', multiAzEnabled);
  errors.check(!multiAzEnabled || hasReplica, 'multiAzEnabled', 'false without a replica in another zone', multiAzEnabled);

  if (props.availabilityZones !== undefined && !isUnresolved(props.availabilityZones)) {
    errors.check(!clusterModeEnabled, 'availabilityZones', 'unset in cluster mode (Multi-AZ places each shard)', props.availabilityZones);
    errors.check(props.availabilityZones.length > 0, 'availabilityZones', 'at least one zone', props.availabilityZones);
    if (multiAzEnabled) {
      errors.check(new Set(props.availabilityZones).size >= 2, 'availabilityZones', 'at least two distinct zones with Multi-AZ', props.availabilityZones);
    }
  }

  const port = props.port ?? d.port;
  errors.check(isIntegerIn(port, 1, 65535), 'port', 'a whole number from 1 to 65535', port);

  if (!isUnresolved(props.vpcId)) {
    errors.check(typeof props.vpcId === 'string' && /^vpc-[0-9a-f]+$/.test(props.vpcId), 'vpcId', 'a VPC id (vpc-…)', props.vpcId);
  }
  if (!isUnresolved(props.subnetIds)) {
    errors.check(Array.isArray(props.subnetIds) && props.subnetIds.length > 0, 'subnetIds', 'at least one subnet id', props.subnetIds);
    for (const s of props.subnetIds ?? []) {
      if (!isUnresolved(s)) errors.check(/^subnet-[0-9a-f]+$/.test(s), 'subnetIds', 'subnet ids (subnet-…)', s);
    }
  }

  const sgs = props.allowedSecurityGroupIds ?? [];
  const cidrs = props.allowedCidrBlocks ?? [];
  errors.check(sgs.length + cidrs.length > 0, 'allowedSecurityGroupIds/allowedCidrBlocks', 'at least one client security group or private CIDR', 'none');
  for (const sg of sgs) {
    if (!isUnresolved(sg)) errors.check(/^sg-[0-9a-f]+$/.test(sg), 'allowedSecurityGroupIds', 'security group ids (sg-…)', sg);
  }
  for (const c of cidrs) {
    if (!isUnresolved(c)) errors.check(isPrivateCidr(c), 'allowedCidrBlocks', 'private IPv4 ranges (10/8, 172.16/12, 192.168/16, 100.64/10)', c);
  }

  const maxmemoryPolicy = props.maxmemoryPolicy ?? MAXMEMORY_POLICY;
  errors.check((MAXMEMORY_POLICIES as readonly string[]).includes(maxmemoryPolicy), 'maxmemoryPolicy', `one of ${MAXMEMORY_POLICIES.join(', ')}`, maxmemoryPolicy);
  const reservedMemoryPercent = props.reservedMemoryPercent ?? DEFAULT_RESERVED_MEMORY_PERCENT;
  errors.check(isIntegerIn(reservedMemoryPercent, 0, 99), 'reservedMemoryPercent', 'a whole number from 0 to 99', reservedMemoryPercent);
  for (const name of Object.keys(props.parameters ?? {})) {
    errors.check(!NOT_MODIFIABLE_PARAMETERS.includes(name), `parameters.${name}`,
      `not one of ${NOT_MODIFIABLE_PARAMETERS.join(', ')} (fixed by node type or by clusterModeEnabled)`, name);
    errors.check(!['maxmemory-policy', 'reserved-memory-percent'].includes(name), `parameters.${name}`,
      'set through its own prop (maxmemoryPolicy, reservedMemoryPercent)', name);
  }

  const transitEncryptionEnabled = props.transitEncryptionEnabled ?? d.transitEncryptionEnabled;
  const transitEncryptionMode = props.transitEncryptionMode ?? (transitEncryptionEnabled ? 'required' : undefined);
  errors.check(transitEncryptionEnabled || props.transitEncryptionMode === undefined, 'transitEncryptionMode',
    'unset unless transitEncryptionEnabled is true', props.transitEncryptionMode);
  errors.check(transitEncryptionMode === undefined || ['required', 'preferred'].includes(transitEncryptionMode), 'transitEncryptionMode',
    'one of required, preferred', transitEncryptionMode);
  const authTokenEnabled = props.authTokenEnabled ?? d.authTokenEnabled;
  errors.check(!authTokenEnabled || transitEncryptionEnabled, 'authTokenEnabled', 'false unless transitEncryptionEnabled is true (AUTH needs TLS)', authTokenEnabled);
  const authTokenVersion = props.authTokenVersion ?? d.authTokenVersion;
  errors.check(isIntegerIn(authTokenVersion, 1, Number.MAX_SAFE_INTEGER), 'authTokenVersion', 'a whole number ≥ 1', authTokenVersion);

  const retention = props.snapshotRetentionLimitDays ?? d.snapshotRetentionLimitDays;
  errors.check(isIntegerIn(retention, 0, LIMITS.snapshotRetentionMaxDays), 'snapshotRetentionLimitDays',
    `a whole number from 0 to ${LIMITS.snapshotRetentionMaxDays}`, retention);
  const snapshotWindow = props.snapshotWindow ?? d.snapshotWindow;
  const maintenanceWindow = props.maintenanceWindow ?? d.maintenanceWindow;
  const daily = parseDailyWindow(snapshotWindow);
  const weekly = parseWeeklyWindow(maintenanceWindow);
  errors.check(daily !== undefined, 'snapshotWindow', 'UTC "hh:mm-hh:mm"', snapshotWindow);
  errors.check(weekly !== undefined, 'maintenanceWindow', 'UTC "ddd:hh:mm-ddd:hh:mm" (ddd = sun…sat)', maintenanceWindow);
  const min = LIMITS.minWindowMinutes;
  if (daily) errors.check(daily.minutes >= min, 'snapshotWindow', `at least ${min} minutes`, `${snapshotWindow} (${daily.minutes} min)`);
  if (weekly) errors.check(weekly.minutes >= min, 'maintenanceWindow', `at least ${min} minutes`, `${maintenanceWindow} (${weekly.minutes} min)`);
  if (daily && weekly) {
    errors.check(!rangesOverlap(daily.ranges, weekly.ranges), 'snapshotWindow',
      `a window that does not overlap maintenanceWindow ${maintenanceWindow}`, snapshotWindow);
  }
  const finalSnapshotEnabled = props.finalSnapshotEnabled ?? d.finalSnapshotEnabled;
  const logRetentionInDays = props.logRetentionInDays ?? d.logRetentionInDays;
  errors.check((LIMITS.logRetentionDays as readonly number[]).includes(logRetentionInDays), 'logRetentionInDays',
    `one of ${LIMITS.logRetentionDays.join(', ')}`, logRetentionInDays);

  if (!clusterModeEnabled && isIntegerIn(replicas, 0, LIMITS.maxReplicasPerShard)) {
    errors.check(1 + replicas <= LIMITS.maxNodesPerShard, 'replicasPerNodeGroup', `at most ${LIMITS.maxNodesPerShard - 1}`, replicas);
  }

  errors.throwIfAny();
  return {
    replicationGroupId: id.toLowerCase(),
    engine,
    engineVersion,
    parameterGroupFamily: family!,
    node: node!,
    numNodeGroups: shards,
    replicasPerNodeGroup: replicas,
    clusterModeEnabled,
    automaticFailoverEnabled,
    multiAzEnabled,
    port,
    maxmemoryPolicy,
    reservedMemoryPercent,
    transitEncryptionEnabled,
    transitEncryptionMode,
    authTokenEnabled,
    authTokenVersion,
    snapshotRetentionLimitDays: retention,
    snapshotWindow,
    maintenanceWindow,
    finalSnapshotEnabled,
    logRetentionInDays,
    applyImmediately: props.applyImmediately ?? d.applyImmediately,
  };
}

/** Member node ids, derived as ElastiCache derives them (never by indexing `member_clusters`). */
export function memberNodes(replicationGroupId: string, numNodeGroups: number, replicasPerNodeGroup: number, clusterModeEnabled: boolean): CacheNode[] {
  const rg = replicationGroupId.toLowerCase();
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const nodes: CacheNode[] = [];
  for (let s = 1; s <= numNodeGroups; s++) {
    for (let n = 1; n <= 1 + replicasPerNodeGroup; n++) {
      nodes.push({
        cacheClusterId: clusterModeEnabled ? `${rg}-${pad(s, 4)}-${pad(n, 3)}` : `${rg}-${pad(n, 3)}`,
        shard: s,
        role: n === 1 ? 'primary' : 'replica',
      });
    }
  }
  return nodes;
}

export class RedisReplicationGroup extends Construct {
  /** Every prop with its default applied. */
  readonly settings: ResolvedReplicationGroupSettings;
  /** Member nodes with their metric ids. */
  readonly nodes: readonly CacheNode[];
  /** Customer-managed key for data at rest, the secret, the logs and the SNS topic. */
  readonly encryptionKey: KmsKey;
  /** SNS topic for ElastiCache events (and for alarms), encrypted with the key. */
  readonly notificationTopic: SnsTopic;
  readonly securityGroup: SecurityGroup;
  readonly parameterGroup: ElasticacheParameterGroup;
  readonly subnetGroup: ElasticacheSubnetGroup;
  readonly replicationGroup: ElasticacheReplicationGroup;
  /** Secret holding the AUTH token and the endpoint (JSON), when AUTH is on. */
  readonly authSecret?: SecretsmanagerSecret;
  readonly slowLogGroup: CloudwatchLogGroup;
  readonly engineLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: RedisReplicationGroupProps) {
    // validate before creating anything, so a bad prop leaves nothing half-written in the tree
    const s = resolveReplicationGroupProps(props);
    super(scope, id);
    this.settings = s;
    const rg = s.replicationGroupId;
    const tags = props.tags;
    this.nodes = memberNodes(rg, s.numNodeGroups, s.replicasPerNodeGroup, s.clusterModeEnabled);

    const account = new DataAwsCallerIdentity(this, 'account');
    const partition = new DataAwsPartition(this, 'partition');
    const region = new DataAwsRegion(this, 'region');

    // --- KMS key: usable by the account's principals, by CloudWatch and ElastiCache to publish to the
    // encrypted SNS topic, and by CloudWatch Logs for the log groups.
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
          condition: [{
            test: 'ArnLike',
            variable: 'kms:EncryptionContext:aws:logs:arn',
            values: [`arn:${partition.partition}:logs:${region.region}:${account.accountId}:log-group:/aws/elasticache/${rg}/*`],
          }],
        },
      ],
    });
    this.encryptionKey = new KmsKey(this, 'key', {
      description: `${rg}: ElastiCache data at rest, AUTH secret, logs and notifications`,
      enableKeyRotation: true,
      deletionWindowInDays: KMS_KEY_DELETION_WINDOW_DAYS,
      policy: keyPolicy.json,
      tags,
    });
    new KmsAlias(this, 'key-alias', { name: `alias/${rg}`, targetKeyId: this.encryptionKey.keyId });

    this.notificationTopic = new SnsTopic(this, 'events', {
      name: `${rg}-events`,
      displayName: `${rg} ElastiCache events and alarms`,
      kmsMasterKeyId: this.encryptionKey.arn,
      tags,
    });

    // --- network: subnet group and a security group that admits the port only from the named clients
    this.subnetGroup = new ElasticacheSubnetGroup(this, 'subnets', {
      name: rg,
      description: `${rg}: private subnets for the cache nodes`,
      subnetIds: props.subnetIds,
      tags,
    });
    this.securityGroup = new SecurityGroup(this, 'security-group', {
      name: `${rg}-cache`,
      description: `${rg}: Redis port ${s.port} from the application clients only; no egress`,
      vpcId: props.vpcId,
      // no egress rules: the nodes start no connections; the provider removes AWS's default allow-all egress
      egress: [],
      tags: { ...(tags ?? {}), Name: `${rg}-cache` },
    });
    (props.allowedSecurityGroupIds ?? []).forEach((sg, i) => new VpcSecurityGroupIngressRule(this, `ingress-sg-${i}`, {
      securityGroupId: this.securityGroup.id,
      description: `Redis TLS port from client security group ${i + 1}`,
      ipProtocol: 'tcp',
      fromPort: s.port,
      toPort: s.port,
      referencedSecurityGroupId: sg,
      tags,
    }));
    (props.allowedCidrBlocks ?? []).forEach((cidr, i) => new VpcSecurityGroupIngressRule(this, `ingress-cidr-${i}`, {
      securityGroupId: this.securityGroup.id,
      description: `Redis TLS port from private range ${i + 1}`,
      ipProtocol: 'tcp',
      fromPort: s.port,
      toPort: s.port,
      cidrIpv4: cidr,
      tags,
    }));

    // --- parameter group: named after family and cluster mode, so a change of either creates the new group
    // before the old one is destroyed (name and family force replacement)
    const parameters: Record<string, string> = {
      'maxmemory-policy': s.maxmemoryPolicy,
      'reserved-memory-percent': String(s.reservedMemoryPercent),
      'slowlog-log-slower-than': String(SLOWLOG.slowerThanMicroseconds),
      'slowlog-max-len': String(SLOWLOG.maxLen),
      ...(s.clusterModeEnabled ? { 'cluster-enabled': 'yes' } : {}),
      ...(props.parameters ?? {}),
    };
    this.parameterGroup = new ElasticacheParameterGroup(this, 'parameters', {
      name: `${rg}-${s.parameterGroupFamily.replace(/\./g, '-')}${s.clusterModeEnabled ? '-cluster' : ''}`,
      family: s.parameterGroupFamily,
      description: `${rg}: ${s.engine} ${s.engineVersion} parameters (${s.clusterModeEnabled ? 'cluster mode' : 'single shard'})`,
      parameter: Object.entries(parameters).map(([name, value]) => ({ name, value })),
      lifecycle: { createBeforeDestroy: true },
      tags,
    });

    // --- logs
    const logGroup = (kind: 'slow-log' | 'engine-log') => new CloudwatchLogGroup(this, kind, {
      name: `/aws/elasticache/${rg}/${kind}`,
      retentionInDays: s.logRetentionInDays,
      kmsKeyId: this.encryptionKey.arn,
      tags,
    });
    this.slowLogGroup = logGroup('slow-log');
    this.engineLogGroup = logGroup('engine-log');

    // --- AUTH token: generated by Terraform at deploy time, from the characters ElastiCache allows
    let authToken: Password | undefined;
    if (s.authTokenEnabled) {
      authToken = new Password(this, 'auth-token', {
        length: AUTH_TOKEN_GENERATION.length,
        special: true,
        overrideSpecial: LIMITS.authTokenSpecialCharacters,
        minSpecial: AUTH_TOKEN_GENERATION.minEachClass,
        minNumeric: AUTH_TOKEN_GENERATION.minEachClass,
        minUpper: AUTH_TOKEN_GENERATION.minEachClass,
        minLower: AUTH_TOKEN_GENERATION.minEachClass,
        keepers: { version: String(s.authTokenVersion) },
      });
    }

    const shardArgs = s.clusterModeEnabled
      ? { numNodeGroups: s.numNodeGroups, replicasPerNodeGroup: s.replicasPerNodeGroup }
      : {
        numCacheClusters: 1 + s.replicasPerNodeGroup,
        preferredCacheClusterAzs: props.availabilityZones
          ? Array.from({ length: 1 + s.replicasPerNodeGroup }, (_, i) => props.availabilityZones![i % props.availabilityZones!.length])
          : undefined,
      };

    this.replicationGroup = new ElasticacheReplicationGroup(this, 'replication-group', {
      replicationGroupId: rg,
      description: props.description,
      engine: s.engine,
      engineVersion: s.engineVersion,
      nodeType: s.node.name,
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
      tags,
    });

    if (authToken) {
      this.authSecret = new SecretsmanagerSecret(this, 'auth-secret', {
        name: `${rg}/auth`,
        description: `${rg}: AUTH token and endpoint of the ElastiCache replication group`,
        kmsKeyId: this.encryptionKey.arn,
        recoveryWindowInDays: SECRET_RECOVERY_WINDOW_DAYS,
        tags,
      });
      new SecretsmanagerSecretVersion(this, 'auth-secret-value', {
        secretId: this.authSecret.id,
        secretString: Fn.jsonencode({
          auth_token: authToken.result,
          host: this.endpointAddress,
          port: s.port,
          tls: s.transitEncryptionEnabled,
        }),
      });
    }
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
}
