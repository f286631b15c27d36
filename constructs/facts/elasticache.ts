/**
 * ElastiCache engine and API facts the constructs are built on and validate against: true for every user of the
 * library. Source: the ElastiCache User Guide and API reference, as summarized in elasticache-facts.md ("Engines, versions, parameter groups",
 * "Validation rules the API or provider enforce", "Limits worth knowing").
 */

import { deepFreeze } from '../freeze';

/** ElastiCache's engines for a replication group: `redis` (Redis OSS) and `valkey`. */
export type Engine = 'redis' | 'valkey';
export const ENGINES: readonly Engine[] = Object.freeze(['redis', 'valkey'] as const);

/** Engine versions the constructs support, each with its parameter-group family. */
export const ENGINE_VERSIONS: Readonly<Record<Engine, Readonly<Record<string, string>>>> = deepFreeze({
  redis: { '6.2': 'redis6.x', '7.0': 'redis7', '7.1': 'redis7' },
  valkey: { '7.2': 'valkey7', '8.0': 'valkey8', '8.1': 'valkey8' },
});

/** The pinned version used when a stack does not choose one (newest supported per engine). */
export const DEFAULT_ENGINE_VERSION: Readonly<Record<Engine, string>> = deepFreeze({ redis: '7.1', valkey: '8.1' });

/** Redis's and ElastiCache's default port. */
export const DEFAULT_PORT = 6379;

/** Memory ElastiCache keeps back by default (`reserved-memory-percent`), percent. */
export const DEFAULT_RESERVED_MEMORY_PERCENT = 25;

/**
 * Any ElastiCache node type by its pattern (`cache.<family><generation>[variant].<size>`): the catalog
 * (./node-catalog.ts) serves prices and sizing; a type outside it is valid, only unpriced.
 */
export const NODE_TYPE_PATTERN = /^cache\.[a-z][0-9]+[a-z-]*\.(nano|micro|small|medium|large|[0-9]*xlarge)$/;

/** Eviction policies ElastiCache accepts for `maxmemory-policy`. */
export type MaxmemoryPolicy =
  'volatile-lru' | 'allkeys-lru' | 'volatile-lfu' | 'allkeys-lfu' | 'volatile-random' | 'allkeys-random' | 'volatile-ttl' | 'noeviction';
export const MAXMEMORY_POLICIES: readonly MaxmemoryPolicy[] = Object.freeze([
  'volatile-lru',
  'allkeys-lru',
  'volatile-lfu',
  'allkeys-lfu',
  'volatile-random',
  'allkeys-random',
  'volatile-ttl',
  'noeviction',
] as const);

export const LIMITS = deepFreeze({
  replicationGroupIdMaxLength: 40,
  /** num_cache_clusters 1–6 with cluster mode disabled */
  maxNodesPerShard: 6,
  /** replicas_per_node_group 0–5 */
  maxReplicasPerShard: 5,
  /** API limit for shards is 500; the default account quota is 90. We plan within the quota. */
  maxShards: 90,
  snapshotRetentionMaxDays: 35,
  /** snapshot and maintenance windows are each at least 60 minutes */
  minWindowMinutes: 60,
  authTokenMinLength: 16,
  authTokenMaxLength: 128,
  /** The only special characters an AUTH token may contain. */
  authTokenSpecialCharacters: '!&#$^<>-',
  /** CloudWatch Logs retention values the API accepts. */
  logRetentionDays: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653],
  reservedMemoryPercentRange: [0, 100] as const,
} as const);

/**
 * Slow log the constructs configure: `slowlog-log-slower-than 10000` (10 ms) and `slowlog-max-len 128` (the Redis
 * Cluster Deployment Guide's "Redis Configuration File", guide 004).
 */
export const SLOWLOG = { slowerThanMicroseconds: 10000, maxLen: 128 } as const;

/** Formats of ElastiCache log delivery records (`log_delivery_configuration.log_format`). */
export type LogFormat = 'json' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = Object.freeze(['json', 'text'] as const);

/**
 * Parent of the log groups ElastiCache delivers to. AWS recommends `/aws/vendedlogs/` for vended logs: CloudWatch Logs
 * then grants the delivery without growing the account's log resource policy, which is limited to 5120 characters
 * (CloudWatch Logs "Enabling logging from AWS services"; ElastiCache "Log delivery").
 */
export const ELASTICACHE_LOG_GROUP_PREFIX = '/aws/vendedlogs/elasticache';

/**
 * Random bytes in the final snapshot's name (`<rg>-final-<hex>`): 4 bytes = 8 hex digits, a new value per group
 * generation. Snapshot names: letters, digits and hyphens, starting with a letter, no "--", no trailing "-".
 */
export const FINAL_SNAPSHOT_SUFFIX_BYTES = 4;

/** KMS `deletion_window_in_days` is 7–30 (provider doc); the constructs' keys wait the longest. */
export const KMS_KEY_DELETION_WINDOW_MAX_DAYS = 30;
