/**
 * A real Docker engine for tests: the one already answering, or a `dockerd` this helper starts (as root) and stops.
 * Talks to the Engine API over its unix socket (no npm client), as the Terraform Docker provider does.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { Readable } from 'stream';

export interface ApiResponse {
  readonly status: number;
  readonly body: string;
}

const DEFAULT_SOCKET = '/var/run/docker.sock';

function socketFromEnvironment(): string {
  const host = process.env.DOCKER_HOST;
  if (!host) return DEFAULT_SOCKET;
  if (!host.startsWith('unix://')) throw new Error(`DOCKER_HOST: a unix:// socket, got ${JSON.stringify(host)}`);
  return host.slice('unix://'.length);
}

function rawRequest(socketPath: string, method: string, urlPath: string, body?: unknown, timeoutMs = 30000): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const stream = body instanceof Readable;
    const req = http.request(
      {
        socketPath,
        method,
        path: urlPath,
        headers: stream ? { 'Content-Type': 'application/x-tar' } : body === undefined ? {} : { 'Content-Type': 'application/json' },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    if (stream) (body as Readable).pipe(req);
    else req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DockerEngine {
  private constructor(
    public readonly socketPath: string,
    /** The dockerd this helper started, if it started one. */
    private readonly daemon?: { proc: ChildProcess; root: string; logFile: string; bridge: string },
  ) {}

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
      throw new Error(`No Docker engine answers at ${existing}, and starting dockerd needs root (uid ${process.getuid?.()}).`);
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
      exited = `dockerd exited (${signal ?? code})`;
    });
    proc.once('error', (e) => {
      exited = `dockerd could not start: ${e.message}`;
    });
    const deadline = Date.now() + startTimeoutMs;
    while (!(await DockerEngine.answers(socketPath))) {
      if (exited || Date.now() > deadline) {
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
      return (await rawRequest(socketPath, 'GET', '/_ping', undefined, 2000)).status === 200;
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

  /** Engine API call; throws on an HTTP error status. `body`: JSON, or a tar stream. */
  async api(method: string, urlPath: string, body?: unknown, timeoutMs?: number): Promise<ApiResponse> {
    const res = await rawRequest(this.socketPath, method, urlPath, body, timeoutMs);
    if (res.status >= 400) throw new Error(`${method} ${urlPath}: HTTP ${res.status} ${res.body.trim()}`);
    return res;
  }

  async json<T = any>(method: string, urlPath: string, body?: unknown): Promise<T> {
    const res = await this.api(method, urlPath, body);
    return (res.body ? JSON.parse(res.body) : undefined) as T;
  }

  async imageExists(name: string): Promise<boolean> {
    return (await rawRequest(this.socketPath, 'GET', `/images/${encodeURIComponent(name)}/json`)).status === 200;
  }

  /** `docker import`: a root filesystem directory becomes image `name` (repo:tag) with Dockerfile `changes`. */
  async importImage(rootfs: string, name: string, changes: readonly string[]): Promise<void> {
    const colon = name.lastIndexOf(':');
    const query = new URLSearchParams({ fromSrc: '-', repo: name.slice(0, colon), tag: name.slice(colon + 1) });
    for (const c of changes) query.append('changes', c);
    const res = await this.api('POST', `/images/create?${query}`, tarStream(rootfs, ['.']), 120000);
    if (res.body.includes('"errorDetail"')) throw new Error(`import ${name}: ${res.body}`);
  }

  /** A container's log (stdout and stderr), for failure messages. */
  async logs(id: string): Promise<string> {
    const res = await rawRequest(this.socketPath, 'GET', `/containers/${id}/logs?stdout=1&stderr=1&tail=50`);
    // strip the 8-byte frame headers of the multiplexed stream
    return res.body.replace(/[\u0000-\u0008\u000e-\u001f]/g, '');
  }

  /** Runs `cmd` in a running container with extra `env`; resolves with its exit code. */
  async exec(id: string, cmd: readonly string[], env: readonly string[] = [], timeoutMs = 10000): Promise<number> {
    const { Id } = await this.json<{ Id: string }>('POST', `/containers/${id}/exec`, { Cmd: cmd, Env: env });
    await this.api('POST', `/exec/${Id}/start`, { Detach: true });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = await this.json<{ Running: boolean; ExitCode: number }>('GET', `/exec/${Id}/json`);
      if (!state.Running) return state.ExitCode;
      if (Date.now() > deadline) throw new Error(`exec ${cmd.join(' ')}: still running after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /** Polls the container until its health check reports `healthy`; throws when it turns unhealthy, stops or times out. */
  async waitHealthy(id: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const c = await this.json<any>('GET', `/containers/${id}/json`);
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
  return tar.stdout!;
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
  readonly createBody: Record<string, unknown>;
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

/**
 * What the Terraform Docker provider asks the engine for, for one synthesized `docker_container` (arguments as the
 * provider documents them: `memory` in MB, healthcheck durations as Go durations, `upload` copied in before the
 * start). Every `${…}` is resolved with `lookup`. Throws on an argument it does not translate, so the test cannot
 * silently run a container that differs from the JSON.
 */
export function containerPlan(container: Record<string, any>, lookup: (expression: string) => string | undefined): ContainerPlan {
  const r = (v: string) => resolveExpressions(v, lookup);
  // arguments that only steer Terraform (waiting for health, replacement triggers) change nothing in the engine
  const terraformOnly = new Set(['wait', 'wait_timeout', 'must_run', 'destroy_grace_seconds']);
  const translated = new Set([
    'name',
    'image',
    'command',
    'env',
    'ports',
    'volumes',
    'upload',
    'healthcheck',
    'restart',
    'memory',
    'memory_swap',
    'stop_signal',
    'stop_timeout',
  ]);
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
  const binds = (container.volumes ?? []).map((v: Record<string, any>) => {
    const known = new Set(['volume_name', 'container_path', 'read_only']);
    const extra = Object.keys(v).filter((k) => !known.has(k));
    if (extra.length) throw new Error(`docker_container.volumes: no translation for ${extra.join(', ')}`);
    const name = r(v.volume_name);
    volumes.push(name);
    return `${name}:${v.container_path}${v.read_only ? ':ro' : ''}`;
  });
  const hc = container.healthcheck;
  const hcExtra = Object.keys(hc ?? {}).filter((k) => !['test', 'interval', 'timeout', 'start_period', 'retries'].includes(k));
  if (hcExtra.length) throw new Error(`docker_container.healthcheck: no translation for ${hcExtra.join(', ')}`);
  const uploads = (container.upload ?? []).map((u: Record<string, any>): ContainerUploadFile => {
    if (u.executable || u.content_base64) throw new Error('docker_container.upload: no translation for executable, content_base64');
    // source_hash only makes Terraform replace the container when the file changes
    const content = u.content !== undefined ? Buffer.from(r(u.content)) : fs.readFileSync(r(u.source));
    return { file: u.file, content, mode: u.permissions ?? '0644' };
  });

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
        Memory: container.memory === undefined ? 0 : container.memory * 1024 * 1024,
        MemorySwap: container.memory_swap === undefined ? 0 : container.memory_swap * 1024 * 1024,
      },
    },
  };
}

/** Creates the plan's volumes and container, copies the uploads in and starts it; resolves with the container id. */
export async function runContainerPlan(engine: DockerEngine, plan: ContainerPlan, stagingDir: string): Promise<string> {
  for (const v of plan.volumes) await engine.json('POST', '/volumes/create', { Name: v });
  const { Id } = await engine.json<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(plan.name)}`, plan.createBody);
  if (plan.uploads.length) {
    const files = plan.uploads.map((u) => {
      const rel = u.file.replace(/^\/+/, '');
      fs.mkdirSync(path.join(stagingDir, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(stagingDir, rel), u.content);
      fs.chmodSync(path.join(stagingDir, rel), parseInt(u.mode, 8));
      return rel;
    });
    await engine.api('PUT', `/containers/${Id}/archive?path=/`, tarStream(stagingDir, files));
  }
  await engine.api('POST', `/containers/${Id}/start`);
  return Id;
}

/** Removes a container (with its anonymous volumes) and named volumes; ignores what is already gone. */
export async function removeContainer(engine: DockerEngine, id: string | undefined, volumes: readonly string[]): Promise<void> {
  if (id) await engine.api('DELETE', `/containers/${id}?force=1&v=1`).catch(() => undefined);
  for (const v of volumes) await engine.api('DELETE', `/volumes/${encodeURIComponent(v)}`).catch(() => undefined);
}
