/**
 * A password the developer chooses for the local Redis (LocalRedis's `password` prop, or an app's setting): its form
 * and its strength as ./defaults.ts LOCAL_PASSWORD states them. The same rule is checked wherever a password enters,
 * all generated from that data: here (synth: an app's settings and the construct), and in a Terraform variable's
 * validation (`terraformPasswordCondition`, for a password set only at deploy time).
 *
 * Never shows the password: a problem describes it (its length, how many different characters, the estimate).
 */
import { LOCAL_PASSWORD } from './defaults';

const { minLength, maxLength, characterClass, strength } = LOCAL_PASSWORD;
const FORM = new RegExp(`^[${characterClass}]{${minLength},${maxLength}}$`);

/** What the rule asks, for messages. */
export const PASSWORD_RULE =
  `${minLength}–${maxLength} characters from ${characterClass}, at least ${strength.minDistinctCharacters} different characters ` +
  `and an estimated ${strength.minEstimatedBits} bits (length × log2 of the character classes used; e.g. 16 random letters and digits, or openssl rand -hex 16)`;

/** Estimated bits: length × log2 of the summed sizes of the character classes the password uses. */
export function estimatedBits(password: string): number {
  const alphabet = strength.classes.filter((c) => new RegExp(`[${c.characterClass}]`).test(password)).reduce((n, c) => n + c.size, 0);
  return alphabet > 1 ? Array.from(password).length * Math.log2(alphabet) : 0;
}

/** Why a chosen password is refused (described, never shown), or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  const length = Array.from(password).length;
  if (!FORM.test(password)) {
    const outside = Array.from(password).some((ch) => !new RegExp(`[${characterClass}]`).test(ch));
    return `a string of ${length} characters${outside ? ', some outside the allowed ones' : ''}`;
  }
  const distinct = new Set(password).size;
  const bits = Math.floor(estimatedBits(password));
  if (distinct < strength.minDistinctCharacters || bits < strength.minEstimatedBits) {
    return `a string of ${length} characters, ${distinct} different, an estimated ${bits} bits`;
  }
  return undefined;
}

/**
 * The same rule as a Terraform condition over `variable` (e.g. `var.redis_password`), true when it is empty or
 * acceptable. Every function it calls is total (Terraform 1.11 evaluates both sides of `||`).
 */
export function terraformPasswordCondition(variable: string): string {
  const alphabet = strength.classes.map((c) => `(can(regex("[${c.characterClass}]", ${variable})) ? ${c.size} : 0)`).join(' + ');
  const acceptable = [
    `can(regex("^[${characterClass}]{${minLength},${maxLength}}$", ${variable}))`,
    `length(distinct(split("", ${variable}))) >= ${strength.minDistinctCharacters}`,
    `length(${variable}) * log(max(2, ${alphabet}), 2) >= ${strength.minEstimatedBits}`,
  ];
  return `${variable} == "" || (${acceptable.join(' && ')})`;
}
