/**
 * Reading synthesized Terraform JSON: the object `cdktf synth` writes to cdktf.out/stacks/<stack>/cdk.tf.json
 * and `Testing.synth(stack)` returns (the latter without the "//" metadata). Pure functions and no provider bindings,
 * shared by the guardrails (../guardrails/), an app's synth, and tools that read a synthesis (a plan review, checks).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON is untyped; its readers test every value (typeof, isSet, isExpression) before use, and `unknown` would turn each read into a cast
export type Block = Record<string, any>;

export interface TfJson {
  readonly '//'?: { metadata?: { stackName?: string } };
  readonly resource?: Record<string, Record<string, Block>>;
  readonly data?: Record<string, Record<string, Block>>;
  readonly output?: Record<string, Block>;
  readonly variable?: Record<string, Block>;
  readonly provider?: Record<string, Block | Block[]>;
  readonly terraform?: Block;
  readonly [section: string]: unknown;
}

/** One resource of a stack: `type.name` is its identity across syntheses (construct ids are a contract). */
export interface TfResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly body: Block;
}

export const METADATA_KEY = '//';

/** True for a value Terraform computes: a string holding a `${…}` expression. */
export function isExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** Terraform's bools arrive as `true` or `"true"` (AWS 6.x string-typed bools). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

export function resourcesOf(json: TfJson, type?: string): TfResource[] {
  const out: TfResource[] = [];
  for (const [t, byName] of Object.entries(json.resource ?? {})) {
    if (type !== undefined && t !== type) continue;
    for (const [name, body] of Object.entries(byName)) out.push({ address: `${t}.${name}`, type: t, name, body });
  }
  return out;
}

function providerBlocks(json: TfJson, name: string): Block[] {
  const p = json.provider?.[name];
  return p === undefined ? [] : ([] as Block[]).concat(p);
}

/** Region of the stack's default AWS provider. */
export function providerRegion(json: TfJson): string | undefined {
  const aws = providerBlocks(json, 'aws').find((b) => b.alias === undefined);
  return typeof aws?.region === 'string' ? aws.region : undefined;
}

/** The stack's environment: the AWS provider's default tag `environment`, else the stack name. */
export function environmentOf(json: TfJson, stackName?: string): string {
  for (const aws of providerBlocks(json, 'aws')) {
    for (const dt of ([] as Block[]).concat((aws.default_tags ?? []) as Block | Block[])) {
      const env: unknown = (dt.tags as Block | undefined)?.environment;
      if (typeof env === 'string' && env) return env;
    }
  }
  return stackName ?? json[METADATA_KEY]?.metadata?.stackName ?? 'unknown';
}

/** The resource (or data source) a `${type.name.attr}` reference points at, if it is one of the stack's. */
export function referencedResource(json: TfJson, expression: unknown): (TfResource & { data: boolean }) | undefined {
  if (typeof expression !== 'string') return undefined;
  const m = /^\$\{(data\.)?([a-z0-9_]+)\.([^.}\s]+)\.[a-z0-9_]+\}$/.exec(expression);
  if (!m) return undefined;
  const data = m.at(1) !== undefined; // .at(): an optional group that did not match is undefined
  const body = (data ? json.data : json.resource)?.[m[2]]?.[m[3]];
  return body ? { address: `${data ? 'data.' : ''}${m[2]}.${m[3]}`, type: m[2], name: m[3], body, data } : undefined;
}
