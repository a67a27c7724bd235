// Re-reading a large YAML stream after a small edit without parsing all of it again. A stream is cut into parts at
// document markers (`---` at the start of a line, which the YAML grammar forbids inside any scalar or collection, so
// the parser itself starts a new document there); each part is read alone by extractYaml, with its first line as
// the base of its ranges. After an edit, parts whose text is unchanged at the start and at the end of the stream are
// kept, and only the parts in between are read again. Parts after the edit that moved by some lines have their
// ranges shifted; those whose messages quote line numbers are read again instead.
//
// The result is the same as findReferences on the whole text (test/unit/references/incremental.test.ts checks this
// on the corpus and on generated streams); anything this module is not sure it can split (directives, JSON, one
// document) is read whole.
import { detectKind } from './fileKind';
import { findReferences, MAX_FILE_BYTES, type FindOptions } from './index';
import { stripBom } from './positions';
import { movedReference } from './reference';
import type { ExtractResult, FileKind, FileNote, ImageReference, Neighbours } from './types';
import { extractYaml, MAX_DOCUMENTS, MAX_ERROR_NOTES } from './yaml';

/**
 * One document of the stream, or a run of small ones (MIN_PART_CHARS), as last read; it is also the group the language
 * server keys its per-part work on.
 * It holds no characters of its own: `start` and `length` place it in the text of the last call, so a reused part
 * costs neither a copy of its text nor a view that would keep an old version of the document alive.
 */
interface Part extends ReferenceGroup {
  /** Its characters in the text of the last call: from the start of its `---` line (or the stream) to the next part. */
  start: number;
  length: number;
  /** Line number of its first line in the whole text. */
  firstLine: number;
  /** Line breaks in its text: the next part starts this many lines further down. */
  breaks: number;
  kind: FileKind | null;
  notes: readonly FileNote[];
  /** Messages quote line numbers (notes, "set by X (line 12)"): shifting ranges alone would leave them wrong. */
  quotesLines: boolean;
  /**
   * The start of the next part's marker line as read with this one ('' for the last part): the parser places and
   * words errors at the end of a document by the marker that ends it, so that is read too.
   */
  lookahead: string;
}

/** What a read left (IncrementalExtractor.snapshot): plain data only. */
export interface ExtractorState {
  /** Null: the text was read whole. */
  parts: Part[] | null;
  hint: FileKind | null;
  neighboursKey: string;
  stats: IncrementalStats;
}

/** The parts an edit left at the start and at the end, and the texts between them to read. */
interface Plan {
  head: Part[];
  middle: string[];
  tail: Array<{ part: Part; from: number }>;
  /** Where the middle starts in the text. */
  start: number;
  ahead: (end: number) => string;
}

/** Counts what was done, for tests and the benchmark: a cheap edit reads few parts. */
export interface IncrementalStats {
  /** Parts read by the YAML parser in the last call. */
  parsed: number;
  /** Parts reused as they were. */
  reused: number;
  /** Parts reused with their ranges moved. */
  shifted: number;
  /** The last call read the whole text with findReferences (not a YAML stream it splits). */
  whole: boolean;
}

export interface IncrementalOptions extends FindOptions {
  /**
   * What the caller knows did not change since the previous call (an editor's incremental edits): the first `prefix`
   * and the last `suffix` characters. Parts inside them are reused without comparing their text, so a one-line edit
   * costs the same in a 5 MB stream as in a small one. Without it, unchanged parts are found by comparing text.
   */
  unchanged?: { prefix: number; suffix: number };
}

/** The references of one part: as they are now, as they were read, and how many lines they moved since. */
export interface ReferenceGroup {
  references: readonly ImageReference[];
  /** The same references as first read: `references` differ from them only in ranges, `lines` further down. */
  read: readonly ImageReference[];
  lines: number;
}

/**
 * Parts are cut at document markers but hold at least this many characters: a Kubernetes list of 10,000 small Pods
 * is then 1,300 parts, not 10,000, each costing the language server its bookkeeping (≈ 250 bytes), while an edit
 * still re-reads only about 1 kB (bench lsp-edit-300: 2 kB parts made a keystroke in a 300-line file 1.5 ms slower).
 */
export const MIN_PART_CHARS = 1024;

const MORE_ERRORS = /^(\d+) more YAML errors not shown$/;
const QUOTES_LINE = /\bline \d/;

/**
 * Keeps the parts of one document between calls. Not shared between documents: each open file has its own.
 */
export class IncrementalExtractor {
  private parts: Part[] = [];
  private hint: FileKind | null = null;
  /** The text (without BOM) the parts were cut from. */
  private source = '';
  stats: IncrementalStats = { parsed: 0, reused: 0, shifted: 0, whole: false };
  private current: readonly ReferenceGroup[] = [];
  /** What the files beside this one said at the last read (a Chart.yaml): a change reads every part again. */
  private neighbours: Neighbours | undefined;
  private neighboursKey = '';

  /** `minPartChars`: 0 cuts a part per document (tests of the per-document logic on small texts). */
  constructor(private readonly minPartChars = MIN_PART_CHARS) {}

  /** Same contract as findReferences(path, text, options). */
  extract(path: string, text: string, options: IncrementalOptions = {}): ExtractResult {
    const { unchanged, ...find } = options;
    const kind = find.kind ?? detectKind(path, text, find.languageId);
    if (
      kind === null ||
      kind === 'dockerfile' ||
      kind === 'quadlet' ||
      kind === 'devcontainer' ||
      !splittable(path, text)
    )
      return this.whole(path, text, find);
    const { text: body, hadBom } = stripBom(text);
    const neighbours = find.neighbours === undefined ? '' : JSON.stringify(find.neighbours);
    if (kind !== this.hint || neighbours !== this.neighboursKey) {
      this.parts = [];
      this.hint = kind;
      this.neighboursKey = neighbours;
      this.neighbours = find.neighbours;
    }
    const parts = this.update(body, kind, this.trust(body, hadBom, unchanged));
    if (parts === null) return this.whole(path, text, find);
    this.parts = parts;
    this.source = body;
    this.current = parts;
    return combine(kind, parts);
  }

  /** Forget everything (settings that change extraction, or a closed document). */
  reset(): void {
    this.parts = [];
    this.hint = null;
    this.source = '';
  }

  private whole(path: string, text: string, options: FindOptions): ExtractResult {
    this.reset();
    this.stats = { parsed: 0, reused: 0, shifted: 0, whole: true };
    const result = findReferences(path, text, options);
    this.current = [{ references: result.references, read: result.references, lines: 0 }];
    return result;
  }

  /**
   * The references of the last call, part by part (one group for a text read whole). A group's arrays keep their
   * identity while its part is unchanged, so a consumer can keep per-group work (diagnostics) between calls.
   */
  get groups(): readonly ReferenceGroup[] {
    return this.current;
  }

  /**
   * About how many characters the next extract() of this text would parse: the whole text when it would read it
   * whole, else the parts an edit touched (and those after it whose messages quote lines). The language server reads
   * a big text elsewhere when this is large (lsp/reader.ts).
   */
  cost(path: string, text: string, options: IncrementalOptions = {}): number {
    const { unchanged, ...find } = options;
    const kind = find.kind ?? detectKind(path, text, find.languageId);
    if (kind === null || text.length > MAX_FILE_BYTES) return 0;
    if (kind === 'dockerfile' || kind === 'quadlet' || kind === 'devcontainer' || !splittable(path, text))
      return text.length;
    const { text: body, hadBom } = stripBom(text);
    const neighbours = find.neighbours === undefined ? '' : JSON.stringify(find.neighbours);
    if (kind !== this.hint || neighbours !== this.neighboursKey) return text.length;
    const plan = this.plan(body, this.trust(body, hadBom, unchanged));
    if (plan === null) return text.length;
    let cost = 0;
    for (const part of plan.middle) cost += part.length;
    for (const { part } of plan.tail) if (part.quotesLines) cost += part.length;
    return cost;
  }

  /**
   * What a read left, as plain data (it crosses from the language server's reader thread): its parts, or null for a
   * text read whole. adopt() takes it over, so the next edit is read incrementally.
   */
  snapshot(): ExtractorState {
    return {
      parts: this.stats.whole ? null : this.parts,
      hint: this.hint,
      neighboursKey: this.neighboursKey,
      stats: this.stats,
    };
  }

  /** Takes over another extractor's read of `text` (its snapshot and result), as if this one had read it. */
  adopt(text: string, state: ExtractorState, result: ExtractResult, neighbours: Neighbours | undefined): void {
    this.reset();
    this.stats = state.stats;
    if (state.parts === null) {
      this.current = [{ references: result.references, read: result.references, lines: 0 }];
      return;
    }
    this.parts = state.parts;
    this.hint = state.hint;
    this.neighboursKey = state.neighboursKey;
    this.neighbours = neighbours;
    this.source = stripBom(text).text;
    this.current = state.parts;
  }

  private trust(
    body: string,
    hadBom: boolean,
    unchanged: { prefix: number; suffix: number } | undefined,
  ): { prefix: number; suffix: number } {
    const known = unchanged && { prefix: Math.max(0, unchanged.prefix - (hadBom ? 1 : 0)), suffix: unchanged.suffix };
    return known && known.prefix + known.suffix <= Math.min(body.length, this.source.length)
      ? known
      : { prefix: 0, suffix: 0 };
  }

  private update(body: string, kind: FileKind, unchanged: { prefix: number; suffix: number }): Part[] | null {
    const plan = this.plan(body, unchanged);
    if (plan === null) return null;
    const { head, middle, tail, start, ahead } = plan;
    const stats: IncrementalStats = { parsed: 0, reused: 0, shifted: 0, whole: false };
    const textOf = (part: Part): string => this.source.slice(part.start, part.start + part.length);
    const parts: Part[] = [...head];
    stats.reused += head.length;
    let line = head.length > 0 ? head[head.length - 1]!.firstLine + head[head.length - 1]!.breaks : 0;
    let at = start;
    for (const text of middle) {
      const part = readPart(text, at, line, kind, ahead(at + text.length), this.neighbours);
      at += text.length;
      stats.parsed++;
      parts.push(part);
      line += part.breaks;
    }
    for (const { part, from } of tail) {
      if (part.firstLine === line) {
        // Same lines, new place in the new text (the parts array it came from is dropped).
        part.start = from;
        parts.push(part);
        stats.reused++;
      } else if (part.quotesLines) {
        parts.push(readPart(textOf(part), from, line, kind, part.lookahead, this.neighbours));
        stats.parsed++;
      } else {
        parts.push(shiftPart(part, from, line));
        stats.shifted++;
      }
      line += part.breaks;
    }
    this.stats = stats;
    return parts;
  }

  /** Which parts an edit left as they were (at the start and at the end) and the texts of the parts between. */
  private plan(body: string, unchanged: { prefix: number; suffix: number }): Plan | null {
    const old = this.parts;
    const last = { double: body.lastIndexOf('"'), single: body.lastIndexOf("'") };
    const ahead = (end: number): string => lookahead(body, end, last);
    // A part reads the same wherever it is, as long as it starts the stream or at a `---` line and the next part (if
    // any) starts at one too. Unchanged parts at the start: same text at the same offset, followed by a boundary.
    const textOf = (part: Part): string => this.source.slice(part.start, part.start + part.length);
    const head: Part[] = [];
    let start = 0;
    for (const part of old) {
      const end = start + part.length;
      const same = end <= unchanged.prefix || (end <= body.length && body.startsWith(textOf(part), start));
      if (!same || ahead(end) !== part.lookahead) break;
      head.push(part);
      start = end;
    }
    // Unchanged parts at the end: same text ending at the same distance from the end, each starting at a boundary.
    const tail: Array<{ part: Part; from: number }> = [];
    let stop = body.length;
    for (let i = old.length - 1; i >= head.length; i--) {
      const part = old[i]!;
      const from = stop - part.length;
      if (from < start) break;
      const same = from >= body.length - unchanged.suffix || body.endsWith(textOf(part), stop);
      if (!same || (from > 0 && !isMarkerLine(body, from)) || ahead(stop) !== part.lookahead) break;
      tail.push({ part, from });
      stop = from;
    }
    tail.reverse();
    const middle = splitParts(body, start, stop, this.minPartChars);
    if (head.length + middle.length + tail.length > MAX_DOCUMENTS) return null;
    // Checked per part, so an edit costs only the parts it touched: `%YAML` binds to the next document, NUL is binary.
    if (middle.some((text) => !splittablePart(text))) return null;
    return { head, middle, tail, start, ahead };
  }
}

/** Texts this module splits: YAML, not JSON (devcontainer.json: comments may hide markers), not huge. */
function splittable(path: string, text: string): boolean {
  if (text.length > MAX_FILE_BYTES || /\.json$/i.test(path)) return false;
  const first = /\S/.exec(text.slice(0, 4096));
  return first?.[0] !== '{' && first?.[0] !== '/';
}

/** Parts read alone: no directive line (it binds to the next document), no NUL (the whole file is binary). */
function splittablePart(text: string): boolean {
  return !(text.startsWith('%') || text.includes('\n%') || text.includes('\r%') || text.includes('\u0000'));
}

const isBreak = (code: number): boolean => code === 10 || code === 13;

/** A `---` marker line starts at `at`: after a line break, followed by white space or the end of a line. */
function isMarkerLine(text: string, at: number): boolean {
  if (at > 0 && !isBreak(text.charCodeAt(at - 1))) return false;
  if (text.charCodeAt(at) !== 45 || text.charCodeAt(at + 1) !== 45 || text.charCodeAt(at + 2) !== 45) return false;
  const next = text.charCodeAt(at + 3);
  return Number.isNaN(next) || next === 32 || next === 9 || isBreak(next);
}

/**
 * What is read after a part so that it parses as it does within the whole stream: the next marker and the character
 * after it ('' at the end of the text), where the parser places errors at the end of a document; and a comment
 * holding each kind of quote the rest of the text has. The yaml lexer looks for a quoted scalar's closing quote
 * anywhere further on and, when there is one, ends an unclosed scalar at the next marker; when there is none, it
 * reads to the end of the text, across markers, which the YAML grammar forbids — there (only there) the parts are
 * read as the grammar says and the result differs from findReferences on the whole text.
 */
function lookahead(text: string, end: number, last: { double: number; single: number }): string {
  const marker = text.slice(end, end + 4);
  const quotes = (last.double >= end ? '"' : '') + (last.single >= end ? "'" : '');
  if (quotes === '') return marker;
  return `${marker}${marker.length === 4 ? '' : '\n'}# ${quotes}`;
}

/**
 * The parts of text[start, stop): cut before `---` marker lines (not one at `start`), each part at least `min`
 * characters where the text allows: a part is then one document, or a run of small ones.
 */
export function splitParts(text: string, start: number, stop: number, min = 0): string[] {
  const out: string[] = [];
  let from = start;
  let at = Math.max(start, from + min - 1);
  for (;;) {
    const found = text.indexOf('---', at + 1);
    if (found < 0 || found >= stop) break;
    at = found;
    if (isMarkerLine(text, found)) {
      out.push(text.slice(from, found));
      from = found;
      at = Math.max(at, from + min - 1);
    }
  }
  if (stop > from) out.push(text.slice(from, stop));
  return out;
}

function countBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return n;
}

const NO_NOTES: readonly FileNote[] = Object.freeze([]);

function readPart(
  cut: string,
  start: number,
  firstLine: number,
  kind: FileKind,
  lookahead: string,
  neighbours: Neighbours | undefined,
): Part {
  // The parser reads the part with what follows it; the references it returns own their strings (strings.ts), so
  // nothing of this input outlives the call.
  const input = lookahead === '' ? cut : `${cut}${lookahead}`;
  const result = extractYaml(input, kind, { firstLine, ...(neighbours !== undefined ? { neighbours } : {}) });
  const quotesLines =
    result.notes.length > 0 ||
    result.references.some((ref) => QUOTES_LINE.test(ref.variable ?? '') || QUOTES_LINE.test(ref.error ?? ''));
  return {
    start,
    length: cut.length,
    firstLine,
    breaks: countBreaks(cut),
    kind: result.kind,
    notes: result.notes.length === 0 ? NO_NOTES : result.notes,
    references: result.references,
    read: result.references,
    lines: 0,
    quotesLines,
    lookahead: shared(lookahead),
  };
}

/** The few lookahead strings there are, one copy each (10,000 parts, a handful of distinct values). */
const LOOKAHEADS = new Map<string, string>();
function shared(text: string): string {
  const known = LOOKAHEADS.get(text);
  if (known !== undefined) return known;
  if (LOOKAHEADS.size < 64) LOOKAHEADS.set(text, text);
  return text;
}

function shiftPart(part: Part, start: number, firstLine: number): Part {
  const lines = part.lines + firstLine - part.firstLine;
  const references = lines === 0 ? part.read : part.read.map((ref) => movedReference(ref, lines));
  return { ...part, start, firstLine, lines, references };
}

/** One result as extractYaml gives for the whole stream: file kind, references in order, the error cap across parts. */
function combine(hint: FileKind, parts: readonly Part[]): ExtractResult {
  let kind = hint;
  const references: ImageReference[] = [];
  const notes: FileNote[] = [];
  let errors = 0;
  for (const part of parts) {
    if (kind === hint && part.kind !== null && part.kind !== hint) kind = part.kind;
    for (const ref of part.references) references.push(ref);
    for (const note of part.notes) {
      const more = MORE_ERRORS.exec(note.message);
      if (more) errors += Number(more[1]);
      else if (note.severity === 'error' && note.message.startsWith('YAML syntax error')) {
        if (errors++ < MAX_ERROR_NOTES) notes.push(note);
      } else notes.push(note);
    }
  }
  if (errors > MAX_ERROR_NOTES)
    notes.push({ severity: 'error', message: `${errors - MAX_ERROR_NOTES} more YAML errors not shown` });
  return { kind, references, notes };
}
