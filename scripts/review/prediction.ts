/**
 * The offline prediction held to the plan: the action the offline review (diff.ts, two syntheses and
 * constructs/facts/force-new.ts) predicts for each resource, against the action the engine and the providers plan from the real
 * state. Compared per resource block (`type.name`; a block with count/for_each is the set of its instances' actions).
 * A resource the prediction changes but the state does not hold (nothing to update or replace yet) cannot be judged:
 * it is listed as unproven, not as agreeing.
 */
import { Action, StackDiff } from './diff';
import { PlanStackDiff, blockAddress } from './plan-diff';

export type Outcome = Action | 'no change';

export interface PredictionCheck {
  /** Blocks where prediction and plan agree on a change (create, update, replace, delete). */
  readonly agreed: readonly { readonly resource: string; readonly action: Outcome }[];
  readonly differs: readonly { readonly resource: string; readonly predicted: Outcome; readonly planned: string }[];
  /** Blocks the prior state does not hold although the base has them (not applied yet), so the plan can only create them. */
  readonly unproven: readonly { readonly resource: string; readonly predicted: Outcome; readonly why: string }[];
}

/** `predicted` from two syntheses, `planned` from the plan of the head against the state the base left. */
export function comparePrediction(predicted: StackDiff, planned: PlanStackDiff): PredictionCheck {
  const offline = new Map<string, Outcome>(predicted.resources.map((r) => [r.resource, r.action]));
  const plan = new Map<string, Set<Outcome>>();
  for (const r of planned.resources) {
    const block = blockAddress(r.resource.replace(/ \(deposed object [^)]*\)$/, ''));
    const set = plan.get(block) ?? new Set<Outcome>();
    set.add(r.action);
    plan.set(block, set);
  }
  const inState = new Set(planned.inState);
  const agreed: PredictionCheck['agreed'][number][] = [];
  const differs: PredictionCheck['differs'][number][] = [];
  const unproven: PredictionCheck['unproven'][number][] = [];
  for (const resource of [...new Set([...offline.keys(), ...plan.keys()])].sort()) {
    const p: Outcome = offline.get(resource) ?? 'no change';
    const actions = [...(plan.get(resource) ?? new Set<Outcome>(['no change']))].sort();
    if (p !== 'create' && !inState.has(resource)) {
      unproven.push({ resource, predicted: p, why: 'not in the prior state: the plan can only create it' });
    } else if (actions.length === 1 && actions[0] === p) {
      if (p !== 'no change') agreed.push({ resource, action: p });
    } else {
      differs.push({ resource, predicted: p, planned: actions.join(' + ') });
    }
  }
  return { agreed, differs, unproven };
}
