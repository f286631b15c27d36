/**
 * The synth floor of `npm run bench` (scripts/bench.ts): the least a cdktf app with this project's providers can
 * cost. It loads the provider submodules the real app (main.ts) loads, then synthesizes one trivial stack with one
 * resource. The bench runs it exactly like the real app (cdktf.json's `app` command with this file as the
 * entry) with CDKTF_OUTDIR set to a temp dir.
 *
 * BENCH_FLOOR_MODULES: a JSON array of module specifiers (`@cdktf/provider-aws/lib/kms-key`, …). The bench records
 * them from a run of the real app, so the floor follows whatever main.ts loads without being edited.
 */
import { App, TerraformStack } from 'cdktf';
import { Password } from '@cdktf/provider-random/lib/password';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';

const modules: unknown = JSON.parse(process.env.BENCH_FLOOR_MODULES ?? '[]');
if (!Array.isArray(modules) || !modules.every((m) => typeof m === 'string')) {
  throw new Error('BENCH_FLOOR_MODULES: a JSON array of module names');
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- modules named at run time, loaded synchronously before synth (import() would defer them)
for (const m of modules) require(m);

const app = new App();
const stack = new TerraformStack(app, 'floor');
new RandomProvider(stack, 'random');
new Password(stack, 'password', { length: 32 });
app.synth();
