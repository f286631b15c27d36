/**
 * The one way the library reports bad input: a problem is structured (which field, the form it must have, the value
 * given, as a message shows it), a `Problems` list collects every problem of one subject (a construct, a call), then
 * throws one `ValidationError` that names the subject (for a construct, its path in the tree, so two groups in one app
 * give distinguishable errors) and lists each problem as "field: allowed form, got value".
 *
 * An app gathers them as they are (`ValidationError.problems`) and can restate a construct's problem under the setting
 * its user set, by the problem's `field`, never by parsing its text.
 */
import { Token } from 'cdktf';
import { CONTROL_CHARACTERS, EXPRESSION_BREAKING_CHARACTERS, SHOWN_VALUE, TEMPLATE_SEQUENCES } from './facts/input';

/** One problem with an input. */
export interface Problem {
  /** The field as the input names it: a prop (`vpcId`, `thresholds.cpu.period`), or an app's variable or config field. */
  readonly field: string;
  /** The form the value must have. */
  readonly allowed: string;
  /** The value given, as messages show it (`describe()`: quoted, shortened; a secret described). Unset: undefined. */
  readonly got?: string;
  /** What in particular is wrong, where the form does not say it (`host bits set: the network is 10.0.0.0/24`). */
  readonly why?: string;
  /** Where the problem applies, when its subject does not say it (`stack orders`, `prop vpcId of orders/cache`). */
  readonly where?: string;
  /** Which check found it, where a program needs to tell checks of one field apart (`tls-files-missing`). */
  readonly code?: string;
}

/** A problem as one line: "field: allowed, got value (why) (where)". */
export function problemText(p: Problem): string {
  const got = p.got === undefined ? 'but it is unset' : `got ${p.got}`;
  return `${p.field}: ${p.allowed}, ${got}${p.why ? ` (${p.why})` : ''}${p.where ? ` (${p.where})` : ''}`;
}

export class ValidationError extends Error {
  /** What was validated: a construct path (`orders/cache (RedisReplicationGroup)`), `environment variables`, … */
  readonly subject: string;
  /** Every problem found, in the order found. */
  readonly problems: readonly Problem[];

  constructor(subject: string, problems: readonly Problem[]) {
    const lines = problems.map(problemText);
    super(`${subject}: ${lines.length === 1 ? 'invalid input' : `${lines.length} problems`}:\n  - ${lines.join('\n  - ')}`);
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
  private readonly found: Problem[] = [];

  /** @param subject what is validated, as the error names it */
  constructor(readonly subject: string) {}

  /**
   * Unless `ok`, record that `field` must have the form `allowed` and was `got` (described as messages show values;
   * with `shown`, `got` is already described, e.g. a secret's length). Returns `ok`.
   */
  check(
    ok: boolean,
    field: string,
    allowed: string,
    got: unknown,
    detail: { readonly why?: string; readonly where?: string; readonly code?: string; readonly shown?: boolean } = {},
  ): boolean {
    if (!ok) {
      this.found.push({
        field,
        allowed,
        got: detail.shown === true ? String(got) : describe(got),
        ...(detail.why ? { why: detail.why } : {}),
        ...(detail.where ? { where: detail.where } : {}),
        ...(detail.code ? { code: detail.code } : {}),
      });
    }
    return ok;
  }

  /** Record problems found elsewhere (another collector's, a ValidationError's). */
  add(...problems: readonly Problem[]): this {
    this.found.push(...problems);
    return this;
  }

  get list(): readonly Problem[] {
    return this.found;
  }

  get ok(): boolean {
    return this.found.length === 0;
  }

  throwIfAny(): void {
    if (this.found.length) throw new ValidationError(this.subject, [...this.found]);
  }
}

/** The problems a validation throws (a ValidationError's), or none; any other error propagates. */
export function problemsOf(validate: () => unknown): readonly Problem[] {
  try {
    validate();
    return [];
  } catch (e) {
    if (ValidationError.isValidationError(e)) return e.problems;
    throw e;
  }
}

/**
 * A string as a message shows it: JSON-quoted (so a newline or an escape sequence is shown as `\n`, `\u001b`, never
 * sent to the terminal), and beyond ./facts/input.ts SHOWN_VALUE.maxChars its head and tail and its length.
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
 * would evaluate (./facts/input.ts TEMPLATE_SEQUENCES), a control character, and, with `insideExpression` (a value
 * placed inside a Terraform expression, such as a path in `filesha256("…")`), a `"` or `\\`.
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
