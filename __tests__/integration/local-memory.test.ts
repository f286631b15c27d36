/**
 * Issue 13, "No OOM kill under load": a real redis-server running the redis.conf the local container uploads, held
 * to the container's memory limit (a memory cgroup this test makes, swap off: the synthesized `memory` and
 * `memory_swap`), is flooded with unthrottled 1 KB writes past maxmemory from 8 connections for 40 s while BGSAVE
 * (every 3 s) and BGREWRITEAOF (every 5 s) fork. Needs root for the cgroup: skipped with a message otherwise, except
 * in CI (CI=true), where it must run.
 */
import * as path from 'path';
import { Testing } from 'cdktf';
import { LocalStack } from '../../stacks/local-stack';
import { CgroupPeaks, MemoryCgroup, cgroupUnavailable, watchCgroup } from '../../scripts/lib/cgroup';
import { LoadTestResult, runLoadTest } from '../../scripts/lib/load-test';
import { RedisServer, freeLoopbackPort, hostContainerConf, randomPassword, removeDir, tempDir } from '../../scripts/lib/redis-server';

const MIB = 2 ** 20;
const LOAD_MS = 40000;

const unavailable = cgroupUnavailable();
const mustRun = process.env.CI === 'true';
if (unavailable !== undefined && !mustRun) {
  console.warn(`local-memory.test.ts skipped: ${unavailable}. Run as root (CI runs it).`);
}
const describeIfCgroup = unavailable === undefined || mustRun ? describe : describe.skip;

describeIfCgroup('the local Redis held to its container memory limit', () => {
  let container: Record<string, any>;
  let cgroup: MemoryCgroup | undefined;
  let server: RedisServer | undefined;
  let dir: string;
  let result: LoadTestResult;
  let peaks: CgroupPeaks;
  let oomKills: number;
  let kernelPeak: number;
  let pidBefore: number | undefined;
  let pidAfter: number | undefined;

  beforeAll(async () => {
    if (unavailable !== undefined) throw new Error(`CI=true, and this test cannot run: ${unavailable}`);
    const json = JSON.parse(Testing.synth(new LocalStack(Testing.app(), 'local', { env: {} }), true));
    [container] = Object.values<Record<string, any>>(json.resource.docker_container);
    const conf: string = container.upload.find((u: { file: string }) => u.file.endsWith('redis.conf')).content;

    dir = tempDir('local-memory');
    const port = await freeLoopbackPort();
    const password = randomPassword();
    cgroup = new MemoryCgroup(`isl-local-memory-${process.pid}`, container.memory * MIB);
    server = new RedisServer(hostContainerConf(conf, { port, dir, password }), dir, 10000, 'redis-server', cgroup);
    await server.start();
    pidBefore = server.pid;

    const watch = watchCgroup(cgroup);
    result = await runLoadTest({
      redis: { port, password },
      durationMs: LOAD_MS,
      connections: 8,
      pipeline: 64,
      valueBytes: 1024,
      bgsaveEveryMs: 3000,
      bgrewriteaofEveryMs: 5000,
    });
    peaks = watch.stop();
    const stats = cgroup.stats();
    oomKills = stats.oomKills;
    kernelPeak = stats.peak;
    pidAfter = server.running ? server.pid : undefined;

    const mb = (b: number) => `${Math.round(b / MIB)} MB`;
    console.log(
      [
        `limit ${container.memory} MB; ${result.writes.acked} writes acknowledged ` +
          `(${result.writes.opsPerSec}/s), ${result.server?.evictedKeys} keys evicted, ${result.server?.forks} forks`,
        `cgroup: usage peak ${mb(kernelPeak)}, anonymous peak ${mb(peaks.anon)}, page cache peak ${mb(peaks.file)}, ` +
          `dirty+writeback peak ${mb(peaks.dirtyOrWriteback)}, OOM kills ${oomKills}`,
        `INFO peaks: used_memory ${mb(result.peaks.used_memory ?? 0)}, rss ${mb(result.peaks.used_memory_rss ?? 0)}, ` +
          `fork copy-on-write ${mb(result.peaks.current_cow_peak ?? 0)}, AOF buffer ${mb(result.peaks.mem_aof_buffer ?? 0)}, ` +
          `client buffers ${mb(result.peaks.mem_clients_normal ?? 0)}`,
        `PING slowest ${result.ping.maxMs} ms of ${result.ping.sent}; witnesses checked ${result.witnessCheck?.checked}`,
      ].join('\n'),
    );
  }, LOAD_MS + 60000);

  afterAll(async () => {
    await server?.stop(30000);
    await cgroup?.destroy();
    if (dir) removeDir(dir);
  }, 60000);

  it('runs the container’s rendered redis.conf under the container’s memory limit, without swap', () => {
    expect(server!.confPath).toBe(path.join(dir, 'redis.conf'));
    expect(cgroup!.stats().limit).toBe(container.memory * MIB);
    expect(container.memory_swap).toBe(container.memory);
  });

  it('is never OOM-killed', () => {
    expect(oomKills).toBe(0);
    expect(pidAfter).toBe(pidBefore);
    expect(result.server?.samePid).toBe(true);
  });

  it('answers every PING throughout, each within 2 s', () => {
    expect(result.ping.errors).toBe(0);
    expect(result.ping.slow).toBe(0);
    expect(result.ping.answered).toBeGreaterThan(LOAD_MS / 1000);
  });

  it('acknowledges every write (none refused, no connection lost)', () => {
    expect(result.writes.rejected).toBe(0);
    expect(result.writes.unknown).toBe(0);
    expect(result.writes.acked).toBeGreaterThan(0);
  });

  it('goes past maxmemory and evicts (allkeys-lru)', () => {
    expect(result.server?.evictedKeys).toBeGreaterThan(0);
  });

  it('forks for BGSAVE and BGREWRITEAOF during the load', () => {
    expect(result.server?.forks).toBeGreaterThanOrEqual(4);
    expect(result.bg.bgsave.errors + result.bg.bgrewriteaof.errors).toBe(0);
  });

  it('keeps every write acknowledged more than 1 s before the end, or evicted it', () => {
    // the 64 witness keys are rewritten every 100 ms, the most recently used keys: present with their latest value
    expect(result.witnessCheck).toEqual({ checked: 64, missing: [], stale: [], ok: true });
    // every other acknowledged write is a key that is still there or one INFO counts as evicted
    expect(result.accounting?.dbsize).toBe(result.accounting?.expected);
  });

  it('reports no other failure', () => {
    expect(result.failures).toEqual([]);
  });
});
