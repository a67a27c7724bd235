// Pin drift: compares a `name:tag@digest` pin with what the tag points to now, and asks whether the pinned digest
// still exists. An error is never reported as gone.

import { isValidDigest, type ParsedImageRef } from '../references/imageRef';
import { imageDetails, manifestByDigest } from './byDigest';
import type { ManifestInfo } from './cache';
import type { RegistryContext } from './context';
import { cancelled, fail, invalidInput, offlineMiss, type RegistryError } from './errors';
import { header } from './http';
import { MANIFEST_ACCEPT, baseMediaType, isIndexType, platformMatches, type Platform } from './manifest';
import { resolve, toPlatform } from './resolve';
import type { TagLookup } from './tags';
import type { Target } from './target';
import type { PinStatus, Result } from './types';

export async function checkPin(
  ctx: RegistryContext,
  tags: TagLookup,
  ref: ParsedImageRef,
  opts: { platform?: string | Platform; signal?: AbortSignal } = {},
): Promise<PinStatus> {
  const { signal } = opts;
  const unknown = (error: RegistryError): PinStatus => ({ status: 'unknown', error });
  const pinned = ref.digest;
  if (pinned === null || !isValidDigest(pinned))
    return unknown(invalidInput(`${ref.name} has no valid digest to check`));
  if (ref.tag === null)
    return unknown(invalidInput(`${ref.name}@${pinned.slice(0, 19)}… has no tag to compare the digest with`));
  const wanted = toPlatform(opts.platform);
  if (!wanted.ok) return unknown(wanted.error);
  const t = ctx.session.targetOf(ref);
  if (!t.ok) return unknown(t.error);
  const target = t.value;

  const current = await resolve(ctx, tags, { ...ref, digest: null }, { ...(signal ? { signal } : {}) });
  if (!current.ok) return unknown(current.error);
  const tagDigest = current.value.digest;
  const checkedAt = current.value.checkedAt;
  if (tagDigest === pinned) return { status: 'current', digest: pinned, checkedAt };

  let index: ManifestInfo | undefined;
  if (isIndexType(current.value.mediaType)) {
    const got = await manifestByDigest(ctx, target, tagDigest, signal);
    if (!got.ok) return unknown(got.error);
    index = got.value;
    const children = (index.children ?? []).filter((c) => !c.attestation);
    const member = children.find((c) => c.digest === pinned);
    // A pinned platform manifest that is still a child of the tag's index is current.
    if (member && (!wanted.value || !member.platform || platformMatches(wanted.value, member.platform))) {
      return { status: 'current', digest: pinned, checkedAt };
    }
  }

  const exists = await digestExists(ctx, target, pinned, signal);
  if (!exists.ok) return unknown(exists.error);
  if (!exists.value.exists) return { status: 'gone', pinned, checkedAt: exists.value.checkedAt };

  let next = tagDigest;
  if (index && !isIndexType(exists.value.mediaType)) {
    // The pin is one platform's image: compare it with the same platform's child of the tag's index.
    let platform = wanted.value;
    if (!platform) {
      const info = await manifestByDigest(ctx, target, pinned, signal);
      const details = info.ok ? await imageDetails(ctx, target, info.value, signal) : undefined;
      if (details && !details.ok && details.error.kind === 'cancelled') return unknown(details.error);
      platform = details?.ok ? details.value.platform : undefined;
    }
    const child = platform
      ? (index.children ?? []).find((c) => c.platform && !c.attestation && platformMatches(platform, c.platform))
      : undefined;
    if (child) {
      if (child.digest === pinned) return { status: 'current', digest: pinned, checkedAt };
      next = child.digest;
    }
  }
  return { status: 'drifted', pinned, current: next, tagDigest, checkedAt };
}

/**
 * HEAD by digest: does the registry still have it? 404 → no; any other failure is an error, never "gone".
 * Answers are kept like tag answers (same TTLs, same store), so re-checking a pin within the TTL is free.
 */
export async function digestExists(
  ctx: RegistryContext,
  target: Target,
  digest: string,
  signal: AbortSignal | undefined,
): Promise<Result<{ exists: boolean; mediaType?: string; checkedAt: number }>> {
  const { cache, offline } = ctx;
  await cache.ready();
  const key = `${target.registry}/${target.path}@${digest}`;
  const found = cache.lookupTag(key);
  if (found?.state === 'missing') return { ok: true, value: { exists: false, checkedAt: found.entry.checkedAt } };
  if (found && (found.state === 'fresh' || offline)) {
    return { ok: true, value: { exists: true, mediaType: found.entry.mediaType, checkedAt: found.entry.checkedAt } };
  }
  if (offline)
    return fail(offlineMiss(`whether ${target.registry}/${target.path}@${digest.slice(0, 19)}… still exists`));
  return ctx.inflight.run(
    `exists ${key}`,
    signal,
    async (shared) => {
      const result = await headDigest(ctx, target, digest, shared);
      if (result.ok) {
        const checkedAt = ctx.now();
        if (result.value.exists)
          cache.storeTag(key, { digest, mediaType: result.value.mediaType ?? 'application/octet-stream', checkedAt });
        else cache.storeMissing(key, { message: `manifest ${digest} not found on ${target.registry}`, checkedAt });
        ctx.persist();
        return { ok: true, value: { ...result.value, checkedAt } };
      }
      return result;
    },
    () => fail(cancelled(target.registry)),
  );
}

/** HEAD, or a GET where the registry does not answer HEAD by digest. */
export async function headDigest(
  ctx: RegistryContext,
  target: Target,
  digest: string,
  signal: AbortSignal,
): Promise<Result<{ exists: boolean; mediaType?: string }>> {
  const { session } = ctx;
  const head = await session.send(
    target,
    {
      method: 'HEAD',
      path: `/v2/${target.path}/manifests/${digest}`,
      accept: MANIFEST_ACCEPT,
      maxBytes: 0,
      what: 'manifest',
    },
    signal,
  );
  if (!head.ok) return head;
  const { status } = head.value;
  if (status === 404) return { ok: true, value: { exists: false } };
  if (status === 200) {
    const mediaType = baseMediaType(header(head.value.headers, 'content-type'));
    return { ok: true, value: { exists: true, ...(mediaType ? { mediaType } : {}) } };
  }
  if (status === 405 || status === 400 || status === 501) {
    const info = await manifestByDigest(ctx, target, digest, signal);
    if (info.ok) return { ok: true, value: { exists: true, mediaType: info.value.mediaType } };
    if (info.error.kind === 'not-found' && info.error.status === 404) return { ok: true, value: { exists: false } };
    return info;
  }
  return fail(session.statusError(target, head.value, `manifest ${digest}`, await session.loggedInTo(target)));
}
