import { ENVIRONMENTS } from '../../config/environments';
import { DEFAULT_RESERVED_MEMORY_PERCENT } from '../../config/elasticache';
import { GIB, NODE_CATALOG, PRICE_DATE } from '../../config/node-catalog';
import { dataSpaceBytes, hourlyPriceUsd } from '../../constructs/elasticache/node-types';
import { CLUSTER_MIN_SHARDS, EXPECTED_USERS, MEMORY_FLOOR_GIB, SCALING_TIERS } from '../../config/scaling';
import { SizingProfile, planSizing, tierFor } from '../../stacks/sizing';

const profileOf = (env: keyof typeof ENVIRONMENTS): SizingProfile => ({
  expectedUsers: ENVIRONMENTS[env].expectedUsers,
  engine: ENVIRONMENTS[env].engine,
  memoryFloorGiB: ENVIRONMENTS[env].memoryFloorGiB,
});

describe('the scaling table (000 "Scaling Recommendations")', () => {
  it.each([
    [0, 0],
    [99, 0],
    [100, 1],
    [999, 1],
    [1000, 2],
    [10000, 2],
    [10001, 3],
    [1_000_000, 3],
  ])('%i users fall in tier %i', (users, tierIndex) => {
    expect(tierFor(users)).toBe(SCALING_TIERS[tierIndex]);
  });
});

describe('environment sizing', () => {
  it('pilot (50 users) is a single t4g.small: 512 MB of data on the cheapest node that holds it', () => {
    const plan = planSizing(profileOf('pilot'));
    expect(EXPECTED_USERS.pilot).toBeLessThan(100);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 0, totalNodes: 1, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.t4g.small');
    // the micro node would be cheaper but its 0.375 GiB of data space is below the tier's 0.5 GiB
    expect(dataSpaceBytes(NODE_CATALOG.find((n) => n.name === 'cache.t4g.micro')!)).toBeLessThan(0.5 * GIB);
    expect(plan.monthlyCostUsd).toBeCloseTo(0.032 * 730, 2);
  });

  it('staging (500 users) is a primary plus a replica holding the 2 GB floor of guide 001', () => {
    const plan = planSizing(profileOf('staging'));
    expect(plan.requiredDataGiB).toBe(MEMORY_FLOOR_GIB.staging);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 1, totalNodes: 2, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.t4g.medium');
    expect(plan.monthlyCostUsd).toBeCloseTo(0.065 * 730 * 2, 2);
  });

  it('production (5,000 users) is 1 primary + 2 replicas on 4-vCPU nodes holding 8 GB (the tier beats the 4 GB floor)', () => {
    const plan = planSizing(profileOf('production'));
    expect(plan.requiredDataGiB).toBe(8);
    expect(MEMORY_FLOOR_GIB.production).toBeLessThan(8);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 2, totalNodes: 3, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.m7g.xlarge');
    expect(plan.nodeType.vcpu).toBeGreaterThanOrEqual(4);
    expect(plan.monthlyCostUsd).toBeCloseTo(0.315 * 730 * 3, 2);
    expect(plan.priceDate).toBe(PRICE_DATE);
  });

  it('more than 10,000 users shards into a Redis Cluster of at least 3 shards with a replica each', () => {
    const plan = planSizing({ expectedUsers: 25000, engine: 'redis' });
    expect(plan.clusterModeEnabled).toBe(true);
    expect(plan.shards).toBeGreaterThanOrEqual(CLUSTER_MIN_SHARDS);
    expect(plan.replicasPerShard).toBe(1);
    expect(plan.totalNodes).toBe(plan.shards * 2);
    expect(plan.dataGiB).toBeGreaterThanOrEqual(16);
    expect(plan.shards * plan.nodeType.vcpu).toBeGreaterThanOrEqual(8);
  });

  it('data beyond the largest node shards even below 10,000 users', () => {
    const plan = planSizing({ expectedUsers: 500, engine: 'redis', memoryFloorGiB: 200 });
    expect(plan.clusterModeEnabled).toBe(true);
    expect(plan.dataGiB).toBeGreaterThanOrEqual(200);
    expect(plan.shards).toBeGreaterThan(1);
  });

  it('valkey plans the same nodes at 80 % of the price', () => {
    const redis = planSizing(profileOf('production'));
    const valkey = planSizing({ ...profileOf('production'), engine: 'valkey' });
    expect(valkey.nodeType).toBe(redis.nodeType);
    expect(valkey.monthlyCostUsd).toBeCloseTo(redis.monthlyCostUsd * 0.8, 1);
  });

  it.each([['pilot'], ['staging'], ['production']] as const)(
    '%s: no cheaper catalog node meets the same memory and vCPU requirement',
    (env) => {
      const plan = planSizing(profileOf(env));
      const cheaper = NODE_CATALOG.filter(
        (n) =>
          dataSpaceBytes(n, DEFAULT_RESERVED_MEMORY_PERCENT) >= plan.requiredDataGiB * GIB &&
          n.vcpu >= plan.tier.vcpu &&
          hourlyPriceUsd(n, 'redis') < hourlyPriceUsd(plan.nodeType, 'redis'),
      );
      expect(cheaper).toEqual([]);
    },
  );
});

describe('impossible profiles throw one clear error', () => {
  it.each([
    [{ expectedUsers: -1, engine: 'redis' }, 'expectedUsers: a whole number ≥ 0, got -1'],
    [{ expectedUsers: 1.5, engine: 'redis' }, 'expectedUsers: a whole number ≥ 0, got 1.5'],
    [{ expectedUsers: 10, engine: 'memcached' }, 'engine: one of redis, valkey, got "memcached"'],
    [{ expectedUsers: 10, engine: 'redis', memoryFloorGiB: -2 }, 'memoryFloorGiB: a number ≥ 0, got -2'],
    [{ expectedUsers: 10, engine: 'redis', reservedMemoryPercent: 100 }, 'reservedMemoryPercent: a number from 0 to 99, got 100'],
    [
      { expectedUsers: 10, engine: 'redis', memoryFloorGiB: 100_000 },
      'memory: at most 90 shards of the largest catalog node, got 100000 GiB',
    ],
  ])('%j', (profile, message) => {
    expect(() => planSizing(profile as SizingProfile)).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(() => planSizing({ expectedUsers: -5, engine: 'mysql' as never })).toThrow(/expectedUsers[\s\S]*engine/);
  });
});
