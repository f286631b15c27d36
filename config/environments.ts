/**
 * The environments this project deploys, and every per-environment setting. To change an environment,
 * change it here; sizing follows from ./scaling.ts through stacks/sizing.ts.
 */
import type { AlarmOverrides, Engine, LogFormat } from '../constructs';
import { HIT_RATE_TARGET_PERCENT } from './alarms';
import { ClusterModeStep } from './cluster-mode';
import { BACKUP_RETENTION_DAYS, EXPECTED_USERS, MAINTENANCE_WINDOW, MEMORY_FLOOR_GIB, SNAPSHOT_WINDOW } from './scaling';

export const PROJECT = 'isl-cache';

export const AWS_ENVIRONMENTS = ['pilot', 'staging', 'production'] as const;
export type AwsEnvironmentName = (typeof AWS_ENVIRONMENTS)[number];

export interface EnvironmentConfig {
  readonly name: AwsEnvironmentName;
  /** Users the environment must serve; picks the scaling tier. */
  readonly expectedUsers: number;
  readonly engine: Engine;
  /** Data memory floor on top of the tier's, GiB. */
  readonly memoryFloorGiB?: number;
  /** Automatic backup retention, days. */
  readonly snapshotRetentionLimitDays: number;
  /** Daily backup window, UTC `hh:mm-hh:mm`. */
  readonly snapshotWindow: string;
  /** Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`. */
  readonly maintenanceWindow: string;
  /** Retention of the slow-log and engine-log groups, days. */
  readonly logRetentionDays: number;
  /**
   * Pinned engine version (`major.minor`, one of the library's ENGINE_VERSIONS, constructs/facts/elasticache.ts).
   * @default the newest supported for the engine
   */
  readonly engineVersion?: string;
  /**
   * Two-step rotation of the credential clients use (README, "Rotating credentials"): the application user's password
   * (RBAC). Step 1 raises `version` with step `rotate` (the new password works beside the old one; move the clients
   * to the secret's new value); step 2 keeps the version and sets step `set` (only the new password works). The review
   * names the step a change performs.
   */
  readonly credentialRotation: CredentialRotation;
  /**
   * How clients authenticate: `rbac` (an application user whose access string denies FLUSHALL, FLUSHDB and KEYS; a
   * user `default` that is off) or `auth-token` (one shared token that grants every command; staging and production
   * refuse it: guardrail `auth`).
   * @default 'rbac'
   */
  readonly authentication?: 'rbac' | 'auth-token';
  /**
   * Moving a group that was deployed with an AUTH token to RBAC (README, "Moving a group from its AUTH token to
   * RBAC"): `accept-auth-token` (step 1: the user group is added in place, applied immediately even in production, and
   * the user `default` accepts the old token with the application's access string while clients move to the
   * application user), then `complete` (step 3: `default` is off, the token stops working). Keep `complete` for the
   * life of the group: the group then keeps `auth_token_update_strategy = DELETE`, whose removal the provider would
   * send as an empty AUTH token.
   * @default unset: the group was created with RBAC
   */
  readonly authTokenMigration?: 'accept-auth-token' | 'complete';
  /**
   * Create the group from this ElastiCache snapshot (README, "Restoring from a snapshot"). Setting, changing or
   * removing it replaces the group (the review says so): keep it for the life of the restored group.
   * @default none: the group starts empty
   */
  readonly restoreFromSnapshot?: string;
  /**
   * Format of the slow-log and engine-log records. A change needs `applyImmediately` (ElastiCache refuses log
   * delivery changes otherwise; the review says so).
   * @default 'json'
   */
  readonly logFormat?: LogFormat;
  /**
   * Where the group is in the move from one shard to a Redis Cluster (README "Moving to cluster mode";
   * config/cluster-mode.ts): `single-shard` → `compatible` → `cluster-clients` → `cluster` → `resharded`, one step per
   * deploy, each a change ElastiCache accepts on its own. Until `resharded` the group keeps one shard, sized for the
   * largest single-shard tier, also when the users call for a cluster (the review says so and names the next step).
   * The steps that change the cluster mode (`compatible`, `cluster`) are applied immediately whatever
   * `applyImmediately` says. A step back, or two steps in one deploy, is refused (guardrail `cluster-mode-steps`).
   * @default 'single-shard'
   */
  readonly clusterModeStep?: ClusterModeStep;
  /**
   * The group is created in cluster mode, with the shards its sizing asks for, instead of being moved (a new
   * environment whose users call for a cluster from the start). Only with `clusterModeStep: 'resharded'`; it cannot be
   * set on a group that exists with one shard (that group moves step by step).
   * @default false
   */
  readonly createdInClusterMode?: boolean;
  /** Apply modifications immediately instead of in the maintenance window. */
  readonly applyImmediately: boolean;
  /**
   * Overrides of the library's alarm thresholds (DEFAULT_ALARM_THRESHOLDS, constructs/monitoring/defaults.ts), with
   * this project's per-environment choices from ./alarms.ts. @default none: the library's defaults
   */
  readonly alarms?: AlarmOverrides;
}

/** Where an environment's credential is in its two-step rotation. */
export interface CredentialRotation {
  /** Generation of the credential: raising it draws a new password (step 1). Starts at 1. */
  readonly version: number;
  /** `rotate`: old and new password valid; `set`: only the password of `version` valid. */
  readonly step: 'rotate' | 'set';
}

export const ENVIRONMENTS: Record<AwsEnvironmentName, EnvironmentConfig> = {
  pilot: {
    name: 'pilot',
    expectedUsers: EXPECTED_USERS.pilot,
    engine: 'valkey',
    snapshotRetentionLimitDays: BACKUP_RETENTION_DAYS.pilot,
    snapshotWindow: SNAPSHOT_WINDOW,
    maintenanceWindow: MAINTENANCE_WINDOW,
    logRetentionDays: 14,
    credentialRotation: { version: 1, step: 'rotate' },
    applyImmediately: true,
    alarms: { hitRate: { minimumPercent: HIT_RATE_TARGET_PERCENT.pilot } },
  },
  staging: {
    name: 'staging',
    expectedUsers: EXPECTED_USERS.staging,
    engine: 'valkey',
    memoryFloorGiB: MEMORY_FLOOR_GIB.staging,
    snapshotRetentionLimitDays: BACKUP_RETENTION_DAYS.staging,
    snapshotWindow: SNAPSHOT_WINDOW,
    maintenanceWindow: MAINTENANCE_WINDOW,
    logRetentionDays: 30,
    credentialRotation: { version: 1, step: 'rotate' },
    applyImmediately: true,
    alarms: { hitRate: { minimumPercent: HIT_RATE_TARGET_PERCENT.staging } },
  },
  production: {
    name: 'production',
    expectedUsers: EXPECTED_USERS.production,
    engine: 'valkey',
    memoryFloorGiB: MEMORY_FLOOR_GIB.production,
    snapshotRetentionLimitDays: BACKUP_RETENTION_DAYS.production,
    snapshotWindow: SNAPSHOT_WINDOW,
    maintenanceWindow: MAINTENANCE_WINDOW,
    logRetentionDays: 90,
    credentialRotation: { version: 1, step: 'rotate' },
    // production changes wait for the maintenance window unless an operator applies them by hand
    applyImmediately: false,
    alarms: { hitRate: { minimumPercent: HIT_RATE_TARGET_PERCENT.production } },
  },
};
