/**
 * A real `redis-server` (Debian's package) for tests and benchmarks: its own free loopback port and temp dir,
 * started and stopped by the caller. `startGuideRedis` runs the config the local stack renders.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { LOCAL_HOST } from '../../config/local';
import { MAXMEMORY_POLICY } from '../../config/scaling';
import { localMaxmemoryMb } from '../../stacks/local-stack';
import { LocalRedisSettings, LocalRedisTlsFiles, localRedisSettings, renderRedisConf } from '../../constructs/local/redis-conf';

/** A TCP port nobody listens on right now, on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temp directory; remove it with `removeDir`. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

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
    const proc = spawn(this.binary, [this.confPath], { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
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
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
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
      proc.once('exit', () => resolve());
      proc.kill(sig);
    });
  }
}

/** A fresh password for one test run (never a literal in a test). */
export function randomPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** A redis-server running the guides' config (constructs/redis-conf.ts) on its own loopback port and temp dir. */
export interface GuideRedis {
  readonly server: RedisServer;
  readonly port: number;
  readonly dir: string;
  readonly password: string;
  readonly settings: LocalRedisSettings;
  /** Stops the server and removes its dir. */
  stop(): Promise<void>;
}

export async function startGuideRedis(prefix: string, tls?: LocalRedisTlsFiles): Promise<GuideRedis> {
  const dir = tempDir(prefix);
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
  const server = new RedisServer(renderRedisConf(settings), dir);
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
