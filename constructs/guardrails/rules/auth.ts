/** Guardrail `auth`. */
import { isSet } from '../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx)
    .filter((r) => !isSet(r.body.auth_token) && !isSet(r.body.user_group_ids))
    .map((r) => ({ resource: r.address, message: `${rgName(r)}: no AUTH token and no RBAC user group in ${ctx.environment}` }));
}

export const rule: GuardrailRule = {
  id: 'auth',
  requires: 'AUTH token or RBAC user group on every replication group',
  scope: 'protected',
  source: '001 Security, "Authentication: Password-protected"; 000 and 003 security checklists ("Set strong Redis password")',
  check,
};
