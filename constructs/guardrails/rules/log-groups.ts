/** Guardrail `vended-log-groups`: ElastiCache delivers its logs to groups under /aws/vendedlogs/. */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { ELASTICACHE_LOG_GROUP_PREFIX } from '../../facts/elasticache';
import { Block, referencedAddresses, resourceAt } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

const VENDED = '/aws/vendedlogs/';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) =>
    ([] as Block[])
      .concat(r.body.log_delivery_configuration ?? [])
      .filter((l) => l.destination_type === 'cloudwatch-logs')
      .flatMap((l) => {
        const group = referencedAddresses(l.destination)
          .map((a) => resourceAt(ctx.json, a))
          .find((g) => g?.type === 'aws_cloudwatch_log_group');
        const name = group ? group.body.name : l.destination;
        return typeof name === 'string' && !name.includes('${') && !name.startsWith(VENDED)
          ? [
              {
                resource: r.address,
                message: `${rgName(r)}: ${l.log_type} goes to log group ${name}, not under ${VENDED} (e.g. ${ELASTICACHE_LOG_GROUP_PREFIX}/<rg>/…): each delivery grows the account's CloudWatch Logs resource policy, limited to 5120 characters`,
              },
            ]
          : [];
      }),
  );
}

export const rule: GuardrailRule = {
  id: 'vended-log-groups',
  requires: `log delivery to CloudWatch log groups under ${VENDED}`,
  source: 'CloudWatch Logs "Enabling logging from AWS services" (vended logs, resource policy size); ElastiCache "Log delivery"',
  check,
};
