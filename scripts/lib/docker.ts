/**
 * A real Docker engine for tests: the one already answering, or a `dockerd` this helper starts (as root) and stops.
 * Talks to it through dockerode (a maintained Engine API client): the synthesized container goes to the engine as the
 * same Engine API calls the Terraform Docker provider makes (create with the JSON body, archive upload, start; on
 * destroy, stop with `destroy_grace_seconds`, then remove), which the docker CLI cannot express exactly (its
 * `--health-cmd` is always a shell form; the image built from the host's binaries has no shell).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import Docker from 'dockerode';

const DEFAULT_SOCKET = '/var/run/docker.sock';

function socketFromEnvironment(): string {
  const host = process.env.DOCKER_HOST;
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
    private readonly daemon?: { proc: ChildProcess; root: string; logFile: string; bridge: string },
  ) {
    this.docker = new Docker({ socketPath });
  }

  /** Whether this helper started the engine (and `stop()` will stop it). */
  get startedHere(): boolean {
    return this.daemon !== undefined;
  }

  /**
   * The engine at DOCKER_HOST (or /var/run/docker.sock) when it answers; otherwise a dockerd started here with vfs
   * storage, no iptables, its data, exec root, pid file, socket and log under a fresh temp dir, and a bridge of its
   * own (two test runs at once would otherwise share docker0 and hand out the same container addresses).
   */
  static async connect(startTimeoutMs = 30000): Promise<DockerEngine> {
    const existing = socketFromEnvironment();
    if (await DockerEngine.answers(existing)) return new DockerEngine(existing);
    if (process.getuid?.() !== 0) {
      throw new Error(`No Docker engine answers at ${existing}, and starting dockerd needs root (uid ${String(process.getuid?.())}).`);
    }
    // short path: containerd's socket lives under the exec root and unix socket paths are limited to 108 bytes
    const root = fs.mkdtempSync('/tmp/dockerd-');
    const socketPath = path.join(root, 'docker.sock');
    const logFile = path.join(root, 'dockerd.log');
    const bridge = createBridge();
    const log = fs.openSync(logFile, 'a');
    const proc = spawn(
      'dockerd',
      [
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
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const engine = new DockerEngine(socketPath, { proc, root, logFile, bridge });
    let exited: string | undefined;
    proc.once('exit', (code, signal) => {
      exited = `dockerd exited (${String(signal ?? code)})`;
    });
    proc.once('error', (e) => {
      exited = `dockerd could not start: ${e.message}`;
    });
    const deadline = Date.now() + startTimeoutMs;
    while (!(await DockerEngine.answers(socketPath))) {
      if (exited !== undefined || Date.now() > deadline) {
        const why = exited ?? `dockerd did not answer within ${startTimeoutMs} ms`;
        await engine.stop();
        throw new Error(`${why}; its log:\n${engine.logTail()}`);
      }
      await sleep(100);
    }
    return engine;
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

  /** `docker import`: a root filesystem directory becomes image `name` (repo:tag) with Dockerfile `changes`. */
  async importImage(rootfs: string, name: string, changes: readonly string[]): Promise<void> {
    const colon = name.lastIndexOf(':');
    const stream = await this.docker.importImage(tarStream(rootfs, ['.']), {
      repo: name.slice(0, colon),
      tag: name.slice(colon + 1),
      changes: [...changes],
    });
    const progress = await streamText(stream);
    if (progress.includes('"errorDetail"')) throw new Error(`import ${name}: ${progress}`);
  }

  /** A container's log (stdout and stderr), for failure messages. */
  async logs(id: string): Promise<string> {
    const buf = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: 50, follow: false });
    // strip the 8-byte frame headers of the multiplexed stream
    return Buffer.from(buf.filter((b) => b > 0x1f || b === 0x0a || b === 0x09)).toString('utf8');
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

/** `tar -c` of `entries` under `dir`, owned by root, as a stream. */
function tarStream(dir: string, entries: readonly string[]): Readable {
  const tar = spawn('tar', ['--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-c', ...entries], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return tar.stdout;
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

// ---------------------------------------------------------------------------------------------------------------
// Synthesized docker_container JSON → Engine API

/** Replaces every `${…}` in a string with `lookup(expression)`; throws on an expression it cannot resolve. */
export function resolveExpressions(value: string, lookup: (expression: string) => string | undefined): string {
  return value.replace(/\$\{([^}]*)\}/g, (whole, expr: string) => {
    const v = lookup(expr);
    if (v === undefined) throw new Error(`unresolved Terraform expression ${whole}`);
    return v;
  });
}

export interface ContainerUploadFile {
  /** Absolute path in the container. */
  readonly file: string;
  readonly content: Buffer;
  /** Octal mode, e.g. "0644". */
  readonly mode: string;
}

export interface ContainerPlan {
  readonly name: string;
  /** Body of `POST /containers/create?name=<name>`. */
  readonly createBody: Docker.ContainerCreateOptions;
  /** Files the provider copies in before the first start. */
  readonly uploads: readonly ContainerUploadFile[];
  /** Named volumes the container mounts. */
  readonly volumes: readonly string[];
}

/** Go duration ("5s", "500ms", "1m") → nanoseconds, as the provider passes healthcheck durations. */
function durationNs(d: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(d);
  if (!m) throw new Error(`duration: like 5s or 500ms, got ${JSON.stringify(d)}`);
  const unitNs = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unitNs;
}

/** The `docker_container` arguments the local stack synthesizes, as Terraform JSON (snake_case, sizes in MB). */
export interface SynthesizedContainer {
  readonly name: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly env?: readonly string[];
  readonly ports?: readonly { internal: number; external?: number; ip?: string; protocol?: string }[];
  readonly volumes?: readonly { volume_name: string; container_path: string; read_only?: boolean }[];
  readonly upload?: readonly {
    file: string;
    content?: string;
    source?: string;
    source_hash?: string;
    permissions?: string;
    executable?: boolean;
    content_base64?: string;
  }[];
  readonly healthcheck?: { test: readonly string[]; interval?: string; timeout?: string; start_period?: string; retries?: number };
  readonly restart?: string;
  readonly memory?: number;
  readonly memory_swap?: number;
  readonly stop_signal?: string;
  readonly stop_timeout?: number;
  readonly destroy_grace_seconds?: number;
}

/**
 * What the Terraform Docker provider asks the engine for, for one synthesized `docker_container` (arguments as the
 * provider documents them: `memory` in MB, healthcheck durations as Go durations, `upload` copied in before the
 * start). Every `${…}` is resolved with `lookup`. Throws on an argument it does not translate, so the test cannot
 * silently run a container that differs from the JSON.
 */
export function containerPlan(container: SynthesizedContainer, lookup: (expression: string) => string | undefined): ContainerPlan {
  const r = (v: string) => resolveExpressions(v, lookup);
  // arguments that only steer Terraform (waiting for health, how to destroy) change nothing in the created container
  const terraformOnly = new Set(['wait', 'wait_timeout', 'must_run', 'destroy_grace_seconds']);
  const translated = new Set(['name', 'image', 'command', 'env', 'ports', 'volumes', 'upload', 'healthcheck', 'restart']);
  for (const k of ['memory', 'memory_swap', 'stop_signal', 'stop_timeout']) translated.add(k);
  const unknown = Object.keys(container).filter((k) => !translated.has(k) && !terraformOnly.has(k));
  if (unknown.length) throw new Error(`docker_container: no translation for ${unknown.join(', ')}`);

  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of container.ports ?? []) {
    const key = `${p.internal}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.ip ?? '', HostPort: p.external === undefined ? '' : String(p.external) });
  }
  const volumes: string[] = [];
  const binds = (container.volumes ?? []).map((v) => {
    const extra = Object.keys(v).filter((k) => !['volume_name', 'container_path', 'read_only'].includes(k));
    if (extra.length) throw new Error(`docker_container.volumes: no translation for ${extra.join(', ')}`);
    const name = r(v.volume_name);
    volumes.push(name);
    return `${name}:${v.container_path}${v.read_only ? ':ro' : ''}`;
  });
  const hc = container.healthcheck;
  const hcExtra = Object.keys(hc ?? {}).filter((k) => !['test', 'interval', 'timeout', 'start_period', 'retries'].includes(k));
  if (hcExtra.length) throw new Error(`docker_container.healthcheck: no translation for ${hcExtra.join(', ')}`);
  const uploads = (container.upload ?? []).map((u): ContainerUploadFile => {
    if (u.executable || u.content_base64 !== undefined) {
      throw new Error('docker_container.upload: no translation for executable, content_base64');
    }
    // source_hash only makes Terraform replace the container when the file changes
    const content = u.content !== undefined ? Buffer.from(r(u.content)) : fs.readFileSync(r(u.source ?? ''));
    return { file: u.file, content, mode: u.permissions ?? '0644' };
  });
  const mb = (n: number | undefined) => (n === undefined ? 0 : n * 1024 * 1024);

  return {
    name: r(container.name),
    volumes,
    uploads,
    createBody: {
      Image: r(container.image),
      Cmd: (container.command ?? []).map(r),
      Env: (container.env ?? []).map(r),
      StopSignal: container.stop_signal,
      StopTimeout: container.stop_timeout,
      ExposedPorts: exposed,
      Healthcheck: hc && {
        Test: hc.test.map(r),
        Interval: hc.interval ? durationNs(hc.interval) : 0,
        Timeout: hc.timeout ? durationNs(hc.timeout) : 0,
        StartPeriod: hc.start_period ? durationNs(hc.start_period) : 0,
        Retries: hc.retries ?? 0,
      },
      HostConfig: {
        PortBindings: bindings,
        Binds: binds,
        RestartPolicy: { Name: container.restart ?? 'no' },
        Memory: mb(container.memory),
        MemorySwap: mb(container.memory_swap),
      },
    },
  };
}

/** Creates the plan's volumes and container, copies the uploads in and starts it; resolves with the container id. */
export async function runContainerPlan(engine: DockerEngine, plan: ContainerPlan, stagingDir: string): Promise<string> {
  for (const v of plan.volumes) await engine.docker.createVolume({ Name: v });
  const container = await engine.docker.createContainer({ name: plan.name, ...plan.createBody });
  if (plan.uploads.length) {
    const files = plan.uploads.map((u) => {
      const rel = u.file.replace(/^\/+/, '');
      fs.mkdirSync(path.join(stagingDir, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(stagingDir, rel), u.content);
      fs.chmodSync(path.join(stagingDir, rel), parseInt(u.mode, 8));
      return rel;
    });
    await container.putArchive(tarStream(stagingDir, files), { path: '/' });
  }
  await container.start();
  return container.id;
}

/**
 * What the provider does to a container it destroys (also the first half of a replacement): ContainerStop with
 * `destroy_grace_seconds` as the timeout (0 when unset: SIGKILL at once), then a forced ContainerRemove. Resolves with
 * how long the stop took, the exit code and the container's last log lines, read between the stop and the remove.
 */
export async function destroyAsProvider(
  engine: DockerEngine,
  id: string,
  destroyGraceSeconds: number | undefined,
): Promise<{ stopMs: number; exitCode: number; log: string }> {
  const c = engine.docker.getContainer(id);
  const started = Date.now();
  await c.stop({ t: destroyGraceSeconds ?? 0 }).catch((e: unknown) => {
    if (!hasStatus(e, 304)) throw e; // 304: already stopped
  });
  const stopMs = Date.now() - started;
  const exitCode = (await c.inspect()).State.ExitCode;
  const log = await engine.logs(id);
  await c.remove({ force: true });
  return { stopMs, exitCode, log };
}

/** Removes a container (with its anonymous volumes) and named volumes; ignores what is already gone. */
export async function removeContainer(engine: DockerEngine, id: string | undefined, volumes: readonly string[]): Promise<void> {
  if (id)
    await engine.docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  for (const v of volumes)
    await engine.docker
      .getVolume(v)
      .remove()
      .catch(() => undefined);
}
