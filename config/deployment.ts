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
 * | CACHE_<ENV>_AVAILABILITY_ZONES         | comma-separated zones for the nodes                  | the region's defaultZones        |
 * | CACHE_<ENV>_CLIENT_SECURITY_GROUP_IDS  | comma-separated security groups of the clients       | none                             |
 * | CACHE_<ENV>_CLIENT_CIDRS               | comma-separated private client ranges                | the VPC's CIDR block (if no SGs) |
 * | CACHE_<ENV>_ALARM_EMAILS               | comma-separated e-mails subscribed to the alarms     | none (ALARM_EMAIL: one address)  |
 * | CACHE_<ENV>_ALARM_HTTPS_ENDPOINTS      | comma-separated HTTPS endpoints; their owner confirms | none                            |
 * | CACHE_<ENV>_ALARM_HTTPS_ENDPOINTS_AUTO_CONFIRM | HTTPS endpoints that confirm themselves (PagerDuty); the apply waits for them | none |
 * | CACHE_<ENV>_ALARM_TOPIC_ARNS           | comma-separated existing SNS topics alarms notify    | none                             |
 * | CACHE_<ENV>_CREDENTIAL_READER_ROLES    | comma-separated IAM role names that may read the credentials secret (and decrypt it) | none |
 * | CACHE_GUARDRAILS                       | `warn`: guardrail violations are printed as warnings | enforce                          |
 *
 * <ENV> is the environment name in upper case: PILOT, STAGING, PRODUCTION. The local stack's LOCAL_REDIS_* variables
 * are listed in ./local.ts (LOCAL_ENV).
 *
 * Each value is checked against its real form (stacks/settings.ts, one message per problem naming the variable, the
 * environments it affects, the form below and the value given):
 * - regions: a name in ./aws-regions.ts; zones: `<region><letter>` with a letter the region has;
 * - CACHE_STATE_BUCKET: an S3 general purpose bucket name (S3_BUCKET_NAME below);
 * - CACHE_STATE_LOCK_TABLE: a DynamoDB table name (DYNAMODB_TABLE_NAME);
 * - ids: `vpc-`, `subnet-`, `sg-` and 8 or 17 lower-case hex digits;
 * - `Key=Value` tags within the EC2 tag limits (TAG_LIMITS); CIDRs: private IPv4 ranges;
 * - e-mail addresses (the library's EMAIL_PATTERN, constructs/facts/aws.ts); HTTPS endpoints: `https://host[:port]/path` without user:password (a
 *   credential in the URL would land in the synthesized JSON and the state); topic ARNs:
 *   `arn:<partition>:sns:<AWS_REGION>:<12-digit account>:<name>` (CloudWatch alarms notify topics in their own region).
 */

export const DEFAULT_REGION = 'us-east-1';

/**
 * `CACHE_GUARDRAILS=warn` turns every guardrail violation of every stack into a warning (synth prints it and writes the
 * stacks): CI synthesizes the base of a review that way, so that the review reports the violations instead of stopping.
 */
export const GUARDRAILS_MODE_VARIABLE = 'CACHE_GUARDRAILS';
export const GUARDRAILS_MODES = ['enforce', 'warn'] as const;

/** Tag the VPC is looked up by when CACHE_<ENV>_VPC_ID is unset: `Environment=<env>` (the value is the environment). */
export const DEFAULT_VPC_TAG_KEY = 'Environment';

/** Tag the private subnets are looked up by when CACHE_<ENV>_SUBNET_IDS is unset. */
export const DEFAULT_SUBNET_TAG = { key: 'Tier', value: 'private' } as const;

// Zones when CACHE_<ENV>_AVAILABILITY_ZONES is unset: the region's `defaultZones` in ./aws-regions.ts.

/**
 * Directory of the state file of a stack without remote state, relative to the stack's working directory
 * (cdktf.out/stacks/<stack>): the project root, so the state is `terraform.<stack>.tfstate` there (git-ignored, and
 * kept when cdktf.out is deleted). Relative, so the synthesized JSON is the same on every machine.
 */
export const LOCAL_STATE_DIR = '../../..';

/**
 * S3 general purpose bucket names: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 * 3–63 characters; lower-case letters, digits, dots and hyphens; begins and ends with a letter or digit; no two
 * adjacent dots; not an IP address; none of the reserved prefixes and suffixes.
 */
export const S3_BUCKET_NAME = {
  pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  ipAddress: /^\d+\.\d+\.\d+\.\d+$/,
  reservedPrefixes: ['xn--', 'sthree-', 'amzn-s3-demo-'],
  reservedSuffixes: ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'],
  form: '3–63 lower-case letters, digits, "." or "-", starting and ending with a letter or digit, no "..", not an IP address',
} as const;

/** DynamoDB table names: 3–255 characters from a-z A-Z 0-9 _ - . (DynamoDB Developer Guide, "Naming rules"). */
export const DYNAMODB_TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/** EC2 tag limits: key 1–128 characters, value up to 256 (EC2 User Guide, "Tag restrictions"). */
export const TAG_LIMITS = { keyMaxLength: 128, valueMaxLength: 256 } as const;

/** SNS topic names: 1–256 letters, digits, `-` or `_` (`.fifo` for FIFO topics). */
export const SNS_TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
