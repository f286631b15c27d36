/**
 * Settings from environment variables, parsed and validated where they are read: the account settings of each AWS
 * environment (config/deployment.ts lists the variables, their defaults and their forms), the local stack's
 * LOCAL_REDIS_* choices (config/local.ts LOCAL_ENV) and CACHE_GUARDRAILS. The one place the environment is read: the
 * synth app (./synthesize.ts) passes its variables in, and nothing else reads them.
 *
 * Every problem is structured (the library's Problem: variable, allowed form, value given, the stacks it affects) and
 * goes to the one collector of the run, so a run reports them all together; the stacks they affect are known without
 * reading a message.
 */
import { AWS_REGIONS, AwsRegion, REGION_NAME_PATTERN } from '../config/aws-regions';
import {
  DEFAULT_REGION,
  DEFAULT_SUBNET_TAG,
  DEFAULT_VPC_TAG_KEY,
  DYNAMODB_TABLE_NAME,
  GUARDRAILS_MODES,
  GUARDRAILS_MODE_VARIABLE,
  LOCAL_STATE_DIR,
  S3_BUCKET_NAME,
  SNS_TOPIC_NAME,
  TAG_LIMITS,
} from '../config/deployment';
import { LOCAL_ENV, PASSWORD_ENV } from '../config/local';
import { LOCAL_CLUSTER_ENV } from '../config/local-cluster';
import {
  EMAIL_PATTERN,
  ENGINES,
  Engine,
  GuardrailsMode,
  IAM_ROLE_NAME,
  Problem,
  Problems,
  cidrProblem,
  describe,
  isAwsId,
  literalProblem,
} from '../constructs';
import {
  DOCKER_IMAGE_REFERENCE,
  DOCKER_IMAGE_REFERENCE_FORM,
  LOCAL_CLUSTER,
  LOCAL_CLUSTER_MAX_FIRST_PORT,
  LOCAL_CLUSTER_NODES,
  PASSWORD_RULE,
  passwordProblem,
} from '../constructs/local';

/** State file of a stack without remote state: the project root's terraform.<stack>.tfstate. */
export function localStatePath(stack: string): string {
  return `${LOCAL_STATE_DIR}/terraform.${stack}.tfstate`;
}

export interface TagFilter {
  readonly key: string;
  readonly value: string;
}

export interface DeploymentSettings {
  readonly region: string;
  /** The region came from AWS_REGION (false: the default, DEFAULT_REGION). */
  readonly regionFromEnvironment: boolean;
  readonly stateBucket?: string;
  readonly stateRegion: string;
  readonly stateLockTable?: string;
  readonly vpcId?: string;
  readonly vpcTag: TagFilter;
  readonly subnetIds?: string[];
  readonly subnetTag: TagFilter;
  readonly availabilityZones: string[];
  readonly clientSecurityGroupIds: string[];
  /** Empty means: the VPC's own CIDR block, when no client security group is named either. */
  readonly clientCidrs: string[];
  /** E-mail addresses that receive the alarms (CACHE_<ENV>_ALARM_EMAILS, comma-separated; CACHE_<ENV>_ALARM_EMAIL too). */
  readonly alarmEmails: string[];
  /** HTTPS endpoints whose owner confirms the subscription (CACHE_<ENV>_ALARM_HTTPS_ENDPOINTS). */
  readonly alarmHttpsEndpoints: string[];
  /** HTTPS endpoints that confirm themselves, e.g. PagerDuty's (CACHE_<ENV>_ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM). */
  readonly alarmHttpsEndpointsAutoConfirm: string[];
  /** Existing SNS topics (chat or paging integrations) the alarms notify directly (CACHE_<ENV>_ALARM_TOPIC_ARNS). */
  readonly alarmTopicArns: string[];
  /** IAM roles (names) that may read the credentials secret (CACHE_<ENV>_CREDENTIAL_READER_ROLES). */
  readonly credentialReaderRoles: string[];
}

/** The local stack's choices from LOCAL_REDIS_* (unset: the LocalRedis construct's defaults). */
export interface LocalSettings {
  readonly engine?: Engine;
  readonly port?: number;
  readonly tls?: boolean;
  /** Only when `tls` is true (the directory variable may stay set while TLS is switched off). */
  readonly tlsDir?: string;
  /** A local Redis Cluster beside the single Redis (LOCAL_REDIS_CLUSTER=1). */
  readonly cluster?: boolean;
  /** Host port of the cluster's first node (LOCAL_REDIS_CLUSTER_PORT). */
  readonly clusterPort?: number;
  /** The image instead of the engine's (LOCAL_REDIS_IMAGE; `deploy:local --image-from-host` sets it). */
  readonly image?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Variables every AWS stack shares. */
export const SHARED_VARIABLES = ['AWS_REGION', 'CACHE_STATE_BUCKET', 'CACHE_STATE_REGION', 'CACHE_STATE_LOCK_TABLE'] as const;

/** Per-environment variables: CACHE_<ENV>_<suffix>. */
export const ENVIRONMENT_VARIABLE_SUFFIXES = [
  'VPC_ID',
  'VPC_TAG',
  'SUBNET_IDS',
  'SUBNET_TAG',
  'AVAILABILITY_ZONES',
  'CLIENT_SECURITY_GROUP_IDS',
  'CLIENT_CIDRS',
  'ALARM_EMAIL',
  'ALARM_EMAILS',
  'ALARM_HTTPS_ENDPOINTS',
  'ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM',
  'ALARM_TOPIC_ARNS',
  'CREDENTIAL_READER_ROLES',
] as const;

/** Other CACHE_* variables this project reads (config/deployment.ts). */
const OTHER_CACHE_VARIABLES = [GUARDRAILS_MODE_VARIABLE];

/** The one problem collector of a run, and the stacks its problems affect. */
interface Run {
  readonly problems: Problems;
  readonly failed: Set<string>;
}

const newRun = (): Run => ({ problems: new Problems('environment variables'), failed: new Set<string>() });

/** Reading variables that affect some stacks: each problem goes to the run's collector, naming those stacks. */
interface VariableReader {
  /** Records "variable: allowed, got value (why) (stacks)" unless `ok`; `why` says what is wrong when the form does not. */
  check(ok: boolean, variable: string, allowed: string, got: unknown, why?: string): boolean;
  /** As `check`, with the value already described (`shown`) because it must not be echoed as given. */
  checkShown(ok: boolean, variable: string, allowed: string, shown: string): boolean;
  /**
   * The trimmed value of a variable; undefined when it is unset or empty, and when it cannot be a literal in the
   * synthesized JSON (a template sequence, a control character; with `insideExpression` also `"` and `\`), which
   * is recorded as its one problem. Every variable is read through here, so none reaches the JSON as an expression.
   */
  read(env: Env, name: string, opts?: { insideExpression?: boolean; show?: (value: string) => string }): string | undefined;
  missing(variable: string, allowed: string): void;
}

function readerFor(run: Run, stacks: readonly string[], where: string = stacksLabel(stacks)): VariableReader {
  const record = (ok: boolean) => {
    if (!ok) for (const s of stacks) run.failed.add(s);
    return ok;
  };
  return {
    check: (ok, variable, allowed, got, why) => record(run.problems.check(ok, variable, allowed, got, { why, where })),
    checkShown: (ok, variable, allowed, shown) => record(run.problems.check(ok, variable, allowed, shown, { where, shown: true })),
    read(env, name, opts = {}) {
      const value = env[name]?.trim();
      if (!value) return undefined;
      const why = literalProblem(value, opts.insideExpression);
      if (why === undefined) return value;
      record(run.problems.check(false, name, why, (opts.show ?? describe)(value), { where, shown: true }));
      return undefined;
    },
    missing(variable, allowed) {
      run.problems.add({ field: variable, allowed, where });
      record(false);
    },
  };
}

const stacksLabel = (names: readonly string[]) => (names.length === 1 ? `stack ${names[0]}` : `stacks ${names.join(', ')}`);

/** Whether a variable is set to something (even a refused value). */
const isSet = (env: Env, name: string) => Boolean(env[name]?.trim());

function list(value: string | undefined): string[] | undefined {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

function checkRegion(p: VariableReader, variable: string, value: string): AwsRegion | undefined {
  const region = Object.prototype.hasOwnProperty.call(AWS_REGIONS, value) ? AWS_REGIONS[value] : undefined;
  p.check(
    region !== undefined,
    variable,
    REGION_NAME_PATTERN.test(value)
      ? 'a region listed in config/aws-regions.ts (this one is shaped like a region name but is not listed; if AWS has opened it, add it there)'
      : 'an AWS region name such as us-east-1 or eu-west-1 (config/aws-regions.ts lists them)',
    value,
  );
  return region;
}

function checkBucket(p: VariableReader, variable: string, name: string): void {
  const r = S3_BUCKET_NAME;
  const ok =
    r.pattern.test(name) &&
    !name.includes('..') &&
    !r.ipAddress.test(name) &&
    !r.reservedPrefixes.some((x) => name.startsWith(x)) &&
    !r.reservedSuffixes.some((x) => name.endsWith(x));
  p.check(ok, variable, `an S3 bucket name (${r.form}, no prefix ${r.reservedPrefixes.join('/')})`, name);
}

function tag(p: VariableReader, variable: string, value: string | undefined, fallback: TagFilter): TagFilter {
  if (value === undefined) return fallback;
  const m = /^([^=]+)=(.*)$/.exec(value);
  const key = m?.[1].trim() ?? '';
  const tagValue = m?.[2].trim() ?? '';
  const ok =
    p.check(m !== null && key.length >= 1, variable, '"Key=Value"', value) &&
    p.check(
      key.length <= TAG_LIMITS.keyMaxLength && tagValue.length <= TAG_LIMITS.valueMaxLength,
      variable,
      `a tag key of at most ${TAG_LIMITS.keyMaxLength} characters and a value of at most ${TAG_LIMITS.valueMaxLength}`,
      value,
    );
  return ok ? { key, value: tagValue } : fallback;
}

function ids(
  p: VariableReader,
  variable: string,
  values: readonly string[] | undefined,
  prefix: 'vpc' | 'subnet' | 'sg',
  what: string,
): void {
  for (const v of values ?? []) p.check(isAwsId(prefix, v), variable, `${what} ("${prefix}-" and 8 or 17 lower-case hex digits)`, v);
}

function isHttpsEndpoint(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.hostname.length > 0 && url.username === '' && url.password === '' && !/\s/.test(value);
}

/**
 * A refused endpoint as a message shows it: scheme and host only. Its user:password and its path (paging tools put
 * their integration key there) are secrets and are described, not shown.
 */
function shownEndpoint(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url?.host) return `a value of ${Array.from(value).length} characters that is not a URL (not shown: it may hold a credential)`;
  const hidden = [url.username || url.password ? 'user:password' : '', url.pathname !== '/' || url.search ? 'path' : '']
    .filter(Boolean)
    .join(' and ');
  return `${JSON.stringify(`${url.protocol}//${url.host}`)}${hidden ? ` (${hidden} not shown)` : ''}`;
}

const TOPIC_ARN = /^arn:([a-z-]+):sns:([a-z0-9-]+):(\d{12}):(.+)$/;

function checkTopicArn(p: VariableReader, variable: string, arn: string, region: string, regionInfo: AwsRegion | undefined): void {
  const m = TOPIC_ARN.exec(arn);
  const partition = regionInfo?.partition ?? 'aws';
  p.check(
    m !== null && SNS_TOPIC_NAME.test(m[4]) && m[2] === region && m[1] === partition,
    variable,
    `SNS topic ARNs in the stacks' region, arn:${partition}:sns:${region}:<12-digit account>:<topic name> (CloudWatch alarms notify topics in their own region)`,
    arn,
  );
}

interface Shared {
  region: string;
  regionFromEnvironment: boolean;
  regionInfo?: AwsRegion;
  stateBucket?: string;
  stateRegion: string;
  stateLockTable?: string;
}

function parseShared(env: Env, p: VariableReader): Shared {
  const regionSet = p.read(env, 'AWS_REGION');
  const region = regionSet ?? DEFAULT_REGION;
  const regionInfo = isSet(env, 'AWS_REGION') && regionSet === undefined ? undefined : checkRegion(p, 'AWS_REGION', region);
  const stateBucket = p.read(env, 'CACHE_STATE_BUCKET');
  const stateRegionSet = p.read(env, 'CACHE_STATE_REGION');
  const stateLockTable = p.read(env, 'CACHE_STATE_LOCK_TABLE');
  const bucketSet = isSet(env, 'CACHE_STATE_BUCKET');
  if (stateBucket !== undefined) checkBucket(p, 'CACHE_STATE_BUCKET', stateBucket);
  if (stateRegionSet !== undefined) {
    checkRegion(p, 'CACHE_STATE_REGION', stateRegionSet);
    p.check(bucketSet, 'CACHE_STATE_REGION', 'set only together with CACHE_STATE_BUCKET', stateRegionSet);
  }
  if (stateLockTable !== undefined) {
    p.check(
      DYNAMODB_TABLE_NAME.test(stateLockTable),
      'CACHE_STATE_LOCK_TABLE',
      'a DynamoDB table name (3–255 of a-z A-Z 0-9 _ - .)',
      stateLockTable,
    );
    p.check(bucketSet, 'CACHE_STATE_LOCK_TABLE', 'set only together with CACHE_STATE_BUCKET', stateLockTable);
  }
  return {
    region,
    regionFromEnvironment: regionSet !== undefined,
    regionInfo,
    stateBucket,
    stateRegion: stateRegionSet ?? region,
    stateLockTable,
  };
}

function parseEnvironment(environment: string, shared: Shared, env: Env, p: VariableReader): DeploymentSettings {
  const prefix = `CACHE_${environment.toUpperCase()}_`;
  const read = new Map<string, string | undefined>();
  const v = (suffix: (typeof ENVIRONMENT_VARIABLE_SUFFIXES)[number]) => {
    const name = `${prefix}${suffix}`;
    // each variable read (and refused) once; endpoints may hold a credential, so a refused one is not shown
    const show =
      suffix === 'ALARM_HTTPS_ENDPOINTS' || suffix === 'ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM'
        ? (x: string) => `a value of ${Array.from(x).length} characters (not shown: it may hold a credential)`
        : undefined;
    if (!read.has(name)) read.set(name, p.read(env, name, { show }));
    return { name, value: read.get(name) };
  };
  const { region, regionInfo } = shared;

  const vpcId = v('VPC_ID');
  if (vpcId.value !== undefined) ids(p, vpcId.name, [vpcId.value], 'vpc', 'a VPC id');
  const subnets = v('SUBNET_IDS');
  const subnetIds = list(subnets.value);
  ids(p, subnets.name, subnetIds, 'subnet', 'subnet ids');
  const sgs = v('CLIENT_SECURITY_GROUP_IDS');
  const clientSecurityGroupIds = list(sgs.value) ?? [];
  ids(p, sgs.name, clientSecurityGroupIds, 'sg', 'security group ids');
  const cidrs = v('CLIENT_CIDRS');
  const clientCidrs = list(cidrs.value) ?? [];
  for (const c of clientCidrs) {
    const why = cidrProblem(c);
    p.check(
      why === undefined,
      cidrs.name,
      'private IPv4 networks in CIDR form (within 10/8, 172.16/12, 192.168/16 or 100.64/10; no host bits, no leading zeros)',
      c,
      why,
    );
  }

  // zones: `<region><letter>` with a letter the region has; unset: the region's default zones
  const zonesVar = v('AVAILABILITY_ZONES');
  const givenZones = list(zonesVar.value);
  let availabilityZones: string[];
  if (givenZones) {
    availabilityZones = givenZones;
    const letters = regionInfo?.zones;
    for (const z of givenZones) {
      // without a known region, a zone still has to be AWS_REGION and one letter
      const ok = z.length === region.length + 1 && z.startsWith(region) && (letters ? letters.includes(z.slice(-1)) : /[a-z]$/.test(z));
      p.check(
        ok,
        zonesVar.name,
        letters ? `zones of ${region}: ${letters.map((l) => `${region}${l}`).join(', ')}` : `zones of AWS_REGION ("${region}<letter>")`,
        z,
      );
    }
    p.check(new Set(givenZones).size === givenZones.length, zonesVar.name, 'distinct zones', givenZones);
  } else {
    const defaults = regionInfo?.defaultZones ?? [];
    availabilityZones = defaults.map((l) => `${region}${l}`);
    if (regionInfo && !defaults.length) {
      p.missing(
        zonesVar.name,
        `required in ${region}, where the zone names differ per account (aws ec2 describe-availability-zones --region ${region} lists yours)`,
      );
    }
  }

  const emails: string[] = [];
  for (const variable of [v('ALARM_EMAIL'), v('ALARM_EMAILS')]) {
    for (const e of list(variable.value) ?? []) {
      p.check(EMAIL_PATTERN.test(e), variable.name, 'e-mail addresses (name@example.com)', e);
      emails.push(e);
    }
  }
  const httpsEndpoints = (suffix: 'ALARM_HTTPS_ENDPOINTS' | 'ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM'): string[] => {
    const variable = v(suffix);
    const urls = list(variable.value) ?? [];
    for (const e of urls) {
      p.checkShown(
        isHttpsEndpoint(e),
        variable.name,
        'https:// URLs without user:password (a credential in the URL would be stored in the JSON and the state)',
        shownEndpoint(e),
      );
    }
    return [...new Set(urls)];
  };
  const alarmHttpsEndpoints = httpsEndpoints('ALARM_HTTPS_ENDPOINTS');
  const alarmHttpsEndpointsAutoConfirm = httpsEndpoints('ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM');
  for (const e of alarmHttpsEndpointsAutoConfirm.filter((x) => alarmHttpsEndpoints.includes(x))) {
    p.checkShown(
      false,
      `${prefix}ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM`,
      `endpoints not also in ${prefix}ALARM_HTTPS_ENDPOINTS (name each once)`,
      shownEndpoint(e),
    );
  }
  const topics = v('ALARM_TOPIC_ARNS');
  const alarmTopicArns = list(topics.value) ?? [];
  for (const t of alarmTopicArns) checkTopicArn(p, topics.name, t, region, regionInfo);
  const readers = v('CREDENTIAL_READER_ROLES');
  const credentialReaderRoles = [...new Set(list(readers.value) ?? [])];
  for (const r of credentialReaderRoles) {
    p.check(IAM_ROLE_NAME.test(r), readers.name, 'IAM role names (1-64 of letters, digits and + = , . @ _ -), not ARNs', r);
  }

  return {
    region,
    regionFromEnvironment: shared.regionFromEnvironment,
    stateBucket: shared.stateBucket,
    stateRegion: shared.stateRegion,
    stateLockTable: shared.stateLockTable,
    vpcId: vpcId.value,
    vpcTag: tag(p, v('VPC_TAG').name, v('VPC_TAG').value, { key: DEFAULT_VPC_TAG_KEY, value: environment }),
    subnetIds,
    subnetTag: tag(p, v('SUBNET_TAG').name, v('SUBNET_TAG').value, { ...DEFAULT_SUBNET_TAG }),
    availabilityZones,
    clientSecurityGroupIds,
    clientCidrs,
    alarmEmails: [...new Set(emails)],
    alarmHttpsEndpoints,
    alarmHttpsEndpointsAutoConfirm,
    alarmTopicArns: [...new Set(alarmTopicArns)],
    credentialReaderRoles,
  };
}

/** CACHE_* variables that no stack reads: a typo in the environment name or the suffix. */
function unknownCacheVariables(environments: readonly string[], env: Env, p: VariableReader): void {
  const known = new Set<string>([
    ...SHARED_VARIABLES,
    ...OTHER_CACHE_VARIABLES,
    ...environments.flatMap((e) => ENVIRONMENT_VARIABLE_SUFFIXES.map((s) => `CACHE_${e.toUpperCase()}_${s}`)),
  ]);
  const prefixes = ['CACHE_STATE_', ...environments.map((e) => `CACHE_${e.toUpperCase()}_`)];
  for (const name of Object.keys(env).sort()) {
    if (known.has(name) || !name.startsWith('CACHE_')) continue;
    const ownPrefix = prefixes.some((x) => name.startsWith(x));
    const ownSuffix = ENVIRONMENT_VARIABLE_SUFFIXES.some((s) => name.endsWith(`_${s}`));
    if (!ownPrefix && !ownSuffix) continue; // someone else's CACHE_* variable
    p.check(
      false,
      name,
      ownPrefix
        ? 'a variable this project reads (config/deployment.ts lists them)'
        : `a variable of a known environment (${environments.map((e) => `CACHE_${e.toUpperCase()}_…`).join(', ')})`,
      env[name],
    );
  }
}

/** Every setting of a run and every problem with them, each once, with the stacks that cannot be built (throws nothing). */
export interface Settings {
  /** Each AWS environment's settings (as parsed, even where a problem was found). */
  readonly deployment: Readonly<Record<string, DeploymentSettings>>;
  readonly local: LocalSettings;
  /** CACHE_GUARDRAILS: `warn` prints guardrail violations instead of stopping. */
  readonly guardrails: GuardrailsMode;
  /** Every problem, in the order read: the AWS stacks' variables, the local stack's, then CACHE_GUARDRAILS. */
  readonly problems: readonly Problem[];
  /** The same problems by what they are about. */
  readonly problemsOf: { readonly aws: readonly Problem[]; readonly local: readonly Problem[]; readonly everyStack: readonly Problem[] };
  /** Stacks with a problem in their variables. */
  readonly failedStacks: ReadonlySet<string>;
}

/** Every variable of a run: the AWS environments', the local stack's and CACHE_GUARDRAILS, into one collector. */
export function readSettings(environments: readonly string[], env: Env): Settings {
  const run = newRun();
  const { settings } = deploymentSettingsOf(run, environments, env);
  const aws = run.problems.list.length;
  const local = localSettingsOf(run, env);
  const localEnd = run.problems.list.length;
  const guardrails = guardrailsModeOf(run, env);
  const all = run.problems.list;
  return {
    deployment: settings,
    local,
    guardrails,
    problems: all,
    problemsOf: { aws: all.slice(0, aws), local: all.slice(aws, localEnd), everyStack: all.slice(localEnd) },
    failedStacks: run.failed,
  };
}

function deploymentSettingsOf(run: Run, environments: readonly string[], env: Env): { settings: Record<string, DeploymentSettings> } {
  const sharedReader = readerFor(run, environments);
  const shared = parseShared(env, sharedReader);
  unknownCacheVariables(environments, env, sharedReader);
  const settings: Record<string, DeploymentSettings> = {};
  for (const e of environments) settings[e] = parseEnvironment(e, shared, env, readerFor(run, [e]));
  return { settings };
}

/** The settings of every AWS environment, and every problem with them, each once (throws nothing). */
export function parseDeploymentSettings(
  environments: readonly string[],
  env: Env,
): { settings: Record<string, DeploymentSettings>; problems: readonly Problem[] } {
  const run = newRun();
  return { ...deploymentSettingsOf(run, environments, env), problems: run.problems.list };
}

/** Deployment settings of one environment; throws one ValidationError listing every problem of its variables. */
export function deploymentSettings(environment: string, env: Env): DeploymentSettings {
  const run = newRun();
  const p = readerFor(run, [environment]);
  const settings = parseEnvironment(environment, parseShared(env, p), env, p);
  run.problems.throwIfAny();
  return settings;
}

function localSettingsOf(run: Run, env: Env): LocalSettings {
  const p = readerFor(run, ['local']);
  const engine = p.read(env, LOCAL_ENV.engine);
  const port = p.read(env, LOCAL_ENV.port);
  const tls = p.read(env, LOCAL_ENV.tls);
  const image = p.read(env, LOCAL_ENV.image);
  if (engine !== undefined)
    p.check((ENGINES as readonly string[]).includes(engine), LOCAL_ENV.engine, `one of ${ENGINES.join(', ')}`, engine);
  if (port !== undefined) {
    p.check(
      /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535,
      LOCAL_ENV.port,
      'a decimal port number from 1 to 65535',
      port,
    );
  }
  if (tls !== undefined) p.check(tls === '0' || tls === '1', LOCAL_ENV.tls, '0 or 1', tls);
  const tlsOn = tls === '1' ? true : tls === '0' ? false : undefined;
  const cluster = p.read(env, LOCAL_CLUSTER_ENV.cluster);
  const clusterPort = p.read(env, LOCAL_CLUSTER_ENV.firstPort);
  if (cluster !== undefined) p.check(cluster === '0' || cluster === '1', LOCAL_CLUSTER_ENV.cluster, '0 or 1', cluster);
  const clusterPortOk =
    clusterPort !== undefined &&
    /^\d{1,5}$/.test(clusterPort) &&
    Number(clusterPort) >= 1 &&
    Number(clusterPort) <= LOCAL_CLUSTER_MAX_FIRST_PORT;
  if (clusterPort !== undefined) {
    p.check(
      clusterPortOk,
      LOCAL_CLUSTER_ENV.firstPort,
      `a decimal port number from 1 to ${LOCAL_CLUSTER_MAX_FIRST_PORT} (the ${LOCAL_CLUSTER_NODES} nodes use it and the next ports, their cluster bus each port + ${LOCAL_CLUSTER.busPortOffset})`,
      clusterPort,
    );
  }
  // the directory is read only when TLS is on (it may stay set while TLS is off); it is placed inside a Terraform
  // expression (filesha256("<path>")), so " and \ are refused too
  const tlsDir = tlsOn ? p.read(env, LOCAL_ENV.tlsDir, { insideExpression: true }) : undefined;
  if (image !== undefined) p.check(DOCKER_IMAGE_REFERENCE.test(image), LOCAL_ENV.image, DOCKER_IMAGE_REFERENCE_FORM, image);
  // Terraform reads the chosen password; checked here too, so `cdktf deploy local` stops at synth with a message that
  // describes the password without showing it
  const password = env[PASSWORD_ENV];
  if (password !== undefined && password !== '') {
    const why = passwordProblem(password);
    p.checkShown(why === undefined, PASSWORD_ENV, PASSWORD_RULE, why ?? '');
  }
  const settings: LocalSettings = {
    ...(engine !== undefined && (ENGINES as readonly string[]).includes(engine) ? { engine: engine as Engine } : {}),
    ...(port !== undefined && /^\d{1,5}$/.test(port) ? { port: Number(port) } : {}),
    ...(tlsOn === undefined ? {} : { tls: tlsOn }),
    ...(tlsOn && tlsDir !== undefined ? { tlsDir } : {}),
    ...(cluster === '1' ? { cluster: true } : cluster === '0' ? { cluster: false } : {}),
    ...(clusterPortOk ? { clusterPort: Number(clusterPort) } : {}),
    ...(image !== undefined && DOCKER_IMAGE_REFERENCE.test(image) ? { image } : {}),
  };
  return settings;
}

/** The local stack's LOCAL_REDIS_* choices, and every problem with them (throws nothing). */
export function parseLocalSettings(env: Env): { settings: LocalSettings; problems: readonly Problem[] } {
  const run = newRun();
  return { settings: localSettingsOf(run, env), problems: run.problems.list };
}

/** The local stack's choices; throws one ValidationError listing every problem of the LOCAL_REDIS_* variables. */
export function localSettings(env: Env): LocalSettings {
  const run = newRun();
  const settings = localSettingsOf(run, env);
  run.problems.throwIfAny();
  return settings;
}

/** CACHE_GUARDRAILS: `enforce` (unset) or `warn`; a problem affects every stack. */
function guardrailsModeOf(run: Run, env: Env): GuardrailsMode {
  const v = env[GUARDRAILS_MODE_VARIABLE];
  if (v === undefined || v === '') return 'enforce';
  const p = readerFor(run, [], 'every stack');
  return p.check((GUARDRAILS_MODES as readonly string[]).includes(v), GUARDRAILS_MODE_VARIABLE, GUARDRAILS_MODES.join(' or '), v)
    ? (v as GuardrailsMode)
    : 'enforce';
}
