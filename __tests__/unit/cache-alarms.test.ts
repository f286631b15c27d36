/**
 * CacheAlarms: which alarms exist for which node, what each watches, where it reports, and which settings are refused.
 * Expected values are written out literally (thresholds from constructs/monitoring/defaults.ts as the guides give them, node-type
 * facts from the catalog), so that a change of a default shows up here as a failing specification.
 */
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { AlarmOverrides } from '../../constructs/monitoring/defaults';
import { HIT_RATE_TARGET_PERCENT } from '../../config/alarms';
import { deploymentSettings } from '../../stacks/settings';
import { AWS_ENVIRONMENTS } from '../../config/environments';
import { CacheAlarms, CacheAlarmsProps } from '../../constructs/monitoring/cache-alarms';
import { RedisReplicationGroupProps } from '../../constructs/elasticache/props';
import { RedisReplicationGroup } from '../../constructs/elasticache/replication-group';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';

type Json = Record<string, any>;
type GroupProps = Partial<RedisReplicationGroupProps> & { replicationGroupId: string; nodeType: string };

const NETWORK = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0a1b2c3d'], allowedCidrBlocks: ['10.0.0.0/16'] };

function testStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new RandomProvider(stack, 'random');
  return stack;
}

/** A group on Redis OSS 7.1 unless the case names its engine (the construct's own default is Valkey 8.1). */
function cacheIn(stack: TerraformStack, group: GroupProps): RedisReplicationGroup {
  return new RedisReplicationGroup(stack, 'cache', { description: 'alarm test', engine: 'redis', ...NETWORK, ...group });
}

interface Synthesized {
  readonly json: Json;
  /** aws_cloudwatch_metric_alarm by alarm_name */
  readonly alarms: Record<string, Json>;
  /** `${aws_sns_topic.<id>.arn}` of the topic the alarms notify */
  readonly topicArn: string;
  /** `aws_elasticache_replication_group.<id>` */
  readonly groupAddress: string;
}

function synth(group: GroupProps, props: Partial<CacheAlarmsProps> = {}): Synthesized {
  const stack = testStack();
  new CacheAlarms(stack, 'alarms', { replicationGroup: cacheIn(stack, group), ...props });
  const json = JSON.parse(Testing.synth(stack, true));
  const alarms: Record<string, Json> = {};
  for (const a of Object.values<Json>(json.resource.aws_cloudwatch_metric_alarm ?? {})) alarms[a.alarm_name] = a;
  const topicArn = (Object.values(alarms)[0].alarm_actions as string[])[0];
  const [groupId] = Object.keys(json.resource.aws_elasticache_replication_group);
  return { json, alarms, topicArn, groupAddress: `aws_elasticache_replication_group.${groupId}` };
}

/**
 * The alarms of every node, by suffix: twelve on any node, ReplicationLag on replicas besides, and the two latency
 * percentiles on Valkey ≥ 7.2 (Redis OSS publishes none; its GetTypeCmdsLatency/SetTypeCmdsLatency averages of CPU time
 * cannot see a stalled engine, so no alarm watches them).
 */
const EVERY_NODE = [
  'auth-failures',
  'connections-critical',
  'connections-warning',
  'cpu',
  'evictions',
  'hit-rate',
  'keys-without-ttl',
  'memory-critical',
  'memory-warning',
  'node-down',
  'slow-commands',
  'swap',
];

function namesOf(primaries: string[], replicas: string[], valkey = false): string[] {
  const every = valkey ? [...EVERY_NODE, 'read-latency', 'write-latency'] : EVERY_NODE;
  return [
    ...primaries.flatMap((id) => every.map((s) => `${id}-${s}`)),
    ...replicas.flatMap((id) => [...every, 'replication-lag'].map((s) => `${id}-${s}`)),
  ].sort();
}

/** One single-metric alarm as it must be synthesized, without the node-specific fields. */
interface Expected {
  metric_name: string;
  statistic?: string;
  extended_statistic?: string;
  comparison_operator: 'GreaterThanThreshold' | 'LessThanThreshold';
  threshold: number;
  period: number;
  evaluation_periods: number;
  datapoints_to_alarm: number;
  treat_missing_data: string;
}

const gt = (metric_name: string, statistic: string, threshold: number, period: number, n: number, missing: string): Expected => ({
  metric_name,
  statistic,
  comparison_operator: 'GreaterThanThreshold',
  threshold,
  period,
  evaluation_periods: n,
  datapoints_to_alarm: n,
  treat_missing_data: missing,
});

/** The single-metric alarms of a 2-vCPU node (maxclients 65000) of a Redis OSS 7.1 group: the defaults of constructs/monitoring/defaults.ts. */
const REDIS_2_VCPU: Record<string, Expected> = {
  cpu: gt('CPUUtilization', 'Average', 45, 60, 5, 'missing'), // 90 % of one core ÷ 2 vCPU
  'memory-warning': gt('DatabaseMemoryUsagePercentage', 'Average', 80, 60, 10, 'missing'),
  'memory-critical': gt('DatabaseMemoryUsagePercentage', 'Average', 90, 60, 10, 'missing'),
  evictions: gt('Evictions', 'Sum', 10, 60, 15, 'missing'),
  'connections-warning': gt('CurrConnections', 'Average', 1000, 60, 5, 'missing'),
  'connections-critical': gt('CurrConnections', 'Average', 52000, 60, 5, 'missing'), // 80 % of 65000
  swap: gt('SwapUsage', 'Average', 52428800, 60, 5, 'missing'), // 50 MiB
  'auth-failures': gt('AuthenticationFailures', 'Sum', 0, 300, 1, 'notBreaching'),
  'node-down': { ...gt('CurrConnections', 'SampleCount', 1, 60, 5, 'breaching'), comparison_operator: 'LessThanThreshold' },
};

function expectSingleMetricAlarms(s: Synthesized, id: string, expected: Record<string, Expected>): void {
  for (const [suffix, e] of Object.entries(expected)) {
    const alarm = s.alarms[`${id}-${suffix}`];
    expect({ suffix, ...alarm }).toMatchObject({
      suffix,
      ...e,
      namespace: 'AWS/ElastiCache',
      dimensions: { CacheClusterId: id, CacheNodeId: '0001' },
      alarm_actions: [s.topicArn],
      ok_actions: [s.topicArn],
    });
    // exactly one of the two: a percentile alarm has no `statistic`, an ordinary one no `extended_statistic`
    expect([alarm.statistic, alarm.extended_statistic]).toEqual([e.statistic, e.extended_statistic]);
  }
}

const dims = (id: string) => ({ CacheClusterId: id, CacheNodeId: '0001' });

/** The slow-commands alarm of a node: the longest slow-log command of a minute above 100 ms, any minute of the last 5. */
function expectSlowCommandsAlarm(s: Synthesized, id: string): void {
  expect(s.alarms[`${id}-slow-commands`]).toMatchObject({
    namespace: 'ElastiCacheSlowLog',
    metric_name: 'CommandDuration',
    dimensions: { CacheClusterId: id }, // the one dimension the metric filter publishes
    statistic: 'Maximum',
    comparison_operator: 'GreaterThanThreshold',
    threshold: 100000, // µs = 100 ms
    period: 60,
    evaluation_periods: 5,
    datapoints_to_alarm: 1,
    treat_missing_data: 'notBreaching',
    alarm_actions: [s.topicArn],
    ok_actions: [s.topicArn],
  });
  expect(Object.keys(s.alarms[`${id}-slow-commands`].dimensions)).toEqual(['CacheClusterId']);
}

describe('one node (cache.t4g.small: 2 vCPU, Redis OSS 7.1)', () => {
  const id = 'isl-cache-one-001';
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ replicationGroupId: 'isl-cache-one', nodeType: 'cache.t4g.small' });
  });

  test('creates exactly the twelve alarms of a node, named <rg>-001-<alarm>', () => {
    expect(Object.keys(s.alarms).sort()).toEqual(namesOf([id], []));
  });

  test('each single-metric alarm: its metric on the node (CacheClusterId and CacheNodeId), threshold, window, missing data, actions', () => {
    expectSingleMetricAlarms(s, id, REDIS_2_VCPU);
  });

  test('a stalled engine: no alarm on the GetTypeCmdsLatency/SetTypeCmdsLatency averages, the slow log above 100 ms instead', () => {
    const metrics = Object.values(s.alarms).map((a) => a.metric_name);
    expect(metrics).not.toContain('GetTypeCmdsLatency');
    expect(metrics).not.toContain('SetTypeCmdsLatency');
    expectSlowCommandsAlarm(s, id);
    expect(s.alarms[`${id}-slow-commands`].alarm_description).toContain(
      'a command in the slow log that ran longer than 100000 microseconds (ElastiCacheSlowLog CommandDuration Maximum) in 1 of 5 x 60 s. ' +
        'Check first: the engine runs one command at a time, so every client of the node waited that long.',
    );
    expect(s.alarms[`${id}-slow-commands`].alarm_description).toContain(
      'filter CacheClusterId = "isl-cache-one-001" and DurationMicroseconds > 100000 | sort DurationMicroseconds desc',
    );
  });

  test("keys without a TTL: CurrItems - CurrVolatileItems above 1 (ElastiCache's own key) for 15 minutes, with the commands to find them", () => {
    const alarm = s.alarms[`${id}-keys-without-ttl`];
    const input = (metric_name: string) => ({
      namespace: 'AWS/ElastiCache',
      metric_name,
      dimensions: dims(id),
      period: 60,
      stat: 'Average',
    });
    expect(alarm).toMatchObject({
      comparison_operator: 'GreaterThanThreshold',
      threshold: 1,
      evaluation_periods: 15,
      datapoints_to_alarm: 15,
      treat_missing_data: 'missing',
      alarm_actions: [s.topicArn],
      metric_query: [
        { id: 'items', metric: input('CurrItems'), return_data: false },
        { id: 'volatile', metric: input('CurrVolatileItems'), return_data: false },
        { id: 'keys_without_ttl', expression: 'items - volatile', label: 'Keys without a TTL', return_data: true },
      ],
    });
    expect(alarm.metric_name).toBeUndefined();
    expect(alarm.alarm_description).toContain('--scan | while read -r k; do [ "$(redis-cli $C TTL "$k")" = -1 ] && echo "$k"; done');
    expect(alarm.alarm_description).toContain('grep -vx ElastiCacheMasterReplicationTimestamp');
    expect(alarm.alarm_description).toContain('allkeys-lru');
  });

  test('node down: a heartbeat on CurrConnections that treats missing data as breaching, created after the group exists', () => {
    const alarm = s.alarms[`${id}-node-down`];
    expect(alarm).toMatchObject({
      statistic: 'SampleCount',
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
      treat_missing_data: 'breaching',
    });
    expect(alarm.depends_on).toEqual([s.groupAddress]);
    // the other alarms treat missing data otherwise and need no ordering
    expect(
      Object.values(s.alarms)
        .filter((a) => a.treat_missing_data === 'breaching')
        .map((a) => a.alarm_name),
    ).toEqual([`${id}-node-down`]);
    expect(s.alarms[`${id}-cpu`].depends_on).toBeUndefined();
  });

  test('hit rate: metric math over CacheHits and CacheMisses, only in periods with 100 lookups, below 50 % for 3 × 5 minutes', () => {
    const alarm = s.alarms[`${id}-hit-rate`];
    const counter = (metric_name: string) => ({
      namespace: 'AWS/ElastiCache',
      metric_name,
      dimensions: dims(id),
      period: 300,
      stat: 'Sum',
    });
    expect(alarm).toMatchObject({
      comparison_operator: 'LessThanThreshold',
      threshold: 50,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: 'notBreaching',
      metric_query: [
        { id: 'hits', metric: counter('CacheHits'), return_data: false },
        { id: 'misses', metric: counter('CacheMisses'), return_data: false },
        { id: 'hit_rate', expression: 'IF((hits + misses) >= 100, 100 * hits / (hits + misses))', return_data: true },
      ],
    });
    expect(alarm.metric_name).toBeUndefined();
    expect(alarm.alarm_description).toContain('fewer than 100 lookups');
  });

  test('no ReplicationLag alarm: a primary publishes none', () => {
    expect(Object.keys(s.alarms).filter((n) => n.endsWith('-replication-lag'))).toEqual([]);
  });

  test('every description says what breaches, what to check first and how missing data is treated, within the API limit', () => {
    for (const a of Object.values(s.alarms)) {
      expect(a.alarm_description).toMatch(
        /^isl-cache-one-001 \(primary at creation, shard 1, cache\.t4g\.small\): .+ Check first: .+ Missing data: /,
      );
      expect(a.alarm_description.length).toBeLessThanOrEqual(1024);
    }
    expect(s.alarms[`${id}-node-down`].alarm_description).toContain('no CurrConnections datapoint');
    expect(s.alarms[`${id}-auth-failures`].alarm_description).toContain('ACL LOG');
  });

  test('no e-mail subscription unless an address is configured', () => {
    expect(s.json.resource.aws_sns_topic_subscription).toBeUndefined();
  });
});

describe('latency metric by engine version', () => {
  const latencyOf = (engine: 'redis' | 'valkey', engineVersion: string) => {
    const s = synth({ replicationGroupId: 'isl-cache-lat', nodeType: 'cache.t4g.small', engine, engineVersion }, { dashboard: false });
    return ['read', 'write'].map((d) => {
      const a = s.alarms[`isl-cache-lat-001-${d}-latency`];
      return [a.metric_name, a.extended_statistic ?? a.statistic, a.evaluate_low_sample_count_percentiles ?? '-', a.threshold];
    });
  };

  test.each([
    ['valkey', '8.1'],
    ['valkey', '8.0'],
    ['valkey', '7.2'],
  ] as const)('%s %s: p95 of SuccessfulRead/WriteRequestLatency above 100000 µs; too few samples keep the state', (engine, version) => {
    expect(latencyOf(engine, version)).toEqual([
      ['SuccessfulReadRequestLatency', 'p95', 'ignore', 100000],
      ['SuccessfulWriteRequestLatency', 'p95', 'ignore', 100000],
    ]);
  });

  test.each([
    ['redis', '7.1'],
    ['redis', '7.0'],
    ['redis', '6.2'],
  ] as const)('%s %s: no latency alarm (no percentiles published); the slow-commands alarm watches the node', (engine, version) => {
    const s = synth(
      { replicationGroupId: 'isl-cache-lat', nodeType: 'cache.t4g.small', engine, engineVersion: version },
      { dashboard: false },
    );
    expect(Object.keys(s.alarms).sort()).toEqual(namesOf(['isl-cache-lat-001'], []));
    expectSlowCommandsAlarm(s, 'isl-cache-lat-001');
  });

  test.each([
    ['valkey', '8.1'],
    ['valkey', '7.2'],
  ] as const)('%s %s: the p95 alarms and the slow-commands alarm', (engine, version) => {
    const s = synth(
      { replicationGroupId: 'isl-cache-lat', nodeType: 'cache.t4g.small', engine, engineVersion: version },
      { dashboard: false },
    );
    expect(Object.keys(s.alarms).sort()).toEqual(namesOf(['isl-cache-lat-001'], [], true));
    expectSlowCommandsAlarm(s, 'isl-cache-lat-001');
  });

  test('Valkey: the percentile alarm has no `statistic` (the API takes one or the other) and its description names p95', () => {
    const s = synth({ replicationGroupId: 'isl-cache-vk', nodeType: 'cache.t4g.small', engine: 'valkey' }, { dashboard: false });
    const alarm = s.alarms['isl-cache-vk-001-read-latency'];
    expect(alarm.statistic).toBeUndefined();
    expect(alarm.alarm_description).toContain('SuccessfulReadRequestLatency p95 above 100000 microseconds in 5 of 5 x 60 s');
  });
});

describe('primary and two replicas (cache.m7g.xlarge: 4 vCPU)', () => {
  const ids = ['isl-cache-three-001', 'isl-cache-three-002', 'isl-cache-three-003'];
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ replicationGroupId: 'isl-cache-three', nodeType: 'cache.m7g.xlarge', replicasPerNodeGroup: 2 });
  });

  test('creates exactly the twelve alarms per node plus ReplicationLag on the two replicas: 38', () => {
    expect(Object.keys(s.alarms).sort()).toEqual(namesOf(ids.slice(0, 1), ids.slice(1)));
    expect(Object.keys(s.alarms)).toHaveLength(38);
  });

  test('each alarm watches its own node; CPU is EngineCPUUtilization above 80 % on more than 2 vCPU', () => {
    const expected = { ...REDIS_2_VCPU, cpu: gt('EngineCPUUtilization', 'Average', 80, 60, 5, 'missing') };
    for (const id of ids) expectSingleMetricAlarms(s, id, expected);
    for (const id of ids) expectSlowCommandsAlarm(s, id);
  });

  test('ReplicationLag above 1 s for 5 minutes on the replicas only; missing data (a promoted replica) is not breaching', () => {
    expect(s.alarms['isl-cache-three-001-replication-lag']).toBeUndefined();
    for (const id of ids.slice(1)) {
      expectSingleMetricAlarms(s, id, { 'replication-lag': gt('ReplicationLag', 'Maximum', 1, 60, 5, 'notBreaching') });
      expect(s.alarms[`${id}-replication-lag`].alarm_description).toContain('master_link_status');
    }
  });

  test('every node has its own heartbeat', () => {
    expect(ids.map((id) => s.alarms[`${id}-node-down`].dimensions.CacheClusterId)).toEqual(ids);
  });
});

describe('sharded group (2 shards × 1 replica, cache.r7g.large)', () => {
  const ids = ['isl-cache-shards-0001-001', 'isl-cache-shards-0001-002', 'isl-cache-shards-0002-001', 'isl-cache-shards-0002-002'];
  let s: Synthesized;
  beforeAll(() => {
    s = synth(
      { replicationGroupId: 'isl-cache-shards', nodeType: 'cache.r7g.large', numNodeGroups: 2, replicasPerNodeGroup: 1 },
      { dashboard: false },
    );
  });

  test("node ids carry the shard: <rg>-000S-00N; 50 alarms, ReplicationLag on each shard's replica", () => {
    expect(Object.keys(s.alarms).sort()).toEqual(namesOf([ids[0], ids[2]], [ids[1], ids[3]]));
    expect(Object.keys(s.alarms)).toHaveLength(50);
  });

  test('each alarm watches its own node, with the thresholds of a 2-vCPU node', () => {
    for (const id of ids) expectSingleMetricAlarms(s, id, REDIS_2_VCPU);
    for (const id of ids) expectSlowCommandsAlarm(s, id);
  });

  test('one metric filter for the whole group: the slow log of every shard lands in the one slow-log group', () => {
    expect(Object.values<Json>(s.json.resource.aws_cloudwatch_log_metric_filter).map((f) => f.name)).toEqual([
      'isl-cache-shards-slow-commands',
    ]);
  });

  test('no alarm is dimensioned on the replication group id, and metric math reads only its own node', () => {
    for (const a of Object.values(s.alarms)) {
      const nodes = a.dimensions
        ? [a.dimensions.CacheClusterId]
        : a.metric_query.filter((q: Json) => q.metric).map((q: Json) => q.metric.dimensions.CacheClusterId);
      expect(new Set(nodes).size).toBe(1);
      expect(ids).toContain(nodes[0]);
      expect(a.alarm_name.startsWith(nodes[0])).toBe(true);
    }
  });

  test('dashboard: false creates none', () => {
    expect(s.json.resource.aws_cloudwatch_dashboard).toBeUndefined();
  });
});

describe('connections on a micro node (maxclients 20000)', () => {
  test('the critical threshold is 80 % of 20000 = 16000, and the warning never sits above it', () => {
    const s = synth({ replicationGroupId: 'isl-cache-micro', nodeType: 'cache.t4g.micro' }, { dashboard: false });
    expect(s.alarms['isl-cache-micro-001-connections-critical']).toMatchObject({ metric_name: 'CurrConnections', threshold: 16000 });
    expect(s.alarms['isl-cache-micro-001-connections-warning'].threshold).toBe(1000);
    const capped = synth(
      { replicationGroupId: 'isl-cache-micro', nodeType: 'cache.t4g.micro' },
      { thresholds: { connectionsWarning: { count: 16001 } }, dashboard: false },
    );
    expect(capped.alarms['isl-cache-micro-001-connections-warning'].threshold).toBe(16000);
  });
});

describe('e-mail subscription, prefix and overrides', () => {
  let s: Synthesized;
  const overrides: AlarmOverrides = {
    hitRate: { minimumPercent: 35 },
    evictions: { period: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
    slowCommands: { thresholdMicroseconds: 20000 },
    keysWithoutTtl: { elastiCacheOwnKeys: 0 },
  };
  beforeAll(() => {
    s = synth(
      { replicationGroupId: 'isl-cache-mail', nodeType: 'cache.t4g.small' },
      { alarmEmail: 'oncall@example.com', alarmNamePrefix: 'team-cache', thresholds: overrides, dashboard: false },
    );
  });

  test('subscribes the address to the alarm topic by e-mail', () => {
    expect(Object.values(s.json.resource.aws_sns_topic_subscription)).toEqual([
      expect.objectContaining({ protocol: 'email', endpoint: 'oncall@example.com', topic_arn: s.topicArn }),
    ]);
  });

  test('alarm names start with the given prefix and keep the node id suffix', () => {
    expect(Object.keys(s.alarms).sort()).toEqual(namesOf(['team-cache-001'], []));
  });

  test('overridden fields change, the rest keeps the default; the eviction threshold follows the period', () => {
    expect(s.alarms['team-cache-001-hit-rate']).toMatchObject({ threshold: 35, evaluation_periods: 3 });
    expect(s.alarms['team-cache-001-evictions']).toMatchObject({
      period: 300,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      threshold: 50, // 10 per minute × 5 minutes
      treat_missing_data: 'missing',
    });
    expect(s.alarms['team-cache-001-slow-commands']).toMatchObject({ threshold: 20000, evaluation_periods: 5, datapoints_to_alarm: 1 });
    expect(s.alarms['team-cache-001-keys-without-ttl'].threshold).toBe(0);
  });
});

describe('dashboard', () => {
  const ids = ['isl-cache-dash-001', 'isl-cache-dash-002', 'isl-cache-dash-003'];
  let widgets: Json[];
  beforeAll(() => {
    const s = synth({ replicationGroupId: 'isl-cache-dash', nodeType: 'cache.t4g.medium', replicasPerNodeGroup: 2, engine: 'valkey' });
    const [dashboard] = Object.values<Json>(s.json.resource.aws_cloudwatch_dashboard);
    expect(dashboard.dashboard_name).toBe('isl-cache-dash');
    widgets = JSON.parse(dashboard.dashboard_body).widgets;
  });

  const metricRows = (w: Json) => w.properties.metrics.filter((m: unknown[]) => typeof m[0] === 'string');
  const nodesOf = (w: Json) => metricRows(w).map((m: unknown[]) => m[3]);
  const titled = (title: string) => widgets.find((w) => w.properties.title === title)!;

  test('one graph per alarmed metric and statistic, in config order', () => {
    expect(widgets.map((w) => [w.properties.title, w.properties.stat])).toEqual([
      ['CPUUtilization', 'Average'],
      ['DatabaseMemoryUsagePercentage', 'Average'],
      ['Evictions', 'Sum'],
      ['CurrConnections', 'Average'],
      ['ReplicationLag', 'Maximum'],
      ['SwapUsage', 'Average'],
      ['Cache hit rate (%): CacheHits / (CacheHits + CacheMisses)', 'Sum'],
      ['SuccessfulReadRequestLatency (p95, microseconds)', 'p95'],
      ['SuccessfulWriteRequestLatency (p95, microseconds)', 'p95'],
      ['Slow log: longest command per minute (ElastiCacheSlowLog CommandDuration, microseconds)', 'Maximum'],
      ['Keys without a TTL: CurrItems - CurrVolatileItems', 'Average'],
      ['AuthenticationFailures', 'Sum'],
      ['Heartbeat: CurrConnections datapoints per minute (SampleCount; a gap is a node down)', 'SampleCount'],
    ]);
  });

  test('every graph shows every node that has the alarm (ReplicationLag: the replicas; metric math: two inputs a node)', () => {
    const twice = [ids[0], ids[0], ids[1], ids[1], ids[2], ids[2]];
    expect(widgets.map((w) => [w.properties.title, nodesOf(w)])).toEqual([
      ['CPUUtilization', ids],
      ['DatabaseMemoryUsagePercentage', ids],
      ['Evictions', ids],
      ['CurrConnections', ids],
      ['ReplicationLag', ['isl-cache-dash-002', 'isl-cache-dash-003']],
      ['SwapUsage', ids],
      ['Cache hit rate (%): CacheHits / (CacheHits + CacheMisses)', twice],
      ['SuccessfulReadRequestLatency (p95, microseconds)', ids],
      ['SuccessfulWriteRequestLatency (p95, microseconds)', ids],
      ['Slow log: longest command per minute (ElastiCacheSlowLog CommandDuration, microseconds)', ids],
      ['Keys without a TTL: CurrItems - CurrVolatileItems', twice],
      ['AuthenticationFailures', ids],
      ['Heartbeat: CurrConnections datapoints per minute (SampleCount; a gap is a node down)', ids],
    ]);
  });

  test('metric math per node with its own query ids', () => {
    const ttl = titled('Keys without a TTL: CurrItems - CurrVolatileItems');
    expect(ttl.properties.metrics.filter((m: Json[]) => m[0].expression).map((m: Json[]) => m[0])).toEqual([
      { id: 'keys_without_ttl0', expression: 'items0 - volatile0', label: 'isl-cache-dash-001 (primary)' },
      { id: 'keys_without_ttl1', expression: 'items1 - volatile1', label: 'isl-cache-dash-002 (replica)' },
      { id: 'keys_without_ttl2', expression: 'items2 - volatile2', label: 'isl-cache-dash-003 (replica)' },
    ]);
    const hitRate = titled('Cache hit rate (%): CacheHits / (CacheHits + CacheMisses)');
    expect(hitRate.properties.metrics.filter((m: Json[]) => m[0].expression)[1][0].expression).toBe(
      'IF((hits1 + misses1) >= 100, 100 * hits1 / (hits1 + misses1))',
    );
  });

  test("graphs use the alarms' dimensions and draw their thresholds", () => {
    // every metric row: the slow-log graph [namespace, metric, dimension name], the others [namespace, dimension, node dimension, value]
    const shape = (w: Json, m: unknown[]) => (w.properties.title.startsWith('Slow log') ? m.slice(0, 3) : [m[0], m[2], m[4], m[5]]);
    const shapes = new Set(widgets.flatMap((w) => metricRows(w).map((m: unknown[]) => JSON.stringify(shape(w, m)))));
    expect([...shapes].map((x) => JSON.parse(x) as unknown)).toEqual([
      ['AWS/ElastiCache', 'CacheClusterId', 'CacheNodeId', '0001'],
      ['ElastiCacheSlowLog', 'CommandDuration', 'CacheClusterId'],
    ]);
    const lines = (title: string) => titled(title).properties.annotations.horizontal.map((a: Json) => [a.label, a.value]);
    expect(lines('DatabaseMemoryUsagePercentage')).toEqual([
      ['memory-warning alarm', 80],
      ['memory-critical alarm', 90],
    ]);
    expect(lines('SuccessfulReadRequestLatency (p95, microseconds)')).toEqual([['read-latency alarm', 100000]]);
    expect(lines('Slow log: longest command per minute (ElastiCacheSlowLog CommandDuration, microseconds)')).toEqual([
      ['slow-commands alarm', 100000],
    ]);
    expect(lines('Keys without a TTL: CurrItems - CurrVolatileItems')).toEqual([['keys-without-ttl alarm', 1]]);
    expect(lines('CurrConnections')).toEqual([
      ['connections-warning alarm', 1000],
      ['connections-critical alarm', 52000],
    ]);
  });
});

describe('validation: one error listing every problem, nothing created', () => {
  const cases: Array<[string, AlarmOverrides, string]> = [
    [
      'period not a multiple of 60',
      { cpu: { period: 90 } },
      'thresholds.cpu.period: a positive multiple of 60 seconds (ElastiCache publishes once a minute), got 90',
    ],
    [
      'evaluation window over a day',
      { hitRate: { period: 300, evaluationPeriods: 289 } },
      'thresholds.hitRate.evaluationPeriods: at most 288 with period 300 (period × evaluationPeriods ≤ 86400 s, one day), got 289',
    ],
    [
      'datapoints above evaluation periods',
      { memoryWarning: { evaluationPeriods: 10, datapointsToAlarm: 11 } },
      'thresholds.memoryWarning.datapointsToAlarm: a whole number from 1 to evaluationPeriods (10), got 11',
    ],
    [
      'unknown treat_missing_data',
      { swap: { treatMissingData: 'zero' as never } },
      'thresholds.swap.treatMissingData: one of missing, ignore, breaching, notBreaching, got "zero"',
    ],
    [
      'warning not below critical',
      { memoryWarning: { thresholdPercent: 95 } },
      'thresholds.memoryWarning.thresholdPercent: below memoryCritical.thresholdPercent (90), got 95',
    ],
    [
      'a heartbeat that does not treat missing data as breaching',
      { nodeDown: { treatMissingData: 'notBreaching' } },
      'thresholds.nodeDown.treatMissingData: "breaching" (a node that stops publishing must fire its heartbeat alarm), got "notBreaching"',
    ],
    [
      'a percentile CloudWatch does not know',
      { readLatency: { percentile: 'p101' } },
      'thresholds.readLatency.percentile: a CloudWatch percentile p0 to p100, e.g. "p95", got "p101"',
    ],
    [
      'a latency threshold of zero',
      { writeLatency: { thresholdMicroseconds: 0 } },
      'thresholds.writeLatency.thresholdMicroseconds: a number of microseconds > 0 (100 ms = 100000), got 0',
    ],
    [
      "a slow-command threshold below the slow log's own 10 ms: shorter commands are never logged",
      { slowCommands: { thresholdMicroseconds: 5000 } },
      "thresholds.slowCommands.thresholdMicroseconds: a number of microseconds ≥ 10000, the slow log's slowlog-log-slower-than (shorter commands are never logged; 100 ms = 100000), got 5000",
    ],
    [
      'a negative allowance of keys without TTL',
      { keysWithoutTtl: { elastiCacheOwnKeys: -1 } },
      'thresholds.keysWithoutTtl.elastiCacheOwnKeys: a whole number ≥ 0, got -1',
    ],
    [
      'a fractional number of failures',
      { authenticationFailures: { allowedPerPeriod: 0.5 } },
      'thresholds.authenticationFailures.allowedPerPeriod: a whole number ≥ 0, got 0.5',
    ],
    ['unknown alarm', { hitrate: { minimumPercent: 10 } } as never, 'thresholds: keys among cpu, memoryWarning'],
    ['unknown field', { cpu: { threshold: 50 } } as never, 'thresholds.cpu: fields among period, evaluationPeriods'],
  ];

  test.each(cases)('%s', (_name, thresholds, message) => {
    const stack = testStack();
    const cache = cacheIn(stack, { replicationGroupId: 'isl-cache-bad', nodeType: 'cache.t4g.small' });
    expect(() => new CacheAlarms(stack, 'alarms', { replicationGroup: cache, thresholds })).toThrow(message);
    expect(stack.node.tryFindChild('alarms')).toBeUndefined();
  });

  test('every problem in one error', () => {
    const stack = testStack();
    const cache = cacheIn(stack, { replicationGroupId: 'isl-cache-bad', nodeType: 'cache.t4g.small' });
    let message = '';
    try {
      new CacheAlarms(stack, 'alarms', {
        replicationGroup: cache,
        alarmNamePrefix: 'bad prefix!',
        alarmEmail: 'not-an-address',
        thresholds: { cpu: { period: 90 }, swap: { datapointsToAlarm: 0 } },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^test\/alarms \(CacheAlarms\): 4 problems:/);
    for (const prop of ['alarmNamePrefix:', 'alarmEmail:', 'thresholds.cpu.period:', 'thresholds.swap.datapointsToAlarm:']) {
      expect(message).toContain(`\n  - ${prop}`);
    }
  });

  test("descriptions stay within CloudWatch's 1024 characters for the longest node id (a 40-character group id in cluster mode)", () => {
    const stack = testStack();
    const cache = cacheIn(stack, {
      replicationGroupId: `isl-${'c'.repeat(36)}`,
      nodeType: 'cache.t4g.small',
      numNodeGroups: 2,
      replicasPerNodeGroup: 1,
      authentication: 'auth-token', // RBAC allows 32 characters (its user ids); alarms are the same either way
    });
    const alarms = new CacheAlarms(stack, 'alarms', { replicationGroup: cache, dashboard: false });
    expect(alarms.plans[0].node.cacheClusterId).toHaveLength(49);
    expect(Math.max(...alarms.plans.map((p) => p.description.length))).toBeLessThanOrEqual(1024);
  });

  test('the replication group must be the construct, not its id', () => {
    const stack = testStack();
    expect(() => new CacheAlarms(stack, 'alarms', { replicationGroup: 'isl-cache-bad' as never })).toThrow(
      'replicationGroup: a RedisReplicationGroup construct or an IReplicationGroup (the object, not its id), got "isl-cache-bad"',
    );
  });
});

describe('a group managed elsewhere (fromReplicationGroupAttributes, engine unknown)', () => {
  const ordersIn = (stack: TerraformStack) =>
    RedisReplicationGroup.fromReplicationGroupAttributes(stack, 'orders', {
      replicationGroupId: 'orders-cache',
      nodeType: 'cache.t4g.small',
      endpointAddress: 'orders-cache.abc123.ng.0001.use1.cache.amazonaws.com',
    });
  const paging = [{ arn: 'arn:aws:sns:us-east-1:123456789012:paging' }];

  test('no latency percentiles (engine unknown), no slow-commands alarm without its slow log (a warning says so), no depends_on', () => {
    const stack = testStack();
    const alarms = new CacheAlarms(stack, 'alarms', { replicationGroup: ordersIn(stack), alarmTopics: paging, dashboard: false });
    expect(alarms.plans.map((p) => p.key).filter((k) => k.endsWith('Latency') || k === 'slowCommands')).toEqual([]);
    expect(alarms.slowLogMetricFilter).toBeUndefined();
    expect(alarms.node.metadata.map((m) => m.data)).toEqual([
      'orders-cache: no slowLog given, so no slow-commands alarms; a stalled engine is seen only by the latency percentiles of Valkey ≥ 7.2',
    ]);
    const json = JSON.parse(Testing.synth(stack, true));
    const heartbeat = Object.values<Json>(json.resource.aws_cloudwatch_metric_alarm).find(
      (a) => a.alarm_name === 'orders-cache-001-node-down',
    )!;
    expect(heartbeat.depends_on).toBeUndefined();
    expect(heartbeat.alarm_actions).toEqual(['arn:aws:sns:us-east-1:123456789012:paging']);
    expect(json.resource.aws_cloudwatch_log_metric_filter).toBeUndefined();
  });

  test('with its slow log given: the transformer and metric filter on that log group, and the slow-commands alarm', () => {
    const stack = testStack();
    const slowLog = {
      logGroupName: '/aws/vendedlogs/elasticache/orders-cache/slow-log',
      logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/elasticache/orders-cache/slow-log',
      logFormat: 'text' as const,
    };
    new CacheAlarms(stack, 'alarms', { replicationGroup: ordersIn(stack), alarmTopics: paging, dashboard: false, slowLog });
    const json = JSON.parse(Testing.synth(stack, true));
    expect(Object.values<Json>(json.resource.aws_cloudwatch_log_transformer)[0].log_group_arn).toBe(slowLog.logGroupArn);
    expect(Object.values<Json>(json.resource.aws_cloudwatch_log_metric_filter)[0]).toMatchObject({
      name: 'orders-cache-slow-commands',
      log_group_name: '/aws/vendedlogs/elasticache/orders-cache/slow-log',
    });
    expect(Object.values<Json>(json.resource.aws_cloudwatch_metric_alarm).map((a) => a.alarm_name)).toContain(
      'orders-cache-001-slow-commands',
    );
  });

  test('a slow log without its ARN or with an unknown format is refused, naming the field', () => {
    const stack = testStack();
    expect(
      () =>
        new CacheAlarms(stack, 'alarms', {
          replicationGroup: ordersIn(stack),
          alarmTopics: paging,
          slowLog: { logGroupName: 'orders-slow', logGroupArn: '', logFormat: 'xml' as never },
        }),
    ).toThrow(
      /slowLog\.logGroupArn: the ARN of the slow-log group, got ""[\s\S]*slowLog\.logFormat: the delivery's log_format, one of json, text, got "xml"/,
    );
  });
});

describe('slow commands: the slow log turned into a metric per node', () => {
  const build = (logFormat: 'json' | 'text') =>
    synth({ replicationGroupId: 'isl-cache-slow', nodeType: 'cache.t4g.small', replicasPerNodeGroup: 1, logFormat }, { dashboard: false });
  const only = (j: Json, type: string): [string, Json] => {
    const entries = Object.entries<Json>(j.resource[type] ?? {});
    expect(entries).toHaveLength(1);
    return entries[0];
  };

  test('JSON records: the transformer parses them and renames "Duration (us)", which a filter pattern cannot select', () => {
    const s = build('json');
    const [, transformer] = only(s.json, 'aws_cloudwatch_log_transformer');
    const [slowLogGroup] = Object.entries<Json>(s.json.resource.aws_cloudwatch_log_group).find(([, g]) => g.name.endsWith('/slow-log'))!;
    expect(transformer).toEqual({
      log_group_arn: `\${aws_cloudwatch_log_group.${slowLogGroup}.arn}`,
      transformer_config: [
        { parse_json: [{}] },
        { rename_keys: [{ entry: [{ key: 'Duration (us)', rename_to: 'DurationMicroseconds' }] }] },
      ],
    });
    // the group delivers exactly that log group, in JSON
    const [, rg] = only(s.json, 'aws_elasticache_replication_group');
    expect(rg.log_delivery_configuration[0]).toMatchObject({
      destination: `\${aws_cloudwatch_log_group.${slowLogGroup}.name}`,
      destination_type: 'cloudwatch-logs',
      log_format: 'json',
      log_type: 'slow-log',
    });
  });

  test('TEXT records: csv columns in the order ElastiCache writes them, the duration made a number', () => {
    const [, transformer] = only(build('text').json, 'aws_cloudwatch_log_transformer');
    expect(transformer.transformer_config).toEqual([
      {
        csv: [
          {
            columns: ['CacheClusterId', 'CacheNodeId', 'Timestamp', 'DurationMicroseconds', 'Command', 'ClientAddress', 'ClientName'],
          },
        ],
      },
      { type_converter: [{ entry: [{ key: 'DurationMicroseconds', type: 'integer' }] }] },
    ]);
  });

  test.each(['json', 'text'] as const)(
    '%s: one metric filter on the slow-log group, on the transformed records, after the transformer: duration per node',
    (logFormat) => {
      const s = build(logFormat);
      const [transformerId] = only(s.json, 'aws_cloudwatch_log_transformer');
      const [, filter] = only(s.json, 'aws_cloudwatch_log_metric_filter');
      const [slowLogGroup] = Object.entries<Json>(s.json.resource.aws_cloudwatch_log_group).find(([, g]) => g.name.endsWith('/slow-log'))!;
      expect(filter).toEqual({
        name: 'isl-cache-slow-slow-commands',
        log_group_name: `\${aws_cloudwatch_log_group.${slowLogGroup}.name}`,
        pattern: '{ ($.CacheClusterId = *) && ($.DurationMicroseconds >= 0) }',
        apply_on_transformed_logs: true,
        metric_transformation: {
          namespace: 'ElastiCacheSlowLog',
          name: 'CommandDuration',
          value: '$.DurationMicroseconds',
          unit: 'Microseconds',
          dimensions: { CacheClusterId: '$.CacheClusterId' },
        },
        depends_on: [`aws_cloudwatch_log_transformer.${transformerId}`],
      });
      for (const id of ['isl-cache-slow-001', 'isl-cache-slow-002']) expectSlowCommandsAlarm(s, id);
    },
  );
});

describe('environments', () => {
  const stacks = new Map<string, CacheEnvironmentStack>();
  beforeAll(() => {
    for (const name of AWS_ENVIRONMENTS) {
      stacks.set(
        name,
        new CacheEnvironmentStack(new App(), name, { environment: FIXED_ENVIRONMENTS[name], deployment: deploymentSettings(name, {}) }),
      );
    }
  });

  test.each<[string, string[], number]>([
    ['pilot', ['isl-cache-pilot-001'], 30],
    ['staging', ['isl-cache-staging-001', 'isl-cache-staging-002'], 30],
    ['production', ['isl-cache-production-001', 'isl-cache-production-002', 'isl-cache-production-003'], 50],
  ])('%s: alarms on the nodes %j, environment-prefixed, unique, a hit-rate target of %i % and a heartbeat each', (name, nodes, hitRate) => {
    const plans = stacks.get(name)!.alarms.plans;
    expect([...new Set(plans.map((p) => p.node.cacheClusterId))]).toEqual(nodes);
    expect(plans.filter((p) => !p.alarmName.startsWith(`isl-cache-${name}-`))).toEqual([]);
    expect(new Set(plans.map((p) => p.alarmName)).size).toBe(plans.length);
    expect(plans.filter((p) => p.key === 'hitRate').map((p) => [p.node.cacheClusterId, p.threshold])).toEqual(
      nodes.map((n) => [n, hitRate]),
    );
    expect(plans.filter((p) => p.key === 'nodeDown').map((p) => p.node.cacheClusterId)).toEqual(nodes);
  });

  test('hit-rate targets: 30 % pilot and staging, 50 % production (001 "Cache Hit Rate Optimization")', () => {
    expect(HIT_RATE_TARGET_PERCENT).toEqual({ pilot: 30, staging: 30, production: 50 });
  });
});
