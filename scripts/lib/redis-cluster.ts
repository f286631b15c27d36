/**
 * Waiting for a Redis Cluster to be ready, as a client needs it: every node reports `cluster_state:ok`, every primary
 * has its replica online and every replica's link to its primary is up (a replica that has not finished its first
 * sync cannot be failed over to: "Disconnected from master for longer than allowed"). Used by `npm run deploy:local`
 * after the engine created the local Redis Cluster (scripts/tools/local-deploy.ts) and by its test. ioredis, one
 * plain connection per node.
 */
import * as fs from 'fs';
import Redis from 'ioredis';

export interface ClusterAccess {
  /** `host:port` of every node. */
  readonly nodes: readonly string[];
  readonly password: string;
  /** CA certificate file in TLS mode. */
  readonly caCertFile?: string;
}

/** Fields of an INFO (or CLUSTER INFO) reply. */
function fields(text: string): Partial<Record<string, string>> {
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((l) => l.includes(':') && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}

/** Why one node is not ready, or undefined when it is. */
async function nodeProblem(node: string, access: ClusterAccess): Promise<string | undefined> {
  const [host, port] = [node.slice(0, node.lastIndexOf(':')), Number(node.slice(node.lastIndexOf(':') + 1))];
  const client = new Redis({
    host,
    port,
    password: access.password,
    tls: access.caCertFile ? { ca: fs.readFileSync(access.caCertFile) } : undefined,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  try {
    await client.connect();
    const cluster = fields(String(await client.call('CLUSTER', 'INFO')));
    if (cluster.cluster_state !== 'ok') return `${node}: cluster_state ${cluster.cluster_state}`;
    const replication = fields(await client.info('replication'));
    if (replication.role === 'slave' && replication.master_link_status !== 'up')
      return `${node}: replica, link to its primary ${replication.master_link_status}`;
    if (replication.role === 'master' && !/state=online/.test(replication.slave0 ?? ''))
      return `${node}: primary without an online replica (${replication.slave0 ?? 'none'})`;
    return undefined;
  } catch (e) {
    return `${node}: ${(e as Error).message}`;
  } finally {
    client.disconnect();
  }
}

/** Resolves with the milliseconds it took once every node is ready; throws with each node's problem after `timeoutMs`. */
export async function waitForCluster(access: ClusterAccess, timeoutMs = 60000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const problems = (await Promise.all(access.nodes.map((n) => nodeProblem(n, access)))).filter((p): p is string => p !== undefined);
    if (!problems.length) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`the Redis Cluster is not ready after ${timeoutMs} ms:\n  - ${problems.join('\n  - ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
