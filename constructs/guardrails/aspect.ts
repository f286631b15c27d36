/**
 * Guardrails at synth time: an aspect that gives every stack a validation running the guardrail rules of its packs on
 * its resolved JSON, so `app.synth()` (and `Testing.synth(stack, true)`) refuses a stack that violates a rule held at
 * `error`. Warnings and suppressed violations become annotations (the latter with their reason).
 */
import { Annotations, Aspects, IAspect, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { TfJson } from '../tf-json';
import { GuardrailRule, evaluateGuardrails, formatSuppressed, formatViolation } from './runner';

/** `enforce`: a violation fails synth; `warn`: every violation is a synth warning (to report them all, e.g. in a review). */
export type GuardrailsMode = 'enforce' | 'warn';

export interface GuardrailsAspectOptions {
  /** @default 'enforce' */
  readonly mode?: GuardrailsMode;
  /** Rule implementations that replace the library's of the same id (runner option `rules`). @default none */
  readonly rules?: readonly GuardrailRule[];
}

const guarded = new WeakSet<TerraformStack>();

/**
 * Aspect that gives every TerraformStack it visits a validation running the guardrails on the stack's resolved JSON:
 * `app.synth()` and `Testing.synth(stack, true)` then fail with the list of violations ('enforce'), or record them as
 * warnings ('warn').
 */
export class GuardrailsAspect implements IAspect {
  readonly mode: GuardrailsMode;
  private readonly rules?: readonly GuardrailRule[];

  constructor(options: GuardrailsAspectOptions = {}) {
    this.mode = options.mode ?? 'enforce';
    this.rules = options.rules;
  }

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node) || guarded.has(node)) return;
    const stack = node;
    guarded.add(stack);
    stack.node.addValidation({
      validate: () => {
        const report = evaluateGuardrails(stack.toTerraform() as TfJson, { stackName: stack.node.id, rules: this.rules });
        for (const w of report.warnings) Annotations.of(stack).addWarning(formatViolation(w));
        for (const s of report.suppressed) Annotations.of(stack).addInfo(formatSuppressed(s));
        const errors = report.violations.map(formatViolation);
        if (this.mode === 'enforce') return errors;
        for (const e of errors) Annotations.of(stack).addWarning(e);
        return [];
      },
    });
  }
}

/**
 * Guard every stack of an app. cdktf 0.21 invokes aspects from each stack down (an aspect added to the App
 * itself is never visited), so this adds the aspect to each stack; call it once every stack exists, just
 * before `app.synth()`. A stack created afterwards makes synth fail, so none slips through unguarded.
 */
export function applyGuardrails(app: Construct, options: GuardrailsAspectOptions = {}): void {
  const aspect = new GuardrailsAspect(options);
  const stacks = () => app.node.findAll().filter((c) => TerraformStack.isStack(c));
  stacks().forEach((s) => {
    Aspects.of(s).add(aspect);
  });
  app.node.addValidation({
    validate: () =>
      stacks()
        .filter((s) => !guarded.has(s))
        .map((s) => `stack ${s.node.id} was created after applyGuardrails(app): call it just before app.synth()`),
  });
}
