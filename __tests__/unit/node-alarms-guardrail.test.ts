/**
 * Guardrail `node-alarms`: every member node has the alarms the guides ask for, each with actions, and no engine
 * version is asked for an alarm it cannot have (latency percentiles exist on Valkey ≥ 7.2 only). The slow-commands
 * alarms count only when their metric is published: a metric filter over a transformer on the group's slow-log group.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { RedisReplicationGroup } from '../../constructs/elasticache/replication-group';
import { environmentViolations } from '../helpers/guardrails';
import { TfJson } from '../../constructs/tf-json';
import { CacheAlarms } from '../../constructs/monitoring/cache-alarms';

type Json = Record<string, any>;

/** A primary and one replica with CacheAlarms, synthesized without the guardrail aspect. */
function groupWithAlarms(engine: 'redis' | 'valkey', engineVersion: string, logFormat: 'json' | 'text' = 'json'): Json {
  const stack = new TerraformStack(Testing.app(), 'pilot');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new RandomProvider(stack, 'random');
  const cache = new RedisReplicationGroup(stack, 'cache', {
    replicationGroupId: 'isl-cache-guard',
    description: 'guardrail test',
    nodeType: 'cache.t4g.small',
    replicasPerNodeGroup: 1,
    engine,
    engineVersion,
    logFormat,
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'],
    allowedCidrBlocks: ['10.0.0.0/16'],
  });
  new CacheAlarms(stack, 'alarms', { replicationGroup: cache, dashboard: false });
  return JSON.parse(Testing.synth(stack, false)) as Json;
}

const alarms = (j: Json): Json[] => Object.values<Json>(j.resource.aws_cloudwatch_metric_alarm);
const alarm = (j: Json, name: string): Json => alarms(j).find((a) => a.alarm_name === name)!;
const drop = (j: Json, name: string) => {
  j.resource.aws_cloudwatch_metric_alarm = Object.fromEntries(
    Object.entries<Json>(j.resource.aws_cloudwatch_metric_alarm).filter(([, a]) => a.alarm_name !== name),
  );
};
const only = (j: Json, type: string): Json => {
  const all = Object.values<Json>(j.resource[type]);
  expect(all).toHaveLength(1);
  return all[0];
};
const violations = (j: Json) =>
  environmentViolations(j as TfJson, 'pilot')
    .filter((v) => v.rule === 'node-alarms')
    .map((v) => v.message);

describe('node-alarms on the alarms CacheAlarms creates', () => {
  test.each([
    ['redis', '7.1'],
    ['redis', '6.2'],
    ['valkey', '8.1'],
    ['valkey', '7.2'],
  ] as const)('%s %s: satisfied on every node', (engine, version) => {
    expect(violations(groupWithAlarms(engine, version))).toEqual([]);
  });

  test('slow log delivered as TEXT: satisfied as well (csv transformer)', () => {
    expect(violations(groupWithAlarms('redis', '7.1', 'text'))).toEqual([]);
  });
});

describe('what it requires', () => {
  let redis: Json;
  let valkey: Json;
  beforeEach(() => {
    redis = groupWithAlarms('redis', '7.1');
    valkey = groupWithAlarms('valkey', '8.1');
  });

  test('a Redis OSS 7.1 node without any alarm: the full list, slow commands and no latency (Redis OSS publishes no percentiles)', () => {
    for (const a of alarms(redis)) if (a.dimensions?.CacheClusterId === 'isl-cache-guard-002' || a.metric_query) drop(redis, a.alarm_name);
    expect(violations(redis)).toEqual([
      'node isl-cache-guard-001 (primary) has no alarm with actions for: keys without a TTL (CurrVolatileItems)',
      'node isl-cache-guard-002 (replica) has no alarm with actions for: cpu (CPUUtilization or EngineCPUUtilization), ' +
        'memory (DatabaseMemoryUsagePercentage or FreeableMemory), evictions (Evictions), connections (CurrConnections or NewConnections), ' +
        'replication lag (ReplicationLag), slow commands (ElastiCacheSlowLog CommandDuration), ' +
        'keys without a TTL (CurrVolatileItems), authentication failures (AuthenticationFailures), ' +
        'node down (CurrConnections or IsMaster or CurrItems; missing data breaching)',
    ]);
  });

  test('an alarm on the GetTypeCmdsLatency average does not stand in for the slow commands', () => {
    const slow = alarm(redis, 'isl-cache-guard-001-slow-commands');
    Object.assign(slow, { namespace: 'AWS/ElastiCache', metric_name: 'GetTypeCmdsLatency', statistic: 'Average' });
    slow.dimensions = { CacheClusterId: 'isl-cache-guard-001', CacheNodeId: '0001' };
    expect(violations(redis)).toEqual([
      'node isl-cache-guard-001 (primary) has no alarm with actions for: slow commands (ElastiCacheSlowLog CommandDuration)',
    ]);
  });

  test('slow-commands alarms without the metric filter watch nothing', () => {
    delete redis.resource.aws_cloudwatch_log_metric_filter;
    expect(violations(redis)).toEqual([
      'isl-cache-guard: the slow-commands alarms watch nothing: no metric filter on its slow-log group ' +
        '/aws/vendedlogs/elasticache/isl-cache-guard/slow-log (json) publishes ElastiCacheSlowLog/CommandDuration ' +
        '(value $.DurationMicroseconds, dimension CacheClusterId = $.CacheClusterId)',
    ]);
  });

  test('a metric filter per node only with the CacheClusterId dimension from the record', () => {
    only(redis, 'aws_cloudwatch_log_metric_filter').metric_transformation.dimensions = { CacheClusterId: 'isl-cache-guard-001' };
    expect(violations(redis)).toEqual([
      'isl-cache-guard: the slow-commands alarms watch nothing: no metric filter on its slow-log group ' +
        '/aws/vendedlogs/elasticache/isl-cache-guard/slow-log (json) publishes ElastiCacheSlowLog/CommandDuration ' +
        '(value $.DurationMicroseconds, dimension CacheClusterId = $.CacheClusterId)',
    ]);
  });

  test('a metric filter on another log group (the engine log) does not count', () => {
    const engineLog = Object.keys(redis.resource.aws_cloudwatch_log_group).find((k) => k.includes('engine-log'))!;
    only(redis, 'aws_cloudwatch_log_metric_filter').log_group_name = `\${aws_cloudwatch_log_group.${engineLog}.name}`;
    expect(violations(redis)[0]).toMatch(
      /^isl-cache-guard: the slow-commands alarms watch nothing: no metric filter on its slow-log group/,
    );
  });

  test.each([
    ['without the transformer', (j: Json) => delete j.resource.aws_cloudwatch_log_transformer],
    ['on the raw records', (j: Json) => (only(j, 'aws_cloudwatch_log_metric_filter').apply_on_transformed_logs = false)],
    ['with a transformer that keeps "Duration (us)"', (j: Json) => only(j, 'aws_cloudwatch_log_transformer').transformer_config.pop()],
  ])('the metric filter reads $.DurationMicroseconds, which exists only after the transformer: %s', (_name, breakIt) => {
    breakIt(redis);
    expect(violations(redis)).toEqual([
      'isl-cache-guard: the slow-commands alarms watch nothing: the metric filter on its slow-log group ' +
        '/aws/vendedlogs/elasticache/isl-cache-guard/slow-log (json) reads $.DurationMicroseconds, which only a transformer on ' +
        'that log group creates (parse_json and rename_keys of "Duration (us)"), with apply_on_transformed_logs = true',
    ]);
  });

  test('a JSON transformer on a group that delivers TEXT does not parse its records', () => {
    const text = groupWithAlarms('redis', '7.1', 'text');
    only(text, 'aws_cloudwatch_log_transformer').transformer_config = only(redis, 'aws_cloudwatch_log_transformer').transformer_config;
    expect(violations(text)).toEqual([
      'isl-cache-guard: the slow-commands alarms watch nothing: the metric filter on its slow-log group ' +
        '/aws/vendedlogs/elasticache/isl-cache-guard/slow-log (text) reads $.DurationMicroseconds, which only a transformer on ' +
        'that log group creates (csv columns and type_converter), with apply_on_transformed_logs = true',
    ]);
  });

  test('a group that delivers no slow log to CloudWatch Logs cannot have slow-commands alarms', () => {
    const rg = only(redis, 'aws_elasticache_replication_group');
    rg.log_delivery_configuration = rg.log_delivery_configuration.filter((l: Json) => l.log_type !== 'slow-log');
    expect(violations(redis)).toEqual([
      'isl-cache-guard: the slow-commands alarms watch nothing: delivers no slow log to CloudWatch Logs, so no metric filter can publish ElastiCacheSlowLog/CommandDuration',
    ]);
  });

  test('a Valkey 8.1 node asks for the p95 latency alarms', () => {
    drop(valkey, 'isl-cache-guard-001-read-latency');
    drop(valkey, 'isl-cache-guard-001-write-latency');
    expect(violations(valkey)).toEqual([
      'node isl-cache-guard-001 (primary) has no alarm with actions for: ' +
        'read latency percentile (SuccessfulReadRequestLatency; a percentile), write latency percentile (SuccessfulWriteRequestLatency; a percentile)',
    ]);
  });

  test('Valkey: an average on SuccessfulReadRequestLatency is not the percentile the guides ask for', () => {
    const a = alarm(valkey, 'isl-cache-guard-002-read-latency');
    delete a.extended_statistic;
    a.statistic = 'Average';
    expect(violations(valkey)).toEqual([
      'node isl-cache-guard-002 (replica) has no alarm with actions for: read latency percentile (SuccessfulReadRequestLatency; a percentile)',
    ]);
  });

  test('the heartbeat must treat missing data as breaching; the connection alarms on the same metric do not count', () => {
    alarm(redis, 'isl-cache-guard-001-node-down').treat_missing_data = 'missing';
    expect(violations(redis)).toEqual([
      'node isl-cache-guard-001 (primary) has no alarm with actions for: node down (CurrConnections or IsMaster or CurrItems; missing data breaching)',
    ]);
  });

  test('an alarm without actions does not count: the keys-without-TTL math of the replica', () => {
    alarm(redis, 'isl-cache-guard-002-keys-without-ttl').alarm_actions = [];
    expect(violations(redis)).toEqual([
      'node isl-cache-guard-002 (replica) has no alarm with actions for: keys without a TTL (CurrVolatileItems)',
    ]);
  });

  test('authentication failures are required on every node', () => {
    drop(redis, 'isl-cache-guard-002-auth-failures');
    expect(violations(redis)).toEqual([
      'node isl-cache-guard-002 (replica) has no alarm with actions for: authentication failures (AuthenticationFailures)',
    ]);
  });

  test('an engine version known only at apply time: no percentile is asked for, the slow commands still are', () => {
    for (const j of [redis, valkey]) {
      Object.values<Json>(j.resource.aws_elasticache_replication_group)[0].engine_version = '${var.engine_version}';
      expect(violations(j)).toEqual([]);
    }
    drop(valkey, 'isl-cache-guard-001-read-latency');
    drop(valkey, 'isl-cache-guard-001-slow-commands');
    expect(violations(valkey)).toEqual([
      'node isl-cache-guard-001 (primary) has no alarm with actions for: slow commands (ElastiCacheSlowLog CommandDuration)',
    ]);
  });

  test('metric math that mixes two nodes watches neither', () => {
    const ttl = alarm(redis, 'isl-cache-guard-002-keys-without-ttl');
    ttl.metric_query[1].metric.dimensions = { CacheClusterId: 'isl-cache-guard-001', CacheNodeId: '0001' };
    expect(violations(redis)).toEqual([
      'node isl-cache-guard-002 (replica) has no alarm with actions for: keys without a TTL (CurrVolatileItems)',
    ]);
  });
});
