/**
 * The guardrail runner: every rule of ./rules/ over one synthesized stack, each rule's scope applied here (a
 * `protected` rule runs only for the environments in config/guardrails.ts PROTECTED_ENVIRONMENTS).
 * Used by the synth-time aspect (./aspect.ts) and the plan review (scripts/review/).
 */
import { PROTECTED_ENVIRONMENTS } from '../../config/guardrails';
import { rule as alarmSubscribers } from './rules/alarm-subscribers';
import { rule as applicationCommands } from './rules/application-commands';
import { rule as auth } from './rules/auth';
import { rule as clusterModeSteps } from './rules/cluster-mode-steps';
import { rule as backupRetention } from './rules/backup-retention';
import { rule as clientIngress } from './rules/client-ingress';
import { rule as createBeforeDestroyNames } from './rules/create-before-destroy-names';
import { rule as encryptionAtRest } from './rules/encryption-at-rest';
import { rule as eventsTopic } from './rules/events-topic';
import { rule as finalSnapshotUnique } from './rules/final-snapshot';
import { policyRule as kmsKeyPolicy, windowRule as keyDeletionWindow } from './rules/kms-key-policy';
import { rule as vendedLogGroups } from './rules/log-groups';
import { rule as literalSettings } from './rules/literal-settings';
import { rule as lookupsFailEarly } from './rules/lookups';
import { rule as multiAz } from './rules/multi-az';
import { rule as noBurstableNodes } from './rules/no-burstable-nodes';
import { rule as nodeAlarms } from './rules/node-alarms';
import { rule as openIngress } from './rules/open-ingress';
import { rule as plainText } from './rules/plain-text';
import { rule as providerVersions } from './rules/provider-versions';
import { rule as recreatableNames } from './rules/recreatable-names';
import { GuardrailRule, RuleContext, Violation } from './rules/rule';
import { rule as secretLiteral } from './rules/secret-literal';
import { rule as transitEncryption } from './rules/transit-encryption';
import { TfJson, environmentOf } from './tf-json';

export type { GuardrailRule, Violation };

/** Every rule, in the order the review lists them. */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  transitEncryption,
  auth,
  encryptionAtRest,
  multiAz,
  backupRetention,
  nodeAlarms,
  openIngress,
  secretLiteral,
  // issue 11: stacks that work for their operators
  eventsTopic,
  alarmSubscribers,
  clientIngress,
  createBeforeDestroyNames,
  finalSnapshotUnique,
  keyDeletionWindow,
  kmsKeyPolicy,
  vendedLogGroups,
  lookupsFailEarly,
  // issue 12: dangerous commands denied; issue 11: destroy and re-create
  applicationCommands,
  recreatableNames,
  // issue 17: what the tools verified is what ships
  providerVersions,
  plainText,
  // issue 21: the move to cluster mode in steps ElastiCache accepts; no burstable nodes where load matters
  clusterModeSteps,
  noBurstableNodes,
  // issue 22: no setting reaches the JSON as an expression
  literalSettings,
];

export function isProtectedEnvironment(environment: string): boolean {
  return PROTECTED_ENVIRONMENTS.includes(environment);
}

/**
 * Every guardrail violation of one synthesized stack (cdk.tf.json or `Testing.synth` output).
 * The environment is the AWS provider's default tag `environment`, else `stackName`. With `base` (the synthesis the
 * stack is compared with, in the review) the rules about a change check it as well.
 */
export function checkGuardrails(json: TfJson, stackName?: string, base?: TfJson): Violation[] {
  const environment = environmentOf(json, stackName);
  const ctx: RuleContext = { json, base, environment, protectedEnvironment: isProtectedEnvironment(environment) };
  return GUARDRAIL_RULES.filter((r) => r.scope === 'all' || ctx.protectedEnvironment).flatMap((r) =>
    r.check(ctx).map((v) => ({ rule: r.id, ...v })),
  );
}

export function formatViolation(v: Violation): string {
  return `guardrail ${v.rule}: ${v.resource}: ${v.message}`;
}

/** The rules with what they require, for the review's output and the README. */
export function describeRules(): Array<{ rule: string; requires: string; scope: string; source: string }> {
  return GUARDRAIL_RULES.map((r) => ({
    rule: r.id,
    requires: r.requires,
    scope: r.scope === 'protected' ? PROTECTED_ENVIRONMENTS.join(', ') : 'every stack',
    source: r.source,
  }));
}
