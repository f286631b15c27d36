/**
 * The CloudWatch dashboard body of CacheAlarms: one graph per metric, one line per node, the thresholds drawn in.
 */
import { ALARM_KEYS } from '../../config/alarms';
import { CacheNode } from '../elasticache/member-nodes';
import { AlarmPlan, ELASTICACHE_NAMESPACE, SLUG, hitRateExpression, nodeDimensions } from './alarm-plan';

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
    const metrics =
      first.minimumLookups !== undefined
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
