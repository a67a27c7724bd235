// The workspace's pins (`name:tag@digest` written in files), for `inconsistent-pin`: what an open document's pins are
// compared with. Filled by a walk of the workspace folders in the background when the server starts (trusted
// workspaces only, as "Pin all" reads the workspace only then), and kept current from the open documents' reads
// (an open document is what its editor shows, not what is on disk) and watched-file events. Only pins are kept: a few
// hundred bytes per pin, nothing per file without one.
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { consistencyKey } from '../features/consistency';
import { kindFromName } from '../references/fileKind';
import { findReferences, MAX_FILE_BYTES } from '../references/index';
import { neighboursOf } from '../references/neighbours';
import type { ImageReference } from '../references/types';
import type { Logger } from '../registry/index';
import { pathOf, readFromDisk } from './documents';

/** One pin of the workspace. */
export interface IndexedPin {
  uri: string;
  /** As messages name it: relative to its workspace folder. */
  file: string;
  ref: ImageReference;
  /** consistencyKey(ref): the normalised `name:tag`. */
  key: string;
}

/** Never descended into (the CLI's walk and the client's file search skip the same). */
const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set(['.git', 'node_modules']);
/** Files read by the walk at most (the client's "Pin all" reads at most as many). */
export const MAX_WALKED_FILES = 20_000;
/** What every pin holds somewhere (a `name@sha256:…` or a split reference's digest field), in any algorithm. */
const MAY_HOLD_DIGEST = /[a-z0-9]:[0-9a-fA-F]{32}/;
/** The walk yields to other work (requests, diagnostics) after this long of reading. */
const SLICE_MS = 8;

export interface WalkStats {
  files: number;
  pins: number;
  ms: number;
  /** More candidate files than MAX_WALKED_FILES: the rest were not read. */
  truncated: boolean;
}

export interface WorkspacePinsOptions {
  logger: Logger;
  /** The places of these keys changed (a file read, changed, deleted, an open document edited). */
  changed(keys: ReadonlySet<string>): void;
  maxFiles?: number;
  /** Monotonic clock for the walk's time slices (tests). */
  clock?: () => number;
}

const signature = (pins: readonly IndexedPin[]): string =>
  pins.map((p) => `${p.key}@${p.ref.digest} ${p.ref.range.start.line}:${p.ref.range.start.character}`).join('\n');

export class WorkspacePins {
  private readonly byUri = new Map<string, IndexedPin[]>();
  /** key → uri → that file's pins of the key. */
  private readonly byKey = new Map<string, Map<string, IndexedPin[]>>();
  /** Documents open in the editor: their pins come from their reads, never from disk. */
  private readonly open = new Set<string>();
  private folders: string[] = [];
  private walk: { controller: AbortController; done: Promise<WalkStats | null> } | null = null;
  private readonly clock: () => number;

  constructor(private readonly options: WorkspacePinsOptions) {
    this.clock = options.clock ?? (() => performance.now());
  }

  /** The workspace folders (absolute paths): walked by start(), and file names are shown relative to them. */
  setFolders(folders: readonly string[]): void {
    this.folders = [...folders];
  }

  /** Every pin of a `name:tag` across the workspace, open documents included (but the file `except`). */
  placesOf(key: string, except?: string): IndexedPin[] {
    const files = this.byKey.get(key);
    if (files === undefined) return [];
    const out: IndexedPin[] = [];
    for (const [uri, pins] of files) if (uri !== except) out.push(...pins);
    return out;
  }

  /** As messages name a document: relative to its workspace folder, else its path. */
  display(uri: string): string {
    const path = pathOf(uri);
    const folder = this.folders
      .filter((f) => path.startsWith(f.endsWith('/') ? f : `${f}/`))
      .sort((a, b) => b.length - a.length)[0];
    return folder === undefined ? path : relative(folder, path).split(sep).join('/');
  }

  /** An open document was read: its pins replace what the disk said. */
  fromDocument(uri: string, references: readonly ImageReference[]): void {
    this.open.add(uri);
    this.set(uri, references);
  }

  /** A document was closed: what is on disk counts again (its unsaved edits are gone). */
  async closed(uri: string): Promise<void> {
    this.open.delete(uri);
    if (this.walk === null) this.set(uri, []);
    else await this.readFile(uri);
  }

  /** A watched file was created, changed or deleted (ignored while it is open, and before the walk started). */
  async fileChanged(uri: string, deleted: boolean): Promise<void> {
    if (this.walk === null || this.open.has(uri) || !uri.startsWith('file:')) return;
    const path = pathOf(uri);
    if (path.split('/').some((part) => SKIPPED_DIRECTORIES.has(part)) || kindFromName(path) === null) return;
    if (deleted) this.set(uri, []);
    else await this.readFile(uri);
  }

  /** Walks the workspace folders in the background (again, when called again); resolves with what it read. */
  start(): Promise<WalkStats | null> {
    this.stop();
    const controller = new AbortController();
    const done = this.walkFolders(controller.signal).catch((error: unknown) => {
      this.options.logger.warn(`reading the workspace's pins failed: ${String(error)}`);
      return null;
    });
    this.walk = { controller, done };
    return done;
  }

  /** Stops a walk and forgets every file that is not open (the workspace is no longer trusted). */
  stop(): void {
    this.walk?.controller.abort();
    this.walk = null;
    for (const uri of [...this.byUri.keys()]) if (!this.open.has(uri)) this.set(uri, []);
  }

  /** The running walk (tests, the benchmark). */
  get walked(): Promise<WalkStats | null> {
    return this.walk?.done ?? Promise.resolve(null);
  }

  private async walkFolders(signal: AbortSignal): Promise<WalkStats> {
    const start = this.clock();
    const stats: WalkStats = { files: 0, pins: 0, ms: 0, truncated: false };
    const max = this.options.maxFiles ?? MAX_WALKED_FILES;
    let slice = this.clock();
    const visit = async (dir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return; // unreadable: the walk goes on without it
      }
      for (const entry of entries) {
        if (signal.aborted || stats.truncated) return;
        const path = join(dir, entry.name);
        // Symlinked directories are not followed (no loops, no walking out of the tree), as the CLI's walk.
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRECTORIES.has(entry.name)) await visit(path);
          continue;
        }
        if (!(entry.isFile() || entry.isSymbolicLink()) || kindFromName(path) === null) continue;
        if (stats.files >= max) {
          stats.truncated = true;
          return;
        }
        stats.files++;
        const uri = pathToFileURL(path).href;
        if (!this.open.has(uri)) stats.pins += await this.readFile(uri, signal);
        if (this.clock() - slice > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = this.clock();
        }
      }
    };
    for (const folder of this.folders) if (!signal.aborted) await visit(folder);
    stats.ms = this.clock() - start;
    if (stats.truncated)
      this.options.logger.warn(
        `the workspace has more than ${max} candidate files; pins in the others are not compared (inconsistent-pin)`,
      );
    return stats;
  }

  /** Reads a file from disk into the index; the number of pins it has. */
  private async readFile(uri: string, signal?: AbortSignal): Promise<number> {
    const path = pathOf(uri);
    let text: string;
    try {
      const info = await stat(path);
      if (!info.isFile() || info.size > MAX_FILE_BYTES) return this.set(uri, []);
      text = await readFile(path, 'utf8');
    } catch {
      return this.set(uri, []); // gone or unreadable: no pins there
    }
    // Opened (or the walk stopped) while it was read: the document's own read counts.
    if (this.open.has(uri) || signal?.aborted) return 0;
    // No digest, no pin: most files are never parsed (the walk's time is the parsing).
    if (!MAY_HOLD_DIGEST.test(text)) return this.set(uri, []);
    try {
      const found = findReferences(path, text, { neighbours: neighboursOf(path, readFromDisk) });
      return this.set(uri, found.references);
    } catch (error) {
      this.options.logger.warn(`reading ${path} for pins failed: ${String(error)}`);
      return this.set(uri, []);
    }
  }

  /** Replaces a file's pins; tells which keys changed. Returns how many pins it has. */
  private set(uri: string, references: readonly ImageReference[]): number {
    const file = this.display(uri);
    const pins = references.flatMap((ref): IndexedPin[] => {
      const key = consistencyKey(ref);
      return key === null ? [] : [{ uri, file, ref, key }];
    });
    const before = this.byUri.get(uri) ?? [];
    if (signature(before) === signature(pins)) {
      // The same pins (an edit elsewhere in the file): the new reference objects, nobody told.
      if (pins.length > 0) this.replace(uri, before, pins);
      return pins.length;
    }
    const keys = this.replace(uri, before, pins);
    if (keys.size > 0) this.options.changed(keys);
    return pins.length;
  }

  /** Puts a file's pins in place of its old ones in both maps; the keys either had. */
  private replace(uri: string, before: readonly IndexedPin[], pins: IndexedPin[]): Set<string> {
    const keys = new Set([...before, ...pins].map((p) => p.key));
    for (const key of keys) this.byKey.get(key)?.delete(uri);
    if (pins.length === 0) this.byUri.delete(uri);
    else this.byUri.set(uri, pins);
    for (const pin of pins) {
      let files = this.byKey.get(pin.key);
      if (files === undefined) this.byKey.set(pin.key, (files = new Map()));
      const list = files.get(uri);
      if (list === undefined) files.set(uri, [pin]);
      else list.push(pin);
    }
    for (const key of keys) if (this.byKey.get(key)?.size === 0) this.byKey.delete(key);
    return keys;
  }
}
