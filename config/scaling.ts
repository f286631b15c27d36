/**
 * The operations guides' scaling tables and cache policy, as data.
 *
 * Guides (docs/guides/):
 *   000_b8454d789b5b6ca6.txt  "Redis Deployment Guide for ISL": Scaling Recommendations, Memory Management
 *   001_21ce7564b3c158ae.txt  "ISL Redis Strategy & Operations Guide": eviction, staging/production memory, TLS, backups
 *   002_6b5b0d947637d40b.txt  "Redis Distributed Cache Infrastructure" (Kubernetes): alerts
 *   003_f380f0d599784263.txt  "Redis Infrastructure Setup Guide": security checklist
 *   004_8844d1214f9c87e0.txt  "Redis Cluster Deployment Guide": ElastiCache, cluster layout, CloudWatch thresholds
 *
 * Where the guides disagree, the choice and the reason are written next to the value.
 */
import type { MaxmemoryPolicy } from '../constructs';

export interface ScalingTier {
  /** Tier applies while expected users are below this bound (exclusive); `Infinity` for the last tier. */
  readonly usersBelow: number;
  /** Memory the data needs, GiB (Redis's `gb` unit is GiB). */
  readonly memoryGiB: number;
  /** Cores the tier asks for, per node (or in total across shards for the cluster tier). */
  readonly vcpu: number;
  /** Read replicas per shard. */
  readonly replicasPerShard: number;
  /** Whether the tier calls for Redis Cluster (cluster mode enabled). */
  readonly clusterMode: boolean;
  /** Persistence the guide lists; on ElastiCache this becomes automatic backups (see README). */
  readonly persistence: 'RDB + AOF' | 'RDB only';
  /** The guide's words for the replication column. */
  readonly replication: string;
}

/**
 * 000_b8454d789b5b6ca6.txt, "Scaling Recommendations":
 *
 * | User Count  | Memory  | CPU      | Persistence | Replication        |
 * | < 100       | 512 MB  | 1 core   | RDB + AOF   | Single instance    |
 * | 100-1000    | 2 GB    | 2 cores  | RDB + AOF   | Primary + Replica  |
 * | 1000-10000  | 8 GB    | 4 cores  | RDB + AOF   | Sentinel (1P + 2R) |
 * | > 10000     | 16+ GB  | 8+ cores | RDB only    | Redis Cluster      |
 */
export const SCALING_TIERS: readonly ScalingTier[] = [
  {
    usersBelow: 100,
    memoryGiB: 0.5,
    vcpu: 1,
    replicasPerShard: 0,
    clusterMode: false,
    persistence: 'RDB + AOF',
    replication: 'Single instance',
  },
  {
    usersBelow: 1000,
    memoryGiB: 2,
    vcpu: 2,
    replicasPerShard: 1,
    clusterMode: false,
    persistence: 'RDB + AOF',
    replication: 'Primary + Replica',
  },
  {
    usersBelow: 10001,
    memoryGiB: 8,
    vcpu: 4,
    replicasPerShard: 2,
    clusterMode: false,
    persistence: 'RDB + AOF',
    replication: 'Sentinel (1P + 2R)',
  },
  {
    usersBelow: Infinity,
    memoryGiB: 16,
    vcpu: 8,
    replicasPerShard: 1,
    clusterMode: true,
    persistence: 'RDB only',
    replication: 'Redis Cluster',
  },
];

/**
 * Redis Cluster layout for the > 10,000-user tier: 004_8844d1214f9c87e0.txt, "Production Architecture
 * (3-Node Cluster)": 3 masters, each with 1 replica. Shards grow beyond 3 when memory or cores need it.
 */
export const CLUSTER_MIN_SHARDS = 3;

/**
 * Users above which guide 000 calls for a Redis Cluster: 000_b8454d789b5b6ca6.txt, "Redis Cluster (Horizontal
 * Scaling)": "For > 10,000 concurrent users or > 10 GB data". A group reaches cluster mode through the steps of
 * ./cluster-mode.ts (config/environments.ts clusterModeStep); until its last step it keeps one shard, sized for the
 * largest single-shard tier (at most this many users). Data that no single node holds (the guide's 10 GB fits one
 * r7g.large) needs the move too.
 */
export const CLUSTER_USERS_ABOVE = 10000;

/**
 * What every node of a cluster (cluster mode enabled) must have, per environment: 004_8844d1214f9c87e0.txt
 * "Prerequisites": "Recommended (Production): 4 CPU cores per node, 8GB RAM per node" (memory as the node type's
 * instance memory, constructs/facts/node-catalog.ts memoryGiB) and "Minimum (Development): 1 CPU core, 512MB RAM" for the others.
 * Guide 000's tier ("16+ GB, 8+ cores") is the whole cluster's: data across the primaries, cores across the primaries.
 */
export const CLUSTER_NODE_MINIMUM = {
  pilot: { vcpu: 1, memoryGiB: 0.5 },
  staging: { vcpu: 1, memoryGiB: 0.5 },
  production: { vcpu: 4, memoryGiB: 8 },
} as const;

/**
 * Where burstable node types (the T family, constructs/facts/node-catalog.ts BURSTABLE_BASELINE_CPU_PERCENT) may be chosen.
 * Production: never (guardrail `no-burstable-nodes`): a cache under sustained load spends its CPU credits and is held
 * at the baseline (20 % of each vCPU on a t4g.medium), exactly when the service is busiest; AWS's own sizing advice
 * puts T nodes at entry-level and spiky workloads. Pilot and staging keep them for cost; the review says what that
 * means for a load test in staging.
 */
export const BURSTABLE_NODES_ALLOWED = { pilot: true, staging: true, production: false } as const;

/**
 * How far the top tier's figures reach. Guide 000's table ends at "> 10000 users: 16+ GB, 8+ cores": a floor with no
 * figures above it. Each row of the table spans one decade of users (< 100, 100–1000, 1000–10000), so the top row is
 * read as spanning one decade too: up to 100,000 users. Above that the table cannot size the group: 10,000,000 users
 * would otherwise get the tier's floor (16 GiB, 8 cores), exactly what 10,001 users get.
 *
 * Chosen: FAIL, not warn, unless the profile sets memoryFloorGiB (the data size measured or estimated for that load),
 * which then sizes the cluster. Why: an undersized production cache is an outage on launch day, not a cost remark,
 * and a synth warning scrolls past in CI; the fix is one line in config/environments.ts.
 */
export const TOP_TIER_MAX_USERS_WITHOUT_FLOOR = 100000;

/**
 * Eviction policy. The guides disagree:
 *  - 000 (scaling table), 003, 004 and 002 use `allkeys-lru`;
 *  - 001 uses `volatile-lru` because "ALL keys MUST have TTL".
 * Chosen: `allkeys-lru`. While every key has a TTL the two behave the same; when a key without TTL slips in
 * (001 itself has an alert and a runbook for "Keys Without TTL"), `volatile-lru` can no longer evict it and
 * the cache ends in OOM errors on writes, whereas `allkeys-lru` keeps serving. A cache whose data is all
 * recomputable (001, "Disaster Recovery") should degrade by evicting, never by refusing writes.
 */
export const MAXMEMORY_POLICY: MaxmemoryPolicy = 'allkeys-lru';

/** Staging and production memory floors: 001_21ce7564b3c158ae.txt, "Max Memory: 2GB (staging), 4GB (production)". */
export const MEMORY_FLOOR_GIB = { staging: 2, production: 4 } as const;

/**
 * Environments that serve users and get the strict guardrails (TLS required and AUTH, Multi-AZ with a replica,
 * backups ≥ 7 days): 001_21ce7564b3c158ae.txt, "TLS: Required for staging/production", "Retention: 7 days".
 */
export const PROTECTED_ENVIRONMENTS: readonly string[] = ['staging', 'production'];

/**
 * Backup retention (ElastiCache automatic daily backups, days). The guides disagree:
 *  - 001 "Retention: 7 days" (snapshots are diagnostic only: the cache is not the source of truth);
 *  - 000 keeps the last 30 days of backups; 004 asks for daily backups at minimum.
 * Chosen: 7 days in staging (001), 30 days in production (000: the longest any guide keeps, so a
 * production incident can be diagnosed weeks later; snapshot storage is cheap beside the nodes),
 * 1 day in pilot (one daily backup, kept free of charge).
 * ElastiCache has no 15-minute RDB schedule (001): automatic backups are daily.
 */
export const BACKUP_RETENTION_DAYS = { pilot: 1, staging: 7, production: 30 } as const;

/**
 * Backup and maintenance windows, UTC: backups at night, ending before the weekly maintenance window opens, so the
 * two never overlap (ElastiCache refuses overlapping windows). 004 asks for daily backups; no guide names an hour.
 */
export const SNAPSHOT_WINDOW = '03:00-04:00';
export const MAINTENANCE_WINDOW = 'sun:05:00-sun:06:00';

/** Minimum retention the guardrails accept in staging and production (001: 7 days). */
export const MIN_BACKUP_RETENTION_DAYS_PROTECTED = 7;

/**
 * Expected users per environment, from 001_21ce7564b3c158ae.txt:
 *  - pilot: "~50-100 during pilot (one per active user)": 50 users;
 *  - staging: "Conservative (10x pilot): Users: 500";
 *  - production: "Aggressive (100x pilot): Users: 5,000" (plan for the aggressive projection).
 */
export const EXPECTED_USERS = { pilot: 50, staging: 500, production: 5000 } as const;
