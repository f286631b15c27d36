/**
 * A write flood against one Redis, through ioredis (the client applications use), that tells evicted keys from lost
 * acknowledged writes. For `durationMs`, or until `stopWhen` holds on an INFO sample, it drives, at once:
 *  - `connections` writer connections, each sending pipelines of `pipeline` SETs of `valueBytes`-byte values to unique
 *    keys, unthrottled (the next pipeline leaves when the previous one is answered);
 *  - a witness connection that rewrites `witnessKeys` small keys every `witnessEveryMs` with an increasing sequence
 *    number. The witnesses stay the most recently used keys, so allkeys-lru does not pick them: every witness write
 *    acknowledged more than `ackMarginMs` before the end must be readable at the end — a missing or older value is a
 *    lost acknowledged write, not an eviction. The ledger of acknowledgements is returned, so the same check can run
 *    after a restart or a replacement (`verifyWitnesses`);
 *  - BGSAVE SCHEDULE every `bgsaveEveryMs` and BGREWRITEAOF every `bgrewriteaofEveryMs` (0: never) on a control
 *    connection;
 *  - a PING every `pingEveryMs` on its own connection: errors and the slowest answer;
 *  - INFO every `infoEveryMs`: peaks of used_memory, RSS, fork copy-on-write, AOF buffer and client buffers.
 * Then (unless `verify` is false, or the run was aborted) it checks the witnesses, that keys were evicted, that the
 * server is the same process, and that the key count adds up: keys before + witnesses + acknowledged unique writes −
 * evicted − expired = DBSIZE (no acknowledged write vanished without an eviction).
 *
 * Adapted from the memory experiments behind README "Local Redis: memory under load" (a plain-JavaScript load module driving a redis-server in a cgroup).
 */
import { createHash, randomBytes } from 'crypto';
import { monitorEventLoopDelay } from 'perf_hooks';
import Redis, { RedisOptions } from 'ioredis';
import { connect, infoNumber, parseInfo } from './redis-server';

export interface LoadTestOptions {
  /** ioredis options of the server (host, port, password, tls …). */
  readonly redis: RedisOptions;
  readonly durationMs: number;
  readonly connections?: number;
  readonly pipeline?: number;
  readonly valueBytes?: number;
  readonly witnessKeys?: number;
  readonly witnessEveryMs?: number;
  readonly bgsaveEveryMs?: number;
  readonly bgrewriteaofEveryMs?: number;
  readonly pingEveryMs?: number;
  /** A PING slower than this counts as the server not answering. */
  readonly pingTimeoutMs?: number;
  readonly infoEveryMs?: number;
  /** Witness writes acknowledged within this long before the end are not required (AOF everysec). */
  readonly ackMarginMs?: number;
  /** Check witnesses, evictions, process identity and key accounting at the end. */
  readonly verify?: boolean;
  /** Require evicted_keys to grow (the run is meant to go past maxmemory). */
  readonly expectEvictions?: boolean;
  /**
   * Keep going through errors (e.g. while the server is replaced): a failed command is counted, the client
   * reconnects, and no failure is reported for errors; verification is left to the caller.
   */
  readonly tolerateOutage?: boolean;
  /**
   * Ends the load as soon as it holds, checked on every INFO sample (`infoEveryMs`) with that sample and the INFO taken
   * before the load began; `durationMs` stays the upper bound. The result's `endedBy` says which ended the run, so a
   * caller can make the verdict depend on what happened rather than on how fast this machine was.
   */
  readonly stopWhen?: (info: Info, atStart: Info) => boolean;
  /** Stops the load early. */
  readonly signal?: AbortSignal;
}

/** Parsed INFO: field → value. */
export type Info = Record<string, string | undefined>;

/** When each witness value was acknowledged: `acks[key]` = [sequence, epoch ms][]. */
export interface WitnessLedger {
  readonly prefix: string;
  readonly acks: Record<string, [number, number][]>;
}

export interface WitnessCheck {
  /** Witness keys with a write acknowledged before the cutoff. */
  readonly checked: number;
  readonly missing: { key: string; required: number }[];
  readonly stale: { key: string; required: number; found: number }[];
  readonly ok: boolean;
}

export interface LoadTestResult {
  readonly durationMs: number;
  /** What ended the load: `stopWhen` held, `durationMs` ran out, or the signal aborted it. */
  readonly endedBy: 'condition' | 'duration' | 'abort';
  readonly stoppedAt: number;
  readonly writes: {
    acked: number;
    /** Refused by the server (e.g. OOM, LOADING). */
    rejected: number;
    /** Connection lost before an answer. */
    unknown: number;
    errors: Record<string, number>;
    opsPerSec: number;
  };
  readonly witness: { ticks: number; ackedWrites: number; failedWrites: number };
  readonly ping: { sent: number; answered: number; errors: number; slow: number; maxMs: number; firstError?: string };
  readonly bg: Record<'bgsave' | 'bgrewriteaof', { started: number; scheduled: number; refused: number; errors: number }>;
  /** Highest INFO values seen (bytes). */
  readonly peaks: Partial<Record<(typeof PEAK_FIELDS)[number], number>>;
  readonly ledger: WitnessLedger;
  readonly loadGeneratorEventLoopMaxMs: number;
  readonly server?: { evictedKeys: number; forks: number; samePid: boolean };
  readonly witnessCheck?: WitnessCheck;
  readonly accounting?: { dbsize: number; expected: number };
  readonly failures: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deterministic values: load key n holds POOL[n % size]. */
function valuePool(valueBytes: number, size = 256): Buffer[] {
  const pool: Buffer[] = [];
  let block = createHash('sha256').update('load-test').digest();
  for (let i = 0; i < size; i++) {
    const parts: Buffer[] = [];
    for (let len = 0; len < valueBytes; len += block.length) {
      block = createHash('sha256').update(block).digest();
      parts.push(block);
    }
    pool.push(Buffer.concat(parts).subarray(0, valueBytes));
  }
  return pool;
}

/** Every witness write acknowledged at or before `cutoffMs` must be readable (the value, or a newer one). */
export async function verifyWitnesses(client: Redis, ledger: WitnessLedger, cutoffMs: number): Promise<WitnessCheck> {
  const names = Object.keys(ledger.acks);
  const values = names.length ? await client.mget(names) : [];
  const missing: WitnessCheck['missing'] = [];
  const stale: WitnessCheck['stale'] = [];
  let checked = 0;
  names.forEach((key, i) => {
    const required = ledger.acks[key].filter(([, at]) => at <= cutoffMs).reduce((m, [seq]) => Math.max(m, seq), -1);
    if (required < 0) return;
    checked++;
    const v = values[i];
    if (v === null) missing.push({ key, required });
    else if (Number(v) < required) stale.push({ key, required, found: Number(v) });
  });
  return { checked, missing, stale, ok: missing.length === 0 && stale.length === 0 };
}

const PEAK_FIELDS = [
  'used_memory',
  'used_memory_rss',
  'current_cow_peak',
  'current_cow_size',
  'mem_aof_buffer',
  'mem_clients_normal',
  'mem_not_counted_for_evict',
  'rdb_last_cow_size',
  'aof_last_cow_size',
] as const;

export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const o = {
    connections: 8,
    pipeline: 64,
    valueBytes: 1024,
    witnessKeys: 64,
    witnessEveryMs: 100,
    bgsaveEveryMs: 3000,
    bgrewriteaofEveryMs: 5000,
    pingEveryMs: 100,
    pingTimeoutMs: 2000,
    infoEveryMs: 250,
    ackMarginMs: 1000,
    verify: true,
    expectEvictions: true,
    tolerateOutage: false,
    ...options,
  };
  const prefix = `load:${randomBytes(4).toString('hex')}:`;
  const pool = valuePool(o.valueBytes);
  const failures: string[] = [];
  // when an outage is expected, let ioredis reconnect (every 100 ms) instead of giving up
  const clientOptions: RedisOptions = o.tolerateOutage ? { ...o.redis, retryStrategy: () => 100 } : o.redis;

  const control = connect(clientOptions);
  const infoConn = connect(clientOptions);
  const witnessConn = connect(clientOptions);
  const pingConn = connect(clientOptions);
  const writers = Array.from({ length: o.connections }, () => connect(clientOptions));
  const all = [control, infoConn, witnessConn, pingConn, ...writers];
  await Promise.all(all.map((c) => c.connect()));
  try {
    const before = parseInfo(await control.info('all'));
    const dbsizeBefore = await control.dbsize();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();

    const t0 = Date.now();
    const endAt = t0 + o.durationMs;
    const state = { aborted: false, conditionMet: false };
    o.signal?.addEventListener(
      'abort',
      () => {
        state.aborted = true;
      },
      { once: true },
    );
    const over = () => state.aborted || state.conditionMet || Date.now() >= endAt;

    const writes = { acked: 0, rejected: 0, unknown: 0, errors: {} as Record<string, number>, opsPerSec: 0 };
    const noteError = (message: string) => {
      const k = message.slice(0, 80);
      writes.errors[k] = (writes.errors[k] ?? 0) + 1;
    };
    const writerLoops = writers.map(async (client, c) => {
      let next = 0;
      while (!over()) {
        const p = client.pipeline();
        for (let i = 0; i < o.pipeline; i++, next++) p.set(`${prefix}k:${c}:${next}`, pool[next % pool.length]);
        let res: [Error | null, unknown][] | null;
        try {
          res = await p.exec();
        } catch (e) {
          writes.unknown += o.pipeline;
          noteError((e as Error).message);
          await sleep(50);
          continue;
        }
        for (const [err] of res ?? []) {
          if (!err) writes.acked++;
          else if (/connection|closed|writeable|ECONN/i.test(err.message)) {
            writes.unknown++;
            noteError(err.message);
          } else {
            writes.rejected++;
            noteError(err.message);
          }
        }
        if (res === null || res.some(([err]) => err)) await sleep(o.tolerateOutage ? 50 : 0);
      }
    });

    const ledger: WitnessLedger = { prefix, acks: {} };
    const witnessKey = (i: number) => `${prefix}w:${i}`;
    for (let i = 0; i < o.witnessKeys; i++) ledger.acks[witnessKey(i)] = [];
    const witness = { ticks: 0, ackedWrites: 0, failedWrites: 0 };
    const witnessLoop = (async () => {
      for (let seq = 1; !over(); seq++) {
        const tickStart = Date.now();
        const p = witnessConn.pipeline();
        for (let i = 0; i < o.witnessKeys; i++) p.set(witnessKey(i), String(seq));
        witness.ticks++;
        try {
          const res = (await p.exec()) ?? [];
          const at = Date.now();
          res.forEach(([err], i) => {
            if (err) witness.failedWrites++;
            else {
              witness.ackedWrites++;
              ledger.acks[witnessKey(i)].push([seq, at]);
            }
          });
        } catch {
          witness.failedWrites += o.witnessKeys;
        }
        const wait = o.witnessEveryMs - (Date.now() - tickStart);
        if (wait > 0) await sleep(wait);
      }
    })();

    const bg: LoadTestResult['bg'] = {
      bgsave: { started: 0, scheduled: 0, refused: 0, errors: 0 },
      bgrewriteaof: { started: 0, scheduled: 0, refused: 0, errors: 0 },
    };
    const bgCall = async (name: 'bgsave' | 'bgrewriteaof') => {
      try {
        // SCHEDULE: a BGSAVE refused because an AOF rewrite runs is taken right after it
        const reply = String(name === 'bgsave' ? await control.call('bgsave', 'schedule') : await control.bgrewriteaof());
        if (/scheduled/i.test(reply)) bg[name].scheduled++;
        else bg[name].started++;
      } catch (e) {
        if (/in progress|already/i.test((e as Error).message)) bg[name].refused++;
        else bg[name].errors++;
      }
    };
    const timers: NodeJS.Timeout[] = [];
    if (o.bgsaveEveryMs > 0) timers.push(setInterval(() => void (over() ? undefined : bgCall('bgsave')), o.bgsaveEveryMs));
    if (o.bgrewriteaofEveryMs > 0) {
      timers.push(setInterval(() => void (over() ? undefined : bgCall('bgrewriteaof')), o.bgrewriteaofEveryMs));
    }

    const ping: LoadTestResult['ping'] = { sent: 0, answered: 0, errors: 0, slow: 0, maxMs: 0 };
    const pingLoop = (async () => {
      while (!over()) {
        const t = Date.now();
        ping.sent++;
        try {
          await pingConn.ping();
          ping.answered++;
        } catch (e) {
          ping.errors++;
          ping.firstError ??= (e as Error).message;
        }
        const ms = Date.now() - t;
        ping.maxMs = Math.max(ping.maxMs, ms);
        if (ms > o.pingTimeoutMs) ping.slow++;
        await sleep(Math.max(0, o.pingEveryMs - ms));
      }
    })();

    const peaks: LoadTestResult['peaks'] = {};
    const infoLoop = (async () => {
      while (!over()) {
        try {
          const s = parseInfo(await infoConn.info('all'));
          for (const f of PEAK_FIELDS) if (s[f] !== undefined) peaks[f] = Math.max(peaks[f] ?? 0, Number(s[f]));
          if (o.stopWhen?.(s, before)) state.conditionMet = true;
        } catch {
          // counted by the ping loop
        }
        await sleep(o.infoEveryMs);
      }
    })();

    await Promise.all([...writerLoops, witnessLoop, pingLoop, infoLoop]);
    timers.forEach(clearInterval);
    const stoppedAt = Date.now();
    loopDelay.disable();
    writes.opsPerSec = Math.round(writes.acked / ((stoppedAt - t0) / 1000));

    const result: LoadTestResult = {
      durationMs: stoppedAt - t0,
      endedBy: state.aborted ? 'abort' : state.conditionMet ? 'condition' : 'duration',
      stoppedAt,
      writes,
      witness,
      ping,
      bg,
      peaks,
      ledger,
      loadGeneratorEventLoopMaxMs: loopDelay.max / 1e6,
      failures,
    };
    if (!o.verify || state.aborted) return result;

    const after = parseInfo(await control.info('all'));
    const samePid = before.process_id === after.process_id && before.run_id === after.run_id;
    const server = {
      evictedKeys: infoNumber(after, 'evicted_keys') - infoNumber(before, 'evicted_keys'),
      forks: infoNumber(after, 'total_forks') - infoNumber(before, 'total_forks'),
      samePid,
    };
    if (!samePid) failures.push('the server restarted during the run (process_id/run_id changed)');
    if (o.expectEvictions && !(server.evictedKeys > 0)) failures.push('no key was evicted (did the run go past maxmemory?)');
    const witnessCheck = await verifyWitnesses(control, ledger, stoppedAt - o.ackMarginMs);
    if (!witnessCheck.ok) {
      failures.push(`acknowledged witness writes lost: ${witnessCheck.missing.length} missing, ${witnessCheck.stale.length} stale`);
    }
    // one atomic read: Redis may still be evicting after the load stops
    const replies = (await control.multi().dbsize().info('stats').exists(Object.keys(ledger.acks)).exec()) ?? [];
    const [dbsize, statsText, presentWitnesses] = replies.map(([, v]) => v) as [number, string, number];
    const stats = parseInfo(statsText);
    const evicted = infoNumber(stats, 'evicted_keys') - infoNumber(before, 'evicted_keys');
    const expired = infoNumber(stats, 'expired_keys') - infoNumber(before, 'expired_keys');
    const expected = dbsizeBefore + presentWitnesses + writes.acked - evicted - expired;
    if (!o.tolerateOutage && writes.unknown === 0 && dbsize !== expected) {
      failures.push(`the key count does not add up: DBSIZE ${dbsize}, expected ${expected} (acknowledged writes vanished)`);
    }
    if (!o.tolerateOutage) {
      if (ping.errors || ping.slow) {
        failures.push(`PING: ${ping.errors} errors, ${ping.slow} slower than ${o.pingTimeoutMs} ms (slowest ${ping.maxMs} ms)`);
      }
      if (writes.unknown) failures.push(`${writes.unknown} writes with unknown outcome (connection lost)`);
      if (writes.rejected) failures.push(`${writes.rejected} writes refused: ${JSON.stringify(writes.errors)}`);
    }
    return { ...result, server: { ...server, evictedKeys: evicted }, witnessCheck, accounting: { dbsize, expected } };
  } finally {
    for (const c of all) c.disconnect();
  }
}
