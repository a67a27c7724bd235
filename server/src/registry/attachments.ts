// Supply-chain attachments of a digest, presence only (nothing is verified): BuildKit attestation manifests in its
// index, what the OCI 1.1 referrers API lists for it, or — where the registry has no referrers API — cosign's tags
// `sha256-<hex>.sig`, `.att`, `.sbom` (one HEAD each). Kept by digest for the tag TTL (a signature can come later).
// Asked only when someone wants to see them (a hover, a described drift), never by a plain check of a tag.

import type { ManifestInfo } from './cache';
import type { RegistryContext } from './context';
import { cancelled, fail, offlineMiss } from './errors';
import { MANIFEST_LIMIT } from './http';
import { MANIFEST_ACCEPT, OCI_INDEX } from './manifest';
import { attachmentKindOf, normaliseAttachments, type Attachment, type AttachmentKind } from './provenance';
import type { Target } from './target';
import type { Result } from './types';

/** The cosign tag suffixes and what each holds. */
const COSIGN_TAGS: ReadonlyArray<[string, AttachmentKind]> = [
  ['sig', 'signature'],
  ['att', 'attestation'],
  ['sbom', 'sbom'],
];

/** Referrers listed at most (a registry could list thousands; presence needs a few). */
const MAX_REFERRERS = 100;

/** Attestation manifests an index carries (BuildKit's provenance and SBOM: which of them needs a GET each, not asked). */
export function indexAttachments(info: ManifestInfo): Attachment[] {
  return info.kind === 'index' && (info.children ?? []).some((c) => c.attestation)
    ? [{ kind: 'attestation', via: 'index' }]
    : [];
}

/** Everything found beside `digest`: from its index (free), then the referrers API or cosign's tags (cached). */
export async function findAttachments(
  ctx: RegistryContext,
  target: Target,
  digest: string,
  info: ManifestInfo,
  signal: AbortSignal | undefined,
): Promise<Result<Attachment[]>> {
  const own = indexAttachments(info);
  const key = `${target.registry}/${target.path}@${digest}`;
  const cached = ctx.cache.attachments(key);
  if (cached) return { ok: true, value: normaliseAttachments([...own, ...cached.found]) };
  if (ctx.offline) return fail(offlineMiss(`attachments of ${digest.slice(0, 19)}…`));
  const found = await ctx.inflight.run(
    `attachments ${key}`,
    signal,
    async (shared): Promise<Result<Attachment[]>> => {
      const referrers = await askReferrers(ctx, target, digest, shared);
      if (!referrers.ok) return referrers;
      const answer = referrers.value !== null ? referrers : await askCosignTags(ctx, target, digest, shared);
      if (!answer.ok) return answer;
      const value = normaliseAttachments(answer.value as Attachment[]);
      ctx.cache.storeAttachments(key, { found: value, checkedAt: ctx.now() });
      ctx.persist();
      return { ok: true, value };
    },
    () => fail(cancelled(target.registry)),
  );
  return found.ok ? { ok: true, value: normaliseAttachments([...own, ...found.value]) } : found;
}

/**
 * `GET /v2/<name>/referrers/<digest>`: the referrers' kinds, or null when the registry has no referrers API (404,
 * or an answer that is not an index, as a registry without the route may give). Any other failure is an error.
 */
async function askReferrers(
  ctx: RegistryContext,
  target: Target,
  digest: string,
  signal: AbortSignal,
): Promise<Result<Attachment[] | null>> {
  const got = await ctx.session.send(
    target,
    {
      method: 'GET',
      path: `/v2/${target.path}/referrers/${digest}`,
      accept: OCI_INDEX,
      maxBytes: MANIFEST_LIMIT,
      what: 'referrers list',
    },
    signal,
  );
  if (!got.ok) return got;
  const { status, body } = got.value;
  if (status === 404 || status === 405 || status === 400 || status === 501) return { ok: true, value: null };
  if (status !== 200)
    return fail(
      ctx.session.statusError(target, got.value, `referrers of ${digest}`, await ctx.session.loggedInTo(target)),
    );
  const listed = referrerTypes(body);
  return {
    ok: true,
    value: listed === null ? null : listed.map((type) => ({ kind: attachmentKindOf(type), via: 'referrers' })),
  };
}

/** The artifact types an OCI referrers answer lists (an image index), or null when the body is not one. */
export function referrerTypes(body: Buffer | string): string[] | null {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { manifests?: unknown }).manifests))
    return null;
  const types: string[] = [];
  for (const entry of (json as { manifests: unknown[] }).manifests.slice(0, MAX_REFERRERS)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { artifactType, mediaType } = entry as { artifactType?: unknown; mediaType?: unknown };
    const type = typeof artifactType === 'string' ? artifactType : typeof mediaType === 'string' ? mediaType : '';
    types.push(type.slice(0, 255));
  }
  return types;
}

/** One HEAD per cosign tag (`sha256-<hex>.sig` …): 200 found, 404 not; anything else fails the look-up. */
async function askCosignTags(
  ctx: RegistryContext,
  target: Target,
  digest: string,
  signal: AbortSignal,
): Promise<Result<Attachment[]>> {
  const tagBase = digest.replace(':', '-');
  const found: Attachment[] = [];
  for (const [suffix, kind] of COSIGN_TAGS) {
    const head = await ctx.session.send(
      target,
      {
        method: 'HEAD',
        path: `/v2/${target.path}/manifests/${tagBase}.${suffix}`,
        accept: MANIFEST_ACCEPT,
        maxBytes: 0,
        what: 'manifest',
      },
      signal,
    );
    if (!head.ok) return head;
    if (head.value.status === 200) found.push({ kind, via: 'cosign-tag' });
    else if (head.value.status !== 404)
      return fail(
        ctx.session.statusError(target, head.value, `tag ${tagBase}.${suffix}`, await ctx.session.loggedInTo(target)),
      );
  }
  return { ok: true, value: found };
}
