/**
 * The `local` stack: the developers' Redis on their own Docker engine (`cdktf deploy local`).
 * See README, "Local Redis for developers".
 */
import { DockerProvider } from '@cdktf/provider-docker/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { LocalBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import { LOCAL_CONTAINER_NAME, PASSWORD_ENV, PASSWORD_VARIABLE } from '../config/local';
import { LOCAL_CLUSTER_NAME } from '../config/local-cluster';
import { EXPECTED_USERS, MAXMEMORY_POLICY } from '../config/scaling';
import { Engine, pinVerifiedProviders } from '../constructs';
import { LocalRedis, LocalRedisCluster, LocalRedisProps, PASSWORD_RULE, terraformPasswordCondition } from '../constructs/local';
import { Env, LocalSettings, localSettings, localStatePath } from './settings';
import { tierFor } from './sizing';

/** maxmemory of the local Redis, MB: the pilot tier of guide 000's scaling table (< 100 users: 512 MB). */
export function localMaxmemoryMb(): number {
  return tierFor(EXPECTED_USERS.pilot).memoryGiB * 1024;
}

export interface LocalStackProps {
  /** @default $LOCAL_REDIS_ENGINE, else 'redis' */
  readonly engine?: Engine;
  /** Host port on 127.0.0.1. @default $LOCAL_REDIS_PORT, else 6379 */
  readonly port?: number;
  /** TLS only. @default true when $LOCAL_REDIS_TLS is 1, else false */
  readonly tls?: boolean;
  /** Directory with ca.crt, redis.crt, redis.key. @default $LOCAL_REDIS_TLS_DIR, else '.local-tls' */
  readonly tlsDir?: string;
  /** Container name (the volume is `<name>-data`). @default 'isl-cache-local-redis' */
  readonly containerName?: string;
  /**
   * A local Redis Cluster (3 primaries, 3 replicas) beside the single Redis, with its configuration, password and TLS
   * mode (README "Local Redis Cluster"). @default $LOCAL_REDIS_CLUSTER is 1
   */
  readonly cluster?: boolean;
  /** Host port of the cluster's first node. @default $LOCAL_REDIS_CLUSTER_PORT, else 7000 */
  readonly clusterPort?: number;
  /** The image instead of the engine's. @default $LOCAL_REDIS_IMAGE, else the engine's (constructs/local/defaults.ts LOCAL_IMAGES) */
  readonly image?: string;
  /** The LOCAL_REDIS_* choices, parsed (./settings.ts readSettings). @default localSettings(env) */
  readonly settings?: LocalSettings;
  /** LOCAL_REDIS_* variables to parse when `settings` is not given (a test's). @default none: every default */
  readonly env?: Env;
}

/**
 * The LocalRedis props of the local stack (all but the password, a Terraform variable): its own props win over the
 * LOCAL_REDIS_* settings. Pure, so preflight checks them (checkLocalRedisProps) before anything is built.
 */
export function localRedisProps(props: LocalStackProps, fromEnv: LocalSettings): Omit<LocalRedisProps, 'password'> {
  const tls = props.tls ?? fromEnv.tls;
  // the directory variable may stay set while TLS is switched off
  const tlsDir = props.tlsDir ?? (tls ? fromEnv.tlsDir : undefined);
  return {
    engine: props.engine ?? fromEnv.engine,
    port: props.port ?? fromEnv.port,
    // only pass tls/tlsDir when chosen, so the construct's own checks speak about what was chosen
    ...(tls === undefined ? {} : { tls }),
    ...(tlsDir === undefined ? {} : { tlsDir }),
    name: props.containerName ?? LOCAL_CONTAINER_NAME,
    image: props.image ?? fromEnv.image,
    maxmemoryMb: localMaxmemoryMb(),
    maxmemoryPolicy: MAXMEMORY_POLICY,
  };
}

export class LocalStack extends TerraformStack {
  public readonly redis: LocalRedis;
  /** The local Redis Cluster, when chosen. */
  public readonly cluster?: LocalRedisCluster;

  constructor(scope: Construct, id: string, props: LocalStackProps = {}) {
    super(scope, id);
    // LOCAL_REDIS_* parsed and validated in ./settings.ts (the synth app passes them); props win over them
    const fromEnv = props.settings ?? localSettings(props.env ?? {});

    new LocalBackend(this, { path: localStatePath(id) });
    new DockerProvider(this, 'docker', {});
    new RandomProvider(this, 'random', {});
    pinVerifiedProviders(this);

    // Terraform reads TF_VAR_redis_password; the value never passes through this program or the synthesized JSON
    const chosenPassword = new TerraformVariable(this, 'password_variable', {
      type: 'string',
      default: '',
      sensitive: true,
      nullable: false,
      description: 'Password of the local Redis; empty: use the generated one.',
      // the rule of constructs/local/password.ts (synth checks TF_VAR_redis_password too); the message never shows the value
      validation: [
        {
          condition: `\${${terraformPasswordCondition(`var.${PASSWORD_VARIABLE}`)}}`,
          errorMessage: `${PASSWORD_VARIABLE} (${PASSWORD_ENV}): ${PASSWORD_RULE}; or empty for a generated password.`,
        },
      ],
    });

    // the output `redis_password` owns that construct id; the variable keeps the name TF_VAR_ refers to
    chosenPassword.overrideLogicalId(PASSWORD_VARIABLE);

    const redisProps = localRedisProps(props, fromEnv);
    this.redis = new LocalRedis(this, 'redis', { ...redisProps, password: chosenPassword.stringValue });
    if (props.cluster ?? fromEnv.cluster) {
      this.cluster = new LocalRedisCluster(this, 'redis-cluster', {
        image: this.redis.image,
        engine: this.redis.engineImage,
        name: LOCAL_CLUSTER_NAME,
        password: this.redis.password,
        firstPort: props.clusterPort ?? fromEnv.clusterPort,
        maxmemoryMb: redisProps.maxmemoryMb,
        maxmemoryPolicy: redisProps.maxmemoryPolicy,
        tls: this.redis.tls,
        tlsDir: this.redis.tls ? redisProps.tlsDir : undefined,
      });
    }

    new TerraformOutput(this, 'redis_host', { value: this.redis.host, description: 'REDIS_HOST' });
    new TerraformOutput(this, 'redis_port', { value: this.redis.port, description: 'REDIS_PORT' });
    new TerraformOutput(this, 'redis_tls', { value: this.redis.tls, description: 'true: connect with TLS, trusting ca.crt' });
    new TerraformOutput(this, 'redis_password', { value: this.redis.password, sensitive: true, description: 'REDIS_PASSWORD' });
    new TerraformOutput(this, 'redis_url', { value: this.redis.url, sensitive: true, description: 'REDIS_URL' });
    new TerraformOutput(this, 'redis_db', { value: this.redis.db, description: 'REDIS_DB' });
    if (this.cluster) {
      new TerraformOutput(this, 'redis_cluster_nodes', {
        value: this.cluster.seedNodes.join(','),
        description: 'REDIS_CLUSTER_NODES: host:port of every node of the local Redis Cluster (seed nodes of a cluster client)',
      });
    }
    new TerraformOutput(this, 'redis_ca_cert', {
      value: this.redis.caCertFile ?? '',
      description: 'REDIS_SSL_CA_CERTS: the CA certificate to trust in TLS mode (empty without TLS)',
    });
  }
}
