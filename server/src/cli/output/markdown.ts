// `--format markdown`: a report for a pull request body or a CI job summary, in GitHub-flavoured Markdown without
// HTML. `check`: the summary line, then a table of findings per file (line, severity, code linked to its docs, image,
// message), then what changed for each drifted pin whose images were described. `pin`: the summary line, one table row per image whose digest changed (`changesTable`, which other
// commands feed with their own `ImageChange`s), then the problems. Every name and message that came from a file or
// a registry is escaped (shared/markdown.ts), and a `|` never ends a table cell early. Deterministic: files, images
// and places are sorted by UTF-16 code units, never by locale.
import type { Position } from '../../references/types';
import { referenceText } from '../../references/reference';
import { codeSpan, escapeMarkdown } from '../../shared/markdown';
import { PRODUCT_NAME } from '../../shared/product';
import { ruleHelpUri, type DiagnosticCode, type Severity } from '../../shared/rules';
import { formatAge, shortDigest } from '../../shared/text';
import { MARKDOWN, driftExplanation } from '../../features/provenanceWords';
import type { CheckedReference, Report, Summary } from '../check';
import { byCodeUnits } from '../walk';
import { summaryLine } from './text';

/** One row of the change table: an image whose digest was (or would be) written, and where. */
export interface ImageChange {
  /** The reference as written, without a digest: `python:3.12-slim`, `ghcr.io/org/app:1`. */
  image: string;
  /** The digest it had; null for a new pin. */
  oldDigest: string | null;
  newDigest: string;
  /** Build time of the image of `oldDigest` (RFC 3339), when known. */
  oldCreated?: string;
  /** Build time of the image of `newDigest` (RFC 3339), when known. */
  newCreated?: string;
  /** Where it is written: the file as printed elsewhere (relative, `/`-separated) and the 1-based line (a lock's
   * entry names only the files that use it). */
  places: Array<{ file: string; line?: number }>;
}

/** Something that could not be done, listed after the table: `could not pin …`, a file that could not be written. */
export interface ReportProblem {
  file: string;
  /** 1-based; absent for a problem with a whole file. */
  line?: number;
  message: string;
}

/** What `pin` (and `pin --update`, `--dry-run`) reports. */
export interface PinReport {
  /** The command as run, for the heading: `pin`, `pin --update --dry-run`. */
  command: string;
  /** The summary line (cli/pin.ts `pinSummary`), which says "would change" for a dry run. */
  summary: string;
  changes: readonly ImageChange[];
  problems: readonly ReportProblem[];
}

const NONE = '—';

/** A code span inside a table cell: a `|` is escaped, or GFM would end the cell there (even inside the span). */
export const cellCode = (text: string): string => codeSpan(text).replace(/\|/g, '\\|');

/**
 * Text shown as written, in a table cell too (escapeMarkdown escapes every `|`); `$` is escaped as well, since GitHub
 * reads `$…$` as math.
 */
export const cellText = (text: string): string => escapeMarkdown(text).replace(/\$/g, '\\$');

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

function table(header: readonly string[], align: readonly string[], rows: readonly string[][]): string {
  return [row(header), row(align), ...rows.map(row)].join('\n');
}

// --- check -----------------------------------------------------------------------------------------------------

interface FindingRow {
  file: string;
  at: Position | null;
  cells: string[];
}

const codeLink = (code: DiagnosticCode): string => `[${codeSpan(code)}](${ruleHelpUri(code)})`;

/** The image as written, a digest shortened: `python:3.12@sha256:0123456789ab…`. */
function imageCell(checked: CheckedReference): string {
  const { reference: ref } = checked;
  const text = referenceText(ref);
  const shown =
    ref.digest !== null && text.endsWith(`@${ref.digest}`)
      ? `${text.slice(0, text.length - ref.digest.length)}${shortDigest(ref.digest)}`
      : text;
  return cellCode(shown);
}

function noteRow(file: string, severity: Severity, message: string, at: Position | null): FindingRow {
  return { file, at, cells: [at === null ? NONE : String(at.line + 1), severity, NONE, NONE, cellText(message)] };
}

function findingRows(report: Report): FindingRow[] {
  const rows: FindingRow[] = [
    ...report.notes.map((note) => noteRow(note.file, note.severity, note.message, note.range?.start ?? null)),
    ...report.failures.map((failure) => noteRow(failure.file, 'error', failure.message, null)),
  ];
  for (const checked of report.references) {
    for (const finding of checked.findings) {
      const start = finding.range.start;
      rows.push({
        file: checked.file,
        at: start,
        cells: [
          String(start.line + 1),
          finding.severity,
          codeLink(finding.code),
          imageCell(checked),
          cellText(finding.message),
        ],
      });
    }
  }
  // Notes first within a file (a parse error explains what follows), then by position; sort is stable.
  return rows.sort((a, b) => byCodeUnits(a.file, b.file) || comparePositions(a.at, b.at));
}

function comparePositions(a: Position | null, b: Position | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  return a.line - b.line || a.character - b.character;
}

/** `check --format markdown`: the summary, then one section per file with findings or notes. */
export function formatMarkdown(report: Report, summary: Summary): string {
  const ignored = report.references.filter((checked) => checked.reference.ignored).length;
  const out = [`## ${PRODUCT_NAME} check`, summaryLine(summary, ignored)];
  const rows = findingRows(report);
  if (rows.length === 0) out.push('No findings.');
  const byFile = new Map<string, string[][]>();
  for (const r of rows) {
    const cells = byFile.get(r.file);
    if (cells === undefined) byFile.set(r.file, [r.cells]);
    else cells.push(r.cells);
  }
  for (const [file, cells] of byFile) {
    out.push(`### ${codeSpan(file)}`);
    out.push(table(['line', 'severity', 'code', 'image', 'message'], ['---:', '---', '---', '---', '---'], cells));
  }
  const moves = driftList(report);
  if (moves !== '') out.push('### What changed', moves);
  return `${out.join('\n\n')}\n`;
}

/**
 * One item per drifted pin whose images said something: the image and where, then what changed and what is attached
 * to the image the tag points to now (escaped; links only to forges' pages). In the order of the findings.
 */
function driftList(report: Report): string {
  const items: Array<{ file: string; at: Position; text: string }> = [];
  for (const checked of report.references) {
    if (!checked.findings.some((f) => f.code === 'tag-drift')) continue;
    const { changes, attachedNow } = driftExplanation(checked.online, MARKDOWN);
    if (changes.length === 0 && attachedNow === null) continue;
    const start = checked.reference.range.start;
    const said = [...changes, ...(attachedNow !== null ? [`the new image has: ${attachedNow}`] : [])];
    items.push({
      file: checked.file,
      at: start,
      text: `- ${imageCell(checked)} (${codeSpan(`${checked.file}:${start.line + 1}`)}): ${said.join(' · ')}`,
    });
  }
  items.sort((a, b) => byCodeUnits(a.file, b.file) || comparePositions(a.at, b.at));
  return items.map((item) => item.text).join('\n');
}

// --- changes (pin, lock) ---------------------------------------------------------------------------------------

/** A build time as its UTC day, or null when it is absent or not a date. */
function day(created: string | undefined): string | null {
  const at = created === undefined ? NaN : Date.parse(created);
  return Number.isNaN(at) ? null : new Date(at).toISOString().slice(0, 10);
}

/** How much newer (or older) the new image is than the old one: "31 days newer"; "unknown" without both dates. */
function gap(change: ImageChange): string {
  if (change.oldDigest === null) return NONE;
  const before = Date.parse(change.oldCreated ?? '');
  const after = Date.parse(change.newCreated ?? '');
  if (Number.isNaN(before) || Number.isNaN(after)) return 'unknown';
  return after >= before ? `${formatAge(after - before)} newer` : `${formatAge(before - after)} older`;
}

const changeKey = (c: ImageChange): string => `${c.image}\n${c.oldDigest ?? ''}\n${c.newDigest}`;

/**
 * One change per image and digests: the places of changes that write the same digest over the same one are merged
 * (sorted by file, then line, each once), and the changes sorted by image, then file, then digests.
 */
export function mergeChanges(changes: readonly ImageChange[]): ImageChange[] {
  const merged = new Map<string, ImageChange>();
  for (const change of changes) {
    const key = changeKey(change);
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, { ...change, places: [...change.places] });
      continue;
    }
    seen.places.push(...change.places);
    if (seen.oldCreated === undefined && change.oldCreated !== undefined) seen.oldCreated = change.oldCreated;
    if (seen.newCreated === undefined && change.newCreated !== undefined) seen.newCreated = change.newCreated;
  }
  const result = [...merged.values()];
  for (const change of result) {
    change.places = change.places
      .sort((a, b) => byCodeUnits(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0))
      .filter((p, i, all) => i === 0 || p.file !== all[i - 1]!.file || p.line !== all[i - 1]!.line);
  }
  const firstFile = (c: ImageChange): string => c.places[0]?.file ?? '';
  return result.sort(
    (a, b) =>
      byCodeUnits(a.image, b.image) ||
      byCodeUnits(firstFile(a), firstFile(b)) ||
      byCodeUnits(a.oldDigest ?? '', b.oldDigest ?? '') ||
      byCodeUnits(a.newDigest, b.newDigest),
  );
}

/**
 * The change table: one row per image (and digests), with both digests shortened, both images' build days, how far
 * apart they are, and the `file:line` places. Rows are merged and sorted (mergeChanges); '' when there is none.
 */
export function changesTable(changes: readonly ImageChange[]): string {
  if (changes.length === 0) return '';
  const rows = mergeChanges(changes).map((change) => [
    cellCode(change.image),
    change.oldDigest === null ? 'new pin' : cellCode(shortDigest(change.oldDigest)),
    cellCode(shortDigest(change.newDigest)),
    change.oldDigest === null ? NONE : (day(change.oldCreated) ?? 'unknown'),
    day(change.newCreated) ?? 'unknown',
    gap(change),
    change.places.length === 0
      ? NONE
      : change.places.map((p) => cellCode(p.line === undefined ? p.file : `${p.file}:${p.line}`)).join(', '),
  ]);
  return `${table(
    ['image', 'old digest', 'new digest', 'old image built', 'new image built', 'gap', 'places'],
    ['---', '---', '---', '---', '---', '---', '---'],
    rows,
  )}\n`;
}

/** `- \`file:line\`: message`, sorted by file then line (a whole file's problem first). */
function problemList(problems: readonly ReportProblem[]): string {
  return [...problems]
    .sort((a, b) => byCodeUnits(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0))
    .map((p) => `- ${codeSpan(p.line === undefined ? p.file : `${p.file}:${p.line}`)}: ${cellText(p.message)}`)
    .join('\n');
}

/** `pin --format markdown`: the summary, the change table, then the problems. */
export function formatPinMarkdown(report: PinReport): string {
  const out = [`## ${PRODUCT_NAME} ${report.command}`, report.summary];
  const changes = changesTable(report.changes);
  if (changes !== '') out.push(changes.trimEnd());
  if (report.problems.length > 0) out.push('### Problems', problemList(report.problems));
  return `${out.join('\n\n')}\n`;
}
