/**
 * Whether changing an argument replaces a resource, from constructs/facts/force-new.ts (the providers' ForceNew flags and
 * CustomizeDiff rules), including the conditional rules.
 */
import { AWS_RESOURCE_CONDITIONAL, ConditionalReplacement, FORCE_NEW, ForceNewEntry } from '../../constructs/facts/force-new';
import { Block, METADATA_KEY, isExpression, isSet } from '../../constructs/tf-json';

const NEVER_REPLACES = new Set([
  'tags',
  'tags_all',
  'lifecycle',
  'depends_on',
  'provider',
  'timeouts',
  'count',
  'for_each',
  'provisioner',
  'connection',
]);

export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => k !== METADATA_KEY)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Block)[k])}`)
      .join(',')}}`;
  }
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- lib.d.ts types JSON.stringify as string, but it returns undefined for undefined, functions and symbols; without the assertion no-unnecessary-condition flags the `??`
  return (JSON.stringify(v) as string | undefined) ?? 'undefined';
}
export const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

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
    const one = isObj(before) || isBlockList(before) ? before : after;
    const blocks = ([] as Block[]).concat(one as Block | Block[]);
    return [prefix, ...blocks.flatMap((blk) => Object.keys(blk).map((k) => `${prefix}.${k}`))];
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

/**
 * When `head` runs an older engine than `base` (a version downgrade, or an engine change that is not an in-place
 * upgrade such as valkey → redis): `"valkey 8.1 → redis 7.1"`; undefined otherwise or when the versions are unknown.
 */
export function olderEngine(base: Block, head: Block): string | undefined {
  const be = String(base.engine ?? 'redis');
  const he = String(head.engine ?? 'redis');
  const bv = String(base.engine_version ?? '');
  const hv = String(head.engine_version ?? '');
  const rule = FORCE_NEW.aws_elasticache_replication_group.conditional?.engine;
  const inPlace = rule?.kind === 'engine-change' && rule.inPlace.some(([from, to]) => from === be && to === he);
  if (be !== he) return inPlace ? undefined : `${be} ${bv} → ${he} ${hv}`.replace(/ +/g, ' ').trim();
  const b = parseVersion(base.engine_version);
  const a = parseVersion(head.engine_version);
  return b && a && compareVersions(a, b) < 0 ? `${be} ${bv} → ${hv}` : undefined;
}

export interface ReplacementContext {
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
    const id: unknown = old.node_group_id ?? `#${i}`;
    const now = byId.get(id);
    if (!now) return `node group ${String(id)} disappears`;
    for (const k of ['replica_count', 'slots']) if (!same(old[k], now[k])) return `${k} of node group ${String(id)} changed`;
    if (isSet(old.primary_availability_zone) && !same(old.primary_availability_zone, now.primary_availability_zone))
      return `primary_availability_zone of node group ${String(id)} changed`;
    if (isSet(old.replica_availability_zones) && !same(old.replica_availability_zones, now.replica_availability_zones))
      return `replica_availability_zones of node group ${String(id)} changed`;
  }
  return undefined;
}

function conditionalReplaces(
  rule: ConditionalReplacement,
  attr: string,
  before: unknown,
  after: unknown,
  ctx: ReplacementContext,
): { replaces: boolean; reason: string } {
  switch (rule.kind) {
    case 'engine-change': {
      if (isSet(ctx.base[rule.unlessSet])) return { replaces: false, reason: `in place: ${rule.unlessSet} is set` };
      const inPlace = rule.inPlace.some(([from, to]) => from === (before ?? 'redis') && to === after);
      return inPlace
        ? {
            replaces: false,
            reason: `${String(before)} → ${String(after)} is upgraded in place${same(ctx.base.engine_version, ctx.head.engine_version) ? ' (the provider also needs an engine_version change)' : ''}`,
          }
        : { replaces: true, reason: `engine ${String(before)} → ${String(after)} replaces the group` };
    }
    case 'version-downgrade': {
      if (isSet(ctx.base[rule.unlessSet])) return { replaces: false, reason: `in place: ${rule.unlessSet} is set` };
      const b = parseVersion(before);
      const a = parseVersion(after);
      if (!b || !a) return { replaces: false, reason: 'version not comparable offline: check with cdktf diff' };
      return compareVersions(a, b) < 0
        ? { replaces: true, reason: `downgrade ${String(before)} → ${String(after)} replaces the group` }
        : { replaces: false, reason: 'upgrade, in place' };
    }
    case 'below-engine-version': {
      const running = parseVersion(ctx.base[rule.versionAttribute]);
      const min = parseVersion(rule.minInPlaceVersion);
      if (!running)
        return { replaces: true, reason: `running ${rule.versionAttribute} unknown; below ${rule.minInPlaceVersion} this replaces` };
      if (!min) throw new Error(`constructs/facts/force-new.ts: minInPlaceVersion ${rule.minInPlaceVersion} is not a version`);
      return compareVersions(running, min) < 0
        ? {
            replaces: true,
            reason: `${rule.versionAttribute} ${ctx.base[rule.versionAttribute]} < ${rule.minInPlaceVersion}: ${attr} replaces (read as ${running.join('.')})`,
          }
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
      const onlyNulls =
        b === null
          ? Object.values(a).every((v) => v === null)
          : Object.keys(b).every((k) => k in a) && Object.entries(a).every(([k, v]) => (k in b ? same(b[k], v) : v === null));
      return onlyNulls ? { replaces: false, reason: 'only null-valued entries differ' } : { replaces: true, reason: `${attr} changed` };
    }
    case 'unless-empty-to-unset':
      return before === '' && after === undefined
        ? { replaces: false, reason: '"" → unset' }
        : { replaces: true, reason: `${attr} changed` };
    case 'region': {
      const b: unknown = before ?? ctx.baseRegion;
      const a: unknown = after ?? ctx.headRegion;
      return b !== a ? { replaces: true, reason: `region ${String(b)} → ${String(a)}` } : { replaces: false, reason: 'same region' };
    }
  }
}

/** Whether changing one top-level argument of a resource replaces it, and why (constructs/facts/force-new.ts). */
export function replacementOf(
  type: string,
  attr: string,
  ctx: ReplacementContext,
): { replaces: boolean; reason?: string; assessed: boolean } {
  if (NEVER_REPLACES.has(attr)) return { replaces: false, assessed: true };
  const before: unknown = ctx.base[attr];
  const after: unknown = ctx.head[attr];
  const entry = FORCE_NEW[type] as ForceNewEntry | undefined;
  const conditional = entry?.conditional?.[attr] ?? (type.startsWith('aws_') ? AWS_RESOURCE_CONDITIONAL[attr] : undefined);
  if (conditional) return { ...conditionalReplaces(conditional, attr, before, after, ctx), assessed: true };
  if (!entry) return { replaces: false, assessed: false };
  const forced = new Set(entry.attributes);
  const hit = changedPaths(before, after, attr).find((p) =>
    p.split('.').some((_, i, parts) => forced.has(parts.slice(0, i + 1).join('.'))),
  );
  if (!hit) return { replaces: false, assessed: true };
  return hit === attr ? { replaces: true, assessed: true } : { replaces: true, reason: `${hit} is ForceNew`, assessed: true };
}
