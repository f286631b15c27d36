/** Guardrail `node-alarms`. */
import { LatencyKind, latencyKindOf } from '../../../config/alarms';
import { NODE_DIMENSION, REQUIRED_NODE_ALARMS, RequiredNodeAlarm } from '../../../config/guardrails';
import { ELASTICACHE_NAMESPACE } from '../../monitoring/alarm-plan';
import { Block, TfJson, isExpression, isSet, replicationGroupLayout, resourcesOf } from '../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

/** What one alarm with actions watches on one node. */
interface NodeAlarm {
  /** Its metric, or every input metric of its metric math. */
  readonly metrics: ReadonlySet<string>;
  readonly percentile: boolean;
  readonly treatMissingData: string;
}

/** The node of a metric block: its CacheClusterId dimension in the AWS/ElastiCache namespace. */
function nodeOfMetric(m: Block | undefined): string | undefined {
  if (m?.namespace !== ELASTICACHE_NAMESPACE) return undefined;
  const dimensions = m.dimensions as Record<string, unknown> | undefined;
  const node = dimensions?.[NODE_DIMENSION];
  return typeof node === 'string' ? node : undefined;
}

/** The AWS/ElastiCache metrics an alarm reads, with the node they belong to (its own dimensions or its math inputs'). */
function watched(b: Block): { node?: string; metrics: string[] } {
  const direct = nodeOfMetric(b);
  if (direct !== undefined) return { node: direct, metrics: [String(b.metric_name)] };
  const queries = ([] as unknown[]).concat(b.metric_query ?? []) as Array<Block | undefined>;
  const inputs = queries.map((q) => q?.metric as Block | undefined).filter((m): m is Block => nodeOfMetric(m) !== undefined);
  const nodes = new Set(inputs.map((m) => nodeOfMetric(m)));
  // metric math across nodes watches none of them alone
  return nodes.size === 1 ? { node: [...nodes][0], metrics: inputs.map((m) => String(m.metric_name)) } : { metrics: [] };
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

/** The latency metrics the group's engine version publishes; undefined when its version is only known at apply time. */
function latencyKindOfGroup(rg: Block): LatencyKind | undefined {
  const engine: unknown = rg.engine ?? 'redis';
  const version: unknown = rg.engine_version;
  if (typeof engine !== 'string' || typeof version !== 'string' || isExpression(engine) || isExpression(version)) return undefined;
  return latencyKindOf(engine.toLowerCase(), version);
}

/**
 * The requirements that apply to a node: replicas-only ones on replicas; latency ones by the engine version (when
 * the version is unknown, any latency metric satisfies the latency requirement and no percentile is asked for).
 */
function requirementsFor(role: 'primary' | 'replica', kind: LatencyKind | undefined): RequiredNodeAlarm[] {
  return REQUIRED_NODE_ALARMS.filter((req) => !req.replicasOnly || role === 'replica').flatMap((req) => {
    if (req.latencyKind === undefined || req.latencyKind === kind) return [req];
    if (kind !== undefined || req.latencyKind === 'percentile') return [];
    const twin = REQUIRED_NODE_ALARMS.find((r) => r.latencyKind === 'percentile' && r.name.startsWith(req.name));
    return [{ ...req, metrics: [...req.metrics, ...(twin?.metrics ?? [])] }];
  });
}

function satisfies(alarm: NodeAlarm, req: RequiredNodeAlarm): boolean {
  return (
    req.metrics.some((m) => alarm.metrics.has(m)) &&
    (!req.percentile || alarm.percentile) &&
    (req.treatMissingData === undefined || alarm.treatMissingData === req.treatMissingData)
  );
}

function describeRequirement(req: RequiredNodeAlarm): string {
  const extra = [req.percentile ? 'a percentile' : '', req.treatMissingData ? `missing data ${req.treatMissingData}` : '']
    .filter(Boolean)
    .join(', ');
  return `${req.name} (${req.metrics.join(' or ')}${extra ? `; ${extra}` : ''})`;
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
    const kind = latencyKindOfGroup(r.body);
    return layout.nodes.flatMap((node) => {
      const have = alarmed.get(node.cacheClusterId) ?? [];
      const missing = requirementsFor(node.role, kind)
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
    });
  });
}

export const rule: GuardrailRule = {
  id: 'node-alarms',
  requires:
    'on every member node, each with alarm actions: CPU (or EngineCPU), memory, evictions, connections, read and write latency ' +
    '(p95 where the engine version publishes percentiles), keys without a TTL, authentication failures and a heartbeat that ' +
    'treats missing data as breaching; ReplicationLag on replicas',
  scope: 'all',
  source:
    '004 "CloudWatch Monitoring", "Alerting"; 000 "Key Metrics to Monitor"; 001 "Alert Definitions"; 002 "Alerts"; 003 "Monitoring"; ' +
    'elasticache-facts.md "Node names and metrics"; config/alarms.ts',
  check,
};
