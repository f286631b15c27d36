/**
 * CacheAlarms: CloudWatch alarms on every member node of a RedisReplicationGroup, an optional e-mail subscription to
 * the group's encrypted notification topic, and a dashboard with the same metrics for every node.
 *
 * ElastiCache publishes metrics per node, never per replication group, so the node ids are derived from the group's
 * settings (`RedisReplicationGroup.nodes`), never read from `member_clusters` (known only after apply).
 * Thresholds: config/alarms.ts. Alarm names and construct ids are a contract: `alarm_name` forces replacement.
 */
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import {
  ALARM_KEYS, AlarmKey, AlarmOverrides, AlarmThresholds, AlarmWindow, CACHE_NODE_ID, CLOUDWATCH_ALARM_LIMITS,
  DEFAULT_ALARM_THRESHOLDS, TREAT_MISSING_DATA, TreatMissingData, mergeAlarmThresholds,
} from '../config/alarms';
import { NodeType } from '../config/node-catalog';
import { CacheNode, RedisReplicationGroup } from './redis-replication-group';
import { PropErrors, describe, isIntegerIn, isUnresolved } from './validation';

export const ELASTICACHE_NAMESPACE = 'AWS/ElastiCache';

export interface CacheAlarmsProps {
  /** The replication group to watch: the construct itself, whose settings give the member node ids and node type. */
  readonly replicationGroup: RedisReplicationGroup;
  /**
   * Prefix of every alarm name and the dashboard's name: letters, digits, `-` and `_`.
   * @default the replication group id, which is already environment-prefixed (e.g. `isl-cache-production`)
   */
  readonly alarmNamePrefix?: string;
  /**
   * Overrides of the thresholds and windows in config/alarms.ts, alarm by alarm and field by field.
   * @default none: DEFAULT_ALARM_THRESHOLDS
   */
  readonly thresholds?: AlarmOverrides;
  /**
   * E-mail address subscribed to the group's notification topic (the recipient confirms the subscription once).
   * @default none: no subscription
   */
  readonly alarmEmail?: string;
  /**
   * Create a CloudWatch dashboard named after the prefix, with one widget per metric showing every node.
   * @default true
   */
  readonly dashboard?: boolean;
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
const SLUG: Record<AlarmKey, string> = {
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

const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

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
    case 'missing': return 'no data leaves the alarm in INSUFFICIENT_DATA (node unavailable or replaced: see the ElastiCache events on this topic), never OK';
    case 'notBreaching': return 'no data counts as within the threshold';
    case 'breaching': return 'no data counts as breaching';
    case 'ignore': return 'no data keeps the current state';
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
  readonly nodeType: NodeType;
  readonly replicationGroupId: string;
  readonly alarmNamePrefix: string;
  readonly thresholds: AlarmThresholds;
}): AlarmPlan[] {
  const { nodes, nodeType, replicationGroupId: rg, alarmNamePrefix: prefix, thresholds: t } = args;
  const connectionsCritical = Math.floor(nodeType.maxclients * t.connectionsCritical.percentOfMaxclients / 100);
  const cpuCheck = 'the slow log (CloudWatch Logs, slow-log group) for expensive commands (KEYS, large range reads, Lua) and '
    + 'GetTypeCmds/SetTypeCmds; mostly reads: add a replica and read from it; mostly writes: a larger node type or more shards.';
  const plans: AlarmPlan[] = [];

  for (const node of nodes) {
    const suffix = node.cacheClusterId.slice(rg.length + 1);
    const who = `${node.cacheClusterId} (${node.role} at creation, shard ${node.shard}, ${nodeType.name})`;
    type Watch = Pick<AlarmPlan, 'metricName' | 'statistic' | 'threshold' | 'unit'> & Partial<Pick<AlarmPlan, 'comparisonOperator' | 'minimumLookups'>>;
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
        description: `${who}: ${what} ${comparisonOperator === 'LessThanThreshold' ? 'below' : 'above'} ${fmt(watch.threshold)} ${watch.unit} `
          + `in ${windowText(w)}. Check first: ${check} Missing data: ${quiet}${missingDataText(w.treatMissingData)}. Thresholds: config/alarms.ts.`,
      });
    };

    if (nodeType.vcpu <= t.cpu.hostMetricMaxVcpu) {
      add('cpu', { metricName: 'CPUUtilization', statistic: 'Average', threshold: t.cpu.hostCpuPercentOfOneCore / nodeType.vcpu, unit: '%' },
        `the engine is single-threaded: this is ${fmt(t.cpu.hostCpuPercentOfOneCore)} % of one core on ${nodeType.vcpu} vCPU. ${cpuCheck}`);
    } else {
      add('cpu', { metricName: 'EngineCPUUtilization', statistic: 'Average', threshold: t.cpu.engineCpuPercent, unit: '%' }, cpuCheck);
    }
    add('memoryWarning', { metricName: 'DatabaseMemoryUsagePercentage', statistic: 'Average', threshold: t.memoryWarning.thresholdPercent, unit: '%' },
      'growth of CurrItems, keys without a TTL (every key must have one), the biggest keys (redis-cli --bigkeys); '
      + 'if the data really grew, raise the memory floor (config/scaling.ts) before it reaches the critical level.');
    add('memoryCritical', { metricName: 'DatabaseMemoryUsagePercentage', statistic: 'Average', threshold: t.memoryCritical.thresholdPercent, unit: '%' },
      'the node evicts (allkeys-lru): Evictions and the hit rate. Shorten the TTL of the dominant key type or scale up the node type now.');
    add('evictions', { metricName: 'Evictions', statistic: 'Sum', threshold: t.evictions.perMinute * t.evictions.period / 60, unit: 'per period' },
      `DatabaseMemoryUsagePercentage: below ${fmt(t.memoryCritical.thresholdPercent)} % this is warm-up, above it memory is short; `
      + 'the key types that dominate (redis-cli --scan | cut -d: -f2 | sort | uniq -c); scale up or shorten TTLs.');
    add('connectionsWarning', { metricName: 'CurrConnections', statistic: 'Average', threshold: Math.min(t.connectionsWarning.count, connectionsCritical), unit: 'connections' },
      'far more connections than the client pools open: a connection leak or a reconnect storm. NewConnections (churn), '
      + 'the clients\' pool settings and their recent deploys or scale-outs.');
    add('connectionsCritical', { metricName: 'CurrConnections', statistic: 'Average', threshold: connectionsCritical, unit: 'connections' },
      `${fmt(t.connectionsCritical.percentOfMaxclients)} % of maxclients (${nodeType.maxclients}): new connections will soon be refused. `
      + 'Find the clients holding connections (CLIENT LIST, by address), restart the leaking ones, lower their pool sizes.');
    if (node.role === 'replica') {
      add('replicationLag', { metricName: 'ReplicationLag', statistic: 'Maximum', threshold: t.replicationLag.seconds, unit: 's' },
        'reads from this replica are stale. The primary\'s write load (SetTypeCmds, ReplicationBytes), '
        + 'NetworkBandwidthOutAllowanceExceeded on the primary, and SaveInProgress (a backup running).');
    }
    add('swap', { metricName: 'SwapUsage', statistic: 'Average', threshold: t.swap.bytes, unit: 'bytes' },
      'FreeableMemory and reserved-memory-percent (AWS advises 30-50 % on small nodes); swapping in the backup window means '
      + 'the snapshot fork lacks memory. Raise reserved-memory-percent or scale up.');
    add('hitRate', {
      metricName: 'CacheHitRate', statistic: 'Sum', comparisonOperator: 'LessThanThreshold', threshold: t.hitRate.minimumPercent, unit: '%',
      minimumLookups: t.hitRate.minimumLookupsPerMinute * t.hitRate.period / 60,
    }, 'Evictions (evicted keys become misses), recent TTL changes, and deploys that change how keys are built '
      + '(inputs must be normalised so that equal requests hash to equal keys).');
  }
  return plans;
}

/** Props with defaults applied and every problem checked. */
export interface ResolvedCacheAlarms {
  readonly replicationGroup: RedisReplicationGroup;
  readonly alarmNamePrefix: string;
  readonly thresholds: AlarmThresholds;
  readonly plans: readonly AlarmPlan[];
  readonly alarmEmail?: string;
  readonly dashboard: boolean;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isWhole = (v: unknown, min: number): v is number => isIntegerIn(v, min, Number.MAX_SAFE_INTEGER);

function checkWindow(errors: PropErrors, at: string, w: AlarmWindow): void {
  const L = CLOUDWATCH_ALARM_LIMITS;
  const periodOk = isWhole(w.period, L.periodMultipleSeconds) && w.period % L.periodMultipleSeconds === 0;
  errors.check(periodOk, `${at}.period`, `a positive multiple of ${L.periodMultipleSeconds} seconds (ElastiCache publishes once a minute)`, w.period);
  const evalOk = isWhole(w.evaluationPeriods, 1);
  errors.check(evalOk, `${at}.evaluationPeriods`, 'a whole number ≥ 1', w.evaluationPeriods);
  if (periodOk && evalOk) {
    errors.check(w.period * w.evaluationPeriods <= L.maxEvaluationWindowSeconds, `${at}.evaluationPeriods`,
      `at most ${Math.floor(L.maxEvaluationWindowSeconds / w.period)} with period ${w.period} (period × evaluationPeriods ≤ ${L.maxEvaluationWindowSeconds} s, one day)`,
      w.evaluationPeriods);
  }
  errors.check(isWhole(w.datapointsToAlarm, 1) && (!evalOk || w.datapointsToAlarm <= w.evaluationPeriods), `${at}.datapointsToAlarm`,
    `a whole number from 1 to evaluationPeriods (${describe(w.evaluationPeriods)})`, w.datapointsToAlarm);
  errors.check((TREAT_MISSING_DATA as readonly string[]).includes(w.treatMissingData), `${at}.treatMissingData`,
    `one of ${TREAT_MISSING_DATA.join(', ')}`, w.treatMissingData);
}

function checkThresholds(errors: PropErrors, override: AlarmOverrides | undefined, t: AlarmThresholds): void {
  for (const [key, fields] of Object.entries(override ?? {})) {
    if (!(ALARM_KEYS as string[]).includes(key)) {
      errors.check(false, 'thresholds', `keys among ${ALARM_KEYS.join(', ')}`, key);
      continue;
    }
    const known = Object.keys(DEFAULT_ALARM_THRESHOLDS[key as AlarmKey]);
    for (const field of Object.keys(fields ?? {})) {
      errors.check(known.includes(field), `thresholds.${key}`, `fields among ${known.join(', ')}`, field);
    }
  }
  for (const key of ALARM_KEYS) checkWindow(errors, `thresholds.${key}`, t[key]);

  const percent = (at: string, v: unknown) => errors.check(isNumber(v) && v > 0 && v <= 100, at, 'a percentage above 0 and at most 100', v);
  errors.check(isWhole(t.cpu.hostMetricMaxVcpu, 1), 'thresholds.cpu.hostMetricMaxVcpu', 'a whole number ≥ 1', t.cpu.hostMetricMaxVcpu);
  percent('thresholds.cpu.hostCpuPercentOfOneCore', t.cpu.hostCpuPercentOfOneCore);
  percent('thresholds.cpu.engineCpuPercent', t.cpu.engineCpuPercent);
  percent('thresholds.memoryWarning.thresholdPercent', t.memoryWarning.thresholdPercent);
  percent('thresholds.memoryCritical.thresholdPercent', t.memoryCritical.thresholdPercent);
  if (isNumber(t.memoryWarning.thresholdPercent) && isNumber(t.memoryCritical.thresholdPercent)) {
    errors.check(t.memoryWarning.thresholdPercent < t.memoryCritical.thresholdPercent, 'thresholds.memoryWarning.thresholdPercent',
      `below memoryCritical.thresholdPercent (${t.memoryCritical.thresholdPercent})`, t.memoryWarning.thresholdPercent);
  }
  errors.check(isNumber(t.evictions.perMinute) && t.evictions.perMinute >= 0, 'thresholds.evictions.perMinute', 'a number ≥ 0', t.evictions.perMinute);
  errors.check(isWhole(t.connectionsWarning.count, 1), 'thresholds.connectionsWarning.count', 'a whole number ≥ 1', t.connectionsWarning.count);
  percent('thresholds.connectionsCritical.percentOfMaxclients', t.connectionsCritical.percentOfMaxclients);
  errors.check(isNumber(t.replicationLag.seconds) && t.replicationLag.seconds > 0, 'thresholds.replicationLag.seconds', 'a number of seconds > 0', t.replicationLag.seconds);
  errors.check(isWhole(t.swap.bytes, 0), 'thresholds.swap.bytes', 'a whole number of bytes ≥ 0', t.swap.bytes);
  percent('thresholds.hitRate.minimumPercent', t.hitRate.minimumPercent);
  errors.check(isNumber(t.hitRate.minimumLookupsPerMinute) && t.hitRate.minimumLookupsPerMinute > 0, 'thresholds.hitRate.minimumLookupsPerMinute',
    'a number > 0', t.hitRate.minimumLookupsPerMinute);
}

/** Apply defaults and validate every prop and threshold. Throws one Error listing every problem; creates nothing. */
export function resolveCacheAlarmsProps(props: CacheAlarmsProps): ResolvedCacheAlarms {
  const errors = new PropErrors('CacheAlarms');
  const rg = props.replicationGroup;
  const rgOk = rg instanceof RedisReplicationGroup;
  errors.check(rgOk, 'replicationGroup', 'a RedisReplicationGroup construct (the object, not its id)', rg);

  const prefix = props.alarmNamePrefix ?? (rgOk ? rg.settings.replicationGroupId : '');
  const L = CLOUDWATCH_ALARM_LIMITS;
  errors.check(typeof prefix === 'string' && NAME_PATTERN.test(prefix) && prefix.length <= L.dashboardNameMaxLength, 'alarmNamePrefix',
    `1–${L.dashboardNameMaxLength} letters, digits, "-" or "_" (it also names the dashboard)`, prefix);

  const thresholds = mergeAlarmThresholds(props.thresholds);
  checkThresholds(errors, props.thresholds, thresholds);

  if (props.alarmEmail !== undefined && !isUnresolved(props.alarmEmail)) {
    errors.check(typeof props.alarmEmail === 'string' && EMAIL_PATTERN.test(props.alarmEmail), 'alarmEmail', 'an e-mail address', props.alarmEmail);
  }
  errors.check(props.dashboard === undefined || typeof props.dashboard === 'boolean', 'dashboard', 'true or false', props.dashboard);

  let plans: AlarmPlan[] = [];
  if (rgOk && !errors.list.length) {
    plans = planCacheAlarms({
      nodes: rg.nodes, nodeType: rg.settings.node, replicationGroupId: rg.settings.replicationGroupId, alarmNamePrefix: prefix, thresholds,
    });
    for (const p of plans) {
      errors.check(p.alarmName.length <= L.alarmNameMaxLength, 'alarmNamePrefix', `short enough for alarm names of at most ${L.alarmNameMaxLength} characters`, p.alarmName);
      errors.check(p.description.length <= L.alarmDescriptionMaxLength, `thresholds.${p.key}`, `an alarm description of at most ${L.alarmDescriptionMaxLength} characters`, p.description.length);
    }
  }
  errors.throwIfAny();
  return { replicationGroup: rg, alarmNamePrefix: prefix, thresholds, plans, alarmEmail: props.alarmEmail, dashboard: props.dashboard ?? true };
}

export class CacheAlarms extends Construct {
  /** Thresholds in force: config/alarms.ts with the overrides applied. */
  readonly thresholds: AlarmThresholds;
  readonly alarmNamePrefix: string;
  /** What each alarm watches, in creation order (node by node). */
  readonly plans: readonly AlarmPlan[];
  readonly alarms: readonly CloudwatchMetricAlarm[];
  readonly dashboard?: CloudwatchDashboard;
  readonly emailSubscription?: SnsTopicSubscription;

  constructor(scope: Construct, id: string, props: CacheAlarmsProps) {
    // validate before creating anything, so a bad prop leaves nothing half-written in the tree
    const r = resolveCacheAlarmsProps(props);
    super(scope, id);
    this.thresholds = r.thresholds;
    this.alarmNamePrefix = r.alarmNamePrefix;
    this.plans = r.plans;
    const topicArn = r.replicationGroup.notificationTopic.arn;
    const rg = r.replicationGroup.settings.replicationGroupId;

    this.alarms = r.plans.map((p) => {
      const common = {
        alarmName: p.alarmName,
        alarmDescription: p.description,
        comparisonOperator: p.comparisonOperator,
        threshold: p.threshold,
        evaluationPeriods: p.evaluationPeriods,
        datapointsToAlarm: p.datapointsToAlarm,
        treatMissingData: p.treatMissingData,
        alarmActions: [topicArn],
        okActions: [topicArn],
      };
      const constructId = `${p.node.cacheClusterId.slice(rg.length + 1)}-${SLUG[p.key]}`;
      if (p.minimumLookups !== undefined) {
        const metric = (metricName: string) => ({
          namespace: ELASTICACHE_NAMESPACE, metricName, dimensions: nodeDimensions(p.node), period: p.period, stat: p.statistic,
        });
        return new CloudwatchMetricAlarm(this, constructId, {
          ...common,
          metricQuery: [
            { id: 'hits', metric: metric('CacheHits'), returnData: false },
            { id: 'misses', metric: metric('CacheMisses'), returnData: false },
            { id: 'hit_rate', expression: hitRateExpression('hits', 'misses', p.minimumLookups), label: 'Cache hit rate (%)', returnData: true },
          ],
        });
      }
      return new CloudwatchMetricAlarm(this, constructId, {
        ...common,
        namespace: ELASTICACHE_NAMESPACE,
        metricName: p.metricName,
        dimensions: nodeDimensions(p.node),
        statistic: p.statistic,
        period: p.period,
      });
    });

    if (r.alarmEmail !== undefined) {
      this.emailSubscription = new SnsTopicSubscription(this, 'alarm-email', { topicArn, protocol: 'email', endpoint: r.alarmEmail });
    }

    if (r.dashboard) {
      const region = new DataAwsRegion(this, 'region');
      this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
        dashboardName: r.alarmNamePrefix,
        dashboardBody: JSON.stringify({ widgets: dashboardWidgets(r.plans, region.region) }),
      });
    }
  }
}

/** One graph per metric, one line per node that has the alarm, the alarm thresholds as horizontal lines. */
export function dashboardWidgets(plans: readonly AlarmPlan[], region: string): object[] {
  // in the order of config/alarms.ts, whichever node comes first (ReplicationLag exists on replicas only)
  const ordered = [...plans].sort((a, b) => ALARM_KEYS.indexOf(a.key) - ALARM_KEYS.indexOf(b.key));
  const byMetric = new Map<string, AlarmPlan[]>();
  for (const p of ordered) byMetric.set(p.metricName, [...(byMetric.get(p.metricName) ?? []), p]);

  return [...byMetric.entries()].map(([metricName, group], i) => {
    const first = group[0];
    const nodes = [...new Map(group.map((p) => [p.node.cacheClusterId, p.node])).values()];
    const dims = (n: CacheNode) => Object.entries(nodeDimensions(n)).flat();
    const label = (n: CacheNode) => `${n.cacheClusterId} (${n.role})`;
    const metrics = first.minimumLookups !== undefined
      ? nodes.flatMap((n, j) => [
        [ELASTICACHE_NAMESPACE, 'CacheHits', ...dims(n), { id: `hits${j}`, stat: 'Sum', visible: false }],
        [ELASTICACHE_NAMESPACE, 'CacheMisses', ...dims(n), { id: `misses${j}`, stat: 'Sum', visible: false }],
        [{ id: `rate${j}`, expression: hitRateExpression(`hits${j}`, `misses${j}`, first.minimumLookups!), label: label(n) }],
      ])
      : nodes.map((n) => [ELASTICACHE_NAMESPACE, metricName, ...dims(n), { label: label(n) }]);
    const thresholds = [...new Map(group.map((p) => [`${p.key}:${p.threshold}`, p])).values()];
    return {
      type: 'metric',
      x: (i % 2) * 12,
      y: Math.floor(i / 2) * 6,
      width: 12,
      height: 6,
      properties: {
        title: first.minimumLookups !== undefined ? 'Cache hit rate (%): CacheHits / (CacheHits + CacheMisses)' : metricName,
        view: 'timeSeries',
        stacked: false,
        region,
        period: first.period,
        stat: first.statistic,
        metrics,
        annotations: { horizontal: thresholds.map((p) => ({ label: `${SLUG[p.key]} alarm`, value: p.threshold })) },
        yAxis: { left: { min: 0 } },
      },
    };
  });
}
