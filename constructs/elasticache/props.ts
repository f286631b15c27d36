/**
 * RedisReplicationGroup props, their defaults (./defaults.ts) and their validation: `resolveReplicationGroupProps`
 * applies every default and checks every prop, collecting all problems into one ValidationError.
 */
import { CLUSTER_MODE_MIN_ENGINE_VERSION, ClusterMode } from '../facts/cluster-mode';
import {
  DEFAULT_ENGINE_VERSION,
  ENGINES,
  ENGINE_VERSIONS,
  Engine,
  LIMITS,
  LOG_FORMATS,
  LogFormat,
  MAXMEMORY_POLICIES,
  MaxmemoryPolicy,
} from '../facts/elasticache';
import {
  Problems,
  isAwsId,
  isIntegerIn,
  isPrivateCidr,
  isUnresolved,
  literalProblem,
  parseDailyWindow,
  parseWeeklyWindow,
  rangesOverlap,
} from '../validation';
import { ELASTICACHE_RESTRICTED_COMMANDS, RBAC_ID_MAX_LENGTH } from '../facts/redis-acl';
import { parseAccessString } from './access-string';
import { NOT_MODIFIABLE_PARAMETERS, REPLICATION_GROUP_DEFAULTS, USER_ID_SUFFIXES } from './defaults';
import { Authentication, AuthTokenMigration, CredentialUpdateStrategy, IEncryptionKey, ITopic } from './types';
import { NodeType, findNodeType, isValidNodeTypeName } from './node-types';

export type { ClusterMode };

export type { Authentication, AuthTokenMigration, CredentialUpdateStrategy, IEncryptionKey, ITopic };

/** Parameter-group family of an engine version (../facts/elasticache.ts ENGINE_VERSIONS). */
export function parameterGroupFamily(engine: Engine, version: string): string | undefined {
  return (ENGINE_VERSIONS[engine] as Record<string, string> | undefined)?.[version];
}

export interface RedisReplicationGroupProps {
  /** Replication group id: 1–40 letters, digits and hyphens, starting with a letter, no `--`, no trailing `-`. */
  readonly replicationGroupId: string;
  /** Human description of the group (required by the API, non-empty). */
  readonly description: string;
  /**
   * Node type, e.g. `cache.m7g.large`: any ElastiCache node type. Types in the node catalog (constructs/facts/node-catalog.ts) are priced and
   * sized; others get a synth warning (unpriced, CPU alarm on EngineCPUUtilization).
   */
  readonly nodeType: string;
  /** VPC the cache lives in. */
  readonly vpcId: string;
  /** Private subnets for the subnet group, ideally one per availability zone. */
  readonly subnetIds: string[];
  /**
   * Engine, `valkey` or `redis` (Redis OSS). Valkey: cheaper, 7.2+, p95 latency metrics (REPLICATION_GROUP_DEFAULTS).
   * @default 'valkey'
   */
  readonly engine?: Engine;
  /**
   * Pinned engine version, `major.minor`.
   * @default the newest supported for the engine (`DEFAULT_ENGINE_VERSION`, constructs/facts/elasticache.ts)
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
   * Cluster mode (sharding), ElastiCache's `ClusterMode`: `disabled`, `enabled`, or `compatible` (the middle step of
   * the move from disabled to enabled: one shard that answers both protocols; README "Moving to cluster mode"). A
   * group moves disabled → compatible → enabled, one deploy each, never back. `enabled` is needed for more than one
   * shard. `compatible` and `enabled` use a parameter group with `cluster-enabled yes`.
   * @default 'enabled' when numNodeGroups > 1 (or clusterModeEnabled is true), else 'disabled'
   */
  readonly clusterMode?: ClusterMode;
  /**
   * The older form of `clusterMode`: `true` is `clusterMode: 'enabled'`, `false` is `'disabled'` (it cannot say
   * `compatible`). Set one of the two.
   * @default derived from clusterMode
   */
  readonly clusterModeEnabled?: boolean;
  /**
   * The secret also holds the configuration endpoint (`configuration_host`, `configuration_url`). With `compatible`
   * set it one deploy after the cluster mode became compatible: the endpoint exists only once that change is applied,
   * and a secret that reads it in the same apply is planned with an empty host (the apply fails).
   * @default true with clusterMode 'enabled', false otherwise
   */
  readonly configurationEndpointInSecret?: boolean;
  /**
   * What the plan's error tells the operator to do when the secret would read a configuration endpoint that does not
   * exist yet (the cluster mode is not compatible or enabled in AWS yet), after "`<id>` has no configuration endpoint
   * yet: ". An app names its own procedure here.
   * @default 'apply clusterMode "compatible" first, then set configurationEndpointInSecret in a later deploy.'
   */
  readonly configurationEndpointHowToFix?: string;
  /**
   * The group was moved from cluster mode disabled (it was created with one shard): its first shard keeps the member
   * ids `<rg>-001`, `<rg>-002`, … (a cache cluster is never renamed), shards added later are `<rg>-0002-001`, …; the
   * alarms follow those ids, and the group carries the tag `cluster-mode-moved = from-disabled` (constructs/facts/cluster-mode.ts)
   * so that the guardrails and the review read them too. Only with clusterMode `compatible` or `enabled`.
   * @default false: the group was created in the cluster mode it has
   */
  readonly movedFromClusterModeDisabled?: boolean;
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
   * @default 'allkeys-lru' (a cache evicts rather than refusing writes; see ./defaults.ts)
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
   * How clients authenticate; `rbac` and `auth-token` need in-transit encryption. With `rbac` the replication group id
   * is at most 32 characters (its users are `<id>-default` and `<id>-app`, 40 at most).
   * @default 'rbac'
   */
  readonly authentication?: Authentication;
  /**
   * Access string of the application user (`rbac`), ACL syntax without passwords (ElastiCache manages them).
   * @default 'on ~* +@all -flushall -flushdb -keys' (REPLICATION_GROUP_DEFAULTS): every key and command except those
   * the guides' security checklists deny; CONFIG is unavailable to every ElastiCache user already.
   */
  readonly applicationAccessString?: string;
  /**
   * Where an existing group is in its move from an AUTH token to `rbac` (README, "Moving a group from its AUTH token
   * to RBAC"); leave it unset for a group that was created with `rbac`.
   * - `accept-auth-token` (step 1): the group gets its user group in place (ModifyReplicationGroup with
   *   `auth_token_update_strategy = DELETE`), and the user `default` accepts the group's AUTH token with the
   *   application's access string, so clients that still send the token keep working (and still cannot FLUSHALL)
   *   while they move to the application user. This step is applied immediately whatever `applyImmediately` says: the
   *   provider sends the user group with the group's ApplyImmediately, and ElastiCache would otherwise hold it as a
   *   pending modification until the maintenance window, while the secret already tells clients to use the user.
   * - `complete` (step 3, once every client has moved): `default` is off and the token stops working. The group keeps
   *   `auth_token_update_strategy = DELETE` for good: removing it later makes the provider send an empty AUTH token
   *   (terraform-provider-aws replication_group.go, resourceReplicationGroupUpdate), which ElastiCache refuses.
   * @default none: the group never had an AUTH token
   */
  readonly authTokenMigration?: AuthTokenMigration;
  /**
   * Generation of the credential clients authenticate with (the application user's password with `rbac`, the AUTH
   * token with `auth-token`): raising it generates a new one, valid beside the old one while the strategy is ROTATE.
   * See README, "Rotating credentials".
   * @default 1
   */
  readonly credentialVersion?: number;
  /**
   * Step of a two-step credential rotation. Step 1: raise `credentialVersion` with `ROTATE` (the new credential works
   * beside the old one; move the clients to the secret's new value). Step 2: keep the version, switch to `SET` (only
   * the new one works). For the AUTH token the provider sends every change of token or strategy at once
   * (ApplyImmediately); a user's passwords change at once too (ModifyUser).
   * @default 'ROTATE'
   */
  readonly credentialUpdateStrategy?: CredentialUpdateStrategy;
  /**
   * Create the group from this snapshot (a manual or final snapshot of the account and region; its engine version
   * must not be newer than `engineVersion`). Forces a new group when set, changed or removed: keep it for the life of
   * the restored group (README, "Restoring from a snapshot").
   * @default none: the group starts empty
   */
  readonly snapshotName?: string;
  /**
   * Create the group from RDB files in S3 (`arn:aws:s3:::bucket/key.rdb`, readable by ElastiCache). Forces a new group
   * like `snapshotName`, which it excludes.
   * @default none
   */
  readonly snapshotArns?: string[];
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
   * Format of the slow-log and engine-log records. Changing it (any log delivery change) is refused by ElastiCache
   * unless `applyImmediately` is true.
   * @default 'json'
   */
  readonly logFormat?: LogFormat;
  /**
   * Apply modifications at once instead of in the next maintenance window.
   * @default false
   */
  readonly applyImmediately?: boolean;
  /**
   * Customer-managed KMS key for data at rest, the AUTH secret, the log groups and the alarm topic. Bring your
   * own to share one key across groups; its policy must then allow ElastiCache, Secrets Manager, CloudWatch Logs
   * and CloudWatch (see the construct's key policy for the statements).
   * @default a new key with rotation, created by the construct
   */
  readonly encryptionKey?: IEncryptionKey;
  /**
   * SNS topic that receives the ElastiCache events of the group. It must be unencrypted (ElastiCache cannot publish
   * to an encrypted topic), in the same account and region.
   * @default a new topic created by the construct
   */
  readonly notificationTopic?: ITopic;
  /**
   * SNS topic the CloudWatch alarms notify (CacheAlarms' default). May be encrypted, if its key policy lets
   * cloudwatch.amazonaws.com use the key.
   * @default a new topic `<rg>-alarms`, encrypted with the group's key, created by the construct
   */
  readonly alarmTopic?: ITopic;
  /**
   * Tags for every resource (the provider's default tags come on top).
   * @default none
   */
  readonly tags?: Record<string, string>;
}

/** The props with every default applied. */
export interface ResolvedReplicationGroupSettings {
  readonly replicationGroupId: string;
  readonly engine: Engine;
  readonly engineVersion: string;
  readonly parameterGroupFamily: string;
  readonly nodeType: string;
  /** The catalog entry of the node type; undefined for a type outside the node catalog. */
  readonly node?: NodeType;
  readonly numNodeGroups: number;
  readonly replicasPerNodeGroup: number;
  readonly clusterMode: ClusterMode;
  /** clusterMode is `enabled`. */
  readonly clusterModeEnabled: boolean;
  readonly configurationEndpointInSecret: boolean;
  readonly configurationEndpointHowToFix: string;
  readonly movedFromClusterModeDisabled: boolean;
  readonly automaticFailoverEnabled: boolean;
  readonly multiAzEnabled: boolean;
  readonly port: number;
  readonly maxmemoryPolicy: MaxmemoryPolicy;
  readonly reservedMemoryPercent: number;
  readonly transitEncryptionEnabled: boolean;
  readonly transitEncryptionMode?: 'required' | 'preferred';
  readonly authentication: Authentication;
  /** Access string of the application user (rbac). */
  readonly applicationAccessString: string;
  readonly authTokenMigration?: AuthTokenMigration;
  /** The user `default` accepts the AUTH token (step `accept-auth-token` of the migration). */
  readonly acceptAuthTokenAsDefaultUser: boolean;
  /**
   * `auth_token_update_strategy` of the group: the rotation step with `auth-token`, DELETE from the migration's first
   * step on, none on a group that never had a token.
   */
  readonly authTokenUpdateStrategy?: 'ROTATE' | 'SET' | 'DELETE';
  readonly credentialVersion: number;
  readonly credentialUpdateStrategy: CredentialUpdateStrategy;
  readonly snapshotName?: string;
  readonly snapshotArns?: readonly string[];
  readonly snapshotRetentionLimitDays: number;
  readonly snapshotWindow: string;
  readonly maintenanceWindow: string;
  readonly finalSnapshotEnabled: boolean;
  readonly logRetentionInDays: number;
  readonly logFormat: LogFormat;
  readonly applyImmediately: boolean;
  /** Non-fatal remarks (e.g. a node type outside the catalog): the construct adds them as synth warnings. */
  readonly warnings: readonly string[];
}

const AUTHENTICATIONS: readonly string[] = ['rbac', 'auth-token', 'none'];
const CLUSTER_MODES: readonly string[] = ['disabled', 'compatible', 'enabled'] satisfies ClusterMode[];
const AUTH_TOKEN_MIGRATION_STEPS: readonly string[] = ['accept-auth-token', 'complete'];

/** Snapshot names: letters, digits and hyphens, a letter first, no "--", no trailing "-" (CreateSnapshot). */
const SNAPSHOT_NAME_PATTERN = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/;

export const REPLICATION_GROUP_ID_PATTERN = /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$|^[a-zA-Z]$/;

/**
 * Apply defaults and validate every prop. Throws one Error listing every problem; creates nothing.
 */
export function resolveReplicationGroupProps(
  props: RedisReplicationGroupProps,
  subject = 'RedisReplicationGroup',
): ResolvedReplicationGroupSettings {
  const d = REPLICATION_GROUP_DEFAULTS;
  const errors = new Problems(subject);
  const warnings: string[] = [];
  const id = props.replicationGroupId;

  errors.check(
    typeof id === 'string' && id.length >= 1 && id.length <= LIMITS.replicationGroupIdMaxLength && REPLICATION_GROUP_ID_PATTERN.test(id),
    'replicationGroupId',
    `1–${LIMITS.replicationGroupIdMaxLength} letters, digits or hyphens, starting with a letter, no "--", no trailing "-"`,
    id,
  );
  errors.check(
    typeof props.description === 'string' && props.description.trim().length > 0,
    'description',
    'a non-empty string',
    props.description,
  );

  const engine = props.engine ?? d.engine;
  const engineOk = (ENGINES as readonly string[]).includes(engine);
  errors.check(engineOk, 'engine', `one of ${ENGINES.join(', ')}`, engine);
  const engineVersion = props.engineVersion ?? (engineOk ? DEFAULT_ENGINE_VERSION[engine] : '');
  const family = engineOk ? parameterGroupFamily(engine, engineVersion) : undefined;
  if (engineOk) {
    errors.check(
      family !== undefined,
      'engineVersion',
      `for ${engine} one of ${Object.keys(ENGINE_VERSIONS[engine]).join(', ')}`,
      engineVersion,
    );
  }

  const nodeTypeOk = isValidNodeTypeName(props.nodeType);
  errors.check(nodeTypeOk, 'nodeType', 'an ElastiCache node type (cache.<family>.<size>, e.g. cache.m7g.large)', props.nodeType);
  const node = nodeTypeOk ? findNodeType(props.nodeType) : undefined;
  if (nodeTypeOk && !node)
    warnings.push(
      `nodeType ${props.nodeType} is not in the node catalog (constructs/facts/node-catalog.ts): unpriced, and its CPU alarm uses EngineCPUUtilization`,
    );

  const shards = props.numNodeGroups ?? d.numNodeGroups;
  const replicas = props.replicasPerNodeGroup ?? d.replicasPerNodeGroup;
  errors.check(isIntegerIn(shards, 1, LIMITS.maxShards), 'numNodeGroups', `a whole number from 1 to ${LIMITS.maxShards}`, shards);
  errors.check(
    isIntegerIn(replicas, 0, LIMITS.maxReplicasPerShard),
    'replicasPerNodeGroup',
    `a whole number from 0 to ${LIMITS.maxReplicasPerShard}`,
    replicas,
  );

  const clusterMode: ClusterMode =
    props.clusterMode ??
    (props.clusterModeEnabled === undefined ? (shards > 1 ? 'enabled' : 'disabled') : props.clusterModeEnabled ? 'enabled' : 'disabled');
  errors.check(CLUSTER_MODES.includes(clusterMode), 'clusterMode', `one of ${CLUSTER_MODES.join(', ')}`, clusterMode);
  errors.check(
    props.clusterModeEnabled === undefined || props.clusterMode === undefined || props.clusterModeEnabled === (clusterMode === 'enabled'),
    'clusterModeEnabled',
    `unset, or ${String(clusterMode === 'enabled')} with clusterMode ${clusterMode} (use clusterMode alone)`,
    props.clusterModeEnabled,
  );
  const clusterModeEnabled = clusterMode === 'enabled';
  errors.check(
    clusterModeEnabled || shards <= 1,
    'clusterMode',
    `enabled when numNodeGroups > 1 (numNodeGroups is ${shards}; a group in compatible mode has one shard)`,
    clusterMode,
  );
  const configurationEndpointInSecret = props.configurationEndpointInSecret ?? clusterModeEnabled;
  errors.check(
    clusterMode !== 'disabled' || !configurationEndpointInSecret,
    'configurationEndpointInSecret',
    'false with clusterMode disabled (the group has no configuration endpoint)',
    configurationEndpointInSecret,
  );
  errors.check(
    !clusterModeEnabled || configurationEndpointInSecret,
    'configurationEndpointInSecret',
    'true with clusterMode enabled (host and url are the configuration endpoint)',
    configurationEndpointInSecret,
  );
  const configurationEndpointHowToFix = props.configurationEndpointHowToFix ?? d.configurationEndpointHowToFix;
  errors.check(
    typeof configurationEndpointHowToFix === 'string' && literalProblem(configurationEndpointHowToFix) === undefined,
    'configurationEndpointHowToFix',
    typeof configurationEndpointHowToFix === 'string'
      ? (literalProblem(configurationEndpointHowToFix) ?? 'a string')
      : 'a string (the plan shows it in an error message)',
    configurationEndpointHowToFix,
  );
  const movedFromClusterModeDisabled = props.movedFromClusterModeDisabled ?? false;
  errors.check(
    clusterMode !== 'disabled' || !movedFromClusterModeDisabled,
    'movedFromClusterModeDisabled',
    'false with clusterMode disabled (the move starts with clusterMode compatible)',
    movedFromClusterModeDisabled,
  );

  const hasReplica = replicas > 0;
  const automaticFailoverEnabled = props.automaticFailoverEnabled ?? (hasReplica || clusterModeEnabled);
  const multiAzEnabled = props.multiAzEnabled ?? automaticFailoverEnabled;
  errors.check(
    !clusterModeEnabled || automaticFailoverEnabled,
    'automaticFailoverEnabled',
    'true when cluster mode is enabled',
    automaticFailoverEnabled,
  );
  errors.check(
    clusterModeEnabled || !automaticFailoverEnabled || hasReplica,
    'automaticFailoverEnabled',
    'false without a replica (replicasPerNodeGroup ≥ 1 is needed for failover)',
    automaticFailoverEnabled,
  );
  errors.check(
    !multiAzEnabled || automaticFailoverEnabled,
    'multiAzEnabled',
    'false unless automaticFailoverEnabled is true',
    multiAzEnabled,
  );
  errors.check(!multiAzEnabled || hasReplica, 'multiAzEnabled', 'false without a replica in another zone', multiAzEnabled);
  if (clusterMode === 'compatible') {
    errors.check(
      automaticFailoverEnabled,
      'automaticFailoverEnabled',
      'true with clusterMode compatible (AWS "Modifying cluster mode")',
      automaticFailoverEnabled,
    );
    errors.check(
      replicas >= 1,
      'replicasPerNodeGroup',
      'at least 1 with clusterMode compatible (the move to cluster mode needs automatic failover with a replica)',
      replicas,
    );
    const minimum = CLUSTER_MODE_MIN_ENGINE_VERSION[engine] as string | undefined;
    if (minimum !== undefined && family !== undefined) {
      errors.check(
        Number(engineVersion) >= Number(minimum),
        'engineVersion',
        `${minimum} or later for ${engine} with clusterMode compatible (AWS "Modifying cluster mode")`,
        engineVersion,
      );
    }
  }
  if (props.availabilityZones !== undefined && !isUnresolved(props.availabilityZones)) {
    errors.check(
      clusterMode === 'disabled',
      'availabilityZones',
      'unset in cluster mode enabled or compatible (Multi-AZ places each shard)',
      props.availabilityZones,
    );
    errors.check(props.availabilityZones.length > 0, 'availabilityZones', 'at least one zone', props.availabilityZones);
    if (multiAzEnabled) {
      errors.check(
        new Set(props.availabilityZones).size >= 2,
        'availabilityZones',
        'at least two distinct zones with Multi-AZ',
        props.availabilityZones,
      );
    }
  }

  const port = props.port ?? d.port;
  errors.check(isIntegerIn(port, 1, 65535), 'port', 'a whole number from 1 to 65535', port);

  if (!isUnresolved(props.vpcId)) {
    errors.check(isAwsId('vpc', props.vpcId), 'vpcId', 'a VPC id (vpc- and 8 or 17 hex digits)', props.vpcId);
  }
  if (!isUnresolved(props.subnetIds)) {
    errors.check(Array.isArray(props.subnetIds) && props.subnetIds.length > 0, 'subnetIds', 'at least one subnet id', props.subnetIds);
    // the props may come from JavaScript: subnetIds can be missing although the type requires it
    for (const s of (props.subnetIds as readonly string[] | undefined) ?? []) {
      if (!isUnresolved(s)) errors.check(isAwsId('subnet', s), 'subnetIds', 'subnet ids (subnet- and 8 or 17 hex digits)', s);
    }
  }

  const sgs = props.allowedSecurityGroupIds ?? [];
  const cidrs = props.allowedCidrBlocks ?? [];
  errors.check(
    sgs.length + cidrs.length > 0,
    'allowedSecurityGroupIds/allowedCidrBlocks',
    'at least one client security group or private CIDR',
    'none',
  );
  // a list known only at deploy time (a Terraform variable) is checked by that variable's validation
  for (const sg of isUnresolved(sgs) ? [] : sgs) {
    if (!isUnresolved(sg))
      errors.check(isAwsId('sg', sg), 'allowedSecurityGroupIds', 'security group ids (sg- and 8 or 17 hex digits)', sg);
  }
  for (const c of isUnresolved(cidrs) ? [] : cidrs) {
    if (!isUnresolved(c))
      errors.check(isPrivateCidr(c), 'allowedCidrBlocks', 'private IPv4 ranges (10/8, 172.16/12, 192.168/16, 100.64/10)', c);
  }

  const maxmemoryPolicy = props.maxmemoryPolicy ?? d.maxmemoryPolicy;
  errors.check(
    (MAXMEMORY_POLICIES as readonly string[]).includes(maxmemoryPolicy),
    'maxmemoryPolicy',
    `one of ${MAXMEMORY_POLICIES.join(', ')}`,
    maxmemoryPolicy,
  );
  const reservedMemoryPercent = props.reservedMemoryPercent ?? d.reservedMemoryPercent;
  errors.check(isIntegerIn(reservedMemoryPercent, 0, 99), 'reservedMemoryPercent', 'a whole number from 0 to 99', reservedMemoryPercent);
  for (const name of Object.keys(props.parameters ?? {})) {
    errors.check(
      !(NOT_MODIFIABLE_PARAMETERS as readonly string[]).includes(name),
      `parameters.${name}`,
      `not one of ${NOT_MODIFIABLE_PARAMETERS.join(', ')} (fixed by node type or by clusterMode)`,
      name,
    );
    errors.check(
      !['maxmemory-policy', 'reserved-memory-percent'].includes(name),
      `parameters.${name}`,
      'set through its own prop (maxmemoryPolicy, reservedMemoryPercent)',
      name,
    );
  }

  const transitEncryptionEnabled = props.transitEncryptionEnabled ?? d.transitEncryptionEnabled;
  const transitEncryptionMode = props.transitEncryptionMode ?? (transitEncryptionEnabled ? 'required' : undefined);
  errors.check(
    transitEncryptionEnabled || props.transitEncryptionMode === undefined,
    'transitEncryptionMode',
    'unset unless transitEncryptionEnabled is true',
    props.transitEncryptionMode,
  );
  errors.check(
    transitEncryptionMode === undefined || ['required', 'preferred'].includes(transitEncryptionMode),
    'transitEncryptionMode',
    'one of required, preferred',
    transitEncryptionMode,
  );
  const authentication = props.authentication ?? d.authentication;
  errors.check(AUTHENTICATIONS.includes(authentication), 'authentication', `one of ${AUTHENTICATIONS.join(', ')}`, authentication);
  errors.check(
    authentication === 'none' || transitEncryptionEnabled,
    'authentication',
    'none unless transitEncryptionEnabled is true (AUTH tokens and RBAC need TLS)',
    authentication,
  );
  if (authentication === 'rbac' && typeof id === 'string') {
    const max = RBAC_ID_MAX_LENGTH - USER_ID_SUFFIXES.defaultUser.length;
    errors.check(
      id.length <= max,
      'replicationGroupId',
      `at most ${max} characters with authentication rbac (user id <id>${USER_ID_SUFFIXES.defaultUser})`,
      id,
    );
  }
  const applicationAccessString = props.applicationAccessString ?? d.applicationAccessString;
  if (authentication === 'rbac' && !isUnresolved(applicationAccessString)) {
    const access = parseAccessString(applicationAccessString);
    errors.check(
      access.invalid.length === 0,
      'applicationAccessString',
      `ACL rules ElastiCache accepts (no reset, passwords or restricted commands such as ${ELASTICACHE_RESTRICTED_COMMANDS.slice(0, 3).join(', ')}): ${access.invalid.join(' ')} is not one`,
      applicationAccessString,
    );
    errors.check(access.on, 'applicationAccessString', 'an access string that switches the user on ("on …")', applicationAccessString);
  }
  const authTokenMigration = props.authTokenMigration;
  if (authTokenMigration !== undefined) {
    errors.check(
      AUTH_TOKEN_MIGRATION_STEPS.includes(authTokenMigration),
      'authTokenMigration',
      `one of ${AUTH_TOKEN_MIGRATION_STEPS.join(', ')}, or unset`,
      authTokenMigration,
    );
    errors.check(
      authentication === 'rbac',
      'authTokenMigration',
      'unset unless authentication is rbac (it is the move from an AUTH token to RBAC)',
      authTokenMigration,
    );
  }
  const acceptAuthTokenAsDefaultUser = authTokenMigration === 'accept-auth-token';
  const credentialVersion = props.credentialVersion ?? d.credentialVersion;
  errors.check(isIntegerIn(credentialVersion, 1, Number.MAX_SAFE_INTEGER), 'credentialVersion', 'a whole number ≥ 1', credentialVersion);
  const credentialUpdateStrategy = props.credentialUpdateStrategy ?? d.credentialUpdateStrategy;
  errors.check(['ROTATE', 'SET'].includes(credentialUpdateStrategy), 'credentialUpdateStrategy', 'ROTATE or SET', credentialUpdateStrategy);
  errors.check(
    credentialUpdateStrategy !== 'SET' || credentialVersion >= 2,
    'credentialUpdateStrategy',
    'ROTATE while credentialVersion is 1 (SET is step 2 of a rotation: it follows a ROTATE to a raised version)',
    credentialUpdateStrategy,
  );
  errors.check(
    props.snapshotName === undefined || props.snapshotArns === undefined,
    'snapshotName',
    'unset when snapshotArns is set (one source to restore from)',
    props.snapshotName,
  );
  if (props.snapshotName !== undefined && !isUnresolved(props.snapshotName)) {
    // an automatic backup (automatic.<group>-<date>) is deleted with its group, which a restore replaces
    const automatic = props.snapshotName.startsWith('automatic.');
    errors.check(
      SNAPSHOT_NAME_PATTERN.test(props.snapshotName),
      'snapshotName',
      automatic
        ? 'a manual or final snapshot: an automatic one is deleted with the group the restore replaces; copy it first (aws elasticache copy-snapshot --source-snapshot-name <automatic.…> --target-snapshot-name <name>) and name the copy'
        : 'a snapshot name (letters, digits and hyphens, a letter first)',
      props.snapshotName,
    );
  }
  for (const arn of props.snapshotArns ?? []) {
    if (!isUnresolved(arn))
      errors.check(/^arn:aws[a-z-]*:s3:::[^/]+\/.+/.test(arn), 'snapshotArns', 'S3 object ARNs (arn:aws:s3:::bucket/key.rdb)', arn);
  }

  const retention = props.snapshotRetentionLimitDays ?? d.snapshotRetentionLimitDays;
  errors.check(
    isIntegerIn(retention, 0, LIMITS.snapshotRetentionMaxDays),
    'snapshotRetentionLimitDays',
    `a whole number of days from 0 to ${LIMITS.snapshotRetentionMaxDays}`,
    retention,
  );
  const snapshotWindow = props.snapshotWindow ?? d.snapshotWindow;
  const maintenanceWindow = props.maintenanceWindow ?? d.maintenanceWindow;
  const daily = typeof snapshotWindow === 'string' ? parseDailyWindow(snapshotWindow) : undefined;
  const weekly = typeof maintenanceWindow === 'string' ? parseWeeklyWindow(maintenanceWindow) : undefined;
  const min = LIMITS.minWindowMinutes;
  const minutes = (m: number | undefined) => (m === undefined ? undefined : `${m} minutes`);
  errors.check(
    daily !== undefined && daily.minutes >= min,
    'snapshotWindow',
    `UTC "hh:mm-hh:mm", at least ${min} minutes`,
    snapshotWindow,
    {
      why: minutes(daily?.minutes),
    },
  );
  errors.check(
    weekly !== undefined && weekly.minutes >= min,
    'maintenanceWindow',
    `UTC "ddd:hh:mm-ddd:hh:mm" (ddd = sun…sat), at least ${min} minutes`,
    maintenanceWindow,
    { why: minutes(weekly?.minutes) },
  );
  if (daily && weekly) {
    errors.check(
      !rangesOverlap(daily.ranges, weekly.ranges),
      'snapshotWindow',
      `a window that does not overlap maintenanceWindow ${maintenanceWindow}`,
      snapshotWindow,
    );
  }
  const finalSnapshotEnabled = props.finalSnapshotEnabled ?? d.finalSnapshotEnabled;
  const logRetentionInDays = props.logRetentionInDays ?? d.logRetentionInDays;
  errors.check(
    (LIMITS.logRetentionDays as readonly number[]).includes(logRetentionInDays),
    'logRetentionInDays',
    `one of ${LIMITS.logRetentionDays.join(', ')} (the values CloudWatch Logs accepts)`,
    logRetentionInDays,
  );

  const logFormat = props.logFormat ?? d.logFormat;
  errors.check((LOG_FORMATS as readonly string[]).includes(logFormat), 'logFormat', `one of ${LOG_FORMATS.join(', ')}`, logFormat);

  if (!clusterModeEnabled && isIntegerIn(replicas, 0, LIMITS.maxReplicasPerShard)) {
    errors.check(1 + replicas <= LIMITS.maxNodesPerShard, 'replicasPerNodeGroup', `at most ${LIMITS.maxNodesPerShard - 1}`, replicas);
  }

  const applyImmediately = props.applyImmediately ?? d.applyImmediately;
  errors.check(typeof applyImmediately === 'boolean', 'applyImmediately', 'true or false', applyImmediately);

  errors.throwIfAny();
  return {
    replicationGroupId: id.toLowerCase(),
    engine,
    engineVersion,
    parameterGroupFamily: family ?? '',
    nodeType: props.nodeType,
    node,
    numNodeGroups: shards,
    replicasPerNodeGroup: replicas,
    clusterMode,
    clusterModeEnabled,
    configurationEndpointInSecret,
    configurationEndpointHowToFix,
    movedFromClusterModeDisabled,
    automaticFailoverEnabled,
    multiAzEnabled,
    port,
    maxmemoryPolicy,
    reservedMemoryPercent,
    transitEncryptionEnabled,
    transitEncryptionMode,
    authentication,
    applicationAccessString,
    authTokenMigration,
    acceptAuthTokenAsDefaultUser,
    authTokenUpdateStrategy:
      authentication === 'auth-token' ? credentialUpdateStrategy : authentication === 'rbac' && authTokenMigration ? 'DELETE' : undefined,
    credentialVersion,
    credentialUpdateStrategy,
    snapshotName: props.snapshotName,
    snapshotArns: props.snapshotArns,
    snapshotRetentionLimitDays: retention,
    snapshotWindow,
    maintenanceWindow,
    finalSnapshotEnabled,
    logRetentionInDays,
    logFormat,
    // the migration's first step cannot wait for the maintenance window (see authTokenMigration)
    applyImmediately: acceptAuthTokenAsDefaultUser || applyImmediately,
    warnings,
  };
}
