/**
 * The pure parts of `npm run bench` (scripts/bench/), above all the independent sizing check
 * (scripts/bench/sizing-brute-force.ts): its reading of guide 000's table, the node sets its brute force finds (literal
 * expectations, worked out by hand from the catalog's prices), that the production sizing agrees with it, and that it
 * notices when the production sizing is wrong (production code deliberately broken in an isolated module registry).
 */
import * as fs from 'fs';
import { AwsEnvironmentName, ENVIRONMENTS, EnvironmentConfig } from '../../config/environments';
import type { SizingPlan } from '../../stacks/sizing';
import type { ScalingTier } from '../../config/scaling';
import { parseBenchmarkCsv } from '../../scripts/bench/redis';
import {
  GUIDE_004_NODE_REQUIREMENTS,
  GUIDE_TIERS,
  PlanSizing,
  bruteForce,
  checkSizing,
  guideTierFor,
  largestSingleShardTier,
  nodeSetText,
  readGuideRow,
  readNodeRequirement,
  sizingChecks,
} from '../../scripts/bench/sizing-brute-force';
import { median, pairedRatios, quantile, rotation, thousands } from '../../scripts/bench/stats';
import { appArgv } from '../../scripts/bench/synth';

const GIB = 1024 ** 3;

/** An environment of config/environments.ts (its name decides its node policy) with the sizing inputs replaced. */
const env = (
  name: AwsEnvironmentName,
  sizing: Pick<EnvironmentConfig, 'expectedUsers' | 'engine'> & Partial<Pick<EnvironmentConfig, 'memoryFloorGiB'>>,
  created = false,
): EnvironmentConfig => ({
  ...ENVIRONMENTS[name],
  memoryFloorGiB: undefined,
  ...sizing,
  ...(created
    ? { clusterModeStep: 'resharded', createdInClusterMode: true }
    : { clusterModeStep: undefined, createdInClusterMode: undefined }),
});

describe("guide 000's scaling table, as the brute force reads it", () => {
  it('reads users, memory (MB and GB as Redis means them: MiB, GiB), cores and replicas from the words', () => {
    expect(
      GUIDE_TIERS.map(({ fromUsers, toUsers, dataBytes, cores, replicasPerShard, cluster }) => [
        fromUsers,
        toUsers,
        dataBytes,
        cores,
        replicasPerShard,
        cluster,
      ]),
    ).toEqual([
      [0, 99, 536870912, 1, 0, false],
      [100, 1000, 2147483648, 2, 1, false],
      [1000, 10000, 8589934592, 4, 2, false],
      [10001, Infinity, 17179869184, 8, 1, true],
    ]);
  });

  it.each([
    [0, '< 100'],
    [99, '< 100'],
    [100, '100-1000'],
    [999, '100-1000'],
    [1000, '1000-10000'], // named by two rows: the later one
    [10000, '1000-10000'],
    [10001, '> 10000'],
  ])('%i users: the row "%s"', (users, label) => {
    expect(guideTierFor(users).row).toContain(`**${label}**`);
  });

  it('a group with one shard follows at most the "1000-10000" row; guide 004 gives each cluster node 1 core and 512 MB, in production 4 and 8 GB', () => {
    expect(largestSingleShardTier().row).toContain('**1000-10000**');
    expect(readNodeRequirement(GUIDE_004_NODE_REQUIREMENTS['Minimum (Development)'])).toEqual({ cores: 1, memoryBytes: 536870912 });
    expect(readNodeRequirement(GUIDE_004_NODE_REQUIREMENTS['Recommended (Production)'])).toEqual({ cores: 4, memoryBytes: 8589934592 });
  });

  it('refuses a row it cannot read, naming the cell', () => {
    expect(() => readGuideRow('| **< 100** | half a gig | 1 core | RDB + AOF | Single instance |')).toThrow(
      'guide 000 scaling row "| **< 100** | half a gig | 1 core | RDB + AOF | Single instance |": cannot read the memory "half a gig"',
    );
    expect(() => readGuideRow('| **< 100** | 512 MB | 1 core | RDB + AOF | Active-active |')).toThrow(
      'cannot read the replication "Active-active"',
    );
  });
});

describe('the cheapest node sets by brute force over the catalog (literal, from the prices)', () => {
  const cheapest = (e: EnvironmentConfig) => bruteForce(e).cheapest.map((x) => `${nodeSetText(x)} $${x.monthlyCostUsd.toFixed(2)}`);

  it.each<[string, EnvironmentConfig, string[]]>([
    // t4g.micro would be cheaper, but holds 0.375 GiB after the 25 % reserve, under the row's 512 MB
    ['pilot: 50 users, Valkey', env('pilot', { expectedUsers: 50, engine: 'valkey' }), ['1 × cache.t4g.small (1 shard × (1 + 0)) $18.69']],
    [
      'staging: 500 users, a 2 GiB floor, Valkey',
      env('staging', { expectedUsers: 500, engine: 'valkey', memoryFloorGiB: 2 }),
      ['2 × cache.t4g.medium (1 shard × (1 + 1)) $75.92'],
    ],
    // 8 GiB and 4 cores: r7g.large holds the data at $0.219/h but has 2 vCPUs
    [
      'production: 5,000 users, a 4 GiB floor, Valkey',
      env('production', { expectedUsers: 5000, engine: 'valkey', memoryFloorGiB: 4 }),
      ['3 × cache.m7g.xlarge (1 shard × (1 + 2)) $551.88'],
    ],
    // production runs no T node: m6g.large instead of the t4g.medium staging gets for the same row
    [
      'production policy, 500 users, Valkey',
      env('production', { expectedUsers: 500, engine: 'valkey' }),
      ['2 × cache.m6g.large (1 shard × (1 + 1)) $174.03'],
    ],
    ['99 users, Redis OSS', env('pilot', { expectedUsers: 99, engine: 'redis' }), ['1 × cache.t4g.small (1 shard × (1 + 0)) $23.36']],
    ['100 users, Redis OSS', env('pilot', { expectedUsers: 100, engine: 'redis' }), ['2 × cache.t4g.medium (1 shard × (1 + 1)) $94.90']],
    [
      '1,000 users, Redis OSS',
      env('pilot', { expectedUsers: 1000, engine: 'redis' }),
      ['3 × cache.m7g.xlarge (1 shard × (1 + 2)) $689.85'],
    ],
    [
      '10,000 users, Redis OSS',
      env('pilot', { expectedUsers: 10000, engine: 'redis' }),
      ['3 × cache.m7g.xlarge (1 shard × (1 + 2)) $689.85'],
    ],
    // one shard cannot be a Redis Cluster: sized by the "1000-10000" row until the group is in cluster mode
    [
      '10,001 users at one shard, Redis OSS',
      env('pilot', { expectedUsers: 10001, engine: 'redis' }),
      ['3 × cache.m7g.xlarge (1 shard × (1 + 2)) $689.85'],
    ],
    // created in cluster mode, production: 16 GiB and 8 cores over ≥ 3 shards of nodes with ≥ 4 vCPU and 8 GiB, no T node
    [
      '25,000 users created in cluster mode, production, Redis OSS',
      env('production', { expectedUsers: 25000, engine: 'redis' }, true),
      ['6 × cache.m7g.xlarge (3 shards × (1 + 1)) $1379.70'],
    ],
    // the same in staging (1 core, 512 MB a node, T allowed): 7 × t4g.medium (2.32 GiB each) at $0.91/h beats 16 × t4g.small ($1.02)
    [
      '25,000 users created in cluster mode, staging, Redis OSS',
      env('staging', { expectedUsers: 25000, engine: 'redis' }, true),
      ['14 × cache.t4g.medium (7 shards × (1 + 1)) $664.30'],
    ],
    // no single node holds 200 GiB: 21 × r6g.large (9.80 GiB each); in production 11 × r7g.xlarge (4 vCPU, 19.74 GiB)
    [
      '500 users, a 200 GiB floor, created in cluster mode, staging, Redis OSS',
      env('staging', { expectedUsers: 500, engine: 'redis', memoryFloorGiB: 200 }, true),
      ['42 × cache.r6g.large (21 shards × (1 + 1)) $6315.96'],
    ],
    [
      '500 users, a 200 GiB floor, created in cluster mode, production, Redis OSS',
      env('production', { expectedUsers: 500, engine: 'redis', memoryFloorGiB: 200 }, true),
      ['22 × cache.r7g.xlarge (11 shards × (1 + 1)) $7018.22'],
    ],
  ])('%s', (_name, e, expected) => {
    expect(cheapest(e)).toEqual(expected);
  });

  it('counts the data space after 25 % reserved memory: 7 × t4g.medium hold 16.22 GiB', () => {
    const [set] = bruteForce(env('staging', { expectedUsers: 25000, engine: 'redis' }, true)).cheapest;
    expect(set.dataBytes).toBe(7 * 2488396677);
    expect(Math.round((set.dataBytes / GIB) * 100) / 100).toBe(16.22);
  });

  it('leaves groups moved to cluster mode out (they keep their node type on purpose)', () => {
    expect(() => bruteForce({ ...ENVIRONMENTS.production, clusterModeStep: 'resharded' })).toThrow(
      'brute force: production was moved to cluster mode and keeps its node type on purpose; only created groups are compared',
    );
  });
});

describe('the production sizing against the brute force', () => {
  it('the brute force imports nothing of the sizing it checks but planSizing and sizingProfileOf (no tiers, data space, prices or policies of production)', () => {
    const source = fs.readFileSync(require.resolve('../../scripts/bench/sizing-brute-force'), 'utf8');
    expect(source.match(/^import .*$/gm)).toEqual([
      "import { AWS_ENVIRONMENTS, AwsEnvironmentName, ENVIRONMENTS, EnvironmentConfig } from '../../config/environments';",
      "import { NODE_CATALOG, NodeType } from '../../constructs/facts/node-catalog';",
      "import type { Engine } from '../../constructs/facts/elasticache';",
      "import { SizingPlan, planSizing, sizingProfileOf } from '../../stacks/sizing';",
    ]);
  });

  const PROFILES: [string, EnvironmentConfig][] = [
    ['pilot, 50 users, Valkey', env('pilot', { expectedUsers: 50, engine: 'valkey' })],
    ['staging, 500 users, 2 GiB floor, Valkey', env('staging', { expectedUsers: 500, engine: 'valkey', memoryFloorGiB: 2 })],
    ['production, 5,000 users, 4 GiB floor, Valkey', env('production', { expectedUsers: 5000, engine: 'valkey', memoryFloorGiB: 4 })],
    ['production, 500 users, Valkey', env('production', { expectedUsers: 500, engine: 'valkey' })],
    ...[0, 99, 100, 999, 1000, 10000, 10001, 25000].map((u): [string, EnvironmentConfig] => [
      `pilot, ${u} users, Redis OSS`,
      env('pilot', { expectedUsers: u, engine: 'redis' }),
    ]),
    ...[10001, 25000].flatMap((u) =>
      (['staging', 'production'] as const).map((n): [string, EnvironmentConfig] => [
        `${n}, ${u} users, created in cluster mode, Redis OSS`,
        env(n, { expectedUsers: u, engine: 'redis' }, true),
      ]),
    ),
    [
      'staging, 500 users, 200 GiB floor, created in cluster mode',
      env('staging', { expectedUsers: 500, engine: 'redis', memoryFloorGiB: 200 }, true),
    ],
    [
      'production, 500 users, 200 GiB floor, created in cluster mode',
      env('production', { expectedUsers: 500, engine: 'redis', memoryFloorGiB: 200 }, true),
    ],
  ];

  it.each(PROFILES)('%s: the same tier, data space and price, and a cheapest node set (ratio 1.00)', (name, e) => {
    const check = checkSizing(name, e);
    expect(check.differences).toEqual([]);
    expect(check.ratio.toFixed(2)).toBe('1.00');
  });

  it('the bench checks every environment and a 25,000-user cluster, and finds no difference', () => {
    const checks = sizingChecks();
    expect(checks.map((c) => [c.name, c.environment.expectedUsers])).toEqual([
      ['pilot', ENVIRONMENTS.pilot.expectedUsers],
      ['staging', ENVIRONMENTS.staging.expectedUsers],
      ['production', ENVIRONMENTS.production.expectedUsers],
      ['cluster profile', 25000],
    ]);
    expect(checks.flatMap((c) => c.differences)).toEqual([]);
  });
});

/**
 * Production sizing code deliberately broken: stacks/sizing.ts loaded in an isolated module registry with one of its
 * inputs replaced. The brute force reads none of them, so each fault must show up as a difference.
 */
function brokenPlanSizing(mockPath: string, replace: (actual: Record<string, unknown>) => Record<string, unknown>): PlanSizing {
  let plan: PlanSizing | undefined;
  jest.isolateModules(() => {
    jest.doMock(mockPath, () => replace(jest.requireActual(mockPath)));
    const sizing = jest.requireActual<typeof import('../../stacks/sizing')>('../../stacks/sizing');
    plan = (e) => sizing.planSizing(sizing.sizingProfileOf(e));
  });
  jest.dontMock(mockPath);
  return plan!;
}

const withScaling = (change: (actual: Record<string, unknown>) => Record<string, unknown>) =>
  brokenPlanSizing('../../config/scaling', (actual) => ({ ...actual, ...change(actual) }));
const withTiers = (change: (tiers: ScalingTier[]) => ScalingTier[]) =>
  withScaling((actual) => ({ SCALING_TIERS: change([...(actual.SCALING_TIERS as ScalingTier[])]) }));

const ROW_100 = '| **100-1000** | 2 GB | 2 cores | RDB + AOF | Primary + Replica |';
const ROW_1000 = '| **1000-10000** | 8 GB | 4 cores | RDB + AOF | Sentinel (1P + 2R) |';
const ROW_CLUSTER = '| **> 10000** | 16+ GB | 8+ cores | RDB only | Redis Cluster |';

describe('a wrong production sizing is caught', () => {
  it('a tier boundary off by one (100 users sized as "< 100")', () => {
    const plan = withTiers((t) => [{ ...t[0], usersBelow: 101 }, ...t.slice(1)]);
    expect(checkSizing('100 users', env('pilot', { expectedUsers: 100, engine: 'redis' }), plan).differences).toEqual([
      `required data: the guide's row ${ROW_100} and the floor ask for 2 GiB, the plan for 0.5 GiB`,
      `replicas per shard: 1 by the guide's row ${ROW_100}, the plan has 0`,
      `node set: the plan's 1 × cache.t4g.small (1 shard × (1 + 0)) ($23.36 a month) is not a cheapest set that meets the guide's row ${ROW_100} ` +
        'for pilot: 2 × cache.t4g.medium (1 shard × (1 + 1)) ($94.90)',
    ]);
  });

  it("a tier's memory that is not the guide's (4 GB instead of 8 for 1000-10000), even where the node set stays the cheapest", () => {
    const plan = withTiers((t) => [t[0], t[1], { ...t[2], memoryGiB: 4 }, t[3]]);
    const check = checkSizing('production', env('production', { expectedUsers: 5000, engine: 'valkey' }), plan);
    // 4 cores still pick m7g.xlarge: only the tier's memory tells the fault
    expect(check.plan.nodeType.name).toBe('cache.m7g.xlarge');
    expect(check.differences).toEqual([`required data: the guide's row ${ROW_1000} and the floor ask for 8 GiB, the plan for 4 GiB`]);
  });

  it("replicas that are not the guide's (1 instead of Sentinel's 2)", () => {
    const plan = withTiers((t) => [t[0], t[1], { ...t[2], replicasPerShard: 1 }, t[3]]);
    expect(
      checkSizing('production', env('production', { expectedUsers: 5000, engine: 'valkey', memoryFloorGiB: 4 }), plan).differences,
    ).toEqual([
      `replicas per shard: 2 by the guide's row ${ROW_1000}, the plan has 1`,
      `node set: the plan's 2 × cache.m7g.xlarge (1 shard × (1 + 1)) ($367.92 a month) is not a cheapest set that meets the guide's row ${ROW_1000} ` +
        'for production: 3 × cache.m7g.xlarge (1 shard × (1 + 2)) ($551.88)',
    ]);
  });

  it('data space without the reserved memory (the whole maxmemory): the pilot would get a t4g.micro', () => {
    const plan = brokenPlanSizing('../../constructs/elasticache/node-types', (actual) => ({
      ...actual,
      dataSpaceBytes: (node: { maxmemoryBytes: number }) => node.maxmemoryBytes,
    }));
    expect(checkSizing('pilot', env('pilot', { expectedUsers: 50, engine: 'valkey' }), plan).differences).toEqual([
      'data space: 1 × cache.t4g.micro (1 shard × (1 + 0)) holds 0.38 GiB after 25 % reserved memory, the plan says 0.5 GiB',
      "node set: the plan's 1 × cache.t4g.micro (1 shard × (1 + 0)) ($9.34 a month) is not a cheapest set that meets the guide's row " +
        '| **< 100** | 512 MB | 1 core | RDB + AOF | Single instance | for pilot: 1 × cache.t4g.small (1 shard × (1 + 0)) ($18.69)',
    ]);
  });

  it('a price the plan misstates', () => {
    const plan: PlanSizing = (e) => {
      const real = jest.requireActual<typeof import('../../stacks/sizing')>('../../stacks/sizing');
      const p = real.planSizing(real.sizingProfileOf(e));
      return { ...p, monthlyCostUsd: p.monthlyCostUsd / 2 } satisfies SizingPlan;
    };
    expect(checkSizing('staging', env('staging', { expectedUsers: 500, engine: 'valkey', memoryFloorGiB: 2 }), plan).differences).toEqual([
      "cost: 2 × cache.t4g.medium (1 shard × (1 + 1)) costs $75.92 a month at the catalog's prices, the plan says $37.96",
    ]);
  });

  it("production's cluster nodes below guide 004's 4 cores and 8 GB", () => {
    const plan = withScaling((actual) => ({
      CLUSTER_NODE_MINIMUM: { ...(actual.CLUSTER_NODE_MINIMUM as object), production: { vcpu: 2, memoryGiB: 0.5 } },
    }));
    expect(checkSizing('cluster', env('production', { expectedUsers: 25000, engine: 'redis' }, true), plan).differences).toEqual([
      `node set: the plan's 8 × cache.m6g.large (4 shards × (1 + 1)) ($870.16 a month) is not a cheapest set that meets the guide's row ${ROW_CLUSTER} ` +
        'for production: 6 × cache.m7g.xlarge (3 shards × (1 + 1)) ($1379.70)',
    ]);
  });

  it('a burstable node in production', () => {
    const plan = withScaling((actual) => ({
      BURSTABLE_NODES_ALLOWED: { ...(actual.BURSTABLE_NODES_ALLOWED as object), production: true },
    }));
    expect(checkSizing('production', env('production', { expectedUsers: 500, engine: 'valkey' }), plan).differences).toEqual([
      `node set: the plan's 2 × cache.t4g.medium (1 shard × (1 + 1)) ($75.92 a month) is not a cheapest set that meets the guide's row ${ROW_100} ` +
        'for production: 2 × cache.m6g.large (1 shard × (1 + 1)) ($174.03)',
    ]);
  });

  it("a cluster of fewer shards than guide 004's three", () => {
    const plan = withScaling(() => ({ CLUSTER_MIN_SHARDS: 2 }));
    // 18 GiB: two r6g.large (19.6 GiB) would do at $0.82/h; with three shards or more the cheapest is 8 × t4g.medium
    expect(
      checkSizing('cluster', env('staging', { expectedUsers: 500, engine: 'redis', memoryFloorGiB: 18 }, true), plan).differences,
    ).toEqual([
      `node set: the plan's 4 × cache.r6g.large (2 shards × (1 + 1)) ($601.52 a month) is not a cheapest set that meets the guide's row ${ROW_100} ` +
        'for staging: 16 × cache.t4g.medium (8 shards × (1 + 1)) ($759.20)',
    ]);
  });
});

describe('statistics and parsing', () => {
  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('no values');
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([1, 2], 0.75)).toBe(1.75);
    expect(thousands(25000)).toBe('25,000');
  });

  it('paired ratios and the alternating run order', () => {
    expect(pairedRatios([2, 9], [1, 3])).toEqual([2, 3]);
    expect(() => pairedRatios([1], [])).toThrow();
    expect([0, 1, 2].map((i) => rotation(['a', 'b'], i))).toEqual([
      ['a', 'b'],
      ['b', 'a'],
      ['a', 'b'],
    ]);
    expect(rotation(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });

  it('splits the synth app command around its entry file', () => {
    expect(appArgv('node -r ts-node/register/transpile-only main.ts')).toEqual({
      argv: ['node', '-r', 'ts-node/register/transpile-only', 'main.ts'],
      entryIndex: 3,
    });
    expect(appArgv('node -r "./a b.js" main.js').argv).toEqual(['node', '-r', './a b.js', 'main.js']);
    expect(() => appArgv('npx ts-node main.ts && echo done')).toThrow('cannot time');
    expect(() => appArgv('make synth')).toThrow('cannot time');
  });

  it('reads requests per second from redis-benchmark --csv', () => {
    const out = [
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"SET","562851.81","1.287","0.232","1.199","2.095","3.239","7.167"',
      '"GET","757575.75","0.926","0.216","0.887","1.391","2.263","5.431"',
    ].join('\n');
    expect(parseBenchmarkCsv(out)).toEqual({ SET: 562851.81, GET: 757575.75 });
    expect(() => parseBenchmarkCsv('Error: connection refused')).toThrow('no CSV header');
  });
});
