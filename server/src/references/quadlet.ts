// Podman Quadlet units (podman-systemd.unit(5)): systemd INI files that podman's generator turns into services.
// Read as Podman reads them (pkg/systemd/parser/unitfile.go, pkg/systemd/quadlet/quadlet.go):
//
// - each line is trimmed; a line starting with `#` or `;` is a comment (also inside a continuation); there are no
//   trailing comments: everything after `Key=` (leading blanks skipped) is the value;
// - a line ending in `\` continues on the next one; the value's trailing blanks are dropped, then one pair of
//   surrounding double quotes (single quotes are kept, and so make the value no image);
// - sections of the same name merge and the last `Image=` wins.
//
// Which keys name an image: `[Container] Image=` (the image `podman run` runs) in a `.container` unit,
// `[Image] Image=` (what `podman image pull` pulls) in a `.image` unit, and `[Volume] Image=` in a `.volume` unit
// whose `Driver=` is `image` (or left to a drop-in). A value ending in `.image` or `.build` names another Quadlet
// unit, not a registry reference; `[Image] ImageTag=` and `[Build] ImageTag=` name what a unit produces; a `.build`
// unit pulls only what its Containerfile says. `docker://` before the reference is a transport (the range excludes
// it); other transports (`oci-archive:`, `containers-storage:` …) are not registries. `%i`, `%N` … are systemd
// specifiers, filled in when the unit runs.
import { quadletUnitOf, type QuadletUnit } from './fileKind';
import { containsVariable } from './imageRef';
import { LineIndex } from './positions';
import { buildReference, isIgnoredAt, splitLines } from './reference';
import { ownCopy } from './strings';
import type { ImageReference } from './types';

const SOURCE = 'quadlet';
const DOCKER = 'docker://';
/** containers-transports(5) other than `docker://`: an archive, a directory or local storage, not a registry. */
const OTHER_TRANSPORT = /^(?:containers-storage|docker-archive|docker-daemon|oci-archive|oci|dir|sif):(?!\d+\/)/;
const UNIT_REFERENCE = /\.(?:image|build)$/;
const SPECIFIER = /%[A-Za-z]/;
const BLANK = /\s/;

/** The section whose `Image=` is read, by unit type (drop-ins `x.container.d/*.conf` are of their unit's type). */
const SECTIONS: Readonly<Record<QuadletUnit, string>> = { container: 'Container', image: 'Image', volume: 'Volume' };

/** One piece of a logical line: `[start, end)` in the text, without the trimmed blanks and the continuing `\`. */
interface Segment {
  start: number;
  end: number;
}

/** A `Key=value` entry: the value's characters in the joined logical line, mapped back to the text by segments. */
interface Entry {
  section: string | null;
  key: string;
  value: string;
  /** Where `value` starts and ends in the text. */
  start: number;
  end: number;
  spansLines: boolean;
}

/** Every `Image=` of the unit's section (the last one wins), as references. Pure; `text` has no BOM. */
export function extractQuadlet(text: string, path: string): ImageReference[] {
  const unit = quadletUnitOf(path);
  const sections = unit === null ? Object.values(SECTIONS) : [SECTIONS[unit]];
  const images = new Map<string, Entry>();
  let driver: string | undefined;
  for (const entry of entries(text)) {
    if (entry.section === null || !sections.includes(entry.section)) continue;
    if (entry.key === 'Image') images.set(entry.section, entry);
    else if (entry.key === 'Driver' && entry.section === 'Volume') driver = entry.value;
  }
  const index = new LineIndex(text);
  const lines = splitLines(text);
  const out: ImageReference[] = [];
  for (const [section, entry] of images) {
    if (section === 'Volume' && driver !== undefined && driver !== 'image') continue;
    const ref = report(entry, text, index, lines);
    if (ref) out.push(ref);
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}

function report(entry: Entry, text: string, index: LineIndex, lines: readonly string[]): ImageReference | undefined {
  let { start, value } = entry;
  if (value === '' || UNIT_REFERENCE.test(value) || OTHER_TRANSPORT.test(value)) return undefined;
  if (value.startsWith(DOCKER)) {
    start += DOCKER.length;
    value = value.slice(DOCKER.length);
    if (value === '') return undefined;
  }
  let problem: string | undefined;
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
    start += 1;
    value = value.slice(1, -1);
    problem = `'${value}' is in single quotes, which Quadlet keeps as part of the value; write it without quotes or in double quotes`;
  }
  const end = entry.spansLines ? entry.end : start + value.length;
  const raw = text.slice(start, end);
  const range = index.rangeOf(start, end);
  const ref = buildReference(raw, range, SOURCE, 'image', { ignored: isIgnoredAt(lines, range.start.line) });
  if (entry.spansLines) problem = 'the image reference is written over more than one line';
  else if (problem === undefined && ref.status === 'invalid' && /\s[#;]/.test(value))
    problem = `'${value}' is the whole value: a unit file has no trailing comments, so everything after Image= is the image reference`;
  if (problem !== undefined && ref.status !== 'variable') return asInvalid(ref, problem);
  if (ref.status !== 'variable' && SPECIFIER.test(value) && !containsVariable(value)) {
    const specifier = SPECIFIER.exec(value)![0];
    return asVariable(
      ref,
      `'${value}' uses the systemd specifier ${specifier}; its value is only known when the unit runs`,
    );
  }
  return ref;
}

function asInvalid(ref: ImageReference, reason: string): ImageReference {
  ref.name = ref.tag = ref.digest = null;
  ref.status = 'invalid';
  ref.error = ownCopy(reason);
  return ref;
}

function asVariable(ref: ImageReference, reason: string): ImageReference {
  ref.name = ref.tag = ref.digest = null;
  ref.status = 'variable';
  delete ref.error;
  ref.variable = ownCopy(reason);
  return ref;
}

/** The physical lines of the text: `[start, end)` of each line's characters, without its line break. */
function* physicalLines(text: string): Generator<Segment> {
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = breaks.exec(text); match !== null; match = breaks.exec(text)) {
    yield { start, end: match.index };
    start = match.index + match[0].length;
  }
  if (start < text.length) yield { start, end: text.length };
}

/** A line's characters without leading and trailing blanks (Go's strings.TrimSpace). */
function trimmed(text: string, line: Segment): Segment {
  let { start, end } = line;
  while (start < end && BLANK.test(text.charAt(start))) start++;
  while (end > start && BLANK.test(text.charAt(end - 1))) end--;
  return { start, end };
}

/** Logical lines (continuations joined, comments dropped) as their segments. */
function* logicalLines(text: string): Generator<Segment[]> {
  let pending: Segment[] = [];
  const all = [...physicalLines(text)];
  for (let i = 0; i < all.length; i++) {
    const line = trimmed(text, all[i]!);
    const first = text.charAt(line.start);
    if (line.start === line.end || first === '#' || first === ';') continue;
    const continues = text.charAt(line.end - 1) === '\\' && i < all.length - 1;
    const end = text.charAt(line.end - 1) === '\\' ? line.end - 1 : line.end;
    pending.push({ start: line.start, end });
    if (continues) continue;
    yield pending;
    pending = [];
  }
  if (pending.length > 0) yield pending;
}

/** `Key=value` entries with their section, in file order. Lines that are neither are skipped (Podman refuses the file). */
function* entries(text: string): Generator<Entry> {
  let section: string | null = null;
  for (const segments of logicalLines(text)) {
    const joined = segments.map((s) => text.slice(s.start, s.end)).join('');
    const group = /^\[([^\]]*)\][ \t]*$/.exec(joined);
    if (group) {
      section = group[1]!;
      continue;
    }
    const equals = joined.indexOf('=');
    if (equals <= 0) continue;
    let from = equals + 1;
    while (from < joined.length && BLANK.test(joined.charAt(from))) from++;
    let to = joined.length;
    while (to > from && BLANK.test(joined.charAt(to - 1))) to--;
    if (to - from >= 2 && joined.charAt(from) === '"' && joined.charAt(to - 1) === '"') {
      from++;
      to--;
    }
    const start = toText(segments, from, 'start');
    const end = toText(segments, to, 'end');
    yield {
      section,
      key: joined.slice(0, equals).trimEnd(),
      value: joined.slice(from, to),
      start,
      end,
      spansLines: to > from && segmentOf(segments, from) !== segmentOf(segments, to - 1),
    };
  }
}

/** The segment (index) holding the joined line's character at `offset`. */
function segmentOf(segments: readonly Segment[], offset: number): number {
  let at = 0;
  for (let i = 0; i < segments.length; i++) {
    const length = segments[i]!.end - segments[i]!.start;
    if (offset < at + length) return i;
    at += length;
  }
  return segments.length - 1;
}

/** A joined-line offset as a text offset: a start maps to the character there, an end to just after the one before. */
function toText(segments: readonly Segment[], offset: number, side: 'start' | 'end'): number {
  if (side === 'end' && offset > 0) return toText(segments, offset - 1, 'start') + 1;
  let at = 0;
  for (const segment of segments) {
    const length = segment.end - segment.start;
    if (offset < at + length) return segment.start + offset - at;
    at += length;
  }
  const last = segments[segments.length - 1]!;
  return last.end;
}
