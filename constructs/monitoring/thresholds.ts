/**
 * Alarm thresholds in force: the defaults (./defaults.ts) with overrides merged field by field, and their checks
 * against the CloudWatch API limits.
 */
import { CLOUDWATCH_ALARM_LIMITS, TREAT_MISSING_DATA } from '../facts/cloudwatch';
import { ALARM_KEYS, AlarmKey, AlarmOverrides, AlarmThresholds, AlarmWindow, DEFAULT_ALARM_THRESHOLDS } from './defaults';
import { SLOWLOG } from '../facts/elasticache';
import { Problems, describe, isIntegerIn } from '../validation';

/** The defaults with an override applied field by field (undefined fields of the override keep the default). */
export function mergeAlarmThresholds(override: AlarmOverrides = {}, defaults: AlarmThresholds = DEFAULT_ALARM_THRESHOLDS): AlarmThresholds {
  const merged: Record<string, unknown> = {};
  for (const key of ALARM_KEYS) {
    const fields = Object.entries<unknown>(override[key] ?? {}).filter(([, v]) => v !== undefined);
    merged[key] = { ...defaults[key], ...Object.fromEntries(fields) };
  }
  return merged as unknown as AlarmThresholds;
}

/** CloudWatch percentiles: p0 to p100, up to two decimals (p99.99). */
const PERCENTILE = /^p(100|[1-9]?\d(\.\d{1,2})?)$/;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isWhole = (v: unknown, min: number): v is number => isIntegerIn(v, min, Number.MAX_SAFE_INTEGER);

function checkWindow(errors: Problems, at: string, w: AlarmWindow): void {
  const L = CLOUDWATCH_ALARM_LIMITS;
  const periodOk = isWhole(w.period, L.periodMultipleSeconds) && w.period % L.periodMultipleSeconds === 0;
  errors.check(
    periodOk,
    `${at}.period`,
    `a positive multiple of ${L.periodMultipleSeconds} seconds (ElastiCache publishes once a minute)`,
    w.period,
  );
  const evalOk = isWhole(w.evaluationPeriods, 1);
  errors.check(evalOk, `${at}.evaluationPeriods`, 'a whole number ≥ 1', w.evaluationPeriods);
  if (periodOk && evalOk) {
    errors.check(
      w.period * w.evaluationPeriods <= L.maxEvaluationWindowSeconds,
      `${at}.evaluationPeriods`,
      `at most ${Math.floor(L.maxEvaluationWindowSeconds / w.period)} with period ${w.period} (period × evaluationPeriods ≤ ${L.maxEvaluationWindowSeconds} s, one day)`,
      w.evaluationPeriods,
    );
  }
  errors.check(
    isWhole(w.datapointsToAlarm, 1) && (!evalOk || w.datapointsToAlarm <= w.evaluationPeriods),
    `${at}.datapointsToAlarm`,
    `a whole number from 1 to evaluationPeriods (${describe(w.evaluationPeriods)})`,
    w.datapointsToAlarm,
  );
  errors.check(
    (TREAT_MISSING_DATA as readonly string[]).includes(w.treatMissingData),
    `${at}.treatMissingData`,
    `one of ${TREAT_MISSING_DATA.join(', ')}`,
    w.treatMissingData,
  );
}

export function checkThresholds(errors: Problems, override: AlarmOverrides | undefined, t: AlarmThresholds): void {
  for (const [key, fields] of Object.entries<object | undefined>(override ?? {})) {
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
    errors.check(
      t.memoryWarning.thresholdPercent < t.memoryCritical.thresholdPercent,
      'thresholds.memoryWarning.thresholdPercent',
      `below memoryCritical.thresholdPercent (${t.memoryCritical.thresholdPercent})`,
      t.memoryWarning.thresholdPercent,
    );
  }
  errors.check(
    isNumber(t.evictions.perMinute) && t.evictions.perMinute >= 0,
    'thresholds.evictions.perMinute',
    'a number ≥ 0',
    t.evictions.perMinute,
  );
  errors.check(
    isWhole(t.connectionsWarning.count, 1),
    'thresholds.connectionsWarning.count',
    'a whole number ≥ 1',
    t.connectionsWarning.count,
  );
  percent('thresholds.connectionsCritical.percentOfMaxclients', t.connectionsCritical.percentOfMaxclients);
  errors.check(
    isNumber(t.replicationLag.seconds) && t.replicationLag.seconds > 0,
    'thresholds.replicationLag.seconds',
    'a number of seconds > 0',
    t.replicationLag.seconds,
  );
  errors.check(isWhole(t.swap.bytes, 0), 'thresholds.swap.bytes', 'a whole number of bytes ≥ 0', t.swap.bytes);
  for (const key of ['readLatency', 'writeLatency'] as const) {
    errors.check(
      isNumber(t[key].thresholdMicroseconds) && t[key].thresholdMicroseconds > 0,
      `thresholds.${key}.thresholdMicroseconds`,
      'a number of microseconds > 0 (100 ms = 100000)',
      t[key].thresholdMicroseconds,
    );
    errors.check(
      typeof t[key].percentile === 'string' && PERCENTILE.test(t[key].percentile),
      `thresholds.${key}.percentile`,
      'a CloudWatch percentile p0 to p100, e.g. "p95"',
      t[key].percentile,
    );
  }
  errors.check(
    isNumber(t.slowCommands.thresholdMicroseconds) && t.slowCommands.thresholdMicroseconds >= SLOWLOG.slowerThanMicroseconds,
    'thresholds.slowCommands.thresholdMicroseconds',
    `a number of microseconds ≥ ${SLOWLOG.slowerThanMicroseconds}, the slow log's slowlog-log-slower-than (shorter commands are never logged; 100 ms = 100000)`,
    t.slowCommands.thresholdMicroseconds,
  );
  errors.check(
    isWhole(t.keysWithoutTtl.elastiCacheOwnKeys, 0),
    'thresholds.keysWithoutTtl.elastiCacheOwnKeys',
    'a whole number ≥ 0',
    t.keysWithoutTtl.elastiCacheOwnKeys,
  );
  errors.check(
    isWhole(t.authenticationFailures.allowedPerPeriod, 0),
    'thresholds.authenticationFailures.allowedPerPeriod',
    'a whole number ≥ 0',
    t.authenticationFailures.allowedPerPeriod,
  );
  errors.check(
    t.nodeDown.treatMissingData === 'breaching',
    'thresholds.nodeDown.treatMissingData',
    '"breaching" (a node that stops publishing must fire its heartbeat alarm)',
    t.nodeDown.treatMissingData,
  );
  percent('thresholds.hitRate.minimumPercent', t.hitRate.minimumPercent);
  errors.check(
    isNumber(t.hitRate.minimumLookupsPerMinute) && t.hitRate.minimumLookupsPerMinute > 0,
    'thresholds.hitRate.minimumLookupsPerMinute',
    'a number > 0',
    t.hitRate.minimumLookupsPerMinute,
  );
}
