/**
 * Backup, restore and AOF repair of the local Redis, as guide 000 ("Backup and Recovery", Docker) describes them,
 * through the docker CLI, losing nothing on the way:
 *
 *   npm run local:backup     -- [--container NAME] [--dir DIR]                → prints the snapshot directory
 *   npm run local:restore    -- [--container NAME] [--dir DIR] SNAPSHOT_DIR
 *   npm run local:repair-aof -- [--container NAME] [--dir DIR]
 *
 * Backup: DIR/<UTC time>/ is made first (an unusable DIR stops before BGSAVE runs), then BGSAVE, wait until it has
 * finished (rdb_saves moves, status ok) and no AOF rewrite runs, then copy /data/dump.rdb and the AOF directory
 * (/data/appendonlydir: Redis 7's multi-part AOF, base + increments + manifest) out of the container. A copy that fails
 * is removed. The snapshot is private (0700 / 0600): it holds the data.
 *
 * Restore, in an order that keeps the live data whatever happens:
 * 1. the snapshot is checked with the engine's own checkers inside the container's image (redis-check-rdb on
 *    dump.rdb, redis-check-aof on the AOF manifest, as the image's root in a one-off container without network); a
 *    damaged snapshot, or one from a newer server, is refused with the checker's words and nothing is touched;
 * 2. the container is stopped (SIGTERM: Redis saves);
 * 3. in a one-off container, the live files move aside within the volume (/data/.pre-restore) and the snapshot's are
 *    copied in, owned by the container's user; the moved-aside files are copied out to DIR/<UTC time>-before-restore,
 *    a snapshot `local:restore` takes back;
 * 4. the container starts; once healthy, the moved-aside files are removed from the volume (their copy stays in DIR).
 *    If it is not healthy in time, or restarts, the restore is rolled back: the live files move back, the container
 *    starts again, and the message says so with the server's last log lines.
 *
 * Repair of a damaged AOF (the server stops with "Bad file format reading the append only file"): the container is
 * stopped, the damaged files are copied out to DIR/<UTC time>-damaged-aof (kept), redis-check-aof reports what it
 * finds, `redis-check-aof --fix` truncates the last AOF file at the last valid command (the writes after the damage
 * are lost; the message says how many bytes), and the container starts and must turn healthy. A damage it cannot fix
 * (in the RDB base or in an earlier file) is reported with what to restore instead.
 *
 * redis-cli runs inside the container with the container's own password (REDISCLI_AUTH) and TLS options (those of its
 * health check), so no secret passes through this program.
 * Exit codes: 0 done; 1 failed (the message names the step; the live data is untouched or rolled back); 2 usage, or a
 * path that cannot serve (--dir a file, below a file or under /proc; a snapshot directory that is not one).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { CONTAINER_PATHS, REDIS_USER } from '../constructs/local/defaults';
import { LOCAL_CONTAINER_NAME } from '../config/local';
import { describe } from '../constructs/validation';
import { UnusablePath, ensureDirectory, errnoMeaning, isErrno, statOrUndefined } from '../stacks/paths';

const AOF_DIR = 'appendonlydir';
const RDB_FILE = 'dump.rdb';
/** Where the live files wait inside the volume while a restore runs. */
const ASIDE = '.pre-restore';
export const DEFAULT_BACKUP_DIR = '.local-backups';

export class BackupError extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface BackupOptions {
  /** The Docker engine (DOCKER_HOST form, e.g. unix:///var/run/docker.sock). @default $DOCKER_HOST, else docker's default */
  readonly dockerHost?: string;
  /** How long BGSAVE, the stop and the health check after a restore or repair may take, each. @default 120000 */
  readonly timeoutMs?: number;
  /** How long the restored (or repaired) server may take to become healthy. @default timeoutMs */
  readonly healthTimeoutMs?: number;
  /** Where the safety copies of restore and repair go. @default .local-backups */
  readonly dir?: string;
}

export interface RestoreResult {
  /** The live data of before, kept as a snapshot (restore it with local:restore). */
  readonly safetyCopy: string;
}

export interface RepairResult {
  /** The damaged files, kept as they were. */
  readonly damagedCopy: string;
  /** What redis-check-aof printed: first the check, then the fix. */
  readonly checkerOutput: string;
  /** Bytes the fix cut from the end of the damaged file (the writes after the damage). */
  readonly bytesDiscarded: number;
}

let dockerHost: string | undefined;

function docker(args: readonly string[], timeoutMs = 120000, input?: string): string {
  try {
    const env = dockerHost === undefined ? process.env : { ...process.env, DOCKER_HOST: dockerHost };
    return execFileSync('docker', args, {
      encoding: 'utf8',
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      env,
      input,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new BackupError(`docker ${args.join(' ')}: ${(err.stderr ?? '').trim() || err.message}`);
  }
}

interface ContainerFacts {
  /** The image the container runs (its id), and its name for messages. */
  readonly image: string;
  readonly imageName: string;
  readonly volume: string;
  /** redis-cli and its TLS options, from the health check (`[CMD, cli, -e, …options, ping]`). */
  readonly cli: string[];
  /** The engine's checkers in the image: redis-check-aof / redis-check-rdb (valkey-check-… for Valkey). */
  readonly checkAof: string;
  readonly checkRdb: string;
  /** `uid:gid` the server's files belong to (constructs/local/defaults.ts REDIS_USER). */
  readonly owner: string;
  readonly running: boolean;
}

function inspect(container: string): ContainerFacts {
  const json = JSON.parse(docker(['inspect', '--type', 'container', container])) as {
    Config: { Image: string; User?: string; Healthcheck?: { Test?: string[] } };
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
  const engine = cli[0].replace(/-cli$/, '');
  const owner = `${REDIS_USER.uid}:${REDIS_USER.gid}`;
  let imageName = c.Config.Image;
  try {
    const tags = JSON.parse(docker(['image', 'inspect', '--format', '{{json .RepoTags}}', c.Config.Image])) as string[] | null;
    imageName = tags?.[0] ?? imageName;
  } catch (e) {
    imageName = `${imageName} (${(e as Error).message})`;
  }
  return {
    image: c.Config.Image,
    imageName,
    volume: data.Name,
    cli,
    checkAof: `${engine}-check-aof`,
    checkRdb: `${engine}-check-rdb`,
    owner,
    running: c.State.Running,
  };
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

/** `<dir>/<UTC time><suffix>`, made now (mode 0700), never an existing one. */
function newSnapshotDir(option: string, dir: string, suffix = ''): string {
  ensureDirectory(option, dir, 0o700);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  for (let n = 1; ; n++) {
    const target = path.resolve(dir, `${stamp}${suffix}${n > 1 ? `-${n}` : ''}`);
    try {
      fs.mkdirSync(target, { mode: 0o700 });
      return target;
    } catch (e) {
      if (isErrno(e) && e.code === 'EEXIST') continue;
      throw new UnusablePath(`${option} ${describe(dir)}: cannot create ${describe(target)}: ${errnoMeaning(e)}`);
    }
  }
}

/** Only the owner reads a copy of the data. */
function makePrivate(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) makePrivate(p);
    fs.chmodSync(p, entry.isDirectory() ? 0o700 : 0o600);
  }
  fs.chmodSync(dir, 0o700);
}

/**
 * A one-off container of the image as root, without network, the data volume at /data and, when given, `copyIn`
 * (a host directory) at /restore; runs `script` with sh and resolves with its output and exit code. `keep`: it is
 * left (stopped) for `docker cp` from its volume; remove it with `docker rm`.
 */
export function helperContainer(
  facts: { image: string; volume: string },
  script: string,
  opts: { copyIn?: string; input?: string; timeoutMs?: number; dockerHost?: string } = {},
): { output: string; code: number; id: string } {
  if (opts.dockerHost !== undefined) ({ dockerHost } = opts);
  const id = docker([
    'create',
    '--user',
    '0:0',
    '--network',
    'none',
    '--entrypoint',
    'sh',
    ...(opts.input === undefined ? [] : ['--interactive']),
    '-v',
    `${facts.volume}:${CONTAINER_PATHS.data}`,
    facts.image,
    '-c',
    script,
  ]).trim();
  if (opts.copyIn) docker(['cp', `${opts.copyIn}/.`, `${id}:/restore`]);
  try {
    const output = docker(['start', '--attach', ...(opts.input === undefined ? [] : ['--interactive']), id], opts.timeoutMs, opts.input);
    return { output, code: 0, id };
  } catch (e) {
    const code = Number(docker(['inspect', '-f', '{{.State.ExitCode}}', id]).trim());
    const logs = docker(['logs', id]);
    if (!Number.isInteger(code) || code === 0) throw e;
    return { output: logs, code, id };
  }
}

const removeContainer = (id: string) => {
  try {
    docker(['rm', '-f', id]);
  } catch {
    // already gone
  }
};

/** Runs a helper and removes it. */
function helper(facts: ContainerFacts, script: string, opts: { copyIn?: string; input?: string } = {}): { output: string; code: number } {
  const r = helperContainer(facts, script, opts);
  removeContainer(r.id);
  return r;
}

/** sh single-quoting. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Snapshot into `dir/<timestamp>`; resolves with that directory. */
export async function backup(container: string, dir: string, options: BackupOptions = {}): Promise<string> {
  ({ dockerHost } = options);
  const timeoutMs = options.timeoutMs ?? 120000;
  // the target first: a --dir that cannot hold it stops here, before BGSAVE
  const target = newSnapshotDir('--dir', dir);
  try {
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
    docker(['cp', `${container}:${path.posix.join(CONTAINER_PATHS.data, RDB_FILE)}`, path.join(target, RDB_FILE)]);
    docker(['cp', `${container}:${path.posix.join(CONTAINER_PATHS.data, AOF_DIR)}`, path.join(target, AOF_DIR)]);
    makePrivate(target);
    return target;
  } catch (e) {
    fs.rmSync(target, { recursive: true, force: true }); // nothing half-written
    throw e;
  }
}

/**
 * What `snapshot` holds, or an UnusablePath when it is not a snapshot of local:backup: a directory with a regular
 * dump.rdb and an appendonlydir of regular files with one manifest, and no symbolic link anywhere (a link would
 * carry a file from outside the directory named into the volume).
 */
function snapshotManifest(snapshot: string): string {
  const not = (why: string) => new UnusablePath(`${describe(snapshot)}: not a snapshot of local:backup (${why})`);
  const stat = statOrUndefined(snapshot);
  if (!stat?.isDirectory()) throw not(stat ? 'a file, not a directory' : 'it does not exist');
  const entry = (p: string) => {
    try {
      return fs.lstatSync(p);
    } catch {
      return undefined;
    }
  };
  const rdb = entry(path.join(snapshot, RDB_FILE));
  const aof = entry(path.join(snapshot, AOF_DIR));
  const missing = [rdb ? '' : RDB_FILE, aof ? '' : AOF_DIR].filter(Boolean);
  if (missing.length) throw not(`no ${missing.join(', ')}`);
  if (!rdb?.isFile()) throw not(`${RDB_FILE} is not a regular file`);
  if (!aof?.isDirectory()) throw not(`${AOF_DIR} is not a directory`);
  const files = fs.readdirSync(path.join(snapshot, AOF_DIR), { withFileTypes: true });
  const odd = files.filter((f) => !f.isFile()).map((f) => f.name);
  if (odd.length)
    throw not(
      `${AOF_DIR} holds ${odd.map((n) => describe(n)).join(', ')}, which ${odd.length > 1 ? 'are not regular files' : 'is not a regular file'}`,
    );
  const manifests = files.filter((f) => f.name.endsWith('.manifest')).map((f) => f.name);
  if (manifests.length !== 1) throw not(`${AOF_DIR} holds ${manifests.length} manifests, not one`);
  return manifests[0];
}

/** The server's state after a (re)start: healthy, or why not; gives up at the deadline or at the first restart. */
async function waitHealthy(container: string, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  const restarts = () => Number(docker(['inspect', '-f', '{{.RestartCount}}', container]).trim());
  const before = restarts();
  for (;;) {
    const state = docker(['inspect', '-f', '{{.State.Running}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', container]).trim();
    if (state === 'true healthy') return undefined;
    if (state.startsWith('false')) return `it stopped (${state})`;
    if (state.endsWith('unhealthy')) return 'its health check failed';
    if (restarts() > before) return 'it exited and was restarted';
    if (Date.now() > deadline) return `it was not healthy within ${timeoutMs} ms`;
    await sleep(250);
  }
}

const logTail = (container: string) =>
  docker(['logs', '--tail', '15', container])
    .trimEnd()
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');

/**
 * Replaces the container's data with the snapshot, keeping the live data as a snapshot in `options.dir`; rolls back
 * when the restored server does not come up healthy. See the header for the steps.
 */
export async function restore(container: string, snapshot: string, options: BackupOptions = {}): Promise<RestoreResult> {
  ({ dockerHost } = options);
  const timeoutMs = options.timeoutMs ?? 120000;
  const healthTimeoutMs = options.healthTimeoutMs ?? timeoutMs;
  const manifest = snapshotManifest(snapshot);
  const facts = inspect(container);

  // 1. the engine's own checkers, in the container's image, on a copy of the snapshot
  const check = helper(facts, `${facts.checkRdb} /restore/${RDB_FILE} && ${facts.checkAof} ${q(`/restore/${AOF_DIR}/${manifest}`)}`, {
    copyIn: snapshot,
  });
  if (check.code !== 0) {
    throw new BackupError(
      `${snapshot} is damaged or not readable by ${facts.imageName} (${facts.checkRdb} / ${facts.checkAof} exit ${check.code}); ` +
        `nothing was changed, ${container} keeps its data. The checker's last lines:\n${tail(check.output)}`,
    );
  }
  const safetyDir = newSnapshotDir('--dir', options.dir ?? DEFAULT_BACKUP_DIR, '-before-restore');

  // 2. stop (SIGTERM and the container's stop timeout: Redis exits cleanly before its files move)
  if (facts.running) docker(['stop', container], timeoutMs);

  // 3. live files aside (in the volume; a marker for a file that was not there), the snapshot in, owned by the
  // server's user
  const data = CONTAINER_PATHS.data;
  const files = `${RDB_FILE} ${AOF_DIR}`;
  const swapScript = [
    'set -e',
    `rm -rf ${data}/${ASIDE}`,
    `mkdir ${data}/${ASIDE}`,
    `for f in ${files}; do if [ -e ${data}/$f ]; then mv ${data}/$f ${data}/${ASIDE}/; else : > ${data}/${ASIDE}/.absent-$f; fi; done`,
    `cp -R /restore/${RDB_FILE} /restore/${AOF_DIR} ${data}/`,
    `chown -R ${facts.owner} ${data}/${RDB_FILE} ${data}/${AOF_DIR}`,
  ].join('\n');
  // only a file set aside replaces what is there (a file that was absent goes again): the live data always survives
  const rollBackScript = [
    `if [ -d ${data}/${ASIDE} ]; then`,
    `  for f in ${files}; do if [ -e ${data}/${ASIDE}/$f ]; then rm -rf ${data}/$f && mv ${data}/${ASIDE}/$f ${data}/; elif [ -e ${data}/${ASIDE}/.absent-$f ]; then rm -rf ${data}/$f; fi; done`,
    `  rm -rf ${data}/${ASIDE}`,
    'fi',
  ].join('\n');
  const rollBack = async (why: string): Promise<never> => {
    const undone = helper(facts, rollBackScript);
    docker(['start', container]);
    const after = undone.code === 0 ? await waitHealthy(container, timeoutMs) : `the roll-back failed:\n${tail(undone.output)}`;
    throw new BackupError(
      `${why}\nRolled back: ${container} ${after === undefined ? 'runs, healthy, on its data of before' : `has its data of before again, but is not healthy: ${after}`} (also kept in ${safetyDir}).`,
    );
  };

  let failure: string | undefined;
  let swapId: string | undefined;
  try {
    const swap = helperContainer(facts, swapScript, { copyIn: snapshot });
    swapId = swap.id;
    if (swap.code !== 0) failure = `restoring ${snapshot} failed while the files were swapped:\n${tail(swap.output)}`;
    else {
      // the live data of before, as a snapshot local:restore takes back
      docker(['cp', `${swap.id}:${data}/${ASIDE}/.`, safetyDir]);
      for (const f of fs.readdirSync(safetyDir)) if (f.startsWith('.absent-')) fs.rmSync(path.join(safetyDir, f));
      makePrivate(safetyDir);
    }
  } catch (e) {
    failure = `restoring ${snapshot} failed before the server started: ${(e as Error).message}`;
  } finally {
    if (swapId !== undefined) removeContainer(swapId);
  }
  if (failure !== undefined) return rollBack(failure);

  // 4. start; healthy: the files set aside go (their copy stays); not healthy: roll back
  docker(['start', container]);
  const why = await waitHealthy(container, healthTimeoutMs);
  if (why !== undefined) {
    const logs = logTail(container);
    docker(['stop', container], timeoutMs);
    return rollBack(`${container} did not come up healthy on the snapshot ${snapshot}: ${why}. Its last log lines:\n${logs}`);
  }
  helper(facts, `rm -rf ${data}/${ASIDE}`);
  return { safetyCopy: safetyDir };
}

/** The last lines of a tool's output, indented. */
function tail(text: string, lines = 12): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((l) => `  | ${l}`)
    .join('\n');
}

/** Repairs a damaged AOF in the container's volume; see the header. */
export async function repairAof(container: string, options: BackupOptions = {}): Promise<RepairResult> {
  ({ dockerHost } = options);
  const timeoutMs = options.timeoutMs ?? 120000;
  const facts = inspect(container);
  const damagedDir = newSnapshotDir('--dir', options.dir ?? DEFAULT_BACKUP_DIR, '-damaged-aof');
  const data = CONTAINER_PATHS.data;
  docker(['stop', container], timeoutMs);

  // keep the damaged files as they are
  const copy = helperContainer(facts, `ls ${data}/${AOF_DIR}/*.manifest`);
  try {
    if (copy.code !== 0) throw new BackupError(`${container}: no AOF manifest in ${data}/${AOF_DIR} of ${facts.volume}; nothing to repair`);
    docker(['cp', `${copy.id}:${data}/${AOF_DIR}`, path.join(damagedDir, AOF_DIR)]);
    try {
      docker(['cp', `${copy.id}:${data}/${RDB_FILE}`, path.join(damagedDir, RDB_FILE)]);
    } catch {
      // no dump.rdb yet: the AOF is the data
    }
    makePrivate(damagedDir);
  } catch (e) {
    docker(['start', container]);
    throw e;
  } finally {
    removeContainer(copy.id);
  }
  const manifest = copy.output.trim().split('\n')[0];

  // what the checker finds, then the fix (it asks before truncating: answer y), owned by the server's user again
  const checked = helper(facts, `${facts.checkAof} ${q(manifest)}`);
  if (checked.code === 0) {
    docker(['start', container]);
    const why = await waitHealthy(container, options.healthTimeoutMs ?? timeoutMs);
    throw new BackupError(
      `${facts.checkAof} finds the AOF valid; nothing was changed (the damaged-looking files are kept in ${damagedDir}). ` +
        `${why === undefined ? `${container} is healthy.` : `${container} is still not healthy (${why}): restore a backup with npm run local:restore -- <snapshot>. Its last log lines:\n${logTail(container)}`}\n${tail(checked.output)}`,
    );
  }
  const chown = ` && chown -R ${facts.owner} ${data}/${AOF_DIR}`;
  const fixed = helper(facts, `${facts.checkAof} --fix ${q(manifest)}${chown}`, { input: 'y\n' });
  const checkerOutput = `${checked.output.trimEnd()}\n${fixed.output.trimEnd()}`;
  if (fixed.code !== 0 || !/Successfully truncated AOF/.test(fixed.output)) {
    docker(['start', container]);
    throw new BackupError(
      `${facts.checkAof} --fix could not repair the AOF (exit ${fixed.code}): the damage is not at the end of the last AOF file ` +
        `(in the RDB base or an earlier file). Restore a backup: npm run local:restore -- <snapshot>. The damaged files are kept in ${damagedDir}. The checker said:\n${tail(checkerOutput, 16)}`,
    );
  }
  // one "AOF analyzed: filename=…, size=…, ok_up_to=…, ok_up_to_line=…, diff=…" per file; the damaged one has a diff
  const diffs = [...checked.output.matchAll(/AOF analyzed: filename=\S+, size=\d+, ok_up_to=\d+, ok_up_to_line=\d+, diff=(\d+)/g)].map(
    (m) => Number(m[1]),
  );
  const bytesDiscarded = diffs.length ? Math.max(...diffs) : NaN;
  docker(['start', container]);
  const why = await waitHealthy(container, options.healthTimeoutMs ?? timeoutMs);
  if (why !== undefined) {
    throw new BackupError(
      `the AOF was truncated, but ${container} did not come up healthy: ${why}. Restore a backup (npm run local:restore -- <snapshot>); ` +
        `the damaged files are kept in ${damagedDir}. Its last log lines:\n${logTail(container)}`,
    );
  }
  return { damagedCopy: damagedDir, checkerOutput, bytesDiscarded };
}

const USAGE =
  'usage: npm run local:backup -- [--container NAME] [--dir DIR]\n' +
  '       npm run local:restore -- [--container NAME] [--dir DIR] SNAPSHOT_DIR\n' +
  '       npm run local:repair-aof -- [--container NAME] [--dir DIR]';

const stdio = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };

export async function main(argv: string[], write: { out: (t: string) => void; err: (t: string) => void } = stdio): Promise<number> {
  const [command, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        container: { type: 'string', default: LOCAL_CONTAINER_NAME },
        dir: { type: 'string', default: DEFAULT_BACKUP_DIR },
        help: { type: 'boolean' },
      },
    });
  } catch (e) {
    write.err(`local-backup: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    write.out(`${USAGE}\n`);
    return 0;
  }
  const usage = (why: string) => {
    write.err(`local-backup: ${why}\n${USAGE}\n`);
    return 2;
  };
  if (values.dir === '') return usage('--dir: a directory, got ""');
  try {
    if (command === 'backup') {
      if (positionals.length) return usage(`unexpected argument ${describe(positionals[0])}`);
      write.out(`${await backup(values.container, values.dir)}\n`);
      return 0;
    }
    if (command === 'restore') {
      if (positionals.length !== 1) return usage('restore takes one snapshot directory');
      const r = await restore(values.container, positionals[0], { dir: values.dir });
      write.out(`local-backup: restored ${positionals[0]} into ${values.container}; its data of before is kept in ${r.safetyCopy}\n`);
      return 0;
    }
    if (command === 'repair-aof') {
      if (positionals.length) return usage(`unexpected argument ${describe(positionals[0])}`);
      const r = await repairAof(values.container, { dir: values.dir });
      write.out(
        `${r.checkerOutput}\nlocal-backup: repaired the AOF of ${values.container}: ${r.bytesDiscarded} bytes after the damage were cut ` +
          `(the writes in them are lost); the damaged files are kept in ${r.damagedCopy}; ${values.container} is healthy\n`,
      );
      return 0;
    }
    return usage(`unknown command ${describe(command)}`);
  } catch (e) {
    if (e instanceof UnusablePath) {
      write.err(`local-backup: ${e.message}\n`);
      return 2;
    }
    if (e instanceof BackupError) {
      write.err(`local-backup: ${e.message}\n`);
      return 1;
    }
    if (isErrno(e)) {
      write.err(`local-backup: ${e.path === undefined ? '' : `${describe(e.path)}: `}${errnoMeaning(e)}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
