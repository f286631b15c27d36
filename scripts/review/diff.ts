/**
 * What a change does: resources created, deleted, updated and replaced from a base synthesis to the head, with
 * data-loss call-outs for data stores.
 */
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import {
  ALWAYS_IMMEDIATE,
  ModificationRule,
  ModificationTiming,
  PARAMETER_GROUP_SWITCH,
  REPLICATION_GROUP_MODIFICATIONS,
  ROTATION_STEPS,
} from '../../config/modifications';
import { referencedAddresses, resourceAt } from '../../constructs/tf-json';
import { Block, METADATA_KEY, TfJson, TfResource, isSet, isTrue, providerRegion, resourcesOf } from '../../constructs/tf-json';
import { GrowthTransition, growthTransitions } from './growth';
import { ReplacementContext, replacementOf, same } from './replacement';
import { PG, RG } from './summary';
import { SNAPSHOT_KEY_NOTE, dataStoreVerdict } from './verdicts';

export type Action = 'create' | 'delete' | 'update' | 'replace';

export interface AttributeChange {
  readonly resource: string;
  /** Top-level argument; `*` for a created or deleted resource (before/after: its whole configuration). */
  readonly attribute: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The change forces the resource to be destroyed and created again (constructs/facts/force-new.ts). */
  readonly replaces: boolean;
  readonly action: Action;
  /** Why it replaces, or why a conditional argument does not. */
  readonly reason?: string;
  /**
   * For an in-place change of a replication group: whether ElastiCache refuses it, defers it to the maintenance
   * window or applies it at once under the stack's apply_immediately (config/modifications.ts).
   */
  readonly timing?: ModificationTiming;
  /** A plan marks the value sensitive: before and after are shown as "(sensitive)", never their content. */
  readonly sensitive?: boolean;
}

/**
 * The step of a two-step rotation of an AUTH token, from whether the token changed and the update strategy before and
 * after (ROTATE when unset), with the review's message for it; undefined when the change rotates nothing. Shared by
 * the offline prediction (authRotations) and the plan's reading (plan-diff.ts planRotations).
 */
export function tokenRotationStep(
  tokenChanged: boolean,
  before: unknown,
  after: unknown,
): { step: 'rotate' | 'set' | 'set-with-new-token' | 'strategy-only'; message: string } | undefined {
  const step = tokenChanged
    ? after === 'SET'
      ? 'set-with-new-token'
      : 'rotate'
    : before !== after
      ? after === 'SET'
        ? 'set'
        : 'strategy-only'
      : undefined;
  if (!step) return undefined;
  const message = {
    rotate: ROTATION_STEPS.rotate,
    set: ROTATION_STEPS.set,
    'set-with-new-token': ROTATION_STEPS.setWithNewToken,
    'strategy-only': ROTATION_STEPS.rotateAgain,
  }[step];
  return { step, message };
}

/**
 * Which step of a two-step credential rotation a change performs, or which step of the move from an AUTH token to
 * RBAC (config/modifications.ts ROTATION_STEPS).
 */
export interface AuthRotation {
  readonly resource: string;
  readonly step:
    | 'rotate'
    | 'set'
    | 'set-with-new-token'
    | 'strategy-only'
    | 'rbac-migration'
    | 'auth-token-accepted'
    | 'auth-token-retired'
    /** A change the provider turns into a request ElastiCache refuses (an empty AUTH token). */
    | 'refused';
  readonly message: string;
}

export interface ResourceChange {
  readonly resource: string;
  readonly type: string;
  readonly action: Action;
  readonly attributes: readonly AttributeChange[];
  readonly notes: string[];
  /**
   * The data the resource serves is lost: a replication group replaced or deleted (whatever its final snapshot: the
   * new one starts empty), or another data store replaced or deleted without keeping its data (verdicts.ts).
   */
  readonly dataLoss: boolean;
  /** A data store is unavailable between the delete and the create (or for good). */
  readonly outage: boolean;
  /** Replaced with `lifecycle.create_before_destroy`: the new one exists before the old one goes. */
  readonly createBeforeDestroy: boolean;
  /** A plan's `action_reason` (plan-diff.ts). */
  readonly actionReason?: string;
  /** A plan's `forget`: removed from the state, the object stays (shown as a delete with that note). */
  readonly forget?: boolean;
}

export interface StackDiff {
  readonly resources: readonly ResourceChange[];
  /** What the review says first: data loss and outages, with what keeps the data and how to restore it. */
  readonly callouts: readonly string[];
  readonly changes: readonly AttributeChange[];
  /** Stack-level warnings: refused or deferred modifications, rotation steps, replacements not assessed. */
  readonly warnings: readonly string[];
  /** AUTH token rotation steps the change performs. */
  readonly rotations: readonly AuthRotation[];
  /** What the change does to each group's cluster-mode step and capacity (./growth.ts). */
  readonly growth: readonly GrowthTransition[];
}

/** The random_password behind a replication group's auth_token, if it is one of the stack's. */
function tokenOf(json: TfJson | undefined, rg: Block): Block | undefined {
  const address = referencedAddresses(rg.auth_token).find((a) => a.startsWith('random_password.'));
  return address && json ? resourceAt(json, address)?.body : undefined;
}

/** Which rotation step each replication group's change performs: a new token (keepers), a strategy change, or both. */
export function authRotations(base: TfJson | undefined, head: TfJson | undefined): AuthRotation[] {
  const out: AuthRotation[] = [];
  for (const hr of resourcesOf(head ?? {}, RG)) {
    const br = base?.resource?.[RG]?.[hr.name];
    if (!br || !isSet(hr.body.auth_token) || !isSet(br.auth_token)) continue;
    const bt = tokenOf(base, br);
    const ht = tokenOf(head, hr.body);
    const tokenChanged =
      !same(br.auth_token, hr.body.auth_token) || (bt !== undefined && ht !== undefined && !same(bt.keepers, ht.keepers));
    const before = br.auth_token_update_strategy ?? 'ROTATE';
    const after = hr.body.auth_token_update_strategy ?? 'ROTATE';
    const rotation = tokenRotationStep(tokenChanged, before, after);
    if (!rotation) continue;
    const { step, message } = rotation;
    const version = ht?.keepers?.version;
    out.push({ resource: hr.address, step, message: `${message}${version !== undefined ? ` (token version ${version})` : ''}` });
  }
  return out;
}

const USER = 'aws_elasticache_user';

/** The random_password resources behind a user's passwords, with their keepers. */
function userPasswords(json: TfJson, user: Block): { address: string; keepers: unknown }[] {
  const modes: Block[] = ([] as Block[]).concat((user.authentication_mode ?? []) as Block | Block[]);
  const mode = modes.at(0);
  return referencedAddresses(mode?.passwords ?? user.passwords)
    .filter((a) => a.startsWith('random_password.'))
    .map((a) => ({ address: a, keepers: resourceAt(json, a)?.body.keepers }))
    .sort((x, y) => x.address.localeCompare(y.address));
}

/** The rotation steps of RBAC users, and the steps of a move from an AUTH token to RBAC. */
export function userRotations(base: TfJson | undefined, head: TfJson | undefined): AuthRotation[] {
  if (!base || !head) return [];
  const out: AuthRotation[] = [];
  for (const hr of resourcesOf(head, RG)) {
    const br = base.resource?.[RG]?.[hr.name];
    if (br && isSet(br.auth_token) && !isSet(br.user_group_ids) && isSet(hr.body.user_group_ids)) {
      out.push(
        hr.body.auth_token_update_strategy === 'DELETE'
          ? { resource: hr.address, step: 'rbac-migration', message: ROTATION_STEPS.rbacMigration }
          : { resource: hr.address, step: 'refused', message: ROTATION_STEPS.rbacMigrationWithoutDelete },
      );
    } else if (
      br &&
      br.auth_token_update_strategy === 'DELETE' &&
      hr.body.auth_token_update_strategy !== 'DELETE' &&
      !isSet(hr.body.auth_token)
    ) {
      out.push({ resource: hr.address, step: 'refused', message: ROTATION_STEPS.deleteStrategyRemoved });
    }
  }
  for (const hu of resourcesOf(head, USER)) {
    const bu = base.resource?.[USER]?.[hu.name];
    const before = bu ? userPasswords(base, bu) : [];
    const after = userPasswords(head, hu.body);
    if (hu.body.user_name === 'default') {
      // the AUTH token is the random_password of the construct id `auth-token` (constructs/elasticache/replication-group.ts)
      const accepted = (list: { address: string }[]) => list.some((p) => /auth-token/.test(p.address));
      if (!accepted(before) && accepted(after))
        out.push({ resource: hu.address, step: 'auth-token-accepted', message: ROTATION_STEPS.authTokenAccepted });
      if (accepted(before) && !accepted(after))
        out.push({ resource: hu.address, step: 'auth-token-retired', message: ROTATION_STEPS.authTokenRetired });
      continue;
    }
    if (!bu) continue; // a new user: nothing rotates
    const kept = after.filter((a) => before.some((b) => b.address === a.address && same(b.keepers, a.keepers)));
    const added = after.length - kept.length;
    const name = typeof hu.body.user_name === 'string' ? ` (user ${hu.body.user_name})` : '';
    if (added > 0 && kept.length > 0) out.push({ resource: hu.address, step: 'rotate', message: `${ROTATION_STEPS.userRotate}${name}` });
    else if (added > 0) out.push({ resource: hu.address, step: 'set-with-new-token', message: `${ROTATION_STEPS.userReplaced}${name}` });
    else if (after.length < before.length) out.push({ resource: hu.address, step: 'set', message: `${ROTATION_STEPS.userSet}${name}` });
  }
  return out;
}

/** How ElastiCache takes an in-place change of a replication group's argument under the stack's apply_immediately. */
function timingOf(attr: string, head: Block): ModificationTiming | undefined {
  const rule = REPLICATION_GROUP_MODIFICATIONS[attr] as ModificationRule | undefined;
  if ((ALWAYS_IMMEDIATE as readonly string[]).includes(attr)) return 'immediate';
  if (!rule) return undefined;
  return isTrue(head.apply_immediately) ? 'immediate' : rule.withoutApplyImmediately;
}

function timingNote(a: { attribute: string; timing?: ModificationTiming }, head: Block): string | undefined {
  const rule = REPLICATION_GROUP_MODIFICATIONS[a.attribute] as ModificationRule | undefined;
  if (!rule || a.timing === 'immediate') return undefined;
  return a.timing === 'refused'
    ? `REFUSED without apply_immediately: ElastiCache rejects the ${a.attribute} change (apply_immediately is ${JSON.stringify(head.apply_immediately ?? false)}); ${rule.whatToDo}`
    : `DEFERRED to the maintenance window ${head.maintenance_window ?? '(AWS default)'} UTC: ${a.attribute}; ${rule.whatToDo}`;
}

/**
 * A replication group's switch to a new parameter group in an apply that deletes the old one
 * (config/modifications.ts PARAMETER_GROUP_SWITCH): its timing under the group's apply_immediately and, when refused,
 * the review's note. Shared by the offline prediction and the plan's reading (plan-diff.ts).
 */
export function parameterGroupSwitch(oldName: unknown, group: Block): { timing: ModificationTiming; note?: string } {
  if (isTrue(group.apply_immediately)) return { timing: 'immediate' };
  return {
    timing: PARAMETER_GROUP_SWITCH.withoutApplyImmediately,
    note:
      `REFUSED without apply_immediately: this apply deletes the parameter group ${JSON.stringify(oldName)}, which the group ` +
      `keeps using until its maintenance window ${String(group.maintenance_window ?? '(AWS default)')} UTC (apply_immediately is ` +
      `${JSON.stringify(group.apply_immediately ?? false)}); ElastiCache refuses to delete a parameter group in use ` +
      `(InvalidCacheParameterGroupState) and the apply fails; ${PARAMETER_GROUP_SWITCH.whatToDo}`,
  };
}

/** Arguments that are Terraform meta-arguments or never force replacement. */
const bodyOf = (r: TfResource) => Object.fromEntries(Object.entries(r.body).filter(([k]) => k !== METADATA_KEY));

/**
 * What changes from `base` to `head` (either may be absent: a new or removed stack). Resources are matched by
 * type and logical name.
 */
export function diffStacks(base: TfJson | undefined, head: TfJson | undefined, environment = 'unknown'): StackDiff {
  const b = new Map(resourcesOf(base ?? {}).map((r) => [r.address, r]));
  const h = new Map(resourcesOf(head ?? {}).map((r) => [r.address, r]));
  const baseRegion = base && providerRegion(base);
  const headRegion = head && providerRegion(head);
  const resources: ResourceChange[] = [];
  const warnings: string[] = [];
  const callouts: string[] = [];
  const unassessed = new Set<string>();

  for (const [address, r] of h) {
    if (b.has(address)) continue;
    // a group created from a snapshot (a re-created stack restoring its final snapshot): its key must still be usable
    const restore =
      r.type === RG && isSet(r.body.snapshot_name)
        ? `created from snapshot ${String(r.body.snapshot_name)}: ${SNAPSHOT_KEY_NOTE}`
        : undefined;
    if (restore) warnings.push(`${address} (${r.body.replication_group_id}): ${restore}`);
    resources.push({
      resource: address,
      type: r.type,
      action: 'create',
      notes: restore ? [restore] : [],
      dataLoss: false,
      outage: false,
      createBeforeDestroy: false,
      attributes: [{ resource: address, attribute: '*', before: null, after: bodyOf(r), replaces: false, action: 'create' }],
    });
  }
  for (const [address, r] of b) {
    if (h.has(address)) continue;
    // the group's key goes with it: the final snapshot is encrypted with that key
    const key = referencedAddresses(r.body.kms_key_id).find((a) => a.startsWith('aws_kms_key.'));
    const keyDeleted = key !== undefined && !resourceAt(head ?? {}, key) ? key : undefined;
    const d = dataStoreVerdict({ type: r.type, address, action: 'delete', base: r.body, environment, keyDeleted });
    if (d.callout) callouts.push(d.callout);
    resources.push({
      resource: address,
      type: r.type,
      action: 'delete',
      notes: [...d.notes],
      dataLoss: d.dataLoss,
      outage: d.outage,
      createBeforeDestroy: false,
      attributes: [{ resource: address, attribute: '*', before: bodyOf(r), after: null, replaces: false, action: 'delete' }],
    });
  }
  for (const [address, hr] of h) {
    const br = b.get(address);
    if (!br) continue;
    const ctx: ReplacementContext = { base: br.body, head: hr.body, baseRegion, headRegion };
    const attrs = [...new Set([...Object.keys(br.body), ...Object.keys(hr.body)])].filter((k) => k !== METADATA_KEY).sort();
    const changed = attrs
      .filter((k) => !same(br.body[k], hr.body[k]))
      .map((attr) => {
        const r = replacementOf(hr.type, attr, ctx);
        if (!r.assessed) unassessed.add(hr.type);
        return { attr, ...r };
      });
    // a provider region change moves every AWS resource that does not pin its own region
    if (hr.type.startsWith('aws_') && baseRegion !== headRegion && !changed.some((c) => c.attr === 'region') && !isSet(hr.body.region)) {
      changed.push({ attr: 'region', replaces: true, reason: `provider region ${baseRegion} → ${headRegion}`, assessed: true });
    }
    if (!changed.length) continue;
    const action: Action = changed.some((c) => c.replaces) ? 'replace' : 'update';
    const timed = hr.type === RG && action === 'update';
    const attributes: AttributeChange[] = changed.map((c) => {
      const timing = timed ? timingOf(c.attr, hr.body) : undefined;
      return {
        resource: address,
        attribute: c.attr,
        before: c.attr === 'region' && !(c.attr in br.body) ? baseRegion : br.body[c.attr],
        after: c.attr === 'region' && !(c.attr in hr.body) ? headRegion : hr.body[c.attr],
        replaces: c.replaces,
        action,
        ...(c.reason ? { reason: c.reason } : {}),
        ...(timing ? { timing } : {}),
      };
    });
    const notes: string[] = [];
    for (const a of attributes) {
      const note = timed ? timingNote(a, hr.body) : undefined;
      if (note) {
        notes.push(note);
        warnings.push(`${address} (${hr.body.replication_group_id}): ${note}`);
      }
    }
    let dataLoss = false;
    let outage = false;
    const createBeforeDestroy = action === 'replace' && hr.body.lifecycle?.create_before_destroy === true;
    if (action === 'replace') {
      if (createBeforeDestroy) {
        notes.push('expected and safe: create_before_destroy creates the new one first, and what uses it switches over in place');
      }
      const why = attributes
        .filter((a) => a.replaces)
        .map(
          (a) =>
            `${a.attribute} ${JSON.stringify(a.before ?? null)} → ${JSON.stringify(a.after ?? null)}${a.reason ? `: ${a.reason}` : ''}`,
        )
        .join('; ');
      const d = dataStoreVerdict({ type: hr.type, address, action: 'replace', base: br.body, head: hr.body, environment, why });
      notes.push(...d.notes);
      dataLoss = d.dataLoss;
      outage = d.outage;
      if (d.callout) callouts.push(d.callout);
    }
    resources.push({ resource: address, type: hr.type, action, attributes, notes, dataLoss, outage, createBeforeDestroy });
  }
  // a parameter group replaced under a new name: each group using it switches in this apply, and the old one is deleted
  for (const pg of resources.filter((r) => r.type === PG && r.action === 'replace')) {
    const oldName = b.get(pg.resource)?.body.name;
    const newName = h.get(pg.resource)?.body.name;
    for (const [address, hr] of h) {
      if (hr.type !== RG || !referencedAddresses(hr.body.parameter_group_name).includes(pg.resource)) continue;
      const at = resources.findIndex((r) => r.resource === address);
      if (at >= 0 && resources[at].action !== 'update') continue; // a group created or replaced takes the new one as it is made
      const { timing, note } = parameterGroupSwitch(oldName, hr.body);
      const change: AttributeChange = {
        resource: address,
        attribute: 'parameter_group_name',
        before: oldName,
        after: newName,
        replaces: false,
        action: 'update',
        timing,
      };
      const entry: ResourceChange =
        at >= 0
          ? { ...resources[at], attributes: [...resources[at].attributes, change] }
          : {
              resource: address,
              type: RG,
              action: 'update',
              attributes: [change],
              notes: [],
              dataLoss: false,
              outage: false,
              createBeforeDestroy: false,
            };
      if (at >= 0) resources[at] = entry;
      else resources.push(entry);
      if (note) {
        entry.notes.push(note);
        const kept = pg.notes.filter((n) => !n.startsWith('expected and safe'));
        pg.notes.splice(
          0,
          pg.notes.length,
          ...kept,
          `create_before_destroy creates the new one first, but NOT safe in this apply: deleting the old one fails while ${address} still uses it (see its REFUSED note)`,
        );
        warnings.push(`${address} (${String(hr.body.replication_group_id)}): ${note}`);
      }
    }
  }
  for (const t of unassessed)
    warnings.push(`${t} is not in constructs/facts/force-new.ts: whether its changes replace it is not assessed (see cdktf diff)`);
  const rotations = [...authRotations(base, head), ...userRotations(base, head)];
  for (const r of rotations) warnings.push(`${r.resource}: ${r.message}`);
  const growth = growthTransitions(base, head, new Set(resources.filter((r) => r.action === 'replace').map((r) => r.resource)));
  for (const g of growth) {
    warnings.push(`${g.resource}: ${g.message}`);
    resources.find((r) => r.resource === g.resource)?.notes.push(g.message);
  }
  const order: Record<Action, number> = { replace: 0, delete: 1, update: 2, create: 3 };
  resources.sort((x, y) => order[x.action] - order[y.action] || x.resource.localeCompare(y.resource));
  return { resources, callouts, changes: resources.flatMap((r) => r.attributes), warnings, rotations, growth };
}
