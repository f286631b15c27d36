/** Guardrail `events-topic`: ElastiCache events reach a topic ElastiCache can publish to. */
/* eslint-disable @typescript-eslint/no-unsafe-argument -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { EVENTS_TOPIC_SOURCE_CONDITION } from '../../facts/notifications';
import { Block, policyStatements, referencedAddresses, referrers, resourceAt } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const r of groups(ctx)) {
    const topic = referencedAddresses(r.body.notification_topic_arn)
      .map((a) => resourceAt(ctx.json, a))
      .find((t) => t?.type === 'aws_sns_topic');
    if (!topic) continue; // a topic of another stack: its owner answers for it
    if (topic.body.kms_master_key_id !== undefined) {
      out.push({
        resource: r.address,
        message: `${rgName(r)}: notification_topic_arn is ${topic.address}, encrypted with kms_master_key_id: ElastiCache cannot publish to an encrypted topic (it goes inactive and events are dropped); use an unencrypted events topic`,
      });
    }
    const policies = referrers(ctx.json, 'aws_sns_topic_policy', 'arn', topic.address);
    const usesSourceOwner = policies.some((p) =>
      (policyStatements(ctx.json, p.body.policy) ?? []).some((s) =>
        ([] as Block[]).concat(s.condition ?? []).some((c) => c.variable === EVENTS_TOPIC_SOURCE_CONDITION),
      ),
    );
    if (!usesSourceOwner) {
      out.push({
        resource: topic.address,
        message: `${rgName(r)}: the events topic has no aws_sns_topic_policy with an ${EVENTS_TOPIC_SOURCE_CONDITION} condition: ElastiCache cannot publish under the default policy of new topics (aws:SourceAccount)`,
      });
    }
  }
  return out;
}

export const rule: GuardrailRule = {
  id: 'events-topic',
  requires: 'the notification topic of a replication group is unencrypted and its policy admits ElastiCache with AWS:SourceOwner',
  source: 'ElastiCache "Event Notifications and Amazon SNS" (ElastiCacheSNS.html; ECEvents.SNS.html "SNS topic access policy requirement")',
  check,
};
