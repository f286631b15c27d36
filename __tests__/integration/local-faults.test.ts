/**
 * The local stack under faults and hostile input, deployed for real by the engine with the mirror's
 * Docker provider on a dockerd this test starts, from the image --image-from-host builds, in TLS mode. One deploy
 * serves every step, in the order a bad day brings them: secrets and the server's user, a weak password, a busy port,
 * a kill -9, a damaged AOF and its repair, an interrupted deploy's orphan, restores that must not lose the live data,
 * and a destroy that leaves no password behind. Clients are ioredis; Docker is reached through dockerode.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { LOCAL_CONTAINER_NAME } from '../../config/local';
import { TLS_FILES } from '../../constructs/local/defaults';
import { DockerEngine, hostImageName } from '../../scripts/lib/docker';
import { freeLoopbackPort, withClient } from '../../scripts/lib/redis-server';
import { backup, helperContainer, main, repairAof, restore } from '../../scripts/local-backup';
import { mergeEnv, writePrivate } from '../../scripts/local-env';
import { deployLocal, destroyLocal, LocalDeployOptions, LocalDeployResult } from '../../scripts/tools/local-deploy';
import { synthInto, tempDir, Tools } from '../../scripts/tools/tools';
import { dockerTestsRun, mustHaveTools, toolsForTests } from '../helpers/tools';

const ROOT = path.join(__dirname, '..', '..');
const VOLUME = 'isl-cache-local-redis-data';
const IMAGE = hostImageName();

const t = toolsForTests();
const runs = dockerTestsRun(t);

let tools: Tools;
let docker: DockerEngine;
let work: string;
let tlsDir: string;
let ca: Buffer;
let port: number;
let password: string;
const synths = new Map<string, string>();

/** The deploy options of this test: its own state, work dir and engine; one synth per set of variables. */
async function options(env: NodeJS.ProcessEnv, extra: Partial<LocalDeployOptions> = {}): Promise<LocalDeployOptions> {
  const all = { LOCAL_REDIS_TLS: '1', LOCAL_REDIS_TLS_DIR: tlsDir, LOCAL_REDIS_IMAGE: IMAGE, ...env };
  const key = JSON.stringify(all);
  let outdir = synths.get(key);
  if (!outdir) {
    outdir = fs.mkdtempSync(path.join(work, 'out-'));
    await synthInto(outdir, all);
    synths.set(key, outdir);
  }
  return {
    outdir,
    synth: false,
    tools,
    workDir: path.join(work, 'engine'),
    statePath: path.join(work, 'terraform.local.tfstate'),
    envFile: path.join(work, 'app.env'),
    dockerHost: docker.host,
    imageFromHost: true,
    progress: () => undefined,
    ...extra,
  };
}

const inspect = () => docker.docker.getContainer(LOCAL_CONTAINER_NAME).inspect();
const redis = () => ({ port, password, tls: { ca } });
const keysOf = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}:${String(i).padStart(4, '0')}`);
const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
const facts = { image: IMAGE, volume: VOLUME };

(runs ? describe : describe.skip)('the local stack under faults and hostile input', () => {
  let first: LocalDeployResult;

  beforeAll(async () => {
    tools = mustHaveTools(t);
    work = tempDir('isl-local-faults-');
    tlsDir = path.join(work, 'tls');
    execFileSync('bash', [path.join(ROOT, 'scripts/local-tls.sh'), tlsDir], { stdio: 'pipe', timeout: 20000 });
    ca = fs.readFileSync(path.join(tlsDir, TLS_FILES.caCert));
    docker = await DockerEngine.connect({ ownEngine: true });
    port = await freeLoopbackPort();
    first = await deployLocal(await options({ LOCAL_REDIS_PORT: String(port) }));
    if (!first.ok) throw new Error(`deploy failed:\n${first.output}`);
    password = String(first.outputs?.redis_password.value);
  }, 120000);

  afterAll(async () => {
    await (docker as DockerEngine | undefined)?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 60000);

  test('the image is named for the host’s Redis and holds the engine’s own checkers', async () => {
    expect(IMAGE).toMatch(/^isl-cache-redis-from-host:\d+\.\d+\.\d+$/);
    expect(IMAGE).toBe(
      `isl-cache-redis-from-host:${/v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?'}`,
    );
    const image = await docker.docker.getImage(IMAGE).inspect();
    expect({ user: image.Config.User, entrypoint: image.Config.Entrypoint }).toEqual({ user: '', entrypoint: ['docker-entrypoint.sh'] });
    const r = helperContainer(facts, 'redis-check-aof /dev/null; redis-check-rdb /nonexistent; echo done', { dockerHost: docker.host });
    await docker.docker.getContainer(r.id).remove();
    expect(r.output).toMatch(/Start checking Old-Style AOF[\s\S]*Checking RDB file \/nonexistent[\s\S]*done/);
  });

  test('Redis runs as uid 999, not root; redis.conf (the password) and the TLS key are 0600 and belong to it', async () => {
    const c = await inspect();
    const status = fs.readFileSync(`/proc/${c.State.Pid}/status`, 'utf8');
    expect(/^Uid:\s+(.*)$/m.exec(status)?.[1].split(/\s+/)).toEqual(['999', '999', '999', '999']);
    expect(/^Gid:\s+(.*)$/m.exec(status)?.[1].split(/\s+/)).toEqual(['999', '999', '999', '999']);
    const inContainer = (p: string) => {
      const st = fs.statSync(`/proc/${c.State.Pid}/root${p}`);
      return `${(st.mode & 0o777).toString(8)} ${st.uid}:${st.gid}`;
    };
    expect({
      conf: inContainer('/usr/local/etc/redis/redis.conf'),
      key: inContainer('/etc/redis/certs/redis.key'),
      cert: inContainer('/etc/redis/certs/redis.crt'),
      ca: inContainer('/etc/redis/certs/ca.crt'),
      data: inContainer('/data/appendonlydir'),
    }).toEqual({ conf: '600 999:999', key: '600 999:999', cert: '644 999:999', ca: '644 999:999', data: '700 999:999' });
  });

  test('the state is 0600 from the first deploy on (the engine runs with umask 077)', () => {
    expect(mode(path.join(work, 'terraform.local.tfstate'))).toBe('600');
  });

  test('a weak TF_VAR_redis_password is refused at synth and by Terraform, described and never shown', async () => {
    const weak = 'a'.repeat(16);
    const outdir = fs.mkdtempSync(path.join(work, 'weak-'));
    await expect(synthInto(outdir, { TF_VAR_redis_password: weak })).rejects.toThrow(
      'TF_VAR_redis_password: 16–128 characters from A-Za-z0-9._~-, at least 8 different characters and an estimated 80 bits',
    );
    // the engine's own validation (cdktf deploy, --no-synth): the variable set at deploy time only
    const saved = process.env.TF_VAR_redis_password;
    process.env.TF_VAR_redis_password = weak;
    try {
      const r = await deployLocal(await options({ LOCAL_REDIS_PORT: String(port) }));
      expect(r.ok).toBe(false);
      // Terraform's message quotes the value it refused; deploy:local shows it redacted
      expect(r.output.replace(/\s+/g, ' ')).toContain(
        'var.redis_password is "(redacted)" redis_password (TF_VAR_redis_password): 16–128 characters from A-Za-z0-9._~-, at least 8 different characters',
      );
      expect(r.output).not.toContain(weak);
    } finally {
      if (saved === undefined) delete process.env.TF_VAR_redis_password;
      else process.env.TF_VAR_redis_password = saved;
    }
    expect((await inspect()).State.Health?.Status).toBe('healthy');
  }, 60000);

  test('a port already in use is found before the running container is touched', async () => {
    const before = await inspect();
    const busy = await freeLoopbackPort();
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(busy, '127.0.0.1', resolve));
    try {
      const r = await deployLocal(await options({ LOCAL_REDIS_PORT: String(busy) }));
      expect({ ok: r.ok, output: r.output }).toEqual({
        ok: false,
        output: `deploy:local refused: LOCAL_REDIS_PORT: port ${busy} on 127.0.0.1 is in use by another program, so the new container could not publish it; nothing was changed (${LOCAL_CONTAINER_NAME} keeps running). Free the port or choose another one.`,
      });
    } finally {
      server.close();
    }
    const after = await inspect();
    expect({ id: after.Id, started: after.State.StartedAt, health: after.State.Health?.Status }).toEqual({
      id: before.Id,
      started: before.State.StartedAt,
      health: 'healthy',
    });
    await expect(withClient(redis(), (c) => c.ping())).resolves.toBe('PONG');
  }, 60000);

  test('kill -9 of the server: the engine restarts it at once (restart always) with every write acknowledged a second before', async () => {
    const keys = keysOf('before-kill', 200);
    await withClient(redis(), (c) => c.mset(Object.fromEntries(keys.map((k) => [k, k]))));
    await new Promise((r) => setTimeout(r, 1500)); // appendfsync everysec
    const before = await inspect();
    process.kill(before.State.Pid, 'SIGKILL');
    const started = Date.now();
    for (;;) {
      const c = await inspect();
      if (c.RestartCount === 1 && c.State.Health?.Status === 'healthy') break;
      if (Date.now() - started > 40000) throw new Error(`not back within 40 s: ${JSON.stringify(c.State)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await expect(withClient(redis(), (c) => c.mget(keys))).resolves.toEqual(keys);
  }, 60000);

  test('docker kill: Docker keeps it down (it suspends every policy after a kill); the engine’s next start brings it back (restart always)', async () => {
    const keys = keysOf('before-docker-kill', 200);
    await withClient(redis(), (c) => c.mset(Object.fromEntries(keys.map((k) => [k, k]))));
    await new Promise((r) => setTimeout(r, 1500)); // appendfsync everysec
    await docker.docker.getContainer(LOCAL_CONTAINER_NAME).kill();
    await new Promise((r) => setTimeout(r, 3000));
    expect((await inspect()).State.Status).toBe('exited');
    await docker.restartDaemon();
    const started = Date.now();
    for (;;) {
      const c = await inspect();
      if (c.State.Health?.Status === 'healthy') break;
      if (Date.now() - started > 40000) throw new Error(`not back within 40 s of the engine's start: ${JSON.stringify(c.State)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await expect(withClient(redis(), (c) => c.mget(keys))).resolves.toEqual(keys);
  }, 90000);

  test('local:backup --dir naming a file stops before BGSAVE: no snapshot is taken, exit 2', async () => {
    const file = path.join(work, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const saves = () => withClient(redis(), async (c) => Number(/rdb_saves:(\d+)/.exec(await c.info('persistence'))?.[1]));
    const before = await saves();
    let err = '';
    const code = await main(['backup', '--dir', file], { out: () => undefined, err: (t) => (err += t) });
    expect({ code, err }).toEqual({ code: 2, err: `local-backup: --dir "${file}": a file, not a directory\n` });
    await new Promise((r) => setTimeout(r, 500));
    await expect(saves()).resolves.toBe(before);
  });

  describe('a damaged AOF: deploy:local says why at once; local:repair-aof cuts the damage and keeps a copy', () => {
    const keys = keysOf('repair', 1000);
    let report = '';
    let reportedAfterMs = -1;
    let repaired: Awaited<ReturnType<typeof repairAof>>;

    beforeAll(async () => {
      // 1000 SETs in order, each 48 bytes in the AOF; the 501st damaged
      await withClient(redis(), async (c) => {
        for (const k of keys) await c.set(k, `value-${k.slice(-4)}`);
      });
      await docker.docker.getContainer(LOCAL_CONTAINER_NAME).stop({ t: 60 });
      const edit = path.join(work, 'aof-edit');
      const copy = helperContainer(facts, 'ls /data/appendonlydir', { dockerHost: docker.host });
      const incr = copy.output.split('\n').find((f) => f.endsWith('.incr.aof')) ?? '';
      fs.mkdirSync(edit);
      execFileSync('docker', ['-H', docker.host, 'cp', `${copy.id}:/data/appendonlydir/${incr}`, path.join(edit, incr)]);
      await docker.docker.getContainer(copy.id).remove();
      const bytes = fs.readFileSync(path.join(edit, incr));
      // ioredis sends command names in lower case, and the AOF keeps them as sent
      const command = '*3\r\n$3\r\nset\r\n$11\r\nrepair:0500\r\n';
      const at = bytes.indexOf(command);
      if (at < 0) throw new Error(`${incr}: no ${JSON.stringify(command)}`);
      bytes[at] = '!'.charCodeAt(0);
      fs.writeFileSync(path.join(edit, incr), bytes);
      const put = helperContainer(facts, `cp /restore/${incr} /data/appendonlydir/${incr} && chown 999:999 /data/appendonlydir/${incr}`, {
        copyIn: edit,
        dockerHost: docker.host,
      });
      await docker.docker.getContainer(put.id).remove();
      // the developer reads the cause and stops the deploy (Ctrl-C; here the engine is killed) instead of waiting
      // the provider's 60 s for a health that cannot come
      const stop = new AbortController();
      const deployOptions = await options(
        { LOCAL_REDIS_PORT: String(port) },
        {
          signal: stop.signal,
          progress: (line) => {
            report = line;
            reportedAfterMs = Date.now() - started;
            stop.abort();
          },
        },
      );
      const started = Date.now();
      await expect(deployLocal(deployOptions)).rejects.toThrow(/abort/i);
      repaired = await repairAof(LOCAL_CONTAINER_NAME, { dockerHost: docker.host, dir: path.join(work, 'backups') });
    }, 150000);

    test('deploy:local reports the server’s last log lines and the repair to run while the engine still waits', () => {
      expect(report).toMatch(
        /^deploy:local: while the engine runs: The container isl-cache-local-redis is not healthy \(.*\); its last log lines:\n( {2}\| .*\n)* {2}\| .*Bad file format reading the append only file/,
      );
      expect(report).toContain(
        'The AOF in the data volume is damaged. Repair it: npm run local:repair-aof (README "Repairing a damaged AOF": it keeps a copy of the damaged files first), or restore a backup: npm run local:restore -- <snapshot>.',
      );
      expect(report).not.toContain(password);
    });

    test('within seconds, not after the provider’s 60 s wait', () => {
      expect(reportedAfterMs).toBeGreaterThan(0);
      expect(reportedAfterMs).toBeLessThan(15000);
    });

    test('redis-check-aof says where the damage is, and the fix cuts the 500 SETs from it on (24,000 bytes)', () => {
      expect(repaired.checkerOutput).toMatch(
        /AOF analyzed: filename=appendonly\.aof\.\d+\.incr\.aof, size=\d+, ok_up_to=\d+, ok_up_to_line=\d+, diff=24000/,
      );
      expect(repaired.checkerOutput).toMatch(/Successfully truncated AOF appendonly\.aof\.\d+\.incr\.aof/);
      expect(repaired.bytesDiscarded).toBe(24000);
    });

    test('the server is healthy again with the 500 writes before the damage; the damaged files are kept', async () => {
      expect((await inspect()).State.Health?.Status).toBe('healthy');
      const values = await withClient(redis(), (c) => c.mget(keys));
      expect(values.slice(0, 500)).toEqual(keys.slice(0, 500).map((k) => `value-${k.slice(-4)}`));
      expect(values.slice(500)).toEqual(Array(500).fill(null));
      expect(fs.readdirSync(path.join(repaired.damagedCopy, 'appendonlydir')).sort()).toEqual([
        expect.stringMatching(/^appendonly\.aof\.\d+\.base\.rdb$/),
        expect.stringMatching(/^appendonly\.aof\.\d+\.incr\.aof$/),
        'appendonly.aof.manifest',
      ]);
      expect(mode(repaired.damagedCopy)).toBe('700');
    });
  });

  describe('the deploy interrupted above (Ctrl-C while the engine replaced the stopped container) left one the state does not know', () => {
    let refused: LocalDeployResult;
    let replaced: LocalDeployResult;
    let orphanId: string;

    beforeAll(async () => {
      orphanId = (await inspect()).Id;
      await withClient(redis(), (c) => c.set('orphan:marker', 'kept'));
      fs.writeFileSync(path.join(work, 'app.env'), 'APP_NAME=isl\n', { mode: 0o644 });
      refused = await deployLocal(await options({ LOCAL_REDIS_PORT: String(port) }));
      replaced = await deployLocal(await options({ LOCAL_REDIS_PORT: String(port) }, { replaceOrphan: true }));
    }, 180000);

    test('the next deploy names the orphan and what to run, and touches nothing', () => {
      expect(refused.ok).toBe(false);
      expect(refused.output).toMatch(
        new RegExp(
          `^deploy:local refused: a container ${LOCAL_CONTAINER_NAME} \\(id ${orphanId.slice(0, 12)}, created \\S+, \\w+\\) exists that the state \\S+terraform\\.local\\.tfstate does not know: an interrupted deploy created it and never recorded it\\. The engine would fail on its name\\. Its data is in the volume ${VOLUME}, which stays\\. Replace it: npm run deploy:local -- --replace-orphan`,
        ),
      );
    });

    test('--replace-orphan stops and removes it, and the deploy goes on with the data of the volume', async () => {
      expect(replaced.ok).toBe(true);
      expect(replaced.output).toContain(`; stopping it (SIGTERM, Redis saves) and removing it; the volume ${VOLUME} is kept`);
      expect((await inspect()).Id).not.toBe(orphanId);
      await expect(withClient(redis(), (c) => c.get('orphan:marker'))).resolves.toBe('kept');
    });

    test('the state, its backup and .env are 0600', () => {
      expect([
        mode(path.join(work, 'terraform.local.tfstate')),
        mode(path.join(work, 'terraform.local.tfstate.backup')),
        mode(path.join(work, 'app.env')),
      ]).toEqual(['600', '600', '600']);
    });
  });

  describe('local:restore never loses the live data', () => {
    const later = keysOf('after-backup', 5000);
    let snapshot: string;
    const backups = () => path.join(work, 'backups');

    beforeAll(async () => {
      await withClient(redis(), (c) => c.set('restore:marker', 'in-backup'));
      snapshot = await backup(LOCAL_CONTAINER_NAME, backups(), { dockerHost: docker.host });
      await withClient(redis(), (c) => c.mset(Object.fromEntries(later.map((k) => [k, 'live']))));
    }, 60000);

    const liveKeysThere = () => withClient(redis(), async (c) => (await c.mget(later)).filter((v) => v === 'live').length);

    test('a damaged snapshot is refused by the engine’s own checker; the container is not even stopped', async () => {
      const damaged = path.join(work, 'damaged-snapshot');
      fs.cpSync(snapshot, damaged, { recursive: true });
      const rdb = fs.readFileSync(path.join(damaged, 'dump.rdb'));
      fs.writeFileSync(path.join(damaged, 'dump.rdb'), rdb.subarray(0, Math.floor(rdb.length / 2)));
      const before = await inspect();
      await expect(restore(LOCAL_CONTAINER_NAME, damaged, { dockerHost: docker.host, dir: backups() })).rejects.toThrow(
        new RegExp(
          `^${damaged.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged or not readable by ${IMAGE} \\(redis-check-rdb / redis-check-aof exit 1\\); nothing was changed, ${LOCAL_CONTAINER_NAME} keeps its data\\.`,
        ),
      );
      expect((await inspect()).State.StartedAt).toBe(before.State.StartedAt);
      await expect(liveKeysThere()).resolves.toBe(5000);
    }, 60000);

    test('a snapshot with a symbolic link is refused before anything runs (paths stay within what was named)', async () => {
      const linked = path.join(work, 'linked-snapshot');
      fs.cpSync(snapshot, linked, { recursive: true });
      fs.rmSync(path.join(linked, 'dump.rdb'));
      fs.symlinkSync('/etc/hostname', path.join(linked, 'dump.rdb'));
      await expect(restore(LOCAL_CONTAINER_NAME, linked, { dockerHost: docker.host, dir: backups() })).rejects.toThrow(
        `"${linked}": not a snapshot of local:backup (dump.rdb is not a regular file)`,
      );
    });

    test('a restored server that is not healthy in time is rolled back, and the message says so', async () => {
      await expect(
        restore(LOCAL_CONTAINER_NAME, snapshot, { dockerHost: docker.host, dir: backups(), healthTimeoutMs: 1 }),
      ).rejects.toThrow(
        /did not come up healthy on the snapshot .*: it was not healthy within 1 ms\.[\s\S]*\nRolled back: isl-cache-local-redis runs, healthy, on its data of before \(also kept in .*-before-restore\)\.$/,
      );
      await expect(liveKeysThere()).resolves.toBe(5000);
    }, 120000);

    test('a restore keeps the live data as a snapshot, which restores it again', async () => {
      const r = await restore(LOCAL_CONTAINER_NAME, snapshot, { dockerHost: docker.host, dir: backups() });
      await expect(liveKeysThere()).resolves.toBe(0);
      await expect(withClient(redis(), (c) => c.get('restore:marker'))).resolves.toBe('in-backup');
      expect(fs.readdirSync(r.safetyCopy).sort()).toEqual(['appendonlydir', 'dump.rdb']);
      await restore(LOCAL_CONTAINER_NAME, r.safetyCopy, { dockerHost: docker.host, dir: backups() });
      await expect(liveKeysThere()).resolves.toBe(5000);
    }, 120000);
  });

  test('destroy leaves no password behind: not in the state, no backup, no REDIS_* lines in .env', async () => {
    const envFile = path.join(work, 'app.env');
    writePrivate(
      envFile,
      mergeEnv('APP_NAME=isl\n', {
        REDIS_HOST: '127.0.0.1',
        REDIS_PORT: String(port),
        REDIS_DB: '0',
        REDIS_PASSWORD: password,
        REDIS_URL: `rediss://:${password}@127.0.0.1:${port}/0`,
        REDIS_SSL: 'true',
        REDIS_SSL_CA_CERTS: path.join(tlsDir, 'ca.crt'),
        REDIS_CLUSTER_NODES: undefined,
      }),
    );
    const r = await destroyLocal(await options({ LOCAL_REDIS_PORT: String(port) }));
    expect(r.ok).toBe(true);
    const state = path.join(work, 'terraform.local.tfstate');
    expect(fs.readFileSync(state, 'utf8')).not.toContain(password);
    expect(fs.existsSync(`${state}.backup`)).toBe(false);
    expect(fs.readFileSync(envFile, 'utf8')).toBe('APP_NAME=isl\n');
    expect(r.output).toContain(`destroy:local: removed ${state}.backup (the state before the destroy, with the password)`);
  }, 120000);
});
