/**
 * CacheAlarms: which alarms exist for which node, what each watches, where it reports, and which settings are refused.
 * Expected numbers come from config/alarms.ts and the node catalog; derived values are computed from them here.
 */
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import {
  ALARM_KEYS,
  AlarmKey,
  AlarmOverrides,
  CACHE_NODE_ID,
  DEFAULT_ALARM_THRESHOLDS as T,
  HIT_RATE_TARGET_PERCENT,
  TREAT_MISSING_DATA,
} from '../../config/alarms';
import { deploymentSettings } from '../../stacks/settings';
import { AWS_ENVIRONMENTS, ENVIRONMENTS } from '../../config/environments';
import { NodeType } from '../../config/node-catalog';
import { nodeType } from '../../constructs/elasticache/node-types';
import { CacheAlarms, CacheAlarmsProps } from '../../constructs/monitoring/cache-alarms';
import { RedisReplicationGroupProps } from '../../constructs/elasticache/props';
import { RedisReplicationGroup } from '../../constructs/elasticache/replication-group';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';

type Json = Record<string, any>;

const NETWORK = { vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0a1b2c3d'], allowedCidrBlocks: ['10.0.0.0/16'] };

function testStack(): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  new RandomProvider(stack, 'random');
  return stack;
}

function cacheIn(
  stack: TerraformStack,
  group: Partial<RedisReplicationGroupProps> & { replicationGroupId: string; nodeType: string },
): RedisReplicationGroup {
  return new RedisReplicationGroup(stack, 'cache', { description: 'alarm test', ...NETWORK, ...group });
}

interface Synthesized {
  readonly json: Json;
  /** aws_cloudwatch_metric_alarm by alarm_name */
  readonly alarms: Record<string, Json>;
  /** `${aws_sns_topic.<id>.arn}` of the group's notification topic */
  readonly topicArn: string;
}

function synth(
  group: Partial<RedisReplicationGroupProps> & { replicationGroupId: string; nodeType: string },
  props: Partial<CacheAlarmsProps> = {},
): Synthesized {
  const stack = testStack();
  new CacheAlarms(stack, 'alarms', { replicationGroup: cacheIn(stack, group), ...props });
  const json = JSON.parse(Testing.synth(stack, true));
  const alarms: Record<string, Json> = {};
  for (const a of Object.values<Json>(json.resource.aws_cloudwatch_metric_alarm ?? {})) alarms[a.alarm_name] = a;
  const [topicId] = Object.keys(json.resource.aws_sns_topic);
  return { json, alarms, topicArn: `\${aws_sns_topic.${topicId}.arn}` };
}

const SLUGS: Record<AlarmKey, string> = {
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

/** Every alarm of a node: the eight alarms of any node, plus ReplicationLag on a replica. */
function expectedNames(nodeIds: string[], replicas: string[]): string[] {
  return nodeIds
    .flatMap((id) => ALARM_KEYS.filter((k) => k !== 'replicationLag' || replicas.includes(id)).map((k) => `${id}-${SLUGS[k]}`))
    .sort();
}

/** What a plain (single-metric) alarm of `key` must look like on a node of `node` type, from config. */
function expectedMetric(key: Exclude<AlarmKey, 'hitRate'>, node: NodeType): { metric_name: string; statistic: string; threshold: number } {
  const criticalConnections = Math.floor((node.maxclients * T.connectionsCritical.percentOfMaxclients) / 100);
  switch (key) {
    case 'cpu':
      return node.vcpu <= 2
        ? { metric_name: 'CPUUtilization', statistic: 'Average', threshold: T.cpu.hostCpuPercentOfOneCore / node.vcpu }
        : { metric_name: 'EngineCPUUtilization', statistic: 'Average', threshold: T.cpu.engineCpuPercent };
    case 'memoryWarning':
      return { metric_name: 'DatabaseMemoryUsagePercentage', statistic: 'Average', threshold: T.memoryWarning.thresholdPercent };
    case 'memoryCritical':
      return { metric_name: 'DatabaseMemoryUsagePercentage', statistic: 'Average', threshold: T.memoryCritical.thresholdPercent };
    case 'evictions':
      return { metric_name: 'Evictions', statistic: 'Sum', threshold: (T.evictions.perMinute * T.evictions.period) / 60 };
    case 'connectionsWarning':
      return { metric_name: 'CurrConnections', statistic: 'Average', threshold: Math.min(T.connectionsWarning.count, criticalConnections) };
    case 'connectionsCritical':
      return { metric_name: 'CurrConnections', statistic: 'Average', threshold: criticalConnections };
    case 'replicationLag':
      return { metric_name: 'ReplicationLag', statistic: 'Maximum', threshold: T.replicationLag.seconds };
    case 'swap':
      return { metric_name: 'SwapUsage', statistic: 'Average', threshold: T.swap.bytes };
  }
}

/** Asserts every alarm of every node: metric, dimensions, threshold, window, missing data, actions. */
function expectAlarmsOfNodes(s: Synthesized, node: NodeType, nodeIds: string[]): void {
  for (const id of nodeIds) {
    for (const key of ALARM_KEYS) {
      const alarm = s.alarms[`${id}-${SLUGS[key]}`];
      if (!alarm) continue; // presence is asserted by the exact name set
      expect(alarm).toMatchObject({
        evaluation_periods: T[key].evaluationPeriods,
        datapoints_to_alarm: T[key].datapointsToAlarm,
        treat_missing_data: T[key].treatMissingData,
        alarm_actions: [s.topicArn],
        ok_actions: [s.topicArn],
      });
      if (key === 'hitRate') continue; // metric math: see its own test
      expect(alarm).toMatchObject({
        period: T[key].period,
        namespace: 'AWS/ElastiCache',
        dimensions: { CacheClusterId: id, CacheNodeId: CACHE_NODE_ID },
        comparison_operator: 'GreaterThanThreshold',
        ...expectedMetric(key, node),
      });
    }
  }
}

describe('one node (cache.t4g.small: 2 vCPU)', () => {
  const node = nodeType('cache.t4g.small');
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ replicationGroupId: 'isl-cache-one', nodeType: node.name });
  });

  test('creates exactly the eight alarms of a primary, named <rg>-001-<alarm>', () => {
    expect(Object.keys(s.alarms).sort()).toEqual(expectedNames(['isl-cache-one-001'], []));
  });

  test('each alarm watches the node by CacheClusterId and CacheNodeId, with the config thresholds and windows, and reports to the topic', () => {
    expectAlarmsOfNodes(s, node, ['isl-cache-one-001']);
  });

  test('CPU: host CPUUtilization at 90 % of one core divided by the 2 vCPUs', () => {
    expect(s.alarms['isl-cache-one-001-cpu']).toMatchObject({
      metric_name: 'CPUUtilization',
      threshold: T.cpu.hostCpuPercentOfOneCore / node.vcpu,
    });
    expect(node.vcpu).toBe(2);
  });

  test('no ReplicationLag alarm: a primary publishes none', () => {
    expect(Object.keys(s.alarms).filter((n) => n.endsWith('-replication-lag'))).toEqual([]);
  });

  test('hit rate: metric math over CacheHits and CacheMisses, only in periods with enough lookups, missing data as configured', () => {
    const alarm = s.alarms['isl-cache-one-001-hit-rate'];
    const dims = { CacheClusterId: 'isl-cache-one-001', CacheNodeId: CACHE_NODE_ID };
    const counter = (metric_name: string) => ({
      namespace: 'AWS/ElastiCache',
      metric_name,
      dimensions: dims,
      period: T.hitRate.period,
      stat: 'Sum',
    });
    const minimumLookups = (T.hitRate.minimumLookupsPerMinute * T.hitRate.period) / 60;
    expect(alarm).toMatchObject({
      comparison_operator: 'LessThanThreshold',
      threshold: T.hitRate.minimumPercent,
      treat_missing_data: T.hitRate.treatMissingData,
      metric_query: [
        { id: 'hits', metric: counter('CacheHits'), return_data: false },
        { id: 'misses', metric: counter('CacheMisses'), return_data: false },
        { id: 'hit_rate', expression: `IF((hits + misses) >= ${minimumLookups}, 100 * hits / (hits + misses))`, return_data: true },
      ],
    });
    expect(alarm.metric_name).toBeUndefined();
    expect(alarm.alarm_description).toContain(`fewer than ${minimumLookups} lookups`);
  });

  test('every description says what to check first and how missing data is treated, within the API limit', () => {
    for (const a of Object.values(s.alarms)) {
      expect(a.alarm_description).toMatch(/Check first: .+ Missing data: /);
      expect(a.alarm_description.length).toBeLessThanOrEqual(1024);
    }
  });

  test('no e-mail subscription unless an address is configured', () => {
    expect(s.json.resource.aws_sns_topic_subscription).toBeUndefined();
  });
});

describe('primary and two replicas (cache.m7g.xlarge: 4 vCPU)', () => {
  const node = nodeType('cache.m7g.xlarge');
  const ids = ['isl-cache-three-001', 'isl-cache-three-002', 'isl-cache-three-003'];
  let s: Synthesized;
  beforeAll(() => {
    s = synth({ replicationGroupId: 'isl-cache-three', nodeType: node.name, replicasPerNodeGroup: 2 });
  });

  test('creates exactly the eight alarms per node plus ReplicationLag on the two replicas', () => {
    expect(Object.keys(s.alarms).sort()).toEqual(expectedNames(ids, ids.slice(1)));
  });

  test('each alarm watches its own node, with the config thresholds and windows, and reports to the topic', () => {
    expectAlarmsOfNodes(s, node, ids);
  });

  test('CPU: EngineCPUUtilization on nodes with more than 2 vCPU', () => {
    for (const id of ids)
      expect(s.alarms[`${id}-cpu`]).toMatchObject({ metric_name: 'EngineCPUUtilization', threshold: T.cpu.engineCpuPercent });
  });

  test('ReplicationLag above the configured seconds, on the replicas only', () => {
    expect(s.alarms['isl-cache-three-001-replication-lag']).toBeUndefined();
    for (const id of ids.slice(1)) {
      expect(s.alarms[`${id}-replication-lag`]).toMatchObject({
        metric_name: 'ReplicationLag',
        threshold: T.replicationLag.seconds,
        treat_missing_data: T.replicationLag.treatMissingData,
        dimensions: { CacheClusterId: id, CacheNodeId: CACHE_NODE_ID },
      });
    }
  });
});

describe('sharded group (2 shards × 1 replica, cache.r7g.large)', () => {
  const node = nodeType('cache.r7g.large');
  const ids = ['isl-cache-shards-0001-001', 'isl-cache-shards-0001-002', 'isl-cache-shards-0002-001', 'isl-cache-shards-0002-002'];
  let s: Synthesized;
  beforeAll(() => {
    s = synth(
      { replicationGroupId: 'isl-cache-shards', nodeType: node.name, numNodeGroups: 2, replicasPerNodeGroup: 1 },
      { dashboard: false },
    );
  });

  test("node ids carry the shard: <rg>-000S-00N; ReplicationLag on each shard's replica", () => {
    expect(Object.keys(s.alarms).sort()).toEqual(expectedNames(ids, ['isl-cache-shards-0001-002', 'isl-cache-shards-0002-002']));
  });

  test('each alarm watches its own node, with the config thresholds and windows, and reports to the topic', () => {
    expectAlarmsOfNodes(s, node, ids);
  });

  test('no alarm is dimensioned on the replication group id', () => {
    for (const a of Object.values(s.alarms)) {
      const dims = a.dimensions ?? a.metric_query[0].metric.dimensions;
      expect(dims.CacheClusterId).not.toBe('isl-cache-shards');
    }
  });

  test('dashboard: false creates none', () => {
    expect(s.json.resource.aws_cloudwatch_dashboard).toBeUndefined();
  });
});

describe('connections on a micro node (maxclients 20000)', () => {
  const micro = nodeType('cache.t4g.micro');
  const critical = Math.floor((micro.maxclients * T.connectionsCritical.percentOfMaxclients) / 100);
  let s: Synthesized;
  let capped: Synthesized;
  beforeAll(() => {
    s = synth({ replicationGroupId: 'isl-cache-micro', nodeType: micro.name });
    capped = synth(
      { replicationGroupId: 'isl-cache-micro', nodeType: micro.name },
      { thresholds: { connectionsWarning: { count: critical + 1 } }, dashboard: false },
    );
  });

  test('critical threshold is the configured share of the micro maxclients, lower than on other nodes', () => {
    expect(micro.maxclients).toBe(20000);
    expect(critical).toBeLessThan(Math.floor((nodeType('cache.t4g.small').maxclients * T.connectionsCritical.percentOfMaxclients) / 100));
    expect(s.alarms['isl-cache-micro-001-connections-critical']).toMatchObject({ metric_name: 'CurrConnections', threshold: critical });
  });

  test('the warning never sits above the critical threshold', () => {
    expect(s.alarms['isl-cache-micro-001-connections-warning'].threshold).toBe(Math.min(T.connectionsWarning.count, critical));
    expect(capped.alarms['isl-cache-micro-001-connections-warning'].threshold).toBe(critical);
  });
});

describe('e-mail subscription, prefix and overrides', () => {
  let s: Synthesized;
  const overrides: AlarmOverrides = {
    hitRate: { minimumPercent: 35 },
    evictions: { period: 300, evaluationPeriods: 3, datapointsToAlarm: 3 },
  };
  beforeAll(() => {
    s = synth(
      { replicationGroupId: 'isl-cache-mail', nodeType: 'cache.t4g.small' },
      { alarmEmail: 'oncall@example.com', alarmNamePrefix: 'team-cache', thresholds: overrides, dashboard: false },
    );
  });

  test("subscribes the address to the group's notification topic by e-mail", () => {
    expect(Object.values(s.json.resource.aws_sns_topic_subscription)).toEqual([
      expect.objectContaining({ protocol: 'email', endpoint: 'oncall@example.com', topic_arn: s.topicArn }),
    ]);
  });

  test('alarm names start with the given prefix and keep the node id suffix', () => {
    expect(Object.keys(s.alarms).sort()).toEqual(expectedNames(['team-cache-001'], []));
  });

  test('overridden fields change, the rest keeps the default; the eviction threshold follows the period', () => {
    expect(s.alarms['team-cache-001-hit-rate'].threshold).toBe(35);
    expect(s.alarms['team-cache-001-hit-rate'].evaluation_periods).toBe(T.hitRate.evaluationPeriods);
    expect(s.alarms['team-cache-001-evictions']).toMatchObject({
      period: 300,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      threshold: (T.evictions.perMinute * 300) / 60,
      treat_missing_data: T.evictions.treatMissingData,
    });
  });
});

describe('dashboard', () => {
  const ids = ['isl-cache-dash-001', 'isl-cache-dash-002', 'isl-cache-dash-003'];
  let s: Synthesized;
  let widgets: Json[];
  beforeAll(() => {
    s = synth({ replicationGroupId: 'isl-cache-dash', nodeType: 'cache.t4g.medium', replicasPerNodeGroup: 2 });
    const [dashboard] = Object.values<Json>(s.json.resource.aws_cloudwatch_dashboard);
    expect(dashboard.dashboard_name).toBe('isl-cache-dash');
    widgets = JSON.parse(dashboard.dashboard_body).widgets;
  });

  const nodesOf = (w: Json) => w.properties.metrics.filter((m: unknown[]) => typeof m[0] === 'string').map((m: unknown[]) => m[3]);
  const widget = (metric: string) => widgets.find((w) => w.properties.metrics.some((m: unknown[]) => m[1] === metric))!;

  test('one widget per alarmed metric, in config order', () => {
    expect(widgets.map((w) => w.properties.metrics.find((m: unknown[]) => typeof m[0] === 'string')[1])).toEqual([
      'CPUUtilization',
      'DatabaseMemoryUsagePercentage',
      'Evictions',
      'CurrConnections',
      'ReplicationLag',
      'SwapUsage',
      'CacheHits',
    ]);
  });

  test('every widget shows every node that has the alarm (ReplicationLag: the replicas)', () => {
    for (const metric of ['CPUUtilization', 'DatabaseMemoryUsagePercentage', 'Evictions', 'CurrConnections', 'SwapUsage']) {
      expect(nodesOf(widget(metric))).toEqual(ids);
    }
    expect(nodesOf(widget('ReplicationLag'))).toEqual(ids.slice(1));
    const hitRate = widget('CacheHits');
    expect(hitRate.properties.metrics.filter((m: unknown[]) => m[1] === 'CacheHits').map((m: unknown[]) => m[3])).toEqual(ids);
    expect(hitRate.properties.metrics.filter((m: unknown[]) => m[1] === 'CacheMisses').map((m: unknown[]) => m[3])).toEqual(ids);
    expect(hitRate.properties.metrics.filter((m: Json[]) => m[0].expression)).toHaveLength(ids.length);
  });

  test("graphs use the alarms' dimensions and draw their thresholds", () => {
    for (const w of widgets) {
      for (const m of w.properties.metrics.filter((x: unknown[]) => typeof x[0] === 'string')) {
        expect(m.slice(0, 6)).toEqual(['AWS/ElastiCache', m[1], 'CacheClusterId', m[3], 'CacheNodeId', CACHE_NODE_ID]);
      }
    }
    expect(widget('DatabaseMemoryUsagePercentage').properties.annotations.horizontal.map((a: Json) => a.value)).toEqual([
      T.memoryWarning.thresholdPercent,
      T.memoryCritical.thresholdPercent,
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
      `thresholds.swap.treatMissingData: one of ${TREAT_MISSING_DATA.join(', ')}, got "zero"`,
    ],
    [
      'warning not below critical',
      { memoryWarning: { thresholdPercent: 95 } },
      `thresholds.memoryWarning.thresholdPercent: below memoryCritical.thresholdPercent (${T.memoryCritical.thresholdPercent}), got 95`,
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

  test('the replication group must be the construct, not its id', () => {
    const stack = testStack();
    expect(() => new CacheAlarms(stack, 'alarms', { replicationGroup: 'isl-cache-bad' as never })).toThrow(
      'replicationGroup: a RedisReplicationGroup construct or an IReplicationGroup (the object, not its id), got "isl-cache-bad"',
    );
  });
});

describe('environments', () => {
  const stacks = new Map<string, CacheEnvironmentStack>();
  beforeAll(() => {
    for (const name of AWS_ENVIRONMENTS) {
      stacks.set(
        name,
        new CacheEnvironmentStack(new App(), name, { environment: ENVIRONMENTS[name], deployment: deploymentSettings(name, {}) }),
      );
    }
  });

  test.each(AWS_ENVIRONMENTS)('%s: alarms on every node, environment-prefixed, unique, with its hit-rate target', (name) => {
    const stack = stacks.get(name)!;
    const plans = stack.alarms.plans;
    expect(new Set(plans.map((p) => p.node.cacheClusterId))).toEqual(new Set(stack.cache.nodes.map((n) => n.cacheClusterId)));
    for (const p of plans) expect(p.alarmName.startsWith(`isl-cache-${name}-`)).toBe(true);
    expect(new Set(plans.map((p) => p.alarmName)).size).toBe(plans.length);
    expect(plans.filter((p) => p.key === 'hitRate').map((p) => p.threshold)).toEqual(
      stack.cache.nodes.map(() => HIT_RATE_TARGET_PERCENT[name]),
    );
  });
});
