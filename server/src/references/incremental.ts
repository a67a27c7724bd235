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
import type { ExtractResult, FileKind, FileNote, ImageReference, Position, Range } from './types';
import { extractYaml, MAX_DOCUMENTS, MAX_ERROR_NOTES } from './yaml';

interface Part {
  /** The characters of this part: from the start of its `---` line (or the stream) to the next part. */
  text: string;
  /** Line number of its first line in the whole text. */
  firstLine: number;
  /** Line breaks in `text`: the next part starts this many lines further down. */
  breaks: number;
  result: ExtractResult;
  /** What extractYaml returned for this text, and at which first line: shifts start from it. */
  read: { firstLine: number; references: readonly ImageReference[] };
  /** Messages quote line numbers (notes, "set by X (line 12)"): shifting ranges alone would leave them wrong. */
  quotesLines: boolean;
  /**
   * The start of the next part's marker line as read with this one ('' for the last part): the parser places and
   * words errors at the end of a document by the marker that ends it, so that is read too.
   */
  lookahead: string;
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

const MORE_ERRORS = /^(\d+) more YAML errors not shown$/;
const QUOTES_LINE = /\bline \d/;

/**
 * Keeps the parts of one document between calls. Not shared between documents: each open file has its own.
 */
export class IncrementalExtractor {
  private parts: Part[] = [];
  private hint: FileKind | null = null;
  /** Length of the text the parts were cut from. */
  private length = 0;
  stats: IncrementalStats = { parsed: 0, reused: 0, shifted: 0, whole: false };
  private current: ReferenceGroup[] = [];

  /** Same contract as findReferences(path, text, options). */
  extract(path: string, text: string, options: IncrementalOptions = {}): ExtractResult {
    const { unchanged, ...find } = options;
    const kind = find.kind ?? detectKind(path, text, find.languageId);
    if (kind === null || kind === 'dockerfile' || !splittable(path, text)) return this.whole(path, text, find);
    const { text: body, hadBom } = stripBom(text);
    if (kind !== this.hint) {
      this.parts = [];
      this.hint = kind;
    }
    const known = unchanged && { prefix: Math.max(0, unchanged.prefix - (hadBom ? 1 : 0)), suffix: unchanged.suffix };
    const trusted = known && known.prefix + known.suffix <= Math.min(body.length, this.length) ? known : { prefix: 0, suffix: 0 };
    const parts = this.update(body, kind, trusted);
    if (parts === null) return this.whole(path, text, find);
    this.parts = parts;
    this.length = body.length;
    const result = combine(kind, parts);
    this.current = parts.map((part) => ({ references: part.result.references, read: part.read.references, lines: part.firstLine - part.read.firstLine }));
    return result;
  }

  /** Forget everything (settings that change extraction, or a closed document). */
  reset(): void {
    this.parts = [];
    this.hint = null;
    this.length = 0;
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

  private update(body: string, kind: FileKind, unchanged: { prefix: number; suffix: number }): Part[] | null {
    const old = this.parts;
    const stats: IncrementalStats = { parsed: 0, reused: 0, shifted: 0, whole: false };
    const last = { double: body.lastIndexOf('"'), single: body.lastIndexOf("'") };
    const ahead = (end: number): string => lookahead(body, end, last);
    // A part reads the same wherever it is, as long as it starts the stream or at a `---` line and the next part (if
    // any) starts at one too. Unchanged parts at the start: same text at the same offset, followed by a boundary.
    const head: Part[] = [];
    let start = 0;
    for (const part of old) {
      const end = start + part.text.length;
      const same = end <= unchanged.prefix || (end <= body.length && body.startsWith(part.text, start));
      if (!same || ahead(end) !== part.lookahead) break;
      head.push(part);
      start = end;
    }
    // Unchanged parts at the end: same text ending at the same distance from the end, each starting at a boundary.
    const tail: Part[] = [];
    let stop = body.length;
    for (let i = old.length - 1; i >= head.length; i--) {
      const part = old[i]!;
      const from = stop - part.text.length;
      if (from < start) break;
      const same = from >= body.length - unchanged.suffix || body.endsWith(part.text, stop);
      if (!same || (from > 0 && !isMarkerLine(body, from)) || ahead(stop) !== part.lookahead) break;
      tail.push(part);
      stop = from;
    }
    tail.reverse();
    const middle = splitParts(body, start, stop);
    if (head.length + middle.length + tail.length > MAX_DOCUMENTS) return null;
    // Checked per part, so an edit costs only the parts it touched: `%YAML` binds to the next document, NUL is binary.
    if (middle.some((text) => !splittablePart(text))) return null;

    const parts: Part[] = [...head];
    stats.reused += head.length;
    let line = head.length > 0 ? head[head.length - 1]!.firstLine + head[head.length - 1]!.breaks : 0;
    let at = start;
    for (const text of middle) {
      at += text.length;
      const part = readPart(text, line, kind, ahead(at));
      stats.parsed++;
      parts.push(part);
      line += part.breaks;
    }
    for (const part of tail) {
      if (part.firstLine === line) {
        parts.push(part);
        stats.reused++;
      } else if (part.quotesLines) {
        parts.push(readPart(part.text, line, kind, part.lookahead));
        stats.parsed++;
      } else {
        parts.push(shiftPart(part, line));
        stats.shifted++;
      }
      line += part.breaks;
    }
    this.stats = stats;
    return parts;
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

/** The parts of text[start, stop): cut before every `---` marker line except one at `start`. */
export function splitParts(text: string, start: number, stop: number): string[] {
  const out: string[] = [];
  let from = start;
  let at = start;
  for (;;) {
    const found = text.indexOf('---', at + 1);
    if (found < 0 || found >= stop) break;
    at = found;
    if (isMarkerLine(text, found)) {
      out.push(text.slice(from, found));
      from = found;
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

function readPart(cut: string, firstLine: number, kind: FileKind, lookahead: string): Part {
  // The part keeps its own copy of its characters (the parser's input, which its references' texts point into):
  // a slice of the whole text would keep that whole version of the document alive for as long as the part lives.
  const input = `${lookahead === '' ? ' ' : ''}${cut}${lookahead}`;
  const result = extractYaml(lookahead === '' ? input.slice(1) : input, kind, { firstLine });
  const text = lookahead === '' ? input.slice(1) : input.slice(0, cut.length);
  const quotesLines = result.notes.length > 0 || result.references.some((ref) => QUOTES_LINE.test(ref.variable ?? '') || QUOTES_LINE.test(ref.error ?? ''));
  return { text, firstLine, breaks: countBreaks(text), result, read: { firstLine, references: result.references }, quotesLines, lookahead };
}

const movePosition = (p: Position, delta: number): Position => ({ line: p.line + delta, character: p.character });
const moveRange = (r: Range, delta: number): Range => ({ start: movePosition(r.start, delta), end: movePosition(r.end, delta) });

function shiftPart(part: Part, firstLine: number): Part {
  const delta = firstLine - part.read.firstLine;
  const references = delta === 0 ? part.read.references : part.read.references.map((ref) => ({ ...ref, range: moveRange(ref.range, delta) }));
  return { ...part, firstLine, result: { ...part.result, references: references as ImageReference[] } };
}

/** One result as extractYaml gives for the whole stream: file kind, references in order, the error cap across parts. */
function combine(hint: FileKind, parts: readonly Part[]): ExtractResult {
  let kind = hint;
  const references: ImageReference[] = [];
  const notes: FileNote[] = [];
  let errors = 0;
  for (const { result } of parts) {
    if (kind === hint && result.kind !== null && result.kind !== hint) kind = result.kind;
    for (const ref of result.references) references.push(ref);
    for (const note of result.notes) {
      const more = MORE_ERRORS.exec(note.message);
      if (more) errors += Number(more[1]);
      else if (note.severity === 'error' && note.message.startsWith('YAML syntax error')) {
        if (errors++ < MAX_ERROR_NOTES) notes.push(note);
      } else notes.push(note);
    }
  }
  if (errors > MAX_ERROR_NOTES) notes.push({ severity: 'error', message: `${errors - MAX_ERROR_NOTES} more YAML errors not shown` });
  return { kind, references, notes };
}
