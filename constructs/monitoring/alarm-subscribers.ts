/**
 * AlarmSubscribers: who receives a cache's notifications, as one Terraform variable, so that a protected
 * environment without a subscriber fails at plan time (not at synth, not at `terraform validate`).
 *
 * The variable `alarm_subscribers` (`{ emails, https_endpoints, https_endpoints_auto_confirm, topic_arns }`) has its
 * default filled at synth time
 * (e.g. from an app's settings) and can be overridden at deploy time (`cdktf deploy <env> --var
 * 'alarm_subscribers={…}'` or TF_VAR_alarm_subscribers). Everything that delivers is driven by the variable itself,
 * so the value that passes the validation is the value that subscribes:
 * - e-mails and HTTPS endpoints subscribe to every topic given (the alarm topic and the ElastiCache events topic);
 *   an e-mail or an HTTPS endpoint receives nothing until it confirms the subscription (SNS sends it a confirmation);
 *   the apply waits for that only for `https_endpoints_auto_confirm` (endpoints that confirm themselves, such as
 *   PagerDuty's), up to CONFIRMATION_TIMEOUT_MINUTES, and fails if they do not; for `https_endpoints` it does not wait
 *   (the endpoint's owner confirms by visiting the SubscribeURL SNS posts to it), because the provider fails the apply
 *   of any endpoint that is declared self-confirming and is not (terraform-provider-aws sns/topic_subscription.go
 *   waitForConfirmation; the provider's default wait is 1 minute). An unconfirmed subscription cannot be deleted by
 *   Terraform (SNS refuses to unsubscribe it); it goes with its topic.
 * - existing topics (chat or paging integrations) are alarm actions next to the alarm topic (`alarmActions`); they
 *   cannot receive ElastiCache events (one topic per group, same account).
 * With `required`, the variable's validation refuses an empty subscriber list: Terraform reports "Invalid value for
 * variable" with the message naming the settings to set. Constraints Terraform checks the same way: at most four
 * existing topics (CloudWatch allows five actions per state, our topic included), endpoints start with https://.
 */
import { Fn, TerraformIterator, TerraformStack, TerraformVariable, Token, ref } from 'cdktf';
import { Construct } from 'constructs';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { ALARM_ACTIONS_PER_STATE } from '../facts/notifications';
import { ITopic } from '../elasticache/props';
import { Problems, validateConstruct } from '../validation';

/** Name of the Terraform variable (a contract: operators pass it with `--var`). */
export const ALARM_SUBSCRIBERS_VARIABLE = 'alarm_subscribers';

export interface AlarmSubscribersProps {
  /** Topic the alarms notify; e-mails and HTTPS endpoints subscribe to it. */
  readonly alarmTopic: ITopic;
  /**
   * Further topics the e-mails and HTTPS endpoints subscribe to (e.g. the ElastiCache events topic).
   * @default none
   */
  readonly otherTopics?: readonly ITopic[];
  /** @default none */
  readonly emails?: readonly string[];
  /**
   * HTTPS endpoints whose owner confirms the subscription (SNS posts a SubscriptionConfirmation to them); the apply does
   * not wait for it, and nothing is delivered until it happens.
   * @default none
   */
  readonly httpsEndpoints?: readonly string[];
  /**
   * HTTPS endpoints that confirm their subscription themselves (paging tools' SNS integrations, e.g. PagerDuty): the
   * apply waits for the confirmation and fails when it does not come (`endpoint_auto_confirms`).
   * @default none
   */
  readonly autoConfirmingHttpsEndpoints?: readonly string[];
  /** Existing SNS topics in the same region the alarms notify directly. @default none */
  readonly topicArns?: readonly string[];
  /**
   * Refuse, at plan time, a deploy without any subscriber.
   * @default false
   */
  readonly required?: boolean;
  /**
   * What the error names for fixing it, e.g. the setting that names the subscribers.
   * @default a generic hint to pass the variable
   */
  readonly howToFix?: string;
}

/** How long an apply waits for a self-confirming HTTPS endpoint to confirm, minutes (the provider's default is 1). */
export const CONFIRMATION_TIMEOUT_MINUTES = 5;

/** Existing topics an alarm may notify besides our own topic (CloudWatch: five actions per state). */
export const MAX_EXTRA_ALARM_TOPICS = ALARM_ACTIONS_PER_STATE - 1;

export class AlarmSubscribers extends Construct {
  readonly variable: TerraformVariable;
  /** Every ARN an alarm notifies: the alarm topic, then the variable's existing topics. */
  readonly alarmActions: string[];

  constructor(scope: Construct, id: string, props: AlarmSubscribersProps) {
    super(scope, id);
    validateConstruct(this, () => {
      const p = new Problems(`${this.node.path} (AlarmSubscribers)`);
      p.check(typeof (props.alarmTopic as ITopic | undefined)?.arn === 'string', 'alarmTopic', 'a topic with an arn', props.alarmTopic);
      p.check(
        (props.topicArns ?? []).length <= MAX_EXTRA_ALARM_TOPICS,
        'topicArns',
        `at most ${MAX_EXTRA_ALARM_TOPICS} (CloudWatch: ${ALARM_ACTIONS_PER_STATE} alarm actions, the alarm topic included)`,
        props.topicArns,
      );
      p.throwIfAny();
    });
    const v = ALARM_SUBSCRIBERS_VARIABLE;
    const count = `length(var.${v}.emails) + length(var.${v}.https_endpoints) + length(var.${v}.https_endpoints_auto_confirm) + length(var.${v}.topic_arns)`;
    this.variable = new TerraformVariable(this, 'variable', {
      // https_endpoints_auto_confirm is optional so that a -var written before it existed still works
      type: 'object({ emails = list(string), https_endpoints = list(string), https_endpoints_auto_confirm = optional(list(string), []), topic_arns = list(string) })',
      nullable: false,
      description:
        'Who receives the alarms: e-mails and HTTPS endpoints subscribe to the alarm and events topics (https_endpoints_auto_confirm: endpoints that confirm themselves, the apply waits for them); existing topic ARNs are alarm actions',
      default: {
        emails: [...(props.emails ?? [])],
        https_endpoints: [...(props.httpsEndpoints ?? [])],
        https_endpoints_auto_confirm: [...(props.autoConfirmingHttpsEndpoints ?? [])],
        topic_arns: [...(props.topicArns ?? [])],
      },
      validation: [
        ...(props.required
          ? [
              {
                condition: `\${${count} > 0}`,
                errorMessage: `No alarm subscriber: the alarms would page nobody. ${props.howToFix ?? `Pass -var '${v}={emails=[…], https_endpoints=[], topic_arns=[]}'.`}`,
              },
            ]
          : []),
        {
          condition: `\${length(var.${v}.topic_arns) <= ${MAX_EXTRA_ALARM_TOPICS}}`,
          errorMessage: `At most ${MAX_EXTRA_ALARM_TOPICS} topic_arns: CloudWatch allows ${ALARM_ACTIONS_PER_STATE} actions per alarm state, the alarm topic included.`,
        },
        {
          condition: `\${alltrue([for e in concat(var.${v}.https_endpoints, var.${v}.https_endpoints_auto_confirm) : startswith(e, "https://")])}`,
          errorMessage: 'Every https_endpoints and https_endpoints_auto_confirm entry starts with https://.',
        },
      ],
    });
    this.variable.overrideLogicalId(v);

    const list = (key: string) => Token.asList(ref(`var.${v}.${key}`, TerraformStack.of(this)));
    const topics = [props.alarmTopic, ...(props.otherTopics ?? [])];
    topics.forEach((topic, i) => {
      const suffix = i === 0 ? '' : `-${i}`;
      const emails = TerraformIterator.fromList(list('emails'));
      new SnsTopicSubscription(this, `email${suffix}`, {
        forEach: emails,
        topicArn: topic.arn,
        protocol: 'email',
        endpoint: Token.asString(emails.value),
      });
      const https = TerraformIterator.fromList(list('https_endpoints'));
      new SnsTopicSubscription(this, `https${suffix}`, {
        forEach: https,
        topicArn: topic.arn,
        protocol: 'https',
        endpoint: Token.asString(https.value),
        // the endpoint's owner confirms: the apply does not wait (a wait fails for any endpoint that does not confirm itself)
        endpointAutoConfirms: false,
      });
      const selfConfirming = TerraformIterator.fromList(list('https_endpoints_auto_confirm'));
      new SnsTopicSubscription(this, `https-auto-confirm${suffix}`, {
        forEach: selfConfirming,
        topicArn: topic.arn,
        protocol: 'https',
        endpoint: Token.asString(selfConfirming.value),
        endpointAutoConfirms: true,
        confirmationTimeoutInMinutes: CONFIRMATION_TIMEOUT_MINUTES,
      });
    });
    this.alarmActions = Token.asList(Fn.concat([[props.alarmTopic.arn], list('topic_arns')]));
  }
}
