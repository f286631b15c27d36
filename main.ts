/**
 * The synth app (cdktf.json "app"): every stack, checked first (stacks/preflight.ts), synthesized into CDKTF_OUTDIR
 * only when every check passed (stacks/synthesize.ts). A user's mistake exits 1 with one short message; a crash
 * shows its stack trace.
 */
import { synthesizeApp } from './stacks/synthesize';

process.exitCode = synthesizeApp();
