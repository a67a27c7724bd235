// Which lock applies to a file: the nearest `digest-pin.lock` in the file's directory or above it, stopping at the
// repository root (a directory holding `.git`, file or folder: worktrees and submodules have a `.git` file). Pure over
// an `exists(path)` callback: the CLI passes the file system's, tests a set of paths.
import { dirname, join } from 'node:path';
import { LOCK_FILE_NAME } from './lockFile';

export type Exists = (path: string) => boolean;

/** The lock that applies to files in `dir` (absolute), or null when there is none up to the repository root. */
export function findLock(dir: string, exists: Exists): string | null {
  return lockFinder(exists)(dir);
}

/** findLock with an answer per directory remembered: a walk asks about the same directories again and again. */
export function lockFinder(exists: Exists): (dir: string) => string | null {
  const known = new Map<string, string | null>();
  const find = (dir: string): string | null => {
    const seen = known.get(dir);
    if (seen !== undefined) return seen;
    let found: string | null;
    if (exists(join(dir, LOCK_FILE_NAME))) found = join(dir, LOCK_FILE_NAME);
    else if (exists(join(dir, '.git')) || dirname(dir) === dir) found = null;
    else found = find(dirname(dir));
    known.set(dir, found);
    return found;
  };
  return find;
}

/**
 * Whether a lock's entries that no reference uses any more may be removed: only when the lock's own directory (or a
 * directory above it) was walked, so every file it covers was read. `scanned` are the directories given as PATHs.
 */
export function mayPrune(lockPath: string, scanned: readonly string[], separator = '/'): boolean {
  const dir = dirname(lockPath);
  return scanned.some((root) => dir === root || dir.startsWith(root.endsWith(separator) ? root : root + separator));
}
