/**
 * Account-specific settings: which environment variables set them and their defaults. The parser
 * (stacks/settings.ts) reads and validates them; every variable has a default that lets `npm run synth` work
 * anywhere (no AWS access is needed to synthesize).
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
 * | CACHE_<ENV>_ALARM_EMAILS               | comma-separated e-mails subscribed to the alarms     | none (ALARM_EMAIL: one address)  |
 * | CACHE_<ENV>_ALARM_HTTPS_ENDPOINTS      | comma-separated HTTPS endpoints (paging webhooks)    | none                             |
 * | CACHE_<ENV>_ALARM_TOPIC_ARNS           | comma-separated existing SNS topics alarms notify    | none                             |
 *
 * <ENV> is the environment name in upper case: PILOT, STAGING, PRODUCTION.
 */

export const DEFAULT_REGION = 'us-east-1';

/** Tag the VPC is looked up by when CACHE_<ENV>_VPC_ID is unset: `Environment=<env>` (the value is the environment). */
export const DEFAULT_VPC_TAG_KEY = 'Environment';

/** Tag the private subnets are looked up by when CACHE_<ENV>_SUBNET_IDS is unset. */
export const DEFAULT_SUBNET_TAG = { key: 'Tier', value: 'private' } as const;

/** Zone letters the nodes are placed in when CACHE_<ENV>_AVAILABILITY_ZONES is unset: `<region>a`, `<region>b`, `<region>c`. */
export const DEFAULT_ZONE_LETTERS = ['a', 'b', 'c'] as const;

/**
 * Directory of the state file of a stack without remote state, relative to the stack's working directory
 * (cdktf.out/stacks/<stack>): the project root, so the state is `terraform.<stack>.tfstate` there (git-ignored, and
 * kept when cdktf.out is deleted). Relative, so the synthesized JSON is the same on every machine.
 */
export const LOCAL_STATE_DIR = '../../..';
