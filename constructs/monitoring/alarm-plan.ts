/**
 * The alarm plan: which CloudWatch alarm every member node gets, with its metric, threshold, window and
 * description. Pure, so the construct (./cache-alarms.ts), the dashboard (./dashboard.ts), tests and the README
 * use exactly the same plan. Thresholds: ./defaults.ts.
 */
import {
  CACHE_NODE_ID,
  ELASTICACHE_NAMESPACE,
  LATENCY_PERCENTILE_METRICS,
  SLOW_LOG_METRIC,
  SLOW_LOG_RECORD,
  TreatMissingData,
  publishesLatencyPercentiles,
} from '../facts/cloudwatch';
import { AlarmKey, AlarmThresholds, AlarmWindow } from './defaults';
import type { CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { CacheNode } from '../elasticache/member-nodes';

/** What the plan needs of a node type. */
export interface AlarmNodeType {
  readonly name: string;
  /** vCPUs; undefined for a type outside the node catalog (../facts/node-catalog.ts). */
  readonly vcpu?: number;
  /** Fixed maxclients of the type. */
  readonly maxclients: number;
}

/** A CloudWatch statistic: a standard one, or a percentile `p0`…`p100` (an extended statistic). */
export type AlarmStatistic = 'Average' | 'Maximum' | 'Minimum' | 'Sum' | 'SampleCount' | `p${number}`;

/** True for a percentile statistic, which the API takes as `extended_statistic`. */
export function isPercentile(statistic: string): statistic is `p${number}` {
  return /^p\d/.test(statistic);
}

/** A metric-math alarm: metric inputs of the node, combined by one expression whose result is alarmed on. */
export interface AlarmMath {
  /** Inputs by query id (lowercase letters), each a metric of the node with its statistic per period. */
  readonly inputs: ReadonlyArray<{ readonly id: string; readonly metricName: string; readonly stat: AlarmStatistic }>;
  /** Query id of the expression. */
  readonly id: string;
  /** The expression over the inputs' ids. */
  readonly expression: string;
  /** Label of the result, as the console and the review show it. */
  readonly label: string;
  /** The formula as descriptions write it, e.g. `CacheHits / (CacheHits + CacheMisses)`. */
  readonly formula: string;
}

/** One alarm to create, fully resolved: what the construct turns into an `aws_cloudwatch_metric_alarm`. */
export interface AlarmPlan extends AlarmWindow {
  readonly key: AlarmKey;
  readonly alarmName: string;
  readonly node: CacheNode;
  /** Namespace of the metric (of metric math: its inputs are AWS/ElastiCache): AWS/ElastiCache, or SLOW_LOG_METRIC's. */
  readonly namespace: string;
  /** Dimensions of the metric: the node's (nodeDimensions), or SLOW_LOG_METRIC's one dimension. */
  readonly dimensions: Readonly<Record<string, string>>;
  /**
   * The metric alarmed on; for metric math, the name of the result (`CacheHitRate` computed from CacheHits and
   * CacheMisses, `KeysWithoutTtl` from CurrItems and CurrVolatileItems).
   */
  readonly metricName: string;
  /** Statistic per period (for metric math: see `math.inputs`). */
  readonly statistic: AlarmStatistic;
  readonly comparisonOperator: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  /** Unit of the threshold, as descriptions and the README write it after the number. */
  readonly unit: '%' | 's' | 'bytes' | 'connections' | 'per period' | 'microseconds' | 'keys' | 'datapoints';
  /** Metric math instead of one metric. */
  readonly math?: AlarmMath;
  /** For the hit rate: lookups a period needs before it yields a datapoint. */
  readonly minimumLookups?: number;
  /** Percentile alarms: periods with too few samples do not change the state (`evaluate_low_sample_count_percentiles`). */
  readonly lowSampleCountPercentiles?: 'ignore';
  readonly description: string;
}

/** Alarm-name suffix of each alarm; part of every alarm name, so never rename one. */
export const SLUG: Record<AlarmKey, string> = {
  cpu: 'cpu',
  memoryWarning: 'memory-warning',
  memoryCritical: 'memory-critical',
  evictions: 'evictions',
  connectionsWarning: 'connections-warning',
  connectionsCritical: 'connections-critical',
  replicationLag: 'replication-lag',
  swap: 'swap',
  hitRate: 'hit-rate',
  readLatency: 'read-latency',
  writeLatency: 'write-latency',
  slowCommands: 'slow-commands',
  keysWithoutTtl: 'keys-without-ttl',
  authenticationFailures: 'auth-failures',
  nodeDown: 'node-down',
};

/** The hit-rate alarm's math: CacheHits ÷ (CacheHits + CacheMisses) in percent, in periods with enough lookups. */
export function hitRateMath(minimumLookups: number): AlarmMath {
  return {
    inputs: [
      { id: 'hits', metricName: 'CacheHits', stat: 'Sum' },
      { id: 'misses', metricName: 'CacheMisses', stat: 'Sum' },
    ],
    id: 'hit_rate',
    expression: hitRateExpression('hits', 'misses', minimumLookups),
    label: 'Cache hit rate (%)',
    formula: 'CacheHits / (CacheHits + CacheMisses)',
  };
}

/** The keys-without-TTL alarm's math: every key minus the keys that have a TTL, per node. */
export const KEYS_WITHOUT_TTL_MATH: AlarmMath = {
  inputs: [
    { id: 'items', metricName: 'CurrItems', stat: 'Average' },
    { id: 'volatile', metricName: 'CurrVolatileItems', stat: 'Average' },
  ],
  id: 'keys_without_ttl',
  expression: 'items - volatile',
  label: 'Keys without a TTL',
  formula: 'CurrItems - CurrVolatileItems',
};

/** True when the engine version publishes latency percentiles (../facts/cloudwatch.ts LATENCY_PERCENTILE_METRICS); false when unknown. */
export function latencyPercentiles(engine: string | undefined, engineVersion: string | undefined): boolean {
  return engine !== undefined && engineVersion !== undefined && publishesLatencyPercentiles(engine, engineVersion);
}

/** Dimensions of the slow-log metric of one node: the one its metric filter publishes (SLOW_LOG_METRIC). */
export function slowLogDimensions(node: CacheNode): Record<string, string> {
  return { [SLOW_LOG_METRIC.dimension]: node.cacheClusterId };
}

/**
 * Commands that list the keys without a TTL on one node, for the alarm description and the README: SCAN, never
 * KEYS (which blocks the engine and which the application user may not run), over TLS as the application user of
 * the group's secret (`username`, `password`); ElastiCache's own key is left out.
 */
export const FIND_KEYS_WITHOUT_TTL =
  'C="--tls -h <node endpoint> --user $REDIS_USERNAME --pass $REDIS_PASSWORD --no-auth-warning"; redis-cli $C --scan | while read -r k; do ' +
  '[ "$(redis-cli $C TTL "$k")" = -1 ] && echo "$k"; done | grep -vx ElastiCacheMasterReplicationTimestamp';

/** The metric math of the hit-rate alarm and widget: a percentage, or no datapoint when traffic is too low. */
export function hitRateExpression(hits: string, misses: string, minimumLookups: number): string {
  return `IF((${hits} + ${misses}) >= ${minimumLookups}, 100 * ${hits} / (${hits} + ${misses}))`;
}

/** Metric dimensions of one node (see CACHE_NODE_ID in ../facts/cloudwatch.ts for why both). */
export function nodeDimensions(node: CacheNode): Record<string, string> {
  return { CacheClusterId: node.cacheClusterId, CacheNodeId: CACHE_NODE_ID };
}

function missingDataText(t: TreatMissingData): string {
  switch (t) {
    case 'missing':
      return 'no data leaves the alarm in INSUFFICIENT_DATA, never OK (a node that stopped publishing: its node-down alarm pages)';
    case 'notBreaching':
      return 'no data counts as within the threshold';
    case 'breaching':
      return 'no data counts as breaching';
    case 'ignore':
      return 'no data keeps the current state';
  }
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);

/** Where an alarm's description sends the operator who reads it (CacheAlarms `runbook`). */
export interface AlarmRunbook {
  /** Where the thresholds are set, e.g. the file of an app's alarm choices. @default "the thresholds of CacheAlarms" */
  readonly thresholds?: string;
  /**
   * What to do when a node's data really grew (the memory-warning alarm), e.g. where an app sizes its nodes.
   * @default "move to a node type with more memory"
   */
  readonly memoryGrowth?: string;
}

export const DEFAULT_ALARM_RUNBOOK: Required<AlarmRunbook> = Object.freeze({
  thresholds: 'the thresholds of CacheAlarms',
  memoryGrowth: 'move to a node type with more memory',
});

function windowText(w: AlarmWindow): string {
  return `${w.datapointsToAlarm} of ${w.evaluationPeriods} x ${w.period} s`;
}

/**
 * The alarms for every node: pure, so tests and the README table use exactly what the construct creates.
 * CPU metric by vCPU count; latency percentiles where the engine version publishes them; slow commands where the
 * group's slow log is turned into SLOW_LOG_METRIC; ReplicationLag on replicas only; connection threshold capped by the
 * node's maxclients.
 */
export function planCacheAlarms(args: {
  readonly nodes: readonly CacheNode[];
  /** The node type: its name, vCPUs (undefined outside the catalog: EngineCPUUtilization is used) and maxclients. */
  readonly nodeType: AlarmNodeType;
  readonly replicationGroupId: string;
  readonly alarmNamePrefix: string;
  readonly thresholds: AlarmThresholds;
  /** Engine (`redis`, `valkey`): with the version, whether latency percentiles exist. Undefined: they do not. */
  readonly engine?: string;
  /** Engine version `major.minor`, with `engine`. */
  readonly engineVersion?: string;
  /**
   * The group's slow log is published as SLOW_LOG_METRIC (CacheAlarms' metric filter): alarm on slow commands.
   * @default false
   */
  readonly slowLogMetric?: boolean;
  /** Where the descriptions send the operator. @default DEFAULT_ALARM_RUNBOOK */
  readonly runbook?: AlarmRunbook;
}): AlarmPlan[] {
  const { nodes, nodeType, replicationGroupId: rg, alarmNamePrefix: prefix, thresholds: t } = args;
  const runbook = { ...DEFAULT_ALARM_RUNBOOK, ...args.runbook };
  const connectionsCritical = Math.floor((nodeType.maxclients * t.connectionsCritical.percentOfMaxclients) / 100);
  const percentiles = latencyPercentiles(args.engine, args.engineVersion);
  const cpuCheck =
    'the slow log (CloudWatch Logs, slow-log group) for expensive commands (KEYS, large range reads, Lua) and ' +
    'GetTypeCmds/SetTypeCmds; mostly reads: add a replica and read from it; mostly writes: a larger node type or more shards.';
  const plans: AlarmPlan[] = [];

  for (const node of nodes) {
    const suffix = node.cacheClusterId.slice(rg.length + 1);
    const who = `${node.cacheClusterId} (${node.role} at creation, shard ${node.shard}, ${nodeType.name})`;
    type Watch = Pick<AlarmPlan, 'metricName' | 'statistic' | 'threshold' | 'unit'> &
      Partial<
        Pick<AlarmPlan, 'comparisonOperator' | 'minimumLookups' | 'math' | 'lowSampleCountPercentiles' | 'namespace' | 'dimensions'>
      > & {
        /** What breaches, as the description says it; default "<metric> above <threshold> <unit>". */
        readonly condition?: string;
      };
    const add = (key: AlarmKey, watch: Watch, check: string) => {
      const w = t[key];
      const { condition, ...plan } = watch;
      const comparisonOperator = plan.comparisonOperator ?? 'GreaterThanThreshold';
      const what =
        (plan.math === undefined ? plan.metricName : `${plan.metricName} (= ${plan.math.formula})`) +
        (isPercentile(plan.statistic) ? ` ${plan.statistic}` : '');
      const quiet = plan.minimumLookups === undefined ? '' : `periods with fewer than ${plan.minimumLookups} lookups yield none; `;
      const breach =
        condition ?? `${what} ${comparisonOperator === 'LessThanThreshold' ? 'below' : 'above'} ${fmt(plan.threshold)} ${plan.unit}`;
      plans.push({
        key,
        alarmName: `${prefix}-${suffix}-${SLUG[key]}`,
        node,
        namespace: ELASTICACHE_NAMESPACE,
        dimensions: nodeDimensions(node),
        period: w.period,
        evaluationPeriods: w.evaluationPeriods,
        datapointsToAlarm: w.datapointsToAlarm,
        treatMissingData: w.treatMissingData,
        ...plan,
        comparisonOperator,
        description:
          `${who}: ${breach} in ${windowText(w)}. Check first: ${check} Missing data: ${quiet}${missingDataText(w.treatMissingData)}. ` +
          `Thresholds: ${runbook.thresholds}.`,
      });
    };

    if (nodeType.vcpu !== undefined && nodeType.vcpu <= t.cpu.hostMetricMaxVcpu) {
      add(
        'cpu',
        { metricName: 'CPUUtilization', statistic: 'Average', threshold: t.cpu.hostCpuPercentOfOneCore / nodeType.vcpu, unit: '%' },
        `the engine is single-threaded: this is ${fmt(t.cpu.hostCpuPercentOfOneCore)} % of one core on ${nodeType.vcpu} vCPU. ${cpuCheck}`,
      );
    } else {
      add('cpu', { metricName: 'EngineCPUUtilization', statistic: 'Average', threshold: t.cpu.engineCpuPercent, unit: '%' }, cpuCheck);
    }
    add(
      'memoryWarning',
      { metricName: 'DatabaseMemoryUsagePercentage', statistic: 'Average', threshold: t.memoryWarning.thresholdPercent, unit: '%' },
      'growth of CurrItems, keys without a TTL (every key must have one), the biggest keys (redis-cli --bigkeys); ' +
        `if the data really grew, ${runbook.memoryGrowth} before it reaches the critical level.`,
    );
    add(
      'memoryCritical',
      { metricName: 'DatabaseMemoryUsagePercentage', statistic: 'Average', threshold: t.memoryCritical.thresholdPercent, unit: '%' },
      'the node evicts (allkeys-lru): Evictions and the hit rate. Shorten the TTL of the dominant key type or scale up the node type now.',
    );
    add(
      'evictions',
      { metricName: 'Evictions', statistic: 'Sum', threshold: (t.evictions.perMinute * t.evictions.period) / 60, unit: 'per period' },
      `DatabaseMemoryUsagePercentage: below ${fmt(t.memoryCritical.thresholdPercent)} % this is warm-up, above it memory is short; ` +
        'the key types that dominate (redis-cli --scan | cut -d: -f2 | sort | uniq -c); scale up or shorten TTLs.',
    );
    add(
      'connectionsWarning',
      {
        metricName: 'CurrConnections',
        statistic: 'Average',
        threshold: Math.min(t.connectionsWarning.count, connectionsCritical),
        unit: 'connections',
      },
      'far more connections than the client pools open: a connection leak or a reconnect storm. NewConnections (churn), ' +
        "the clients' pool settings and their recent deploys or scale-outs.",
    );
    add(
      'connectionsCritical',
      { metricName: 'CurrConnections', statistic: 'Average', threshold: connectionsCritical, unit: 'connections' },
      `${fmt(t.connectionsCritical.percentOfMaxclients)} % of maxclients (${nodeType.maxclients}): new connections will soon be refused. ` +
        'Find the clients holding connections (CLIENT LIST, by address), restart the leaking ones, lower their pool sizes.',
    );
    if (node.role === 'replica') {
      add(
        'replicationLag',
        { metricName: 'ReplicationLag', statistic: 'Maximum', threshold: t.replicationLag.seconds, unit: 's' },
        "reads from this replica are stale. A lag that grows by 60 s a minute is a broken link (002's master link down): " +
          "INFO replication on the node (master_link_status). Otherwise the primary's write load (SetTypeCmds, ReplicationBytes), " +
          'NetworkBandwidthOutAllowanceExceeded on the primary, and SaveInProgress (a backup running).',
      );
    }
    add(
      'swap',
      { metricName: 'SwapUsage', statistic: 'Average', threshold: t.swap.bytes, unit: 'bytes' },
      'FreeableMemory and reserved-memory-percent (AWS advises 30-50 % on small nodes); swapping in the backup window means ' +
        'the snapshot fork lacks memory. Raise reserved-memory-percent or scale up.',
    );
    const minimumLookups = (t.hitRate.minimumLookupsPerMinute * t.hitRate.period) / 60;
    add(
      'hitRate',
      {
        metricName: 'CacheHitRate',
        statistic: 'Sum',
        comparisonOperator: 'LessThanThreshold',
        threshold: t.hitRate.minimumPercent,
        unit: '%',
        math: hitRateMath(minimumLookups),
        minimumLookups,
      },
      'Evictions (evicted keys become misses), recent TTL changes, and deploys that change how keys are built ' +
        '(inputs must be normalised so that equal requests hash to equal keys).',
    );
    if (percentiles) {
      for (const [key, direction] of [
        ['readLatency', 'read'],
        ['writeLatency', 'write'],
      ] as const) {
        add(
          key,
          {
            metricName: LATENCY_PERCENTILE_METRICS[direction],
            statistic: t[key].percentile as `p${number}`,
            threshold: t[key].thresholdMicroseconds,
            unit: 'microseconds',
            lowSampleCountPercentiles: 'ignore',
          },
          'server-side latency per request; clients see this plus the network. The slow-commands alarm and the slow log ' +
            '(CloudWatch Logs, slow-log group) for the commands, EngineCPUUtilization, SaveInProgress (a backup fork) and ' +
            'large values (redis-cli --bigkeys).',
        );
      }
    }
    if (args.slowLogMetric === true) {
      const limit = t.slowCommands.thresholdMicroseconds;
      add(
        'slowCommands',
        {
          metricName: SLOW_LOG_METRIC.metricName,
          namespace: SLOW_LOG_METRIC.namespace,
          dimensions: slowLogDimensions(node),
          statistic: 'Maximum',
          threshold: limit,
          unit: 'microseconds',
          condition: `a command in the slow log that ran longer than ${fmt(limit)} microseconds (${SLOW_LOG_METRIC.namespace} ${SLOW_LOG_METRIC.metricName} Maximum)`,
        },
        'the engine runs one command at a time, so every client of the node waited that long. In the slow-log group, ' +
          `Logs Insights: filter ${SLOW_LOG_RECORD.cacheClusterIdKey} = "${node.cacheClusterId}" and ${SLOW_LOG_RECORD.durationKey} > ${fmt(limit)} ` +
          `| sort ${SLOW_LOG_RECORD.durationKey} desc: the command (KEYS, a Lua script, DEL or a range read of a big key) and the client address. ` +
          'EngineCPUUtilization, SaveInProgress.',
      );
    }
    add(
      'keysWithoutTtl',
      {
        metricName: 'KeysWithoutTtl',
        statistic: 'Average',
        threshold: t.keysWithoutTtl.elastiCacheOwnKeys,
        unit: 'keys',
        math: KEYS_WITHOUT_TTL_MATH,
        condition:
          `keys without a TTL (CurrItems - CurrVolatileItems) above ${fmt(t.keysWithoutTtl.elastiCacheOwnKeys)} ` +
          "(ElastiCache's own ElastiCacheMasterReplicationTimestamp has none)",
      },
      `001: every key must have a TTL; escalate to the developers. List them: ${FIND_KEYS_WITHOUT_TTL}; ` +
        'OBJECT IDLETIME <key> shows how long each has been untouched, the key prefix names the writer. ' +
        'allkeys-lru still evicts them, so memory is safe meanwhile; set a TTL (EXPIRE <key> <seconds>) or DEL after the developers agree.',
    );
    add(
      'authenticationFailures',
      { metricName: 'AuthenticationFailures', statistic: 'Sum', threshold: t.authenticationFailures.allowedPerPeriod, unit: 'per period' },
      'ACL LOG on the node shows who failed (client address, user). A client with a stale password after a rotation (its secret ' +
        'version), or an unknown address in the allowed security groups: find it and stop it.',
    );
    add(
      'nodeDown',
      {
        metricName: 'CurrConnections',
        statistic: 'SampleCount',
        comparisonOperator: 'LessThanThreshold',
        threshold: 1,
        unit: 'datapoints',
        condition: 'no CurrConnections datapoint (the engine stopped publishing: down, rebooting or being replaced)',
      },
      'the ElastiCache events topic and console Events (CacheNodeReplaceStarted, FailoverComplete, CacheNodesRebooted) and the ' +
        'node status (aws elasticache describe-replication-groups). After a failover the primary endpoint follows the new primary; ' +
        'clients that pinned a node address must reconnect.',
    );
  }
  return plans;
}

/**
 * The `aws_cloudwatch_metric_alarm` arguments of a plan (without construct-tree concerns such as depends_on), so
 * that the construct creates exactly what tests and the review read from the plan: one metric with `statistic` or,
 * for a percentile, `extended_statistic`; or metric math over the node's metrics.
 */
export function alarmResourceConfig(p: AlarmPlan, actions: string[]): CloudwatchMetricAlarmConfig {
  const common = {
    alarmName: p.alarmName,
    alarmDescription: p.description,
    comparisonOperator: p.comparisonOperator,
    threshold: p.threshold,
    evaluationPeriods: p.evaluationPeriods,
    datapointsToAlarm: p.datapointsToAlarm,
    treatMissingData: p.treatMissingData,
    alarmActions: actions,
    okActions: actions,
  };
  if (p.math !== undefined) {
    return {
      ...common,
      metricQuery: [
        ...p.math.inputs.map((input) => ({
          id: input.id,
          metric: {
            namespace: ELASTICACHE_NAMESPACE,
            metricName: input.metricName,
            dimensions: { ...p.dimensions },
            period: p.period,
            stat: input.stat,
          },
          returnData: false,
        })),
        { id: p.math.id, expression: p.math.expression, label: p.math.label, returnData: true },
      ],
    };
  }
  return {
    ...common,
    namespace: p.namespace,
    metricName: p.metricName,
    dimensions: { ...p.dimensions },
    ...(isPercentile(p.statistic) ? { extendedStatistic: p.statistic } : { statistic: p.statistic }),
    ...(p.lowSampleCountPercentiles !== undefined ? { evaluateLowSampleCountPercentiles: p.lowSampleCountPercentiles } : {}),
    period: p.period,
  };
}
