/**
 * The one way this project reports bad input: a `Problems` list collects every problem of one subject (a
 * construct, a sizing profile, the environment variables), then throws one `ValidationError` that names the subject
 * (for a construct, its path in the tree, so two groups in one app give distinguishable errors) and lists each
 * problem as "field: allowed form, got value".
 *
 * Used by every construct (constructs/), sizing and the settings parser (stacks/); main.ts prints a
 * ValidationError as a short message without a stack trace.
 */
import { Token } from 'cdktf';
import { CONTROL_CHARACTERS, EXPRESSION_BREAKING_CHARACTERS, SHOWN_VALUE, TEMPLATE_SEQUENCES } from '../config/input';

export class ValidationError extends Error {
  /** What was validated: a construct path (`production/cache`), `environment variables`, `config/environments.ts production`… */
  readonly subject: string;
  /** Every problem, each "field: allowed form, got value". */
  readonly problems: readonly string[];

  constructor(subject: string, problems: readonly string[]) {
    super(`${subject}: ${problems.length === 1 ? 'invalid input' : `${problems.length} problems`}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ValidationError';
    this.subject = subject;
    this.problems = problems;
  }

  /** Works across copies of this module (a library consumer may load two). */
  static isValidationError(e: unknown): e is ValidationError {
    return (
      e instanceof ValidationError || (e instanceof Error && e.name === 'ValidationError' && 'problems' in e && Array.isArray(e.problems))
    );
  }
}

/** Collects problems; `throwIfAny()` throws one ValidationError with all of them. */
export class Problems {
  private readonly problems: string[] = [];

  /** @param subject what is validated, as the error names it */
  constructor(readonly subject: string) {}

  /** Record "field: allowed, got X" unless `ok`. */
  check(ok: boolean, field: string, allowed: string, got: unknown): this {
    if (!ok) this.problems.push(`${field}: ${allowed}, got ${describe(got)}`);
    return this;
  }

  /** Record a problem as written. */
  add(problem: string): this {
    this.problems.push(problem);
    return this;
  }

  /** Take over the problems of another collector (or a ValidationError), prefixing each with `prefix`. */
  addAll(problems: readonly string[], prefix = ''): this {
    for (const p of problems) this.problems.push(`${prefix}${p}`);
    return this;
  }

  get list(): readonly string[] {
    return this.problems;
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  throwIfAny(): void {
    if (this.problems.length) throw new ValidationError(this.subject, [...this.problems]);
  }
}

/**
 * A string as a message shows it: JSON-quoted (so a newline or an escape sequence is shown as `\n`, `\u001b`, never
 * sent to the terminal), and beyond config/input.ts SHOWN_VALUE.maxChars its head and tail and its length.
 */
export function shorten(value: string): string {
  const { maxChars, headChars, tailChars } = SHOWN_VALUE;
  const chars = Array.from(value);
  if (chars.length <= maxChars) return JSON.stringify(value);
  const head = JSON.stringify(chars.slice(0, headChars).join('')).slice(0, -1);
  const tail = JSON.stringify(chars.slice(-tailChars).join('')).slice(1);
  return `${head}…${tail} (${chars.length} characters)`;
}

/** A value as a problem message shows it: strings quoted (long ones shortened), arrays listed. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return shorten(value);
  const { maxChars, headChars, tailChars } = SHOWN_VALUE;
  const cut = (text: string) =>
    text.length > maxChars ? `${text.slice(0, headChars)}…${text.slice(-tailChars)} (${text.length} characters)` : text;
  if (Array.isArray(value)) return cut(`[${value.map(describe).join(', ')}]`);
  if (value !== null && typeof value === 'object') return cut(JSON.stringify(value));
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- every object returned above; what is left is a primitive or a function
  return String(value);
}

/** True when the value is only known at deploy time (a Terraform expression). */
export function isUnresolved(value: unknown): boolean {
  return Token.isUnresolved(value);
}

export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTES_PER_DAY = 24 * 60;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;

/** A window as [start, end) minute ranges in a week; a window crossing its period's end is split. */
type Ranges = Array<[number, number]>;

function clock(hh: string, mm: string): number | undefined {
  const h = Number(hh);
  const m = Number(mm);
  return h <= 23 && m <= 59 ? h * 60 + m : undefined;
}

/** Parse a daily window `hh:mm-hh:mm` (UTC) into its length and its minute ranges over a week. */
export function parseDailyWindow(window: string): { minutes: number; ranges: Ranges } | undefined {
  const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(window);
  if (!m) return undefined;
  const start = clock(m[1], m[2]);
  const end = clock(m[3], m[4]);
  if (start === undefined || end === undefined || start === end) return undefined;
  const minutes = (end - start + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const ranges: Ranges = [];
  for (let d = 0; d < 7; d++) ranges.push(...span(d * MINUTES_PER_DAY + start, minutes));
  return { minutes, ranges };
}

/** Parse a weekly window `ddd:hh:mm-ddd:hh:mm` (UTC) into its length and its minute ranges. */
export function parseWeeklyWindow(window: string): { minutes: number; ranges: Ranges } | undefined {
  const m = /^([a-z]{3}):(\d\d):(\d\d)-([a-z]{3}):(\d\d):(\d\d)$/.exec(window.toLowerCase());
  if (!m) return undefined;
  const d1 = DAYS.indexOf(m[1]);
  const d2 = DAYS.indexOf(m[4]);
  const t1 = clock(m[2], m[3]);
  const t2 = clock(m[5], m[6]);
  if (d1 < 0 || d2 < 0 || t1 === undefined || t2 === undefined) return undefined;
  const start = d1 * MINUTES_PER_DAY + t1;
  const end = d2 * MINUTES_PER_DAY + t2;
  if (start === end) return undefined;
  const minutes = (end - start + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
  return { minutes, ranges: span(start, minutes) };
}

function span(start: number, minutes: number): Ranges {
  const s = start % MINUTES_PER_WEEK;
  const e = s + minutes;
  return e <= MINUTES_PER_WEEK
    ? [[s, e]]
    : [
        [s, MINUTES_PER_WEEK],
        [0, e - MINUTES_PER_WEEK],
      ];
}

export function rangesOverlap(a: Ranges, b: Ranges): boolean {
  return a.some(([s1, e1]) => b.some(([s2, e2]) => s1 < e2 && s2 < e1));
}

/**
 * Why a string cannot be a literal in the synthesized JSON, or undefined when it can: a template sequence Terraform
 * would evaluate (config/input.ts TEMPLATE_SEQUENCES), a control character, and, with `insideExpression` (a value
 * the project places inside a Terraform expression, such as a path in `filesha256("…")`), a `"` or `\\`.
 */
export function literalProblem(value: string, insideExpression = false): string | undefined {
  const sequence = TEMPLATE_SEQUENCES.find((s) => value.includes(s));
  if (sequence !== undefined) {
    return `a literal value without ${TEMPLATE_SEQUENCES.map((s) => `"${s}"`).join(' or ')} (Terraform would evaluate "${sequence}…" in it as ${sequence === '${' ? 'an expression' : 'a template directive'})`;
  }
  if (CONTROL_CHARACTERS.test(value)) return 'a value without control characters (newline, tab, escape …)';
  if (insideExpression && EXPRESSION_BREAKING_CHARACTERS.test(value)) {
    return 'a value without " or \\ (it is placed inside a Terraform expression, which they would break)';
  }
  return undefined;
}

const PRIVATE_V4 = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
] as const;

/** A dotted-quad IPv4 address as a number: four decimal octets 0–255, none with a leading zero. */
function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

const intToIpv4 = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * What is wrong with an IPv4 CIDR block as a private network, or undefined when nothing is: the form (four decimal
 * octets, none with a leading zero, which some parsers read as octal: `010.0.0.0/8`), host bits (`10.0.0.1/24` is an
 * address, not a network; AWS refuses it in a security group rule), and the private ranges (RFC 1918 and the RFC 6598
 * shared space).
 */
export function cidrProblem(cidr: string): string | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(cidr);
  if (!m) return 'not in CIDR form a.b.c.d/n';
  const ip = ipv4ToInt(m[1]);
  if (ip === undefined) return /(^|\.)0\d/.test(m[1]) ? 'an octet with a leading zero' : 'not an IPv4 address';
  if (m[2].length > 1 && m[2].startsWith('0')) return 'a prefix length with a leading zero';
  const len = Number(m[2]);
  if (len > 32) return 'a prefix length above 32';
  const size = 2 ** (32 - len);
  const network = ip - (ip % size);
  if (network !== ip) return `host bits set: the network is ${intToIpv4(network)}/${len}`;
  const inside = PRIVATE_V4.some(([base, baseLen]) => {
    const b = ipv4ToInt(base);
    return b !== undefined && len >= baseLen && ip - (ip % 2 ** (32 - baseLen)) === b;
  });
  return inside ? undefined : 'not within a private range';
}

/** True for an IPv4 network (no host bits, no leading zeros) inside the private ranges (RFC 1918, RFC 6598). */
export function isPrivateCidr(cidr: string): boolean {
  return cidrProblem(cidr) === undefined;
}

/** AWS resource ids: `<prefix>-` and 8 or 17 lower-case hex digits (vpc-, subnet-, sg-). */
export function isAwsId(prefix: 'vpc' | 'subnet' | 'sg', value: unknown): boolean {
  return typeof value === 'string' && new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`).test(value);
}

/**
 * Run a construct's validation right after `super()`: on a problem, take the half-made construct out of its scope
 * again (so a caught error leaves nothing in the tree) and rethrow. The error names the construct's path.
 */
export function validateConstruct<T>(
  construct: { readonly node: { readonly scope?: { node: { tryRemoveChild(id: string): boolean } }; readonly id: string } },
  validate: () => T,
): T {
  try {
    return validate();
  } catch (e) {
    construct.node.scope?.node.tryRemoveChild(construct.node.id);
    throw e;
  }
}
