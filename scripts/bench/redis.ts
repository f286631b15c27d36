/**
 * Benchmark 3, local Redis: redis-benchmark (SET, then GET; 16-command pipelines, 50 clients, keys drawn from 100,000,
 * so about 11 MB of data: far below the 512 MB maxmemory, nothing is evicted, and the bench checks evicted_keys)
 * against a redis-server running the project's rendered local config (constructs/local/redis-conf.ts, without TLS,
 * AOF everysec; as root held to the container's memory limit in a memory cgroup, as the container is) and against a
 * stock redis-server with the same persistence (the binary's defaults plus `appendonly yes`, `appendfsync everysec`;
 * only port, bind and dir set besides), alternating, in the same run, with a third server as reference: stock without
 * AOF. The servers take turns within each round (rotating the order), so a slow spell of the machine hits all of them;
 * ratio = median ops/s ÷ the stock AOF server's median ops/s. Also reported: the interquartile range of the per-round
 * ratios (the machine's noise) and the server's CPU time per request (/proc), which is steadier and shows where a gap
 * comes from. Targets: SET and GET ≥ 0.95 × stock with the same persistence. Server INFO is read through ioredis.
 */
import * as fs from 'fs';
import { LOCAL_HOST } from '../../constructs/local/defaults';
import { localMemoryLimitMb } from '../../constructs/local/local-redis';
import { localMaxmemoryMb } from '../../stacks/local-stack';
import { MemoryCgroup, cgroupUnavailable } from '../lib/cgroup';
import { RedisServer, freeLoopbackPort, parseInfo, removeDir, startGuideRedis, tempDir, withClient } from '../lib/redis-server';
import { BenchOutcome, HarnessError, Row, firstLine, fmt, kops, log, run } from './common';
import { cpuTimes, stealPercent } from './machine';
import { median, pairedRatios, quantile, rotation } from './stats';

export const REDIS_TARGET_RATIO = { GET: 0.95, SET: 0.95 } as const;

/** The server the local config is judged against: stock redis-server with the same persistence. */
const BASELINE = 'stock-aof';

/** redis-benchmark settings: pipelined SET and GET over a keyspace that fits maxmemory many times over. */
const REDIS_BENCH = { clients: 50, pipeline: 16, keyspace: 100000 } as const;

export interface RedisOptions {
  /** redis-benchmark rounds per server. */
  readonly rounds: number;
  /** Requests per redis-benchmark test (`-n`). */
  readonly requests: number;
  /** redis.conf lines appended to the project's config for an extra, unjudged server (exploration). */
  readonly candidates: readonly string[];
}

/** Requests per second per test (`SET`, `GET`, …) from `redis-benchmark --csv` output. */
export function parseBenchmarkCsv(stdout: string): Record<string, number> {
  const rows = stdout
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
  const header = rows.findIndex((r) => r[0] === 'test' && r.includes('rps'));
  if (header < 0) throw new Error(`redis-benchmark: no CSV header in output:\n${stdout}`);
  const rps = rows[header].indexOf('rps');
  const out: Record<string, number> = {};
  for (const r of rows.slice(header + 1)) {
    const v = Number(r[rps]);
    if (r[0] && Number.isFinite(v)) out[r[0]] = v;
  }
  return out;
}

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
  const dir = tempDir(`bench-${name}-`);
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

async function measureRedis(rounds: number, requests: number, candidates: readonly string[]) {
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

/** Runs the servers' rounds; rows for the project's config (judged) and the references (info). */
export async function redisBench(options: RedisOptions): Promise<BenchOutcome> {
  const redis = await measureRedis(options.rounds, options.requests, options.candidates);
  const stock = redis.servers.find((x) => x.name === BASELINE);
  if (!stock) throw new HarnessError(`no ${BASELINE} server`);
  const rows: Row[] = [];
  for (const s of redis.servers.filter((x) => x.name !== BASELINE)) {
    const label =
      s.name === 'project'
        ? 'Local Redis'
        : s.name === 'stock'
          ? 'Reference, stock without AOF'
          : `Candidate (${options.candidates.join('; ')})`;
    const judged = s.name === 'project';
    rows.push({
      section: 3,
      measurement: `${label}: GET, P${REDIS_BENCH.pipeline} (median of ${redis.rounds})`,
      value: `${kops(s.medianGet)} vs stock AOF ${kops(stock.medianGet)} ops/s`,
      target: `≥ ${REDIS_TARGET_RATIO.GET}× stock AOF`,
      ratio: fmt(s.getRatio),
      result: judged ? (s.getRatio >= REDIS_TARGET_RATIO.GET ? 'PASS' : 'MISS') : 'info',
    });
    rows.push({
      section: 3,
      measurement: `${label}: SET${judged ? ', AOF on' : ''}, P${REDIS_BENCH.pipeline} (median of ${redis.rounds})`,
      value: `${kops(s.medianSet)} vs stock AOF ${kops(stock.medianSet)} ops/s`,
      target: `≥ ${REDIS_TARGET_RATIO.SET}× stock AOF`,
      ratio: fmt(s.setRatio),
      result: judged ? (s.setRatio >= REDIS_TARGET_RATIO.SET ? 'PASS' : 'MISS') : 'info',
    });
  }

  const notes: string[] = [];
  for (const s of redis.servers) {
    const i = s.info;
    const cpu = s.setCpuUs !== undefined ? `server CPU per request SET ${fmt(s.setCpuUs)} µs, GET ${fmt(s.getCpuUs ?? NaN)} µs; ` : '';
    const iqr =
      s.name === BASELINE
        ? ''
        : `per-round ratios to stock AOF (interquartile) SET ${s.setRatioIqr.map((x) => fmt(x)).join('–')}, ` +
          `GET ${s.getRatioIqr.map((x) => fmt(x)).join('–')}; `;
    notes.push(
      `Redis ${s.name}: ${iqr}${cpu}RDB saves ${i.rdb_saves ?? '?'}, AOF rewrites ${i.aof_rewrites ?? '?'}, ` +
        `delayed fsyncs ${i.aof_delayed_fsync ?? '-'}, evicted keys ${i.evicted_keys ?? '?'}, used ${i.used_memory_human ?? '?'} ` +
        `of maxmemory ${i.maxmemory_human ?? '?'}.`,
    );
  }
  notes.push(`Redis: CPU steal ${redis.stealPercent ?? '?'} % during the rounds.`);
  const evicted = redis.servers.filter((s) => Number(s.info.evicted_keys ?? 0) > 0);
  if (evicted.length)
    notes.push(`WARNING: keys were evicted on ${evicted.map((s) => s.name).join(', ')}; lower --requests or the keyspace.`);
  return { rows, json: redis, notes };
}
