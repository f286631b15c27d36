/**
 * The RBAC users the AWS stacks synthesize, judged by a real Redis: each user's access string (as ElastiCache would
 * hand it to the engine, with a password of ours) is loaded into a real redis-server's ACL, and ioredis, the client
 * applications use, connects as the application user and as `default`. ElastiCache runs the same ACL engine (Redis
 * OSS 6+/Valkey 7.2+); what it adds (passwords managed by the API, restricted commands) is covered by the unit tests.
 */
import { Testing } from 'cdktf';
import { AWS_ENVIRONMENTS, ENVIRONMENTS } from '../../config/environments';
import { RedisServer, freeLoopbackPort, randomPassword, removeDir, tempDir, withClient } from '../../scripts/lib/redis-server';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { deploymentSettings } from '../../stacks/settings';

interface User {
  readonly user_name: string;
  readonly access_string: string;
}

function usersOf(env: (typeof AWS_ENVIRONMENTS)[number], change: Record<string, unknown> = {}): User[] {
  const stack = new CacheEnvironmentStack(Testing.app(), env, {
    environment: { ...ENVIRONMENTS[env], ...change },
    deployment: deploymentSettings(env, {}),
  });
  const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, User>> };
  return Object.values(json.resource.aws_elasticache_user);
}

let server: RedisServer;
let port: number;
let dir: string;

/** Loads a user as ElastiCache would: its access string, plus one password (ElastiCache manages passwords). */
async function loadUser(u: User, password: string): Promise<void> {
  await withClient({ port, username: 'admin', password: 'admin-password-for-this-test' }, async (c) => {
    await c.call('ACL', 'SETUSER', u.user_name, 'reset', ...u.access_string.split(' '), `>${password}`);
  });
}

beforeAll(async () => {
  dir = tempDir('rbac-acl-');
  port = await freeLoopbackPort();
  // an admin user to load the others; `default` is replaced by the stack's own
  server = new RedisServer(
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      'user admin on >admin-password-for-this-test ~* &* +@all',
    ].join('\n'),
    dir,
  );
  await server.start();
});

afterAll(async () => {
  await server.stop();
  removeDir(dir);
});

describe.each(AWS_ENVIRONMENTS)('the %s users on a real Redis ACL', (env) => {
  const passwords = { app: randomPassword(), default: randomPassword() };
  let app: User;

  beforeAll(async () => {
    const users = usersOf(env);
    app = users.find((u) => u.user_name !== 'default')!;
    for (const u of users) await loadUser(u, u.user_name === 'default' ? passwords.default : passwords.app);
  });

  it('the application user reads and writes, and expires keys', async () => {
    await withClient({ port, username: app.user_name, password: passwords.app }, async (c) => {
      expect(await c.set(`${env}:k`, 'v', 'EX', 60)).toBe('OK');
      expect(await c.get(`${env}:k`)).toBe('v');
      expect(await c.ttl(`${env}:k`)).toBeGreaterThan(0);
      expect(await c.scan('0', 'MATCH', `${env}:*`, 'COUNT', 100)).toEqual(['0', [`${env}:k`]]); // SCAN, not KEYS
    });
  });

  it.each(['FLUSHALL', 'FLUSHDB', 'KEYS'])('the application user is refused %s (NOPERM)', async (command) => {
    await withClient({ port, username: app.user_name, password: passwords.app }, async (c) => {
      await expect(c.call(command, ...(command === 'KEYS' ? ['*'] : []))).rejects.toThrow(/^NOPERM/);
    });
  });

  it('the user "default" is off: a client without a user name cannot log in, even with the right password', async () => {
    await expect(withClient({ port, password: passwords.default }, (c) => c.ping())).rejects.toThrow(/WRONGPASS|disabled/);
  });
});

describe('during the move from the AUTH token (authTokenMigration: accept-auth-token)', () => {
  const token = randomPassword();

  beforeAll(async () => {
    for (const u of usersOf('production', { authTokenMigration: 'accept-auth-token' })) {
      await loadUser(u, u.user_name === 'default' ? token : randomPassword());
    }
  });

  it('a client that still sends only the token works as "default" …', async () => {
    await expect(withClient({ port, password: token }, (c) => c.set('legacy', '1'))).resolves.toBe('OK');
  });

  it('… and still cannot FLUSHALL', async () => {
    await withClient({ port, password: token }, async (c) => {
      await expect(c.call('FLUSHALL')).rejects.toThrow(/^NOPERM/);
    });
  });
});
