/**
 * A real `redis-server` (Debian's package) for tests and benchmarks: its own free loopback port and temp dir,
 * started and stopped by the caller, optionally held in a memory cgroup (./cgroup.ts) like the container's memory
 * limit. `startGuideRedis` runs the config the local stack renders. `connect` opens an ioredis client, the client
 * applications use.
 */
import { ChildProcess, spawn } from 'child_process';
import Redis, { RedisOptions } from 'ioredis';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LOCAL_HOST } from '../../constructs/local/defaults';
import { MAXMEMORY_POLICY } from '../../config/scaling';
import { localMaxmemoryMb } from '../../stacks/local-stack';
import { LocalRedisSettings, LocalRedisTlsFiles, localRedisSettings, renderRedisConf } from '../../constructs/local/redis-conf';
import { MemoryCgroup } from './cgroup';

import { freeLoopbackPort, removeDir, tempDir } from './process';

export { freeLoopbackPort, removeDir, tempDir };

const READY = /Ready to accept connections/;

/**
 * One redis-server process running `confPath`. `start()` resolves once the server logs that it accepts
 * connections; `kill9()` and `stop()` resolve once the process is gone. `start()` again restarts it on the same
 * config (and so the same data dir).
 */
export class RedisServer {
  private proc?: ChildProcess;
  private output = '';

  constructor(
    /** The rendered config, written to `<dir>/redis.conf`. */
    conf: string,
    /** Directory for the config file (the config's `dir` usually points here too). */
    public readonly dir: string,
    private readonly readyTimeoutMs = 10000,
    private readonly binary = 'redis-server',
    /** A memory cgroup to run the server in (its fork children stay in it too). */
    private readonly cgroup?: MemoryCgroup,
  ) {
    this.confPath = path.join(dir, 'redis.conf');
    fs.writeFileSync(this.confPath, conf, { mode: 0o600 });
  }

  public readonly confPath: string;

  /** Everything the server wrote to stdout and stderr (its log). */
  get log(): string {
    return this.output;
  }

  start(): Promise<void> {
    if (this.proc) return Promise.reject(new Error('redis-server: already running'));
    const options = { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
    const proc = this.cgroup ? this.cgroup.spawn(this.binary, [this.confPath], options) : spawn(this.binary, [this.confPath], options);
    this.proc = proc;
    const from = this.output.length; // a restart must not see the previous run's "ready"
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`redis-server not ready within ${this.readyTimeoutMs} ms:\n${this.output}`));
      }, this.readyTimeoutMs);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (READY.test(this.output.slice(from))) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.proc === proc) this.proc = undefined;
        reject(new Error(`redis-server exited (${signal ?? code}) before it was ready:\n${this.output}`));
      });
    });
  }

  /** The process id while running. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Whether the process started last is still running. */
  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGKILL: no shutdown save, no final fsync. */
  kill9(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM (a clean shutdown), or SIGKILL after `timeoutMs`. Does nothing when not running. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (!this.proc) return;
    const proc = this.proc;
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    await this.signal('SIGTERM');
    clearTimeout(timer);
  }

  private signal(sig: NodeJS.Signals): Promise<void> {
    const proc = this.proc;
    if (!proc) return Promise.resolve();
    this.proc = undefined;
    if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      proc.once('exit', () => {
        resolve();
      });
      proc.kill(sig);
    });
  }
}

/** A fresh password for one test run (never a literal in a test). */
export function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** A redis-server running the guides' config (constructs/local/redis-conf.ts) on its own loopback port and temp dir. */
export interface GuideRedis {
  readonly server: RedisServer;
  readonly port: number;
  readonly dir: string;
  readonly password: string;
  readonly settings: LocalRedisSettings;
  /** Stops the server and removes its dir. */
  stop(): Promise<void>;
}

export interface GuideRedisOptions {
  readonly tls?: LocalRedisTlsFiles;
  /** Run the server in this memory cgroup. */
  readonly cgroup?: MemoryCgroup;
}

export async function startGuideRedis(prefix: string, options: GuideRedisOptions = {}): Promise<GuideRedis> {
  const { tls, cgroup } = options;
  const dir = tempDir(`${prefix}-`);
  const port = await freeLoopbackPort();
  const password = randomPassword();
  const settings = localRedisSettings({
    bind: [LOCAL_HOST],
    port,
    dir,
    password,
    tls,
    maxmemoryMb: localMaxmemoryMb(),
    maxmemoryPolicy: MAXMEMORY_POLICY,
  });
  const server = new RedisServer(renderRedisConf(settings), dir, 10000, 'redis-server', cgroup);
  const stop = async () => {
    await server.stop();
    removeDir(dir);
  };
  try {
    await server.start();
  } catch (e) {
    await stop();
    throw e;
  }
  return { server, port, dir, password, settings, stop };
}

/** ioredis options, optionally with a redis:// or rediss:// URL that supplies where to connect. */
export type ClientTarget = RedisOptions & { readonly url?: string };

/**
 * An ioredis client that fails instead of hiding trouble: no offline queue, no retries, no reconnects, so a refused or
 * dropped connection shows up as an error on the command that met it. `connect()` it (lazyConnect), `quit()` it.
 */
export function connect(target: ClientTarget): Redis {
  const { url, ...options } = target;
  const settings: RedisOptions = {
    ...(url === undefined ? { host: LOCAL_HOST } : {}),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: () => null,
    connectTimeout: 5000,
    ...options,
  };
  // a URL as applications pass it (REDIS_URL): ioredis takes host, port, password, db and, for rediss://, TLS from it
  const client = url === undefined ? new Redis(settings) : new Redis(url, settings);
  // errors reach the caller through the command that failed
  client.on('error', () => undefined);
  return client;
}

/**
 * A connected ioredis client (options as for `connect`). When the connection fails, throws the error the server or
 * the TLS handshake gave (e.g. NOAUTH, WRONGPASS, a certificate error), not ioredis's "Connection is closed.".
 */
export async function open(options: ClientTarget): Promise<Redis> {
  const client = connect(options);
  const errors: Error[] = [];
  client.on('error', (e: Error) => errors.push(e));
  try {
    await client.connect();
  } catch (e) {
    client.disconnect();
    throw errors[0] ?? e;
  }
  return client;
}

/** Connects (`open`), runs `use`, disconnects. */
export async function withClient<T>(options: ClientTarget, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = await open(options);
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** INFO text → { field: value }. */
export function parseInfo(text: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (line.startsWith('#') || i < 0) continue;
    out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** One numeric INFO field; throws when the server does not report it. */
export function infoNumber(info: Record<string, string | undefined>, field: string): number {
  const v = info[field];
  if (v === undefined || v === '' || Number.isNaN(Number(v))) throw new Error(`INFO has no numeric ${field} (got ${JSON.stringify(v)})`);
  return Number(v);
}

/**
 * The redis.conf a synthesized local container uploads, moved to this host: the listening address, port and data dir
 * replaced, and the password expression (`${…}`) replaced by `password`. Every other line is the container's own, so
 * a test runs exactly the settings the container gets. Throws when a line to replace is not there.
 */
export function hostContainerConf(conf: string, host: { port: number; dir: string; password: string }): string {
  const replace = (text: string, pattern: RegExp, by: string) => {
    if (!pattern.test(text)) throw new Error(`container redis.conf: no line matching ${pattern.source}`);
    return text.replace(pattern, by);
  };
  let out = replace(conf, /^bind .*$/m, `bind ${LOCAL_HOST}`);
  out = replace(out, /^(port|tls-port) \d+$/m, `$1 ${host.port}`);
  out = replace(out, /^dir .*$/m, `dir "${host.dir}"`);
  out = replace(out, /^requirepass "\$\{[^}]*\}"$/m, `requirepass "${host.password}"`);
  return out;
}
