// The Markdown the action writes to the step summary (and gives as its `report` output, a pull request's body).
// One function, summaryOf: when the CLI's own `--format markdown` lands, it is the one place to switch over.
import { plural } from '../shared/text';
import type { Outcome } from './outcome';

/** Text for a Markdown table cell: one line, no HTML, no table or emphasis syntax. */
export function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|])/g, '\\$1');
}

/** A fenced code block that no run of backticks in the text can close early. */
export function codeBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text.endsWith('\n') ? text : `${text}\n`}${fence}\n`;
}

const table = (header: string[], rows: string[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n') + '\n';

/** The step summary of a run, in Markdown. */
export function summaryOf(outcome: Outcome): string {
  const title = `## digest-pin ${outcome.run.argv[0] ?? ''}\n\n`;
  switch (outcome.command) {
    case 'check': {
      const { references, notes, summary } = outcome.report;
      const counts =
        `${plural(summary.files, 'file')}, ${plural(summary.references, 'reference')}: ${plural(summary.errors, 'error')}, ` +
        `${plural(summary.warnings, 'warning')}, ${summary.information} information`;
      const rows = [
        ...references.flatMap((ref) =>
          ref.diagnostics.map((d) => [
            cell(`${ref.file}:${ref.range.start.line + 1}:${ref.range.start.character + 1}`),
            d.severity,
            d.code,
            cell(d.message),
          ]),
        ),
        ...notes.map((note) => [cell(note.file), note.severity, '', cell(note.message)]),
      ];
      const findings = rows.length === 0 ? '' : `\n${table(['where', 'severity', 'code', 'message'], rows)}`;
      return `${title}${counts}\n${findings}`;
    }
    case 'pin': {
      const changes = outcome.changes.map((c) => [
        cell(`${c.file}:${c.line}:${c.column}`),
        c.kind,
        cell(c.reference),
        c.was === null ? '' : cell(c.was),
      ]);
      const problems = outcome.problems.map((p) => [cell(`${p.file}:${p.line}:${p.column}`), cell(p.message)]);
      return [
        `${title}${cell(outcome.summary)}\n`,
        changes.length === 0 ? '' : `\n${table(['where', 'change', 'reference', 'was'], changes)}`,
        problems.length === 0 ? '' : `\n**Not pinned**\n\n${table(['where', 'why'], problems)}`,
      ].join('');
    }
    case 'other': {
      const { stdout, stderr, status, argv } = outcome.run;
      // A command run with --format markdown reports itself (lock); its problems are on stderr, shown below it.
      if (argv.includes('markdown') && status !== 2 && stdout.startsWith('## '))
        return `${stdout}${stderr === '' ? '' : `\n${codeBlock(stderr)}`}`;
      const words = `${stdout}${stderr}`;
      return `${title}Exit status ${status}.\n${words === '' ? '' : `\n${codeBlock(words)}`}`;
    }
  }
}
