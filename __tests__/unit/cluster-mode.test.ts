/**
 * The move from one shard to a Redis Cluster (README "Moving to cluster mode"; config/cluster-mode.ts): production at
 * 20,000 users walked through its five steps, each transition reviewed as CI reviews it (base and head syntheses); the
 * jumps ElastiCache or the provider refuse, each refused by guardrail `cluster-mode-steps` with the step to take
 * instead; what each step synthesizes (mode, parameter group, member ids, secret); burstable nodes. The environments
 * are fixtures (../helpers/environments.ts); one synthesis per configuration is shared by every case.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { ClusterModeStep } from '../../config/cluster-mode';
import { EnvironmentConfig } from '../../config/environments';
import { RedisReplicationGroupProps } from '../../constructs/elasticache/props';
import { RedisReplicationGroup } from '../../constructs/elasticache/replication-group';
import { environmentViolations } from '../helpers/guardrails';
import { TfJson } from '../../constructs/tf-json';
import { renderMarkdown } from '../../scripts/review/markdown';
import { StackReview, review } from '../../scripts/review/review';
import { CacheEnvironmentStack } from '../../stacks/environment-stack';
import { deploymentSettings } from '../../stacks/settings';
import { FIXED_ENVIRONMENTS } from '../helpers/environments';
import { BASE_GROUP_PROPS } from '../helpers/synth';

type Json = TfJson & { resource: Record<string, Record<string, any>>; output: Record<string, any> };

const RG = 'aws_elasticache_replication_group';
const cache = new Map<string, Json>();
function synth(env: EnvironmentConfig): Json {
  const key = JSON.stringify(env);
  let json = cache.get(key);
  if (!json) {
    const stack = new CacheEnvironmentStack(Testing.app(), env.name, { environment: env, deployment: deploymentSettings(env.name, {}) });
    json = JSON.parse(Testing.synth(stack)) as Json;
    cache.set(key, json);
  }
  return json;
}
/** Production at 20,000 users at a step (guide 000's Redis Cluster tier). */
const at = (clusterModeStep: ClusterModeStep, more: Partial<EnvironmentConfig> = {}) =>
  synth({ ...FIXED_ENVIRONMENTS.production, expectedUsers: 20000, clusterModeStep, ...more });
const rgOf = (j: Json) => Object.values(j.resource[RG])[0] as Record<string, any>;
const secretOf = (j: Json) => Object.values(j.resource.aws_secretsmanager_secret_version)[0] as Record<string, any>;
const paramsOf = (j: Json) => Object.values(j.resource.aws_elasticache_parameter_group)[0] as Record<string, any>;
const alarmNodes = (j: Json) =>
  [...new Set(Object.values(j.resource.aws_cloudwatch_metric_alarm).map((a: any) => a.dimensions?.CacheClusterId as string | undefined))]
    .filter((n): n is string => n !== undefined)
    .sort();
const reviewOf = (base: Json, head: Json): StackReview => review({ production: head }, { production: base }).stacks[0];
const rules = (r: StackReview) => r.violations.map((v) => v.rule);
const messages = (r: StackReview, rule: string) => r.violations.filter((v) => v.rule === rule).map((v) => v.message);
const rgAttributes = (r: StackReview) =>
  r.resources.filter((x) => x.type === RG).map((x) => `${x.action}: ${x.attributes.map((a) => a.attribute).join(', ')}`);

describe('what each step synthesizes', () => {
  it('single-shard (also at 20,000 users): cluster mode disabled, 3 nodes, the parameter group without cluster-enabled, no tag', () => {
    const j = at('single-shard');
    expect(rgOf(j)).toMatchObject({
      cluster_mode: 'disabled',
      num_cache_clusters: 3,
      node_type: 'cache.m7g.xlarge',
      apply_immediately: false,
    });
    expect(rgOf(j).tags).toBeUndefined();
    expect(paramsOf(j).name).toBe('isl-cache-production-redis7');
    expect(alarmNodes(j)).toEqual(['isl-cache-production-001', 'isl-cache-production-002', 'isl-cache-production-003']);
  });

  it('compatible: the mode and the cluster-enabled parameter group, applied immediately; same nodes, same ids, tagged as moved', () => {
    const j = at('compatible');
    expect(rgOf(j)).toMatchObject({
      cluster_mode: 'compatible',
      num_node_groups: 1,
      replicas_per_node_group: 2,
      apply_immediately: true,
      tags: { 'cluster-mode-moved': 'from-disabled' },
    });
    expect(rgOf(j).num_cache_clusters).toBeUndefined();
    expect(paramsOf(j).name).toBe('isl-cache-production-redis7-cluster');
    expect(paramsOf(j).parameter).toContainEqual({ name: 'cluster-enabled', value: 'yes' });
    expect(alarmNodes(j)).toEqual(['isl-cache-production-001', 'isl-cache-production-002', 'isl-cache-production-003']);
    expect(secretOf(j).secret_string).not.toContain('configuration_');
  });

  it('cluster-clients: the secret gains configuration_host/url with a precondition that the endpoint exists; host stays the primary', () => {
    const s = secretOf(at('cluster-clients'));
    expect(s.secret_string).toMatch(/"host" = aws_elasticache_replication_group\.[^.]+\.primary_endpoint_address/);
    expect(s.secret_string).toMatch(/"configuration_host" = aws_elasticache_replication_group\.[^.]+\.configuration_endpoint_address/);
    expect(s.secret_string).toContain('"reader_host"');
    expect(s.lifecycle.precondition[0].error_message).toBe(
      'isl-cache-production has no configuration endpoint yet: apply cluster mode "compatible" first (clusterModeStep "compatible"), then publish the endpoint (clusterModeStep "cluster-clients").',
    );
    expect(rgOf(at('cluster-clients')).apply_immediately).toBe(false);
  });

  it('cluster: mode enabled, one shard; host/url are the configuration endpoint, no reader endpoint', () => {
    const j = at('cluster');
    expect(rgOf(j)).toMatchObject({ cluster_mode: 'enabled', num_node_groups: 1, replicas_per_node_group: 2, apply_immediately: true });
    expect(secretOf(j).secret_string).toMatch(/"host" = aws_elasticache_replication_group\.[^.]+\.configuration_endpoint_address/);
    expect(secretOf(j).secret_string).not.toContain('reader_host');
    expect(alarmNodes(j)).toEqual(['isl-cache-production-001', 'isl-cache-production-002', 'isl-cache-production-003']);
  });

  it('resharded: 3 shards of the same node type and replicas; the first shard keeps its ids, the new ones get cluster ids', () => {
    const j = at('resharded');
    expect(rgOf(j)).toMatchObject({
      cluster_mode: 'enabled',
      num_node_groups: 3,
      replicas_per_node_group: 2,
      node_type: 'cache.m7g.xlarge',
    });
    expect(alarmNodes(j)).toEqual([
      'isl-cache-production-0002-001',
      'isl-cache-production-0002-002',
      'isl-cache-production-0002-003',
      'isl-cache-production-0003-001',
      'isl-cache-production-0003-002',
      'isl-cache-production-0003-003',
      'isl-cache-production-001',
      'isl-cache-production-002',
      'isl-cache-production-003',
    ]);
    expect(environmentViolations(j, 'production')).toEqual([]);
  });

  it('a group created in cluster mode: 3 primaries + 3 replicas, cluster ids throughout, no tag, no move output', () => {
    const j = at('resharded', { createdInClusterMode: true });
    expect(rgOf(j)).toMatchObject({ cluster_mode: 'enabled', num_node_groups: 3, replicas_per_node_group: 1 });
    expect(rgOf(j).tags).toBeUndefined();
    expect(alarmNodes(j)[0]).toBe('isl-cache-production-0001-001');
    expect(j.output.cluster_mode_move).toBeUndefined();
    expect(environmentViolations(j, 'production')).toEqual([]);
  });
});

describe('production from 5,000 to 20,000 users, then the move, one reviewed deploy per step', () => {
  it('raising the users changes no resource of the group; the review says the move is needed, its target and the next step', () => {
    const r = reviewOf(synth(FIXED_ENVIRONMENTS.production), at('single-shard'));
    expect(rgAttributes(r)).toEqual([]);
    expect(r.violations).toEqual([]);
    expect(r.summary.caches[0].clusterModeStep).toMatchObject({
      step: 'single-shard',
      stepNumber: '1 of 5',
      moveNeeded: true,
      next: 'compatible',
      target: '3 shards × (1 + 2) cache.m7g.xlarge',
    });
    expect(r.notices.filter((n) => n.includes('the users call for cluster mode (3 shards × (1 + 2) cache.m7g.xlarge)'))).toHaveLength(1);
  });

  it.each([
    [
      'single-shard',
      'compatible',
      'update: apply_immediately, cluster_mode, num_cache_clusters, num_node_groups, preferred_cache_cluster_azs, replicas_per_node_group, tags, parameter_group_name',
      ['cluster-mode step'],
      false,
      'cluster-clients',
      ['replace aws_elasticache_parameter_group'],
    ],
    [
      'compatible',
      'cluster-clients',
      'update: apply_immediately',
      ['cluster-mode step'],
      false,
      'cluster',
      ['replace aws_secretsmanager_secret_version'],
    ],
    [
      'cluster-clients',
      'cluster',
      'update: apply_immediately, cluster_mode',
      ['cluster-mode step'],
      true,
      'resharded',
      ['replace aws_secretsmanager_secret_version'],
    ],
    [
      'cluster',
      'resharded',
      'update: apply_immediately, description, num_node_groups',
      ['cluster-mode step', 'scale-out'],
      false,
      undefined,
      [],
    ],
  ] as const)('%s → %s: %s; %j; secret switches: %s; next: %s; replaced: %j', (from, to, changed, kinds, switches, next, replaced) => {
    const r = reviewOf(at(from), at(to));
    expect(r.violations).toEqual([]);
    expect(rgAttributes(r)).toEqual([changed]);
    expect(r.resources.some((x) => x.dataLoss)).toBe(false);
    expect(r.resources.filter((x) => x.action === 'replace' || x.action === 'delete').map((x) => `${x.action} ${x.type}`)).toEqual(
      replaced,
    );
    expect(r.growth.map((g) => [g.from, g.to, g.kinds, g.secretEndpointSwitches])).toEqual([[from, to, kinds, switches]]);
    expect(r.summary.caches[0].clusterModeStep?.next).toBe(next);
  });

  it('the step that switches the secret says so in the review, in words applications owners read', () => {
    const r = reviewOf(at('cluster-clients'), at('cluster'));
    expect(
      r.warnings.filter((w) =>
        w.includes("the secret's host and url SWITCH from the primary endpoint to the configuration endpoint in this apply"),
      ),
    ).toHaveLength(1);
    expect(r.growth[0].message).toContain(
      'before it: EVERY client reads configuration_url (or configuration_host) with a cluster-aware client',
    );
    expect(renderMarkdown(review({ production: at('cluster') }, { production: at('cluster-clients') }))).toContain(
      '| Cluster mode move | cluster-mode step cluster (4 of 5)',
    );
  });

  it('the last step is a scale-out of 1 → 3 shards with the node type unchanged', () => {
    const g = reviewOf(at('cluster'), at('resharded')).growth[0];
    expect(g.message).toContain('scale-out: shards 1 → 3 (online resharding, ModifyReplicationGroupShardConfiguration, applied at once)');
    expect(g.message).not.toContain('scale-up');
  });
});

describe('growth from one tier to the next: the review says what kind of change it is', () => {
  it('pilot from 50 to 500 users: a replica added (scale-out) and a larger node (scale-up), in place', () => {
    const r = review({ pilot: synth({ ...FIXED_ENVIRONMENTS.pilot, expectedUsers: 500 }) }, { pilot: synth(FIXED_ENVIRONMENTS.pilot) })
      .stacks[0];
    expect(r.growth.map((g) => [g.kinds, g.message])).toEqual([
      [
        ['scale-out', 'scale-up'],
        'isl-cache-pilot (scale-out, scale-up): scale-out: replicas per shard 0 → 1 (IncreaseReplicaCount, applied at once); scale-up: node type cache.t4g.small → cache.t4g.medium (online: ElastiCache replaces the nodes one by one)',
      ],
    ]);
  });

  it('production from Valkey back to Redis OSS: a replacement', () => {
    const r = reviewOf(
      synth({ ...FIXED_ENVIRONMENTS.production, engine: 'valkey', engineVersion: '8.1' }),
      synth({ ...FIXED_ENVIRONMENTS.production, engine: 'redis', engineVersion: '7.1' }),
    );
    expect(r.growth.map((g) => g.kinds)).toEqual([['replacement']]);
  });
});

describe('jumps AWS or the provider refuse: guardrail cluster-mode-steps names the step to take', () => {
  it.each([
    [
      'single-shard → cluster',
      () => reviewOf(at('single-shard'), at('cluster')),
      [
        'isl-cache-production: cluster mode disabled → enabled in one step: ElastiCache refuses it; take clusterModeStep "compatible" first (then "cluster-clients", then "cluster")',
        'isl-cache-production: the secret reads the configuration endpoint in the same apply that creates it (cluster mode disabled → compatible): the plan holds an empty endpoint and the apply fails; deploy clusterModeStep "compatible" first, then "cluster-clients"',
      ],
    ],
    [
      'single-shard → cluster-clients',
      () => reviewOf(at('single-shard'), at('cluster-clients')),
      [
        'isl-cache-production: the secret reads the configuration endpoint in the same apply that creates it (cluster mode disabled → compatible): the plan holds an empty endpoint and the apply fails; deploy clusterModeStep "compatible" first, then "cluster-clients"',
      ],
    ],
    [
      'cluster → single-shard',
      () => reviewOf(at('cluster'), at('single-shard')),
      [
        'isl-cache-production: cluster mode enabled → disabled: ElastiCache moves cluster mode only from disabled towards enabled, never back ("Modifying cluster mode"); keep clusterModeStep where it is (a group with one shard again means a new group, restored from a snapshot)',
      ],
    ],
    [
      'compatible → cluster (the applications never got the configuration endpoint)',
      () => reviewOf(at('compatible'), at('cluster')),
      [
        'isl-cache-production: cluster mode compatible → enabled before the applications were given the configuration endpoint: deploy clusterModeStep "cluster-clients" first and move every client to configuration_url',
      ],
    ],
    [
      'cluster-clients → resharded (mode and shards in one deploy)',
      () => reviewOf(at('cluster-clients'), at('resharded')),
      [
        'isl-cache-production: cluster mode compatible → enabled together with description, shards or replicas: the provider sends them in one ModifyReplicationGroup and ElastiCache refuses any change beside the cluster mode but the parameter group; deploy the cluster-mode step (clusterModeStep "cluster") on its own, the rest before or after it',
      ],
    ],
    [
      'single-shard → compatible with a node type change (memory floor 20 GiB)',
      () => reviewOf(at('single-shard'), at('compatible', { memoryFloorGiB: 20 })),
      [
        'isl-cache-production: cluster mode disabled → compatible together with description, node_type: the provider sends them in one ModifyReplicationGroup and ElastiCache refuses any change beside the cluster mode but the parameter group; deploy the cluster-mode step (clusterModeStep "compatible") on its own, the rest before or after it',
      ],
    ],
    [
      'a scale-up while compatible',
      () => reviewOf(at('compatible'), at('compatible', { memoryFloorGiB: 20 })),
      [
        'isl-cache-production: node_type change while the group is in cluster mode compatible: ElastiCache allows no scaling or engine change in compatible mode; finish the move first (clusterModeStep "cluster"), then change them',
      ],
    ],
  ])('%s', (_name, run, expected) => {
    const r = run();
    expect(messages(r, 'cluster-mode-steps')).toEqual(expected);
  });

  it('shard count and node type in one deploy: change the node type first, then the shards', () => {
    const group = (props: Partial<RedisReplicationGroupProps>): Json => {
      const stack = new TerraformStack(Testing.app(), 'production');
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      new RandomProvider(stack, 'random');
      new RedisReplicationGroup(stack, 'cache', { ...BASE_GROUP_PROPS, clusterMode: 'enabled', replicasPerNodeGroup: 1, ...props });
      return JSON.parse(Testing.synth(stack)) as Json;
    };
    const base = group({ numNodeGroups: 3, nodeType: 'cache.m7g.xlarge' });
    const head = group({ numNodeGroups: 4, nodeType: 'cache.r7g.xlarge' });
    expect(
      environmentViolations(head, 'production', base)
        .filter((v) => v.rule === 'cluster-mode-steps')
        .map((v) => v.message),
    ).toEqual([
      'isl-cache-test: shards 3 → 4 together with node type cache.m7g.xlarge → cache.r7g.xlarge: one online resharding or one node-type change at a time; change the node type first with the shard count unchanged, then the shard count',
    ]);
    expect(
      environmentViolations(group({ numNodeGroups: 3, nodeType: 'cache.r7g.xlarge' }), 'production', base).filter(
        (v) => v.rule === 'cluster-mode-steps',
      ),
    ).toEqual([]);
  });

  it('at synth time (no base) only the stack itself is checked: a compatible group with a parameter group without cluster-enabled', () => {
    const j = JSON.parse(JSON.stringify(at('compatible'))) as Json;
    paramsOf(j).parameter = paramsOf(j).parameter.filter((p: { name: string }) => p.name !== 'cluster-enabled');
    expect(environmentViolations(j, 'production').map((v) => `${v.rule}: ${v.message}`)).toEqual([
      'cluster-mode-steps: isl-cache-production: cluster mode compatible with a parameter group without cluster-enabled yes',
    ]);
  });

  it('the props refuse a compatible group without a replica, with two shards, or on Redis 6.2', () => {
    const make = (props: Partial<RedisReplicationGroupProps>) => () => {
      const stack = new TerraformStack(Testing.app(), 'x');
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      new RandomProvider(stack, 'random');
      new RedisReplicationGroup(stack, 'cache', { ...BASE_GROUP_PROPS, clusterMode: 'compatible', ...props });
    };
    expect(make({ replicasPerNodeGroup: 0 })).toThrow(
      'replicasPerNodeGroup: at least 1 with clusterMode compatible (the move to cluster mode needs automatic failover with a replica), got 0',
    );
    expect(make({ replicasPerNodeGroup: 1, numNodeGroups: 2 })).toThrow(
      'clusterMode: enabled when numNodeGroups > 1 (numNodeGroups is 2; a group in compatible mode has one shard), got "compatible"',
    );
    expect(make({ replicasPerNodeGroup: 1, engine: 'redis', engineVersion: '6.2' })).toThrow(
      'engineVersion: 7.0 or later for redis with clusterMode compatible (AWS "Modifying cluster mode"), got "6.2"',
    );
  });
});

describe('burstable nodes', () => {
  it('guardrail no-burstable-nodes refuses a T-family node in production and names why', () => {
    const j = JSON.parse(JSON.stringify(synth(FIXED_ENVIRONMENTS.production))) as Json;
    rgOf(j).node_type = 'cache.t4g.medium';
    expect(
      environmentViolations(j, 'production')
        .filter((v) => v.rule === 'no-burstable-nodes')
        .map((v) => v.message),
    ).toEqual([
      'isl-cache-production: node type cache.t4g.medium is burstable (CPU credits; held at its baseline once they are spent) in production',
    ]);
  });

  it('staging keeps its cache.t4g.medium; the review says what that means for a load test', () => {
    const staging = synth(FIXED_ENVIRONMENTS.staging);
    const r = review({ staging }).stacks[0];
    expect(rules(r)).toEqual([]);
    expect(
      r.notices.filter((n) => n.startsWith('isl-cache-staging: cache.t4g.medium is burstable: it runs at a baseline of 20 % of each vCPU')),
    ).toHaveLength(1);
  });
});
