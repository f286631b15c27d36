/**
 * The move to cluster mode judged by the real tools (README "Moving to cluster mode"): production at 20,000 users at
 * each of its five steps, and created in cluster mode, synthesized as cdktf writes a stack; the real engine with the
 * offline mirror's AWS provider validates each (`cluster_mode` compatible/enabled, node groups, the secret's
 * precondition) and plans each against moto (what moto can hold: a plan from empty state, lookups resolved against an
 * AWS API; moto applies no ModifyReplicationGroup, so the transitions themselves are the review's and the guardrail's,
 * __tests__/unit/cluster-mode.test.ts). One synthesis, one validate run, one moto run.
 */
import * as fs from 'fs';
import { App } from 'cdktf';
import { CLUSTER_MODE_STEPS } from '../../config/cluster-mode';
import { ENVIRONMENTS } from '../../config/environments';
import { MotoRun, runAgainstMoto } from '../../scripts/tools/plan-moto';
import { expandingResources, readStacks, resourceAddresses, tempDir, Tools } from '../../scripts/tools/tools';
import { StackValidation, formatDiagnostic, validateAll } from '../../scripts/tools/validate';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { deploymentSettings } from '../../stacks/settings';
import { mustHaveTools, toolsForTests } from '../helpers/tools';

const DEPLOY_VARS = {
  client_access: { security_group_ids: [], cidrs: ['10.20.0.0/16'] },
  alarm_subscribers: { emails: ['oncall@example.com'], https_endpoints: [], topic_arns: [] },
};

/** Stack name → the production environment at a step (each looks up a VPC tagged with its own name in moto). */
const VARIANTS: Record<string, Partial<(typeof ENVIRONMENTS)['production']>> = {
  ...Object.fromEntries(CLUSTER_MODE_STEPS.map((step) => [`production-${step}`, { clusterModeStep: step }])),
  'production-created-in-cluster-mode': { clusterModeStep: 'resharded', createdInClusterMode: true },
};

function synthVariants(outdir: string): void {
  const app = new App({ outdir });
  for (const [name, variant] of Object.entries(VARIANTS)) {
    new CacheEnvironmentStack(app, name, {
      environment: { ...ENVIRONMENTS.production, expectedUsers: 20000, memoryFloorGiB: 4, ...variant },
      deployment: deploymentSettings('production', { CACHE_PRODUCTION_VPC_TAG: `Environment=${name}` }),
    });
  }
  app.synth();
}

const t = toolsForTests();
(t.skipReason ? describe.skip : describe)('the steps of the move, validated by the engine and planned against moto', () => {
  let outdir: string;
  let validations: StackValidation[];
  let moto: MotoRun;

  beforeAll(async () => {
    const tools: Tools = mustHaveTools(t);
    outdir = tempDir('isl-cluster-steps-');
    synthVariants(outdir);
    validations = await validateAll(outdir, { tools });
    moto = await runAgainstMoto({ outdir, noSubnetsStack: '', vars: DEPLOY_VARS, tools });
  }, 600000);
  afterAll(() => {
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('each step is valid for the real AWS provider, without a warning', () => {
    expect(validations.map((v) => [v.stack, v.valid, v.diagnostics.map(formatDiagnostic)])).toEqual(
      Object.keys(VARIANTS)
        .sort()
        .map((name) => [name, true, []]),
    );
  });

  test.each(Object.keys(VARIANTS))('%s: the plan against moto creates exactly the resources of the JSON', (name) => {
    const stack = readStacks(outdir).find((s) => s.name === name);
    const p = moto.plans.find((x) => x.stack === name);
    expect({ error: p?.error, missing: p?.missing, unexpected: p?.unexpected }).toEqual({ error: undefined, missing: [], unexpected: [] });
    const fixed = stack ? resourceAddresses(stack.json).filter((a) => !expandingResources(stack.json).includes(a)).length : -1;
    expect((p?.plannedCreates ?? 0) - (p?.plannedExpanded ?? 0)).toBe(fixed);
  });

  test('what each step synthesizes for the provider: cluster_mode, node groups', () => {
    const rg = (name: string): Record<string, unknown> | undefined =>
      Object.values(readStacks(outdir).find((s) => s.name === name)?.json.resource?.aws_elasticache_replication_group ?? {}).at(0);
    expect(
      Object.keys(VARIANTS)
        .sort()
        .map((n) => [
          n,
          rg(n)?.cluster_mode,
          rg(n)?.num_node_groups ?? null,
          rg(n)?.replicas_per_node_group ?? null,
          rg(n)?.num_cache_clusters ?? null,
        ]),
    ).toEqual([
      ['production-cluster', 'enabled', 1, 2, null],
      ['production-cluster-clients', 'compatible', 1, 2, null],
      ['production-compatible', 'compatible', 1, 2, null],
      ['production-created-in-cluster-mode', 'enabled', 3, 1, null],
      ['production-resharded', 'enabled', 3, 2, null],
      ['production-single-shard', 'disabled', null, null, 3],
    ]);
  });
});
