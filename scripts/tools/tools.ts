/**
 * Shared plumbing of the verification tools (validate, plan against moto, checkov, local deploy): where
 * scripts/tools/setup-tools.sh put the engine, the provider mirror, checkov and moto (built on first need); the
 * provider pins of a synthesized stack, checked against the mirror's builds; synthesizing into a directory of one's
 * own; running a child process. No Terraform registry and no cloud account is needed by anything here.
 */
import { spawnSync } from 'child_process';
import { run, RunResult } from '../lib/process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resourcesOf, TfJson } from '../../constructs/tf-json';
import { readSynthOutput } from '../review/read-output';

/** The repository root (this file is scripts/tools/tools.ts). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

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

/** What a command needs of the tools (scripts/tools/setup-tools.sh builds exactly these). */
export type ToolName = 'engine' | 'aws' | 'random' | 'docker' | 'checkov' | 'moto';
export const ALL_TOOLS: readonly ToolName[] = ['engine', 'aws', 'random', 'docker', 'checkov', 'moto'];

/** The mirror directory of a provider's release (the engine's "unpacked" layout). */
function mirrorPath(mirrorDir: string, platform: string, provider: MirroredProvider): string {
  const type = provider.source.split('/').pop() ?? '';
  return path.join(mirrorDir, provider.source, provider.release, platform, `terraform-provider-${type}_v${provider.release}`);
}

/**
 * The tools setup-tools.sh installed, or why they cannot be used (not set up, or a file it names is gone). `needs`:
 * only these must be there. The engine can be forced with ISL_ENGINE (a path to terraform or tofu).
 */
export function findTools(
  env: NodeJS.ProcessEnv = process.env,
  needs: readonly ToolName[] = ALL_TOOLS,
): { tools?: Tools; missing?: string } {
  const cacheDir = toolsCacheDir(env);
  const file = path.join(cacheDir, 'tools.env');
  if (!fs.existsSync(file))
    return { missing: `${file} does not exist: run \`bash scripts/tools/setup-tools.sh ${needs.join(' ')}\` first` };
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
  const files: Array<[string, string]> = [
    ['engine', tools.engine],
    ['cliConfig', tools.cliConfig],
  ];
  if (needs.includes('checkov')) files.push(['checkov', tools.checkov]);
  if (needs.includes('moto')) files.push(['motoServer', tools.motoServer], ['motoPython', tools.motoPython]);
  for (const provider of loadProviderMap()) {
    const type = provider.source.split('/').pop() as ToolName;
    if (needs.includes(type)) files.push([`provider ${type} ${provider.release}`, mirrorPath(tools.mirrorDir, v.ISL_PLATFORM, provider)]);
  }
  const gone = files.filter(([, f]) => !f || !fs.existsSync(f)).map(([k, f]) => `${k} (${f || 'unset'})`);
  if (gone.length) return { missing: `not built yet: ${gone.join(', ')}; run \`bash scripts/tools/setup-tools.sh ${needs.join(' ')}\`` };
  return { tools };
}

/**
 * The tools a command needs, built first when they are not there yet (scripts/tools/setup-tools.sh prints a progress
 * line per minute for long builds). Throws when the build fails.
 */
export function requireTools(needs: readonly ToolName[] = ALL_TOOLS, env: NodeJS.ProcessEnv = process.env): Tools {
  let { tools } = findTools(env, needs);
  if (tools) return tools;
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'tools', 'setup-tools.sh'), ...needs], { stdio: ['ignore', 2, 2], env });
  ({ tools } = findTools(env, needs));
  if (r.status !== 0 || !tools)
    throw new Error(`verification tools: scripts/tools/setup-tools.sh ${needs.join(' ')} failed (exit ${String(r.status)})`);
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
  /** The release the build stands for: the version the stacks pin (constructs/facts/providers.ts) and the mirror serves. */
  readonly release: string;
  /** The built commit (12 hex digits) and its date. */
  readonly commit: string;
  readonly commitDate: string;
  readonly module: string;
  readonly moduleVersion: string;
  /** The CHANGELOG.md heading of `release`: the entries above it are what the build adds to the release. */
  readonly changelogSince: string;
  readonly why_this_release: string;
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
  /** The version constraint exactly as synthesized, e.g. `6.47.0`. */
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

export interface VerifiedPin {
  readonly pin: ProviderPin;
  readonly provider: MirroredProvider;
}

/**
 * The mirror build of each pin of a stack. Throws, naming every pin the mirror does not hold, so a pin that drifts
 * from the build (constructs/facts/providers.ts vs scripts/tools/providers.json) fails loudly here instead of being verified
 * against another version.
 */
export function verifiedPins(
  stackName: string,
  pins: readonly ProviderPin[],
  map: readonly MirroredProvider[] = loadProviderMap(),
): VerifiedPin[] {
  const problems: string[] = [];
  const out: VerifiedPin[] = [];
  for (const pin of pins) {
    const provider = map.find((p) => p.source === pin.source);
    if (!provider) {
      problems.push(`${pin.source} ${pin.version} (no build of this provider in scripts/tools/providers.json)`);
    } else if (provider.release !== pin.version) {
      problems.push(`${pin.source} ${pin.version} (the mirror holds ${provider.release}, built from commit ${provider.commit})`);
    } else {
      out.push({ pin, provider });
    }
  }
  if (problems.length) {
    throw new Error(
      `${stackName}: the synthesized JSON pins provider versions the verification tools do not run: ${problems.join('; ')}. ` +
        'The pins are constructs/facts/providers.ts; the builds scripts/tools/providers.json (README "Verification with the real tools").',
    );
  }
  return out;
}

export interface ProviderDelta {
  readonly source: string;
  readonly release: string;
  readonly commit: string;
  readonly commitDate: string;
  /** Every changelog entry between the release and the built commit (`* ` lines), or undefined when not read yet. */
  readonly entries?: readonly string[];
  /** The entries that name a resource or data source type of the stacks, or the provider itself. */
  readonly relevant: readonly string[];
}

/**
 * The known delta of each mirrored provider: the changelog entries between the release the stacks pin and the commit
 * the tools run (setup-tools.sh extracts them into <cache>/deltas/), and those among them that touch `types`.
 */
export function providerDeltas(
  tools: Pick<Tools, 'cacheDir'>,
  types: ReadonlySet<string>,
  map: readonly MirroredProvider[] = loadProviderMap(),
): ProviderDelta[] {
  return map.map((p) => {
    const type = p.source.split('/').pop() ?? '';
    const file = path.join(tools.cacheDir, 'deltas', `${type}-${p.release}-${p.commit}.md`);
    const entries = fs.existsSync(file)
      ? fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('* '))
          .map((l) =>
            l
              .slice(2)
              .replace(/\s*\(\[#\d+\]\([^)]*\)\)/g, '')
              .trim(),
          )
      : undefined;
    const touches = (e: string) =>
      /^provider\b/i.test(e) || [...types].some((t) => new RegExp(`(resource|data-source)/${t}\\b|\`${t}\``).test(e));
    return {
      source: p.source,
      release: p.release,
      commit: p.commit,
      commitDate: p.commitDate,
      entries,
      relevant: (entries ?? []).filter(touches),
    };
  });
}

/** The lines setup and validate print: per provider, pin, built commit, delta and what of it touches the stacks. */
export function describeDeltas(deltas: readonly ProviderDelta[]): string[] {
  return deltas.flatMap((d) => {
    const head = `${d.source.replace('registry.terraform.io/', '')} ${d.release} (the pin) <- commit ${d.commit} of ${d.commitDate.slice(0, 10)} (the build)`;
    if (!d.entries) return [`${head}: delta not read yet (run bash scripts/tools/setup-tools.sh)`];
    if (!d.entries.length) return [`${head}: no changelog entries between them`];
    return [
      `${head}: ${d.entries.length} changelog entries between them, ${d.relevant.length} touching these stacks${d.relevant.length ? ':' : ''}`,
      ...d.relevant.map((e) => `    ${e}`),
    ];
  });
}

/** "aws 6.47.0 (commit 5f2286d6d836), random 3.9.0 (commit e1092b0cfc07)" */
export function describePins(pins: readonly VerifiedPin[]): string {
  return pins.map(({ pin, provider }) => `${pin.localName} ${pin.version} (commit ${provider.commit})`).join(', ');
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
 * engine's own files, plus `extraFiles`. The synthesized JSON is used as it is: its pins are the mirror's releases.
 * The synthesized directory itself is never written to.
 */
export function prepareWorkDir(stack: SynthStack, workDir: string, extraFiles: Record<string, unknown> = {}): VerifiedPin[] {
  const pins = verifiedPins(stack.name, readPins(stack.json));
  fs.mkdirSync(workDir, { recursive: true });
  for (const entry of fs.readdirSync(stack.dir)) {
    if (entry === '.terraform' || entry === '.terraform.lock.hcl' || entry.endsWith('_override.tf.json') || /\.tfstate/.test(entry))
      continue;
    fs.cpSync(path.join(stack.dir, entry), path.join(workDir, entry), { recursive: true });
  }
  for (const [name, content] of Object.entries(extraFiles)) {
    fs.writeFileSync(path.join(workDir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
  }
  return pins;
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
// Child processes (scripts/lib/process.ts holds the one implementation)

export { run, tempDir } from '../lib/process';
export type { RunResult } from '../lib/process';

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
