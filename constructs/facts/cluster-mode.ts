/**
 * What ElastiCache and the AWS provider accept when a group moves from one shard (cluster mode disabled) to a Redis
 * Cluster (cluster mode enabled): the facts behind the construct's `clusterMode` prop and the guardrail
 * `cluster-mode-steps`.
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

/** ElastiCache's `ClusterMode` (the provider's `cluster_mode`). */
export type ClusterMode = 'disabled' | 'compatible' | 'enabled';

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
