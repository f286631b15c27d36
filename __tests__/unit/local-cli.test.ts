/**
 * The local stack's command-line tools keep the exit-code contract on a user's mistake: 0 ok, 1 a failure
 * the message names, 2 usage or a path that cannot serve; one line naming the option and the path, no stack trace,
 * long values shortened, nothing written. None of these cases reaches Docker: each stops before (local:backup makes
 * its target directory before it runs BGSAVE; __tests__/integration/local-faults.test.ts shows BGSAVE did not run).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

function cli(script: string, args: readonly string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['-r', './scripts/ts-register.js', script, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

let dir: string;
let file: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cli-'));
  file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('local:backup / local:restore / local:repair-aof', () => {
  const backup = (...args: string[]) => cli('scripts/local-backup.ts', ['backup', ...args]);

  it.each<[string, () => string[], (d: string) => string]>([
    ['--dir names a file', () => ['--dir', file], () => `local-backup: --dir "${file}": a file, not a directory\n`],
    [
      '--dir is below a file',
      () => ['--dir', path.join(file, 'x')],
      () => `local-backup: --dir "${file}/x": "${file}" is a file, not a directory\n`,
    ],
    [
      '--dir is under /proc (Node’s recursive mkdir never returns there)',
      () => ['--dir', '/proc/isl-backups'],
      () =>
        'local-backup: --dir "/proc/isl-backups": cannot create "/proc/isl-backups": does not exist or cannot be created there (ENOENT)\n',
    ],
  ])('backup: %s → exit 2, one line, before anything runs', (_, args, message) => {
    const r = backup(...args());
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 2, stdout: '', stderr: message('') });
    expect(r.ms).toBeLessThan(15000);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });

  it('backup: an unknown option → exit 2 with the usage', () => {
    const r = backup('--directory', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^local-backup: Unknown option '--directory'[\s\S]*\nusage: npm run local:backup -- \[--container NAME\] \[--dir DIR\]\n/,
    );
  });

  it.each<[string, () => string, (s: string) => string]>([
    [
      'a snapshot directory that does not exist',
      () => path.join(dir, 'nope'),
      (s) => `local-backup: "${s}": not a snapshot of local:backup (it does not exist)\n`,
    ],
    ['a file given as the snapshot', () => file, (s) => `local-backup: "${s}": not a snapshot of local:backup (a file, not a directory)\n`],
    [
      'an empty directory',
      () => fs.mkdtempSync(path.join(dir, 'empty-')),
      (s) => `local-backup: "${s}": not a snapshot of local:backup (no dump.rdb, appendonlydir)\n`,
    ],
  ])('restore: %s → exit 2, nothing touched', (_, snapshot, message) => {
    const s = snapshot();
    const r = cli('scripts/local-backup.ts', ['restore', s]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 2, stdout: '', stderr: message(s) });
  });

  it('restore without a snapshot, repair-aof with one → exit 2 with the usage', () => {
    expect(cli('scripts/local-backup.ts', ['restore']).status).toBe(2);
    expect(cli('scripts/local-backup.ts', ['repair-aof', dir]).stderr).toMatch(/^local-backup: unexpected argument ".*"\nusage: /);
  });
});

describe('local:env', () => {
  const env = (...args: string[]) => cli('scripts/local-env.ts', args);

  it('--state names a directory → exit 2 naming the option and the path (not a bare EISDIR)', () => {
    const r = env('--state', dir, '--out', path.join(dir, 'out.env'));
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 2,
      stderr: `local-env: --state "${dir}": a directory; name the file to read\n`,
    });
  });

  it('--out names a directory, or a file in a directory that does not exist → exit 2', () => {
    expect(env('--out', dir, '--state', file).stderr).toBe(`local-env: --out "${dir}": a directory; name the file to write\n`);
    const missing = path.join(dir, 'no-such-dir', '.env');
    const r = env('--out', missing, '--state', file);
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 2,
      stderr: `local-env: --out "${missing}": the directory "${path.dirname(missing)}" does not exist (or a file is in its path)\n`,
    });
  });

  it('a state that is not JSON → exit 1, where it breaks, never what it holds (it may hold the password)', () => {
    const state = path.join(dir, 'broken.tfstate');
    fs.writeFileSync(state, `{"version": 4, "outputs": {"redis_password": {"value": "s3cretPassw0rdValue"`);
    const r = env('--state', state, '--out', path.join(dir, 'out.env'));
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 1,
      stderr: `local-env: ${state}: not JSON (it breaks at character 76)\n`,
    });
    expect(fs.existsSync(path.join(dir, 'out.env'))).toBe(false);
  });

  it('a 10,000-character value in the outputs is shortened in the message', () => {
    const outputs = path.join(dir, 'outputs.json');
    const value = 'p'.repeat(10000);
    fs.writeFileSync(
      outputs,
      JSON.stringify({
        redis_host: { value: '127.0.0.1' },
        redis_port: { value },
        redis_db: { value: 0 },
        redis_password: { value: 'x' },
        redis_url: { value: 'redis://x' },
        redis_tls: { value: false },
      }),
    );
    const r = env('--outputs', outputs, '--out', path.join(dir, 'out.env'));
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 1,
      stderr: `local-env: ${outputs}:\n  - redis_port: a port number, got "${'p'.repeat(60)}…${'p'.repeat(20)}" (10000 characters)\n`,
    });
  });
});

describe('deploy:local / destroy:local', () => {
  it('an unknown option → exit 2 with the usage, before any tool or engine is needed', () => {
    const r = cli('scripts/deploy-local.ts', ['deploy', '--image-from-hots']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^deploy:local: Unknown option '--image-from-hots'[\s\S]*\nusage: npm run deploy:local -- /);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
