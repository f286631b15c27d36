/** Guardrail `multi-az`. */
import { isTrue, replicationGroupLayout } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    const layout = replicationGroupLayout(r.body);
    const problems: string[] = [];
    if (!isTrue(r.body.multi_az_enabled)) problems.push('Multi-AZ is off');
    if (!isTrue(r.body.automatic_failover_enabled)) problems.push('automatic failover is off');
    if (layout && layout.replicasPerShard < 1) problems.push('no replica');
    return problems.length ? [{ resource: r.address, message: `${rgName(r)}: ${problems.join(', ')} in ${ctx.environment}` }] : [];
  });
}

export const rule: GuardrailRule = {
  id: 'multi-az',
  requires: 'Multi-AZ and automatic failover, with at least one replica per shard',
  source: '004 "Production Deployment" (--multi-az-enabled, --automatic-failover-enabled, replicas); 000 "Scaling Recommendations"',
  check,
};
