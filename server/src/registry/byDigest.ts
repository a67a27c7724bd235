// Manifests and image configs by digest: from the cache, else fetched, verified against the digest, and kept for ever
// (what a digest names never changes).

import type { ConfigInfo, ManifestInfo } from './cache';
import type { RegistryContext } from './context';
import { cancelled, fail, invalidResponse, offlineMiss, unsupported, type RegistryError } from './errors';
import { MANIFEST_LIMIT, header } from './http';
import {
  CREATED_ANNOTATION,
  MANIFEST_ACCEPT,
  algorithmOf,
  digestOf,
  isAttestation,
  parseConfig,
  parseManifest,
  type Platform,
} from './manifest';
import { provenanceKeys } from './provenance';
import type { Target } from './target';
import type { Result } from './types';

export const schema1 = (target: Target): RegistryError =>
  unsupported(
    target.registry,
    `${target.registry}/${target.path} is a Docker schema 1 manifest, which has no stable digest and cannot be pinned; push it again with a current Docker or buildx`,
  );

/** What the cache keeps of a manifest or index body. */
export function manifestInfo(body: Buffer, contentType: string | undefined, target: Target): Result<ManifestInfo> {
  const parsed = parseManifest(body, contentType);
  if (!parsed.ok) return fail(invalidResponse(target.registry, parsed.problem));
  const value = parsed.value;
  if (value.kind === 'schema1') return fail(schema1(target));
  if (value.kind === 'index') {
    return {
      ok: true,
      value: {
        kind: 'index',
        mediaType: value.mediaType,
        children: value.children.map((c) => ({
          digest: c.digest,
          mediaType: c.mediaType,
          ...(c.platform ? { platform: c.platform } : {}),
          ...(isAttestation(c) ? { attestation: true } : {}),
        })),
        ...(value.annotations[CREATED_ANNOTATION] ? { created: value.annotations[CREATED_ANNOTATION] } : {}),
        ...provenanceOfDocument(value.annotations),
      },
    };
  }
  return {
    ok: true,
    value: {
      kind: 'manifest',
      mediaType: value.mediaType,
      configDigest: value.config.digest,
      ...(value.annotations[CREATED_ANNOTATION] ? { created: value.annotations[CREATED_ANNOTATION] } : {}),
      ...provenanceOfDocument(value.annotations),
    },
  };
}

/** The provenance annotations of a manifest or index, as the cache keeps them (none: no field). */
function provenanceOfDocument(annotations: Record<string, string>): { annotations?: Record<string, string> } {
  const kept = provenanceKeys(annotations);
  return Object.keys(kept).length > 0 ? { annotations: kept } : {};
}

/** Manifest or index by digest: from the cache, else GET and verify the bytes hash to the digest. */
export async function manifestByDigest(
  ctx: RegistryContext,
  target: Target,
  digest: string,
  signal: AbortSignal | undefined,
): Promise<Result<ManifestInfo>> {
  const { cache, session } = ctx;
  const cached = cache.manifest(digest);
  if (cached) return { ok: true, value: cached };
  if (ctx.offline) return fail(offlineMiss(`manifest ${digest.slice(0, 19)}…`));
  return ctx.inflight.run(
    `manifest ${target.registry}/${target.path}@${digest}`,
    signal,
    async (shared) => {
      const get = await session.send(
        target,
        {
          method: 'GET',
          path: `/v2/${target.path}/manifests/${digest}`,
          accept: MANIFEST_ACCEPT,
          maxBytes: MANIFEST_LIMIT,
          what: 'manifest',
        },
        shared,
      );
      if (!get.ok) return get;
      if (get.value.status !== 200)
        return fail(session.statusError(target, get.value, `manifest ${digest}`, await session.loggedInTo(target)));
      if (digestOf(get.value.body, algorithmOf(digest)) !== digest) {
        return fail(invalidResponse(target.registry, `manifest body does not match the requested digest ${digest}`));
      }
      const info = manifestInfo(get.value.body, header(get.value.headers, 'content-type'), target);
      if (info.ok) {
        cache.storeManifest(digest, info.value);
        ctx.persist();
      }
      return info;
    },
    () => fail(cancelled(target.registry)),
  );
}

async function configByDigest(
  ctx: RegistryContext,
  target: Target,
  digest: string,
  signal: AbortSignal | undefined,
): Promise<Result<ConfigInfo>> {
  const { cache, session } = ctx;
  const cached = cache.config(digest);
  // An entry from before labels were kept is fetched again (a blob GET, not a Docker Hub pull) unless offline.
  if (cached && (cached.labels !== undefined || ctx.offline)) return { ok: true, value: cached };
  if (ctx.offline) return fail(offlineMiss(`image config ${digest.slice(0, 19)}…`));
  return ctx.inflight.run(
    `config ${target.registry}@${digest}`,
    signal,
    async (shared) => {
      const get = await session.send(
        target,
        { method: 'GET', path: `/v2/${target.path}/blobs/${digest}`, maxBytes: MANIFEST_LIMIT, what: 'image config' },
        shared,
      );
      if (!get.ok) return get;
      if (get.value.status !== 200)
        return fail(session.statusError(target, get.value, `image config ${digest}`, await session.loggedInTo(target)));
      if (digestOf(get.value.body, algorithmOf(digest)) !== digest) {
        return fail(invalidResponse(target.registry, `image config does not match its digest ${digest}`));
      }
      const parsed = parseConfig(get.value.body);
      if (!parsed) return fail(invalidResponse(target.registry, 'image config is not JSON'));
      const label = parsed.labels[CREATED_ANNOTATION];
      const info: ConfigInfo = {
        ...(parsed.created ? { created: parsed.created } : {}),
        ...(label && /^\d{4}-\d{2}-\d{2}T/.test(label) && !Number.isNaN(Date.parse(label))
          ? { labelCreated: label }
          : {}),
        ...(parsed.platform ? { platform: parsed.platform } : {}),
        labels: provenanceKeys(parsed.labels),
      };
      cache.storeConfig(digest, info);
      ctx.persist();
      return { ok: true, value: info };
    },
    () => fail(cancelled(target.registry)),
  );
}

export interface ImageDetails {
  created?: string;
  platform?: Platform;
  /** The config's provenance labels (provenance.ts). */
  labels?: Record<string, string>;
}

/** Creation time, platform and provenance labels of a single-platform image manifest. */
export async function imageDetails(
  ctx: RegistryContext,
  target: Target,
  info: ManifestInfo,
  signal: AbortSignal | undefined,
): Promise<Result<ImageDetails>> {
  if (info.kind !== 'manifest' || info.configDigest === undefined) return { ok: true, value: {} };
  const config = await configByDigest(ctx, target, info.configDigest, signal);
  if (!config.ok) return config;
  const created = config.value.created ?? info.created ?? config.value.labelCreated;
  const labels = config.value.labels;
  return {
    ok: true,
    value: {
      ...(created ? { created } : {}),
      ...(config.value.platform ? { platform: config.value.platform } : {}),
      ...(labels !== undefined && Object.keys(labels).length > 0 ? { labels } : {}),
    },
  };
}
