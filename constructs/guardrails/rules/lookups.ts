/** Guardrail `lookups-fail-early`: network lookups stop the plan with a message instead of deploying into nothing. */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-member-access -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { Block } from '../../tf-json';
import { GuardrailRule, RuleContext, Violation } from './rule';

function dataOf(ctx: RuleContext, type: string): Array<{ address: string; body: Block }> {
  return Object.entries(ctx.json.data?.[type] ?? {}).map(([name, body]) => ({ address: `data.${type}.${name}`, body }));
}

const hasPostcondition = (b: Block) => ([] as Block[]).concat(b.lifecycle?.postcondition ?? []).length > 0;

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const d of dataOf(ctx, 'aws_subnets'))
    if (!hasPostcondition(d.body))
      out.push({
        resource: d.address,
        message: 'returns an empty list without error: add a postcondition (length(self.ids) > 0) naming the setting to fix',
      });
  for (const d of dataOf(ctx, 'aws_vpc'))
    if (d.body.id === undefined)
      out.push({
        resource: d.address,
        message:
          "looks the VPC up by filter and fails with the provider's generic error on zero or several matches: look up aws_vpcs with a postcondition, then aws_vpc by id",
      });
  for (const d of dataOf(ctx, 'aws_vpcs'))
    if (!hasPostcondition(d.body))
      out.push({ resource: d.address, message: 'add a postcondition (length(self.ids) == 1) naming the setting to fix' });
  for (const d of dataOf(ctx, 'aws_availability_zones'))
    if (!hasPostcondition(d.body))
      out.push({ resource: d.address, message: 'add a postcondition that every zone the nodes use is available' });
  return out;
}

export const rule: GuardrailRule = {
  id: 'lookups-fail-early',
  requires: 'subnet, VPC and zone lookups carry postconditions that stop the plan with a message naming the setting',
  source: 'provider: aws_subnets returns [] without error, aws_vpc fails generically; Terraform "postcondition" on data sources',
  check,
};
