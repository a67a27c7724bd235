// Newer versions of a reference's tag, for people: the hover's "Newer:" line and the "Update to …" quick fixes.
// Pure: the offers come from lookup/newer.ts (the registry's tag list, each offered tag's digest and build date).
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { offerDigest, type Newer } from '../lookup/newer';
import type { ImageReference } from '../references/types';
import { explain, type Result } from '../registry/index';
import { codeSpan, escapeMarkdown } from '../shared/markdown';
import { formatAge, shortDigest } from '../shared/text';
import { upgradeEdits, type TextEdit } from './edits';

/** `built 3 days ago`, or null when the registry gave no date. */
function builtAgo(created: string | undefined, now: number): string | null {
  const at = created === undefined ? NaN : Date.parse(created);
  if (Number.isNaN(at)) return null;
  return at > now ? `built on ${new Date(at).toISOString().slice(0, 10)}` : `built ${formatAge(now - at)} ago`;
}

/**
 * The hover's line: "Newer: `3.12.8-slim` (patch) — `sha256:1a2b3c4d…` built 3 days ago; `3.13.1-slim` (minor) …".
 * Nothing when the tag is not a version or nothing newer exists; the list's error in a few words.
 */
export function newerHoverLines(newer: Result<Newer> | null | undefined, now: number): string[] {
  if (newer === null || newer === undefined) return [];
  if (!newer.ok)
    return newer.error.kind === 'cancelled' || newer.error.kind === 'offline'
      ? []
      : [`Newer versions unknown: ${escapeMarkdown(explain(newer.error))}.`];
  const { offers, truncated } = newer.value;
  const capped = truncated ? ' (the repository has more tags than were read: a newer one may be missing)' : '';
  if (offers.length === 0) return truncated ? [`No newer version among the tags read${capped}.`] : [];
  const items = offers.map((offer) => {
    const head = `${codeSpan(offer.tag)} (${offer.level})`;
    const resolution = offer.resolution;
    if (resolution === undefined) return head;
    if (!resolution.ok) return `${head} — not looked up: ${escapeMarkdown(explain(resolution.error))}`;
    const built = builtAgo(resolution.value.created, now);
    return `${head} — ${codeSpan(shortDigest(resolution.value.digest))}${built === null ? '' : ` ${built}`}`;
  });
  return [`**Newer:** ${items.join('; ')}${capped}.`];
}

/** "Update to 3.12.8-slim@sha256:1a2b…" for each offer with a digest whose edit can be made; none otherwise. */
export function upgradeActions(
  ref: ImageReference,
  newer: Result<Newer> | null | undefined,
  /** The reference's `outdated` diagnostics, which the actions fix. */
  diagnostics: readonly Diagnostic[],
  edit: (edits: TextEdit[]) => CodeAction['edit'],
): CodeAction[] {
  if (!newer?.ok || ref.ignored || ref.localBuild) return [];
  const out: CodeAction[] = [];
  for (const offer of newer.value.offers) {
    const digest = offerDigest(offer);
    if (digest === undefined) continue;
    const edits = upgradeEdits(ref, offer.tag, digest);
    if (!edits.ok) continue;
    out.push({
      title: `Update to ${offer.tag}@${shortDigest(digest)} (${offer.level})`,
      kind: 'quickfix',
      diagnostics: [...diagnostics],
      edit: edit(edits.edits),
    });
  }
  return out;
}
