/**
 * Guardrails at synth time: an aspect that gives every stack a validation running the guardrail rules on its
 * resolved JSON, so `app.synth()` (and `Testing.synth(stack, true)`) refuses a violating stack.
 */
import { Annotations, Aspects, IAspect, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { ValidationError, describe } from '../validation';
import { checkGuardrails, formatViolation } from './runner';
import { TfJson } from './tf-json';

/** `CACHE_GUARDRAILS=warn` turns violations into synth warnings (the review synthesizes that way to report them all). */
export const GUARDRAILS_MODE_VARIABLE = 'CACHE_GUARDRAILS';
export type GuardrailsMode = 'enforce' | 'warn';

const guarded = new WeakSet<TerraformStack>();

/**
 * Aspect that gives every TerraformStack it visits a validation running checkGuardrails on the stack's resolved
 * JSON: `app.synth()` and `Testing.synth(stack, true)` then fail with the list of violations ('enforce'), or
 * record them as warnings ('warn').
 */
export class GuardrailsAspect implements IAspect {
  constructor(readonly mode: GuardrailsMode = 'enforce') {}

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node) || guarded.has(node)) return;
    const stack = node;
    guarded.add(stack);
    stack.node.addValidation({
      validate: () => {
        const lines = checkGuardrails(stack.toTerraform() as TfJson, stack.node.id).map(formatViolation);
        if (this.mode === 'enforce') return lines;
        lines.forEach((l) => {
          Annotations.of(stack).addWarning(l);
        });
        return [];
      },
    });
  }
}

export function guardrailsMode(env: Readonly<Record<string, string | undefined>> = process.env): GuardrailsMode {
  const v = env[GUARDRAILS_MODE_VARIABLE];
  if (v === undefined || v === '' || v === 'enforce') return 'enforce';
  if (v === 'warn') return 'warn';
  throw new ValidationError('environment variables', [`${GUARDRAILS_MODE_VARIABLE}: enforce or warn, got ${describe(v)}`]);
}

/**
 * Guard every stack of an app. cdktf 0.21 invokes aspects from each stack down (an aspect added to the App
 * itself is never visited), so this adds the aspect to each stack; call it once every stack exists, just
 * before `app.synth()`. A stack created afterwards makes synth fail, so none slips through unguarded.
 */
export function applyGuardrails(app: Construct, mode: GuardrailsMode = guardrailsMode()): void {
  const aspect = new GuardrailsAspect(mode);
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
