/**
 * The alarm plan: which CloudWatch alarm every member node gets, with its metric, threshold, window and
 * description. Pure, so the construct (./cache-alarms.ts), the dashboard (./dashboard.ts), tests and the README
 * use exactly the same plan. Thresholds: config/alarms.ts.
 */
import { AlarmKey, AlarmThresholds, AlarmWindow, CACHE_NODE_ID, TreatMissingData } from '../../config/alarms';
import { CacheNode } from '../elasticache/member-nodes';

export const ELASTICACHE_NAMESPACE = 'AWS/ElastiCache';

/** What the plan needs of a node type. */
export interface AlarmNodeType {
  readonly name: string;
  /** vCPUs; undefined for a type outside config/node-catalog.ts. */
  readonly vcpu?: number;
  /** Fixed maxclients of the type. */
  readonly maxclients: number;
}

/** One alarm to create, fully resolved: what the construct turns into an `aws_cloudwatch_metric_alarm`. */
export interface AlarmPlan extends AlarmWindow {
  readonly key: AlarmKey;
  readonly alarmName: string;
  readonly node: CacheNode;
  /** The metric alarmed on; for the hit rate, `CacheHitRate` computed from CacheHits and CacheMisses. */
  readonly metricName: string;
  /** Statistic per period (for the hit rate: of CacheHits and CacheMisses). */
  readonly statistic: 'Average' | 'Maximum' | 'Sum';
  readonly comparisonOperator: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  /** Unit of the threshold, as descriptions and the README write it after the number. */
  readonly unit: '%' | 's' | 'bytes' | 'connections' | 'per period';
  /** For the hit rate: lookups a period needs before it yields a datapoint. */
  readonly minimumLookups?: number;
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
};

/** The metric math of the hit-rate alarm and widget: a percentage, or no datapoint when traffic is too low. */
export function hitRateExpression(hits: string, misses: string, minimumLookups: number): string {
  return `IF((${hits} + ${misses}) >= ${minimumLookups}, 100 * ${hits} / (${hits} + ${misses}))`;
}

/** Metric dimensions of one node (see CACHE_NODE_ID in config/alarms.ts for why both). */
export function nodeDimensions(node: CacheNode): Record<string, string> {
  return { CacheClusterId: node.cacheClusterId, CacheNodeId: CACHE_NODE_ID };
}

function missingDataText(t: TreatMissingData): string {
  switch (t) {
    case 'missing':
      return 'no data leaves the alarm in INSUFFICIENT_DATA (node unavailable or replaced: see the ElastiCache events on this topic), never OK';
    case 'notBreaching':
      return 'no data counts as within the threshold';
    case 'breaching':
      return 'no data counts as breaching';
    case 'ignore':
      return 'no data keeps the current state';
  }
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);

function windowText(w: AlarmWindow): string {
  return `${w.datapointsToAlarm} of ${w.evaluationPeriods} x ${w.period} s`;
}

/**
 * The alarms for every node: pure, so tests and the README table use exactly what the construct creates.
 * CPU metric by vCPU count; ReplicationLag on replicas only; connection threshold capped by the node's maxclients.
 */
export function planCacheAlarms(args: {
  readonly nodes: readonly CacheNode[];
  /** The node type: its name, vCPUs (undefined outside the catalog: EngineCPUUtilization is used) and maxclients. */
  readonly nodeType: AlarmNodeType;
  readonly replicationGroupId: string;
  readonly alarmNamePrefix: string;
  readonly thresholds: AlarmThresholds;
}): AlarmPlan[] {
  const { nodes, nodeType, replicationGroupId: rg, alarmNamePrefix: prefix, thresholds: t } = args;
  const connectionsCritical = Math.floor((nodeType.maxclients * t.connectionsCritical.percentOfMaxclients) / 100);
  const cpuCheck =
    'the slow log (CloudWatch Logs, slow-log group) for expensive commands (KEYS, large range reads, Lua) and ' +
    'GetTypeCmds/SetTypeCmds; mostly reads: add a replica and read from it; mostly writes: a larger node type or more shards.';
  const plans: AlarmPlan[] = [];

  for (const node of nodes) {
    const suffix = node.cacheClusterId.slice(rg.length + 1);
    const who = `${node.cacheClusterId} (${node.role} at creation, shard ${node.shard}, ${nodeType.name})`;
    type Watch = Pick<AlarmPlan, 'metricName' | 'statistic' | 'threshold' | 'unit'> &
      Partial<Pick<AlarmPlan, 'comparisonOperator' | 'minimumLookups'>>;
    const add = (key: AlarmKey, watch: Watch, check: string) => {
      const w = t[key];
      const comparisonOperator = watch.comparisonOperator ?? 'GreaterThanThreshold';
      const what = watch.minimumLookups === undefined ? watch.metricName : `${watch.metricName} (= CacheHits / (CacheHits + CacheMisses))`;
      const quiet = watch.minimumLookups === undefined ? '' : `periods with fewer than ${watch.minimumLookups} lookups yield none; `;
      plans.push({
        key,
        alarmName: `${prefix}-${suffix}-${SLUG[key]}`,
        node,
        period: w.period,
        evaluationPeriods: w.evaluationPeriods,
        datapointsToAlarm: w.datapointsToAlarm,
        treatMissingData: w.treatMissingData,
        ...watch,
        comparisonOperator,
        description:
          `${who}: ${what} ${comparisonOperator === 'LessThanThreshold' ? 'below' : 'above'} ${fmt(watch.threshold)} ${watch.unit} ` +
          `in ${windowText(w)}. Check first: ${check} Missing data: ${quiet}${missingDataText(w.treatMissingData)}. Thresholds: config/alarms.ts.`,
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
        'if the data really grew, raise the memory floor (config/scaling.ts) before it reaches the critical level.',
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
        "reads from this replica are stale. The primary's write load (SetTypeCmds, ReplicationBytes), " +
          'NetworkBandwidthOutAllowanceExceeded on the primary, and SaveInProgress (a backup running).',
      );
    }
    add(
      'swap',
      { metricName: 'SwapUsage', statistic: 'Average', threshold: t.swap.bytes, unit: 'bytes' },
      'FreeableMemory and reserved-memory-percent (AWS advises 30-50 % on small nodes); swapping in the backup window means ' +
        'the snapshot fork lacks memory. Raise reserved-memory-percent or scale up.',
    );
    add(
      'hitRate',
      {
        metricName: 'CacheHitRate',
        statistic: 'Sum',
        comparisonOperator: 'LessThanThreshold',
        threshold: t.hitRate.minimumPercent,
        unit: '%',
        minimumLookups: (t.hitRate.minimumLookupsPerMinute * t.hitRate.period) / 60,
      },
      'Evictions (evicted keys become misses), recent TTL changes, and deploys that change how keys are built ' +
        '(inputs must be normalised so that equal requests hash to equal keys).',
    );
  }
  return plans;
}
