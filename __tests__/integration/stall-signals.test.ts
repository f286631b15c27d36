/**
 * Why the alarms watch the slow log and not GetTypeCmdsLatency, judged by a real engine: one client stalls a real
 * redis-server with a 500 ms Lua script while another sends a GET. The GET waits for the script (the engine runs one
 * command at a time), yet INFO commandstats, from which ElastiCache computes GetTypeCmdsLatency ("delta(usec)/
 * delta(calls)", CPU time per call), charges the GET microseconds; the slow log, configured as the groups are
 * (constructs/facts/elasticache.ts SLOWLOG), records the script with its duration in microseconds above the slow-commands
 * threshold (100000 µs). ElastiCache's delivery of that record to CloudWatch Logs is AWS's part (unit tests check the
 * transformer and metric filter against its documented record format).
 */
import { SLOWLOG } from '../../constructs/facts/elasticache';
import { RedisServer, freeLoopbackPort, open, parseInfo, removeDir, tempDir } from '../../scripts/lib/redis-server';
import type Redis from 'ioredis';

/** A Lua script that keeps the engine busy for ARGV[1] microseconds (TIME is allowed in scripts since Redis 5). */
const BUSY_LOOP =
  "local s = redis.call('TIME') " +
  "repeat local n = redis.call('TIME') until (n[1] - s[1]) * 1000000 + (n[2] - s[2]) >= tonumber(ARGV[1]) " +
  'return 1';

let server: RedisServer;
let dir: string;
let stalling: Redis;
let waiting: Redis;

beforeAll(async () => {
  dir = tempDir('stall-signals-');
  const port = await freeLoopbackPort();
  server = new RedisServer(
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      `slowlog-log-slower-than ${SLOWLOG.slowerThanMicroseconds}`,
      `slowlog-max-len ${SLOWLOG.maxLen}`,
    ].join('\n'),
    dir,
  );
  await server.start();
  stalling = await open({ port });
  waiting = await open({ port });
});

afterAll(async () => {
  stalling.disconnect();
  waiting.disconnect();
  await server.stop();
  removeDir(dir);
});

test('a GET stalled by a 500 ms Lua script: commandstats charges it microseconds, the slow log records the script', async () => {
  await waiting.set('k', 'v');
  await waiting.config('RESETSTAT');
  await waiting.slowlog('RESET');

  const script = stalling.eval(BUSY_LOOP, 0, '500000');
  await new Promise((r) => setTimeout(r, 100)); // the script has started
  const sent = process.hrtime.bigint();
  expect(await waiting.get('k')).toBe('v');
  const waitedMs = Number(process.hrtime.bigint() - sent) / 1e6;
  expect(await script).toBe(1);

  // the client waited for the script: more than the 100 ms the guides alarm on
  expect(waitedMs).toBeGreaterThan(200);

  // GetTypeCmdsLatency's source: the GET's own CPU time, far below 100000 µs
  const stats = parseInfo(await waiting.info('commandstats'));
  const get = /calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(stats.cmdstat_get ?? '');
  expect(get?.[1]).toBe('1');
  expect(Number(get?.[3])).toBeLessThan(1000);

  // the slow log: the script, with its duration in microseconds above the slow-commands threshold; no GET (on a busy
  // machine the script's own TIME calls may be logged too: Redis 7 logs commands run inside scripts)
  const entries = (await waiting.slowlog('GET', 128)) as Array<[number, number, number, string[]]>;
  const logged = entries.map(([, , micros, args]) => [args[0].toLowerCase(), micros] as const);
  expect(logged.filter(([command]) => command === 'eval')).toEqual([['eval', expect.any(Number)]]);
  expect(logged.filter(([command]) => command === 'get')).toEqual([]);
  const [[, scriptMicros]] = logged.filter(([command]) => command === 'eval');
  expect(scriptMicros).toBeGreaterThanOrEqual(500000);
  expect(scriptMicros).toBeGreaterThan(100000);
});
