/**
 * Which way imports may run (README, "Architecture"):
 *   config/      data and choices only: imports nothing outside config/;
 *   constructs/  the library: never imports stacks/, scripts/, tests or main.ts; this project's choices
 *                (config/environments.ts, config/scaling.ts) reach it only as props, except the guardrails, which
 *                are this project's policy;
 *   stacks/      this project's stacks: never imports scripts/ or tests;
 *   scripts/     tools: never imports tests (tests import scripts/lib/ instead);
 * and provider classes come from submodules (`@cdktf/provider-aws/lib/…`), never from a package root.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [dir];
  return fs
    .readdirSync(full)
    .flatMap((f) => (f === 'node_modules' || f === '__snapshots__' ? [] : filesUnder(path.join(dir, f))))
    .filter((f) => f.endsWith('.ts'));
}

/** Imports of a file, project-relative ones resolved to project paths (`config/alarms`). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const statements = /^\s*(?:import|export)\b[^;]*?from\s*'([^']+)'|^\s*import\s*'([^']+)'|\brequire\('([^']+)'\)/gm;
  return [...text.matchAll(statements)]
    .map((m) => m.at(1) ?? m.at(2) ?? m[3]) // .at(): the groups that did not match are undefined
    .map((spec) => (spec.startsWith('.') ? path.relative(ROOT, path.join(ROOT, path.dirname(file), spec)) : spec));
}

const ALL = ['main.ts', 'config', 'constructs', 'stacks', 'scripts', '__tests__'].flatMap(filesUnder);
const top = (p: string) => p.split(path.sep)[0];

function offenders(from: string, forbidden: (target: string, file: string) => boolean): string[] {
  return ALL.filter((f) => top(f) === from || f.startsWith(`${from}/`)).flatMap((f) =>
    importsOf(f)
      .filter((i) => forbidden(i, f))
      .map((i) => `${f} → ${i}`),
  );
}

describe('architecture: imports run one way', () => {
  it('finds the sources it checks', () => {
    expect(ALL).toEqual(
      expect.arrayContaining(['main.ts', 'config/alarms.ts', 'constructs/index.ts', 'stacks/settings.ts', 'scripts/review.ts']),
    );
  });

  it('config/ imports nothing outside config/', () => {
    expect(offenders('config', (i) => !i.startsWith('config/') && !['fs', 'path'].includes(i))).toEqual([]);
  });

  it('constructs/ never imports stacks/, scripts/, tests or main.ts', () => {
    expect(offenders('constructs', (i) => ['stacks', 'scripts', '__tests__', 'main'].includes(top(i)))).toEqual([]);
  });

  it("constructs/ gets this project's environments and scaling choices only as props (the guardrails excepted)", () => {
    const choices = ['config/environments', 'config/scaling'];
    expect(offenders('constructs', (i, f) => choices.includes(i) && !f.startsWith('constructs/guardrails/'))).toEqual([]);
  });

  it('stacks/ never imports scripts/ or tests', () => {
    expect(offenders('stacks', (i) => ['scripts', '__tests__'].includes(top(i)))).toEqual([]);
  });

  it('scripts/ never imports tests', () => {
    expect(offenders('scripts', (i) => top(i) === '__tests__')).toEqual([]);
  });

  it('reading synthesized JSON loads no provider bindings', () => {
    const pure = ['constructs/guardrails/tf-json.ts', 'constructs/elasticache/member-nodes.ts', 'constructs/validation.ts'];
    expect(
      pure.flatMap((f) =>
        importsOf(f)
          .filter((i) => i.startsWith('@cdktf/'))
          .map((i) => `${f} → ${i}`),
      ),
    ).toEqual([]);
  });

  it('the ElastiCache and monitoring constructs never use the redis.conf renderer (ElastiCache has no AOF or requirepass)', () => {
    const users = ALL.filter((f) => importsOf(f).some((i) => i === 'constructs/local/redis-conf')).filter((f) =>
      f.startsWith('constructs/'),
    );
    expect(users).toEqual(['constructs/local/index.ts', 'constructs/local/local-redis-cluster.ts', 'constructs/local/local-redis.ts']);
  });

  it('provider classes come from submodules, never from a package root', () => {
    expect(
      ALL.flatMap((f) =>
        importsOf(f)
          .filter((i) => /^@cdktf\/provider-[a-z]+$/.test(i))
          .map((i) => `${f} → ${i}`),
      ),
    ).toEqual([]);
  });
});
