/**
 * npm run validate: `init -backend=false` and `validate` of every synthesized stack with the real engine and the real
 * providers (the offline mirror's builds of the pinned releases; scripts/tools/validate.ts). First, per provider, the
 * pin, the built commit and the changelog entries between them that touch the stacks' resources; then one line per
 * stack and every diagnostic verbatim. Exit 0 every stack valid, 1 a stack invalid, 2 usage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseCli, runCli } from './lib/cli';
import { describeDeltas, providerDeltas, readStacks, REPO_ROOT, requireTools, tempDir } from './tools/tools';
import { formatDiagnostic, summaryLine, validateAll } from './tools/validate';

const USAGE = 'usage: npm run validate -- [--outdir cdktf.out] [--keep]';
const HELP = `${USAGE}

  --outdir DIR   the synth output to validate (default: cdktf.out)
  --keep         keep the temporary work directories (printed at the end)
  --help         this text

Exit codes: 0 every stack valid, 1 a stack is not, 2 usage.
`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCli(argv, { outdir: { type: 'string' }, keep: { type: 'boolean' }, help: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const outdir = path.resolve(values.outdir ?? path.join(REPO_ROOT, 'cdktf.out'));
  const tools = requireTools(['engine', 'aws', 'random', 'docker']);
  const workRoot = tempDir('isl-validate-');
  const started = Date.now();
  const stacks = readStacks(outdir);
  const types = new Set(stacks.flatMap((st) => [...Object.keys(st.json.resource ?? {}), ...Object.keys(st.json.data ?? {})]));
  console.log('providers (the pin, the build the tools run, the changelog entries between them):');
  for (const line of describeDeltas(providerDeltas(tools, types))) console.log(`  ${line}`);
  const results = await validateAll(outdir, { tools, workRoot });
  for (const r of results) {
    console.log(summaryLine(r));
    for (const d of r.diagnostics) console.log(`  ${formatDiagnostic(d)}`);
    if (r.initError) console.log(r.initError.replace(/^/gm, '  '));
  }
  console.log(
    `validate: ${results.filter((r) => r.valid).length} of ${results.length} stacks valid with ${tools.engineName}, ${((Date.now() - started) / 1000).toFixed(1)} s${values.keep ? `; work dirs in ${workRoot}` : ''}`,
  );
  if (!values.keep) fs.rmSync(workRoot, { recursive: true, force: true });
  return results.every((r) => r.valid) ? 0 : 1;
}

if (require.main === module) runCli('validate', USAGE, () => main(process.argv.slice(2)));
