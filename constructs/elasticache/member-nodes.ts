/**
 * Member node ids of a replication group, derived as ElastiCache derives them (never by indexing
 * `member_clusters`, which is known only after apply). No provider imports: the guardrails and the review read
 * synthesized JSON with this too.
 */

/** One member node of the group, as ElastiCache names it and publishes its metrics. */
export interface CacheNode {
  /** `CacheClusterId` dimension: `<rg>-00N`, or `<rg>-000S-00N` in cluster mode. */
  readonly cacheClusterId: string;
  /** Shard number, from 1. */
  readonly shard: number;
  /** Role at creation. After a failover a replica may be the primary. */
  readonly role: 'primary' | 'replica';
}

/**
 * @param clusterModeEnabled ids of cluster mode enabled (`<rg>-000S-00N`); otherwise `<rg>-00N` (cluster mode disabled
 *   or compatible: one shard)
 * @param options.firstShardKeepsDisabledIds the group was moved from cluster mode disabled: its first shard keeps the
 *   ids it had (`<rg>-00N`), shards added later are `<rg>-000S-00N` (../facts/cluster-mode.ts
 *   MOVED_FROM_CLUSTER_MODE_DISABLED_TAG)
 */
export function memberNodes(
  replicationGroupId: string,
  numNodeGroups: number,
  replicasPerNodeGroup: number,
  clusterModeEnabled: boolean,
  options: { readonly firstShardKeepsDisabledIds?: boolean } = {},
): CacheNode[] {
  const rg = replicationGroupId.toLowerCase();
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const nodes: CacheNode[] = [];
  for (let s = 1; s <= numNodeGroups; s++) {
    const clusterIds = clusterModeEnabled && !(s === 1 && options.firstShardKeepsDisabledIds === true);
    for (let n = 1; n <= 1 + replicasPerNodeGroup; n++) {
      nodes.push({
        cacheClusterId: clusterIds ? `${rg}-${pad(s, 4)}-${pad(n, 3)}` : `${rg}-${pad(n, 3)}`,
        shard: s,
        role: n === 1 ? 'primary' : 'replica',
      });
    }
  }
  return nodes;
}
