// The one place that turns the characters of a reference into an ImageReference with its status.
import { containsPlaceholder, containsVariable, parseImageReference } from './imageRef';
import { ownCopy } from './strings';
import type {
  DigestSlot,
  ImageReference,
  Position,
  Range,
  ReferenceContext,
  ReferencePart,
  ReferenceParts,
  ReferenceSource,
} from './types';

export interface ReferenceExtras {
  platform?: string;
  localBuild?: boolean;
  ignored?: boolean;
  /** Overrides the default explanation for a variable reference. */
  variable?: string;
}

export function buildReference(
  text: string,
  range: Range,
  source: ReferenceSource,
  context: ReferenceContext,
  extras: ReferenceExtras = {},
): ImageReference {
  // One literal, then optional fields in a fixed order: every reference shares a few hidden classes. Spreading
  // objects of varying shapes here gave each of 10,000 references its own (≈ 350 bytes each in the server). Its
  // strings are copies (strings.ts): a language server keeps references while the parser's input is long gone.
  const ref: ImageReference = {
    text: ownCopy(text),
    range,
    name: null,
    tag: null,
    digest: null,
    status: 'variable',
    source,
    context,
  };
  if (extras.platform !== undefined) ref.platform = extras.platform;
  if (extras.localBuild) ref.localBuild = true;
  if (extras.ignored) ref.ignored = true;
  if (containsVariable(text)) {
    ref.variable = ownCopy(extras.variable ?? variableReason(text));
    return ref;
  }
  const parsed = parseImageReference(text);
  if (!parsed.ok) {
    ref.status = 'invalid';
    ref.error = ownCopy(parsed.error.message);
    return ref;
  }
  ref.name = ownCopy(parsed.value.name);
  ref.tag = parsed.value.tag === null ? null : ownCopy(parsed.value.tag);
  ref.digest = parsed.value.digest === null ? null : ownCopy(parsed.value.digest);
  ref.status = parsed.value.digest === null ? 'unpinned' : 'pinned';
  return ref;
}

export interface SplitReference {
  /** The whole reference the parts make, as a reader would write it (`registry/repository:tag@digest`). */
  assembled: string;
  parts: ReferenceParts;
  /** The part the reference is reported at (its `text` and `range`): the tag's, else the repository's. */
  anchor: ReferencePart;
  digestSlot?: DigestSlot;
  origin?: string[];
}

/**
 * A reference assembled from several scalars. Its name, tag, digest and status are those of the assembled reference;
 * its text and range are the anchor's characters (where the squiggle and the hover sit).
 */
export function buildSplitReference(
  split: SplitReference,
  source: ReferenceSource,
  context: ReferenceContext,
  extras: ReferenceExtras = {},
): ImageReference {
  const ref = buildReference(split.assembled, split.anchor.range, source, context, extras);
  ref.text = ownCopy(split.anchor.text);
  ref.assembled = ownCopy(split.assembled);
  ref.parts = split.parts;
  if (split.digestSlot !== undefined) ref.digestSlot = split.digestSlot;
  if (split.origin !== undefined && split.origin.length > 0) ref.origin = split.origin;
  return ref;
}

/** The reference as people read it in messages: the whole of a split reference, else its text. */
export const referenceText = (ref: Pick<ImageReference, 'text' | 'assembled'>): string => ref.assembled ?? ref.text;

const movePosition = (p: Position, lines: number): Position => ({ line: p.line + lines, character: p.character });
const moveRange = (r: Range, lines: number): Range => ({
  start: movePosition(r.start, lines),
  end: movePosition(r.end, lines),
});

/** The same reference `lines` further down (a part of a YAML stream that moved), sharing its hidden class. */
export function movedReference(ref: ImageReference, lines: number): ImageReference {
  const moved = Object.assign({}, ref, { range: moveRange(ref.range, lines) });
  if (ref.parts !== undefined) {
    const parts: ReferenceParts = {};
    for (const key of ['registry', 'repository', 'tag', 'digest'] as const) {
      const part = ref.parts[key];
      if (part !== undefined) parts[key] = { text: part.text, range: moveRange(part.range, lines) };
    }
    moved.parts = parts;
  }
  const slot = ref.digestSlot;
  if (slot?.kind === 'field') moved.digestSlot = { ...slot, range: moveRange(slot.range, lines) };
  else if (slot?.kind === 'new-key') moved.digestSlot = { ...slot, at: movePosition(slot.at, lines) };
  return moved;
}

function variableReason(text: string): string {
  if (text.includes('$[[')) return `'${text}' uses a CI/CD input; its value is only known when the pipeline is created`;
  if (containsPlaceholder(text) && !/[$]|\{\{|\{%/.test(text))
    return `'${text}' is a placeholder to fill in, not an image`;
  return `'${text}' is built from variables; its value is only known at build or deploy time`;
}

/**
 * The same reference, invalid for `reason`, when its text alone cannot tell: escapes, a value folded over lines, a form
 * the file's own tool refuses.
 */
export function asInvalid(ref: ImageReference, reason: string): ImageReference {
  const { error: _error, variable: _variable, ...rest } = ref;
  return { ...rest, name: null, tag: null, digest: null, status: 'invalid', error: ownCopy(reason) };
}

/** `# digest-pin: ignore` on the reference's own line or alone on the line above it. */
export const IGNORE_COMMENT = /#\s*digest-pin:\s*ignore\b/;

/** Whether each line holds the marker, per lines array: a line holding thousands of references is scanned once. */
const MARKED = new WeakMap<readonly string[], Map<number, boolean>>();

/** Lines scanned for the marker so far (tests check the scan is once per line, not once per reference). */
export const ignoreScans = { count: 0 };

function marked(lines: readonly string[], line: number): boolean {
  let memo = MARKED.get(lines);
  if (memo === undefined) MARKED.set(lines, (memo = new Map()));
  let found = memo.get(line);
  if (found === undefined) {
    ignoreScans.count++;
    const text = lines[line];
    found = text !== undefined && IGNORE_COMMENT.test(text);
    memo.set(line, found);
  }
  return found;
}

export function isIgnoredAt(lines: readonly string[], line: number): boolean {
  if (marked(lines, line)) return true;
  const above = lines[line - 1];
  return above !== undefined && /^\s*#/.test(above) && marked(lines, line - 1);
}

/** Splits text into lines the way LSP counts them (\r\n, \n or \r end a line). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
