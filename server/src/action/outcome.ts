// What one CLI run said, read back from its output: the JSON report of `check`, the change and problem lines of `pin`
// (the line formats README.md documents), the words of any other command. Then the annotations and the count of
// findings the action reports for it. Pure.
import type { JsonReport } from '../cli/output/json';
import type { Severity } from '../shared/rules';
import { annotation, type AnnotationLevel } from './workflowCommands';

/**
 * `Dockerfile:3:18 pinned python:3.12-slim@sha256:…`, `… updated …@sha256:… (was sha256:0123456789ab…)` or
 * (`--upgrade`) `… upgraded python:3.12.8-slim@sha256:… (was 3.12.7-slim)`.
 */
export interface ChangeLine {
  file: string;
  line: number;
  column: number;
  kind: 'pinned' | 'updated' | 'upgraded';
  reference: string;
  was: string | null;
}

/** `digest-pin: Dockerfile:3:6: could not pin …`: a reference pin wanted to write and could not. */
export interface ProblemLine {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** A CLI run: argv, exit status and what it printed. */
export interface CliRun {
  argv: string[];
  status: number;
  stdout: string;
  stderr: string;
}

export type Outcome =
  | { command: 'check'; run: CliRun; report: JsonReport }
  | { command: 'pin'; run: CliRun; changes: ChangeLine[]; problems: ProblemLine[]; summary: string }
  /** `lock`, or a run whose output could not be read (a usage error): its words only. */
  | { command: 'other'; run: CliRun };

const CHANGE = /^(.+):(\d+):(\d+) (pinned|updated|upgraded) (\S+)(?: \(was (\S+)\))?$/;
const PROBLEM = /^digest-pin: (.+?):(\d+):(\d+): (.*)$/;

/** What a finished run said. A check whose stdout is not its JSON report (a usage error) is an `other`. */
export function outcomeOf(command: string, run: CliRun): Outcome {
  if (command === 'check') {
    const report = parseReport(run.stdout);
    return report === null ? { command: 'other', run } : { command: 'check', run, report };
  }
  if (command !== 'pin' || run.status === 2) return { command: 'other', run };
  const changes: ChangeLine[] = [];
  let summary = '';
  for (const text of run.stdout.split('\n')) {
    const m = CHANGE.exec(text);
    if (m === null) {
      if (text !== '') summary = text;
      continue;
    }
    const kind = m[4] as ChangeLine['kind'];
    changes.push({ file: m[1]!, line: +m[2]!, column: +m[3]!, kind, reference: m[5]!, was: m[6] ?? null });
  }
  const problems = run.stderr.split('\n').flatMap((text): ProblemLine[] => {
    const m = PROBLEM.exec(text);
    return m === null ? [] : [{ file: m[1]!, line: +m[2]!, column: +m[3]!, message: m[4]! }];
  });
  return { command: 'pin', run, changes, problems, summary };
}

function parseReport(stdout: string): JsonReport | null {
  try {
    const value = JSON.parse(stdout) as Partial<JsonReport> | null;
    return value?.version === 1 && Array.isArray(value.references) ? (value as JsonReport) : null;
  } catch {
    return null;
  }
}

const LEVEL: Record<Severity, AnnotationLevel> = {
  error: 'error',
  warning: 'warning',
  information: 'notice',
  hint: 'notice',
};

/** One workflow command per finding (check), per change and per problem (pin); none for other commands. */
export function annotationsOf(outcome: Outcome): string[] {
  switch (outcome.command) {
    case 'check': {
      const { references, notes } = outcome.report;
      return [
        ...references.flatMap((ref) =>
          ref.diagnostics.map((d) =>
            annotation(LEVEL[d.severity], d.message, {
              file: ref.file,
              line: ref.range.start.line + 1,
              col: ref.range.start.character + 1,
              endLine: ref.range.end.line + 1,
              endColumn: ref.range.end.character + 1,
              title: `digest-pin: ${d.code}`,
            }),
          ),
        ),
        ...notes.map((note) =>
          annotation(LEVEL[note.severity], note.message, {
            file: note.file,
            line: note.range === undefined ? undefined : note.range.start.line + 1,
            col: note.range === undefined ? undefined : note.range.start.character + 1,
            title: 'digest-pin',
          }),
        ),
      ];
    }
    case 'pin':
      return [
        ...outcome.changes.map((c) =>
          annotation('notice', `${c.kind} ${c.reference}${c.was === null ? '' : ` (was ${c.was})`}`, {
            file: c.file,
            line: c.line,
            col: c.column,
            title: `digest-pin: ${c.kind}`,
          }),
        ),
        ...outcome.problems.map((p) =>
          annotation('error', p.message, {
            file: p.file,
            line: p.line,
            col: p.column,
            title: 'digest-pin: not pinned',
          }),
        ),
      ];
    case 'other':
      return [];
  }
}

/**
 * The `findings` output. check: every finding of the report (its summary's errors, warnings, information and hints);
 * pin: the references it wrote plus those it could not (each one a finding check reports); other commands: 0.
 */
export function findingsOf(outcome: Outcome): number {
  switch (outcome.command) {
    case 'check': {
      const { errors, warnings, information, hints } = outcome.report.summary;
      return errors + warnings + information + hints;
    }
    case 'pin':
      return outcome.changes.length + outcome.problems.length;
    case 'other':
      return 0;
  }
}
