/**
 * A developer's local Docker Redis (LocalRedis, LocalRedisCluster): every number and name the constructs use by
 * default, each with the guide it comes from (the operations guides, quoted by file name: 000 … 004). The ElastiCache
 * constructs use none of this. The slow log is ElastiCache's (../facts/elasticache.ts SLOWLOG), so that a developer's
 * server logs what the deployed groups log.
 */
import { DEFAULT_ENGINE_VERSION, DEFAULT_PORT, Engine, LIMITS } from '../facts/elasticache';
import { deepFreeze } from '../freeze';

export interface LocalEngineImage {
  /** Image name and tag the `docker_image` resource uses. */
  readonly image: string;
  /** Server binary inside the image (the container's command). */
  readonly server: string;
  /** CLI binary inside the image (the health check). */
  readonly cli: string;
}

/**
 * Images per engine.
 * - Redis 7.2: 004_8844d1214f9c87e0.txt "Best Practices: Use Redis 7+" and its
 *   docker-compose `image: redis:7-alpine` (7.2 pins the minor so every laptop runs the same server).
 * - Valkey: the version ElastiCache runs for Valkey (../facts/elasticache.ts DEFAULT_ENGINE_VERSION), so a developer who
 *   selects Valkey gets what an environment switched to Valkey would run.
 */
export const LOCAL_IMAGES: Readonly<Record<Engine, LocalEngineImage>> = deepFreeze({
  redis: { image: 'redis:7.2', server: 'redis-server', cli: 'redis-cli' },
  valkey: { image: `valkey/valkey:${DEFAULT_ENGINE_VERSION.valkey}`, server: 'valkey-server', cli: 'valkey-cli' },
});

export const LOCAL_DEFAULT_ENGINE: Engine = 'redis';

/**
 * Host address the port is published on: loopback only.
 * 000_b8454d789b5b6ca6.txt "Restrict Network Access" (do not expose the port publicly).
 */
export const LOCAL_HOST = '127.0.0.1';

/** Host port: 000_b8454d789b5b6ca6.txt "Quick Start" ("Redis on `localhost:6379`"). */
export const LOCAL_DEFAULT_PORT = DEFAULT_PORT;

/** Port Redis listens on inside the container, plaintext or (in TLS mode) TLS: 000 "Enable TLS/SSL" (`tls-port 6379`). */
export const CONTAINER_PORT = DEFAULT_PORT;

/**
 * Inside the container Redis listens on all of the container's addresses: the container is only reachable
 * through the port published on LOCAL_HOST.
 */
export const CONTAINER_BIND = ['0.0.0.0'] as const;

/** Database the connection URL selects: 000 "Configure the application to use Redis" (`REDIS_DB=0`). */
export const LOCAL_DB = 0;

/** Paths inside the container. */
export const CONTAINER_PATHS = {
  /** Data volume: 000 "Backup and Recovery" (`/data/dump.rdb`, `/data/appendonly.aof`). */
  data: '/data',
  /** Rendered redis.conf: 000 "Troubleshooting" (`redis-server --test-config /usr/local/etc/redis/redis.conf`). */
  conf: '/usr/local/etc/redis/redis.conf',
  /** TLS files: 000 "Enable TLS/SSL" (`/etc/redis/certs/…`). */
  certs: '/etc/redis/certs',
} as const;

/** TLS file names, in the host directory and in CONTAINER_PATHS.certs: 000 "Enable TLS/SSL". */
export const TLS_FILES = deepFreeze({ caCert: 'ca.crt', cert: 'redis.crt', key: 'redis.key' } as const);

/** Host directory of the TLS files when `tlsDir` is not given, relative to the current directory. */
export const LOCAL_TLS_DIR_DEFAULT = '.local-tls';

/**
 * The unprivileged user Redis runs as in every image the local stack runs. The official images start as root and
 * their entrypoint steps down to it before the server starts (docker-library/redis and valkey-io/valkey-container:
 * `groupadd -r -g 999 redis; useradd -r -g redis -u 999 redis`, the same for `valkey`; docker-entrypoint.sh: chown of
 * /data, then `setpriv`/`gosu` to that user); an image built from a host's redis-server must do the same. The
 * container itself sets no `user`: with one, the engine resolves it in the host's user database to own the uploaded
 * files (Docker 20.10: `getent unable to find entry "999:999"`). Numeric, so neither Docker nor the provider looks
 * the name up on the host.
 */
export const REDIS_USER = { name: 'redis', uid: 999, gid: 999 } as const;

/**
 * Modes of the files uploaded into the container, all owned by REDIS_USER: redis.conf holds the password
 * (requirepass) and redis.key the TLS private key, so only their owner reads them; the certificates are public.
 */
export const UPLOAD_FILE_MODES = { conf: '0600', key: '0600', cert: '0644' } as const;

/**
 * Image references (LocalRedis `image`): `[registry[:port]/]path[:tag][@sha256:digest]`, lower-case path components
 * (the grammar of github.com/distribution/reference). A reference cannot hold a template sequence or a quote.
 */
export const DOCKER_IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
export const DOCKER_IMAGE_REFERENCE_FORM = 'a Docker image reference such as redis:7.2 or registry.example.com/team/redis:7.2.4';

export interface SavePoint {
  readonly seconds: number;
  readonly changes: number;
}

/** RDB snapshots: 000_b8454d789b5b6ca6.txt "Persistence Configuration" (`save 900 1`, `save 300 10`, `save 60 10000`). */
export const RDB_SAVE_POINTS: readonly SavePoint[] = [
  { seconds: 900, changes: 1 },
  { seconds: 300, changes: 10 },
  { seconds: 60, changes: 10000 },
];

/**
 * AOF: 000_b8454d789b5b6ca6.txt "Persistence Configuration" (`appendonly yes`, `appendfsync everysec`,
 * `aof-use-rdb-preamble yes`). `everysec` fsyncs once a second: a write acknowledged more than
 * AOF_FSYNC_INTERVAL_MS before a crash is on disk.
 */
export const AOF = { appendfsync: 'everysec', useRdbPreamble: true } as const;
// Not set on purpose: `io-threads 4` / `io-threads-do-reads yes` (003_f380f0d599784263.txt). Measured by `npm run bench`
// on a 2-core machine it cut pipelined throughput to about a tenth (README, "Benchmarks").
export const AOF_FSYNC_INTERVAL_MS = 1000;

/**
 * Commands renamed to "" (disabled):
 * 000_b8454d789b5b6ca6.txt "Disable Dangerous Commands" (FLUSHDB, FLUSHALL, CONFIG) and
 * 003_f380f0d599784263.txt "Best Practices: Security" (KEYS).
 */
export const DISABLED_COMMANDS = ['FLUSHDB', 'FLUSHALL', 'CONFIG', 'KEYS'] as const;

/**
 * Health check: 004_8844d1214f9c87e0.txt "Docker Compose Setup" (`redis-cli ping`, interval 5s, timeout 3s, retries 5).
 */
export const HEALTHCHECK = { intervalSeconds: 5, timeoutSeconds: 3, retries: 5 } as const;

/**
 * Container memory limit, MB: `ceil(maxmemory × perMaxmemory + fixedMb)`, with swap off (`memory_swap` = `memory`).
 *
 * Departs from 000_b8454d789b5b6ca6.txt "Memory Management" (limit 2.5G for `maxmemory 2gb`, "25% overhead for Redis
 * operations"): measured (README "Local Redis: memory under load"), that limit is OOM-killed as soon as a
 * fork runs under write load. Everything below counts against the container's memory cgroup:
 * - the server's own memory: maxmemory, plus allocator fragmentation and the AOF buffer (about 1.07× maxmemory
 *   measured: RSS 541–563 MB at maxmemory 512 MB). Client output buffers count towards maxmemory (they evict keys);
 * - the fork child of every BGSAVE and AOF rewrite (Redis 7.0 rewrites by forking; `save` points, `auto-aof-rewrite`
 *   and `BGSAVE` all fork): under unthrottled writes to ever new keys eviction frees pages all over the heap, so
 *   copy-on-write duplicates nearly all of it — current_cow_peak 509–526 MB measured at maxmemory 512 MB, that is a
 *   second full copy (peak anonymous memory 1044–1069 MB: 2.04–2.09× maxmemory);
 * - page cache the server and the child write (AOF, RDB): reclaimable, but only once written back; dirty plus
 *   writeback peaked at 72–188 MB.
 * So perMaxmemory 2.25 = server + full fork copy (2×) with the guide's 25 % overhead kept, and fixedMb 256 covers
 * dirty page cache and the processes' base. Measured at maxmemory 512 MB (40 s of unthrottled 1 KB writes from 8
 * connections, BGSAVE every 3 s, BGREWRITEAOF every 5 s): limit 640 (guide 000) and 896 and 1024 MB: OOM-killed within
 * the run; 1152 MB: survived with no margin (anonymous peak 1056 MB + 104 MB dirty); 1408 MB (this rule): every run
 * (13, including kill -9 and SIGTERM mid-load) without an OOM kill, anonymous peak 990–1087 MB. The rule held at other
 * sizes too: maxmemory 1024 MB in 2560 MB (anonymous peak 2122 MB), maxmemory 170 MB in 640 MB. WRITEBACK keeps the page
 * cache within the 256 MB. The test __tests__/integration/local-memory.test.ts holds the rendered config to this limit.
 */
export const MEMORY_LIMIT = { perMaxmemory: 2.25, fixedMb: 256 } as const;

/**
 * Write-back during saves, rendered explicitly (they are Redis 7's defaults) because MEMORY_LIMIT's 256 MB for page
 * cache depends on them: the RDB save and the AOF rewrite fsync every 4 MB they write, and the AOF keeps its
 * everysec fsync while a child saves. Measured (same load as MEMORY_LIMIT): dirty + writeback page cache
 * peaked at 52–188 MB with these; 342 MB with both incremental fsyncs off, 483 MB with `no-appendfsync-on-rewrite yes`.
 */
export const WRITEBACK = { rdbSaveIncrementalFsync: true, aofRewriteIncrementalFsync: true, noAppendfsyncOnRewrite: false } as const;

/**
 * Out-of-memory killing order inside the container (`oom-score-adj yes`: Redis's default values 0, 200, 800 added to
 * each process's score): should the limit ever be hit, the kernel kills the fork child (its save or rewrite fails and
 * is retried) instead of the server that holds the data and the clients.
 */
export const OOM_SCORE_ADJ = true;

/**
 * Graceful stop. On SIGTERM Redis kills a running fork child, fsyncs the AOF and writes a final RDB (the `save` points
 * are set), then exits: every acknowledged write survives a replacement. The Docker provider stops a container with a
 * timeout of 0 seconds (SIGKILL at once) unless `destroy_grace_seconds` is set; `stop_timeout` is the container's
 * own grace period for `docker stop`, `docker restart` and the engine's shutdown.
 * Measured with maxmemory (512 MB) full of 1 KB values: SIGTERM → exit took 2.8–9.7 s (the slowest while a
 * fork child was being killed under write load); 60 s leaves room for a laptop disk several times slower, and is only
 * waited out when Redis is that slow.
 */
export const STOP = { signal: 'SIGTERM', graceSeconds: 60 } as const;

/**
 * Restart policy: 000 "Quick Start" ("Automatic restarts"). `always`: the engine restarts the container whenever the
 * server exits (a crash, an OOM kill, `kill -9` of the process), and also at the engine's next start after a
 * `docker kill` or `docker stop` (Docker suspends a policy after those until the container or the engine starts
 * again; `unless-stopped` would keep a killed container down for good, until the next deploy). A developer who wants
 * it gone runs `npm run destroy:local`. Docker has no restart on a failing health check; the provider 4.x neither.
 */
export const RESTART_POLICY = 'always';

/**
 * Password.
 * - Generated: 32 characters, 003_f380f0d599784263.txt "Generate Secure Password" (`openssl rand -base64 32`);
 *   letters and digits only.
 * - Chosen by the developer (LocalRedis `password`): the length an ElastiCache AUTH token may have
 *   (elasticache-facts.md), and only RFC 3986 unreserved characters, so it goes into REDIS_URL and redis.conf unescaped.
 *   Guides 000 and 003 ask for a strong password; "strong" is stated as `strength`: at least `minDistinctCharacters`
 *   different characters and an estimated `minEstimatedBits` (length × log2 of the sizes of the character classes it
 *   uses, as if each character were drawn at random from them). Sixteen `a` (1 different, 75 bits) and
 *   `1234567890123456` (53 bits) are refused; 16 random letters and digits (95 bits) and `openssl rand -hex 16`
 *   (165 bits) pass. The estimate is an upper bound for a chosen password: it catches the weak ones, it cannot prove
 *   a strong one.
 */
export const LOCAL_PASSWORD = deepFreeze({
  generatedLength: 32,
  minLength: LIMITS.authTokenMinLength,
  maxLength: LIMITS.authTokenMaxLength,
  /** Regular-expression character class of the allowed characters (also used in the Terraform validation). */
  characterClass: 'A-Za-z0-9._~-',
  strength: {
    minDistinctCharacters: 8,
    minEstimatedBits: 80,
    /** The character classes of the estimate: a regular-expression class and how many characters it holds. */
    classes: [
      { characterClass: 'a-z', size: 26 },
      { characterClass: 'A-Z', size: 26 },
      { characterClass: '0-9', size: 10 },
      { characterClass: '._~-', size: 4 },
    ],
  },
} as const);

/**
 * The local Redis Cluster (LocalRedisCluster), for applications whose deployed group is in cluster mode: its layout
 * is 004_8844d1214f9c87e0.txt "Production Architecture (3-Node Cluster)": 3 masters (:7000–:7002), each with 1 slave
 * (:7003–:7005); "Self-Managed Cluster": `redis-cli --cluster create … --cluster-replicas 1`.
 */
export const LOCAL_CLUSTER = deepFreeze({
  primaries: 3,
  replicasPerPrimary: 1,
  /** 004: "Master1 :7000" … "Slave3 :7005". */
  defaultFirstPort: 7000,
  /** The cluster bus listens on the client port + 10000 (004 "Network Requirements": 16379-16384 beside 6379-6384). */
  busPortOffset: 10000,
  /**
   * 004 "Configure Each Node": `cluster-node-timeout 5000`: a primary that stops answering for 5 s is failed over to
   * its replica (004 "High Availability": failure detection, voting, promotion).
   */
  nodeTimeoutMs: 5000,
  /** `cluster-config-file` in each node's data volume (004: `cluster-config-file nodes-7000.conf`). */
  configFile: 'nodes.conf',
} as const);

/** Nodes in all. */
export const LOCAL_CLUSTER_NODES = LOCAL_CLUSTER.primaries * (1 + LOCAL_CLUSTER.replicasPerPrimary);

/** The highest first port that leaves room for every node's port and bus port (≤ 65535). */
export const LOCAL_CLUSTER_MAX_FIRST_PORT = 65535 - LOCAL_CLUSTER.busPortOffset - (LOCAL_CLUSTER_NODES - 1);
