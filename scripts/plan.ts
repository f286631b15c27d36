/**
 * npm run plan -- STACK...: the engine's plan of each stack, with the project's engine and settings, as JSON for the
 * review (`npm run review -- --plan plans`) and as text, in plans/ (scripts/tools/plan.ts does the work). Exit 0 every
 * plan made, 1 the engine failed, 2 usage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { providerRegion } from '../constructs/tf-json';
import { runCli, UsageError } from './lib/cli';
import { MalformedOutputError } from './review/read-output';
import { quote, shorten } from './review/text';
import { awsCredentialsVisible, planWorkDir, stackWorkDir } from './tools/plan';
import { Moto, fakeAwsEnv, startMoto } from './tools/plan-moto';
import { readStacks, REPO_ROOT, requireTools, SynthStack, synthInto, tempDir, ToolName, Tools, usesAws } from './tools/tools';

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
        env = fakeAwsEnv(moto.url);
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

if (require.main === module) runCli('plan', USAGE, () => main(process.argv.slice(2)));
