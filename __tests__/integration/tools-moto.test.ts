/**
 * The real engine plans an AWS stack with the real AWS provider against moto on loopback (scripts/tools/plan-moto.ts):
 * the plan creates exactly the JSON's resources; without private subnets the plan must fail with the project's
 * message.
 */
import { MotoRun, runAgainstMoto } from '../../scripts/tools/plan-moto';
import { expandingResources, readStacks, resourceAddresses } from '../../scripts/tools/tools';
import { freshSynth, mustHaveTools, toolsForTests } from '../helpers/tools';

/**
 * What the engine must say when the subnet lookup finds no private subnet (the stacks' postcondition on the
 * data.aws_subnets lookups; ISL_NO_SUBNETS_MESSAGE overrides it).
 */
const NO_SUBNETS_MESSAGE = process.env.ISL_NO_SUBNETS_MESSAGE ?? 'no subnet tagged Tier=private in zone';

const t = toolsForTests();
(t.skipReason ? describe.skip : describe)('plan against moto', () => {
  let result: MotoRun;
  let jsonAddresses: string[];
  let cleanup: () => void = () => undefined;

  beforeAll(async () => {
    const tools = mustHaveTools(t);
    const synth = await freshSynth('isl-tools-moto-');
    cleanup = synth.cleanup;
    const pilot = readStacks(synth.outdir).find((s) => s.name === 'pilot')!.json;
    jsonAddresses = resourceAddresses(pilot).filter((a) => !expandingResources(pilot).includes(a));
    result = await runAgainstMoto({ outdir: synth.outdir, stacks: ['pilot'], noSubnetsStack: 'pilot', tools });
  }, 150000);
  afterAll(() => {
    cleanup();
  });

  test('pilot: the plan succeeds and creates exactly the resources of the JSON', () => {
    const [p] = result.plans;
    expect({ error: p.error, missing: p.missing, unexpected: p.unexpected }).toEqual({ error: undefined, missing: [], unexpected: [] });
    expect(p.plannedCreates - p.plannedExpanded).toBe(jsonAddresses.length); // count/for_each blocks may plan 0 or more
    expect(p.plannedCreates).toBeGreaterThan(0);
  });

  test('pilot in a VPC without private subnets: the plan fails with the project message', () => {
    expect(result.noSubnets?.error ?? 'the plan succeeded').toContain(NO_SUBNETS_MESSAGE);
  });
});
