/**
 * The construct library as another team gets it: `npm pack ./packages/redis-cache-infra` ships the compiled library
 * with its declarations and its own README, and nothing of this project (no environment table, no project name, no scaling choice, no config/); its public API is
 * the one recorded in api/ (API Extractor over the packed declarations); and a plain cdktf app outside this repository
 * (examples/another-team/main.js) requires it by its package name and synthesizes a protected stack with a suppression
 * that gives its reason, clients admitted after construction, a role granted the credentials and a group imported
 * from another stack — which the real engine validates and plans against moto.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { API_REPORT_COMMAND, apiReports } from '../../scripts/api-report';
import { runAgainstMoto } from '../../scripts/tools/plan-moto';
import { validateAll } from '../../scripts/tools/validate';
import { mustHaveTools, toolsForTests } from '../helpers/tools';

const ROOT = path.join(__dirname, '..', '..');
const PEERS = ['cdktf', 'constructs', '@cdktf/provider-aws', '@cdktf/provider-random'];

/**
 * What of this project must never be in the package: its name, its environments and their table, its scaling and
 * guardrail choices, its variables, its config/ files of choices. Each pattern says what it catches.
 */
const PROJECT_TRACES: ReadonlyArray<[string, RegExp]> = [
  ['the project name', /isl-cache|\bISL\b/],
  ['an environment table (keys pilot/staging/production)', /\b(pilot|staging|production)['"]?\s*:/],
  [
    'a scaling or guardrail choice of config/',
    /\b(EXPECTED_USERS|SCALING_TIERS|MEMORY_FLOOR_GIB|HIT_RATE_TARGET_PERCENT|BACKUP_RETENTION_DAYS|BURSTABLE_NODES_ALLOWED|CLUSTER_NODE_MINIMUM|PROTECTED_ENVIRONMENTS|AWS_ENVIRONMENTS|MAXMEMORY_POLICY|guardrailPacksOf)\b/,
  ],
  [
    "the project's variables",
    /\bCACHE_(PILOT|STAGING|PRODUCTION|<ENV>|STATE|GUARDRAILS)|\bLOCAL_REDIS_(ENGINE|PORT|TLS|IMAGE|CLUSTER)\b|TF_VAR_redis_password/,
  ],
  [
    "the project's files of choices",
    /config\/(environments|scaling|guardrails|alarms|deployment|aws-regions|review|modifications|cluster-mode)\.ts/,
  ],
];

/**
 * The one place the package may name config/: the header of the redis.conf LocalRedis renders, which is content the
 * developers' containers hold (a change replaces every running container). Only that line is exempt.
 */
const RENDERED_HEADERS = [
  /^\s*'# Rendered by constructs\/local\/redis-conf\.ts from config\/local\.ts; do not edit\.',$/,
  /^\s*'# Redis Cluster \(constructs\/local\/local-redis-cluster\.ts, config\/local-cluster\.ts\)',$/,
];

describe('the packed construct library', () => {
  let work: string;
  let pkg: string;
  /** The same tarball unpacked outside any node_modules (API Extractor reads what is below node_modules as external). */
  let unpacked: string;
  let files: string[];
  let synthesized: any;
  let out: string;
  let library: typeof import('../../constructs');

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'isl-cache-package-'));
    // `npm pack` of the package directory runs its `prepack` (the project's build) and lists what it packed
    const packed = JSON.parse(
      execFileSync('npm', ['pack', './packages/redis-cache-infra', '--json', '--pack-destination', work], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    files = packed[0].files.map((f: { path: string }) => f.path);

    // an app directory outside the repository: the tarball unpacked as node_modules/redis-cache-infra, the peers linked
    const app = path.join(work, 'app');
    pkg = path.join(app, 'node_modules', 'redis-cache-infra');
    fs.mkdirSync(pkg, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(work, packed[0].filename), '-C', pkg, '--strip-components=1']);
    for (const peer of PEERS) {
      fs.mkdirSync(path.dirname(path.join(app, 'node_modules', peer)), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(app, 'node_modules', peer));
    }
    fs.copyFileSync(path.join(ROOT, 'examples', 'another-team', 'main.js'), path.join(app, 'main.js'));
    unpacked = path.join(work, 'unpacked');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', path.join(work, packed[0].filename), '-C', unpacked, '--strip-components=1']);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(unpacked, 'node_modules'));
    out = path.join(work, 'out');
    execFileSync(process.execPath, ['main.js'], { cwd: app, env: { ...process.env, CDKTF_OUTDIR: out }, stdio: 'pipe' });
    synthesized = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'orders-cache', 'cdk.tf.json'), 'utf8'));
    // the packed library itself, as the app loaded it
    library = (await import(pkg)) as typeof import('../../constructs');
  }, 180000);

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('ships the compiled library with declarations, and no tests, stacks, scripts, config/ or synth output', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/constructs/index.js',
        'dist/constructs/index.d.ts',
        'dist/constructs/facts/node-catalog.js',
      ]),
    );
    expect(
      files.filter(
        (f) => /^(__tests__|stacks|scripts|config|cdktf\.out|examples|api)\/|^dist\/config\/|\.ts$/.test(f) && !f.endsWith('.d.ts'),
      ),
    ).toEqual([]);
  });

  it('holds nothing of this project: every packed file read, line by line', () => {
    expect(files.length).toBeGreaterThan(60);
    const found = files.flatMap((f) =>
      fs
        .readFileSync(path.join(pkg, f), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          RENDERED_HEADERS.some((h) => h.test(line))
            ? []
            : PROJECT_TRACES.filter(([, re]) => re.test(line)).map(([what]) => `${f}:${i + 1}: ${what}`),
        ),
    );
    expect(found).toEqual([]);
  });

  it(`exports exactly the API recorded in api/ (refresh after a deliberate change: ${API_REPORT_COMMAND})`, () => {
    const reports = apiReports(unpacked);
    expect(reports.map((r) => ({ report: r.report, changed: r.changed, messages: r.messages }))).toEqual([
      { report: 'redis-cache-infra.api.md', changed: false, messages: [] },
      { report: 'redis-cache-infra-local.api.md', changed: false, messages: [] },
    ]);
  });

  it('lets an app outside the repository build a replication group with alarms', () => {
    const group = Object.values<any>(synthesized.resource.aws_elasticache_replication_group);
    expect(group.map((g) => [g.replication_group_id, g.node_type, g.num_cache_clusters, g.snapshot_retention_limit])).toEqual([
      ['orders-cache', 'cache.r7g.large', 2, 1],
    ]);
    const alarmedNodes = new Set(
      Object.values(synthesized.resource.aws_cloudwatch_metric_alarm).map(
        (a: any) => a.dimensions?.CacheClusterId ?? a.metric_query?.[0]?.metric?.dimensions?.CacheClusterId,
      ),
    );
    expect([...alarmedNodes].sort()).toEqual(['orders-cache-001', 'orders-cache-002', 'payments-cache-001', 'payments-cache-002']);
  });

  it('declares the protected pack and a suppression with its reason in cdk.tf.json, which the packed runner reads', () => {
    expect(synthesized['//'].guardrails.packs.map((p: { id: string }) => p.id)).toEqual(['protected']);
    const group = Object.values<any>(synthesized.resource.aws_elasticache_replication_group)[0];
    expect(group['//'].guardrails.suppressions).toEqual([
      { rule: 'backup-retention', reason: 'rebuilt from the orders database in minutes; one daily backup is kept for diagnosis' },
    ]);
    const report = library.evaluateGuardrails(synthesized);
    expect({
      packs: report.packs.map((p) => p.id),
      violations: report.violations,
      suppressed: report.suppressed.map((v) => [v.rule, v.message, v.reason]),
    }).toEqual({
      packs: ['baseline', 'protected'],
      violations: [],
      suppressed: [
        [
          'backup-retention',
          'orders-cache: backups kept 1 days in orders-cache, at least 7 required',
          'rebuilt from the orders database in minutes; one daily backup is kept for diagnosis',
        ],
      ],
    });
  });

  it('admits the clients added after construction, and grants the API role the credentials of both groups', () => {
    const rules = Object.values<any>(synthesized.resource.aws_vpc_security_group_ingress_rule).map((r) => [
      r.security_group_id.startsWith('${aws_security_group.') ? 'orders-cache' : r.security_group_id,
      r.referenced_security_group_id ?? r.cidr_ipv4,
      r.from_port,
    ]);
    expect(rules.sort()).toEqual([
      ['orders-cache', '10.20.0.0/16', 6379],
      ['orders-cache', 'sg-0123456789abcdef0', 6379],
      ['orders-cache', 'sg-0fedcba9876543210', 6379],
      ['sg-0a1b2c3d4e5f60718', 'sg-0fedcba9876543210', 6379],
    ]);
    const grants = Object.values<any>(synthesized.resource.aws_iam_role_policy).map((p) => [p.name, p.role]);
    expect(grants).toEqual([
      ['orders-cache-read-credentials', '${aws_iam_role.orders-api.name}'],
      ['payments-cache-read-credentials', '${aws_iam_role.orders-api.name}'],
    ]);
  });

  it('pins the providers the library is verified with', () => {
    expect(synthesized.terraform.required_providers).toEqual({
      aws: { source: 'aws', version: '6.47.0' },
      random: { source: 'hashicorp/random', version: '3.9.0' },
    });
  });

  const t = toolsForTests();
  (t.skipReason ? it.skip : it)(
    'is valid for the real engine and the pinned providers, and plans against moto',
    async () => {
      const tools = mustHaveTools(t);
      const [[result], moto] = await Promise.all([
        validateAll(out, { tools }),
        runAgainstMoto({ outdir: out, region: 'eu-west-1', noSubnetsStack: '', tools }),
      ]);
      expect({ valid: result.valid, diagnostics: result.diagnostics, init: result.initError }).toEqual({
        valid: true,
        diagnostics: [],
        init: undefined,
      });
      const [plan] = moto.plans;
      expect({ error: plan.error, missing: plan.missing, unexpected: plan.unexpected }).toEqual({
        error: undefined,
        missing: [],
        unexpected: [],
      });
    },
    180000,
  );
});
