/**
 * checkov (terraform_json) on a fresh synth with .checkov.yaml: no finding outside the skips, every resource parsed,
 * every skip still needed and hiding only what it is for (scripts/tools/checkov.ts; one checkov process per scan).
 */
import * as fs from 'fs';
import * as path from 'path';
import { configSkips, runCheckov, CheckovResult } from '../../scripts/tools/checkov';
import { REPO_ROOT } from '../../scripts/tools/tools';
import { freshSynth, mustHaveTools, toolsForTests } from '../helpers/tools';

const t = toolsForTests();
(t.skipReason ? describe.skip : describe)('checkov on the synthesized stacks', () => {
  let withConfig: CheckovResult;
  /** The same synth with the alarm topic left unencrypted: the stack-wide CKV_AWS_26 skip must not hide it. */
  let broken: CheckovResult;
  let cleanup: () => void = () => undefined;

  beforeAll(async () => {
    const tools = mustHaveTools(t);
    const synth = await freshSynth('isl-tools-checkov-');
    const brokenDir = `${synth.outdir}-broken`;
    fs.cpSync(synth.outdir, brokenDir, { recursive: true });
    const file = path.join(brokenDir, 'stacks/production/cdk.tf.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { resource: { aws_sns_topic: Record<string, Record<string, unknown>> } };
    const alarms = Object.entries(json.resource.aws_sns_topic).find(([name]) => name.includes('alarms'));
    if (alarms) delete alarms[1].kms_master_key_id;
    fs.writeFileSync(file, JSON.stringify(json));
    cleanup = () => {
      synth.cleanup();
      fs.rmSync(brokenDir, { recursive: true, force: true });
    };
    [withConfig, broken] = await Promise.all([runCheckov(synth.outdir, { tools }), runCheckov(brokenDir, { tools })]);
  }, 180000);
  afterAll(() => {
    cleanup();
  });

  test('zero failed checks and no problem with .checkov.yaml', () => {
    expect(withConfig.failed.map((f) => `${f.checkId} ${f.file} ${f.resource}`)).toEqual([]);
    expect(withConfig.problems).toEqual([]);
    expect(withConfig.parsingErrors).toEqual([]);
  });

  test('checkov parsed every resource of every stack', () => {
    expect(Object.keys(withConfig.parsedResources).sort()).toEqual([
      'local/cdk.tf.json',
      'pilot/cdk.tf.json',
      'production/cdk.tf.json',
      'staging/cdk.tf.json',
    ]);
    expect(withConfig.parsedResources).toEqual(withConfig.jsonResources);
    expect(withConfig.passed).toBeGreaterThan(0);
  });

  test('every skip in .checkov.yaml still covers a finding (no stale skip), and what the skips accept is exactly this', () => {
    expect(withConfig.skips).toEqual(configSkips(path.join(REPO_ROOT, '.checkov.yaml')));
    expect(withConfig.staleSkips).toEqual([]);
    expect([...new Set(withConfig.accepted.map((f) => `${f.checkId} ${f.file}`))].sort()).toEqual([
      'CKV2_AWS_50 /pilot/cdk.tf.json',
      'CKV2_AWS_57 /pilot/cdk.tf.json',
      'CKV2_AWS_57 /production/cdk.tf.json',
      'CKV2_AWS_57 /staging/cdk.tf.json',
      'CKV_AWS_109 /pilot/cdk.tf.json',
      'CKV_AWS_109 /production/cdk.tf.json',
      'CKV_AWS_109 /staging/cdk.tf.json',
      'CKV_AWS_111 /pilot/cdk.tf.json',
      'CKV_AWS_111 /production/cdk.tf.json',
      'CKV_AWS_111 /staging/cdk.tf.json',
      'CKV_AWS_26 /pilot/cdk.tf.json',
      'CKV_AWS_26 /production/cdk.tf.json',
      'CKV_AWS_26 /staging/cdk.tf.json',
      'CKV_AWS_338 /pilot/cdk.tf.json',
      'CKV_AWS_338 /production/cdk.tf.json',
      'CKV_AWS_338 /staging/cdk.tf.json',
      'CKV_AWS_356 /pilot/cdk.tf.json',
      'CKV_AWS_356 /production/cdk.tf.json',
      'CKV_AWS_356 /staging/cdk.tf.json',
    ]);
  });

  test('a stack-wide skip hides nothing but what it is for: an unencrypted alarm topic is a problem, not skipped', () => {
    expect(broken.problems).toEqual([
      expect.stringMatching(
        /^CKV_AWS_26 fails on resource\.cache_alarms_\S+ in \/production\/cdk\.tf\.json, which is not the ElastiCache events topic/,
      ),
    ]);
  });
});
