/**
 * The review of every stack: summary, guardrail violations, and (against a base) changes and cost delta.
 */
import { PRICE_DATE, PRICE_REGION } from '../../config/node-catalog';
import { Violation, checkGuardrails } from '../../constructs/guardrails/runner';
import { TfJson } from '../../constructs/guardrails/tf-json';
import { AttributeChange, ResourceChange, diffStacks } from './diff';
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
}

export interface Review {
  readonly priceDate: string;
  readonly priceRegion: string;
  readonly head: string;
  readonly base: string | null;
  readonly stacks: readonly StackReview[];
  readonly violationCount: number;
  readonly ok: boolean;
}

export function reviewStack(stack: string, head: TfJson | undefined, base: TfJson | undefined, hasBase: boolean): StackReview {
  const summary = summarize((head ?? base)!, stack);
  const diff = hasBase ? diffStacks(base, head) : { resources: [], changes: [], warnings: [] };
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
    violations: head ? checkGuardrails(head, stack) : [],
    changes: diff.changes,
    resources: diff.resources,
    warnings: diff.warnings,
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
  return {
    priceDate: PRICE_DATE,
    priceRegion: PRICE_REGION,
    head: labels.head ?? 'head',
    base: base ? (labels.base ?? 'base') : null,
    stacks,
    violationCount,
    ok: violationCount === 0,
  };
}

/** Stacks of a cdktf output directory: manifest.json's stacks, else every stacks/<name>/cdk.tf.json. */
