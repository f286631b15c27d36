/** Reading references inside synthesized expressions: which resources, variables and policies an expression names. */
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment -- synthesized JSON is untyped (tf-json.ts Block); every value is tested (typeof, isSet, isExpression) before it is used */
import { AWS_MANAGED_KEY } from '../facts/aws';
import { Block, TfJson, TfResource, isSet, referencedResource, resourcesOf } from './core';

/** Every `type.name` resource address an expression mentions (`${aws_sns_topic.x.arn}`, `concat([…], var.y)`). */
export function referencedAddresses(expression: unknown): string[] {
  const text = typeof expression === 'string' ? expression : JSON.stringify(expression ?? null);
  const out = new Set<string>();
  for (const m of text.matchAll(/(?<![\w.])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.[a-z_]+/g)) {
    if (m[2] === 'var' || m[2] === 'each' || m[2] === 'self' || m[2] === 'local') continue;
    out.add(`${m[1] ? m[1] : ''}${m[2]}.${m[3]}`);
  }
  return [...out];
}

/** Names of the variables an expression mentions (`var.alarm_subscribers.emails` → `alarm_subscribers`). */
export function referencedVariables(expression: unknown): string[] {
  const text = typeof expression === 'string' ? expression : JSON.stringify(expression ?? null);
  return [...new Set([...text.matchAll(/(?<![\w.])var\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]))];
}

/** The stack's resource (or data source) at an address. */
export function resourceAt(json: TfJson, address: string): TfResource | undefined {
  const data = address.startsWith('data.');
  const [type, name] = (data ? address.slice(5) : address).split('.');
  const body = (data ? json.data : json.resource)?.[type]?.[name];
  return body ? { address, type, name, body } : undefined;
}

/** True when an expression refers to the resource at `address`. */
export function refersTo(expression: unknown, address: string): boolean {
  return referencedAddresses(expression).includes(address);
}

/** Validations of a variable (`[{condition, error_message}]`). */
export function variableValidations(json: TfJson, name: string): Block[] {
  return ([] as Block[]).concat(json.variable?.[name]?.validation ?? []);
}

/** True when a variable has a validation that requires a non-empty value (`… > 0`). */
export function requiresNonEmpty(json: TfJson, name: string): boolean {
  return variableValidations(json, name).some(
    (v) => typeof v.condition === 'string' && /length\(var\./.test(v.condition) && /> 0\}$/.test(v.condition),
  );
}

/** Statements of an IAM policy document data source the expression refers to (`${data.aws_iam_policy_document.x.json}`). */
export function policyStatements(json: TfJson, policy: unknown): Block[] | undefined {
  const doc = referencedAddresses(policy)
    .map((a) => resourceAt(json, a))
    .find((r) => r?.type === 'aws_iam_policy_document');
  if (doc) return ([] as Block[]).concat(doc.body.statement ?? []);
  if (typeof policy === 'string' && !policy.includes('${')) {
    try {
      const parsed = JSON.parse(policy) as Block;
      return ([] as Block[]).concat(parsed.Statement ?? []).map((s) => ({
        principals: Object.entries((s.Principal ?? {}) as Block).map(([type, ids]) => ({
          type,
          identifiers: ([] as unknown[]).concat(ids),
        })),
        condition: Object.entries((s.Condition ?? {}) as Block).flatMap(([test, kv]) =>
          Object.entries(kv as Block).map(([variable, values]) => ({ test, variable, values })),
        ),
      }));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Resources of a type whose attribute refers to `address`. */
export function referrers(json: TfJson, type: string, attribute: string, address: string): TfResource[] {
  return resourcesOf(json, type).filter((r) => refersTo(r.body[attribute], address));
}

/** True when a kms_key_id names a customer-managed key (an `aws_kms_key` of the stack, or a key that is not `alias/aws/…`). */
export function isCustomerManagedKey(json: TfJson, kmsKeyId: unknown): boolean {
  if (!isSet(kmsKeyId)) return false;
  const ref = referencedResource(json, kmsKeyId);
  if (ref?.type === 'aws_kms_key' && !ref.data) return true;
  if (ref?.type === 'aws_kms_key' && ref.data) return !AWS_MANAGED_KEY.test(String(ref.body.key_id ?? ''));
  return typeof kmsKeyId === 'string' && !AWS_MANAGED_KEY.test(kmsKeyId);
}
