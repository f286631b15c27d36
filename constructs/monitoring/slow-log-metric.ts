/**
 * The slow log as a metric: a log transformer on the group's slow-log group that gives every record a numeric
 * `DurationMicroseconds`, and a metric filter that publishes it per node (SLOW_LOG_METRIC), so that the slow-commands
 * alarm of each node sees the commands that stalled it. Why a transformer and why these fields: ../facts/cloudwatch.ts
 * SLOW_LOG_RECORD. Pure, so that tests read exactly what the construct creates.
 */
import type { CloudwatchLogMetricFilterConfig } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import type { CloudwatchLogTransformerTransformerConfig } from '@cdktf/provider-aws/lib/cloudwatch-log-transformer';
import { SLOW_LOG_METRIC, SLOW_LOG_RECORD } from '../facts/cloudwatch';
import { LogFormat } from '../facts/elasticache';
import type { SlowLogSource } from '../elasticache/replication-group-base';

export type { SlowLogSource } from '../elasticache/replication-group-base';

/**
 * The transformer's processors for a delivered format: JSON is parsed and `Duration (us)` renamed (a metric filter
 * cannot select a key with a space or parentheses); TEXT is split into named columns and the duration made a number.
 */
export function slowLogTransformerConfig(logFormat: LogFormat): CloudwatchLogTransformerTransformerConfig[] {
  const R = SLOW_LOG_RECORD;
  return logFormat === 'json'
    ? [{ parseJson: [{}] }, { renameKeys: [{ entry: [{ key: R.jsonDurationKey, renameTo: R.durationKey }] }] }]
    : [{ csv: [{ columns: [...R.textColumns] }] }, { typeConverter: [{ entry: [{ key: R.durationKey, type: 'integer' }] }] }];
}

/** `{ ($.CacheClusterId = *) && ($.DurationMicroseconds >= 0) }`: every transformed record with a node and a duration. */
export const SLOW_LOG_FILTER_PATTERN = `{ ($.${SLOW_LOG_RECORD.cacheClusterIdKey} = *) && ($.${SLOW_LOG_RECORD.durationKey} >= 0) }`;

/** The metric filter on the slow-log group (without construct-tree concerns such as depends_on). */
export function slowLogMetricFilterConfig(name: string, source: SlowLogSource): CloudwatchLogMetricFilterConfig {
  return {
    name,
    logGroupName: source.logGroupName,
    pattern: SLOW_LOG_FILTER_PATTERN,
    applyOnTransformedLogs: true,
    metricTransformation: {
      namespace: SLOW_LOG_METRIC.namespace,
      name: SLOW_LOG_METRIC.metricName,
      value: `$.${SLOW_LOG_RECORD.durationKey}`,
      unit: SLOW_LOG_METRIC.unit,
      dimensions: { [SLOW_LOG_METRIC.dimension]: `$.${SLOW_LOG_RECORD.cacheClusterIdKey}` },
    },
  };
}
