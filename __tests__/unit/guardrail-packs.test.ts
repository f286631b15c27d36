/**
 * Guardrails as rule packs (constructs/guardrails/packs.ts, guardrails.ts, runner.ts), as another team uses them: a
 * stack is held to the baseline; it declares the packs it is held to, whatever its name; a construct is exempt from a
 * rule only with a reason, which the synthesized JSON, synth's annotations and the review show; a rule can be held at
 * `warning`; the declaration is read from cdk.tf.json's "//" metadata or passed where Testing.synth stripped it. And the
 * defaults the library hands out are frozen.
 */
import { Aspects, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import {
  BASELINE_PACK,
  CacheAlarms,
  DEFAULT_ALARM_THRESHOLDS,
  Guardrails,
  GuardrailsAspect,
  LIMITS,
  NODE_CATALOG,
  PROTECTED_PACK,
  REPLICATION_GROUP_DEFAULTS,
  RULE_PACKS,
  RedisReplicationGroup,
  SUSTAINED_LOAD_PACK,
  TfJson,
  ValidationError,
  checkGuardrails,
  definePack,
  evaluateGuardrails,
  pinVerifiedProviders,
} from '../../constructs';
import { LOCAL_IMAGES, LOCAL_REDIS_DEFAULTS } from '../../constructs/local';
import { renderMarkdown } from '../../scripts/review/markdown';
import { review } from '../../scripts/review/review';
import { guardrailsOutput } from '../../stacks/synthesize';
import { BASE_GROUP_PROPS, synthAsWritten } from '../helpers/synth';

/** Another team's production stack, named as they name it: one group without a replica, its alarms. */
function teamStack(name = 'orders-prod'): { stack: TerraformStack; cache: RedisReplicationGroup } {
  const stack = new TerraformStack(Testing.app(), name);
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new RandomProvider(stack, 'random');
  pinVerifiedProviders(stack);
  const cache = new RedisReplicationGroup(stack, 'cache', { ...BASE_GROUP_PROPS, replicationGroupId: 'orders-cache' });
  new CacheAlarms(stack, 'alarms', { replicationGroup: cache });
  return { stack, cache };
}

const rules = (vs: ReadonlyArray<{ rule: string }>) => vs.map((v) => v.rule);
const RG = 'aws_elasticache_replication_group.cache_replication-group_FA5C54CF';

describe('a stack is held to the packs it declares, not recognised by its name', () => {
  it('orders-prod without a declaration: the baseline only, which it passes', () => {
    const { stack } = teamStack();
    const report = evaluateGuardrails(synthAsWritten(stack));
    expect(report.packs.map((p) => p.id)).toEqual(['baseline']);
    expect(report.violations).toEqual([]);
  });

  it('orders-prod declaring PROTECTED_PACK: the declaration is in cdk.tf.json, and the protected rules refuse the group', () => {
    const { stack } = teamStack();
    Guardrails.of(stack).applyPack(PROTECTED_PACK);
    const json = synthAsWritten(stack);
    expect((json as Record<string, any>)['//'].guardrails).toEqual({ packs: [PROTECTED_PACK], suppressions: [] });
    const report = evaluateGuardrails(json);
    expect(report.packs.map((p) => p.id)).toEqual(['baseline', 'protected']);
    expect(report.violations.map((v) => `${v.rule}: ${v.resource}: ${v.message}`)).toEqual([
      `multi-az: ${RG}: orders-cache: Multi-AZ is off, automatic failover is off, no replica in orders-prod`,
      'alarm-subscribers: aws_cloudwatch_metric_alarm.alarms_001-auth-failures_D6DB2347: 14 alarm(s) in orders-prod notify nobody: their actions have no subscriber that is certain to exist (a subscription, an existing topic ARN, or subscriptions driven by a variable whose validation refuses an empty list)',
    ]);
  });

  it('the synth-time aspect reads the declaration too: Testing.synth(stack, true) fails on the protected rules', () => {
    const { stack } = teamStack();
    Guardrails.of(stack).applyPack(PROTECTED_PACK);
    Aspects.of(stack).add(new GuardrailsAspect());
    expect(() => Testing.synth(stack, true)).toThrow(
      /guardrail multi-az: aws_elasticache_replication_group\.\S+: orders-cache: Multi-AZ is off/,
    );
  });

  it('Testing.synth strips "//": the runner takes the declaration explicitly and finds the same', () => {
    const { stack } = teamStack();
    Guardrails.of(stack).applyPack(PROTECTED_PACK);
    const stripped = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(rules(checkGuardrails(stripped))).toEqual([]);
    expect(rules(checkGuardrails(stripped, { declaration: Guardrails.declarationOf(stack) }))).toEqual(['multi-az', 'alarm-subscribers']);
    expect(rules(checkGuardrails(stripped, { packs: [PROTECTED_PACK] }))).toEqual(['multi-az', 'alarm-subscribers']);
  });

  it('a pack applied to a construct holds the resources below it only', () => {
    const { stack, cache } = teamStack();
    Guardrails.of(cache).applyPack(PROTECTED_PACK);
    const json = synthAsWritten(stack) as Record<string, any>;
    expect(json['//'].guardrails).toBeUndefined();
    expect(json.resource.aws_elasticache_replication_group['cache_replication-group_FA5C54CF']['//'].guardrails.packs).toEqual([
      PROTECTED_PACK,
    ]);
    // multi-az concerns the group (below the construct); the alarms are outside it, so alarm-subscribers does not hold
    expect(rules(checkGuardrails(json))).toEqual(['multi-az']);
  });

  it('the library packs: every rule in exactly one, the baseline for every stack', () => {
    expect(Object.keys(RULE_PACKS)).toEqual(['baseline', 'protected', 'sustained-load']);
    const all = [BASELINE_PACK, PROTECTED_PACK, SUSTAINED_LOAD_PACK].flatMap((p) => Object.keys(p.rules));
    expect(new Set(all).size).toBe(all.length);
    expect(Object.keys(PROTECTED_PACK.rules)).toEqual([
      'transit-encryption',
      'auth',
      'multi-az',
      'backup-retention',
      'alarm-subscribers',
      'client-ingress',
      'application-commands',
    ]);
    expect(SUSTAINED_LOAD_PACK.rules).toEqual({ 'no-burstable-nodes': 'error' });
  });
});

describe('levels: a rule held at warning is reported and does not fail', () => {
  const relaxed = definePack({ ...PROTECTED_PACK, id: 'orders-test', rules: { ...PROTECTED_PACK.rules, 'multi-az': 'warning' } });

  it('evaluateGuardrails lists it under warnings', () => {
    const { stack } = teamStack('orders-test');
    Guardrails.of(stack).applyPack(relaxed);
    const report = evaluateGuardrails(synthAsWritten(stack));
    expect(rules(report.warnings)).toEqual(['multi-az']);
    expect(rules(report.violations)).toEqual(['alarm-subscribers']);
  });

  it('the stricter level holds where two packs name a rule', () => {
    const { stack } = teamStack('orders-test');
    Guardrails.of(stack).applyPack(relaxed).applyPack(PROTECTED_PACK);
    expect(rules(evaluateGuardrails(synthAsWritten(stack)).violations)).toEqual(['multi-az', 'alarm-subscribers']);
  });

  it('a pack with an unknown rule or level is refused, naming each', () => {
    expect(() =>
      definePack({ id: 'Orders Pack', description: 'x', rules: { 'multi-az': 'info' as never, 'no-such-rule': 'error' } }),
    ).toThrow(ValidationError);
    let error: ValidationError | undefined;
    try {
      definePack({ id: 'Orders Pack', description: 'x', rules: { 'multi-az': 'info' as never, 'no-such-rule': 'error' } });
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error?.problems.map((p) => `${p.field}: got ${p.got ?? ''}`)).toEqual([
      'id: got "Orders Pack"',
      'rules.multi-az: got "info"',
      'rules.no-such-rule: got "no-such-rule"',
    ]);
  });
});

describe('suppressions: a rule does not hold for a construct, with a reason everyone sees', () => {
  const REASON = 'single-zone load-test group, destroyed after each run';

  it('the reason is required: a short one or an unknown rule is refused, and nothing is declared', () => {
    const { cache } = teamStack();
    expect(() => Guardrails.of(cache).suppress('multi-az', 'test')).toThrow(
      'orders-prod/cache (Guardrails.suppress): invalid input:\n  - reason: why the rule does not hold here, at least 10 characters (synth output and reviews show it), got "test"',
    );
    expect(() => Guardrails.of(cache).suppress('multiaz', REASON)).toThrow(
      /rule: the id of a rule \(transit-encryption, auth, .*\), got "multiaz"/,
    );
    expect(Guardrails.of(cache).suppressions).toEqual([]);
  });

  it('in the JSON of each resource below the construct; the runner lists the violation as suppressed, with the reason', () => {
    const { stack, cache } = teamStack();
    Guardrails.of(stack).applyPack(PROTECTED_PACK);
    Guardrails.of(cache).suppress('multi-az', REASON);
    const json = synthAsWritten(stack) as Record<string, any>;
    expect(json.resource.aws_elasticache_replication_group['cache_replication-group_FA5C54CF']['//'].guardrails).toEqual({
      packs: [],
      suppressions: [{ rule: 'multi-az', reason: REASON }],
    });
    const report = evaluateGuardrails(json);
    expect(rules(report.violations)).toEqual(['alarm-subscribers']);
    expect(report.suppressed.map((v) => [v.rule, v.resource, v.level, v.reason])).toEqual([['multi-az', RG, 'error', REASON]]);
  });

  it('synth shows it: an info annotation with the reason, and synth passes for the suppressed rule', () => {
    const { stack, cache } = teamStack();
    Guardrails.of(stack)
      .applyPack(PROTECTED_PACK)
      .suppress('alarm-subscribers', 'alarms go to the team topic, subscribed by the on-call tool');
    Guardrails.of(cache).suppress('multi-az', REASON);
    Aspects.of(stack).add(new GuardrailsAspect());
    Testing.synth(stack, true);
    const infos = stack.node.metadata.filter((m) => m.type === '@cdktf/info').map((m) => String(m.data));
    expect(infos).toEqual([
      `guardrail multi-az: ${RG}: orders-cache: Multi-AZ is off, automatic failover is off, no replica in orders-prod (suppressed: ${REASON})`,
      expect.stringMatching(
        /^guardrail alarm-subscribers: .* \(suppressed: alarms go to the team topic, subscribed by the on-call tool\)$/,
      ),
    ]);
  });

  it("this project's synth prints a warning-level violation and a suppressed one with its reason, and stops only on an error", () => {
    const { stack, cache } = teamStack();
    Guardrails.of(stack).applyPack(
      definePack({ ...PROTECTED_PACK, id: 'orders-test', rules: { ...PROTECTED_PACK.rules, 'alarm-subscribers': 'warning' } }),
    );
    Guardrails.of(cache).suppress('multi-az', REASON);
    const report = evaluateGuardrails(synthAsWritten(stack));
    expect(guardrailsOutput('orders-prod', report, false)).toEqual({
      problems: [],
      printed: [
        'Warning: orders-prod: guardrail alarm-subscribers: aws_cloudwatch_metric_alarm.alarms_001-auth-failures_D6DB2347: 14 alarm(s) in orders-prod notify nobody: their actions have no subscriber that is certain to exist (a subscription, an existing topic ARN, or subscriptions driven by a variable whose validation refuses an empty list)',
        `Suppressed: orders-prod: guardrail multi-az: ${RG}: orders-cache: Multi-AZ is off, automatic failover is off, no replica in orders-prod (suppressed: ${REASON})`,
      ],
    });
  });

  it('the review shows it beside the stack, with the reason', () => {
    const { stack, cache } = teamStack();
    Guardrails.of(stack).applyPack(PROTECTED_PACK);
    Guardrails.of(cache).suppress('multi-az', REASON);
    const r = review({ 'orders-prod': synthAsWritten(stack) });
    expect(r.stacks[0].guardrails.packs).toEqual(['baseline', 'protected']);
    expect(renderMarkdown(r)).toContain(
      `- 🔕 suppressed \`multi-az\` ${RG}: orders-cache: Multi-AZ is off, automatic failover is off, no replica in orders-prod — **reason:** ${REASON}`,
    );
  });
});

describe('the defaults the library hands out are frozen', () => {
  it.each<[string, unknown]>([
    ['REPLICATION_GROUP_DEFAULTS', REPLICATION_GROUP_DEFAULTS],
    ['DEFAULT_ALARM_THRESHOLDS', DEFAULT_ALARM_THRESHOLDS],
    ['LOCAL_REDIS_DEFAULTS', LOCAL_REDIS_DEFAULTS],
    ['LOCAL_IMAGES', LOCAL_IMAGES],
    ['LIMITS', LIMITS],
    ['NODE_CATALOG', NODE_CATALOG],
    ['PROTECTED_PACK', PROTECTED_PACK],
  ])('%s, all the way down', (_, value) => {
    const unfrozen: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (v === null || typeof v !== 'object') return;
      if (!Object.isFrozen(v)) unfrozen.push(at);
      for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    walk(value, '');
    expect(unfrozen).toEqual([]);
  });

  it('an edit throws instead of changing every construct of the process', () => {
    expect(() => {
      (REPLICATION_GROUP_DEFAULTS as { engine: string }).engine = 'redis';
    }).toThrow(TypeError);
    expect(() => {
      (DEFAULT_ALARM_THRESHOLDS.cpu as { engineCpuPercent: number }).engineCpuPercent = 99;
    }).toThrow(TypeError);
    expect([REPLICATION_GROUP_DEFAULTS.engine, DEFAULT_ALARM_THRESHOLDS.cpu.engineCpuPercent]).toEqual(['valkey', 80]);
  });
});
