/** Guardrail `no-burstable-nodes`. */
import { BURSTABLE_NODES_REFUSED_IN } from '../../../config/guardrails';
import { isBurstableNodeType } from '../../../config/node-catalog';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  if (!BURSTABLE_NODES_REFUSED_IN.includes(ctx.environment)) return [];
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
  requires: `no burstable (T family) node type in ${BURSTABLE_NODES_REFUSED_IN.join(', ')}`,
  scope: 'all',
  source:
    'config/scaling.ts BURSTABLE_NODES_ALLOWED; AWS EC2 "Standard mode for burstable performance instances"; 004 "Recommended (Production): 4 CPU cores per node"',
  check,
};
