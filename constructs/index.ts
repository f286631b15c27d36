/**
 * The public API of the construct library: what another team imports (`require('redis-cache-infra')`), and the only
 * way this project's stacks reach the library. Everything else under constructs/ is internal and may change; the
 * surface is recorded in api/redis-cache-infra.api.md, and a test fails when it changes unnoticed. The local Docker
 * Redis, which needs the Docker provider, has its own entry point (`redis-cache-infra/local`, ./local/index.ts), so
 * this one loads only the AWS and random providers.
 */

// ---- the replication group (an L2: props in AWS's terms, a resource interface, verbs, an import)
export { RedisReplicationGroup } from './elasticache/replication-group';
export type { IReplicationGroup, CacheMetric, MetricOptions, SlowLogSource } from './elasticache/replication-group-base';
export { ReplicationGroupBase } from './elasticache/replication-group-base';
export type { ReplicationGroupAttributes } from './elasticache/imported-group';
export type { RedisReplicationGroupProps, ResolvedReplicationGroupSettings } from './elasticache/props';
export type { Authentication, AuthTokenMigration, CredentialUpdateStrategy, IEncryptionKey, ITopic } from './elasticache/types';
export { REPLICATION_GROUP_DEFAULTS } from './elasticache/defaults';
export type { ReplicationGroupDefaults } from './elasticache/defaults';
export { memberNodes } from './elasticache/member-nodes';
export type { CacheNode } from './elasticache/member-nodes';

// ---- alarms and who receives them
export { CacheAlarms } from './monitoring/cache-alarms';
export type { AlarmTarget, CacheAlarmsProps } from './monitoring/cache-alarms';
export { DEFAULT_ALARM_RUNBOOK } from './monitoring/alarm-plan';
export type { AlarmMath, AlarmNodeType, AlarmPlan, AlarmRunbook, AlarmStatistic } from './monitoring/alarm-plan';
export type { TreatMissingData } from './facts/cloudwatch';
export { DEFAULT_ALARM_THRESHOLDS } from './monitoring/defaults';
export type {
  AlarmKey,
  AlarmOverrides,
  AlarmThresholds,
  AlarmWindow,
  AuthenticationFailureSettings,
  ConnectionsCriticalSettings,
  ConnectionsWarningSettings,
  CpuAlarmSettings,
  EvictionAlarmSettings,
  HitRateAlarmSettings,
  KeysWithoutTtlSettings,
  LatencyAlarmSettings,
  NodeDownSettings,
  PercentAlarmSettings,
  ReplicationLagSettings,
  SlowCommandSettings,
  SwapAlarmSettings,
} from './monitoring/defaults';
export { AlarmSubscribers } from './monitoring/alarm-subscribers';
export type { AlarmSubscribersProps } from './monitoring/alarm-subscribers';

// ---- guardrails: rule packs a stack declares, suppressions with a reason, the runner
export { Guardrails, MIN_REASON_LENGTH } from './guardrails/guardrails';
export { BASELINE_PACK, PROTECTED_PACK, SUSTAINED_LOAD_PACK, RULE_PACKS, definePack } from './guardrails/packs';
export type { GuardrailLevel, RulePack } from './guardrails/packs';
export { checkGuardrails, evaluateGuardrails, formatSuppressed, formatViolation } from './guardrails/runner';
export type {
  GuardrailReport,
  GuardrailRule,
  GuardrailsDeclaration,
  GuardrailsOptions,
  GuardrailsScope,
  LeveledViolation,
  RuleContext,
  SuppressedViolation,
  Suppression,
  Violation,
} from './guardrails/runner';
export { GuardrailsAspect, applyGuardrails } from './guardrails/aspect';
export type { GuardrailsAspectOptions, GuardrailsMode } from './guardrails/aspect';
export { backupRetentionRule } from './guardrails/rules/backup-retention';
export { literalSettingsRule } from './guardrails/rules/literal-settings';
export type { LiteralSettingsOptions } from './guardrails/rules/literal-settings';
export type { LiteralSettingPosition } from './guardrails/data';
export type { Block, TfJson } from './tf-json';

// ---- input: structured problems, and the checks the constructs apply, for an app that reads its own settings
export { Problems, ValidationError, cidrProblem, describe, isAwsId, literalProblem, problemText } from './validation';
export type { Problem } from './validation';

// ---- the provider releases the library is verified with
export { pinVerifiedProviders } from './providers';
export { PROVIDER_VERSIONS, MINIMUM_ENGINE_VERSION } from './facts/providers';

// ---- facts about ElastiCache and AWS the props are checked against
export {
  DEFAULT_ENGINE_VERSION,
  DEFAULT_RESERVED_MEMORY_PERCENT,
  ENGINES,
  ENGINE_VERSIONS,
  LIMITS,
  LOG_FORMATS,
  MAXMEMORY_POLICIES,
} from './facts/elasticache';
export type { Engine, LogFormat, MaxmemoryPolicy } from './facts/elasticache';
export type { ClusterMode } from './facts/cluster-mode';
export { EMAIL_PATTERN, IAM_ROLE_NAME } from './facts/aws';
export { GIB, NODE_CATALOG, PRICE_DATE, PRICE_REGION } from './facts/node-catalog';
export type { NodeType } from './facts/node-catalog';
export { dataSpaceBytes, hourlyPriceUsd, monthlyCostUsd } from './elasticache/node-types';
