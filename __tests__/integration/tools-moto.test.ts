/**
 * The real engine plans every AWS stack with the real AWS provider against moto on loopback
 * (scripts/tools/plan-moto.ts): each plan creates exactly the JSON's resources (synthesized with a region and a
 * state bucket, as a deploy of a protected environment must be); without private subnets, or for a protected
 * environment without subscribers, clients, AWS_REGION and CACHE_STATE_BUCKET, the plan must fail with the project's
 * messages.
 */
import { MotoRun, runAgainstMoto } from '../../scripts/tools/plan-moto';
import { expandingResources, readStacks, resourceAddresses, Tools } from '../../scripts/tools/tools';
import { freshSynth, mustHaveTools, toolsForTests } from '../helpers/tools';

/** What a deploy of a protected environment passes (or synthesizes from CACHE_<ENV>_* settings). */
const DEPLOY_VARS = {
  client_access: { security_group_ids: [], cidrs: ['10.20.0.0/16'] },
  alarm_subscribers: { emails: ['oncall@example.com'], https_endpoints: [], topic_arns: [] },
};

/** What a deploy of a protected environment sets at synth (the moto override replaces the S3 backend by a local one). */
const DEPLOY_SETTINGS = { AWS_REGION: 'us-east-1', CACHE_STATE_BUCKET: 'isl-cache-test-state' };

const t = toolsForTests();
(t.skipReason ? describe.skip : describe)('plans against moto', () => {
  let result: MotoRun;
  let fixed: Record<string, number>;
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    const tools: Tools = mustHaveTools(t);
    const synth = await freshSynth('isl-tools-moto-', DEPLOY_SETTINGS);
    const defaults = await freshSynth('isl-tools-moto-defaults-');
    cleanups.push(synth.cleanup, defaults.cleanup);
    fixed = Object.fromEntries(
      readStacks(synth.outdir).map((s) => [
        s.name,
        resourceAddresses(s.json).filter((a) => !expandingResources(s.json).includes(a)).length,
      ]),
    );
    result = await runAgainstMoto({
      outdir: synth.outdir,
      noSubnetsStack: 'staging',
      noSubnetsVars: {},
      noSubnetsOutdir: defaults.outdir,
      vars: DEPLOY_VARS,
      tools,
    });
  }, 300000);
  afterAll(() => {
    for (const c of cleanups) c();
  });

  test.each(['pilot', 'staging', 'production'])('%s: the plan succeeds and creates exactly the resources of the JSON', (stack) => {
    const p = result.plans.find((x) => x.stack === stack);
    expect({ error: p?.error, missing: p?.missing, unexpected: p?.unexpected }).toEqual({ error: undefined, missing: [], unexpected: [] });
    // count/for_each blocks (subscriptions, client rules) plan 0 or more instances each
    expect((p?.plannedCreates ?? 0) - (p?.plannedExpanded ?? 0)).toBe(fixed[stack]);
  });

  test('staging in a VPC without private subnets, without subscribers, clients, region or state bucket: the plan fails, naming each setting to fix', () => {
    // the engine wraps its messages at 80 columns
    const error = (result.noSubnets?.error ?? 'the plan succeeded').replace(/\s+/g, ' ');
    for (const zone of ['us-east-1a', 'us-east-1b']) {
      expect(error).toContain(`staging: no subnet tagged Tier=private in zone ${zone} of the VPC, where a cache node is placed`);
    }
    expect(error).toContain(
      'No alarm subscriber: the alarms would page nobody. staging needs at least one: set CACHE_STAGING_ALARM_EMAILS',
    );
    expect(error).toContain('staging: no client named: only the application may reach its cache (guide 001)');
    expect(error).toContain(
      'staging is protected: it is never deployed onto a local state file or a default region. Set AWS_REGION and CACHE_STATE_BUCKET and synthesize again',
    );
  });
});
