/**
 * Guardrail `application-commands`: no credential of a protected environment can run the commands the security
 * checklists deny. Every enabled user of the group's user groups is read from its access string
 * (constructs/elasticache/access-string.ts); the group must contain the user named `default`, which a client that
 * sends no user name (or an AUTH token) becomes.
 */
import { DENIED_APPLICATION_COMMANDS } from '../data';
import { DEFAULT_USER_NAME } from '../../facts/redis-acl';
import { allowsCommand, parseAccessString } from '../../elasticache/access-string';
import { isExpression, referencedAddresses, resourceAt } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const rg of groups(ctx)) {
    const userGroups = referencedAddresses(rg.body.user_group_ids)
      .map((a) => resourceAt(ctx.json, a))
      .filter((g) => g?.type === 'aws_elasticache_user_group');
    for (const g of userGroups) {
      if (!g) continue;
      const users = referencedAddresses(g.body.user_ids).map((a) => ({ address: a, user: resourceAt(ctx.json, a) }));
      const literalIds = ([] as unknown[]).concat(g.body.user_ids ?? []).filter((u) => typeof u === 'string' && !isExpression(u));
      for (const id of literalIds) {
        out.push({
          resource: g.address,
          message: `${rgName(rg)}: user ${JSON.stringify(id)} of ${g.address} is not defined in this stack, so what it may run cannot be checked`,
        });
      }
      if (!users.some((u) => u.user?.body.user_name === DEFAULT_USER_NAME)) {
        out.push({
          resource: g.address,
          message: `${rgName(rg)}: ${g.address} has no user named "${DEFAULT_USER_NAME}" (ElastiCache requires one; make it off)`,
        });
      }
      for (const { address, user } of users) {
        if (!user) continue;
        const access: unknown = user.body.access_string;
        if (typeof access !== 'string' || isExpression(access)) {
          out.push({
            resource: address,
            message: `${rgName(rg)}: the access string of ${address} is known only at deploy time and cannot be checked`,
          });
          continue;
        }
        const allowed = DENIED_APPLICATION_COMMANDS.filter((c) => allowsCommand(parseAccessString(access), c));
        if (allowed.length) {
          out.push({
            resource: address,
            message: `${rgName(rg)}: user ${String(user.body.user_name)} may run ${allowed.map((c) => c.toUpperCase()).join(', ')} (access string ${JSON.stringify(access)}); deny them (e.g. "-flushall -flushdb -keys")`,
          });
        }
      }
    }
  }
  return out;
}

export const rule: GuardrailRule = {
  id: 'application-commands',
  requires: `no enabled user of the user group may run ${DENIED_APPLICATION_COMMANDS.map((c) => c.toUpperCase()).join(', ')}; the user "default" is in the group`,
  source: '000, 003, 004 security checklists ("Disable dangerous commands (FLUSHDB, FLUSHALL, CONFIG)", KEYS); ElastiCache RBAC',
  check,
};
