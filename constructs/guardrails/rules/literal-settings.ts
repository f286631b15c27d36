/** Guardrail `literal-settings`. */
import { LITERAL_SETTINGS, LiteralSettingPosition, TEMPLATE_SEQUENCES } from '../data';
import { describe } from '../../validation';
import { METADATA_KEY, TfJson } from '../../tf-json';
import { GuardrailRule, Violation } from './rule';

/** The first unescaped template sequence in a string (`${` not preceded by `$`, `%{` not preceded by `%`). */
export function templateSequence(s: string): string | undefined {
  return TEMPLATE_SEQUENCES.find((seq) => {
    for (let i = s.indexOf(seq); i >= 0; i = s.indexOf(seq, i + 1)) if (i === 0 || s[i - 1] !== seq[0]) return true;
    return false;
  });
}

/** How the JSON syntax escapes each sequence: the first character doubled. */
const ESCAPES = TEMPLATE_SEQUENCES.map((seq) => `${seq[0]}${seq}`).join(' and ');

type Node = unknown;
type Found = { path: string[]; value: Node };

const entries = (v: Node): Array<[string, Node]> =>
  Array.isArray(v)
    ? v.map((x, i) => [String(i), x])
    : v !== null && typeof v === 'object'
      ? Object.entries(v as Record<string, Node>).filter(([k]) => k !== METADATA_KEY)
      : [];

/** Every node at a dotted path with `*` wildcards. */
function at(root: Node, pattern: string, base: string[] = []): Found[] {
  let found: Found[] = [{ path: base, value: root }];
  for (const seg of pattern.split('.').filter(Boolean)) {
    found = found.flatMap((f) =>
      seg === '*'
        ? entries(f.value).map(([k, v]) => ({ path: [...f.path, k], value: v }))
        : entries(f.value)
            .filter(([k]) => k === seg)
            .map(([k, v]) => ({ path: [...f.path, k], value: v })),
    );
  }
  return found;
}

/** Every string below a node, object keys included (the JSON syntax reads keys as templates too). */
function strings(f: Found): Array<{ path: string[]; text: string }> {
  if (typeof f.value === 'string') return [{ path: f.path, text: f.value }];
  return entries(f.value).flatMap(([k, v]) => [
    ...(Array.isArray(f.value) ? [] : [{ path: [...f.path, k], text: k }]),
    ...strings({ path: [...f.path, k], value: v }),
  ]);
}

/** The resource (or provider, variable, output, backend) a path is in, and the attribute below it. */
function locate(path: readonly string[]): { resource: string; attribute: string } {
  const [section, a, b] = path;
  if (section === 'resource') return { resource: `${a}.${b}`, attribute: path.slice(3).join('.') };
  if (section === 'data') return { resource: `data.${a}.${b}`, attribute: path.slice(3).join('.') };
  if (section === 'terraform') return { resource: `terraform.${a}.${b}`, attribute: path.slice(3).join('.') };
  return { resource: `${section}.${a}`, attribute: path.slice(2).join('.') };
}

function checkPosition(json: TfJson, pos: LiteralSettingPosition): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  for (const block of at(json, pos.blocks)) {
    const field = pos.unless && (block.value as Record<string, Node> | null)?.[pos.unless.field];
    if (pos.unless && typeof field === 'string' && pos.unless.values.includes(field)) continue;
    for (const attr of pos.attributes) {
      const [head, deep] = attr.endsWith('**') ? [attr.slice(0, -2), true] : [attr, false];
      for (const f of at(block.value, head, block.path)) {
        for (const s of deep ? strings(f) : typeof f.value === 'string' ? [{ path: f.path, text: f.value }] : []) {
          const seq = templateSequence(pos.allowed ? s.text.replace(pos.allowed, '') : s.text);
          if (seq === undefined) continue;
          const { resource, attribute } = locate(s.path);
          out.push({
            resource,
            message:
              `a template sequence "${seq}" in a literal setting (${pos.from}) at ${attribute}: Terraform would evaluate it, ` +
              `got ${describe(s.text)}; refuse it where it is read (or escape it: ${ESCAPES})`,
          });
        }
      }
    }
  }
  return out;
}

export interface LiteralSettingsOptions {
  /**
   * Where an app's values of each kind of setting come from (LiteralSettingPosition `setting` → e.g. the variable that
   * sets them), so that a message names what to fix. @default the positions' own words
   */
  readonly sources?: Readonly<Record<string, string>>;
  /** More places of the app's own stacks that hold a setting. @default none */
  readonly positions?: readonly LiteralSettingPosition[];
}

/** The rule over the library's positions (../data.ts LITERAL_SETTINGS) and an app's own, named in the app's terms. */
export function literalSettingsRule(options: LiteralSettingsOptions = {}): GuardrailRule {
  const positions = [...LITERAL_SETTINGS, ...(options.positions ?? [])].map((p) => ({
    ...p,
    from: options.sources?.[p.setting] ?? p.from,
  }));
  return {
    id: 'literal-settings',
    requires: 'settings stay literals: no unescaped ${ or %{ where the JSON holds a setting (tags, filters, paths, messages)',
    source: 'Terraform\'s JSON syntax reads every string as a template: a tag value ${file("/etc/hostname")} read the file at plan',
    check: (ctx) => positions.flatMap((pos) => checkPosition(ctx.json, pos)),
  };
}

export const rule: GuardrailRule = literalSettingsRule();
