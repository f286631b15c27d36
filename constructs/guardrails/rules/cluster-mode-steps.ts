/**
 * Guardrail `cluster-mode-steps`: a group's cluster mode moves only as ElastiCache accepts it (../../facts/cluster-mode.ts).
 *
 * On the stack alone (every synth): a group in cluster mode `compatible` has one shard, automatic failover with a
 * replica and an engine that may move (Redis OSS ≥ 7.0, Valkey ≥ 7.2); `compatible` and `enabled` use a parameter group
 * with `cluster-enabled yes`, `disabled` one without; a secret reads the configuration endpoint only of a group in
 * `compatible` or `enabled`, and the `host` of a group in `enabled` is its configuration endpoint.
 *
 * Against the base the review compares with (a jump AWS or the provider refuses): a step back (enabled or compatible →
 * disabled, enabled → compatible), disabled → enabled without `compatible`, a cluster-mode change together with any
 * other change to the group (the provider sends them in one ModifyReplicationGroup, which ElastiCache refuses), a
 * scaling or engine change while the group stays in `compatible`, the configuration endpoint in the secret in the same
 * apply that makes the group compatible (the plan holds an empty endpoint), `cluster` without `cluster-clients` before it,
 * and a shard-count change together with a node-type change. Each message names the step to take instead.
 */
import { CLUSTER_MODE_MIN_ENGINE_VERSION, CLUSTER_MODE_STEP_MAY_ALSO_CHANGE, ClusterMode } from '../../facts/cluster-mode';
import { Block, TfJson, TfResource, isExpression, isTrue, replicationGroupLayout, resourceAt, secretsOf } from '../../tf-json';
import { groups, rgName } from './common';
import { GuardrailRule, RuleContext, Violation } from './rule';

const ORDER: Record<ClusterMode, number> = { disabled: 0, compatible: 1, enabled: 2 };

function parameterGroupClusterEnabled(json: TfJson, rg: Block): boolean | undefined {
  const m =
    typeof rg.parameter_group_name === 'string'
      ? /^\$\{(aws_elasticache_parameter_group\.[^.}]+)\.[a-z_]+\}$/.exec(rg.parameter_group_name)
      : null;
  if (!m) return undefined;
  const pg = resourceAt(json, m[1]);
  if (!pg) return undefined;
  const parameters: Block[] = ([] as Block[]).concat((pg.body.parameter ?? []) as Block | Block[]);
  return parameters.some((p) => p.name === 'cluster-enabled' && p.value === 'yes');
}

function engineTooOld(rg: Block): string | undefined {
  const engine = typeof rg.engine === 'string' ? rg.engine : 'redis';
  const version: unknown = rg.engine_version;
  const minimum = CLUSTER_MODE_MIN_ENGINE_VERSION[engine] as string | undefined;
  if (typeof version !== 'string' || isExpression(version) || minimum === undefined) return undefined;
  return Number(version) < Number(minimum) ? `${engine} ${version} cannot move to cluster mode (needs ${minimum} or later)` : undefined;
}

function checkHead(ctx: RuleContext, r: TfResource): string[] {
  const layout = replicationGroupLayout(r.body);
  if (!layout) return [];
  const mode = layout.clusterModeSetting;
  const problems: string[] = [];
  const clusterParameters = parameterGroupClusterEnabled(ctx.json, r.body);
  if (mode === 'compatible') {
    if (layout.shards !== 1)
      problems.push(`cluster mode compatible with ${layout.shards} shards (a compatible group has one shard; reshard at step resharded)`);
    if (!isTrue(r.body.automatic_failover_enabled) || layout.replicasPerShard < 1)
      problems.push('cluster mode compatible without automatic failover and a replica (AWS "Modifying cluster mode")');
    const old = engineTooOld(r.body);
    if (old) problems.push(old);
  }
  if (mode !== 'disabled' && clusterParameters === false)
    problems.push(`cluster mode ${mode} with a parameter group without cluster-enabled yes`);
  if (mode === 'disabled' && clusterParameters === true)
    problems.push('cluster mode disabled with a parameter group with cluster-enabled yes (ElastiCache refuses it)');
  for (const s of secretsOf(ctx.json, r)) {
    if (mode === 'disabled' && s.configurationEndpoint)
      problems.push(`${s.address} reads the configuration endpoint of a group in cluster mode disabled (it has none)`);
    if (mode === 'enabled' && s.host !== undefined && s.host !== 'configuration_endpoint_address')
      problems.push(`${s.address}: host is the ${s.host} of a group in cluster mode enabled (only the configuration endpoint answers)`);
  }
  return problems;
}

/** Shards and replicas are the same group however the shard arguments describe them. */
function sameLayout(a: Block, b: Block): boolean {
  const x = replicationGroupLayout(a);
  const y = replicationGroupLayout(b);
  return x !== undefined && y !== undefined && x.shards === y.shards && x.replicasPerShard === y.replicasPerShard;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function checkTransition(ctx: RuleContext, base: TfJson, r: TfResource): string[] {
  const b = base.resource?.[r.type]?.[r.name];
  if (!b) return [];
  const before = replicationGroupLayout(b);
  const after = replicationGroupLayout(r.body);
  if (!before || !after) return [];
  const from = before.clusterModeSetting;
  const to = after.clusterModeSetting;
  const problems: string[] = [];
  if (ORDER[to] < ORDER[from]) {
    problems.push(
      `cluster mode ${from} → ${to}: ElastiCache moves cluster mode only from disabled towards enabled, never back ("Modifying cluster mode"); keep clusterModeStep where it is (a group with one shard again means a new group, restored from a snapshot)`,
    );
  } else if (ORDER[to] - ORDER[from] > 1) {
    problems.push(
      'cluster mode disabled → enabled in one step: ElastiCache refuses it; take clusterModeStep "compatible" first (then "cluster-clients", then "cluster")',
    );
  }
  if (from !== to) {
    const others = [...new Set([...Object.keys(b), ...Object.keys(r.body)])]
      .filter((k) => k !== '//' && k !== 'cluster_mode' && !(CLUSTER_MODE_STEP_MAY_ALSO_CHANGE as readonly string[]).includes(k))
      .filter((k) => !same(b[k], r.body[k]));
    if (!sameLayout(b, r.body)) others.push('shards or replicas');
    if (others.length) {
      problems.push(
        `cluster mode ${from} → ${to} together with ${others.join(', ')}: the provider sends them in one ModifyReplicationGroup and ElastiCache refuses any change beside the cluster mode but the parameter group; deploy the cluster-mode step (clusterModeStep "${to === 'compatible' ? 'compatible' : 'cluster'}") on its own, the rest before or after it`,
      );
    }
  }
  if (from === 'compatible' && to === 'compatible') {
    const scaled = ['node_type', 'engine', 'engine_version'].filter((k) => !same(b[k], r.body[k]));
    if (!sameLayout(b, r.body)) scaled.push('shards or replicas');
    if (scaled.length)
      problems.push(
        `${scaled.join(', ')} change while the group is in cluster mode compatible: ElastiCache allows no scaling or engine change in compatible mode; finish the move first (clusterModeStep "cluster"), then change them`,
      );
  }
  const baseSecrets = secretsOf(base, { ...r, body: b });
  const secretHadEndpoint = baseSecrets.some((s) => s.configurationEndpoint);
  const secretHasEndpoint = secretsOf(ctx.json, r).some((s) => s.configurationEndpoint);
  if (from === 'disabled' && to !== 'disabled' && secretHasEndpoint) {
    problems.push(
      'the secret reads the configuration endpoint in the same apply that creates it (cluster mode disabled → compatible): the plan holds an empty endpoint and the apply fails; deploy clusterModeStep "compatible" first, then "cluster-clients"',
    );
  }
  if (from === 'compatible' && to === 'enabled' && baseSecrets.length > 0 && !secretHadEndpoint) {
    problems.push(
      'cluster mode compatible → enabled before the applications were given the configuration endpoint: deploy clusterModeStep "cluster-clients" first and move every client to configuration_url',
    );
  }
  if (before.shards !== after.shards && !same(b.node_type, r.body.node_type) && from === to) {
    problems.push(
      `shards ${before.shards} → ${after.shards} together with node type ${String(b.node_type)} → ${String(r.body.node_type)}: one online resharding or one node-type change at a time; change the node type first with the shard count unchanged, then the shard count`,
    );
  }
  return problems;
}

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  return groups(ctx).flatMap((r) => {
    const problems = [...checkHead(ctx, r), ...(ctx.base ? checkTransition(ctx, ctx.base, r) : [])];
    return problems.map((p) => ({ resource: r.address, message: `${rgName(r)}: ${p}` }));
  });
}

export const rule: GuardrailRule = {
  id: 'cluster-mode-steps',
  requires:
    'cluster mode moves disabled → compatible → enabled one step per deploy, each on its own (only the parameter group beside it), never back; the configuration endpoint in the secret one step after compatible; no scaling in compatible mode; shard count and node type not both in one deploy',
  source:
    'AWS ElastiCache "Modifying cluster mode", "Modifying a replication group"; terraform-provider-aws replication_group.go (update order, one ModifyReplicationGroup)',
  check,
};
