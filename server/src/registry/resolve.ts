// resolve(): tag → digest, the platform's child of a multi-arch tag, and (with `details`) platforms and build time.

import { effectiveTag, type ParsedImageRef } from '../references/imageRef';
import { imageDetails, manifestByDigest } from './byDigest';
import type { ChildInfo } from './cache';
import type { RegistryContext } from './context';
import { describeTarget } from './describe';
import { cancelled, fail, invalidInput, notFound } from './errors';
import { formatPlatform, isIndexType, parsePlatform, platformMatches, type Platform } from './manifest';
import type { TagLookup } from './tags';
import { isValidTag, type Target } from './target';
import type { Resolution, Result } from './types';

export interface ResolveOptions {
  /** `linux/arm64`: resolve to that platform's child of a multi-arch tag. */
  platform?: string | Platform;
  /** Also fetch platforms and creation time (costs GETs once per digest; cached for ever). */
  details?: boolean;
  /** Ignore a cached tag answer and ask the registry. */
  refresh?: boolean;
  signal?: AbortSignal;
}

export const toPlatform = (value: string | Platform | undefined): Result<Platform | undefined> => {
  if (value === undefined) return { ok: true, value: undefined };
  if (typeof value !== 'string') return { ok: true, value };
  const parsed = parsePlatform(value);
  return parsed
    ? { ok: true, value: parsed }
    : fail(invalidInput(`platform '${value}' is not os/architecture[/variant], e.g. linux/arm64`));
};

export async function resolve(
  ctx: RegistryContext,
  tags: TagLookup,
  ref: ParsedImageRef,
  opts: ResolveOptions = {},
): Promise<Result<Resolution>> {
  const { signal } = opts;
  if (signal?.aborted) return fail(cancelled(ref.domain));
  const t = ctx.session.targetOf(ref);
  if (!t.ok) return t;
  const target = t.value;
  const tag = effectiveTag(ref);
  if (tag === null)
    return fail(invalidInput(`${ref.name} has only a digest; there is no tag to resolve`, target.registry));
  if (!isValidTag(tag)) return fail(invalidInput(`tag '${tag}' is invalid`, target.registry));
  const wanted = toPlatform(opts.platform);
  if (!wanted.ok) return wanted;

  const entry = await tags.lookup(target, tag, opts.refresh === true, signal);
  if (!entry.ok) return entry;
  const e = entry.value;
  const resolution: Resolution = {
    digest: e.digest,
    mediaType: e.mediaType,
    checkedAt: e.checkedAt,
    fromCache: e.fromCache,
    ...(e.stale ? { stale: true } : {}),
  };

  if (wanted.value && isIndexType(e.mediaType)) {
    const child = await platformChild(ctx, target, tag, e.digest, wanted.value, signal);
    if (!child.ok) return child;
    resolution.indexDigest = e.digest;
    resolution.digest = child.value.digest;
    resolution.mediaType = child.value.mediaType;
  }

  if (opts.details) {
    if (ctx.session.hubBudgetLow(target) && !ctx.cache.manifest(resolution.digest)) {
      ctx.logger.debug?.(`docker.io pull budget low; skipping details for ${ref.name}:${tag}`);
    } else {
      const added = await addDetails(ctx, target, resolution, wanted.value !== undefined, `${ref.name}:${tag}`, signal);
      if (!added.ok) return added;
    }
  }
  return { ok: true, value: resolution };
}

/** The runnable child of the index for the platform; not found names the platforms there are. */
async function platformChild(
  ctx: RegistryContext,
  target: Target,
  tag: string,
  indexDigest: string,
  wanted: Platform,
  signal: AbortSignal | undefined,
): Promise<Result<ChildInfo>> {
  const index = await manifestByDigest(ctx, target, indexDigest, signal);
  if (!index.ok) return index;
  const runnable = (index.value.children ?? []).filter((c) => c.platform && !c.attestation);
  const child = runnable.find((c) => platformMatches(wanted, c.platform!));
  if (!child) {
    const available = runnable.map((c) => formatPlatform(c.platform!)).join(', ') || 'none';
    return fail(
      notFound(
        target.registry,
        `platform ${formatPlatform(wanted)} of ${target.path}:${tag}`,
        `available: ${available}`,
      ),
    );
  }
  return { ok: true, value: child };
}

/** Platforms and build time into the resolution; only cancellation fails it (the digest is the answer). */
async function addDetails(
  ctx: RegistryContext,
  target: Target,
  resolution: Resolution,
  platformWanted: boolean,
  name: string,
  signal: AbortSignal | undefined,
): Promise<Result<void>> {
  const described = await describeTarget(
    ctx,
    target,
    platformWanted && resolution.indexDigest ? resolution.indexDigest : resolution.digest,
    signal,
  );
  if (described.ok) {
    if (described.value.platforms) resolution.platforms = described.value.platforms;
    if (described.value.created) resolution.created = described.value.created;
    if (described.value.provenance) resolution.provenance = described.value.provenance;
    if (resolution.indexDigest) {
      // the chosen child's own date, not the default platform's
      const child = await manifestByDigest(ctx, target, resolution.digest, signal);
      const details = child.ok ? await imageDetails(ctx, target, child.value, signal) : undefined;
      if (details?.ok && details.value.created) resolution.created = details.value.created;
    }
  } else if (described.error.kind === 'cancelled') {
    return described;
  } else {
    // The digest is known; metadata is a bonus. Say why it is missing without failing the resolution.
    ctx.logger.debug?.(`${name}: details unavailable: ${described.error.message}`);
  }
  return { ok: true, value: undefined };
}
