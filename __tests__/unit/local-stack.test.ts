/**
 * The `local` stack as synthesized Terraform JSON, and LocalRedis's validation.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Testing, TerraformStack } from 'cdktf';
import {
  CONTAINER_BIND,
  CONTAINER_PATHS,
  CONTAINER_PORT,
  HEALTHCHECK,
  LOCAL_DEFAULT_PORT,
  LOCAL_HOST,
  LOCAL_IMAGES,
  LOCAL_PASSWORD,
  RESTART_POLICY,
  TLS_FILES,
} from '../../constructs/local/defaults';
import { LOCAL_CONTAINER_NAME, LOCAL_ENV, PASSWORD_VARIABLE } from '../../config/local';
import { LocalRedis, LocalRedisProps } from '../../constructs/local/local-redis';
import { localRedisSettings, renderRedisConf } from '../../constructs/local/redis-conf';
import { LocalStack, LocalStackProps } from '../../stacks/local-stack';
import { removeDir, tempDir } from '../../scripts/lib/redis-server';

const ROOT = path.join(__dirname, '..', '..');

type Json = Record<string, any>;

function synth(props: LocalStackProps = {}): Json {
  return JSON.parse(Testing.synth(new LocalStack(Testing.app(), 'local', { env: {}, ...props }), true));
}

/** The one resource of a type: [logical id, arguments]. */
function only(json: Json, type: string): [string, Json] {
  const entries = Object.entries(json.resource[type] ?? {});
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Json];
}

/** The Terraform expression of the password in effect, as the `redis_password` output gives it. */
const passwordExpression = (json: Json): string => json.output.redis_password.value;

const maxmemoryMbOf = (conf: string) => Number(/^maxmemory (\d+)mb$/m.exec(conf)![1]);

describe('LocalStack, defaults', () => {
  let json: Json;
  let container: Json;

  beforeAll(() => {
    json = synth();
    container = only(json, 'docker_container')[1];
  });

  it('runs redis:7.2 and keeps the image when the stack is destroyed', () => {
    const [imageId, image] = only(json, 'docker_image');
    expect(image).toEqual({ name: LOCAL_IMAGES.redis.image, keep_locally: true });
    expect(container.image).toBe(`\${docker_image.${imageId}.image_id}`);
  });

  it('runs the rendered redis.conf, uploaded into the container, readable by the Redis user only (it holds the password)', () => {
    expect(container.command).toEqual([LOCAL_IMAGES.redis.server, CONTAINER_PATHS.conf]);
    expect(container.upload).toEqual([
      {
        file: CONTAINER_PATHS.conf,
        permissions: '0600',
        owner: '999',
        group: '999',
        content: renderRedisConf(
          localRedisSettings({
            bind: CONTAINER_BIND,
            port: CONTAINER_PORT,
            dir: CONTAINER_PATHS.data,
            password: passwordExpression(json),
            maxmemoryMb: 512,
            maxmemoryPolicy: 'allkeys-lru',
          }),
        ),
      },
    ]);
  });

  it('sets no container user: the image’s entrypoint steps down to uid 999 (with a user, Docker would look it up on the host to own the uploads)', () => {
    expect(container.user).toBeUndefined();
  });

  it('publishes the port on 127.0.0.1 only', () => {
    expect(container.ports).toEqual([{ internal: CONTAINER_PORT, external: LOCAL_DEFAULT_PORT, ip: LOCAL_HOST }]);
  });

  it('keeps /data on a named volume', () => {
    const [volumeId, volume] = only(json, 'docker_volume');
    expect(volume).toEqual({ name: `${LOCAL_CONTAINER_NAME}-data` });
    expect(container.volumes).toEqual([{ container_path: CONTAINER_PATHS.data, volume_name: `\${docker_volume.${volumeId}.name}` }]);
  });

  it('limits the container’s memory to 2.25 × maxmemory + 256 MB, without swap (a fork’s full copy fits)', () => {
    expect(maxmemoryMbOf(container.upload[0].content)).toBe(512);
    expect(container.memory).toBe(1408);
    expect(container.memory_swap).toBe(1408);
  });

  it('writes back while saving (fsync every 4 MB, AOF fsync kept during a save), so dirty page cache stays small', () => {
    expect(container.upload[0].content.split('\n')).toEqual(
      expect.arrayContaining(['rdb-save-incremental-fsync yes', 'aof-rewrite-incremental-fsync yes', 'no-appendfsync-on-rewrite no']),
    );
  });

  it('lets the kernel kill a fork child before the server if memory ever runs out', () => {
    expect(container.upload[0].content.split('\n')).toContain('oom-score-adj yes');
  });

  it('stops Redis with SIGTERM and waits up to 60 s for its shutdown save, on destroy and on docker stop', () => {
    expect(container).toEqual(expect.objectContaining({ stop_signal: 'SIGTERM', stop_timeout: 60, destroy_grace_seconds: 60 }));
  });

  it('checks health with an authenticated redis-cli ping that fails on an error reply', () => {
    expect(container.healthcheck).toEqual({
      test: ['CMD', LOCAL_IMAGES.redis.cli, '-e', 'ping'],
      interval: `${HEALTHCHECK.intervalSeconds}s`,
      timeout: `${HEALTHCHECK.timeoutSeconds}s`,
      retries: HEALTHCHECK.retries,
    });
    expect(container.env).toEqual([`REDISCLI_AUTH=${passwordExpression(json)}`]);
  });

  it('always restarts (after a crash, an OOM kill, and at the engine’s next start after docker kill), and deploy waits for the health check', () => {
    expect(RESTART_POLICY).toBe('always');
    expect(container).toEqual(expect.objectContaining({ name: LOCAL_CONTAINER_NAME, restart: 'always', wait: true }));
  });

  it('takes the password from TF_VAR_redis_password or generates it, in Terraform', () => {
    const [randomId, random] = only(json, 'random_password');
    expect(random).toEqual({ length: LOCAL_PASSWORD.generatedLength, special: false });
    expect(passwordExpression(json)).toBe(`\${coalesce(var.${PASSWORD_VARIABLE}, random_password.${randomId}.result)}`);
    expect(json.variable[PASSWORD_VARIABLE]).toEqual(expect.objectContaining({ type: 'string', default: '', sensitive: true }));
    expect(json.variable[PASSWORD_VARIABLE].validation).toEqual([
      {
        condition:
          '${var.redis_password == "" || (can(regex("^[A-Za-z0-9._~-]{16,128}$", var.redis_password)) && length(distinct(split("", var.redis_password))) >= 8 && length(var.redis_password) * log(max(2, (can(regex("[a-z]", var.redis_password)) ? 26 : 0) + (can(regex("[A-Z]", var.redis_password)) ? 26 : 0) + (can(regex("[0-9]", var.redis_password)) ? 10 : 0) + (can(regex("[._~-]", var.redis_password)) ? 4 : 0)), 2) >= 80)}',
        error_message:
          'redis_password (TF_VAR_redis_password): 16–128 characters from A-Za-z0-9._~-, at least 8 different characters and an estimated 80 bits (length × log2 of the character classes used; e.g. 16 random letters and digits, or openssl rand -hex 16); or empty for a generated password.',
      },
    ]);
  });

  it('uses the password only as that expression: in requirepass, the health check’s environment and the outputs', () => {
    const expr = passwordExpression(json);
    const text = JSON.stringify(json);
    const uses = text.split(JSON.stringify(expr).slice(1, -1)).length - 1;
    expect(container.upload[0].content).toContain(`requirepass "${expr}"`);
    // requirepass, REDISCLI_AUTH, redis_password, redis_url
    expect(uses).toBe(4);
  });

  it('never puts TF_VAR_redis_password into the JSON (synth only checks its strength)', () => {
    const secret = `${PASSWORD_VARIABLE}-${process.pid}-${Date.now()}`;
    const saved = process.env[`TF_VAR_${PASSWORD_VARIABLE}`];
    process.env[`TF_VAR_${PASSWORD_VARIABLE}`] = secret;
    try {
      expect(JSON.stringify(synth({ env: process.env }))).not.toContain(secret);
    } finally {
      if (saved === undefined) Reflect.deleteProperty(process.env, `TF_VAR_${PASSWORD_VARIABLE}`);
      else process.env[`TF_VAR_${PASSWORD_VARIABLE}`] = saved;
    }
  });

  it('outputs what npm run local:env writes: host, port, db, no TLS, and the password and redis:// URL as sensitive', () => {
    const expr = passwordExpression(json);
    expect(json.output).toEqual({
      redis_host: expect.objectContaining({ value: LOCAL_HOST }),
      redis_port: expect.objectContaining({ value: LOCAL_DEFAULT_PORT }),
      redis_db: expect.objectContaining({ value: 0 }),
      redis_tls: expect.objectContaining({ value: false }),
      redis_ca_cert: expect.objectContaining({ value: '' }),
      redis_password: expect.objectContaining({ value: expr, sensitive: true }),
      redis_url: expect.objectContaining({ value: `redis://:${expr}@${LOCAL_HOST}:${LOCAL_DEFAULT_PORT}/0`, sensitive: true }),
    });
  });

  it('keeps its state in terraform.local.tfstate at the project root', () => {
    expect(json.terraform.backend).toEqual({ local: { path: '../../../terraform.local.tfstate' } });
    expect(path.resolve(ROOT, 'cdktf.out/stacks/local', json.terraform.backend.local.path)).toBe(
      path.join(ROOT, 'terraform.local.tfstate'),
    );
  });

  it('matches the snapshot', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('LocalStack, choices', () => {
  let tlsDir: string;

  beforeAll(() => {
    tlsDir = tempDir('local-stack-tls');
    execFileSync('bash', [path.join(ROOT, 'scripts/local-tls.sh'), tlsDir], { stdio: 'pipe', timeout: 20000 });
  });

  afterAll(() => {
    if (tlsDir) removeDir(tlsDir);
  });

  it('runs Valkey with its own server and CLI when asked', () => {
    const container = only(synth({ engine: 'valkey' }), 'docker_container')[1];
    expect(container.command[0]).toBe(LOCAL_IMAGES.valkey.server);
    expect(container.healthcheck.test[1]).toBe(LOCAL_IMAGES.valkey.cli);
  });

  it('reads the engine, port and TLS choices from LOCAL_REDIS_* variables', () => {
    const port = LOCAL_DEFAULT_PORT + 1;
    const json = synth({
      env: { [LOCAL_ENV.engine]: 'valkey', [LOCAL_ENV.port]: String(port), [LOCAL_ENV.tls]: '1', [LOCAL_ENV.tlsDir]: tlsDir },
    });
    expect(only(json, 'docker_image')[1].name).toBe(LOCAL_IMAGES.valkey.image);
    expect(only(json, 'docker_container')[1].ports[0].external).toBe(port);
    expect(json.output.redis_tls.value).toBe(true);
    // the CA applications trust: REDIS_SSL_CA_CERTS in the .env file
    expect(json.output.redis_ca_cert.value).toBe(path.join(tlsDir, 'ca.crt'));
  });

  it('lets props win over the environment', () => {
    const json = synth({ engine: 'redis', port: LOCAL_DEFAULT_PORT, env: { [LOCAL_ENV.engine]: 'valkey', [LOCAL_ENV.port]: '1' } });
    expect(only(json, 'docker_image')[1].name).toBe(LOCAL_IMAGES.redis.image);
    expect(only(json, 'docker_container')[1].ports[0].external).toBe(LOCAL_DEFAULT_PORT);
  });

  it('runs the image LOCAL_REDIS_IMAGE names (deploy:local --image-from-host: the host-built image), with the engine’s server and CLI', () => {
    const json = synth({ env: { [LOCAL_ENV.image]: 'isl-cache-redis-from-host:7.0.15' } });
    expect(only(json, 'docker_image')[1]).toEqual({ name: 'isl-cache-redis-from-host:7.0.15', keep_locally: true });
    expect(only(json, 'docker_container')[1].command[0]).toBe('redis-server');
  });

  it('rejects a LOCAL_REDIS_TLS that is neither 0 nor 1', () => {
    expect(() => synth({ env: { [LOCAL_ENV.tls]: 'yes' } })).toThrow(`${LOCAL_ENV.tls}: 0 or 1, got "yes"`);
  });

  describe('TLS mode', () => {
    let json: Json;
    let container: Json;

    beforeAll(() => {
      json = synth({ tls: true, tlsDir });
      container = only(json, 'docker_container')[1];
    });

    it('serves TLS only, on the container port', () => {
      const lines = container.upload[0].content.split('\n');
      expect(lines).toEqual(expect.arrayContaining(['port 0', `tls-port ${CONTAINER_PORT}`, 'tls-auth-clients no']));
    });

    it('uploads the CA, certificate and key from the TLS directory, owned by the Redis user, the key 0600; a change replaces the container', () => {
      const upload = (f: string, permissions: string) => ({
        file: path.posix.join(CONTAINER_PATHS.certs, f),
        source: path.join(tlsDir, f),
        source_hash: `\${filesha256("${path.join(tlsDir, f)}")}`,
        permissions,
        owner: '999',
        group: '999',
      });
      expect(container.upload.slice(1)).toEqual([upload('ca.crt', '0644'), upload('redis.crt', '0644'), upload('redis.key', '0600')]);
    });

    it('checks health over TLS, trusting the uploaded CA', () => {
      expect(container.healthcheck.test).toEqual([
        'CMD',
        LOCAL_IMAGES.redis.cli,
        '-e',
        '--tls',
        '--cacert',
        path.posix.join(CONTAINER_PATHS.certs, TLS_FILES.caCert),
        'ping',
      ]);
    });

    it('gives a rediss:// URL', () => {
      expect(json.output.redis_url.value).toMatch(/^rediss:\/\//);
    });
  });
});

describe('LocalRedis validation', () => {
  const attempt = (props: LocalRedisProps) => () => new LocalRedis(new TerraformStack(Testing.app(), 'test'), 'redis', props);

  it.each<[string, LocalRedisProps, string]>([
    ['an unknown engine', { engine: 'memcached' as never }, 'engine: one of redis, valkey, got "memcached"'],
    ['port 0', { port: 0 }, 'port: a whole number from 1 to 65535, got 0'],
    ['a port above 65535', { port: 65536 }, 'port: a whole number from 1 to 65535, got 65536'],
    ['a port that is not a number', { port: Number('abc') }, 'port: a whole number from 1 to 65535, got NaN'],
    ['a container name with a space', { name: 'my redis' }, 'name: a Docker container name'],
    ['a short literal password', { password: 'short' }, 'password: 16–128 characters from A-Za-z0-9._~-, at least 8 different characters'],
    [
      'a password with a character unsafe in a URL',
      { password: 'a'.repeat(20) + '@' },
      'got a string of 21 characters, some outside the allowed ones',
    ],
    [
      'a weak literal password (sixteen a)',
      { password: 'a'.repeat(16) },
      'got a string of 16 characters, 1 different, an estimated 75 bits',
    ],
    [
      'an image reference with a space',
      { image: 'redis 7' },
      'image: a Docker image reference such as redis:7.2 or registry.example.com/team/redis:7.2.4, got "redis 7"',
    ],
    [
      'a TLS directory with a template sequence',
      { tls: true, tlsDir: '/tmp/${path.cwd}' },
      'tlsDir: a literal value without "${" or "%{" (Terraform would evaluate "${…" in it as an expression), got "/tmp/${path.cwd}"',
    ],
    [
      'a TLS directory with a quote',
      { tls: true, tlsDir: '/tmp/a"b' },
      'tlsDir: a value without " or \\ (it is placed inside a Terraform expression, which they would break), got "/tmp/a\\"b"',
    ],
    ['maxmemory 0', { maxmemoryMb: 0 }, 'maxmemoryMb: a whole number ≥ 1, got 0'],
    ['tlsDir without TLS', { tlsDir: '/somewhere' }, 'tlsDir: only with tls: true, got "/somewhere" with tls: undefined'],
    [
      'TLS without the files',
      { tls: true, tlsDir: '/nonexistent' },
      'tlsDir: a directory holding ca.crt, redis.crt, redis.key, got "/nonexistent" without ca.crt, redis.crt, redis.key',
    ],
  ])('rejects %s', (_, props, message) => {
    expect(attempt(props)).toThrow(message);
  });

  it('never echoes a rejected password', () => {
    const password = 'x'.repeat(5);
    expect(attempt({ password })).toThrow(/password:/);
    expect(attempt({ password })).not.toThrow(new RegExp(password));
  });

  it('lists every problem in one error', () => {
    expect(attempt({ engine: 'memcached' as never, port: 0, maxmemoryMb: -1 })).toThrow(
      /^test\/redis \(LocalRedis\): 3 problems:\n {2}- engine: .*\n {2}- port: .*\n {2}- maxmemoryMb: .*$/,
    );
  });

  it('creates nothing when its props are invalid', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    expect(() => new LocalRedis(stack, 'redis', { port: 0 })).toThrow();
    expect(stack.node.findAll().filter((c) => c !== stack)).toHaveLength(0);
  });
});
