/**
 * The move from one shard (cluster mode disabled) to a Redis Cluster (cluster mode enabled), as this project takes it:
 * steps ElastiCache accepts one at a time (the facts behind them: constructs/facts/cluster-mode.ts), the data behind
 * `clusterModeStep` (./environments.ts), the sizing (stacks/sizing.ts) and the review (scripts/review/growth.ts).
 * README "Moving to cluster mode".
 */
import type { ClusterMode } from '../constructs';

/** Where an environment is in the move, in order. */
export const CLUSTER_MODE_STEPS = ['single-shard', 'compatible', 'cluster-clients', 'cluster', 'resharded'] as const;
export type ClusterModeStep = (typeof CLUSTER_MODE_STEPS)[number];

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

/**
 * What the plan says to do when the secret would read a configuration endpoint that does not exist yet (the group's
 * RedisReplicationGroup `configurationEndpointHowToFix`): the steps of this move that make and then publish it.
 */
export const CONFIGURATION_ENDPOINT_HOW_TO_FIX =
  'apply cluster mode "compatible" first (clusterModeStep "compatible"), then publish the endpoint (clusterModeStep "cluster-clients").';

/** Name of the stack output that says where the environment is in the move (only while a move is needed or underway). */
export const CLUSTER_MODE_OUTPUT = 'cluster_mode_move';
