/**
 * `init -backend=false` and `validate` of every synthesized stack with the real engine and the real providers (the
 * offline mirror's builds of the pinned releases, see providers.json), each in a temporary copy of its stack directory
 * so cdktf.out is never written to. First, per provider, the pin, the built commit and the changelog entries between
 * them that touch the stacks' resources; then one line per stack and every diagnostic verbatim; exit 1 on any error.
 *
 *   bash scripts/tools/validate.sh [--outdir cdktf.out] [--keep]
 */
import * as fs from 'fs';
import * as path from 'path';
import { describePins, engine, prepareWorkDir, readStacks, requireTools, SynthStack, tempDir, Tools } from './tools';

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
  readonly range?: { filename: string; start: { line: number } };
}

export interface StackValidation {
  readonly stack: string;
  /** init and validate both succeeded without an error diagnostic. */
  readonly valid: boolean;
  /** "aws 6.47.0 (commit 5f2286d6d836), random 3.9.0 (commit e1092b0cfc07)" */
  readonly providers: string;
  readonly diagnostics: readonly Diagnostic[];
  /** Set when init (or reading the pins) failed, with the engine's output. */
  readonly initError?: string;
  readonly ms: number;
  readonly workDir: string;
}

/** One diagnostic as a line: severity, summary, where, detail. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.range ? ` [${d.range.filename}:${d.range.start.line}]` : '';
  const address = d.address ? ` (${d.address})` : '';
  const detail = d.detail ? `: ${d.detail.replace(/\s*\n\s*/g, ' ')}` : '';
  return `${d.severity}: ${d.summary}${address}${where}${detail}`;
}

/** The one-line verdict of a stack. */
export function summaryLine(r: StackValidation): string {
  if (r.initError)
    return `${r.stack}: init failed (${r.providers || 'providers not resolved'}): ${
      r.initError
        .split('\n')
        .find((l) => /error/i.test(l))
        ?.trim() ?? r.initError.split('\n')[0]
    }`;
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = r.diagnostics.length - errors;
  const counts = [errors ? `${errors} error${errors > 1 ? 's' : ''}` : '', warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : '']
    .filter(Boolean)
    .join(', ');
  return `${r.stack}: ${r.valid ? 'valid' : 'INVALID'} (${r.providers})${counts ? `: ${counts}` : ''}`;
}

export async function validateStack(tools: Tools, stack: SynthStack, workRoot: string): Promise<StackValidation> {
  const started = Date.now();
  const workDir = path.join(workRoot, stack.name);
  let providers = '';
  try {
    providers = describePins(prepareWorkDir(stack, workDir));
  } catch (e) {
    return {
      stack: stack.name,
      valid: false,
      providers,
      diagnostics: [],
      initError: (e as Error).message,
      ms: Date.now() - started,
      workDir,
    };
  }
  const init = await engine(tools, workDir, ['init', '-backend=false', '-input=false', '-no-color'], { allowFailure: true });
  if (init.code !== 0) {
    return {
      stack: stack.name,
      valid: false,
      providers,
      diagnostics: [],
      initError: (init.stderr + init.stdout).trim(),
      ms: Date.now() - started,
      workDir,
    };
  }
  const v = await engine(tools, workDir, ['validate', '-json', '-no-color'], { allowFailure: true });
  let parsed: { valid: boolean; diagnostics?: Diagnostic[] };
  try {
    parsed = JSON.parse(v.stdout) as { valid: boolean; diagnostics?: Diagnostic[] };
  } catch {
    return {
      stack: stack.name,
      valid: false,
      providers,
      diagnostics: [],
      initError: `validate printed no JSON (exit ${v.code}): ${(v.stderr + v.stdout).trim()}`,
      ms: Date.now() - started,
      workDir,
    };
  }
  const diagnostics = (parsed.diagnostics ?? []).map((d) => ({
    severity: d.severity,
    summary: d.summary,
    detail: d.detail,
    address: d.address,
    range: d.range && { filename: d.range.filename, start: { line: d.range.start.line } },
  }));
  return { stack: stack.name, valid: parsed.valid && v.code === 0, providers, diagnostics, ms: Date.now() - started, workDir };
}

/** Validates every stack under `outdir`, two at a time (the AWS provider's schema load is CPU-bound). */
export async function validateAll(
  outdir: string,
  opts: { tools?: Tools; workRoot?: string; concurrency?: number } = {},
): Promise<StackValidation[]> {
  const tools = opts.tools ?? requireTools(['engine', 'aws', 'random', 'docker']);
  const stacks = readStacks(outdir);
  const workRoot = opts.workRoot ?? tempDir('isl-validate-');
  try {
    return await validateStacks(tools, stacks, workRoot, opts.concurrency ?? 2);
  } finally {
    if (!opts.workRoot) fs.rmSync(workRoot, { recursive: true, force: true });
  }
}

async function validateStacks(tools: Tools, stacks: SynthStack[], workRoot: string, concurrency: number): Promise<StackValidation[]> {
  const results = new Array<StackValidation>(stacks.length);
  let next = 0;
  const worker = async () => {
    while (next < stacks.length) {
      const i = next++;
      results[i] = await validateStack(tools, stacks[i], workRoot);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return results;
}
