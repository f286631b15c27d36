/**
 * Guardrail `no-burstable-nodes` (pack `sustained-load`): a cache under sustained load spends its CPU credits and is
 * held at the baseline (../../facts/node-catalog.ts BURSTABLE_BASELINE_CPU_PERCENT), exactly when the service is busiest.
 */
import { isBurstableNodeType } from '../../facts/node-catalog';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) =>
    typeof r.body.node_type === 'string' && isBurstableNodeType(r.body.node_type)
      ? [
          {
            resource: r.address,
            message: `${rgName(r)}: node type ${r.body.node_type} is burstable (CPU credits; held at its baseline once they are spent) in ${ctx.environment}`,
          },
        ]
      : [],
  );
}

export const rule: GuardrailRule = {
  id: 'no-burstable-nodes',
  requires: 'no burstable (T family) node type',
  source:
    'AWS EC2 "Standard mode for burstable performance instances"; AWS sizing advice (T nodes for entry-level and spiky workloads); 004 "Recommended (Production): 4 CPU cores per node"',
  check,
};
