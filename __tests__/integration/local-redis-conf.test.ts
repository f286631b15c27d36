/**
 * The rendered redis.conf, read by a real redis-server (Debian's package) on a free loopback port in a temp dir.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  AOF_FSYNC_INTERVAL_MS,
  CONTAINER_BIND,
  CONTAINER_PATHS,
  CONTAINER_PORT,
  DISABLED_COMMANDS,
  RDB_SAVE_POINTS,
} from '../../constructs/local/defaults';
import { localRedisSettings, renderRedisConf } from '../../constructs/local/redis-conf';
import Redis from 'ioredis';
import { GuideRedis, open, parseInfo, startGuideRedis, withClient } from '../../scripts/lib/redis-server';

const MIB = 2 ** 20;

describe('renderRedisConf', () => {
  const conf = renderRedisConf(
    localRedisSettings({
      bind: CONTAINER_BIND,
      port: CONTAINER_PORT,
      dir: CONTAINER_PATHS.data,
      password: '<password>',
      maxmemoryMb: 512,
      maxmemoryPolicy: 'allkeys-lru',
    }),
  );
  const lines = conf.split('\n');

  it('renders the guides’ settings', () => {
    expect(conf).toMatchSnapshot();
  });

  it('renders the maxmemory and eviction policy it is given', () => {
    expect(lines).toContain('maxmemory 512mb');
    expect(lines).toContain('maxmemory-policy allkeys-lru');
  });

  it('snapshots at every save point of the guide', () => {
    expect(lines.filter((l) => l.startsWith('save '))).toEqual(RDB_SAVE_POINTS.map((p) => `save ${p.seconds} ${p.changes}`));
  });

  it('in TLS mode closes the plaintext port and serves TLS on the configured one', () => {
    const tlsLines = renderRedisConf(
      localRedisSettings({
        bind: CONTAINER_BIND,
        port: CONTAINER_PORT + 1,
        dir: CONTAINER_PATHS.data,
        password: '<password>',
        maxmemoryMb: 512,
        maxmemoryPolicy: 'allkeys-lru',
        tls: { certFile: '/c/redis.crt', keyFile: '/c/redis.key', caCertFile: '/c/ca.crt' },
      }),
    ).split('\n');
    expect(tlsLines).toEqual(expect.arrayContaining(['port 0', `tls-port ${CONTAINER_PORT + 1}`, 'tls-cert-file "/c/redis.crt"']));
    expect(tlsLines.filter((l) => l.startsWith('port '))).toEqual(['port 0']);
  });
});

describe('redis-server running the rendered redis.conf', () => {
  let redis: GuideRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startGuideRedis('local-redis-conf');
    client = await open({ port: redis.port, password: redis.password });
  });

  afterAll(async () => {
    (client as Redis | undefined)?.disconnect();
    await (redis as GuideRedis | undefined)?.stop();
  });

  const info = async (section: string) => parseInfo(await client.info(section));

  it('loads the rendered file', async () => {
    expect((await info('server')).config_file).toBe(redis.server.confPath);
  });

  it('requires the password', async () => {
    await expect(withClient({ port: redis.port }, (c) => c.ping())).rejects.toThrow(/^NOAUTH/);
    await expect(withClient({ port: redis.port, password: `${redis.password}x` }, (c) => c.ping())).rejects.toThrow(/^WRONGPASS/);
    await expect(withClient({ port: redis.port, password: redis.password }, (c) => c.ping())).resolves.toBe('PONG');
  });

  it.each(DISABLED_COMMANDS)('refuses %s', async (command) => {
    await client.set('survivor', command);
    await expect(client.call(command, '*')).rejects.toThrow(/^ERR unknown command/);
    expect(await client.get('survivor')).toBe(command);
  });

  it('reports the configured maxmemory and eviction policy in INFO', async () => {
    const memory = await info('memory');
    expect(Number(memory.maxmemory)).toBe(redis.settings.maxmemoryMb * MIB);
    expect(memory.maxmemory_policy).toBe('allkeys-lru');
  });

  it('appends to an AOF whose base is an RDB preamble', async () => {
    expect((await info('persistence')).aof_enabled).toBe('1');
    const aofDir = path.join(redis.dir, 'appendonlydir');
    const base = fs.readdirSync(aofDir).filter((f) => f.includes('.base.'));
    expect(base).toEqual([expect.stringMatching(/\.base\.rdb$/)]);
    expect(fs.readFileSync(path.join(aofDir, base[0])).subarray(0, 5).toString()).toBe('REDIS');
  });

  it('raises the out-of-memory score of its fork children above its own', async () => {
    const pid = Number((await info('server')).process_id);
    expect(fs.readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim()).toBe('0');
    await client.bgsave();
    // The child lives as long as the save takes; catch it while it runs. Redis sets the child's score right after
    // fork(), so a read in the first microseconds still sees the parent's 0: collect every value seen, and stop at
    // the first raised one.
    const deadline = Date.now() + 5000;
    const seen = new Set<string>();
    while (!seen.has('800') && Date.now() < deadline) {
      const children = fs.existsSync(`/proc/${pid}/task/${pid}/children`)
        ? fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
        : [];
      for (const child of children) {
        try {
          seen.add(fs.readFileSync(`/proc/${child}/oom_score_adj`, 'utf8').trim());
        } catch {
          // the child finished
        }
      }
      if (!children.length && (await info('persistence')).rdb_bgsave_in_progress === '0') await client.bgsave();
    }
    expect([...seen]).toContain('800');
  });
});

describe('durability: appendfsync everysec', () => {
  const KEYS = 2000;
  let redis: GuideRedis | undefined;

  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps every key acknowledged more than a second before kill -9', async () => {
    redis = await startGuideRedis('local-redis-durability');
    const { server, port, password } = redis;
    const keys = Array.from({ length: KEYS }, (_, i) => `durable:${i}`);
    await withClient({ port, password }, async (writer) => {
      const acks = await Promise.all(keys.map((k) => writer.set(k, `value-of-${k}`)));
      expect(acks).toEqual(keys.map(() => 'OK'));
    });
    await new Promise((r) => setTimeout(r, AOF_FSYNC_INTERVAL_MS + 500));
    await server.kill9();

    await server.start();
    expect(server.log).toMatch(/DB loaded from append only file/);
    await withClient({ port, password }, async (reader) => {
      expect(await reader.mget(keys)).toEqual(keys.map((k) => `value-of-${k}`));
    });
  }, 20000);
});
