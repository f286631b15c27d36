/**
 * Pure parts of `npm run bench` (scripts/bench.ts), kept apart so that __tests__/bench-sizing.test.ts can check them
 * without running anything: statistics, redis-benchmark's CSV, and an independent brute force over the node catalog
 * that the sizing (stacks/sizing.ts planSizing) is compared with.
 */
import { DEFAULT_RESERVED_MEMORY_PERCENT, Engine, LIMITS } from '../../constructs/facts/elasticache';
import { AWS_ENVIRONMENTS, ENVIRONMENTS } from '../../config/environments';
import { GIB, NODE_CATALOG, NodeType } from '../../constructs/facts/node-catalog';
import { CLUSTER_MIN_SHARDS, CLUSTER_USERS_ABOVE } from '../../config/scaling';
import { dataSpaceBytes, monthlyCostUsd } from '../../constructs/elasticache/node-types';
import { SizingPlan, SizingProfile, planSizing, sizingProfileOf, tierFor } from '../../stacks/sizing';

// ---------------------------------------------------------------------------------------------------------------
// statistics

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The q-quantile (0 ≤ q ≤ 1) of a non-empty list, interpolating linearly between neighbours; median = quantile 0.5. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new Error('quantile: no values');
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

/** a[i] / b[i] for each pair: the ratio of two measurements taken back to back, so that slow drift cancels. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error(`pairedRatios: ${a.length} values against ${b.length}`);
  return a.map((x, i) => x / b[i]);
}

/**
 * Run order of round `round` when several subjects alternate: the list rotated by the round number. For two
 * subjects that is A B, B A, A B, … so that neither always runs first (on a warmer cache, or on a CPU with more of
 * its burst budget left).
 */
export function rotation<T>(subjects: readonly T[], round: number): T[] {
  const k = subjects.length ? round % subjects.length : 0;
  return [...subjects.slice(k), ...subjects.slice(0, k)];
}

// ---------------------------------------------------------------------------------------------------------------
// the synth app command

/**
 * The synth app command (cdktf.json `app`) as argv, and where its entry file sits, so that the floor can run the
 * same way with its own entry. Words split on white space; quotes around a word are removed.
 */
export function appArgv(app: string): { argv: string[]; entryIndex: number } {
  const argv = (app.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(["'])(.*)\1$/, '$2'));
  const entryIndex = argv.length - 1;
  if (argv.length < 2 || !/\.[cm]?[jt]s$/.test(argv[entryIndex]) || /[|&;<>$`]/.test(app)) {
    throw new Error(`synth: cannot time the app command ${JSON.stringify(app)}: expected \`<runtime> [options] <entry file>\``);
  }
  return { argv, entryIndex };
}

// ---------------------------------------------------------------------------------------------------------------
// redis-benchmark --csv

/** Requests per second per test (`SET`, `GET`, …) from `redis-benchmark --csv` output. */
export function parseBenchmarkCsv(stdout: string): Record<string, number> {
  const rows = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  const header = rows.findIndex((r) => r[0] === 'test' && r.includes('rps'));
  if (header < 0) throw new Error(`redis-benchmark: no CSV header in output:\n${stdout}`);
  const rps = rows[header].indexOf('rps');
  const out: Record<string, number> = {};
  for (const r of rows.slice(header + 1)) {
    const v = Number(r[rps]);
    if (r[0] && Number.isFinite(v)) out[r[0]] = v;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// sizing: an independent brute force over the catalog

export interface NodeSet {
  readonly node: NodeType;
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly clusterMode: boolean;
  readonly totalNodes: number;
  readonly monthlyCostUsd: number;
}

/**
 * The cheapest node set that meets a profile's tier requirements, by trying every catalog node with every shard
 * count from 1 to LIMITS.maxShards. Written from the guides' rules, not from planSizing's code:
 * - topology: one shard until the profile is at the last cluster-mode step (`resharded`), sized for the users' tier
 *   but at most the 1000–10000 tier (a group with one shard cannot be a Redis Cluster); at `resharded` cluster mode with
 *   at least CLUSTER_MIN_SHARDS shards, the users' own tier;
 * - data: shards × data space after reserved memory ≥ max(tier memory, memory floor);
 * - vCPU: single shard: the node's vCPUs ≥ the tier's cores; cluster mode: the tier's cores are a total across the
 *   primaries, shards × vCPU ≥ tier cores, and every node meets the profile's per-node minimum (004);
 * - replicas per shard per the tier (at least one in cluster mode);
 * - no burstable node where the profile forbids them.
 * Ties (equal monthly cost) keep the first found; the cost is what matters here. A group moved from one shard keeps
 * its node type and replicas at `resharded` on purpose (growth in one kind of change); compare created groups only.
 */
export function cheapestNodeSet(profile: SizingProfile): NodeSet {
  const clusterMode = profile.clusterModeStep === 'resharded';
  const users = clusterMode ? profile.expectedUsers : Math.min(profile.expectedUsers, CLUSTER_USERS_ABOVE);
  const tier = tierFor(users);
  const reserved = profile.reservedMemoryPercent ?? DEFAULT_RESERVED_MEMORY_PERCENT;
  const requiredBytes = Math.max(tier.memoryGiB, profile.memoryFloorGiB ?? 0) * GIB;
  const minimum = clusterMode ? (profile.clusterNodeMinimum ?? { vcpu: 1, memoryGiB: 0 }) : { vcpu: 0, memoryGiB: 0 };
  const replicas = clusterMode ? Math.max(1, tier.replicasPerShard) : tier.replicasPerShard;
  let best: NodeSet | undefined;
  for (const node of NODE_CATALOG) {
    if (profile.allowBurstable === false && node.name.startsWith('cache.t')) continue;
    if (node.vcpu < minimum.vcpu || node.memoryGiB < minimum.memoryGiB) continue;
    for (let shards = 1; shards <= (clusterMode ? LIMITS.maxShards : 1); shards++) {
      if (clusterMode && shards < CLUSTER_MIN_SHARDS) continue;
      if (shards * dataSpaceBytes(node, reserved) < requiredBytes) continue;
      if ((clusterMode ? shards * node.vcpu : node.vcpu) < tier.vcpu) continue;
      const totalNodes = shards * (1 + replicas);
      const cost = monthlyCostUsd(node, profile.engine, totalNodes);
      if (!best || cost < best.monthlyCostUsd) {
        best = { node, shards, replicasPerShard: replicas, clusterMode, totalNodes, monthlyCostUsd: cost };
      }
    }
  }
  if (!best) throw new Error(`cheapestNodeSet: no catalog node set holds ${requiredDataText(requiredBytes)}`);
  return best;
}

function requiredDataText(bytes: number): string {
  return `${Math.round((bytes / GIB) * 100) / 100} GiB`;
}

export interface SizingComparison {
  /** Environment name, or a label for an extra profile. */
  readonly name: string;
  readonly profile: SizingProfile;
  readonly plan: SizingPlan;
  readonly cheapest: NodeSet;
  /** plan cost ÷ cheapest cost; 1.00 when the sizing picks a cheapest set. */
  readonly ratio: number;
  /** The same profile on the Valkey engine. */
  readonly valkeyPlan: SizingPlan;
  /** Redis OSS cost − Valkey cost of the same profile, USD per month (what Valkey saves, whichever engine it runs). */
  readonly valkeySavingUsd: number;
  readonly valkeySavingPercent: number;
}

export function compareSizing(name: string, profile: SizingProfile): SizingComparison {
  const plan = planSizing(profile);
  const cheapest = cheapestNodeSet(profile);
  const redisPlan = profile.engine === 'redis' ? plan : planSizing({ ...profile, engine: 'redis' });
  const valkeyPlan = profile.engine === 'valkey' ? plan : planSizing({ ...profile, engine: 'valkey' });
  const saving = Math.round((redisPlan.monthlyCostUsd - valkeyPlan.monthlyCostUsd) * 100) / 100;
  return {
    name,
    profile,
    plan,
    cheapest,
    ratio: plan.monthlyCostUsd / cheapest.monthlyCostUsd,
    valkeyPlan,
    valkeySavingUsd: saving,
    valkeySavingPercent: redisPlan.monthlyCostUsd > 0 ? (saving / redisPlan.monthlyCostUsd) * 100 : 0,
  };
}

/** Users of the extra profile above the 10,000-user bound: production's policies, created in cluster mode (no environment is one yet). */
export const CLUSTER_PROFILE_USERS = 25000;

/** Every environment of config/environments.ts, plus a > 10,000-user profile on the default engine. */
export function sizingComparisons(extraEngine: Engine = 'redis'): SizingComparison[] {
  const rows = AWS_ENVIRONMENTS.map((name) => compareSizing(name, sizingProfileOf(ENVIRONMENTS[name])));
  rows.push(
    compareSizing(`cluster profile`, {
      ...sizingProfileOf({ ...ENVIRONMENTS.production, memoryFloorGiB: undefined, engine: extraEngine }),
      expectedUsers: CLUSTER_PROFILE_USERS,
      clusterModeStep: 'resharded',
      createdInClusterMode: true,
    }),
  );
  return rows;
}

/** 25000 → `25,000` (no locale data needed). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `3 × cache.m7g.xlarge (1 shard × (1 + 2))` */
export function nodeSetText(s: {
  nodeType?: NodeType;
  node?: NodeType;
  shards: number;
  replicasPerShard: number;
  totalNodes: number;
}): string {
  const node = s.nodeType ?? s.node;
  if (!node) throw new Error('nodeSetText: a node set needs nodeType or node');
  return `${s.totalNodes} × ${node.name} (${s.shards} shard${s.shards === 1 ? '' : 's'} × (1 + ${s.replicasPerShard}))`;
}
