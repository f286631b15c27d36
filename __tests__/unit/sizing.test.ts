/**
 * Sizing (stacks/sizing.ts) from the scaling table of config/scaling.ts. The profiles are literals: today's
 * environments' users and floors, so changing an environment in config/ changes none of these expectations
 * (environment-stacks.test.ts specifies the environments themselves).
 */
import { DEFAULT_RESERVED_MEMORY_PERCENT } from '../../config/elasticache';
import { GIB, NODE_CATALOG, PRICE_DATE } from '../../config/node-catalog';
import { dataSpaceBytes, hourlyPriceUsd } from '../../constructs/elasticache/node-types';
import { CLUSTER_MIN_SHARDS, SCALING_TIERS } from '../../config/scaling';
import { SizingProfile, planSizing, tierFor } from '../../stacks/sizing';

/** The profiles of the pilot, staging and production environments as guide 001 sets them (config/scaling.ts). */
const PROFILES = {
  pilot: { expectedUsers: 50, engine: 'redis' },
  staging: { expectedUsers: 500, engine: 'redis', memoryFloorGiB: 2 },
  production: { expectedUsers: 5000, engine: 'redis', memoryFloorGiB: 4 },
} as const satisfies Record<string, SizingProfile>;

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

describe("sizing of the environments' profiles", () => {
  it('50 users (pilot) is a single t4g.small: 512 MB of data on the cheapest node that holds it', () => {
    const plan = planSizing(PROFILES.pilot);
    expect(plan.requiredDataGiB).toBe(0.5);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 0, totalNodes: 1, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.t4g.small');
    // the micro node would be cheaper but its 0.375 GiB of data space is below the tier's 0.5 GiB
    expect(dataSpaceBytes(NODE_CATALOG.find((n) => n.name === 'cache.t4g.micro')!)).toBeLessThan(0.5 * GIB);
    expect(plan.monthlyCostUsd).toBeCloseTo(0.032 * 730, 2);
  });

  it('500 users with a 2 GB floor (staging, guide 001) is a primary plus a replica holding the floor', () => {
    const plan = planSizing(PROFILES.staging);
    expect(plan.requiredDataGiB).toBe(2);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 1, totalNodes: 2, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.t4g.medium');
    expect(plan.monthlyCostUsd).toBeCloseTo(0.065 * 730 * 2, 2);
  });

  it('5,000 users with a 4 GB floor (production) is 1 primary + 2 replicas on 4-vCPU nodes holding 8 GB (the tier beats the floor)', () => {
    const plan = planSizing(PROFILES.production);
    expect(plan.requiredDataGiB).toBe(8);
    expect(plan).toMatchObject({ shards: 1, replicasPerShard: 2, totalNodes: 3, clusterModeEnabled: false });
    expect(plan.nodeType.name).toBe('cache.m7g.xlarge');
    expect(plan.nodeType.vcpu).toBe(4);
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
    const redis = planSizing(PROFILES.production);
    const valkey = planSizing({ ...PROFILES.production, engine: 'valkey' });
    expect(valkey.nodeType).toBe(redis.nodeType);
    expect(valkey.monthlyCostUsd).toBeCloseTo(redis.monthlyCostUsd * 0.8, 1);
  });

  it.each([['pilot'], ['staging'], ['production']] as const)(
    '%s profile: no cheaper catalog node meets the same memory and vCPU requirement',
    (env) => {
      const plan = planSizing(PROFILES[env]);
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
