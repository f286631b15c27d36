/**
 * The developers' local Redis Cluster (`LOCAL_REDIS_CLUSTER=1`), for applications whose environment is in cluster mode
 * (README "Local Redis Cluster"): every number and name it adds to the single local Redis of ./local.ts, whose
 * configuration, password and TLS mode it shares.
 */
import { PROJECT } from './environments';

/**
 * Layout: 004_8844d1214f9c87e0.txt "Production Architecture (3-Node Cluster)": 3 masters (:7000–:7002), each with
 * 1 slave (:7003–:7005); "Self-Managed Cluster": `redis-cli --cluster create … --cluster-replicas 1`.
 */
export const LOCAL_CLUSTER = {
  /** Containers `<name>-1` … `<name>-6`, volumes `<name>-<n>-data`. */
  name: `${PROJECT}-local-redis-cluster`,
  primaries: 3,
  replicasPerPrimary: 1,
  /** 004: "Master1 :7000" … "Slave3 :7005". */
  defaultFirstPort: 7000,
  /** The cluster bus listens on the client port + 10000 (004 "Network Requirements": 16379-16384 beside 6379-6384). */
  busPortOffset: 10000,
  /**
   * 004 "Configure Each Node": `cluster-node-timeout 5000`: a primary that stops answering for 5 s is failed over to
   * its replica (004 "High Availability": failure detection, voting, promotion).
   */
  nodeTimeoutMs: 5000,
  /** `cluster-config-file` in each node's data volume (004: `cluster-config-file nodes-7000.conf`). */
  configFile: 'nodes.conf',
} as const;

/** Nodes in all. */
export const LOCAL_CLUSTER_NODES = LOCAL_CLUSTER.primaries * (1 + LOCAL_CLUSTER.replicasPerPrimary);

/** The highest first port that leaves room for every node's port and bus port (≤ 65535). */
export const LOCAL_CLUSTER_MAX_FIRST_PORT = 65535 - LOCAL_CLUSTER.busPortOffset - (LOCAL_CLUSTER_NODES - 1);

/** Environment variables of the local cluster (beside ./local.ts LOCAL_ENV). */
export const LOCAL_CLUSTER_ENV = {
  /** `1`: deploy the cluster beside the single Redis; `0`/unset: no cluster. */
  cluster: 'LOCAL_REDIS_CLUSTER',
  /** Host port of the first node (the others follow). */
  firstPort: 'LOCAL_REDIS_CLUSTER_PORT',
} as const;
