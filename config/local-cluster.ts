/**
 * This project's local Redis Cluster (`LOCAL_REDIS_CLUSTER=1`), for applications whose environment is in cluster mode
 * (README "Local Redis Cluster"): its name and the variables that set it. Its layout, ports and timeouts are the
 * LocalRedisCluster construct's defaults (constructs/local/defaults.ts LOCAL_CLUSTER); it shares the configuration,
 * password and TLS mode of the single local Redis of ./local.ts.
 */
import { PROJECT } from './environments';

/** Containers `<name>-1` … `<name>-6`, volumes `<name>-<n>-data`. */
export const LOCAL_CLUSTER_NAME = `${PROJECT}-local-redis-cluster`;

/** Environment variables of the local cluster (beside ./local.ts LOCAL_ENV). */
export const LOCAL_CLUSTER_ENV = {
  /** `1`: deploy the cluster beside the single Redis; `0`/unset: no cluster. */
  cluster: 'LOCAL_REDIS_CLUSTER',
  /** Host port of the first node (the others follow). */
  firstPort: 'LOCAL_REDIS_CLUSTER_PORT',
} as const;
