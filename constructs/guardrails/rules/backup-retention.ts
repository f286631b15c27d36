/** Guardrail `backup-retention`. */
import { MIN_RETENTION_DAYS } from '../../../config/guardrails';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    const days: unknown = r.body.snapshot_retention_limit ?? 0;
    return typeof days === 'number' && days >= MIN_RETENTION_DAYS
      ? []
      : [
          {
            resource: r.address,
            message: `${rgName(r)}: backups kept ${JSON.stringify(days)} days in ${ctx.environment}, at least ${MIN_RETENTION_DAYS} required`,
          },
        ];
  });
}

export const rule: GuardrailRule = {
  id: 'backup-retention',
  requires: `automatic backups kept at least ${MIN_RETENTION_DAYS} days`,
  scope: 'protected',
  source: '001 "Backup Strategy": "Retention: 7 days"',
  check,
};
