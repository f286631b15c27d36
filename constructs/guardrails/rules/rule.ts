/**
 * What a guardrail rule is: its id, what it requires, where that comes from, where it applies, and its check over a
 * synthesized stack's JSON. The runner (../runner.ts) applies each rule's scope; a rule only checks.
 */
import { TfJson } from '../tf-json';

export type GuardrailScope = 'protected' | 'all';

export interface Violation {
  readonly rule: string;
  /** `type.name` of the resource (or `provider.aws`, `output.name`, …). */
  readonly resource: string;
  readonly message: string;
}

export interface RuleContext {
  readonly json: TfJson;
  /**
   * The synthesis the stack is compared with (the review's base), when there is one: rules about a change (a jump
   * from one state to another) check it; at synth time there is none and they check the stack alone.
   */
  readonly base?: TfJson;
  readonly environment: string;
  readonly protectedEnvironment: boolean;
}

export interface GuardrailRule {
  readonly id: string;
  /** What the rule requires, as the review prints it. */
  readonly requires: string;
  /** `protected`: staging and production (config/scaling.ts PROTECTED_ENVIRONMENTS); `all`: every stack. */
  readonly scope: GuardrailScope;
  /** Where the rule comes from (guides in ../shared/seeds/, reference in ../shared/reference/). */
  readonly source: string;
  readonly check: (ctx: RuleContext) => Array<Omit<Violation, 'rule'>>;
}
