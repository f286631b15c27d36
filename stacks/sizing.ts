/**
 * Sizing: an environment profile (expected users, engine, optional memory floor) → a concrete plan.
 * Pure functions over the scaling tables (config/scaling.ts) and the node catalog (config/node-catalog.ts).
 */
import { DEFAULT_RESERVED_MEMORY_PERCENT, ENGINES, Engine, LIMITS } from '../config/elasticache';
import { GIB, NODE_CATALOG, NodeType, PRICE_DATE } from '../config/node-catalog';
import { CLUSTER_MIN_SHARDS, CLUSTER_USERS_ABOVE, SCALING_TIERS, ScalingTier, TOP_TIER_MAX_USERS_WITHOUT_FLOOR } from '../config/scaling';
import { dataSpaceBytes, hourlyPriceUsd, monthlyCostUsd } from '../constructs/elasticache/node-types';
import { Problems, ValidationError } from '../constructs/validation';

export interface SizingProfile {
  /** Users the environment must serve. */
  readonly expectedUsers: number;
  readonly engine: Engine;
  /** Data memory the environment must have at least, GiB, on top of the tier's. @default 0 */
  readonly memoryFloorGiB?: number;
  /** reserved-memory-percent of the parameter group. @default 25 */
  readonly reservedMemoryPercent?: number;
}

export interface SizingPlan {
  readonly tier: ScalingTier;
  readonly engine: Engine;
  /** Data memory the plan must hold, GiB: max(tier memory, floor). */
  readonly requiredDataGiB: number;
  readonly nodeType: NodeType;
  /** Shards (node groups); 1 unless cluster mode. */
  readonly shards: number;
  readonly replicasPerShard: number;
  /** shards × (1 + replicas per shard) */
  readonly totalNodes: number;
  readonly clusterModeEnabled: boolean;
  readonly reservedMemoryPercent: number;
  /** Data space of the whole group (all shards), GiB, after reserved memory. */
  readonly dataGiB: number;
  readonly monthlyCostUsd: number;
  readonly priceDate: string;
}

/** The tier of the scaling table that applies to a user count. */
export function tierFor(expectedUsers: number): ScalingTier {
  // the last tier's bound is Infinity, so only NaN falls through
  return SCALING_TIERS.find((t) => expectedUsers < t.usersBelow) ?? SCALING_TIERS[SCALING_TIERS.length - 1];
}

function checkProfile(p: SizingProfile): string[] {
  const problems: string[] = [];
  if (typeof p.expectedUsers !== 'number' || !Number.isInteger(p.expectedUsers) || p.expectedUsers < 0) {
    problems.push(`expectedUsers: a whole number ≥ 0, got ${JSON.stringify(p.expectedUsers)}`);
  }
  if (!(ENGINES as readonly string[]).includes(p.engine)) {
    problems.push(`engine: one of ${ENGINES.join(', ')}, got ${JSON.stringify(p.engine)}`);
  }
  if (p.memoryFloorGiB !== undefined && !(Number.isFinite(p.memoryFloorGiB) && p.memoryFloorGiB >= 0)) {
    problems.push(`memoryFloorGiB: a number ≥ 0, got ${JSON.stringify(p.memoryFloorGiB)}`);
  }
  const top = SCALING_TIERS[SCALING_TIERS.length - 1];
  if (Number.isInteger(p.expectedUsers) && p.expectedUsers > TOP_TIER_MAX_USERS_WITHOUT_FLOOR && p.memoryFloorGiB === undefined) {
    problems.push(
      `expectedUsers: at most ${TOP_TIER_MAX_USERS_WITHOUT_FLOOR.toLocaleString('en-US')} without memoryFloorGiB ` +
        `(the scaling table's top tier gives only a floor of ${top.memoryGiB} GiB and ${top.vcpu} cores, which would size ` +
        `${p.expectedUsers.toLocaleString('en-US')} users like ${(CLUSTER_USERS_ABOVE + 1).toLocaleString('en-US')}; set memoryFloorGiB ` +
        `to the data size expected at that load; config/scaling.ts TOP_TIER_MAX_USERS_WITHOUT_FLOOR), got ${p.expectedUsers}`,
    );
  }
  const r = p.reservedMemoryPercent;
  if (r !== undefined && !(Number.isFinite(r) && r >= 0 && r < 100)) {
    problems.push(`reservedMemoryPercent: a number from 0 to 99, got ${JSON.stringify(r)}`);
  }
  return problems;
}

interface Candidate {
  node: NodeType;
  shards: number;
  hourly: number;
}

function cheapest(candidates: Candidate[]): Candidate | undefined {
  // cheapest first; at equal price the fewer shards, then the larger node, then the name (stable)
  return [...candidates].sort(
    (a, b) =>
      a.hourly - b.hourly || a.shards - b.shards || b.node.maxmemoryBytes - a.node.maxmemoryBytes || a.node.name.localeCompare(b.node.name),
  )[0];
}

/**
 * Plan an environment:
 * - node type: the cheapest catalog node whose data space after reserved memory covers the requirement and
 *   whose vCPUs meet the tier;
 * - replicas per the tier;
 * - cluster mode when the tier calls for it (> 10,000 users) or when no single node holds the data. In cluster
 *   mode the tier's memory and cores are totals spread over the shards' primaries, with at least
 *   CLUSTER_MIN_SHARDS shards and one replica per shard.
 * Throws one error listing every problem with the profile.
 */
export function planSizing(profile: SizingProfile, subject = 'sizing profile'): SizingPlan {
  new Problems(subject).addAll(checkProfile(profile)).throwIfAny();

  const tier = tierFor(profile.expectedUsers);
  const reserved = profile.reservedMemoryPercent ?? DEFAULT_RESERVED_MEMORY_PERCENT;
  const requiredDataGiB = Math.max(tier.memoryGiB, profile.memoryFloorGiB ?? 0);
  const requiredBytes = requiredDataGiB * GIB;
  const price = (n: NodeType) => hourlyPriceUsd(n, profile.engine);

  let replicasPerShard = tier.replicasPerShard;
  let clusterModeEnabled = tier.clusterMode;
  let choice: Candidate | undefined;

  if (!clusterModeEnabled) {
    choice = cheapest(
      NODE_CATALOG.filter((n) => dataSpaceBytes(n, reserved) >= requiredBytes && n.vcpu >= tier.vcpu).map((n) => ({
        node: n,
        shards: 1,
        hourly: price(n) * (1 + replicasPerShard),
      })),
    );
    if (!choice) clusterModeEnabled = true; // the data does not fit any single node: shard it
  }
  if (clusterModeEnabled) {
    replicasPerShard = Math.max(replicasPerShard, 1);
    const candidates: Candidate[] = [];
    for (const n of NODE_CATALOG) {
      const space = dataSpaceBytes(n, reserved);
      if (space <= 0) continue;
      const shards = Math.max(CLUSTER_MIN_SHARDS, Math.ceil(requiredBytes / space), Math.ceil(tier.vcpu / n.vcpu));
      if (shards > LIMITS.maxShards) continue;
      candidates.push({ node: n, shards, hourly: price(n) * shards * (1 + replicasPerShard) });
    }
    choice = cheapest(candidates);
  }
  if (!choice) {
    throw new ValidationError(subject, [
      `memory: at most ${LIMITS.maxShards} shards of the largest catalog node, got ${requiredDataGiB} GiB`,
    ]);
  }

  const { node, shards } = choice;
  const totalNodes = shards * (1 + replicasPerShard);
  return {
    tier,
    engine: profile.engine,
    requiredDataGiB,
    nodeType: node,
    shards,
    replicasPerShard,
    totalNodes,
    clusterModeEnabled,
    reservedMemoryPercent: reserved,
    dataGiB: Math.round(((shards * dataSpaceBytes(node, reserved)) / GIB) * 100) / 100,
    monthlyCostUsd: monthlyCostUsd(node, profile.engine, totalNodes),
    priceDate: PRICE_DATE,
  };
}
