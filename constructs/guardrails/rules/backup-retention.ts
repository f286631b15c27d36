/** Guardrail `backup-retention`: automatic backups kept long enough to diagnose an incident. */
import { MIN_RETENTION_DAYS } from '../data';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

/** The rule with its threshold: backups kept at least `minDays` days. */
export function backupRetentionRule(minDays: number = MIN_RETENTION_DAYS): GuardrailRule {
  const check = (ctx: RuleContext): Array<Omit<Violation, 'rule'>> =>
    groups(ctx).flatMap((r) => {
      const days: unknown = r.body.snapshot_retention_limit ?? 0;
      return typeof days === 'number' && days >= minDays
        ? []
        : [
            {
              resource: r.address,
              message: `${rgName(r)}: backups kept ${JSON.stringify(days)} days in ${ctx.environment}, at least ${minDays} required`,
            },
          ];
    });
  return {
    id: 'backup-retention',
    requires: `automatic backups kept at least ${minDays} days`,
    source: '001 "Backup Strategy": "Retention: 7 days"',
    check,
  };
}

export const rule: GuardrailRule = backupRetentionRule();
