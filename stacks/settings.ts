/**
 * The account settings of each environment, parsed from environment variables (config/deployment.ts lists them
 * and their defaults). Pure: pass the variables in.
 */
import { DEFAULT_REGION, DEFAULT_SUBNET_TAG, DEFAULT_VPC_TAG_KEY, DEFAULT_ZONE_LETTERS, LOCAL_STATE_DIR } from '../config/deployment';
import { Problems } from '../constructs/validation';

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
  /** HTTPS endpoints that receive the alarms, e.g. a paging tool's webhook (CACHE_<ENV>_ALARM_HTTPS_ENDPOINTS). */
  readonly alarmHttpsEndpoints: string[];
  /** Existing SNS topics (chat or paging integrations) the alarms notify directly (CACHE_<ENV>_ALARM_TOPIC_ARNS). */
  readonly alarmTopicArns: string[];
}

type Env = Record<string, string | undefined>;

function list(value: string | undefined): string[] | undefined {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : undefined;
}

function tag(value: string | undefined, fallback: TagFilter, variable: string, problems: Problems): TagFilter {
  if (!value) return fallback;
  const m = /^([^=]+)=(.*)$/.exec(value);
  if (!m) {
    problems.check(false, variable, '"Key=Value"', value);
    return fallback;
  }
  return { key: m[1].trim(), value: m[2].trim() };
}

/** Deployment settings of one environment from environment variables (pure: pass the variables in). */
export function deploymentSettings(environment: string, env: Env = process.env): DeploymentSettings {
  const p = `CACHE_${environment.toUpperCase()}_`;
  const region = env.AWS_REGION || DEFAULT_REGION;
  const problems = new Problems('environment variables');
  const settings: DeploymentSettings = {
    region,
    stateBucket: env.CACHE_STATE_BUCKET || undefined,
    stateRegion: env.CACHE_STATE_REGION || region,
    stateLockTable: env.CACHE_STATE_LOCK_TABLE || undefined,
    vpcId: env[`${p}VPC_ID`] || undefined,
    vpcTag: tag(env[`${p}VPC_TAG`], { key: DEFAULT_VPC_TAG_KEY, value: environment }, `${p}VPC_TAG`, problems),
    subnetIds: list(env[`${p}SUBNET_IDS`]),
    subnetTag: tag(env[`${p}SUBNET_TAG`], { ...DEFAULT_SUBNET_TAG }, `${p}SUBNET_TAG`, problems),
    availabilityZones: list(env[`${p}AVAILABILITY_ZONES`]) ?? DEFAULT_ZONE_LETTERS.map((z) => `${region}${z}`),
    clientSecurityGroupIds: list(env[`${p}CLIENT_SECURITY_GROUP_IDS`]) ?? [],
    clientCidrs: list(env[`${p}CLIENT_CIDRS`]) ?? [],
    alarmEmails: [...(list(env[`${p}ALARM_EMAIL`]) ?? []), ...(list(env[`${p}ALARM_EMAILS`]) ?? [])],
    alarmHttpsEndpoints: list(env[`${p}ALARM_HTTPS_ENDPOINTS`]) ?? [],
    alarmTopicArns: list(env[`${p}ALARM_TOPIC_ARNS`]) ?? [],
  };
  problems.throwIfAny();
  return settings;
}
