/**
 * The local Redis Cluster (LOCAL_REDIS_CLUSTER=1; constructs/local/local-redis-cluster.ts) deployed for real: the
 * synthesized local stack applied by the engine with the real Docker and random providers (the offline mirror's
 * builds) to a Docker engine this test starts as root (its own bridge, --iptables=false) and stops. No registry is
 * reachable, so the image is built from the host's redis-server and redis-cli. The client is ioredis's Cluster.
 *
 * One deploy, then in order: the hand-off (.env with the seed nodes), the layout and the configuration shared with
 * the single Redis, writes across slots, CROSSSLOT, the loss of one primary (failover, no acknowledged write older than
 * a second lost), and a redeploy in TLS mode that replaces every node and keeps the cluster and its data.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { parseEnv } from 'util';
import { Cluster, ClusterOptions } from 'ioredis';
import { LOCAL_CLUSTER_NAME } from '../../config/local-cluster';
import { LOCAL_CLUSTER } from '../../constructs/local/defaults';
import { DockerEngine, hostImageName } from '../../scripts/lib/docker';
import { freeLoopbackPort, parseInfo } from '../../scripts/lib/redis-server';
import { deployLocal, LocalDeployResult } from '../../scripts/tools/local-deploy';
import { synthInto, tempDir, Tools } from '../../scripts/tools/tools';
import { dockerTestsRun, mustHaveTools, toolsForTests } from '../helpers/tools';

const ROOT = path.join(__dirname, '..', '..');
const t = toolsForTests();
const runs = dockerTestsRun(t);

let tools: Tools;
let docker: DockerEngine;
let work: string;
let firstPort: number;
let singlePort: number;
let deployed: LocalDeployResult;
let cluster: Cluster;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True when nothing listens on 127.0.0.1:port. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => {
      resolve(false);
    });
    s.listen(port, '127.0.0.1', () => {
      s.close(() => {
        resolve(true);
      });
    });
  });
}

/** A first port whose 6 node ports and 6 bus ports (+10000) are all free (the nodes share the host's network). */
async function freeClusterPorts(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const ports = Array.from({ length: 6 }, (_, i) => [base + i, base + i + LOCAL_CLUSTER.busPortOffset]).flat();
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no 6 free consecutive ports (and their bus ports) on 127.0.0.1');
}

async function deploy(env: NodeJS.ProcessEnv): Promise<LocalDeployResult> {
  const outdir = fs.mkdtempSync(path.join(work, 'out-'));
  // the image --image-from-host builds, named for the host's Redis
  await synthInto(outdir, { ...env, LOCAL_REDIS_IMAGE: hostImageName() });
  const r = await deployLocal({
    outdir,
    synth: false,
    tools,
    workDir: path.join(work, 'engine'),
    statePath: path.join(work, 'terraform.local.tfstate'),
    dockerHost: docker.host,
    imageFromHost: true,
  });
  if (!r.ok) throw new Error(`deploy failed (${r.providers}):\n${r.output}`);
  return r;
}

function seeds(r: LocalDeployResult): Array<{ host: string; port: number }> {
  return String(r.outputs?.redis_cluster_nodes.value)
    .split(',')
    .map((hp) => ({ host: hp.split(':')[0], port: Number(hp.split(':')[1]) }));
}

function connectCluster(r: LocalDeployResult, extra: ClusterOptions['redisOptions'] = {}): Cluster {
  return new Cluster(seeds(r), {
    // a command to a node that is gone fails after 1 s instead of waiting in the offline queue
    redisOptions: { password: String(r.outputs?.redis_password.value), commandTimeout: 1000, ...extra },
    retryDelayOnClusterDown: 200,
    retryDelayOnFailover: 200,
    slotsRefreshTimeout: 2000,
  });
}

/** The node serving `key`'s slot: `host:port`. */
async function ownerOf(c: Cluster, key: string): Promise<string> {
  const slot = await c.cluster('KEYSLOT', key);
  const slots = await c.cluster('SLOTS');
  const range = slots.find(([from, to]) => slot >= from && slot <= to);
  const primary = range?.[2];
  if (!primary) throw new Error(`slot ${slot} is served by no node`);
  return `${primary[0]}:${primary[1]}`;
}

const containerOfPort = (port: number) => `${LOCAL_CLUSTER_NAME}-${port - firstPort + 1}`;

(runs ? describe : describe.skip)('the local Redis Cluster, deployed by the engine with the real Docker provider', () => {
  beforeAll(async () => {
    tools = mustHaveTools(t);
    work = tempDir('isl-local-cluster-');
    docker = await DockerEngine.connect({ ownEngine: true });
    firstPort = await freeClusterPorts();
    singlePort = await freeLoopbackPort();
    deployed = await deploy({
      LOCAL_REDIS_CLUSTER: '1',
      LOCAL_REDIS_CLUSTER_PORT: String(firstPort),
      LOCAL_REDIS_PORT: String(singlePort),
    });
    console.log(
      `deploy: ${deployed.ms} ms, of which ${deployed.clusterReadyMs} ms after the apply until every node served and every replica had synced`,
    );
    cluster = connectCluster(deployed);
    await new Promise<void>((resolve, reject) => {
      cluster.once('ready', resolve);
      cluster.once('error', reject);
    });
  }, 300000);

  afterAll(async () => {
    (cluster as Cluster | undefined)?.disconnect();
    await (docker as DockerEngine | undefined)?.stop(); // its own dockerd: stopping it removes every container
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 120000);

  test('local:env writes the seed nodes beside the password the single Redis and the cluster share', () => {
    const outputs = path.join(work, 'outputs.json');
    fs.writeFileSync(outputs, JSON.stringify(deployed.outputs));
    const envFile = path.join(work, '.env');
    const r = spawnSync(
      process.execPath,
      ['-r', path.join(ROOT, 'scripts/ts-register.js'), path.join(ROOT, 'scripts/local-env.ts'), '--outputs', outputs, '--out', envFile],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(0);
    const env = parseEnv(fs.readFileSync(envFile, 'utf8'));
    const nodes = Array.from({ length: 6 }, (_, i) => `127.0.0.1:${firstPort + i}`).join(',');
    expect({ nodes: env.REDIS_CLUSTER_NODES, password: env.REDIS_PASSWORD, ssl: env.REDIS_SSL }).toEqual({
      nodes,
      password: String(deployed.outputs?.redis_password.value),
      ssl: 'false',
    });
  });

  test('3 primaries with a replica each, every slot covered; the single Redis still answers beside it', async () => {
    const info = parseInfo(await cluster.cluster('INFO'));
    expect({ state: info.cluster_state, slots: info.cluster_slots_ok, nodes: info.cluster_known_nodes, size: info.cluster_size }).toEqual({
      state: 'ok',
      slots: '16384',
      nodes: '6',
      size: '3',
    });
    const roles = String(await cluster.cluster('NODES'))
      .trim()
      .split('\n')
      .map((l) => (l.split(' ')[2].includes('master') ? 'master' : 'slave'))
      .sort();
    expect(roles).toEqual(['master', 'master', 'master', 'slave', 'slave', 'slave']);
    const c = await docker.docker.getContainer('isl-cache-local-redis').inspect();
    expect(c.State.Health?.Status).toBe('healthy');
  });

  test("every node runs the single Redis's configuration: password, maxmemory and policy, AOF, dangerous commands gone", async () => {
    const masters = cluster.nodes('master');
    expect(masters).toHaveLength(3);
    for (const node of [...masters, ...cluster.nodes('slave')]) {
      const mem = parseInfo(await node.info('memory'));
      const persistence = parseInfo(await node.info('persistence'));
      expect({ maxmemory: mem.maxmemory, policy: mem.maxmemory_policy, aof: persistence.aof_enabled }).toEqual({
        maxmemory: String(512 * 1024 * 1024),
        policy: 'allkeys-lru',
        aof: '1',
      });
      await expect(node.call('FLUSHALL')).rejects.toThrow(/unknown command/);
    }
    const anonymous = new Cluster(seeds(deployed), { clusterRetryStrategy: () => null, enableOfflineQueue: false, lazyConnect: true });
    await expect(anonymous.connect()).rejects.toThrow();
    anonymous.disconnect();
  });

  test('writes land on all three primaries by hash slot, and read back', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `user:beliefs:${i}`);
    for (const k of keys) await cluster.set(k, `v-${k}`, 'EX', 3600);
    const owners = new Set(await Promise.all(keys.map((k) => ownerOf(cluster, k))));
    expect(owners.size).toBe(3);
    const sizes = await Promise.all(cluster.nodes('master').map((n) => n.dbsize()));
    expect(sizes.every((n) => n > 0)).toBe(true);
    expect(await cluster.get('user:beliefs:299')).toBe('v-user:beliefs:299');
  });

  test('a multi-key command across slots fails with CROSSSLOT; with one hash tag it works', async () => {
    expect(await ownerOf(cluster, 'a')).not.toBe(await ownerOf(cluster, 'b'));
    await expect(cluster.call('MSET', 'a', '1', 'b', '2')).rejects.toThrow(/^CROSSSLOT Keys in request don't hash to the same slot/);
    expect(await cluster.mset('{user:1}:a', '1', '{user:1}:b', '2')).toBe('OK');
    expect(await cluster.mget('{user:1}:a', '{user:1}:b')).toEqual(['1', '2']);
  });

  test('the loss of one primary: its replica takes over; no write acknowledged more than a second before the loss is lost', async () => {
    const victim = await ownerOf(cluster, 'failover:0');
    const victimPort = Number(victim.split(':')[1]);
    const acked: Array<{ key: string; value: string; at: number }> = [];
    let failed = 0;
    const run = { stop: false };
    let i = 0;
    // keys on the victim's slots only: those are the writes at risk
    const writer = (async () => {
      while (!run.stop) {
        const key = `{failover:0}:${i++}`;
        try {
          await cluster.set(key, String(i));
          acked.push({ key, value: String(i), at: Date.now() });
        } catch {
          failed++;
          await sleep(20);
        }
      }
    })();
    await sleep(1500);
    const lostAt = Date.now();
    // docker stop -t 0: SIGTERM and SIGKILL at once (no grace); the restart policy (unless-stopped) leaves it stopped
    await docker.docker.getContainer(containerOfPort(victimPort)).stop({ t: 0 });
    let newOwner = victim;
    const deadline = Date.now() + 60000;
    while (newOwner === victim && Date.now() < deadline) {
      await sleep(500);
      newOwner = await ownerOf(cluster, 'failover:0').catch(() => victim);
    }
    const failoverMs = Date.now() - lostAt;
    await sleep(2000);
    run.stop = true;
    await writer;
    expect(newOwner).not.toBe(victim);
    console.log(
      `failover: ${failoverMs} ms from SIGKILL to the replica serving the slots; ${acked.length} writes acknowledged, ${failed} failed meanwhile`,
    );
    const older = acked.filter((w) => w.at <= lostAt - 1000);
    expect(older.length).toBeGreaterThan(10);
    const values = await Promise.all(older.map((w) => cluster.get(w.key)));
    expect(older.filter((w, k) => values[k] !== w.value).map((w) => w.key)).toEqual([]);
    // writes go on after the failover
    expect(acked.some((w) => w.at > lostAt + failoverMs)).toBe(true);
    const info = parseInfo(await cluster.cluster('INFO'));
    expect({ state: info.cluster_state, size: info.cluster_size }).toEqual({ state: 'ok', size: '3' });
    // the old primary comes back as a replica of the new one
    await docker.docker.getContainer(containerOfPort(victimPort)).start();
    await docker.waitHealthy(containerOfPort(victimPort), 30000);
  }, 120000);

  test('TLS mode: a redeploy replaces every node; the cluster and its data stay, and answers only over TLS', async () => {
    cluster.disconnect();
    const tlsDir = path.join(work, 'tls');
    execFileSync('bash', [path.join(ROOT, 'scripts/local-tls.sh'), tlsDir], { stdio: 'pipe', timeout: 20000 });
    const before = await docker.docker.getContainer(`${LOCAL_CLUSTER_NAME}-1`).inspect();
    const tls = await deploy({
      LOCAL_REDIS_CLUSTER: '1',
      LOCAL_REDIS_CLUSTER_PORT: String(firstPort),
      LOCAL_REDIS_PORT: String(singlePort),
      LOCAL_REDIS_TLS: '1',
      LOCAL_REDIS_TLS_DIR: tlsDir,
    });
    const after = await docker.docker.getContainer(`${LOCAL_CLUSTER_NAME}-1`).inspect();
    expect(after.Id).not.toBe(before.Id);
    expect(tls.clusterReadyMs).toBeDefined();
    cluster = connectCluster(tls, { tls: { ca: fs.readFileSync(path.join(tlsDir, 'ca.crt')) } });
    expect(parseInfo(await cluster.cluster('INFO')).cluster_state).toBe('ok');
    expect(await cluster.get('user:beliefs:299')).toBe('v-user:beliefs:299');
    const plain = new Cluster(seeds(tls), {
      redisOptions: { password: String(tls.outputs?.redis_password.value) },
      clusterRetryStrategy: () => null,
      lazyConnect: true,
    });
    await expect(plain.connect()).rejects.toThrow();
    plain.disconnect();
  }, 300000);
});
