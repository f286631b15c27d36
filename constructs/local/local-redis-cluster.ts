/**
 * LocalRedisCluster: a Redis Cluster of 3 primaries and 3 replicas (guide 004's layout) on the developer's Docker
 * engine, with the configuration, password and TLS mode of the single LocalRedis, for applications whose environment
 * runs in cluster mode: a client that is not cluster-aware (MOVED redirections, CROSSSLOT errors for multi-key commands
 * across hash slots) fails here as it would against ElastiCache. README "Local Redis Cluster".
 *
 * Networking: every node runs in the host's network namespace (`network_mode = host`) and listens on 127.0.0.1 only,
 * on ports firstPort … firstPort+5 (cluster bus: + 10000). The addresses a node announces (CLUSTER SLOTS, MOVED) are
 * then the addresses a client on the host dials and the addresses the other nodes reach it at, so any cluster client
 * works with the seed list alone, without a NAT map (on a bridge network the nodes would announce container addresses
 * the host's clients cannot use, or addresses the other containers cannot reach). The cost: the node ports must be
 * free on the host, and Docker Desktop needs its host networking enabled.
 *
 * The cluster is created once by a one-shot container (`create`: `redis-cli --cluster create … --cluster-replicas 1`,
 * attached, its exit code checked by a postcondition) after every node is healthy. The nodes keep the cluster in
 * `nodes.conf` in their volumes, so a node replaced for a new image, password or TLS mode rejoins it; `create` runs
 * again only when the volumes are new (`replace_triggered_by`), never against a cluster that exists.
 *
 * Construct ids are a contract: `node-<n>` docker_container, `node-<n>-data` docker_volume, `create` docker_container.
 */
import * as path from 'path';
import { Container } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import { Volume } from '@cdktf/provider-docker/lib/volume';
import { Construct } from 'constructs';
import { MaxmemoryPolicy } from '../facts/elasticache';
import { Problems, isIntegerIn, validateConstruct } from '../validation';
import {
  CONTAINER_PATHS,
  HEALTHCHECK,
  LOCAL_CLUSTER,
  LOCAL_CLUSTER_MAX_FIRST_PORT,
  LOCAL_CLUSTER_NODES,
  LOCAL_HOST,
  LOCAL_TLS_DIR_DEFAULT,
  LocalEngineImage,
  RESTART_POLICY,
  STOP,
  TLS_FILES,
} from './defaults';
import { LOCAL_REDIS_DEFAULTS, checkTlsFiles, localMemoryLimitMb, localRedisUploads } from './local-redis';
import { localRedisSettings, renderRedisConf } from './redis-conf';

/** Container and volume name prefix when `name` is not given. */
export const LOCAL_REDIS_CLUSTER_DEFAULT_NAME = 'local-redis-cluster';

export interface LocalRedisClusterProps {
  /** The image the nodes run (the single LocalRedis's `image`, so the stack holds one). */
  readonly image: Image;
  /** Server and CLI binaries of that image (./defaults.ts LOCAL_IMAGES). */
  readonly engine: LocalEngineImage;
  /** requirepass and masterauth: the single LocalRedis's password (a Terraform expression, sensitive). */
  readonly password: string;
  /** Host port of the first node; the nodes use it and the next 5, their cluster bus each + 10000. @default 7000 */
  readonly firstPort?: number;
  /** Container and volume name prefix. @default 'local-redis-cluster' */
  readonly name?: string;
  /** maxmemory of each node, MB. @default 512 */
  readonly maxmemoryMb?: number;
  /** @default 'allkeys-lru' */
  readonly maxmemoryPolicy?: MaxmemoryPolicy;
  /** TLS only (clients, replication and the cluster bus). @default false */
  readonly tls?: boolean;
  /** Directory with ca.crt, redis.crt, redis.key; only with `tls`. @default '.local-tls' */
  readonly tlsDir?: string;
}

/** The redis.conf lines a cluster node adds to the single Redis's configuration. */
export function renderClusterConf(o: { password: string; tls: boolean }): string {
  const quoted = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return [
    '',
    '# Redis Cluster (constructs/local/local-redis-cluster.ts, config/local-cluster.ts)',
    'cluster-enabled yes',
    `cluster-config-file ${LOCAL_CLUSTER.configFile}`,
    `cluster-node-timeout ${LOCAL_CLUSTER.nodeTimeoutMs}`,
    // the address clients on the host and the other nodes use (host networking: one and the same)
    `cluster-announce-ip ${LOCAL_HOST}`,
    // replicas authenticate to their primary with the password every client uses
    `masterauth ${quoted(o.password)}`,
    ...(o.tls ? ['tls-replication yes', 'tls-cluster yes'] : []),
    '',
  ].join('\n');
}

/** Host ports of the nodes, in order. */
export function clusterNodePorts(firstPort: number = LOCAL_CLUSTER.defaultFirstPort): number[] {
  return Array.from({ length: LOCAL_CLUSTER_NODES }, (_, i) => firstPort + i);
}

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function checkProps(problems: Problems, p: LocalRedisClusterProps): void {
  if (p.firstPort !== undefined) {
    problems.check(
      isIntegerIn(p.firstPort, 1, LOCAL_CLUSTER_MAX_FIRST_PORT),
      'firstPort',
      `a whole number from 1 to ${LOCAL_CLUSTER_MAX_FIRST_PORT}`,
      p.firstPort,
    );
  }
  if (p.name !== undefined) {
    problems.check(
      typeof p.name === 'string' && NAME_PATTERN.test(p.name),
      'name',
      `a Docker container name (${NAME_PATTERN.source})`,
      p.name,
    );
  }
  if (p.maxmemoryMb !== undefined) {
    problems.check(isIntegerIn(p.maxmemoryMb, 1, Number.MAX_SAFE_INTEGER), 'maxmemoryMb', 'a whole number ≥ 1', p.maxmemoryMb);
  }
  if (p.tlsDir !== undefined) problems.check(p.tls === true, 'tlsDir', 'only with tls: true', p.tlsDir);
  if (p.tls === true) checkTlsFiles(problems, path.resolve(p.tlsDir ?? LOCAL_TLS_DIR_DEFAULT));
}

export class LocalRedisCluster extends Construct {
  /** `127.0.0.1:7000`, … : the seed nodes clients start from (any one is enough; all are listed). */
  public readonly seedNodes: string[];
  public readonly nodes: Container[];
  public readonly volumes: Volume[];
  /** The one-shot container that created the cluster. */
  public readonly create: Container;

  constructor(scope: Construct, id: string, props: LocalRedisClusterProps) {
    super(scope, id);
    validateConstruct(this, () => {
      const problems = new Problems(`${this.node.path} (LocalRedisCluster)`);
      checkProps(problems, props);
      problems.throwIfAny();
    });
    const name = props.name ?? LOCAL_REDIS_CLUSTER_DEFAULT_NAME;
    const ports = clusterNodePorts(props.firstPort);
    const tls = props.tls ?? false;
    const tlsDir = path.resolve(props.tlsDir ?? LOCAL_TLS_DIR_DEFAULT);
    const maxmemoryMb = props.maxmemoryMb ?? LOCAL_REDIS_DEFAULTS.maxmemoryMb;
    const memory = localMemoryLimitMb(maxmemoryMb);
    const certsIn = (file: string) => path.posix.join(CONTAINER_PATHS.certs, file);
    const caUpload = (uploads: Array<Record<string, string>>) => uploads.filter((u) => u.file === certsIn(TLS_FILES.caCert));
    const cliTls = tls ? ['--tls', '--cacert', certsIn(TLS_FILES.caCert)] : [];
    const env = [`REDISCLI_AUTH=${props.password}`];

    this.seedNodes = ports.map((p) => `${LOCAL_HOST}:${p}`);
    this.volumes = ports.map((_, i) => new Volume(this, `node-${i + 1}-data`, { name: `${name}-${i + 1}-data` }));
    this.nodes = ports.map((port, i) => {
      const conf =
        renderRedisConf(
          localRedisSettings({
            bind: [LOCAL_HOST],
            port,
            dir: CONTAINER_PATHS.data,
            password: props.password,
            tls: tls
              ? { certFile: certsIn(TLS_FILES.cert), keyFile: certsIn(TLS_FILES.key), caCertFile: certsIn(TLS_FILES.caCert) }
              : undefined,
            maxmemoryMb,
            maxmemoryPolicy: props.maxmemoryPolicy ?? LOCAL_REDIS_DEFAULTS.maxmemoryPolicy,
          }),
        ) + renderClusterConf({ password: props.password, tls });
      const node = new Container(this, `node-${i + 1}`, {
        name: `${name}-${i + 1}`,
        image: props.image.imageId,
        command: [props.engine.server, CONTAINER_PATHS.conf],
        env,
        networkMode: 'host',
        volumes: [{ volumeName: this.volumes[i].name, containerPath: CONTAINER_PATHS.data }],
        healthcheck: {
          test: ['CMD', props.engine.cli, '-e', ...cliTls, '-p', String(port), 'ping'],
          interval: `${HEALTHCHECK.intervalSeconds}s`,
          timeout: `${HEALTHCHECK.timeoutSeconds}s`,
          retries: HEALTHCHECK.retries,
        },
        restart: RESTART_POLICY,
        memory,
        memorySwap: memory,
        stopSignal: STOP.signal,
        stopTimeout: STOP.graceSeconds,
        destroyGraceSeconds: STOP.graceSeconds,
        wait: true,
      });
      // redis.conf (the password) and the TLS key 0600, every upload owned by the Redis user (as the single Redis's)
      node.addOverride('upload', localRedisUploads(conf, tls ? tlsDir : undefined));
      return node;
    });

    const replicas = String(LOCAL_CLUSTER.replicasPerPrimary);
    this.create = new Container(this, 'create', {
      name: `${name}-create`,
      image: props.image.imageId,
      command: [props.engine.cli, ...cliTls, '--cluster', 'create', ...this.seedNodes, '--cluster-replicas', replicas, '--cluster-yes'],
      env,
      networkMode: 'host',
      mustRun: false,
      restart: 'no',
      attach: true,
      logs: true,
      dependsOn: this.nodes,
      lifecycle: {
        // runs once per set of volumes (replace_triggered_by below): a cluster that exists is never created again
        ignoreChanges: 'all',
        postcondition: [
          {
            condition: '${self.exit_code == 0}',
            errorMessage: `${name}: redis-cli --cluster create failed (docker logs ${name}-create): \${self.container_logs}`,
          },
        ],
      },
    });
    if (tls) this.create.addOverride('upload', caUpload(localRedisUploads('', tlsDir)));
    // plain references, as Terraform requires them here (cdktf would write "${…}")
    this.create.addOverride(
      'lifecycle.replace_triggered_by',
      this.volumes.map((v) => `${v.terraformResourceType}.${v.friendlyUniqueId}`),
    );
  }
}
