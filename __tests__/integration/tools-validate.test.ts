/**
 * The real engine and the real providers (the offline mirror's builds, scripts/tools/providers.json) judge a fresh
 * synth: `init -backend=false` + `validate` of every stack (scripts/tools/validate.ts).
 */
import { loadProviderMap, readPins, verifiedPins } from '../../scripts/tools/tools';
import { freshSynth, mustHaveTools, toolsForTests } from '../helpers/tools';
import { formatDiagnostic, StackValidation, summaryLine, validateAll } from '../../scripts/tools/validate';

describe('provider pins = the releases the tools build', () => {
  test('a pin the mirror does not hold fails, naming the provider, the pin and the release the mirror holds', () => {
    const json = {
      terraform: { required_providers: { aws: { source: 'aws', version: '6.25.0' }, foo: { source: 'acme/foo', version: '1.0.0' } } },
    };
    expect(() => verifiedPins('pilot', readPins(json))).toThrow(
      'pilot: the synthesized JSON pins provider versions the verification tools do not run: ' +
        'registry.terraform.io/hashicorp/aws 6.25.0 (the mirror holds 6.47.0, built from commit 5f2286d6d836); ' +
        'registry.terraform.io/acme/foo 1.0.0 (no build of this provider in scripts/tools/providers.json)',
    );
  });

  test('each stack pins exactly the release each build stands for', () => {
    expect(loadProviderMap().map((p) => `${p.source} ${p.release} ${p.commit}`)).toEqual([
      'registry.terraform.io/hashicorp/aws 6.47.0 5f2286d6d836',
      'registry.terraform.io/hashicorp/random 3.9.0 e1092b0cfc07',
      'registry.terraform.io/kreuzwerker/docker 4.6.0 96d331c98ff4',
    ]);
  });
});

const t = toolsForTests();
(t.skipReason ? describe.skip : describe)('validate with the real engine and providers', () => {
  let results: StackValidation[];
  let cleanup: () => void = () => undefined;

  beforeAll(async () => {
    const tools = mustHaveTools(t);
    const synth = await freshSynth('isl-tools-validate-');
    cleanup = synth.cleanup;
    results = await validateAll(synth.outdir, { tools });
  }, 120000);
  afterAll(() => {
    cleanup();
  });

  test('one verdict per stack: every stack valid', () => {
    const verdicts = results.map((r) => `${r.stack}: ${r.valid ? 'valid' : 'INVALID'}`);
    const details = results.map((r) => [summaryLine(r), ...r.diagnostics.map(formatDiagnostic), r.initError ?? ''].join('\n')).join('\n');
    expect({ verdicts, details }).toEqual({
      verdicts: ['local: valid', 'pilot: valid', 'production: valid', 'staging: valid'],
      details: expect.any(String),
    });
  });

  test('no warnings either (deprecated arguments, attributes the provider ignores)', () => {
    const diagnostics = results.flatMap((r) => r.diagnostics.map((d) => `${r.stack}: ${formatDiagnostic(d)}`));
    expect(diagnostics).toEqual([]);
  });
});
