/**
 * Account-specific values, read from environment variables so that the same code deploys to any account.
 * Every variable has a default that lets `npm run synth` work anywhere (no AWS access is needed to synthesize).
 *
 * | variable                               | meaning                                              | default                          |
 * |----------------------------------------|------------------------------------------------------|----------------------------------|
 * | AWS_REGION                             | region of every stack                                | us-east-1                        |
 * | CACHE_STATE_BUCKET                     | S3 bucket for remote state (locking: S3 lock file)   | unset: local state file          |
 * | CACHE_STATE_REGION                     | region of the state bucket                           | AWS_REGION                       |
 * | CACHE_STATE_LOCK_TABLE                 | DynamoDB lock table, for Terraform < 1.10            | unset: S3 native lock file       |
 * | CACHE_<ENV>_VPC_ID                     | VPC id                                               | looked up by tag                 |
 * | CACHE_<ENV>_VPC_TAG                    | `Key=Value` tag of the VPC to look up                | Environment=<env>                |
 * | CACHE_<ENV>_SUBNET_IDS                 | comma-separated private subnet ids                   | looked up by tag in the VPC      |
 * | CACHE_<ENV>_SUBNET_TAG                 | `Key=Value` tag of the private subnets               | Tier=private                     |
 * | CACHE_<ENV>_AVAILABILITY_ZONES         | comma-separated zones for the nodes                  | <region>a,<region>b,<region>c    |
 * | CACHE_<ENV>_CLIENT_SECURITY_GROUP_IDS  | comma-separated security groups of the clients       | none                             |
 * | CACHE_<ENV>_CLIENT_CIDRS               | comma-separated private client ranges                | the VPC's CIDR block (if no SGs) |
 * | CACHE_<ENV>_ALARM_EMAIL                | e-mail subscribed to the alarm topic                 | none                             |
 *
 * <ENV> is the environment name in upper case: PILOT, STAGING, PRODUCTION.
 */

export const DEFAULT_REGION = 'us-east-1';

/**
 * State file of a stack without remote state. Terraform runs in cdktf.out/stacks/<stack>, so this is the project
 * root's terraform.<stack>.tfstate (git-ignored, and kept when cdktf.out is deleted). Relative, so the synthesized
 * JSON is the same on every machine.
 */
export function localStatePath(stack: string): string {
  return `../../../terraform.${stack}.tfstate`;
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
  readonly alarmEmail?: string;
}

type Env = Record<string, string | undefined>;

function list(value: string | undefined): string[] | undefined {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

function tag(value: string | undefined, fallback: TagFilter, variable: string): TagFilter {
  if (!value) return fallback;
  const m = /^([^=]+)=(.*)$/.exec(value);
  if (!m) throw new Error(`${variable}: "Key=Value", got ${JSON.stringify(value)}`);
  return { key: m[1].trim(), value: m[2].trim() };
}

/** Deployment settings of one environment from environment variables (pure: pass the variables in). */
export function deploymentSettings(environment: string, env: Env = process.env): DeploymentSettings {
  const p = `CACHE_${environment.toUpperCase()}_`;
  const region = env.AWS_REGION || DEFAULT_REGION;
  return {
    region,
    stateBucket: env.CACHE_STATE_BUCKET || undefined,
    stateRegion: env.CACHE_STATE_REGION || region,
    stateLockTable: env.CACHE_STATE_LOCK_TABLE || undefined,
    vpcId: env[`${p}VPC_ID`] || undefined,
    vpcTag: tag(env[`${p}VPC_TAG`], { key: 'Environment', value: environment }, `${p}VPC_TAG`),
    subnetIds: list(env[`${p}SUBNET_IDS`]),
    subnetTag: tag(env[`${p}SUBNET_TAG`], { key: 'Tier', value: 'private' }, `${p}SUBNET_TAG`),
    availabilityZones: list(env[`${p}AVAILABILITY_ZONES`]) ?? ['a', 'b', 'c'].map((z) => `${region}${z}`),
    clientSecurityGroupIds: list(env[`${p}CLIENT_SECURITY_GROUP_IDS`]) ?? [],
    clientCidrs: list(env[`${p}CLIENT_CIDRS`]) ?? [],
    alarmEmail: env[`${p}ALARM_EMAIL`] || undefined,
  };
}
