/**
 * The local stack deployed for real (`npm run deploy:local`, scripts/tools/local-deploy.ts): the synthesized JSON of
 * the app, applied by the engine with the real Docker and random providers (the offline mirror's builds,
 * scripts/tools/providers.json) to a Docker engine this test starts as root and stops (the stack's container and
 * volume names are fixed, so a developer's running local Redis is never touched). No registry is reachable here, so
 * the image is built under its synthesized name from the host's Debian redis-server and redis-cli. Clients are
 * ioredis; Docker is reached through dockerode.
 *
 * The steps run in order, as a developer's day does: deploy, connect, redeploy, hand off (.env), a replacement under
 * write load, a port change, TLS on, destroy. Backups, restores and faults: ./local-faults.test.ts.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { parseEnv } from 'util';
import { LOCAL_CONTAINER_NAME } from '../../config/local';
import { TLS_FILES } from '../../constructs/local/defaults';
import { DockerEngine, hostImageName } from '../../scripts/lib/docker';
import { runLoadTest, verifyWitnesses } from '../../scripts/lib/load-test';
import { freeLoopbackPort, withClient } from '../../scripts/lib/redis-server';
import { deployLocal, destroyLocal, LocalDeployOptions, LocalDeployResult } from '../../scripts/tools/local-deploy';
import { synthInto, tempDir, Tools } from '../../scripts/tools/tools';
import { dockerTestsRun, mustHaveTools, toolsForTests } from '../helpers/tools';

const ROOT = path.join(__dirname, '..', '..');
const VOLUME = 'isl-cache-local-redis-data';
/** The image --image-from-host builds: named for the host's real Redis version (isl-cache-redis-from-host:7.0.15 here). */
const IMAGE = hostImageName();

const t = toolsForTests();
const runs = dockerTestsRun(t);

let tools: Tools;
let docker: DockerEngine;
let work: string;
let tlsDir: string;
let port: number;
const synths = new Map<string, string>();

/** Synthesizes the app with these LOCAL_REDIS_* variables into a fresh outdir and deploys (or destroys) it. */
async function apply(
  what: 'deploy' | 'destroy',
  env: NodeJS.ProcessEnv,
  extra: Partial<LocalDeployOptions> = {},
): Promise<LocalDeployResult> {
  // one synth per set of variables: a redeploy of the same settings applies the same JSON
  const key = JSON.stringify(env);
  let outdir = synths.get(key);
  if (!outdir) {
    outdir = fs.mkdtempSync(path.join(work, 'out-'));
    await synthInto(outdir, { ...env, LOCAL_REDIS_IMAGE: IMAGE });
    synths.set(key, outdir);
  }
  const opts: LocalDeployOptions = {
    outdir,
    synth: false,
    tools,
    workDir: path.join(work, 'engine'),
    statePath: path.join(work, 'terraform.local.tfstate'),
    dockerHost: docker.host,
    imageFromHost: true,
    ...extra,
  };
  const r = what === 'deploy' ? await deployLocal(opts) : await destroyLocal(opts);
  if (!r.ok) throw new Error(`${what} failed (${r.providers}):\n${r.output}`);
  return r;
}

const inspect = () => docker.docker.getContainer(LOCAL_CONTAINER_NAME).inspect();
const password = (r: LocalDeployResult) => String(r.outputs?.redis_password.value);

(runs ? describe : describe.skip)('the local stack, deployed by the engine with the real Docker provider', () => {
  let first: LocalDeployResult;
  let plain: { port: number; password: string };

  beforeAll(async () => {
    tools = mustHaveTools(t);
    work = tempDir('isl-local-deploy-');
    tlsDir = path.join(work, 'tls');
    execFileSync('bash', [path.join(ROOT, 'scripts/local-tls.sh'), tlsDir], { stdio: 'pipe', timeout: 20000 });
    docker = await DockerEngine.connect({ ownEngine: true });
    port = await freeLoopbackPort();
  }, 60000);

  afterAll(async () => {
    await (docker as DockerEngine | undefined)?.stop(); // its own dockerd: stopping it removes whatever a failed test left
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 60000);

  test('deploy: the provider waits for the health check; the outputs are where and how to connect', async () => {
    first = await apply('deploy', { LOCAL_REDIS_PORT: String(port) });
    plain = { port, password: password(first) };
    const o = first.outputs ?? {};
    expect({ host: o.redis_host.value, port: o.redis_port.value, db: o.redis_db.value, tls: o.redis_tls.value }).toEqual({
      host: '127.0.0.1',
      port,
      db: 0,
      tls: false,
    });
    expect(plain.password).toMatch(/^[A-Za-z0-9]{32}$/); // generated: random_password, 32 letters and digits
    expect(o.redis_url.value).toBe(`redis://:${plain.password}@127.0.0.1:${port}/0`);
    expect([o.redis_password.sensitive, o.redis_url.sensitive]).toEqual([true, true]);
    const c = await inspect();
    expect({ running: c.State.Running, health: c.State.Health?.Status }).toEqual({ running: true, health: 'healthy' });
  }, 180000);

  test('answers with the output password, and only with it', async () => {
    await expect(withClient({ port }, (c) => c.ping())).rejects.toThrow(/^NOAUTH/);
    await expect(withClient({ port, password: `${plain.password}x` }, (c) => c.ping())).rejects.toThrow(/WRONGPASS/);
    await expect(withClient({ url: String(first.outputs?.redis_url.value) }, (c) => c.ping())).resolves.toBe('PONG');
  });

  test('publishes its port on 127.0.0.1 and on no other host address', async () => {
    const c = await inspect();
    expect(c.NetworkSettings.Ports['6379/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(port) }]);
    const bridge = (await docker.docker.getNetwork('bridge').inspect()) as { IPAM: { Config: { Gateway: string }[] } };
    const gateway = bridge.IPAM.Config[0].Gateway;
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect({ host: gateway, port }, () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  test('runs with 1408 MiB and no swap, always restarts, stops with SIGTERM and 60 s, keeps its data in the volume', async () => {
    const c = await inspect();
    expect({
      memory: c.HostConfig.Memory,
      memorySwap: c.HostConfig.MemorySwap,
      restart: c.HostConfig.RestartPolicy?.Name,
      stopSignal: (c.Config as { StopSignal?: string }).StopSignal,
      stopTimeout: (c.Config as { StopTimeout?: number }).StopTimeout,
      mounts: c.Mounts.map((m) => `${m.Type} ${m.Name ?? ''} ${m.Destination}`),
    }).toEqual({
      memory: 1408 * 2 ** 20,
      memorySwap: 1408 * 2 ** 20,
      restart: 'always',
      stopSignal: 'SIGTERM',
      stopTimeout: 60,
      mounts: [`volume ${VOLUME} /data`],
    });
    const aof = await docker.docker.getContainer(LOCAL_CONTAINER_NAME).infoArchive({ path: '/data/appendonlydir' });
    expect(aof).toBeDefined();
  });

  test('its health check fails with a wrong password (redis-cli -e: NOAUTH is an error, not a healthy reply)', async () => {
    const c = await inspect();
    const test = c.Config.Healthcheck?.Test ?? [];
    expect(test).toEqual(['CMD', 'redis-cli', '-e', 'ping']);
    expect(await docker.exec(c.Id, test.slice(1))).toBe(0);
    expect(await docker.exec(c.Id, test.slice(1), [`REDISCLI_AUTH=${plain.password}x`])).not.toBe(0);
  });

  test('a second deploy of the same synth changes nothing', async () => {
    const again = await apply('deploy', { LOCAL_REDIS_PORT: String(port) });
    expect(again.output.match(/No changes\.|Apply complete! Resources: .*/)?.[0]).toBe('No changes.');
  }, 120000);

  test('npm run local:env writes the connection settings from the real state into a 0600 .env, keeping other lines', async () => {
    const out = path.join(work, 'app.env');
    fs.writeFileSync(out, 'APP_NAME=isl\nREDIS_HOST=stale-value\n', { mode: 0o644 });
    const state = path.join(work, 'terraform.local.tfstate');
    const r = spawnSync('npm', ['run', '--silent', 'local:env', '--', '--state', state, '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    const env = parseEnv(fs.readFileSync(out, 'utf8'));
    expect(env).toEqual({
      APP_NAME: 'isl',
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(port),
      REDIS_DB: '0',
      REDIS_PASSWORD: plain.password,
      REDIS_URL: `redis://:${plain.password}@127.0.0.1:${port}/0`,
      REDIS_SSL: 'false',
    });
    const byParts = { host: env.REDIS_HOST, port: Number(env.REDIS_PORT), password: env.REDIS_PASSWORD, db: Number(env.REDIS_DB) };
    await expect(withClient(byParts, (c) => c.ping())).resolves.toBe('PONG');
  }, 60000);

  describe('replaced under write load by the provider (apply -replace: stop with destroy_grace_seconds, remove, create)', () => {
    let load: Awaited<ReturnType<typeof runLoadTest>>;
    let oldId: string;
    let stopped: { signal?: string; exitCode?: string }[];
    /** When the replacement started and when the apply returned (the new container healthy). */
    let replacing: { from: number; to: number };

    beforeAll(async () => {
      oldId = (await inspect()).Id;
      const since = Math.floor(Date.now() / 1000);
      const stop = new AbortController();
      const running = runLoadTest({
        redis: { port, password: plain.password },
        durationMs: 120000, // until stopped: 2 s after the new container is healthy
        signal: stop.signal,
        connections: 4,
        pipeline: 32,
        bgsaveEveryMs: 0,
        bgrewriteaofEveryMs: 0,
        verify: false,
        tolerateOutage: true,
      });
      await new Promise((r) => setTimeout(r, 2000));
      const from = Date.now();
      await apply('deploy', { LOCAL_REDIS_PORT: String(port) }, { engineArgs: ['-replace=docker_container.redis_container_C24AB333'] });
      replacing = { from, to: Date.now() };
      await new Promise((r) => setTimeout(r, 2000));
      stop.abort();
      load = await running;
      const events = await docker.containerEvents(oldId, since, Math.ceil(Date.now() / 1000) + 1);
      stopped = events
        .filter((e) => e.action === 'kill' || e.action === 'die')
        .map((e) => ({ signal: e.attributes.signal, exitCode: e.attributes.exitCode }));
    }, 150000);

    test('the old container got SIGTERM and exited 0 (Redis saved and shut down), not SIGKILL', async () => {
      expect(stopped).toEqual([
        { signal: '15', exitCode: undefined },
        { signal: undefined, exitCode: '0' },
      ]);
      expect((await inspect()).Id).not.toBe(oldId);
    });

    test('every write acknowledged before, during and after the replacement is there; clients reconnected', async () => {
      expect(load.witness.ackedWrites).toBeGreaterThan(0);
      const check = await withClient({ port, password: plain.password }, (c) => verifyWitnesses(c, load.ledger, Infinity));
      expect(check).toEqual({ checked: 64, missing: [], stale: [], ok: true });
      const acks = Object.values(load.ledger.acks)
        .flat()
        .map(([, at]) => at);
      // acknowledged on both sides of the outage: the clients reconnected to the new container
      expect(acks.some((at) => at < replacing.from)).toBe(true);
      expect(acks.some((at) => at > replacing.to)).toBe(true);
    });
  });

  test('changing LOCAL_REDIS_PORT replaces the container; every key is found on the new port, the old one is closed', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `port-change:${i}`);
    await withClient(plain, (c) => c.mset(Object.fromEntries(keys.map((k) => [k, `value-of-${k}`]))));
    const oldId = (await inspect()).Id;
    const newPort = await freeLoopbackPort();
    const r = await apply('deploy', { LOCAL_REDIS_PORT: String(newPort) });
    expect(r.output).toMatch(/docker_container\.redis_container_C24AB333 must be replaced/);
    expect(r.output).toMatch(/Apply complete! Resources: 1 added, 0 changed, 1 destroyed\./);
    expect((await inspect()).Id).not.toBe(oldId);
    expect(r.outputs?.redis_port.value).toBe(newPort);
    await expect(withClient({ port: newPort, password: plain.password }, (c) => c.mget(keys))).resolves.toEqual(
      keys.map((k) => `value-of-${k}`),
    );
    await expect(withClient(plain, (c) => c.ping())).rejects.toThrow(/ECONNREFUSED/);
    plain = { port: newPort, password: plain.password };
    port = newPort;
  }, 120000);

  describe('TLS on (LOCAL_REDIS_TLS=1): the container is replaced and the data volume stays', () => {
    let tls: LocalDeployResult;
    let ca: Buffer;

    beforeAll(async () => {
      tls = await apply('deploy', { LOCAL_REDIS_PORT: String(port), LOCAL_REDIS_TLS: '1', LOCAL_REDIS_TLS_DIR: tlsDir });
      ca = fs.readFileSync(path.join(tlsDir, TLS_FILES.caCert));
    }, 120000);

    test('the provider waited for the health check, which speaks TLS; the outputs say TLS', async () => {
      expect((await inspect()).State.Health?.Status).toBe('healthy');
      expect(tls.outputs?.redis_tls.value).toBe(true);
      expect(tls.outputs?.redis_url.value).toBe(`rediss://:${plain.password}@127.0.0.1:${port}/0`);
    });

    test('refuses a plaintext client; serves a client that trusts the generated CA, with the data of before', async () => {
      await expect(withClient(plain, (c) => c.ping())).rejects.toThrow(/Connection is closed|ECONNRESET|Stream isn't writeable/);
      await expect(withClient({ ...plain, tls: { ca } }, (c) => c.get('port-change:0'))).resolves.toBe('value-of-port-change:0');
    });

    test('npm run local:env adds REDIS_SSL=true and the CA path; a client given only those connects', async () => {
      const out = path.join(work, 'tls.env');
      const state = path.join(work, 'terraform.local.tfstate');
      const r = spawnSync('npm', ['run', '--silent', 'local:env', '--', '--state', state, '--out', out], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(0);
      const env = parseEnv(fs.readFileSync(out, 'utf8'));
      expect({ ssl: env.REDIS_SSL, ca: env.REDIS_SSL_CA_CERTS, url: env.REDIS_URL }).toEqual({
        ssl: 'true',
        ca: path.join(tlsDir, TLS_FILES.caCert),
        url: `rediss://:${plain.password}@127.0.0.1:${port}/0`,
      });
      const trusted = fs.readFileSync(env.REDIS_SSL_CA_CERTS ?? '');
      await expect(withClient({ url: env.REDIS_URL, tls: { ca: trusted } }, (c) => c.ping())).resolves.toBe('PONG');
    }, 60000);
  });

  test('destroy removes the container and the volume (all data); the image stays (keep_locally)', async () => {
    const r = await apply('destroy', { LOCAL_REDIS_PORT: String(port), LOCAL_REDIS_TLS: '1', LOCAL_REDIS_TLS_DIR: tlsDir });
    expect(r.output).toMatch(/Destroy complete! Resources: 4 destroyed\./);
    await expect(inspect()).rejects.toThrow(/no such container/i);
    const volumes = (await docker.docker.listVolumes()).Volumes;
    expect(volumes.map((v) => v.Name)).toEqual([]);
    expect(await docker.imageExists(IMAGE)).toBe(true);
  }, 120000);
});
