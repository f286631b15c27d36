/**
 * Every shape the constructs can produce (../fixtures/shapes.ts: cluster mode, Valkey, a restore, each rotation and
 * migration step, a brought key and topics, a granted role) is judged by the real tools, not only the three
 * environments' defaults: the engine validates the fixture stack with the pinned providers' builds, and the real AWS
 * provider plans it against moto, creating exactly the resources of its JSON.
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
