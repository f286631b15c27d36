/**
 * The pull-request review exactly as CI runs it: scripts/ci/review-pr.sh, the one script .github/workflows/review.yml
 * calls, run end to end on two commits of a scratch git repository holding this project (the base as it is, the head
 * pinning production to an older engine version, the case a new user tried). Without AWS credentials it reviews
 * offline and builds no verification tool. The workflow file is checked to call that script and nothing else.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ACCEPT_DATA_LOSS_LABEL } from '../../config/review';

const ROOT = path.resolve(__dirname, '../..');
let repo: string;
let baseSha: string;

function git(...args: string[]): string {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The script with only the variables CI sets (no AWS credentials, no tools cache). */
function reviewPr(out: string, extra: Record<string, string> = {}): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|CACHE_|ISL_)/.test(k)) env[k] = v;
  return spawnSync('bash', ['scripts/ci/review-pr.sh'], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...env, BASE_REF: baseSha, REVIEW_OUT_DIR: out, ISL_CACHE_TOOLS_DIR: path.join(repo, 'no-tools'), ...extra },
    timeout: 120000,
  });
}

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'isl-ci-review-'));
  // the project's files as they are in this checkout (committed or not), without the ignored ones
  const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .stdout.split('\0')
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) fs.cpSync(path.join(ROOT, f), path.join(repo, f), { recursive: true });
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'CI');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'base');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(repo, 'node_modules')); // installed, not committed (as npm ci)
  baseSha = git('rev-parse', 'HEAD');
  // the head: production pinned to an older engine version (a downgrade replaces the group)
  const envFile = path.join(repo, 'config/environments.ts');
  const text = fs.readFileSync(envFile, 'utf8');
  const pinned = text.replace(/(production: \{\n(?:.*\n)*?\s+applyImmediately: false,\n)/, "$1    engineVersion: '8.0',\n");
  if (pinned === text) throw new Error('config/environments.ts: production block not found');
  fs.writeFileSync(envFile, pinned);
  git('commit', '--quiet', '-am', 'pin production to valkey 8.0');
}, 60000);

afterAll(() => {
  fs.rmSync(repo, { recursive: true, force: true });
});

describe('scripts/ci/review-pr.sh on a pull request that downgrades production', () => {
  let run: SpawnSyncReturns<string>;
  let md: string;

  beforeAll(() => {
    run = reviewPr(path.join(repo, 'out'));
    md = fs.readFileSync(path.join(repo, 'out', 'review.md'), 'utf8');
  }, 120000);

  it('fails the check: the replacement is data loss and an outage, whatever the final snapshot', () => {
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('review-pr: no AWS credentials (or REVIEW_PLAN=no): the offline review');
    expect(run.stderr).toMatch(/review: data loss in production: aws_elasticache_replication_group\.\S+ \(and an outage\)\n/);
  });

  it('writes one comment whose first lines say so, with why no snapshot can restore the data', () => {
    const lines = md.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '<!-- isl-cache review: edited on every push -->',
      '# Plan review',
      '',
      expect.stringMatching(/^Head [0-9a-f]{7} against base [0-9a-f]{7}; changes predicted offline \(no plan\)\.$/),
    ]);
    expect(lines[5]).toMatch(
      /^> ⛔ \*\*production:\*\* aws_elasticache_replication_group\.\S+ \(isl-cache-production\) is REPLACED: DATA LOSS AND OUTAGE\. The group is deleted and created again \(engine_version "8\.1" → "8\.0": downgrade 8\.1 → 8\.0 replaces the group\): .*this change goes to an older one \(valkey 8\.1 → 8\.0\)/,
    );
    expect(md).toMatch(
      /\| production \| production \| \$551\.88 \| \$0\.00 \| 2 replaced ⛔ \*\*data loss and outage\*\* \| offline prediction \| ✅ \|/,
    );
    expect(
      JSON.parse(fs.readFileSync(path.join(repo, 'out', 'review.json'), 'utf8')).stacks.map((s: { stack: string }) => s.stack),
    ).toEqual(['local', 'pilot', 'production', 'staging']);
  });

  it('builds no verification tool and leaves no worktree behind', () => {
    expect(fs.existsSync(path.join(repo, 'no-tools'))).toBe(false);
    expect(git('worktree', 'list').split('\n')).toHaveLength(1);
  });

  it(`passes with the label ${ACCEPT_DATA_LOSS_LABEL}, still calling the data loss out first`, () => {
    const accepted = reviewPr(path.join(repo, 'accepted'), { ACCEPT_DATA_LOSS: '1' });
    expect(accepted.status).toBe(0);
    const text = fs.readFileSync(path.join(repo, 'accepted', 'review.md'), 'utf8').split('\n');
    expect(text[5]).toBe('> The label `accept-data-loss` is set: the data loss called out below is accepted and does not fail the check.');
    expect(text[7]).toMatch(/^> ⛔ \*\*production:\*\* .* is REPLACED: DATA LOSS AND OUTAGE\./);
  }, 120000);

  it('exits 2 naming the problem when the base is not a commit of the repository', () => {
    const bad = spawnSync('bash', ['scripts/ci/review-pr.sh'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, BASE_REF: 'no-such-ref', REVIEW_OUT_DIR: path.join(repo, 'bad') },
    });
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({
      status: 2,
      stderr: 'review-pr: BASE_REF no-such-ref: no such commit in this repository (fetch it: actions/checkout with fetch-depth: 0)\n',
    });
  });
});

describe('.github/workflows/review.yml', () => {
  const text = fs.readFileSync(path.join(ROOT, '.github/workflows/review.yml'), 'utf8');
  /** Without its comments: what runs. */
  const workflow = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');

  it('runs the script above and no other review logic', () => {
    expect(workflow.match(/^\s+bash scripts\/ci\/review-pr\.sh$/gm)).toHaveLength(1);
    expect(workflow).not.toMatch(/npm run (review|synth|plan)/);
  });

  it('re-runs when the label changes, and passes the label to the script', () => {
    expect(workflow).toContain('types: [opened, synchronize, reopened, labeled, unlabeled]');
    expect(workflow).toContain(`contains(github.event.pull_request.labels.*.name, '${ACCEPT_DATA_LOSS_LABEL}')`);
  });

  it('posts one comment per pull request, edited on every push', () => {
    expect(workflow).toContain('gh pr comment "$PR" --edit-last --create-if-none --body-file review-out/review.md');
  });
});
