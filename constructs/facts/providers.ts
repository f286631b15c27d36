/**
 * The provider versions every synthesized stack requires (`terraform.required_providers`), and the engine version
 * it requires (`terraform.required_version`). These are the versions the verification tools run: each pin is the
 * release just before the provider commit the library's verification tools build from the Go module proxy into an
 * offline mirror (the `release` its tools record for each provider), so what its tests prove is what `cdktf deploy` downloads,
 * up to the changelog entries between the release and that commit (README "Verification with the real tools" keeps
 * them; setup and `npm run validate` print them). The prebuilt bindings (@cdktf/provider-aws 21.22.1 for aws 6.25.0,
 * @cdktf/provider-random 12.0.1 for 3.7.2, @cdktf/provider-docker 12.0.3 for 3.6.2) only shape the JSON: their own
 * version pins are overridden with these, and the engine validates every stack against the builds.
 *
 * Why "the release before" and not "the release that contains the commit": the commit's own changelog lists exactly
 * what it adds to the release before (aws: the "6.48.0 (Unreleased)" section), while the release that contains it
 * may hold later commits that nothing here has seen.
 */

/** Provider source (as in required_providers) → exact version. */
export const PROVIDER_VERSIONS: Readonly<Record<string, string>> = Object.freeze({
  'hashicorp/aws': '6.47.0',
  'hashicorp/random': '3.9.0',
  'kreuzwerker/docker': '4.6.0',
});

/**
 * The oldest engine the stacks accept: Terraform 1.10 (S3 native state locking, `use_lockfile`) or OpenTofu 1.10.
 * An older engine stops at `init` with "Unsupported Terraform Core version".
 */
export const MINIMUM_ENGINE_VERSION = '1.10.0';
