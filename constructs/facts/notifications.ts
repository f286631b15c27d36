/**
 * Who hears about a cache: the two SNS topics of a replication group and their subscribers. Facts from the AWS
 * documentation (see /tmp/research notes → README "Notifications"):
 * - ElastiCache "Event Notifications and Amazon SNS": one topic per group, same account and region, NOT encrypted
 *   (an encrypted topic goes inactive), access policy with `AWS:SourceOwner`.
 * - CloudWatch API_PutMetricAlarm: AlarmActions / OKActions "Maximum number of 5 items".
 */

/** CloudWatch accepts at most this many actions per alarm state (AlarmActions, OKActions). */
export const ALARM_ACTIONS_PER_STATE = 5;

/** Condition key ElastiCache needs in the events topic's policy (not `aws:SourceAccount`). */
export const EVENTS_TOPIC_SOURCE_CONDITION = 'AWS:SourceOwner';

/** Service principals that use nothing of the key and must not be named (ElastiCache uses grants; nothing targets EventBridge). */
export const KEY_POLICY_SERVICE_PRINCIPALS_UNUSED = ['elasticache.amazonaws.com', 'events.amazonaws.com'] as const;
