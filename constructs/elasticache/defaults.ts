/**
 * Defaults of the RedisReplicationGroup construct's props (./props.ts documents each). They belong to the
 * construct, not to any project's scaling choices: a stack passes its own choices explicitly.
 *
 * Backups run at night UTC and end before the weekly maintenance window opens, so the two never overlap.
 */
import {
  DEFAULT_PORT,
  DEFAULT_RESERVED_MEMORY_PERCENT,
  Engine,
  KMS_KEY_DELETION_WINDOW_MAX_DAYS,
  LogFormat,
  MaxmemoryPolicy,
} from '../../config/elasticache';
import type { AuthTokenUpdateStrategy } from './props';

export const REPLICATION_GROUP_DEFAULTS = {
  engine: 'redis' as Engine,
  numNodeGroups: 1,
  replicasPerNodeGroup: 0,
  port: DEFAULT_PORT,
  /**
   * A cache should evict rather than refuse writes: `allkeys-lru` (Redis's guidance for caches). ElastiCache's own
   * default, `volatile-lru`, refuses writes once memory is full of keys without a TTL.
   */
  maxmemoryPolicy: 'allkeys-lru' as MaxmemoryPolicy,
  reservedMemoryPercent: DEFAULT_RESERVED_MEMORY_PERCENT,
  transitEncryptionEnabled: true,
  authTokenEnabled: true,
  authTokenVersion: 1,
  authTokenUpdateStrategy: 'ROTATE' as AuthTokenUpdateStrategy,
  snapshotRetentionLimitDays: 7,
  snapshotWindow: '03:00-04:00',
  maintenanceWindow: 'sun:05:00-sun:06:00',
  finalSnapshotEnabled: true,
  logRetentionInDays: 30,
  logFormat: 'json' as LogFormat,
  applyImmediately: false,
};

/** The generated AUTH token: 64 characters (16–128 allowed), at least 2 of each class. */
export const AUTH_TOKEN_GENERATION = { length: 64, minEachClass: 2 } as const;

/**
 * Days a deleted KMS key waits before it is gone (7–30; the longest, so a mistake can be undone). While it waits the
 * key is Pending Deletion and the final snapshots encrypted with it cannot be restored until someone runs
 * CancelKeyDeletion and EnableKey (README, "Restoring a final snapshot"); guardrail `key-deletion-window`.
 */
export const KMS_KEY_DELETION_WINDOW_DAYS = KMS_KEY_DELETION_WINDOW_MAX_DAYS;

/** Days a deleted Secrets Manager secret can be restored (7–30). */
export const SECRET_RECOVERY_WINDOW_DAYS = 7;

/** Engine parameters ElastiCache fixes per node type or per group; they cannot be set in a parameter group. */
export const NOT_MODIFIABLE_PARAMETERS = ['maxmemory', 'maxclients', 'cluster-enabled'] as const;
