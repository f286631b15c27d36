/**
 * Pins a stack's providers and engine to the versions this library is verified with (./facts/providers.ts): the
 * prebuilt bindings write their own, older versions into `required_providers` (aws 6.25.0, random 3.7.2, docker
 * 3.6.2), which the project's tools never ran. Call it once per stack, after its providers are created; a provider
 * the library has not been verified with keeps the bindings' version (guardrail `provider-versions` names it).
 */
import { TerraformProvider, TerraformStack } from 'cdktf';
import { MINIMUM_ENGINE_VERSION, PROVIDER_VERSIONS } from './facts/providers';

/** `aws` → `hashicorp/aws`; `kreuzwerker/docker` stays; `registry.terraform.io/x/y` → `x/y`. */
export function providerSourceKey(source: string): string {
  const parts = source.toLowerCase().split('/');
  if (parts.length === 1) return `hashicorp/${parts[0]}`;
  return parts.slice(-2).join('/');
}

/** The verified release of a provider source (`aws`, `hashicorp/aws`, `registry.terraform.io/hashicorp/aws`), if any. */
export function verifiedVersion(source: string): string | undefined {
  const key = providerSourceKey(source);
  return Object.prototype.hasOwnProperty.call(PROVIDER_VERSIONS, key) ? PROVIDER_VERSIONS[key] : undefined;
}

/**
 * Writes the verified version of each provider of `stack` into `terraform.required_providers` and
 * `terraform.required_version` (`>= 1.10.0`: S3 native state locking; an older engine stops at init with a clear
 * message). Returns the pins it wrote, by local name.
 */
export function pinVerifiedProviders(stack: TerraformStack): Record<string, string> {
  const pinned: Record<string, string> = {};
  for (const child of stack.node.children) {
    if (!(child instanceof TerraformProvider) || child.terraformProviderSource === undefined) continue;
    const version = verifiedVersion(child.terraformProviderSource);
    if (version === undefined) continue;
    stack.addOverride(`terraform.required_providers.${child.terraformResourceType}.version`, version);
    pinned[child.terraformResourceType] = version;
  }
  stack.addOverride('terraform.required_version', `>= ${MINIMUM_ENGINE_VERSION}`);
  return pinned;
}
