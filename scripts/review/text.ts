/** Quoting the user's input in messages: never in full when it is long (a 10,000-character value stays readable). */
import { MESSAGE_VALUE_MAX_CHARS } from '../../config/review';

/** `value` as it is when short, else its start, "…" and its length. */
export function shorten(value: string, max = MESSAGE_VALUE_MAX_CHARS): string {
  if (value.length <= max) return value;
  return `${value.slice(0, max - 1)}… (${value.length} characters)`;
}

/** A value as JSON for a message (strings quoted), shortened. */
export function quote(value: unknown, max = MESSAGE_VALUE_MAX_CHARS): string {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- JSON.stringify returns undefined for undefined and functions although lib.d.ts says string
  return shorten((JSON.stringify(value) as string | undefined) ?? String(value), max);
}
