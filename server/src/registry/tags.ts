// Tag → digest: from the cache while fresh (or stale, refreshed in the background), else from the registry with a
// HEAD, or a GET and a hash of the exact bytes when the HEAD cannot say.

import { isValidDigest } from '../references/imageRef';
import { manifestInfo, schema1 } from './byDigest';
import type { TagEntry } from './cache';
import type { RegistryContext } from './context';
import { cancelled, fail, invalidResponse, notFound, offlineMiss } from './errors';
import { MANIFEST_LIMIT, header } from './http';
import {
  MANIFEST_ACCEPT,
  algorithmOf,
  baseMediaType,
  digestOf,
  isImageManifestType,
  isIndexType,
  isSchema1Type,
} from './manifest';
import type { Target } from './target';
import type { Result } from './types';

const REFRESH_BACKOFF_MS = 60_000;

export type TagAnswer = TagEntry & { fromCache: boolean; stale?: boolean };

export interface TagLookupOptions {
  /** Serve answers past their TTL at once and refresh them in the background. */
  staleWhileRevalidate: boolean;
  /** Runs a background refresh. */
  track: (work: Promise<unknown>) => void;
}

const tagKey = (target: Target, tag: string): string => `${target.registry}/${target.path}:${tag}`;

export class TagLookup {
  /** When a background refresh last failed, per tag key: a registry that is down is not asked on every hover. */
  private readonly refreshFailed = new Map<string, number>();

  constructor(
    private readonly ctx: RegistryContext,
    private readonly options: TagLookupOptions,
  ) {}

  async lookup(
    target: Target,
    tag: string,
    refresh: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Result<TagAnswer>> {
    const { cache, offline, now } = this.ctx;
    await cache.ready();
    const key = tagKey(target, tag);
    const found = refresh && !offline ? undefined : cache.lookupTag(key);
    if (found?.state === 'missing')
      return fail({ ...notFound(target.registry, `tag ${tag} of ${target.path}`), message: found.entry.message });
    if (found?.state === 'fresh') return { ok: true, value: { ...found.entry, fromCache: true } };
    if (found && (offline || (found.state === 'stale' && this.options.staleWhileRevalidate))) {
      const failedAt = this.refreshFailed.get(key);
      if (!offline && (failedAt === undefined || now() - failedAt >= REFRESH_BACKOFF_MS)) {
        // Stale-while-revalidate: answer now, refresh for next time.
        this.options.track(
          this.refresh(target, tag, undefined).then((r) => {
            if (r.ok || r.error.kind === 'not-found') this.refreshFailed.delete(key);
            else {
              this.refreshFailed.set(key, now());
              this.ctx.logger.debug?.(`${key}: background refresh failed: ${r.error.message}`);
            }
          }),
        );
      }
      return { ok: true, value: { ...found.entry, fromCache: true, stale: true } };
    }
    if (offline) return fail(offlineMiss(`${target.registry}/${target.path}:${tag}`));
    const result = await this.refresh(target, tag, signal);
    if (!result.ok) return result;
    return { ok: true, value: { ...result.value, fromCache: false } };
  }

  /** The tag's digest from the network (de-duplicated), stored in the cache. */
  private refresh(target: Target, tag: string, signal: AbortSignal | undefined): Promise<Result<TagEntry>> {
    const { cache, now } = this.ctx;
    const key = tagKey(target, tag);
    return this.ctx.inflight.run(
      `tag ${key}`,
      signal,
      async (shared) => {
        const result = await fetchTag(this.ctx, target, tag, shared);
        if (result.ok) {
          cache.storeTag(key, result.value);
          this.ctx.persist();
        } else if (result.error.kind === 'not-found') {
          cache.storeMissing(key, { message: result.error.message, checkedAt: now() });
          this.ctx.persist();
        }
        return result;
      },
      () => fail(cancelled(target.registry)),
    );
  }
}

/** Tag → digest: HEAD with the four types; GET and hash the exact bytes when HEAD cannot say. */
async function fetchTag(
  ctx: RegistryContext,
  target: Target,
  tag: string,
  signal: AbortSignal,
): Promise<Result<TagEntry>> {
  const { session, now } = ctx;
  const path = `/v2/${target.path}/manifests/${tag}`;
  const what = `tag ${tag} of ${target.path}`;
  const head = await session.send(
    target,
    { method: 'HEAD', path, accept: MANIFEST_ACCEPT, maxBytes: 0, what: 'manifest' },
    signal,
  );
  if (!head.ok) return head;
  const checkedAt = now();
  const h = head.value;
  if (h.status === 200) {
    const mediaType = baseMediaType(header(h.headers, 'content-type'));
    if (isSchema1Type(mediaType)) return fail(schema1(target));
    const digest = header(h.headers, 'docker-content-digest');
    if (digest !== undefined && isValidDigest(digest) && (isIndexType(mediaType) || isImageManifestType(mediaType))) {
      return { ok: true, value: { digest, mediaType: mediaType!, checkedAt } };
    }
    if (digest !== undefined && !isValidDigest(digest))
      ctx.logger.debug?.(`${target.registry}: malformed Docker-Content-Digest ignored; hashing the manifest`);
  } else if (h.status !== 405 && h.status !== 400 && h.status !== 501) {
    return fail(session.statusError(target, h, what, await session.loggedInTo(target)));
  }
  const get = await session.send(
    target,
    { method: 'GET', path, accept: MANIFEST_ACCEPT, maxBytes: MANIFEST_LIMIT, what: 'manifest' },
    signal,
  );
  if (!get.ok) return get;
  const g = get.value;
  if (g.status !== 200) return fail(session.statusError(target, g, what, await session.loggedInTo(target)));
  const stated = header(g.headers, 'docker-content-digest');
  const statedValid = stated !== undefined && isValidDigest(stated);
  const digest = digestOf(g.body, statedValid ? algorithmOf(stated) : 'sha256');
  if (statedValid && stated !== digest) {
    return fail(invalidResponse(target.registry, `manifest of ${tag} does not match its Docker-Content-Digest header`));
  }
  const info = manifestInfo(g.body, header(g.headers, 'content-type'), target);
  if (!info.ok) return info;
  ctx.cache.storeManifest(digest, info.value);
  return { ok: true, value: { digest, mediaType: info.value.mediaType, checkedAt: now() } };
}
