/**
 * `npm run bench -- [options]`: the project's benchmarks, one module each under scripts/bench/ (synth.ts, tests.ts,
 * redis.ts, sizing.ts; each file says what it measures and its target). Not part of `npm test`. `--help` lists the
 * options.
 *
 * Exit code: 0 = every target met; 1 = a target missed (MISS) or a measurement that could not be taken (ERROR), each
 * named in the output; 2 = usage (an unknown option, a malformed value). The table, the machine and the notes go to
 * stdout, progress to stderr, every figure to the JSON file.
 */
import { UsageError } from './lib/cli';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { BenchOutcome, HarnessError, ROOT, Row } from './bench/common';
import { describeMachine, machineLine } from './bench/machine';
import { redisBench } from './bench/redis';
import { sizingBench } from './bench/sizing';
import { synthBench } from './bench/synth';
import { testsBench } from './bench/tests';

const HELP = `usage: npm run bench -- [options]

Measures, in this order (the table lists them as numbered):
  4. sizing      the sizing's node sets against a brute force from guide 000's table      target: = cheapest
  1. synth       the synth app against a floor app with the same provider modules         target: ≤ 1.5× floor
  3. redis       the local Redis config against stock redis-server with AOF (SET, GET)     target: ≥ 0.95× stock
  2. tests       one \`npm test\`                                                            target: < 60 s

Options:
  --runs N            synth: timed runs of the real app and of the floor, each (default 5)
  --app COMMAND       synth: time this app command instead of cdktf.json's \`app\` (the floor runs the same way);
                      repeat it to compare several (their runs take turns within each round)
  --rounds N          redis: redis-benchmark rounds per server (default 12)
  --requests N        redis: requests per redis-benchmark test, -n (default 400000)
  --candidate LINE    redis: also benchmark the rendered config with LINE appended (a redis.conf directive; repeat
                      for several lines); exploration only, never judged
  --json FILE         write every figure as JSON (default bench-results.json, git-ignored)
  --skip-sizing, --skip-synth, --skip-redis, --skip-tests
                      leave that benchmark out
  -h, --help          this text

Exit code: 0 every target met; 1 a target missed or a measurement failed (named in the output); 2 usage.
`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`--${name}: a whole number ≥ 1, got ${JSON.stringify(v)}`);
  return n;
}

function options(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string' },
        app: { type: 'string', multiple: true },
        rounds: { type: 'string' },
        requests: { type: 'string' },
        candidate: { type: 'string', multiple: true },
        json: { type: 'string' },
        'skip-tests': { type: 'boolean' },
        'skip-synth': { type: 'boolean' },
        'skip-redis': { type: 'boolean' },
        'skip-sizing': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    help: values.help === true,
    runs: positiveInt('runs', values.runs, 5),
    apps: values.app ?? [],
    rounds: positiveInt('rounds', values.rounds, 12),
    requests: positiveInt('requests', values.requests, 400000),
    candidates: values.candidate ?? [],
    json: path.resolve(values.json ?? path.join(ROOT, 'bench-results.json')),
    skip: {
      sizing: values['skip-sizing'] === true,
      synth: values['skip-synth'] === true,
      redis: values['skip-redis'] === true,
      tests: values['skip-tests'] === true,
    },
  };
}

function markdownTable(rows: readonly Row[]): string {
  const head = ['measurement', 'value', 'target', 'ratio', 'result'];
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${[r.measurement, r.value, r.target, r.ratio, r.result].map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = options(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\nRun \`npm run bench -- --help\` for the options.\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }

  const benches: [keyof typeof opts.skip, Row['section'], string, () => BenchOutcome | Promise<BenchOutcome>][] = [
    ['sizing', 4, 'Sizing', () => sizingBench()], // first: instant, and it needs no tool
    ['synth', 1, 'Synth', () => synthBench({ runs: opts.runs, apps: opts.apps })],
    ['redis', 3, 'Local Redis', () => redisBench({ rounds: opts.rounds, requests: opts.requests, candidates: opts.candidates })],
    ['tests', 2, 'Tests', () => testsBench()],
  ];
  const machine = describeMachine();
  const out: Record<string, unknown> = { date: new Date().toISOString(), machine, options: opts };
  const rows: Row[] = [];
  const notes: string[] = [];
  const errors: string[] = [];
  const startedAt = Date.now();
  for (const [key, section, name, bench] of benches) {
    if (opts.skip[key]) continue;
    try {
      const outcome = await bench();
      out[key] = outcome.json;
      rows.push(...outcome.rows);
      notes.push(...outcome.notes);
    } catch (e) {
      // a measurement that could not be taken becomes an ERROR row; the other benchmarks still run
      if (!(e instanceof HarnessError)) throw e;
      errors.push(`${name}: ${e.message}`);
      rows.push({ section, measurement: name, value: e.message.split('\n')[0].slice(0, 160), target: '—', ratio: '—', result: 'ERROR' });
    }
  }

  rows.sort((a, b) => a.section - b.section); // stable: within a section, in the order measured
  const table = markdownTable(rows);
  Object.assign(out, { rows, errors, totalSeconds: Math.round((Date.now() - startedAt) / 100) / 10, markdown: table });
  fs.writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);

  process.stdout.write(`${table}\n\n${machineLine(machine)}\n`);
  for (const n of notes) process.stdout.write(`${n}\n`);
  process.stdout.write(
    `Results written to ${path.relative(process.cwd(), opts.json) || opts.json}; absolute times vary from machine to machine, the ratios hold.\n`,
  );
  const missed = rows.filter((r) => r.result === 'MISS');
  if (missed.length) process.stdout.write(`Missed: ${missed.map((r) => r.measurement).join('; ')}\n`);
  process.stderr.write(errors.map((e) => `bench: ERROR: ${e}\n`).join(''));
  return missed.length || errors.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof HarnessError ? e.message : String((e as Error).stack)}\n`);
    process.exit(1);
  },
);
