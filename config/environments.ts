/**
 * The environments this project deploys, and every per-environment setting. To change an environment,
 * change it here; sizing follows from ./scaling.ts through stacks/sizing.ts.
 */
import { AlarmOverrides, HIT_RATE_TARGET_PERCENT } from './alarms';
import { Engine } from './elasticache';
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
  /** Bump to rotate the AUTH token (see README, "Rotating the AUTH token"). */
  readonly authTokenVersion: number;
  /** Apply modifications immediately instead of in the maintenance window. */
  readonly applyImmediately: boolean;
  /** Overrides of the alarm thresholds in ./alarms.ts. @default none: DEFAULT_ALARM_THRESHOLDS */
  readonly alarms?: AlarmOverrides;
}

export const ENVIRONMENTS: Record<AwsEnvironmentName, EnvironmentConfig> = {
  pilot: {
    name: 'pilot',
    expectedUsers: EXPECTED_USERS.pilot,
    engine: 'redis',
    snapshotRetentionLimitDays: BACKUP_RETENTION_DAYS.pilot,
    snapshotWindow: SNAPSHOT_WINDOW,
    maintenanceWindow: MAINTENANCE_WINDOW,
    logRetentionDays: 14,
    authTokenVersion: 1,
    applyImmediately: true,
    alarms: { hitRate: { minimumPercent: HIT_RATE_TARGET_PERCENT.pilot } },
  },
  staging: {
    name: 'staging',
    expectedUsers: EXPECTED_USERS.staging,
    engine: 'redis',
    memoryFloorGiB: MEMORY_FLOOR_GIB.staging,
    snapshotRetentionLimitDays: BACKUP_RETENTION_DAYS.staging,
    snapshotWindow: SNAPSHOT_WINDOW,
    maintenanceWindow: MAINTENANCE_WINDOW,
    logRetentionDays: 30,
    authTokenVersion: 1,
    applyImmediately: true,
    alarms: { hitRate: { minimumPercent: HIT_RATE_TARGET_PERCENT.staging } },
  },
  production: {
    name: 'production',
    expectedUsers: EXPECTED_USERS.production,
    engine: 'redis',
    memoryFloorGiB: MEMORY_FLOOR_GIB.production,
    snapshotRetentionLimitDays: BACKUP_RETENTION_DAYS.production,
    snapshotWindow: SNAPSHOT_WINDOW,
    maintenanceWindow: MAINTENANCE_WINDOW,
    logRetentionDays: 90,
    authTokenVersion: 1,
    // production changes wait for the maintenance window unless an operator applies them by hand
    applyImmediately: false,
  },
};
