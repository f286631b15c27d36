/**
 * Plans (and optionally applies) the AWS stacks with the real engine and AWS provider against moto, an AWS emulator
 * on loopback, seeded with boto3 with what the stacks look up: per environment a VPC tagged Environment=<env> and
 * private subnets tagged Tier=private in <region>a/b/c. Each stack runs in a temporary copy of its directory with an
 * override file that points the provider at moto (endpoints, fake credentials) and the backend at a local state file
 * in that copy: nothing is written into the synthesized JSON.
 *
 * Checks: the plan succeeds and creates exactly the resources of the JSON (by address). The "no matching subnets"
 * case (a VPC without private subnets) must make the plan fail, with --expect-message TEXT in the engine's output.
 * --apply applies each plan and reports what moto created and what it refused.
 *
 *   npm run plan:moto -- [--outdir cdktf.out] [--stacks pilot,staging] [--apply]
 *                                   [--no-subnets-stack pilot] [--expect-message TEXT] [--keep]
 *                                   [--var NAME=JSON ...]   (input variables, for the stacks that declare them)
 */
import { freeLoopbackPort } from '../lib/process';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { providerRegion } from '../../constructs/tf-json';
import {
  baseAddress,
  describePins,
  engine,
  expandingResources,
  prepareWorkDir,
  readStacks,
  requireTools,
  resourceAddresses,
  run,
  SynthStack,
  tempDir,
  Tools,
  usesAws,
} from './tools';

/** An apply against moto that takes longer is stopped (a resource waiting for a state moto never reports). */
export const APPLY_TIMEOUT_MS = 300000;

export interface Moto {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** POST /moto-api/reset: every backend empty again. */
  reset(): Promise<void>;
  /** moto_seed.py: VPCs and subnets per environment. */
  seed(region: string, spec: readonly SeedSpec[]): Promise<Record<string, { vpc_id: string; private_subnet_ids: string[] }>>;
}

export interface SeedSpec {
  readonly env: string;
  readonly cidr: string;
  /** false: the VPC has no subnet tagged Tier=private (the "no matching subnets" case). */
  readonly private_subnets: boolean;
}

async function httpOk(url: string, method = 'GET'): Promise<boolean> {
  try {
    return (await fetch(url, { method, signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Starts moto_server on 127.0.0.1 on a free port; resolves when it answers. Stopped on process exit too. */
export async function startMoto(tools: Tools, timeoutMs = 30000): Promise<Moto> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const log: string[] = [];
  const proc: ChildProcess = spawn(tools.motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (c: Buffer) => log.push(c.toString()));
  proc.stderr?.on('data', (c: Buffer) => log.push(c.toString()));
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deadline = Date.now() + timeoutMs;
  while (!(await httpOk(`${url}/moto-api/data.json`))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${url} within ${timeoutMs} ms; its output:\n${log.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    },
    async reset() {
      if (!(await httpOk(`${url}/moto-api/reset`, 'POST'))) throw new Error('moto: reset failed');
    },
    async seed(region, spec) {
      const r = await run(tools.motoPython, [path.join(__dirname, 'moto_seed.py'), url, region, JSON.stringify(spec)]);
      if (r.code !== 0) throw new Error(`moto_seed.py failed (exit ${r.code}):\n${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, { vpc_id: string; private_subnet_ids: string[] }>;
    },
  };
}

/**
 * Override of the aws provider (fake credentials) and of the backend (local state in the work dir). Moto's address is
 * not here but in the engine's environment (AWS_ENDPOINT_URL, fakeAwsEnv): the provider's `endpoints` block costs about
 * 1.5 s of CPU each time the provider starts (the plugin framework's validation of its ~400 attributes, the slowness
 * pulumi/pulumi-aws#2880 found; measured here: a one-resource plan 3.7 s with one endpoint set, 0.8 s with the variable).
 */
export function motoOverride(workDir: string): Record<string, unknown> {
  return {
    '//': 'Written by scripts/tools/plan-moto.ts: the AWS provider talks to moto on loopback (AWS_ENDPOINT_URL); state stays in this temporary directory.',
    terraform: { backend: { local: { path: path.join(workDir, 'terraform.tfstate') } } },
    provider: {
      aws: {
        access_key: 'testing',
        secret_key: 'testing',
        skip_credentials_validation: true,
        skip_requesting_account_id: false, // moto's STS answers GetCallerIdentity (account 123456789012)
        skip_metadata_api_check: true,
        skip_region_validation: true,
        // moto answers an unimplemented action with HTTP 500, which the SDK would retry for many minutes
        max_retries: 1,
      },
    },
  };
}

/**
 * Environment for the engine against moto: every AWS service at `motoUrl` (the SDK's AWS_ENDPOINT_URL, which the
 * provider honours; a service the stacks start to call reaches moto too, never AWS), and no real AWS credentials,
 * profiles or metadata service can leak in.
 */
export function fakeAwsEnv(motoUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    AWS_ENDPOINT_URL: motoUrl,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: '',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: '',
    AWS_SECURITY_TOKEN: '',
    AWS_PROFILE: '',
    AWS_DEFAULT_PROFILE: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return env;
}

export interface PlanResult {
  readonly stack: string;
  readonly ok: boolean;
  readonly providers: string;
  /** Resource blocks in the synthesized JSON. */
  readonly jsonResources: number;
  /** Of those, the blocks with count/for_each (0 or more instances each). */
  readonly expanding: readonly string[];
  /** Resource instances the plan creates (actions == ["create"]). */
  readonly plannedCreates: number;
  /** Instances the plan creates of the count/for_each blocks. */
  readonly plannedExpanded: number;
  /** Blocks of the JSON (without count/for_each) the plan does not create exactly once; planned addresses not in the JSON. */
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  /** The engine's output when the plan failed. */
  readonly error?: string;
  readonly ms: number;
  readonly workDir: string;
}

export interface ApplyResult {
  readonly stack: string;
  readonly created: readonly string[];
  readonly notCreated: readonly string[];
  /** The engine's error blocks, verbatim. */
  readonly errors: readonly string[];
  readonly ms: number;
}

function engineErrors(output: string): string[] {
  // "Error: summary\n\n  with …\n  on …\n\ndetail" blocks, as the engine prints them with -no-color
  return output
    .split(/\n(?=(?:│ )?Error: )/)
    .filter((b) => /^(?:│ )?Error: /.test(b.trim()))
    .map((b) => b.trim());
}

/** The lines of `terraform plan -json` read here (machine-readable UI). */
interface PlanMessage {
  readonly type: string;
  readonly change?: { readonly action: string; readonly resource: { readonly addr: string; readonly resource_type?: string } };
  readonly diagnostic?: { readonly severity: string; readonly summary: string; readonly detail?: string };
}

/** init + plan -json of one stack in a fresh copy. */
export async function planStack(
  tools: Tools,
  moto: Moto,
  stack: SynthStack,
  workRoot: string,
  vars: Readonly<Record<string, unknown>> = {},
): Promise<PlanResult> {
  const started = Date.now();
  const workDir = path.join(workRoot, stack.name);
  fs.rmSync(workDir, { recursive: true, force: true });
  // input variables: only those the stack declares (the engine rejects values for undeclared ones in a tfvars file)
  const declared = Object.keys(stack.json.variable ?? {});
  const tfvars = Object.fromEntries(Object.entries(vars).filter(([k]) => declared.includes(k)));
  const subs = prepareWorkDir(stack, workDir, {
    'zz_moto_override.tf.json': motoOverride(workDir),
    ...(Object.keys(tfvars).length ? { 'moto.auto.tfvars.json': tfvars } : {}),
  });
  const env = fakeAwsEnv(moto.url);
  const jsonAddresses = resourceAddresses(stack.json);
  const expanding = expandingResources(stack.json);
  const base = { stack: stack.name, providers: describePins(subs), jsonResources: jsonAddresses.length, expanding, workDir };
  await engine(tools, workDir, ['init', '-input=false', '-no-color'], { env });
  // -json: the planned changes and the diagnostics as JSON lines, so no `show -json` (a second provider start) is needed
  const plan = await engine(tools, workDir, ['plan', '-input=false', '-no-color', '-lock=false', '-json'], { env, allowFailure: true });
  const messages = plan.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PlanMessage);
  if (plan.code !== 0) {
    const diagnostics = messages
      .filter((m) => m.type === 'diagnostic' && m.diagnostic?.severity === 'error')
      .map((m) => `Error: ${m.diagnostic?.summary ?? ''}\n${m.diagnostic?.detail ?? ''}`);
    return {
      ...base,
      ok: false,
      plannedCreates: 0,
      plannedExpanded: 0,
      missing: jsonAddresses,
      unexpected: [],
      error: (diagnostics.length ? diagnostics.join('\n\n') : `${plan.stderr}\n${plan.stdout}`).trim(),
      ms: Date.now() - started,
    };
  }
  const creates = messages
    .filter((m) => m.type === 'planned_change' && m.change?.action === 'create' && m.change.resource.resource_type !== undefined)
    .map((m) => m.change?.resource.addr ?? '')
    .filter((a) => !a.startsWith('data.'))
    .sort();
  const fixed = jsonAddresses.filter((a) => !expanding.includes(a));
  const missing = fixed.filter((a) => creates.filter((c) => c === a).length !== 1);
  const unexpected = creates.filter(
    (c) => !jsonAddresses.includes(baseAddress(c)) || (fixed.includes(baseAddress(c)) && c !== baseAddress(c)),
  );
  const plannedExpanded = creates.filter((c) => expanding.includes(baseAddress(c))).length;
  return {
    ...base,
    ok: missing.length === 0 && unexpected.length === 0,
    plannedCreates: creates.length,
    plannedExpanded,
    missing,
    unexpected,
    ms: Date.now() - started,
  };
}

/** Applies the saved plan of a planned stack against moto; reports what was created and the engine's errors. */
export async function applyStack(tools: Tools, moto: Moto, planned: PlanResult, stack: SynthStack): Promise<ApplyResult> {
  const started = Date.now();
  const env = fakeAwsEnv(moto.url);
  const apply = await engine(tools, planned.workDir, ['apply', '-input=false', '-no-color', '-lock=false', '-auto-approve'], {
    env,
    allowFailure: true,
    timeoutMs: APPLY_TIMEOUT_MS,
  });
  const list = await engine(tools, planned.workDir, ['state', 'list'], { env, allowFailure: true });
  const inState = new Set(
    list.stdout
      .split('\n')
      .map((l) => baseAddress(l.trim()))
      .filter(Boolean),
  );
  const all = resourceAddresses(stack.json);
  return {
    stack: stack.name,
    created: all.filter((a) => inState.has(a)),
    notCreated: all.filter((a) => !inState.has(a)),
    errors: apply.code === 0 ? [] : engineErrors(apply.stderr), // the engine writes its diagnostics to stderr
    ms: Date.now() - started,
  };
}

export interface MotoRunOptions {
  readonly outdir: string;
  /** AWS stacks to plan (default: every stack that uses the AWS provider). */
  readonly stacks?: readonly string[];
  readonly apply?: boolean;
  /** Stack planned against a VPC without private subnets; must fail. Empty: skip that case. */
  readonly noSubnetsStack?: string;
  /** Input variables of that case (e.g. `{}`: no subscribers or clients either). @default `vars` */
  readonly noSubnetsVars?: Readonly<Record<string, unknown>>;
  /** Synth output that case's stack is read from (e.g. one synthesized without AWS_REGION and CACHE_STATE_BUCKET). @default outdir */
  readonly noSubnetsOutdir?: string;
  readonly region?: string;
  /** Input variables for every stack that declares them (written as moto.auto.tfvars.json in its work dir). */
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly tools?: Tools;
  readonly workRoot?: string;
  readonly log?: (line: string) => void;
}

export interface MotoRun {
  readonly plans: readonly PlanResult[];
  readonly applies: readonly ApplyResult[];
  readonly noSubnets?: PlanResult;
}

/** Starts moto, seeds it, plans (and applies) every selected stack, runs the no-subnets case, stops moto. */
export async function runAgainstMoto(opts: MotoRunOptions): Promise<MotoRun> {
  const tools = opts.tools ?? requireTools(['engine', 'aws', 'random', 'moto']);
  const log = opts.log ?? (() => undefined);
  const region = opts.region ?? 'us-east-1';
  const all = readStacks(opts.outdir).filter(usesAws);
  const wanted = opts.stacks;
  const selected = wanted ? all.filter((s) => wanted.includes(s.name)) : all;
  const unknown = (opts.stacks ?? []).filter((n) => !all.some((s) => s.name === n));
  if (unknown.length) throw new Error(`no synthesized AWS stack named ${unknown.join(', ')} (have: ${all.map((s) => s.name).join(', ')})`);
  for (const s of all) {
    const r = providerRegion(s.json);
    if (r && r !== region) throw new Error(`${s.name}: synthesized for region ${r}; run with --region ${r}`);
  }
  const workRoot = opts.workRoot ?? tempDir('isl-moto-');
  const moto = await startMoto(tools);
  log(`moto ${tools.motoVersion} on ${moto.url}`);
  try {
    const seeded = await moto.seed(
      region,
      selected.map((s, i) => ({ env: s.name, cidr: `10.${10 + i}.0.0/16`, private_subnets: true })),
    );
    for (const [env, ids] of Object.entries(seeded))
      log(`seeded ${env}: ${ids.vpc_id} (Environment=${env}), private subnets ${ids.private_subnet_ids.join(', ')}`);
    const plans: PlanResult[] = [];
    const applies: ApplyResult[] = [];
    for (const stack of selected) {
      const p = await planStack(tools, moto, stack, workRoot, opts.vars);
      plans.push(p);
      log(planLine(p));
      if (opts.apply && p.error === undefined) {
        const a = await applyStack(tools, moto, p, stack);
        applies.push(a);
        log(applyLine(a));
      }
    }
    let noSubnets: PlanResult | undefined;
    const target = opts.noSubnetsStack === undefined ? selected[0]?.name : opts.noSubnetsStack;
    if (target) {
      const stack = (opts.noSubnetsOutdir ? readStacks(opts.noSubnetsOutdir).filter(usesAws) : all).find((s) => s.name === target);
      if (!stack) throw new Error(`--no-subnets-stack ${target}: no such AWS stack`);
      await moto.reset();
      await moto.seed(region, [{ env: stack.name, cidr: '10.99.0.0/16', private_subnets: false }]);
      noSubnets = await planStack(tools, moto, stack, path.join(workRoot, 'no-subnets'), opts.noSubnetsVars ?? opts.vars);
    }
    return { plans, applies, noSubnets };
  } finally {
    await moto.stop();
    if (!opts.workRoot) fs.rmSync(workRoot, { recursive: true, force: true });
  }
}

export function planLine(p: PlanResult): string {
  if (p.error !== undefined) return `${p.stack}: plan FAILED (${p.providers})\n${indent(p.error)}`;
  const verdict = p.ok ? 'plan ok' : 'plan MISMATCH';
  const diff = [
    p.missing.length ? `not planned: ${p.missing.join(', ')}` : '',
    p.unexpected.length ? `not in the JSON: ${p.unexpected.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const expanded = p.expanding.length
    ? ` (${p.expanding.length} of them with count/for_each, planned as ${p.plannedExpanded} instances)`
    : '';
  return `${p.stack}: ${verdict}: ${p.plannedCreates} to create, ${p.jsonResources} resources in the JSON${expanded} (${p.providers})${diff ? `; ${diff}` : ''}`;
}

export function applyLine(a: ApplyResult): string {
  const head = `${a.stack}: apply against moto: ${a.created.length} of ${a.created.length + a.notCreated.length} resources created`;
  const missing = a.notCreated.length ? `\n  not created: ${a.notCreated.join(', ')}` : '';
  return `${head}${missing}${a.errors.map((e) => `\n${indent(e)}`).join('')}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
