/**
 * The review of every stack: summary, guardrail violations, and (against a base) changes and cost delta.
 */
import { PRICE_DATE, PRICE_REGION } from '../../config/node-catalog';
import { Violation, checkGuardrails } from '../../constructs/guardrails/runner';
import { TfJson } from '../../constructs/guardrails/tf-json';
import { PROTECTED_ENVIRONMENTS } from '../../config/scaling';
import { AttributeChange, AuthRotation, ResourceChange, diffStacks } from './diff';
import { GrowthTransition, growthNotices } from './growth';
import { StackSummary, round2, summarize } from './summary';

export type StackStatus = 'unchanged' | 'changed' | 'added' | 'removed' | 'no base';

export interface StackReview {
  readonly stack: string;
  readonly environment: string;
  readonly status: StackStatus;
  /** What the stack deploys (head; for a removed stack, what the base deployed). */
  readonly summary: StackSummary;
  /** Monthly on-demand cost of the head (0 for a removed stack). */
  readonly monthlyCostUsd: number;
  readonly baseMonthlyCostUsd: number | null;
  readonly costDeltaUsd: number | null;
  readonly violations: readonly Violation[];
  readonly changes: readonly AttributeChange[];
  readonly resources: readonly ResourceChange[];
  readonly warnings: readonly string[];
  /** AUTH token rotation steps the change performs. */
  readonly rotations: readonly AuthRotation[];
  /** What the change does to each group's cluster-mode step and capacity (./growth.ts). */
  readonly growth: readonly GrowthTransition[];
  /** What the head deploys that operators should know, base or not (pilot without subscribers or with the VPC range as clients). */
  readonly notices: readonly string[];
  /** Changes the apply would fail on (ElastiCache or the provider refuses them): exit 1 like a violation. */
  readonly refusals: readonly string[];
}

export interface Review {
  readonly priceDate: string;
  readonly priceRegion: string;
  readonly head: string;
  readonly base: string | null;
  readonly stacks: readonly StackReview[];
  readonly violationCount: number;
  /** Changes the apply would fail on, over every stack. */
  readonly refusalCount: number;
  readonly ok: boolean;
}

/** Notices about a stack's head: who is paged, who may connect (the guardrails refuse these in protected environments). */
export function noticesOf(summary: StackSummary): string[] {
  const P = `CACHE_${summary.environment.toUpperCase()}_`;
  const out: string[] = [];
  const t = summary.deploymentTarget;
  if (t?.refusedAtPlan) {
    const missing = [
      ...(t.regionFrom === 'AWS_REGION' ? [] : ['AWS_REGION']),
      ...(t.state.startsWith('s3://') ? [] : ['CACHE_STATE_BUCKET']),
    ];
    out.push(
      `${summary.stack}: the plan refuses this stack until ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} set at synth (a protected environment never deploys onto a local state file or a default region)`,
    );
  }
  for (const c of summary.caches) {
    const n = c.notifications;
    if (n.total === 0) {
      out.push(
        `${c.replicationGroupId}: the alarms page nobody${n.requiredAtPlan ? ' and the plan fails until a subscriber is named' : ''}: set ${P}ALARM_EMAILS, ${P}ALARM_HTTPS_ENDPOINTS or ${P}ALARM_TOPIC_ARNS`,
      );
    }
    if (n.eventsTopic?.encrypted)
      out.push(`${c.replicationGroupId}: the events topic ${n.eventsTopic.name} is encrypted: ElastiCache events are dropped`);
    if (c.clients.wholeVpc) {
      out.push(
        `${c.replicationGroupId}: admits the whole VPC range to the cache port${PROTECTED_ENVIRONMENTS.includes(summary.environment) ? '' : ' (allowed in this environment only)'}: name the clients with ${P}CLIENT_SECURITY_GROUP_IDS or ${P}CLIENT_CIDRS`,
      );
    } else if (c.clients.securityGroups + c.clients.cidrs.length === 0) {
      out.push(
        `${c.replicationGroupId}: no client named${c.clients.requiredAtPlan ? ': the plan fails until one is' : ''}: set ${P}CLIENT_SECURITY_GROUP_IDS or ${P}CLIENT_CIDRS`,
      );
    }
  }
  return out;
}

export function reviewStack(stack: string, head: TfJson | undefined, base: TfJson | undefined, hasBase: boolean): StackReview {
  const json = head ?? base;
  if (!json) throw new Error(`reviewStack ${stack}: neither a head nor a base synthesis`);
  const summary = summarize(json, stack);
  const diff = hasBase ? diffStacks(base, head) : { resources: [], changes: [], warnings: [], rotations: [], growth: [] };
  const monthly = head ? summary.monthlyCostUsd : 0;
  const baseMonthly = hasBase ? (base ? summarize(base, stack).monthlyCostUsd : 0) : null;
  const status: StackStatus = !hasBase ? 'no base' : !base ? 'added' : !head ? 'removed' : diff.resources.length ? 'changed' : 'unchanged';
  return {
    stack,
    environment: summary.environment,
    status,
    summary,
    monthlyCostUsd: monthly,
    baseMonthlyCostUsd: baseMonthly,
    costDeltaUsd: baseMonthly === null ? null : round2(monthly - baseMonthly),
    violations: head ? checkGuardrails(head, stack, base) : [],
    changes: diff.changes,
    resources: diff.resources,
    warnings: diff.warnings,
    rotations: diff.rotations,
    growth: diff.growth,
    notices: head ? [...noticesOf(summary), ...growthNotices(head, stack)] : [],
    refusals: [
      ...diff.resources.flatMap((r) =>
        r.attributes.filter((a) => a.timing === 'refused').map((a) => `${r.resource}: ${a.attribute} is refused without apply_immediately`),
      ),
      ...diff.rotations.filter((r) => r.step === 'refused').map((r) => `${r.resource}: ${r.message}`),
    ],
  };
}

/** Review every stack of `head`, compared with `base` when given (stacks matched by name). */
export function review(
  head: Readonly<Record<string, TfJson>>,
  base?: Readonly<Record<string, TfJson>>,
  labels: { head?: string; base?: string } = {},
): Review {
  const names = [...new Set([...Object.keys(head), ...Object.keys(base ?? {})])].sort();
  const stacks = names.map((n) => reviewStack(n, head[n], base?.[n], base !== undefined));
  const violationCount = stacks.reduce((sum, s) => sum + s.violations.length, 0);
  const refusalCount = stacks.reduce((sum, s) => sum + s.refusals.length, 0);
  return {
    priceDate: PRICE_DATE,
    priceRegion: PRICE_REGION,
    head: labels.head ?? 'head',
    base: base ? (labels.base ?? 'base') : null,
    stacks,
    violationCount,
    refusalCount,
    ok: violationCount === 0 && refusalCount === 0,
  };
}

/** Stacks of a cdktf output directory: manifest.json's stacks, else every stacks/<name>/cdk.tf.json. */
