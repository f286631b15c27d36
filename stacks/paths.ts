/**
 * Paths a user names (the synth's output directory, a backup directory, a state or .env file): checked before
 * anything is written, and every failure told as one line naming the path and what is wrong with it, never as a
 * stack trace. Shared by the synth app (./synthesize.ts) and the scripts.
 *
 * Directories are created one level at a time: Node's `mkdirSync(…, { recursive: true })` never returns for a path
 * under /proc (it retries the ENOENT procfs answers forever; Node 20), and `local:backup --dir /proc/x` hung so.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe } from '../constructs';

/** A path that cannot serve as what it was named for: the CLIs exit 2 (usage) with its message. */
export class UnusablePath extends Error {
  override readonly name = 'UnusablePath';
}

const MEANINGS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EEXIST: 'already exists',
  EISDIR: 'is a directory',
  ENOTDIR: 'a file is in the way (a path component is not a directory)',
  ENOENT: 'does not exist or cannot be created there',
  EROFS: 'on a read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/** "permission denied (EACCES)" for an errno error; its message otherwise. */
export function errnoMeaning(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === undefined ? (e as Error).message : `${MEANINGS[code] ?? 'failed'} (${code})`;
}

/** Whether an error is a file-system one (has an errno code). */
export function isErrno(e: unknown): e is NodeJS.ErrnoException {
  // not `instanceof Error`: errors of Node's fs come from another realm under jest
  return typeof e === 'object' && e !== null && typeof (e as NodeJS.ErrnoException).code === 'string' && 'message' in e;
}

/** fs.statSync, undefined when nothing is there (ENOENT) or a file is in the way above it (ENOTDIR). */
export function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (e) {
    if (isErrno(e) && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return undefined;
    throw e;
  }
}

/**
 * Makes `dir` (and its missing parents) a directory, or throws UnusablePath naming `label` (the option or variable),
 * the path and the reason: a file in the way, a parent that cannot hold directories (/proc), no permission.
 * Returns the directories it created, outermost first (a caller that fails later removes them again).
 */
export function ensureDirectory(label: string, dir: string, mode = 0o777): string[] {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    const stat = statOrUndefined(at);
    if (stat) {
      if (!stat.isDirectory()) {
        throw new UnusablePath(
          at === target
            ? `${label} ${describe(dir)}: a file, not a directory`
            : `${label} ${describe(dir)}: ${describe(at)} is a file, not a directory`,
        );
      }
      break;
    }
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  const created: string[] = [];
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode });
      created.push(d);
    } catch (e) {
      if (isErrno(e) && e.code === 'EEXIST' && fs.statSync(d).isDirectory()) continue; // made meanwhile
      removeCreated(created);
      throw new UnusablePath(`${label} ${describe(dir)}: cannot create ${describe(d)}: ${errnoMeaning(e)}`);
    }
  }
  return created;
}

/** Removes directories ensureDirectory created (innermost first) if they are still empty. */
export function removeCreated(created: readonly string[]): void {
  for (const d of [...created].reverse()) {
    try {
      fs.rmdirSync(d);
    } catch {
      // not empty, or gone: leave it
    }
  }
}
