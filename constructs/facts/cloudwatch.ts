/**
 * CloudWatch and ElastiCache facts the alarms are built on: API limits, the dimensions ElastiCache publishes, which
 * engine versions publish latency percentiles, and the slow-log record and the metric the constructs make of it.
 * Sources: elasticache-facts.md "Node names and metrics"; AWS pages quoted below by title: "Metrics for Valkey and
 * Redis OSS" (ElastiCache User Guide, CacheMetrics.Redis), "Log delivery" (ElastiCache User Guide, Log_Delivery),
 * "Filter pattern syntax for metric filters …" and "Transform logs during ingestion" (CloudWatch Logs User Guide), and
 * the AWS Database Blog post "Monitor server-side latency for Amazon ElastiCache for Valkey" (2025).
 */
import { Engine, LogFormat } from './elasticache';

/** The namespace ElastiCache publishes node metrics in. */
export const ELASTICACHE_NAMESPACE = 'AWS/ElastiCache';

/** How CloudWatch treats a period without data (PutMetricAlarm `TreatMissingData`). */
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';
export const TREAT_MISSING_DATA: readonly TreatMissingData[] = Object.freeze(['missing', 'ignore', 'breaching', 'notBreaching'] as const);

/**
 * CloudWatch API limits the alarm settings must respect (reference "Node names and metrics"; PutMetricAlarm,
 * PutDashboard). ElastiCache publishes once a minute, so periods are whole minutes.
 */
export const CLOUDWATCH_ALARM_LIMITS = {
  /** `period` is a multiple of this many seconds. */
  periodMultipleSeconds: 60,
  /** `period × evaluation_periods` may not exceed one day. */
  maxEvaluationWindowSeconds: 86400,
  /** Values of `treat_missing_data`. (`datapoints_to_alarm` is between 1 and `evaluation_periods`.) */
  treatMissingData: TREAT_MISSING_DATA,
  alarmNameMaxLength: 255,
  alarmDescriptionMaxLength: 1024,
  /** Dashboard names: letters, digits, `-` and `_`, up to 255 characters. */
  dashboardNameMaxLength: 255,
} as const;

/**
 * The metric dimensions every alarm and dashboard widget uses: `CacheClusterId` = the member node id
 * (`<rg>-001`, `<rg>-0001-001`) and `CacheNodeId` = `0001`.
 *
 * Why both: CloudWatch matches an alarm's dimensions exactly, so an alarm only receives data if its dimension
 * set is one ElastiCache publishes. AWS documents one set for every ElastiCache metric, host-level
 * (CPUUtilization, SwapUsage, FreeableMemory) and engine-level (EngineCPUUtilization, DatabaseMemoryUsagePercentage,
 * Evictions, CurrConnections, ReplicationLag, CacheHits, CacheMisses) alike: "When retrieving metrics, you must
 * supply both the CacheClusterId and CacheNodeId dimensions" (ElastiCache User Guide, "Dimensions for ElastiCache
 * Metrics"); the reference says the same ("dimension CacheClusterId (and CacheNodeId = 0001)"). A Redis OSS or
 * Valkey member cluster always holds exactly one node, `0001`, so the pair names one node. Dashboards and
 * third-party tools also show a CacheClusterId-only series, but AWS does not document it; we use the documented
 * set. Never the replication group id: no metric carries it, and such an alarm never leaves INSUFFICIENT_DATA.
 */
export const CACHE_NODE_ID = '0001';

/**
 * Which signal sees a stalled or slow engine, by engine and version (ENGINE_VERSIONS in ./elasticache.ts: Redis OSS 6.2,
 * 7.0, 7.1; Valkey 7.2, 8.0, 8.1). AWS publishes three kinds of latency for node-based groups:
 *
 *  - `SuccessfulReadRequestLatency` / `SuccessfulWriteRequestLatency` ("Metrics for Valkey and Redis OSS": "Latency of
 *    successful read [write] requests … Unit: Microseconds", any percentile p0–p100): "a precise measure of the time
 *    that the ElastiCache for Valkey engine takes to respond to a successfully executed request … available from
 *    ElastiCache version 7.2 for Valkey or newer for self-designed clusters" (AWS Database Blog, "Monitor server-side
 *    latency for Amazon ElastiCache for Valkey"). No AWS page says Redis OSS publishes them: an alarm there would watch
 *    a series that does not exist. Valkey ≥ 7.2 alarms on their p95 (004's "P95 > 100ms"): readLatency, writeLatency.
 *  - `GetTypeCmdsLatency`, `SetTypeCmdsLatency` and the other `*CmdsLatency` (KeyBasedCmdsLatency, EvalBasedCmdsLatency,
 *    …), on every engine: "calculated using commandstats … `delta(usec)/delta(calls)` … Latency is defined as CPU time
 *    taken by ElastiCache to process the command". A one-minute average of each command's own CPU time: 100 ms of CPU
 *    per GET never happens, and a GET that waits behind a KEYS, a long Lua script or a DEL of a huge key costs no more
 *    CPU for it, so a read or write alarm on them cannot fire when clients wait. The category of the stalling command
 *    rises, but averaged with every fast command of its category (one 2 s KEYS among 1000 EXPIREs a minute averages
 *    2 ms). And an average above a threshold implies one command above it, which the slow log records by itself:
 *    these averages would add nothing to the alarm below. We alarm on none of them.
 *  - the slow log, on every engine and version we support ("Slow Log is supported for Valkey 7.x and above, and Redis
 *    OSS … 6.0 onward", "Log delivery"): each command that ran longer than `slowlog-log-slower-than` (10 ms, SLOWLOG),
 *    with its duration in microseconds, delivered to the group's slow-log group. The engine is single-threaded: while
 *    one command runs for 100 ms every other client waits 100 ms, so a logged duration above 100 ms is exactly a
 *    stalled engine (003 "Slow queries (>100ms)"). A metric filter turns the records into SLOW_LOG_METRIC, per node,
 *    and slowCommands alarms on its Maximum. On Valkey it adds what a p95 misses: a single long stall in a busy minute.
 *
 * Not seen by any of them: a stall outside command execution (the fork of a backup on a large node). SaveInProgress
 * says when one ran; the README's runbook checks it.
 */
export const LATENCY_PERCENTILE_METRICS = {
  read: 'SuccessfulReadRequestLatency',
  write: 'SuccessfulWriteRequestLatency',
  /** First version, per engine, that publishes them; engines not listed never do. */
  from: { valkey: '7.2' } as Partial<Record<Engine, string>>,
} as const;

/** True when the engine version publishes SuccessfulRead/WriteRequestLatency (see LATENCY_PERCENTILE_METRICS). Versions are `major.minor`. */
export function publishesLatencyPercentiles(engine: string, engineVersion: string): boolean {
  const from = LATENCY_PERCENTILE_METRICS.from[engine as Engine];
  if (from === undefined) return false;
  const parse = (v: string) => v.split('.').map((n) => Number.parseInt(n, 10));
  const [major, minor = 0] = parse(engineVersion);
  const [fromMajor, fromMinor = 0] = parse(from);
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return false;
  return major > fromMajor || (major === fromMajor && minor >= fromMinor);
}

/**
 * A slow-log record as ElastiCache delivers it ("Log delivery", "Contents of a slow log entry" and its examples):
 *  - JSON: `{"CacheClusterId": "…", "CacheNodeId": "0001", "Id": 296, "Timestamp": 1605631822, "Duration (us)": 0,
 *    "Command": "GET ... (1 more arguments)", "ClientAddress": "…:55452", "ClientName": "…"}`. CacheClusterId is the
 *    member node's id (`<rg>-001`), the dimension every alarm here uses.
 *  - TEXT: the same fields comma-separated, without Id: `<CacheClusterId>,<CacheNodeId>,<Timestamp>,<Duration>,
 *    <Command>,<ClientAddress>,<ClientName>`.
 * A metric filter cannot read the duration of either as delivered: JSON property selectors "are alphanumeric strings
 * that also support '-' and '_' characters" ("Filter pattern syntax …", JSON), so `Duration (us)` cannot be selected,
 * and a TEXT record is not space-delimited. A log transformer fixes that at ingestion ("Transform logs during
 * ingestion"; the metric filter then sets `apply_on_transformed_logs`): parseJSON and renameKeys for JSON, csv (with
 * our column names) and typeConverter for TEXT, so that both formats yield `CacheClusterId` and a numeric
 * `DurationMicroseconds`.
 */
export const SLOW_LOG_RECORD: {
  readonly cacheClusterIdKey: string;
  /** The duration's key in a JSON record, microseconds. */
  readonly jsonDurationKey: string;
  /** The key the transformer gives the duration in both formats. */
  readonly durationKey: string;
  /** Column names for a TEXT record, in the order ElastiCache writes them. */
  readonly textColumns: readonly string[];
  /** Parser the transformer starts with, per delivered format. */
  readonly parser: Readonly<Record<LogFormat, 'parseJSON' | 'csv'>>;
} = {
  cacheClusterIdKey: 'CacheClusterId',
  jsonDurationKey: 'Duration (us)',
  durationKey: 'DurationMicroseconds',
  textColumns: ['CacheClusterId', 'CacheNodeId', 'Timestamp', 'DurationMicroseconds', 'Command', 'ClientAddress', 'ClientName'],
  parser: { json: 'parseJSON', text: 'csv' },
};

/**
 * The metric the slow-log metric filter publishes: each record's duration, microseconds, with the dimension
 * `CacheClusterId` = the record's node, so that every node has its own series (one custom metric per node). Our own
 * namespace: `AWS/` is reserved for AWS. The same metric name for every group: node ids are unique in a region.
 */
export const SLOW_LOG_METRIC = {
  namespace: 'ElastiCacheSlowLog',
  metricName: 'CommandDuration',
  unit: 'Microseconds',
  dimension: 'CacheClusterId',
} as const;
