/**
 * What the guardrails check against: `npm run synth` refuses a stack that breaks a rule, and `npm run review` lists
 * them. The rules themselves, one per file with what they require and where it comes from, live in
 * constructs/guardrails/rules/; this file holds their thresholds and patterns.
 *
 * "protected" rules apply to the environments in PROTECTED_ENVIRONMENTS only; the others to every stack
 * (a stack without ElastiCache resources simply has nothing for them to check, except secret literals).
 */
import { LATENCY_PERCENTILE_METRICS, SLOW_LOG_METRIC, SLOW_LOG_RECORD, TreatMissingData } from './alarms';
import { TEMPLATE_SEQUENCES } from './input';
import { BURSTABLE_NODES_ALLOWED, MIN_BACKUP_RETENTION_DAYS_PROTECTED, PROTECTED_ENVIRONMENTS } from './scaling';

/**
 * Environments the "protected" rules apply to. The guides name staging and production together
 * (001: "TLS: Required for staging/production"); config/scaling.ts keeps that list.
 */
export { PROTECTED_ENVIRONMENTS };

/** Minimum backup retention in protected environments, days (config/scaling.ts). */
export const MIN_RETENTION_DAYS = MIN_BACKUP_RETENTION_DAYS_PROTECTED;

/** Dimension naming the node of an ElastiCache metric (elasticache-facts.md, "Node names and metrics"). */
export const NODE_DIMENSION = 'CacheClusterId';

export interface RequiredNodeAlarm {
  /** Name in the violation message. */
  readonly name: string;
  /** Any of these metrics satisfies the requirement (for metric math: any of its input metrics). */
  readonly metrics: readonly string[];
  /** Namespace of the metrics. @default AWS/ElastiCache */
  readonly namespace?: string;
  /** Only replicas emit the metric (ReplicationLag). */
  readonly replicasOnly?: boolean;
  /**
   * Only groups whose engine version publishes latency percentiles (./alarms.ts LATENCY_PERCENTILE_METRICS), so that
   * no engine version is asked for an alarm it cannot have. @default every engine version
   */
  readonly latencyPercentiles?: boolean;
  /** The alarm must use a percentile (`extended_statistic`). @default any statistic */
  readonly percentile?: boolean;
  /** The alarm must treat missing data so (a heartbeat: `breaching`). @default any treatment */
  readonly treatMissingData?: TreatMissingData;
}

/**
 * Alarms every member node must have. CPU: `CPUUtilization` up to 2 vCPU, `EngineCPUUtilization` from 4
 * (elasticache-facts.md), either satisfies; memory, evictions and connections from 004 "CloudWatch Monitoring"
 * and 000 "Key Metrics to Monitor"; replication lag on replicas (004, 003 "Set up alerts for: Replication lag").
 * A stalled or slow engine (004 "RedisHighLatency: P95 > 100ms", 002 "High latency (>100ms)", 003 "Slow queries
 * (>100ms)"): on every engine version the slow log's command durations (SLOW_LOG_METRIC, published from the group's
 * slow-log group, see SLOW_LOG_PUBLICATION); where the engine version publishes latency percentiles (Valkey ≥ 7.2)
 * also their p95. No alarm on GetTypeCmdsLatency/SetTypeCmdsLatency is asked for: averages of CPU time per command,
 * they cannot fire when clients wait (./alarms.ts LATENCY_PERCENTILE_METRICS).
 * Keys without a TTL: 001 "TTL Violation" (an alarm over CurrItems − CurrVolatileItems). Failed AUTH: 003
 * "Connection failures" and AWS's advice on AuthenticationFailures. A node that stops publishing: 002 "Redis instance
 * down (5min)", 004 "RedisDown": an alarm on a metric published every minute that treats missing data as breaching.
 * Reasons and thresholds: ./alarms.ts.
 */
export const REQUIRED_NODE_ALARMS: readonly RequiredNodeAlarm[] = [
  { name: 'cpu', metrics: ['CPUUtilization', 'EngineCPUUtilization'] },
  { name: 'memory', metrics: ['DatabaseMemoryUsagePercentage', 'FreeableMemory'] },
  { name: 'evictions', metrics: ['Evictions'] },
  { name: 'connections', metrics: ['CurrConnections', 'NewConnections'] },
  { name: 'replication lag', metrics: ['ReplicationLag'], replicasOnly: true },
  { name: 'slow commands', metrics: [SLOW_LOG_METRIC.metricName], namespace: SLOW_LOG_METRIC.namespace },
  { name: 'read latency percentile', metrics: [LATENCY_PERCENTILE_METRICS.read], latencyPercentiles: true, percentile: true },
  { name: 'write latency percentile', metrics: [LATENCY_PERCENTILE_METRICS.write], latencyPercentiles: true, percentile: true },
  { name: 'keys without a TTL', metrics: ['CurrVolatileItems'] },
  { name: 'authentication failures', metrics: ['AuthenticationFailures'] },
  { name: 'node down', metrics: ['CurrConnections', 'IsMaster', 'CurrItems'], treatMissingData: 'breaching' },
];

/**
 * What makes SLOW_LOG_METRIC exist for a group (guardrail `node-alarms`): the group delivers its slow log to a
 * CloudWatch Logs group, a metric filter on that group publishes SLOW_LOG_METRIC with the value and dimension below,
 * applied to the transformed records, and a transformer on that group parses the delivered format into those keys
 * (./alarms.ts SLOW_LOG_RECORD): JSON with parse_json and a rename of `Duration (us)`, TEXT with csv columns.
 */
export const SLOW_LOG_PUBLICATION = {
  metric: SLOW_LOG_METRIC,
  value: `$.${SLOW_LOG_RECORD.durationKey}`,
  dimensionValue: `$.${SLOW_LOG_RECORD.cacheClusterIdKey}`,
  record: SLOW_LOG_RECORD,
} as const;

/**
 * Commands no enabled user of a protected environment's user group may run (guardrail `application-commands`): the
 * security checklists of 000, 003 and 004 ("Disable dangerous commands (FLUSHDB, FLUSHALL, CONFIG)", KEYS). CONFIG is
 * not listed: ElastiCache restricts it for every user (config/redis-acl.ts ELASTICACHE_RESTRICTED_COMMANDS).
 */
export const DENIED_APPLICATION_COMMANDS = ['flushall', 'flushdb', 'keys'] as const;

/** KMS key ids that are AWS-managed keys, not customer-managed ones. */
export const AWS_MANAGED_KEY = /(^|:)alias\/aws\//;

/** A CIDR that admits everyone: any prefix length 0 (0.0.0.0/0, ::/0). */
export const OPEN_CIDR = /\/0$/;

/** What the secret-literal rule looks for. */
export const SECRET_DETECTION = {
  /** Attributes whose literal value is a secret whatever it looks like. */
  attributeNames: [
    'auth_token',
    'password',
    'passwords',
    'master_password',
    'secret_string',
    'secret_binary',
    'requirepass',
    'masterauth',
    'token',
    'api_key',
    'access_key',
    'secret_key',
    'private_key',
    'client_secret',
  ],
  /** Attribute, output or variable names that suggest a secret: flagged when the literal looks random. */
  namePattern: /token|passw(or)?d|secret|api[-_]?key|private[-_]?key|credential/i,
  /** Names that look secret-ish but hold identifiers or settings (`auth_secret_arn`, `secret_id`, `auth_token_update_strategy`). */
  notSecretNamePattern: /(_id|_ids|_arn|_arns|_name|_names|_version|_strategy|_days|_policy|_type)$/i,
  /** "Looks random": at least this long, no whitespace, and at least this many bits of entropy per character. */
  minLength: 16,
  minBitsPerChar: 3.5,
  /** redis.conf directives and server flags whose argument is a password. */
  confDirectives: ['requirepass', 'masterauth'],
} as const;

/**
 * Free text the AWS APIs store (guardrail `plain-text`): descriptions and display names in printable ASCII, the only
 * set every API documents. EC2 is stricter for security groups and their rules (CreateSecurityGroup
 * GroupDescription, IpPermission Description): `a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*`.
 */
export const PLAIN_TEXT = {
  attributes: ['description', 'alarm_description', 'display_name'],
  printableAscii: /^[\x20-\x7e]*$/,
  ec2Types: ['aws_security_group', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'],
  ec2Description: /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/,
  ec2Form: 'letters, digits, spaces and . _ - : / ( ) # , @ [ ] + = & ; { } ! $ *',
} as const;

/** Environments where guardrail `no-burstable-nodes` refuses T-family node types (./scaling.ts BURSTABLE_NODES_ALLOWED). */
export const BURSTABLE_NODES_REFUSED_IN: readonly string[] = Object.entries(BURSTABLE_NODES_ALLOWED)
  .filter(([, allowed]) => !allowed)
  .map(([environment]) => environment);

/**
 * Where the synthesized JSON holds settings (environment variables, config values, paths) that must stay literals
 * (guardrail `literal-settings`): Terraform reads every string of the JSON syntax as a template, so a `${` or `%{` in
 * one is evaluated (README "When the input is wrong"). stacks/settings.ts refuses such values where they are read;
 * this rule catches any that arrive another way (a construct prop, a new setting).
 *
 * `blocks` is a path from the JSON root (`*`: any key or index); `attributes` are paths under each block (`*`: one
 * level, `**`: every string below, object keys included); `unless` skips a block whose field holds one of the values
 * (the subnet filter `vpc-id`, whose value is a reference).
 */
export interface LiteralSettingPosition {
  readonly blocks: string;
  readonly attributes: readonly string[];
  readonly unless?: { readonly field: string; readonly values: readonly string[] };
  /** Expressions the project writes there itself, which pass (a message quoting its own resource's attribute). */
  readonly allowed?: RegExp;
  /** Where the values come from, for the message. */
  readonly from: string;
}

/** A reference to the resource's own attribute in its condition's message (`${self.container_logs}`). */
const SELF_REFERENCE = /\$\{self\.[a-z_]+\}/g;

export const LITERAL_SETTINGS: readonly LiteralSettingPosition[] = [
  { blocks: 'provider.aws.*', attributes: ['region'], from: 'AWS_REGION' },
  { blocks: 'terraform.backend.*', attributes: ['**'], from: 'CACHE_STATE_* or the local state path' },
  { blocks: 'data.aws_vpcs.*', attributes: ['tags.**'], from: 'CACHE_<ENV>_VPC_TAG' },
  { blocks: 'data.aws_vpc.*', attributes: ['tags.**'], from: 'CACHE_<ENV>_VPC_TAG' },
  { blocks: 'data.aws_availability_zones.*.filter.*', attributes: ['name', 'values.*'], from: 'CACHE_<ENV>_AVAILABILITY_ZONES' },
  {
    blocks: 'data.aws_subnets.*.filter.*',
    attributes: ['name', 'values.*'],
    unless: { field: 'name', values: ['vpc-id'] },
    from: 'CACHE_<ENV>_SUBNET_TAG, _SUBNET_IDS or _AVAILABILITY_ZONES',
  },
  { blocks: 'data.*.*.lifecycle.*.*', attributes: ['error_message'], allowed: SELF_REFERENCE, from: 'a message naming settings' },
  { blocks: 'resource.*.*.lifecycle.*.*', attributes: ['error_message'], allowed: SELF_REFERENCE, from: 'a message naming settings' },
  { blocks: 'variable.*', attributes: ['description', 'default.**'], from: 'settings (CACHE_<ENV>_CLIENT_*, _ALARM_*)' },
  { blocks: 'variable.*.validation.*', attributes: ['error_message'], from: 'a message naming settings' },
  {
    blocks: 'resource.aws_elasticache_replication_group.*',
    attributes: ['preferred_cache_cluster_azs.*'],
    from: 'CACHE_<ENV>_AVAILABILITY_ZONES',
  },
  {
    blocks: 'resource.aws_elasticache_replication_group.*',
    attributes: ['snapshot_name', 'snapshot_arns.*'],
    from: 'restoreFromSnapshot (config/environments.ts) or the snapshotName/snapshotArns props',
  },
  {
    blocks: 'resource.docker_container.*',
    attributes: ['name', 'user', 'upload.*.source', 'upload.*.file', 'ports.*.ip'],
    from: 'LOCAL_REDIS_*',
  },
  { blocks: 'resource.docker_image.*', attributes: ['name'], from: 'LOCAL_REDIS_ENGINE or LOCAL_REDIS_IMAGE' },
  { blocks: 'resource.docker_volume.*', attributes: ['name'], from: 'the container name' },
  { blocks: 'output.redis_ca_cert', attributes: ['value'], from: 'LOCAL_REDIS_TLS_DIR' },
];

/** The sequences the rule looks for (config/input.ts); an escaped one (`$${`, `%%{`) is a literal and passes. */
export { TEMPLATE_SEQUENCES };
