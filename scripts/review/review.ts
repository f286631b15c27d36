/**
 * The review of every stack: summary, guardrail violations (with the packs each stack declared, its warnings and its
 * suppressed violations with their reasons), and (against a base) changes and cost delta.
 */
import { PRICE_DATE, PRICE_REGION } from '../../constructs/facts/node-catalog';
import { SuppressedViolation, Violation } from '../../constructs/guardrails/runner';
import { TfJson } from '../../constructs/tf-json';
import { projectGuardrails } from '../../stacks/guardrails';
import { AttributeChange, AuthRotation, ResourceChange, StackDiff, diffStacks } from './diff';
import { GrowthTransition, growthNotices } from './growth';
import { DriftChange, planDiff } from './plan-diff';
import { PredictionCheck, comparePrediction } from './prediction';
import { MalformedPlanError, StackPlan } from './read-plan';
import { StackSummary, round2, summarize } from './summary';
import { shorten } from './text';

export type StackStatus = 'unchanged' | 'changed' | 'added' | 'removed' | 'no base';

/** What the review read from a stack's plan (`--plan`). */
export interface PlanReview {
  readonly file: string;
  /** "Terraform 1.11.4", "OpenTofu 1.10.6 (or Terraform < 1.8)". */
  readonly engine: string;
  readonly formatVersion: string;
  /** Changes made outside Terraform, found by the plan's refresh. */
  readonly drift: readonly DriftChange[];
  readonly notes: readonly string[];
  /** With a base synthesis too: the offline prediction held to the plan. */
  readonly prediction: PredictionCheck | null;
}

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
  /** The packs the stack is held to (the baseline and those it declares), its warnings, and what it suppressed and why. */
  readonly guardrails: StackGuardrails;
  /** Where the changes come from: two syntheses (the offline prediction) or the engine's plan. */
  readonly source: 'synthesis' | 'plan';
  readonly plan: PlanReview | null;
  /** Said first: data loss and outages, with what keeps the data and how to restore it. */
  readonly callouts: readonly string[];
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
  /** Some stacks are reviewed from their plan. */
  readonly plans: boolean;
  readonly stacks: readonly StackReview[];
  readonly violationCount: number;
  /** Changes the apply would fail on, over every stack. */
  readonly refusalCount: number;
  readonly ok: boolean;
}

/** What a stack's guardrails say besides its violations. */
export interface StackGuardrails {
  readonly packs: readonly string[];
  readonly warnings: readonly Violation[];
  readonly suppressed: readonly SuppressedViolation[];
}

/** The guardrails of a head synthesis, against its base when there is one. */
function guardrailsOf(stack: string, head: TfJson, base?: TfJson): { violations: Violation[]; guardrails: StackGuardrails } {
  const report = projectGuardrails(head, { stackName: stack, base });
  return {
    violations: [...report.violations],
    guardrails: { packs: report.packs.map((p) => p.id), warnings: report.warnings, suppressed: report.suppressed },
  };
}

const NO_GUARDRAILS: StackGuardrails = { packs: [], warnings: [], suppressed: [] };

/**
 * Notices about a stack's head: who is paged, who may connect (the pack `protected` refuses these; `packs`: the packs
 * the stack is held to).
 */
export function noticesOf(summary: StackSummary, packs: readonly string[] = []): string[] {
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
        `${c.replicationGroupId}: admits the whole VPC range to the cache port${packs.includes('protected') ? '' : ' (allowed in this environment only)'}: name the clients with ${P}CLIENT_SECURITY_GROUP_IDS or ${P}CLIENT_CIDRS`,
      );
    } else if (c.clients.securityGroups + c.clients.cidrs.length === 0) {
      out.push(
        `${c.replicationGroupId}: no client named${c.clients.requiredAtPlan ? ': the plan fails until one is' : ''}: set ${P}CLIENT_SECURITY_GROUP_IDS or ${P}CLIENT_CIDRS`,
      );
    }
  }
  return out;
}

function refusalsOf(diff: StackDiff): string[] {
  return [
    ...diff.resources.flatMap((r) =>
      r.attributes.filter((a) => a.timing === 'refused').map((a) => `${r.resource}: ${a.attribute} is refused without apply_immediately`),
    ),
    ...diff.rotations.filter((r) => r.step === 'refused').map((r) => `${r.resource}: ${r.message}`),
  ];
}

export function reviewStack(stack: string, head: TfJson | undefined, base: TfJson | undefined, hasBase: boolean): StackReview {
  const json = head ?? base;
  if (!json) throw new Error(`reviewStack ${stack}: neither a head nor a base synthesis`);
  const summary = summarize(json, stack);
  const diff: StackDiff = hasBase
    ? diffStacks(base, head, summary.environment)
    : { resources: [], callouts: [], changes: [], warnings: [], rotations: [], growth: [] };
  const monthly = head ? summary.monthlyCostUsd : 0;
  const baseMonthly = hasBase ? (base ? summarize(base, stack).monthlyCostUsd : 0) : null;
  const status: StackStatus = !hasBase ? 'no base' : !base ? 'added' : !head ? 'removed' : diff.resources.length ? 'changed' : 'unchanged';
  const checked = head ? guardrailsOf(stack, head, base) : { violations: [], guardrails: NO_GUARDRAILS };
  return {
    stack,
    environment: summary.environment,
    status,
    summary,
    monthlyCostUsd: monthly,
    baseMonthlyCostUsd: baseMonthly,
    costDeltaUsd: baseMonthly === null ? null : round2(monthly - baseMonthly),
    violations: checked.violations,
    guardrails: checked.guardrails,
    source: 'synthesis',
    plan: null,
    callouts: diff.callouts,
    changes: diff.changes,
    resources: diff.resources,
    warnings: diff.warnings,
    rotations: diff.rotations,
    growth: diff.growth,
    notices: head ? [...noticesOf(summary, checked.guardrails.packs), ...growthNotices(head)] : [],
    refusals: refusalsOf(diff),
  };
}

/** Managed resource blocks of a plan's configuration. */
function planBlocks(p: StackPlan): string[] {
  return (p.plan.configuration?.root_module?.resources ?? [])
    .filter((r) => r.mode === 'managed')
    .map((r) => r.address)
    .sort();
}

/**
 * A plan of another synthesis of the stack (other resources) cannot be reviewed against this one: its guardrails and
 * summary would describe something else.
 */
export function checkPlanMatches(stack: string, head: TfJson, p: StackPlan): void {
  const planned = planBlocks(p);
  const synthesized = Object.entries(head.resource ?? {})
    .flatMap(([t, byName]) => Object.keys(byName).map((n) => `${t}.${n}`))
    .sort();
  const onlyPlan = planned.filter((a) => !synthesized.includes(a));
  const onlySynth = synthesized.filter((a) => !planned.includes(a));
  if (onlyPlan.length || onlySynth.length) {
    const list = (xs: string[]) => shorten(xs.join(', '), 200);
    throw new MalformedPlanError(
      p.file,
      `was not made from this synthesis of stack ${stack}: ${[
        onlyPlan.length ? `only in the plan: ${list(onlyPlan)}` : '',
        onlySynth.length ? `only in the synthesis: ${list(onlySynth)}` : '',
      ]
        .filter(Boolean)
        .join('; ')}. Plan the same commit you review (npm run plan -- ${stack})`,
    );
  }
}

/**
 * A stack reviewed from its plan: the changes, drift and verdicts from the engine's decision; the summary, guardrails
 * and notices from the head synthesis; with a base synthesis, the offline prediction held to the plan.
 */
export function reviewPlanStack(stack: string, head: TfJson, p: StackPlan, base?: TfJson): StackReview {
  checkPlanMatches(stack, head, p);
  const summary = summarize(head, stack);
  const diff = planDiff(p.plan, summary.environment);
  const predicted = base ? diffStacks(base, head, summary.environment) : undefined;
  const prediction = predicted ? comparePrediction(predicted, diff) : null;
  const checked = guardrailsOf(stack, head, base);
  return {
    stack,
    environment: summary.environment,
    status: diff.resources.length ? 'changed' : 'unchanged',
    summary,
    monthlyCostUsd: diff.monthlyCostUsd,
    baseMonthlyCostUsd: diff.baseMonthlyCostUsd,
    costDeltaUsd: round2(diff.monthlyCostUsd - diff.baseMonthlyCostUsd),
    violations: checked.violations,
    guardrails: checked.guardrails,
    source: 'plan',
    plan: { file: p.file, engine: p.engine, formatVersion: p.plan.format_version, drift: diff.drift, notes: diff.planNotes, prediction },
    callouts: diff.callouts,
    changes: diff.changes,
    resources: diff.resources,
    warnings: diff.warnings,
    rotations: diff.rotations,
    // the move to cluster mode is read from the syntheses (the plan's own values cannot say which step is deployed)
    growth: predicted?.growth ?? [],
    notices: [...noticesOf(summary, checked.guardrails.packs), ...growthNotices(head)],
    refusals: refusalsOf(diff),
  };
}

/** Review every stack of `head`, compared with `base` when given (stacks matched by name). */
export function review(
  head: Readonly<Record<string, TfJson>>,
  base?: Readonly<Record<string, TfJson>>,
  labels: { head?: string; base?: string } = {},
  plans: Readonly<Record<string, StackPlan>> = {},
): Review {
  const names = [...new Set([...Object.keys(head), ...Object.keys(base ?? {})])].sort();
  const stacks = names.map((n) => {
    const p = plans[n] as StackPlan | undefined;
    const h = head[n] as TfJson | undefined;
    return p && h ? reviewPlanStack(n, h, p, base?.[n]) : reviewStack(n, h, base?.[n], base !== undefined);
  });
  const violationCount = stacks.reduce((sum, s) => sum + s.violations.length, 0);
  const refusalCount = stacks.reduce((sum, s) => sum + s.refusals.length, 0);
  return {
    priceDate: PRICE_DATE,
    priceRegion: PRICE_REGION,
    head: labels.head ?? 'head',
    base: base ? (labels.base ?? 'base') : null,
    plans: Object.keys(plans).length > 0,
    stacks,
    violationCount,
    refusalCount,
    ok: violationCount === 0 && refusalCount === 0,
  };
}

/** Stacks of a cdktf output directory: manifest.json's stacks, else every stacks/<name>/cdk.tf.json. */
