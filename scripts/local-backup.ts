/**
 * Backup and restore of the local Redis, as guide 000 ("Backup and Recovery", Docker) describes them, through the
 * docker CLI:
 *
 *   npm run local:backup  -- [--container NAME] [--dir DIR]        → prints the snapshot directory
 *   npm run local:restore -- [--container NAME] SNAPSHOT_DIR
 *
 * Backup: BGSAVE, wait until it has finished (LASTSAVE moves, status ok) and no AOF rewrite runs, then copy
 * /data/dump.rdb and the AOF directory (/data/appendonlydir: Redis 7's multi-part AOF, base + increments + manifest)
 * out of the container into DIR/<UTC timestamp>/ (DIR default .local-backups, git-ignored).
 * Restore: stop the container (SIGTERM, its stop timeout), remove the RDB and the AOF directory from the volume (a
 * one-off container of the same image running `rm`), copy the snapshot's files in, start the container and wait for
 * its health check. With AOF on Redis loads the AOF directory, not dump.rdb: restoring dump.rdb alone (as the guide's
 * recovery steps do) would be ignored, so both are restored.
 * redis-cli runs inside the container with the container's own password (REDISCLI_AUTH) and TLS options (those of its
 * health check), so no secret passes through this program.
 * Exit codes: 0 done; 1 failed (message names the step); 2 usage.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { CONTAINER_PATHS, LOCAL_CONTAINER_NAME } from '../config/local';

const AOF_DIR = 'appendonlydir';
const RDB_FILE = 'dump.rdb';
export const DEFAULT_BACKUP_DIR = '.local-backups';

export class BackupError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BackupOptions {
  /** The Docker engine (DOCKER_HOST form, e.g. unix:///var/run/docker.sock). @default $DOCKER_HOST, else docker's default */
  readonly dockerHost?: string;
  /** How long BGSAVE, the stop and the health check after a restore may take, each. @default 120000 */
  readonly timeoutMs?: number;
}

let dockerHost: string | undefined;

function docker(args: readonly string[], timeoutMs = 120000): string {
  try {
    const env = dockerHost === undefined ? process.env : { ...process.env, DOCKER_HOST: dockerHost };
    return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, env });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BackupError(`docker ${args.join(' ')}: ${(err.stderr ?? '').trim() || err.message}`);
  }
}

interface ContainerFacts {
  readonly image: string;
  readonly volume: string;
  /** redis-cli and its TLS options, from the health check (`[CMD, cli, -e, …options, ping]`). */
  readonly cli: string[];
  readonly running: boolean;
}

function inspect(container: string): ContainerFacts {
  const json = JSON.parse(docker(['inspect', '--type', 'container', container])) as {
    Config: { Image: string; Healthcheck?: { Test?: string[] } };
    Mounts: { Type: string; Name?: string; Destination: string }[];
    State: { Running: boolean };
  }[];
  const c = json[0];
  const data = c.Mounts.find((m) => m.Destination === CONTAINER_PATHS.data && m.Type === 'volume');
  if (!data?.Name) throw new BackupError(`${container}: no named volume at ${CONTAINER_PATHS.data}`);
  const test = c.Config.Healthcheck?.Test ?? [];
  if (test[0] !== 'CMD' || test[test.length - 1] !== 'ping') {
    throw new BackupError(`${container}: its health check is not [CMD, <cli>, …, ping] (not the local stack's container?)`);
  }
  // drop -e (exit on error replies: INFO parsing below wants the reply) and the final ping
  const cli = test.slice(1, -1).filter((a) => a !== '-e');
  return { image: c.Config.Image, volume: data.Name, cli, running: c.State.Running };
}

function redisCli(container: string, facts: ContainerFacts, args: readonly string[]): string {
  return docker(['exec', container, ...facts.cli, ...args]).trim();
}

function persistence(container: string, facts: ContainerFacts): Record<string, string> {
  const text = redisCli(container, facts, ['INFO', 'persistence']);
  return Object.fromEntries(
    text
      .split(/\r?\n/)
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
  );
}

/** Snapshot into `dir/<timestamp>`; resolves with that directory. */
export async function backup(container: string, dir: string, options: BackupOptions = {}): Promise<string> {
  ({ dockerHost } = options);
  const timeoutMs = options.timeoutMs ?? 120000;
  const facts = inspect(container);
  if (!facts.running) throw new BackupError(`${container} is not running`);
  const deadline = Date.now() + timeoutMs;
  // rdb_saves (Redis ≥ 7.0) counts finished snapshots; LASTSAVE has a resolution of one second
  const savesBefore = Number(persistence(container, facts).rdb_saves);
  if (Number.isNaN(savesBefore)) throw new BackupError('INFO persistence has no rdb_saves (Redis 7 or later needed)');
  const reply = redisCli(container, facts, ['BGSAVE', 'SCHEDULE']);
  if (!/started|scheduled/i.test(reply)) throw new BackupError(`BGSAVE: ${reply}`);
  for (;;) {
    const p = persistence(container, facts);
    const idle = p.rdb_bgsave_in_progress === '0' && p.aof_rewrite_in_progress === '0' && p.aof_rewrite_scheduled === '0';
    if (idle && Number(p.rdb_saves) > savesBefore) {
      if (p.rdb_last_bgsave_status !== 'ok') throw new BackupError(`BGSAVE failed (rdb_last_bgsave_status ${p.rdb_last_bgsave_status})`);
      break;
    }
    if (Date.now() > deadline) throw new BackupError(`BGSAVE did not finish within ${timeoutMs} ms`);
    await sleep(200);
  }
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const target = path.resolve(dir, stamp);
  fs.mkdirSync(target, { recursive: true, mode: 0o700 });
  docker(['cp', `${container}:${path.posix.join(CONTAINER_PATHS.data, RDB_FILE)}`, path.join(target, RDB_FILE)]);
  docker(['cp', `${container}:${path.posix.join(CONTAINER_PATHS.data, AOF_DIR)}`, path.join(target, AOF_DIR)]);
  return target;
}

/** Replace the container's data with the snapshot in `snapshot`, restart it and wait until it is healthy. */
export async function restore(container: string, snapshot: string, options: BackupOptions = {}): Promise<void> {
  ({ dockerHost } = options);
  const timeoutMs = options.timeoutMs ?? 120000;
  const rdb = path.join(snapshot, RDB_FILE);
  const aof = path.join(snapshot, AOF_DIR);
  const missing = [rdb, aof].filter((f) => !fs.existsSync(f));
  if (missing.length)
    throw new BackupError(`${snapshot}: not a snapshot of local:backup (no ${missing.map((f) => path.basename(f)).join(', ')})`);
  if (!fs.readdirSync(aof).some((f) => f.endsWith('.manifest'))) throw new BackupError(`${aof}: no AOF manifest`);
  const facts = inspect(container);
  // SIGTERM and the container's stop timeout: Redis exits cleanly before its files are replaced
  if (facts.running) docker(['stop', container], timeoutMs);
  const data = (f: string) => path.posix.join(CONTAINER_PATHS.data, f);
  docker([
    'run',
    '--rm',
    '--entrypoint',
    'rm',
    '-v',
    `${facts.volume}:${CONTAINER_PATHS.data}`,
    facts.image,
    '-rf',
    data(AOF_DIR),
    data(RDB_FILE),
  ]);
  docker(['cp', rdb, `${container}:${data(RDB_FILE)}`]);
  docker(['cp', aof, `${container}:${data(AOF_DIR)}`]);
  docker(['start', container]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = docker(['inspect', '-f', '{{.State.Running}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', container]).trim();
    if (state === 'true healthy') return;
    if (state.startsWith('false') || state.endsWith('unhealthy') || Date.now() > deadline) {
      throw new BackupError(`${container} after the restore: ${state}; logs:\n${docker(['logs', '--tail', '30', container])}`);
    }
    await sleep(250);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const usage = 'usage: local-backup.ts backup [--container NAME] [--dir DIR] | restore [--container NAME] SNAPSHOT_DIR';
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { container: { type: 'string', default: LOCAL_CONTAINER_NAME }, dir: { type: 'string', default: DEFAULT_BACKUP_DIR } },
    });
  } catch (e) {
    process.stderr.write(`local-backup: ${(e as Error).message}\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  try {
    if (command === 'backup' && positionals.length === 0) {
      process.stdout.write(`${await backup(values.container, values.dir)}\n`);
      return 0;
    }
    if (command === 'restore' && positionals.length === 1) {
      await restore(values.container, positionals[0]);
      process.stdout.write(`local-backup: restored ${positionals[0]} into ${values.container}\n`);
      return 0;
    }
  } catch (e) {
    if (e instanceof BackupError) {
      process.stderr.write(`local-backup: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stderr.write(`${usage}\n`);
  return 2;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
