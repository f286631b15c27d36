/**
 * npm run checkov: checkov on the synthesized stacks with the skips of .checkov.yaml (scripts/tools/checkov.ts). Exit
 * 0 no finding outside the skips and no problem, 1 otherwise, 2 usage.
 */
import * as path from 'path';
import { parseCli, runCli } from './lib/cli';
import { formatFailure, runCheckov } from './tools/checkov';
import { REPO_ROOT, requireTools } from './tools/tools';

const USAGE = 'usage: npm run checkov -- [--outdir cdktf.out] [--config .checkov.yaml | --no-config]';
const HELP = `${USAGE}

  --outdir DIR    the synth output to scan (default: cdktf.out)
  --config FILE   the checkov config whose skip-check list is applied (default: .checkov.yaml)
  --no-config     apply no skip: every finding counts
  --help          this text

Exit codes: 0 no finding outside the skips and no problem, 1 otherwise, 2 usage.
`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCli(argv, {
    outdir: { type: 'string' },
    config: { type: 'string' },
    'no-config': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const outdir = path.resolve(values.outdir ?? path.join(REPO_ROOT, 'cdktf.out'));
  const config = values['no-config'] ? null : values.config === undefined ? undefined : path.resolve(values.config);
  const tools = requireTools(['checkov']);
  const r = await runCheckov(outdir, { tools, config });
  const files = Object.entries(r.parsedResources)
    .map(([f, n]) => `${f.split('/')[0]} ${n}`)
    .join(', ');
  console.log(
    `checkov ${tools.checkovVersion}: ${r.passed} passed, ${r.failed.length} failed; resources parsed by checkov: ${files} (JSON: ${Object.values(r.jsonResources).reduce((a, b) => a + b, 0)} in all)`,
  );
  for (const f of r.failed) console.log(`  ${formatFailure(f)}`);
  for (const p of r.problems) console.log(`  PROBLEM: ${p}`);
  if (r.skips.length) console.log(`  skipped by .checkov.yaml (reasons there): ${r.skips.join(' ')}`);
  const ok = r.failed.length === 0 && r.problems.length === 0;
  console.log(`checkov: ${ok ? 'ok' : 'FAILED'}, ${(r.ms / 1000).toFixed(1)} s`);
  return ok ? 0 : 1;
}

if (require.main === module) runCli('checkov', USAGE, () => main(process.argv.slice(2)));
