/** Guardrail `client-ingress`: only the named clients reach the cache port in protected environments. */
import { referencedAddresses, referencedVariables, requiresNonEmpty, resourcesOf } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const r of groups(ctx)) {
    const sgs = ([] as unknown[]).concat(r.body.security_group_ids ?? []).flatMap((e) => referencedAddresses(e));
    const rules = resourcesOf(ctx.json, 'aws_vpc_security_group_ingress_rule').filter((x) =>
      referencedAddresses(x.body.security_group_id).some((a) => sgs.includes(a)),
    );
    for (const x of rules) {
      const b = x.body;
      if (referencedAddresses(b.cidr_ipv4).some((a) => a.startsWith('data.aws_vpc.')) || /cidr_block/.test(String(b.cidr_ipv4 ?? ''))) {
        out.push({
          resource: x.address,
          message: `${rgName(r)}: admits the whole VPC range (${b.cidr_ipv4}); name the client security groups or CIDRs`,
        });
      }
      if (b.for_each !== undefined && !referencedVariables(b.for_each).some((v) => requiresNonEmpty(ctx.json, v))) {
        out.push({ resource: x.address, message: `${rgName(r)}: clients from ${b.for_each}, which may be empty at deploy time` });
      }
    }
    const forEachVars = rules.flatMap((x) => referencedVariables(x.body.for_each));
    if (!rules.some((x) => x.body.for_each === undefined) && !forEachVars.some((v) => requiresNonEmpty(ctx.json, v))) {
      out.push({ resource: r.address, message: `${rgName(r)}: no client may connect (no ingress rule on its security group)` });
    }
  }
  return out;
}

export const rule: GuardrailRule = {
  id: 'client-ingress',
  requires: 'the cache port admits only named clients (security groups or CIDRs), never the whole VPC range, and at least one',
  source: '001 "only the service may reach its Redis"; 000 "Restrict Network Access"',
  check,
};
