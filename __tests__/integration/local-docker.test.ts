/**
 * The synthesized docker_container, run as the Terraform Docker provider would run it (the same Engine API calls,
 * through dockerode), on a real Docker engine: the one already answering, or a dockerd this test starts and stops.
 * No registry is reachable here, so unless the engine already has the image, the test builds it under the
 * synthesized image name from the host's Debian redis-server and redis-cli. Clients are ioredis.
 */
import { execFileSync, spawnSync } from 'child_process';
import { parseEnv } from 'util';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { CONTAINER_PATHS, CONTAINER_PORT, LOCAL_HOST, TLS_FILES } from '../../config/local';
import { LocalStack, LocalStackProps } from '../../stacks/local-stack';
import { Testing } from 'cdktf';
import {
  ContainerPlan,
  DockerEngine,
  SynthesizedContainer,
  containerPlan,
  destroyAsProvider,
  hostBinariesRootfs,
  removeContainer,
  resolveExpressions,
  runContainerPlan,
  which,
} from '../../scripts/lib/docker';
import { runLoadTest, verifyWitnesses } from '../../scripts/lib/load-test';
import { backup, restore } from '../../scripts/local-backup';
import { freeLoopbackPort, randomPassword, removeDir, tempDir, withClient } from '../../scripts/lib/redis-server';

type Json = Record<string, any>;

const HEALTHY_WITHIN_MS = 60000;
const ROOT = path.join(__dirname, '..', '..');

interface Deployed {
  json: Json;
  plan: ContainerPlan;
  port: number;
  password: string;
  id?: string;
  /** Resolves when the engine reports the container healthy; rejects with its health log otherwise. */
  healthy?: Promise<number>;
  /** The values Terraform would put in for the stack's references. */
  lookup?: (expression: string) => string | undefined;
}

let engine: DockerEngine | undefined;
let work: string;
let importedImage: string | undefined;
const deployed: Deployed[] = [];

/** Synthesizes a local stack, resolves its Terraform references the way `terraform apply` would, and runs it. */
async function deploy(props: LocalStackProps): Promise<Deployed> {
  const port = await freeLoopbackPort();
  const json: Json = JSON.parse(
    Testing.synth(
      new LocalStack(Testing.app(), 'local', {
        env: {},
        port,
        containerName: `isl-cache-test-${process.pid}-${deployed.length}`,
        ...props,
      }),
      true,
    ),
  );
  const [[, image]] = Object.entries<Json>(json.resource.docker_image);
  if (!(await engine!.imageExists(image.name))) {
    // the rootfs holds Debian's binaries under the names the synthesized command and health check use
    const rootfs = path.join(work, 'rootfs');
    // rm: what npm run local:restore runs in a one-off container to clear the volume (the redis image has it too)
    hostBinariesRootfs(rootfs, { 'redis-server': which('redis-server'), 'redis-cli': which('redis-cli'), rm: which('rm') });
    await engine!.importImage(rootfs, image.name, [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `WORKDIR ${CONTAINER_PATHS.data}`,
      'CMD ["redis-server"]',
    ]);
    importedImage = image.name;
  }
  const imageId = (await engine!.docker.getImage(image.name).inspect()).Id;

  const password = randomPassword();
  const passwordExpression = /^\$\{(.*)\}$/.exec(json.output.redis_password.value)![1];
  const lookup = (expr: string): string | undefined => {
    if (expr === passwordExpression) return password; // what TF_VAR_redis_password or random_password supplies
    const ref = /^(docker_volume|docker_image)\.([^.]+)\.(name|image_id)$/.exec(expr);
    if (ref?.[1] === 'docker_volume' && ref[3] === 'name') return json.resource.docker_volume[ref[2]]?.name;
    if (ref?.[1] === 'docker_image' && ref[3] === 'image_id' && json.resource.docker_image[ref[2]]) return imageId;
    return undefined;
  };
  const [[, container]] = Object.entries<Json>(json.resource.docker_container);
  const d: Deployed = { json, plan: containerPlan(container as SynthesizedContainer, lookup), port, password };
  deployed.push(d);
  d.id = await runContainerPlan(engine!, d.plan, fs.mkdtempSync(path.join(work, 'upload-')));
  d.healthy = engine!.waitHealthy(d.id, HEALTHY_WITHIN_MS);
  d.healthy.catch(() => undefined); // awaited by the tests
  d.lookup = lookup;
  return d;
}

/**
 * The local stack's outputs as Terraform records them in its state after `apply`: each synthesized output
 * expression evaluated with the values this deployment supplied.
 */
function stateWithOutputs(d: Deployed): string {
  const outputs = Object.fromEntries(
    Object.entries<Json>(d.json.output).map(([name, o]) => {
      const value: unknown = typeof o.value === 'string' ? resolveExpressions(o.value, d.lookup!) : o.value;
      return [
        name,
        {
          value,
          type: typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'bool' : 'string',
          sensitive: o.sensitive === true,
        },
      ];
    }),
  );
  return JSON.stringify({ version: 4, terraform_version: '1.10.6', serial: 1, outputs, resources: [] });
}

let plain: Deployed;
let tls: Deployed;
let tlsDir: string;

beforeAll(async () => {
  work = tempDir('local-docker');
  tlsDir = path.join(work, 'tls');
  execFileSync('bash', [path.join(ROOT, 'scripts/local-tls.sh'), tlsDir], { stdio: 'pipe', timeout: 20000 });
  engine = await DockerEngine.connect();
  plain = await deploy({});
  tls = await deploy({ tls: true, tlsDir });
}, 90000);

afterAll(async () => {
  if (engine) {
    for (const d of deployed) await removeContainer(engine, d.id, d.plan.volumes);
    if (importedImage)
      await engine.docker
        .getImage(importedImage)
        .remove({ force: true })
        .catch(() => undefined);
    await engine.stop();
  }
  if (work) removeDir(work);
}, 60000);

describe('the local container on a real Docker engine', () => {
  it(
    'reports healthy',
    async () => {
      await expect(plain.healthy).resolves.toBeLessThan(HEALTHY_WITHIN_MS);
    },
    HEALTHY_WITHIN_MS + 5000,
  );

  it('answers PING on 127.0.0.1 with the password, and only with it', async () => {
    await plain.healthy;
    await expect(withClient({ port: plain.port }, (c) => c.ping())).rejects.toThrow(/^NOAUTH/);
    await expect(withClient({ port: plain.port, password: plain.password }, (c) => c.ping())).resolves.toBe('PONG');
  });

  it('publishes its port on 127.0.0.1 and on no other host address', async () => {
    const c = await engine!.docker.getContainer(plain.id!).inspect();
    expect(c.NetworkSettings.Ports[`${CONTAINER_PORT}/tcp`]).toEqual([{ HostIp: LOCAL_HOST, HostPort: String(plain.port) }]);
    const bridge = (await engine!.docker.getNetwork('bridge').inspect()) as Json;
    const gateway: string = bridge.IPAM.Config[0].Gateway;
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect({ host: gateway, port: plain.port }, () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('runs under the synthesized memory limit, restart policy and stop settings', async () => {
    const c = await engine!.docker.getContainer(plain.id!).inspect();
    const [[, container]] = Object.entries<Json>(plain.json.resource.docker_container);
    expect(c.HostConfig.Memory).toBe(container.memory * 2 ** 20);
    expect(c.HostConfig.RestartPolicy?.Name).toBe(container.restart);
    expect((c.Config as Json).StopSignal).toBe('SIGTERM');
    expect((c.Config as Json).StopTimeout).toBe(60);
  });

  it('writes its AOF into the named volume', async () => {
    await plain.healthy;
    const c = await engine!.docker.getContainer(plain.id!).inspect();
    const [[, volume]] = Object.entries<Json>(plain.json.resource.docker_volume);
    expect(c.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: volume.name, Destination: CONTAINER_PATHS.data })]);
    const aof = await engine!.docker.getContainer(plain.id!).infoArchive({ path: `${CONTAINER_PATHS.data}/appendonlydir` });
    expect(aof).toBeDefined();
  });

  it('fails its health check when the password is wrong', async () => {
    await plain.healthy;
    const test: string[] = plain.plan.createBody.Healthcheck?.Test ?? [];
    expect(await engine!.exec(plain.id!, test.slice(1))).toBe(0);
    expect(await engine!.exec(plain.id!, test.slice(1), [`REDISCLI_AUTH=${plain.password}x`])).not.toBe(0);
  });

  describe('in TLS mode', () => {
    it(
      'reports healthy (its health check speaks TLS)',
      async () => {
        await expect(tls.healthy).resolves.toBeLessThan(HEALTHY_WITHIN_MS);
      },
      HEALTHY_WITHIN_MS + 5000,
    );

    it('refuses a plaintext client', async () => {
      await tls.healthy;
      await expect(withClient({ port: tls.port, password: tls.password }, (c) => c.ping())).rejects.toThrow(
        /Connection is closed|ECONNRESET|Stream isn't writeable/,
      );
    });

    it('serves a client that trusts the generated CA', async () => {
      await tls.healthy;
      const ca = fs.readFileSync(path.join(tlsDir, TLS_FILES.caCert));
      await expect(withClient({ port: tls.port, password: tls.password, tls: { ca } }, (c) => c.ping())).resolves.toBe('PONG');
    });
  });

  describe('replaced under write load (as the provider replaces it: stop with destroy_grace_seconds, remove, create)', () => {
    const LOAD_MS = 12000;
    const REPLACE_AFTER_MS = 4000;
    let stop: { ms: number; exitCode: number; log: string };
    let healthyAgainMs: number;
    let load: Awaited<ReturnType<typeof runLoadTest>>;

    beforeAll(
      async () => {
        await plain.healthy;
        const [[, container]] = Object.entries<Json>(plain.json.resource.docker_container);
        const redis = { port: plain.port, password: plain.password };
        const running = runLoadTest({
          redis,
          durationMs: LOAD_MS,
          connections: 4,
          pipeline: 32,
          bgsaveEveryMs: 0,
          bgrewriteaofEveryMs: 0,
          verify: false,
          tolerateOutage: true,
        });
        await new Promise((r) => setTimeout(r, REPLACE_AFTER_MS));
        const destroyed = await destroyAsProvider(engine!, plain.id!, container.destroy_grace_seconds);
        stop = { ms: destroyed.stopMs, exitCode: destroyed.exitCode, log: destroyed.log };
        plain.id = await runContainerPlan(engine!, plain.plan, fs.mkdtempSync(path.join(work, 'upload-')));
        healthyAgainMs = await engine!.waitHealthy(plain.id, HEALTHY_WITHIN_MS);
        load = await running;
      },
      LOAD_MS + HEALTHY_WITHIN_MS + 30000,
    );

    it('stops Redis with SIGTERM, which saves, exits 0 and takes less than the grace period', () => {
      expect(stop.exitCode).toBe(0);
      expect(stop.log).toMatch(/Received SIGTERM scheduling shutdown/);
      expect(stop.log).toMatch(/ready to exit, bye bye/);
      expect(stop.ms).toBeLessThan(60000);
    });

    it('keeps every write acknowledged before, during and after the replacement', async () => {
      expect(load.witness.ackedWrites).toBeGreaterThan(0);
      // the replacement loads the AOF from the volume: even the last acknowledged write before SIGTERM is there
      const check = await withClient({ port: plain.port, password: plain.password }, (c) => verifyWitnesses(c, load.ledger, Infinity));
      expect(check).toEqual({ checked: 64, missing: [], stale: [], ok: true });
      expect(healthyAgainMs).toBeLessThan(HEALTHY_WITHIN_MS);
    });

    it('acknowledged writes on both sides of the outage (the clients reconnect to the new container)', () => {
      const acks = Object.values(load.ledger.acks)
        .flat()
        .map(([, at]) => at);
      const stopAt = load.stoppedAt - LOAD_MS + REPLACE_AFTER_MS;
      expect(acks.some((at) => at < stopAt)).toBe(true);
      expect(acks.some((at) => at > stopAt + stop.ms)).toBe(true);
    });
  });

  describe('npm run local:env (the .env hand-off)', () => {
    const runLocalEnv = (d: Deployed, name: string) => {
      const state = path.join(work, `${name}.tfstate`);
      const out = path.join(work, `${name}.env`);
      fs.writeFileSync(state, stateWithOutputs(d));
      fs.writeFileSync(out, 'APP_NAME=isl\nREDIS_HOST=stale-value\n', { mode: 0o644 });
      const r = spawnSync('npm', ['run', '--silent', 'local:env', '--', '--state', state, '--out', out], { cwd: ROOT, encoding: 'utf8' });
      return { r, out, env: parseEnv(fs.readFileSync(out, 'utf8')), mode: fs.statSync(out).mode & 0o777 };
    };

    it('writes the plaintext connection settings from the stack’s outputs, mode 0600, keeping other lines', async () => {
      await plain.healthy;
      const { r, env, mode } = runLocalEnv(plain, 'plain');
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(mode).toBe(0o600);
      expect(env).toEqual({
        APP_NAME: 'isl',
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(plain.port),
        REDIS_DB: '0',
        REDIS_PASSWORD: plain.password,
        REDIS_URL: `redis://:${plain.password}@127.0.0.1:${plain.port}/0`,
        REDIS_SSL: 'false',
      });
      // an application's client connects with them: by URL, and by host, port, password and db
      await expect(withClient({ url: env.REDIS_URL }, (c) => c.ping())).resolves.toBe('PONG');
      const byParts = { host: env.REDIS_HOST, port: Number(env.REDIS_PORT), password: env.REDIS_PASSWORD, db: Number(env.REDIS_DB) };
      await expect(withClient(byParts, (c) => c.ping())).resolves.toBe('PONG');
    });

    it('in TLS mode adds REDIS_SSL=true and the CA path, and a client trusting that CA connects', async () => {
      await tls.healthy;
      const { r, env, mode } = runLocalEnv(tls, 'tls');
      expect(r.status).toBe(0);
      expect(mode).toBe(0o600);
      expect(env.REDIS_SSL).toBe('true');
      expect(env.REDIS_SSL_CA_CERTS).toBe(path.join(tlsDir, TLS_FILES.caCert));
      expect(env.REDIS_URL).toBe(`rediss://:${tls.password}@127.0.0.1:${tls.port}/0`);
      const ca = fs.readFileSync(env.REDIS_SSL_CA_CERTS!);
      await expect(withClient({ url: env.REDIS_URL, tls: { ca } }, (c) => c.ping())).resolves.toBe('PONG');
    });

    it('refuses, naming them, when the stack has not been deployed (no outputs)', () => {
      const state = path.join(work, 'empty.tfstate');
      fs.writeFileSync(state, JSON.stringify({ version: 4, outputs: {}, resources: [] }));
      const r = spawnSync('npm', ['run', '--silent', 'local:env', '--', '--state', state, '--out', path.join(work, 'none.env')], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('missing outputs redis_host, redis_port, redis_db, redis_password, redis_url, redis_tls');
      expect(fs.existsSync(path.join(work, 'none.env'))).toBe(false);
    });
  });

  describe('npm run local:backup and local:restore (guide 000, Backup and Recovery)', () => {
    it('round-trips keys: a snapshot taken, later writes undone by the restore', async () => {
      await tls.healthy;
      const ca = fs.readFileSync(path.join(tlsDir, TLS_FILES.caCert));
      const redis = { port: tls.port, password: tls.password, tls: { ca } };
      const dockerHost = `unix://${engine!.socketPath}`;
      const keys = Array.from({ length: 500 }, (_, i) => `backup:${i}`);
      await withClient(redis, async (c) => {
        await c.mset(Object.fromEntries(keys.map((k) => [k, `before-${k}`])));
      });

      const snapshot = await backup(tls.plan.name, path.join(work, 'backups'), { dockerHost });
      expect(fs.existsSync(path.join(snapshot, 'dump.rdb'))).toBe(true);
      expect(fs.readdirSync(path.join(snapshot, 'appendonlydir'))).toEqual(expect.arrayContaining([expect.stringMatching(/\.manifest$/)]));

      await withClient(redis, async (c) => {
        await c.mset(Object.fromEntries(keys.map((k) => [k, `after-${k}`])));
        await c.set('backup:added-later', '1');
        await c.del('backup:0');
      });
      await restore(tls.plan.name, snapshot, { dockerHost });

      await withClient(redis, async (c) => {
        expect(await c.mget(keys)).toEqual(keys.map((k) => `before-${k}`));
        expect(await c.exists('backup:added-later')).toBe(0);
      });
    }, 120000);
  });
});
