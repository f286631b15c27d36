/**
 * `npm run deploy:local` / `npm run destroy:local`: the `local` stack deployed (or destroyed) for real by the engine
 * with the mirror's Docker and random providers, against the Docker engine at DOCKER_HOST (default
 * unix:///var/run/docker.sock). The Docker provider waits for the container's health check (`wait = true`).
 *
 * The engine runs in a working directory of its own under the tools cache (one per clone), never in cdktf.out: the
 * mirror override and a lock file of the mirror's versions must not stay next to the synthesized JSON, where a later
 * `cdktf deploy local` with registry access would pick them up (cdktf synth keeps extra files in a stack directory).
 * The state is the one the synthesized backend names (the project root's terraform.local.tfstate), with its relative
 * path resolved from cdktf.out/stacks/local, so `cdktf`, `npm run local:env` and this script share it.
 *
 *   npm run deploy:local  -- [--no-synth] [--outdir cdktf.out] [--image-from-host] [--replace-orphan] [-- ENGINE_ARGS]
 *   npm run destroy:local -- [--no-synth] [--outdir cdktf.out] [--env-file .env]
 *   npm run local:output  -- [NAME]              the outputs, sensitive ones too (redis_password, redis_url)
 *
 * Before the engine touches anything, a deploy checks:
 * - an orphan: a container with the stack's name that the state does not know (an interrupted deploy created it and
 *   never recorded it; every later apply would fail on the name). The message says what to run; --replace-orphan
 *   stops it (SIGTERM: Redis saves) and removes it, and the deploy goes on. Its volume is kept and adopted.
 * - the port: the stack's port on 127.0.0.1 must be free, or published by the stack's own container; otherwise the
 *   deploy stops before the running container is replaced.
 * While the engine waits for the container's health, a container that exits is reported at once with its last log
 * lines; after a failure they are printed again, with the repair to run for a damaged AOF.
 *
 * Secrets: the engine runs with umask 077 and the state, its .backup and .env are made 0600; the password (chosen
 * or generated) is replaced by "(redacted)" in everything printed; a destroy removes the .backup (the state before the
 * destroy, password included) and the REDIS_* lines `npm run local:env` wrote into .env.
 *
 * --image-from-host: when the engine lacks it, build the image from the host's redis-server (machines that reach no
 * image registry, like CI): `isl-cache-redis-from-host:<the host's version>`; the synth then sets LOCAL_REDIS_IMAGE
 * to that name, so the stack names the image it runs.
 * Exit codes: 0 done; 1 the engine failed or a check refused (the message names it); 2 usage, or no tools or Docker engine.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { LOCAL_ENV, PASSWORD_ENV } from '../../config/local';
import { DockerEngine, dockerSocket, hostImageName, importRedisImageFromHost } from '../lib/docker';
import { ClusterAccess, waitForCluster } from '../lib/redis-cluster';
import { removeOwnedEnv } from '../local-env';
import {
  describePins,
  engine,
  engineEnv,
  prepareWorkDir,
  readStacks,
  REPO_ROOT,
  requireTools,
  run,
  synthInto,
  SynthStack,
  Tools,
} from './tools';

export const LOCAL_STACK = 'local';

/** The working directory of the local stack for this clone: <cache>/work/<hash of the repo path>/local. */
export function localWorkDir(tools: Tools): string {
  const key = crypto.createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12);
  return path.join(tools.cacheDir, 'work', key, LOCAL_STACK);
}

/** The state path the synthesized local backend names, resolved from the stack's directory (else none). */
export function backendStatePath(stack: SynthStack): string | undefined {
  const local = (stack.json.terraform?.backend as { local?: { path?: string } } | undefined)?.local;
  return local ? path.resolve(stack.dir, local.path ?? 'terraform.tfstate') : undefined;
}

/** The image the stack's docker_image resource names (e.g. redis:7.2). */
export function stackImage(stack: SynthStack): string {
  const images = Object.values(stack.json.resource?.docker_image ?? {});
  if (images.length !== 1) throw new Error(`${stack.name}: expected one docker_image, found ${images.length}`);
  return String(images[0].name);
}

/** A container of the stack: its name, the ports it publishes, its command, whether it is a server with a health check. */
export interface StackContainer {
  readonly name: string;
  readonly ports: readonly { readonly external: number; readonly ip: string }[];
  readonly command: readonly string[];
  /** A long-running server with a health check (not a one-off step such as the cluster's `create`). */
  readonly server: boolean;
}

/** Every container of the stack (the single Redis and, with LOCAL_REDIS_CLUSTER=1, the cluster's nodes and step). */
export function stackContainers(stack: SynthStack): StackContainer[] {
  return Object.values(stack.json.resource?.docker_container ?? {}).map((body) => {
    const c = body as { name: string; ports?: { external: number; ip?: string }[]; command?: string[]; healthcheck?: unknown };
    return {
      name: c.name,
      ports: (c.ports ?? []).map((p) => ({ external: p.external, ip: p.ip ?? '127.0.0.1' })),
      command: c.command ?? [],
      server: c.healthcheck !== undefined,
    };
  });
}

export interface Output {
  readonly value: unknown;
  readonly sensitive: boolean;
}

export interface LocalDeployResult {
  readonly ok: boolean;
  /** "docker 4.6.1-dev.20260916 for 3.6.2, random …" */
  readonly providers: string;
  /** The engine's combined output of init and apply/destroy (secrets redacted), and what the checks found. */
  readonly output: string;
  readonly outputs?: Readonly<Record<string, Output>>;
  readonly ms: number;
  readonly workDir: string;
  /** With the local Redis Cluster: how long after the apply every node served and every replica had synced. */
  readonly clusterReadyMs?: number;
}

/** Where and how to reach the local Redis Cluster, from the stack's outputs. */
export function clusterAccess(outputs: Readonly<Record<string, Output>>): ClusterAccess {
  return {
    nodes: String(outputs.redis_cluster_nodes.value).split(','),
    password: String(outputs.redis_password.value),
    caCertFile: outputs.redis_tls.value === true ? String(outputs.redis_ca_cert.value) : undefined,
  };
}

export interface LocalDeployOptions {
  /** @default cdktf.out in the project root */
  readonly outdir?: string;
  /** Synthesize into outdir first. @default true */
  readonly synth?: boolean;
  /** Environment of that synth (LOCAL_REDIS_PORT, LOCAL_REDIS_TLS, …). @default none */
  readonly synthEnv?: NodeJS.ProcessEnv;
  /** Build the image from the host's Redis binaries when the engine lacks it. @default false */
  readonly imageFromHost?: boolean;
  /** Stop and remove an orphan container (one the state does not know) before applying. @default false */
  readonly replaceOrphan?: boolean;
  /** @default the tools scripts/setup.sh installed */
  readonly tools?: Tools;
  /** @default per clone under the tools cache (localWorkDir) */
  readonly workDir?: string;
  /** @default the state the synthesized local backend names */
  readonly statePath?: string;
  /** The .env file kept 0600, whose REDIS_* lines a destroy removes. @default .env in the project root */
  readonly envFile?: string;
  /** Extra engine arguments for apply/destroy, e.g. `-replace=docker_container.…`. @default none */
  readonly engineArgs?: readonly string[];
  /** The Docker engine, in DOCKER_HOST form. @default $DOCKER_HOST, else unix:///var/run/docker.sock */
  readonly dockerHost?: string;
  /** Stops the engine (SIGKILL, as a power cut would), e.g. to leave an interrupted deploy behind. @default none */
  readonly signal?: AbortSignal;
  /** Where progress goes while the engine runs (a container that exits while it waits). @default process.stderr */
  readonly progress?: (line: string) => void;
}

/** A check that refuses to deploy: nothing was touched. */
export class DeployRefused extends Error {}

interface Prepared {
  readonly tools: Tools;
  readonly stack: SynthStack;
  readonly workDir: string;
  readonly providers: string;
  readonly docker: DockerEngine;
  readonly statePath?: string;
}

async function prepare(opts: LocalDeployOptions): Promise<Prepared> {
  const tools = opts.tools ?? requireTools(['engine', 'docker', 'random']);
  const outdir = opts.outdir ?? path.join(REPO_ROOT, 'cdktf.out');
  const hostImage = opts.imageFromHost ? hostImageName() : undefined;
  if (opts.synth !== false) await synthInto(outdir, { ...opts.synthEnv, ...(hostImage ? { [LOCAL_ENV.image]: hostImage } : {}) });
  const stack = readStacks(outdir).find((s) => s.name === LOCAL_STACK);
  if (!stack) throw new Error(`no stack "${LOCAL_STACK}" in ${outdir}/stacks`);
  if (hostImage) {
    const server = stackContainers(stack).find((c) => c.server && c.command[0] !== 'redis-server')?.command[0];
    if (server !== undefined) {
      throw new DeployRefused(
        `--image-from-host builds Redis from the host's redis-server; the stack runs ${server} (${LOCAL_ENV.engine}): it needs its own image from a registry`,
      );
    }
    if (stackImage(stack) !== hostImage) {
      throw new DeployRefused(
        `--image-from-host builds ${hostImage} (the host's Redis), but ${outdir} was synthesized for ${stackImage(stack)}: ` +
          `synthesize again (drop --no-synth) or with ${LOCAL_ENV.image}=${hostImage}`,
      );
    }
  }
  const docker = await DockerEngine.attach(dockerSocket({ DOCKER_HOST: opts.dockerHost ?? process.env.DOCKER_HOST }));
  const workDir = opts.workDir ?? localWorkDir(tools);
  for (const f of fs.existsSync(workDir) ? fs.readdirSync(workDir) : []) {
    if (f.endsWith('.tf.json')) fs.rmSync(path.join(workDir, f)); // a stale copy of an older synth
  }
  const statePath = opts.statePath ?? backendStatePath(stack);
  const backend = statePath ? { 'zz_backend_override.tf.json': { terraform: { backend: { local: { path: statePath } } } } } : {};
  const subs = prepareWorkDir(stack, workDir, backend);
  return { tools, stack, workDir, providers: describePins(subs), docker, statePath };
}

// ---------------------------------------------------------------------------------------------------------------
// State and secrets

interface StateResource {
  readonly type: string;
  readonly instances?: { readonly attributes?: Record<string, unknown> }[];
}

/** The state file as JSON, or undefined when there is none (or it is empty). */
function readState(
  statePath: string | undefined,
): { resources?: StateResource[]; outputs?: Partial<Record<string, { value?: unknown }>> } | undefined {
  if (!statePath || !fs.existsSync(statePath)) return undefined;
  const text = fs.readFileSync(statePath, 'utf8');
  return text.trim() ? (JSON.parse(text) as ReturnType<typeof readState>) : undefined;
}

/** Ids of the containers the state records. */
function stateContainerIds(statePath: string | undefined): string[] {
  return (readState(statePath)?.resources ?? [])
    .filter((r) => r.type === 'docker_container')
    .flatMap((r) => r.instances ?? [])
    .map((i) => i.attributes?.id)
    .filter((id): id is string => typeof id === 'string' && id !== '');
}

/** The password values a run could print: the chosen one and the ones the state holds (generated, in effect). */
function secretsOf(statePath: string | undefined): string[] {
  const state = readState(statePath);
  const fromState = [
    state?.outputs?.redis_password?.value,
    ...(state?.resources ?? [])
      .filter((r) => r.type === 'random_password')
      .flatMap((r) => (r.instances ?? []).map((i) => i.attributes?.result)),
  ];
  return [process.env[PASSWORD_ENV], ...fromState].filter((v): v is string => typeof v === 'string' && v.length >= 8);
}

/** `text` with every secret replaced. */
export function redact(text: string, secrets: readonly string[]): string {
  return [...new Set(secrets)].sort((a, b) => b.length - a.length).reduce((t, s) => t.split(s).join('(redacted)'), text);
}

/** The state, its .backup and the .env file: only their owner may read them (they hold the password). */
function tightenModes(files: readonly (string | undefined)[]): void {
  for (const f of files) if (f && fs.existsSync(f) && (fs.statSync(f).mode & 0o077) !== 0) fs.chmodSync(f, 0o600);
}

const stateFiles = (statePath: string | undefined) => (statePath ? [statePath, `${statePath}.backup`] : []);

// ---------------------------------------------------------------------------------------------------------------
// Checks before the engine touches anything

/** Whether something listens on ip:port (a bind fails with EADDRINUSE); undefined when it cannot be told. */
function portInUse(ip: string, port: number): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => {
      resolve(e.code === 'EADDRINUSE' ? true : undefined);
    });
    srv.listen({ host: ip, port, exclusive: true }, () => {
      srv.close(() => {
        resolve(false);
      });
    });
  });
}

async function containerByName(docker: DockerEngine, name: string) {
  try {
    return await docker.docker.getContainer(name).inspect();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

/** Orphans (containers with the stack's names the state does not know) are stopped and removed, or refused. */
async function checkOrphans(p: Prepared, opts: LocalDeployOptions, note: (l: string) => void): Promise<void> {
  const known = stateContainerIds(p.statePath);
  for (const { name } of stackContainers(p.stack)) {
    const c = await containerByName(p.docker, name);
    if (!c || known.includes(c.Id)) continue;
    const volume = c.Mounts.find((m) => m.Type === 'volume')?.Name;
    const what =
      `a container ${name} (id ${c.Id.slice(0, 12)}, created ${c.Created}, ${c.State.Status}) exists that the state ` +
      `${p.statePath ?? '(none)'} does not know: an interrupted deploy created it and never recorded it`;
    if (!opts.replaceOrphan) {
      throw new DeployRefused(
        `${what}. The engine would fail on its name. Its data${volume ? ` is in the volume ${volume}, which` : ''} stays. ` +
          `Replace it: npm run deploy:local -- --replace-orphan (stops it with SIGTERM, so Redis saves, then removes it), ` +
          `or by hand: docker stop ${name} && docker rm ${name}, then deploy again.`,
      );
    }
    note(`deploy:local: ${what}; stopping it (SIGTERM, Redis saves) and removing it${volume ? `; the volume ${volume} is kept` : ''}`);
    const orphan = p.docker.docker.getContainer(c.Id);
    if (c.State.Running) await orphan.stop({ t: 60 });
    await orphan.remove();
  }
}

/** Every port the stack publishes must be free, or published by the stack's own running container. */
async function checkPorts(p: Prepared): Promise<void> {
  for (const { name, ports } of stackContainers(p.stack)) {
    const c = await containerByName(p.docker, name);
    const bindings = (c?.HostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
    const published = Object.values(bindings).flatMap((b) => b ?? []);
    for (const { external, ip } of ports) {
      if (!Number.isInteger(external)) continue;
      if (c?.State.Running && published.some((b) => b.HostPort === String(external))) continue; // its own container holds it
      if ((await portInUse(ip, external)) === true) {
        throw new DeployRefused(
          `${LOCAL_ENV.port}: port ${external} on ${ip} is in use by another program, so the new container could not publish it; ` +
            `nothing was changed${c?.State.Running ? ` (${name} keeps running)` : ''}. Free the port or choose another one.`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// While and after the engine runs

/** Lines that name a damaged persistence file, and what to run. */
const DAMAGE_HINTS: ReadonlyArray<[RegExp, string]> = [
  [
    /Bad file format reading the append only file|Unrecoverable error reading the append only file|Unexpected end of file reading the append only file/,
    'The AOF in the data volume is damaged. Repair it: npm run local:repair-aof (README "Repairing a damaged AOF": it keeps a copy of the damaged files first), or restore a backup: npm run local:restore -- <snapshot>.',
  ],
  [
    /Wrong signature trying to load DB|Short read or OOM loading DB|Bad file format reading|RDB.*(corrupt|version)/i,
    'A data file in the volume is damaged or from a newer server. Restore a backup: npm run local:restore -- <snapshot> (README "Backups").',
  ],
];

/** The container's last log lines and, when they show a damaged file, what to run. */
async function containerReport(docker: DockerEngine, name: string, secrets: readonly string[]): Promise<string | undefined> {
  const c = await containerByName(docker, name);
  if (!c || (c.State.Running && c.State.Health?.Status === 'healthy')) return undefined;
  const logs = redact(await docker.logTailOf(c.Id, 20), secrets);
  const state = c.State.Running ? `running, ${c.State.Health?.Status ?? 'no health'}` : `${c.State.Status}, exit code ${c.State.ExitCode}`;
  const hint = DAMAGE_HINTS.find(([re]) => re.test(logs))?.[1];
  return `The container ${name} is not healthy (${state}, restarted ${c.RestartCount} times); its last log lines:\n${logs
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n')}${hint ? `\n${hint}` : ''}`;
}

/**
 * Watches the stack's servers while the engine runs; reports at once, with its last log lines, a server that exits or
 * restarts after the watch began (a new one, or the one there was once started again).
 */
function watchContainers(
  docker: DockerEngine,
  names: readonly string[],
  secrets: readonly string[],
  progress: (l: string) => void,
): () => void {
  const stops = names.map((name) => watchContainer(docker, name, secrets, progress));
  return () => {
    stops.forEach((stop) => {
      stop();
    });
  };
}

function watchContainer(docker: DockerEngine, name: string, secrets: readonly string[], progress: (l: string) => void): () => void {
  const watch = { stopped: false };
  const stopped = () => watch.stopped; // read through a call: the loop's awaits let the caller set it
  const tick = async () => {
    const initial = await containerByName(docker, name).catch(() => undefined);
    while (!stopped()) {
      await new Promise((r) => setTimeout(r, 1000));
      const c = await containerByName(docker, name).catch(() => undefined);
      if (!c || stopped()) continue;
      const same = initial?.Id === c.Id;
      const startedSince = !same || c.State.StartedAt !== initial.State.StartedAt || c.RestartCount > initial.RestartCount;
      const down = c.State.Status === 'exited' || c.State.Status === 'restarting' || c.RestartCount > (same ? initial.RestartCount : 0);
      if (startedSince && down) {
        const report = await containerReport(docker, name, secrets).catch(() => undefined);
        if (report && !stopped()) progress(`deploy:local: while the engine runs: ${report}\n`);
        return;
      }
    }
  };
  void tick();
  return () => {
    watch.stopped = true;
  };
}

/** The engine, with umask 077: every file it creates (state, backup, lock) is private to its owner. */
async function runEngine(p: Prepared, args: readonly string[], env: NodeJS.ProcessEnv, signal?: AbortSignal) {
  return run('sh', ['-c', 'umask 077 && exec "$0" "$@"', p.tools.engine, ...args], {
    cwd: p.workDir,
    env: engineEnv(p.tools, env),
    signal,
    killSignal: 'SIGKILL',
  });
}

async function initAndRun(
  p: Prepared,
  command: 'apply' | 'destroy',
  opts: LocalDeployOptions,
  started: number,
): Promise<LocalDeployResult> {
  const env = { DOCKER_HOST: p.docker.host };
  const base = { providers: p.providers, workDir: p.workDir };
  const progress = opts.progress ?? ((l: string) => process.stderr.write(l));
  const notes: string[] = [];
  const note = (l: string) => {
    notes.push(l);
    progress(`${l}\n`);
  };
  const envFile = opts.envFile ?? path.join(REPO_ROOT, '.env');
  tightenModes([...stateFiles(p.statePath), envFile]);
  const secretsBefore = secretsOf(p.statePath);
  const done = (ok: boolean, output: string, outputs?: Record<string, Output>): LocalDeployResult => {
    tightenModes([...stateFiles(p.statePath), envFile]);
    const secrets = [...secretsBefore, ...secretsOf(p.statePath)];
    return { ...base, ok, output: redact([...notes, output].filter(Boolean).join('\n'), secrets), outputs, ms: Date.now() - started };
  };
  try {
    if (command === 'apply') {
      await checkOrphans(p, opts, note);
      await checkPorts(p);
    }
  } catch (e) {
    if (e instanceof DeployRefused) return done(false, `${command === 'apply' ? 'deploy' : 'destroy'}:local refused: ${e.message}`);
    throw e;
  }
  const init = await runEngine(p, ['init', '-input=false', '-no-color'], env, opts.signal);
  if (init.code !== 0) return done(false, init.stderr + init.stdout);
  const servers = stackContainers(p.stack)
    .filter((c) => c.server)
    .map((c) => c.name);
  const reports = async () =>
    (await Promise.all(servers.map((n) => containerReport(p.docker, n, [...secretsBefore, ...secretsOf(p.statePath)])))).filter(
      (r): r is string => r !== undefined,
    );
  const stopWatching = command === 'apply' ? watchContainers(p.docker, servers, secretsBefore, progress) : () => undefined;
  let r;
  try {
    r = await runEngine(p, [command, '-input=false', '-no-color', '-auto-approve', ...(opts.engineArgs ?? [])], env, opts.signal);
  } finally {
    stopWatching();
  }
  const output = `${r.stdout}\n${r.stderr}`.trim();
  if (r.code !== 0) {
    return done(false, [output, ...(command === 'apply' ? await reports() : [])].join('\n\n'));
  }
  if (command === 'destroy') {
    // what a destroy leaves holds no password: the backup is the state before the destroy; .env's REDIS_* lines are dead
    const backup = p.statePath ? `${p.statePath}.backup` : undefined;
    if (backup && fs.existsSync(backup)) {
      fs.rmSync(backup);
      notes.push(`destroy:local: removed ${backup} (the state before the destroy, with the password)`);
    }
    if (removeOwnedEnv(envFile)) notes.push(`destroy:local: removed the REDIS_* lines of npm run local:env from ${envFile}`);
    return done(true, output);
  }
  // an apply that only starts a stopped container does not wait for its health: deploy:local returns healthy or fails
  for (const name of servers) {
    const c = await containerByName(p.docker, name);
    if (!c) continue;
    try {
      await p.docker.waitHealthy(c.Id, HEALTHY_WITHIN_MS);
    } catch {
      return done(false, [output, `The engine applied the stack, but ${name} did not come up healthy.`, ...(await reports())].join('\n\n'));
    }
  }
  const out = await engine(p.tools, p.workDir, ['output', '-json', '-no-color'], { env });
  const outputs = JSON.parse(out.stdout) as Record<string, Output>;
  // the local Redis Cluster: return once every node serves and every replica has synced (lib/redis-cluster.ts)
  if ('redis_cluster_nodes' in outputs) {
    try {
      const clusterReadyMs = await waitForCluster(clusterAccess(outputs));
      return { ...done(true, output, outputs), clusterReadyMs };
    } catch (e) {
      return done(false, `${output}\n${(e as Error).message}`, outputs);
    }
  }
  return done(true, output, outputs);
}

/** How long deploy:local waits for a container the apply started without waiting (the provider's own wait is 60 s). */
const HEALTHY_WITHIN_MS = 60000;

export async function deployLocal(opts: LocalDeployOptions = {}): Promise<LocalDeployResult> {
  const started = Date.now();
  let p: Prepared;
  try {
    p = await prepare(opts);
  } catch (e) {
    if (e instanceof DeployRefused)
      return { ok: false, providers: '', output: `deploy:local refused: ${e.message}`, ms: Date.now() - started, workDir: '' };
    throw e;
  }
  if (opts.imageFromHost) await importRedisImageFromHost(p.docker, stackImage(p.stack), p.workDir);
  return initAndRun(p, 'apply', opts, started);
}

export async function destroyLocal(opts: LocalDeployOptions = {}): Promise<LocalDeployResult> {
  const started = Date.now();
  return initAndRun(await prepare({ ...opts, imageFromHost: false }), 'destroy', opts, started);
}
