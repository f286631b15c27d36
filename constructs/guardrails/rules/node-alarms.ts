/** Guardrail `node-alarms`. */
import { NODE_DIMENSION, REQUIRED_NODE_ALARMS } from '../../../config/guardrails';
import { ELASTICACHE_NAMESPACE } from '../../monitoring/alarm-plan';
import { TfJson, isSet, replicationGroupLayout, resourcesOf } from '../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

/** Alarms per node id: the metric names of its AWS/ElastiCache alarms that have alarm actions. */
function alarmedMetricsByNode(json: TfJson): Map<string, Set<string>> {
  const byNode = new Map<string, Set<string>>();
  for (const a of resourcesOf(json, 'aws_cloudwatch_metric_alarm')) {
    const b = a.body;
    const node = b.dimensions?.[NODE_DIMENSION];
    const hasActions = Array.isArray(b.alarm_actions) ? b.alarm_actions.some(isSet) : isSet(b.alarm_actions);
    if (b.namespace !== ELASTICACHE_NAMESPACE || typeof node !== 'string' || !hasActions || b.actions_enabled === false) continue;
    if (!byNode.has(node)) byNode.set(node, new Set());
    byNode.get(node)!.add(b.metric_name);
  }
  return byNode;
}

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const rgs = groups(ctx);
  if (!rgs.length) return [];
  const alarmed = alarmedMetricsByNode(ctx.json);
  return rgs.flatMap((r) => {
    const layout = replicationGroupLayout(r.body);
    if (!layout) {
      return [
        { resource: r.address, message: `${rgName(r)}: node count or id is only known at apply time; its node alarms cannot be checked` },
      ];
    }
    return layout.nodes.flatMap((node) => {
      const have = alarmed.get(node.cacheClusterId) ?? new Set<string>();
      const missing = REQUIRED_NODE_ALARMS.filter((req) => !req.replicasOnly || node.role === 'replica')
        .filter((req) => !req.metrics.some((m) => have.has(m)))
        .map((req) => `${req.name} (${req.metrics.join(' or ')})`);
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
    'on every member node: CPU (or EngineCPU), memory, evictions and connections alarms (ReplicationLag on replicas), each with alarm actions',
  scope: 'all',
  source: '004 "CloudWatch Monitoring"; 000 "Key Metrics to Monitor"; elasticache-facts.md "Node names and metrics"',
  check,
};
