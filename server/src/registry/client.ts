// The registry client: tag → digest (HEAD first, GET + hash when HEAD cannot say), platform children, metadata for
// hovers, drift checks of pins. Input is a parsed reference; output is a value or a RegistryError, never a throw.
// This module wires the parts together: requests (session), tags, manifests by digest, describe, resolve, pins.

import type { ParsedImageRef } from '../references/imageRef';
import { BackgroundTasks } from './background';
import { TlsStore } from './certificates';
import { Inflight, RegistryCache } from './cache';
import { CacheWriter } from './cacheWriter';
import { realTimers, type Timers } from '../shared/timers';
import type { RegistryContext } from './context';
import { dockerConfigCredentials, type CredentialSource } from './credentials';
import { describe } from './describe';
import { createHttpTransport, silentLogger, type HttpTransport, type Logger } from './http';
import { parsePlatform, type Platform } from './manifest';
import { parseRegistryMirrors } from './mirrors';
import { checkPin } from './pins';
import { resolve, type ResolveOptions } from './resolve';
import { RegistrySession } from './session';
import { TagLookup } from './tags';
import type { PullBudget } from '../shared/pullBudget';
import { listTags, type TagList } from './tagList';
import type { Description, PinStatus, Resolution, Result } from './types';

export type { ResolveOptions } from './resolve';

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
  /**
   * Pull-through caches asked before a registry, by registry (`docker.io` also for its aliases): mirror URLs such as
   * `https://mirror.example.com`, tried in order, then the registry itself. Entries that are not valid are warned
   * about and left out. The registry's own credentials never go to a mirror: a mirror gets its host's.
   */
  registryMirrors?: Readonly<Record<string, readonly string[]>>;
  /** Platform whose image dates an index (`created`). Default linux/amd64. */
  defaultPlatform?: string;
  tagTtlMs?: number;
  missingTtlMs?: number;
  maxStaleMs?: number;
  /** How long a repository's tag list is reused. Default 6 h. */
  tagListTtlMs?: number;
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
  /** Timers the delayed cache write runs on (injected in tests). Default: Node's, unref'd. */
  timers?: Timers;
  /**
   * certs.d directories holding `<host[:port]>/` CA certificates and client certificates, most personal first.
   * Default: ~/.docker/certs.d, $XDG_CONFIG_HOME/docker/certs.d, /etc/docker/certs.d (or $DIGEST_PIN_CERTS_DIRS).
   */
  certsDirs?: readonly string[];
  /** Add the operating system's CA certificates to Node's. Default true. */
  systemCertificates?: boolean;
  /** Transport override (tests). */
  http?: HttpTransport;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface RegistryClient {
  resolve(ref: ParsedImageRef, options?: ResolveOptions): Promise<Result<Resolution>>;
  /**
   * Platforms, children, creation time and provenance of a digest in a repository; with `attachments`, also what is
   * found beside it (referrers or cosign tags: up to four requests, kept for the tag TTL).
   */
  describe(
    ref: Pick<ParsedImageRef, 'domain' | 'path'>,
    digest: string,
    options?: { signal?: AbortSignal; attachments?: boolean },
  ): Promise<Result<Description>>;
  /**
   * The repository's tags that look like versions (every page, bounded; cached for hours). For newer versions of a
   * tag that looks like one: never asked for `latest` or a name (lookup/newer.ts).
   */
  listTags(ref: Pick<ParsedImageRef, 'domain' | 'path'>, options?: { signal?: AbortSignal }): Promise<Result<TagList>>;
  /** Compares a `name:tag@digest` pin with what the tag points to now. */
  checkPin(ref: ParsedImageRef, options?: { platform?: string | Platform; signal?: AbortSignal }): Promise<PinStatus>;
  /**
   * The latest pull budget of each registry whose answers stated one (Docker Hub's `ratelimit-*` headers, read from
   * the requests made anyway: never a request of its own).
   */
  pullBudgets(): PullBudget[];
  /** Writes the persistent cache now. */
  flush(): Promise<void>;
  /** Waits for background refreshes, writes the cache, closes connections. */
  close(): Promise<void>;
}

function transportFor(
  options: RegistryClientOptions,
  env: NodeJS.ProcessEnv,
  now: () => number,
  logger: Logger,
  tls: TlsStore,
): HttpTransport {
  return (
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
      tls,
    })
  );
}

function cacheFor(options: RegistryClientOptions, now: () => number, logger: Logger): RegistryCache {
  return new RegistryCache({
    ...(options.cacheDir !== undefined ? { dir: options.cacheDir } : {}),
    ...(options.tagTtlMs !== undefined ? { tagTtlMs: options.tagTtlMs } : {}),
    ...(options.missingTtlMs !== undefined ? { missingTtlMs: options.missingTtlMs } : {}),
    ...(options.maxStaleMs !== undefined ? { maxStaleMs: options.maxStaleMs } : {}),
    ...(options.tagListTtlMs !== undefined ? { tagListTtlMs: options.tagListTtlMs } : {}),
    now,
    logger,
  });
}

export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  const tls = new TlsStore({
    env,
    ...(options.certsDirs ? { dirs: options.certsDirs } : {}),
    ...(options.systemCertificates === false ? { systemStore: false } : {}),
  });
  const http = transportFor(options, env, now, logger, tls);
  const credentials = options.credentials ?? dockerConfigCredentials({ env, logger });
  const cache = cacheFor(options, now, logger);
  const { mirrors, problems } = parseRegistryMirrors(options.registryMirrors ?? {});
  for (const problem of problems) logger.warn(problem);
  const session = new RegistrySession({
    http,
    credentials,
    now,
    logger,
    concurrency: Math.max(1, options.concurrency ?? 8),
    insecureRegistries: options.insecureRegistries ?? [],
    hubPullReserve: options.hubPullReserve ?? 10,
    mirrors,
    tlsConfigured: (host) => tls.configured(host),
  });
  const background = new BackgroundTasks(logger);
  const writer = new CacheWriter(cache, {
    enabled: options.cacheDir !== undefined,
    delayMs: Math.max(0, options.cacheWriteDelayMs ?? 2000),
    timers: options.timers ?? realTimers,
    track: (write) => background.track(write),
  });
  const ctx: RegistryContext = {
    session,
    cache,
    inflight: new Inflight(),
    offline: options.offline === true,
    now,
    logger,
    defaultPlatform: parsePlatform(options.defaultPlatform ?? 'linux/amd64') ?? { os: 'linux', architecture: 'amd64' },
    persist: () => writer.schedule(),
  };
  const tags = new TagLookup(ctx, {
    staleWhileRevalidate: options.staleWhileRevalidate !== false,
    track: (work) => background.track(work),
  });

  return {
    resolve: (ref, opts) => resolve(ctx, tags, ref, opts),
    describe: (ref, digest, opts) => describe(ctx, ref, digest, opts),
    checkPin: (ref, opts) => checkPin(ctx, tags, ref, opts),
    pullBudgets: () => session.pullBudgets(),
    async listTags(ref, opts) {
      const target = session.targetOf(ref);
      return target.ok ? listTags(ctx, target.value, opts?.signal) : target;
    },
    async flush() {
      await background.settle();
      await writer.writeNow();
    },
    async close() {
      await background.drain();
      await writer.writeNow();
      session.close();
    },
  };
}
