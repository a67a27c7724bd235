// The registry client: tag → digest (HEAD first, GET + hash when HEAD cannot say), platform children, metadata for
// hovers, drift checks of pins. Input is a parsed reference; output is a value or a RegistryError, never a throw.

import { effectiveTag, isValidDigest, type ParsedImageRef } from '../references/imageRef';
import { Inflight, RegistryCache, type ConfigInfo, type ManifestInfo, type TagEntry } from './cache';
import { dockerConfigCredentials, type CredentialSource } from './credentials';
import {
  cancelled,
  clean,
  fail,
  invalidInput,
  invalidResponse,
  notFound,
  offlineMiss,
  unsupported,
  type RegistryError,
} from './errors';
import { MANIFEST_LIMIT, createHttpTransport, header, silentLogger, type HttpTransport, type Logger } from './http';
import {
  CREATED_ANNOTATION,
  MANIFEST_ACCEPT,
  algorithmOf,
  baseMediaType,
  digestOf,
  formatPlatform,
  indexPlatforms,
  isAttestation,
  isImageManifestType,
  isIndexType,
  isSchema1Type,
  parseConfig,
  parseManifest,
  parsePlatform,
  platformMatches,
  type Platform,
} from './manifest';
import { RegistrySession } from './session';
import { isValidTag, type Target } from './target';
import type { Description, PinStatus, Resolution, Result } from './types';

export interface RegistryClientOptions {
  /** Where credentials come from. Default: the Docker CLI config ($DOCKER_CONFIG or ~/.docker). */
  credentials?: CredentialSource;
  /** Directory of the persistent cache; none keeps answers in memory only. */
  cacheDir?: string;
  /** Answer from the cache only; a miss is an `offline` error. */
  offline?: boolean;
  /** Wall clock in ms (injected in tests). */
  now?: () => number;
  logger?: Logger;
  /** Per-request timeout. Default 10 000 ms. */
  timeoutMs?: number;
  /** Retries on 5xx / 408 / network errors. Default 2. */
  retries?: number;
  retryBaseMs?: number;
  /** Concurrent requests per registry. Default 8. */
  concurrency?: number;
  /**
   * Registries reached without TLS verification: `host:port` (plain HTTP, never with credentials) or
   * `https://host:port` (HTTPS without certificate checks). Loopback registries need no entry.
   */
  insecureRegistries?: readonly string[];
  /** Platform whose image dates an index (`created`). Default linux/amd64. */
  defaultPlatform?: string;
  tagTtlMs?: number;
  missingTtlMs?: number;
  maxStaleMs?: number;
  /** Serve answers past their TTL at once and refresh them in the background. Default true. */
  staleWhileRevalidate?: boolean;
  /** Environment for proxies and the Docker config. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Docker Hub pulls left below which optional manifest GETs (details) are skipped. Default 10. */
  hubPullReserve?: number;
  /**
   * The cache file is written this long after the first answer that changed it (and on flush/close), not after every
   * answer: resolving 10,000 tags would otherwise read, merge and rewrite the whole file thousands of times. Default 2000.
   */
  cacheWriteDelayMs?: number;
  /** Transport override (tests). */
  http?: HttpTransport;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface ResolveOptions {
  /** `linux/arm64`: resolve to that platform's child of a multi-arch tag. */
  platform?: string | Platform;
  /** Also fetch platforms and creation time (costs GETs once per digest; cached for ever). */
  details?: boolean;
  /** Ignore a cached tag answer and ask the registry. */
  refresh?: boolean;
  signal?: AbortSignal;
}

export interface RegistryClient {
  resolve(ref: ParsedImageRef, options?: ResolveOptions): Promise<Result<Resolution>>;
  /** Platforms, children and creation time of a digest in a repository. */
  describe(
    ref: Pick<ParsedImageRef, 'domain' | 'path'>,
    digest: string,
    options?: { signal?: AbortSignal },
  ): Promise<Result<Description>>;
  /** Compares a `name:tag@digest` pin with what the tag points to now. */
  checkPin(ref: ParsedImageRef, options?: { platform?: string | Platform; signal?: AbortSignal }): Promise<PinStatus>;
  /** Docker Hub's pull budget as last reported (`ratelimit-*` headers), if seen. */
  rateLimit(registry: string): { limit?: number; remaining?: number } | undefined;
  /** Writes the persistent cache now. */
  flush(): Promise<void>;
  /** Waits for background refreshes, writes the cache, closes connections. */
  close(): Promise<void>;
}

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  const offline = options.offline === true;
  const swr = options.staleWhileRevalidate !== false;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const hubReserve = options.hubPullReserve ?? 10;
  const defaultPlatform = parsePlatform(options.defaultPlatform ?? 'linux/amd64') ?? {
    os: 'linux',
    architecture: 'amd64',
  };
  const http =
    options.http ??
    createHttpTransport({
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.random ? { random: options.random } : {}),
      env,
      now,
      logger,
    });
  const credentials = options.credentials ?? dockerConfigCredentials({ env, logger });
  const cache = new RegistryCache({
    ...(options.cacheDir !== undefined ? { dir: options.cacheDir } : {}),
    ...(options.tagTtlMs !== undefined ? { tagTtlMs: options.tagTtlMs } : {}),
    ...(options.missingTtlMs !== undefined ? { missingTtlMs: options.missingTtlMs } : {}),
    ...(options.maxStaleMs !== undefined ? { maxStaleMs: options.maxStaleMs } : {}),
    now,
    logger,
  });
  const inflight = new Inflight();
  const session = new RegistrySession({
    http,
    credentials,
    now,
    logger,
    concurrency,
    insecureRegistries: options.insecureRegistries ?? [],
    hubPullReserve: hubReserve,
  });
  const send = session.send.bind(session);
  const statusError = session.statusError.bind(session);
  const loggedInTo = session.loggedInTo.bind(session);
  const background = new Set<Promise<unknown>>();
  /** When a background refresh last failed, per tag key: a registry that is down is not asked on every hover. */
  const refreshFailed = new Map<string, number>();
  const REFRESH_BACKOFF_MS = 60_000;

  const track = (promise: Promise<unknown>): void => {
    const tracked = promise
      .catch((error: unknown) => logger.warn(`registry: background task failed: ${clean(String(error))}`))
      .finally(() => background.delete(tracked));
    background.add(tracked);
  };
  const writeDelayMs = Math.max(0, options.cacheWriteDelayMs ?? 2000);
  let writeTimer: ReturnType<typeof setTimeout> | undefined;
  const persist = (): void => {
    if (options.cacheDir === undefined || writeTimer !== undefined) return;
    writeTimer = setTimeout(() => {
      writeTimer = undefined;
      track(cache.flush());
    }, writeDelayMs);
    // A pending write never keeps a CLI run alive: close() writes what is left.
    writeTimer.unref?.();
  };
  const writeNow = (): Promise<void> => {
    if (writeTimer !== undefined) clearTimeout(writeTimer);
    writeTimer = undefined;
    return cache.flush();
  };

  // --- manifests -----------------------------------------------------------------------------------------------

  function manifestInfo(body: Buffer, contentType: string | undefined, target: Target): Result<ManifestInfo> {
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
      },
    };
  }

  const schema1 = (target: Target): RegistryError =>
    unsupported(
      target.registry,
      `${target.registry}/${target.path} is a Docker schema 1 manifest, which has no stable digest and cannot be pinned; push it again with a current Docker or buildx`,
    );

  /** Tag → digest: HEAD with the four types; GET and hash the exact bytes when HEAD cannot say. */
  async function fetchTag(target: Target, tag: string, signal: AbortSignal): Promise<Result<TagEntry>> {
    const path = `/v2/${target.path}/manifests/${tag}`;
    const what = `tag ${tag} of ${target.path}`;
    const head = await send(
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
        logger.debug?.(`${target.registry}: malformed Docker-Content-Digest ignored; hashing the manifest`);
    } else if (h.status !== 405 && h.status !== 400 && h.status !== 501) {
      return fail(statusError(target, h, what, await loggedInTo(target)));
    }
    const get = await send(
      target,
      { method: 'GET', path, accept: MANIFEST_ACCEPT, maxBytes: MANIFEST_LIMIT, what: 'manifest' },
      signal,
    );
    if (!get.ok) return get;
    const g = get.value;
    if (g.status !== 200) return fail(statusError(target, g, what, await loggedInTo(target)));
    const stated = header(g.headers, 'docker-content-digest');
    const statedValid = stated !== undefined && isValidDigest(stated);
    const digest = digestOf(g.body, statedValid ? algorithmOf(stated) : 'sha256');
    if (statedValid && stated !== digest) {
      return fail(
        invalidResponse(target.registry, `manifest of ${tag} does not match its Docker-Content-Digest header`),
      );
    }
    const info = manifestInfo(g.body, header(g.headers, 'content-type'), target);
    if (!info.ok) return info;
    cache.storeManifest(digest, info.value);
    return { ok: true, value: { digest, mediaType: info.value.mediaType, checkedAt: now() } };
  }

  /** Manifest or index by digest: from the cache, else GET and verify the bytes hash to the digest. */
  async function manifestByDigest(
    target: Target,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<Result<ManifestInfo>> {
    const cached = cache.manifest(digest);
    if (cached) return { ok: true, value: cached };
    if (offline) return fail(offlineMiss(`manifest ${digest.slice(0, 19)}…`));
    return inflight.run(
      `manifest ${target.registry}/${target.path}@${digest}`,
      signal,
      async (shared) => {
        const get = await send(
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
          return fail(statusError(target, get.value, `manifest ${digest}`, await loggedInTo(target)));
        if (digestOf(get.value.body, algorithmOf(digest)) !== digest) {
          return fail(invalidResponse(target.registry, `manifest body does not match the requested digest ${digest}`));
        }
        const info = manifestInfo(get.value.body, header(get.value.headers, 'content-type'), target);
        if (info.ok) {
          cache.storeManifest(digest, info.value);
          persist();
        }
        return info;
      },
      () => fail(cancelled(target.registry)),
    );
  }

  async function configByDigest(
    target: Target,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<Result<ConfigInfo>> {
    const cached = cache.config(digest);
    if (cached) return { ok: true, value: cached };
    if (offline) return fail(offlineMiss(`image config ${digest.slice(0, 19)}…`));
    return inflight.run(
      `config ${target.registry}@${digest}`,
      signal,
      async (shared) => {
        const get = await send(
          target,
          { method: 'GET', path: `/v2/${target.path}/blobs/${digest}`, maxBytes: MANIFEST_LIMIT, what: 'image config' },
          shared,
        );
        if (!get.ok) return get;
        if (get.value.status !== 200)
          return fail(statusError(target, get.value, `image config ${digest}`, await loggedInTo(target)));
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
        };
        cache.storeConfig(digest, info);
        persist();
        return { ok: true, value: info };
      },
      () => fail(cancelled(target.registry)),
    );
  }

  /** Creation time and platform of a single-platform image manifest. */
  async function imageDetails(
    target: Target,
    info: ManifestInfo,
    signal: AbortSignal | undefined,
  ): Promise<Result<{ created?: string; platform?: Platform }>> {
    if (info.kind !== 'manifest' || info.configDigest === undefined) return { ok: true, value: {} };
    const config = await configByDigest(target, info.configDigest, signal);
    if (!config.ok) return config;
    const created = config.value.created ?? info.created ?? config.value.labelCreated;
    return {
      ok: true,
      value: { ...(created ? { created } : {}), ...(config.value.platform ? { platform: config.value.platform } : {}) },
    };
  }

  async function describeTarget(
    target: Target,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<Result<Description>> {
    const manifest = await manifestByDigest(target, digest, signal);
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
      const dated = runnable.find((c) => platformMatches(defaultPlatform, c.platform!)) ?? runnable[0];
      let created = info.created;
      if (dated) {
        const child = await manifestByDigest(target, dated.digest, signal);
        if (!child.ok) return child;
        const details = await imageDetails(target, child.value, signal);
        if (!details.ok) return details;
        created = details.value.created ?? created;
      }
      return {
        ok: true,
        value: { digest, mediaType: info.mediaType, platforms, children, ...(created ? { created } : {}) },
      };
    }
    const details = await imageDetails(target, info, signal);
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

  // --- tags ----------------------------------------------------------------------------------------------------

  const tagKey = (target: Target, tag: string): string => `${target.registry}/${target.path}:${tag}`;

  /** The tag's digest from the network (de-duplicated), stored in the cache. */
  function refreshTag(target: Target, tag: string, signal: AbortSignal | undefined): Promise<Result<TagEntry>> {
    const key = tagKey(target, tag);
    return inflight.run(
      `tag ${key}`,
      signal,
      async (shared) => {
        const result = await fetchTag(target, tag, shared);
        if (result.ok) {
          cache.storeTag(key, result.value);
          persist();
        } else if (result.error.kind === 'not-found') {
          cache.storeMissing(key, { message: result.error.message, checkedAt: now() });
          persist();
        }
        return result;
      },
      () => fail(cancelled(target.registry)),
    );
  }

  async function lookupTag(
    target: Target,
    tag: string,
    refresh: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Result<TagEntry & { fromCache: boolean; stale?: boolean }>> {
    await cache.ready();
    const key = tagKey(target, tag);
    const found = refresh && !offline ? undefined : cache.lookupTag(key);
    if (found?.state === 'missing')
      return fail({ ...notFound(target.registry, `tag ${tag} of ${target.path}`), message: found.entry.message });
    if (found?.state === 'fresh') return { ok: true, value: { ...found.entry, fromCache: true } };
    if (found && (offline || (found.state === 'stale' && swr))) {
      const failedAt = refreshFailed.get(key);
      if (!offline && (failedAt === undefined || now() - failedAt >= REFRESH_BACKOFF_MS)) {
        // Stale-while-revalidate: answer now, refresh for next time.
        track(
          refreshTag(target, tag, undefined).then((r) => {
            if (r.ok || r.error.kind === 'not-found') refreshFailed.delete(key);
            else {
              refreshFailed.set(key, now());
              logger.debug?.(`${key}: background refresh failed: ${r.error.message}`);
            }
          }),
        );
      }
      return { ok: true, value: { ...found.entry, fromCache: true, stale: true } };
    }
    if (offline) return fail(offlineMiss(`${target.registry}/${target.path}:${tag}`));
    const result = await refreshTag(target, tag, signal);
    if (!result.ok) return result;
    return { ok: true, value: { ...result.value, fromCache: false } };
  }

  const toPlatform = (value: string | Platform | undefined): Result<Platform | undefined> => {
    if (value === undefined) return { ok: true, value: undefined };
    if (typeof value !== 'string') return { ok: true, value };
    const parsed = parsePlatform(value);
    return parsed
      ? { ok: true, value: parsed }
      : fail(invalidInput(`platform '${value}' is not os/architecture[/variant], e.g. linux/arm64`));
  };

  async function resolve(ref: ParsedImageRef, opts: ResolveOptions = {}): Promise<Result<Resolution>> {
    const { signal } = opts;
    if (signal?.aborted) return fail(cancelled(ref.domain));
    const t = session.targetOf(ref);
    if (!t.ok) return t;
    const target = t.value;
    const tag = effectiveTag(ref);
    if (tag === null)
      return fail(invalidInput(`${ref.name} has only a digest; there is no tag to resolve`, target.registry));
    if (!isValidTag(tag)) return fail(invalidInput(`tag '${tag}' is invalid`, target.registry));
    const wanted = toPlatform(opts.platform);
    if (!wanted.ok) return wanted;

    const entry = await lookupTag(target, tag, opts.refresh === true, signal);
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
      const index = await manifestByDigest(target, e.digest, signal);
      if (!index.ok) return index;
      const runnable = (index.value.children ?? []).filter((c) => c.platform && !c.attestation);
      const child = runnable.find((c) => platformMatches(wanted.value!, c.platform!));
      if (!child) {
        const available = runnable.map((c) => formatPlatform(c.platform!)).join(', ') || 'none';
        return fail(
          notFound(
            target.registry,
            `platform ${formatPlatform(wanted.value)} of ${target.path}:${tag}`,
            `available: ${available}`,
          ),
        );
      }
      resolution.indexDigest = e.digest;
      resolution.digest = child.digest;
      resolution.mediaType = child.mediaType;
    }

    if (opts.details) {
      if (session.hubBudgetLow(target) && !cache.manifest(resolution.digest)) {
        logger.debug?.(`docker.io pull budget low; skipping details for ${ref.name}:${tag}`);
      } else {
        const described = await describeTarget(
          target,
          wanted.value && resolution.indexDigest ? resolution.indexDigest : resolution.digest,
          signal,
        );
        if (described.ok) {
          if (described.value.platforms) resolution.platforms = described.value.platforms;
          if (described.value.created) resolution.created = described.value.created;
          if (resolution.indexDigest) {
            // the chosen child's own date, not the default platform's
            const child = await manifestByDigest(target, resolution.digest, signal);
            const details = child.ok ? await imageDetails(target, child.value, signal) : undefined;
            if (details?.ok && details.value.created) resolution.created = details.value.created;
          }
        } else if (described.error.kind === 'cancelled') {
          return described;
        } else {
          // The digest is known; metadata is a bonus. Say why it is missing without failing the resolution.
          logger.debug?.(`${ref.name}:${tag}: details unavailable: ${described.error.message}`);
        }
      }
    }
    return { ok: true, value: resolution };
  }

  async function describe(
    ref: Pick<ParsedImageRef, 'domain' | 'path'>,
    digest: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<Result<Description>> {
    const t = session.targetOf(ref);
    if (!t.ok) return t;
    if (!isValidDigest(digest)) return fail(invalidInput(`digest '${clean(digest, 80)}' is invalid`, t.value.registry));
    await cache.ready();
    return describeTarget(t.value, digest, opts.signal);
  }

  /**
   * HEAD by digest: does the registry still have it? 404 → no; any other failure is an error, never "gone".
   * Answers are kept like tag answers (same TTLs, same store), so re-checking a pin within the TTL is free.
   */
  async function digestExists(
    target: Target,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<Result<{ exists: boolean; mediaType?: string; checkedAt: number }>> {
    await cache.ready();
    const key = `${target.registry}/${target.path}@${digest}`;
    const found = cache.lookupTag(key);
    if (found?.state === 'missing') return { ok: true, value: { exists: false, checkedAt: found.entry.checkedAt } };
    if (found && (found.state === 'fresh' || offline)) {
      return { ok: true, value: { exists: true, mediaType: found.entry.mediaType, checkedAt: found.entry.checkedAt } };
    }
    if (offline)
      return fail(offlineMiss(`whether ${target.registry}/${target.path}@${digest.slice(0, 19)}… still exists`));
    return inflight.run(
      `exists ${key}`,
      signal,
      async (shared) => {
        const result = await headDigest(target, digest, shared);
        if (result.ok) {
          const checkedAt = now();
          if (result.value.exists)
            cache.storeTag(key, { digest, mediaType: result.value.mediaType ?? 'application/octet-stream', checkedAt });
          else cache.storeMissing(key, { message: `manifest ${digest} not found on ${target.registry}`, checkedAt });
          persist();
          return { ok: true, value: { ...result.value, checkedAt } };
        }
        return result;
      },
      () => fail(cancelled(target.registry)),
    );
  }

  async function headDigest(
    target: Target,
    digest: string,
    signal: AbortSignal,
  ): Promise<Result<{ exists: boolean; mediaType?: string }>> {
    const head = await send(
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
      const info = await manifestByDigest(target, digest, signal);
      if (info.ok) return { ok: true, value: { exists: true, mediaType: info.value.mediaType } };
      if (info.error.kind === 'not-found' && info.error.status === 404) return { ok: true, value: { exists: false } };
      return info;
    }
    return fail(statusError(target, head.value, `manifest ${digest}`, await loggedInTo(target)));
  }

  async function checkPin(
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
    const t = session.targetOf(ref);
    if (!t.ok) return unknown(t.error);
    const target = t.value;

    const current = await resolve({ ...ref, digest: null }, { ...(signal ? { signal } : {}) });
    if (!current.ok) return unknown(current.error);
    const tagDigest = current.value.digest;
    const checkedAt = current.value.checkedAt;
    if (tagDigest === pinned) return { status: 'current', digest: pinned, checkedAt };

    let index: ManifestInfo | undefined;
    if (isIndexType(current.value.mediaType)) {
      const got = await manifestByDigest(target, tagDigest, signal);
      if (!got.ok) return unknown(got.error);
      index = got.value;
      const children = (index.children ?? []).filter((c) => !c.attestation);
      const member = children.find((c) => c.digest === pinned);
      // A pinned platform manifest that is still a child of the tag's index is current.
      if (member && (!wanted.value || !member.platform || platformMatches(wanted.value, member.platform))) {
        return { status: 'current', digest: pinned, checkedAt };
      }
    }

    const exists = await digestExists(target, pinned, signal);
    if (!exists.ok) return unknown(exists.error);
    if (!exists.value.exists) return { status: 'gone', pinned, checkedAt: exists.value.checkedAt };

    let next = tagDigest;
    if (index && !isIndexType(exists.value.mediaType)) {
      // The pin is one platform's image: compare it with the same platform's child of the tag's index.
      let platform = wanted.value;
      if (!platform) {
        const info = await manifestByDigest(target, pinned, signal);
        const details = info.ok ? await imageDetails(target, info.value, signal) : undefined;
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

  return {
    resolve,
    describe,
    checkPin,
    rateLimit: (registry) => session.rateLimit(registry),
    async flush() {
      await Promise.allSettled([...background]);
      await writeNow();
    },
    async close() {
      while (background.size > 0) await Promise.allSettled([...background]);
      await writeNow();
      session.close();
    },
  };
}
