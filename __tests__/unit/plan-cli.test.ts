/**
 * `npm run plan` (scripts/plan.ts), its command line: usage and input errors exit 2 with one message naming the
 * problem, before any tool is needed (the plans themselves: integration/plan-review-*.test.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { main } from '../../scripts/plan';
import { LocalStack } from '../../stacks/local-stack';

let dir: string;
let outdir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-cli-'));
  outdir = path.join(dir, 'out');
  const app = new App({ outdir });
  new LocalStack(app, 'local', { settings: {} });
  app.synth();
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function plan(...argv: string[]): Promise<{ code: number; out: string; log: string }> {
  const lines: string[] = [];
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  try {
    const code = await main(argv, (l) => lines.push(l));
    return { code, out, log: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

describe('npm run plan: usage and input errors exit 2', () => {
  it.each<[string, () => string[], RegExp]>([
    ['no stack named', () => ['--no-synth', '--out-dir', 'x'], /^plan: name at least one stack to plan\nusage: npm run plan -- /],
    ['an unknown option', () => ['--plan-dri', 'x', 'local'], /^plan: Unknown option '--plan-dri'/],
    ['an empty --plan-dir', () => ['--plan-dir', '', 'local'], /^plan: --plan-dir needs a value, got an empty string\nusage: /],
    [
      'a --var without NAME=',
      () => ['--var', 'client_access', 'local'],
      /^plan: --var "client_access": expected NAME=VALUE \(VALUE as JSON, or a plain string\)\nusage: /,
    ],
    [
      'a stack the synthesis does not hold',
      () => ['--no-synth', '--out-dir', outdir, 'prod'],
      /^plan: no stack "prod" in .*\/out; the stacks are: local\nusage: /,
    ],
    [
      'an output directory that is not a synthesis',
      () => ['--no-synth', '--out-dir', path.join(dir, 'nowhere'), 'local'],
      /^plan: head .*\/nowhere: is not a directory$/,
    ],
  ])('%s', async (_, args, message) => {
    const r = await plan(...args());
    expect(r.code).toBe(2);
    expect(r.log).toMatch(message);
  });

  it('--help lists every option, exit 0', async () => {
    const r = await plan('--help');
    expect(r.code).toBe(0);
    expect([...r.out.matchAll(/^ {2}(?:-h, )?(--[a-z-]+)/gm)].map((m) => m[1])).toEqual([
      '--out-dir',
      '--no-synth',
      '--plan-dir',
      '--moto',
      '--var',
      '--help',
    ]);
  });
});
