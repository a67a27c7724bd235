// A repository's tags (`GET /v2/<name>/tags/list`), for offering newer versions of a tag: every page the registry
// links to (`Link: <…>; rel="next"`), in no assumed order, bounded (pages, entries read, tags kept), and cached for
// hours by repository. Only the tags that look like versions are kept (references/versions.ts): a repository with
// 100,000 `sha-…` tags costs its pages once, not a cache file of them. Asked only for a tag that looks like a version
// (lookup/newer.ts decides), never for `latest`.

import { looksVersioned } from '../references/versions';
import { MAX_TAGS_KEPT, type TagListEntry } from './cache';
import type { RegistryContext } from './context';
import { cancelled, fail, invalidResponse, offlineMiss } from './errors';
import { MiB, header } from './http';
import type { Target } from './target';
import type { Result } from './types';

/** Entries asked for per page (`?n=`); a registry may send fewer and link to the rest. */
export const TAGS_PAGE_SIZE = 1000;
/** Pages followed at most: 50 × 1000 entries is more than any repository one bumps versions in. */
export const MAX_TAG_PAGES = 50;
/** Entries read at most, whatever the page size the registry chose. */
export const MAX_TAGS_READ = 50_000;
export { MAX_TAGS_KEPT };
/** The largest page accepted (a 1000-entry page of 128-character tags is ~130 KiB). */
const PAGE_LIMIT = 4 * MiB;

export type TagList = TagListEntry & { fromCache: boolean };

const listKey = (target: Target): string => `${target.registry}/${target.path}`;

/** The repository's version-looking tags, from the cache while fresh, else every page from the registry. */
export async function listTags(
  ctx: RegistryContext,
  target: Target,
  signal: AbortSignal | undefined,
): Promise<Result<TagList>> {
  await ctx.cache.ready();
  const key = listKey(target);
  const cached = ctx.cache.lookupTagList(key, ctx.offline);
  if (cached !== undefined) return { ok: true, value: { ...cached, fromCache: true } };
  if (ctx.offline) return fail(offlineMiss(`the tags of ${key}`));
  const result = await ctx.inflight.run(
    `tags/list ${key}`,
    signal,
    async (shared) => {
      const fetched = await fetchTagList(ctx, target, shared);
      if (fetched.ok) {
        ctx.cache.storeTagList(key, fetched.value);
        ctx.persist();
      }
      return fetched;
    },
    () => fail(cancelled(target.registry)),
  );
  return result.ok ? { ok: true, value: { ...result.value, fromCache: false } } : result;
}

async function fetchTagList(ctx: RegistryContext, target: Target, signal: AbortSignal): Promise<Result<TagListEntry>> {
  const { session } = ctx;
  const kept = new Set<string>();
  let path: string | null = `/v2/${target.path}/tags/list?n=${TAGS_PAGE_SIZE}`;
  let pages = 0;
  let read = 0;
  let truncated = false;
  while (path !== null) {
    if (pages >= MAX_TAG_PAGES || read >= MAX_TAGS_READ) {
      truncated = true;
      break;
    }
    const page = await session.send(
      target,
      { method: 'GET', path, accept: 'application/json', maxBytes: PAGE_LIMIT, what: 'tag list' },
      signal,
    );
    if (!page.ok) return page;
    const response = page.value;
    if (response.status !== 200) {
      const loggedIn = await session.loggedInTo(target);
      return fail(session.statusError(target, response, `the tag list of ${target.path}`, loggedIn));
    }
    const tags = parseTagsPage(response.body);
    if (tags === null)
      return fail(invalidResponse(target.registry, `the tag list of ${target.path} is not valid JSON`));
    pages++;
    read += tags.length;
    for (const tag of tags) {
      if (!looksVersioned(tag)) continue;
      if (kept.size >= MAX_TAGS_KEPT) {
        truncated = true;
        break;
      }
      kept.add(tag);
    }
    const next = nextPage(header(response.headers, 'link'), target);
    if (next === 'elsewhere') {
      // A next page on another host: no request (and no credential) goes there; what was read is what we have.
      truncated = true;
      break;
    }
    path = next;
  }
  if (truncated)
    ctx.logger.debug?.(`${listKey(target)}: tag list capped after ${pages} pages, ${read} tags (${kept.size} kept)`);
  return { ok: true, value: { tags: [...kept], truncated, checkedAt: ctx.now() } };
}

const TAG = /^[\w][\w.-]{0,127}$/;

/** `{"name": …, "tags": [...]}` → the tags that are valid tag strings; null when it is not that shape. */
export function parseTagsPage(body: Buffer): string[] | null {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const tags = (json as { tags?: unknown }).tags;
  // A repository without tags answers `"tags": null` (distribution) or leaves it out.
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags)) return null;
  return tags.filter((tag): tag is string => typeof tag === 'string' && TAG.test(tag));
}

/**
 * The path of the next page from a `Link` header (RFC 8288, as distribution sends it: `</v2/…?last=x&n=100>;
 * rel="next"`), relative or absolute; null when there is none; `elsewhere` when it points to another host.
 */
export function nextPage(link: string | undefined, target: Pick<Target, 'apiHost'>): string | null | 'elsewhere' {
  if (link === undefined) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!match) continue;
    const rels = /(?:^|;)\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2]!)?.[1]?.toLowerCase().split(/\s+/) ?? [];
    if (!rels.includes('next')) continue;
    let url: URL;
    try {
      url = new URL(match[1]!, `https://${target.apiHost}`);
    } catch {
      return null;
    }
    if (url.host.toLowerCase() !== target.apiHost.toLowerCase()) return 'elsewhere';
    return url.pathname.startsWith('/v2/') ? `${url.pathname}${url.search}` : null;
  }
  return null;
}
