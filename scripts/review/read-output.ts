/**
 * Reading a cdktf output directory (cdktf.out): its stacks' synthesized JSON, checked before anything reviews it.
 *
 * A stack file must hold what `cdktf synth` writes: a JSON object with a `terraform` block, whose sections
 * (`resource`, `data`, `provider`, `output`, `variable`, `terraform`) are objects of the right nesting. Anything else
 * (`null`, `[]`, wrong types, truncated JSON, a missing file) is a MalformedOutputError naming the file and whether
 * it is the head or the base, so the review never reports a malformed file as a clean $0 stack.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TfJson } from '../../constructs/guardrails/tf-json';

export type Side = 'head' | 'base';

/** The output directory or one of its files cannot be read as a synthesis output. */
export class MalformedOutputError extends Error {
  constructor(
    readonly side: Side,
    readonly file: string,
    problem: string,
  ) {
    super(`${side} ${file}: ${problem}`);
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
    throw new MalformedOutputError(side, file, `is not valid JSON (${(e as Error).message}); truncated or not written by cdktf synth?`);
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
    const problem = checkNesting(v, depth - 1, `${at}.${k}`);
    if (problem) return problem;
  }
  return undefined;
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
  return json;
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
        throw new MalformedOutputError(side, manifestPath, `stack ${name} has no "synthesizedStackPath"`);
      }
      return [name, path.join(dir, s.synthesizedStackPath)];
    });
  } else {
    const stacksDir = path.join(dir, 'stacks');
    entries = (fs.existsSync(stacksDir) ? fs.readdirSync(stacksDir) : [])
      .map((name): [string, string] => [name, path.join(stacksDir, name, 'cdk.tf.json')])
      .filter(([, file]) => fs.existsSync(file));
  }
  if (!entries.length)
    throw new MalformedOutputError(side, dir, 'has no synthesized stacks (expected manifest.json or stacks/<name>/cdk.tf.json)');
  return Object.fromEntries(entries.map(([name, file]) => [name, checkStackJson(side, file, readJson(side, file))]));
}
