/**
 * Benchmark 1, synth: the wall time of the synth app command, what `cdktf synth` runs (cdktf.json `app`, today
 * `node -r ./scripts/ts-register.js main.ts`; CDKTF_OUTDIR = a temp dir, CHECKPOINT_DISABLE=1), against a floor run
 * the same way with scripts/bench/floor.ts as the entry: it loads the provider submodules the real app loaded
 * (recorded from an untimed run of the real app) and synthesizes one stack with one resource. Alternating runs after
 * one warm-up each; medians; target: real ÷ floor ≤ 1.5.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { removeDir, tempDir } from '../lib/redis-server';
import { BenchOutcome, HarnessError, ROOT, Row, fmt, log, run } from './common';
import { cpuTimes, stealPercent } from './machine';
import { median, pairedRatios, rotation } from './stats';

export const SYNTH_TARGET_RATIO = 1.5;

export interface SynthOptions {
  /** Timed runs of the real app and of the floor, each. */
  readonly runs: number;
  /** App commands to time instead of cdktf.json's `app` (to compare loaders); empty: cdktf.json's. */
  readonly apps: readonly string[];
}

/**
 * The synth app command (cdktf.json `app`) as argv, and where its entry file sits, so that the floor can run the
 * same way with its own entry. Words split on white space; quotes around a word are removed.
 */
export function appArgv(app: string): { argv: string[]; entryIndex: number } {
  const argv = (app.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(["'])(.*)\1$/, '$2'));
  const entryIndex = argv.length - 1;
  if (argv.length < 2 || !/\.[cm]?[jt]s$/.test(argv[entryIndex]) || /[|&;<>$`]/.test(app)) {
    throw new Error(`synth: cannot time the app command ${JSON.stringify(app)}: expected \`<runtime> [options] <entry file>\``);
  }
  return { argv, entryIndex };
}

function cdktfApp(): string {
  const app = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as { app?: unknown }).app;
  if (typeof app !== 'string') throw new HarnessError('cdktf.json: no "app" command');
  return app;
}

/**
 * Preloaded into one untimed run of the real app (after its loader): records the modules it loaded, for the floor's
 * module list.
 */
const RECORDER = `
const fs = require('fs');
process.on('exit', () => fs.writeFileSync(process.env.BENCH_RECORD_FILE, JSON.stringify({
  modules: Object.keys(require.cache), uptimeMs: process.uptime() * 1000,
})));
`;

interface Recorded {
  modules: string[];
  uptimeMs: number;
}

/** `/…/node_modules/@cdktf/provider-aws/lib/kms-key/index.js` → `@cdktf/provider-aws/lib/kms-key` */
function providerSubmodules(files: readonly string[]): string[] {
  const out = new Set<string>();
  for (const f of files) {
    const m = /node_modules[\\/](@cdktf[\\/]provider-[^\\/]+)[\\/]lib[\\/](?:([^\\/]+)[\\/])?index\.js$/.exec(f);
    if (m) out.add(m[2] ? `${m[1].replace(/\\/g, '/')}/lib/${m[2]}` : m[1].replace(/\\/g, '/'));
  }
  return [...out].sort();
}

interface AppCommand {
  /** The command as configured, e.g. `node -r ./scripts/ts-register.js main.ts`. */
  readonly text: string;
  readonly argv: readonly string[];
  readonly entryIndex: number;
}

/** The app command with another entry file and, optionally, extra arguments before it. */
function withEntry(app: AppCommand, entry: string, before: string[] = []): string[] {
  return [...app.argv.slice(0, app.entryIndex), ...before, entry, ...app.argv.slice(app.entryIndex + 1)];
}

/** One synthesis into a fresh temp dir; returns the wall time and the stacks written. */
function synthOnce(argv: string[], extraEnv: Record<string, string> = {}) {
  const outDir = tempDir('bench-synth-');
  try {
    const r = run(argv[0], argv.slice(1), {
      env: { ...process.env, CDKTF_OUTDIR: outDir, CHECKPOINT_DISABLE: '1', ...extraEnv },
    });
    if (r.status !== 0 || r.error) {
      throw new HarnessError(
        `synth failed: ${argv.join(' ')} (${r.error?.message ?? r.signal ?? `exit ${r.status}`}):\n${r.stderr.slice(-4000)}`,
      );
    }
    const manifestPath = path.join(outDir, 'manifest.json');
    if (!fs.existsSync(manifestPath)) throw new HarnessError(`synth wrote no manifest.json: ${argv.join(' ')}`);
    const stacks = Object.keys((JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { stacks?: object }).stacks ?? {});
    return { ms: r.ms, stacks };
  } finally {
    removeDir(outDir);
  }
}

/** One app command ready to time: its argv, its floor's argv and environment, and what its recording run saw. */
function prepareSynth(appText: string) {
  let parsed;
  try {
    parsed = appArgv(appText);
  } catch (e) {
    throw new HarnessError((e as Error).message);
  }
  const app: AppCommand = { text: appText, ...parsed };
  const realArgv = [...app.argv];
  const floorEntry = path.join('scripts', 'bench', 'floor.ts');
  const floorArgv = withEntry(app, floorEntry);

  const hookDir = tempDir('bench-hook-');
  let recorded: Recorded;
  let realStacks: string[];
  try {
    const hook = path.join(hookDir, 'record.js');
    const recordFile = path.join(hookDir, 'record.json');
    fs.writeFileSync(hook, RECORDER);
    log(`synth: ${app.text}: recording the modules it loads (untimed run)`);
    realStacks = synthOnce(withEntry(app, app.argv[app.entryIndex], ['-r', hook]), { BENCH_RECORD_FILE: recordFile }).stacks;
    recorded = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Recorded;
  } finally {
    removeDir(hookDir);
  }
  const modules = providerSubmodules(recorded.modules);
  if (modules.length === 0) throw new HarnessError('synth: the real app loaded no @cdktf/provider-* submodule; cannot build the floor');
  const floorEnv = { BENCH_FLOOR_MODULES: JSON.stringify(modules) };
  const projectFiles = recorded.modules.filter((f) => f.startsWith(ROOT) && !f.includes(`${path.sep}node_modules${path.sep}`));

  log(`synth: ${realStacks.length} stacks (${realStacks.join(', ')}); the floor loads the same ${modules.length} provider submodules`);
  const floorStacks = synthOnce(floorArgv, floorEnv).stacks; // warm-up (file cache), and a check
  if (floorStacks.length !== 1) throw new HarnessError(`synth: the floor wrote ${floorStacks.length} stacks, expected 1`);
  return { app, realArgv, floorArgv, floorEnv, realStacks, modules, projectFiles, recorded };
}

/**
 * Times each app command against its own floor (run the same way). With several commands (`--app` repeated, to
 * compare loaders), every command's real and floor runs take turns within each round, rotating the order, so a
 * slow spell of the machine hits all of them.
 */
function measureSynth(runs: number, appTexts: readonly string[]) {
  const steal0 = cpuTimes();
  const load0 = os.loadavg()[0];
  const prepared = appTexts.map(prepareSynth);
  const real = prepared.map((): number[] => []);
  const floor = prepared.map((): number[] => []);
  const baseline = prepared.map((): number[] => []);
  const loads: number[] = [];
  const subjects = prepared.flatMap((_, j) => [
    { j, kind: 'real' as const },
    { j, kind: 'floor' as const },
  ]);
  for (let i = 0; i < runs; i++) {
    loads.push(os.loadavg()[0]);
    for (const { j, kind } of rotation(subjects, i)) {
      const p = prepared[j];
      if (kind === 'real') real[j].push(synthOnce(p.realArgv).ms);
      else floor[j].push(synthOnce(p.floorArgv, p.floorEnv).ms);
    }
    prepared.forEach((p, j) => {
      // the runtime and its loader alone (`-e 0` instead of the entry), for the breakdown
      const b = run(p.app.argv[0], withEntry(p.app, '0', ['-e']).slice(1));
      if (b.status === 0) baseline[j].push(b.ms);
      log(`synth: run ${i + 1}/${runs}: ${p.app.text}: real ${fmt(real[j][i] / 1000)} s, floor ${fmt(floor[j][i] / 1000)} s`);
    });
  }
  const stealPct = stealPercent(steal0);
  loads.push(os.loadavg()[0]);
  return prepared.map((p, j) => {
    const realMs = median(real[j]);
    const floorMs = median(floor[j]);
    return {
      command: p.realArgv.join(' '),
      floorCommand: p.floorArgv.join(' '),
      stacks: p.realStacks,
      floorModules: p.modules,
      runs,
      realMs: real[j],
      floorMs: floor[j],
      loaderBaselineMs: baseline[j],
      medianRealMs: realMs,
      medianFloorMs: floorMs,
      medianLoaderBaselineMs: baseline[j].length ? median(baseline[j]) : undefined,
      ratio: realMs / floorMs,
      pairedRatioMedian: median(pairedRatios(real[j], floor[j])),
      projectFiles: p.projectFiles.length,
      recordingRunMs: Math.round(p.recorded.uptimeMs),
      stealPercent: stealPct,
      /** 1-minute load average before the runs and at the start of each round, then after the last. */
      loadAverage: [load0, ...loads].map((l) => Math.round(l * 100) / 100),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------

/** Times the app command(s) against the floor; one table row per command. */
export function synthBench(options: SynthOptions): BenchOutcome {
  const synths = measureSynth(options.runs, options.apps.length ? options.apps : [cdktfApp()]);
  const rows: Row[] = synths.map((synth) => ({
    section: 1,
    measurement: `Synth: ${synth.stacks.length} stacks vs floor (median of ${synth.runs})${synths.length > 1 ? `: ${synth.command}` : ''}`,
    value: `${fmt(synth.medianRealMs / 1000)} s vs ${fmt(synth.medianFloorMs / 1000)} s`,
    target: `≤ ${SYNTH_TARGET_RATIO}× floor`,
    ratio: fmt(synth.ratio),
    result: synth.ratio <= SYNTH_TARGET_RATIO ? 'PASS' : 'MISS',
  }));
  const notes = synths.map(
    (synth) =>
      `Synth${synths.length > 1 ? ` (${synth.command})` : ''}: the runtime and its loader alone take ` +
      `${synth.medianLoaderBaselineMs ? fmt(synth.medianLoaderBaselineMs / 1000) : '?'} s; ` +
      `the floor loads ${synth.floorModules.length} provider submodules; CPU steal ${synth.stealPercent ?? '?'} %; ` +
      `load average ${synth.loadAverage.join(', ')}.`,
  );
  return { rows, json: synths.length === 1 ? synths[0] : synths, notes };
}
