/**
 * Plan review and guardrails (scripts/review/, constructs/guardrails/; the command line: review-cli.test.ts):
 * environment stacks synthesized in memory, one synth per configuration, compared base → head. The environments are
 * fixtures (../helpers/environments.ts), so changing an environment's users in config/ changes none of these.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, TerraformStack, Testing } from 'cdktf';
import { deploymentSettings } from '../../stacks/settings';
import { EnvironmentConfig } from '../../config/environments';
import { GuardrailsAspect, applyGuardrails } from '../../constructs/guardrails/aspect';
import { environmentViolations } from '../helpers/guardrails';
import { checkProjectGuardrails } from '../../stacks/guardrails';
import { diffStacks } from '../../scripts/review/diff';
import { renderMarkdown } from '../../scripts/review/markdown';
import { replacementOf } from '../../scripts/review/replacement';
import { review } from '../../scripts/review/review';
import { ThresholdUnit, thresholdText } from '../../scripts/review/summary';
import { TfJson } from '../../constructs/tf-json';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { LocalStack } from '../../stacks/local-stack';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';
import { synthAsWritten } from '../helpers/synth';

type Json = TfJson & { resource: Record<string, Record<string, any>> };

const RG = 'aws_elasticache_replication_group';
const PG = 'aws_elasticache_parameter_group';

function stackOf(env: EnvironmentConfig, app: App = Testing.app()): CacheEnvironmentStack {
  return new CacheEnvironmentStack(app, env.name, { environment: env, deployment: deploymentSettings(env.name, {}) });
}
/** As `cdktf synth` writes it: with the "//" metadata in which staging and production declare their guardrail packs. */
const synth = (stack: TerraformStack): Json => synthAsWritten(stack);
const clone = (json: Json): Json => JSON.parse(JSON.stringify(json));
const rgOf = (json: Json) => Object.values(json.resource[RG])[0];
const rgAddress = (json: Json) => `${RG}.${Object.keys(json.resource[RG])[0]}`;

/** Every configuration, synthesized once. */
const cfg = {
  pilot: FIXED_ENVIRONMENTS.pilot,
  staging: FIXED_ENVIRONMENTS.staging,
  production: FIXED_ENVIRONMENTS.production,
  productionValkey: { ...FIXED_ENVIRONMENTS.production, engine: 'valkey' } as EnvironmentConfig,
  productionBigger: { ...FIXED_ENVIRONMENTS.production, memoryFloorGiB: 16 } as EnvironmentConfig,
  stagingNoReplica: { ...FIXED_ENVIRONMENTS.staging, expectedUsers: 50 } as EnvironmentConfig,
};
type Name = keyof typeof cfg;
const stacks = {} as Record<Name, CacheEnvironmentStack>;
const json = {} as Record<Name, Json>;

beforeAll(() => {
  for (const name of Object.keys(cfg) as Name[]) {
    stacks[name] = stackOf(cfg[name]);
    json[name] = synth(stacks[name]);
  }
});

/** JSON mutations for what the constructs never produce. */
const mutate = {
  downgradeTo62: (j: Json) => {
    const out = clone(j);
    Object.assign(rgOf(out), { engine_version: '6.2' });
    Object.assign(Object.values(out.resource[PG])[0], {
      family: 'redis6.x',
      name: 'isl-cache-production-redis6-x',
      description: 'isl-cache-production redis6.x parameters',
    });
    return out;
  },
  atRestOff: (j: Json) => {
    const out = clone(j);
    rgOf(out).at_rest_encryption_enabled = 'false';
    delete rgOf(out).kms_key_id;
    return out;
  },
  noFinalSnapshot: (j: Json) => {
    const out = clone(j);
    delete rgOf(out).final_snapshot_identifier;
    return out;
  },
};

interface Case {
  readonly name: string;
  readonly stack: 'staging' | 'production';
  readonly base: () => Json;
  readonly head: () => Json;
  /** Expected argument changes of the replication group (and parameter group): attribute → replaces. */
  readonly rg: Record<string, boolean>;
  /** The parameter group's changed arguments → replaces (it is then replaced, created before destroyed); none: unchanged. */
  readonly pg?: Record<string, boolean>;
  readonly rgAction: 'update' | 'replace';
  /** The data-loss gate: a replaced group is data loss and an outage, whatever its final snapshot. */
  readonly dataLoss: boolean;
  /** What the review says first (every call-out joined), or nothing. */
  readonly callout: RegExp;
  /** USD a month, head − base. */
  readonly costDelta: number;
  readonly violations: string[];
  /** Alarms deleted (those of a removed node, or the latency alarms Redis OSS lacks); nothing else is deleted. */
  readonly alarmsDeleted: number;
}

const CASES: Case[] = [
  {
    name: 'engine family change redis 7.1 → valkey 8.1',
    stack: 'production',
    base: () => json.production,
    head: () => json.productionValkey,
    rg: { engine: false, engine_version: false, parameter_group_name: false },
    pg: { description: true, family: true, name: true },
    rgAction: 'update',
    dataLoss: false,
    callout: /^$/,
    costDelta: -137.97,
    violations: [],
    alarmsDeleted: 0,
  },
  {
    name: 'engine change valkey 8.1 → redis 7.1',
    stack: 'production',
    base: () => json.productionValkey,
    head: () => json.production,
    rg: { engine: true, engine_version: true },
    pg: { description: true, family: true, name: true },
    rgAction: 'replace',
    dataLoss: true,
    callout:
      /^aws_elasticache_replication_group\.\S+ \(isl-cache-production\) is REPLACED: DATA LOSS AND OUTAGE\. The group is deleted and created again \(engine "valkey" → "redis": engine valkey → redis replaces the group; .*\): the cache is down from the delete until the new group is available, and the new group starts EMPTY\. The current data is kept in the final snapshot isl-cache-production-final-<random hex from random_id\.[^,]+, new per group generation>\. ElastiCache restores a snapshot only into the same or a newer engine version, and this change goes to an older one \(valkey 8\.1 → redis 7\.1\): no snapshot of the current group can seed the new one; reload the data from its source\.$/,
    costDelta: 137.97,
    violations: [],
    alarmsDeleted: 6,
  },
  {
    name: 'engine version downgrade redis 7.1 → 6.2',
    stack: 'production',
    base: () => json.production,
    head: () => mutate.downgradeTo62(json.production),
    rg: { engine_version: true },
    pg: { description: true, family: true, name: true },
    rgAction: 'replace',
    dataLoss: true,
    callout:
      /is REPLACED: DATA LOSS AND OUTAGE\. .*this change goes to an older one \(redis 7\.1 → 6\.2\): no snapshot of the current group can seed the new one/,
    costDelta: 0,
    violations: [],
    alarmsDeleted: 0,
  },
  {
    name: 'node type change',
    stack: 'production',
    base: () => json.production,
    head: () => json.productionBigger,
    rg: { node_type: false },
    rgAction: 'update',
    dataLoss: false,
    callout: /^$/,
    costDelta: 267.18,
    violations: [],
    alarmsDeleted: 0,
  },
  {
    name: 'encryption at rest turned off',
    stack: 'production',
    base: () => json.production,
    head: () => mutate.atRestOff(json.production),
    rg: { at_rest_encryption_enabled: true, kms_key_id: true },
    rgAction: 'replace',
    dataLoss: true,
    callout:
      /the new group starts EMPTY\. The current data is kept in the final snapshot isl-cache-production-final-<[^>]+>\. To keep serving the data, take a snapshot first \(`aws elasticache create-snapshot --replication-group-id isl-cache-production --snapshot-name isl-cache-production-before-change`\) and set restoreFromSnapshot: 'isl-cache-production-before-change' for production \(config\/environments\.ts\) in this change/,
    costDelta: 0,
    violations: ['encryption-at-rest'],
    alarmsDeleted: 0,
  },
  {
    name: 'encryption at rest turned off, no final snapshot',
    stack: 'production',
    base: () => mutate.noFinalSnapshot(json.production),
    head: () => mutate.atRestOff(mutate.noFinalSnapshot(json.production)),
    rg: { at_rest_encryption_enabled: true },
    rgAction: 'replace',
    dataLoss: true,
    callout: /is REPLACED: DATA LOSS AND OUTAGE\. .*No final snapshot is taken: the current data is gone for good\./,
    costDelta: 0,
    violations: ['encryption-at-rest'],
    alarmsDeleted: 0,
  },
  {
    name: 'a removed replica',
    stack: 'staging',
    base: () => json.staging,
    head: () => json.stagingNoReplica,
    rg: { num_cache_clusters: false, multi_az_enabled: false, automatic_failover_enabled: false },
    rgAction: 'update',
    dataLoss: false,
    callout: /^$/,
    costDelta: -47.45,
    violations: ['multi-az'],
    alarmsDeleted: 13,
  },
];

describe('review of a change against a base', () => {
  it('sized the mutated configurations as intended', () => {
    const sized = (name: Name) => `${stacks[name].plan.totalNodes} × ${stacks[name].plan.nodeType.name}`;
    expect(sized('production')).toBe('3 × cache.m7g.xlarge');
    expect(sized('productionBigger')).toBe('3 × cache.r7g.xlarge');
    expect(sized('staging')).toBe('2 × cache.t4g.medium');
    expect(sized('stagingNoReplica')).toBe('1 × cache.t4g.medium');
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const base = c.base();
    const head = c.head();
    const r = review({ [c.stack]: head }, { [c.stack]: base }).stacks[0];

    const rgChanges = r.changes.filter((x) => x.resource === rgAddress(head));
    expect(Object.fromEntries(rgChanges.filter((x) => x.attribute in c.rg).map((x) => [x.attribute, x.replaces]))).toEqual(c.rg);
    expect(r.resources.find((x) => x.resource === rgAddress(head))?.action).toBe(c.rgAction);
    const pg = r.resources.find((x) => x.type === PG);
    expect(
      pg && {
        attributes: Object.fromEntries(pg.attributes.map((x) => [x.attribute, x.replaces])),
        action: pg.action,
        dataLoss: pg.dataLoss,
        createBeforeDestroy: /create_before_destroy/.test(pg.notes.join(' ')),
      },
    ).toEqual(c.pg && { attributes: c.pg, action: 'replace', dataLoss: false, createBeforeDestroy: true });
    expect(r.resources.some((x) => x.dataLoss)).toBe(c.dataLoss);
    expect(r.callouts.join('\n')).toMatch(c.callout);
    expect(r.costDeltaUsd).toBeCloseTo(c.costDelta, 2);
    expect([...new Set(r.violations.map((v) => v.rule))]).toEqual(c.violations);
    expect(r.resources.filter((x) => x.action === 'delete').map((x) => x.type)).toEqual(
      Array(c.alarmsDeleted).fill('aws_cloudwatch_metric_alarm'),
    );
  });

  it('a clean main compared with itself: no change, no violation, no cost delta', () => {
    const clean = { pilot: json.pilot, staging: json.staging, production: json.production };
    const r = review(clean, clone(clean as unknown as Json) as unknown as typeof clean);
    expect(r.ok).toBe(true);
    expect(r.stacks.map((s) => [s.stack, s.monthlyCostUsd])).toEqual([
      ['pilot', 23.36],
      ['production', 689.85],
      ['staging', 94.9],
    ]);
    for (const s of r.stacks) expect(s).toMatchObject({ status: 'unchanged', costDeltaUsd: 0, violations: [], changes: [], warnings: [] });
  });

  it('prints the summary, the replacement call-out and the cost delta in markdown', () => {
    const md = renderMarkdown(review({ production: json.production }, { production: json.productionValkey }, { base: 'main' }));
    expect(md).toContain('| Node type | cache.m7g.xlarge (4 vCPU, 12.93 GiB) |');
    expect(md).toContain('| Encryption in transit | on, mode required |');
    expect(md).toContain(
      '| Authentication | RBAC, user group isl-cache-production-users: default (off); isl-cache-production-app (on ~* +@all -flushall -flushdb -keys) |',
    );
    // thresholds in their units: bytes as MiB, microseconds as ms, percentages, counts per period or of what
    expect(md).toContain(
      '| Alarms (metric → threshold) | AuthenticationFailures > 0 per 300 s (3 nodes); Cache hit rate (%) < 50 % (3 nodes); ' +
        'CommandDuration > 100 ms (3 nodes); CurrConnections < 1 datapoint per 60 s (3 nodes); CurrConnections > 1000 connections (3 nodes); ' +
        'CurrConnections > 52000 connections (3 nodes); DatabaseMemoryUsagePercentage > 80 % (3 nodes); ' +
        'DatabaseMemoryUsagePercentage > 90 % (3 nodes); EngineCPUUtilization > 80 % (3 nodes); Evictions > 10 per 60 s (3 nodes); ' +
        'Keys without a TTL > 1 key (3 nodes); ReplicationLag > 1 s (2 nodes); SwapUsage > 50 MiB (3 nodes) |',
    );
    // the data loss first: before the costs, the table and every stack section
    expect(md.split('\n').slice(0, 3)).toEqual([
      '# Plan review',
      '',
      expect.stringMatching(
        /^> ⛔ \*\*production:\*\* aws_elasticache_replication_group\.\S+ \(isl-cache-production\) is REPLACED: DATA LOSS AND OUTAGE\. /,
      ),
    ]);
    // standing warnings once, in a summary, not in the stack's section
    expect(md.match(/the alarms page nobody/g)).toHaveLength(1);
    expect(md.indexOf('**Standing warnings**')).toBeLessThan(md.indexOf('## production'));
    expect(md).toMatch(
      /\| Monthly cost \| \$689\.85 \/ month on demand \(3 × cache\.m7g\.xlarge at \$0\.315\/h × 730 h; us-east-1 prices of \d{4}-\d\d-\d\d\) \|/,
    );
    expect(md).toMatch(
      // 6 deleted, 1 updated: Valkey's p95 latency alarms of 3 nodes go (Redis OSS publishes no percentiles), the dashboard with them
      /\| production \| production \| \$[\d,.]+ \| \+\$[\d,.]+ \| 3 replaced \(1 create-before-destroy\), 6 deleted, 1 updated ⛔ \*\*data loss and outage\*\* \| offline prediction \| ✅ \|/,
    );
  });
});

describe('where each stack deploys', () => {
  it('pilot: the region and the state file, saying which setting was left unset; no refusal', () => {
    const md = renderMarkdown(review({ pilot: json.pilot }));
    expect(md).toContain(
      'Deploys to **us-east-1** (default: AWS_REGION unset); state: local file terraform.pilot.tfstate (CACHE_STATE_BUCKET unset).',
    );
    expect(review({ pilot: json.pilot }).stacks[0].notices.filter((n) => n.includes('plan refuses'))).toEqual([]);
  });

  it('production synthesized without AWS_REGION and CACHE_STATE_BUCKET: a notice says the plan refuses it and what to set', () => {
    expect(review({ production: json.production }).stacks[0].notices.filter((n) => n.includes('plan refuses'))).toEqual([
      'production: the plan refuses this stack until AWS_REGION and CACHE_STATE_BUCKET are set at synth (a protected environment never deploys onto a local state file or a default region)',
    ]);
  });

  it('production with both: S3 state in the given region, no notice', () => {
    const stack = new CacheEnvironmentStack(Testing.app(), 'production', {
      environment: cfg.production,
      deployment: deploymentSettings('production', { AWS_REGION: 'eu-west-1', CACHE_STATE_BUCKET: 'acme-terraform-state' }),
    });
    const r = review({ production: synth(stack) });
    expect(renderMarkdown(r)).toContain(
      'Deploys to **eu-west-1** (AWS_REGION); state: s3://acme-terraform-state/isl-cache/production.tfstate.',
    );
    expect(r.stacks[0].notices.filter((n) => n.includes('plan refuses'))).toEqual([]);
  });
});

describe('a node type change in markdown', () => {
  it('the alarms whose descriptions name the node type are one line, with the reason', () => {
    const md = renderMarkdown(review({ production: json.productionBigger }, { production: json.production }, { base: 'main' }));
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && l.includes('aws_cloudwatch_metric_alarm'));
    expect(rows).toEqual([
      expect.stringMatching(
        /^\| 38 × `aws_cloudwatch_metric_alarm` \| update \| `alarm_description` updated in place only because they name the node type \(cache\.m7g\.xlarge → cache\.r7g\.xlarge\) \(alarms_001-auth-failures_\w+, /,
      ),
    ]);
  });
});

describe('alarm thresholds in the summary are printed in their unit', () => {
  it.each<[string, number, ThresholdUnit, string]>([
    ['SwapUsage (bytes)', 52428800, { unit: 'Bytes' }, '50 MiB'],
    ['a byte count of a GiB and more', 2147483648, { unit: 'Bytes' }, '2 GiB'],
    ['a byte count under a MiB', 4096, { unit: 'Bytes' }, '4096 bytes'],
    ['latency (microseconds)', 100000, { unit: 'Microseconds' }, '100 ms'],
    ['a fraction of a millisecond', 2500, { unit: 'Microseconds' }, '2.5 ms'],
    ['a percentage', 45, { unit: 'Percent' }, '45 %'],
    ['replication lag (seconds)', 1, { unit: 'Seconds' }, '1 s'],
    ['a Sum of counts', 10, { unit: 'Count', perSeconds: 60 }, '10 per 60 s'],
    ['an average of connections', 52000, { unit: 'Count', counted: 'connection' }, '52000 connections'],
    ['one datapoint (SampleCount)', 1, { unit: 'Count', counted: 'datapoint', perSeconds: 60 }, '1 datapoint per 60 s'],
    ['a metric of unknown unit', 7, { unit: null }, '7'],
  ])('%s: %d → %s', (_, threshold, unit, text) => {
    expect(thresholdText(threshold, unit)).toBe(text);
  });
});

describe('replacement rules (constructs/facts/force-new.ts)', () => {
  const rg = (over: Record<string, unknown>) => ({ engine: 'redis', engine_version: '7.1', transit_encryption_enabled: true, ...over });
  it.each([
    ['redis → valkey is in place', RG, 'engine', rg({}), rg({ engine: 'valkey', engine_version: '8.1' }), false],
    ['valkey → redis replaces', RG, 'engine', rg({ engine: 'valkey' }), rg({}), true],
    [
      'an engine change in a global group is in place',
      RG,
      'engine',
      rg({ engine: 'valkey', global_replication_group_id: 'g' }),
      rg({ global_replication_group_id: 'g' }),
      false,
    ],
    ['a version upgrade is in place', RG, 'engine_version', rg({ engine_version: '6.2' }), rg({}), false],
    ['6.x → 6.2 is a downgrade', RG, 'engine_version', rg({ engine_version: '6.x' }), rg({ engine_version: '6.2' }), true],
    [
      'TLS off below 7.0.5 replaces',
      RG,
      'transit_encryption_enabled',
      rg({ engine_version: '6.2' }),
      rg({ engine_version: '6.2', transit_encryption_enabled: false }),
      true,
    ],
    ['TLS off from 7.0.5 is in place', RG, 'transit_encryption_enabled', rg({}), rg({ transit_encryption_enabled: false }), false],
    [
      'a node group replica_count change replaces',
      RG,
      'node_group_configuration',
      rg({ node_group_configuration: [{ node_group_id: '0001', replica_count: 1 }] }),
      rg({ node_group_configuration: [{ node_group_id: '0001', replica_count: 2 }] }),
      true,
    ],
    ['num_node_groups is in place', RG, 'num_node_groups', rg({ num_node_groups: 3 }), rg({ num_node_groups: 4 }), false],
    ['port replaces', RG, 'port', rg({ port: 6379 }), rg({ port: 6380 }), true],
    ['tags never replace', RG, 'tags', rg({ tags: {} }), rg({ tags: { a: 'b' } }), false],
    [
      'security group ingress blocks are in place',
      'aws_security_group',
      'ingress',
      { ingress: [] },
      { ingress: [{ from_port: 1 }] },
      false,
    ],
    [
      'an ingress rule changing source kind replaces',
      'aws_vpc_security_group_ingress_rule',
      'cidr_ipv4',
      { cidr_ipv4: '10.0.0.0/8' },
      { referenced_security_group_id: 'sg-1' },
      true,
    ],
    [
      'an ingress rule changing its CIDR is in place',
      'aws_vpc_security_group_ingress_rule',
      'cidr_ipv4',
      { cidr_ipv4: '10.0.0.0/8' },
      { cidr_ipv4: '10.1.0.0/16' },
      false,
    ],
    [
      'new random_password keepers replace',
      'random_password',
      'keepers',
      { keepers: { version: '1' } },
      { keepers: { version: '2' } },
      true,
    ],
    [
      'a new null keeper does not',
      'random_password',
      'keepers',
      { keepers: { version: '1' } },
      { keepers: { version: '1', x: null } },
      false,
    ],
    [
      'a docker port change replaces (nested ForceNew)',
      'docker_container',
      'ports',
      { ports: [{ internal: 6379 }] },
      { ports: [{ internal: 6380 }] },
      true,
    ],
    ['docker_image build.tag is in place', 'docker_image', 'build', { build: [{ tag: ['a'] }] }, { build: [{ tag: ['b'] }] }, false],
    [
      'docker_image build.dockerfile replaces',
      'docker_image',
      'build',
      { build: [{ dockerfile: 'a' }] },
      { build: [{ dockerfile: 'b' }] },
      true,
    ],
    ['an AWS resource pinned to another region replaces', 'aws_sns_topic', 'region', {}, { region: 'eu-west-1' }, true],
    ['pinning the provider region is in place', 'aws_sns_topic', 'region', {}, { region: 'us-east-1' }, false],
  ])('%s', (_, type, attr, base, head, replaces) => {
    expect(
      replacementOf(type, attr, {
        base,
        head,
        baseRegion: 'us-east-1',
        headRegion: 'us-east-1',
      }).replaces,
    ).toBe(replaces);
  });

  it('a provider region change replaces every AWS resource', () => {
    const moved = clone(json.production);
    (moved.provider!.aws as any)[0].region = 'eu-west-1';
    const d = diffStacks(json.production, moved);
    const aws = Object.entries(json.production.resource)
      .filter(([t]) => t.startsWith('aws_'))
      .flatMap(([, r]) => Object.keys(r));
    expect(d.resources.filter((r) => r.action === 'replace')).toHaveLength(aws.length);
    // the replication group moves with them: deleted in one region, created empty in the other
    expect(d.resources.filter((r) => r.dataLoss).map((r) => r.type)).toEqual(['aws_elasticache_replication_group']);
  });

  it('a removed stack deletes its cache: data loss and outage, called out with the final snapshot', () => {
    const r = review({}, { production: json.production }).stacks[0];
    expect(r.status).toBe('removed');
    expect(r.costDeltaUsd).toBeCloseTo(-689.85, 2);
    expect(r.callouts.join('\n')).toMatch(
      /\(isl-cache-production\) is DELETED: DATA LOSS AND OUTAGE: the cache and the data it serves are gone\. The current data is kept in the final snapshot isl-cache-production-final-<random hex from random_id\.[^,]+, new per group generation>/,
    );
    expect(r.resources.filter((x) => x.dataLoss).map((x) => x.type)).toEqual(['aws_elasticache_replication_group']);
    // the key goes with the stack: the snapshot is usable only if its deletion is cancelled in time
    expect(r.callouts.join('\n')).toMatch(
      /encrypted with the KMS key aws_kms_key\.\S+, which is scheduled for deletion with it: .*`aws kms cancel-key-deletion` and `aws kms enable-key` within the key's deletion window \(30 days\)/,
    );
  });
});

describe('guardrails', () => {
  it.each(['pilot', 'staging', 'production'] as const)('the %s stack passes every guardrail', (name) => {
    expect(environmentViolations(json[name], name)).toEqual([]);
  });

  it('the local Docker stack has no ElastiCache resource to check, and no secret literal', () => {
    expect(environmentViolations(JSON.parse(Testing.synth(new LocalStack(Testing.app(), 'local', { env: {} }))), 'local')).toEqual([]);
  });

  const rgMut = (f: (rg: any, j: Json) => void) => (j: Json) => {
    f(rgOf(j), j);
  };
  it.each([
    [
      'transit-encryption',
      'production',
      'mode preferred',
      rgMut((rg) => {
        rg.transit_encryption_mode = 'preferred';
      }),
    ],
    [
      'transit-encryption',
      'staging',
      'TLS off',
      rgMut((rg) => {
        rg.transit_encryption_enabled = false;
        delete rg.transit_encryption_mode;
        delete rg.auth_token;
      }),
    ],
    [
      'auth',
      'production',
      'no RBAC user group',
      rgMut((rg) => {
        delete rg.user_group_ids;
      }),
    ],
    [
      'encryption-at-rest',
      'pilot',
      'the AWS-managed key',
      rgMut((rg) => {
        rg.kms_key_id = 'alias/aws/elasticache';
      }),
    ],
    [
      'multi-az',
      'production',
      'Multi-AZ off',
      rgMut((rg) => {
        rg.multi_az_enabled = false;
      }),
    ],
    [
      'backup-retention',
      'staging',
      'too short a retention',
      rgMut((rg) => {
        rg.snapshot_retention_limit = 6; // staging keeps at least 7
      }),
    ],
    [
      'node-alarms',
      'production',
      'a replica CPU alarm without actions',
      (j: Json) => {
        const cpu = Object.values(j.resource.aws_cloudwatch_metric_alarm).find(
          (a: any) => /CPU/.test(a.metric_name) && a.dimensions.CacheClusterId.endsWith('-002'),
        );
        cpu.alarm_actions = [];
      },
    ],
    [
      'node-alarms',
      'pilot',
      'a node without alarms',
      (j: Json) => {
        rgOf(j).num_cache_clusters = 2;
      },
    ],
    [
      'open-ingress',
      'pilot',
      'ingress from 0.0.0.0/0',
      (j: Json) => {
        Object.values(j.resource.aws_vpc_security_group_ingress_rule)[0].cidr_ipv4 = '0.0.0.0/0';
      },
    ],
    [
      'secret-literal',
      'pilot',
      'a literal auth_token',
      rgMut((rg) => {
        rg.auth_token = 'Zx8vQ2mN5pL7kJ3hG9fD';
      }),
    ],
    [
      'secret-literal',
      'production',
      'a --requirepass argument',
      (j: Json) => {
        j.resource.docker_container = { c: { command: ['redis-server', '--requirepass', 'hunter2'] } };
      },
    ],
    [
      'secret-literal',
      'production',
      'a password in the environment',
      (j: Json) => {
        j.resource.docker_container = { c: { env: ['REDIS_PASSWORD=hunter2'] } };
      },
    ],
    [
      'secret-literal',
      'production',
      'requirepass in a redis.conf',
      (j: Json) => {
        j.resource.docker_container = { c: { upload: [{ content: 'port 6379\nrequirepass hunter2\n' }] } };
      },
    ],
    [
      'secret-literal',
      'production',
      'a password in a URL output',
      (j: Json) => {
        j.output!.url = { value: 'rediss://:hunter2@cache:6379', sensitive: true };
      },
    ],
    [
      'secret-literal',
      'production',
      'a random-looking variable default',
      (j: Json) => {
        (j as any).variable = { api_token: { default: 'ghp_8d7f6a5s4d3f2g1h0jKlMnOp' } };
      },
    ],
  ] as Array<[string, Name, string, (j: Json) => void]>)('%s in %s: %s', (rule, name, _, change) => {
    const j = clone(json[name]);
    change(j);
    expect(environmentViolations(j, name).map((v) => v.rule)).toContain(rule);
  });

  it('derives node ids as ElastiCache does: in cluster mode <rg>-<shard>-<node>', () => {
    const j = clone(json.pilot);
    Object.assign(rgOf(j), { cluster_mode: 'enabled', num_node_groups: 2, replicas_per_node_group: 1 });
    delete rgOf(j).num_cache_clusters;
    const nodes = environmentViolations(j, 'pilot')
      .filter((v) => v.rule === 'node-alarms')
      .map((v) => /node (\S+) \((\w+)\)/.exec(v.message)!.slice(1).join(' '));
    expect(nodes).toEqual([
      'isl-cache-pilot-0001-001 primary',
      'isl-cache-pilot-0001-002 replica',
      'isl-cache-pilot-0002-001 primary',
      'isl-cache-pilot-0002-002 replica',
    ]);
  });

  it('the protected rules hold where the stack declares the pack, whatever its name or tag', () => {
    // staging declares the pack `protected` in its JSON ("//"), which synth and the review read
    expect(checkProjectGuardrails(json.stagingNoReplica, { stackName: 'staging' }).map((v) => v.rule)).toEqual(['multi-az']);
    const renamed = clone(json.stagingNoReplica);
    (renamed.provider!.aws as any)[0].default_tags[0].tags.environment = 'pilot';
    expect(checkProjectGuardrails(renamed, { stackName: 'pilot' }).map((v) => v.rule)).toEqual(['multi-az']);
    // without the declaration the same stack, named staging, is held to the baseline only
    const undeclared = clone(json.stagingNoReplica);
    delete (undeclared as any)['//'].guardrails;
    expect(checkProjectGuardrails(undeclared, { stackName: 'staging' })).toEqual([]);
  });

  it('expressions and generated secrets are fine: ${…} under auth_token, requirepass, REDIS_PASSWORD and in a sensitive output', () => {
    const j = clone(json.production);
    j.resource.docker_container = {
      c: {
        command: ['redis-server', '--requirepass', '${random_password.p.result}'],
        env: ['REDIS_PASSWORD=${random_password.p.result}'],
        upload: [{ content: 'requirepass "${random_password.p.result}"\n# requirepass foobared\n' }],
      },
    };
    j.output!.url = { value: 'rediss://:${random_password.p.result}@cache:6379', sensitive: true };
    expect(environmentViolations(j, 'production')).toEqual([]);
  });
});

describe('guardrails at synth time', () => {
  it('the aspect makes synth throw for a violating stack, listing the rule', () => {
    const stack = stackOf(cfg.stagingNoReplica);
    Aspects.of(stack).add(new GuardrailsAspect());
    expect(() => Testing.synth(stack, true)).toThrow(
      /guardrail multi-az: aws_elasticache_replication_group\.\S+: isl-cache-staging: Multi-AZ is off/,
    );
  });

  it('applyGuardrails(app) lets clean stacks synthesize and refuses a violating one; warn mode only warns', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardrails-'));
    try {
      const clean = new App({ outdir: path.join(outdir, 'clean') });
      stackOf(cfg.production, clean);
      applyGuardrails(clean);
      expect(() => {
        clean.synth();
      }).not.toThrow();

      const bad = new App({ outdir: path.join(outdir, 'bad') });
      stackOf(cfg.stagingNoReplica, bad);
      applyGuardrails(bad);
      expect(() => {
        bad.synth();
      }).toThrow(/guardrail multi-az/);

      const warned = new App({ outdir: path.join(outdir, 'warn') });
      stackOf(cfg.stagingNoReplica, warned);
      applyGuardrails(warned, { mode: 'warn' });
      warned.synth();
      const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'warn', 'manifest.json'), 'utf8'));
      expect(manifest.stacks.staging.annotations.map((a: any) => a.message)).toEqual([expect.stringMatching(/^guardrail multi-az:/)]);

      const late = new App({ outdir: path.join(outdir, 'late') });
      applyGuardrails(late);
      stackOf(cfg.production, late);
      expect(() => {
        late.synth();
      }).toThrow(/stack production was created after applyGuardrails/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
