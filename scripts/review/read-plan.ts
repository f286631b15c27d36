/**
 * Reading a plan: the JSON that `terraform show -json <planfile>` (or `tofu show -json <planfile>`) prints, for one
 * stack. Both engines write `format_version` 1.x with the same structure; OpenTofu keeps the key `terraform_version`
 * for its own version, adds the action `forget`, and writes neither `applyable` nor `complete` (Terraform ≥ 1.8 does).
 * Checked before anything reads it: a file that is not such a plan (truncated JSON, a state, another format version,
 * an errored plan, fields of the wrong kind) is a MalformedPlanError naming the file, so the review never reports a
 * malformed plan as "no change".
 */
import * as fs from 'fs';
import * as path from 'path';
import { PLAN_ACTIONS, PLAN_FORMAT_MAJOR } from '../../config/review';
import { quote, shorten } from './text';

export type PlanAction = (typeof PLAN_ACTIONS)[number];

/** A change of one resource instance (`resource_changes[]`, `resource_drift[]`). */
export interface PlanResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly module_address?: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly deposed?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly PlanAction[];
    readonly before: unknown;
    readonly after: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: ReadonlyArray<ReadonlyArray<string | number>>;
    readonly importing?: { readonly id?: string };
  };
}

export interface PlanModuleValues {
  readonly resources?: ReadonlyArray<{
    readonly address: string;
    readonly mode: string;
    readonly type: string;
    readonly name: string;
    readonly values?: Record<string, unknown>;
  }>;
  readonly child_modules?: readonly PlanModuleValues[];
}

export interface PlanConfigResource {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly expressions?: Record<string, unknown>;
}

export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly PlanResourceChange[];
  readonly resource_drift?: readonly PlanResourceChange[];
  readonly planned_values?: { readonly root_module?: PlanModuleValues };
  readonly prior_state?: { readonly values?: { readonly root_module?: PlanModuleValues } };
  readonly configuration?: { readonly root_module?: { readonly resources?: readonly PlanConfigResource[] } };
  readonly applyable?: boolean;
  readonly complete?: boolean;
  readonly errored?: boolean;
}

/** A plan read for one stack. */
export interface StackPlan {
  readonly stack: string;
  readonly file: string;
  readonly plan: PlanJson;
  /** "Terraform 1.11.4" or "OpenTofu 1.10.6" (OpenTofu: a plan without `applyable`, which Terraform ≥ 1.8 writes). */
  readonly engine: string;
}

/** The file is not the JSON of a plan this review reads. */
export class MalformedPlanError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`plan ${shorten(file)}: ${problem}`);
    this.name = 'MalformedPlanError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);

function checkChange(at: string, rc: unknown): string | undefined {
  if (!isObject(rc)) return `${at} is ${kind(rc)}, expected an object`;
  for (const k of ['address', 'type', 'name', 'mode'] as const) {
    if (typeof rc[k] !== 'string') return `${at}.${k} is ${kind(rc[k])}, expected a string`;
  }
  const where = `${at} (${shorten(String(rc.address), 80)})`;
  if (!isObject(rc.change)) return `${where}.change is ${kind(rc.change)}, expected an object`;
  const actions = rc.change.actions;
  if (!Array.isArray(actions) || !actions.length) return `${where}.change.actions is ${kind(actions)}, expected a list of actions`;
  const unknown = actions.filter((a) => !(PLAN_ACTIONS as readonly unknown[]).includes(a));
  if (unknown.length) {
    return `${where}.change.actions holds ${unknown.map((a) => quote(a, 40)).join(', ')}: not an action this review knows (${PLAN_ACTIONS.join(', ')})`;
  }
  const paths = rc.change.replace_paths;
  if (paths !== undefined && !(Array.isArray(paths) && paths.every((p) => Array.isArray(p)))) {
    return `${where}.change.replace_paths is ${kind(paths)}, expected a list of paths`;
  }
  return undefined;
}

/** Check the parsed JSON of a plan; returns it typed. */
export function checkPlanJson(file: string, json: unknown): PlanJson {
  if (!isObject(json))
    throw new MalformedPlanError(file, `holds ${kind(json)}, expected the JSON of a plan (terraform show -json <planfile>)`);
  const version = json.format_version;
  if (typeof version !== 'string') {
    throw new MalformedPlanError(file, 'has no "format_version": not written by `terraform show -json` or `tofu show -json`');
  }
  const major = /^(\d+)\.\d+$/.exec(version)?.[1];
  if (major === undefined || Number(major) !== PLAN_FORMAT_MAJOR) {
    throw new MalformedPlanError(
      file,
      `format_version ${quote(version, 20)} is not one this review reads (${PLAN_FORMAT_MAJOR}.x: Terraform ≥ 1.0 or OpenTofu)`,
    );
  }
  if (!('configuration' in json) && !('planned_values' in json) && 'values' in json) {
    throw new MalformedPlanError(file, 'is the JSON of a state, not of a plan: run `terraform show -json <planfile>` on a saved plan');
  }
  if (!isObject(json.configuration)) {
    throw new MalformedPlanError(
      file,
      'has no "configuration": not the JSON of a saved plan (terraform plan -out=FILE, then show -json FILE)',
    );
  }
  if (json.errored === true) {
    throw new MalformedPlanError(
      file,
      'is an errored plan ("errored": true): the engine could not finish it and it cannot be applied; fix the plan first',
    );
  }
  for (const section of ['resource_changes', 'resource_drift'] as const) {
    const list = json[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new MalformedPlanError(file, `wrong type: ${section} is ${kind(list)}, expected a list`);
    for (const [i, rc] of list.entries()) {
      const problem = checkChange(`${section}[${i}]`, rc);
      if (problem) throw new MalformedPlanError(file, `wrong type: ${problem}`);
    }
  }
  for (const section of ['planned_values', 'prior_state'] as const) {
    if (json[section] !== undefined && !isObject(json[section])) {
      throw new MalformedPlanError(file, `wrong type: ${section} is ${kind(json[section])}, expected an object`);
    }
  }
  return json as unknown as PlanJson;
}

/** "Terraform 1.11.4" / "OpenTofu 1.10.6" from the plan's own fields. */
export function planEngine(plan: PlanJson): string {
  const v = typeof plan.terraform_version === 'string' ? ` ${plan.terraform_version}` : '';
  return 'applyable' in plan || 'complete' in plan ? `Terraform${v}` : `OpenTofu${v} (or Terraform < 1.8)`;
}

export function readPlanFile(file: string): PlanJson {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new MalformedPlanError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MalformedPlanError(
      file,
      `is not valid JSON (${shorten((e as Error).message)}); truncated, or the binary plan file instead of \`terraform show -json\` of it?`,
    );
  }
  return checkPlanJson(file, json);
}

/** The stack a plan file names: `<stack>.json`, `<stack>.plan.json` or `<stack>.tfplan.json`. */
export function stackOfPlanFile(file: string): string {
  return path.basename(file).replace(/(\.tfplan|\.plan)?\.json$/, '');
}

/**
 * Plans of `target`: a directory (every `<stack>.json` in it, as `npm run plan` writes them) or one file. `stackFor`
 * names the stack of a single file when its name does not (`--stack`).
 */
export function readPlans(target: string, stackFor?: string): StackPlan[] {
  let isDir: boolean;
  try {
    isDir = fs.statSync(target).isDirectory();
  } catch (e) {
    throw new MalformedPlanError(target, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const files = isDir
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(target, f))
    : [target];
  if (!files.length) throw new MalformedPlanError(target, 'holds no plan (<stack>.json files, as `npm run plan` writes them)');
  return files.map((file) => {
    const plan = readPlanFile(file);
    return { stack: !isDir && stackFor !== undefined ? stackFor : stackOfPlanFile(file), file, plan, engine: planEngine(plan) };
  });
}
