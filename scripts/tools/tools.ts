/**
 * Shared plumbing of the verification tools (validate, plan against moto, checkov, local deploy): where
 * scripts/setup.sh put the engine, the provider mirror, checkov and moto; the provider pins of a synthesized stack
 * and the override file that swaps them for the mirror's builds; synthesizing into a directory of one's own;
 * running a child process. No Terraform registry and no cloud account is needed by anything here.
 */
import { spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resourcesOf, TfJson } from '../../constructs/guardrails/tf-json';
import { readSynthOutput } from '../review/read-output';

/** The repository root (this file is scripts/tools/tools.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Name of the override file the tools write next to a stack's cdk.tf.json (Terraform reads `*_override.tf.json` last). */
export const MIRROR_OVERRIDE_FILE = 'zz_local_mirror_override.tf.json';

// ---------------------------------------------------------------------------------------------------------------
// What setup.sh installed

export interface Tools {
  readonly cacheDir: string;
  /** Absolute path of terraform or tofu. */
  readonly engine: string;
  /** e.g. "terraform 1.11.4" or "OpenTofu 1.10.6". */
  readonly engineName: string;
  /** CLI configuration (filesystem mirror) handed to the engine through TF_CLI_CONFIG_FILE. */
  readonly cliConfig: string;
  readonly mirrorDir: string;
  readonly checkov: string;
  readonly checkovVersion: string;
  readonly motoServer: string;
  /** Python of moto's virtualenv (it has boto3, which the seeding uses). */
  readonly motoPython: string;
  readonly motoVersion: string;
}

/** ${ISL_CACHE_TOOLS_DIR:-$HOME/.cache/isl-cache-tools}, where setup.sh builds and installs the tools. */
export function toolsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ISL_CACHE_TOOLS_DIR || path.join(os.homedir(), '.cache', 'isl-cache-tools');
}

/** The `KEY='value'` lines of tools.env (written by setup-tools.sh; env.sh sources the same file). */
function parseToolsEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)='([^']*)'$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/**
 * The tools setup.sh installed, or why they cannot be used (not set up, or a file it names is gone). The engine can
 * be forced with ISL_ENGINE (a path to terraform or tofu).
 */
export function findTools(env: NodeJS.ProcessEnv = process.env): { tools?: Tools; missing?: string } {
  const cacheDir = toolsCacheDir(env);
  const file = path.join(cacheDir, 'tools.env');
  if (!fs.existsSync(file))
    return { missing: `${file} does not exist: run \`bash scripts/setup.sh\` (or \`bash scripts/tools/setup-tools.sh\`) first` };
  const v = parseToolsEnv(fs.readFileSync(file, 'utf8'));
  const forced = env.ISL_ENGINE && env.ISL_ENGINE !== v.ISL_ENGINE ? env.ISL_ENGINE : undefined;
  const tools: Tools = {
    cacheDir,
    engine: forced ?? v.ISL_ENGINE,
    engineName: forced ? `${path.basename(forced)} (ISL_ENGINE)` : v.ISL_ENGINE_NAME,
    cliConfig: v.ISL_CLI_CONFIG,
    mirrorDir: v.ISL_MIRROR_DIR,
    checkov: v.ISL_CHECKOV,
    checkovVersion: v.ISL_CHECKOV_VERSION,
    motoServer: v.ISL_MOTO_SERVER,
    motoPython: v.ISL_MOTO_PYTHON,
    motoVersion: v.ISL_MOTO_VERSION,
  };
  const gone = (['engine', 'cliConfig', 'mirrorDir', 'checkov', 'motoServer', 'motoPython'] as const)
    .filter((k) => !tools[k] || !fs.existsSync(tools[k]))
    .map((k) => `${k} (${tools[k] || 'unset'})`);
  if (gone.length) return { missing: `${file} names tools that are not there: ${gone.join(', ')}; rerun \`bash scripts/setup.sh\`` };
  return { tools };
}

/** findTools(), or an error telling how to set them up. */
export function requireTools(env: NodeJS.ProcessEnv = process.env): Tools {
  const { tools, missing } = findTools(env);
  if (!tools) throw new Error(`verification tools missing: ${missing}`);
  return tools;
}

/**
 * Environment of an engine child process: the project's CLI configuration (never the user's ~/.terraformrc), no
 * checkpoint calls, no prompts. Variables that would point the engine elsewhere are dropped.
 */
export function engineEnv(tools: Tools, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const pointsElsewhere = (k: string) => /^TF_(CLI_ARGS|WORKSPACE|DATA_DIR|PLUGIN_CACHE_DIR|LOG)/.test(k) || k === 'TOFU_CLI_CONFIG_FILE';
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !pointsElsewhere(k)));
  return {
    ...env,
    TF_CLI_CONFIG_FILE: tools.cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Provider pins → mirror builds

export interface MirroredProvider {
  /** Fully qualified source, e.g. registry.terraform.io/hashicorp/aws. */
  readonly source: string;
  /** The versions the stacks may pin that this build stands in for. */
  readonly pinned: readonly string[];
  /** Version of the build in the mirror (a prerelease of the next release after the source's last one). */
  readonly mirrorVersion: string;
  readonly module: string;
  readonly moduleVersion: string;
  readonly reason: string;
}

export function loadProviderMap(file = path.join(__dirname, 'providers.json')): MirroredProvider[] {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { providers: MirroredProvider[] }).providers;
}

/** `aws` → registry.terraform.io/hashicorp/aws; `kreuzwerker/docker` → registry.terraform.io/kreuzwerker/docker. */
export function qualifySource(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `registry.terraform.io/hashicorp/${parts[0]}`;
  if (parts.length === 2) return `registry.terraform.io/${parts[0]}/${parts[1]}`;
  return parts.join('/');
}

export interface ProviderPin {
  /** Local name in required_providers, e.g. `aws`. */
  readonly localName: string;
  readonly source: string;
  /** The version constraint exactly as synthesized, e.g. `6.25.0`. */
  readonly version: string;
}

/** terraform.required_providers of a synthesized stack. */
export function readPins(stackJson: TfJson): ProviderPin[] {
  const required = (stackJson.terraform?.required_providers ?? {}) as Record<string, { source?: string; version?: string }>;
  return Object.entries(required).map(([localName, p]) => ({
    localName,
    source: qualifySource(p.source ?? localName),
    version: p.version ?? '',
  }));
}

export interface PinSubstitution {
  readonly pin: ProviderPin;
  readonly provider: MirroredProvider;
}

/**
 * Which mirror build stands in for each pin of a stack. Throws, naming every pin providers.json does not map, so a
 * provider bump in the constructs fails loudly here instead of silently validating against an older build.
 */
export function substitutions(
  stackName: string,
  pins: readonly ProviderPin[],
  map: readonly MirroredProvider[] = loadProviderMap(),
): PinSubstitution[] {
  const problems: string[] = [];
  const out: PinSubstitution[] = [];
  for (const pin of pins) {
    const provider = map.find((p) => p.source === pin.source);
    if (!provider) {
      problems.push(`${pin.source} ${pin.version} (no build of this provider in scripts/tools/providers.json)`);
    } else if (!provider.pinned.includes(pin.version)) {
      problems.push(`${pin.source} ${pin.version} (scripts/tools/providers.json maps only ${provider.pinned.join(', ')} of it)`);
    } else {
      out.push({ pin, provider });
    }
  }
  if (problems.length) {
    throw new Error(
      `${stackName}: the synthesized JSON pins provider versions the offline mirror does not map: ${problems.join('; ')}. ` +
        'Add the pin to scripts/tools/providers.json (with the Go module version that stands in for it) and rerun scripts/setup.sh.',
    );
  }
  return out;
}

/** The override file: required_providers entries pinning the mirror builds (Terraform merges them element by element). */
export function mirrorOverride(subs: readonly PinSubstitution[]): Record<string, unknown> {
  const required: Record<string, { source: string; version: string }> = {};
  for (const { pin, provider } of subs) required[pin.localName] = { source: provider.source, version: provider.mirrorVersion };
  return {
    '//': 'Written by scripts/tools (offline provider mirror, see scripts/tools/providers.json); not part of the synthesized stack.',
    terraform: { required_providers: required },
  };
}

/** "aws 6.48.0-dev.20260602 for 6.25.0, random 3.9.1-dev.20260824 for 3.7.2" */
export function describeSubstitutions(subs: readonly PinSubstitution[]): string {
  return subs.map(({ pin, provider }) => `${pin.localName} ${provider.mirrorVersion} for ${pin.version}`).join(', ');
}

// ---------------------------------------------------------------------------------------------------------------
// Synthesized stacks

export interface SynthStack {
  readonly name: string;
  /** cdktf.out/stacks/<name> */
  readonly dir: string;
  readonly json: TfJson;
}

/** Every stack of a synth output directory (read and checked by the review's reader), sorted by name. */
export function readStacks(outdir: string): SynthStack[] {
  const stacks = readSynthOutput(outdir);
  return Object.keys(stacks)
    .sort()
    .map((name) => ({ name, dir: path.join(outdir, 'stacks', name), json: stacks[name] }));
}

/** Managed resource blocks (type.name) of a synthesized stack, sorted. */
export function resourceAddresses(json: TfJson): string[] {
  return resourcesOf(json)
    .map((r) => r.address)
    .sort();
}

/** The resource blocks with count or for_each: how many instances they make is known only to the plan. */
export function expandingResources(json: TfJson): string[] {
  return resourcesOf(json)
    .filter((r) => r.body.count !== undefined || r.body.for_each !== undefined)
    .map((r) => r.address)
    .sort();
}

/** `aws_x.y[0]` / `aws_x.y["k"]` → `aws_x.y` */
export function baseAddress(address: string): string {
  return address.replace(/\[[^\]]*\]$/, '');
}

/** Whether a stack needs the AWS provider (the environment stacks) or not (local). */
export function usesAws(stack: SynthStack): boolean {
  return readPins(stack.json).some((p) => p.source === 'registry.terraform.io/hashicorp/aws');
}

/**
 * A working copy of a stack in `workDir`: cdk.tf.json and anything cdktf placed beside it (assets), without the
 * engine's own files, plus the mirror override. The synthesized directory itself is never written to.
 */
export function prepareWorkDir(stack: SynthStack, workDir: string, extraFiles: Record<string, unknown> = {}): PinSubstitution[] {
  const subs = substitutions(stack.name, readPins(stack.json));
  fs.mkdirSync(workDir, { recursive: true });
  for (const entry of fs.readdirSync(stack.dir)) {
    if (entry === '.terraform' || entry === '.terraform.lock.hcl' || entry.endsWith('_override.tf.json') || /\.tfstate/.test(entry))
      continue;
    fs.cpSync(path.join(stack.dir, entry), path.join(workDir, entry), { recursive: true });
  }
  fs.writeFileSync(path.join(workDir, MIRROR_OVERRIDE_FILE), JSON.stringify(mirrorOverride(subs), null, 2) + '\n');
  for (const [name, content] of Object.entries(extraFiles)) {
    fs.writeFileSync(path.join(workDir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  }
  return subs;
}

/**
 * Synthesizes the app (cdktf.json's `app` command) into `outdir` with the environment's deployment variables
 * (CACHE_*, AWS_REGION) removed, so the result is the defaults every machine gets. Returns the outdir.
 */
export async function synthInto(outdir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const { app } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'cdktf.json'), 'utf8')) as { app: string };
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(CACHE_|AWS_)/.test(k)) env[k] = v;
  const r = await run('sh', ['-c', app], { cwd: REPO_ROOT, env: { ...env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', ...extraEnv } });
  if (r.code !== 0) throw new Error(`synth (${app}) into ${outdir} failed (exit ${r.code}):\n${r.stderr || r.stdout}`);
  return outdir;
}

// ---------------------------------------------------------------------------------------------------------------
// Child processes

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to completion (no shell), collecting its output; never throws on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  options: SpawnOptions & { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const { input, timeoutMs, ...spawnOptions } = options;
    const child = spawn(command, args as string[], { ...spawnOptions, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    // past timeoutMs: SIGTERM (the engine stops gracefully and says so), SIGKILL 30 s later; exit code 124 like timeout(1)
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    if (timeoutMs) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          timers.push(setTimeout(() => child.kill('SIGKILL'), 30000));
        }, timeoutMs),
      );
    }
    child.once('close', (code, signal) => {
      timers.forEach(clearTimeout);
      resolve({
        code: timedOut ? 124 : (code ?? (signal ? 128 : 1)),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (timedOut ? `\n${command}: stopped after ${timeoutMs} ms (timeout)` : ''),
        ms: Date.now() - started,
      });
    });
    if (input !== undefined) {
      child.stdin?.on('error', () => undefined); // a child that exits without reading its input
      child.stdin?.end(input);
    }
  });
}

/** Runs the engine in `cwd`; throws with its output on failure unless `allowFailure`. */
export async function engine(
  tools: Tools,
  cwd: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; allowFailure?: boolean; timeoutMs?: number } = {},
): Promise<RunResult> {
  const r = await run(tools.engine, args, { cwd, env: engineEnv(tools, opts.env), timeoutMs: opts.timeoutMs });
  if (r.code !== 0 && !opts.allowFailure) {
    throw new Error(`${path.basename(tools.engine)} ${args.join(' ')} in ${cwd} failed (exit ${r.code}):\n${(r.stderr + r.stdout).trim()}`);
  }
  return r;
}

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
