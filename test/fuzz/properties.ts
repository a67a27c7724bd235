// The properties every input must keep, each a function of the input that returns what it broke (empty: nothing):
// a reference's `text` is the file's characters at its `range` (and so are its parts'); the language server's
// incremental read equals a full read after every edit; a pin written by pinEdit and read again is pinned, pinning
// again changes nothing, and nothing outside the edit changes.
import { isDeepStrictEqual } from 'node:util';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { applyEdits, pinEdit, tagMovedByPin, type TextEdit } from '../../server/src/features/edits';
import { TrackedDocument } from '../../server/src/lsp/documents';
import { detectKind } from '../../server/src/references/fileKind';
import { IncrementalExtractor } from '../../server/src/references/incremental';
import { findReferences, type FindOptions } from '../../server/src/references/index';
import { BOM, stripBom } from '../../server/src/references/positions';
import type { ExtractResult, ImageReference, Position, Range } from '../../server/src/references/types';
import { quotedAcrossMarkerAt } from '../support/yamlQuirks';
import { TOKENS } from './mutate';
import type { Random } from './random';

export type Property = 'exception' | 'range' | 'incremental' | 'pin' | 'slow';

export interface Broken {
  property: Property;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Ranges

/** Offsets of positions, refusing what LSP clients would not accept: a line or character past the end of its line. */
class StrictLines {
  /** Start offset of each line, and the offset where its content ends (before its line break). */
  private readonly starts: number[] = [0];
  private readonly ends: number[] = [];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.ends.push(i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      this.starts.push(i + 1);
    }
    this.ends.push(text.length);
  }

  /** The line an offset is on. */
  lineOf(offset: number): number {
    let line = 0;
    while (line + 1 < this.starts.length && this.starts[line + 1]! <= offset) line++;
    return line;
  }

  offsetAt(position: Position): number | string {
    const { line, character } = position;
    if (!Number.isInteger(line) || !Number.isInteger(character) || line < 0 || character < 0)
      return `position ${JSON.stringify(position)} is not a position`;
    if (line >= this.starts.length) return `line ${line} is past the last line (${this.starts.length - 1})`;
    const start = this.starts[line]!;
    if (start + character > this.ends[line]!)
      return `character ${character} is past the end of line ${line} (${this.ends[line]! - start})`;
    return start + character;
  }

  slice(range: Range): string | { error: string } {
    const start = this.offsetAt(range.start);
    const end = this.offsetAt(range.end);
    if (typeof start === 'string') return { error: start };
    if (typeof end === 'string') return { error: end };
    if (end < start) return { error: `range ends before it starts: ${JSON.stringify(range)}` };
    return this.text.slice(start, end);
  }
}

const show = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);

/** Every reference's text is the characters at its range, its parts' too, and every position is in the file. */
export function checkRanges(text: string, result: ExtractResult): Broken[] {
  const lines = new StrictLines(stripBom(text).text);
  const broken: Broken[] = [];
  const expect = (what: string, range: Range, written: string): void => {
    const got = lines.slice(range);
    if (typeof got === 'string' && got === written) return;
    const message =
      typeof got === 'string'
        ? `${what}: text ${show(written)} but the file has ${show(got)} at ${JSON.stringify(range)}`
        : `${what} ${show(written)}: ${got.error}`;
    broken.push({ property: 'range', message });
  };
  for (const ref of result.references) {
    expect('reference', ref.range, ref.text);
    for (const [name, part] of Object.entries(ref.parts ?? {}))
      expect(`part ${name} of ${ref.text}`, part.range, part.text);
    const slot = ref.digestSlot;
    if (slot?.kind === 'field') expect(`digest field of ${ref.text}`, slot.range, digestFieldText(ref));
    if (slot?.kind === 'new-key') {
      const at = lines.offsetAt(slot.at);
      if (typeof at === 'string') broken.push({ property: 'range', message: `new digest key of ${ref.text}: ${at}` });
    }
    if ((ref.status === 'pinned') !== (ref.digest !== null && ref.name !== null))
      broken.push({
        property: 'range',
        message: `${show(ref.text)} has status ${ref.status} and digest ${ref.digest}`,
      });
  }
  for (const note of result.notes) {
    if (note.range === undefined) continue;
    const got = lines.slice(note.range);
    if (typeof got !== 'string')
      broken.push({ property: 'range', message: `note ${show(note.message)}: ${got.error}` });
  }
  return broken;
}

// ---------------------------------------------------------------------------------------------------------------
// The language server's incremental read

/** Notes are compared as a set: the order of notes from different documents is not part of the contract. */
function normalise(result: ExtractResult): unknown {
  return { ...result, notes: [...result.notes].map((note) => JSON.stringify(note)).sort() };
}

const LANGUAGES: Record<string, string> = {
  dockerfile: 'dockerfile',
  compose: 'dockercompose',
  'github-actions': 'github-actions-workflow',
  devcontainer: 'jsonc',
  quadlet: 'ini',
};

export interface Step {
  changes: TextDocumentContentChangeEvent[];
}

/** One edit as an editor sends it: a range of the text as it is after the edits before it, and its new text. */
function randomChange(text: string, rng: Random): TextDocumentContentChangeEvent {
  if (rng.chance(0.03)) return { text: text.slice(0, rng.int(text.length + 1)) + rng.pick(TOKENS) };
  const start = rng.int(text.length + 1);
  const end = Math.min(text.length, start + (rng.chance(0.5) ? 0 : rng.size(1, 60)));
  const roll = rng.next();
  let insert = '';
  if (roll < 0.45) insert = rng.pick(TOKENS);
  else if (roll < 0.6) insert = String.fromCharCode(32 + rng.int(95));
  else if (roll < 0.8) {
    const from = rng.int(text.length + 1);
    insert = text.slice(from, from + rng.size(1, 400)); // paste
  }
  return { range: { start: positionAt(text, start), end: positionAt(text, end) }, text: insert };
}

/** The LSP position of an offset (as TextDocument counts: \n, \r\n and \r end lines), without indexing the text. */
function positionAt(text: string, offset: number): Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) {
      if (i + 1 === offset) break; // between \r and \n: the end of the line, as TextDocument places it
      i++;
    } else if (c !== 10 && c !== 13) continue;
    line++;
    lineStart = i + 1;
  }
  return { line, character: Math.min(offset, text.length) - lineStart };
}

/** `steps` edits of 1–3 changes each; the edits are built on the text as it will be (the caller replays them). */
export function randomSteps(text: string, rng: Random, steps: number): Step[] {
  const out: Step[] = [];
  let current = TextDocument.create('fuzz:x', 'plaintext', 0, text);
  for (let i = 0; i < steps; i++) {
    const changes: TextDocumentContentChangeEvent[] = [];
    for (let c = 1 + rng.size(0, 2); c > 0; c--) {
      const change = randomChange(current.getText(), rng);
      changes.push(change);
      current = TextDocument.update(current, [change], current.version + 1);
    }
    out.push({ changes });
  }
  return out;
}

export interface IncrementalBroken extends Broken {
  /** The text before the step that diverged, and that step: a reproducer needs no more. */
  before: string;
  step: Step;
}

/**
 * Opens the text as the language server does (lsp/documents.ts TrackedDocument, whose extractor keeps its parts
 * between reads), applies each step's change events, and compares each read with findReferences on the whole text.
 */
export function checkIncremental(
  path: string,
  text: string,
  steps: readonly Step[],
  how: { languageId?: string | undefined; opened?: ExtractResult | undefined } = {},
): IncrementalBroken | null {
  const kind = detectKind(path, text, how.languageId);
  const tracked = new TrackedDocument(
    `fuzz:///w/${encodeURI(path)}`,
    how.languageId ?? LANGUAGES[kind ?? ''] ?? 'yaml',
    TextDocument.create(`fuzz:///w/${encodeURI(path)}`, 'plaintext', 1, text),
  );
  let before = text;
  const compare = (step: Step, whole?: ExtractResult): IncrementalBroken | null => {
    const current = tracked.document.getText();
    let got: ExtractResult;
    try {
      got = tracked.analyse().result;
    } catch (error) {
      return { property: 'exception', message: `incremental read threw: ${String(error)}`, before, step };
    }
    const docKind = detectKind(tracked.path, current, tracked.languageId);
    const options: FindOptions = { ...(docKind !== null ? { kind: docKind } : {}), neighbours: {} };
    let expected = normalise(whole ?? findReferences(tracked.path, current, options));
    if (isDeepStrictEqual(normalise(got), expected)) return null;
    // The yaml lexer's one departure from the grammar (test/support/yamlQuirks.ts): compare with a fresh read in parts.
    const quote = quotedAcrossMarkerAt(current);
    if (quote >= 0) {
      expected = normalise(new IncrementalExtractor().extract(tracked.path, current, options));
      if (isDeepStrictEqual(normalise(got), expected)) return null;
      // Where such a scalar ends (and whether the documents after it are read) then depends on where the parts were
      // cut, which depends on the edits before; what precedes the scalar must agree.
      const line = new StrictLines(stripBom(current).text).lineOf(quote - (current.startsWith(BOM) ? 1 : 0));
      if (isDeepStrictEqual(linesBefore(got, line), linesBefore(expected as ExtractResult, line))) {
        quirks.unclosedQuotes++;
        return null;
      }
    }
    return { property: 'incremental', message: describeDivergence(got, expected), before, step };
  };
  // The caller's full read of the text as opened is the expected result then (with no neighbours, as here).
  const first = compare({ changes: [] }, how.opened);
  if (first) return first;
  for (const step of steps) {
    before = tracked.document.getText();
    tracked.applyChanges(step.changes, tracked.version + 1);
    const broken = compare(step);
    if (broken) return broken;
  }
  return null;
}

/** Texts where only a quoted scalar left open across a document marker differed (see checkIncremental). */
export const quirks = { unclosedQuotes: 0 };

/** The kind and the references on lines before `line`: after a quoted scalar left open, the two reads may differ. */
const linesBefore = (result: ExtractResult, line: number): unknown => ({
  kind: result.kind,
  references: result.references.filter((ref) => ref.range.start.line < line),
});

function describeDivergence(got: ExtractResult, expectedNormalised: unknown): string {
  const expected = expectedNormalised as ExtractResult;
  if (got.kind !== expected.kind) return `kind ${got.kind}, a full read says ${expected.kind}`;
  const refs = expected.references;
  for (let i = 0; i < Math.max(got.references.length, refs.length); i++) {
    if (isDeepStrictEqual(got.references[i], refs[i])) continue;
    return `reference ${i}: ${JSON.stringify(got.references[i])}, a full read says ${JSON.stringify(refs[i])}`;
  }
  return `notes ${JSON.stringify(normalise(got))} differ from a full read's`;
}

// ---------------------------------------------------------------------------------------------------------------
// Pins

const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER = `sha256:${'e'.repeat(64)}`;

const pinnable = (ref: ImageReference): boolean => ref.status === 'unpinned' || ref.status === 'pinned';

export interface PinCounts {
  /** References pinned through pinEdit and read again. */
  pins: number;
}

/** The file read again after edits, the way `pin` writes it: edits on the text without BOM, the BOM kept. */
function edited(text: string, edits: readonly TextEdit[]): string | null {
  const { text: body, hadBom } = stripBom(text);
  const applied = applyEdits(body, edits);
  return applied.ok ? (hadBom ? BOM : '') + applied.text : null;
}

/**
 * The re-read without references a pin un-shadowed: of two equal keys only the last counts (devcontainer.json
 * features, as JSON.parse reads them), and once the last is pinned the keys differ and the first counts too. Those
 * extra references are the original text of a pinned one.
 */
function unshadowed(reread: ExtractResult, before: ExtractResult, edits: ReadonlyMap<number, TextEdit>): ExtractResult {
  let extra = reread.references.length - before.references.length;
  if (extra <= 0) return reread;
  const pinned = new Set([...edits.keys()].map((i) => before.references[i]!.text));
  const references = reread.references.filter(
    (ref) => !(extra > 0 && ref.digest === null && pinned.has(ref.text) && extra--),
  );
  return { ...reread, references };
}

/** What a pin must not change about a reference it did not write to. */
const same = (a: ImageReference | undefined, b: ImageReference | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.status === b.status &&
  a.name === b.name &&
  a.tag === b.tag &&
  a.digest === b.digest;

/**
 * Every pinnable reference pinned at once (as `pin` does), read again: each is pinned to the digest, the others are
 * as they were, and pinning again writes nothing. Then one reference alone: only its edit's characters change, and
 * updating it to another digest is read back as that digest.
 */
export function checkPins(
  path: string,
  text: string,
  result: ExtractResult,
  options: FindOptions,
  rng: Random,
  counts: PinCounts,
  aloneShare = 0.3,
): Broken[] {
  const broken: Broken[] = [];
  const fail = (message: string): Broken[] => [...broken, { property: 'pin', message }];
  const edits = new Map<number, TextEdit>();
  result.references.forEach((ref, i) => {
    if (!pinnable(ref)) return;
    const edit = pinEdit(ref, DIGEST);
    if (edit.ok) edits.set(i, edit.edit);
  });
  if (edits.size === 0) return broken;
  const after = edited(text, [...edits.values()]);
  if (after === null) return fail(`the edits of ${edits.size} pins overlap`);
  const reread = unshadowed(findReferences(path, after, options), result, edits);
  // In a file with syntax errors the parser's recovery may read the characters around a pin differently (a JSON key
  // without a value, then followed by a comment): only the pins themselves are checked there.
  const syntaxErrors = [result, reread].some((read) => read.notes.some((note) => note.severity === 'error'));
  if (reread.references.length !== result.references.length) {
    if (syntaxErrors) return broken;
    return fail(`${result.references.length} references before pinning, ${reread.references.length} after`);
  }
  for (const [i, ref] of result.references.entries()) {
    const now = reread.references[i]!;
    if (!edits.has(i)) {
      if (!syntaxErrors && !same(ref, now))
        return fail(`${show(ref.text)} was not pinned but changed: ${JSON.stringify(now)}`);
      continue;
    }
    counts.pins++;
    const tag = tagMovedByPin(ref) === null ? ref.tag : null;
    if (now.status !== 'pinned' || now.digest !== DIGEST || now.name !== ref.name || (tag !== null && now.tag !== tag))
      return fail(`${show(ref.text)} pinned reads back as ${JSON.stringify(now)}`);
  }
  const again = reread.references.flatMap((ref) => {
    const edit = pinnable(ref) ? pinEdit(ref, DIGEST) : null;
    return edit?.ok ? [edit.edit] : [];
  });
  if (again.length > 0 && edited(after, again) !== after)
    return fail(`pinning again to the same digest changed the file (${again.length} edits)`);

  // One reference alone, then updated to another digest (in some inputs: each costs two more reads).
  if (!rng.chance(aloneShare)) return broken;
  const [index, edit] = rng.pick([...edits.entries()]);
  const alone = edited(text, [edit]);
  if (alone === null) return fail('one edit refused');
  const body = stripBom(text).text;
  const lines = new StrictLines(body);
  const start = lines.offsetAt(edit.range.start);
  const end = lines.offsetAt(edit.range.end);
  if (typeof start === 'string' || typeof end === 'string')
    return fail(`the edit's range is not in the file: ${start}, ${end}`);
  const newBody = stripBom(alone).text;
  const tail = body.length - end;
  if (!newBody.startsWith(body.slice(0, start)) || !newBody.endsWith(body.slice(end)) || newBody.length - tail < start)
    return fail('pinning one reference changed characters outside its edit');
  const readAlone = unshadowed(findReferences(path, alone, options), result, new Map([[index, edit]]));
  if (syntaxErrors && readAlone.references.length !== result.references.length) return broken;
  const one = readAlone.references[index];
  if (one?.digest !== DIGEST)
    return fail(`${show(result.references[index]!.text)} pinned alone reads back as ${JSON.stringify(one)}`);
  const update = pinEdit(one, OTHER);
  if (!update.ok) return fail(`updating ${show(one.text)} was refused: ${update.reason}`);
  const updated = edited(alone, [update.edit]);
  const back =
    updated === null
      ? undefined
      : unshadowed(findReferences(path, updated, options), result, new Map([[index, edit]])).references[index];
  if (back?.digest !== OTHER || back.status !== 'pinned')
    return fail(`${show(one.text)} updated reads back as ${JSON.stringify(back)}`);
  return broken;
}

/**
 * What a digest field holds now: the digest part's text, or — kustomize's `newTag: 2@sha256:…`, a digest written into
 * the tag — the tag's text after its `@`.
 */
function digestFieldText(ref: ImageReference): string {
  if (ref.parts?.digest !== undefined) return ref.parts.digest.text;
  const tag = ref.parts?.tag?.text;
  if (ref.digestSlot?.kind === 'field' && ref.digestSlot.field === 'newTag' && tag !== undefined)
    return tag.slice(tag.indexOf('@') + 1);
  return '';
}
