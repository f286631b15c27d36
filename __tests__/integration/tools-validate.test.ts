/**
 * The real engine and the real providers (the offline mirror's builds, scripts/tools/providers.json) judge a fresh
 * synth: `init -backend=false` + `validate` of every stack (scripts/tools/validate.ts).
 */
import { loadProviderMap, readPins, substitutions } from '../../scripts/tools/tools';
import { freshSynth, mustHaveTools, toolsForTests } from '../helpers/tools';
import { formatDiagnostic, StackValidation, summaryLine, validateAll } from '../../scripts/tools/validate';

describe('provider pins → offline mirror', () => {
  test('a pin that scripts/tools/providers.json does not map fails, naming the provider and the mapped versions', () => {
    const aws = loadProviderMap().find((p) => p.source === 'registry.terraform.io/hashicorp/aws')!;
    const json = {
      terraform: { required_providers: { aws: { source: 'aws', version: '0.0.1' }, foo: { source: 'acme/foo', version: '1.0.0' } } },
    };
    expect(() => substitutions('pilot', readPins(json))).toThrow(
      'pilot: the synthesized JSON pins provider versions the offline mirror does not map: ' +
        `registry.terraform.io/hashicorp/aws 0.0.1 (scripts/tools/providers.json maps only ${aws.pinned.join(', ')} of it); ` +
        'registry.terraform.io/acme/foo 1.0.0 (no build of this provider in scripts/tools/providers.json)',
    );
  });

  test('every mirror version is a prerelease, never the pinned number itself', () => {
    for (const p of loadProviderMap()) {
      expect(p.mirrorVersion).toMatch(/^\d+\.\d+\.\d+-dev\.\d{8}$/);
      expect(p.pinned).not.toContain(p.mirrorVersion);
    }
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
