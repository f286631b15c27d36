/**
 * Reading an `aws_elasticache_replication_group` of a synthesized stack: its layout and member node ids (as the
 * construct derives them), and the secrets that read its endpoints.
 */
import { MOVED_FROM_CLUSTER_MODE_DISABLED_TAG } from '../facts/cluster-mode';
import { CacheNode, memberNodes } from '../elasticache/member-nodes';
import { Block, TfJson, TfResource, isExpression, resourcesOf } from './core';

export interface ReplicationGroupLayout {
  readonly replicationGroupId: string;
  /** Cluster mode enabled. */
  readonly clusterMode: boolean;
  /** `cluster_mode` as ElastiCache has it (absent: enabled with more than one shard, else disabled). */
  readonly clusterModeSetting: 'disabled' | 'compatible' | 'enabled';
  /** Tagged as moved from cluster mode disabled (its first shard keeps `<rg>-00N` ids). */
  readonly movedFromClusterModeDisabled: boolean;
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly totalNodes: number;
  /** Member node ids as ElastiCache derives them (memberNodes() of the construct). */
  readonly nodes: readonly CacheNode[];
}

const wholeNumber = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Shards, replicas and member node ids of an `aws_elasticache_replication_group` body; undefined when they are
 * only known at apply time (an expression).
 */
export function replicationGroupLayout(rg: Block): ReplicationGroupLayout | undefined {
  const id: unknown = rg.replication_group_id;
  if (typeof id !== 'string' || isExpression(id)) return undefined;
  let shards: unknown = 1;
  let replicas: unknown = 0;
  if (rg.num_node_groups !== undefined || rg.replicas_per_node_group !== undefined) {
    shards = rg.num_node_groups ?? 1;
    replicas = rg.replicas_per_node_group ?? 0;
  } else if (rg.num_cache_clusters !== undefined) {
    replicas = typeof rg.num_cache_clusters === 'number' ? rg.num_cache_clusters - 1 : rg.num_cache_clusters;
  }
  if (!wholeNumber(shards) || !wholeNumber(replicas)) return undefined;
  const clusterMode = rg.cluster_mode === 'enabled' || (rg.cluster_mode === undefined && shards > 1);
  const tags = (rg.tags ?? {}) as Record<string, unknown>;
  const moved = tags[MOVED_FROM_CLUSTER_MODE_DISABLED_TAG.key] === MOVED_FROM_CLUSTER_MODE_DISABLED_TAG.value;
  return {
    replicationGroupId: id.toLowerCase(),
    clusterMode,
    clusterModeSetting: rg.cluster_mode === 'compatible' ? 'compatible' : clusterMode ? 'enabled' : 'disabled',
    movedFromClusterModeDisabled: moved,
    shards,
    replicasPerShard: replicas,
    totalNodes: shards * (1 + replicas),
    nodes: memberNodes(id, shards, replicas, clusterMode, { firstShardKeepsDisabledIds: moved }),
  };
}

/** The secret versions whose value reads this group's attributes, with the attribute behind `host` and whether it reads the configuration endpoint. */
export function secretsOf(json: TfJson, rg: TfResource): Array<{ address: string; host?: string; configurationEndpoint: boolean }> {
  return resourcesOf(json, 'aws_secretsmanager_secret_version').flatMap((sv) => {
    const text = typeof sv.body.secret_string === 'string' ? sv.body.secret_string : '';
    if (!text.includes(`${rg.address}.`)) return [];
    const host = new RegExp(`"host"\\s*=\\s*${rg.address.replace(/[.$]/g, (c) => `\\${c}`)}\\.([a-z_]+)`).exec(text)?.[1];
    return [{ address: sv.address, host, configurationEndpoint: text.includes(`${rg.address}.configuration_endpoint_address`) }];
  });
}
