/** Guardrail `encryption-at-rest`. */
import { isCustomerManagedKey, isTrue } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    if (!isTrue(r.body.at_rest_encryption_enabled)) {
      return [{ resource: r.address, message: `${rgName(r)}: encryption at rest is off` }];
    }
    if (!isCustomerManagedKey(ctx.json, r.body.kms_key_id)) {
      return [
        {
          resource: r.address,
          message: `${rgName(r)}: encrypted at rest without a customer-managed KMS key (kms_key_id ${JSON.stringify(r.body.kms_key_id ?? null)})`,
        },
      ];
    }
    return [];
  });
}

export const rule: GuardrailRule = {
  id: 'encryption-at-rest',
  requires: 'encryption at rest with a customer-managed KMS key (not the AWS-managed `alias/aws/…` key)',
  source: '004 Best Practices "Enable encryption at rest and in transit"; a key the team controls (policy, rotation, audit)',
  check,
};
