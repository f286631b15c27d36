/** Guardrail `alarm-subscribers`: in protected environments the alarms reach a person. */
import { ELASTICACHE_NAMESPACE, SLOW_LOG_METRIC } from '../../facts/cloudwatch';
import { isExpression, referencedAddresses, referencedVariables, requiresNonEmpty, resourceAt, resourcesOf } from '../../tf-json';
import { groups } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

/** How an alarm action reaches someone: a subscribed topic of the stack, an external topic, or a variable's topics. */
function deliveries(ctx: RuleContext, actions: unknown): { reaches: boolean; why: string } {
  const list = ([] as unknown[]).concat(actions ?? []);
  if (list.some((a) => typeof a === 'string' && !isExpression(a) && a.startsWith('arn:')))
    return { reaches: true, why: 'an existing topic' };
  const text = JSON.stringify(list);
  for (const address of referencedAddresses(text)) {
    const topic = resourceAt(ctx.json, address);
    if (topic?.type !== 'aws_sns_topic') continue;
    const subs = resourcesOf(ctx.json, 'aws_sns_topic_subscription').filter((s) => referencedAddresses(s.body.topic_arn).includes(address));
    // a subscription fixed at synth always delivers; one per element of a variable only when the variable cannot be empty
    if (subs.some((s) => s.body.for_each === undefined)) return { reaches: true, why: `a subscription to ${address}` };
    const vars = new Set([...subs.flatMap((s) => referencedVariables(s.body.for_each)), ...referencedVariables(text)]);
    if ([...vars].some((v) => requiresNonEmpty(ctx.json, v))) return { reaches: true, why: 'a variable that refuses an empty list' };
  }
  return { reaches: false, why: '' };
}

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  if (!groups(ctx).length) return [];
  const silent = resourcesOf(ctx.json, 'aws_cloudwatch_metric_alarm').filter(
    (a) => [ELASTICACHE_NAMESPACE, SLOW_LOG_METRIC.namespace].includes(String(a.body.namespace)) || a.body.metric_query !== undefined,
  );
  const unreached = silent.filter((a) => !deliveries(ctx, a.body.alarm_actions).reaches);
  return unreached.length
    ? [
        {
          resource: unreached[0].address,
          message: `${unreached.length} alarm(s) in ${ctx.environment} notify nobody: their actions have no subscriber that is certain to exist (a subscription, an existing topic ARN, or subscriptions driven by a variable whose validation refuses an empty list)`,
        },
      ]
    : [];
}

export const rule: GuardrailRule = {
  id: 'alarm-subscribers',
  requires:
    'every cache alarm reaches a subscriber (e-mail, HTTPS endpoint or existing topic), or the plan refuses an empty subscriber list',
  source: '004 "CloudWatch Monitoring" (alarms that notify): an alarm nobody receives protects nothing',
  check,
};
