/**
 * Offline plan review (no AWS credentials): `npm run review -- [options]`; `--help` prints HELP below.
 * The logic lives in scripts/review/; this file is the command line and its contract:
 *
 *   exit 0  every guardrail passes
 *   exit 1  a guardrail violation, a change the apply would fail on (REFUSED), or (with --fail-on-data-loss) a change that loses data
 *   exit 2  usage, I/O or malformed input (the message names the file and whether it is head or base)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { PRICE_REGION } from '../config/node-catalog';
import { GUARDRAILS_MODE_VARIABLE } from '../constructs/guardrails/aspect';
import { TfJson, providerRegion } from '../constructs/guardrails/tf-json';
import { renderMarkdown } from './review/markdown';
import { MalformedOutputError, readSynthOutput } from './review/read-output';
import { Review, review } from './review/review';

export const EXIT = { pass: 0, violation: 1, usage: 2 } as const;

const USAGE =
  'usage: npm run review -- [--out-dir DIR] [--base DIR] [--json FILE] [--md FILE] [--stack NAME]... [--fail-on-data-loss] [--help]';

const HELP = `${USAGE}

Reviews synthesized stacks offline: what each deploys, guardrail violations, and against --base the changes,
replacements, data-loss call-outs and the monthly cost delta. Prints markdown.

  --out-dir DIR          review this synthesis output (a cdktf.out) instead of running cdktf synth now
  --base DIR             compare with another synthesis output (e.g. the main branch's cdktf.out)
  --json FILE            also write the review as JSON (written atomically)
  --md FILE              also write the markdown, e.g. for a pull-request comment (written atomically)
  --stack NAME           review only this stack (repeatable)
  --fail-on-data-loss    exit 1 when a change loses data (a DATA LOSS call-out), not only on violations
  -h, --help             this text

Exit codes: 0 every guardrail passes; 1 a guardrail violation (or, with --fail-on-data-loss, data loss);
2 usage, I/O or malformed input.
Costs are on-demand ${PRICE_REGION} prices (config/node-catalog.ts), whatever region a stack deploys to.
`;

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_OUT_DIR = path.join(ROOT, 'cdktf.out');

class UsageError extends Error {}

/** Write a file so that a reader never sees half of it: a temporary sibling, then a rename. */
function writeAtomically(file: string, content: string, option: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UsageError(`cannot write ${option} ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
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
        json: { type: 'string' },
        md: { type: 'string' },
        stack: { type: 'string', multiple: true },
        'fail-on-data-loss': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    return {
      outDir: values['out-dir'],
      base: values.base,
      json: values.json,
      md: values.md,
      stack: values.stack,
      failOnDataLoss: values['fail-on-data-loss'] ?? false,
      help: values.help ?? false,
    };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
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
        `review: warning: head ${outDir} and base ${args.base ?? ''} have no stack in common ` +
          `(head: ${Object.keys(head).join(', ')}; base: ${Object.keys(base).join(', ')}): is the base from another project?\n`,
      );
    }
    if (args.stack?.length) {
      const valid = [...new Set([...Object.keys(head), ...Object.keys(base ?? {})])].sort();
      const unknown = args.stack.filter((s) => !valid.includes(s));
      if (unknown.length) throw new UsageError(`no stack ${unknown.join(', ')}; the stacks are: ${valid.join(', ')}`);
      const picked = args.stack;
      const pick = <T>(all: Record<string, T>) => Object.fromEntries(Object.entries(all).filter(([n]) => picked.includes(n)));
      head = pick(head);
      base = base && pick(base);
    }

    const result: Review = review(head, base, { head: args.outDir ?? 'cdktf.out', base: args.base });
    const markdown = `${renderMarkdown(result)}${regionNote(head)}`;
    if (args.json) writeAtomically(args.json, `${JSON.stringify(result, null, 2)}\n`, '--json');
    if (args.md) writeAtomically(args.md, markdown, '--md');
    process.stdout.write(markdown);

    const dataLoss = result.stacks.flatMap((s) => s.resources.filter((r) => r.dataLoss).map((r) => `${s.stack}: ${r.resource}`));
    if (result.violationCount) process.stderr.write(`review: ${result.violationCount} guardrail violation(s)\n`);
    if (result.refusalCount) process.stderr.write(`review: ${result.refusalCount} change(s) the apply would fail on (REFUSED)\n`);
    if (dataLoss.length) {
      process.stderr.write(
        `review: data loss in ${dataLoss.join(', ')}${args.failOnDataLoss ? '' : ' (exit 1 with --fail-on-data-loss)'}\n`,
      );
    }
    return !result.ok || (args.failOnDataLoss && dataLoss.length) ? EXIT.violation : EXIT.pass;
  } catch (e) {
    if (e instanceof UsageError || e instanceof MalformedOutputError) {
      process.stderr.write(`review: ${e.message}\n${e instanceof UsageError && !e.message.startsWith('cannot write') ? `${USAGE}\n` : ''}`);
      return EXIT.usage;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main();
