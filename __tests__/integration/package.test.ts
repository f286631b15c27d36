/**
 * The construct library as another team gets it: `npm pack` ships the compiled constructs and config with their
 * declarations and nothing else, and a plain cdktf app outside this repository (examples/another-team/main.js)
 * requires it by its package name and synthesizes a replication group with alarms.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runAgainstMoto } from '../../scripts/tools/plan-moto';
import { validateAll } from '../../scripts/tools/validate';
import { mustHaveTools, toolsForTests } from '../helpers/tools';

const ROOT = path.join(__dirname, '..', '..');
const PEERS = ['cdktf', 'constructs', '@cdktf/provider-aws', '@cdktf/provider-random'];

describe('the packed construct library', () => {
  let work: string;
  let files: string[];
  let synthesized: any;
  let out: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'isl-cache-package-'));
    // `npm pack` runs `prepack` (npm run build) and lists what it packed
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    files = packed[0].files.map((f: { path: string }) => f.path);

    // an app directory outside the repository: the tarball unpacked as node_modules/redis-cache-infra, the peers linked
    const app = path.join(work, 'app');
    const pkg = path.join(app, 'node_modules', 'redis-cache-infra');
    fs.mkdirSync(pkg, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(work, packed[0].filename), '-C', pkg, '--strip-components=1']);
    for (const peer of PEERS) {
      fs.mkdirSync(path.dirname(path.join(app, 'node_modules', peer)), { recursive: true });
      fs.symlinkSync(path.join(ROOT, 'node_modules', peer), path.join(app, 'node_modules', peer));
    }
    fs.copyFileSync(path.join(ROOT, 'examples', 'another-team', 'main.js'), path.join(app, 'main.js'));
    out = path.join(work, 'out');
    execFileSync(process.execPath, ['main.js'], { cwd: app, env: { ...process.env, CDKTF_OUTDIR: out }, stdio: 'pipe' });
    synthesized = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'orders-cache', 'cdk.tf.json'), 'utf8'));
  }, 180000);

  afterAll(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('ships the compiled library with declarations, and no tests, stacks, scripts or synth output', () => {
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'dist/constructs/index.js', 'dist/constructs/index.d.ts', 'dist/config/node-catalog.js']),
    );
    expect(files.filter((f) => /^(__tests__|stacks|scripts|cdktf\.out|examples)\/|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('lets an app outside the repository build a replication group with alarms', () => {
    const group = Object.values<any>(synthesized.resource.aws_elasticache_replication_group);
    expect(group.map((g) => [g.replication_group_id, g.node_type, g.num_cache_clusters])).toEqual([['orders-cache', 'cache.r7g.large', 2]]);
    const alarmedNodes = new Set(
      Object.values(synthesized.resource.aws_cloudwatch_metric_alarm).map(
        (a: any) => a.dimensions?.CacheClusterId ?? a.metric_query?.[0]?.metric?.dimensions?.CacheClusterId,
      ),
    );
    expect([...alarmedNodes].sort()).toEqual(['orders-cache-001', 'orders-cache-002']);
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
