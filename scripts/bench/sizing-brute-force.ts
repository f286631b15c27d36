/**
 * An independent check of the sizing (stacks/sizing.ts planSizing): it reads guide 000's scaling table from its own
 * copy of the rows, computes each node's data space from the catalog's raw maxmemory, tries every catalog node with
 * every shard count, and compares the cheapest node sets it finds with the plan the production code makes.
 *
 * Independent means: nothing here imports the production sizing's pieces (config/scaling.ts SCALING_TIERS and
 * CLUSTER_MIN_SHARDS, stacks/sizing.ts tierFor, constructs/elasticache/node-types.ts dataSpaceBytes and prices). A
 * wrong tier, a wrong data space or a wrong price in production then shows up as a difference instead of being
 * repeated on both sides (__tests__/unit/bench-sizing.test.ts feeds such wrong production code and sees it caught).
 * From the project it takes only the node catalog's raw facts (maxmemory bytes, vCPUs, instance memory, hourly prices per
 * engine: constructs/facts/node-catalog.ts, copied from the AWS reference), the environments' inputs (config/environments.ts:
 * users, engine, memory floor, cluster-mode step) and `planSizing` with `sizingProfileOf`, the thing it checks.
 *
 * Groups moved to cluster mode from one shard keep their node type and replicas on purpose (stacks/sizing.ts: the move
 * is a pure scale-out), so they are not "cheapest" by design: the check covers groups at one shard and groups created in
 * cluster mode.
 */
import { AWS_ENVIRONMENTS, AwsEnvironmentName, ENVIRONMENTS, EnvironmentConfig } from '../../config/environments';
import { NODE_CATALOG, NodeType } from '../../constructs/facts/node-catalog';
import type { Engine } from '../../constructs/facts/elasticache';
import { SizingPlan, planSizing, sizingProfileOf } from '../../stacks/sizing';

// ---------------------------------------------------------------------------------------------------------------
// the guide's table, copied

/**
 * Guide 000 (`000_b8454d789b5b6ca6.txt`, "Redis Deployment Guide for ISL"), section "Scaling Recommendations", the
 * table's rows exactly as the guide writes them (columns: User Count | Memory | CPU | Persistence | Replication).
 */
export const GUIDE_000_SCALING_ROWS = [
  '| **< 100** | 512 MB | 1 core | RDB + AOF | Single instance |',
  '| **100-1000** | 2 GB | 2 cores | RDB + AOF | Primary + Replica |',
  '| **1000-10000** | 8 GB | 4 cores | RDB + AOF | Sentinel (1P + 2R) |',
  '| **> 10000** | 16+ GB | 8+ cores | RDB only | Redis Cluster |',
] as const;

/**
 * Guide 004 (`004_8844d1214f9c87e0.txt`, "Redis Cluster Deployment Guide"), "Prerequisites", "System Requirements":
 * what each node of a cluster needs, copied as the guide writes it (the disk and version lines left out).
 */
export const GUIDE_004_NODE_REQUIREMENTS = {
  'Minimum (Development)': ['1 CPU core', '512MB RAM'],
  'Recommended (Production)': ['4 CPU cores per node', '8GB RAM per node'],
} as const;

/** Cores and instance memory (bytes; "8GB" read as GiB, as the catalog lists instance memory) of a guide 004 entry. */
export function readNodeRequirement(lines: readonly string[]): { cores: number; memoryBytes: number } {
  const [cpu, ram] = lines;
  const cores = /^(\d+) CPU cores?/.exec(cpu);
  const memory = /^(\d+)(MB|GB) RAM/.exec(ram);
  if (!cores || !memory) throw new Error(`guide 004 node requirement ${JSON.stringify(lines)}: cannot read cores and RAM`);
  return { cores: Number(cores[1]), memoryBytes: Number(memory[1]) * (memory[2] === 'GB' ? 1024 ** 3 : 1024 ** 2) };
}

/**
 * What an environment may run, decided by this project (README "What each environment deploys"), written here
 * rather than read from config/scaling.ts: production follows guide 004's production figures for cluster nodes and
 * runs no burstable (T family) node; pilot and staging take guide 004's development minimum and may run T nodes.
 */
export function nodePolicy(environment: AwsEnvironmentName): { clusterNode: keyof typeof GUIDE_004_NODE_REQUIREMENTS; burstable: boolean } {
  return environment === 'production'
    ? { clusterNode: 'Recommended (Production)', burstable: false }
    : { clusterNode: 'Minimum (Development)', burstable: true };
}

/**
 * Facts the table leaves to other sources, each written here rather than imported:
 * - `MIN_CLUSTER_SHARDS`, `CLUSTER_REPLICAS_PER_SHARD`: guide 004 (`004_8844d1214f9c87e0.txt`), "Production
 *   Architecture (3-Node Cluster)": 3 masters, each with 1 replica;
 * - `RESERVED_MEMORY_PERCENT`: ElastiCache's default reserved-memory-percent, 25 (data space = maxmemory × (1 − 25/100),
 *   docs/reference/elasticache-facts.md "Node catalog");
 * - `MAX_SHARDS`: the default account quota of shards per replication group, 90 (the API allows 500);
 * - `HOURS_PER_MONTH`: 730, the AWS billing month.
 */
export const MIN_CLUSTER_SHARDS = 3;
export const CLUSTER_REPLICAS_PER_SHARD = 1;
export const RESERVED_MEMORY_PERCENT = 25;
export const MAX_SHARDS = 90;
export const HOURS_PER_MONTH = 730;

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** One row of the guide's table, read. */
export interface GuideTier {
  /** The row as the guide writes it. */
  readonly row: string;
  /** First and last user count the row covers (`Infinity` for "> 10000"). */
  readonly fromUsers: number;
  readonly toUsers: number;
  /** Memory for data, bytes ("512 MB" and "2 GB" in Redis's units: `maxmemory 512mb` is 512 MiB). */
  readonly dataBytes: number;
  /** Cores: per node, or in total over the primaries for the cluster row. */
  readonly cores: number;
  readonly replicasPerShard: number;
  readonly cluster: boolean;
}

function fail(row: string, what: string): never {
  throw new Error(`guide 000 scaling row ${JSON.stringify(row)}: cannot read ${what}`);
}

/** Reads one row of the guide's table. */
export function readGuideRow(row: string): GuideTier {
  const cells = row
    .split('|')
    .slice(1, -1)
    .map((c) => c.replace(/\*/g, '').trim());
  if (cells.length !== 5) fail(row, 'five columns');
  const [users, memory, cpu, , replication] = cells;

  let fromUsers: number;
  let toUsers: number;
  let m: RegExpExecArray | null;
  if ((m = /^<\s*(\d+)$/.exec(users))) [fromUsers, toUsers] = [0, Number(m[1]) - 1];
  else if ((m = /^>\s*(\d+)$/.exec(users))) [fromUsers, toUsers] = [Number(m[1]) + 1, Infinity];
  else if ((m = /^(\d+)-(\d+)$/.exec(users))) [fromUsers, toUsers] = [Number(m[1]), Number(m[2])];
  else fail(row, `the user count ${JSON.stringify(users)}`);

  const mem = /^(\d+(?:\.\d+)?)\+?\s*(MB|GB)$/.exec(memory) ?? fail(row, `the memory ${JSON.stringify(memory)}`);
  const dataBytes = Number(mem[1]) * (mem[2] === 'GB' ? GIB : MIB);
  const cores = Number((/^(\d+)\+?\s*cores?$/.exec(cpu) ?? fail(row, `the CPU ${JSON.stringify(cpu)}`))[1]);

  let replicasPerShard: number;
  let cluster = false;
  if (replication === 'Single instance') replicasPerShard = 0;
  else if (replication === 'Primary + Replica') replicasPerShard = 1;
  else if ((m = /^Sentinel \(1P \+ (\d+)R\)$/.exec(replication))) replicasPerShard = Number(m[1]);
  else if (replication === 'Redis Cluster') [replicasPerShard, cluster] = [CLUSTER_REPLICAS_PER_SHARD, true];
  else fail(row, `the replication ${JSON.stringify(replication)}`);

  return { row, fromUsers, toUsers, dataBytes, cores, replicasPerShard, cluster };
}

export const GUIDE_TIERS: readonly GuideTier[] = GUIDE_000_SCALING_ROWS.map(readGuideRow);

/**
 * The guide's row for a user count. The rows "100-1000" and "1000-10000" both name 1000: a count two rows cover takes
 * the later, larger row (sizing for the upper end of a range, as "< 100" and "> 10000" do at their ends).
 */
export function guideTierFor(users: number, tiers: readonly GuideTier[] = GUIDE_TIERS): GuideTier {
  const matching = tiers.filter((t) => users >= t.fromUsers && users <= t.toUsers);
  const tier = matching.at(-1);
  if (!tier) throw new Error(`guide 000 has no scaling row for ${users} users`);
  return tier;
}

/** The largest row a group with one shard can follow: the last that does not call for a Redis Cluster. */
export function largestSingleShardTier(tiers: readonly GuideTier[] = GUIDE_TIERS): GuideTier {
  const tier = tiers.filter((t) => !t.cluster).at(-1);
  if (!tier) throw new Error('guide 000 has no single-instance or replicated row');
  return tier;
}

// ---------------------------------------------------------------------------------------------------------------
// the brute force

/** Bytes a node holds as data after the reserved memory. */
export function nodeDataBytes(node: NodeType): number {
  return Math.floor(node.maxmemoryBytes * (1 - RESERVED_MEMORY_PERCENT / 100));
}

const hourlyUsd = (node: NodeType, engine: Engine) => (engine === 'valkey' ? node.valkeyHourlyUsd : node.redisHourlyUsd);
const monthlyUsd = (node: NodeType, engine: Engine, nodes: number) =>
  Math.round(hourlyUsd(node, engine) * HOURS_PER_MONTH * nodes * 100) / 100;

export interface NodeSet {
  readonly node: NodeType;
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly clusterMode: boolean;
  readonly totalNodes: number;
  /** Data space of all shards, bytes. */
  readonly dataBytes: number;
  /** Hourly price × 730 × nodes, rounded to cents. */
  readonly monthlyCostUsd: number;
}

export interface BruteForce {
  /** The row the group follows: the users' row, or at one shard at most the largest single-shard row. */
  readonly tier: GuideTier;
  /** Cluster mode with shards (a group created in cluster mode), or one shard. */
  readonly sharded: boolean;
  /** max(the row's memory, the environment's floor), bytes. */
  readonly requiredDataBytes: number;
  /** Every node set at the lowest cost (several when prices tie); empty when no single node holds the data. */
  readonly cheapest: readonly NodeSet[];
}

/** The T family: burstable performance (`cache.t2.*`, `cache.t3.*`, `cache.t4g.*`). */
const isBurstable = (node: NodeType) => /^cache\.t\d/.test(node.name);

/**
 * Every node set that meets the guides for an environment, at the lowest monthly cost, by trying every catalog node
 * with every shard count:
 * - one shard unless the group is created in cluster mode (clusterModeStep `resharded`): the users' row of guide 000,
 *   at most the largest single-shard row ("1000-10000"), its replicas, a node whose vCPUs meet the row's cores;
 * - created in cluster mode: the users' row (its memory and cores totals across the primaries: shards × vCPUs ≥
 *   cores), at least 3 shards, at least one replica each, every node with guide 004's cores and RAM for the environment;
 * - data: shards × data space ≥ max(row memory, memory floor);
 * - no burstable node where the environment's policy says so.
 */
export function bruteForce(environment: EnvironmentConfig): BruteForce {
  const step = environment.clusterModeStep ?? 'single-shard';
  if (step === 'resharded' && environment.createdInClusterMode !== true) {
    throw new Error(
      `brute force: ${environment.name} was moved to cluster mode and keeps its node type on purpose; only created groups are compared`,
    );
  }
  const sharded = step === 'resharded';
  const usersRow = guideTierFor(environment.expectedUsers);
  const tier = sharded || !usersRow.cluster ? usersRow : largestSingleShardTier();
  const requiredDataBytes = Math.max(tier.dataBytes, (environment.memoryFloorGiB ?? 0) * GIB);
  const policy = nodePolicy(environment.name);
  const perNode = sharded ? readNodeRequirement(GUIDE_004_NODE_REQUIREMENTS[policy.clusterNode]) : { cores: 0, memoryBytes: 0 };
  const replicasPerShard = sharded ? Math.max(1, tier.replicasPerShard) : tier.replicasPerShard;

  const sets: NodeSet[] = [];
  for (const node of NODE_CATALOG) {
    if (!policy.burstable && isBurstable(node)) continue;
    if (node.vcpu < perNode.cores || node.memoryGiB * GIB < perNode.memoryBytes) continue;
    for (let shards = sharded ? MIN_CLUSTER_SHARDS : 1; shards <= (sharded ? MAX_SHARDS : 1); shards++) {
      const dataBytes = shards * nodeDataBytes(node);
      const cores = sharded ? shards * node.vcpu : node.vcpu;
      if (dataBytes < requiredDataBytes || cores < tier.cores) continue;
      const totalNodes = shards * (1 + replicasPerShard);
      const monthlyCostUsd = monthlyUsd(node, environment.engine, totalNodes);
      sets.push({ node, shards, replicasPerShard, clusterMode: sharded, totalNodes, dataBytes, monthlyCostUsd });
    }
  }
  const least = Math.min(...sets.map((x) => x.monthlyCostUsd));
  return { tier, sharded, requiredDataBytes, cheapest: sets.filter((x) => x.monthlyCostUsd === least) };
}

const gib = (bytes: number) => Math.round((bytes / GIB) * 100) / 100;

// ---------------------------------------------------------------------------------------------------------------
// the comparison with production

/** The production sizing of an environment: planSizing of its profile (or, in the tests, deliberately wrong code). */
export type PlanSizing = (environment: EnvironmentConfig) => SizingPlan;

export const productionSizing: PlanSizing = (environment) => planSizing(sizingProfileOf(environment));

export interface SizingCheck {
  /** Environment name, or a label for an extra profile. */
  readonly name: string;
  readonly environment: EnvironmentConfig;
  readonly plan: SizingPlan;
  readonly bruteForce: BruteForce;
  /** plan cost ÷ the cheapest cost; 1.00 when the plan is a cheapest set. */
  readonly ratio: number;
  /** Where the plan differs from the guides' rows or from the brute force, each a sentence; empty when it agrees. */
  readonly differences: readonly string[];
}

/** `3 × cache.m7g.xlarge (1 shard × (1 + 2))` */
export function nodeSetText(s: { node: NodeType; shards: number; replicasPerShard: number; totalNodes: number }): string {
  return `${s.totalNodes} × ${s.node.name} (${s.shards} shard${s.shards === 1 ? '' : 's'} × (1 + ${s.replicasPerShard}))`;
}

/** The plan `plan` makes for an environment, held against the guides' rows and the brute force. */
export function checkSizing(name: string, environment: EnvironmentConfig, plan: PlanSizing = productionSizing): SizingCheck {
  const p = plan(environment);
  const bf = bruteForce(environment);
  const { tier } = bf;
  const row = `the guide's row ${tier.row}`;
  const differences: string[] = [];
  const planned = { node: p.nodeType, shards: p.shards, replicasPerShard: p.replicasPerShard, totalNodes: p.totalNodes };

  const requiredGiB = gib(bf.requiredDataBytes);
  if (p.requiredDataGiB !== requiredGiB) {
    differences.push(`required data: ${row} and the floor ask for ${requiredGiB} GiB, the plan for ${p.requiredDataGiB} GiB`);
  }
  const replicasExpected = bf.sharded ? Math.max(1, tier.replicasPerShard) : tier.replicasPerShard;
  if (p.replicasPerShard !== replicasExpected) {
    differences.push(`replicas per shard: ${replicasExpected} by ${row}, the plan has ${p.replicasPerShard}`);
  }
  const dataGiB = gib(p.shards * nodeDataBytes(p.nodeType));
  if (p.dataGiB !== dataGiB) {
    differences.push(
      `data space: ${nodeSetText(planned)} holds ${dataGiB} GiB after ${RESERVED_MEMORY_PERCENT} % reserved memory, the plan says ${p.dataGiB} GiB`,
    );
  }
  const costUsd = monthlyUsd(p.nodeType, environment.engine, p.totalNodes);
  if (p.monthlyCostUsd !== costUsd) {
    differences.push(
      `cost: ${nodeSetText(planned)} costs $${costUsd.toFixed(2)} a month at the catalog's prices, the plan says $${p.monthlyCostUsd.toFixed(2)}`,
    );
  }
  const same = (x: NodeSet) => x.node.name === p.nodeType.name && x.shards === p.shards && x.replicasPerShard === p.replicasPerShard;
  if (!bf.cheapest.some(same)) {
    differences.push(
      `node set: the plan's ${nodeSetText(planned)} ($${costUsd.toFixed(2)} a month) is not a cheapest set that meets ${row} ` +
        `for ${environment.name}: ${bf.cheapest.map((x) => `${nodeSetText(x)} ($${x.monthlyCostUsd.toFixed(2)})`).join(' or ') || 'none'}`,
    );
  }
  const least = bf.cheapest.at(0)?.monthlyCostUsd ?? NaN;
  return { name, environment, plan: p, bruteForce: bf, ratio: costUsd / least, differences };
}

/** Users of the extra profile above the 10,000-user bound: production, created in cluster mode (no environment is one yet). */
export const CLUSTER_PROFILE_USERS = 25000;

/** The extra profile: production's policies, 25,000 users, Redis OSS, created in cluster mode. */
export const CLUSTER_PROFILE: EnvironmentConfig = {
  ...ENVIRONMENTS.production,
  expectedUsers: CLUSTER_PROFILE_USERS,
  engine: 'redis',
  memoryFloorGiB: undefined,
  clusterModeStep: 'resharded',
  createdInClusterMode: true,
};

/** Every environment of config/environments.ts, plus the > 10,000-user cluster profile. */
export function sizingChecks(plan: PlanSizing = productionSizing): SizingCheck[] {
  return [
    ...AWS_ENVIRONMENTS.map((name) => checkSizing(name, ENVIRONMENTS[name], plan)),
    checkSizing('cluster profile', CLUSTER_PROFILE, plan),
  ];
}
