/**
 * The move from one shard (cluster mode disabled) to a Redis Cluster (cluster mode enabled), as steps ElastiCache
 * accepts one at a time: the data behind `clusterModeStep` (./environments.ts), the sizing (stacks/sizing.ts), the
 * guardrail `cluster-mode-steps` and the review (scripts/review/growth.ts). README "Moving to cluster mode".
 *
 * Sources:
 * - AWS ElastiCache "Modifying cluster mode" (modify-cluster-mode.html): only disabled → enabled, never back; two
 *   steps, disabled → compatible → enabled; preconditions: keys in database 0 only, clients that speak the cluster
 *   protocol on the configuration endpoint, automatic failover with at least one replica, Redis OSS ≥ 7.0 or
 *   Valkey ≥ 7.2, a parameter group with `cluster-enabled yes`; "In compatible mode, other modification operations
 *   such as scaling and engine version are not allowed", and a ModifyReplicationGroup that sets the cluster mode may
 *   change no other parameter except the cache parameter group name.
 * - AWS ElastiCache "Modifying a replication group" (Replication.Modify): shard counts of a cluster-mode-enabled group
 *   change through ModifyReplicationGroupShardConfiguration (online resharding).
 * - terraform-provider-aws internal/service/elasticache/replication_group.go (the build of the offline mirror): the
 *   update sends `cluster_mode` in the same ModifyReplicationGroup as every other changed argument (description,
 *   node_type, engine_version, parameter_group_name, …), runs ModifyReplicationGroupShardConfiguration (num_node_groups,
 *   then Increase/DecreaseReplicaCount for replicas_per_node_group) BEFORE that request, and reads `num_node_groups`
 *   (the node groups), `replicas_per_node_group` (members of the first one − 1) and `num_cache_clusters` (all members)
 *   back from every group: switching the arguments from num_cache_clusters = 3 to num_node_groups = 1 and
 *   replicas_per_node_group = 2 is no change at all. None of them, nor cluster_mode, forces a replacement.
 *   `configuration_endpoint_address` is read when ElastiCache reports a configuration endpoint; in the plan of the
 *   apply that sets cluster mode it is still the old (empty) value, so a secret that reads it in that same apply would
 *   be planned with an empty host and fail the apply ("Provider produced inconsistent final plan"): the secret gets the
 *   configuration endpoint one step later.
 */

/** Where an environment is in the move, in order. */
export const CLUSTER_MODE_STEPS = ['single-shard', 'compatible', 'cluster-clients', 'cluster', 'resharded'] as const;
export type ClusterModeStep = (typeof CLUSTER_MODE_STEPS)[number];

/** ElastiCache's `ClusterMode` (the provider's `cluster_mode`). */
export type ClusterMode = 'disabled' | 'compatible' | 'enabled';

export interface ClusterModeStepSpec {
  readonly step: ClusterModeStep;
  /** Position in the move, from 1. */
  readonly number: number;
  readonly clusterMode: ClusterMode;
  /** The group has one shard (sized as the largest single-shard tier) or the shards its sizing asks for. */
  readonly shards: 'one' | 'sized';
  /** The secret also holds `configuration_host` / `configuration_url` (the configuration endpoint). */
  readonly secretHasConfigurationEndpoint: boolean;
  /** The secret's `host` / `url` are the configuration endpoint (else the primary endpoint). */
  readonly secretHostIsConfigurationEndpoint: boolean;
  /** What the apply of this step does. */
  readonly does: string;
  /** What must be true, and what applications must have done, before this step is deployed. */
  readonly before: string;
  /** What happens to the secret applications read. */
  readonly secret: string;
}

const PRIMARY = 'host/url stay the primary endpoint';

/** Each step, what its apply does, what must come first, and what the secret holds. */
export const CLUSTER_MODE_STEP_SPECS: Readonly<Record<ClusterModeStep, ClusterModeStepSpec>> = {
  'single-shard': {
    step: 'single-shard',
    number: 1,
    clusterMode: 'disabled',
    shards: 'one',
    secretHasConfigurationEndpoint: false,
    secretHostIsConfigurationEndpoint: false,
    does: 'one shard, cluster mode disabled',
    before: 'nothing',
    secret: `${PRIMARY}; reader_host/reader_url the reader endpoint`,
  },
  compatible: {
    step: 'compatible',
    number: 2,
    clusterMode: 'compatible',
    shards: 'one',
    secretHasConfigurationEndpoint: false,
    secretHostIsConfigurationEndpoint: false,
    does: 'ModifyReplicationGroup sets cluster mode "compatible" together with the new parameter group (cluster-enabled yes), nothing else, applied immediately; the group keeps its one shard and answers both protocols, and gets a configuration endpoint',
    before:
      'keys only in database 0 (`INFO keyspace` shows db0 only); automatic failover with at least one replica; Redis OSS ≥ 7.0 or Valkey ≥ 7.2; no other change to the group in this deploy; a test cluster (npm run deploy:local with LOCAL_REDIS_CLUSTER=1) passes the application',
    secret: `unchanged (${PRIMARY})`,
  },
  'cluster-clients': {
    step: 'cluster-clients',
    number: 3,
    clusterMode: 'compatible',
    shards: 'one',
    secretHasConfigurationEndpoint: true,
    secretHostIsConfigurationEndpoint: false,
    does: 'the secret gains configuration_host and configuration_url (the configuration endpoint); the group itself is unchanged',
    before: 'step compatible applied (its configuration endpoint exists)',
    secret: `gains configuration_host/configuration_url; ${PRIMARY}`,
  },
  cluster: {
    step: 'cluster',
    number: 4,
    clusterMode: 'enabled',
    shards: 'one',
    secretHasConfigurationEndpoint: true,
    secretHostIsConfigurationEndpoint: true,
    does: 'ModifyReplicationGroup sets cluster mode "enabled", nothing else, applied immediately: no way back to cluster mode disabled; the primary and reader endpoints stop answering',
    before:
      'EVERY client reads configuration_url (or configuration_host) with a cluster-aware client (ioredis Cluster, redis-py RedisCluster, …) and uses database 0 only; none uses reader_host/reader_url',
    secret: 'host/url SWITCH to the configuration endpoint; reader_host/reader_url are removed; configuration_host/configuration_url stay',
  },
  resharded: {
    step: 'resharded',
    number: 5,
    clusterMode: 'enabled',
    shards: 'sized',
    secretHasConfigurationEndpoint: true,
    secretHostIsConfigurationEndpoint: true,
    does: 'ModifyReplicationGroupShardConfiguration adds the shards the sizing asks for (online resharding: slots move while the group serves); the node type stays',
    before:
      'step cluster applied; no multi-key command across hash slots in the application (CROSSSLOT once the keys live on several shards)',
    secret: 'unchanged (host/url the configuration endpoint)',
  },
};

/** The step after `step`, or undefined at the last one. */
export function nextClusterModeStep(step: ClusterModeStep): ClusterModeStep | undefined {
  return CLUSTER_MODE_STEPS[CLUSTER_MODE_STEPS.indexOf(step) + 1];
}

/** Lowest engine versions ElastiCache moves to cluster mode ("Modifying cluster mode"). */
export const CLUSTER_MODE_MIN_ENGINE_VERSION: Readonly<Record<string, string>> = { redis: '7.0', valkey: '7.2' };

/**
 * Arguments of aws_elasticache_replication_group that may change in the apply that changes `cluster_mode`: the
 * parameter group (AWS allows it, and requires one with cluster-enabled yes) and what the provider never sends to
 * ModifyReplicationGroup (apply_immediately is the request's flag; preferred_cache_cluster_azs and the final snapshot
 * name are not modifiable; tags go through AddTagsToResource). The shard arguments are compared by the layout they
 * describe (num_cache_clusters = 3 and num_node_groups = 1 / replicas_per_node_group = 2 are the same group).
 */
export const CLUSTER_MODE_STEP_MAY_ALSO_CHANGE = [
  'parameter_group_name',
  'apply_immediately',
  'preferred_cache_cluster_azs',
  'final_snapshot_identifier',
  'tags',
  'num_cache_clusters',
  'num_node_groups',
  'replicas_per_node_group',
] as const;

/**
 * Tag of a group that was moved from cluster mode disabled: its first shard keeps the member ids it had
 * (`<rg>-001`, `<rg>-002`, …; ElastiCache has no rename of a cache cluster), shards added later get cluster-mode ids
 * (`<rg>-0002-001`, …). The tag tells the readers of the synthesized JSON (guardrails, review) which ids the alarms
 * watch. Set from step `compatible` on; tags are sent with AddTagsToResource, not with the cluster-mode change.
 */
export const MOVED_FROM_CLUSTER_MODE_DISABLED_TAG = { key: 'cluster-mode-moved', value: 'from-disabled' } as const;

/** Name of the stack output that says where the environment is in the move (only while a move is needed or underway). */
export const CLUSTER_MODE_OUTPUT = 'cluster_mode_move';
