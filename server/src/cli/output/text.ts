// Text for people: `file:line:col severity code message`, 1-based like compilers print, then a summary line.
// File-level notes have no code: `file[:line:col] severity message`. Failures are on stderr, not here. A tag-drift
// is followed by indented lines saying what changed (features/provenanceWords.ts).
import type { Severity } from '../../shared/rules';
import type { Position } from '../../references/types';
import type { Report, Summary } from '../check';
import { byCodeUnits } from '../walk';
import { plural } from '../../shared/text';
import { PLAIN, driftExplanation } from '../../features/provenanceWords';

export interface TextOptions {
  color: boolean;
}

const SEVERITY_COLOR: Record<Severity, string> = { error: '31', warning: '33', information: '36', hint: '2' };
const paint = (on: boolean, code: string, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

/** 1-based `line:col`; the column counts UTF-16 units, as the JSON ranges do. */
export const humanPosition = (position: Position): string => `${position.line + 1}:${position.character + 1}`;

interface Line {
  file: string;
  at: Position | null;
  text: string;
}

export function formatText(report: Report, summary: Summary, options: TextOptions): string {
  const { color } = options;
  const lines: Line[] = [];
  for (const note of report.notes) {
    const where = note.range ? `${note.file}:${humanPosition(note.range.start)}` : note.file;
    lines.push({
      file: note.file,
      at: note.range?.start ?? null,
      text: `${where} ${paint(color, SEVERITY_COLOR[note.severity], note.severity)} ${note.message}`,
    });
  }
  for (const { file, findings, online } of report.references) {
    for (const finding of findings) {
      const severity = paint(color, SEVERITY_COLOR[finding.severity], finding.severity);
      const code = paint(color, '2', finding.code);
      // A drift is explained on indented lines under it (what changed, what the new image has attached).
      const explained = finding.code === 'tag-drift' ? driftExplanation(online, PLAIN) : null;
      const more = [
        ...(explained && explained.changes.length > 0 ? [`  what changed: ${explained.changes.join('; ')}`] : []),
        ...(explained?.attachedNow ? [`  the new image has: ${explained.attachedNow}`] : []),
      ];
      lines.push({
        file,
        at: finding.range.start,
        text: [`${file}:${humanPosition(finding.range.start)} ${severity} ${code} ${finding.message}`, ...more].join(
          '\n',
        ),
      });
    }
  }
  // Notes first within a file (a parse error explains what follows), then by position; sort is stable.
  lines.sort((a, b) => byCodeUnits(a.file, b.file) || comparePositions(a.at, b.at));
  const ignored = report.references.filter((checked) => checked.reference.ignored).length;
  return [...lines.map((line) => line.text), summaryLine(summary, ignored)].join('\n') + '\n';
}

function comparePositions(a: Position | null, b: Position | null): number {
  if (a === null || b === null) return (a === null ? 0 : 1) - (b === null ? 0 : 1);
  return a.line - b.line || a.character - b.character;
}

/** "3 files, 12 references (1 ignored): 1 error, 8 warnings, 2 information". Hints only when there are some. */
export function summaryLine(summary: Summary, ignored = 0): string {
  const references = plural(summary.references, 'reference') + (ignored > 0 ? ` (${ignored} ignored)` : '');
  const counts = [
    plural(summary.errors, 'error'),
    plural(summary.warnings, 'warning'),
    `${summary.information} information`,
  ];
  if (summary.hints > 0) counts.push(plural(summary.hints, 'hint'));
  return `${plural(summary.files, 'file')}, ${references}: ${counts.join(', ')}`;
}
