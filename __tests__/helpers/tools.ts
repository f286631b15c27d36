/**
 * For the integration tests of the verification tools (__tests__/integration/tools-*.test.ts): the tools
 * scripts/setup.sh installed, or a skip with the reason when they are absent on a developer's machine. In CI
 * (CI=true, as .ci/run sets it) absent tools fail the tests instead: .ci/run runs scripts/setup.sh, so they must be
 * there.
 */
import * as fs from 'fs';
import { ALL_TOOLS, findTools, synthInto, tempDir, ToolName, Tools } from '../../scripts/tools/tools';

export interface ToolsForTests {
  readonly tools?: Tools;
  /** Why the tests are skipped (undefined: they run). */
  readonly skipReason?: string;
}

export function toolsForTests(env: NodeJS.ProcessEnv = process.env, needs: readonly ToolName[] = ALL_TOOLS): ToolsForTests {
  const { tools, missing } = findTools(env, needs);
  if (tools) return { tools };
  if (env.CI === 'true' || env.CI === '1') return {}; // run the tests so that they fail with the reason
  const skipReason = `verification tools not installed (${missing ?? 'unknown'}); skipped outside CI`;
  console.warn(`SKIPPED: ${skipReason}`);
  return { skipReason };
}

/**
 * Whether the tests that start a Docker engine of their own run: the tools are there and this is root (dockerd needs
 * it), or this is CI, where a missing tool or root then fails the tests instead of skipping them.
 */
export function dockerTestsRun(t: ToolsForTests, env: NodeJS.ProcessEnv = process.env): boolean {
  return !t.skipReason && (process.getuid?.() === 0 || env.CI === 'true' || env.CI === '1');
}

/** The tools, or an error saying why they are missing (for beforeAll in CI). */
export function mustHaveTools(t: ToolsForTests, env: NodeJS.ProcessEnv = process.env, needs: readonly ToolName[] = ALL_TOOLS): Tools {
  if (t.tools) return t.tools;
  throw new Error(`CI=true and the verification tools are missing: ${findTools(env, needs).missing ?? 'unknown'}`);
}

/** A fresh synth of the app into a temporary CDKTF outdir (never the user's cdktf.out); remove it with cleanup(). */
export async function freshSynth(prefix: string, env: NodeJS.ProcessEnv = {}): Promise<{ outdir: string; cleanup: () => void }> {
  const outdir = tempDir(prefix);
  await synthInto(outdir, env);
  return {
    outdir,
    cleanup: () => {
      fs.rmSync(outdir, { recursive: true, force: true });
    },
  };
}
