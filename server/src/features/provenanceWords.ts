// Provenance, attachments and what changed, in words: one wording for every surface, which passes how code, text
// and links are written (plain for the CLI's text, escaped Markdown for the hover and the report). Every value came
// from a registry: it goes through `code`/`text`, and only links this module built or checked (http(s), no space,
// no bracket) become links.
import { describeAttachment, type Attachment, type Provenance } from '../registry/index';
import { shortDigest } from '../shared/text';
import { codeSpan, escapeMarkdown } from '../shared/markdown';
import type { Online } from '../lookup/answer';
import { commitLink, forgeOf, whatChanged, type Change, type WhatChanged } from './changes';

export interface Wording {
  code(text: string): string;
  text(text: string): string;
  link(label: string, url: string): string;
}

/** Plain text: links as `label (url)`. */
export const PLAIN: Wording = {
  code: (text) => text,
  text: (text) => text,
  link: (label, url) => `${label} (${url})`,
};

/** Markdown: every value escaped or in a code span; `label` is already written in Markdown. */
export const MARKDOWN: Wording = {
  code: codeSpan,
  text: escapeMarkdown,
  link: (label, url) => (isSafeLink(url) ? `[${label}](${url})` : label),
};

/** A URL that may be a Markdown link destination as is: http(s), nothing that ends or escapes it. */
export const isSafeLink = (url: string): boolean => /^https?:\/\/[^\s()<>\\[\]`"']+$/i.test(url);

/** A digest or revision as shown: a digest shortened, a commit to 12 digits. */
const shortRevision = (revision: string): string =>
  /^[0-9a-f]{13,64}$/i.test(revision) ? revision.slice(0, 12) : revision;
const shortValue = (value: string): string => (/^[a-z0-9]+:[0-9a-f]{32,}$/i.test(value) ? shortDigest(value) : value);

/** `version 1.2 · source o/r at abc123 · base debian:12 · title app · url …`: what an image says about itself. */
export function provenanceParts(p: Provenance | undefined, w: Wording): string[] {
  if (p === undefined) return [];
  const out: string[] = [];
  if (p.title !== undefined) out.push(`title ${w.code(p.title)}`);
  if (p.version !== undefined) out.push(`version ${w.code(p.version)}`);
  if (p.source !== undefined || p.revision !== undefined) {
    const forge = forgeOf(p.source);
    const source =
      p.source === undefined
        ? null
        : forge !== null
          ? w.link(w.text(forge.web.replace(/^https:\/\//, '')), forge.web)
          : w.code(p.source);
    const commit = commitLink(p.source, p.revision);
    const revision =
      p.revision === undefined
        ? null
        : commit !== null
          ? w.link(w.code(shortRevision(p.revision)), commit)
          : w.code(shortRevision(p.revision));
    out.push(
      source !== null && revision !== null
        ? `source ${source} at ${revision}`
        : source !== null
          ? `source ${source}`
          : `revision ${revision!}`,
    );
  }
  if (p.baseName !== undefined || p.baseDigest !== undefined) {
    const base = [p.baseName, p.baseDigest].filter((v): v is string => v !== undefined).map(shortValue);
    out.push(`base ${base.map((v) => w.code(v)).join(' ')}`);
  }
  if (p.url !== undefined) out.push(`url ${isSafeLink(p.url) ? w.link(w.text(p.url), p.url) : w.code(p.url)}`);
  return out;
}

/** `signature (cosign tag), SBOM (referrers API)`, or `none found` for an empty list; null when nobody asked. */
export function attachmentsText(found: readonly Attachment[] | undefined, w: Wording): string | null {
  if (found === undefined) return null;
  return found.length === 0 ? 'none found' : found.map((a) => w.text(describeAttachment(a))).join(', ');
}

function fromTo(c: Change, w: Wording, show: (v: string) => string = (v) => v): string {
  const side = (v: string | undefined): string => (v === undefined ? 'unknown' : w.code(show(v)));
  return c.changed ? `${side(c.before)} → ${side(c.after)}` : `${side(c.before)} (unchanged)`;
}

/**
 * What changed, one part each: version, base image, source revision, platforms. Not the build dates: every surface
 * says them already in the drift's own words (features/diagnostics.ts driftMessage, the hover's "The tag has moved").
 */
export function changeParts(changes: WhatChanged, w: Wording): string[] {
  const out: string[] = [];
  if (changes.version) out.push(`version ${fromTo(changes.version, w)}`);
  if (changes.base) {
    const { base } = changes;
    if (!base.changed) out.push('same base image');
    else if (base.beforeName !== undefined && base.beforeName === base.afterName)
      // The same base image name, another digest: it was rebuilt (a new patch release of debian:12, say).
      out.push(`base image ${w.code(base.beforeName)} updated: ${fromTo(base, w, shortValue)}`);
    else {
      const name = (digest: string | undefined, named: string | undefined) =>
        named ?? (digest === undefined ? undefined : shortValue(digest));
      out.push(
        `base image changed: ${fromTo({ ...base, before: name(base.before, base.beforeName), after: name(base.after, base.afterName) }, w)}`,
      );
    }
  }
  if (changes.revision) {
    const r = changes.revision;
    const words = `source revision ${fromTo(r, w, shortRevision)}`;
    out.push(r.compare !== undefined ? `${words} (${w.link('compare', r.compare)})` : words);
  }
  if (changes.platforms) {
    const { added, removed } = changes.platforms;
    const list = (ps: string[]): string => ps.map((p) => w.code(p)).join(', ');
    // The same platforms go unsaid: the platform list is right there.
    const said: string[] = [];
    if (added.length > 0) said.push(`added ${list(added)}`);
    if (removed.length > 0) said.push(`removed ${list(removed)}`);
    if (said.length > 0) out.push(`platforms ${said.join(', ')}`);
  }
  return out;
}

/**
 * What a drifted pin's answer says about the move (lookup/ask.ts describes both images for check): what changed,
 * and what is attached to the image the tag points to now. Empty for any other answer.
 */
export function driftExplanation(
  online: Online | undefined,
  w: Wording,
): { changes: string[]; attachedNow: string | null } {
  if (online?.kind !== 'pin' || online.status.status !== 'drifted' || online.described === undefined)
    return { changes: [], attachedNow: null };
  const { pinned, current } = online.described;
  const attached = current?.attachments;
  return {
    changes: changeParts(whatChanged(pinned, current), w),
    attachedNow: attached === undefined || attached.length === 0 ? null : attachmentsText(attached, w),
  };
}
