/**
 * Plan review: `npm run review -- [options]`; `--help` prints HELP below. Offline (no AWS credentials) from two
 * syntheses, or from the engine's plan (`--plan`, the JSON of `terraform show -json <planfile>`, e.g. from
 * `npm run plan`). The logic lives in scripts/review/; this file is the command line and its contract:
 *
 *   exit 0  every guardrail passes
 *   exit 1  a guardrail violation, a change the apply would fail on (REFUSED), or (with --fail-on-data-loss) a change that loses data
 *   exit 2  usage, I/O or malformed input (the message names the file and whether it is head, base or a plan); never a stack trace
 */
import { UsageError } from './lib/cli';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { PRICE_REGION } from '../constructs/facts/node-catalog';
import { GUARDRAILS_MODE_VARIABLE } from '../config/deployment';
import { TfJson, providerRegion } from '../constructs/tf-json';
import { renderMarkdown } from './review/markdown';
import { MalformedOutputError, readSynthOutput } from './review/read-output';
import { MalformedPlanError, StackPlan, readPlans } from './review/read-plan';
import { Review, review } from './review/review';
import { quote, shorten } from './review/text';

export const EXIT = { pass: 0, violation: 1, usage: 2 } as const;

const USAGE =
  'usage: npm run review -- [--out-dir DIR] [--base DIR] [--plan FILE|DIR] [--json FILE] [--md FILE] [--stack NAME]... [--fail-on-data-loss] [--help]';

const HELP = `${USAGE}

Reviews the stacks: what each deploys, guardrail violations, and what a change does: replacements, data loss and
outages (said first, with how to restore), changes refused or deferred under apply_immediately, rotation and
migration steps, the monthly cost delta. Prints markdown.

  --out-dir DIR          review this synthesis output (a cdktf.out) instead of running cdktf synth now
  --base DIR             compare with another synthesis output (e.g. the main branch's cdktf.out): the offline
                         prediction of what the change does
  --plan FILE|DIR        take the changes from the engine's plan instead: the JSON of \`terraform show -json
                         <planfile>\` (or tofu's) of one stack (FILE named <stack>.json, or --stack NAME), or a
                         directory of <stack>.json files as \`npm run plan\` writes them. Adds the drift the plan
                         found; with --base, also holds the offline prediction to the plan
  --json FILE            also write the review as JSON (written atomically; no sensitive value)
  --md FILE              also write the markdown, e.g. for a pull-request comment (written atomically)
  --stack NAME           review only this stack (repeatable)
  --fail-on-data-loss    exit 1 when a change loses data: a replication group replaced or deleted (whatever its
                         final snapshot: it is an outage, and the new group starts empty), or another data store
                         replaced or deleted without its data; not only on violations
  -h, --help             this text

Exit codes: 0 every guardrail passes; 1 a guardrail violation, a change the apply would fail on (REFUSED), or
(with --fail-on-data-loss) data loss; 2 usage, I/O or malformed input.
Costs are on-demand ${PRICE_REGION} prices (constructs/facts/node-catalog.ts), whatever region a stack deploys to.
`;

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_OUT_DIR = path.join(ROOT, 'cdktf.out');

/** An output file cannot be written: exit 2 without the usage line. */
class OutputError extends Error {}

/**
 * Write the output files so that a reader never sees half of one, and none is written when another cannot be: each to
 * a temporary sibling first, then all renamed.
 */
function writeOutputs(outputs: ReadonlyArray<{ file: string; content: string; option: string }>): void {
  const written: string[] = [];
  const tmpOf = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fail = (o: { file: string; option: string }, e: unknown): never => {
    for (const t of written) {
      try {
        fs.rmSync(t, { force: true });
      } catch {
        // nothing was written there (a parent that is a file, or not writable)
      }
    }
    throw new OutputError(
      `cannot write ${o.option} ${shorten(o.file)} (${(e as NodeJS.ErrnoException).code ?? shorten((e as Error).message)})`,
    );
  };
  for (const o of outputs) {
    try {
      written.push(tmpOf(o.file));
      fs.writeFileSync(tmpOf(o.file), o.content);
    } catch (e) {
      fail(o, e);
    }
  }
  for (const o of outputs) {
    try {
      fs.renameSync(tmpOf(o.file), o.file);
    } catch (e) {
      fail(o, e);
    }
  }
}

/** The line under the review that names each stack's region and the region of the prices. */
export function regionNote(head: Readonly<Record<string, TfJson>>): string {
  const regions = Object.entries(head)
    .map(([name, json]) => [name, providerRegion(json)] as const)
    .filter((e): e is readonly [string, string] => e[1] !== undefined);
  if (!regions.length) return '';
  const elsewhere = regions.some(([, r]) => r !== PRICE_REGION);
  return (
    `\nRegions: ${regions.map(([n, r]) => `${n} ${r}`).join(', ')}. ` +
    `Prices are the catalog's ${PRICE_REGION} on-demand prices${elsewhere ? '; other regions charge differently' : ''}.\n`
  );
}

interface Args {
  outDir?: string;
  base?: string;
  plan?: string;
  json?: string;
  md?: string;
  stack?: string[];
  failOnDataLoss: boolean;
  help: boolean;
}

function parse(argv: readonly string[]): Args {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        'out-dir': { type: 'string' },
        base: { type: 'string' },
        plan: { type: 'string' },
        json: { type: 'string' },
        md: { type: 'string' },
        stack: { type: 'string', multiple: true },
        'fail-on-data-loss': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    const empty = (['out-dir', 'base', 'plan', 'json', 'md'] as const).filter((k) => values[k] === '');
    if (values.stack?.includes('')) empty.push('stack' as never);
    if (empty.length) throw new UsageError(empty.map((k) => `--${k} needs a value, got an empty string`).join('; '));
    return {
      outDir: values['out-dir'],
      base: values.base,
      plan: values.plan,
      json: values.json,
      md: values.md,
      stack: values.stack,
      failOnDataLoss: values['fail-on-data-loss'] ?? false,
      help: values.help ?? false,
    };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(shorten((e as Error).message));
  }
}

/** The plans of --plan, by stack; each must name a stack of the head synthesis. */
function plansFor(target: string, stacks: readonly string[], picked: readonly string[] | undefined): Record<string, StackPlan> {
  const single = picked?.length === 1 ? picked[0] : undefined;
  const plans = readPlans(target, single);
  const unknown = plans.filter((p) => !stacks.includes(p.stack));
  if (unknown.length) {
    throw new UsageError(
      unknown
        .map(
          (p) =>
            `plan ${shorten(p.file)}: no synthesized stack ${quote(p.stack)} (from the file name); the stacks are: ${stacks.join(', ')}. Name the file <stack>.json or pass --stack NAME`,
        )
        .join('; '),
    );
  }
  return Object.fromEntries(plans.filter((p) => !picked?.length || picked.includes(p.stack)).map((p) => [p.stack, p]));
}

function synthesize(): string {
  process.stderr.write('review: synthesizing (cdktf synth)…\n');
  const synth = spawnSync('npx', ['cdktf', 'synth'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1', [GUARDRAILS_MODE_VARIABLE]: 'warn' },
  });
  if (synth.status !== 0) {
    process.stderr.write(`${synth.stdout}${synth.stderr}`);
    throw new UsageError(`cdktf synth failed (exit ${synth.status ?? synth.signal ?? 'unknown'})`);
  }
  return DEFAULT_OUT_DIR;
}

/** Run the review; returns the exit code. */
export function main(argv: readonly string[] = process.argv.slice(2)): number {
  try {
    const args = parse(argv);
    if (args.help) {
      process.stdout.write(HELP);
      return EXIT.pass;
    }
    const outDir = args.outDir ?? synthesize();
    let head = readSynthOutput(outDir, 'head');
    let base = args.base === undefined ? undefined : readSynthOutput(args.base, 'base');

    if (base && !Object.keys(head).some((s) => base && s in base)) {
      process.stderr.write(
        `review: warning: head ${shorten(outDir)} and base ${shorten(args.base ?? '')} have no stack in common ` +
          `(head: ${Object.keys(head).join(', ')}; base: ${Object.keys(base).join(', ')}): is the base from another project?\n`,
      );
    }
    if (args.stack?.length) {
      const valid = [...new Set([...Object.keys(head), ...Object.keys(base ?? {})])].sort();
      const unknown = args.stack.filter((s) => !valid.includes(s));
      if (unknown.length)
        throw new UsageError(`no stack ${unknown.map((u) => shorten(u)).join(', ')}; the stacks are: ${valid.join(', ')}`);
      const picked = args.stack;
      const pick = <T>(all: Record<string, T>) => Object.fromEntries(Object.entries(all).filter(([n]) => picked.includes(n)));
      head = pick(head);
      base = base && pick(base);
    }

    const plans = args.plan === undefined ? {} : plansFor(args.plan, Object.keys(head), args.stack);
    const result: Review = review(head, base, { head: args.outDir ?? 'cdktf.out', base: args.base }, plans);
    const markdown = `${renderMarkdown(result)}${regionNote(head)}`;
    writeOutputs([
      ...(args.json ? [{ file: args.json, content: `${JSON.stringify(result, null, 2)}\n`, option: '--json' }] : []),
      ...(args.md ? [{ file: args.md, content: markdown, option: '--md' }] : []),
    ]);
    process.stdout.write(markdown);

    const dataLoss = result.stacks.flatMap((s) =>
      s.resources.filter((r) => r.dataLoss).map((r) => `${s.stack}: ${r.resource}${r.outage ? ' (and an outage)' : ''}`),
    );
    if (result.violationCount) process.stderr.write(`review: ${result.violationCount} guardrail violation(s)\n`);
    if (result.refusalCount) process.stderr.write(`review: ${result.refusalCount} change(s) the apply would fail on (REFUSED)\n`);
    if (dataLoss.length) {
      process.stderr.write(
        `review: data loss in ${dataLoss.join(', ')}${args.failOnDataLoss ? '' : ' (exit 1 with --fail-on-data-loss)'}\n`,
      );
    }
    return !result.ok || (args.failOnDataLoss && dataLoss.length) ? EXIT.violation : EXIT.pass;
  } catch (e) {
    if (e instanceof UsageError || e instanceof OutputError || e instanceof MalformedOutputError || e instanceof MalformedPlanError) {
      process.stderr.write(`review: ${e.message}\n${e instanceof UsageError ? `${USAGE}\n` : ''}`);
      return EXIT.usage;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main();
