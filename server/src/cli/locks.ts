// The lock files of a run, read from disk: which one applies to each file (lock/discover.ts over the file system's
// `exists`), each read and parsed once. A lock that cannot be read or parsed is a failure of the run, named with
// the kind of problem; the files it covers are then treated as having no lock (check) or left out (lock, render).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { lockFinder } from '../lock/discover';
import { emptyLock, LOCK_FILE_NAME, parseLock, type Lock } from '../lock/lockFile';
import { lockedView, lockState, type LockState } from '../lock/state';
import type { ImageReference } from '../references/types';
import type { ReadResult } from './check';
import { couldNotRead, displayPath, type WalkedFile, type WalkProblem } from './walk';

export interface LoadedLock {
  /** Absolute. */
  path: string;
  /** As outputs show it: relative to the working directory, `/`-separated. */
  display: string;
  lock: Lock;
  /** The bytes it had; null when it does not exist yet (lock creates it). */
  bytes: Buffer | null;
}

export interface LockChoice {
  lockFile: string | null;
  noLock: boolean;
}

export interface LoadedLocks {
  /** The lock of each file (by absolute path); absent: none applies, or it is broken. */
  byFile: Map<string, LoadedLock>;
  /** Every lock that applies to some file, by absolute path. */
  locks: Map<string, LoadedLock>;
  /** Locks that could not be read or are broken. */
  failures: WalkProblem[];
}

export interface LoadOptions {
  cwd: string;
  /** `lock`: a lock that does not exist yet is created (`--lock FILE`, else `digest-pin.lock` in the working directory). */
  create: boolean;
  exists?: (path: string) => boolean;
}

/** Reads the locks that apply to `files`. `--lock FILE` that does not exist is a failure unless `create`. */
export function loadLocks(files: readonly WalkedFile[], choice: LockChoice, options: LoadOptions): LoadedLocks {
  const result: LoadedLocks = { byFile: new Map(), locks: new Map(), failures: [] };
  if (choice.noLock) return result;
  const exists = options.exists ?? existsSync;
  const find = lockFinder(exists);
  const named = choice.lockFile === null ? null : resolve(options.cwd, choice.lockFile);
  const fallback = options.create ? resolve(options.cwd, LOCK_FILE_NAME) : null;
  const broken = new Set<string>();
  for (const file of files) {
    const path = named ?? find(dirname(file.path)) ?? fallback;
    if (path === null || broken.has(path)) continue;
    let loaded = result.locks.get(path);
    if (loaded === undefined) {
      const read = readLock(path, options.cwd, options.create);
      if (!read.ok) {
        broken.add(path);
        result.failures.push({ file: displayPath(options.cwd, path), message: read.message });
        continue;
      }
      loaded = read.lock;
      result.locks.set(path, loaded);
    }
    result.byFile.set(file.path, loaded);
  }
  return result;
}

type ReadLock = { ok: true; lock: LoadedLock } | { ok: false; message: string };

function readLock(path: string, cwd: string, create: boolean): ReadLock {
  const display = displayPath(cwd, path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && create) return { ok: true, lock: { path, display, lock: emptyLock(), bytes: null } };
    return { ok: false, message: couldNotRead(error).replace(/^could not read/, 'could not read the lock file') };
  }
  const parsed = parseLock(bytes.toString('utf8'));
  if (!parsed.ok) return { ok: false, message: `broken lock file (${parsed.error.kind}): ${parsed.error.message}` };
  return { ok: true, lock: { path, display, lock: parsed.lock, bytes } };
}

export interface CheckLocks {
  /** What the applicable lock says about each reference it concerns. */
  states: Map<ImageReference, LockState>;
  /** Locked references as the pins of their locked digests: what the registry is asked about. */
  views: Map<ImageReference, ImageReference>;
  failures: WalkProblem[];
}

/** The lock states of a read's references (`check`, `render`). */
export function checkLocks(
  read: ReadResult,
  args: LockChoice & { platform: string | null },
  cwd: string,
  exists?: (path: string) => boolean,
): CheckLocks {
  const loaded = loadLocks(
    read.files.map((file) => file.walked),
    args,
    { cwd, create: false, ...(exists === undefined ? {} : { exists }) },
  );
  const result: CheckLocks = { states: new Map(), views: new Map(), failures: loaded.failures };
  for (const file of read.files) {
    const lock = loaded.byFile.get(file.walked.path);
    if (lock === undefined) continue;
    for (const ref of file.references) {
      const state = lockState(ref, lock.lock, lock.display, args.platform);
      if (state === null) continue;
      result.states.set(ref, state);
      if (state.kind === 'locked') result.views.set(ref, lockedView(ref, state.digest));
    }
  }
  return result;
}
