/**
 * Offline plan review (no AWS credentials): `npm run review -- [options]`.
 *
 *   --out-dir DIR   review this synthesis output (a cdktf.out) instead of synthesizing now
 *   --base DIR      compare with another synthesis output (e.g. the main branch's cdktf.out)
 *   --json FILE     also write the review as JSON
 *   --md FILE       also write the markdown (for a pull-request comment)
 *   --stack NAME    review only this stack (repeatable)
 *
 * Without --out-dir it runs `cdktf synth` (CHECKPOINT_DISABLE=1) into cdktf.out, with guardrails in `warn`
 * mode so that a violating stack is still synthesized and reported here rather than aborting synth.
 * Prints the markdown; exit code 0 = every guardrail passes, 1 = violations, 2 = usage or synth error.
 * The logic lives in scripts/review/.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { GUARDRAILS_MODE_VARIABLE } from '../constructs/guardrails/aspect';
import { TfJson } from '../constructs/guardrails/tf-json';
import { renderMarkdown } from './review/markdown';
import { readSynthOutput } from './review/read-output';
import { review } from './review/review';

const USAGE = 'usage: review [--out-dir DIR] [--base DIR] [--json FILE] [--md FILE] [--stack NAME]...';
const ROOT = path.resolve(__dirname, '..');
const DEFAULT_OUT_DIR = path.join(ROOT, 'cdktf.out');

function fail(message: string): never {
  process.stderr.write(`review: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function main(): number {
  let args;
  try {
    args = parseArgs({
      options: {
        'out-dir': { type: 'string' },
        base: { type: 'string' },
        json: { type: 'string' },
        md: { type: 'string' },
        stack: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail((e as Error).message);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let outDir = args['out-dir'];
  if (!outDir) {
    process.stderr.write('review: synthesizing (cdktf synth)…\n');
    const synth = spawnSync('npx', ['cdktf', 'synth'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', [GUARDRAILS_MODE_VARIABLE]: 'warn' },
    });
    if (synth.status !== 0) {
      process.stderr.write(`${synth.stdout ?? ''}${synth.stderr ?? ''}`);
      fail(`cdktf synth failed (exit ${synth.status ?? synth.signal})`);
    }
    outDir = DEFAULT_OUT_DIR;
  }

  let head: Record<string, TfJson>;
  let base: Record<string, TfJson> | undefined;
  try {
    head = readSynthOutput(outDir);
    base = args.base ? readSynthOutput(args.base) : undefined;
  } catch (e) {
    fail((e as Error).message);
  }
  if (args.stack?.length) {
    const unknown = args.stack.filter((s) => !(s in head) && !(base && s in base));
    if (unknown.length) fail(`no stack ${unknown.join(', ')} in ${outDir}${args.base ? ` or ${args.base}` : ''}`);
    const pick = <T>(all: Record<string, T>) => Object.fromEntries(Object.entries(all).filter(([n]) => args.stack!.includes(n)));
    head = pick(head);
    base = base && pick(base);
  }

  const result = review(head, base, { head: args['out-dir'] ?? 'cdktf.out', base: args.base });
  const markdown = renderMarkdown(result);
  process.stdout.write(markdown);
  if (args.json) fs.writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
  if (args.md) fs.writeFileSync(args.md, markdown);
  if (!result.ok) process.stderr.write(`review: ${result.violationCount} guardrail violation(s)\n`);
  return result.ok ? 0 : 1;
}

process.exitCode = main();
