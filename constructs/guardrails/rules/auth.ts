/** Guardrail `auth`: clients of a protected environment authenticate as RBAC users, not with a shared AUTH token. */
import { isSet } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    if (isSet(r.body.user_group_ids)) return [];
    const why = isSet(r.body.auth_token)
      ? 'authenticates with one AUTH token, which grants every command (FLUSHALL included) to whoever holds it'
      : 'has no authentication';
    return [{ resource: r.address, message: `${rgName(r)} ${why} in ${ctx.environment}: use an RBAC user group (authentication rbac)` }];
  });
}

export const rule: GuardrailRule = {
  id: 'auth',
  requires: 'an RBAC user group on every replication group (not a bare AUTH token, which grants every command)',
  source: '001 Security, "Authentication: Password-protected"; 000, 003, 004 security checklists (password, dangerous commands disabled)',
  check,
};
