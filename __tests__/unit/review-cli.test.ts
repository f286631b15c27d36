/**
 * The review command line (scripts/review.ts) and its contract: exit 0 every guardrail passes; 1 a guardrail
 * violation (or, with --fail-on-data-loss, data loss); 2 usage, I/O or malformed input, naming the file and whether
 * it is head or base. Outputs are written atomically; the reviewed directories are never changed.
 * The environments are fixtures with fixed users, independent of config/environments.ts's live values.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { AwsEnvironmentName, EnvironmentConfig } from '../../config/environments';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';
import { main } from '../../scripts/review';
import { readSynthOutput } from '../../scripts/review/read-output';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { LocalStack } from '../../stacks/local-stack';
import { deploymentSettings } from '../../stacks/settings';

const ROOT = path.resolve(__dirname, '../..');

const env = (name: AwsEnvironmentName, change: Partial<EnvironmentConfig> = {}): EnvironmentConfig => ({
  // the fixed environments (../helpers/environments.ts): changing config/environments.ts changes none of these
  ...FIXED_ENVIRONMENTS[name],
  ...change,
});

let dir: string;
/** Write a synthesis output of these stacks, as `cdktf synth` does (without the guardrails, so violations land in it). */
function synthOutput(sub: string, configs: EnvironmentConfig[], local: boolean): string {
  const outdir = path.join(dir, sub);
  const app = new App({ outdir });
  for (const c of configs) new CacheEnvironmentStack(app, c.name, { environment: c, deployment: deploymentSettings(c.name, {}) });
  if (local) new LocalStack(app, 'local', { settings: {} });
  app.synth();
  return outdir;
}

/** A copy of an output directory whose replication group in `stack` has `field` set to `value`. */
function withRgField(from: string, to: string, stack: string, field: string, value: unknown): { dir: string; file: string } {
  const json = JSON.parse(fs.readFileSync(path.join(from, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
  const rg = Object.values(json.resource.aws_elasticache_replication_group)[0] as Record<string, unknown>;
  rg[field] = value;
  return withStackFile(from, to, stack, JSON.stringify(json));
}

/** A copy of an output directory whose manifest points `stack` at `synthesizedStackPath`. */
function withManifestPath(from: string, to: string, stack: string, synthesizedStackPath: string): string {
  const out = path.join(dir, to);
  fs.cpSync(from, out, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  manifest.stacks[stack].synthesizedStackPath = synthesizedStackPath;
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest));
  return out;
}

/** A minimal malformed plan file (the error paths; real plans come from the engine in the integration tests). */
function planFile(name: string, content: string): string {
  const d = fs.mkdtempSync(path.join(dir, 'plan-'));
  fs.writeFileSync(path.join(d, name), content);
  return path.join(d, name);
}

/** A copy of an output directory with one stack file replaced by `content`. */
function withStackFile(from: string, to: string, stack: string, content: string): { dir: string; file: string } {
  const out = path.join(dir, to);
  fs.cpSync(from, out, { recursive: true });
  const file = path.join(out, 'stacks', stack, 'cdk.tf.json');
  fs.writeFileSync(file, content);
  return { dir: out, file };
}

function tree(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(d, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else
        out[r] = crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(d, r)))
          .digest('hex');
    }
  };
  walk('');
  return out;
}

/** Run the command in this process; returns its exit code and what it printed. */
function review(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

let clean: string; // every guardrail passes
let violating: string; // staging without a replica: Multi-AZ violation
let withoutLocal: string; // the local stack removed: its data volume is deleted

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-cli-'));
  clean = synthOutput('clean', [env('pilot'), env('staging'), env('production')], true);
  violating = synthOutput(
    'violating',
    [env('pilot'), env('staging', { expectedUsers: 50, memoryFloorGiB: undefined }), env('production')],
    true,
  );
  withoutLocal = synthOutput('without-local', [env('pilot'), env('staging'), env('production')], false);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('exit 0 and 1: guardrails and data loss', () => {
  it('exits 0 when every guardrail passes, and shows the regions and the price region', () => {
    const r = review('--out-dir', clean);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# Plan review/);
    expect(r.stdout).toContain(
      "Regions: pilot us-east-1, production us-east-1, staging us-east-1. Prices are the catalog's us-east-1 on-demand prices.",
    );
  });

  it('exits 1 on a guardrail violation', () => {
    const r = review('--out-dir', violating);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('review: 1 guardrail violation(s)');
  });

  it('names data loss but passes without --fail-on-data-loss, and fails with it', () => {
    const plain = review('--out-dir', withoutLocal, '--base', clean);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toContain('review: data loss in local: docker_volume.');
    expect(plain.stderr).toContain('(exit 1 with --fail-on-data-loss)');
    const strict = review('--out-dir', withoutLocal, '--base', clean, '--fail-on-data-loss');
    expect(strict.code).toBe(1);
  });
});

describe('exit 2: usage, I/O and malformed input, naming the file and head or base', () => {
  it.each<[string, () => string[], RegExp]>([
    [
      'a head stack file holding null',
      () => ['--out-dir', withStackFile(clean, 'null-head', 'pilot', 'null').dir],
      /^review: head .*null-head\/stacks\/pilot\/cdk\.tf\.json: holds null, expected a synthesized stack \(a JSON object\)\n$/,
    ],
    [
      'a base stack file holding []',
      () => ['--out-dir', clean, '--base', withStackFile(clean, 'array-base', 'staging', '[]').dir],
      /^review: base .*array-base\/stacks\/staging\/cdk\.tf\.json: holds an array, expected a synthesized stack \(a JSON object\)\n$/,
    ],
    [
      'a stack file whose resources are a list',
      () => ['--out-dir', withStackFile(clean, 'wrong-type', 'production', '{"terraform":{},"resource":[]}').dir],
      /^review: head .*wrong-type\/stacks\/production\/cdk\.tf\.json: wrong type: resource is an array, expected an object\n$/,
    ],
    [
      'a stack file whose resource bodies are strings',
      () => ['--out-dir', withStackFile(clean, 'wrong-body', 'production', '{"terraform":{},"resource":{"aws_vpc":{"main":"x"}}}').dir],
      /wrong-body\/stacks\/production\/cdk\.tf\.json: wrong type: resource\.aws_vpc\.main is a string, expected an object\n$/,
    ],
    [
      'a JSON object that is not a synthesized stack',
      () => ['--out-dir', withStackFile(clean, 'not-stack', 'pilot', '{"name":"x"}').dir],
      /not-stack\/stacks\/pilot\/cdk\.tf\.json: has no "terraform" block: not a stack written by cdktf synth\n$/,
    ],
    [
      'truncated JSON',
      () => [
        '--out-dir',
        clean,
        '--base',
        withStackFile(clean, 'truncated', 'pilot', fs.readFileSync(path.join(clean, 'stacks/pilot/cdk.tf.json'), 'utf8').slice(0, 500)).dir,
      ],
      /^review: base .*truncated\/stacks\/pilot\/cdk\.tf\.json: is not valid JSON \(.*\); truncated or not written by cdktf synth\?\n$/,
    ],
    [
      'an output directory that does not exist',
      () => ['--out-dir', path.join(dir, 'nowhere')],
      /^review: head .*nowhere: is not a directory\n$/,
    ],
    [
      'an unknown --stack',
      () => ['--out-dir', clean, '--stack', 'prod'],
      /^review: no stack prod; the stacks are: local, pilot, production, staging\nusage: npm run review -- /,
    ],
    ['an unknown option', () => ['--out-dir', clean, '--jsn', 'x'], /^review: Unknown option '--jsn'[\s\S]*\nusage: /],
    [
      'a --json that cannot be written',
      () => ['--out-dir', clean, '--json', path.join(dir, 'no-such-dir', 'r.json')],
      /^review: cannot write --json .*no-such-dir\/r\.json \(ENOENT\)\n$/,
    ],
    [
      'a --md that cannot be written next to a --json that can: neither is written',
      () => ['--out-dir', clean, '--json', path.join(dir, 'not-half.json'), '--md', path.join(dir, 'no-such-dir', 'r.md')],
      /^review: cannot write --md .*no-such-dir\/r\.md \(ENOENT\)\n$/,
    ],
    [
      'a --md under a file (not a directory)',
      () => ['--out-dir', clean, '--md', path.join(clean, 'manifest.json', 'r.md')],
      /^review: cannot write --md .*manifest\.json\/r\.md \(ENOTDIR\)\n$/,
    ],
    ['an empty --json', () => ['--out-dir', clean, '--json', ''], /^review: --json needs a value, got an empty string\nusage: /],
    [
      'an empty --out-dir and --stack',
      () => ['--out-dir', '', '--stack', ''],
      /^review: --out-dir needs a value, got an empty string; --stack needs a value/,
    ],
    [
      'a node type that is a number',
      () => ['--out-dir', withRgField(clean, 'node-type-number', 'production', 'node_type', 12).dir],
      /^review: head .*node-type-number\/stacks\/production\/cdk\.tf\.json: wrong value: resource\.aws_elasticache_replication_group\.\S+\.node_type is 12, expected a string\n$/,
    ],
    [
      'a negative number of nodes',
      () => ['--out-dir', clean, '--base', withRgField(clean, 'nodes-negative', 'staging', 'num_cache_clusters', -5).dir],
      /^review: base .*nodes-negative\/stacks\/staging\/cdk\.tf\.json: wrong value: resource\.aws_elasticache_replication_group\.\S+\.num_cache_clusters is -5, expected a whole number from 1 to 6\n$/,
    ],
    [
      'a manifest naming a stack file outside the output directory',
      () => ['--out-dir', withManifestPath(clean, 'outside', 'pilot', '../../clean/stacks/pilot/cdk.tf.json')],
      /^review: head .*outside\/manifest\.json: stack "pilot": synthesizedStackPath "\.\.\/\.\.\/clean\/stacks\/pilot\/cdk\.tf\.json" is outside the output directory; the review reads only files under .*outside\n$/,
    ],
    [
      'a 10,000-character --stack: shortened in the message',
      () => ['--out-dir', clean, '--stack', 'x'.repeat(10000)],
      /^review: no stack x{119}… \(10000 characters\); the stacks are: local, pilot, production, staging\nusage: /,
    ],
    [
      'a 10,000-character --out-dir: shortened in the message',
      () => ['--out-dir', `/tmp/${'d'.repeat(9995)}`],
      /^review: head \/tmp\/d{114}… \(10000 characters\): is not a directory\n$/,
    ],
    [
      'a truncated plan',
      () => ['--out-dir', clean, '--plan', planFile('pilot.json', '{"format_version":"1.2","planned_values":{')],
      /^review: plan .*\/pilot\.json: is not valid JSON \(.*\); truncated, or the binary plan file instead of `terraform show -json` of it\?\n$/,
    ],
    [
      'a plan of another format version',
      () => ['--out-dir', clean, '--plan', planFile('staging.json', '{"format_version":"2.0","configuration":{}}')],
      /^review: plan .*\/staging\.json: format_version "2\.0" is not one this review reads \(1\.x: Terraform ≥ 1\.0 or OpenTofu\)\n$/,
    ],
    [
      'the JSON of a state instead of a plan',
      () => ['--out-dir', clean, '--plan', planFile('production.json', '{"format_version":"1.0","values":{"root_module":{}}}')],
      /^review: plan .*\/production\.json: is the JSON of a state, not of a plan: run `terraform show -json <planfile>` on a saved plan\n$/,
    ],
    [
      'an errored plan',
      () => ['--out-dir', clean, '--plan', planFile('pilot.json', '{"format_version":"1.2","configuration":{},"errored":true}')],
      /^review: plan .*\/pilot\.json: is an errored plan \("errored": true\): the engine could not finish it and it cannot be applied; fix the plan first\n$/,
    ],
    [
      'an action the review does not know',
      () => [
        '--out-dir',
        clean,
        '--plan',
        planFile(
          'pilot.json',
          '{"format_version":"1.2","configuration":{},"resource_changes":[{"address":"a.b","mode":"managed","type":"a","name":"b","change":{"actions":["explode"]}}]}',
        ),
      ],
      /^review: plan .*\/pilot\.json: wrong type: resource_changes\[0\] \(a\.b\)\.change\.actions holds "explode": not an action this review knows \(no-op, create, read, update, delete, forget\)\n$/,
    ],
    [
      'a plan named after no stack',
      () => ['--out-dir', clean, '--plan', planFile('prod.json', '{"format_version":"1.2","configuration":{}}')],
      /^review: plan .*\/prod\.json: no synthesized stack "prod" \(from the file name\); the stacks are: local, pilot, production, staging\. Name the file <stack>\.json or pass --stack NAME\nusage: /,
    ],
    [
      'a plan made from another synthesis',
      () => [
        '--out-dir',
        clean,
        '--plan',
        planFile('local.json', '{"format_version":"1.2","configuration":{"root_module":{"resources":[]}}}'),
      ],
      /^review: plan .*\/local\.json: was not made from this synthesis of stack local: only in the synthesis: docker_container\.\S+, docker_image\.\S+, docker_volume\.\S+, random_password\.\S+\. Plan the same commit you review \(npm run plan -- local\)\n$/,
    ],
  ])('%s', (_, args, stderr) => {
    const argv = args();
    const outDir = argv[argv.indexOf('--out-dir') + 1];
    // the output directory, as it was (or its absence): nothing is written or half-written on a usage error
    const before = fs.existsSync(outDir) ? tree(outDir) : 'absent';
    const r = review(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(stderr);
    expect(fs.existsSync(outDir) ? tree(outDir) : 'absent').toEqual(before);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') || n === 'not-half.json')).toEqual([]);
  });

  it('--help prints every option and the exit codes, exit 0', () => {
    const r = review('--help');
    expect(r.code).toBe(0);
    const options = [...r.stdout.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(options).toEqual(['--out-dir', '--base', '--plan', '--json', '--md', '--stack', '--fail-on-data-loss', '--help']);
    expect(r.stdout).toContain(
      'Exit codes: 0 every guardrail passes; 1 a guardrail violation, a change the apply would fail on (REFUSED), or\n(with --fail-on-data-loss) data loss; 2 usage, I/O or malformed input.',
    );
  });

  it('a --md that cannot be written, run as a process: exit 2, one line, no stack trace', () => {
    const run = spawnSync(
      process.execPath,
      ['-r', './scripts/ts-register.js', 'scripts/review.ts', '--out-dir', clean, '--md', path.join(clean, 'manifest.json', 'r.md')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 2,
      stderr: `review: cannot write --md ${path.join(clean, 'manifest.json', 'r.md')} (ENOTDIR)\n`,
    });
  });
});

describe('a base from another project', () => {
  it('warns that no stack is in common, and still reviews', () => {
    const other = path.join(dir, 'other-project');
    fs.mkdirSync(path.join(other, 'stacks', 'web'), { recursive: true });
    fs.writeFileSync(path.join(other, 'stacks', 'web', 'cdk.tf.json'), '{"terraform":{},"resource":{}}');
    const r = review('--out-dir', clean, '--base', other);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `review: warning: head ${clean} and base ${other} have no stack in common (head: local, pilot, production, staging; base: web): is the base from another project?`,
    );
  });
});

describe('npm run review (scripts/review.ts), end to end', () => {
  it('reads two synthesis outputs, prints and writes the review atomically, and fails on violations', () => {
    const jsonFile = path.join(dir, 'review.json');
    const mdFile = path.join(dir, 'review.md');
    expect(Object.keys(readSynthOutput(violating)).sort()).toEqual(['local', 'pilot', 'production', 'staging']);
    const before = tree(violating);
    const run = spawnSync(
      process.execPath,
      ['-r', './scripts/ts-register.js', 'scripts/review.ts', '--out-dir', violating, '--base', clean, '--json', jsonFile, '--md', mdFile],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.stderr).toMatch(/1 guardrail violation/);
    expect(run.status).toBe(1);
    const out = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    const byName = Object.fromEntries(out.stacks.map((s: any) => [s.stack, s]));
    expect(byName.pilot).toMatchObject({ status: 'unchanged', violations: [], changes: [], costDeltaUsd: 0 });
    expect(byName.staging.violations).toEqual([
      expect.objectContaining({ rule: 'multi-az', resource: expect.stringMatching(/^aws_elasticache_replication_group\./) }),
    ]);
    expect(fs.readFileSync(mdFile, 'utf8')).toBe(run.stdout);
    expect(run.stdout).toMatch(/^# Plan review/);
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(tree(violating)).toEqual(before);
  });
});
