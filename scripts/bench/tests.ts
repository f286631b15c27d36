/** Benchmark 2, tests: the wall time of one `npm test` (tool check, lint, format check, tsc --noEmit, jest); target < 60 s. */
import { BenchOutcome, HarnessError, fmt, log, run } from './common';
import { cpuTimes, stealPercent } from './machine';

export const TESTS_TARGET_SECONDS = 60;

function measureTests() {
  const steal0 = cpuTimes();
  log('tests: npm test (tsc --noEmit && jest)…');
  const r = run('npm', ['test'], { env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (r.status !== 0 || r.error) {
    const out = `${r.stdout}\n${r.stderr}`;
    throw new HarnessError(
      `npm test failed (${r.error?.message ?? r.signal ?? `exit ${r.status}`}), so its time means nothing:\n${out.slice(-4000)}`,
    );
  }
  const summary = /^Tests:.*$/m.exec(`${r.stderr}\n${r.stdout}`)?.[0];
  log(`tests: ${fmt(r.ms / 1000, 1)} s (${summary ?? 'no jest summary'})`);
  return { ms: r.ms, summary, stealPercent: stealPercent(steal0) };
}

export function testsBench(): BenchOutcome {
  const tests = measureTests();
  const seconds = tests.ms / 1000;
  return {
    rows: [
      {
        section: 2,
        measurement: 'Tests: npm test (lint, format check, tsc, jest)',
        value: `${fmt(seconds, 1)} s`,
        target: `< ${TESTS_TARGET_SECONDS} s`,
        ratio: fmt(seconds / TESTS_TARGET_SECONDS),
        result: seconds < TESTS_TARGET_SECONDS ? 'PASS' : 'MISS',
      },
    ],
    json: tests,
    notes: [],
  };
}
