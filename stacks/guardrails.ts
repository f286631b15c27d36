/**
 * This project's guardrails, through the library's public mechanism: each environment's stack declares the rule packs
 * config/guardrails.ts names for it (`Guardrails.of(stack).applyPack(…)`), and wherever this project checks a
 * synthesis (synth, the review) the rules it configures replace the library's defaults: its backup threshold, and the
 * names of its own settings in the literal-settings messages.
 */
import { TerraformStack } from 'cdktf';
import { AwsEnvironmentName } from '../config/environments';
import { LITERAL_SETTING_SOURCES, MIN_RETENTION_DAYS, PROJECT_LITERAL_SETTINGS, guardrailPacksOf } from '../config/guardrails';
import {
  GuardrailReport,
  GuardrailRule,
  Guardrails,
  GuardrailsOptions,
  RULE_PACKS,
  RulePack,
  TfJson,
  Violation,
  backupRetentionRule,
  evaluateGuardrails,
  literalSettingsRule,
} from '../constructs';

/** The rules as this project configures them (config/guardrails.ts). */
export const PROJECT_RULES: readonly GuardrailRule[] = [
  backupRetentionRule(MIN_RETENTION_DAYS),
  literalSettingsRule({ sources: LITERAL_SETTING_SOURCES, positions: PROJECT_LITERAL_SETTINGS }),
];

/** The library's packs an environment's stack is held to beside the baseline (config/guardrails.ts). */
export function environmentPacks(environment: AwsEnvironmentName): RulePack[] {
  return guardrailPacksOf(environment).map((id) => RULE_PACKS[id]);
}

/** Declares an environment's packs on its stack. */
export function declareEnvironmentPacks(stack: TerraformStack, environment: AwsEnvironmentName): void {
  for (const pack of environmentPacks(environment)) Guardrails.of(stack).applyPack(pack);
}

/** The guardrails of one synthesized stack with this project's rules. */
export function projectGuardrails(json: TfJson, options: Omit<GuardrailsOptions, 'rules'> = {}): GuardrailReport {
  return evaluateGuardrails(json, { ...options, rules: PROJECT_RULES });
}

/** The violations that fail (rules held at `error`, not suppressed), with this project's rules. */
export function checkProjectGuardrails(json: TfJson, options: Omit<GuardrailsOptions, 'rules'> = {}): Violation[] {
  return [...projectGuardrails(json, options).violations];
}
