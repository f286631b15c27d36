/**
 * `npm run plan -- STACK...`: the plan of each stack by the project's engine and the pinned providers (the offline
 * mirror, scripts/tools/tools.ts), as JSON for `npm run review -- --plan plans` and as text for a person before
 * `cdktf deploy`. Each stack is planned in a temporary copy of its synthesized directory (cdktf.out is never written
 * to), with its own backend: the S3 state (CACHE_STATE_BUCKET) or the local state file the synthesized backend names.
 *
 *   AWS stacks   the AWS credentials of the environment, as the AWS provider finds them (AWS_ACCESS_KEY_ID /
 *                AWS_SESSION_TOKEN, AWS_PROFILE, a web identity token from CI's OIDC, an instance role). A plan role
 *                needs read access only: the plan runs with -lock=false, so it writes nothing, not even the lock file.
 *                --moto plans against moto on loopback instead (seeded with the stack's VPC and subnets, fresh state).
 *   local        the Docker engine at DOCKER_HOST and the state terraform.local.tfstate (npm run deploy:local's).
 *
 * Writes into --plan-dir (default plans/): <stack>.json (`terraform show -json` of the plan, every sensitive value
 * replaced by a keyed hash, so the file holds no secret while equal values stay equal) and <stack>.txt (the engine's
 * own rendering, sensitive values hidden). The binary plan holds the secrets and is not kept.
 *
 *   npm run plan -- [--out-dir DIR] [--plan-dir DIR] [--moto] [--var NAME=JSON]... [--no-synth] STACK...
 *
 * Exit codes: 0 every plan written; 1 the engine failed (its messages printed); 2 usage, malformed input or no tools.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { providerRegion } from '../../constructs/tf-json';
import { MalformedOutputError } from '../review/read-output';
import { PlanJson, checkPlanJson } from '../review/read-plan';
import { quote, shorten } from '../review/text';
import { Moto, fakeAwsEnv, motoOverride, startMoto } from './plan-moto';
import {
  REPO_ROOT,
  SynthStack,
  ToolName,
  Tools,
  engine,
  prepareWorkDir,
  readStacks,
  requireTools,
  synthInto,
  tempDir,
  usesAws,
} from './tools';

// ---------------------------------------------------------------------------------------------------------------
// Redaction: a plan JSON without secrets

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Replaces every value a sensitivity mask marks by `(sensitive hmac:…)`, a hash keyed per run: equal values stay equal. */
export function redactor(key: Buffer = crypto.randomBytes(32)): (value: unknown, mask: unknown) => unknown {
  const hash = (v: unknown) => `(sensitive hmac:${crypto.createHmac('sha256', key).update(JSON.stringify(v)).digest('hex').slice(0, 16)})`;
  const redact = (value: unknown, mask: unknown): unknown => {
    if (mask === true) return value === null || value === undefined ? value : hash(value);
    if (Array.isArray(value)) return value.map((v, i) => redact(v, Array.isArray(mask) ? mask[i] : undefined));
    if (isObject(value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, isObject(mask) ? mask[k] : undefined)]));
    return value;
  };
  return redact;
}

type Json = Record<string, unknown>;

/**
 * The plan JSON with every sensitive value replaced (resource changes and drift by their before/after masks, values
 * by `sensitive_values`, outputs marked sensitive, variables the configuration declares sensitive).
 */
export function redactPlan(plan: Json, key?: Buffer): Json {
  const redact = redactor(key);
  const out = structuredClone(plan);
  for (const section of ['resource_changes', 'resource_drift'] as const) {
    for (const rc of (out[section] ?? []) as Json[]) {
      const c = rc.change as Json;
      c.before = redact(c.before, c.before_sensitive);
      c.after = redact(c.after, c.after_sensitive);
    }
  }
  for (const oc of Object.values((out.output_changes ?? {}) as Record<string, Json>)) {
    oc.before = redact(oc.before, oc.before_sensitive);
    oc.after = redact(oc.after, oc.after_sensitive);
  }
  const values = (v: unknown) => {
    if (!isObject(v)) return;
    for (const o of Object.values((v.outputs ?? {}) as Record<string, Json>)) if (o.sensitive === true) o.value = redact(o.value, true);
    const walk = (m: unknown) => {
      if (!isObject(m)) return;
      for (const r of (m.resources ?? []) as Json[]) r.values = redact(r.values, r.sensitive_values);
      for (const c of (m.child_modules ?? []) as unknown[]) walk(c);
    };
    walk(v.root_module);
  };
  values(out.planned_values);
  values(isObject(out.prior_state) ? out.prior_state.values : undefined);
  const declared = (((out.configuration as Json | undefined)?.root_module as Json | undefined)?.variables ?? {}) as Record<
    string,
    Json | undefined
  >;
  for (const [name, v] of Object.entries((out.variables ?? {}) as Record<string, Json>)) {
    if (declared[name]?.sensitive === true) v.value = redact(v.value, true);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Planning one stack in a working copy

export interface PlannedStack {
  readonly stack: string;
  readonly ok: boolean;
  /** The redacted JSON of the plan. */
  readonly json?: PlanJson;
  /** The engine's rendering of the plan (sensitive values hidden by the engine). */
  readonly text?: string;
  /** The engine's output when it failed. */
  readonly error?: string;
  readonly ms: number;
}

export interface EngineRunOptions {
  /** Environment of the engine (credentials, DOCKER_HOST). */
  readonly env?: NodeJS.ProcessEnv;
  /** Only these resources (-target), e.g. what moto can create. */
  readonly targets?: readonly string[];
  /** @default true */
  readonly refresh?: boolean;
  /** Also render the plan as text (`show`, one more provider start). @default true */
  readonly text?: boolean;
}

/** `init` once per working directory. */
export async function initWorkDir(tools: Tools, workDir: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  if (fs.existsSync(path.join(workDir, '.terraform.lock.hcl'))) return;
  await engine(tools, workDir, ['init', '-input=false', '-no-color'], { env });
}

/** plan -out, then show -json (redacted) and show (text) of it; the binary plan is removed. */
export async function planWorkDir(tools: Tools, workDir: string, stack: string, opts: EngineRunOptions = {}): Promise<PlannedStack> {
  const started = Date.now();
  const env = opts.env ?? {};
  await initWorkDir(tools, workDir, env);
  const planFile = path.join(workDir, `${stack}.tfplan`);
  const args = [
    'plan',
    '-input=false',
    '-no-color',
    '-lock=false',
    `-out=${planFile}`,
    ...(opts.refresh === false ? ['-refresh=false'] : []),
    ...(opts.targets ?? []).map((t) => `-target=${t}`),
  ];
  try {
    const plan = await engine(tools, workDir, args, { env, allowFailure: true });
    if (plan.code !== 0) return { stack, ok: false, error: `${plan.stderr}\n${plan.stdout}`.trim(), ms: Date.now() - started };
    const show = await engine(tools, workDir, ['show', '-json', planFile], { env });
    const text = opts.text === false ? undefined : (await engine(tools, workDir, ['show', '-no-color', planFile], { env })).stdout;
    const json = checkPlanJson(planFile, redactPlan(JSON.parse(show.stdout) as Json));
    return { stack, ok: true, json, text, ms: Date.now() - started };
  } finally {
    fs.rmSync(planFile, { force: true });
  }
}

/** apply (optionally only -target resources); returns the engine's output and whether it succeeded. */
export async function applyWorkDir(
  tools: Tools,
  workDir: string,
  opts: EngineRunOptions & { timeoutMs?: number } = {},
): Promise<{ ok: boolean; output: string }> {
  const env = opts.env ?? {};
  await initWorkDir(tools, workDir, env);
  const r = await engine(
    tools,
    workDir,
    ['apply', '-input=false', '-no-color', '-lock=false', '-auto-approve', ...(opts.targets ?? []).map((t) => `-target=${t}`)],
    { env, allowFailure: true, timeoutMs: opts.timeoutMs },
  );
  return { ok: r.code === 0, output: `${r.stdout}\n${r.stderr}`.trim() };
}

/** The state path a synthesized local backend names, resolved from the stack's directory (else none: S3). */
export function localStatePath(stack: SynthStack): string | undefined {
  const local = (stack.json.terraform?.backend as { local?: { path?: string } } | undefined)?.local;
  return local ? path.resolve(stack.dir, local.path ?? 'terraform.tfstate') : undefined;
}

export interface PlanTarget {
  /** Against moto (fresh state in the working copy) instead of AWS. */
  readonly moto?: Moto;
  /** Input variables (written as a tfvars file), for the stacks that declare them. */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** The state to plan against. @default the synthesized backend's (a local path resolved, or S3) */
  readonly statePath?: string;
  /** More files for the working copy (e.g. an override file of a test). @default none */
  readonly extraFiles?: Readonly<Record<string, unknown>>;
}

/** A working copy of a stack for the engine: the synthesized files, the backend, moto's endpoints, the variables. */
export function stackWorkDir(stack: SynthStack, workDir: string, t: PlanTarget = {}): void {
  const declared = Object.keys(stack.json.variable ?? {});
  const vars = Object.fromEntries(Object.entries(t.vars ?? {}).filter(([k]) => declared.includes(k)));
  const extra: Record<string, unknown> = {};
  if (t.moto) {
    const override = motoOverride(t.moto.url, workDir) as { terraform: { backend: { local: { path: string } } } };
    if (t.statePath) override.terraform.backend.local.path = t.statePath;
    extra['zz_moto_override.tf.json'] = override;
  } else {
    const state = t.statePath ?? localStatePath(stack);
    if (state) extra['zz_backend_override.tf.json'] = { terraform: { backend: { local: { path: state } } } };
  }
  if (Object.keys(vars).length) extra['plan.auto.tfvars.json'] = vars;
  prepareWorkDir(stack, workDir, { ...extra, ...t.extraFiles });
}

/** Whether the environment names AWS credentials the provider would find (instance roles are not visible from here). */
export function awsCredentialsVisible(env: NodeJS.ProcessEnv = process.env): boolean {
  const home = env.HOME ?? '';
  return (
    Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) ||
    Boolean(env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) ||
    (home !== '' && (fs.existsSync(path.join(home, '.aws', 'credentials')) || fs.existsSync(path.join(home, '.aws', 'config'))))
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The command line

const USAGE = 'usage: npm run plan -- [--out-dir DIR] [--plan-dir DIR] [--moto] [--var NAME=JSON]... [--no-synth] [--help] STACK...';
const HELP = `${USAGE}

Plans each STACK with the project's engine and pinned providers and writes, into --plan-dir:
<stack>.json (terraform show -json, every sensitive value replaced by a keyed hash) for
\`npm run review -- --plan DIR\`, and <stack>.txt (the engine's rendering) for a person.

  --out-dir DIR     the synthesis to plan (default cdktf.out, synthesized first unless --no-synth)
  --no-synth        plan --out-dir as it is
  --plan-dir DIR    where the plans go (default plans/)
  --moto            plan the AWS stacks against moto on loopback (seeded VPC and subnets, a fresh state), not AWS
  --var NAME=JSON   an input variable (client_access, alarm_subscribers, redis_password), repeatable
  -h, --help        this text

AWS stacks use the AWS credentials of the environment (a read-only plan role is enough: the plan runs with
-lock=false); state: the S3 backend (CACHE_STATE_BUCKET) or terraform.<stack>.tfstate. local uses DOCKER_HOST.
Exit codes: 0 every plan written; 1 the engine failed; 2 usage, malformed input or no tools.
`;

class UsageError extends Error {}

interface Args {
  outDir: string;
  planDir: string;
  synth: boolean;
  moto: boolean;
  vars: Record<string, unknown>;
  stacks: string[];
  help: boolean;
}

export function parsePlanArgs(argv: readonly string[]): Args {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'out-dir': { type: 'string' },
        'plan-dir': { type: 'string' },
        'no-synth': { type: 'boolean' },
        moto: { type: 'boolean' },
        var: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(shorten((e as Error).message));
  }
  const { values, positionals } = parsed;
  const empty = (['out-dir', 'plan-dir'] as const).filter((k) => values[k] === '');
  if (empty.length) throw new UsageError(empty.map((k) => `--${k} needs a value, got an empty string`).join('; '));
  const vars: Record<string, unknown> = {};
  for (const v of values.var ?? []) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(v);
    if (!m) throw new UsageError(`--var ${quote(v)}: expected NAME=VALUE (VALUE as JSON, or a plain string)`);
    try {
      vars[m[1]] = JSON.parse(m[2]);
    } catch {
      vars[m[1]] = m[2];
    }
  }
  if (!values.help && !positionals.length) throw new UsageError('name at least one stack to plan');
  return {
    outDir: path.resolve(values['out-dir'] ?? path.join(REPO_ROOT, 'cdktf.out')),
    planDir: path.resolve(values['plan-dir'] ?? path.join(REPO_ROOT, 'plans')),
    synth: !values['no-synth'],
    moto: values.moto ?? false,
    vars,
    stacks: positionals,
    help: values.help ?? false,
  };
}

/** Writes a file readable by its owner only, atomically. */
function writePrivate(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export async function main(argv: readonly string[], log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  let args: Args;
  let stacks: SynthStack[];
  try {
    args = parsePlanArgs(argv);
    if (args.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (args.synth) await synthInto(args.outDir);
    const all = readStacks(args.outDir);
    const unknown = args.stacks.filter((s) => !all.some((x) => x.name === s));
    if (unknown.length) {
      throw new UsageError(
        `no stack ${unknown.map((u) => quote(u)).join(', ')} in ${shorten(args.outDir)}; the stacks are: ${all.map((s) => s.name).join(', ')}`,
      );
    }
    stacks = args.stacks.map((n) => all.find((s) => s.name === n) as SynthStack);
  } catch (e) {
    if (e instanceof UsageError || e instanceof MalformedOutputError) {
      log(`plan: ${e.message}${e instanceof UsageError ? `\n${USAGE}` : ''}`);
      return 2;
    }
    throw e;
  }
  const aws = stacks.some(usesAws);
  const needs: ToolName[] = [
    'engine',
    'random',
    ...(aws ? (['aws'] as const) : []),
    ...(stacks.some((s) => !usesAws(s)) ? (['docker'] as const) : []),
  ];
  if (aws && args.moto) needs.push('moto');
  let tools: Tools;
  try {
    tools = requireTools(needs);
  } catch (e) {
    log(`plan: ${(e as Error).message}`);
    return 2;
  }
  if (aws && !args.moto && !awsCredentialsVisible()) {
    log(
      'plan: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_WEB_IDENTITY_TOKEN_FILE or ~/.aws); the provider may still find an instance role. Use --moto to plan against moto.',
    );
  }
  fs.mkdirSync(args.planDir, { recursive: true });
  const work = tempDir('isl-plan-');
  let moto: Moto | undefined;
  let failed = false;
  try {
    for (const stack of stacks) {
      const workDir = path.join(work, stack.name);
      let env: NodeJS.ProcessEnv = {};
      if (usesAws(stack) && args.moto) {
        moto ??= await startMoto(tools);
        await moto.seed(providerRegion(stack.json) ?? 'us-east-1', [{ env: stack.name, cidr: '10.10.0.0/16', private_subnets: true }]);
        env = fakeAwsEnv();
      }
      stackWorkDir(stack, workDir, { moto: usesAws(stack) ? moto : undefined, vars: args.vars });
      const p = await planWorkDir(tools, workDir, stack.name, { env });
      if (!p.ok || !p.json) {
        failed = true;
        log(`plan: ${stack.name}: the engine failed (${tools.engineName}):\n${p.error ?? ''}`);
        continue;
      }
      const jsonFile = path.join(args.planDir, `${stack.name}.json`);
      writePrivate(jsonFile, `${JSON.stringify(p.json, null, 1)}\n`);
      writePrivate(path.join(args.planDir, `${stack.name}.txt`), p.text ?? '');
      const counts = (p.text ?? '').match(/^Plan: .*$|^No changes\..*$/m)?.[0] ?? '';
      const shown = path.relative(process.cwd(), jsonFile);
      log(
        `plan: ${stack.name}: ${counts} → ${shown.startsWith('..') ? jsonFile : shown} (${(p.ms / 1000).toFixed(1)} s, ${tools.engineName}${moto && usesAws(stack) ? ', against moto' : ''})`,
      );
    }
  } finally {
    await moto?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`plan: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
