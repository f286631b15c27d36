/**
 * The local Redis Cluster (LOCAL_REDIS_CLUSTER=1) as synthesized Terraform JSON: six nodes with the single Redis's
 * configuration, password and TLS mode plus the cluster directives, on the host's network at their own ports, and the
 * one-shot container that creates the cluster; its variables and its hand-off (.env). The real deploy, failover and
 * TLS run in __tests__/integration/local-cluster.test.ts.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { Testing } from 'cdktf';
import { LocalStack, LocalStackProps } from '../../stacks/local-stack';
import { localSettings } from '../../stacks/settings';
import { envFromOutputs } from '../../scripts/local-env';
import { removeDir, tempDir } from '../../scripts/lib/redis-server';

const ROOT = path.join(__dirname, '..', '..');
type Json = Record<string, any>;

const synth = (props: LocalStackProps): Json =>
  JSON.parse(Testing.synth(new LocalStack(Testing.app(), 'local', { env: {}, ...props }), true)) as Json;
const containers = (j: Json) => Object.values<Json>(j.resource.docker_container);
const named = (j: Json, name: string) => containers(j).find((c) => c.name === name)!;
const conf = (c: Json) => String(c.upload[0].content);

describe('LOCAL_REDIS_CLUSTER=1', () => {
  let json: Json;
  beforeAll(() => {
    json = synth({ env: { LOCAL_REDIS_CLUSTER: '1' } });
  });

  it('adds 6 nodes, each with its data volume, and the one-shot create container beside the single Redis', () => {
    expect(
      containers(json)
        .map((c) => c.name)
        .sort(),
    ).toEqual([
      'isl-cache-local-redis',
      'isl-cache-local-redis-cluster-1',
      'isl-cache-local-redis-cluster-2',
      'isl-cache-local-redis-cluster-3',
      'isl-cache-local-redis-cluster-4',
      'isl-cache-local-redis-cluster-5',
      'isl-cache-local-redis-cluster-6',
      'isl-cache-local-redis-cluster-create',
    ]);
    expect(
      Object.values<Json>(json.resource.docker_volume)
        .map((v) => v.name)
        .sort(),
    ).toEqual([
      'isl-cache-local-redis-cluster-1-data',
      'isl-cache-local-redis-cluster-2-data',
      'isl-cache-local-redis-cluster-3-data',
      'isl-cache-local-redis-cluster-4-data',
      'isl-cache-local-redis-cluster-5-data',
      'isl-cache-local-redis-cluster-6-data',
      'isl-cache-local-redis-data',
    ]);
    expect(Object.keys(json.resource.docker_image)).toHaveLength(1);
  });

  it("a node: the single Redis's configuration on 127.0.0.1:7000 of the host, plus the cluster directives", () => {
    const node = named(json, 'isl-cache-local-redis-cluster-1');
    const single = named(json, 'isl-cache-local-redis');
    expect(node.network_mode).toBe('host');
    expect(node.ports).toBeUndefined();
    const withoutPlace = (c: string) =>
      c
        .replace(/^(bind|port) .*$/gm, '')
        .replace(/\n# Redis Cluster[\s\S]*$/, '')
        .trim();
    expect(withoutPlace(conf(node))).toBe(withoutPlace(conf(single)));
    expect(conf(node)).toMatch(/^bind 127\.0\.0\.1$/m);
    expect(conf(node)).toMatch(/^port 7000$/m);
    expect(conf(node).split('# Redis Cluster')[1]).toBe(
      ' (constructs/local/local-redis-cluster.ts, config/local-cluster.ts)\n' +
        'cluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000\ncluster-announce-ip 127.0.0.1\n' +
        'masterauth "${coalesce(var.redis_password, random_password.redis_password_3858E10F.result)}"\n',
    );
    expect(node.env).toEqual(single.env);
    expect(node.healthcheck.test).toEqual(['CMD', 'redis-cli', '-e', '-p', '7000', 'ping']);
    expect({ restart: node.restart, memory: node.memory, swap: node.memory_swap, wait: node.wait }).toEqual({
      restart: 'always',
      memory: 1408,
      swap: 1408,
      wait: true,
    });
    expect(conf(named(json, 'isl-cache-local-redis-cluster-6'))).toMatch(/^port 7005$/m);
  });

  it('creates the cluster once, after every node is healthy, and fails the apply with its log if that fails', () => {
    const create = named(json, 'isl-cache-local-redis-cluster-create');
    expect(create.command).toEqual([
      'redis-cli',
      '--cluster',
      'create',
      '127.0.0.1:7000',
      '127.0.0.1:7001',
      '127.0.0.1:7002',
      '127.0.0.1:7003',
      '127.0.0.1:7004',
      '127.0.0.1:7005',
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    expect({ attach: create.attach, mustRun: create.must_run, logs: create.logs, net: create.network_mode }).toEqual({
      attach: true,
      mustRun: false,
      logs: true,
      net: 'host',
    });
    expect(create.depends_on).toHaveLength(6);
    expect(create.lifecycle.ignore_changes).toBe('all');
    expect(create.lifecycle.replace_triggered_by).toEqual(
      Object.keys(json.resource.docker_volume)
        .filter((k) => k.startsWith('redis-cluster_'))
        .map((k) => `docker_volume.${k}`),
    );
    expect(create.lifecycle.postcondition[0].condition).toBe('${self.exit_code == 0}');
  });

  it('outputs the seed nodes', () => {
    expect(json.output.redis_cluster_nodes.value).toBe(
      '127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,127.0.0.1:7004,127.0.0.1:7005',
    );
  });

  it('without LOCAL_REDIS_CLUSTER there is no cluster and no output for it', () => {
    const plain = synth({});
    expect(containers(plain).map((c) => c.name)).toEqual(['isl-cache-local-redis']);
    expect(plain.output.redis_cluster_nodes).toBeUndefined();
  });
});

describe('LOCAL_REDIS_CLUSTER=1 in TLS mode (LOCAL_REDIS_TLS=1)', () => {
  let dir: string;
  let json: Json;
  beforeAll(() => {
    dir = tempDir('isl-cluster-tls');
    execFileSync('bash', [path.join(ROOT, 'scripts/local-tls.sh'), dir], { stdio: 'pipe' });
    json = synth({ env: { LOCAL_REDIS_CLUSTER: '1', LOCAL_REDIS_CLUSTER_PORT: '7100', LOCAL_REDIS_TLS: '1', LOCAL_REDIS_TLS_DIR: dir } });
  });
  afterAll(() => {
    removeDir(dir);
  });

  it('TLS on the client port, for replication and on the cluster bus; the certificate serves as client certificate too', () => {
    const node = named(json, 'isl-cache-local-redis-cluster-1');
    expect(conf(node)).toMatch(/^port 0\ntls-port 7100$/m);
    expect(conf(node)).toMatch(/^tls-replication yes\ntls-cluster yes$/m);
    expect(node.healthcheck.test).toEqual(['CMD', 'redis-cli', '-e', '--tls', '--cacert', '/etc/redis/certs/ca.crt', '-p', '7100', 'ping']);
    // as the single Redis's: every file owned by the Redis user, redis.conf (the password) and the key 0600
    expect(
      (node.upload as Json[]).map((u) => `${String(u.file)} ${String(u.permissions)} ${String(u.owner)}:${String(u.group)}`).sort(),
    ).toEqual([
      '/etc/redis/certs/ca.crt 0644 999:999',
      '/etc/redis/certs/redis.crt 0644 999:999',
      '/etc/redis/certs/redis.key 0600 999:999',
      '/usr/local/etc/redis/redis.conf 0600 999:999',
    ]);
    const eku = execFileSync('openssl', ['x509', '-in', path.join(dir, 'redis.crt'), '-noout', '-ext', 'extendedKeyUsage'], {
      encoding: 'utf8',
    });
    expect(eku).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(named(json, 'isl-cache-local-redis-cluster-create').command.slice(0, 4)).toEqual([
      'redis-cli',
      '--tls',
      '--cacert',
      '/etc/redis/certs/ca.crt',
    ]);
  });
});

describe('the variables and the hand-off', () => {
  it.each([
    [{ LOCAL_REDIS_CLUSTER: 'yes' }, 'LOCAL_REDIS_CLUSTER: 0 or 1, got "yes" (stack local)'],
    [
      { LOCAL_REDIS_CLUSTER_PORT: '55531' },
      'LOCAL_REDIS_CLUSTER_PORT: a decimal port number from 1 to 55530 (the 6 nodes use it and the next ports, their cluster bus each port + 10000), got "55531" (stack local)',
    ],
  ])('%j', (env, message) => {
    expect(() => localSettings(env)).toThrow(message);
  });

  it('local:env writes REDIS_CLUSTER_NODES from the output, and refuses a malformed one', () => {
    const outputs = {
      redis_host: '127.0.0.1',
      redis_port: 6379,
      redis_db: 0,
      redis_password: 'p'.repeat(32),
      redis_url: `redis://:${'p'.repeat(32)}@127.0.0.1:6379/0`,
      redis_tls: false,
      redis_cluster_nodes: '127.0.0.1:7000,127.0.0.1:7001',
    };
    expect(envFromOutputs(outputs, 'state').REDIS_CLUSTER_NODES).toBe('127.0.0.1:7000,127.0.0.1:7001');
    expect(envFromOutputs({ ...outputs, redis_cluster_nodes: undefined }, 'state').REDIS_CLUSTER_NODES).toBeUndefined();
    expect(() => envFromOutputs({ ...outputs, redis_cluster_nodes: '127.0.0.1 7000' }, 'state')).toThrow(
      'redis_cluster_nodes: host:port pairs separated by commas, got "127.0.0.1 7000"',
    );
  });
});
