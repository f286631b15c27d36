/**
 * Benchmarks (issue 6): `npm run bench -- [options]`. Not part of `npm test`.
 *
 *   --runs N            synth: timed runs of the real app and of the floor, each (default 5)
 *   --app COMMAND       synth: time this app command instead of cdktf.json's `app` (to try a faster loader;
 *                       the floor runs the same way); repeat it to compare several in the same run (their runs
 *                       take turns within each round)
 *   --rounds N          local Redis: redis-benchmark rounds per server (default 12)
 *   --requests N        local Redis: requests per redis-benchmark test, `-n` (default 400000)
 *   --candidate LINE    local Redis: also benchmark the project's rendered config with LINE appended (a redis.conf
 *                       directive, e.g. "no-appendfsync-on-rewrite yes"; repeat for several lines; a later
 *                       single-value directive overrides the rendered one, `save` lines add to the schedule unless
 *                       preceded by `save ""`). Exploration only: the targets are judged on the rendered config.
 *   --json FILE         write the results as JSON (default bench-results.json, git-ignored)
 *   --skip-tests        do not time `npm test` (useful while iterating)
 *   --skip-synth, --skip-redis, --skip-sizing
 *   --strict            exit 3 when a target is missed
 *
 * Measurements (public tools only: node, redis-server, redis-benchmark, npm):
 *  1. Synth: wall time of the synth app command, what `cdktf synth` runs (cdktf.json `app`, today `node -r
 *     ./scripts/ts-register.js main.ts`; CDKTF_OUTDIR = a temp dir, CHECKPOINT_DISABLE=1), against a floor
 *     run the same way with scripts/bench/floor.ts as the entry: it loads the provider submodules the real app
 *     loaded (recorded from an untimed run of the real app) and synthesizes one stack with one resource.
 *     Alternating runs after one warm-up each; medians; ratio real ÷ floor ≤ 1.5.
 *  2. Tests: wall time of one `npm test` (tsc --noEmit and jest) < 60 s.
 *  3. Local Redis: redis-benchmark (SET, then GET; 16-command pipelines, 50 clients, keys drawn from 100,000, so
 *     about 11 MB of data: far below the 512 MB maxmemory, nothing is evicted, and the bench checks evicted_keys)
 *     against a redis-server running the project's rendered local config (constructs/local/redis-conf.ts, without TLS,
 *     AOF everysec; as root held to the container's memory limit in a memory cgroup, as the container is) and
 *     against a stock redis-server with the same persistence (the binary's defaults plus `appendonly yes`,
 *     `appendfsync everysec`; only port, bind and dir set besides), alternating, in the same run, with a third
 *     server as reference: stock without AOF. The servers take turns within each round (rotating the order), so a
 *     slow spell of the machine hits all of them; ratio = median ops/s ÷ the stock AOF server's median ops/s. Also
 *     printed: the interquartile range of the per-round ratios (the machine's noise) and the server's CPU time per
 *     request (/proc), which is steadier and shows where a gap comes from. Targets: SET and GET ≥ 0.95 × stock
 *     with the same persistence. Server INFO is read through ioredis.
 *  4. Sizing cost: per environment, planSizing's node set against the cheapest node set a brute force over the
 *     catalog finds for the same tier requirements (must be 1.00), plus a 25,000-user profile; and the saving if
 *     the environment switched to Valkey.
 *
 * Exit code: 0 = everything measured (a missed target is reported as MISS in the table, not as a failure);
 * 1 = a measurement could not be taken (synth failed, a server did not start, the test suite failed); 2 = usage;
 * 3 = with --strict, a target was missed.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import { LOCAL_HOST } from '../constructs/local/defaults';
import { PRICE_DATE } from '../constructs/facts/node-catalog';
import { localMemoryLimitMb } from '../constructs/local/local-redis';
import { localMaxmemoryMb } from '../stacks/local-stack';
import { MemoryCgroup, cgroupUnavailable } from './lib/cgroup';
import { RedisServer, freeLoopbackPort, parseInfo, removeDir, startGuideRedis, tempDir, withClient } from './lib/redis-server';
import {
  appArgv,
  median,
  nodeSetText,
  pairedRatios,
  parseBenchmarkCsv,
  quantile,
  rotation,
  sizingComparisons,
  thousands,
} from './bench/sizing-brute-force';

const ROOT = path.resolve(__dirname, '..');
const USAGE =
  'usage: bench [--runs N] [--app COMMAND]... [--rounds N] [--requests N] [--candidate LINE]... [--json FILE] ' +
  '[--skip-tests] [--skip-synth] [--skip-redis] [--skip-sizing] [--strict]';

function cdktfApp(): string {
  const app = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdktf.json'), 'utf8')) as { app?: unknown }).app;
  if (typeof app !== 'string') throw new HarnessError('cdktf.json: no "app" command');
  return app;
}

const TARGETS = { synthRatio: 1.5, testsSeconds: 60, getRatio: 0.95, setRatio: 0.95, sizingRatio: 1 } as const;

/** The server the local config is judged against: stock redis-server with the same persistence. */
const BASELINE = 'stock-aof';

/** redis-benchmark settings: pipelined SET and GET over a keyspace that fits maxmemory many times over. */
const REDIS_BENCH = { clients: 50, pipeline: 16, keyspace: 100000 } as const;

class HarnessError extends Error {}

type Verdict = 'PASS' | 'MISS' | 'info' | 'ERROR';
interface Row {
  /** The issue's numbering: 1 synth, 2 tests, 3 local Redis, 4 sizing; the table is in this order. */
  readonly section: 1 | 2 | 3 | 4;
  readonly measurement: string;
  readonly value: string;
  readonly target: string;
  readonly ratio: string;
  readonly result: Verdict;
}

const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const kops = (n: number) => `${Math.round(n / 1000)}k`;

// ---------------------------------------------------------------------------------------------------------------
// machine

/** CPU time counters of /proc/stat (Linux), to report the share the hypervisor took (steal) during a section. */
function cpuTimes(): { steal: number; total: number } | undefined {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

function stealPercent(before: ReturnType<typeof cpuTimes>): number | undefined {
  const after = cpuTimes();
  if (!before || !after || after.total === before.total) return undefined;
  return Math.round(((after.steal - before.steal) / (after.total - before.total)) * 1000) / 10;
}

function firstLine(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : undefined;
}

function describeDisk(dir: string) {
  try {
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const real = fs.realpathSync(dir);
    const m = mounts
      .filter(([, mp]) => real === mp || real.startsWith(mp.endsWith('/') ? mp : `${mp}/`))
      .sort((a, b) => b[1].length - a[1].length)
      .at(0);
    if (!m) return undefined;
    const dev = path.basename(m[0]);
    const rot = (() => {
      try {
        return fs.readFileSync(`/sys/class/block/${dev}/queue/rotational`, 'utf8').trim() === '1';
      } catch {
        return undefined;
      }
    })();
    return { device: m[0], fsType: m[2], rotational: rot, virtio: /^vd[a-z]/.test(dev) };
  } catch {
    return undefined;
  }
}

function describeMachine() {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (pretty) osName = `${pretty[1]} (kernel ${os.release()})`;
  } catch {
    /* not Linux */
  }
  let hypervisor = false;
  try {
    hypervisor = /^flags\s*:.*\bhypervisor\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    /* not Linux */
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    virtualMachine: hypervisor,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: osName,
    node: process.version,
    redisServer: firstLine('redis-server', ['--version']),
    redisBenchmark: firstLine('redis-benchmark', ['--version']),
    tmpDisk: describeDisk(os.tmpdir()),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. synth

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

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr), error: r.error };
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
  const outDir = tempDir('bench-synth');
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

  const hookDir = tempDir('bench-hook');
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
function benchSynth(runs: number, appTexts: readonly string[]) {
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
// 2. tests

function benchTests() {
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

// ---------------------------------------------------------------------------------------------------------------
// 3. local Redis

interface BenchServer {
  readonly name: string;
  readonly description: string;
  readonly port: number;
  readonly password?: string;
  readonly conf: string;
  /** Process id, for its CPU time. */
  pid?: number;
  stop(): Promise<void>;
}

/** A redis-server in its own temp dir on a free loopback port. */
async function startServer(
  name: string,
  description: string,
  render: (port: number, dir: string) => { conf: string; password?: string },
): Promise<BenchServer> {
  const dir = tempDir(`bench-${name}`);
  const port = await freeLoopbackPort();
  const { conf, password } = render(port, dir);
  const server = new RedisServer(conf, dir);
  const stop = async () => {
    await server.stop();
    removeDir(dir);
  };
  try {
    await server.start();
  } catch (e) {
    await stop();
    throw new HarnessError(`redis-server (${name}) did not start: ${(e as Error).message}`);
  }
  return { name, description, port, password, conf, stop };
}

let clockTicks: number | undefined;

/**
 * CPU seconds a process and its reaped children (an AOF rewrite or RDB save fork) have used, from /proc (Linux);
 * undefined elsewhere. CPU time barely moves when the hypervisor takes the CPU away, so the CPU per request is a
 * steadier diagnostic than ops/s on a shared machine.
 */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    clockTicks ??= Number(firstLine('getconf', ['CLK_TCK']) ?? 100) || 100;
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // after "pid (comm) ": state is field 0, utime/stime/cutime/cstime are fields 11–14
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / clockTicks;
  } catch {
    return undefined;
  }
}

type RedisTest = 'SET' | 'GET';

/**
 * One redis-benchmark test against a server: requests per second, and the server's CPU microseconds per request.
 * SET and GET run as two invocations of the same command line (`-t set`, then `-t get`) so that each gets its
 * own CPU figure; redis-benchmark runs `-t set,get` as the same two tests one after the other anyway.
 */
function redisBenchmark(s: BenchServer, test: RedisTest, requests: number): { rps: number; cpuUsPerRequest?: number } {
  const args = [
    '-h',
    LOCAL_HOST,
    '-p',
    String(s.port),
    ...(s.password ? ['-a', s.password] : []),
    '-t',
    test.toLowerCase(),
    '-P',
    String(REDIS_BENCH.pipeline),
    '-n',
    String(requests),
    '-c',
    String(REDIS_BENCH.clients),
    '-r',
    String(REDIS_BENCH.keyspace),
    '--csv',
  ];
  const cpu0 = processCpuSeconds(s.pid);
  const r = run('redis-benchmark', args);
  const cpu1 = processCpuSeconds(s.pid);
  if (r.status !== 0 || r.error) {
    throw new HarnessError(
      `redis-benchmark against ${s.name} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr.slice(-2000)}`,
    );
  }
  const rps = parseBenchmarkCsv(r.stdout)[test];
  if (!(rps > 0)) throw new HarnessError(`redis-benchmark against ${s.name}: no ${test} figure:\n${r.stdout}`);
  const cpuUsPerRequest = cpu0 !== undefined && cpu1 !== undefined ? ((cpu1 - cpu0) / requests) * 1e6 : undefined;
  return { rps, cpuUsPerRequest };
}

const INFO_FIELDS = [
  'redis_version',
  'aof_enabled',
  'rdb_saves',
  'aof_rewrites',
  'aof_delayed_fsync',
  'total_forks',
  'latest_fork_usec',
  'evicted_keys',
  'used_memory_human',
  'maxmemory_human',
  'db0',
];

async function serverInfo(s: BenchServer, fields: readonly string[] = INFO_FIELDS): Promise<Record<string, string | undefined>> {
  const all = parseInfo(await withClient({ host: LOCAL_HOST, port: s.port, password: s.password }, (c) => c.info('all')));
  return Object.fromEntries(fields.flatMap((f) => (all[f] === undefined ? [] : [[f, all[f]]])));
}

async function benchRedis(rounds: number, requests: number, candidates: string[]) {
  for (const bin of ['redis-server', 'redis-benchmark']) {
    if (!firstLine(bin, ['--version'])) throw new HarnessError(`${bin} not found (scripts/setup.sh installs redis-server and redis-tools)`);
  }
  const steal0 = cpuTimes();
  const servers: BenchServer[] = [];
  const stopAll = async () => {
    for (const s of servers.splice(0)) await s.stop();
  };
  const onSignal = () => {
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // (a) the project's rendered local config, as the tests run it (constructs/local/redis-conf.ts, no TLS), held to the
    // container's memory limit when a cgroup can be made (root)
    const limitMb = localMemoryLimitMb(localMaxmemoryMb());
    const cgroup = cgroupUnavailable() === undefined ? new MemoryCgroup(`isl-bench-${process.pid}`, limitMb * 2 ** 20) : undefined;
    const guide = await startGuideRedis('bench-project', { cgroup }).catch((e: unknown) => {
      throw new HarnessError(`redis-server (project config) did not start: ${(e as Error).message}`);
    });
    servers.push({
      name: 'project',
      description: `rendered local config (constructs/local/redis-conf.ts)${cgroup ? `, in a ${limitMb} MB memory cgroup` : ''}`,
      port: guide.port,
      password: guide.password,
      conf: fs.readFileSync(guide.server.confPath, 'utf8'),
      stop: async () => {
        await guide.stop();
        await cgroup?.destroy();
      },
    });
    // (b) the baseline: stock with the same persistence (AOF, fsync every second), only where it listens and writes
    servers.push(
      await startServer(BASELINE, 'redis-server defaults + appendonly yes, appendfsync everysec', (port, dir) => ({
        conf: `port ${port}\nbind ${LOCAL_HOST}\ndir "${dir}"\nappendonly yes\nappendfsync everysec\n`,
      })),
    );
    // (c) reference: stock without AOF, to tell what AOF itself costs
    servers.push(
      await startServer('stock', 'redis-server defaults (port, bind, dir only)', (port, dir) => ({
        conf: `port ${port}\nbind ${LOCAL_HOST}\ndir "${dir}"\n`,
      })),
    );
    // (d) exploration: the project's rendered config with lines appended (a later port, dir or other single-value
    // directive overrides the earlier one; `save` lines add to the schedule unless preceded by `save ""`)
    if (candidates.length) {
      const projectConf = fs.readFileSync(guide.server.confPath, 'utf8');
      servers.push(
        await startServer('candidate', `project config + ${candidates.join('; ')}`, (port, dir) => ({
          conf: `${projectConf}\n# bench: another place, and the candidate lines\nport ${port}\ndir "${dir}"\n${candidates.join('\n')}\n`,
          password: guide.password,
        })),
      );
    }
    for (const s of servers) s.pid = Number((await serverInfo(s, ['process_id'])).process_id) || undefined;

    log(
      `redis: ${servers.map((s) => `${s.name} on :${s.port}`).join(', ')}; ${rounds} rounds of ${requests} SET then ${requests} GET each`,
    );
    for (const s of servers) {
      // warm-up, not counted
      redisBenchmark(s, 'SET', Math.max(10000, Math.floor(requests / 5)));
      redisBenchmark(s, 'GET', Math.max(10000, Math.floor(requests / 5)));
    }
    type Series = Record<RedisTest, number[]> & { cpu: Record<RedisTest, number[]> };
    const results: Record<string, Series> = Object.fromEntries(
      servers.map((s) => [s.name, { SET: [], GET: [], cpu: { SET: [], GET: [] } }]),
    );
    for (let i = 0; i < rounds; i++) {
      for (const s of rotation(servers, i)) {
        for (const test of ['SET', 'GET'] as const) {
          const r = redisBenchmark(s, test, requests);
          results[s.name][test].push(r.rps);
          if (r.cpuUsPerRequest !== undefined) results[s.name].cpu[test].push(r.cpuUsPerRequest);
        }
      }
      log(
        `redis: round ${i + 1}/${rounds}: ${servers.map((s) => `${s.name} SET ${kops(results[s.name].SET[i])} GET ${kops(results[s.name].GET[i])}`).join(', ')}`,
      );
    }
    const infos: Record<string, Record<string, string | undefined>> = {};
    for (const s of servers) infos[s.name] = await serverInfo(s);
    const stock = results[BASELINE];
    const medianOrUndefined = (xs: number[]) => (xs.length ? Math.round(median(xs) * 100) / 100 : undefined);
    const summary = servers.map((s) => {
      const r = results[s.name];
      return {
        name: s.name,
        description: s.description,
        conf: s.password ? s.conf.split(s.password).join('<password>') : s.conf,
        setOps: r.SET,
        getOps: r.GET,
        medianSet: median(r.SET),
        medianGet: median(r.GET),
        /** The verdict's ratio: median ops/s ÷ the baseline's median ops/s (the runs interleave, so drift hits both). */
        setRatio: median(r.SET) / median(stock.SET),
        getRatio: median(r.GET) / median(stock.GET),
        /** Median and interquartile range of the per-round ratios: how far this machine's noise moves one round. */
        setPairedRatioMedian: median(pairedRatios(r.SET, stock.SET)),
        getPairedRatioMedian: median(pairedRatios(r.GET, stock.GET)),
        setRatioIqr: [quantile(pairedRatios(r.SET, stock.SET), 0.25), quantile(pairedRatios(r.SET, stock.SET), 0.75)],
        getRatioIqr: [quantile(pairedRatios(r.GET, stock.GET), 0.25), quantile(pairedRatios(r.GET, stock.GET), 0.75)],
        /** Server CPU per request, µs (median over the rounds): the cost, independent of the machine's noise. */
        setCpuUs: medianOrUndefined(r.cpu.SET),
        getCpuUs: medianOrUndefined(r.cpu.GET),
        info: infos[s.name],
      };
    });
    return {
      rounds,
      requests,
      ...REDIS_BENCH,
      command: `redis-benchmark -h ${LOCAL_HOST} -p PORT [-a PASSWORD] -t set|get -P ${REDIS_BENCH.pipeline} -n ${requests} -c ${REDIS_BENCH.clients} -r ${REDIS_BENCH.keyspace} --csv`,
      candidates,
      servers: summary,
      stealPercent: stealPercent(steal0),
    };
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await stopAll();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 4. sizing

function benchSizing() {
  return sizingComparisons().map((c) => ({
    name: c.name,
    expectedUsers: c.profile.expectedUsers,
    engine: c.profile.engine,
    tier: c.plan.tier.replication,
    requiredDataGiB: c.plan.requiredDataGiB,
    chosen: nodeSetText(c.plan),
    chosenMonthlyUsd: c.plan.monthlyCostUsd,
    cheapest: nodeSetText(c.cheapest),
    cheapestMonthlyUsd: c.cheapest.monthlyCostUsd,
    ratio: c.ratio,
    valkeyMonthlyUsd: c.valkeyPlan.monthlyCostUsd,
    valkeySavingUsd: c.valkeySavingUsd,
    valkeySavingPercent: c.valkeySavingPercent,
    priceDate: PRICE_DATE,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// report

function markdownTable(rows: readonly Row[]): string {
  const head = ['measurement', 'value', 'target', 'ratio', 'result'];
  const lines = [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${[r.measurement, r.value, r.target, r.ratio, r.result].map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`),
  ];
  return lines.join('\n');
}

const usd = (n: number) => `$${n.toFixed(2)}`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: a whole number ≥ 1, got ${JSON.stringify(v)}`);
  return n;
}

async function main(): Promise<number> {
  let opts;
  try {
    const { values } = parseArgs({
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
        strict: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    opts = {
      runs: positiveInt('runs', values.runs, 5),
      apps: values.app ?? [],
      rounds: positiveInt('rounds', values.rounds, 12),
      requests: positiveInt('requests', values.requests, 400000),
      candidates: values.candidate ?? [],
      json: path.resolve(values.json ?? path.join(ROOT, 'bench-results.json')),
      skipTests: !!values['skip-tests'],
      skipSynth: !!values['skip-synth'],
      skipRedis: !!values['skip-redis'],
      skipSizing: !!values['skip-sizing'],
      strict: !!values.strict,
    };
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }

  const machine = describeMachine();
  const rows: Row[] = [];
  const out: Record<string, unknown> = { date: new Date().toISOString(), machine, options: opts };
  const startedAt = Date.now();

  // sizing first: instant, and it needs no tool
  if (!opts.skipSizing) {
    const sizing = benchSizing();
    out.sizing = sizing;
    for (const s of sizing) {
      const ok = s.ratio.toFixed(2) === TARGETS.sizingRatio.toFixed(2);
      rows.push({
        section: 4,
        measurement: `Sizing cost: ${s.name} (${thousands(s.expectedUsers)} users, ${s.engine})`,
        value: `${s.chosen} ${usd(s.chosenMonthlyUsd)}/mo; cheapest ${usd(s.cheapestMonthlyUsd)}/mo`,
        target: '= cheapest',
        ratio: fmt(s.ratio),
        result: ok ? 'PASS' : 'MISS',
      });
    }
    for (const s of sizing) {
      rows.push({
        section: 4,
        measurement: `Valkey saving: ${s.name}`,
        value: `${usd(s.valkeySavingUsd)}/mo (${fmt(s.valkeySavingPercent, 1)} %): ${usd(s.valkeyMonthlyUsd)} instead of ${usd(s.chosenMonthlyUsd)}`,
        target: '—',
        ratio: fmt(s.valkeyMonthlyUsd / s.chosenMonthlyUsd),
        result: 'info',
      });
    }
  }

  const errors: string[] = [];
  /** Runs a section; a harness error becomes an ERROR row and the remaining sections still run. */
  const section = async (number: Row['section'], name: string, body: () => void | Promise<void>) => {
    try {
      await body();
    } catch (e) {
      if (!(e instanceof HarnessError)) throw e;
      errors.push(`${name}: ${e.message}`);
      rows.push({
        section: number,
        measurement: name,
        value: e.message.split('\n')[0].slice(0, 160),
        target: '—',
        ratio: '—',
        result: 'ERROR',
      });
    }
  };

  if (!opts.skipSynth)
    await section(1, 'Synth', () => {
      const synths = benchSynth(opts.runs, opts.apps.length ? opts.apps : [cdktfApp()]);
      out.synth = synths.length === 1 ? synths[0] : synths;
      for (const synth of synths) {
        rows.push({
          section: 1,
          measurement: `Synth: ${synth.stacks.length} stacks vs floor (median of ${synth.runs})${synths.length > 1 ? `: ${synth.command}` : ''}`,
          value: `${fmt(synth.medianRealMs / 1000)} s vs ${fmt(synth.medianFloorMs / 1000)} s`,
          target: `≤ ${TARGETS.synthRatio}× floor`,
          ratio: fmt(synth.ratio),
          result: synth.ratio <= TARGETS.synthRatio ? 'PASS' : 'MISS',
        });
      }
    });

  if (!opts.skipRedis)
    await section(3, 'Local Redis', async () => {
      const redis = await benchRedis(opts.rounds, opts.requests, opts.candidates);
      out.redis = redis;
      const stock = redis.servers.find((x) => x.name === BASELINE);
      if (!stock) throw new HarnessError(`no ${BASELINE} server`);
      for (const s of redis.servers.filter((x) => x.name !== BASELINE)) {
        const label =
          s.name === 'project'
            ? 'Local Redis'
            : s.name === 'stock'
              ? 'Reference, stock without AOF'
              : `Candidate (${opts.candidates.join('; ')})`;
        const judged = s.name === 'project';
        rows.push({
          section: 3,
          measurement: `${label}: GET, P${REDIS_BENCH.pipeline} (median of ${redis.rounds})`,
          value: `${kops(s.medianGet)} vs stock AOF ${kops(stock.medianGet)} ops/s`,
          target: `≥ ${TARGETS.getRatio}× stock AOF`,
          ratio: fmt(s.getRatio),
          result: judged ? (s.getRatio >= TARGETS.getRatio ? 'PASS' : 'MISS') : 'info',
        });
        rows.push({
          section: 3,
          measurement: `${label}: SET${judged ? ', AOF on' : ''}, P${REDIS_BENCH.pipeline} (median of ${redis.rounds})`,
          value: `${kops(s.medianSet)} vs stock AOF ${kops(stock.medianSet)} ops/s`,
          target: `≥ ${TARGETS.setRatio}× stock AOF`,
          ratio: fmt(s.setRatio),
          result: judged ? (s.setRatio >= TARGETS.setRatio ? 'PASS' : 'MISS') : 'info',
        });
      }
    });

  if (!opts.skipTests)
    await section(2, 'Tests', () => {
      const tests = benchTests();
      out.tests = tests;
      rows.push({
        section: 2,
        measurement: 'Tests: npm test (tsc + jest)',
        value: `${fmt(tests.ms / 1000, 1)} s`,
        target: `< ${TARGETS.testsSeconds} s`,
        ratio: fmt(tests.ms / 1000 / TARGETS.testsSeconds),
        result: tests.ms / 1000 < TARGETS.testsSeconds ? 'PASS' : 'MISS',
      });
    });

  rows.sort((a, b) => a.section - b.section); // stable: within a section, in the order measured
  out.rows = rows;
  out.errors = errors;
  out.totalSeconds = Math.round((Date.now() - startedAt) / 100) / 10;
  const table = markdownTable(rows);
  out.markdown = table;
  fs.writeFileSync(opts.json, `${JSON.stringify(out, null, 2)}\n`);

  const d = machine.tmpDisk;
  process.stdout.write(`${table}\n\n`);
  process.stdout.write(
    `Machine: ${machine.cpus} × ${machine.cpuModel}${machine.virtualMachine ? ' (VM)' : ''}, ${machine.memoryGiB} GiB, ` +
      `${machine.os}, node ${machine.node}, redis-server ${/v=(\S+)/.exec(machine.redisServer ?? '')?.[1] ?? 'not found'}` +
      `${d ? `; temp dir on ${d.device} (${d.fsType}${d.virtio ? ', virtio' : ''})` : ''}.\n`,
  );
  const synths = out.synth === undefined ? [] : ([] as ReturnType<typeof benchSynth>).concat(out.synth as ReturnType<typeof benchSynth>);
  for (const synth of synths) {
    process.stdout.write(
      `Synth${synths.length > 1 ? ` (${synth.command})` : ''}: the runtime and its loader alone take ` +
        `${synth.medianLoaderBaselineMs ? fmt(synth.medianLoaderBaselineMs / 1000) : '?'} s; ` +
        `the floor loads ${synth.floorModules.length} provider submodules; CPU steal ${synth.stealPercent ?? '?'} %; ` +
        `load average ${synth.loadAverage.join(', ')}.\n`,
    );
  }
  const redis = out.redis as Awaited<ReturnType<typeof benchRedis>> | undefined;
  if (redis) {
    for (const s of redis.servers) {
      const i = s.info;
      const cpu = s.setCpuUs !== undefined ? `server CPU per request SET ${fmt(s.setCpuUs)} µs, GET ${fmt(s.getCpuUs ?? NaN)} µs; ` : '';
      const iqr =
        s.name === BASELINE
          ? ''
          : `per-round ratios to stock AOF (interquartile) SET ${s.setRatioIqr.map((x) => fmt(x)).join('–')}, ` +
            `GET ${s.getRatioIqr.map((x) => fmt(x)).join('–')}; `;
      process.stdout.write(
        `Redis ${s.name}: ${iqr}${cpu}RDB saves ${i.rdb_saves ?? '?'}, AOF rewrites ${i.aof_rewrites ?? '?'}, ` +
          `delayed fsyncs ${i.aof_delayed_fsync ?? '-'}, evicted keys ${i.evicted_keys ?? '?'}, used ${i.used_memory_human ?? '?'} ` +
          `of maxmemory ${i.maxmemory_human ?? '?'}.\n`,
      );
    }
    process.stdout.write(`Redis: CPU steal ${redis.stealPercent ?? '?'} % during the rounds.\n`);
    const evicted = redis.servers.filter((s) => Number(s.info.evicted_keys ?? 0) > 0);
    if (evicted.length)
      process.stdout.write(`WARNING: keys were evicted on ${evicted.map((s) => s.name).join(', ')}; lower --requests or the keyspace.\n`);
  }
  process.stdout.write(
    `Results written to ${path.relative(process.cwd(), opts.json) || opts.json}; absolute times vary from machine to machine, the ratios hold.\n`,
  );

  const missed = rows.filter((r) => r.result === 'MISS');
  if (missed.length) process.stdout.write(`Missed: ${missed.map((r) => r.measurement).join('; ')}\n`);
  if (errors.length) {
    process.stderr.write(errors.map((e) => `bench: ERROR: ${e}\n`).join(''));
    return 1;
  }
  return missed.length && opts.strict ? 3 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof HarnessError ? e.message : String((e as Error).stack)}\n`);
    process.exit(1);
  },
);
