/**
 * What the benchmarks of `npm run bench` (scripts/bench.ts) share: the table row each one reports, the error for a
 * measurement that could not be taken, a timed process run, and number formats.
 */
import { SpawnSyncOptions, spawnSync } from 'child_process';
import * as path from 'path';

/** The project root (scripts/bench/..). */
export const ROOT = path.resolve(__dirname, '..', '..');

/** A measurement could not be taken (a tool missing, a server that did not start, a failing test suite): the message says which. */
export class HarnessError extends Error {}

export type Verdict = 'PASS' | 'MISS' | 'info' | 'ERROR';

/** One line of the results table. */
export interface Row {
  /** 1 synth, 2 tests, 3 local Redis, 4 sizing: the table is in this order. */
  readonly section: 1 | 2 | 3 | 4;
  readonly measurement: string;
  readonly value: string;
  readonly target: string;
  readonly ratio: string;
  readonly result: Verdict;
}

/** What one benchmark hands back: its table rows, its results for the JSON file, and lines printed under the table. */
export interface BenchOutcome {
  readonly rows: readonly Row[];
  readonly json: unknown;
  readonly notes: readonly string[];
}

export const log = (s: string): void => {
  process.stderr.write(`bench: ${s}\n`);
};
export const fmt = (n: number, digits = 2): string => n.toFixed(digits);
export const kops = (n: number): string => `${Math.round(n / 1000)}k`;
export const usd = (n: number): string => `$${n.toFixed(2)}`;

/** Runs a command to completion in the project root; returns its wall time, exit and output. */
export function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr), error: r.error };
}

/** The first line a command prints, or undefined when it fails (e.g. `redis-server --version`). */
export function firstLine(cmd: string, args: readonly string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}
