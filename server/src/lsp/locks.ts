// The lock files of the open documents, read from disk: which `digest-pin.lock` applies to a document (the nearest
// one up to the repository root: lock/discover.ts over the file system's `exists`), each read and parsed once until
// a lock file changes (workspace/didChangeWatchedFiles: an edit saved, a git checkout). lock/ decides, this reads.
import { existsSync } from 'node:fs';
import { basename, dirname, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { lockFinder } from '../lock/discover';
import { LOCK_FILE_NAME, parseLock, type Lock } from '../lock/lockFile';
import { lockedView, lockState, type LockState } from '../lock/state';
import type { Logger } from '../registry/index';
import type { ImageReference } from '../references/types';
import { pathOf, readFromDisk } from './documents';

/** The lock that applies to a document, with the lock states of its references (memoised per reference). */
export class DocumentLock {
  private readonly states = new Map<string, WeakMap<ImageReference, LockState | null>>();
  private readonly views = new Map<string, WeakMap<ImageReference, ImageReference>>();

  constructor(
    /** Absolute path. */
    readonly path: string,
    readonly uri: string,
    /** As messages and hovers name it: relative to the workspace folder that holds it, else its file name. */
    readonly display: string,
    readonly lock: Lock,
    /** The file's text as read (its full range is replaced by an edit of the lock). */
    readonly text: string,
    /** Changes whenever any lock is read again: part of what a document's diagnostics depend on. */
    readonly generation: number,
  ) {}

  /** What the lock says about a reference (null: it does not concern the reference). */
  state(ref: ImageReference, platform: string | null): LockState | null {
    const memo = memoOf(this.states, platform);
    let state = memo.get(ref);
    if (state === undefined) memo.set(ref, (state = lockState(ref, this.lock, this.display, platform)));
    return state;
  }

  /** What the registry is asked about for the reference: a locked one as the pin of its locked digest. */
  view(ref: ImageReference, platform: string | null): ImageReference {
    const state = this.state(ref, platform);
    if (state?.kind !== 'locked') return ref;
    const memo = memoOf(this.views, platform);
    let view = memo.get(ref);
    if (view === undefined) memo.set(ref, (view = lockedView(ref, state.digest)));
    return view;
  }
}

function memoOf<T>(
  memos: Map<string, WeakMap<ImageReference, T>>,
  platform: string | null,
): WeakMap<ImageReference, T> {
  const slot = platform ?? '';
  let memo = memos.get(slot);
  if (memo === undefined) memos.set(slot, (memo = new WeakMap()));
  return memo;
}

export interface LockReader {
  exists(path: string): boolean;
  /** The file's text, or null when it cannot be read. */
  read(path: string): string | null;
}

const diskReader: LockReader = { exists: existsSync, read: readFromDisk };

/** The locks of the workspace as read from disk; forgotten (and read again when asked) when a lock file changes. */
export class LockStore {
  private find = lockFinder(diskReader.exists);
  private readonly loaded = new Map<string, DocumentLock | null>();
  private generation = 0;
  private folders: string[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly reader: LockReader = diskReader,
  ) {
    this.find = lockFinder((path) => this.reader.exists(path));
  }

  /** The workspace folders (absolute paths): lock names are shown relative to them. */
  setFolders(folders: readonly string[]): void {
    this.folders = [...folders];
  }

  /** The lock that applies to a document (file: documents only); null when none does, or it is broken. */
  forDocument(uri: string): DocumentLock | null {
    const path = this.pathOf(uri);
    return path === null ? null : this.forPath(path);
  }

  /** The path of the lock file that applies to a document (null: none, or not a file: document). */
  pathOf(uri: string): string | null {
    if (!uri.startsWith('file:')) return null;
    return this.find(dirname(pathOf(uri)));
  }

  /** The lock at `path`, read once; null when it cannot be read or is broken (logged). */
  forPath(path: string): DocumentLock | null {
    let loaded = this.loaded.get(path);
    if (loaded === undefined) this.loaded.set(path, (loaded = this.load(path)));
    return loaded;
  }

  /** Whether a file exists (a lock that does not apply to a document may still be in the way of creating one). */
  exists(path: string): boolean {
    return this.reader.exists(path);
  }

  /** Where a lock is created for a document no lock applies to: at the root of its workspace folder (null: none). */
  newLockPath(uri: string): string | null {
    const path = pathOf(uri);
    const folder = this.folderOf(path);
    return folder === undefined ? null : `${folder.endsWith('/') ? folder : `${folder}/`}${LOCK_FILE_NAME}`;
  }

  private folderOf(path: string): string | undefined {
    return this.folders
      .filter((f) => path.startsWith(f.endsWith('/') ? f : `${f}/`))
      .sort((a, b) => b.length - a.length)[0];
  }

  /** A lock file was created, changed or deleted: every lock is found and read again. */
  changed(): void {
    this.generation++;
    this.find = lockFinder((path) => this.reader.exists(path));
    this.loaded.clear();
  }

  /** The name of a lock as messages show it. */
  display(path: string): string {
    const folder = this.folderOf(path);
    return folder === undefined ? basename(path) : relative(folder, path).split('\\').join('/');
  }

  private load(path: string): DocumentLock | null {
    const text = this.reader.read(path);
    if (text === null) {
      this.logger.warn(`could not read the lock file ${path}`);
      return null;
    }
    const parsed = parseLock(text);
    if (!parsed.ok) {
      this.logger.warn(`broken lock file ${path} (${parsed.error.kind}): ${parsed.error.message}`);
      return null;
    }
    return new DocumentLock(path, pathToFileURL(path).href, this.display(path), parsed.lock, text, this.generation);
  }
}
