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
} from '../../config/local';
import { EXPECTED_USERS, MAXMEMORY_POLICY } from '../../config/scaling';
import { tierFor } from '../../stacks/sizing';
import { localRedisSettings, renderRedisConf } from '../../constructs/local/redis-conf';
import { GuideRedis, startGuideRedis } from '../../scripts/lib/redis-server';
import { RespClient, info } from '../../scripts/lib/resp';

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

  it('takes maxmemory from the pilot tier and the eviction policy from config', () => {
    expect(lines).toContain(`maxmemory ${tierFor(EXPECTED_USERS.pilot).memoryGiB * 1024}mb`);
    expect(lines).toContain(`maxmemory-policy ${MAXMEMORY_POLICY}`);
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
  let client: RespClient;

  beforeAll(async () => {
    redis = await startGuideRedis('local-redis-conf');
    client = await RespClient.connect({ port: redis.port });
    await client.send('AUTH', redis.password);
  });

  afterAll(async () => {
    client?.close();
    await redis?.stop();
  });

  it('loads the rendered file', async () => {
    expect((await info(client, 'server')).config_file).toBe(redis.server.confPath);
  });

  it('requires the password', async () => {
    const anonymous = await RespClient.connect({ port: redis.port });
    try {
      await expect(anonymous.send('PING')).rejects.toThrow(/^NOAUTH/);
      await expect(anonymous.send('AUTH', `${redis.password}x`)).rejects.toThrow(/^WRONGPASS/);
      await expect(anonymous.send('AUTH', redis.password)).resolves.toBe('OK');
      await expect(anonymous.send('PING')).resolves.toBe('PONG');
    } finally {
      anonymous.close();
    }
  });

  it.each(DISABLED_COMMANDS)('refuses %s', async (command) => {
    await client.send('SET', 'survivor', command);
    await expect(client.send(command, '*')).rejects.toThrow(/^ERR unknown command/);
    expect(await client.send('GET', 'survivor')).toBe(command);
  });

  it('reports the configured maxmemory and eviction policy in INFO', async () => {
    const memory = await info(client, 'memory');
    expect(Number(memory.maxmemory)).toBe(redis.settings.maxmemoryMb * MIB);
    expect(memory.maxmemory_policy).toBe(MAXMEMORY_POLICY);
  });

  it('appends to an AOF whose base is an RDB preamble', async () => {
    expect((await info(client, 'persistence')).aof_enabled).toBe('1');
    const aofDir = path.join(redis.dir, 'appendonlydir');
    const base = fs.readdirSync(aofDir).filter((f) => f.includes('.base.'));
    expect(base).toEqual([expect.stringMatching(/\.base\.rdb$/)]);
    expect(fs.readFileSync(path.join(aofDir, base[0])).subarray(0, 5).toString()).toBe('REDIS');
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
    const writer = await RespClient.connect({ port });
    await writer.send('AUTH', password);
    const keys = Array.from({ length: KEYS }, (_, i) => `durable:${i}`);
    const acks = await Promise.all(keys.map((k) => writer.send('SET', k, `value-of-${k}`)));
    expect(acks.every((a) => a === 'OK')).toBe(true);
    writer.close();
    await new Promise((r) => setTimeout(r, AOF_FSYNC_INTERVAL_MS + 500));
    await server.kill9();

    await server.start();
    expect(server.log).toMatch(/DB loaded from append only file/);
    const reader = await RespClient.connect({ port });
    try {
      await reader.send('AUTH', password);
      expect(await reader.send('MGET', ...keys)).toEqual(keys.map((k) => `value-of-${k}`));
    } finally {
      reader.close();
    }
  }, 20000);
});
