// The one place that turns a reference + digest into a minimal TextEdit, and applies edits to text.
// An edit never re-serialises a document: it inserts or replaces only the digest characters.
import { isValidDigest } from '../references/imageRef';
import { LineIndex } from '../references/positions';
import type { DigestSlot, ImageReference, Position, Range } from '../references/types';

export interface TextEdit {
  range: Range;
  newText: string;
}

export type EditRefusal =
  | 'variable' // composed of variables: its value is only known at build time
  | 'invalid' // not a valid reference
  | 'bad-digest' // the digest to write is not a valid digest
  | 'multi-line' // a reference split over lines: no single-range edit is safe
  | 'no-slot' // a split reference whose digest has no place in this file (detail says why)
  | 'unchanged'; // already pinned to this digest

export type EditResult = { ok: true; edit: TextEdit } | { ok: false; reason: EditRefusal; detail?: string };

const at = (position: Position, delta: number): Position => ({
  line: position.line,
  character: position.character + delta,
});

/**
 * Pin `ref` to `digest`: insert `@digest` after the tag of an unpinned reference, or replace the digest of a pinned one
 * (refresh). The tag stays; a digest-only reference stays digest-only.
 */
export function pinEdit(ref: ImageReference, digest: string): EditResult {
  if (ref.status === 'variable') return { ok: false, reason: 'variable' };
  if (ref.status === 'invalid') return { ok: false, reason: 'invalid' };
  if (!isValidDigest(digest)) return { ok: false, reason: 'bad-digest' };
  if (ref.digestSlot !== undefined) return slotEdit(ref, ref.digestSlot, digest);
  if (ref.range.start.line !== ref.range.end.line) return { ok: false, reason: 'multi-line' };
  if (ref.digest === null) {
    return { ok: true, edit: { range: { start: ref.range.end, end: ref.range.end }, newText: `@${digest}` } };
  }
  if (ref.digest === digest) return { ok: false, reason: 'unchanged' };
  const digestStart = ref.text.lastIndexOf('@') + 1;
  return {
    ok: true,
    edit: { range: { start: at(ref.range.start, digestStart), end: ref.range.end }, newText: digest },
  };
}

/** A split reference's digest: into its digest field, as a new `digest:` key, or nowhere in this file. */
function slotEdit(ref: ImageReference, slot: DigestSlot, digest: string): EditResult {
  if (ref.digest === digest) return { ok: false, reason: 'unchanged' };
  switch (slot.kind) {
    case 'none':
      return { ok: false, reason: 'no-slot', detail: slot.reason };
    case 'field':
      if (slot.range.start.line !== slot.range.end.line) return { ok: false, reason: 'multi-line' };
      return { ok: true, edit: { range: slot.range, newText: digest } };
    case 'new-key':
      return {
        ok: true,
        edit: { range: { start: slot.at, end: slot.at }, newText: slot.prefix + digest + slot.suffix },
      };
  }
}

/**
 * Applies edits to text (positions as LSP counts them in that text). Overlapping edits are refused as a whole:
 * applying some of them could corrupt the document.
 */
export function applyEdits(
  text: string,
  edits: readonly TextEdit[],
): { ok: true; text: string } | { ok: false; reason: 'overlap' } {
  if (edits.length === 0) return { ok: true, text };
  const index = new LineIndex(text);
  const spans = edits
    .map((edit) => ({
      start: index.offsetAt(edit.range.start),
      end: index.offsetAt(edit.range.end),
      newText: edit.newText,
    }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    if (span.start < cursor) return { ok: false, reason: 'overlap' };
    out += text.slice(cursor, span.start) + span.newText;
    cursor = span.end;
  }
  return { ok: true, text: out + text.slice(cursor) };
}
