/**
 * Sizing: an environment profile (expected users, engine, optional memory floor) → a concrete plan.
 * Pure functions over the scaling tables (config/scaling.ts) and the library's node catalog
 * (constructs/facts/node-catalog.ts). The synth app plans each environment once (./preflight.ts) and hands the plan to
 * its stack.
 */
import { CLUSTER_MODE_STEPS, CLUSTER_MODE_STEP_SPECS, ClusterModeStep } from '../config/cluster-mode';
import { EnvironmentConfig } from '../config/environments';
import {
  BURSTABLE_NODES_ALLOWED,
  CLUSTER_MIN_SHARDS,
  CLUSTER_NODE_MINIMUM,
  CLUSTER_USERS_ABOVE,
  SCALING_TIERS,
  ScalingTier,
  TOP_TIER_MAX_USERS_WITHOUT_FLOOR,
} from '../config/scaling';
import {
  ClusterMode,
  DEFAULT_RESERVED_MEMORY_PERCENT,
  ENGINES,
  Engine,
  GIB,
  LIMITS,
  NODE_CATALOG,
  NodeType,
  PRICE_DATE,
  Problems,
  ValidationError,
  dataSpaceBytes,
  describe,
  hourlyPriceUsd,
  monthlyCostUsd,
} from '../constructs';

export interface SizingProfile {
  /** Users the environment must serve. */
  readonly expectedUsers: number;
  readonly engine: Engine;
  /** Data memory the environment must have at least, GiB, on top of the tier's. @default 0 */
  readonly memoryFloorGiB?: number;
  /** reserved-memory-percent of the parameter group. @default 25 */
  readonly reservedMemoryPercent?: number;
  /**
   * Where the group is in the move to cluster mode (config/cluster-mode.ts). Until `resharded` it keeps one shard,
   * sized for the largest single-shard tier. @default 'single-shard'
   */
  readonly clusterModeStep?: ClusterModeStep;
  /**
   * The group is created in cluster mode (no move): `resharded` sizes it like any cluster, with no node type to keep.
   * @default false: at `resharded` the group was moved from one shard, keeps that shard's node type where 004's
   * per-node figures allow and keeps its replicas per shard
   */
  readonly createdInClusterMode?: boolean;
  /** Burstable (T family) node types may be chosen. @default true */
  readonly allowBurstable?: boolean;
  /** What each node of a cluster must have (config/scaling.ts CLUSTER_NODE_MINIMUM). @default 1 vCPU, 0.5 GiB */
  readonly clusterNodeMinimum?: { readonly vcpu: number; readonly memoryGiB: number };
}

export interface SizingPlan {
  /** The tier of the scaling table the users fall in. */
  readonly tier: ScalingTier;
  /** The tier the group is sized for: `tier`, or the largest single-shard tier while the group has one shard. */
  readonly sizedTier: ScalingTier;
  readonly engine: Engine;
  /** Data memory the plan must hold, GiB: max(sized tier memory, floor). */
  readonly requiredDataGiB: number;
  readonly nodeType: NodeType;
  /** Shards (node groups); 1 unless the group is at its last cluster-mode step. */
  readonly shards: number;
  readonly replicasPerShard: number;
  /** shards × (1 + replicas per shard) */
  readonly totalNodes: number;
  /** Cluster mode enabled (steps `cluster` and `resharded`). */
  readonly clusterModeEnabled: boolean;
  /** ElastiCache's cluster mode at this step. */
  readonly clusterMode: ClusterMode;
  readonly clusterModeStep: ClusterModeStep;
  /** The users call for a Redis Cluster (guide 000's top tier) while the group is not at its last step yet. */
  readonly clusterModeNeeded: boolean;
  /** The plan of the group at its last step (`resharded`): where the move ends. */
  readonly target?: SizingPlan;
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

/** The tier a group with one shard is sized for: the users' tier, at most the largest single-shard tier. */
export function singleShardTierFor(expectedUsers: number): ScalingTier {
  return tierFor(Math.min(expectedUsers, CLUSTER_USERS_ABOVE));
}

function checkProfile(problems: Problems, p: SizingProfile): void {
  const check = problems.check.bind(problems);
  check(
    typeof p.expectedUsers === 'number' && Number.isInteger(p.expectedUsers) && p.expectedUsers >= 0,
    'expectedUsers',
    'a whole number ≥ 0',
    p.expectedUsers,
  );
  check((ENGINES as readonly string[]).includes(p.engine), 'engine', `one of ${ENGINES.join(', ')}`, p.engine);
  if (p.memoryFloorGiB !== undefined) {
    check(Number.isFinite(p.memoryFloorGiB) && p.memoryFloorGiB >= 0, 'memoryFloorGiB', 'a number ≥ 0', p.memoryFloorGiB);
  }
  const top = SCALING_TIERS[SCALING_TIERS.length - 1];
  if (Number.isInteger(p.expectedUsers)) {
    check(
      p.expectedUsers <= TOP_TIER_MAX_USERS_WITHOUT_FLOOR || p.memoryFloorGiB !== undefined,
      'expectedUsers',
      `at most ${TOP_TIER_MAX_USERS_WITHOUT_FLOOR.toLocaleString('en-US')} without memoryFloorGiB ` +
        `(the scaling table's top tier gives only a floor of ${top.memoryGiB} GiB and ${top.vcpu} cores, which would size ` +
        `${p.expectedUsers.toLocaleString('en-US')} users like ${(CLUSTER_USERS_ABOVE + 1).toLocaleString('en-US')}; set memoryFloorGiB ` +
        `to the data size expected at that load; config/scaling.ts TOP_TIER_MAX_USERS_WITHOUT_FLOOR)`,
      p.expectedUsers,
    );
  }
  const r = p.reservedMemoryPercent;
  if (r !== undefined) check(Number.isFinite(r) && r >= 0 && r < 100, 'reservedMemoryPercent', 'a number from 0 to 99', r);
  if (p.clusterModeStep !== undefined) {
    check(
      (CLUSTER_MODE_STEPS as readonly string[]).includes(p.clusterModeStep),
      'clusterModeStep',
      `one of ${CLUSTER_MODE_STEPS.join(', ')}`,
      p.clusterModeStep,
    );
  }
  if (p.createdInClusterMode === true) {
    check(
      p.clusterModeStep === 'resharded',
      'createdInClusterMode',
      'only with clusterModeStep "resharded" (a group created in cluster mode starts at the last step)',
      `clusterModeStep ${describe(p.clusterModeStep ?? 'single-shard')}`,
      { shown: true },
    );
  }
}

/** A sizing problem found once the profile is valid: one ValidationError of `subject`. */
function sizingError(subject: string, field: string, allowed: string, shown: string): ValidationError {
  return new ValidationError(subject, [{ field, allowed, got: shown }]);
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

const DEVELOPMENT_NODE_MINIMUM = { vcpu: 1, memoryGiB: 0.5 } as const;

/**
 * Plan an environment:
 * - one shard until the group reaches the last step of the move to cluster mode (`resharded`): the largest
 *   single-shard tier the users reach (above 10,000 users: the 1000–10000 tier), the cheapest catalog node whose data
 *   space after reserved memory covers the requirement and whose vCPUs meet the tier, replicas per the tier; steps
 *   `compatible`, `cluster-clients` and `cluster` size exactly like `single-shard`, so they change nothing but the mode;
 * - at `resharded` a cluster: the tier's memory and cores are totals across the shards' primaries; at least
 *   CLUSTER_MIN_SHARDS shards of a node that meets the environment's per-node figures (004); a group created in cluster
 *   mode gets the cheapest such set; a moved group keeps its single-shard node type when that node meets them, and its
 *   replicas per shard, so the step is a pure scale-out (shards added, nothing else); its data growing beyond what one
 *   node holds keeps the largest node type and adds shards (again a scale-out);
 * - burstable node types only where allowed (production: never).
 * Throws one error listing every problem with the profile.
 */
export function planSizing(profile: SizingProfile, subject = 'sizing profile'): SizingPlan {
  const problems = new Problems(subject);
  checkProfile(problems, profile);
  problems.throwIfAny();
  const step = profile.clusterModeStep ?? 'single-shard';
  if (profile.createdInClusterMode) return planCluster(profile, undefined, subject);
  const single = planSingleShard(profile, step, subject);
  const tier = tierFor(profile.expectedUsers);
  if (step === 'resharded') return planCluster(profile, single, subject);
  const clusterModeNeeded = tier.clusterMode;
  const spec = CLUSTER_MODE_STEP_SPECS[step];
  if (!single.plan) {
    throw sizingError(
      subject,
      'memory',
      `one shard holds at most ${single.largestGiB} GiB of data (the largest catalog node)`,
      `${single.requiredDataGiB} GiB: the group needs cluster mode: move it with clusterModeStep (README "Moving to cluster mode"), now at ${JSON.stringify(step)}`,
    );
  }
  const plan: SizingPlan = {
    ...single.plan,
    tier,
    clusterModeStep: step,
    clusterMode: spec.clusterMode,
    clusterModeEnabled: spec.clusterMode === 'enabled',
    clusterModeNeeded,
  };
  return clusterModeNeeded || step !== 'single-shard' ? { ...plan, target: planCluster(profile, single, subject) } : plan;
}

interface SingleShard {
  readonly plan?: SizingPlan;
  readonly requiredDataGiB: number;
  readonly largestGiB: number;
}

function eligible(profile: SizingProfile, n: NodeType): boolean {
  return (profile.allowBurstable ?? true) || !n.burstable;
}

/** The group with one shard: the single-shard tier, its replicas (at least one once the move has begun). */
function planSingleShard(profile: SizingProfile, step: ClusterModeStep, subject: string): SingleShard {
  const sizedTier = singleShardTierFor(profile.expectedUsers);
  const reserved = profile.reservedMemoryPercent ?? DEFAULT_RESERVED_MEMORY_PERCENT;
  const requiredDataGiB = Math.max(sizedTier.memoryGiB, profile.memoryFloorGiB ?? 0);
  const replicasPerShard = sizedTier.replicasPerShard;
  if (step !== 'single-shard' && replicasPerShard < 1) {
    throw sizingError(
      subject,
      'clusterModeStep',
      `single-shard while the group has no replica (${profile.expectedUsers} users: "${sizedTier.replication}"; ` +
        'the move to cluster mode needs automatic failover with at least one replica, AWS "Modifying cluster mode")',
      JSON.stringify(step),
    );
  }
  const nodes = NODE_CATALOG.filter((n) => eligible(profile, n));
  const choice = cheapest(
    nodes
      .filter((n) => dataSpaceBytes(n, reserved) >= requiredDataGiB * GIB && n.vcpu >= sizedTier.vcpu)
      .map((n) => ({ node: n, shards: 1, hourly: hourlyPriceUsd(n, profile.engine) * (1 + replicasPerShard) })),
  );
  const largestGiB = Math.max(...nodes.map((n) => Math.round((dataSpaceBytes(n, reserved) / GIB) * 100) / 100));
  if (!choice) return { requiredDataGiB, largestGiB };
  return {
    requiredDataGiB,
    largestGiB,
    plan: finish(profile, {
      tier: sizedTier,
      sizedTier,
      requiredDataGiB,
      node: choice.node,
      shards: 1,
      replicasPerShard,
      clusterMode: 'disabled',
      clusterModeStep: step,
      clusterModeNeeded: false,
    }),
  };
}

/** The group at the last step: a cluster of at least CLUSTER_MIN_SHARDS shards (see planSizing). */
function planCluster(profile: SizingProfile, moved: SingleShard | undefined, subject: string): SizingPlan {
  const tier = tierFor(profile.expectedUsers);
  const reserved = profile.reservedMemoryPercent ?? DEFAULT_RESERVED_MEMORY_PERCENT;
  const requiredDataGiB = Math.max(tier.memoryGiB, profile.memoryFloorGiB ?? 0);
  const minimum = profile.clusterNodeMinimum ?? DEVELOPMENT_NODE_MINIMUM;
  const replicasPerShard = Math.max(tier.replicasPerShard, 1, moved ? singleShardTierFor(profile.expectedUsers).replicasPerShard : 0);
  const shardsFor = (n: NodeType) => {
    const space = dataSpaceBytes(n, reserved);
    return space <= 0 ? Infinity : Math.max(CLUSTER_MIN_SHARDS, Math.ceil((requiredDataGiB * GIB) / space), Math.ceil(tier.vcpu / n.vcpu));
  };
  const candidates: Candidate[] = NODE_CATALOG.filter(
    (n) => eligible(profile, n) && n.vcpu >= minimum.vcpu && n.memoryGiB >= minimum.memoryGiB && shardsFor(n) <= LIMITS.maxShards,
  ).map((n) => ({ node: n, shards: shardsFor(n), hourly: hourlyPriceUsd(n, profile.engine) * shardsFor(n) * (1 + replicasPerShard) }));
  // a moved group keeps the node type of its one shard (or, once no single node holds the data, the largest node,
  // which is what the single shard had grown into): the move and later growth are scale-outs, never two kinds at once
  const keep =
    moved &&
    (moved.plan?.nodeType ?? [...candidates].sort((a, b) => dataSpaceBytes(b.node, reserved) - dataSpaceBytes(a.node, reserved))[0]?.node);
  const kept = keep ? candidates.find((c) => c.node.name === keep.name) : undefined;
  const choice = kept ?? cheapest(candidates);
  if (!choice) {
    throw sizingError(
      subject,
      'memory',
      `at most ${LIMITS.maxShards} shards of a catalog node with at least ${minimum.vcpu} vCPU and ${minimum.memoryGiB} GiB`,
      `${requiredDataGiB} GiB`,
    );
  }
  return finish(profile, {
    tier,
    sizedTier: tier,
    requiredDataGiB,
    node: choice.node,
    shards: choice.shards,
    replicasPerShard,
    clusterMode: 'enabled',
    clusterModeStep: 'resharded',
    clusterModeNeeded: false,
  });
}

function finish(
  profile: SizingProfile,
  p: {
    tier: ScalingTier;
    sizedTier: ScalingTier;
    requiredDataGiB: number;
    node: NodeType;
    shards: number;
    replicasPerShard: number;
    clusterMode: ClusterMode;
    clusterModeStep: ClusterModeStep;
    clusterModeNeeded: boolean;
  },
): SizingPlan {
  const reserved = profile.reservedMemoryPercent ?? DEFAULT_RESERVED_MEMORY_PERCENT;
  const totalNodes = p.shards * (1 + p.replicasPerShard);
  return {
    tier: p.tier,
    sizedTier: p.sizedTier,
    engine: profile.engine,
    requiredDataGiB: p.requiredDataGiB,
    nodeType: p.node,
    shards: p.shards,
    replicasPerShard: p.replicasPerShard,
    totalNodes,
    clusterModeEnabled: p.clusterMode === 'enabled',
    clusterMode: p.clusterMode,
    clusterModeStep: p.clusterModeStep,
    clusterModeNeeded: p.clusterModeNeeded,
    reservedMemoryPercent: reserved,
    dataGiB: Math.round(((p.shards * dataSpaceBytes(p.node, reserved)) / GIB) * 100) / 100,
    monthlyCostUsd: monthlyCostUsd(p.node, profile.engine, totalNodes),
    priceDate: PRICE_DATE,
  };
}

/** The sizing profile of an environment of config/environments.ts, with its environment's node policies (config/scaling.ts). */
export function sizingProfileOf(env: EnvironmentConfig): SizingProfile {
  return {
    expectedUsers: env.expectedUsers,
    engine: env.engine,
    memoryFloorGiB: env.memoryFloorGiB,
    clusterModeStep: env.clusterModeStep,
    createdInClusterMode: env.createdInClusterMode,
    allowBurstable: BURSTABLE_NODES_ALLOWED[env.name],
    clusterNodeMinimum: CLUSTER_NODE_MINIMUM[env.name],
  };
}
