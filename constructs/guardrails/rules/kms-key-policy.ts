/** Guardrails `kms-key-policy` and `key-deletion-window`: the keys of a cache stack. */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { KEY_POLICY_SERVICE_PRINCIPALS_UNUSED } from '../../facts/notifications';
import { KMS_KEY_DELETION_WINDOW_MAX_DAYS } from '../../facts/elasticache';
import { Block, isSet, policyStatements, referencedAddresses, resourceAt, resourcesOf } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function checkPolicy(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const key of resourcesOf(ctx.json, 'aws_kms_key')) {
    const statements = policyStatements(ctx.json, key.body.policy);
    if (!statements) continue;
    for (const s of statements) {
      const services = ([] as Block[])
        .concat(s.principals ?? [])
        .filter((p) => p.type === 'Service')
        .flatMap((p) => ([] as unknown[]).concat(p.identifiers ?? []).map(String));
      if (!services.length) continue;
      const unused = services.filter((id) => (KEY_POLICY_SERVICE_PRINCIPALS_UNUSED as readonly string[]).includes(id));
      if (unused.length)
        out.push({
          resource: key.address,
          message: `statement ${s.sid ?? '(no sid)'} names ${unused.join(', ')}, which uses nothing of the key: drop it`,
        });
      if (!([] as Block[]).concat(s.condition ?? []).length)
        out.push({
          resource: key.address,
          message: `statement ${s.sid ?? '(no sid)'} lets ${services.join(', ')} use the key without a condition (aws:SourceAccount, aws:SourceArn or an encryption context)`,
        });
    }
  }
  return out;
}

export const policyRule: GuardrailRule = {
  id: 'kms-key-policy',
  requires: 'key policies name service principals only with a condition, and none that use nothing (elasticache, events)',
  source:
    'SNS "encrypted topics" (confused deputy: aws:SourceAccount/aws:SourceArn); CloudWatch Logs "encrypt log data" (encryption context)',
  check: checkPolicy,
};

function checkWindow(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    if (!isSet(r.body.final_snapshot_identifier)) return [];
    return referencedAddresses(r.body.kms_key_id)
      .filter((a) => a.startsWith('aws_kms_key.'))
      .flatMap((a) => {
        const key = resourceAt(ctx.json, a)?.body;
        const days = key?.deletion_window_in_days ?? KMS_KEY_DELETION_WINDOW_MAX_DAYS;
        return days === KMS_KEY_DELETION_WINDOW_MAX_DAYS
          ? []
          : [
              {
                resource: `aws_kms_key.${a.split('.')[1]}`,
                message: `${rgName(r)}: its final snapshot is encrypted with this key, whose deletion window is ${days} days: the snapshot can be rescued (CancelKeyDeletion, EnableKey) only within that window; keep ${KMS_KEY_DELETION_WINDOW_MAX_DAYS}`,
              },
            ];
      });
  });
}

export const windowRule: GuardrailRule = {
  id: 'key-deletion-window',
  requires: `the key of a group with a final snapshot waits ${KMS_KEY_DELETION_WINDOW_MAX_DAYS} days before deletion (the snapshot's rescue window)`,
  source: "ElastiCache at-rest encryption (final backup uses the group's key); KMS key deletion (Pending Deletion, 7–30 days)",
  check: checkWindow,
};
