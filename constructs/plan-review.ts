/**
 * Offline plan review: what each synthesized stack deploys, what a change does to it compared with a base
 * synthesis (added, removed, changed and replaced resources, data loss, cost delta), and its guardrail
 * violations. Pure functions over the synthesized JSON (cdktf.out/stacks/<stack>/cdk.tf.json or
 * `Testing.synth`), except `readSynthOutput`, which reads a cdktf.out directory. CLI: scripts/review.ts.
 *
 * Replacement data: config/force-new.ts (from ../shared/reference/force-new.md). Prices: config/node-catalog.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { AWS_RESOURCE_CONDITIONAL, ConditionalReplacement, FORCE_NEW } from '../config/force-new';
import { ENGINES, Engine } from '../config/elasticache';
import {
  DEFAULT_RESERVED_MEMORY_PERCENT, GIB, PRICE_DATE, PRICE_REGION, HOURS_PER_MONTH, dataSpaceBytes, findNodeType, hourlyPriceUsd, monthlyCostUsd,
} from '../config/node-catalog';
import { NODE_DIMENSION } from '../config/guardrails';
import { Violation, checkGuardrails, describeRules, isCustomerManagedKey } from './guardrails';
import {
  Block, METADATA_KEY, TfJson, TfResource, environmentOf, isExpression, isSet, isTrue, providerRegion, referencedResource,
  replicationGroupLayout, resourcesOf,
} from './tf-json';

const RG = 'aws_elasticache_replication_group';
const round2 = (n: number) => Math.round(n * 100) / 100;

// ---------------------------------------------------------------- summary

export interface AlarmSummary {
  /** Metric name, or the metric-math label (e.g. the hit rate). */
  readonly metric: string;
  /** `>`, `<`, `≥`, `≤`. */
  readonly comparison: string;
  readonly threshold: number | string;
  /** Nodes with this alarm, and how many of those alarms have alarm actions. */
  readonly nodes: number;
  readonly withActions: number;
}

export interface CacheSummary {
  readonly resource: string;
  readonly replicationGroupId: string;
  readonly engine: string;
  readonly engineVersion: string;
  readonly nodeType: string;
  readonly vcpu: number | null;
  readonly memoryGiB: number | null;
  readonly clusterMode: boolean | null;
  readonly shards: number | null;
  readonly nodesPerShard: number | null;
  readonly totalNodes: number | null;
  readonly reservedMemoryPercent: number;
  /** Data space after reserved memory, all shards, GiB. */
  readonly dataGiB: number | null;
  readonly encryptionAtRest: { readonly enabled: boolean; readonly kmsKey: string | null; readonly customerManaged: boolean };
  readonly encryptionInTransit: { readonly enabled: boolean; readonly mode: string | null };
  readonly authentication: string;
  readonly multiAz: boolean;
  readonly automaticFailover: boolean;
  readonly backups: { readonly retentionDays: number; readonly window: string | null; readonly finalSnapshot: string | null };
  readonly maintenanceWindow: string | null;
  readonly alarms: readonly AlarmSummary[];
  readonly hourlyUsdPerNode: number | null;
  /** Monthly on-demand cost of the group's nodes; null when the node type or engine is not in the catalog. */
  readonly monthlyCostUsd: number | null;
}

export interface StackSummary {
  readonly stack: string;
  readonly environment: string;
  readonly caches: readonly CacheSummary[];
  /** Resources per type. */
  readonly resourceCounts: Readonly<Record<string, number>>;
  /** Sum over the caches whose price is known. */
  readonly monthlyCostUsd: number;
  readonly priceDate: string;
  readonly priceRegion: string;
}

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: '>', GreaterThanOrEqualToThreshold: '≥', LessThanThreshold: '<', LessThanOrEqualToThreshold: '≤',
};

/** The node an alarm watches (its own dimensions, or those of its metric-math inputs) and the metric shown. */
function alarmTarget(b: Block): { node?: string; metric: string } {
  const direct = b.dimensions?.[NODE_DIMENSION];
  if (typeof direct === 'string') return { node: direct, metric: String(b.metric_name) };
  const queries = ([] as Block[]).concat(b.metric_query ?? []);
  const node = queries.map((q) => q?.metric?.dimensions?.[NODE_DIMENSION]).find((n) => typeof n === 'string');
  const output = queries.find((q) => isTrue(q?.return_data) && q.expression);
  return { node, metric: output?.label ?? output?.id ?? 'metric math' };
}

function alarmsOf(json: TfJson, nodeIds: ReadonlySet<string>): AlarmSummary[] {
  const groups = new Map<string, { metric: string; comparison: string; threshold: number | string; nodes: number; withActions: number }>();
  for (const a of resourcesOf(json, 'aws_cloudwatch_metric_alarm')) {
    const { node, metric } = alarmTarget(a.body);
    if (!node || !nodeIds.has(node)) continue;
    const comparison = COMPARISON[a.body.comparison_operator] ?? String(a.body.comparison_operator);
    const threshold = typeof a.body.threshold === 'number' ? round2(a.body.threshold) : String(a.body.threshold);
    const key = `${metric}|${comparison}|${threshold}`;
    const g = groups.get(key) ?? { metric, comparison, threshold, nodes: 0, withActions: 0 };
    g.nodes += 1;
    if (([] as unknown[]).concat(a.body.alarm_actions ?? []).some(isSet)) g.withActions += 1;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.metric.localeCompare(b.metric) || String(a.threshold).localeCompare(String(b.threshold), 'en', { numeric: true }));
}

function reservedMemoryPercent(json: TfJson, rg: Block): number {
  const pg = referencedResource(json, rg.parameter_group_name);
  const p = ([] as Block[]).concat(pg?.body.parameter ?? []).find((x) => x?.name === 'reserved-memory-percent');
  const n = Number(p?.value);
  return p && Number.isFinite(n) ? n : DEFAULT_RESERVED_MEMORY_PERCENT;
}

function authenticationOf(rg: Block): string {
  if (isSet(rg.user_group_ids)) return `RBAC user groups ${JSON.stringify(rg.user_group_ids)}`;
  if (!isSet(rg.auth_token)) return 'none';
  const source = isExpression(rg.auth_token) ? 'generated at deploy time' : 'LITERAL';
  return `AUTH token (${source}${rg.auth_token_update_strategy ? `, update strategy ${rg.auth_token_update_strategy}` : ''})`;
}

export function summarizeCache(json: TfJson, r: TfResource): CacheSummary {
  const b = r.body;
  const layout = replicationGroupLayout(b);
  const node = typeof b.node_type === 'string' ? findNodeType(b.node_type) : undefined;
  const engine = (ENGINES as readonly string[]).includes(b.engine ?? 'redis') ? (b.engine ?? 'redis') as Engine : undefined;
  const reserved = reservedMemoryPercent(json, b);
  const hourly = node && engine ? hourlyPriceUsd(node, engine) : null;
  const nodeIds = new Set(layout?.nodes.map((n) => n.cacheClusterId) ?? []);
  return {
    resource: r.address,
    replicationGroupId: String(b.replication_group_id),
    engine: String(b.engine ?? 'redis'),
    engineVersion: String(b.engine_version ?? '(default)'),
    nodeType: String(b.node_type),
    vcpu: node?.vcpu ?? null,
    memoryGiB: node?.memoryGiB ?? null,
    clusterMode: layout?.clusterMode ?? null,
    shards: layout?.shards ?? null,
    nodesPerShard: layout ? 1 + layout.replicasPerShard : null,
    totalNodes: layout?.totalNodes ?? null,
    reservedMemoryPercent: reserved,
    dataGiB: node && layout ? round2(layout.shards * dataSpaceBytes(node, reserved) / GIB) : null,
    encryptionAtRest: {
      enabled: isTrue(b.at_rest_encryption_enabled),
      kmsKey: isSet(b.kms_key_id) ? String(b.kms_key_id) : null,
      customerManaged: isCustomerManagedKey(json, b.kms_key_id),
    },
    encryptionInTransit: { enabled: isTrue(b.transit_encryption_enabled), mode: b.transit_encryption_mode ?? null },
    authentication: authenticationOf(b),
    multiAz: isTrue(b.multi_az_enabled),
    automaticFailover: isTrue(b.automatic_failover_enabled),
    backups: {
      retentionDays: typeof b.snapshot_retention_limit === 'number' ? b.snapshot_retention_limit : 0,
      window: b.snapshot_window ?? null,
      finalSnapshot: isSet(b.final_snapshot_identifier) ? String(b.final_snapshot_identifier) : null,
    },
    maintenanceWindow: b.maintenance_window ?? null,
    alarms: alarmsOf(json, nodeIds),
    hourlyUsdPerNode: hourly,
    monthlyCostUsd: node && engine && layout ? monthlyCostUsd(node, engine, layout.totalNodes) : null,
  };
}

/** What a synthesized stack deploys. */
export function summarize(json: TfJson, stackName: string): StackSummary {
  const caches = resourcesOf(json, RG).map((r) => summarizeCache(json, r));
  const resourceCounts: Record<string, number> = {};
  for (const r of resourcesOf(json)) resourceCounts[r.type] = (resourceCounts[r.type] ?? 0) + 1;
  return {
    stack: stackName,
    environment: environmentOf(json, stackName),
    caches,
    resourceCounts,
    monthlyCostUsd: round2(caches.reduce((sum, c) => sum + (c.monthlyCostUsd ?? 0), 0)),
    priceDate: PRICE_DATE,
    priceRegion: PRICE_REGION,
  };
}

// ---------------------------------------------------------------- diff

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
const NEVER_REPLACES = new Set(['tags', 'tags_all', 'lifecycle', 'depends_on', 'provider', 'timeouts', 'count', 'for_each', 'provisioner', 'connection']);

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).filter((k) => k !== METADATA_KEY).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Block)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Dotted paths (list indices dropped) under which two values differ: `build.dockerfile`, `ports.internal`. */
function changedPaths(before: unknown, after: unknown, prefix: string): string[] {
  if (same(before, after)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  const isBlockList = (v: unknown) => Array.isArray(v) && v.every(isObj);
  if (isObj(before) && isObj(after)) {
    const keys = new Set([...Object.keys(before as Block), ...Object.keys(after as Block)]);
    return [...keys].flatMap((k) => changedPaths((before as Block)[k], (after as Block)[k], `${prefix}.${k}`));
  }
  if (isBlockList(before) && isBlockList(after)) {
    const b = before as Block[];
    const a = after as Block[];
    const out = Array.from({ length: Math.max(a.length, b.length) }, (_, i) => changedPaths(b[i] ?? {}, a[i] ?? {}, prefix)).flat();
    return out.length ? out : [prefix];
  }
  if (isObj(before) || isObj(after) || isBlockList(before) || isBlockList(after)) {
    const one = (isObj(before) || isBlockList(before)) ? before : after;
    const blocks = ([] as Block[]).concat(one as Block | Block[]);
    return [prefix, ...blocks.flatMap((blk) => Object.keys(blk ?? {}).map((k) => `${prefix}.${k}`))];
  }
  return [prefix];
}

/** Version as numbers; `6.x` counts as 6.<max> (force-new.md, engine_version rule). */
function parseVersion(v: unknown): number[] | undefined {
  if (typeof v !== 'string' || isExpression(v)) return undefined;
  const parts = v.split('.');
  if (!parts.every((p) => /^\d+$/.test(p) || p === 'x')) return undefined;
  return [0, 1, 2].map((i) => (parts[i] === 'x' ? Number.MAX_SAFE_INTEGER : Number(parts[i] ?? 0)));
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

interface ReplacementContext {
  readonly base: Block;
  readonly head: Block;
  readonly baseRegion?: string;
  readonly headRegion?: string;
}

/** force-new.md § aws_elasticache_replication_group, conditional rule 3 (node_group_configuration). */
function nodeGroupConfigurationReplaces(before: unknown, after: unknown): string | undefined {
  const b = ([] as Block[]).concat(before ?? []);
  const a = ([] as Block[]).concat(after ?? []);
  if (!b.length && !a.length) return undefined;
  if (!b.length || !a.length) return 'node_group_configuration set emptied or filled';
  if (b.length !== a.length) return 'number of node groups in node_group_configuration changed';
  const byId = new Map(a.map((g, i) => [g.node_group_id ?? `#${i}`, g]));
  for (const [i, old] of b.entries()) {
    const id = old.node_group_id ?? `#${i}`;
    const now = byId.get(id);
    if (!now) return `node group ${id} disappears`;
    for (const k of ['replica_count', 'slots']) if (!same(old[k], now[k])) return `${k} of node group ${id} changed`;
    if (isSet(old.primary_availability_zone) && !same(old.primary_availability_zone, now.primary_availability_zone)) return `primary_availability_zone of node group ${id} changed`;
    if (isSet(old.replica_availability_zones) && !same(old.replica_availability_zones, now.replica_availability_zones)) return `replica_availability_zones of node group ${id} changed`;
  }
  return undefined;
}

function conditionalReplaces(rule: ConditionalReplacement, attr: string, before: unknown, after: unknown, ctx: ReplacementContext): { replaces: boolean; reason: string } {
  switch (rule.kind) {
    case 'engine-change': {
      if (isSet(ctx.base[rule.unlessSet])) return { replaces: false, reason: `in place: ${rule.unlessSet} is set` };
      const inPlace = rule.inPlace.some(([from, to]) => from === (before ?? 'redis') && to === after);
      return inPlace
        ? { replaces: false, reason: `${before} → ${after} is upgraded in place${same(ctx.base.engine_version, ctx.head.engine_version) ? ' (the provider also needs an engine_version change)' : ''}` }
        : { replaces: true, reason: `engine ${before} → ${after} replaces the group` };
    }
    case 'version-downgrade': {
      if (isSet(ctx.base[rule.unlessSet])) return { replaces: false, reason: `in place: ${rule.unlessSet} is set` };
      const b = parseVersion(before);
      const a = parseVersion(after);
      if (!b || !a) return { replaces: false, reason: 'version not comparable offline: check with cdktf diff' };
      return compareVersions(a, b) < 0
        ? { replaces: true, reason: `downgrade ${before} → ${after} replaces the group` }
        : { replaces: false, reason: 'upgrade, in place' };
    }
    case 'below-engine-version': {
      const running = parseVersion(ctx.base[rule.versionAttribute]);
      const min = parseVersion(rule.minInPlaceVersion)!;
      if (!running) return { replaces: true, reason: `running ${rule.versionAttribute} unknown; below ${rule.minInPlaceVersion} this replaces` };
      return compareVersions(running, min) < 0
        ? { replaces: true, reason: `${rule.versionAttribute} ${ctx.base[rule.versionAttribute]} < ${rule.minInPlaceVersion}: ${attr} replaces (read as ${running.join('.')})` }
        : { replaces: false, reason: `${rule.versionAttribute} ${ctx.base[rule.versionAttribute]} ≥ ${rule.minInPlaceVersion}: in place` };
    }
    case 'node-group-configuration': {
      const why = nodeGroupConfigurationReplaces(before, after);
      return why ? { replaces: true, reason: why } : { replaces: false, reason: 'in place (only outposts or new zones)' };
    }
    case 'source-kind-change': {
      const kind = (b: Block) => rule.sources.find((s) => isSet(b[s]));
      return kind(ctx.base) !== kind(ctx.head)
        ? { replaces: true, reason: `rule source changes from ${kind(ctx.base)} to ${kind(ctx.head)}` }
        : { replaces: false, reason: 'same source kind: in place' };
    }
    case 'map-unless-only-nulls': {
      const b = (before ?? null) as Block | null;
      const a = (after ?? {}) as Block;
      const onlyNulls = b === null
        ? Object.values(a).every((v) => v === null)
        : Object.keys(b).every((k) => k in a) && Object.entries(a).every(([k, v]) => (k in b ? same(b[k], v) : v === null));
      return onlyNulls ? { replaces: false, reason: 'only null-valued entries differ' } : { replaces: true, reason: `${attr} changed` };
    }
    case 'unless-empty-to-unset':
      return before === '' && after === undefined ? { replaces: false, reason: '"" → unset' } : { replaces: true, reason: `${attr} changed` };
    case 'region': {
      const b = before ?? ctx.baseRegion;
      const a = after ?? ctx.headRegion;
      return b !== a ? { replaces: true, reason: `region ${b} → ${a}` } : { replaces: false, reason: 'same region' };
    }
  }
}

/** Whether changing one top-level argument of a resource replaces it, and why (config/force-new.ts). */
export function replacementOf(type: string, attr: string, ctx: ReplacementContext): { replaces: boolean; reason?: string; assessed: boolean } {
  if (NEVER_REPLACES.has(attr)) return { replaces: false, assessed: true };
  const before = ctx.base[attr];
  const after = ctx.head[attr];
  const entry = FORCE_NEW[type];
  const conditional = entry?.conditional?.[attr] ?? (type.startsWith('aws_') ? AWS_RESOURCE_CONDITIONAL[attr] : undefined);
  if (conditional) return { ...conditionalReplaces(conditional, attr, before, after, ctx), assessed: true };
  if (!entry) return { replaces: false, assessed: false };
  const forced = new Set(entry.attributes);
  const hit = changedPaths(before, after, attr).find((p) => p.split('.').some((_, i, parts) => forced.has(parts.slice(0, i + 1).join('.'))));
  if (!hit) return { replaces: false, assessed: true };
  return hit === attr ? { replaces: true, assessed: true } : { replaces: true, reason: `${hit} is ForceNew`, assessed: true };
}

const bodyOf = (r: TfResource) => Object.fromEntries(Object.entries(r.body).filter(([k]) => k !== METADATA_KEY));

function dataStoreNotes(r: TfResource, base: Block, action: 'replace' | 'delete'): { notes: string[]; dataLoss: boolean; warning?: string } {
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
    resources.push({ resource: address, type: r.type, action: 'create', notes: [], dataLoss: false, createBeforeDestroy: false,
      attributes: [{ resource: address, attribute: '*', before: null, after: bodyOf(r), replaces: false, action: 'create' }] });
  }
  for (const [address, r] of b) {
    if (h.has(address)) continue;
    const d = dataStoreNotes(r, r.body, 'delete');
    if (d.warning) warnings.push(d.warning);
    resources.push({ resource: address, type: r.type, action: 'delete', notes: d.notes, dataLoss: d.dataLoss, createBeforeDestroy: false,
      attributes: [{ resource: address, attribute: '*', before: bodyOf(r), after: null, replaces: false, action: 'delete' }] });
  }
  for (const [address, hr] of h) {
    const br = b.get(address);
    if (!br) continue;
    const ctx: ReplacementContext = { base: br.body, head: hr.body, baseRegion, headRegion };
    const attrs = [...new Set([...Object.keys(br.body), ...Object.keys(hr.body)])].filter((k) => k !== METADATA_KEY).sort();
    const changed = attrs.filter((k) => !same(br.body[k], hr.body[k])).map((attr) => {
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
      resource: address, attribute: c.attr,
      before: c.attr === 'region' && !(c.attr in br.body) ? baseRegion : br.body[c.attr],
      after: c.attr === 'region' && !(c.attr in hr.body) ? headRegion : hr.body[c.attr],
      replaces: c.replaces, action, ...(c.reason ? { reason: c.reason } : {}),
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
  for (const t of unassessed) warnings.push(`${t} is not in config/force-new.ts: whether its changes replace it is not assessed (see cdktf diff)`);
  const order: Record<Action, number> = { replace: 0, delete: 1, update: 2, create: 3 };
  resources.sort((x, y) => order[x.action] - order[y.action] || x.resource.localeCompare(y.resource));
  return { resources, changes: resources.flatMap((r) => r.attributes), warnings };
}

// ---------------------------------------------------------------- review

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
export function review(head: Readonly<Record<string, TfJson>>, base?: Readonly<Record<string, TfJson>>, labels: { head?: string; base?: string } = {}): Review {
  const names = [...new Set([...Object.keys(head), ...Object.keys(base ?? {})])].sort();
  const stacks = names.map((n) => reviewStack(n, head[n], base?.[n], base !== undefined));
  const violationCount = stacks.reduce((sum, s) => sum + s.violations.length, 0);
  return { priceDate: PRICE_DATE, priceRegion: PRICE_REGION, head: labels.head ?? 'head', base: base ? labels.base ?? 'base' : null, stacks, violationCount, ok: violationCount === 0 };
}

/** Stacks of a cdktf output directory: manifest.json's stacks, else every stacks/<name>/cdk.tf.json. */
export function readSynthOutput(dir: string): Record<string, TfJson> {
  const manifestPath = path.join(dir, 'manifest.json');
  const entries: Array<[string, string]> = fs.existsSync(manifestPath)
    ? Object.entries(JSON.parse(fs.readFileSync(manifestPath, 'utf8')).stacks ?? {})
      .map(([name, s]) => [name, path.join(dir, (s as Block).synthesizedStackPath)])
    : (fs.existsSync(path.join(dir, 'stacks')) ? fs.readdirSync(path.join(dir, 'stacks')) : [])
      .map((name) => [name, path.join(dir, 'stacks', name, 'cdk.tf.json')] as [string, string])
      .filter(([, file]) => fs.existsSync(file));
  if (!entries.length) throw new Error(`${dir}: no synthesized stacks (expected manifest.json or stacks/<name>/cdk.tf.json)`);
  return Object.fromEntries(entries.map(([name, file]) => [name, JSON.parse(fs.readFileSync(file, 'utf8')) as TfJson]));
}

// ---------------------------------------------------------------- markdown

const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signedUsd = (n: number) => (n > 0 ? `+${usd(n)}` : n < 0 ? `−${usd(-n)}` : usd(0));
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const onOff = (b: boolean) => (b ? 'on' : '**off**');

const MAX_VALUE = 60;

function shortValue(v: unknown): string {
  if (v === undefined || v === null) return '(unset)';
  const s = typeof v === 'string' ? JSON.stringify(v) : canonical(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** `before → after`, long values cut around where they first differ, so the difference stays visible. */
function valueChange(before: unknown, after: unknown): string {
  const b = before === undefined || before === null ? undefined : typeof before === 'string' ? JSON.stringify(before) : canonical(before);
  const a = after === undefined || after === null ? undefined : typeof after === 'string' ? JSON.stringify(after) : canonical(after);
  if (b === undefined || a === undefined || (b.length <= MAX_VALUE && a.length <= MAX_VALUE)) return `${shortValue(before)} → ${shortValue(after)}`;
  let i = 0;
  while (i < b.length && i < a.length && b[i] === a[i]) i++;
  const start = Math.max(0, i - 20);
  const cut = (x: string) => `${start > 0 ? '…' : ''}${x.slice(start, start + MAX_VALUE)}${x.length > start + MAX_VALUE ? '…' : ''}`;
  return `${cut(b)} → ${cut(a)}`;
}

function cacheTable(c: CacheSummary, priceDate: string, priceRegion: string): string {
  const nodes = c.totalNodes === null
    ? 'unknown at synth time'
    : `${c.shards} shard${c.shards === 1 ? '' : 's'} × ${c.nodesPerShard} node${c.nodesPerShard === 1 ? '' : 's'} (${c.totalNodes} in all; cluster mode ${c.clusterMode ? 'enabled' : 'disabled'})`;
  const alarms = c.alarms.length
    ? c.alarms.map((a) => `${a.metric} ${a.comparison} ${a.threshold} (${a.nodes} node${a.nodes === 1 ? '' : 's'}${a.withActions < a.nodes ? `, ${a.nodes - a.withActions} without actions` : ''})`).join('; ')
    : '**none**';
  const cost = c.monthlyCostUsd === null
    ? `unknown: ${c.nodeType} / ${c.engine} is not in config/node-catalog.ts`
    : `${usd(c.monthlyCostUsd)} / month on demand (${c.totalNodes} × ${c.nodeType} at $${c.hourlyUsdPerNode}/h × ${HOURS_PER_MONTH} h; ${priceRegion} prices of ${priceDate})`;
  const rows: Array<[string, string]> = [
    ['Engine', `${c.engine} ${c.engineVersion}`],
    ['Node type', `${c.nodeType}${c.vcpu !== null ? ` (${c.vcpu} vCPU, ${c.memoryGiB} GiB)` : ''}`],
    ['Shards × nodes', nodes],
    ['Data memory', c.dataGiB === null ? 'unknown' : `${c.dataGiB.toFixed(2)} GiB (after reserved-memory-percent ${c.reservedMemoryPercent})`],
    ['Encryption at rest', c.encryptionAtRest.enabled ? `on, ${c.encryptionAtRest.customerManaged ? 'customer-managed KMS key' : '**not a customer-managed key**'}` : '**off**'],
    ['Encryption in transit', c.encryptionInTransit.enabled ? `on, mode ${c.encryptionInTransit.mode ?? '(unset)'}` : '**off**'],
    ['Authentication', c.authentication],
    ['Multi-AZ', `${onOff(c.multiAz)} (automatic failover ${onOff(c.automaticFailover)})`],
    ['Backups', c.backups.retentionDays > 0
      ? `${c.backups.retentionDays} day${c.backups.retentionDays === 1 ? '' : 's'}, window ${c.backups.window ?? '(AWS default)'} UTC; final snapshot ${c.backups.finalSnapshot ?? '**none**'}`
      : `**off**; final snapshot ${c.backups.finalSnapshot ?? '**none**'}`],
    ['Maintenance window', c.maintenanceWindow ? `${c.maintenanceWindow} UTC` : '(AWS default)'],
    ['Alarms (metric → threshold)', alarms],
    ['Monthly cost', cost],
  ];
  return [`| \`${c.replicationGroupId}\` | |`, '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)].join('\n');
}

/** Changes of one kind to more resources than this are one row in the markdown (the JSON lists each). */
const GROUP_ROWS_ABOVE = 3;

function changeRow(r: ResourceChange): string {
  const what = r.action === 'create' ? 'created' : r.action === 'delete' ? 'deleted' : r.attributes.map((a) => {
    const mark = a.replaces ? ` **forces replacement**${a.reason ? ` (${a.reason})` : ''}` : a.reason ? ` (${a.reason})` : '';
    return `\`${a.attribute}\`: ${valueChange(a.before, a.after)}${mark}`;
  }).join('<br>');
  const notes = r.notes.length ? `<br>${r.notes.map((n) => `_${n}_`).join('<br>')}` : '';
  return `| \`${r.resource}\` | ${r.action === 'replace' || r.action === 'delete' ? `**${r.action}**` : r.action} | ${cell(what)}${cell(notes)} |`;
}

function groupRow(g: readonly ResourceChange[]): string {
  const { type, action } = g[0];
  const names = g.slice(0, GROUP_ROWS_ABOVE).map((r) => r.resource.slice(type.length + 1)).join(', ');
  const which = `${names}${g.length > GROUP_ROWS_ABOVE ? ` and ${g.length - GROUP_ROWS_ABOVE} more` : ''}`;
  const what = action === 'create' ? 'created' : action === 'delete' ? 'deleted'
    : `${g[0].attributes.map((a) => `\`${a.attribute}\``).join(', ')} changed in place, e.g. ${g[0].attributes.map((a) => valueChange(a.before, a.after)).join('; ')}`;
  return `| ${g.length} × \`${type}\` | ${action === 'delete' ? '**delete**' : action} | ${cell(`${what} (${which})`)} |`;
}

function changesTable(s: StackReview): string {
  // replacements and anything with a note stand alone; other changes of one type and one set of arguments are grouped
  const rows: Array<ResourceChange | ResourceChange[]> = [];
  const groups = new Map<string, ResourceChange[]>();
  for (const r of s.resources) {
    if (r.action === 'replace' || r.notes.length) {
      rows.push(r);
      continue;
    }
    const key = `${r.action}|${r.type}|${r.attributes.map((a) => a.attribute).join(',')}`;
    if (!groups.has(key)) {
      groups.set(key, []);
      rows.push(groups.get(key)!);
    }
    groups.get(key)!.push(r);
  }
  const lines = rows.flatMap((x) => (!Array.isArray(x) ? [changeRow(x)] : x.length > GROUP_ROWS_ABOVE ? [groupRow(x)] : x.map(changeRow)));
  return ['| resource | action | change |', '|---|---|---|', ...lines].join('\n');
}

function stackSection(s: StackReview, r: Review): string {
  const out: string[] = [`## ${s.stack}${s.environment !== s.stack ? ` (${s.environment})` : ''}`];
  if (s.status === 'removed') out.push('**This stack is removed**: everything it deploys is destroyed.');
  if (s.summary.caches.length) {
    for (const c of s.summary.caches) out.push(cacheTable(c, r.priceDate, r.priceRegion));
  } else {
    const counts = Object.entries(s.summary.resourceCounts).map(([t, n]) => `${n} × ${t}`).join(', ');
    out.push(`No ElastiCache replication group (nothing priced). Resources: ${counts || 'none'}.`);
  }
  out.push(s.violations.length
    ? `**Guardrails: ${s.violations.length} violation${s.violations.length === 1 ? '' : 's'}**\n\n${s.violations.map((v) => `- ❌ \`${v.rule}\` ${v.resource}: ${v.message}`).join('\n')}`
    : '**Guardrails:** ✅ all pass');
  if (r.base !== null) {
    const delta = s.costDeltaUsd === null ? '' : `Cost: ${usd(s.baseMonthlyCostUsd ?? 0)} → ${usd(s.monthlyCostUsd)} per month (${signedUsd(s.costDeltaUsd)}).`;
    if (!s.resources.length) {
      out.push(`**Against base:** no change. ${delta}`);
    } else {
      const warn = s.warnings.map((w) => `> ⚠️ ${w}`).join('\n');
      out.push([`**Against base:** ${countActions(s)}. ${delta}`, warn, changesTable(s)].filter(Boolean).join('\n\n'));
    }
  }
  return out.join('\n\n');
}

function countActions(s: StackReview): string {
  const n = (a: Action) => s.resources.filter((r) => r.action === a).length;
  const cbd = s.resources.filter((r) => r.createBeforeDestroy).length;
  const parts = ([['replace', 'replaced'], ['delete', 'deleted'], ['update', 'updated'], ['create', 'created']] as Array<[Action, string]>)
    .filter(([a]) => n(a))
    .map(([a, word]) => `${n(a)} ${word}${a === 'replace' && cbd ? ` (${cbd === n(a) ? '' : `${cbd} `}create-before-destroy)` : ''}`);
  return parts.join(', ') || 'no change';
}

/** The review as markdown, for the terminal and for a pull-request comment. */
export function renderMarkdown(r: Review): string {
  const head = [
    '# Plan review',
    '',
    `Costs: on-demand ${r.priceRegion} prices of ${r.priceDate} (config/node-catalog.ts), 730 h/month.${r.base !== null ? ` Compared with \`${r.base}\`.` : ''}`,
    '',
    `| stack | environment | monthly cost |${r.base !== null ? ' vs base | changes |' : ''} guardrails |`,
    `|---|---|---|${r.base !== null ? '---|---|' : ''}---|`,
    ...r.stacks.map((s) => {
      const dataLoss = s.resources.some((x) => x.dataLoss) ? ' ⚠️ **data loss**'
        : s.resources.some((x) => x.action === 'replace' && FORCE_NEW[x.type]?.losesData) ? ' ⚠️ data store replaced' : '';
      const base = r.base !== null ? ` ${s.costDeltaUsd === null ? '' : signedUsd(s.costDeltaUsd)} | ${s.status === 'removed' ? 'stack removed' : s.status === 'added' ? 'new stack' : countActions(s)}${dataLoss} |` : '';
      return `| ${s.stack} | ${s.environment} | ${usd(s.monthlyCostUsd)} |${base} ${s.violations.length ? `❌ ${s.violations.length}` : '✅'} |`;
    }),
    '',
    r.ok ? 'All guardrails pass.' : `**${r.violationCount} guardrail violation${r.violationCount === 1 ? '' : 's'}: the review fails.**`,
  ].join('\n');
  const rules = ['<details><summary>Guardrails checked</summary>', '', '| rule | requires | applies to | source |', '|---|---|---|---|',
    ...describeRules().map((d) => `| \`${d.rule}\` | ${cell(d.requires)} | ${d.scope} | ${cell(d.source)} |`), '', '</details>'].join('\n');
  return [head, ...r.stacks.map((s) => stackSection(s, r)), rules].join('\n\n') + '\n';
}
