/**
 * What a change does: resources created, deleted, updated and replaced from a base synthesis to the head, with
 * data-loss call-outs for data stores.
 */
import { FORCE_NEW } from '../../config/force-new';
import { Block, METADATA_KEY, TfJson, TfResource, isSet, providerRegion, resourcesOf } from '../../constructs/guardrails/tf-json';
import { ReplacementContext, replacementOf, same } from './replacement';
import { RG } from './summary';

export type Action = 'create' | 'delete' | 'update' | 'replace';

export interface AttributeChange {
  readonly resource: string;
  /** Top-level argument; `*` for a created or deleted resource (before/after: its whole configuration). */
  readonly attribute: string;
  readonly before: unknown;
  readonly after: unknown;
  /** The change forces the resource to be destroyed and created again (config/force-new.ts). */
  readonly replaces: boolean;
  readonly action: Action;
  /** Why it replaces, or why a conditional argument does not. */
  readonly reason?: string;
}

export interface ResourceChange {
  readonly resource: string;
  readonly type: string;
  readonly action: Action;
  readonly attributes: readonly AttributeChange[];
  readonly notes: readonly string[];
  /** Replaced or deleted with data that is not kept (no final snapshot). */
  readonly dataLoss: boolean;
  /** Replaced with `lifecycle.create_before_destroy`: the new one exists before the old one goes. */
  readonly createBeforeDestroy: boolean;
}

export interface StackDiff {
  readonly resources: readonly ResourceChange[];
  readonly changes: readonly AttributeChange[];
  /** Stack-level call-outs: data loss, replaced data stores, replacements not assessed. */
  readonly warnings: readonly string[];
}

/** Arguments that are Terraform meta-arguments or never force replacement. */
const bodyOf = (r: TfResource) => Object.fromEntries(Object.entries(r.body).filter(([k]) => k !== METADATA_KEY));

function dataStoreNotes(
  r: TfResource,
  base: Block,
  action: 'replace' | 'delete',
): { notes: string[]; dataLoss: boolean; warning?: string } {
  const entry = FORCE_NEW[r.type];
  const what = action === 'replace' ? 'replaced' : 'deleted';
  const label = `${r.address}${r.type === RG ? ` (${base.replication_group_id})` : ''}`;
  if (!entry?.losesData) return { notes: [], dataLoss: false };
  const keep = entry.losesData.unlessSet;
  if (keep && isSet(base[keep])) {
    const note = `${what}; final snapshot ${base[keep]} is taken${action === 'replace' ? ' (the new one starts empty unless restored from it)' : ''}`;
    return { notes: [note], dataLoss: false, warning: `${label} is ${note}` };
  }
  const note = `DATA LOSS: ${what} without ${keep ? `a ${keep}` : 'keeping its data'}`;
  return { notes: [note], dataLoss: true, warning: `${label}: ${note}` };
}

/**
 * What changes from `base` to `head` (either may be absent: a new or removed stack). Resources are matched by
 * type and logical name.
 */
export function diffStacks(base: TfJson | undefined, head: TfJson | undefined): StackDiff {
  const b = new Map(resourcesOf(base ?? {}).map((r) => [r.address, r]));
  const h = new Map(resourcesOf(head ?? {}).map((r) => [r.address, r]));
  const baseRegion = base && providerRegion(base);
  const headRegion = head && providerRegion(head);
  const resources: ResourceChange[] = [];
  const warnings: string[] = [];
  const unassessed = new Set<string>();

  for (const [address, r] of h) {
    if (b.has(address)) continue;
    resources.push({
      resource: address,
      type: r.type,
      action: 'create',
      notes: [],
      dataLoss: false,
      createBeforeDestroy: false,
      attributes: [{ resource: address, attribute: '*', before: null, after: bodyOf(r), replaces: false, action: 'create' }],
    });
  }
  for (const [address, r] of b) {
    if (h.has(address)) continue;
    const d = dataStoreNotes(r, r.body, 'delete');
    if (d.warning) warnings.push(d.warning);
    resources.push({
      resource: address,
      type: r.type,
      action: 'delete',
      notes: d.notes,
      dataLoss: d.dataLoss,
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
    const attributes = changed.map((c) => ({
      resource: address,
      attribute: c.attr,
      before: c.attr === 'region' && !(c.attr in br.body) ? baseRegion : br.body[c.attr],
      after: c.attr === 'region' && !(c.attr in hr.body) ? headRegion : hr.body[c.attr],
      replaces: c.replaces,
      action,
      ...(c.reason ? { reason: c.reason } : {}),
    }));
    const notes: string[] = [];
    let dataLoss = false;
    const createBeforeDestroy = action === 'replace' && hr.body.lifecycle?.create_before_destroy === true;
    if (action === 'replace') {
      if (createBeforeDestroy) {
        notes.push('expected and safe: create_before_destroy creates the new one first, and what uses it switches over in place');
      }
      const d = dataStoreNotes(hr, br.body, 'replace');
      notes.push(...d.notes);
      dataLoss = d.dataLoss;
      if (d.warning) warnings.push(d.warning);
    }
    resources.push({ resource: address, type: hr.type, action, attributes, notes, dataLoss, createBeforeDestroy });
  }
  for (const t of unassessed)
    warnings.push(`${t} is not in config/force-new.ts: whether its changes replace it is not assessed (see cdktf diff)`);
  const order: Record<Action, number> = { replace: 0, delete: 1, update: 2, create: 3 };
  resources.sort((x, y) => order[x.action] - order[y.action] || x.resource.localeCompare(y.resource));
  return { resources, changes: resources.flatMap((r) => r.attributes), warnings };
}
