/**
 * The guardrail runner: the rules of the packs a stack is held to, over one synthesized stack, with its suppressions.
 * Used by the synth-time aspect (./aspect.ts), an app's own synth, and reviews of a synthesis.
 *
 * What a stack is held to is read from the JSON, where `Guardrails.of(…)` (./guardrails.ts) declares it (cdktf keeps
 * the "//" metadata in cdk.tf.json, in the stack and in each resource): `"//": { "guardrails": { "packs": […],
 * "suppressions": […] } }`. `Testing.synth` strips every "//" key; pass the declaration then
 * (`Guardrails.declarationOf(stack)`, or `packs`).
 */
import { Block, METADATA_KEY, TfJson, environmentOf } from '../tf-json';
import { BASELINE_PACK, GuardrailLevel, RULE_PACKS, RulePack } from './packs';
import { GUARDRAIL_RULES } from './rules';
import { GuardrailRule, RuleContext, Violation } from './rules/rule';

export type { GuardrailRule, RuleContext, Violation };

/** A rule that does not hold here, and why: the reason is required and shown wherever the violation would be. */
export interface Suppression {
  readonly rule: string;
  readonly reason: string;
}

/** What a part of a stack declares: the packs it is held to and the rules it is exempt from. */
export interface GuardrailsScope {
  readonly packs: readonly RulePack[];
  readonly suppressions: readonly Suppression[];
}

/** What a stack declares: for the whole stack, and per resource (`type.name`, `data.type.name`). */
export interface GuardrailsDeclaration extends GuardrailsScope {
  readonly resources: Readonly<Record<string, GuardrailsScope>>;
}

/** The key under "//" that holds the declaration, in the stack and in each resource. */
export const GUARDRAILS_METADATA_KEY = 'guardrails';

export interface GuardrailsOptions {
  /** The stack's name: its environment in messages when the AWS provider has no default tag `environment`. */
  readonly stackName?: string;
  /** A synthesis the stack is compared with (a review's base): the rules about a change check it too. */
  readonly base?: TfJson;
  /**
   * What the stack declares, when the JSON does not hold it (`Testing.synth` strips "//"):
   * `Guardrails.declarationOf(stack)`. @default read from the JSON
   */
  readonly declaration?: GuardrailsDeclaration;
  /** Packs the whole stack is held to besides the declared ones. @default none */
  readonly packs?: readonly RulePack[];
  /**
   * Rule implementations that replace the library's of the same id: a rule configured with an app's threshold or
   * names (`backupRetentionRule(days)`, `literalSettingsRule({ sources })`). @default the library's
   */
  readonly rules?: readonly GuardrailRule[];
}

/** A violation with the level it is held at. */
export interface LeveledViolation extends Violation {
  readonly level: GuardrailLevel;
}

/** A violation a suppression exempts, with its reason. */
export interface SuppressedViolation extends LeveledViolation {
  readonly reason: string;
}

export interface GuardrailReport {
  /** The packs in force anywhere in the stack: the baseline, then the declared ones. */
  readonly packs: readonly RulePack[];
  /** Violations of rules held at `error`: they fail synth and a review. */
  readonly violations: readonly Violation[];
  /** Violations of rules held at `warning`: reported, not failing. */
  readonly warnings: readonly Violation[];
  /** Violations a suppression exempts, with its reason. */
  readonly suppressed: readonly SuppressedViolation[];
}

const asList = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

/** A declaration as the JSON holds it, read defensively: what is not a pack or a suppression is left out. */
function scopeOf(metadata: unknown): GuardrailsScope {
  const g = (metadata as Block | undefined)?.[GUARDRAILS_METADATA_KEY] as Block | undefined;
  const packs = asList<Block>(g?.packs).filter(
    (p): p is RulePack => typeof p.id === 'string' && p.rules !== null && typeof p.rules === 'object',
  );
  const suppressions = asList<Block>(g?.suppressions).filter(
    (s): s is Suppression => typeof s.rule === 'string' && typeof s.reason === 'string',
  );
  return { packs, suppressions };
}

/** What a synthesized stack declares ("//" of the stack and of each resource and data source). */
export function declarationOf(json: TfJson): GuardrailsDeclaration {
  const resources: Record<string, GuardrailsScope> = {};
  for (const [section, prefix] of [
    ['resource', ''],
    ['data', 'data.'],
  ] as const) {
    for (const [type, byName] of Object.entries(json[section] ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const scope = scopeOf(body[METADATA_KEY]);
        if (scope.packs.length || scope.suppressions.length) resources[`${prefix}${type}.${name}`] = scope;
      }
    }
  }
  return { ...scopeOf(json[METADATA_KEY]), resources };
}

const STRICTER: Readonly<Record<GuardrailLevel, number>> = { warning: 1, error: 2 };

/** The level a rule is held at by a set of packs, the stricter where two name it; undefined where none does. */
function levelIn(packs: readonly RulePack[], rule: string): GuardrailLevel | undefined {
  let level: GuardrailLevel | undefined;
  for (const p of packs) {
    const l = Object.prototype.hasOwnProperty.call(p.rules, rule) ? p.rules[rule] : undefined;
    if (l !== undefined && (level === undefined || STRICTER[l] > STRICTER[level])) level = l;
  }
  return level;
}

const uniqueById = (packs: readonly RulePack[]) => [...new Map(packs.map((p) => [p.id, p])).values()];

/**
 * Every rule of the packs in force over one synthesized stack (cdk.tf.json, or `Testing.synth` output with the
 * declaration passed): violations by level, and those a suppression exempts.
 */
export function evaluateGuardrails(json: TfJson, options: GuardrailsOptions = {}): GuardrailReport {
  const declared = options.declaration ?? declarationOf(json);
  const stackPacks = uniqueById([BASELINE_PACK, ...declared.packs, ...(options.packs ?? [])]);
  const scoped = Object.values(declared.resources).flatMap((r) => r.packs);
  const overrides = new Map((options.rules ?? []).map((r) => [r.id, r]));
  const rules = GUARDRAIL_RULES.map((r) => overrides.get(r.id) ?? r);
  const ctx: RuleContext = { json, base: options.base, environment: environmentOf(json, options.stackName) };

  const violations: Violation[] = [];
  const warnings: Violation[] = [];
  const suppressed: SuppressedViolation[] = [];
  for (const rule of rules) {
    const stackLevel = levelIn(stackPacks, rule.id);
    if (stackLevel === undefined && levelIn(scoped, rule.id) === undefined) continue;
    for (const found of rule.check(ctx)) {
      const v: Violation = { rule: rule.id, ...found };
      const resource = declared.resources[v.resource] as GuardrailsScope | undefined;
      const levels = [stackLevel, levelIn(resource?.packs ?? [], rule.id)].filter((l): l is GuardrailLevel => l !== undefined);
      if (!levels.length) continue;
      const level: GuardrailLevel = levels.includes('error') ? 'error' : 'warning';
      const exemption = [...(resource?.suppressions ?? []), ...declared.suppressions].find((s) => s.rule === rule.id);
      if (exemption) suppressed.push({ ...v, level, reason: exemption.reason });
      else (level === 'error' ? violations : warnings).push(v);
    }
  }
  return { packs: uniqueById([...stackPacks, ...scoped]), violations, warnings, suppressed };
}

/** The violations that fail: rules held at `error`, not suppressed (evaluateGuardrails tells the rest). */
export function checkGuardrails(json: TfJson, options: GuardrailsOptions = {}): Violation[] {
  return [...evaluateGuardrails(json, options).violations];
}

export function formatViolation(v: Violation): string {
  return `guardrail ${v.rule}: ${v.resource}: ${v.message}`;
}

/** A suppressed violation as synth output and reviews show it. */
export function formatSuppressed(v: SuppressedViolation): string {
  return `${formatViolation(v)} (suppressed: ${v.reason})`;
}

/**
 * The rules with what they require, the packs that hold them (and at which level) and their source, for a review's
 * output and the README. `packs`: the packs to list besides the baseline (default: the library's).
 */
export function describeRules(
  options: { readonly packs?: readonly RulePack[]; readonly rules?: readonly GuardrailRule[] } = {},
): Array<{ rule: string; requires: string; packs: string; source: string }> {
  const packs = uniqueById([BASELINE_PACK, ...(options.packs ?? Object.values(RULE_PACKS))]);
  const overrides = new Map((options.rules ?? []).map((r) => [r.id, r]));
  return GUARDRAIL_RULES.map((r) => overrides.get(r.id) ?? r).map((r) => ({
    rule: r.id,
    requires: r.requires,
    packs: packs
      .filter((p) => levelIn([p], r.id) !== undefined)
      .map((p) => (p.rules[r.id] === 'error' ? p.id : `${p.id} (${p.rules[r.id]})`))
      .join(', '),
    source: r.source,
  }));
}
