/** Guardrail `open-ingress`. */
import { OPEN_CIDR } from '../data';
import { Block, TfResource, resourcesOf } from '../../tf-json';
import { GuardrailRule, RuleContext, Violation } from './rule';

function openCidrs(values: unknown): string[] {
  return ([] as unknown[]).concat(values ?? []).filter((c): c is string => typeof c === 'string' && OPEN_CIDR.test(c));
}

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  const flag = (r: TfResource, cidrs: string[]) => {
    cidrs.forEach((c) => {
      out.push({
        resource: r.address,
        message: `ingress from anywhere (${c})`,
      });
    });
  };
  for (const r of resourcesOf(ctx.json, 'aws_security_group')) {
    for (const rule of ([] as Block[]).concat((r.body.ingress ?? []) as Block | Block[]))
      flag(r, [...openCidrs(rule.cidr_blocks), ...openCidrs(rule.ipv6_cidr_blocks)]);
  }
  for (const r of resourcesOf(ctx.json, 'aws_vpc_security_group_ingress_rule')) flag(r, openCidrs([r.body.cidr_ipv4, r.body.cidr_ipv6]));
  for (const r of resourcesOf(ctx.json, 'aws_security_group_rule')) {
    if (r.body.type === 'ingress') flag(r, [...openCidrs(r.body.cidr_blocks), ...openCidrs(r.body.ipv6_cidr_blocks)]);
  }
  return out;
}

export const rule: GuardrailRule = {
  id: 'open-ingress',
  requires: 'no security group ingress from anywhere (0.0.0.0/0 or ::/0)',
  source: '000 "Restrict Network Access"; 004 Best Practices "never expose to internet"',
  check,
};
