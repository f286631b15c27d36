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
 *   npm run deploy:local  -- [--no-synth] [--outdir cdktf.out] [--image-from-host] [-- ENGINE_ARGS]
 *   npm run destroy:local -- [--no-synth] [--outdir cdktf.out]
 *   npm run local:output  -- [NAME]              the outputs, sensitive ones too (redis_password, redis_url)
 *
 * --image-from-host: when the engine lacks the stack's image (redis:7.2), build it from the host's redis-server and
 * redis-cli (for machines that reach no image registry, like CI) instead of letting the provider pull it.
 * Exit codes: 0 done; 1 the engine failed (its output is printed); 2 usage, or no tools or Docker engine.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { DockerEngine, dockerSocket, importRedisImageFromHost } from '../lib/docker';
import { ClusterAccess, waitForCluster } from '../lib/redis-cluster';
import { describePins, engine, prepareWorkDir, readStacks, REPO_ROOT, requireTools, synthInto, SynthStack, Tools } from './tools';

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

export interface Output {
  readonly value: unknown;
  readonly sensitive: boolean;
}

export interface LocalDeployResult {
  readonly ok: boolean;
  /** "docker 4.6.1-dev.20260916 for 3.6.2, random …" */
  readonly providers: string;
  /** The engine's combined output of init and apply/destroy. */
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
  /** @default the tools scripts/setup.sh installed */
  readonly tools?: Tools;
  /** @default per clone under the tools cache (localWorkDir) */
  readonly workDir?: string;
  /** @default the state the synthesized local backend names */
  readonly statePath?: string;
  /** Extra engine arguments for apply/destroy, e.g. `-replace=docker_container.…`. @default none */
  readonly engineArgs?: readonly string[];
  /** The Docker engine, in DOCKER_HOST form. @default $DOCKER_HOST, else unix:///var/run/docker.sock */
  readonly dockerHost?: string;
}

interface Prepared {
  readonly tools: Tools;
  readonly stack: SynthStack;
  readonly workDir: string;
  readonly providers: string;
  readonly docker: DockerEngine;
}

async function prepare(opts: LocalDeployOptions): Promise<Prepared> {
  const tools = opts.tools ?? requireTools(['engine', 'docker', 'random']);
  const outdir = opts.outdir ?? path.join(REPO_ROOT, 'cdktf.out');
  if (opts.synth !== false) await synthInto(outdir, opts.synthEnv);
  const stack = readStacks(outdir).find((s) => s.name === LOCAL_STACK);
  if (!stack) throw new Error(`no stack "${LOCAL_STACK}" in ${outdir}/stacks`);
  const docker = await DockerEngine.attach(dockerSocket({ DOCKER_HOST: opts.dockerHost ?? process.env.DOCKER_HOST }));
  const workDir = opts.workDir ?? localWorkDir(tools);
  for (const f of fs.existsSync(workDir) ? fs.readdirSync(workDir) : []) {
    if (f.endsWith('.tf.json')) fs.rmSync(path.join(workDir, f)); // a stale copy of an older synth
  }
  const statePath = opts.statePath ?? backendStatePath(stack);
  const backend = statePath ? { 'zz_backend_override.tf.json': { terraform: { backend: { local: { path: statePath } } } } } : {};
  const subs = prepareWorkDir(stack, workDir, backend);
  return { tools, stack, workDir, providers: describePins(subs), docker };
}

async function initAndRun(
  p: Prepared,
  command: 'apply' | 'destroy',
  opts: LocalDeployOptions,
  started: number,
): Promise<LocalDeployResult> {
  const env = { DOCKER_HOST: p.docker.host };
  const base = { providers: p.providers, workDir: p.workDir };
  const init = await engine(p.tools, p.workDir, ['init', '-input=false', '-no-color'], { env, allowFailure: true });
  if (init.code !== 0) return { ...base, ok: false, output: init.stderr + init.stdout, ms: Date.now() - started };
  const r = await engine(p.tools, p.workDir, [command, '-input=false', '-no-color', '-auto-approve', ...(opts.engineArgs ?? [])], {
    env,
    allowFailure: true,
  });
  const output = `${r.stdout}\n${r.stderr}`.trim();
  if (r.code !== 0) return { ...base, ok: false, output, ms: Date.now() - started };
  if (command === 'destroy') return { ...base, ok: true, output, ms: Date.now() - started };
  const out = await engine(p.tools, p.workDir, ['output', '-json', '-no-color'], { env });
  const outputs = JSON.parse(out.stdout) as Record<string, Output>;
  // the local Redis Cluster: return once every node serves and every replica has synced (lib/redis-cluster.ts)
  let clusterReadyMs: number | undefined;
  if ('redis_cluster_nodes' in outputs) {
    try {
      clusterReadyMs = await waitForCluster(clusterAccess(outputs));
    } catch (e) {
      return { ...base, ok: false, output: `${output}\n${(e as Error).message}`, outputs, ms: Date.now() - started };
    }
  }
  return { ...base, ok: true, output, outputs, ms: Date.now() - started, ...(clusterReadyMs === undefined ? {} : { clusterReadyMs }) };
}

export async function deployLocal(opts: LocalDeployOptions = {}): Promise<LocalDeployResult> {
  const started = Date.now();
  const p = await prepare(opts);
  if (opts.imageFromHost) await importRedisImageFromHost(p.docker, stackImage(p.stack), p.workDir);
  return initAndRun(p, 'apply', opts, started);
}

export async function destroyLocal(opts: LocalDeployOptions = {}): Promise<LocalDeployResult> {
  const started = Date.now();
  return initAndRun(await prepare(opts), 'destroy', opts, started);
}

const USAGE =
  'usage: npm run deploy:local -- [--no-synth] [--outdir DIR] [--image-from-host] [-- ENGINE_ARGS]\n' +
  '       npm run destroy:local -- [--no-synth] [--outdir DIR]\n' +
  '       npm run local:output -- [NAME]';

class UsageError extends Error {}

async function main(command: string | undefined, argv: string[]): Promise<number> {
  const dd = argv.indexOf('--');
  const engineArgs = dd >= 0 ? argv.slice(dd + 1) : [];
  let parsed;
  try {
    parsed = parseArgs({
      args: dd >= 0 ? argv.slice(0, dd) : argv,
      allowPositionals: true,
      options: {
        outdir: { type: 'string' },
        'no-synth': { type: 'boolean' },
        'image-from-host': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command !== 'deploy' && command !== 'destroy' && command !== 'output')
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const tools = requireTools(['engine', 'docker', 'random']);
  if (command === 'output') {
    const r = await engine(tools, localWorkDir(tools), ['output', '-no-color', ...(positionals[0] ? ['-raw', positionals[0]] : [])]);
    process.stdout.write(r.stdout);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const opts: LocalDeployOptions = {
    outdir: values.outdir ? path.resolve(values.outdir) : undefined,
    synth: !values['no-synth'],
    imageFromHost: values['image-from-host'],
    engineArgs,
    tools,
  };
  const r = command === 'deploy' ? await deployLocal(opts) : await destroyLocal(opts);
  console.log(r.output);
  if (!r.ok) {
    console.error(`${command}:local FAILED (${r.providers}); work dir ${r.workDir}`);
    return 1;
  }
  const shown = Object.entries(r.outputs ?? {}).map(
    ([k, o]) => `  ${k} = ${o.sensitive ? `(sensitive: npm run local:output -- ${k})` : JSON.stringify(o.value)}`,
  );
  console.log(
    `${command}:local done in ${(r.ms / 1000).toFixed(1)} s (${r.providers})${r.clusterReadyMs === undefined ? '' : `; Redis Cluster ready ${(r.clusterReadyMs / 1000).toFixed(1)} s after the apply`}${shown.length ? `; outputs:\n${shown.join('\n')}` : ''}`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv[2], process.argv.slice(3)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`local-deploy: ${(e as Error).message}${e instanceof UsageError ? `\n${USAGE}` : ''}`);
      process.exit(2);
    },
  );
}
