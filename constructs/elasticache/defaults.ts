/**
 * Defaults of the RedisReplicationGroup construct's props (./props.ts documents each). They belong to the
 * construct, not to any app's scaling choices: a stack passes its own choices explicitly. Frozen: a default is changed
 * by passing the prop, never by editing this object.
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
} from '../facts/elasticache';
import { deepFreeze } from '../freeze';
import type { Authentication, CredentialUpdateStrategy } from './types';

/** The defaults of the props RedisReplicationGroupProps leaves optional (read-only, and frozen at run time). */
export interface ReplicationGroupDefaults {
  readonly engine: Engine;
  readonly numNodeGroups: number;
  readonly replicasPerNodeGroup: number;
  readonly port: number;
  readonly maxmemoryPolicy: MaxmemoryPolicy;
  readonly reservedMemoryPercent: number;
  readonly transitEncryptionEnabled: boolean;
  readonly authentication: Authentication;
  readonly applicationAccessString: string;
  readonly credentialVersion: number;
  readonly credentialUpdateStrategy: CredentialUpdateStrategy;
  readonly snapshotRetentionLimitDays: number;
  readonly snapshotWindow: string;
  readonly maintenanceWindow: string;
  readonly finalSnapshotEnabled: boolean;
  readonly logRetentionInDays: number;
  readonly logFormat: LogFormat;
  readonly applyImmediately: boolean;
  readonly configurationEndpointHowToFix: string;
}

export const REPLICATION_GROUP_DEFAULTS: ReplicationGroupDefaults = deepFreeze({
  /**
   * Valkey for new groups: about 20 % cheaper per node than Redis OSS, a drop-in replacement for Redis OSS 7 on
   * ElastiCache ("Upgrading engine versions including cross engine upgrades": in place, no downtime, same endpoints),
   * the only engine there with a 7.2+ line (guide 002 asks for "Redis 7.2+"), and the only one that publishes
   * server-side request latency with percentiles (SuccessfulRead/WriteRequestLatency, from Valkey 7.2), which guide
   * 004's "P95 > 100ms" alarm needs. Going back to Redis OSS replaces the group.
   */
  engine: 'valkey',
  numNodeGroups: 1,
  replicasPerNodeGroup: 0,
  port: DEFAULT_PORT,
  /**
   * A cache should evict rather than refuse writes: `allkeys-lru` (Redis's guidance for caches). ElastiCache's own
   * default, `volatile-lru`, refuses writes once memory is full of keys without a TTL.
   */
  maxmemoryPolicy: 'allkeys-lru',
  reservedMemoryPercent: DEFAULT_RESERVED_MEMORY_PERCENT,
  transitEncryptionEnabled: true,
  /** RBAC: an AUTH token grants every command to whoever holds it; a user's access string can deny FLUSHALL & co. */
  authentication: 'rbac',
  /**
   * Every key and command, except those the guides' security checklists deny (000, 003, 004: FLUSHDB, FLUSHALL, KEYS;
   * CONFIG is restricted by ElastiCache for every user and may not appear in an access string). No Pub/Sub channels
   * (a cache does not need them; Redis 7 gives new users none).
   */
  applicationAccessString: 'on ~* +@all -flushall -flushdb -keys',
  credentialVersion: 1,
  credentialUpdateStrategy: 'ROTATE',
  snapshotRetentionLimitDays: 7,
  snapshotWindow: '03:00-04:00',
  maintenanceWindow: 'sun:05:00-sun:06:00',
  finalSnapshotEnabled: true,
  logRetentionInDays: 30,
  logFormat: 'json',
  applyImmediately: false,
  configurationEndpointHowToFix: 'apply clusterMode "compatible" first, then set configurationEndpointInSecret in a later deploy.',
});

/** The generated AUTH token: 64 characters (16–128 allowed), at least 2 of each class. */
export const AUTH_TOKEN_GENERATION = { length: 64, minEachClass: 2 } as const;

/**
 * Generated RBAC user passwords: 64 letters and digits (16–128 allowed), at least 2 of each class; no special
 * characters, so a password goes into a connection URL as it is.
 */
export const USER_PASSWORD_GENERATION = { length: 64, minEachClass: 2 } as const;

/** RBAC ids: users `<rg>-app` and `<rg>-default` (named `default`), user group `<rg>-users`. */
export const USER_ID_SUFFIXES = { applicationUser: '-app', defaultUser: '-default', userGroup: '-users' } as const;

/** Access string of the user named `default` when it is not accepting the AUTH token of a migration: off, no command. */
export const DEFAULT_USER_ACCESS_STRING = 'off -@all';

/**
 * Days a deleted KMS key waits before it is gone (7–30; the longest, so a mistake can be undone). While it waits the
 * key is Pending Deletion and the final snapshots encrypted with it cannot be restored until someone runs
 * CancelKeyDeletion and EnableKey (README, "Restoring a final snapshot"); guardrail `key-deletion-window`.
 */
export const KMS_KEY_DELETION_WINDOW_DAYS = KMS_KEY_DELETION_WINDOW_MAX_DAYS;

/**
 * Days a deleted Secrets Manager secret waits before it is gone (0, or 7–30): 0, deleted at once. Its credential
 * works only for the group it belongs to, and a secret waiting for deletion keeps its name, so a stack destroyed and
 * re-created within the window would fail to create `<rg>/auth` (guardrail `recreatable-names`).
 */
export const SECRET_RECOVERY_WINDOW_DAYS = 0;

/** Engine parameters ElastiCache fixes per node type or per group; they cannot be set in a parameter group. */
export const NOT_MODIFIABLE_PARAMETERS = ['maxmemory', 'maxclients', 'cluster-enabled'] as const;
