// Words and numbers as every surface prints them: short digests, ages, counts. Plain, no imports.

/** `3 files`, `1 file`; `many` for irregular plurals (`1 drifted digest`, `2 drifted digests` need none). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `sha256:` and the first 12 hex digits, as `docker images` shows them. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return `${digest.slice(0, colon + 13)}…`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration as people say it, rounded down: "3 hours", "41 days", "5 months", "2 years". */
export function formatAge(ms: number): string {
  if (!(ms >= MINUTE)) return 'less than a minute';
  if (ms < HOUR) return plural(Math.floor(ms / MINUTE), 'minute');
  if (ms < 48 * HOUR) return plural(Math.floor(ms / HOUR), 'hour');
  if (ms < 90 * DAY) return plural(Math.floor(ms / DAY), 'day');
  if (ms < 730 * DAY) return plural(Math.floor(ms / (30 * DAY)), 'month');
  return plural(Math.floor(ms / (365 * DAY)), 'year');
}
