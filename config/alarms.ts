/**
 * Alarm thresholds for every cache node, as data, beside the scaling tables (./scaling.ts).
 *
 * Guides (../shared/seeds/), quoted by file name:
 *   000_b8454d789b5b6ca6.txt  "Redis Deployment Guide for ISL": "Key Metrics to Monitor"
 *   001_21ce7564b3c158ae.txt  "ISL Redis Strategy & Operations Guide": "Alert Definitions", "Eviction Behaviour",
 *                             "Cache Hit Rate Optimization", "Connection Pooling"
 *   002_6b5b0d947637d40b.txt  "Redis Distributed Cache Infrastructure": "Alerts"
 *   004_8844d1214f9c87e0.txt  "Redis Cluster Deployment Guide": "CloudWatch Monitoring (AWS ElastiCache)", "Alerting"
 * and ../shared/reference/elasticache-facts.md, "Node names and metrics" (AWS's advice for CPU, the API limits).
 *
 * 000 and 001 are this project's own guides (ISL); 002 and 004 are other teams' deployments. Where the guides
 * disagree, the choice and the reason are written next to the value. An environment overrides any value through
 * `EnvironmentConfig.alarms` (./environments.ts), merged over these defaults by `mergeAlarmThresholds`.
 */

/** How CloudWatch treats a period without data (PutMetricAlarm `TreatMissingData`). */
export const TREAT_MISSING_DATA = ['missing', 'ignore', 'breaching', 'notBreaching'] as const;
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

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
 * node is unavailable or being replaced (ElastiCache reports that on the same topic as an event) or the alarm
 * watches a series that does not exist. `missing` keeps such an alarm in INSUFFICIENT_DATA where everyone can see
 * it, instead of a green OK that hides a misconfigured alarm (`notBreaching`) or pages on every node replacement
 * (`breaching`). Exceptions are written at the alarm: ReplicationLag and the hit rate.
 */
const ALWAYS_PUBLISHED: TreatMissingData = 'missing';

/**
 * Cache hit-rate targets per environment, percent: 001 "Cache Hit Rate Optimization": "Target: >30% pilot,
 * >50% production". The guides disagree: 000 and 004 alert below 80 % and 002 below 70 %, but those are
 * generic caches; ISL caches mostly one-off Monte Carlo results (001, "Pattern 3": many unique scenarios), and
 * 001 sets the target for exactly this workload, so 80 % would alarm permanently.
 * Staging: 001 names no target; staging carries test traffic whose key reuse resembles the pilot's, so it gets the
 * pilot's 30 %.
 */
export const HIT_RATE_TARGET_PERCENT = { pilot: 30, staging: 30, production: 50 } as const;

export const DEFAULT_ALARM_THRESHOLDS: AlarmThresholds = {
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
   * 000 "> 0 consistently". Chosen: 001, this project's own guide and the one that names a duration; 000's
   * "> 0" would fire on every brief warm-up eviction, which 001 calls expected.
   */
  evictions: { ...sustained(15, ALWAYS_PUBLISHED), perMinute: 10 },
  /**
   * Connections, warning. The guides disagree: 004 "Alerting" RedisHighConnections > 1000 `for: 5m`,
   * 002 "Alerts" > 5000, 000 "> 80% of maxclients" (the critical alarm below). Chosen: 1000 (004). ISL clients
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
   * Missing data: `notBreaching`: quiet periods (night, pilot) are fine, not a low hit rate.
   * Threshold: the production target (see HIT_RATE_TARGET_PERCENT); pilot and staging override it.
   * Window: 3 × 5 minutes, all breaching: a hit rate needs minutes of traffic to mean anything.
   */
  hitRate: {
    period: 5 * MINUTE,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    treatMissingData: 'notBreaching',
    minimumPercent: HIT_RATE_TARGET_PERCENT.production,
    minimumLookupsPerMinute: 20,
  },
};

export const ALARM_KEYS = Object.keys(DEFAULT_ALARM_THRESHOLDS) as AlarmKey[];

/** The defaults with an override applied field by field (undefined fields of the override keep the default). */
export function mergeAlarmThresholds(override: AlarmOverrides = {}, defaults: AlarmThresholds = DEFAULT_ALARM_THRESHOLDS): AlarmThresholds {
  const merged: Record<string, unknown> = {};
  for (const key of ALARM_KEYS) {
    const fields = Object.entries(override[key] ?? {}).filter(([, v]) => v !== undefined);
    merged[key] = { ...defaults[key], ...Object.fromEntries(fields) };
  }
  return merged as unknown as AlarmThresholds;
}
