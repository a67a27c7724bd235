// Metadata of a digest for hovers: platforms, runnable children, and when the image was built.

import { isValidDigest, type ParsedImageRef } from '../references/imageRef';
import { imageDetails, manifestByDigest } from './byDigest';
import type { RegistryContext } from './context';
import { clean, fail, invalidInput } from './errors';
import { indexPlatforms, platformMatches } from './manifest';
import type { Target } from './target';
import type { Description, Result } from './types';

export async function describe(
  ctx: RegistryContext,
  ref: Pick<ParsedImageRef, 'domain' | 'path'>,
  digest: string,
  opts: { signal?: AbortSignal } = {},
): Promise<Result<Description>> {
  const t = ctx.session.targetOf(ref);
  if (!t.ok) return t;
  if (!isValidDigest(digest)) return fail(invalidInput(`digest '${clean(digest, 80)}' is invalid`, t.value.registry));
  await ctx.cache.ready();
  return describeTarget(ctx, t.value, digest, opts.signal);
}

/** An index is dated by its default platform's image (else its first runnable one, else its own annotation). */
export async function describeTarget(
  ctx: RegistryContext,
  target: Target,
  digest: string,
  signal: AbortSignal | undefined,
): Promise<Result<Description>> {
  const manifest = await manifestByDigest(ctx, target, digest, signal);
  if (!manifest.ok) return manifest;
  const info = manifest.value;
  if (info.kind === 'index') {
    const runnable = (info.children ?? []).filter((c) => c.platform && !c.attestation);
    const children = runnable.map((c) => ({ digest: c.digest, mediaType: c.mediaType, platform: c.platform! }));
    const platforms = indexPlatforms(
      runnable.map((c) => ({
        digest: c.digest,
        mediaType: c.mediaType,
        ...(c.platform ? { platform: c.platform } : {}),
      })),
    );
    const dated = runnable.find((c) => platformMatches(ctx.defaultPlatform, c.platform!)) ?? runnable[0];
    let created = info.created;
    if (dated) {
      const child = await manifestByDigest(ctx, target, dated.digest, signal);
      if (!child.ok) return child;
      const details = await imageDetails(ctx, target, child.value, signal);
      if (!details.ok) return details;
      created = details.value.created ?? created;
    }
    return {
      ok: true,
      value: { digest, mediaType: info.mediaType, platforms, children, ...(created ? { created } : {}) },
    };
  }
  const details = await imageDetails(ctx, target, info, signal);
  if (!details.ok) return details;
  return {
    ok: true,
    value: {
      digest,
      mediaType: info.mediaType,
      ...(details.value.platform ? { platforms: [details.value.platform] } : {}),
      ...(details.value.created ? { created: details.value.created } : {}),
    },
  };
}
