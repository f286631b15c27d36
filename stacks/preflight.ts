/**
 * Preflight: every problem of every stack and every layer, found before anything is built or synthesized, each by the
 * one check of the input where it enters, and gathered here.
 *
 * Layers, for each AWS environment: its environment variables (./settings.ts, one collector for the whole run), the
 * shape of its entry in config/environments.ts that no construct sees (checkEnvironmentConfig below), its sizing
 * (./sizing.ts, planned here once and handed to the stack), and the props of its constructs, checked by the
 * constructs' own validation without building them (RedisReplicationGroup.validateProps, CacheAlarms.validateProps).
 * For the local stack: the LOCAL_REDIS_* variables and LocalRedis's props (LocalRedis.validateProps). Problems are
 * structured (the library's Problem): a construct's problem is restated under the variable or config field the user
 * set by its `field`, never by reading its message, and a problem a layer already reported for a field is not
 * reported again by the next.
 *
 * Pure: pass the configuration and the variables in (the synth app, ./synthesize.ts, reads the environment).
 */
import { Lazy } from 'cdktf';
import { AWS_ENVIRONMENTS, AwsEnvironmentName, EnvironmentConfig } from '../config/environments';
import { LOCAL_ENV } from '../config/local';
import {
  CacheAlarms,
  GuardrailsMode,
  Problem,
  Problems,
  RedisReplicationGroup,
  ValidationError,
  memberNodes,
  problemText,
} from '../constructs';
import { LOCAL_TLS_DIR_DEFAULT, LocalRedis, TLS_FILES_MISSING } from '../constructs/local';
import { environmentProps } from './environment-props';
import { localRedisProps } from './local-stack';
import { DeploymentSettings, Env, LocalSettings, readSettings } from './settings';
import { SizingPlan, planSizing, sizingProfileOf } from './sizing';

export const CONFIG_FILE = 'config/environments.ts';

export interface PreflightResult {
  /** Settings of each AWS environment (as parsed, even where a problem was found). */
  readonly deployment: Readonly<Record<string, DeploymentSettings>>;
  readonly local: LocalSettings;
  /** CACHE_GUARDRAILS. */
  readonly guardrails: GuardrailsMode;
  /** Sizing plan of each environment whose profile is valid: the plan its stack is built with. */
  readonly plans: Readonly<Partial<Record<AwsEnvironmentName, SizingPlan>>>;
  /** Stacks with at least one problem. */
  readonly failedStacks: readonly string[];
  /** Every problem, structured, in the order found. */
  readonly found: readonly Problem[];
  /** Every problem as the user reads it, one line each, naming the variable or config field, the allowed form and the value. */
  readonly problems: readonly string[];
}

/**
 * Mistakes in one entry of config/environments.ts that no construct sees: its key, and the fields whose vocabulary is
 * this project's (the rotation step, the authentication modes it allows). Everything else of the entry reaches a
 * construct as a prop and is checked there (or by planSizing). Each problem's field is
 * "config/environments.ts <key>.<field>".
 */
export function checkEnvironmentConfig(key: string, env: EnvironmentConfig): readonly Problem[] {
  const p = new Problems(`${CONFIG_FILE} ${key}`);
  const at = (field: string) => `${CONFIG_FILE} ${key}.${field}`;
  p.check(env.name === key, at('name'), `${JSON.stringify(key)} (the key it is listed under)`, env.name);
  // fields other issues are reshaping are read loosely, so the checker follows whichever shape the file has
  const raw = env as unknown as Readonly<Record<string, unknown>>;
  if ('credentialRotation' in raw) {
    const r = (raw.credentialRotation ?? {}) as Readonly<Record<string, unknown>>;
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
  return p.list;
}

const THRESHOLDS = 'thresholds';

/** The variable behind a construct prop of an environment (the deployment settings), if a variable sets it. */
function variableSource(environment: string, prop: string): string | undefined {
  const v = (suffix: string) => `CACHE_${environment.toUpperCase()}_${suffix}`;
  const sources: Readonly<Record<string, string>> = {
    vpcId: v('VPC_ID'),
    subnetIds: v('SUBNET_IDS'),
    availabilityZones: v('AVAILABILITY_ZONES'),
    allowedSecurityGroupIds: v('CLIENT_SECURITY_GROUP_IDS'),
    allowedCidrBlocks: v('CLIENT_CIDRS'),
    'allowedSecurityGroupIds/allowedCidrBlocks': `${v('CLIENT_SECURITY_GROUP_IDS')}/${v('CLIENT_CIDRS')}`,
    alarmEmail: v('ALARM_EMAILS'),
    alarmTopics: v('ALARM_TOPIC_ARNS'),
  };
  return prop in sources ? sources[prop] : undefined;
}

/** The field of config/environments.ts behind a construct prop of an environment, if one sets it. */
function configSource(environment: string, prop: string): string | undefined {
  const config = (field: string) => `${CONFIG_FILE} ${environment}.${field}`;
  const sources: Readonly<Record<string, string>> = {
    engine: 'engine',
    snapshotRetentionLimitDays: 'snapshotRetentionLimitDays',
    snapshotWindow: 'snapshotWindow',
    maintenanceWindow: 'maintenanceWindow',
    logRetentionInDays: 'logRetentionDays',
    credentialVersion: 'credentialRotation.version',
    credentialUpdateStrategy: 'credentialRotation.step',
    authTokenMigration: 'authTokenMigration',
    authentication: 'authentication',
    snapshotName: 'restoreFromSnapshot',
    engineVersion: 'engineVersion',
    logFormat: 'logFormat',
    applyImmediately: 'applyImmediately',
    clusterMode: 'clusterModeStep',
    configurationEndpointInSecret: 'clusterModeStep',
    movedFromClusterModeDisabled: 'createdInClusterMode',
  };
  if (prop in sources) return config(sources[prop]);
  if (prop.startsWith(`${THRESHOLDS}.`)) return config(`alarms${prop.slice(THRESHOLDS.length)}`);
  return undefined;
}

/**
 * A construct's problem restated under its source, the variable or config field a user sets (`where` names the prop
 * and construct); a prop no user sets is named with where it comes from (`origin`).
 */
function restate(p: Problem, source: string | undefined, construct: string, origin: string): Problem {
  return source
    ? { ...p, field: source, where: `prop ${p.field} of ${construct}` }
    : { ...p, field: `${construct} ${p.field} (from ${origin})` };
}

/** The construct layer of the local stack: LocalRedis's props, restated under the LOCAL_REDIS_* variable behind each. */
function checkLocalProps(settings: LocalSettings): Problem[] {
  const sources: Readonly<Record<string, string>> = {
    engine: LOCAL_ENV.engine,
    port: LOCAL_ENV.port,
    tls: LOCAL_ENV.tls,
    image: LOCAL_ENV.image,
    tlsDir: settings.tlsDir === undefined ? `${LOCAL_ENV.tlsDir} (unset, default ${LOCAL_TLS_DIR_DEFAULT})` : LOCAL_ENV.tlsDir,
  };
  return LocalRedis.validateProps(localRedisProps({}, settings)).map((p) =>
    restate(
      // this project makes the TLS files with its own script
      p.code === TLS_FILES_MISSING ? { ...p, allowed: `${p.allowed} (run scripts/local-tls.sh)` } : p,
      p.field in sources ? sources[p.field] : undefined,
      'local/redis',
      'stacks/local-stack.ts',
    ),
  );
}

/**
 * The construct layer of one environment: the group's and the alarms' props, checked by the constructs (without
 * building them), restated under the variable or config field behind each prop. With `settingsOk` false (a variable of
 * the environment was refused), the props made from its settings prove nothing: only the problems of props that
 * config/environments.ts or the sizing set are kept.
 */
function checkConstructProps(
  key: AwsEnvironmentName,
  env: EnvironmentConfig,
  dep: DeploymentSettings,
  plan: SizingPlan,
  settingsOk: boolean,
): Problem[] {
  // what the stack's lookups resolve to at deploy time: unknown here, as in the stack
  const net = {
    vpcId: dep.vpcId ?? Lazy.stringValue({ produce: () => 'vpc' }),
    vpcCidrBlock: Lazy.stringValue({ produce: () => 'cidr' }),
    subnetIds: dep.subnetIds ?? Lazy.listValue({ produce: () => [] }),
  };
  const built = environmentProps(env, dep, plan, net);
  const g = built.group;
  // the alarms need only what names the nodes: checked beside the group, so one run reports the problems of both
  const replicationGroup = {
    replicationGroupId: g.replicationGroupId.toLowerCase(),
    nodeType: g.nodeType,
    nodes: memberNodes(g.replicationGroupId, plan.shards, plan.replicasPerShard, plan.clusterModeEnabled, {
      firstShardKeepsDisabledIds: g.movedFromClusterModeDisabled === true,
    }),
    alarmTopic: { arn: Lazy.stringValue({ produce: () => 'topic' }) },
  };
  // named by the key the environment is listed under (its `name` may be the mistake)
  const origin = `the sizing of ${CONFIG_FILE} ${key}`;
  const restated = (construct: string) => (p: Problem) => {
    const variable = variableSource(key, p.field);
    if (variable !== undefined && !settingsOk) return [];
    return [restate(p, variable ?? configSource(key, p.field), `${key}/${construct}`, origin)];
  };
  return [
    ...RedisReplicationGroup.validateProps(g).flatMap(restated('cache')),
    ...CacheAlarms.validateProps({ replicationGroup, ...built.alarms }).flatMap(restated('alarms')),
  ];
}

/** A layer's problems, without those about a field an earlier layer already reported. */
function newOnes(problems: readonly Problem[], reported: ReadonlySet<string>): Problem[] {
  return problems.filter((p) => !reported.has(p.field));
}

/**
 * Every problem of every stack: the AWS environments in `environments` with the variables in `env`, and the local
 * stack.
 */
export function preflight(environments: Readonly<Record<AwsEnvironmentName, EnvironmentConfig>>, env: Env): PreflightResult {
  const settings = readSettings(AWS_ENVIRONMENTS, env);
  // listed by stack: the AWS stacks' variables and layers, then the local stack's, then what affects every stack
  const found: Problem[] = [...settings.problemsOf.aws];
  const failed = new Set<string>(settings.failedStacks);
  const reported = () => new Set([...settings.problems, ...found].map((p) => p.field));
  const plans: Partial<Record<AwsEnvironmentName, SizingPlan>> = {};

  for (const name of AWS_ENVIRONMENTS) {
    const cfg = environments[name];
    const own: Problem[] = [...checkEnvironmentConfig(name, cfg)];
    try {
      plans[name] = planSizing(sizingProfileOf(cfg), `${CONFIG_FILE} ${name}`);
    } catch (e) {
      if (!ValidationError.isValidationError(e)) throw e;
      own.push(...e.problems.map((p) => ({ ...p, field: `${CONFIG_FILE} ${name}.${p.field}` })));
    }
    const plan = plans[name];
    if (plan) {
      const constructs = checkConstructProps(name, cfg, settings.deployment[name], plan, !settings.failedStacks.has(name));
      own.push(...newOnes(constructs, new Set([...reported(), ...own.map((p) => p.field)])));
    }
    if (own.length) failed.add(name);
    found.push(...own);
  }
  found.push(...settings.problemsOf.local);
  if (!failed.has('local')) {
    const local = newOnes(checkLocalProps(settings.local), reported());
    if (local.length) failed.add('local');
    found.push(...local);
  }
  found.push(...settings.problemsOf.everyStack);

  return {
    deployment: settings.deployment,
    local: settings.local,
    guardrails: settings.guardrails,
    plans,
    failedStacks: [...AWS_ENVIRONMENTS, 'local'].filter((s) => failed.has(s)),
    found,
    problems: [...new Set(found.map(problemText))],
  };
}
