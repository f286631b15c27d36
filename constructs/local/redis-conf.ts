/**
 * redis.conf for a self-run Redis (the local Docker stack and the tests' redis-server).
 *
 * `renderRedisConf` is a pure function of typed settings. It is the self-hosted world only: AOF, RDB save points,
 * requirepass and rename-command have no ElastiCache equivalent (docs/reference/elasticache-facts.md,
 * "What redis.conf directives become on ElastiCache"), so the ElastiCache constructs must not import this module.
 */
import { MaxmemoryPolicy, SLOWLOG } from '../facts/elasticache';
import { AOF, DISABLED_COMMANDS, OOM_SCORE_ADJ, RDB_SAVE_POINTS, SavePoint, WRITEBACK } from './defaults';

export interface LocalRedisTlsFiles {
  /** Server certificate (PEM). */
  readonly certFile: string;
  /** Server private key (PEM). */
  readonly keyFile: string;
  /** CA certificate that signed the server certificate (PEM). */
  readonly caCertFile: string;
}

export interface LocalRedisSettings {
  /** Addresses the server listens on. */
  readonly bind: readonly string[];
  /** The one port clients use: plaintext, or TLS when `tls` is set (the plaintext port is then closed). */
  readonly port: number;
  /** Working directory: RDB and AOF files. */
  readonly dir: string;
  /** requirepass. May be a Terraform expression (a cdktf token); it is written as one quoted argument. */
  readonly password: string;
  /** maxmemory, MB (Redis `mb` = 2^20 bytes). */
  readonly maxmemoryMb: number;
  readonly maxmemoryPolicy: MaxmemoryPolicy;
  /** `oom-score-adj yes`: under memory pressure the kernel kills a fork child before the server. */
  readonly oomScoreAdj: boolean;
  /** RDB snapshot schedule (`save <seconds> <changes>`). */
  readonly savePoints: readonly SavePoint[];
  readonly appendfsync: 'always' | 'everysec' | 'no';
  readonly aofUseRdbPreamble: boolean;
  /** fsync every 4 MB while writing an RDB / rewriting the AOF; keep fsyncing the AOF while a child saves. */
  readonly writeback: {
    readonly rdbSaveIncrementalFsync: boolean;
    readonly aofRewriteIncrementalFsync: boolean;
    readonly noAppendfsyncOnRewrite: boolean;
  };
  /** Commands renamed to "" (unavailable to every client). */
  readonly disabledCommands: readonly string[];
  readonly slowlog: { readonly slowerThanMicroseconds: number; readonly maxLen: number };
  /** TLS only (`port 0`, `tls-port <port>`) when set. */
  readonly tls?: LocalRedisTlsFiles;
}

/** What differs between places the guide settings run (the container, a test's temp dir), and the memory choice. */
export interface LocalRedisPlacement {
  readonly bind: readonly string[];
  readonly port: number;
  readonly dir: string;
  readonly password: string;
  readonly tls?: LocalRedisTlsFiles;
  /** maxmemory, MB. */
  readonly maxmemoryMb: number;
  readonly maxmemoryPolicy: MaxmemoryPolicy;
}

/** The guides' settings (./defaults.ts, ../facts/elasticache.ts SLOWLOG) at a placement. */
export function localRedisSettings(placement: LocalRedisPlacement): LocalRedisSettings {
  return {
    bind: placement.bind,
    port: placement.port,
    dir: placement.dir,
    password: placement.password,
    tls: placement.tls,
    maxmemoryMb: placement.maxmemoryMb,
    maxmemoryPolicy: placement.maxmemoryPolicy,
    oomScoreAdj: OOM_SCORE_ADJ,
    savePoints: RDB_SAVE_POINTS,
    appendfsync: AOF.appendfsync,
    aofUseRdbPreamble: AOF.useRdbPreamble,
    writeback: WRITEBACK,
    disabledCommands: DISABLED_COMMANDS,
    slowlog: SLOWLOG,
  };
}

/** One redis.conf argument, double-quoted with `\` and `"` escaped (redis.conf's quoting rules). */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

export function renderRedisConf(s: LocalRedisSettings): string {
  const lines = [
    '# Rendered by constructs/local/redis-conf.ts from config/local.ts; do not edit.',
    '',
    '# Network and security',
    `bind ${s.bind.join(' ')}`,
    'protected-mode yes',
    ...(s.tls
      ? [
          'port 0',
          `tls-port ${s.port}`,
          `tls-cert-file ${quoted(s.tls.certFile)}`,
          `tls-key-file ${quoted(s.tls.keyFile)}`,
          `tls-ca-cert-file ${quoted(s.tls.caCertFile)}`,
          // like ElastiCache in-transit encryption: the server proves itself, clients authenticate with the password
          'tls-auth-clients no',
        ]
      : [`port ${s.port}`]),
    `requirepass ${quoted(s.password)}`,
    ...s.disabledCommands.map((c) => `rename-command ${c} ""`),
    '',
    '# Memory',
    `maxmemory ${s.maxmemoryMb}mb`,
    `maxmemory-policy ${s.maxmemoryPolicy}`,
    `oom-score-adj ${yesNo(s.oomScoreAdj)}`,
    '',
    '# Persistence',
    `dir ${quoted(s.dir)}`,
    ...s.savePoints.map((p) => `save ${p.seconds} ${p.changes}`),
    'appendonly yes',
    `appendfsync ${s.appendfsync}`,
    `aof-use-rdb-preamble ${yesNo(s.aofUseRdbPreamble)}`,
    `rdb-save-incremental-fsync ${yesNo(s.writeback.rdbSaveIncrementalFsync)}`,
    `aof-rewrite-incremental-fsync ${yesNo(s.writeback.aofRewriteIncrementalFsync)}`,
    `no-appendfsync-on-rewrite ${yesNo(s.writeback.noAppendfsyncOnRewrite)}`,
    '',
    '# Slow log',
    `slowlog-log-slower-than ${s.slowlog.slowerThanMicroseconds}`,
    `slowlog-max-len ${s.slowlog.maxLen}`,
  ];
  return `${lines.join('\n')}\n`;
}
