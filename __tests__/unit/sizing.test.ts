/**
 * Sizing (stacks/sizing.ts) from the scaling table of config/scaling.ts. The profiles are literals: today's
 * environments' users and floors, so changing an environment in config/ changes none of these expectations
 * (environment-stacks.test.ts specifies the environments themselves).
 */
import { NODE_CATALOG } from '../../constructs/facts/node-catalog';
import { dataSpaceBytes } from '../../constructs/elasticache/node-types';
import { ClusterModeStep } from '../../config/cluster-mode';
import { SizingProfile, planSizing, tierFor } from '../../stacks/sizing';

/** The profiles of the pilot, staging and production environments as guide 001 sets them (config/scaling.ts). */
const PROFILES = {
  pilot: { expectedUsers: 50, engine: 'redis' },
  staging: { expectedUsers: 500, engine: 'redis', memoryFloorGiB: 2 },
  production: { expectedUsers: 5000, engine: 'redis', memoryFloorGiB: 4 },
} as const satisfies Record<string, SizingProfile>;

describe('the scaling table (000 "Scaling Recommendations")', () => {
  it.each([
    [0, 'Single instance', 0.5, 1],
    [99, 'Single instance', 0.5, 1],
    [100, 'Primary + Replica', 2, 2],
    [999, 'Primary + Replica', 2, 2],
    [1000, 'Sentinel (1P + 2R)', 8, 4],
    [10000, 'Sentinel (1P + 2R)', 8, 4],
    [10001, 'Redis Cluster', 16, 8],
    [1_000_000, 'Redis Cluster', 16, 8],
  ])('%i users: "%s", %f GiB, %i cores', (users, replication, memoryGiB, vcpu) => {
    expect(tierFor(users)).toMatchObject({ replication, memoryGiB, vcpu });
  });
});

describe("sizing of the environments' profiles", () => {
  it('50 users (pilot) is a single t4g.small: 512 MB of data on the cheapest node that holds it', () => {
    const plan = planSizing(PROFILES.pilot);
    expect(plan.requiredDataGiB).toBe(0.5);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 0, totalNodes: 1, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.t4g.small');
    // the micro node would be cheaper but its 0.375 GiB of data space is below the tier's 0.5 GiB
    expect(dataSpaceBytes(NODE_CATALOG.find((n) => n.name === 'cache.t4g.micro')!)).toBeLessThan(536870912);
    expect(plan.monthlyCostUsd).toBe(23.36); // $0.032/h × 730 h
  });

  it('500 users with a 2 GB floor (staging, guide 001) is a primary plus a replica holding the floor', () => {
    const plan = planSizing(PROFILES.staging);
    expect(plan.requiredDataGiB).toBe(2);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 1, totalNodes: 2, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.t4g.medium');
    expect(plan.monthlyCostUsd).toBe(94.9); // $0.065/h × 730 h × 2 nodes
  });

  it('5,000 users with a 4 GB floor (production) is 1 primary + 2 replicas on 4-vCPU nodes holding 8 GB (the tier beats the floor)', () => {
    const plan = planSizing(PROFILES.production);
    expect(plan.requiredDataGiB).toBe(8);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 2, totalNodes: 3, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.m7g.xlarge');
    expect(plan.nodeType.vcpu).toBe(4);
    expect(plan.monthlyCostUsd).toBe(689.85); // $0.315/h × 730 h × 3 nodes
    expect(plan.priceDate).toBe('2026-10-02');
  });

  it('more than 10,000 users keep one shard, sized for the 1000–10000 tier, until the move to cluster mode is done', () => {
    const plan = planSizing({ ...PRODUCTION_POLICY, expectedUsers: 25000 });
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 2, totalNodes: 3, clusterMode: 'disabled', clusterModeNeeded: true });
    expect(plan.nodeType.name).toBe('cache.m7g.xlarge');
    expect(plan.tier.replication).toBe('Redis Cluster');
    expect(plan.sizedTier.replication).toBe('Sentinel (1P + 2R)');
    expect(plan.target).toMatchObject({ shards: 3, replicasPerShard: 2, totalNodes: 9, clusterMode: 'enabled', monthlyCostUsd: 2069.55 });
    expect(plan.target?.nodeType.name).toBe('cache.m7g.xlarge');
  });

  it('data that no single node holds needs the move: the error names the setting', () => {
    expect(() => planSizing({ expectedUsers: 500, engine: 'redis', memoryFloorGiB: 200 })).toThrow(
      'memory: one shard holds at most 79.36 GiB of data (the largest catalog node), got 200 GiB: the group needs cluster mode: move it with clusterModeStep (README "Moving to cluster mode"), now at "single-shard"',
    );
  });
});

/** Production's node policies (config/scaling.ts): no burstable node, 004's 4 vCPU and 8 GB per cluster node. */
const PRODUCTION_POLICY = {
  engine: 'redis',
  allowBurstable: false,
  clusterNodeMinimum: { vcpu: 4, memoryGiB: 8 },
} as const satisfies Omit<SizingProfile, 'expectedUsers'>;

describe('cluster tiers (000 "> 10000: 16+ GB, 8+ cores, Redis Cluster"; 004 "3 masters, 3 replicas", "4 CPU cores per node, 8GB RAM per node")', () => {
  it('production created in cluster mode at 25,000 users: 3 primaries + 3 replicas of cache.m7g.xlarge (4 vCPU, 12.93 GiB each)', () => {
    const plan = planSizing({ ...PRODUCTION_POLICY, expectedUsers: 25000, clusterModeStep: 'resharded', createdInClusterMode: true });
    expect(plan).toMatchObject({ shards: 3, replicasPerShard: 1, totalNodes: 6, clusterMode: 'enabled', dataGiB: 29.11 });
    expect(plan.nodeType.name).toBe('cache.m7g.xlarge');
    expect(plan.monthlyCostUsd).toBe(1379.7);
  });

  it('without the production policies the same profile is 7 shards of burstable cache.t4g.medium (what the issue found in production)', () => {
    const plan = planSizing({ expectedUsers: 25000, engine: 'redis', clusterModeStep: 'resharded', createdInClusterMode: true });
    expect(plan).toMatchObject({ shards: 7, replicasPerShard: 1, totalNodes: 14, dataGiB: 16.22, monthlyCostUsd: 664.3 });
    expect(plan.nodeType.name).toBe('cache.t4g.medium');
  });

  it("production is never burstable: 50 users there get cache.m6g.large, not the pilot tier's cache.t4g.small", () => {
    const plan = planSizing({ ...PRODUCTION_POLICY, expectedUsers: 50 });
    expect(plan.nodeType.name).toBe('cache.m6g.large');
    expect(plan.nodeType.burstable).toBe(false);
  });

  it('the steps compatible, cluster-clients and cluster size exactly like single-shard; only the mode differs', () => {
    const at = (clusterModeStep: ClusterModeStep) =>
      planSizing({ ...PRODUCTION_POLICY, expectedUsers: 20000, memoryFloorGiB: 4, clusterModeStep });
    expect(
      (['single-shard', 'compatible', 'cluster-clients', 'cluster'] as const).map((s) => [
        s,
        at(s).clusterMode,
        at(s).nodeType.name,
        at(s).shards,
        at(s).replicasPerShard,
        at(s).monthlyCostUsd,
      ]),
    ).toEqual([
      ['single-shard', 'disabled', 'cache.m7g.xlarge', 1, 2, 689.85],
      ['compatible', 'compatible', 'cache.m7g.xlarge', 1, 2, 689.85],
      ['cluster-clients', 'compatible', 'cache.m7g.xlarge', 1, 2, 689.85],
      ['cluster', 'enabled', 'cache.m7g.xlarge', 1, 2, 689.85],
    ]);
  });

  it('the last step of a move is a pure scale-out: the node type and the replicas of the one shard stay, shards 1 → 3', () => {
    const plan = planSizing({ ...PRODUCTION_POLICY, expectedUsers: 20000, memoryFloorGiB: 4, clusterModeStep: 'resharded' });
    expect(plan).toMatchObject({ shards: 3, replicasPerShard: 2, totalNodes: 9, clusterMode: 'enabled', monthlyCostUsd: 2069.55 });
    expect(plan.nodeType.name).toBe('cache.m7g.xlarge');
  });

  it.each([
    [30, 'cache.r7g.2xlarge', 3],
    [79, 'cache.r7g.4xlarge', 3],
    [100, 'cache.r7g.4xlarge', 3],
    [300, 'cache.r7g.4xlarge', 4],
  ])('a moved cluster holding %i GiB: %s × %i shards (beyond one node: the largest node, more shards)', (floor, node, shards) => {
    const plan = planSizing({ ...PRODUCTION_POLICY, expectedUsers: 20000, memoryFloorGiB: floor, clusterModeStep: 'resharded' });
    expect([plan.nodeType.name, plan.shards, plan.replicasPerShard]).toEqual([node, shards, 2]);
  });

  it("a step of the move without a replica is refused (pilot's single instance)", () => {
    expect(() => planSizing({ expectedUsers: 50, engine: 'redis', clusterModeStep: 'compatible' })).toThrow(
      'clusterModeStep: single-shard while the group has no replica (50 users: "Single instance"; the move to cluster mode needs automatic failover with at least one replica, AWS "Modifying cluster mode"), got "compatible"',
    );
  });

  it('data beyond every single node, in a group created in cluster mode: 21 shards of cache.r6g.large', () => {
    const plan = planSizing({
      expectedUsers: 500,
      engine: 'redis',
      memoryFloorGiB: 200,
      clusterModeStep: 'resharded',
      createdInClusterMode: true,
    });
    expect([plan.nodeType.name, plan.shards, plan.dataGiB, plan.monthlyCostUsd]).toEqual(['cache.r6g.large', 21, 205.9, 6315.96]);
  });
});

describe('more profiles', () => {
  it('valkey plans the same nodes at 80 % of the price', () => {
    const redis = planSizing(PROFILES.production);
    const valkey = planSizing({ ...PROFILES.production, engine: 'valkey' });
    expect([redis.nodeType.name, redis.monthlyCostUsd]).toEqual(['cache.m7g.xlarge', 689.85]);
    expect([valkey.nodeType.name, valkey.monthlyCostUsd]).toEqual(['cache.m7g.xlarge', 551.88]); // $0.252/h × 730 h × 3
  });
  // That no cheaper catalog node meets a profile is checked by an independent brute force over the catalog
  // (scripts/bench/sizing-brute-force.ts, specified in bench-sizing.test.ts), not by re-running this code's own rules.
});

describe('impossible profiles throw one clear error', () => {
  it.each([
    [{ expectedUsers: -1, engine: 'redis' }, 'expectedUsers: a whole number ≥ 0, got -1'],
    [{ expectedUsers: 1.5, engine: 'redis' }, 'expectedUsers: a whole number ≥ 0, got 1.5'],
    [{ expectedUsers: 10, engine: 'memcached' }, 'engine: one of redis, valkey, got "memcached"'],
    [{ expectedUsers: 10, engine: 'redis', memoryFloorGiB: -2 }, 'memoryFloorGiB: a number ≥ 0, got -2'],
    [{ expectedUsers: 10, engine: 'redis', reservedMemoryPercent: 100 }, 'reservedMemoryPercent: a number from 0 to 99, got 100'],
    [
      { expectedUsers: 10, engine: 'redis', memoryFloorGiB: 100_000, clusterModeStep: 'resharded', createdInClusterMode: true },
      'memory: at most 90 shards of a catalog node with at least 1 vCPU and 0.5 GiB, got 100000 GiB',
    ],
    [
      { expectedUsers: 500, engine: 'redis', clusterModeStep: 'sharded' },
      'clusterModeStep: one of single-shard, compatible, cluster-clients, cluster, resharded, got "sharded"',
    ],
    [
      { expectedUsers: 500, engine: 'redis', createdInClusterMode: true },
      'createdInClusterMode: only with clusterModeStep "resharded" (a group created in cluster mode starts at the last step), got clusterModeStep "single-shard"',
    ],
  ])('%j', (profile, message) => {
    expect(() => planSizing(profile as SizingProfile)).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(() => planSizing({ expectedUsers: -5, engine: 'mysql' as never })).toThrow(/expectedUsers[\s\S]*engine/);
  });
});
