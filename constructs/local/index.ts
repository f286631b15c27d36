/** Entry point `redis-cache-infra/local`: the developers' Docker Redis (needs @cdktf/provider-docker). */
export { LocalRedis, LOCAL_REDIS_DEFAULTS, checkLocalRedisProps } from './local-redis';
export type { LocalRedisProps } from './local-redis';
export { localRedisSettings, renderRedisConf } from './redis-conf';
export { LocalRedisCluster, clusterNodePorts, renderClusterConf } from './local-redis-cluster';
export type { LocalRedisClusterProps } from './local-redis-cluster';
