/**
 * This project's guardrail choices, as data: which of the library's rule packs each environment's stack declares
 * (constructs/guardrails/packs.ts; `Guardrails.of(stack).applyPack(…)`), the thresholds it sets for configurable
 * rules, and the names the literal-settings rule gives the places settings come from. The rules, their data and their
 * sources are the library's (constructs/guardrails/). `npm run synth` refuses a stack that breaks a rule of its packs
 * (CACHE_GUARDRAILS=warn prints them instead), and `npm run review` lists them.
 */
import { AwsEnvironmentName } from './environments';
import { BURSTABLE_NODES_ALLOWED, MIN_BACKUP_RETENTION_DAYS_PROTECTED, PROTECTED_ENVIRONMENTS } from './scaling';

/**
 * The packs each environment's stack declares, by id, beside the baseline every stack is held to: `protected` in the
 * environments that serve users (./scaling.ts PROTECTED_ENVIRONMENTS: TLS required, RBAC, Multi-AZ, backups, named
 * clients, subscribers), `sustained-load` where burstable nodes are refused (./scaling.ts BURSTABLE_NODES_ALLOWED).
 */
export function guardrailPacksOf(environment: AwsEnvironmentName): readonly string[] {
  return [
    ...(PROTECTED_ENVIRONMENTS.includes(environment) ? ['protected'] : []),
    ...(BURSTABLE_NODES_ALLOWED[environment] ? [] : ['sustained-load']),
  ];
}

/** Backups the rule `backup-retention` asks of a protected environment, days (./scaling.ts). */
export const MIN_RETENTION_DAYS = MIN_BACKUP_RETENTION_DAYS_PROTECTED;

/**
 * Where this project's settings come from, by the kind of setting the literal-settings rule finds in the JSON (the
 * library's LITERAL_SETTINGS `setting`): its messages name the variable or config field to fix.
 */
export const LITERAL_SETTING_SOURCES: Readonly<Record<string, string>> = {
  'provider-region': 'AWS_REGION',
  backend: 'CACHE_STATE_* or the local state path',
  'vpc-tags': 'CACHE_<ENV>_VPC_TAG',
  zones: 'CACHE_<ENV>_AVAILABILITY_ZONES',
  'subnet-filters': 'CACHE_<ENV>_SUBNET_TAG, _SUBNET_IDS or _AVAILABILITY_ZONES',
  variables: 'settings (CACHE_<ENV>_CLIENT_*, _ALARM_*)',
  'restore-source': 'restoreFromSnapshot (config/environments.ts) or the snapshotName/snapshotArns props',
  'local-container': 'LOCAL_REDIS_*',
  'local-image': 'LOCAL_REDIS_ENGINE or LOCAL_REDIS_IMAGE',
};

/** Places of this project's own stacks that hold a setting, beside the library's: the local stack's CA output. */
export const PROJECT_LITERAL_SETTINGS = [
  { setting: 'local-ca-output', blocks: 'output.redis_ca_cert', attributes: ['value'], from: 'LOCAL_REDIS_TLS_DIR' },
] as const;
