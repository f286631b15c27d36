/**
 * The guardrails, in one place: pure rules over a synthesized stack's JSON (`checkGuardrails`), used by the
 * plan review (scripts/review.ts) and, through `applyGuardrails(app)`, by every synth: each stack gets a
 * validation that runs the same rules on its resolved JSON, so `npm run synth` refuses a violating stack.
 *
 * What each rule requires, and where that comes from: config/guardrails.ts.
 */
import { Annotations, Aspects, IAspect, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import {
  AWS_MANAGED_KEY, GUARDRAIL_RULES, GuardrailRuleId, MIN_RETENTION_DAYS, NODE_DIMENSION, OPEN_CIDR,
  PROTECTED_ENVIRONMENTS, REQUIRED_NODE_ALARMS, SECRET_DETECTION,
} from '../config/guardrails';
import { ELASTICACHE_NAMESPACE } from './cache-alarms';
import {
  Block, METADATA_KEY, TfJson, TfResource, environmentOf, isExpression, isSet, isTrue, referencedResource, replicationGroupLayout,
  resourcesOf,
} from './tf-json';

export interface Violation {
  readonly rule: GuardrailRuleId;
  /** `type.name` of the resource (or `provider.aws`, `output.name`, …). */
  readonly resource: string;
  readonly message: string;
}

interface RuleContext {
  readonly json: TfJson;
  readonly environment: string;
  readonly protectedEnvironment: boolean;
}

type Rule = (ctx: RuleContext) => Violation[];

const RG = 'aws_elasticache_replication_group';

function groups(ctx: RuleContext): TfResource[] {
  return resourcesOf(ctx.json, RG);
}

const rgName = (r: TfResource) => (typeof r.body.replication_group_id === 'string' ? r.body.replication_group_id : r.name);

const transitEncryption: Rule = (ctx) => !ctx.protectedEnvironment ? [] : groups(ctx).flatMap((r) => {
  if (!isTrue(r.body.transit_encryption_enabled)) {
    return [{ rule: 'transit-encryption' as const, resource: r.address, message: `${rgName(r)}: in-transit encryption is off in ${ctx.environment}` }];
  }
  if (r.body.transit_encryption_mode !== 'required') {
    return [{ rule: 'transit-encryption' as const, resource: r.address,
      message: `${rgName(r)}: transit_encryption_mode is ${JSON.stringify(r.body.transit_encryption_mode ?? null)}, must be "required" in ${ctx.environment}` }];
  }
  return [];
});

const auth: Rule = (ctx) => !ctx.protectedEnvironment ? [] : groups(ctx)
  .filter((r) => !isSet(r.body.auth_token) && !isSet(r.body.user_group_ids))
  .map((r) => ({ rule: 'auth' as const, resource: r.address, message: `${rgName(r)}: no AUTH token and no RBAC user group in ${ctx.environment}` }));

/** True when a kms_key_id names a customer-managed key (an `aws_kms_key` of the stack, or a key that is not `alias/aws/…`). */
export function isCustomerManagedKey(json: TfJson, kmsKeyId: unknown): boolean {
  if (!isSet(kmsKeyId)) return false;
  const ref = referencedResource(json, kmsKeyId);
  if (ref?.type === 'aws_kms_key' && !ref.data) return true;
  if (ref?.type === 'aws_kms_key' && ref.data) return !AWS_MANAGED_KEY.test(String(ref.body.key_id ?? ''));
  return typeof kmsKeyId === 'string' && !AWS_MANAGED_KEY.test(kmsKeyId);
}

const encryptionAtRest: Rule = (ctx) => groups(ctx).flatMap((r) => {
  if (!isTrue(r.body.at_rest_encryption_enabled)) {
    return [{ rule: 'encryption-at-rest' as const, resource: r.address, message: `${rgName(r)}: encryption at rest is off` }];
  }
  if (!isCustomerManagedKey(ctx.json, r.body.kms_key_id)) {
    return [{ rule: 'encryption-at-rest' as const, resource: r.address,
      message: `${rgName(r)}: encrypted at rest without a customer-managed KMS key (kms_key_id ${JSON.stringify(r.body.kms_key_id ?? null)})` }];
  }
  return [];
});

const multiAz: Rule = (ctx) => !ctx.protectedEnvironment ? [] : groups(ctx).flatMap((r) => {
  const layout = replicationGroupLayout(r.body);
  const problems: string[] = [];
  if (!isTrue(r.body.multi_az_enabled)) problems.push('Multi-AZ is off');
  if (!isTrue(r.body.automatic_failover_enabled)) problems.push('automatic failover is off');
  if (layout && layout.replicasPerShard < 1) problems.push('no replica');
  return problems.length
    ? [{ rule: 'multi-az' as const, resource: r.address, message: `${rgName(r)}: ${problems.join(', ')} in ${ctx.environment}` }]
    : [];
});

const backupRetention: Rule = (ctx) => !ctx.protectedEnvironment ? [] : groups(ctx).flatMap((r) => {
  const days = r.body.snapshot_retention_limit ?? 0;
  return typeof days === 'number' && days >= MIN_RETENTION_DAYS ? [] : [{
    rule: 'backup-retention' as const, resource: r.address,
    message: `${rgName(r)}: backups kept ${JSON.stringify(days)} days in ${ctx.environment}, at least ${MIN_RETENTION_DAYS} required`,
  }];
});

/** Alarms per node id: the metric names of its AWS/ElastiCache alarms that have alarm actions. */
function alarmedMetricsByNode(json: TfJson): Map<string, Set<string>> {
  const byNode = new Map<string, Set<string>>();
  for (const a of resourcesOf(json, 'aws_cloudwatch_metric_alarm')) {
    const b = a.body;
    const node = b.dimensions?.[NODE_DIMENSION];
    const hasActions = Array.isArray(b.alarm_actions) ? b.alarm_actions.some(isSet) : isSet(b.alarm_actions);
    if (b.namespace !== ELASTICACHE_NAMESPACE || typeof node !== 'string' || !hasActions || b.actions_enabled === false) continue;
    if (!byNode.has(node)) byNode.set(node, new Set());
    byNode.get(node)!.add(b.metric_name);
  }
  return byNode;
}

const nodeAlarms: Rule = (ctx) => {
  const rgs = groups(ctx);
  if (!rgs.length) return [];
  const alarmed = alarmedMetricsByNode(ctx.json);
  return rgs.flatMap((r) => {
    const layout = replicationGroupLayout(r.body);
    if (!layout) {
      return [{ rule: 'node-alarms' as const, resource: r.address, message: `${rgName(r)}: node count or id is only known at apply time; its node alarms cannot be checked` }];
    }
    return layout.nodes.flatMap((node) => {
      const have = alarmed.get(node.cacheClusterId) ?? new Set<string>();
      const missing = REQUIRED_NODE_ALARMS
        .filter((req) => !req.replicasOnly || node.role === 'replica')
        .filter((req) => !req.metrics.some((m) => have.has(m)))
        .map((req) => `${req.name} (${req.metrics.join(' or ')})`);
      return missing.length ? [{
        rule: 'node-alarms' as const, resource: r.address,
        message: `node ${node.cacheClusterId} (${node.role}) has no alarm with actions for: ${missing.join(', ')}`,
      }] : [];
    });
  });
};

function openCidrs(values: unknown): string[] {
  return ([] as unknown[]).concat(values ?? []).filter((c): c is string => typeof c === 'string' && OPEN_CIDR.test(c));
}

const openIngress: Rule = (ctx) => {
  const out: Violation[] = [];
  const flag = (r: TfResource, cidrs: string[]) => cidrs.forEach((c) => out.push({
    rule: 'open-ingress', resource: r.address, message: `ingress from anywhere (${c})`,
  }));
  for (const r of resourcesOf(ctx.json, 'aws_security_group')) {
    for (const rule of ([] as Block[]).concat(r.body.ingress ?? [])) flag(r, [...openCidrs(rule?.cidr_blocks), ...openCidrs(rule?.ipv6_cidr_blocks)]);
  }
  for (const r of resourcesOf(ctx.json, 'aws_vpc_security_group_ingress_rule')) flag(r, openCidrs([r.body.cidr_ipv4, r.body.cidr_ipv6]));
  for (const r of resourcesOf(ctx.json, 'aws_security_group_rule')) {
    if (r.body.type === 'ingress') flag(r, [...openCidrs(r.body.cidr_blocks), ...openCidrs(r.body.ipv6_cidr_blocks)]);
  }
  return out;
};

// ---- secret literals

/** Shannon entropy of a string, bits per character. */
export function bitsPerChar(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

function looksRandom(s: string): boolean {
  return s.length >= SECRET_DETECTION.minLength && !/\s/.test(s) && !s.startsWith('arn:') && bitsPerChar(s) >= SECRET_DETECTION.minBitsPerChar;
}

const SECRET_NAMES = new Set<string>(SECRET_DETECTION.attributeNames);
const isLiteral = (s: string) => s !== '' && !isExpression(s) && s !== '""' && s !== "''";
const secretishName = (name: string) => SECRET_DETECTION.namePattern.test(name) && !SECRET_DETECTION.notSecretNamePattern.test(name);
const CONF_LINE = new RegExp(`^\\s*(${SECRET_DETECTION.confDirectives.join('|')})\\s+(\\S+)`, 'gim');
const CLI_FLAG = new RegExp(`^--(${SECRET_DETECTION.confDirectives.join('|')})(=(.*))?$`, 'i');
const ENV_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:([^\s@/]+)@/gi;
const HCL_ATTRIBUTE = /"?([A-Za-z_][A-Za-z0-9_]*)"?\s*=\s*"([^"]*)"/g;

/** Where a string sits, for messages: the resource and the attribute path. */
function locate(path: readonly string[]): { resource: string; attribute: string } {
  const [section, a, b, ...rest] = path;
  if (section === 'resource' || section === 'data') {
    return { resource: `${section === 'data' ? 'data.' : ''}${a}.${b}`, attribute: rest.join('.') };
  }
  if (section === 'provider' || section === 'output' || section === 'variable' || section === 'locals') {
    return { resource: `${section}.${a}`, attribute: [b, ...rest].filter((x) => x !== undefined).join('.') };
  }
  return { resource: section, attribute: [a, b, ...rest].filter((x) => x !== undefined).join('.') };
}

/** Problems with one string value; `name` is the attribute, output or variable it belongs to. */
function secretsInString(s: string, name: string): string[] {
  const found: string[] = [];
  const lower = name.toLowerCase();
  if (SECRET_NAMES.has(lower) && isLiteral(s)) found.push(`a literal ${name}`);
  else if (secretishName(lower) && !isExpression(s) && looksRandom(s)) found.push(`a random-looking literal under ${name}`);
  for (const m of s.matchAll(CONF_LINE)) if (isLiteral(m[2])) found.push(`a literal ${m[1]} argument`);
  const env = ENV_ASSIGNMENT.exec(s);
  if (env && secretishName(env[1]) && isLiteral(env[2])) found.push(`a literal value assigned to ${env[1]}`);
  for (const m of s.matchAll(URL_CREDENTIALS)) if (isLiteral(m[1])) found.push('a password in a URL');
  if (isExpression(s)) {
    for (const m of s.matchAll(HCL_ATTRIBUTE)) {
      if (SECRET_NAMES.has(m[1].toLowerCase()) && isLiteral(m[2])) found.push(`a literal ${m[1]} inside an expression`);
    }
  }
  return found;
}

/** Keys that only wrap a value (`output.x.value`, `variable.x.default`): the name is the output's or variable's. */
const WRAPPER_KEYS = new Set(['value', 'default']);

/** The name a value under `key` is known by: its attribute, or the output or variable it is the value of. */
function nameOf(path: readonly string[], key: string, parentName: string): string {
  const section = path[0];
  if (path.length === 0) return '';
  if ((section === 'resource' || section === 'data') && path.length < 3) return ''; // type and logical name
  if (section === 'provider' && path.length === 1) return ''; // provider name
  if ((section === 'output' || section === 'variable') && path.length === 2 && WRAPPER_KEYS.has(key)) return parentName;
  return key;
}

const secretLiterals: Rule = (ctx) => {
  const out: Violation[] = [];
  const report = (path: readonly string[], what: string) => {
    const { resource, attribute } = locate(path);
    out.push({ rule: 'secret-literal', resource, message: `${what}${attribute ? ` at ${attribute}` : ''}: generate it (random_password) or reference a secret store` });
  };
  const walk = (value: unknown, path: string[], name: string): void => {
    if (typeof value === 'string') {
      for (const what of secretsInString(value, name)) report(path, what);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        const flag = typeof v === 'string' ? CLI_FLAG.exec(v) : null;
        const arg = flag ? (flag[3] ?? value[i + 1]) : undefined;
        if (flag && typeof arg === 'string' && isLiteral(arg)) report([...path, String(i)], `a literal --${flag[1]} argument`);
        walk(v, [...path, String(i)], name);
      });
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k !== METADATA_KEY) walk(v, [...path, k], nameOf(path, k, name));
      }
    }
  };
  walk(ctx.json, [], '');
  return out;
};

const RULES: Readonly<Record<GuardrailRuleId, Rule>> = {
  'transit-encryption': transitEncryption,
  auth,
  'encryption-at-rest': encryptionAtRest,
  'multi-az': multiAz,
  'backup-retention': backupRetention,
  'node-alarms': nodeAlarms,
  'open-ingress': openIngress,
  'secret-literal': secretLiterals,
};

/**
 * Every guardrail violation of one synthesized stack (cdk.tf.json or `Testing.synth` output).
 * The environment is the AWS provider's default tag `environment`, else `stackName`.
 */
export function checkGuardrails(json: TfJson, stackName?: string): Violation[] {
  const environment = environmentOf(json, stackName);
  const ctx: RuleContext = { json, environment, protectedEnvironment: PROTECTED_ENVIRONMENTS.includes(environment) };
  return (Object.keys(RULES) as GuardrailRuleId[]).flatMap((id) => RULES[id](ctx));
}

export function formatViolation(v: Violation): string {
  return `guardrail ${v.rule}: ${v.resource}: ${v.message}`;
}

// ---- enforcement at synth time

/** `CACHE_GUARDRAILS=warn` turns violations into synth warnings (the review synthesizes that way to report them all). */
export const GUARDRAILS_MODE_VARIABLE = 'CACHE_GUARDRAILS';
export type GuardrailsMode = 'enforce' | 'warn';

const guarded = new WeakSet<TerraformStack>();

/**
 * Aspect that gives every TerraformStack it visits a validation running checkGuardrails on the stack's resolved
 * JSON: `app.synth()` and `Testing.synth(stack, true)` then fail with the list of violations ('enforce'), or
 * record them as warnings ('warn').
 */
export class GuardrailsAspect implements IAspect {
  constructor(readonly mode: GuardrailsMode = 'enforce') {}

  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node) || guarded.has(node)) return;
    const stack = node;
    guarded.add(stack);
    stack.node.addValidation({
      validate: () => {
        const lines = checkGuardrails(stack.toTerraform() as TfJson, stack.node.id).map(formatViolation);
        if (this.mode === 'enforce') return lines;
        lines.forEach((l) => Annotations.of(stack).addWarning(l));
        return [];
      },
    });
  }
}

export function guardrailsMode(env: Readonly<Record<string, string | undefined>> = process.env): GuardrailsMode {
  const v = env[GUARDRAILS_MODE_VARIABLE];
  if (v === undefined || v === '' || v === 'enforce') return 'enforce';
  if (v === 'warn') return 'warn';
  throw new Error(`${GUARDRAILS_MODE_VARIABLE}: enforce or warn, got ${JSON.stringify(v)}`);
}

/**
 * Guard every stack of an app. cdktf 0.21 invokes aspects from each stack down (an aspect added to the App
 * itself is never visited), so this adds the aspect to each stack; call it once every stack exists, just
 * before `app.synth()`. A stack created afterwards makes synth fail, so none slips through unguarded.
 */
export function applyGuardrails(app: Construct, mode: GuardrailsMode = guardrailsMode()): void {
  const aspect = new GuardrailsAspect(mode);
  const stacks = () => app.node.findAll().filter(TerraformStack.isStack);
  stacks().forEach((s) => Aspects.of(s).add(aspect));
  app.node.addValidation({
    validate: () => stacks().filter((s) => !guarded.has(s))
      .map((s) => `stack ${s.node.id} was created after applyGuardrails(app): call it just before app.synth()`),
  });
}

/** The rules with what they require, for the review's output and the README. */
export function describeRules(): Array<{ rule: GuardrailRuleId; requires: string; scope: string; source: string }> {
  return (Object.keys(GUARDRAIL_RULES) as GuardrailRuleId[]).map((rule) => ({
    rule,
    requires: GUARDRAIL_RULES[rule].requires,
    scope: GUARDRAIL_RULES[rule].scope === 'protected' ? PROTECTED_ENVIRONMENTS.join(', ') : 'every stack',
    source: GUARDRAIL_RULES[rule].source,
  }));
}
