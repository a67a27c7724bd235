// Unified diff of one file, as `pin --dry-run` prints it: `git apply` and `patch -p1` accept it. Lines end at `\n`
// and keep their own terminators (a CRLF file's diff has CRLF lines, as GNU diff prints them); a last line without
// one is marked `\ No newline at end of file`.

export interface DiffOptions {
  /** Unchanged lines shown around each change. Default 3. */
  context?: number;
}

/** Splits text into lines that keep their `\n` (a `\r` before it stays in the line); the last may have none. */
export function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

interface Hunk {
  /** 0-based index of the first line shown, in both texts. */
  start: number;
  end: number;
}

/**
 * The unified diff from `before` to `after` for `file` ('' when they are equal). Pinning never adds or removes a
 * line, so lines are compared index by index; should the line counts ever differ, the whole file is one hunk,
 * which is still a correct diff.
 */
export function unifiedDiff(file: string, before: string, after: string, options: DiffOptions = {}): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const a = linesOf(before);
  const b = linesOf(after);
  const header = `--- a/${file}\n+++ b/${file}\n`;
  if (a.length !== b.length) return header + hunkText(a, b, 0, a.length, 0, b.length);

  const changed: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) changed.push(i);
  const hunks: Hunk[] = [];
  for (const i of changed) {
    const start = Math.max(0, i - context);
    const end = Math.min(a.length, i + context + 1);
    const last = hunks[hunks.length - 1];
    // Hunks whose context touches or overlaps are one hunk, as diff prints them.
    if (last !== undefined && start <= last.end) last.end = end;
    else hunks.push({ start, end });
  }
  return header + hunks.map((hunk) => hunkText(a, b, hunk.start, hunk.end, hunk.start, hunk.end)).join('');
}

/** `@@ -l,n +l,n @@` (a count of 1 is left out, as GNU diff does), then the lines. */
function hunkText(
  a: readonly string[],
  b: readonly string[],
  aStart: number,
  aEnd: number,
  bStart: number,
  bEnd: number,
): string {
  const range = (start: number, count: number): string =>
    count === 1 ? `${start + 1}` : `${count === 0 ? start : start + 1},${count}`;
  let out = `@@ -${range(aStart, aEnd - aStart)} +${range(bStart, bEnd - bStart)} @@\n`;
  if (a.length === b.length && aStart === bStart && aEnd === bEnd) {
    // Index-aligned: unchanged lines once as context, each changed line as - then +.
    for (let i = aStart; i < aEnd; i++) {
      if (a[i] === b[i]) out += line(' ', a[i]!);
      else out += line('-', a[i]!) + line('+', b[i]!);
    }
    return out;
  }
  for (let i = aStart; i < aEnd; i++) out += line('-', a[i]!);
  for (let i = bStart; i < bEnd; i++) out += line('+', b[i]!);
  return out;
}

function line(prefix: string, text: string): string {
  return text.endsWith('\n') ? `${prefix}${text}` : `${prefix}${text}\n\\ No newline at end of file\n`;
}
