/**
 * The CloudWatch dashboard body of CacheAlarms: one graph per alarmed metric (and statistic), one line per node, the
 * thresholds drawn in.
 */
import { ELASTICACHE_NAMESPACE } from '../facts/cloudwatch';
import { ALARM_KEYS } from './defaults';
import { CacheNode } from '../elasticache/member-nodes';
import { AlarmPlan, SLUG, nodeDimensions } from './alarm-plan';

/** Renames the query ids of a metric-math expression (`hits` → `hits0`), so that several nodes share one graph. */
function renameIds(expression: string, ids: readonly string[], suffix: string): string {
  return ids.reduce((e, id) => e.replace(new RegExp(`\\b${id}\\b`, 'g'), `${id}${suffix}`), expression);
}

/** Title of a graph: the metric, or the math's label and formula; the statistic when it is not the usual average. */
function titleOf(p: AlarmPlan): string {
  if (p.math !== undefined) return `${p.math.label}: ${p.math.formula}`;
  if (p.key === 'nodeDown') return `Heartbeat: ${p.metricName} datapoints per minute (SampleCount; a gap is a node down)`;
  if (p.key === 'slowCommands') return `Slow log: longest command per minute (${p.namespace} ${p.metricName}, microseconds)`;
  if (p.unit === 'microseconds') return `${p.metricName} (${p.statistic}, microseconds)`;
  return p.metricName;
}

/** One graph per metric and statistic, one line per node that has the alarm, the alarm thresholds as horizontal lines. */
export function dashboardWidgets(plans: readonly AlarmPlan[], region: string): object[] {
  // in the order of the defaults (./defaults.ts), whichever node comes first (ReplicationLag exists on replicas only)
  const ordered = [...plans].sort((a, b) => ALARM_KEYS.indexOf(a.key) - ALARM_KEYS.indexOf(b.key));
  const byGraph = new Map<string, AlarmPlan[]>();
  for (const p of ordered) {
    const graph = `${p.metricName}|${p.statistic}`;
    byGraph.set(graph, [...(byGraph.get(graph) ?? []), p]);
  }

  return [...byGraph.values()].map((group, i) => {
    const first = group[0];
    const perNode = [...new Map(group.map((p) => [p.node.cacheClusterId, p])).values()];
    const nodes = perNode.map((p) => p.node);
    const dims = (n: CacheNode) => Object.entries(nodeDimensions(n)).flat();
    const label = (n: CacheNode) => `${n.cacheClusterId} (${n.role})`;
    const math = first.math;
    const metrics =
      math !== undefined
        ? nodes.flatMap((n, j) => [
            ...math.inputs.map((input) => [
              ELASTICACHE_NAMESPACE,
              input.metricName,
              ...dims(n),
              { id: `${input.id}${j}`, stat: input.stat, visible: false },
            ]),
            [
              {
                id: `${math.id}${j}`,
                expression: renameIds(
                  math.expression,
                  math.inputs.map((input) => input.id),
                  String(j),
                ),
                label: label(n),
              },
            ],
          ])
        : perNode.map((p) => [p.namespace, p.metricName, ...Object.entries(p.dimensions).flat(), { label: label(p.node) }]);
    const thresholds = [...new Map(group.map((p) => [`${p.key}:${p.threshold}`, p])).values()];
    return {
      type: 'metric',
      x: (i % 2) * 12,
      y: Math.floor(i / 2) * 6,
      width: 12,
      height: 6,
      properties: {
        title: titleOf(first),
        view: 'timeSeries',
        stacked: false,
        region,
        period: first.period,
        stat: math !== undefined ? math.inputs[0].stat : first.statistic,
        metrics,
        annotations: { horizontal: thresholds.map((p) => ({ label: `${SLUG[p.key]} alarm`, value: p.threshold })) },
        yAxis: { left: { min: 0 } },
      },
    };
  });
}
