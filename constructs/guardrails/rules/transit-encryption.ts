/** Guardrail `transit-encryption`. */
import { isTrue } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    if (!isTrue(r.body.transit_encryption_enabled)) {
      return [{ resource: r.address, message: `${rgName(r)}: in-transit encryption is off in ${ctx.environment}` }];
    }
    if (r.body.transit_encryption_mode !== 'required') {
      return [
        {
          resource: r.address,
          message: `${rgName(r)}: transit_encryption_mode is ${JSON.stringify(r.body.transit_encryption_mode ?? null)}, must be "required" in ${ctx.environment}`,
        },
      ];
    }
    return [];
  });
}

export const rule: GuardrailRule = {
  id: 'transit-encryption',
  requires: 'in-transit encryption on, `transit_encryption_mode = "required"`',
  source: '001 "TLS: Required for staging/production"',
  check,
};
