/**
 * The synth app (main.ts): preflight, build every stack, synthesize, and only then put the result into the output
 * directory (CDKTF_OUTDIR, which the cdktf CLI sets; default cdktf.out).
 *
 * - A user's mistake (a ValidationError from preflight or a construct, a guardrail violation, an error annotation)
 *   prints one short message listing every problem of every stack, without a stack trace, and exits 1; the output
 *   directory is left exactly as it was (nothing written, nothing half-written).
 * - Synthesis goes to a temporary sibling directory first; when everything passed, each file is renamed into the
 *   output directory (manifest.json last), so the stacks' `.terraform` directories and plans stay where they are.
 * - Validations run once, for all stacks, after synthesis into the temporary directory (`skipValidation` only stops
 *   cdktf from stopping at the first failing stack with its "skipValidation" hint); the guardrails run on the
 *   synthesized JSON there (with the packs each stack declared in it), so each stack is resolved once. A rule held at
 *   `warning` and a suppressed violation (with its reason) are printed; neither stops synthesis.
 * - The environment is read here, once: preflight gets the variables, the stacks get parsed settings and their plans.
 * - An output directory that cannot be used (a file in its place or in its path, a place where directories cannot be
 *   made, such as /proc, no permission) is a usage mistake: one line naming it and why, exit 2, nothing written.
 * - Anything else is a real crash: it propagates with its stack trace.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { AWS_ENVIRONMENTS, AwsEnvironmentName, ENVIRONMENTS, EnvironmentConfig } from '../config/environments';
import { GUARDRAILS_MODE_VARIABLE } from '../config/deployment';
import { GuardrailReport, TfJson, ValidationError, formatSuppressed, formatViolation, problemText } from '../constructs';
import { CacheEnvironmentStack } from './environment-stack';
import { projectGuardrails } from './guardrails';
import { LocalStack } from './local-stack';
import { UnusablePath, ensureDirectory, errnoMeaning, isErrno, removeCreated, statOrUndefined } from './paths';
import { preflight } from './preflight';
import { Env } from './settings';

const ERROR_ANNOTATION = '@cdktf/error';

export const ADVICE =
  'Fix these and run again. Variables and their forms: config/deployment.ts and README "When the input is wrong"; ' +
  'environments: config/environments.ts; guardrails: README "Guardrails" (npm run review lists every violation).';

/** The message a user sees for a list of problems. */
export function formatProblems(problems: readonly string[], outdir: string): string {
  const n = problems.length;
  return (
    `Synthesis stopped: ${n} problem${n === 1 ? '' : 's'}; nothing was written to ${outdir}.\n` +
    problems.map((p) => `  - ${p}\n`).join('') +
    `${ADVICE}\n`
  );
}

function problemsOfError(e: unknown): string[] | undefined {
  if (!ValidationError.isValidationError(e)) return undefined;
  return e.problems.map((p) => `${e.subject}: ${problemText(p)}`);
}

/** Move every file of `from` into `to` (same file system), keeping what `to` holds besides; `last` moves last. */
function moveInto(from: string, to: string, last: string): void {
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
      const r = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(r);
      else files.push(r);
    }
  };
  walk('');
  files.sort((a, b) => Number(a === last) - Number(b === last));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    fs.renameSync(path.join(from, f), path.join(to, f));
  }
}

export interface SynthOptions {
  readonly env?: Env;
  readonly environments?: Readonly<Record<AwsEnvironmentName, EnvironmentConfig>>;
  /** @default env.CDKTF_OUTDIR, else 'cdktf.out' */
  readonly outdir?: string;
  /** Where the message goes. @default process.stderr */
  readonly write?: (text: string) => void;
}

/**
 * What synth says about one stack's guardrails: the violations that stop it (problems), and the lines it prints
 * whether or not it stops: warnings, suppressed violations with their reasons, and with CACHE_GUARDRAILS=warn the
 * violations themselves.
 */
export function guardrailsOutput(stack: string, report: GuardrailReport, warnOnly: boolean): { problems: string[]; printed: string[] } {
  const violations = report.violations.map((v) => `${stack}: ${formatViolation(v)}`);
  return {
    problems: warnOnly ? [] : violations,
    printed: [
      ...report.warnings.map((v) => `Warning: ${stack}: ${formatViolation(v)}`),
      ...report.suppressed.map((v) => `Suppressed: ${stack}: ${formatSuppressed(v)}`),
      ...(warnOnly ? violations.map((l) => `Warning (${GUARDRAILS_MODE_VARIABLE}=warn): ${l}`) : []),
    ],
  };
}

/** What the output directory is called in messages. */
export const OUTDIR_LABEL = 'output directory (CDKTF_OUTDIR, cdktf synth --output)';

/** The message for an output directory that cannot be used. */
export function formatUnusableOutdir(reason: string): string {
  return `Synthesis stopped: the ${reason}; nothing was written.\n`;
}

/** Preflight, build, synthesize and publish. Returns the exit code: 0, 1 for a user's mistake, 2 for an unusable output directory. */
export function synthesizeApp(options: SynthOptions = {}): number {
  const env = options.env ?? process.env;
  const outdir = options.outdir ?? env.CDKTF_OUTDIR ?? 'cdktf.out';
  const write = options.write ?? ((t: string) => process.stderr.write(t));
  const environments = options.environments ?? ENVIRONMENTS;

  const target = statOrUndefined(outdir);
  if (target && !target.isDirectory()) {
    write(formatUnusableOutdir(`${OUTDIR_LABEL} ${JSON.stringify(outdir)} is a file, not a directory`));
    return 2;
  }
  const checked = preflight(environments, env);
  const problems = [...checked.problems];

  const tmp = `${path.resolve(outdir)}.synth-${process.pid}`;
  if (statOrUndefined(tmp)) fs.rmSync(tmp, { recursive: true, force: true });
  // the sibling (and any missing parent of the output directory) made one level at a time: never hangs, names the path
  let created: string[];
  try {
    created = ensureDirectory(OUTDIR_LABEL, tmp);
  } catch (e) {
    if (!(e instanceof UnusablePath)) throw e;
    write(formatUnusableOutdir(e.message.replace(`${JSON.stringify(tmp)}: `, `${JSON.stringify(outdir)}: `)));
    return 2;
  }
  const parentsCreated = created.slice(0, -1);
  try {
    const app = new App({ outdir: tmp, skipValidation: true });
    const build = (name: string, make: () => TerraformStack) => {
      if (checked.failedStacks.includes(name)) return;
      try {
        make();
      } catch (e) {
        const lines = problemsOfError(e);
        if (!lines) throw e;
        problems.push(...lines);
      }
    };
    for (const name of AWS_ENVIRONMENTS) {
      build(
        name,
        () =>
          new CacheEnvironmentStack(app, name, {
            environment: environments[name],
            deployment: checked.deployment[name],
            plan: checked.plans[name],
          }),
      );
    }
    build('local', () => new LocalStack(app, 'local', { settings: checked.local }));

    if (!problems.length) {
      app.synth();
      for (const c of app.node.findAll()) {
        const where = c.node.path || 'app';
        problems.push(...c.node.validate().map((m) => `${where}: ${m}`));
        for (const m of c.node.metadata) if (m.type === ERROR_ANNOTATION) problems.push(`${where}: ${String(m.data)}`);
      }
      // the guardrails on each stack's synthesized JSON, with the packs it declared there, as the review reads it
      // (rather than the GuardrailsAspect, which resolves every stack a second time); preflight read CACHE_GUARDRAILS
      const warnOnly = checked.guardrails === 'warn';
      for (const stack of app.node.findAll().filter((c) => TerraformStack.isStack(c))) {
        const id = stack.node.id;
        const file = path.join(tmp, 'stacks', id, 'cdk.tf.json');
        const said = guardrailsOutput(
          id,
          projectGuardrails(JSON.parse(fs.readFileSync(file, 'utf8')) as TfJson, { stackName: id }),
          warnOnly,
        );
        for (const l of said.printed) write(`${l}\n`);
        problems.push(...said.problems);
      }
    }
    if (problems.length) {
      write(formatProblems([...new Set(problems)], outdir));
      return 1;
    }
    try {
      if (!fs.existsSync(outdir)) fs.mkdirSync(outdir);
      moveInto(tmp, outdir, 'manifest.json');
    } catch (e) {
      if (!isErrno(e)) throw e;
      write(formatUnusableOutdir(`${OUTDIR_LABEL} ${JSON.stringify(outdir)} could not be written: ${e.path ?? ''} ${errnoMeaning(e)}`));
      return 2;
    }
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(outdir)) removeCreated(parentsCreated);
  }
}
