/**
 * A brute force over the node catalog that the sizing (stacks/sizing.ts planSizing) is compared with
 * (scripts/bench/sizing.ts; __tests__/unit/bench-sizing.test.ts).
 */
import { DEFAULT_RESERVED_MEMORY_PERCENT, Engine, LIMITS } from '../../config/elasticache';
import { AWS_ENVIRONMENTS, ENVIRONMENTS } from '../../config/environments';
import { GIB, NODE_CATALOG, NodeType } from '../../config/node-catalog';
import { CLUSTER_MIN_SHARDS, CLUSTER_USERS_ABOVE } from '../../config/scaling';
import { dataSpaceBytes, monthlyCostUsd } from '../../constructs/elasticache/node-types';
import { SizingPlan, SizingProfile, planSizing, sizingProfileOf, tierFor } from '../../stacks/sizing';

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
