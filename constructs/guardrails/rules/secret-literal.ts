/** Guardrail `secret-literal`. */
import { SECRET_DETECTION } from '../data';
import { METADATA_KEY, isExpression } from '../../tf-json';
import { GuardrailRule, RuleContext, Violation } from './rule';

/** Shannon entropy of a string, bits per character. */
export function bitsPerChar(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

function looksRandom(s: string): boolean {
  return (
    s.length >= SECRET_DETECTION.minLength && !/\s/.test(s) && !s.startsWith('arn:') && bitsPerChar(s) >= SECRET_DETECTION.minBitsPerChar
  );
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
    return { resource: `${section}.${a}`, attribute: path.slice(2).join('.') };
  }
  return { resource: section, attribute: path.slice(1).join('.') };
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

function check(ctx: RuleContext): Array<Omit<Violation, 'rule'>> {
  const out: Array<Omit<Violation, 'rule'>> = [];
  const report = (path: readonly string[], what: string) => {
    const { resource, attribute } = locate(path);
    out.push({
      resource,
      message: `${what}${attribute ? ` at ${attribute}` : ''}: generate it (random_password) or reference a secret store`,
    });
  };
  const walk = (value: unknown, path: string[], name: string): void => {
    if (typeof value === 'string') {
      for (const what of secretsInString(value, name)) report(path, what);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => {
        const flag = typeof v === 'string' ? CLI_FLAG.exec(v) : null;
        const arg: unknown = flag ? (flag.at(3) ?? value[i + 1]) : undefined; // .at(): group 3 is undefined for a bare --flag
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
}

export const rule: GuardrailRule = {
  id: 'secret-literal',
  requires: 'no secret as a literal in the synthesized JSON (generate it or reference it: `${…}`)',
  source: '000 and 003 security checklists (strong password) and security practice: a literal in cdktf.out is a leaked secret',
  check,
};
