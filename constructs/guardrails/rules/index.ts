/**
 * Every guardrail rule of the library, in the order a review lists them. Each rule checks one synthesized stack; which
 * rules hold for a stack, and at which level, is the rule packs' business (../packs.ts).
 */
import { rule as alarmSubscribers } from './alarm-subscribers';
import { rule as applicationCommands } from './application-commands';
import { rule as auth } from './auth';
import { rule as clusterModeSteps } from './cluster-mode-steps';
import { rule as backupRetention } from './backup-retention';
import { rule as clientIngress } from './client-ingress';
import { rule as createBeforeDestroyNames } from './create-before-destroy-names';
import { rule as encryptionAtRest } from './encryption-at-rest';
import { rule as eventsTopic } from './events-topic';
import { rule as finalSnapshotUnique } from './final-snapshot';
import { policyRule as kmsKeyPolicy, windowRule as keyDeletionWindow } from './kms-key-policy';
import { rule as vendedLogGroups } from './log-groups';
import { rule as literalSettings } from './literal-settings';
import { rule as lookupsFailEarly } from './lookups';
import { rule as multiAz } from './multi-az';
import { rule as noBurstableNodes } from './no-burstable-nodes';
import { rule as nodeAlarms } from './node-alarms';
import { rule as openIngress } from './open-ingress';
import { rule as plainText } from './plain-text';
import { rule as providerVersions } from './provider-versions';
import { rule as recreatableNames } from './recreatable-names';
import { rule as secretLiteral } from './secret-literal';
import { rule as transitEncryption } from './transit-encryption';
import { GuardrailRule } from './rule';

/** Every rule, in the order a review lists them (each id once). */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  transitEncryption,
  auth,
  encryptionAtRest,
  multiAz,
  backupRetention,
  nodeAlarms,
  openIngress,
  secretLiteral,
  // stacks that work for their operators
  eventsTopic,
  alarmSubscribers,
  clientIngress,
  createBeforeDestroyNames,
  finalSnapshotUnique,
  keyDeletionWindow,
  kmsKeyPolicy,
  vendedLogGroups,
  lookupsFailEarly,
  // dangerous commands denied; destroy and re-create
  applicationCommands,
  recreatableNames,
  // what the tools verified is what ships
  providerVersions,
  plainText,
  // the move to cluster mode in steps ElastiCache accepts; no burstable nodes where load matters
  clusterModeSteps,
  noBurstableNodes,
  // no setting reaches the JSON as an expression
  literalSettings,
];
