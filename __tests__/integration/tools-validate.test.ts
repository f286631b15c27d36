/**
 * The real engine and the real providers (the offline mirror's builds, scripts/tools/providers.json) judge a fresh
 * synth: `init -backend=false` + `validate` of every stack (scripts/tools/validate.ts).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadProviderMap, readPins, readStacks, REPO_ROOT, tempDir, verifiedPins } from '../../scripts/tools/tools';
import { freshSynth, mustHaveTools, toolsForTests } from '../helpers/tools';
import { formatDiagnostic, StackValidation, summaryLine, validateAll } from '../../scripts/tools/validate';
import { compareWithReference, readReference, schemaDigests } from '../../scripts/tools/schema-digest';

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
  let synthOutdir: string;
  let cleanup: () => void = () => undefined;

  beforeAll(async () => {
    const tools = mustHaveTools(t);
    const synth = await freshSynth('isl-tools-validate-');
    cleanup = synth.cleanup;
    synthOutdir = synth.outdir;
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

  test("the AWS provider the tools run has the full build's schema for every type the stacks use (scripts/tools/aws-schema-reference.json)", async () => {
    const ref = readReference();
    expect(ref.build).toBe('full');
    const got = await schemaDigests(mustHaveTools(t), Object.keys(ref.resources), Object.keys(ref.dataSources));
    expect(compareWithReference(got, ref)).toEqual([]);
    // and the reference covers every aws_ type the stacks use
    const used = (section: 'resource' | 'data') =>
      [
        ...new Set(results.flatMap((r) => Object.keys(readStacks(synthOutdir).find((st) => st.name === r.stack)?.json[section] ?? {}))),
      ].filter((x) => x.startsWith('aws_'));
    expect(used('resource').filter((x) => !(x in ref.resources))).toEqual([]);
    expect(used('data').filter((x) => !(x in ref.dataSources))).toEqual([]);
  }, 60000);

  test('after `source scripts/tools/env.sh`, a plain `terraform init` of a synthesized stack installs the pinned releases from the mirror', () => {
    const dir = tempDir('isl-envsh-');
    try {
      fs.copyFileSync(path.join(synthOutdir, 'stacks', 'pilot', 'cdk.tf.json'), path.join(dir, 'cdk.tf.json'));
      const out = execFileSync(
        'bash',
        ['-c', `source "${REPO_ROOT}/scripts/tools/env.sh" && cd "${dir}" && "$ENGINE" init -backend=false -input=false -no-color`],
        {
          encoding: 'utf8',
          env: { ...process.env, CHECKPOINT_DISABLE: '1' },
        },
      );
      expect(out).toMatch(/Installing hashicorp\/aws v6\.47\.0\.\.\./);
      expect(out).toMatch(/Installing hashicorp\/random v3\.9\.0\.\.\./);
      const lock = fs.readFileSync(path.join(dir, '.terraform.lock.hcl'), 'utf8');
      expect(
        lock.match(/provider "registry\.terraform\.io\/hashicorp\/[a-z]+" \{\n\s+version\s+= "[^"]+"/g)?.map((l) => l.replace(/\s+/g, ' ')),
      ).toEqual([
        'provider "registry.terraform.io/hashicorp/aws" { version = "6.47.0"',
        'provider "registry.terraform.io/hashicorp/random" { version = "3.9.0"',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
