// Files → references → findings: the report every output format prints.
// One file's trouble (unreadable, a bug in an extractor) is recorded for that file and the rest are still checked.
import { readFileSync } from 'node:fs';
import { atLeast, diagnose, SEVERITIES, type Finding, type Severity } from '../features/diagnostics';
import { findReferences, MAX_FILE_BYTES, tooLargeNote } from '../references/index';
import type { ExtractResult, FileNote, ImageReference, Position } from '../references/types';
import type { FailOn } from './args';
import { couldNotRead, isSystemError, type WalkedFile, type WalkProblem } from './walk';

export interface CheckedReference {
  file: string;
  reference: ImageReference;
  findings: Finding[];
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

type Extract = (path: string, text: string) => ExtractResult;

export interface CheckOptions {
  /** What the walk could not read: reported with the files' own failures. */
  problems?: readonly WalkProblem[];
  /** The engine; replaceable so tests can make it fail. */
  extract?: Extract;
}

/**
 * Online mode (registry work) adds a step between extraction and diagnose(): resolve each reference to a
 * `Resolution` (features/diagnostics.ts) and pass it on. Until then every check is static.
 */
export function checkFiles(files: readonly WalkedFile[], options: CheckOptions = {}): Report {
  const { problems = [], extract = findReferences } = options;
  const report: Report = { files: 0, references: [], notes: [], failures: [...problems] };
  for (const walked of files) {
    try {
      const { references, notes } = checkOne(walked, extract);
      report.files++;
      for (const reference of sortByPosition(references)) {
        report.references.push({ file: walked.file, reference, findings: diagnose(reference) });
      }
      for (const note of notes) report.notes.push({ file: walked.file, ...note });
    } catch (error) {
      report.failures.push({ file: walked.file, message: describeFailure(error) });
    }
  }
  return report;
}

function checkOne(walked: WalkedFile, extract: Extract): { references: ImageReference[]; notes: FileNote[] } {
  // Decided before reading: a multi-gigabyte file would exhaust memory long before the engine could skip it.
  if (walked.size > MAX_FILE_BYTES) return { references: [], notes: [tooLargeNote(walked.size)] };
  const text = readFileSync(walked.path, 'utf8');
  const result = extract(walked.path, text);
  if (result.kind === null) return { references: [], notes: [{ severity: 'information', message: NOT_RECOGNISED }] };
  return result;
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
  const summary: Summary = { files: report.files, references: report.references.length, errors: 0, warnings: 0, information: 0, hints: 0 };
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
