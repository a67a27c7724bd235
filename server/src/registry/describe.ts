// Metadata of a digest for hovers: platforms, runnable children, when the image was built, what it says about itself
// (provenance, from what is fetched anyway) and, when asked, its supply-chain attachments (attachments.ts).

import { isValidDigest, type ParsedImageRef } from '../references/imageRef';
import { findAttachments } from './attachments';
import { imageDetails, manifestByDigest } from './byDigest';
import type { RegistryContext } from './context';
import { clean, fail, invalidInput } from './errors';
import { indexPlatforms, platformMatches } from './manifest';
import { isEmpty, provenanceOf } from './provenance';
import type { Target } from './target';
import type { Description, Result } from './types';

export async function describe(
  ctx: RegistryContext,
  ref: Pick<ParsedImageRef, 'domain' | 'path'>,
  digest: string,
  opts: { signal?: AbortSignal; attachments?: boolean } = {},
): Promise<Result<Description>> {
  const t = ctx.session.targetOf(ref);
  if (!t.ok) return t;
  if (!isValidDigest(digest)) return fail(invalidInput(`digest '${clean(digest, 80)}' is invalid`, t.value.registry));
  await ctx.cache.ready();
  const described = await describeTarget(ctx, t.value, digest, opts.signal);
  if (!described.ok || opts.attachments !== true) return described;
  const info = await manifestByDigest(ctx, t.value, digest, opts.signal); // cached by describeTarget
  if (!info.ok) return described;
  const found = await findAttachments(ctx, t.value, digest, info.value, opts.signal);
  if (found.ok) return { ok: true, value: { ...described.value, attachments: found.value } };
  if (found.error.kind === 'cancelled') return found;
  // The description stands without them; say why they are missing.
  ctx.logger.debug?.(`attachments of ${digest.slice(0, 19)}… unavailable: ${found.error.message}`);
  return described;
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
    let sources = [info.annotations];
    if (dated) {
      const child = await manifestByDigest(ctx, target, dated.digest, signal);
      if (!child.ok) return child;
      const details = await imageDetails(ctx, target, child.value, signal);
      if (!details.ok) return details;
      created = details.value.created ?? created;
      sources = [info.annotations, child.value.annotations, details.value.labels];
    }
    return {
      ok: true,
      value: {
        digest,
        mediaType: info.mediaType,
        platforms,
        children,
        ...(created ? { created } : {}),
        ...provenanceField(sources),
      },
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
      ...provenanceField([info.annotations, details.value.labels]),
    },
  };
}

function provenanceField(sources: Array<Record<string, string> | undefined>): Pick<Description, 'provenance'> {
  const provenance = provenanceOf(sources);
  return isEmpty(provenance) ? {} : { provenance };
}
