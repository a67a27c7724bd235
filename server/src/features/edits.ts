// The one place that turns a reference + digest into a minimal TextEdit, and applies edits to text.
// An edit never re-serialises a document: it inserts or replaces only the digest characters.
import { isValidDigest } from '../references/imageRef';
import { LineIndex } from '../references/positions';
import { referenceText } from '../references/reference';
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
 * A Dev Container Feature with a tag, pinned: a feature id takes a tag or a digest, never both (the devcontainers CLI,
 * containerCollectionsOCI.ts getRef, cuts `name:tag@sha256:…` at the `@` and refuses `name:tag` as a repository
 * path). So `name:tag` becomes `name@digest`, and the tag stays for readers in a block comment right after the key's
 * closing quote: `"name@sha256:…" /* tag *\/`. JSONC allows a comment between any two tokens, so this is safe wherever
 * the key stands (options over several lines, other comments on the line), and it is one edit made from the reference
 * alone: the extractor reports a feature only inside closed quotes, written as its value.
 */
const movesTag = (ref: ImageReference): ref is ImageReference & { tag: string } =>
  ref.context === 'feature' && ref.digest === null && ref.tag !== null;

/**
 * Pin `ref` to `digest`: insert `@digest` after the tag of an unpinned reference, or replace the digest of a pinned one
 * (refresh). The tag stays; a digest-only reference stays digest-only. A devcontainer Feature's tag moves into a
 * comment instead (`movesTag`), and a Feature takes only sha256 digests.
 */
export function pinEdit(ref: ImageReference, digest: string): EditResult {
  if (ref.status === 'variable') return { ok: false, reason: 'variable' };
  if (ref.status === 'invalid') return { ok: false, reason: 'invalid' };
  if (!isValidDigest(digest)) return { ok: false, reason: 'bad-digest' };
  if (ref.digestSlot !== undefined) return slotEdit(ref, ref.digestSlot, digest);
  if (ref.context === 'feature' && !digest.startsWith('sha256:')) return { ok: false, reason: 'bad-digest' };
  if (ref.range.start.line !== ref.range.end.line) return { ok: false, reason: 'multi-line' };
  if (movesTag(ref)) {
    const range = { start: at(ref.range.end, -ref.tag.length - 1), end: at(ref.range.end, 1) };
    return { ok: true, edit: { range, newText: `@${digest}" /* ${ref.tag} */` } };
  }
  if (ref.digest === null) {
    return { ok: true, edit: { range: { start: ref.range.end, end: ref.range.end }, newText: `@${digest}` } };
  }
  if (ref.digest === digest) return { ok: false, reason: 'unchanged' };
  // Exactly the old digest's characters: in `x:"1.0@sha256:…"` the closing quote after it stays.
  const digestStart = ref.text.lastIndexOf(ref.digest);
  if (digestStart < 0) return { ok: false, reason: 'invalid' }; // written apart (quotes or escapes inside it)
  return {
    ok: true,
    edit: {
      range: { start: at(ref.range.start, digestStart), end: at(ref.range.start, digestStart + ref.digest.length) },
      newText: digest,
    },
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
 * Move `ref` to another tag of its repository and pin it there (`pin --upgrade`, the "Update to" quick fix): the tag's
 * characters become `tag`, and the digest is written as pinEdit writes it (`tag@digest`, or a split reference's
 * digest field). Refused — never a guess — where the tag is not written as it reads: a Dev Container Feature (tag or
 * digest, not both), a reference over several lines, a split reference without a literal tag (Chart.yaml's
 * appVersion) or whose digest has no place, quotes or escapes inside the reference.
 */
export function upgradeEdits(
  ref: ImageReference,
  tag: string,
  digest: string,
): { ok: true; edits: TextEdit[] } | { ok: false; reason: EditRefusal; detail?: string } {
  if (ref.status === 'variable') return { ok: false, reason: 'variable' };
  if (ref.status === 'invalid' || ref.tag === null || !VALID_TAG.test(tag)) return { ok: false, reason: 'invalid' };
  if (!isValidDigest(digest)) return { ok: false, reason: 'bad-digest' };
  if (ref.context === 'feature')
    return { ok: false, reason: 'no-slot', detail: 'a Dev Container Feature takes a tag or a digest, not both' };
  const written = ref.parts === undefined ? { text: ref.text, range: ref.range } : ref.parts.tag;
  // A split reference's tag from elsewhere (Chart.yaml's appVersion behind `tag: ""`) cannot be changed here.
  if (written === undefined || written.text === '')
    return { ok: false, reason: 'no-slot', detail: `the tag of ${referenceText(ref)} is not written in this file` };
  if (written.range.start.line !== written.range.end.line) return { ok: false, reason: 'multi-line' };
  // The tag (and a digest written after it in the same text) must end the written characters, exactly.
  const after = ref.digest !== null && ref.digestSlot === undefined ? `@${ref.digest}` : '';
  const tail = `${ref.tag}${after}`;
  const exact = ref.parts === undefined ? written.text.endsWith(`:${tail}`) : written.text === tail;
  if (!exact) return { ok: false, reason: 'invalid' }; // written apart: quotes or escapes inside it
  const end = written.range.end;
  const tagRange = { start: at(end, -(ref.tag.length + after.length)), end };
  if (ref.digestSlot === undefined) return { ok: true, edits: [{ range: tagRange, newText: `${tag}@${digest}` }] };
  const tagEdit = { range: tagRange, newText: tag };
  const pinned = slotEdit(ref, ref.digestSlot, digest);
  if (!pinned.ok) return pinned.reason === 'unchanged' ? { ok: true, edits: [tagEdit] } : pinned;
  return { ok: true, edits: [tagEdit, pinned.edit] };
}

const VALID_TAG = /^[\w][\w.-]{0,127}$/;

/** The reference as it reads once pinned to `digest` (`name:tag@digest`; a Feature's `name@digest`). */
export function pinnedText(ref: ImageReference, digest: string): string {
  if (movesTag(ref)) return `${ref.text.slice(0, ref.text.length - ref.tag.length - 1)}@${digest}`;
  const text = referenceText(ref);
  return `${ref.digest === null ? text : text.slice(0, text.lastIndexOf('@'))}@${digest}`;
}

/** The tag a pin moves out of the reference into a comment (a devcontainer Feature's), or null: the tag stays. */
export function tagMovedByPin(ref: ImageReference): string | null {
  return movesTag(ref) ? ref.tag : null;
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
