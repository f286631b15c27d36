/**
 * What the guardrail rules check against: their thresholds and patterns, each with its source. The rules themselves,
 * one per file with what they require and where it comes from, are in ./rules/; which rules a stack is held to is the
 * rule packs' business (./packs.ts).
 */
import { LATENCY_PERCENTILE_METRICS, SLOW_LOG_METRIC, SLOW_LOG_RECORD, TreatMissingData } from '../facts/cloudwatch';
import { TEMPLATE_SEQUENCES } from '../facts/input';

/**
 * Backup retention the pack `protected` asks for, days (rule `backup-retention`, whose threshold an app may set):
 * 001 "Backup Strategy": "Retention: 7 days", the shortest any guide keeps for an environment that serves users.
 */
export const MIN_RETENTION_DAYS = 7;

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
   * Only groups whose engine version publishes latency percentiles (../facts/cloudwatch.ts LATENCY_PERCENTILE_METRICS), so that
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
 * they cannot fire when clients wait (../facts/cloudwatch.ts LATENCY_PERCENTILE_METRICS).
 * Keys without a TTL: 001 "TTL Violation" (an alarm over CurrItems − CurrVolatileItems). Failed AUTH: 003
 * "Connection failures" and AWS's advice on AuthenticationFailures. A node that stops publishing: 002 "Redis instance
 * down (5min)", 004 "RedisDown": an alarm on a metric published every minute that treats missing data as breaching.
 * Reasons and thresholds: ../monitoring/defaults.ts.
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
 * (../facts/cloudwatch.ts SLOW_LOG_RECORD): JSON with parse_json and a rename of `Duration (us)`, TEXT with csv columns.
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
 * not listed: ElastiCache restricts it for every user (../facts/redis-acl.ts ELASTICACHE_RESTRICTED_COMMANDS).
 */
export const DENIED_APPLICATION_COMMANDS = ['flushall', 'flushdb', 'keys'] as const;

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

/**
 * Where the synthesized JSON holds settings (an app's environment variables, config values, paths) that must stay
 * literals (guardrail `literal-settings`): Terraform reads every string of the JSON syntax as a template, so a `${` or
 * `%{` in one is evaluated. An app refuses such values where it reads them; this rule catches any that arrive another
 * way (a construct prop, a new setting).
 *
 * `blocks` is a path from the JSON root (`*`: any key or index); `attributes` are paths under each block (`*`: one
 * level, `**`: every string below, object keys included); `unless` skips a block whose field holds one of the values
 * (the subnet filter `vpc-id`, whose value is a reference).
 */
export interface LiteralSettingPosition {
  /**
   * The kind of setting held there: an app names where such values come from in its own terms through
   * `literalSettingsRule({ sources })` (e.g. `vpc-tags` → the variable that sets them).
   */
  readonly setting: string;
  readonly blocks: string;
  readonly attributes: readonly string[];
  readonly unless?: { readonly field: string; readonly values: readonly string[] };
  /** Expressions written there on purpose, which pass (a message quoting its own resource's attribute). */
  readonly allowed?: RegExp;
  /** Where the values come from, for the message. */
  readonly from: string;
}

/** A reference to the resource's own attribute in its condition's message (`${self.container_logs}`). */
const SELF_REFERENCE = /\$\{self\.[a-z_]+\}/g;

const MESSAGES = 'a message naming settings';

export const LITERAL_SETTINGS: readonly LiteralSettingPosition[] = [
  { setting: 'provider-region', blocks: 'provider.aws.*', attributes: ['region'], from: "the AWS provider's region" },
  { setting: 'backend', blocks: 'terraform.backend.*', attributes: ['**'], from: 'the state backend' },
  { setting: 'vpc-tags', blocks: 'data.aws_vpcs.*', attributes: ['tags.**'], from: 'the tags the VPC is looked up by' },
  { setting: 'vpc-tags', blocks: 'data.aws_vpc.*', attributes: ['tags.**'], from: 'the tags the VPC is looked up by' },
  {
    setting: 'zones',
    blocks: 'data.aws_availability_zones.*.filter.*',
    attributes: ['name', 'values.*'],
    from: 'the availability zones',
  },
  {
    setting: 'subnet-filters',
    blocks: 'data.aws_subnets.*.filter.*',
    attributes: ['name', 'values.*'],
    unless: { field: 'name', values: ['vpc-id'] },
    from: 'the subnet tags, ids or zones',
  },
  { setting: 'messages', blocks: 'data.*.*.lifecycle.*.*', attributes: ['error_message'], allowed: SELF_REFERENCE, from: MESSAGES },
  { setting: 'messages', blocks: 'resource.*.*.lifecycle.*.*', attributes: ['error_message'], allowed: SELF_REFERENCE, from: MESSAGES },
  { setting: 'variables', blocks: 'variable.*', attributes: ['description', 'default.**'], from: "a variable's description or default" },
  { setting: 'messages', blocks: 'variable.*.validation.*', attributes: ['error_message'], from: MESSAGES },
  {
    setting: 'zones',
    blocks: 'resource.aws_elasticache_replication_group.*',
    attributes: ['preferred_cache_cluster_azs.*'],
    from: 'the availability zones',
  },
  {
    setting: 'restore-source',
    blocks: 'resource.aws_elasticache_replication_group.*',
    attributes: ['snapshot_name', 'snapshot_arns.*'],
    from: 'the snapshotName/snapshotArns props',
  },
  {
    setting: 'local-container',
    blocks: 'resource.docker_container.*',
    attributes: ['name', 'user', 'upload.*.source', 'upload.*.file', 'ports.*.ip'],
    from: "the local container's name, paths and address",
  },
  { setting: 'local-image', blocks: 'resource.docker_image.*', attributes: ['name'], from: 'the image' },
  { setting: 'local-volume', blocks: 'resource.docker_volume.*', attributes: ['name'], from: 'the container name' },
];

/** The sequences the rule looks for (../facts/input.ts); an escaped one (`$${`, `%%{`) is a literal and passes. */
export { TEMPLATE_SEQUENCES };
