// Position helpers for exact-range assertions: find a substring in a fixture and return its LSP range.
import { LineIndex } from '../../server/src/references/positions';
import type { Range } from '../../server/src/references/types';

/** Range of the `occurrence`-th (0-based) appearance of `needle` in `text`. Throws when absent: a fixture typo. */
export function rangeOf(text: string, needle: string, occurrence = 0): Range {
  let from = -1;
  for (let i = 0; i <= occurrence; i++) {
    from = text.indexOf(needle, from + 1);
    if (from < 0) throw new Error(`fixture does not contain ${JSON.stringify(needle)} (occurrence ${occurrence})`);
  }
  return new LineIndex(text).rangeOf(from, from + needle.length);
}

/** The substring a range covers, for asserting `text === slice(range)`. */
export function sliceRange(text: string, range: Range): string {
  const index = new LineIndex(text);
  return text.slice(index.offsetAt(range.start), index.offsetAt(range.end));
}
