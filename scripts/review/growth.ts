/**
 * Growth in the review: where each group is in the move to cluster mode (its step, the next one, what applications
 * must do first, when the secret's endpoint changes) and what a change does to the group's capacity (scale-out,
 * scale-in, scale-up, scale-down, or a replacement). Data: config/cluster-mode.ts; the steps are read from the
 * synthesized JSON (cluster_mode, the shards, the moved-from tag, the secret) and from the stack output
 * `cluster_mode_move` (stacks/environment-stack.ts), which says whether a move is needed and where it ends.
 * Refusals are the guardrail `cluster-mode-steps`; this module explains.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment -- synthesized JSON is untyped (tf-json.ts Block); every value is tested before it is used */
import {
  CLUSTER_MODE_OUTPUT,
  CLUSTER_MODE_STEPS,
  CLUSTER_MODE_STEP_SPECS,
  ClusterModeStep,
  nextClusterModeStep,
} from '../../config/cluster-mode';
import { BURSTABLE_BASELINE_CPU_PERCENT, isBurstableNodeType } from '../../constructs/facts/node-catalog';
import { findNodeType } from '../../constructs/elasticache/node-types';
import { declarationOf } from '../../constructs/guardrails/runner';
import { Block, TfJson, TfResource, replicationGroupLayout, resourcesOf, secretsOf } from '../../constructs/tf-json';
import { BURSTABLE_NODES_ALLOWED } from '../../config/scaling';

const RG = 'aws_elasticache_replication_group';

/** The step a group is at, as far as the synthesized JSON tells (its mode, its shards, its secret). */
export function clusterModeStepOf(json: TfJson, rg: TfResource): { step: ClusterModeStep; createdInClusterMode: boolean } | undefined {
  const layout = replicationGroupLayout(rg.body);
  if (!layout) return undefined;
  switch (layout.clusterModeSetting) {
    case 'disabled':
      return { step: 'single-shard', createdInClusterMode: false };
    case 'compatible':
      return {
        step: secretsOf(json, rg).some((x) => x.configurationEndpoint) ? 'cluster-clients' : 'compatible',
        createdInClusterMode: false,
      };
    case 'enabled':
      return layout.movedFromClusterModeDisabled
        ? { step: layout.shards > 1 ? 'resharded' : 'cluster', createdInClusterMode: false }
        : { step: 'resharded', createdInClusterMode: true };
  }
}

/** Environments whose stacks refuse burstable nodes (config/scaling.ts BURSTABLE_NODES_ALLOWED), for the notice. */
const BURSTABLE_NODES_REFUSED_IN = Object.entries(BURSTABLE_NODES_ALLOWED)
  .filter(([, allowed]) => !allowed)
  .map(([environment]) => environment);

/** Whether the stack declares a pack that refuses burstable nodes (guardrail `no-burstable-nodes`). */
function refusesBurstableNodes(json: TfJson): boolean {
  return declarationOf(json).packs.some((p) => Object.prototype.hasOwnProperty.call(p.rules, 'no-burstable-nodes'));
}

/** Where a group is in the move to cluster mode. */
export interface ClusterModeStatus {
  readonly step: ClusterModeStep;
  /** `2 of 5` */
  readonly stepNumber: string;
  /** The group was created in cluster mode: there is no move. */
  readonly createdInClusterMode: boolean;
  /** The stack says the users call for cluster mode (output cluster_mode_move) while the move is not done. */
  readonly moveNeeded: boolean;
  readonly next?: ClusterModeStep;
  /** What the next step's deploy does. */
  readonly nextDoes?: string;
  /** What must be true, and what applications must have done, before the next step. */
  readonly beforeNext?: string;
  /** What the next step does to the secret. */
  readonly nextSecret?: string;
  /** Where the move ends (`3 shards × (1 + 2) cache.m7g.xlarge`), when the stack says. */
  readonly target?: string;
  /** One line for the review. */
  readonly text: string;
}

/** Capacity changes of a group: each with its kind. */
export type GrowthKind = 'scale-out' | 'scale-in' | 'scale-up' | 'scale-down' | 'replacement' | 'cluster-mode step';

/** What a change does to one group. */
export interface GrowthTransition {
  readonly resource: string;
  readonly replicationGroupId: string;
  readonly from?: ClusterModeStep;
  readonly to?: ClusterModeStep;
  readonly kinds: readonly GrowthKind[];
  /** The secret's host/url switch from the primary to the configuration endpoint in this apply. */
  readonly secretEndpointSwitches: boolean;
  readonly message: string;
}

function moveOutput(json: TfJson): Readonly<Record<string, unknown>> | undefined {
  const value: unknown = json.output?.[CLUSTER_MODE_OUTPUT]?.value;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** Where the group is in the move, from the synthesized stack. */
export function clusterModeStatus(json: TfJson, rg: TfResource): ClusterModeStatus | undefined {
  const at = clusterModeStepOf(json, rg);
  if (!at) return undefined;
  const out = moveOutput(json);
  const spec = CLUSTER_MODE_STEP_SPECS[at.step];
  const stepNumber = `${spec.number} of ${CLUSTER_MODE_STEPS.length}`;
  const moveNeeded = out !== undefined;
  const underway = at.step !== 'single-shard' && !at.createdInClusterMode && at.step !== 'resharded';
  const next = moveNeeded || underway ? nextClusterModeStep(at.step) : undefined;
  const target = str(out?.target);
  const base = {
    step: at.step,
    stepNumber,
    createdInClusterMode: at.createdInClusterMode,
    moveNeeded,
    ...(target ? { target } : {}),
  };
  if (at.createdInClusterMode) return { ...base, text: 'cluster mode enabled since creation (no move)' };
  const now = `cluster-mode step ${at.step} (${stepNumber}): ${spec.does}; secret: ${spec.secret}`;
  if (!next) {
    return {
      ...base,
      text: at.step === 'single-shard' ? 'cluster mode disabled (one shard); no move needed' : `${now}; the move is complete`,
    };
  }
  const n = CLUSTER_MODE_STEP_SPECS[next];
  return {
    ...base,
    next,
    nextDoes: n.does,
    beforeNext: n.before,
    nextSecret: n.secret,
    text: `${moveNeeded && at.step === 'single-shard' ? `the users call for cluster mode${target ? ` (${target})` : ''}; the group keeps one shard until the move is done. ` : ''}${now}. NEXT: clusterModeStep "${next}" (${n.number} of ${CLUSTER_MODE_STEPS.length}): ${n.does}. Before it: ${n.before}. Secret at that step: ${n.secret}`,
  };
}

function secretHost(json: TfJson | undefined, rg: TfResource | undefined): string | undefined {
  if (!json || !rg) return undefined;
  return secretsOf(json, rg).find((s) => s.host !== undefined)?.host;
}

/** Scale-out/in (shards, replicas), scale-up/down (node type) of one group from base to head. */
function capacityKinds(b: Block, h: Block): { kinds: GrowthKind[]; parts: string[] } {
  const kinds: GrowthKind[] = [];
  const parts: string[] = [];
  const x = replicationGroupLayout(b);
  const y = replicationGroupLayout(h);
  if (x && y && x.shards !== y.shards) {
    kinds.push(y.shards > x.shards ? 'scale-out' : 'scale-in');
    parts.push(
      `${y.shards > x.shards ? 'scale-out' : 'scale-in'}: shards ${x.shards} → ${y.shards} (online resharding, ModifyReplicationGroupShardConfiguration, applied at once)`,
    );
  }
  if (x && y && x.replicasPerShard !== y.replicasPerShard) {
    kinds.push(y.replicasPerShard > x.replicasPerShard ? 'scale-out' : 'scale-in');
    parts.push(
      `${y.replicasPerShard > x.replicasPerShard ? 'scale-out' : 'scale-in'}: replicas per shard ${x.replicasPerShard} → ${y.replicasPerShard} (${y.replicasPerShard > x.replicasPerShard ? 'IncreaseReplicaCount' : 'DecreaseReplicaCount'}, applied at once)`,
    );
  }
  if (b.node_type !== h.node_type) {
    const from = typeof b.node_type === 'string' ? findNodeType(b.node_type) : undefined;
    const to = typeof h.node_type === 'string' ? findNodeType(h.node_type) : undefined;
    const up = from && to ? to.memoryGiB > from.memoryGiB || (to.memoryGiB === from.memoryGiB && to.vcpu > from.vcpu) : true;
    kinds.push(up ? 'scale-up' : 'scale-down');
    parts.push(
      `${up ? 'scale-up' : 'scale-down'}: node type ${String(b.node_type)} → ${String(h.node_type)} (online: ElastiCache replaces the nodes one by one)`,
    );
  }
  return { kinds: [...new Set(kinds)], parts };
}

/**
 * What the change from `base` to `head` does to each group that exists in both: its cluster-mode step, whether the
 * secret's endpoint switches, and whether it scales out, in, up or down or is replaced (`replaced`: the addresses of
 * replaced resources, from the diff).
 */
export function growthTransitions(base: TfJson | undefined, head: TfJson | undefined, replaced: ReadonlySet<string>): GrowthTransition[] {
  if (!base || !head) return [];
  const out: GrowthTransition[] = [];
  for (const h of resourcesOf(head, RG)) {
    const bBody = base.resource?.[RG]?.[h.name];
    if (!bBody) continue;
    const b: TfResource = { ...h, body: bBody };
    const id = String(h.body.replication_group_id);
    const from = clusterModeStepOf(base, b);
    const to = clusterModeStepOf(head, h);
    const switches = secretHost(base, b) !== 'configuration_endpoint_address' && secretHost(head, h) === 'configuration_endpoint_address';
    if (replaced.has(h.address)) {
      out.push({
        resource: h.address,
        replicationGroupId: id,
        from: from?.step,
        to: to?.step,
        kinds: ['replacement'],
        secretEndpointSwitches: switches,
        message: `${id}: growth is a REPLACEMENT: a new group is created (with a new endpoint in the secret); see the replacement note for its data`,
      });
      continue;
    }
    const { kinds, parts } = capacityKinds(bBody, h.body);
    const stepChanged = from !== undefined && to !== undefined && from.step !== to.step && !to.createdInClusterMode;
    if (stepChanged) kinds.unshift('cluster-mode step');
    if (!kinds.length && !switches) continue;
    const lines: string[] = [];
    if (stepChanged) {
      const spec = CLUSTER_MODE_STEP_SPECS[to.step];
      const jump = spec.number - CLUSTER_MODE_STEP_SPECS[from.step].number;
      lines.push(
        `step ${from.step} → ${to.step} (${spec.number} of ${CLUSTER_MODE_STEPS.length})${jump === 1 ? '' : ' — NOT the next step: see guardrail cluster-mode-steps'}: ${spec.does}; before it: ${spec.before}; secret: ${spec.secret}`,
      );
    }
    if (switches) {
      lines.push(
        "the secret's host and url SWITCH from the primary endpoint to the configuration endpoint in this apply: a client that is not cluster-aware fails from this apply on",
      );
    }
    lines.push(...parts);
    const next = to ? clusterModeStatus(head, h) : undefined;
    if (next?.next) lines.push(`next: clusterModeStep "${next.next}" (before it: ${next.beforeNext})`);
    out.push({
      resource: h.address,
      replicationGroupId: id,
      from: from?.step,
      to: to?.step,
      kinds,
      secretEndpointSwitches: switches,
      message: `${id} (${kinds.join(', ') || 'secret endpoint'}): ${lines.join('; ')}`,
    });
  }
  return out;
}

/**
 * Notices about the head of a stack: burstable nodes where they are allowed (what that means for a load test), and
 * where each group is in a move to cluster mode that is needed or underway.
 */
export function growthNotices(json: TfJson): string[] {
  const burstableAllowed = !refusesBurstableNodes(json);
  const out: string[] = [];
  for (const r of resourcesOf(json, RG)) {
    const id = String(r.body.replication_group_id);
    const nodeType = r.body.node_type;
    if (typeof nodeType === 'string' && isBurstableNodeType(nodeType) && burstableAllowed) {
      const baseline = BURSTABLE_BASELINE_CPU_PERCENT[nodeType] as number | undefined;
      out.push(
        `${id}: ${nodeType} is burstable: it runs at ${baseline === undefined ? 'a baseline CPU' : `a baseline of ${baseline} % of each vCPU`} and bursts above it on CPU credits (CloudWatch CPUCreditBalance); a load test that works it above the baseline for longer than its credits last measures the baseline, not the node type of ${BURSTABLE_NODES_REFUSED_IN.join(', ')} (which uses no burstable node): compare CPU-bound results only while CPUCreditBalance stays above zero`,
      );
    }
    const status = clusterModeStatus(json, r);
    if (status && (status.moveNeeded || status.next)) out.push(`${id}: ${status.text}`);
  }
  return out;
}
