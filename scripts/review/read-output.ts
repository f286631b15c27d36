/**
 * Reading a cdktf output directory (cdktf.out): its stacks' synthesized JSON, checked before anything reviews it.
 *
 * A stack file must hold what `cdktf synth` writes: a JSON object with a `terraform` block, whose sections
 * (`resource`, `data`, `provider`, `output`, `variable`, `terraform`) are objects of the right nesting. Anything else
 * (`null`, `[]`, wrong types, truncated JSON, a missing file) is a MalformedOutputError naming the file and whether
 * it is the head or the base, so the review never reports a malformed file as a clean $0 stack. The fields the review
 * reads must have their kind (config/review.ts STACK_FIELD_KINDS: `node_type: 12` or `num_cache_clusters: -5` is
 * malformed, not a violation). A manifest may only name stack files inside the output directory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { FieldKind, STACK_FIELD_KINDS } from '../../config/review';
import { TfJson, isExpression } from '../../constructs/tf-json';
import { quote, shorten } from './text';

export type Side = 'head' | 'base';

/** The output directory or one of its files cannot be read as a synthesis output. */
export class MalformedOutputError extends Error {
  constructor(
    readonly side: Side,
    readonly file: string,
    problem: string,
  ) {
    super(`${side} ${shorten(file)}: ${problem}`);
    this.name = 'MalformedOutputError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

function readJson(side: Side, file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MalformedOutputError(side, file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new MalformedOutputError(
      side,
      file,
      `is not valid JSON (${shorten((e as Error).message)}); truncated or not written by cdktf synth?`,
    );
  }
}

/** Sections of a stack and how deep their objects nest: resource.<type>.<name> = {…}. */
const SECTIONS: Readonly<Record<string, number>> = { resource: 3, data: 3, output: 2, variable: 2, locals: 1, terraform: 1, provider: 2 };

function checkNesting(value: unknown, depth: number, at: string): string | undefined {
  if (at.startsWith('provider.') && depth === 1 && Array.isArray(value)) {
    // a provider with aliases is a list of blocks
    const bad = value.findIndex((b) => !isObject(b));
    return bad < 0 ? undefined : `${at}[${bad}] is ${kind(value[bad])}, expected an object`;
  }
  if (!isObject(value)) return `${at} is ${kind(value)}, expected an object`;
  if (depth <= 1) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const problem = checkNesting(v, depth - 1, `${at}.${shorten(k, 60)}`);
    if (problem) return problem;
  }
  return undefined;
}

function kindProblem(value: unknown, k: FieldKind): string | undefined {
  if (value === undefined || value === null || isExpression(value)) return undefined;
  switch (k.kind) {
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'bool-string':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : 'true, false, "true" or "false"';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'a number';
    case 'integer': {
      const ok = typeof value === 'number' && Number.isInteger(value) && value >= k.min && (k.max === undefined || value <= k.max);
      return ok ? undefined : `a whole number from ${k.min}${k.max === undefined ? ' up' : ` to ${k.max}`}`;
    }
  }
}

/** Every field of the stack's resources whose value is not of the kind the review reads (config/review.ts). */
function fieldProblems(json: Record<string, unknown>): string[] {
  const out: string[] = [];
  const resources = (json.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [type, fields] of Object.entries(STACK_FIELD_KINDS)) {
    for (const [name, body] of Object.entries(resources[type] ?? {})) {
      for (const [field, k] of Object.entries(fields)) {
        const expected = kindProblem(body[field], k);
        if (expected) out.push(`resource.${type}.${shorten(name, 60)}.${field} is ${quote(body[field], 40)}, expected ${expected}`);
      }
    }
  }
  return out;
}

/** Check one parsed stack file; returns it typed. */
export function checkStackJson(side: Side, file: string, json: unknown): TfJson {
  if (!isObject(json)) throw new MalformedOutputError(side, file, `holds ${kind(json)}, expected a synthesized stack (a JSON object)`);
  if (!isObject(json.terraform)) {
    throw new MalformedOutputError(side, file, 'has no "terraform" block: not a stack written by cdktf synth');
  }
  for (const [section, depth] of Object.entries(SECTIONS)) {
    if (!(section in json)) continue;
    const problem = checkNesting(json[section], depth, section);
    if (problem) throw new MalformedOutputError(side, file, `wrong type: ${problem}`);
  }
  const fields = fieldProblems(json);
  if (fields.length) throw new MalformedOutputError(side, file, `wrong value: ${fields.join('; ')}`);
  return json;
}

/** Whether `file` (resolved, symbolic links followed where they exist) lies under `dir`. */
function inside(dir: string, file: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const rel = path.relative(real(dir), real(file));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Stacks of a cdktf output directory: manifest.json's stacks, else every stacks/<name>/cdk.tf.json. */
export function readSynthOutput(dir: string, side: Side = 'head'): Record<string, TfJson> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new MalformedOutputError(side, dir, 'is not a directory');
  const manifestPath = path.join(dir, 'manifest.json');
  let entries: Array<[string, string]>;
  if (fs.existsSync(manifestPath)) {
    const manifest = readJson(side, manifestPath);
    if (!isObject(manifest) || !isObject(manifest.stacks)) {
      throw new MalformedOutputError(side, manifestPath, 'is not a cdktf manifest (an object with "stacks")');
    }
    entries = Object.entries(manifest.stacks).map(([name, s]) => {
      if (!isObject(s) || typeof s.synthesizedStackPath !== 'string') {
        throw new MalformedOutputError(side, manifestPath, `stack ${quote(name)} has no "synthesizedStackPath"`);
      }
      const file = path.resolve(dir, s.synthesizedStackPath);
      if (!inside(dir, file)) {
        throw new MalformedOutputError(
          side,
          manifestPath,
          `stack ${quote(name)}: synthesizedStackPath ${quote(s.synthesizedStackPath)} is outside the output directory; the review reads only files under ${shorten(dir)}`,
        );
      }
      return [name, file];
    });
  } else {
    const stacksDir = path.join(dir, 'stacks');
    entries = (fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir) : [])
      .map((name): [string, string] => [name, path.join(stacksDir, name, 'cdk.tf.json')])
      .filter(([, file]) => fs.existsSync(file));
    const outside = entries.find(([, file]) => !inside(dir, file));
    if (outside)
      throw new MalformedOutputError(
        side,
        outside[1],
        'leads outside the output directory (a symbolic link); the review reads only files under it',
      );
  }
  if (!entries.length)
    throw new MalformedOutputError(side, dir, 'has no synthesized stacks (expected manifest.json or stacks/<name>/cdk.tf.json)');
  return Object.fromEntries(entries.map(([name, file]) => [name, checkStackJson(side, file, readJson(side, file))]));
}
