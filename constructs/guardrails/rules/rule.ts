/**
 * What a guardrail rule is: its id, what it requires, where that comes from, and its check over a synthesized stack's
 * JSON. A rule only checks; which rules a stack is held to, and at which level, is the rule packs' business
 * (../packs.ts), and the runner (../runner.ts) applies them with the stack's suppressions.
 */
import { TfJson } from '../../tf-json';

export interface Violation {
  readonly rule: string;
  /** `type.name` of the resource (or `provider.aws`, `output.name`, …). */
  readonly resource: string;
  readonly message: string;
}

export interface RuleContext {
  readonly json: TfJson;
  /**
   * The synthesis the stack is compared with (a review's base), when there is one: rules about a change (a jump from
   * one state to another) check it; at synth time there is none and they check the stack alone.
   */
  readonly base?: TfJson;
  /** The stack's environment, for messages: the AWS provider's default tag `environment`, else the stack's name. */
  readonly environment: string;
}

export interface GuardrailRule {
  readonly id: string;
  /** What the rule requires, as a review prints it. */
  readonly requires: string;
  /** Where the rule comes from (the operations guides, AWS and provider documentation). */
  readonly source: string;
  readonly check: (ctx: RuleContext) => Array<Omit<Violation, 'rule'>>;
}
