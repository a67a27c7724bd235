// What changed when a tag moved: from what the pinned image and the one the tag points to now say about themselves
// (registry/provenance.ts) — version, base image, source revision (with a compare link on a known forge), platforms,
// build dates. Pure; the hover, the CLI's text, JSON and Markdown word the same value.
import { formatPlatform, type Description, type Provenance } from '../registry/index';

/** A source repository on a forge whose commit and compare pages are known. */
export interface Forge {
  kind: 'github' | 'gitlab';
  /** `https://github.com/o/r` */
  web: string;
}

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * The forge repository a source URL names: `https://github.com/o/r(.git)`, `git@github.com:o/r.git`,
 * `git+https://…`, `ssh://git@gitlab.com/g/sub/r.git`, a page under the repository (`/tree/main`, `/-/tree/main`).
 * Null for any other host or shape.
 */
export function forgeOf(source: string | undefined): Forge | null {
  if (source === undefined) return null;
  let text = source.trim().replace(/^git\+/, '');
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.*)$/.exec(text);
  if (scp) text = `https://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return null;
  const host = url.hostname.toLowerCase();
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (host === 'github.com' || host === 'www.github.com') {
    const repo = segments.slice(0, 2).map((s) => s.replace(/\.git$/, ''));
    return repo.length === 2 && repo.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')
      ? { kind: 'github', web: `https://github.com/${repo.join('/')}` }
      : null;
  }
  if (host === 'gitlab.com' || host === 'www.gitlab.com') {
    const end = segments.indexOf('-');
    const repo = (end === -1 ? segments : segments.slice(0, end)).map((s, i, all) =>
      i === all.length - 1 ? s.replace(/\.git$/, '') : s,
    );
    return repo.length >= 2 && repo.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')
      ? { kind: 'gitlab', web: `https://gitlab.com/${repo.join('/')}` }
      : null;
  }
  return null;
}

/** A revision that names a commit (hex, 7 to 64 digits): a link is built only for those. */
const isCommit = (revision: string | undefined): revision is string =>
  revision !== undefined && /^[0-9a-f]{7,64}$/i.test(revision);

/** The page of a commit on its forge, or null. */
export function commitLink(source: string | undefined, revision: string | undefined): string | null {
  const forge = forgeOf(source);
  if (forge === null || !isCommit(revision)) return null;
  return `${forge.web}${forge.kind === 'gitlab' ? '/-' : ''}/commit/${revision}`;
}

/** The page comparing two commits of one repository on its forge, or null (other repositories, not commits). */
export function compareLink(
  source: { before?: string; after?: string },
  before: string | undefined,
  after: string | undefined,
): string | null {
  const a = forgeOf(source.before ?? source.after);
  const b = forgeOf(source.after ?? source.before);
  if (a === null || b === null || a.web.toLowerCase() !== b.web.toLowerCase()) return null;
  if (!isCommit(before) || !isCommit(after)) return null;
  return `${b.web}${b.kind === 'gitlab' ? '/-' : ''}/compare/${before}...${after}`;
}

/** Old and new value of a field; `changed` says whether they differ (both unknown: the field is left out). */
export interface Change {
  before?: string;
  after?: string;
  changed: boolean;
}

/** What changed between the pinned image and the one the tag points to now; a field is absent when neither says. */
export interface WhatChanged {
  version?: Change;
  /** The base image: by `base.digest` when both say, else by `base.name`. */
  base?: Change & { beforeName?: string; afterName?: string };
  /** Source revisions, with links on a known forge. */
  revision?: Change & { compare?: string; beforeLink?: string; afterLink?: string };
  /** Present when both images' platforms are known. */
  platforms?: { added: string[]; removed: string[] };
  /** Build times (RFC 3339) and how far apart (ms, after − before) when both are known. */
  built?: { before?: string; after?: string; apartMs?: number };
}

function change(before: string | undefined, after: string | undefined): Change | undefined {
  if (before === undefined && after === undefined) return undefined;
  return {
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
    changed: before !== after,
  };
}

function baseChange(a: Provenance, b: Provenance): WhatChanged['base'] {
  const byDigest = a.baseDigest !== undefined && b.baseDigest !== undefined;
  const c = byDigest ? change(a.baseDigest, b.baseDigest) : change(a.baseName, b.baseName);
  if (c === undefined) return undefined;
  return {
    ...c,
    ...(byDigest && a.baseName !== undefined ? { beforeName: a.baseName } : {}),
    ...(byDigest && b.baseName !== undefined ? { afterName: b.baseName } : {}),
  };
}

function revisionChange(a: Provenance, b: Provenance): WhatChanged['revision'] {
  const c = change(a.revision, b.revision);
  if (c === undefined) return undefined;
  const compare = c.changed ? compareLink({ before: a.source, after: b.source }, a.revision, b.revision) : null;
  const beforeLink = commitLink(a.source ?? b.source, a.revision);
  const afterLink = commitLink(b.source ?? a.source, b.revision);
  return {
    ...c,
    ...(compare !== null ? { compare } : {}),
    ...(beforeLink !== null ? { beforeLink } : {}),
    ...(afterLink !== null ? { afterLink } : {}),
  };
}

/** The build time as the registry said (config `created`), else as the image labels it. */
const builtAt = (d: Description | undefined): string | undefined => d?.created ?? d?.provenance?.created;

/** What changed from `pinned` to `current` (either may be unknown: what is known of the other is kept). */
export function whatChanged(pinned: Description | undefined, current: Description | undefined): WhatChanged {
  const a = pinned?.provenance ?? {};
  const b = current?.provenance ?? {};
  const out: WhatChanged = {};
  const version = change(a.version, b.version);
  if (version) out.version = version;
  const base = baseChange(a, b);
  if (base) out.base = base;
  const revision = revisionChange(a, b);
  if (revision) out.revision = revision;
  if (pinned?.platforms !== undefined && current?.platforms !== undefined) {
    const before = pinned.platforms.map(formatPlatform);
    const after = current.platforms.map(formatPlatform);
    out.platforms = {
      added: after.filter((p) => !before.includes(p)),
      removed: before.filter((p) => !after.includes(p)),
    };
  }
  const builtBefore = builtAt(pinned);
  const builtAfter = builtAt(current);
  if (builtBefore !== undefined || builtAfter !== undefined) {
    const apart = Date.parse(builtAfter ?? '') - Date.parse(builtBefore ?? '');
    out.built = {
      ...(builtBefore !== undefined ? { before: builtBefore } : {}),
      ...(builtAfter !== undefined ? { after: builtAfter } : {}),
      ...(Number.isNaN(apart) ? {} : { apartMs: apart }),
    };
  }
  return out;
}

/** Whether there is anything to say. */
export const saysAnything = (changes: WhatChanged): boolean => Object.keys(changes).length > 0;
