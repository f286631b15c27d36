/**
 * LocalRedis: one Redis (or Valkey) container on the developer's Docker engine, configured as the guides prescribe.
 *
 * Construct ids are a contract (renaming one replaces the resource and, for `data`, loses the local data):
 *   `password` random_password, `data` docker_volume, `image` docker_image, `container` docker_container.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Container } from '@cdktf/provider-docker/lib/container';
import { Image } from '@cdktf/provider-docker/lib/image';
import { Volume } from '@cdktf/provider-docker/lib/volume';
import { Password } from '@cdktf/provider-random/lib/password';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ENGINES, Engine, MAXMEMORY_POLICIES, MaxmemoryPolicy } from '../facts/elasticache';
import {
  CONTAINER_BIND,
  CONTAINER_PATHS,
  CONTAINER_PORT,
  DOCKER_IMAGE_REFERENCE,
  DOCKER_IMAGE_REFERENCE_FORM,
  HEALTHCHECK,
  LOCAL_DEFAULT_ENGINE,
  LOCAL_DEFAULT_PORT,
  LOCAL_DB,
  LOCAL_HOST,
  LOCAL_IMAGES,
  LOCAL_PASSWORD,
  LOCAL_TLS_DIR_DEFAULT,
  LocalEngineImage,
  MEMORY_LIMIT,
  REDIS_USER,
  RESTART_POLICY,
  STOP,
  TLS_FILES,
  UPLOAD_FILE_MODES,
} from './defaults';
import { deepFreeze } from '../freeze';
import { Problem, Problems, describe, isIntegerIn, literalProblem, problemsOf, validateConstruct } from '../validation';
import { PASSWORD_RULE, passwordProblem } from './password';
import { LocalRedisTlsFiles, localRedisSettings, renderRedisConf } from './redis-conf';

export interface LocalRedisProps {
  /** Engine; picks the image from ./defaults.ts LOCAL_IMAGES. @default 'redis' (redis:7.2) */
  readonly engine?: Engine;
  /** Host port, published on 127.0.0.1 only. @default 6379 */
  readonly port?: number;
  /** Container name; the volume is `<name>-data`. @default 'local-redis' */
  readonly name?: string;
  /**
   * The image, when not the engine's own (e.g. one built from the host's redis-server). It must run the engine's
   * server and CLI under their usual names, as uid 999 (./defaults.ts REDIS_USER).
   * @default ./defaults.ts LOCAL_IMAGES of the engine (redis:7.2, valkey/valkey:8.1)
   */
  readonly image?: string;
  /**
   * A password (usually a Terraform expression such as a sensitive variable) that replaces the generated one
   * when it is non-empty. A literal must be 16–128 characters from A-Z a-z 0-9 . _ ~ - and strong enough
   * (./defaults.ts LOCAL_PASSWORD.strength).
   * @default the generated random_password
   */
  readonly password?: string;
  /**
   * maxmemory, MB. The container's memory limit follows from it (./defaults.ts MEMORY_LIMIT: room for a fork's full
   * copy-on-write copy and page cache). @default 512 (guide 000's smallest tier)
   */
  readonly maxmemoryMb?: number;
  /** Eviction policy. @default 'allkeys-lru' (a cache evicts rather than refusing writes) */
  readonly maxmemoryPolicy?: MaxmemoryPolicy;
  /** TLS only, as ElastiCache with in-transit encryption: the port speaks TLS and plaintext is refused. @default false */
  readonly tls?: boolean;
  /**
   * Directory holding ca.crt, redis.crt and redis.key (a CA certificate, and a server certificate and key it
   * signed). Only with `tls: true`.
   * A relative path is taken from the current directory.
   * @default '.local-tls'
   */
  readonly tlsDir?: string;
}

const CONTAINER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The host directory with the TLS files, absolute. */
const hostTlsDir = (p: LocalRedisProps) => path.resolve(p.tlsDir ?? LOCAL_TLS_DIR_DEFAULT);

/**
 * The files a local Redis container is given (in the provider's JSON form, for `addOverride('upload', …)`):
 * redis.conf and, with a TLS directory, the CA, certificate and key. Every upload is owned by the Redis user the
 * image's entrypoint steps down to (./defaults.ts REDIS_USER); redis.conf (it holds the password) and the key are
 * readable by it alone. The TLS files are uploaded from the host at apply time (keys stay out of the state); their
 * hash replaces the container when one changes. `owner`/`group` go through an override: provider 4.6 has them, the
 * 3.x bindings do not.
 */
export function localRedisUploads(conf: string, tlsDir?: string): Array<Record<string, string>> {
  const owned = { owner: String(REDIS_USER.uid), group: String(REDIS_USER.gid) };
  const tlsUploads =
    tlsDir === undefined
      ? []
      : Object.entries(TLS_FILES).map(([kind, file]) => ({
          file: path.posix.join(CONTAINER_PATHS.certs, file),
          source: path.join(tlsDir, file),
          source_hash: Fn.filesha256(path.join(tlsDir, file)),
          permissions: kind === 'key' ? UPLOAD_FILE_MODES.key : UPLOAD_FILE_MODES.cert,
          ...owned,
        }));
  return [{ file: CONTAINER_PATHS.conf, content: conf, permissions: UPLOAD_FILE_MODES.conf, ...owned }, ...tlsUploads];
}

/** Defaults of the construct's props (read-only, and frozen at run time). */
export interface LocalRedisDefaults {
  readonly name: string;
  readonly maxmemoryMb: number;
  readonly maxmemoryPolicy: MaxmemoryPolicy;
}

export const LOCAL_REDIS_DEFAULTS: LocalRedisDefaults = deepFreeze({
  name: 'local-redis',
  maxmemoryMb: 512,
  maxmemoryPolicy: 'allkeys-lru',
});

/** The container memory limit for a maxmemory, MB (./defaults.ts MEMORY_LIMIT: measured, not guide 000's +25 %). */
export function localMemoryLimitMb(maxmemoryMb: number): number {
  return Math.ceil(maxmemoryMb * MEMORY_LIMIT.perMaxmemory + MEMORY_LIMIT.fixedMb);
}

/** A check's code, for an app that words a problem its own way (e.g. names the script that makes the files). */
export const TLS_FILES_MISSING = 'tls-files-missing';

/**
 * Validate every prop: throws one ValidationError naming `subject` and listing every problem; creates nothing. The
 * construct runs it on its props (subject: its path); an app may run it first to report problems with its others.
 */
export function checkLocalRedisProps(props: LocalRedisProps, subject = 'LocalRedis'): void {
  const p = new Problems(subject);
  checkProps(p, props);
  p.throwIfAny();
}

function checkProps(problems: Problems, p: LocalRedisProps): void {
  const check = problems.check.bind(problems);
  if (p.engine !== undefined) check((ENGINES as readonly string[]).includes(p.engine), 'engine', `one of ${ENGINES.join(', ')}`, p.engine);
  if (p.port !== undefined) check(isIntegerIn(p.port, 1, 65535), 'port', 'a whole number from 1 to 65535', p.port);
  if (p.name !== undefined) {
    check(
      typeof p.name === 'string' && CONTAINER_NAME_PATTERN.test(p.name),
      'name',
      `a Docker container name (${CONTAINER_NAME_PATTERN.source})`,
      p.name,
    );
  }
  if (p.image !== undefined)
    check(typeof p.image === 'string' && DOCKER_IMAGE_REFERENCE.test(p.image), 'image', DOCKER_IMAGE_REFERENCE_FORM, p.image);
  if (p.password !== undefined && !Token.isUnresolved(p.password) && p.password !== '') {
    // never echo a password: it is described
    const why = typeof p.password === 'string' ? passwordProblem(p.password) : `a ${typeof p.password}`;
    check(why === undefined, 'password', PASSWORD_RULE, why, { shown: true });
  }
  if (p.maxmemoryMb !== undefined)
    check(isIntegerIn(p.maxmemoryMb, 1, Number.MAX_SAFE_INTEGER), 'maxmemoryMb', 'a whole number ≥ 1', p.maxmemoryMb);
  if (p.maxmemoryPolicy !== undefined) {
    check(
      (MAXMEMORY_POLICIES as readonly string[]).includes(p.maxmemoryPolicy),
      'maxmemoryPolicy',
      `one of ${MAXMEMORY_POLICIES.join(', ')}`,
      p.maxmemoryPolicy,
    );
  }
  if (p.tls !== undefined) check(typeof p.tls === 'boolean', 'tls', 'true or false', p.tls);
  if (p.tlsDir !== undefined)
    check(p.tls === true, 'tlsDir', 'only with tls: true', `${describe(p.tlsDir)} with tls: ${describe(p.tls)}`, { shown: true });
  if (p.tls === true && (p.tlsDir === undefined || typeof p.tlsDir === 'string')) {
    const dir = hostTlsDir(p);
    // the absolute path reaches the JSON as upload sources, an output and inside filesha256("…"): a literal only
    const notLiteral = literalProblem(dir, true);
    if (notLiteral !== undefined) {
      const relative = p.tlsDir !== undefined && !path.isAbsolute(p.tlsDir);
      check(false, 'tlsDir', notLiteral, dir, { why: relative ? 'resolved against the current directory' : undefined });
      return;
    }
    checkTlsFiles(problems, dir);
  }
}

/** The TLS files in the host directory (shared with LocalRedisCluster). */
export function checkTlsFiles(problems: Problems, dir: string): void {
  const missing = Object.values(TLS_FILES).filter((f) => !fs.existsSync(path.join(dir, f)));
  problems.check(
    !missing.length,
    'tlsDir',
    `a directory holding ${Object.values(TLS_FILES).join(', ')}`,
    `${describe(dir)} without ${missing.join(', ')}`,
    { shown: true, code: TLS_FILES_MISSING },
  );
}

export class LocalRedis extends Construct {
  /** Host address clients connect to. */
  public readonly host = LOCAL_HOST;
  /** Host port. */
  public readonly port: number;
  /** Database applications select (REDIS_DB). */
  public readonly db = LOCAL_DB;
  /** Host path of the CA certificate clients trust in TLS mode; undefined without TLS. */
  public readonly caCertFile?: string;
  public readonly tls: boolean;
  /** The password in effect: a Terraform expression, sensitive. */
  public readonly password: string;
  /** `redis://` (or `rediss://` with TLS) URL with the password: a Terraform expression, sensitive. */
  public readonly url: string;
  /** The container's memory limit, MB (./defaults.ts MEMORY_LIMIT). */
  public readonly memoryLimitMb: number;
  public readonly container: Container;
  public readonly volume: Volume;
  public readonly image: Image;

  /** Every problem of `props`, as the constructor would throw them, without creating anything. Empty when valid. */
  static validateProps(props: LocalRedisProps): readonly Problem[] {
    return problemsOf(() => {
      checkLocalRedisProps(props);
    });
  }

  /** The server and CLI of the image the container runs (./defaults.ts LOCAL_IMAGES of the engine). */
  public readonly engineImage: LocalEngineImage;

  constructor(scope: Construct, id: string, props: LocalRedisProps = {}) {
    super(scope, id);
    validateConstruct(this, () => {
      checkLocalRedisProps(props, `${this.node.path} (LocalRedis)`);
    });

    const engine = LOCAL_IMAGES[props.engine ?? LOCAL_DEFAULT_ENGINE];
    this.engineImage = engine;
    const name = props.name ?? LOCAL_REDIS_DEFAULTS.name;
    const maxmemoryMb = props.maxmemoryMb ?? LOCAL_REDIS_DEFAULTS.maxmemoryMb;
    this.port = props.port ?? LOCAL_DEFAULT_PORT;
    this.memoryLimitMb = localMemoryLimitMb(maxmemoryMb);
    this.tls = props.tls ?? false;

    const generated = new Password(this, 'password', {
      length: LOCAL_PASSWORD.generatedLength,
      special: false,
    });
    this.password = props.password === undefined ? generated.result : Token.asString(Fn.coalesce([props.password, generated.result]));

    this.volume = new Volume(this, 'data', { name: `${name}-data` });
    this.image = new Image(this, 'image', { name: props.image ?? engine.image, keepLocally: true });

    const certsIn = (file: string) => path.posix.join(CONTAINER_PATHS.certs, file);
    const tlsFiles: LocalRedisTlsFiles | undefined = this.tls
      ? { certFile: certsIn(TLS_FILES.cert), keyFile: certsIn(TLS_FILES.key), caCertFile: certsIn(TLS_FILES.caCert) }
      : undefined;
    const conf = renderRedisConf(
      localRedisSettings({
        bind: CONTAINER_BIND,
        port: CONTAINER_PORT,
        dir: CONTAINER_PATHS.data,
        password: this.password,
        tls: tlsFiles,
        maxmemoryMb,
        maxmemoryPolicy: props.maxmemoryPolicy ?? LOCAL_REDIS_DEFAULTS.maxmemoryPolicy,
      }),
    );

    const tlsDir = hostTlsDir(props);
    if (this.tls) this.caCertFile = path.join(tlsDir, TLS_FILES.caCert);
    const uploads = localRedisUploads(conf, this.tls ? tlsDir : undefined);
    const cliTls = tlsFiles ? ['--tls', '--cacert', tlsFiles.caCertFile] : [];

    this.container = new Container(this, 'container', {
      name,
      image: this.image.imageId,
      command: [engine.server, CONTAINER_PATHS.conf],
      // redis-cli (and valkey-cli) read the password from REDISCLI_AUTH: the health check authenticates without argv
      env: [`REDISCLI_AUTH=${this.password}`],
      ports: [{ internal: CONTAINER_PORT, external: this.port, ip: LOCAL_HOST }],
      volumes: [{ volumeName: this.volume.name, containerPath: CONTAINER_PATHS.data }],
      healthcheck: {
        // -e: exit non-zero on an error reply, so a wrong password (NOAUTH) is unhealthy, not just an unreachable server
        test: ['CMD', engine.cli, '-e', ...cliTls, 'ping'],
        interval: `${HEALTHCHECK.intervalSeconds}s`,
        timeout: `${HEALTHCHECK.timeoutSeconds}s`,
        retries: HEALTHCHECK.retries,
      },
      restart: RESTART_POLICY,
      memory: this.memoryLimitMb,
      // no swap: the limit is the memory the server may use, as the memory test holds it
      memorySwap: this.memoryLimitMb,
      // Redis saves on SIGTERM; the provider would otherwise stop the container with a 0 s timeout (SIGKILL)
      stopSignal: STOP.signal,
      stopTimeout: STOP.graceSeconds,
      destroyGraceSeconds: STOP.graceSeconds,
      // `cdktf deploy local` returns once the health check passes
      wait: true,
    });
    this.container.addOverride('upload', uploads);

    const scheme = this.tls ? 'rediss' : 'redis';
    this.url = `${scheme}://:${this.password}@${LOCAL_HOST}:${this.port}/${LOCAL_DB}`;
  }
}
