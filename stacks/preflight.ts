/**
 * Preflight: every problem of every stack and every layer, found before anything is built or synthesized.
 *
 * Layers, for each AWS environment: its environment variables (./settings.ts), its entry in config/environments.ts
 * (checkEnvironmentConfig below), its sizing (./sizing.ts, including a profile beyond the scaling table's top tier),
 * and, when those are clean, the props of its constructs and its alarms through the constructs' own pure resolve
 * functions (resolveReplicationGroupProps, resolveCacheAlarmsProps). For the local stack: the LOCAL_REDIS_* variables
 * and, when those are clean, LocalRedis's props (checkLocalRedisProps). A problem the constructs find is reported under
 * the variable or config field the user sets, not the prop.
 *
 * Pure: pass the configuration and the variables in. main.ts prints the problems as one short message.
 */
import { Lazy } from 'cdktf';
import { AWS_ENVIRONMENTS, AwsEnvironmentName, ENVIRONMENTS, EnvironmentConfig } from '../config/environments';
import { ENGINES, ENGINE_VERSIONS, LIMITS, LOG_FORMATS } from '../config/elasticache';
import { LOCAL_ENV, LOCAL_TLS_DIR_DEFAULT } from '../config/local';
import { memberNodes } from '../constructs/elasticache/member-nodes';
import { guardrailsMode } from '../constructs/guardrails/aspect';
import { resolveReplicationGroupProps } from '../constructs/elasticache/props';
import { checkLocalRedisProps } from '../constructs/local/local-redis';
import { resolveCacheAlarmsProps } from '../constructs/monitoring/cache-alarms';
import { checkThresholds, mergeAlarmThresholds } from '../constructs/monitoring/thresholds';
import { Problems, ValidationError, isIntegerIn, parseDailyWindow, parseWeeklyWindow, rangesOverlap } from '../constructs/validation';
import { environmentProps } from './environment-props';
import { localRedisProps } from './local-stack';
import { DeploymentSettings, Env, LocalSettings, parseDeploymentSettings, parseLocalSettings } from './settings';
import { SizingPlan, planSizing, sizingProfileOf } from './sizing';

export const CONFIG_FILE = 'config/environments.ts';

export interface PreflightResult {
  /** Settings of each AWS environment (as parsed, even where a problem was found). */
  readonly deployment: Readonly<Record<string, DeploymentSettings>>;
  readonly local: LocalSettings;
  /** Sizing plan of each environment whose profile is valid. */
  readonly plans: Readonly<Partial<Record<AwsEnvironmentName, SizingPlan>>>;
  /** Stacks with at least one problem. */
  readonly failedStacks: readonly string[];
  /** Every problem, one line each, naming the variable or config field, the allowed form and the value. */
  readonly problems: readonly string[];
}

const problemsOf = (e: unknown): readonly string[] => {
  if (ValidationError.isValidationError(e)) return e.problems;
  throw e;
};

/**
 * Mistakes in one entry of config/environments.ts (not sizing: planSizing checks expectedUsers, engine and
 * memoryFloorGiB). Each line is "config/environments.ts <key>.<field>: allowed, got value".
 */
export function checkEnvironmentConfig(key: string, env: EnvironmentConfig): string[] {
  const p = new Problems(`${CONFIG_FILE} ${key}`);
  const at = (field: string) => `${CONFIG_FILE} ${key}.${field}`;
  p.check(env.name === key, at('name'), `${JSON.stringify(key)} (the key it is listed under)`, env.name);
  p.check(
    isIntegerIn(env.snapshotRetentionLimitDays, 0, LIMITS.snapshotRetentionMaxDays),
    at('snapshotRetentionLimitDays'),
    `a whole number of days from 0 to ${LIMITS.snapshotRetentionMaxDays}`,
    env.snapshotRetentionLimitDays,
  );
  const daily = typeof env.snapshotWindow === 'string' ? parseDailyWindow(env.snapshotWindow) : undefined;
  const weekly = typeof env.maintenanceWindow === 'string' ? parseWeeklyWindow(env.maintenanceWindow) : undefined;
  const min = LIMITS.minWindowMinutes;
  p.check(
    daily !== undefined && daily.minutes >= min,
    at('snapshotWindow'),
    `UTC "hh:mm-hh:mm", at least ${min} minutes`,
    env.snapshotWindow,
  );
  p.check(
    weekly !== undefined && weekly.minutes >= min,
    at('maintenanceWindow'),
    `UTC "ddd:hh:mm-ddd:hh:mm" (ddd = sun…sat), at least ${min} minutes`,
    env.maintenanceWindow,
  );
  if (daily && weekly) {
    p.check(
      !rangesOverlap(daily.ranges, weekly.ranges),
      at('snapshotWindow'),
      `a window that does not overlap maintenanceWindow ${env.maintenanceWindow}`,
      env.snapshotWindow,
    );
  }
  p.check(
    (LIMITS.logRetentionDays as readonly number[]).includes(env.logRetentionDays),
    at('logRetentionDays'),
    `one of ${LIMITS.logRetentionDays.join(', ')} (the values CloudWatch Logs accepts)`,
    env.logRetentionDays,
  );
  // fields other issues are reshaping are read loosely, so the checker follows whichever shape the file has
  const raw = env as unknown as Readonly<Record<string, unknown>>;
  if ('credentialRotation' in raw) {
    const r = (raw.credentialRotation ?? {}) as Readonly<Record<string, unknown>>;
    p.check(isIntegerIn(r.version, 1, Number.MAX_SAFE_INTEGER), at('credentialRotation.version'), 'a whole number ≥ 1', r.version);
    p.check(r.step === 'rotate' || r.step === 'set', at('credentialRotation.step'), 'rotate or set', r.step);
  }
  if (raw.authentication !== undefined) {
    p.check(
      raw.authentication === 'rbac' || raw.authentication === 'auth-token',
      at('authentication'),
      'rbac or auth-token',
      raw.authentication,
    );
  }
  if (raw.authTokenMigration !== undefined) {
    p.check(
      raw.authTokenMigration === 'accept-auth-token' || raw.authTokenMigration === 'complete',
      at('authTokenMigration'),
      'accept-auth-token or complete, or unset',
      raw.authTokenMigration,
    );
  }
  if (raw.engineVersion !== undefined && (ENGINES as readonly unknown[]).includes(env.engine)) {
    const versions = Object.keys(ENGINE_VERSIONS[env.engine]);
    p.check(
      versions.includes(raw.engineVersion as string),
      at('engineVersion'),
      `for ${env.engine} one of ${versions.join(', ')}`,
      raw.engineVersion,
    );
  }
  if (raw.logFormat !== undefined) {
    p.check(
      (LOG_FORMATS as readonly unknown[]).includes(raw.logFormat),
      at('logFormat'),
      `one of ${LOG_FORMATS.join(', ')}`,
      raw.logFormat,
    );
  }
  p.check(typeof env.applyImmediately === 'boolean', at('applyImmediately'), 'true or false', env.applyImmediately);
  if (env.alarms !== undefined) {
    const t = new Problems('alarms');
    checkThresholds(t, env.alarms, mergeAlarmThresholds(env.alarms));
    p.addAll(
      t.list.map((line) => line.replace(/^thresholds/, 'alarms')),
      `${CONFIG_FILE} ${key}.`,
    );
  }
  return [...p.list];
}

/** Where a construct prop of an environment's group comes from: the variable or config field a user sets. */
function propSource(environment: string, prop: string): string | undefined {
  const v = (suffix: string) => `CACHE_${environment.toUpperCase()}_${suffix}`;
  const config = (field: string) => `${CONFIG_FILE} ${environment}.${field}`;
  const sources: Record<string, string> = {
    vpcId: v('VPC_ID'),
    subnetIds: v('SUBNET_IDS'),
    availabilityZones: v('AVAILABILITY_ZONES'),
    allowedSecurityGroupIds: v('CLIENT_SECURITY_GROUP_IDS'),
    allowedCidrBlocks: v('CLIENT_CIDRS'),
    'allowedSecurityGroupIds/allowedCidrBlocks': `${v('CLIENT_SECURITY_GROUP_IDS')}/${v('CLIENT_CIDRS')}`,
    alarmEmail: v('ALARM_EMAILS'),
    alarmEmails: v('ALARM_EMAILS'),
    alarmHttpsEndpoints: v('ALARM_HTTPS_ENDPOINTS'),
    autoConfirmingHttpsEndpoints: v('ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM'),
    alarmTopics: v('ALARM_TOPIC_ARNS'),
    engine: config('engine'),
    snapshotRetentionLimitDays: config('snapshotRetentionLimitDays'),
    snapshotWindow: config('snapshotWindow'),
    maintenanceWindow: config('maintenanceWindow'),
    logRetentionInDays: config('logRetentionDays'),
    credentialVersion: config('credentialRotation.version'),
    credentialUpdateStrategy: config('credentialRotation.step'),
    authTokenMigration: config('authTokenMigration'),
    authentication: config('authentication'),
    snapshotName: config('restoreFromSnapshot'),
    engineVersion: config('engineVersion'),
    logFormat: config('logFormat'),
    applyImmediately: config('applyImmediately'),
    clusterMode: config('clusterModeStep'),
    configurationEndpointInSecret: config('clusterModeStep'),
    movedFromClusterModeDisabled: config('createdInClusterMode'),
  };
  if (prop in sources) return sources[prop];
  if (prop.startsWith('thresholds')) return config(prop.replace(/^thresholds/, 'alarms'));
  return undefined;
}

/**
 * A construct's problem "prop: allowed, got value" restated under its source, naming the prop and construct; a prop
 * no user sets is named with where it comes from (`origin`).
 */
function restate(
  environment: string,
  construct: string,
  line: string,
  sourceOf: (prop: string) => string | undefined = (prop) => propSource(environment, prop),
  origin = `the sizing of ${CONFIG_FILE} ${environment}`,
): string {
  const m = /^([^:]+): ([\s\S]*)$/.exec(line);
  if (!m) return `${environment}/${construct}: ${line}`;
  const source = sourceOf(m[1]);
  return source
    ? `${source}: ${m[2]} (prop ${m[1]} of ${environment}/${construct})`
    : `${environment}/${construct} ${m[1]} (from ${origin}): ${m[2]}`;
}

/** The construct layer of the local stack: LocalRedis's props, restated under the LOCAL_REDIS_* variable behind each. */
function checkLocalProps(settings: LocalSettings): string[] {
  const sources: Readonly<Record<string, string>> = {
    engine: LOCAL_ENV.engine,
    port: LOCAL_ENV.port,
    tls: LOCAL_ENV.tls,
    image: LOCAL_ENV.image,
    tlsDir: settings.tlsDir === undefined ? `${LOCAL_ENV.tlsDir} (unset, default ${LOCAL_TLS_DIR_DEFAULT})` : LOCAL_ENV.tlsDir,
  };
  try {
    checkLocalRedisProps(localRedisProps({}, settings), 'local/redis');
    return [];
  } catch (e) {
    return problemsOf(e).map((l) =>
      restate('local', 'redis', l, (prop) => (prop in sources ? sources[prop] : undefined), 'stacks/local-stack.ts'),
    );
  }
}

/** The construct layer of one environment: group props and alarms, checked by the constructs' resolve functions. */
function checkConstructProps(env: EnvironmentConfig, dep: DeploymentSettings, plan: SizingPlan): string[] {
  // what the stack's lookups resolve to at deploy time: unknown here, as in the stack
  const net = {
    vpcId: dep.vpcId ?? Lazy.stringValue({ produce: () => 'vpc' }),
    vpcCidrBlock: Lazy.stringValue({ produce: () => 'cidr' }),
    subnetIds: dep.subnetIds ?? Lazy.listValue({ produce: () => [] }),
  };
  const built = environmentProps(env, dep, plan, net);
  const problems: string[] = [];
  try {
    const group = resolveReplicationGroupProps(built.group, `${env.name}/cache`);
    const replicationGroup = {
      replicationGroupId: group.replicationGroupId,
      nodeType: group.nodeType,
      nodes: memberNodes(group.replicationGroupId, group.numNodeGroups, group.replicasPerNodeGroup, group.clusterModeEnabled, {
        firstShardKeepsDisabledIds: group.movedFromClusterModeDisabled,
      }),
      alarmTopic: { arn: Lazy.stringValue({ produce: () => 'topic' }) },
    };
    try {
      resolveCacheAlarmsProps({ replicationGroup, ...built.alarms }, `${env.name}/alarms`);
    } catch (e) {
      problems.push(...problemsOf(e).map((l) => restate(env.name, 'alarms', l)));
    }
  } catch (e) {
    problems.push(...problemsOf(e).map((l) => restate(env.name, 'cache', l)));
  }
  return problems;
}

/**
 * Every problem of every stack: the AWS environments in `environments` (default: config/environments.ts) with the
 * variables in `env` (default: process.env), and the local stack.
 */
export function preflight(
  environments: Readonly<Record<AwsEnvironmentName, EnvironmentConfig>> = ENVIRONMENTS,
  env: Env = process.env,
): PreflightResult {
  const { settings, problems: settingsProblems } = parseDeploymentSettings(AWS_ENVIRONMENTS, env);
  const local = parseLocalSettings(env);
  const problems: string[] = [...settingsProblems];
  const failed = new Set<string>();
  for (const line of settingsProblems) {
    for (const name of AWS_ENVIRONMENTS) if (new RegExp(`\\(stacks? [^)]*\\b${name}\\b`).test(line)) failed.add(name);
  }
  const plans: Partial<Record<AwsEnvironmentName, SizingPlan>> = {};

  for (const name of AWS_ENVIRONMENTS) {
    const cfg = environments[name];
    const own: string[] = checkEnvironmentConfig(name, cfg);
    try {
      plans[name] = planSizing(sizingProfileOf(cfg), `${CONFIG_FILE} ${name}`);
    } catch (e) {
      own.push(...problemsOf(e).map((l) => `${CONFIG_FILE} ${name}.${l}`));
    }
    const plan = plans[name];
    if (!own.length && !failed.has(name) && plan) own.push(...checkConstructProps(cfg, settings[name], plan));
    if (own.length) failed.add(name);
    problems.push(...own);
  }
  const localProblems = local.problems.length ? local.problems : checkLocalProps(local.settings);
  if (localProblems.length) failed.add('local');
  problems.push(...localProblems);
  try {
    guardrailsMode(env);
  } catch (e) {
    problems.push(...problemsOf(e).map((l) => `${l} (every stack)`));
  }

  return {
    deployment: settings,
    local: local.settings,
    plans,
    failedStacks: [...AWS_ENVIRONMENTS, 'local'].filter((s) => failed.has(s)),
    problems: [...new Set(problems)],
  };
}
