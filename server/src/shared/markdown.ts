// Markdown that shows text as written: the hover (features/hover.ts) and the CLI's `--format markdown`
// (cli/output/markdown.ts) print names, tags and messages that came from files and registries. Plain, no imports.

/** Backslash-escapes Markdown syntax and HTML, and folds line breaks: the text shows as written, never as markup. */
export function escapeMarkdown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/[\\`*_[\]()<>#!|~&]/g, '\\$&');
}

/** A code span that holds any text: a fence longer than the longest run of backticks inside it. */
export function codeSpan(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}
