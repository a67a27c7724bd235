// Files → references → findings: the report every output format prints.
// One file's trouble (unreadable, a bug in an extractor) is recorded for that file and the rest are still checked.
import { readFileSync } from 'node:fs';
import { atLeast, defaultSeveritySetting, ruleFor, SEVERITIES, type Severity } from '../shared/rules';
import { inconsistencies, inconsistencyFinding } from '../features/consistency';
import { diagnose, type DiagnoseOptions, type Finding } from '../features/diagnostics';
import type { LockState } from '../lock/state';
import { type Online } from '../lookup/answer';
import type { Newer } from '../lookup/newer';
import type { Result } from '../registry/index';
import { findReferences, MAX_FILE_BYTES, tooLargeNote, type FindOptions } from '../references/index';
import { neighboursOf } from '../references/neighbours';
import type { ExtractResult, FileNote, ImageReference, Position } from '../references/types';
import type { FailOn, SeverityArgs } from './args';
import { couldNotRead, isSystemError, type WalkedFile, type WalkProblem } from './walk';

export interface CheckedReference {
  file: string;
  reference: ImageReference;
  findings: Finding[];
  /** What the registry (or the cache) said, when it was asked (about the locked digest, for a locked reference). */
  online?: Online;
  /** The digest the applicable lock file records for the reference, and that lock (as outputs show paths). */
  locked?: { digest: string; lock: string };
  /** Newer versions of its tag, when they were asked for (`--severity outdated=…`). */
  newer?: Result<Newer>;
}

export interface ReportNote extends FileNote {
  file: string;
}

export interface Report {
  /** Files read (including those that only produced a note). */
  files: number;
  /** In file order, then document order. */
  references: CheckedReference[];
  /** What the engine said about a whole file: parse errors, skipped binary or huge files. */
  notes: ReportNote[];
  /** Files that could not be checked at all; printed on stderr and counted as errors. */
  failures: WalkProblem[];
}

export interface Summary {
  files: number;
  references: number;
  errors: number;
  warnings: number;
  information: number;
  hints: number;
}

export const NOT_RECOGNISED =
  'not recognised as a Dockerfile, compose file, Kubernetes manifest or CI configuration; nothing was checked';

type Extract = (path: string, text: string, options?: FindOptions) => ExtractResult;

export interface ReadOptions {
  /** What the walk could not read: reported with the files' own failures. */
  problems?: readonly WalkProblem[];
  /** The engine; replaceable so tests can make it fail. */
  extract?: Extract;
  /** Keep each file's bytes (pin rewrites them; check does not need them). */
  keepBytes?: boolean;
}

/** One file as the engine read it. */
export interface ReadFile {
  walked: WalkedFile;
  /** In document order. */
  references: ImageReference[];
  notes: FileNote[];
  /** The exact bytes the references were found in (with `keepBytes`). */
  bytes?: Buffer;
}

export interface ReadResult {
  files: ReadFile[];
  failures: WalkProblem[];
}

/** Reads and extracts every file. One file's trouble (unreadable, a bug in an extractor) is recorded for that file. */
export function readFiles(files: readonly WalkedFile[], options: ReadOptions = {}): ReadResult {
  const { problems = [], extract = findReferences, keepBytes = false } = options;
  const result: ReadResult = { files: [], failures: [...problems] };
  for (const walked of files) {
    try {
      const { references, notes, bytes } = readOne(walked, extract);
      result.files.push({
        walked,
        references: sortByPosition(references),
        notes,
        ...(keepBytes && bytes ? { bytes } : {}),
      });
    } catch (error) {
      result.failures.push({ file: walked.file, message: describeFailure(error) });
    }
  }
  return result;
}

/** Every reference of a read, in file order then document order. */
export const allReferences = (read: ReadResult): ImageReference[] => read.files.flatMap((file) => file.references);

export interface DiagnoseAllOptions extends Omit<DiagnoseOptions, 'lock' | 'newer'> {
  /** `--severity CODE=LEVEL`: a code's severity or `off`; a code not given keeps its rule's (`outdated`: off). */
  severity?: SeverityArgs;
  /** The newer versions of references' tags, when asked for. */
  newer?: ReadonlyMap<ImageReference, Result<Newer>>;
}

/** Whether `check` reports a code at all (`outdated` only when `--severity outdated=…` turns it on). */
export const codeEnabled = (code: Finding['code'], severity: SeverityArgs = {}): boolean =>
  (severity[code] ?? defaultSeveritySetting(ruleFor(code))) !== 'off';

/** A finding at its `--severity`, or null when its code is off; left at the rule's, a finding keeps its own. */
function withSeverity(finding: Finding, severity: SeverityArgs): Finding | null {
  const setting = severity[finding.code] ?? defaultSeveritySetting(ruleFor(finding.code));
  if (setting === 'off') return null;
  return setting === ruleFor(finding.code).severity ? finding : { ...finding, severity: setting };
}

/** Findings for every reference, with what the registry said about those it was asked about. */
export function diagnoseAll(
  read: ReadResult,
  online: ReadonlyMap<ImageReference, Online> = new Map(),
  options: DiagnoseAllOptions = {},
  locks: ReadonlyMap<ImageReference, LockState> = new Map(),
): Report {
  const { severity = {}, newer: newerOf, ...diagnoseOptions } = options;
  const report: Report = { files: read.files.length, references: [], notes: [], failures: read.failures };
  for (const { walked, references, notes } of read.files) {
    for (const reference of references) {
      const answer = online.get(reference);
      const lock = locks.get(reference);
      const newer = newerOf?.get(reference);
      const findings = diagnose(reference, answer, { ...diagnoseOptions, lock, ...(newer ? { newer } : {}) });
      report.references.push({
        file: walked.file,
        reference,
        findings: findings.flatMap((found) => withSeverity(found, severity) ?? []),
        ...(answer !== undefined ? { online: answer } : {}),
        ...(lock?.kind === 'locked' ? { locked: { digest: lock.digest, lock: lock.lock } } : {}),
        ...(newer !== undefined ? { newer } : {}),
      });
    }
    for (const note of notes) report.notes.push({ file: walked.file, ...note });
  }
  addInconsistencies(report);
  return report;
}

/** `inconsistent-pin` across every file read: the same `name:tag` pinned to different digests. */
function addInconsistencies(report: Report): void {
  const places = report.references.map((checked) => ({
    file: checked.file,
    ref: checked.reference,
    checked,
    ...(checked.online === undefined ? {} : { online: checked.online }),
  }));
  for (const inconsistency of inconsistencies(places))
    inconsistency.place.checked.findings.push(inconsistencyFinding(inconsistency));
}

/** The offline check: files → findings, nothing asked of any registry. */
export function checkFiles(files: readonly WalkedFile[], options: ReadOptions = {}): Report {
  return diagnoseAll(readFiles(files, options));
}

function readOne(
  walked: WalkedFile,
  extract: Extract,
): { references: ImageReference[]; notes: FileNote[]; bytes?: Buffer } {
  // Decided before reading: a multi-gigabyte file would exhaust memory long before the engine could skip it.
  if (walked.size > MAX_FILE_BYTES) return { references: [], notes: [tooLargeNote(walked.size)] };
  const bytes = readFileSync(walked.path);
  const neighbours = neighboursOf(walked.path, readTextOrNull);
  const result = extract(walked.path, bytes.toString('utf8'), { neighbours });
  if (result.kind === null)
    return { references: [], notes: [{ severity: 'information', message: NOT_RECOGNISED }], bytes };
  return { references: result.references, notes: result.notes, bytes };
}

/** A neighbour's text (a Chart.yaml beside values), or null when it is not there or cannot be read. */
function readTextOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function describeFailure(error: unknown): string {
  if (isSystemError(error)) return couldNotRead(error);
  // Not an I/O error: a bug. Say so, with enough to report it, and go on with the other files.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return `internal error while checking this file (please report it): ${detail.split('\n').slice(0, 3).join(' ')}`;
}

const before = (a: Position, b: Position): number => a.line - b.line || a.character - b.character;

function sortByPosition(references: readonly ImageReference[]): ImageReference[] {
  return [...references].sort((a, b) => before(a.range.start, b.range.start));
}

/** The summary field that counts each severity. */
const COUNTED_IN: Record<Severity, 'errors' | 'warnings' | 'information' | 'hints'> = {
  error: 'errors',
  warning: 'warnings',
  information: 'information',
  hint: 'hints',
};

export function summarise(report: Report): Summary {
  const summary: Summary = {
    files: report.files,
    references: report.references.length,
    errors: 0,
    warnings: 0,
    information: 0,
    hints: 0,
  };
  const severities: Severity[] = [
    ...report.references.flatMap((checked) => checked.findings.map((finding) => finding.severity)),
    ...report.notes.map((note) => note.severity),
    ...report.failures.map((): Severity => 'error'),
  ];
  for (const severity of severities) summary[COUNTED_IN[severity]]++;
  return summary;
}

/** Exit status of `check`: 1 when anything is at or above the threshold, else 0. */
export function exitStatus(summary: Summary, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  return SEVERITIES.some((severity) => atLeast(severity, failOn) && summary[COUNTED_IN[severity]] > 0) ? 1 : 0;
}
