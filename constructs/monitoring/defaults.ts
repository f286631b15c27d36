/**
 * The thresholds and windows CacheAlarms alarms on unless its `thresholds` prop overrides them, each with its source
 * and, where the sources disagree, the choice and the reason. Frozen: an override is a prop, never an edit of these.
 *
 * Guides, quoted by file name (the operations guides the library was built from):
 *   000_b8454d789b5b6ca6.txt  "Redis Deployment Guide": "Key Metrics to Monitor"
 *   001_21ce7564b3c158ae.txt  "Redis Strategy & Operations Guide": "Alert Definitions", "Eviction Behaviour",
 *                             "Cache Hit Rate Optimization", "Connection Pooling"
 *   002_6b5b0d947637d40b.txt  "Redis Distributed Cache Infrastructure": "Alerts"
 *   003_f380f0d599784263.txt  "Redis Infrastructure Setup Guide": "Monitoring" ("Set up alerts for: Connection
 *                             failures, … Slow queries (>100ms), Replication lag")
 *   004_8844d1214f9c87e0.txt  "Redis Cluster Deployment Guide": "CloudWatch Monitoring (AWS ElastiCache)", "Alerting"
 * and elasticache-facts.md, "Node names and metrics" (AWS's advice for CPU, the API limits).
 * AWS pages quoted below by title: "Metrics for Valkey and Redis OSS" (ElastiCache User Guide, CacheMetrics.Redis),
 * "Creating a cluster for Valkey or Redis OSS" (ElastiCache User Guide, Clusters.Create), "Configuring how CloudWatch
 * alarms treat missing data" and "Percentile-based alarms and low data samples" (CloudWatch User Guide).
 * The facts behind them (API limits, metric names, the slow-log record): ../facts/cloudwatch.ts.
 *
 * 000 and 001 are the operations guides of the cache's own service; 002, 003 and 004 are other teams' deployments.
 */
import { TreatMissingData } from '../facts/cloudwatch';
import { deepFreeze } from '../freeze';

/** When an alarm fires: `datapointsToAlarm` of the last `evaluationPeriods` periods of `period` seconds breach. */
export interface AlarmWindow {
  /** Seconds per datapoint; a multiple of 60. */
  readonly period: number;
  /** Periods looked at; `period × evaluationPeriods` ≤ 86400. */
  readonly evaluationPeriods: number;
  /** Breaching periods among them that fire the alarm (M of N); ≤ evaluationPeriods. */
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
}

export interface CpuAlarmSettings extends AlarmWindow {
  /** Nodes with at most this many vCPUs alarm on host `CPUUtilization`; larger ones on `EngineCPUUtilization`. */
  readonly hostMetricMaxVcpu: number;
  /** Share of one core the single-threaded engine may use: the CPUUtilization threshold is this ÷ vCPU count. */
  readonly hostCpuPercentOfOneCore: number;
  /** EngineCPUUtilization threshold (the engine thread's own core), percent. */
  readonly engineCpuPercent: number;
}

export interface PercentAlarmSettings extends AlarmWindow {
  readonly thresholdPercent: number;
}

export interface EvictionAlarmSettings extends AlarmWindow {
  /** Evictions per minute; the alarm threshold per period is this × period ÷ 60. */
  readonly perMinute: number;
}

export interface ConnectionsWarningSettings extends AlarmWindow {
  /** CurrConnections; capped at the critical threshold on nodes whose maxclients makes that lower. */
  readonly count: number;
}

export interface ConnectionsCriticalSettings extends AlarmWindow {
  /** Percent of the node type's fixed maxclients (20000 on micro types, 65000 otherwise). */
  readonly percentOfMaxclients: number;
}

export interface ReplicationLagSettings extends AlarmWindow {
  readonly seconds: number;
}

export interface SwapAlarmSettings extends AlarmWindow {
  readonly bytes: number;
}

export interface HitRateAlarmSettings extends AlarmWindow {
  /** Alarm when hits ÷ (hits + misses) falls below this, percent. */
  readonly minimumPercent: number;
  /**
   * Lookups (hits + misses) per minute a period needs before its hit rate counts; quieter periods produce no
   * datapoint (treated per `treatMissingData`). Per period: this × period ÷ 60.
   */
  readonly minimumLookupsPerMinute: number;
}

export interface LatencyAlarmSettings extends AlarmWindow {
  /** Server-side latency above which a period breaches, microseconds (the unit ElastiCache publishes). */
  readonly thresholdMicroseconds: number;
  /** Statistic of SuccessfulRead/WriteRequestLatency (see LATENCY_PERCENTILE_METRICS): a CloudWatch percentile, `p0`…`p100`. */
  readonly percentile: string;
}

export interface SlowCommandSettings extends AlarmWindow {
  /**
   * A command that ran longer than this, microseconds, breaches (the slow log's duration, see SLOW_LOG_METRIC). At least
   * the slow log's own threshold (../facts/elasticache.ts SLOWLOG): shorter commands are never logged.
   */
  readonly thresholdMicroseconds: number;
}

export interface KeysWithoutTtlSettings extends AlarmWindow {
  /**
   * Keys without a TTL that are not ours: ElastiCache's own `ElastiCacheMasterReplicationTimestamp` (see the
   * alarm's comment). The alarm fires above this count.
   */
  readonly elastiCacheOwnKeys: number;
}

export interface AuthenticationFailureSettings extends AlarmWindow {
  /** Failed AUTH attempts a period may have; the alarm fires above this. */
  readonly allowedPerPeriod: number;
}

/** The heartbeat: an alarm that fires when a node stops publishing (missing data must count as breaching). */
export type NodeDownSettings = AlarmWindow;

export interface AlarmThresholds {
  readonly cpu: CpuAlarmSettings;
  readonly memoryWarning: PercentAlarmSettings;
  readonly memoryCritical: PercentAlarmSettings;
  readonly evictions: EvictionAlarmSettings;
  readonly connectionsWarning: ConnectionsWarningSettings;
  readonly connectionsCritical: ConnectionsCriticalSettings;
  readonly replicationLag: ReplicationLagSettings;
  readonly swap: SwapAlarmSettings;
  readonly hitRate: HitRateAlarmSettings;
  readonly readLatency: LatencyAlarmSettings;
  readonly writeLatency: LatencyAlarmSettings;
  readonly slowCommands: SlowCommandSettings;
  readonly keysWithoutTtl: KeysWithoutTtlSettings;
  readonly authenticationFailures: AuthenticationFailureSettings;
  readonly nodeDown: NodeDownSettings;
}

export type AlarmKey = keyof AlarmThresholds;

/** Per-environment (or per-construct) overrides: any field of any alarm; the rest keeps the default. */
export type AlarmOverrides = { readonly [K in AlarmKey]?: Partial<AlarmThresholds[K]> };

const MINUTE = 60;

/** "Sustained for `minutes`": every one-minute datapoint of the window breaches. */
function sustained(minutes: number, treatMissingData: TreatMissingData): AlarmWindow {
  return { period: MINUTE, evaluationPeriods: minutes, datapointsToAlarm: minutes, treatMissingData };
}

/**
 * Missing data. The metrics below are published every minute for as long as the node exists, so a gap means the
 * node is unavailable or being replaced, or the alarm watches a series that does not exist. `missing` keeps such
 * an alarm in INSUFFICIENT_DATA where everyone can see it, instead of a green OK that hides a misconfigured alarm
 * (`notBreaching`), and without every alarm of a node paging at once when it goes away (`breaching`): one alarm
 * per node, `nodeDown`, treats missing data as breaching and pages for the node itself. Exceptions are written at
 * the alarm: ReplicationLag, the hit rate, latency, slow commands and authentication failures.
 */
const ALWAYS_PUBLISHED: TreatMissingData = 'missing';

/**
 * Missing data of metrics that count events (failed AUTH attempts, slow-log records) or measure requests (latency): no
 * datapoint means nothing happened to count or measure (an idle replica serves no reads, a healthy node logs no slow
 * command), so it counts as within the threshold. A node that stopped publishing altogether is `nodeDown`'s to report.
 */
const EVENTS_OR_REQUESTS: TreatMissingData = 'notBreaching';

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = deepFreeze({
  /**
   * CPU. The reference (AWS, "Which Metrics Should I Monitor?"): nodes with ≤ 2 vCPU alarm on host CPUUtilization
   * at 90 % of one core ÷ vCPU (the engine is single-threaded: 2 vCPU → 45 %); nodes with ≥ 4 vCPU on
   * EngineCPUUtilization. 004 ("CloudWatch Monitoring"): CPUUtilization < 70 %, EngineCPUUtilization < 80 %.
   * Chosen: 90 ÷ vCPU for CPUUtilization, because on a 2-vCPU node 70 % of the host means the engine core is
   * already saturated (004's 70 % assumes the load spreads over the cores, which Redis does not do); 80 % for
   * EngineCPUUtilization (004, and the issue: "alert above 80 %"), which leaves headroom below AWS's 90 %.
   * Window: 5 minutes sustained, as 004's alert rules (`for: 5m`); no guide gives one for CPU.
   */
  cpu: { ...sustained(5, ALWAYS_PUBLISHED), hostMetricMaxVcpu: 2, hostCpuPercentOfOneCore: 90, engineCpuPercent: 80 },
  /** 001 "Alert Definitions": "Memory High: >80% for >10 minutes"; 000 "Key Metrics to Monitor": "> 80% of maxmemory". */
  memoryWarning: { ...sustained(10, ALWAYS_PUBLISHED), thresholdPercent: 80 },
  /**
   * 004 "CloudWatch Monitoring": DatabaseMemoryUsagePercentage < 90 %; 004 "Alerting": RedisHighMemory > 0.9
   * `for: 10m`; 002 "Alerts": high memory usage (> 90 %). 001 "Troubleshooting Common Issues" (High Eviction
   * Rate): above 90 % evictions mean memory is short (below it they are warm-up).
   */
  memoryCritical: { ...sustained(10, ALWAYS_PUBLISHED), thresholdPercent: 90 },
  /**
   * 001 "Eviction Behaviour": "Alert Threshold: >10 evictions/minute sustained"; "Alert Definitions":
   * ">10/minute for >15 minutes". The guides disagree: 004 "Evictions < 1000/hour" (≈ 17/min), 002 "> 100/sec",
   * 000 "> 0 consistently". Chosen: 001, the service's own guide and the one that names a duration; 000's
   * "> 0" would fire on every brief warm-up eviction, which 001 calls expected.
   */
  evictions: { ...sustained(15, ALWAYS_PUBLISHED), perMinute: 10 },
  /**
   * Connections, warning. The guides disagree: 004 "Alerting" RedisHighConnections > 1000 `for: 5m`,
   * 002 "Alerts" > 5000, 000 "> 80% of maxclients" (the critical alarm below). Chosen: 1000 (004). The service's clients
   * pool at most 50 connections each (001 "Performance Tuning", "Connection Pooling": `max_connections: 50`), so
   * 1000 is twenty full pools, more than any environment plans: a connection leak or a reconnect storm, found long
   * before the node refuses connections. 002's 5000 belongs to another team's larger fleet. Window: 5 minutes (004; 001's
   * connection-pool alert is also "for >5 minutes").
   */
  connectionsWarning: { ...sustained(5, ALWAYS_PUBLISHED), count: 1000 },
  /**
   * Connections, critical: 000 "Key Metrics to Monitor": "> 80% of maxclients". maxclients is fixed per node type
   * (reference: 65000, 20000 on t4g.micro/t3.micro), so the threshold follows the node type: 52000, or 16000 on a
   * micro node. Above it the node is close to refusing new connections.
   */
  connectionsCritical: { ...sustained(5, ALWAYS_PUBLISHED), percentOfMaxclients: 80 },
  /**
   * 004 "CloudWatch Monitoring": "ReplicationLag < 1 second"; 002 "Alerts" lists replication lag without a number.
   * Window: 5 minutes sustained, so the short lag of a bulk write or a snapshot does not page.
   * Missing data: `notBreaching`. Only replicas publish ReplicationLag; after a failover the promoted node stops,
   * and a primary has no lag to report.
   * This alarm is also 002's "Master link down (2min)": no metric reports a replica's link. MasterLinkHealthStatus
   * is not it ("0 indicates that data in the ElastiCache primary node is not in sync with Valkey or Redis OSS on
   * EC2 … To complete the migration, use the CompleteMigration API": online migration only). ElastiCache measures
   * the lag with its ElastiCacheMasterReplicationTimestamp key ("To monitor the latency between when data is written
   * to a … primary … and when it is propagated to a read-only secondary … ElastiCache adds … a special key"), so a
   * broken link shows as lag growing by a minute every minute and fires this alarm after its 5 minutes (002 says 2;
   * we keep one window for lag and link). Not `breaching`: that would page forever on a replica promoted by a
   * failover. Our reading of AWS's description, not an AWS statement: if ElastiCache published no ReplicationLag at
   * all while the link is down, this alarm would stay OK; the README's runbook checks `INFO replication`.
   */
  replicationLag: { ...sustained(5, 'notBreaching'), seconds: 1 },
  /**
   * No guide names swap. The reference's source (AWS, "Which Metrics Should I Monitor?"): SwapUsage "should not
   * exceed 50 MB"; beyond that the node is short of reserved memory (raise reserved-memory-percent).
   * 50 MB read as 50 MiB. Window: 5 minutes sustained.
   */
  swap: { ...sustained(5, ALWAYS_PUBLISHED), bytes: 50 * 1024 * 1024 },
  /**
   * Cache hit rate = CacheHits ÷ (CacheHits + CacheMisses), computed with metric math from the two counters (sums
   * per period) instead of the CacheHitRate metric, so that a period counts only when traffic makes it meaningful:
   * at least `minimumLookupsPerMinute` lookups (100 per 5-minute period); a quiet period produces no datapoint.
   * Missing data: `notBreaching`: quiet periods (night, a pilot) are fine, not a low hit rate.
   * Threshold: 50 %, 001 "Cache Hit Rate Optimization" ("Target: … >50% production"). The guides disagree: 000 and 004
   * alert below 80 % and 002 below 70 %, but those are generic caches; 001's service caches mostly one-off results (001,
   * "Pattern 3": many unique scenarios), where 80 % would alarm permanently. A workload with less reuse overrides it (001
   * targets >30 % for its pilot).
   * Window: 3 × 5 minutes, all breaching: a hit rate needs minutes of traffic to mean anything.
   */
  hitRate: {
    period: 5 * MINUTE,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: 'notBreaching',
    minimumPercent: 50,
    minimumLookupsPerMinute: 20,
  },
  /**
   * Latency, reads and writes apart (a slow write path hides in a read-heavy average), on engine versions that publish
   * latency percentiles only (Valkey ≥ 7.2; LATENCY_PERCENTILE_METRICS). 004 "Alerting": RedisHighLatency "P95
   * latency > 100ms" `for: 5m`; 002 "Alerts": "High latency (>100ms)"; 003 "Monitoring": "Slow queries (>100ms)".
   * Chosen: 100 ms = 100000 µs at p95, 5 minutes sustained, as 004 writes it: 004's P95 measured inside the server (a
   * client also waits for the network).
   * Percentiles of periods with too few requests do not change the alarm state ("Percentile-based alarms and low
   * data samples": fewer than 10/(1-0.95) = 200 samples for p95), so a quiet node cannot page on one slow request.
   * Missing data: `notBreaching` (EVENTS_OR_REQUESTS): a replica that serves no reads publishes no read latency.
   */
  readLatency: { ...sustained(5, EVENTS_OR_REQUESTS), thresholdMicroseconds: 100000, percentile: 'p95' },
  writeLatency: { ...sustained(5, EVENTS_OR_REQUESTS), thresholdMicroseconds: 100000, percentile: 'p95' },
  /**
   * A stalled engine, on every engine and version: a command in the slow log that ran longer than 100 ms (003
   * "Slow queries (>100ms)"; 004's and 002's 100 ms), i.e. every other client of the node waited that long. Maximum of
   * SLOW_LOG_METRIC per minute (see LATENCY_PERCENTILE_METRICS for why not the *CmdsLatency averages).
   * Window: any one minute of the last 5 (1 of 5): one such command is a stall worth a look (003 alerts on each slow
   * query), and ElastiCache delivers slow-log entries in batches ("A fixed number of Slow log entries are retrieved
   * from the engine periodically"), so a datapoint may arrive minutes after its timestamp; CloudWatch still counts it
   * while its minute is within the 5 evaluated. The alarm clears 5 minutes after the last such command.
   * Missing data: `notBreaching` (EVENTS_OR_REQUESTS): a minute without slow commands has no record and no datapoint.
   * Limits: at most SLOWLOG.maxLen (128) entries per node between two retrievals are delivered; a flood of slow
   * commands can push the one above 100 ms out (its neighbours, 10 ms and more, still show in the graph).
   */
  slowCommands: {
    period: MINUTE,
    evaluationPeriods: 5,
    datapointsToAlarm: 1,
    treatMissingData: EVENTS_OR_REQUESTS,
    thresholdMicroseconds: 100000,
  },
  /**
   * Keys without a TTL = CurrItems − CurrVolatileItems (metric math). "Metrics for Valkey and Redis OSS": CurrItems
   * "The number of items in the cache … summing all of the keys in the entire keyspace"; CurrVolatileItems "Total
   * number of keys in all databases that have a ttl set"; both derived from INFO keyspace on every engine version.
   * 001 "Key Principle": "ALL keys MUST have TTL"; "Alert Definitions", TTL Violation: "Any key with TTL=-1 …
   * Escalate to developers immediately".
   * Allowed: 1, ElastiCache's own key: "ElastiCache adds to the cluster a special key,
   * ElastiCacheMasterReplicationTimestamp … included in all Valkey or Redis OSS clusters" ("Creating a cluster for
   * Valkey or Redis OSS"). It holds the current time, rewritten continually; AWS does not say it carries a TTL, and
   * a key rewritten by SET carries none, so we count it as one key without a TTL. Check once after the first deploy
   * of a new engine version: on a node with no data of ours, `INFO keyspace` shows `keys=1,expires=0` if so (set 0
   * here if it shows `keys=0`). In cluster mode the key lives in one shard; the other shards tolerate one key of
   * ours without a TTL until a second appears.
   * Window: 15 minutes sustained, 001's longest alert window ("Eviction Rate High: >10/minute for >15 minutes"),
   * so that a client that writes SET and then EXPIRE in two commands, caught between them by a one-minute sample,
   * does not page; a key left without a TTL stays and fires.
   * This is also why the eviction policy is `allkeys-lru` (../elasticache/defaults.ts maxmemoryPolicy): a key without a TTL
   * that slips in stays evictable instead of filling memory until writes fail; this alarm finds it anyway.
   */
  keysWithoutTtl: { ...sustained(15, ALWAYS_PUBLISHED), elastiCacheOwnKeys: 1 },
  /**
   * Failed AUTH: "Metrics for Valkey and Redis OSS", AuthenticationFailures: "The total number of failed attempts to
   * authenticate … We suggest setting an alarm on this to detect unauthorized access attempts." 003 "Monitoring":
   * "Set up alerts for: Connection failures". No guide gives a number. Chosen: any failure (> 0) in a 5-minute
   * period, one period: only clients in the allowed security groups reach the node, so a failure is a client with a
   * stale token (after a rotation's SET step, see the README) or someone guessing; both need a person now.
   * Missing data: `notBreaching` (EVENTS_OR_REQUESTS).
   */
  authenticationFailures: {
    period: 5 * MINUTE,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: EVENTS_OR_REQUESTS,
    allowedPerPeriod: 0,
  },
  /**
   * A node that is down or being replaced: 002 "Alerts": "Redis instance down (5min)"; 004 "Alerting": RedisDown
   * `redis_up == 0` `for: 5m`. CloudWatch has no "up" metric for a node, and ElastiCache's node events (failover,
   * node replaced) reach SNS only: "Node-based cluster events are not published to Amazon EventBridge" (ElastiCache
   * User Guide, page self-designed-metrics-events.valkey-and-redis); they go to the group's events topic, without a page.
   * So a heartbeat alarm per node: CurrConnections, which ElastiCache publishes every minute from INFO while the
   * engine answers ("measured and published for each Cache node in 60-second intervals"; "ElastiCache uses 4 to 6
   * of the connections to monitor the cluster", so a live node never reports 0), with its SampleCount < 1 and
   * missing data `breaching`: "if you create an alarm … using a metric that continually reports data, you might
   * want to treat missing data points as breaching, because it might indicate that something is wrong"
   * ("Configuring how CloudWatch alarms treat missing data"). 5 of 5 one-minute periods, as 002 and 004.
   * Not insufficient-data actions on every alarm: latency and authentication metrics go quiet on an idle node, and
   * every alarm of a down node would page at once instead of one alarm saying what happened.
   * It fires on any 5-minute silence: a node replacement, a reboot, an engine upgrade, a replacement of the whole
   * group. That is intended (002: "instance down") and the events topic says which it was.
   */
  nodeDown: sustained(5, 'breaching'),
});

/** Every alarm, in the order descriptions, dashboards and the README list them. */
export const ALARM_KEYS: readonly AlarmKey[] = Object.freeze(Object.keys(DEFAULT_ALARM_THRESHOLDS) as AlarmKey[]);
