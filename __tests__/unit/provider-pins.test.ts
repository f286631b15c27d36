/**
 * What the stacks pin is what the verification tools run (README "Verification with the real tools"): each provider
 * version in required_providers is the release that scripts/tools/providers.json builds, and every stack requires an
 * engine that has S3 native state locking.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { MINIMUM_ENGINE_VERSION, PROVIDER_VERSIONS } from '../../constructs/facts/providers';
import { pinVerifiedProviders } from '../../constructs/providers';
import { loadProviderMap } from '../../scripts/tools/tools';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { LocalStack } from '../../stacks/local-stack';
import { deploymentSettings } from '../../stacks/settings';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';

const majorMinor = (v: string) => v.split('.').slice(0, 2).join('.');

describe('provider pins', () => {
  test('the pins are the releases before the commits the tools build', () => {
    expect(PROVIDER_VERSIONS).toEqual({ 'hashicorp/aws': '6.47.0', 'hashicorp/random': '3.9.0', 'kreuzwerker/docker': '4.6.0' });
    expect(MINIMUM_ENGINE_VERSION).toBe('1.10.0');
  });

  test('each pin is the release its mirror build stands for (no other major or minor, no other patch)', () => {
    const builds = Object.fromEntries(loadProviderMap().map((p) => [p.source.replace('registry.terraform.io/', ''), p.release]));
    for (const [source, pin] of Object.entries(PROVIDER_VERSIONS)) {
      expect({ source, line: majorMinor(builds[source] ?? 'none') }).toEqual({ source, line: majorMinor(pin) });
      expect({ source, release: builds[source] }).toEqual({ source, release: pin });
    }
    expect(Object.keys(builds).sort()).toEqual(Object.keys(PROVIDER_VERSIONS).sort());
  });

  test('every stack of the app requires the pinned versions and Terraform/OpenTofu >= 1.10', () => {
    const app = Testing.app();
    const stacks: TerraformStack[] = [
      ...(['pilot', 'staging', 'production'] as const).map(
        (name) => new CacheEnvironmentStack(app, name, { environment: FIXED_ENVIRONMENTS[name], deployment: deploymentSettings(name, {}) }),
      ),
      new LocalStack(app, 'local', { env: {} }),
    ];
    const terraform = stacks.map((s) => {
      const t = (
        JSON.parse(Testing.synth(s)) as { terraform: { required_providers: Record<string, { version: string }>; required_version: string } }
      ).terraform;
      return {
        versions: Object.fromEntries(Object.entries(t.required_providers).map(([k, v]) => [k, v.version])),
        engine: t.required_version,
      };
    });
    expect(terraform).toEqual([
      { versions: { aws: '6.47.0', random: '3.9.0' }, engine: '>= 1.10.0' },
      { versions: { aws: '6.47.0', random: '3.9.0' }, engine: '>= 1.10.0' },
      { versions: { aws: '6.47.0', random: '3.9.0' }, engine: '>= 1.10.0' },
      { versions: { docker: '4.6.0', random: '3.9.0' }, engine: '>= 1.10.0' },
    ]);
  });

  test("another team's stack gets the same pins from pinVerifiedProviders; the bindings alone would pin 6.25.0", () => {
    const stack = new TerraformStack(Testing.app(), 'other');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new RandomProvider(stack, 'random');
    const before = (JSON.parse(Testing.synth(stack)) as { terraform: { required_providers: { aws: { version: string } } } }).terraform;
    expect(before.required_providers.aws.version).toBe('6.25.0');
    expect(pinVerifiedProviders(stack)).toEqual({ aws: '6.47.0', random: '3.9.0' });
    const after = (JSON.parse(Testing.synth(stack)) as { terraform: Record<string, unknown> }).terraform;
    expect(after).toEqual({
      required_providers: { aws: { source: 'aws', version: '6.47.0' }, random: { source: 'hashicorp/random', version: '3.9.0' } },
      required_version: '>= 1.10.0',
    });
  });
});
