import { AwsEnvironmentName, ENVIRONMENTS, EnvironmentConfig } from '../../config/environments';

/**
 * The AWS environments with the inputs the machinery's tests depend on held fixed: users, memory floor, engine and
 * version (sizing, replacements, prices), windows, log format and applyImmediately (what ElastiCache defers or
 * refuses). The tests of the review, the guardrails, sizing and preflight specify that machinery on these, so
 * changing an environment as README "Changing an environment" says (config/scaling.ts EXPECTED_USERS,
 * config/environments.ts) changes only the environment's own specification (environment-stacks.test.ts) and its
 * snapshot. Every other field comes from config/environments.ts.
 */
export const FIXED_ENVIRONMENTS: Readonly<Record<AwsEnvironmentName, EnvironmentConfig>> = {
  pilot: {
    ...ENVIRONMENTS.pilot,
    expectedUsers: 50,
    memoryFloorGiB: undefined,
    engine: 'redis',
    engineVersion: undefined,
    snapshotWindow: '03:00-04:00',
    maintenanceWindow: 'sun:05:00-sun:06:00',
    logFormat: 'json',
    applyImmediately: true,
  },
  staging: {
    ...ENVIRONMENTS.staging,
    expectedUsers: 500,
    memoryFloorGiB: 2,
    engine: 'redis',
    engineVersion: undefined,
    snapshotWindow: '03:00-04:00',
    maintenanceWindow: 'sun:05:00-sun:06:00',
    logFormat: 'json',
    applyImmediately: true,
  },
  production: {
    ...ENVIRONMENTS.production,
    expectedUsers: 5000,
    memoryFloorGiB: 4,
    engine: 'redis',
    engineVersion: undefined,
    snapshotWindow: '03:00-04:00',
    maintenanceWindow: 'sun:05:00-sun:06:00',
    logFormat: 'json',
    applyImmediately: false,
  },
};
