/**
 * The public API of the construct library: what another team imports (`require('redis-cache-infra')`).
 * Everything else under constructs/ is internal and may change. The local Docker Redis, which needs the Docker
 * provider, has its own entry point (`redis-cache-infra/local`, ./local/index.ts), so this one loads only the AWS
 * and random providers.
 */
export { RedisReplicationGroup } from './elasticache/replication-group';
export type { IReplicationGroup, CacheMetric, MetricOptions, SlowLogSource } from './elasticache/replication-group-base';
export type { ReplicationGroupAttributes } from './elasticache/imported-group';
export { resolveReplicationGroupProps, parameterGroupFamily } from './elasticache/props';
export type {
  ClusterMode,
  IEncryptionKey,
  ITopic,
  RedisReplicationGroupProps,
  ResolvedReplicationGroupSettings,
} from './elasticache/props';
export { REPLICATION_GROUP_DEFAULTS } from './elasticache/defaults';
export { memberNodes } from './elasticache/member-nodes';
export type { CacheNode } from './elasticache/member-nodes';
export { findNodeType, isValidNodeTypeName, monthlyCostUsd } from './elasticache/node-types';

export { CacheAlarms, resolveCacheAlarmsProps } from './monitoring/cache-alarms';
export type { CacheAlarmsProps } from './monitoring/cache-alarms';
export { planCacheAlarms } from './monitoring/alarm-plan';
export type { AlarmPlan } from './monitoring/alarm-plan';
export { mergeAlarmThresholds } from './monitoring/thresholds';
export { DEFAULT_ALARM_THRESHOLDS } from '../config/alarms';
export type { AlarmOverrides, AlarmThresholds } from '../config/alarms';

export { GuardrailsAspect, applyGuardrails } from './guardrails/aspect';
export { GUARDRAIL_RULES, checkGuardrails, describeRules } from './guardrails/runner';
export type { GuardrailRule, Violation } from './guardrails/runner';

export { ValidationError } from './validation';
export { pinVerifiedProviders } from './providers';
export { PROVIDER_VERSIONS, MINIMUM_ENGINE_VERSION } from '../config/providers';
