/**
 * Guardrail `create-before-destroy-names`: a resource created before the old one is destroyed needs a new name
 * whenever it is replaced. Every argument that forces replacement (../../facts/force-new.ts) must therefore be reflected
 * in the name: each of its words must be a word of the name, apart from the filler words of
 * ../../facts/force-new.ts CBD_NAME_FILLER_WORDS. A value that is not in the name (e.g. the engine version in a parameter
 * group's description while the name holds only the family) changes without the name, and the create collides with
 * the old resource (CacheParameterGroupAlreadyExists).
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { CBD_NAME_ATTRIBUTES, CBD_NAME_FILLER_WORDS, FORCE_NEW, ForceNewEntry } from '../../facts/force-new';
import { isExpression, isTrue, resourcesOf } from '../../tf-json';
import { GuardrailRule, RuleContext, Violation } from './rule';

/** Words of a value: lower case, split at anything but letters and digits. */
export function nameWords(value: unknown): string[] {
  return String(value)
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const r of resourcesOf(ctx.json)) {
    if (!isTrue(r.body.lifecycle?.create_before_destroy)) continue;
    const entry = FORCE_NEW[r.type] as ForceNewEntry | undefined;
    if (!entry) {
      out.push({
        resource: r.address,
        message: `create_before_destroy on ${r.type}, which the force-new table (constructs/facts/force-new.ts) does not know: its name cannot be checked`,
      });
      continue;
    }
    const nameAttr = CBD_NAME_ATTRIBUTES.find((a) => entry.attributes.includes(a) && r.body[a] !== undefined);
    if (nameAttr === undefined || nameAttr.endsWith('_prefix')) continue; // generated names never collide
    const name = r.body[nameAttr];
    if (isExpression(name)) continue;
    const words = new Set(nameWords(name));
    for (const attr of entry.attributes) {
      if (attr === nameAttr || attr.includes('.') || r.body[attr] === undefined) continue;
      const value = r.body[attr];
      const missing = isExpression(value)
        ? String(name).includes(String(value))
          ? []
          : [String(value)]
        : nameWords(typeof value === 'string' ? value : JSON.stringify(value)).filter(
            (w) => !words.has(w) && !(CBD_NAME_FILLER_WORDS as readonly string[]).includes(w),
          );
      if (missing.length) {
        out.push({
          resource: r.address,
          message: `${attr} ${JSON.stringify(value)} forces replacement but ${missing.map((m) => JSON.stringify(m)).join(', ')} is not in its ${nameAttr} ${JSON.stringify(name)}: a change there creates the new one under the old name before the old one is destroyed, and collides`,
        });
      }
    }
  }
  return out;
}

export const rule: GuardrailRule = {
  id: 'create-before-destroy-names',
  requires: 'with create_before_destroy, every argument that forces replacement is reflected in the name (constructs/facts/force-new.ts)',
  source:
    'the providers\' Go source (ForceNew), tabulated in constructs/facts/force-new.ts; house rule "a name must change whenever an argument that forces replacement changes"',
  check,
};
