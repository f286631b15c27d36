/**
 * Every shape the constructs can produce (../fixtures/shapes.ts: each step of the move to cluster mode and a group
 * created in cluster mode, Valkey and Redis OSS, a restore, each rotation and migration step, a brought key and topics,
 * a granted role) is judged by the real tools, not only the three environments' defaults: the engine validates the
 * fixture stack with the pinned providers' builds, and the real AWS provider plans it against moto (a plan from
 * empty state; moto applies no ModifyReplicationGroup, so the transitions between the steps are the review's and the
 * guardrail's, unit/cluster-mode.test.ts), creating exactly the resources of its JSON. One synthesis, one validate, one
 * plan.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PlanResult, runAgainstMoto } from '../../scripts/tools/plan-moto';
import { expandingResources, readStacks, resourceAddresses, tempDir, Tools } from '../../scripts/tools/tools';
import { formatDiagnostic, StackValidation, validateAll } from '../../scripts/tools/validate';
import { SHAPES, synthShapes } from '../fixtures/shapes';
import { mustHaveTools, toolsForTests } from '../helpers/tools';

const t = toolsForTests();
(t.skipReason ? describe.skip : describe)('every shape, judged by the real engine and provider', () => {
  let outdir: string;
  let validation: StackValidation;
  let plan: PlanResult;
  let fixed: number;

  beforeAll(async () => {
    const tools: Tools = mustHaveTools(t);
    outdir = tempDir('isl-shapes-');
    synthShapes(outdir);
    const [stack] = readStacks(outdir);
    fixed = resourceAddresses(stack.json).filter((a) => !expandingResources(stack.json).includes(a)).length;
    [
      [validation],
      {
        plans: [plan],
      },
    ] = await Promise.all([
      validateAll(outdir, { tools, workRoot: path.join(outdir, 'validate') }),
      runAgainstMoto({ outdir, noSubnetsStack: '', tools, workRoot: path.join(outdir, 'moto') }),
    ]);
  }, 240000);
  afterAll(() => {
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  test('the fixture holds every shape as its own replication group', () => {
    const [stack] = readStacks(outdir);
    const groups = Object.values(stack.json.resource?.aws_elasticache_replication_group ?? {}).map((g) => String(g.replication_group_id));
    expect(groups.sort()).toEqual(
      Object.keys(SHAPES)
        .map((n) => `shape-${n}`)
        .sort(),
    );
  });

  test('what each step of the move to cluster mode synthesizes for the provider: cluster_mode and node groups', () => {
    const [stack] = readStacks(outdir);
    const rg = (id: string) =>
      Object.values(stack.json.resource?.aws_elasticache_replication_group ?? {}).find((g) => g.replication_group_id === id) ?? {};
    expect(
      ['single-shard', 'compatible', 'cluster-clients', 'cluster', 'resharded'].map((step) => {
        const g = rg(`shape-step-${step}`);
        return [step, g.cluster_mode, g.num_node_groups ?? null, g.replicas_per_node_group ?? null, g.num_cache_clusters ?? null];
      }),
    ).toEqual([
      ['single-shard', 'disabled', null, null, 3],
      ['compatible', 'compatible', 1, 2, null],
      ['cluster-clients', 'compatible', 1, 2, null],
      ['cluster', 'enabled', 1, 2, null],
      ['resharded', 'enabled', 3, 2, null],
    ]);
    const created = rg('shape-created-cluster');
    expect([created.cluster_mode, created.num_node_groups, created.replicas_per_node_group]).toEqual(['enabled', 3, 1]);
  });

  test('terraform validate: valid, no warnings', () => {
    expect({ valid: validation.valid, diagnostics: validation.diagnostics.map(formatDiagnostic), init: validation.initError }).toEqual({
      valid: true,
      diagnostics: [],
      init: undefined,
    });
  });

  test('the plan against moto succeeds and creates exactly the resources of the JSON', () => {
    expect({ error: plan.error, missing: plan.missing, unexpected: plan.unexpected }).toEqual({
      error: undefined,
      missing: [],
      unexpected: [],
    });
    expect(plan.plannedCreates - plan.plannedExpanded).toBe(fixed);
  });
});
