// Edits of a lock file as the editor makes them: the whole new text (lock/lockFile.ts serialiseLock, the bytes the
// CLI writes) replacing the file's full range, or the file created with it. One WorkspaceEdit, undoable like any.
import type { WorkspaceEdit } from 'vscode-languageserver';
import { serialiseLock, type Lock, type LockEntry } from '../lock/lockFile';
import type { ImageFacts } from './facts';

/** A lock file as the edit builders see it. */
export interface LockFileView {
  /** The file's URI. */
  uri: string;
  /** As messages name it (`digest-pin.lock`, `services/digest-pin.lock`). */
  display: string;
  lock: Lock;
  /** Its text as read; null when the file does not exist yet (the edit creates it). */
  text: string | null;
}

/** The lock with entries added or replaced (a new Map: the given lock is not touched). */
export function withEntries(lock: Lock, entries: Iterable<[string, LockEntry]>): Lock {
  const images = new Map(lock.images);
  for (const [key, entry] of entries) images.set(key, entry);
  return { images };
}

/** The end of a text as an LSP position (lines split on \n, \r\n and \r as LSP does). */
export function endOf(text: string): { line: number; character: number } {
  const lines = text.split(/\r\n|\r|\n/);
  return { line: lines.length - 1, character: lines[lines.length - 1]!.length };
}

/** The edit that makes the lock file hold `lock`: its full range replaced, or the file created. Null: no change. */
export function lockFileEdit(file: LockFileView, lock: Lock): WorkspaceEdit | null {
  const newText = serialiseLock(lock);
  if (file.text === newText) return null;
  const start = { line: 0, character: 0 };
  if (file.text === null)
    return {
      documentChanges: [
        { kind: 'create', uri: file.uri, options: { ignoreIfExists: true } },
        { textDocument: { uri: file.uri, version: null }, edits: [{ range: { start, end: start }, newText }] },
      ],
    };
  return {
    documentChanges: [
      { textDocument: { uri: file.uri, version: null }, edits: [{ range: { start, end: endOf(file.text) }, newText }] },
    ],
  };
}

/** The entry a lock records for a tag's answer: its digest, and the image's build time when the registry said. */
export function lockEntryOf(digest: string, facts: ImageFacts | undefined): LockEntry {
  const online = facts?.online;
  const described = facts?.currentDescription;
  const platformImage = online?.kind === 'tag' && online.platform !== undefined;
  const created =
    !platformImage && described?.ok && described.value.digest === digest ? described.value.created : undefined;
  return created === undefined ? { digest } : { digest, created };
}
