/**
 * How input (construct props, and an app's environment variables or CLI arguments) is checked and shown wherever it
 * enters (../validation.ts).
 *
 * Terraform reads the synthesized `cdk.tf.json` in HCL's JSON syntax, where every string (and every object key) is a
 * string template: `${…}` is evaluated as an expression and `%{…}` as a template directive. A setting that reaches the
 * JSON must therefore be a literal: a tag value `Environment=${file("/etc/hostname")}` makes the plan read the file.
 * Such values are refused, not escaped (`$${`, `%%{`): ids, tags, paths, addresses and ports never need the sequence,
 * and a refusal names the field while an escape would silently look for a strange literal.
 */

/** Sequences Terraform evaluates in any string of the JSON syntax (an escape doubles the first character). */
export const TEMPLATE_SEQUENCES = ['${', '%{'] as const;

/**
 * Characters no setting may hold: C0 control characters (newline, tab, escape …) and DEL. They never belong in an id,
 * a tag, a path or a port, and a newline or an escape sequence in a value would garble the messages that show it.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Characters refused in values that are placed inside a Terraform expression (e.g. the TLS directory in
 * `filesha256("<path>")`): a `"` ends the string literal, a `\` starts an escape.
 */
export const EXPRESSION_BREAKING_CHARACTERS = /["\\]/;

/**
 * A value shown in a message: longer values are shortened to their first and last characters and their length, so
 * a 10,000-character value does not flood the terminal (and a secret is never shown at all: the messages describe it).
 */
export const SHOWN_VALUE = { maxChars: 100, headChars: 60, tailChars: 20 } as const;
