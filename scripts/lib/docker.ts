/**
 * A real Docker engine for tests and tools: the one already answering, or a `dockerd` this helper starts (as root) and
 * stops. Talks to it through dockerode (a maintained Engine API client). Containers are created by the engine with
 * the real Docker provider (scripts/tools/local-deploy.ts), never emulated here.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Docker from 'dockerode';
import { CONTAINER_PATHS, REDIS_USER } from '../../constructs/local/defaults';
import { HOST_IMAGE_REPOSITORY, HOST_IMAGE_TOOLS } from '../../config/local';

const DEFAULT_SOCKET = '/var/run/docker.sock';

/** The unix socket of DOCKER_HOST (default /var/run/docker.sock). */
export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  if (!host) return DEFAULT_SOCKET;
  if (!host.startsWith('unix://')) throw new Error(`DOCKER_HOST: a unix:// socket, got ${JSON.stringify(host)}`);
  return host.slice('unix://'.length);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether dockerode's error is an HTTP status from the engine. */
const hasStatus = (e: unknown, status: number) => (e as { statusCode?: number }).statusCode === status;

export class DockerEngine {
  public readonly docker: Docker;

  private constructor(
    public readonly socketPath: string,
    /** The dockerd this helper started, if it started one. */
    private readonly daemon?: {
      proc: ChildProcess;
      readonly root: string;
      readonly logFile: string;
      readonly bridge: string;
      readonly args: string[];
    },
  ) {
    this.docker = new Docker({ socketPath });
  }

  /** Whether this helper started the engine (and `stop()` will stop it). */
  get startedHere(): boolean {
    return this.daemon !== undefined;
  }

  /**
   * The engine at DOCKER_HOST (or /var/run/docker.sock) when it answers (unless `ownEngine`: a test that deploys under
   * the stack's fixed container and volume names must not touch a developer's running local Redis); otherwise a dockerd started here with vfs
   * storage, no iptables, its data, exec root, pid file, socket and log under a fresh temp dir, and a bridge of its
   * own (two test runs at once would otherwise share docker0 and hand out the same container addresses).
   */
  static async connect(options: { readonly startTimeoutMs?: number; readonly ownEngine?: boolean } = {}): Promise<DockerEngine> {
    const { startTimeoutMs = 30000, ownEngine = false } = options;
    const existing = dockerSocket();
    if (!ownEngine && (await DockerEngine.answers(existing))) return new DockerEngine(existing);
    if (process.getuid?.() !== 0) {
      const why = ownEngine ? 'this needs an engine of its own' : `no Docker engine answers at ${existing}`;
      throw new Error(`${why}, and starting dockerd needs root (uid ${String(process.getuid?.())}).`);
    }
    // short path: containerd's socket lives under the exec root and unix socket paths are limited to 108 bytes
    const root = fs.mkdtempSync('/tmp/dockerd-');
    const socketPath = path.join(root, 'docker.sock');
    const logFile = path.join(root, 'dockerd.log');
    const bridge = createBridge();
    const args = [
      '--storage-driver=vfs',
      '--iptables=false',
      '--ip-forward=false',
      '--bridge',
      bridge,
      '--data-root',
      path.join(root, 'data'),
      '--exec-root',
      path.join(root, 'exec'),
      '--pidfile',
      path.join(root, 'dockerd.pid'),
      '--host',
      `unix://${socketPath}`,
    ];
    const engine = new DockerEngine(socketPath, { proc: spawnDaemon(args, logFile), root, logFile, bridge, args });
    await engine.untilAnswering(startTimeoutMs);
    return engine;
  }

  /** Waits until the dockerd started here answers; stops it and throws with its log when it exits or times out. */
  private async untilAnswering(startTimeoutMs: number): Promise<void> {
    if (!this.daemon) return;
    const { proc } = this.daemon;
    let exited: string | undefined;
    proc.once('exit', (code, signal) => {
      exited = `dockerd exited (${String(signal ?? code)})`;
    });
    proc.once('error', (e) => {
      exited = `dockerd could not start: ${e.message}`;
    });
    const deadline = Date.now() + startTimeoutMs;
    while (!(await DockerEngine.answers(this.socketPath))) {
      if (exited !== undefined || Date.now() > deadline) {
        const why = exited ?? `dockerd did not answer within ${startTimeoutMs} ms`;
        await this.stop();
        throw new Error(`${why}; its log:\n${this.logTail()}`);
      }
      await sleep(100);
    }
  }

  /**
   * Restarts the dockerd started here (SIGTERM: it stops the containers with their stop signal and timeout, then
   * starts them again by their restart policies), as a reboot or an engine update does. Keeps its data and bridge.
   */
  async restartDaemon(timeoutMs = 60000): Promise<void> {
    if (!this.daemon) throw new Error('restartDaemon: this engine was not started here');
    const { proc, args, logFile } = this.daemon;
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    }
    this.daemon.proc = spawnDaemon(args, logFile);
    await this.untilAnswering(timeoutMs);
  }

  /** The engine at `socketPath` (default DOCKER_HOST, else /var/run/docker.sock); never starts one. */
  static async attach(socketPath = dockerSocket()): Promise<DockerEngine> {
    if (await DockerEngine.answers(socketPath)) return new DockerEngine(socketPath);
    throw new Error(
      `no Docker engine answers at ${socketPath} (DOCKER_HOST). Start one (as root: dockerd --storage-driver=vfs --iptables=false &) or point DOCKER_HOST at yours.`,
    );
  }

  /** `DOCKER_HOST` form of this engine's socket. */
  get host(): string {
    return `unix://${this.socketPath}`;
  }

  private static async answers(socketPath: string): Promise<boolean> {
    if (!fs.existsSync(socketPath)) return false;
    try {
      await new Docker({ socketPath, timeout: 2000 }).ping();
      return true;
    } catch {
      return false;
    }
  }

  logTail(lines = 40): string {
    if (!this.daemon || !fs.existsSync(this.daemon.logFile)) return '';
    return fs.readFileSync(this.daemon.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** Stops the dockerd started here (SIGTERM, then SIGKILL) and removes its temp dir; leaves any other engine alone. */
  async stop(timeoutMs = 20000): Promise<void> {
    if (!this.daemon) return;
    const { proc, root, bridge } = this.daemon;
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      await gone;
      clearTimeout(timer);
    }
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'pipe' });
    } catch {
      // already gone
    }
    try {
      fs.rmSync(root, { recursive: true, force: true });
    } catch {
      // a mount dockerd left behind keeps the dir; it is in /tmp and harmless
    }
  }

  async imageExists(name: string): Promise<boolean> {
    try {
      await this.docker.getImage(name).inspect();
      return true;
    } catch (e) {
      if (hasStatus(e, 404)) return false;
      throw e;
    }
  }

  /**
   * `docker import`: a root filesystem directory becomes image `name` (repo:tag) with Dockerfile `changes`. Every
   * file is owned by root, except the paths in `owned`, which get the uid:gid given (e.g. the data directory of an
   * unprivileged server).
   */
  async importImage(
    rootfs: string,
    name: string,
    changes: readonly string[],
    owned: { readonly paths: readonly string[]; readonly uid: number; readonly gid: number } = { paths: [], uid: 0, gid: 0 },
  ): Promise<void> {
    const colon = name.lastIndexOf(':');
    const tarball = path.join(path.dirname(rootfs), `${path.basename(rootfs)}.tar`);
    const tar = (mode: '-c' | '-r', owner: { uid: number; gid: number }, args: readonly string[]) =>
      execFileSync('tar', [mode, '-f', tarball, `--owner=${owner.uid}`, `--group=${owner.gid}`, '--numeric-owner', '-C', rootfs, ...args], {
        stdio: 'pipe',
      });
    try {
      tar('-c', { uid: 0, gid: 0 }, [...owned.paths.map((p) => `--exclude=./${p}`), '.']);
      if (owned.paths.length)
        tar(
          '-r',
          owned,
          owned.paths.map((p) => `./${p}`),
        );
      const stream = await this.docker.importImage(fs.createReadStream(tarball), {
        repo: name.slice(0, colon),
        tag: name.slice(colon + 1),
        changes: [...changes],
      });
      const progress = await streamText(stream);
      if (progress.includes('"errorDetail"')) throw new Error(`import ${name}: ${progress}`);
    } finally {
      fs.rmSync(tarball, { force: true });
    }
  }

  /** The last `lines` lines of a container's log (stdout and stderr), for failure messages. */
  async logTailOf(id: string, lines = 20): Promise<string> {
    const buf = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false });
    return stripFrames(buf).trimEnd();
  }

  /** A container's log (stdout and stderr), for failure messages. */
  async logs(id: string): Promise<string> {
    const buf = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 50, follow: false });
    return stripFrames(buf);
  }

  /** The engine's events of one container between two times (epoch seconds), with their attributes (signal, exitCode). */
  async containerEvents(
    id: string,
    sinceSeconds: number,
    untilSeconds: number,
  ): Promise<{ action: string; attributes: Record<string, string> }[]> {
    const stream = await this.docker.getEvents({ since: sinceSeconds, until: untilSeconds, filters: { container: [id] } });
    return (await streamText(stream))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as { Action: string; Actor: { Attributes: Record<string, string> } })
      .map((e) => ({ action: e.Action, attributes: e.Actor.Attributes }));
  }

  /** Runs `cmd` in a running container with extra `env`; resolves with its exit code. */
  async exec(id: string, cmd: readonly string[], env: readonly string[] = [], timeoutMs = 10000): Promise<number> {
    const exec = await this.docker.getContainer(id).exec({ Cmd: [...cmd], Env: [...env] });
    await exec.start({ Detach: true });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await exec.inspect();
      if (!state.Running) return state.ExitCode ?? -1;
      if (Date.now() > deadline) throw new Error(`exec ${cmd.join(' ')}: still running after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Polls the container until its health check reports `healthy`; throws when it turns unhealthy, stops or times out. */
  async waitHealthy(id: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const c = await this.docker.getContainer(id).inspect();
      const health = c.State.Health?.Status;
      if (health === 'healthy') return Date.now() - started;
      if (health === 'unhealthy' || !c.State.Running || Date.now() - started > timeoutMs) {
        const why = !c.State.Running
          ? `stopped (exit ${c.State.ExitCode})`
          : health === 'unhealthy'
            ? 'unhealthy'
            : `not healthy after ${timeoutMs} ms`;
        throw new Error(
          `container ${c.Name} ${why}; health log: ${JSON.stringify(c.State.Health?.Log ?? [])}\nlogs:\n${await this.logs(id)}`,
        );
      }
      await sleep(200);
    }
  }
}

/** dockerd with `args`, its output appended to `logFile`. */
function spawnDaemon(args: readonly string[], logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  try {
    return spawn('dockerd', [...args], { stdio: ['ignore', log, log] });
  } finally {
    fs.closeSync(log);
  }
}

/**
 * The text of a container's log as the Engine API sends it without a TTY: frames of an 8-byte header (stream, 0, 0,
 * 0, 4-byte big-endian length) and the payload. Control bytes other than newline and tab are dropped from the text.
 */
function stripFrames(buf: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= buf.length && buf[at] <= 2 && buf[at + 1] === 0 && buf[at + 2] === 0 && buf[at + 3] === 0) {
    const size = buf.readUInt32BE(at + 4);
    parts.push(buf.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  const text = at === 0 ? buf : Buffer.concat([...parts, buf.subarray(at)]);
  return Buffer.from(text.filter((b) => b > 0x1f || b === 0x0a || b === 0x09)).toString('utf8');
}

function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    stream.on('error', reject);
  });
}

/**
 * A Linux bridge for one dockerd, named after this process, with the first free 172.31.N.1/24 (N from the pid up).
 */
function createBridge(): string {
  const name = `dkt${process.pid}`.slice(0, 15);
  const inUse = execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
  const subnets = 250;
  const n = Array.from({ length: subnets }, (_, i) => (process.pid + i) % subnets).find((k) => !inUse.includes(` 172.31.${k}.`));
  if (n === undefined) throw new Error('no free 172.31.N.0/24 for a test bridge');
  execFileSync('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
  execFileSync('ip', ['addr', 'add', `172.31.${n}.1/24`, 'dev', name]);
  execFileSync('ip', ['link', 'set', name, 'up']);
  return name;
}

/**
 * A root filesystem holding the host's binaries (e.g. Debian's redis-server and redis-cli) in /usr/local/bin and the
 * shared libraries `ldd` lists for them, plus /data and /tmp: enough to run them in a container without a registry.
 */
export function hostBinariesRootfs(rootfs: string, binaries: Record<string, string>): void {
  const copy = (from: string, to: string) => {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(fs.realpathSync(from), to);
    fs.chmodSync(to, 0o755);
  };
  for (const [name, hostPath] of Object.entries(binaries)) {
    copy(hostPath, path.join(rootfs, 'usr/local/bin', name));
    const libs = execFileSync('ldd', [hostPath], { encoding: 'utf8' })
      .split('\n')
      .map((l) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(l)?.[1])
      .filter((p): p is string => p !== undefined);
    for (const lib of libs) copy(lib, path.join(rootfs, lib));
  }
  fs.mkdirSync(path.join(rootfs, 'data'), { recursive: true });
  fs.mkdirSync(path.join(rootfs, 'tmp'), { recursive: true });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
}

/** The absolute path of `name` on the host PATH. */
export function which(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, name);
    if (dir && fs.existsSync(p)) return p;
  }
  throw new Error(`${name}: not found on PATH`);
}

/**
 * The host-built image's entrypoint, as the official image's: the server starts as root only long enough to give
 * /data to REDIS_USER, then steps down to it (setpriv); other commands (a one-off `sh`) run as started.
 */
export function hostImageEntrypoint(): string {
  const { uid, gid } = REDIS_USER;
  return [
    '#!/bin/sh',
    '# docker-entrypoint.sh of the image npm run deploy:local -- --image-from-host builds (scripts/lib/docker.ts)',
    'set -e',
    `if [ "$1" = 'redis-server' ] && [ "$(id -u)" = '0' ]; then`,
    `  find . \\! -user ${uid} -exec chown ${uid}:${gid} '{}' +`,
    `  exec setpriv --reuid=${uid} --regid=${gid} --clear-groups "$0" "$@"`,
    'fi',
    `if [ "$(umask)" = '0022' ]; then umask 0077; fi`,
    'exec "$@"',
    '',
  ].join('\n');
}

/** The host's Redis version, as `redis-server --version` reports it (e.g. 7.0.15). */
export function hostRedisVersion(): string {
  const out = execFileSync(which('redis-server'), ['--version'], { encoding: 'utf8' });
  const m = /\bv=(\d+\.\d+\.\d+)\b/.exec(out);
  if (!m) throw new Error(`redis-server --version: no version in ${JSON.stringify(out.trim())}`);
  return m[1];
}

/** The image `--image-from-host` builds: config/local.ts HOST_IMAGE_REPOSITORY tagged with the host's Redis version. */
export function hostImageName(version = hostRedisVersion()): string {
  return `${HOST_IMAGE_REPOSITORY}:${version}`;
}

/**
 * For engines that reach no image registry (CI, this workplace): an image built from the host's Debian redis-server
 * and redis-cli, named for what it is and tagged with the host's version (hostImageName, e.g.
 * isl-cache-redis-from-host:7.0.15). It runs Redis as the unprivileged user of constructs/local/defaults.ts REDIS_USER (passwd and
 * group entries, `USER 999:999`, /data owned by it), like the official images, and holds the engine's own checkers
 * (redis-check-aof, redis-check-rdb) and the few programs `npm run local:restore` and `local:repair-aof` run in a
 * one-off container (config/local.ts HOST_IMAGE_TOOLS). Does nothing when the engine already has the image. Returns
 * whether it imported one.
 */
export async function importRedisImageFromHost(engine: DockerEngine, image: string, workDir: string): Promise<boolean> {
  if (await engine.imageExists(image)) return false;
  const rootfs = fs.mkdtempSync(path.join(workDir, 'rootfs-'));
  fs.chmodSync(rootfs, 0o755); // it becomes the image's /: every user must be able to traverse it
  try {
    const server = which('redis-server');
    hostBinariesRootfs(rootfs, {
      'redis-server': server,
      'redis-cli': which('redis-cli'),
      // one binary: it checks instead of serving when called by these names (Debian installs them as copies)
      ...Object.fromEntries(HOST_IMAGE_TOOLS.map((tool) => [tool, tool.startsWith('redis-check-') ? server : which(tool)])),
    });
    const { name, uid, gid } = REDIS_USER;
    fs.writeFileSync(path.join(rootfs, 'usr/local/bin/docker-entrypoint.sh'), hostImageEntrypoint(), { mode: 0o755 });
    fs.mkdirSync(path.join(rootfs, 'etc'), { recursive: true });
    fs.writeFileSync(
      path.join(rootfs, 'etc/passwd'),
      `root:x:0:0:root:/root:/bin/sh\n${name}:x:${uid}:${gid}:${name}:${CONTAINER_PATHS.data}:/usr/sbin/nologin\n`,
    );
    fs.writeFileSync(path.join(rootfs, 'etc/group'), `root:x:0:\n${name}:x:${gid}:\n`);
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.symlinkSync('/usr/local/bin/sh', path.join(rootfs, 'bin/sh'));
    fs.chmodSync(path.join(rootfs, 'data'), 0o750);
    await engine.importImage(
      rootfs,
      image,
      [
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `WORKDIR ${CONTAINER_PATHS.data}`,
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["redis-server"]',
      ],
      { paths: [CONTAINER_PATHS.data.replace(/^\//, '')], uid, gid },
    );
  } finally {
    fs.rmSync(rootfs, { recursive: true, force: true });
  }
  return true;
}
