/**
 * What a plan does, read from the engine's own decision (`terraform show -json <planfile>`, read-plan.ts): every
 * resource's actions with `replace_paths` and `action_reason`, the changed arguments (sensitive values never shown:
 * `before_sensitive`/`after_sensitive`; unknown ones as "(known after apply)"), the drift the refresh found
 * (`resource_drift`), and the review's verdicts on them: data loss and outages (verdicts.ts), what a replaced group
 * is restored from, changes refused or deferred under `apply_immediately`, rotation and migration steps, and the
 * monthly cost before and after from the prior state and the planned values.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment -- plan values are untyped JSON (Block); every value is tested before it is used */
import {
  ALWAYS_IMMEDIATE,
  ModificationRule,
  ModificationTiming,
  REPLICATION_GROUP_MODIFICATIONS,
  ROTATION_STEPS,
} from '../../config/modifications';
import { ACTION_REASONS, DRIFT_CALLOUTS, DriftTopic } from '../../config/review';
import { ENGINES, Engine } from '../../constructs/facts/elasticache';
import { findNodeType, monthlyCostUsd } from '../../constructs/elasticache/node-types';
import { Block, isSet, isTrue } from '../../constructs/tf-json';
import { Action, AttributeChange, AuthRotation, ResourceChange, StackDiff, parameterGroupSwitch, tokenRotationStep } from './diff';
import { PlanJson, PlanModuleValues, PlanResourceChange } from './read-plan';
import { canonical } from './replacement';
import { PG, RG, round2 } from './summary';
import { dataStoreVerdict } from './verdicts';

/** How a sensitive value is shown: never its content. */
export const SENSITIVE = '(sensitive)';
/** How a value the plan does not know yet is shown. */
export const UNKNOWN = '(known after apply)';

const isObject = (v: unknown): v is Block => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a sensitivity / unknown mask marks anything inside. */
function marks(mask: unknown): boolean {
  if (mask === true) return true;
  if (Array.isArray(mask)) return mask.some(marks);
  if (isObject(mask)) return Object.values(mask).some(marks);
  return false;
}

/** `value` with every sensitive leaf replaced by SENSITIVE and every unknown one by UNKNOWN. */
export function masked(value: unknown, sensitive: unknown, unknown?: unknown): unknown {
  if (sensitive === true) return value === null || value === undefined ? value : SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const v = Array.isArray(value) ? value : [];
    const u = Array.isArray(unknown) ? unknown : [];
    const s = Array.isArray(sensitive) ? sensitive : [];
    return Array.from({ length: Math.max(v.length, u.length) }, (_, i) => masked(v[i], s[i], u[i]));
  }
  if (isObject(value) || isObject(unknown)) {
    const v = isObject(value) ? value : {};
    const u = isObject(unknown) ? unknown : {};
    const s = isObject(sensitive) ? sensitive : {};
    return Object.fromEntries([...new Set([...Object.keys(v), ...Object.keys(u)])].sort().map((k) => [k, masked(v[k], s[k], u[k])]));
  }
  return value;
}

/** The plan's actions as the review's: replace (either order), or the single action; undefined for no-op and read. */
export function actionOf(actions: readonly string[]): { action: Action | 'forget'; createBeforeDestroy: boolean } | undefined {
  const a = actions.join(',');
  if (a === 'delete,create') return { action: 'replace', createBeforeDestroy: false };
  if (a === 'create,delete') return { action: 'replace', createBeforeDestroy: true };
  if (a === 'create' || a === 'delete' || a === 'update' || a === 'forget') return { action: a, createBeforeDestroy: false };
  return undefined;
}

const sub = (mask: unknown, k: string): unknown => (isObject(mask) ? mask[k] : mask === true ? true : undefined);

/** The top-level arguments that differ between before and after (or become unknown), masked for display. */
export function changedArguments(rc: PlanResourceChange, action: Action | 'forget'): AttributeChange[] {
  const c = rc.change;
  const before = isObject(c.before) ? c.before : {};
  const after = isObject(c.after) ? c.after : {};
  const replaced = new Map<string, string>();
  for (const p of c.replace_paths ?? []) {
    const top = String(p[0]);
    if (!replaced.has(top)) replaced.set(top, p.map(String).join('.'));
  }
  const keys = [
    ...new Set([...Object.keys(before), ...Object.keys(after), ...(isObject(c.after_unknown) ? Object.keys(c.after_unknown) : [])]),
  ].sort();
  return keys
    .filter((k) => canonical(before[k] ?? null) !== canonical(after[k] ?? null) || marks(sub(c.after_unknown, k)))
    .filter(
      (k) =>
        !(before[k] === undefined || before[k] === null) ||
        !(after[k] === undefined || after[k] === null) ||
        marks(sub(c.after_unknown, k)),
    )
    .map((k) => {
      const sensitiveBoth = marks(sub(c.before_sensitive, k)) || marks(sub(c.after_sensitive, k));
      const path = replaced.get(k);
      return {
        resource: rc.address,
        attribute: k,
        before: masked(before[k] ?? null, sub(c.before_sensitive, k)),
        after: masked(after[k] ?? null, sub(c.after_sensitive, k), sub(c.after_unknown, k)),
        replaces: path !== undefined,
        action: action === 'forget' ? 'delete' : action,
        ...(path !== undefined && path !== k ? { reason: `${path} forces replacement` } : {}),
        ...(sensitiveBoth ? { sensitive: true } : {}),
      };
    });
}

export interface DriftChange {
  readonly resource: string;
  readonly type: string;
  /** update: changed outside Terraform; delete: deleted outside Terraform. */
  readonly action: 'update' | 'delete';
  readonly attributes: readonly AttributeChange[];
  /** The call-out topics it touches (config/review.ts DRIFT_CALLOUTS). */
  readonly topics: readonly DriftTopic[];
  /** What this apply does about it. */
  readonly thisApply: string;
}

export interface PlanStackDiff extends StackDiff {
  readonly drift: readonly DriftChange[];
  /** Monthly on-demand cost of the replication groups in the prior state and in the planned values. */
  readonly baseMonthlyCostUsd: number;
  readonly monthlyCostUsd: number;
  /** Addresses (without instance keys) of the managed resources in the prior state. */
  readonly inState: readonly string[];
  /** Plan-level notes (an incomplete plan). */
  readonly planNotes: readonly string[];
}

function moduleResources(m: PlanModuleValues | undefined): NonNullable<PlanModuleValues['resources']> {
  if (!m) return [];
  return [...(m.resources ?? []), ...(m.child_modules ?? []).flatMap(moduleResources)];
}

/** Monthly cost of the replication groups among these resource values (the catalog's on-demand prices). */
function costOfValues(resources: NonNullable<PlanModuleValues['resources']>): number {
  let sum = 0;
  for (const r of resources) {
    if (r.mode !== 'managed' || r.type !== RG || !r.values) continue;
    const v = r.values;
    const node = typeof v.node_type === 'string' ? findNodeType(v.node_type) : undefined;
    const engine = typeof v.engine === 'string' ? v.engine : 'redis';
    const clustered = v.cluster_mode === 'enabled' || (typeof v.num_node_groups === 'number' && v.num_node_groups > 1);
    const nodes = clustered
      ? Number(v.num_node_groups ?? 1) * (1 + Number(v.replicas_per_node_group ?? 0))
      : typeof v.num_cache_clusters === 'number'
        ? v.num_cache_clusters
        : NaN;
    if (node && (ENGINES as readonly string[]).includes(engine) && Number.isInteger(nodes) && nodes > 0) {
      sum += monthlyCostUsd(node, engine as Engine, nodes);
    }
  }
  return round2(sum);
}

/** `aws_x.y[0]` / `aws_x.y["k"]` → `aws_x.y` */
export const blockAddress = (address: string) => address.replace(/\[[^\]]*\]$/, '');

/** References of a configured argument (`expressions.<arg>`, nested blocks as lists), for the resource of `address`. */
function configReferences(plan: PlanJson, address: string, ...pathInExpressions: string[]): string[] {
  const r = plan.configuration?.root_module?.resources?.find((x) => x.address === blockAddress(address));
  let e: unknown = r?.expressions;
  for (const k of pathInExpressions) e = Array.isArray(e) ? (e[0] as Block | undefined)?.[k] : isObject(e) ? e[k] : undefined;
  return isObject(e) && Array.isArray(e.references) ? e.references.map(String) : [];
}

const passwordsOf = (v: unknown): unknown[] => {
  if (!isObject(v)) return [];
  const mode = ([] as Array<Block | undefined>).concat((v.authentication_mode ?? []) as Block | Block[])[0];
  const list: unknown = mode?.passwords ?? v.passwords;
  return Array.isArray(list) ? list : [];
};

/** The rotation and migration steps the plan performs (the same steps diff.ts names offline). */
export function planRotations(plan: PlanJson): AuthRotation[] {
  const changes = plan.resource_changes ?? [];
  const byAddress = new Map(changes.map((rc) => [rc.address, rc]));
  const replacedPasswords = new Set(
    changes
      .filter((rc) => rc.type === 'random_password' && (rc.change.actions.includes('create') || rc.change.actions.includes('delete')))
      .map((rc) => blockAddress(rc.address)),
  );
  const out: AuthRotation[] = [];
  const groups = changes.filter((rc) => rc.mode === 'managed' && rc.type === RG);
  for (const rc of groups) {
    const b = isObject(rc.change.before) ? rc.change.before : undefined;
    const a = isObject(rc.change.after) ? rc.change.after : undefined;
    if (!b || !a || !rc.change.actions.includes('update')) continue;
    const tokenUnknown = sub(rc.change.after_unknown, 'auth_token') === true;
    const tokenBefore = isSet(b.auth_token);
    const tokenAfter = isSet(a.auth_token) || tokenUnknown;
    const before = b.auth_token_update_strategy ?? 'ROTATE';
    const after = a.auth_token_update_strategy ?? 'ROTATE';
    if (tokenBefore && !isSet(b.user_group_ids) && (isSet(a.user_group_ids) || marks(sub(rc.change.after_unknown, 'user_group_ids')))) {
      out.push(
        after === 'DELETE'
          ? { resource: rc.address, step: 'rbac-migration', message: ROTATION_STEPS.rbacMigration }
          : { resource: rc.address, step: 'refused', message: ROTATION_STEPS.rbacMigrationWithoutDelete },
      );
      continue;
    }
    if (before === 'DELETE' && after !== 'DELETE' && !tokenAfter) {
      out.push({ resource: rc.address, step: 'refused', message: ROTATION_STEPS.deleteStrategyRemoved });
      continue;
    }
    if (!tokenBefore || !tokenAfter) continue;
    const tokenChanged = tokenUnknown || b.auth_token !== a.auth_token;
    const rotation = tokenRotationStep(tokenChanged, before, after);
    if (rotation) out.push({ resource: rc.address, ...rotation });
  }
  const groupTokens: unknown[] = groups
    .map((rc): unknown => (isObject(rc.change.before) ? rc.change.before.auth_token : undefined))
    .filter(isSet);
  for (const rc of changes.filter((x) => x.mode === 'managed' && x.type === 'aws_elasticache_user')) {
    const b = isObject(rc.change.before) ? rc.change.before : undefined;
    const a = isObject(rc.change.after) ? rc.change.after : {};
    if (rc.change.actions.includes('no-op')) continue;
    const refs = configReferences(plan, rc.address, 'authentication_mode', 'passwords').filter(
      (r) => r.startsWith('random_password.') && r.split('.').length === 2,
    );
    if (a.user_name === 'default') {
      const before = passwordsOf(b).some((p) => groupTokens.includes(p));
      const after = refs.some((r) => /auth-token/.test(r));
      if (!before && after) out.push({ resource: rc.address, step: 'auth-token-accepted', message: ROTATION_STEPS.authTokenAccepted });
      if (before && !after) out.push({ resource: rc.address, step: 'auth-token-retired', message: ROTATION_STEPS.authTokenRetired });
      continue;
    }
    if (!b) continue; // a new user: nothing rotates
    const added = refs.filter((r) => replacedPasswords.has(r) || !byAddress.has(r)).length;
    const kept = refs.length - added;
    const name = typeof a.user_name === 'string' ? ` (user ${a.user_name})` : '';
    if (added > 0 && kept > 0) out.push({ resource: rc.address, step: 'rotate', message: `${ROTATION_STEPS.userRotate}${name}` });
    else if (added > 0) out.push({ resource: rc.address, step: 'set-with-new-token', message: `${ROTATION_STEPS.userReplaced}${name}` });
    else if (refs.length < passwordsOf(b).length)
      out.push({ resource: rc.address, step: 'set', message: `${ROTATION_STEPS.userSet}${name}` });
  }
  return out;
}

function timingOf(attr: string, after: Block): ModificationTiming | undefined {
  if ((ALWAYS_IMMEDIATE as readonly string[]).includes(attr)) return 'immediate';
  const rule = REPLICATION_GROUP_MODIFICATIONS[attr] as ModificationRule | undefined;
  if (!rule) return undefined;
  return isTrue(after.apply_immediately) ? 'immediate' : rule.withoutApplyImmediately;
}

function timingNote(attr: string, timing: ModificationTiming | undefined, after: Block): string | undefined {
  const rule = REPLICATION_GROUP_MODIFICATIONS[attr] as ModificationRule | undefined;
  if (!rule || timing === 'immediate' || timing === undefined) return undefined;
  return timing === 'refused'
    ? `REFUSED without apply_immediately: ElastiCache rejects the ${attr} change (apply_immediately is ${JSON.stringify(after.apply_immediately ?? false)}); ${rule.whatToDo}`
    : `DEFERRED to the maintenance window ${String(after.maintenance_window ?? '(AWS default)')} UTC: ${attr}; ${rule.whatToDo}`;
}

const empty = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) || (isObject(v) && !Object.keys(v).length);

/** The arguments the configuration sets for a resource block (its expressions). */
function configured(plan: PlanJson, address: string): Set<string> {
  const r = plan.configuration?.root_module?.resources?.find((x) => x.address === blockAddress(address));
  return new Set(Object.keys(r?.expressions ?? {}));
}

/**
 * A security group's inline `ingress` as (ports, source) pairs, without the ones the stack's own
 * aws_vpc_security_group_ingress_rule resources make: those appear in the group's state on the first refresh after
 * they are created, which is no change outside Terraform.
 */
function foreignIngress(plan: PlanJson, groupId: unknown, ingress: unknown): string[] {
  const own = new Set(
    moduleResources(plan.prior_state?.values?.root_module)
      .filter((r) => r.type === 'aws_vpc_security_group_ingress_rule' && r.values?.security_group_id === groupId)
      .map(
        (r) =>
          `${String(r.values?.from_port)}-${String(r.values?.to_port)} ${String(r.values?.cidr_ipv4 ?? r.values?.referenced_security_group_id)}`,
      ),
  );
  const pairs = (Array.isArray(ingress) ? (ingress as Block[]) : []).flatMap((e) =>
    [
      ...((e.cidr_blocks ?? []) as unknown[]),
      ...((e.ipv6_cidr_blocks ?? []) as unknown[]),
      ...((e.security_groups ?? []) as unknown[]),
    ].map((src) => `${String(e.from_port)}-${String(e.to_port)} ${String(src)}`),
  );
  return pairs.filter((p) => !own.has(p)).sort();
}

/** The drift the refresh found, and how many drifted resources show only computed values catching up. */
function driftOf(plan: PlanJson): { drift: DriftChange[]; quiet: string[] } {
  const planned = new Map((plan.resource_changes ?? []).map((rc) => [rc.address, rc]));
  const quiet: string[] = [];
  const drift = (plan.resource_drift ?? [])
    .filter((rc) => rc.mode === 'managed')
    .flatMap((rc): DriftChange[] => {
      const action = rc.change.actions.includes('delete') ? 'delete' : rc.change.actions.includes('update') ? 'update' : undefined;
      if (!action) return [];
      const rules = DRIFT_CALLOUTS[rc.type] ?? {};
      const calledOut = new Set(Object.values(rules).flat());
      const next = planned.get(rc.address);
      const nextAction = next ? actionOf(next.change.actions)?.action : undefined;
      const touched = next ? changedArguments(next, 'update').map((x) => x.attribute) : [];
      const set = configured(plan, rc.address);
      const attributes =
        action === 'delete'
          ? []
          : changedArguments(rc, 'update')
              .filter((x) => !(empty(x.before) && empty(x.after)))
              .filter((x) => {
                if (rc.type !== 'aws_security_group' || x.attribute !== 'ingress') return true;
                const b = isObject(rc.change.before) ? rc.change.before : {};
                const a = isObject(rc.change.after) ? rc.change.after : {};
                return canonical(foreignIngress(plan, b.id, b.ingress)) !== canonical(foreignIngress(plan, a.id, a.ingress));
              })
              .filter((x) => calledOut.has('*') || calledOut.has(x.attribute) || set.has(x.attribute) || touched.includes(x.attribute));
      if (action === 'update' && !attributes.length) {
        quiet.push(rc.address);
        return [];
      }
      const topics = (Object.keys(rules) as DriftTopic[]).filter((t) => {
        const args = rules[t] ?? [];
        return args.includes('*') || (action === 'update' && attributes.some((x) => args.includes(x.attribute)));
      });
      const thisApply =
        action === 'delete'
          ? nextAction === 'create'
            ? 'this apply creates it again'
            : 'this apply does not create it again'
          : nextAction === 'replace'
            ? 'this apply replaces it'
            : attributes.some((x) => touched.includes(x.attribute))
              ? `this apply sets ${attributes
                  .filter((x) => touched.includes(x.attribute))
                  .map((x) => x.attribute)
                  .join(', ')} back to the configuration`
              : 'this apply leaves it as it is now (not in the configuration, or ignored)';
      return [{ resource: rc.address, type: rc.type, action, attributes, topics, thisApply }];
    });
  return { drift, quiet };
}

/** Everything the review says about one stack's plan. */
export function planDiff(plan: PlanJson, environment: string): PlanStackDiff {
  const changes = (plan.resource_changes ?? []).filter((rc) => rc.mode === 'managed');
  const resources: ResourceChange[] = [];
  const warnings: string[] = [];
  const callouts: string[] = [];
  const deletedKeys = new Map(
    changes
      .filter((rc) => rc.type === 'aws_kms_key' && rc.change.actions.includes('delete') && isObject(rc.change.before))
      .flatMap((rc) => {
        const b = rc.change.before as Block;
        return [b.arn, b.key_id, b.id].filter((x): x is string => typeof x === 'string').map((k) => [k, rc.address] as const);
      }),
  );
  // parameter groups this apply deletes (replaced under a new name, or removed), by name
  const deletedParameterGroups = new Map(
    changes
      .filter((rc) => rc.type === PG && rc.change.actions.includes('delete') && isObject(rc.change.before))
      .flatMap((rc) => {
        const name = (rc.change.before as Block).name;
        return typeof name === 'string' ? [[name, rc.address] as const] : [];
      }),
  );
  const unsafeParameterGroups = new Map<string, string>();
  for (const rc of changes) {
    const act = actionOf(rc.change.actions);
    if (!act) continue;
    const address = rc.deposed ? `${rc.address} (deposed object ${rc.deposed})` : rc.address;
    const before = isObject(rc.change.before) ? rc.change.before : {};
    const after = isObject(rc.change.after) ? rc.change.after : {};
    const notes: string[] = [];
    if (rc.previous_address) notes.push(`moved from ${rc.previous_address}`);
    if (rc.change.importing) notes.push(`imported${rc.change.importing.id ? ` (id ${rc.change.importing.id})` : ''}`);
    if (rc.deposed) notes.push('a deposed object left from an earlier replacement');
    if (act.action === 'forget') notes.push('removed from the state only: the object itself stays, no longer managed by Terraform');
    const reason = rc.action_reason ? (ACTION_REASONS[rc.action_reason] ?? rc.action_reason) : undefined;
    if (reason && act.action !== 'update') notes.push(`${act.action === 'replace' ? 'replaced' : act.action}: ${reason}`);
    const whole = (v: Block, sens: unknown, unk?: unknown) =>
      masked(Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null)), sens, unk);
    let attributes: AttributeChange[];
    if (act.action === 'create') {
      attributes = [
        {
          resource: address,
          attribute: '*',
          before: null,
          after: whole(after, rc.change.after_sensitive, rc.change.after_unknown),
          replaces: false,
          action: 'create',
        },
      ];
    } else if (act.action === 'delete' || act.action === 'forget') {
      attributes = [
        {
          resource: address,
          attribute: '*',
          before: whole(before, rc.change.before_sensitive),
          after: null,
          replaces: false,
          action: 'delete',
        },
      ];
    } else {
      attributes = changedArguments(rc, act.action);
    }
    let dataLoss = false;
    let outage = false;
    if (act.action === 'update' && rc.type === RG) {
      const switched = (x: AttributeChange) =>
        x.attribute === 'parameter_group_name' && typeof x.before === 'string' && deletedParameterGroups.has(x.before);
      attributes = attributes.map((x) => {
        const timing = switched(x) ? parameterGroupSwitch(x.before, after).timing : timingOf(x.attribute, after);
        return timing ? { ...x, timing } : x;
      });
      for (const x of attributes) {
        const pgSwitch = switched(x) ? parameterGroupSwitch(x.before, after) : undefined;
        if (pgSwitch?.note) unsafeParameterGroups.set(deletedParameterGroups.get(x.before as string) ?? '', rc.address);
        const note = pgSwitch ? pgSwitch.note : timingNote(x.attribute, x.timing, after);
        if (note) {
          notes.push(note);
          warnings.push(`${address} (${String(after.replication_group_id)}): ${note}`);
        }
      }
    }
    if (act.action === 'replace' && act.createBeforeDestroy) {
      notes.push('expected and safe: create_before_destroy creates the new one first, and what uses it switches over in place');
    }
    if (act.action === 'replace' || act.action === 'delete') {
      const why =
        attributes
          .filter((x) => x.replaces)
          .map((x) => `${x.attribute} ${JSON.stringify(x.before)} → ${JSON.stringify(x.after)}`)
          .join('; ') || reason;
      const keyDeleted = typeof before.kms_key_id === 'string' && act.action === 'delete' ? deletedKeys.get(before.kms_key_id) : undefined;
      const d = dataStoreVerdict({
        type: rc.type,
        address,
        action: act.action,
        base: before,
        head: act.action === 'replace' ? after : undefined,
        environment,
        why: why ? `${why}; the plan's decision` : "the plan's decision",
        keyDeleted,
      });
      notes.push(...d.notes);
      dataLoss = d.dataLoss;
      outage = d.outage;
      if (d.callout) callouts.push(d.callout);
    }
    resources.push({
      resource: address,
      type: rc.type,
      action: act.action === 'forget' ? 'delete' : act.action,
      attributes,
      notes,
      dataLoss,
      outage,
      createBeforeDestroy: act.createBeforeDestroy,
      ...(rc.action_reason ? { actionReason: rc.action_reason } : {}),
      ...(act.action === 'forget' ? { forget: true } : {}),
    });
  }
  // a parameter group deleted while a group keeps using it: its replacement is not the safe switch-over it looks like
  for (const r of resources) {
    const user = unsafeParameterGroups.get(r.resource);
    if (!user) continue;
    const kept = r.notes.filter((n) => !n.startsWith('expected and safe'));
    r.notes.splice(
      0,
      r.notes.length,
      ...kept,
      `create_before_destroy creates the new one first, but NOT safe in this apply: deleting the old one fails while ${user} still uses it (see its REFUSED note)`,
    );
  }
  const rotations = planRotations(plan);
  for (const r of rotations) warnings.push(`${r.resource}: ${r.message}`);
  const planNotes: string[] = [];
  const { drift, quiet } = driftOf(plan);
  if (quiet.length) {
    planNotes.push(
      `${quiet.length} more resource${quiet.length === 1 ? '' : 's'} drifted only in values this configuration does not set (computed values catching up, e.g. ${quiet[0]}): not listed`,
    );
  }
  if (plan.complete === false) {
    planNotes.push('⚠️ the plan is not complete (deferred changes): after this apply, plan and apply again until the plan is complete');
  }
  const order: Record<Action, number> = { replace: 0, delete: 1, update: 2, create: 3 };
  resources.sort((x, y) => order[x.action] - order[y.action] || x.resource.localeCompare(y.resource));
  const prior = moduleResources(plan.prior_state?.values?.root_module);
  return {
    resources,
    callouts,
    changes: resources.flatMap((r) => r.attributes),
    warnings,
    rotations,
    // which cluster-mode step is deployed is read from the syntheses (review.ts), not from a plan's values
    growth: [],
    drift,
    baseMonthlyCostUsd: costOfValues(prior),
    monthlyCostUsd: costOfValues(moduleResources(plan.planned_values?.root_module)),
    inState: [...new Set(prior.filter((r) => r.mode === 'managed').map((r) => blockAddress(r.address)))].sort(),
    planNotes,
  };
}
