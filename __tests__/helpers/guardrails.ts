import { AWS_ENVIRONMENTS, AwsEnvironmentName } from '../../config/environments';
import { TfJson, Violation } from '../../constructs';
import { environmentOf } from '../../constructs/tf-json';
import { checkProjectGuardrails, environmentPacks } from '../../stacks/guardrails';

/**
 * The violations synth reports for a stack's JSON from `Testing.synth`, which strips the "//" metadata the stack
 * declares its packs in: the packs its environment declares (config/guardrails.ts) are passed instead, as the runner
 * allows, with this project's configured rules.
 */
export function environmentViolations(json: TfJson, stackName: string, base?: TfJson): Violation[] {
  const environment = environmentOf(json, stackName);
  const packs = (AWS_ENVIRONMENTS as readonly string[]).includes(environment) ? environmentPacks(environment as AwsEnvironmentName) : [];
  return checkProjectGuardrails(json, { stackName, base, packs });
}
