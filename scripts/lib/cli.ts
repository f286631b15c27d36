/**
 * The command-line convention of every script (scripts/<command>.ts, one per npm script): options parsed with
 * util.parseArgs (strict: an unknown option is a usage error), `--help`, and one exit-code contract:
 *   0  ok
 *   1  a violation, or a failure the message names
 *   2  usage or malformed input
 * A user's mistake prints one line (no stack trace); a crash keeps its trace.
 */
import { parseArgs, ParseArgsConfig } from 'util';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** A mistake in how the command was called, or input it cannot read: exit 2, one line, the usage line after it. */
export class UsageError extends Error {}

/** util.parseArgs with strict options; its own errors become UsageErrors. */
export function parseCli<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: boolean }>> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/**
 * Runs a command's main and exits with its code: a UsageError exits 2 with its message and the usage line, any other
 * error exits 1 with its stack (a crash is not a user's mistake).
 */
export function runCli(name: string, usage: string, main: () => Promise<number> | number): void {
  Promise.resolve()
    .then(main)
    .then(
      (code) => process.exit(code),
      (e: unknown) => {
        if (e instanceof UsageError) {
          process.stderr.write(`${name}: ${e.message}\n${usage}\n`);
          process.exit(EXIT.usage);
        }
        process.stderr.write(`${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(EXIT.failure);
      },
    );
}
