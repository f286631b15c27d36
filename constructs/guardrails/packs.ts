/**
 * Rule packs, after cdk-nag's NagPacks: a pack names rules and the level each is held at; a stack (or a construct)
 * declares the packs it is held to (`Guardrails.of(scope).applyPack(pack)`, ./guardrails.ts), instead of being
 * recognised by its name. Every stack is held to BASELINE_PACK; a pack applied on top adds its rules, and where two
 * packs name a rule the stricter level holds. An app makes its own pack from these (another level for a rule, fewer
 * rules) with `definePack`.
 *
 * Levels: `error` fails synth (and a review); `warning` is reported and passes.
 */
import { deepFreeze } from '../freeze';
import { Problems } from '../validation';
import { GUARDRAIL_RULES } from './rules';

export type GuardrailLevel = 'error' | 'warning';
export const GUARDRAIL_LEVELS: readonly GuardrailLevel[] = ['error', 'warning'];

export interface RulePack {
  /** Lower-case letters, digits and `-`; what synth output and reviews call the pack. */
  readonly id: string;
  /** What the pack is for, as a review prints it. */
  readonly description: string;
  /** The rules it holds a stack to (rule id → level). */
  readonly rules: Readonly<Record<string, GuardrailLevel>>;
}

const errors = (ids: readonly string[]): Record<string, GuardrailLevel> => Object.fromEntries(ids.map((id) => [id, 'error' as const]));

/**
 * Every stack, implicitly: what is true of any cache stack whatever it serves (encryption at rest with the team's own
 * key, alarms on every node, no open ingress, no literal secret, a recreatable and replaceable stack, the verified
 * providers, moves to cluster mode that ElastiCache accepts, settings that stay literals).
 */
export const BASELINE_PACK: RulePack = deepFreeze({
  id: 'baseline',
  description: 'every stack',
  rules: errors([
    'encryption-at-rest',
    'node-alarms',
    'open-ingress',
    'secret-literal',
    'events-topic',
    'create-before-destroy-names',
    'final-snapshot-unique',
    'key-deletion-window',
    'kms-key-policy',
    'vended-log-groups',
    'lookups-fail-early',
    'recreatable-names',
    'provider-versions',
    'plain-text',
    'cluster-mode-steps',
    'literal-settings',
  ]),
});

/**
 * A cache that serves users: TLS required, RBAC users that cannot run FLUSHALL, FLUSHDB or KEYS, Multi-AZ with a
 * replica, backups kept at least 7 days, named clients only, alarms that reach a person (guide 001: "TLS: Required for
 * staging/production", "Retention: 7 days"; the security checklists of 000, 003 and 004).
 */
export const PROTECTED_PACK: RulePack = deepFreeze({
  id: 'protected',
  description: 'a cache that serves users',
  rules: errors([
    'transit-encryption',
    'auth',
    'multi-az',
    'backup-retention',
    'alarm-subscribers',
    'client-ingress',
    'application-commands',
  ]),
});

/** A cache under sustained load: no burstable node type, whose CPU falls to its baseline once its credits are spent. */
export const SUSTAINED_LOAD_PACK: RulePack = deepFreeze({
  id: 'sustained-load',
  description: 'a cache under sustained load',
  rules: errors(['no-burstable-nodes']),
});

/** The library's packs by id. */
export const RULE_PACKS: Readonly<Record<string, RulePack>> = deepFreeze({
  [BASELINE_PACK.id]: BASELINE_PACK,
  [PROTECTED_PACK.id]: PROTECTED_PACK,
  [SUSTAINED_LOAD_PACK.id]: SUSTAINED_LOAD_PACK,
});

const PACK_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** What is wrong with a pack (its id, unknown rules, levels), each as a problem of `subject`; empty when nothing is. */
export function packProblems(pack: RulePack, subject: string): Problems {
  const p = new Problems(subject);
  const given = pack as Partial<RulePack> | undefined;
  p.check(typeof given?.id === 'string' && PACK_ID.test(given.id), 'id', 'lower-case letters, digits and "-" (1-63)', given?.id);
  p.check(typeof given?.description === 'string', 'description', 'a string', given?.description);
  const known = GUARDRAIL_RULES.map((r) => r.id);
  const rules: unknown = given?.rules;
  if (rules === null || typeof rules !== 'object') {
    p.check(false, 'rules', 'rule ids with their levels, e.g. { "multi-az": "warning" }', rules);
    return p;
  }
  for (const [id, level] of Object.entries(rules as Record<string, unknown>)) {
    p.check(known.includes(id), `rules.${id}`, `a rule of the library (${known.join(', ')})`, id);
    p.check((GUARDRAIL_LEVELS as readonly unknown[]).includes(level), `rules.${id}`, 'error or warning', level);
  }
  return p;
}

/**
 * A pack of an app's own, checked and frozen: e.g. the protected pack with Multi-AZ as a warning for a test stack,
 * `definePack({ ...PROTECTED_PACK, id: 'orders-test', rules: { ...PROTECTED_PACK.rules, 'multi-az': 'warning' } })`.
 * Throws a ValidationError naming every problem.
 */
export function definePack(pack: RulePack): RulePack {
  packProblems(pack, `rule pack ${JSON.stringify((pack as Partial<RulePack> | undefined)?.id)}`).throwIfAny();
  return deepFreeze({ id: pack.id, description: pack.description, rules: { ...pack.rules } });
}
