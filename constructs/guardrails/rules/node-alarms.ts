/** Guardrail `node-alarms`. */
import { ELASTICACHE_NAMESPACE, publishesLatencyPercentiles } from '../../facts/cloudwatch';
import { NODE_DIMENSION, REQUIRED_NODE_ALARMS, RequiredNodeAlarm, SLOW_LOG_PUBLICATION } from '../data';
import {
  Block,
  TfJson,
  TfResource,
  isExpression,
  isSet,
  isTrue,
  referencedAddresses,
  refersTo,
  replicationGroupLayout,
  resourceAt,
  resourcesOf,
} from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

/** The namespaces whose metrics name a node by CacheClusterId: ElastiCache's, and the slow-log metric's. */
const NODE_NAMESPACES = [ELASTICACHE_NAMESPACE, SLOW_LOG_PUBLICATION.metric.namespace];
const metricKey = (namespace: string, metric: string) => `${namespace} ${metric}`;
const list = (v: unknown): Block[] => ([] as unknown[]).concat(v ?? []).filter((b): b is Block => typeof b === 'object' && b !== null);

/** What one alarm with actions watches on one node. */
interface NodeAlarm {
  /** Its metric, or every input metric of its metric math, as `<namespace> <metric>`. */
  readonly metrics: ReadonlySet<string>;
  readonly percentile: boolean;
  readonly treatMissingData: string;
}

/** The node of a metric block: its CacheClusterId dimension in a namespace of NODE_NAMESPACES. */
function nodeOfMetric(m: Block | undefined): string | undefined {
  if (typeof m?.namespace !== 'string' || !NODE_NAMESPACES.includes(m.namespace)) return undefined;
  const dimensions = m.dimensions as Record<string, unknown> | undefined;
  const node = dimensions?.[NODE_DIMENSION];
  return typeof node === 'string' ? node : undefined;
}

/** The AWS/ElastiCache metrics an alarm reads, with the node they belong to (its own dimensions or its math inputs'). */
function watched(b: Block): { node?: string; metrics: string[] } {
  const direct = nodeOfMetric(b);
  if (direct !== undefined) return { node: direct, metrics: [metricKey(String(b.namespace), String(b.metric_name))] };
  const queries = ([] as unknown[]).concat(b.metric_query ?? []) as Array<Block | undefined>;
  const inputs = queries.map((q) => q?.metric as Block | undefined).filter((m): m is Block => nodeOfMetric(m) !== undefined);
  const nodes = new Set(inputs.map((m) => nodeOfMetric(m)));
  // metric math across nodes watches none of them alone
  return nodes.size === 1
    ? { node: [...nodes][0], metrics: inputs.map((m) => metricKey(String(m.namespace), String(m.metric_name))) }
    : { metrics: [] };
}

/** Alarms with actions per node id. */
function alarmsByNode(json: TfJson): Map<string, NodeAlarm[]> {
  const byNode = new Map<string, NodeAlarm[]>();
  for (const a of resourcesOf(json, 'aws_cloudwatch_metric_alarm')) {
    const b = a.body;
    const hasActions = Array.isArray(b.alarm_actions) ? b.alarm_actions.some(isSet) : isSet(b.alarm_actions);
    const { node, metrics } = watched(b);
    if (node === undefined || !hasActions || b.actions_enabled === false) continue;
    const alarm: NodeAlarm = {
      metrics: new Set(metrics),
      percentile: typeof b.extended_statistic === 'string' && /^p\d/.test(b.extended_statistic),
      treatMissingData: typeof b.treat_missing_data === 'string' ? b.treat_missing_data : 'missing',
    };
    byNode.set(node, [...(byNode.get(node) ?? []), alarm]);
  }
  return byNode;
}

/** Whether the group's engine version publishes latency percentiles; undefined when its version is only known at apply time. */
function latencyPercentilesOf(rg: Block): boolean | undefined {
  const engine: unknown = rg.engine ?? 'redis';
  const version: unknown = rg.engine_version;
  if (typeof engine !== 'string' || typeof version !== 'string' || isExpression(engine) || isExpression(version)) return undefined;
  return publishesLatencyPercentiles(engine.toLowerCase(), version);
}

/**
 * The requirements that apply to a node: replicas-only ones on replicas; the latency percentiles where the engine
 * version publishes them (not asked when the version is known only at apply time).
 */
function requirementsFor(role: 'primary' | 'replica', percentiles: boolean | undefined): RequiredNodeAlarm[] {
  return REQUIRED_NODE_ALARMS.filter(
    (req) => (!req.replicasOnly || role === 'replica') && (!req.latencyPercentiles || percentiles === true),
  );
}

function satisfies(alarm: NodeAlarm, req: RequiredNodeAlarm): boolean {
  const namespace = req.namespace ?? ELASTICACHE_NAMESPACE;
  return (
    req.metrics.some((m) => alarm.metrics.has(metricKey(namespace, m))) &&
    (!req.percentile || alarm.percentile) &&
    (req.treatMissingData === undefined || alarm.treatMissingData === req.treatMissingData)
  );
}

/** True when a transformer's processors turn the delivered format into SLOW_LOG_RECORD's keys. */
function transformsSlowLog(transformer: Block, logFormat: unknown): boolean {
  const R = SLOW_LOG_PUBLICATION.record;
  const processors = list(transformer.transformer_config);
  const first = processors[0] ?? {};
  const blocks = (name: string) => processors.flatMap((p) => list(p[name]));
  if (logFormat === 'text') {
    const csv = list(first.csv).at(0);
    const columns = Array.isArray(csv?.columns) ? (csv.columns as unknown[]) : [];
    const converts = blocks('type_converter').some((c) =>
      list(c.entry).some((e) => e.key === R.durationKey && (e.type === 'integer' || e.type === 'double')),
    );
    return columns.join(',') === R.textColumns.join(',') && converts;
  }
  return (
    list(first.parse_json).length > 0 &&
    blocks('rename_keys').some((r) => list(r.entry).some((e) => e.key === R.jsonDurationKey && e.rename_to === R.durationKey))
  );
}

/** Refers to the log group: by the resource address, or by its literal name (ARN). */
function isOfLogGroup(value: unknown, group: TfResource | undefined, name: unknown, arn = false): boolean {
  if (group !== undefined && refersTo(value, group.address)) return true;
  if (typeof value !== 'string' || typeof name !== 'string' || isExpression(name)) return false;
  return arn ? value.endsWith(`:log-group:${name}`) : value === name;
}

/**
 * Why SLOW_LOG_METRIC is not published for the group's nodes, or undefined when it is: a slow-log delivery to
 * CloudWatch Logs, a metric filter on that log group publishing the metric per CacheClusterId from the transformed
 * records, and a transformer on that log group that produces the fields from the delivered format.
 */
function slowLogProblem(json: TfJson, rg: TfResource): string | undefined {
  const P = SLOW_LOG_PUBLICATION;
  const metric = `${P.metric.namespace}/${P.metric.metricName}`;
  const delivery = list(rg.body.log_delivery_configuration).find(
    (l) => l.log_type === 'slow-log' && l.destination_type === 'cloudwatch-logs',
  );
  if (delivery === undefined) return `delivers no slow log to CloudWatch Logs, so no metric filter can publish ${metric}`;
  const group = referencedAddresses(delivery.destination)
    .map((a) => resourceAt(json, a))
    .find((g) => g?.type === 'aws_cloudwatch_log_group');
  const name: unknown = group ? group.body.name : delivery.destination;
  const where = `its slow-log group ${typeof name === 'string' ? name : '?'} (${String(delivery.log_format ?? 'json')})`;
  const filters = resourcesOf(json, 'aws_cloudwatch_log_metric_filter').filter(
    (f) =>
      isOfLogGroup(f.body.log_group_name, group, name) &&
      list(f.body.metric_transformation).some(
        (m) =>
          m.namespace === P.metric.namespace &&
          m.name === P.metric.metricName &&
          m.value === P.value &&
          (m.dimensions as Block | undefined)?.[P.metric.dimension] === P.dimensionValue,
      ),
  );
  if (!filters.length) {
    return `no metric filter on ${where} publishes ${metric} (value ${P.value}, dimension ${P.metric.dimension} = ${P.dimensionValue})`;
  }
  const transformed = resourcesOf(json, 'aws_cloudwatch_log_transformer').some(
    (t) => isOfLogGroup(t.body.log_group_arn, group, name, true) && transformsSlowLog(t.body, delivery.log_format ?? 'json'),
  );
  if (!filters.some((f) => isTrue(f.body.apply_on_transformed_logs)) || !transformed) {
    return (
      `the metric filter on ${where} reads ${P.value}, which only a transformer on that log group creates ` +
      `(${delivery.log_format === 'text' ? 'csv columns and type_converter' : 'parse_json and rename_keys of "Duration (us)"'}), ` +
      'with apply_on_transformed_logs = true'
    );
  }
  return undefined;
}

function describeRequirement(req: RequiredNodeAlarm): string {
  const extra = [req.percentile ? 'a percentile' : '', req.treatMissingData ? `missing data ${req.treatMissingData}` : '']
    .filter(Boolean)
    .join(', ');
  const namespace = req.namespace === undefined ? '' : `${req.namespace} `;
  return `${req.name} (${namespace}${req.metrics.join(' or ')}${extra ? `; ${extra}` : ''})`;
}

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const rgs = groups(ctx);
  if (!rgs.length) return [];
  const alarmed = alarmsByNode(ctx.json);
  return rgs.flatMap((r) => {
    const layout = replicationGroupLayout(r.body);
    if (!layout) {
      return [
        { resource: r.address, message: `${rgName(r)}: node count or id is only known at apply time; its node alarms cannot be checked` },
      ];
    }
    const percentiles = latencyPercentilesOf(r.body);
    const slowLog = slowLogProblem(ctx.json, r);
    const published =
      slowLog === undefined ? [] : [{ resource: r.address, message: `${rgName(r)}: the slow-commands alarms watch nothing: ${slowLog}` }];
    return [
      ...published,
      ...layout.nodes.flatMap((node) => {
        const have = alarmed.get(node.cacheClusterId) ?? [];
        const missing = requirementsFor(node.role, percentiles)
          .filter((req) => !have.some((a) => satisfies(a, req)))
          .map(describeRequirement);
        return missing.length
          ? [
              {
                resource: r.address,
                message: `node ${node.cacheClusterId} (${node.role}) has no alarm with actions for: ${missing.join(', ')}`,
              },
            ]
          : [];
      }),
    ];
  });
}

export const rule: GuardrailRule = {
  id: 'node-alarms',
  requires:
    'on every member node, each with alarm actions: CPU (or EngineCPU), memory, evictions, connections, slow commands (the ' +
    'slow log published per node by a metric filter over a transformer), read and write latency p95 where the engine version ' +
    'publishes percentiles, keys without a TTL, authentication failures and a heartbeat that treats missing data as ' +
    'breaching; ReplicationLag on replicas',
  source:
    '004 "CloudWatch Monitoring", "Alerting"; 000 "Key Metrics to Monitor"; 001 "Alert Definitions"; 002 "Alerts"; 003 "Monitoring"; ' +
    'elasticache-facts.md "Node names and metrics"; ElastiCache "Log delivery"; CloudWatch Logs "Filter pattern syntax", ' +
    '"Transform logs during ingestion"; constructs/monitoring/defaults.ts',
  check,
};
