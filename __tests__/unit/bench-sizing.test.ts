/**
 * The pure parts of `npm run bench` (scripts/bench/sizing-brute-force.ts), above all the sizing check: the node set planSizing
 * chooses costs exactly as much as the cheapest set an independent brute force over the catalog finds.
 */
import { AWS_ENVIRONMENTS } from '../../config/environments';
import { GIB } from '../../constructs/facts/node-catalog';
import { dataSpaceBytes } from '../../constructs/elasticache/node-types';
import { CLUSTER_MIN_SHARDS } from '../../config/scaling';
import { tierFor } from '../../stacks/sizing';
import {
  CLUSTER_PROFILE_USERS,
  appArgv,
  compareSizing,
  median,
  pairedRatios,
  parseBenchmarkCsv,
  quantile,
  rotation,
  sizingComparisons,
} from '../../scripts/bench/sizing-brute-force';

describe('sizing cost against the cheapest catalog choice', () => {
  const rows = sizingComparisons();

  it('covers every environment and a > 10,000-user profile', () => {
    expect(rows.map((r) => r.name)).toEqual([...AWS_ENVIRONMENTS, 'cluster profile']);
    expect(rows[3].profile.expectedUsers).toBe(CLUSTER_PROFILE_USERS);
    expect(CLUSTER_PROFILE_USERS).toBeGreaterThan(10000);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s: chosen ÷ cheapest = 1.00', (_name, row) => {
    expect(row.plan.monthlyCostUsd).toBeCloseTo(row.cheapest.monthlyCostUsd, 2);
    expect(row.ratio.toFixed(2)).toBe('1.00');
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s: the brute force meets the tier (memory, vCPU, replicas)', (_name, row) => {
    const tier = tierFor(row.profile.expectedUsers);
    const c = row.cheapest;
    const required = Math.max(tier.memoryGiB, row.profile.memoryFloorGiB ?? 0) * GIB;
    expect(c.shards * dataSpaceBytes(c.node)).toBeGreaterThanOrEqual(required);
    expect(c.clusterMode ? c.shards * c.node.vcpu : c.node.vcpu).toBeGreaterThanOrEqual(tier.vcpu);
    expect(c.replicasPerShard).toBeGreaterThanOrEqual(tier.replicasPerShard);
    expect(c.clusterMode).toBe(tier.clusterMode);
    if (c.clusterMode) expect(c.shards).toBeGreaterThanOrEqual(CLUSTER_MIN_SHARDS);
  });

  it.each([
    ['pilot', 4.67],
    ['staging', 18.98],
    ['production', 137.97],
  ] as const)('%s: Valkey saves 20 %% of the Redis OSS cost ($%s a month)', (name, usd) => {
    const row = rows.find((r) => r.name === name)!;
    expect(row.valkeySavingPercent).toBeCloseTo(20, 0);
    expect(row.valkeySavingUsd).toBe(usd);
  });

  it('data beyond every single node is sharded by the brute force too, at the same cost as the plan', () => {
    const row = compareSizing('big', {
      expectedUsers: 500,
      engine: 'redis',
      memoryFloorGiB: 200,
      clusterModeStep: 'resharded',
      createdInClusterMode: true,
    });
    expect(row.cheapest.clusterMode).toBe(true);
    expect(row.ratio.toFixed(2)).toBe('1.00');
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
