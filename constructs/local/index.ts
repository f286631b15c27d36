/**
 * Entry point `redis-cache-infra/local`: a developer's Docker Redis and Redis Cluster, configured as the operations
 * guides prescribe (needs @cdktf/provider-docker). The surface is recorded in api/redis-cache-infra-local.api.md.
 */
export { LocalRedis, LOCAL_REDIS_DEFAULTS, TLS_FILES_MISSING } from './local-redis';
export type { LocalRedisDefaults, LocalRedisProps } from './local-redis';
export { LocalRedisCluster } from './local-redis-cluster';
export type { LocalRedisClusterProps } from './local-redis-cluster';
export { PASSWORD_RULE, passwordProblem, terraformPasswordCondition } from './password';
export {
  DOCKER_IMAGE_REFERENCE,
  DOCKER_IMAGE_REFERENCE_FORM,
  LOCAL_CLUSTER,
  LOCAL_CLUSTER_MAX_FIRST_PORT,
  LOCAL_CLUSTER_NODES,
  LOCAL_IMAGES,
  LOCAL_TLS_DIR_DEFAULT,
  TLS_FILES,
} from './defaults';
export type { LocalEngineImage } from './defaults';
// types the local constructs' declarations use, from the main entry point (erased at run time)
export type { Engine, MaxmemoryPolicy, Problem } from '../index';
