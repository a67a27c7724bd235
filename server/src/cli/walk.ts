// PATH arguments → the files to check, in a deterministic order.
// Directories are walked for the names the engine knows; a file named on the command line is always read
// (its kind then comes from its content when the name says nothing).
import { readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { kindFromName } from '../references/fileKind';

export interface WalkedFile {
  /** Absolute path, for reading and for kind detection (`.github/workflows/` is part of the path). */
  path: string;
  /** Relative to the working directory, `/`-separated: what every output shows. */
  file: string;
  /** Size in bytes, from the walk's stat. */
  size: number;
}

export interface WalkProblem {
  file: string;
  message: string;
}

export interface WalkResult {
  files: WalkedFile[];
  /** PATH arguments that do not exist: a usage error. */
  missing: string[];
  /** Directories or entries that could not be read; the walk went on without them. */
  problems: WalkProblem[];
}

/** Never descended into: version-control internals and installed dependencies are not the user's files. */
export const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['.git', 'node_modules']);

export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

export function collectFiles(paths: readonly string[], cwd: string): WalkResult {
  const found = new Map<string, WalkedFile>();
  const missing: string[] = [];
  const problems: WalkProblem[] = [];

  const add = (path: string, stats: Stats): void => {
    if (!found.has(path)) found.set(path, { path, file: displayPath(cwd, path), size: stats.size });
  };

  const walk = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      problems.push({ file: displayPath(cwd, dir), message: `could not read directory: ${reason(error)}` });
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      // Symlinked directories are not followed (no loops, no walking out of the tree); symlinked files are read.
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(path);
        continue;
      }
      if (!(entry.isFile() || entry.isSymbolicLink()) || kindFromName(path) === null) continue;
      try {
        const stats = statSync(path);
        if (stats.isFile()) add(path, stats);
      } catch (error) {
        problems.push({ file: displayPath(cwd, path), message: couldNotRead(error) });
      }
    }
  };

  for (const argument of paths) {
    const path = resolve(cwd, argument);
    let stats: Stats;
    try {
      stats = statSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') missing.push(argument);
      else problems.push({ file: displayPath(cwd, path), message: couldNotRead(error) });
      continue;
    }
    if (stats.isDirectory()) walk(path);
    else if (stats.isFile()) add(path, stats);
    else problems.push({ file: displayPath(cwd, path), message: 'not a regular file or directory' });
  }

  const files = [...found.values()].sort((a, b) => byCodeUnits(a.file, b.file));
  return { files, missing, problems };
}

/** Code-unit order: the same on every machine and locale. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether an exception is the operating system refusing a file operation (it has a syscall), not a bug. */
export function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

export const couldNotRead = (error: unknown): string => `could not read: ${reason(error)}`;

/** The usual system errors in the words `ls` uses; anything else keeps node's message. */
const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or directory',
  ELOOP: 'too many levels of symbolic links',
  EISDIR: 'is a directory',
};

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return (code === undefined ? undefined : SYSTEM_ERRORS[code]) ?? error.message;
}
