/**
 * Guardrail `provider-versions`: a stack requires exactly the provider releases the library is verified with
 * (../../facts/providers.ts, the releases the verification tools build) and an engine new enough for S3 native locking.
 * The prebuilt bindings would otherwise pin their own, older releases, which nothing here ever ran: aws 6.25.0, for
 * one, refuses `auth_token_update_strategy` without `auth_token` at the first plan (fixed by hashicorp/terraform-provider-aws
 * PR #45518, December 2025). Fix: `pinVerifiedProviders(stack)` (constructs/providers.ts).
 */
import { MINIMUM_ENGINE_VERSION, PROVIDER_VERSIONS } from '../../facts/providers';
import { verifiedVersion } from '../../providers';
import { GuardrailRule, RuleContext, Violation } from './rule';

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const terraform = ctx.json.terraform ?? {};
  const required = (terraform.required_providers ?? {}) as Record<string, { source?: string; version?: string }>;
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const [name, p] of Object.entries(required)) {
    const verified = verifiedVersion(p.source ?? name);
    if (verified !== undefined && p.version !== verified) {
      out.push({
        resource: `terraform.required_providers.${name}`,
        message: `pins ${p.source ?? name} ${String(p.version)}, but the constructs are verified with ${verified}: call pinVerifiedProviders(stack) after creating the providers`,
      });
    }
  }
  if (Object.keys(required).length && terraform.required_version !== `>= ${MINIMUM_ENGINE_VERSION}`) {
    out.push({
      resource: 'terraform.required_version',
      message: `is ${JSON.stringify(terraform.required_version ?? null)}; required: ">= ${MINIMUM_ENGINE_VERSION}" (S3 native state locking), set by pinVerifiedProviders(stack)`,
    });
  }
  return out;
}

export const rule: GuardrailRule = {
  id: 'provider-versions',
  requires: `the verified provider releases (${Object.entries(PROVIDER_VERSIONS)
    .map(([s, v]) => `${s} ${v}`)
    .join(', ')}) and an engine >= ${MINIMUM_ENGINE_VERSION}`,
  source: 'constructs/facts/providers.ts (the builds the verification tools run); hashicorp/terraform-provider-aws PR #45518',
  check,
};
