// What the registry said, remembered: tag → digest with a TTL, "not found" for a shorter TTL, manifests and
// configs by digest for ever (content-addressed), in-flight de-duplication, and a JSON file on disk so a rerun
// within the TTL costs no request. The file is a cache: unreadable or unwritable means a warning, never a failure.

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { isValidDigest } from '../references/imageRef';
import { silentLogger, type Logger } from './http';
import { isTimestamp, normalizePlatform, sharedMediaType, type Platform } from './manifest';
import {
  ATTACHMENT_KINDS,
  ATTACHMENT_VIAS,
  MAX_VALUE,
  PROVENANCE_FIELDS,
  type Attachment,
  type AttachmentKind,
  type AttachmentVia,
} from './provenance';

export interface TagEntry {
  digest: string;
  mediaType: string;
  /** Clock time (ms) of the registry answer. */
  checkedAt: number;
}

/** A repository's tags that look like versions (registry/tagList.ts), as listed. */
export interface TagListEntry {
  tags: string[];
  /** Pages or entries were capped: newer versions may exist beyond what was read. */
  truncated: boolean;
  checkedAt: number;
}

export interface MissingEntry {
  /** What was not found, as a user reads it. */
  message: string;
  checkedAt: number;
}

export interface ChildInfo {
  digest: string;
  mediaType: string;
  platform?: Platform;
  attestation?: boolean;
}

/** What we keep of a manifest or index (never the raw bytes). */
export interface ManifestInfo {
  kind: 'index' | 'manifest';
  mediaType: string;
  children?: ChildInfo[];
  configDigest?: string;
  /** `org.opencontainers.image.created` annotation, if any. */
  created?: string;
  /** Its provenance annotations (provenance.ts provenanceKeys: known keys only, clipped); absent when it has none. */
  annotations?: Record<string, string>;
}

export interface ConfigInfo {
  created?: string;
  /** `org.opencontainers.image.created` label, if any. */
  labelCreated?: string;
  platform?: Platform;
  /**
   * Its provenance labels (known keys only, clipped), `{}` when it has none; absent in an entry written before labels
   * were kept, which describe() fetches again (a config blob is not a pull).
   */
  labels?: Record<string, string>;
}

/** What was found beside a digest (referrers, cosign tags): unlike a manifest it can change, so it is kept for the tag TTL. */
export interface AttachmentsEntry {
  found: Attachment[];
  checkedAt: number;
}

export type TagLookup =
  { state: 'fresh' | 'stale' | 'expired'; entry: TagEntry } | { state: 'missing'; entry: MissingEntry };

export interface CacheOptions {
  /** Directory for the persistent store; none keeps everything in memory. */
  dir?: string;
  now?: () => number;
  logger?: Logger;
  /** How long a tag → digest answer is fresh. Default 1 h. */
  tagTtlMs?: number;
  /** How long a "not found" answer is kept. Default 5 min. */
  missingTtlMs?: number;
  /** How long past its TTL a tag answer may still be served while it is refreshed. Default 7 days. */
  maxStaleMs?: number;
  /** Entries kept per kind, in memory and on disk. Default 5 000. */
  maxEntries?: number;
  /** How long a repository's tag list is reused. Default 6 h (TAG_LIST_TTL_MS). */
  tagListTtlMs?: number;
}

/** A repository's tag list is reused for hours: new versions are not that urgent, and a list can be 50 pages. */
export const TAG_LIST_TTL_MS = 6 * 60 * 60 * 1000;
/** Version-looking tags kept (and cached) per repository. */
export const MAX_TAGS_KEPT = 10_000;
/** Tag lists kept, in memory and on disk (each up to MAX_TAGS_KEPT tags). */
const MAX_TAG_LISTS = 200;

export const CACHE_FILE = 'registry-cache.json';
const FORMAT_VERSION = 1;

interface StoreFile {
  version: number;
  tags: Record<string, TagEntry>;
  missing: Record<string, MissingEntry>;
  manifests: Record<string, ManifestInfo>;
  configs: Record<string, ConfigInfo>;
  attachments?: Record<string, AttachmentsEntry>;
  /** Absent in files written before tag lists were cached. */
  tagLists: Record<string, TagListEntry>;
}

// --- validation of what is read from disk: a hand-edited or half-written file must not inject anything ---------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isMediaType = (v: unknown): v is string =>
  typeof v === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(v) && v.length <= 255;

function readPlatform(v: unknown): Platform | undefined {
  if (!isRecord(v) || typeof v.os !== 'string' || typeof v.architecture !== 'string') return undefined;
  const ok = (s: string): boolean => /^[\w.-]{1,64}$/.test(s);
  if (
    !ok(v.os) ||
    !ok(v.architecture) ||
    (v.variant !== undefined && (typeof v.variant !== 'string' || !ok(v.variant)))
  )
    return undefined;
  return normalizePlatform({
    os: v.os,
    architecture: v.architecture,
    ...(typeof v.variant === 'string' ? { variant: v.variant } : {}),
  });
}

function readTag(v: unknown): TagEntry | undefined {
  if (
    !isRecord(v) ||
    typeof v.digest !== 'string' ||
    !isValidDigest(v.digest) ||
    !isMediaType(v.mediaType) ||
    !isTime(v.checkedAt)
  )
    return undefined;
  return { digest: v.digest, mediaType: sharedMediaType(v.mediaType), checkedAt: v.checkedAt };
}

const TAG_TEXT = /^[\w][\w.-]{0,127}$/;

function readTagList(v: unknown): TagListEntry | undefined {
  if (!isRecord(v) || !Array.isArray(v.tags) || v.tags.length > MAX_TAGS_KEPT || !isTime(v.checkedAt)) return undefined;
  if (!v.tags.every((tag) => typeof tag === 'string' && TAG_TEXT.test(tag))) return undefined;
  return { tags: v.tags as string[], truncated: v.truncated === true, checkedAt: v.checkedAt };
}

function readMissing(v: unknown): MissingEntry | undefined {
  if (!isRecord(v) || typeof v.message !== 'string' || v.message.length > 300 || !isTime(v.checkedAt)) return undefined;
  return { message: v.message, checkedAt: v.checkedAt };
}

function readManifest(v: unknown): ManifestInfo | undefined {
  if (!isRecord(v) || (v.kind !== 'index' && v.kind !== 'manifest') || !isMediaType(v.mediaType)) return undefined;
  const out: ManifestInfo = { kind: v.kind, mediaType: sharedMediaType(v.mediaType) };
  if (v.kind === 'index') {
    if (!Array.isArray(v.children)) return undefined;
    const children: ChildInfo[] = [];
    for (const c of v.children) {
      if (!isRecord(c) || typeof c.digest !== 'string' || !isValidDigest(c.digest) || !isMediaType(c.mediaType))
        return undefined;
      const platform = readPlatform(c.platform);
      children.push({
        digest: c.digest,
        mediaType: c.mediaType,
        ...(platform ? { platform } : {}),
        ...(c.attestation === true ? { attestation: true } : {}),
      });
    }
    out.children = children;
  } else {
    if (typeof v.configDigest !== 'string' || !isValidDigest(v.configDigest)) return undefined;
    out.configDigest = v.configDigest;
  }
  if (typeof v.created === 'string' && isTimestamp(v.created)) out.created = v.created;
  const annotations = readProvenanceKeys(v.annotations);
  if (annotations !== undefined && Object.keys(annotations).length > 0) out.annotations = annotations;
  return out;
}

const PROVENANCE_KEYS: ReadonlySet<string> = new Set(Object.values(PROVENANCE_FIELDS).flat());

/** A map of provenance keys to bounded strings, or undefined when it is anything else. */
function readProvenanceKeys(v: unknown): Record<string, string> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    if (!PROVENANCE_KEYS.has(key) || typeof value !== 'string' || value.length > MAX_VALUE) return undefined;
    out[key] = value;
  }
  return out;
}

function readAttachments(v: unknown): AttachmentsEntry | undefined {
  if (!isRecord(v) || !isTime(v.checkedAt) || !Array.isArray(v.found) || v.found.length > 20) return undefined;
  const found: Attachment[] = [];
  for (const a of v.found) {
    if (!isRecord(a)) return undefined;
    if (!ATTACHMENT_KINDS.includes(a.kind as AttachmentKind) || !ATTACHMENT_VIAS.includes(a.via as AttachmentVia))
      return undefined;
    found.push({ kind: a.kind as AttachmentKind, via: a.via as AttachmentVia });
  }
  return { found, checkedAt: v.checkedAt };
}

function readConfig(v: unknown): ConfigInfo | undefined {
  if (!isRecord(v)) return undefined;
  const out: ConfigInfo = {};
  if (typeof v.created === 'string' && isTimestamp(v.created)) out.created = v.created;
  if (typeof v.labelCreated === 'string' && isTimestamp(v.labelCreated)) out.labelCreated = v.labelCreated;
  const platform = readPlatform(v.platform);
  if (platform) out.platform = platform;
  const labels = readProvenanceKeys(v.labels);
  if (labels !== undefined) out.labels = labels;
  return out;
}

const TAG_KEY = /^[^\s"]{1,600}$/;

/** A store with every section, empty: what a file is read into and what a flush writes. */
const emptyStore = (): StoreFile => ({
  version: FORMAT_VERSION,
  tags: {},
  missing: {},
  manifests: {},
  configs: {},
  attachments: {},
  tagLists: {},
});

function readStore(text: string): StoreFile | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (!isRecord(json)) return 'not a JSON object';
  if (json.version !== FORMAT_VERSION) return `format version ${String(json.version)} is not ${FORMAT_VERSION}`;
  const store = emptyStore();
  const section = <T>(
    name: string,
    read: (v: unknown) => T | undefined,
    keyOk: (k: string) => boolean,
    into: Record<string, T>,
  ): void => {
    const value = json[name];
    if (!isRecord(value)) return;
    for (const [key, entry] of Object.entries(value)) {
      const parsed = keyOk(key) ? read(entry) : undefined;
      if (parsed !== undefined) into[key] = parsed;
    }
  };
  section('tags', readTag, (k) => TAG_KEY.test(k), store.tags);
  section('missing', readMissing, (k) => TAG_KEY.test(k), store.missing);
  section('manifests', readManifest, isValidDigest, store.manifests);
  section('configs', readConfig, isValidDigest, store.configs);
  section('attachments', readAttachments, (k) => TAG_KEY.test(k), store.attachments!);
  section('tagLists', readTagList, (k) => TAG_KEY.test(k), store.tagLists);
  return store;
}

// ------------------------------------------------------------------------------------------------------------------

export class RegistryCache {
  readonly tagTtlMs: number;
  readonly missingTtlMs: number;
  readonly maxStaleMs: number;
  readonly tagListTtlMs: number;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly maxEntries: number;
  private readonly tags: LRUCache<string, TagEntry>;
  private readonly missing: LRUCache<string, MissingEntry>;
  private readonly manifests: LRUCache<string, ManifestInfo>;
  private readonly configs: LRUCache<string, ConfigInfo>;
  private readonly attachmentEntries: LRUCache<string, AttachmentsEntry>;
  private readonly tagLists: LRUCache<string, TagListEntry>;
  private loading: Promise<void> | undefined;
  private dirty = false;
  private writing: Promise<void> | undefined;
  private writeWarned = false;

  constructor(private readonly options: CacheOptions = {}) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger;
    this.tagTtlMs = options.tagTtlMs ?? 60 * 60 * 1000;
    this.missingTtlMs = options.missingTtlMs ?? 5 * 60 * 1000;
    this.maxStaleMs = options.maxStaleMs ?? 7 * 24 * 60 * 60 * 1000;
    this.maxEntries = options.maxEntries ?? 5_000;
    this.tagListTtlMs = options.tagListTtlMs ?? TAG_LIST_TTL_MS;
    this.tagLists = new LRUCache({ max: MAX_TAG_LISTS });
    this.tags = new LRUCache({ max: this.maxEntries });
    this.missing = new LRUCache({ max: this.maxEntries });
    this.manifests = new LRUCache({ max: this.maxEntries });
    this.configs = new LRUCache({ max: this.maxEntries });
    this.attachmentEntries = new LRUCache({ max: this.maxEntries });
  }

  get path(): string | undefined {
    return this.options.dir === undefined ? undefined : join(this.options.dir, CACHE_FILE);
  }

  /** Loads the persistent store once; safe to call before every lookup. */
  ready(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<void> {
    const path = this.path;
    if (path === undefined) return;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT')
        this.logger.warn(`registry cache ${path} cannot be read (${code ?? 'error'}); starting empty`);
      return;
    }
    const store = readStore(text);
    if (typeof store === 'string') {
      this.logger.warn(`registry cache ${path} is ignored: ${store}; it will be rewritten`);
      return;
    }
    // Memory may already hold newer answers (set before load finished): keep the newer of the two.
    for (const [k, v] of Object.entries(store.tags))
      if (!((this.tags.get(k)?.checkedAt ?? -1) >= v.checkedAt)) this.tags.set(k, v);
    for (const [k, v] of Object.entries(store.missing))
      if (!((this.missing.get(k)?.checkedAt ?? -1) >= v.checkedAt)) this.missing.set(k, v);
    for (const [k, v] of Object.entries(store.manifests)) if (!this.manifests.has(k)) this.manifests.set(k, v);
    for (const [k, v] of Object.entries(store.configs)) if (!this.configs.has(k)) this.configs.set(k, v);
    for (const [k, v] of Object.entries(store.attachments ?? {}))
      if (!((this.attachmentEntries.get(k)?.checkedAt ?? -1) >= v.checkedAt)) this.attachmentEntries.set(k, v);
    for (const [k, v] of Object.entries(store.tagLists))
      if (!((this.tagLists.get(k)?.checkedAt ?? -1) >= v.checkedAt)) this.tagLists.set(k, v);
  }

  /** A repository's tag list while fresh (offline: whatever is kept, however old); undefined otherwise. */
  lookupTagList(key: string, offline = false): TagListEntry | undefined {
    const entry = this.tagLists.get(key);
    if (entry === undefined) return undefined;
    return offline || this.now() - entry.checkedAt < this.tagListTtlMs ? entry : undefined;
  }

  storeTagList(key: string, entry: TagListEntry): void {
    this.tagLists.set(key, entry);
    this.changed();
  }

  /** The cached answer for a tag key, classified by age; undefined when nothing usable is known. */
  lookupTag(key: string): TagLookup | undefined {
    const now = this.now();
    const missing = this.missing.get(key);
    const entry = this.tags.get(key);
    if (missing && now - missing.checkedAt < this.missingTtlMs && (!entry || missing.checkedAt >= entry.checkedAt)) {
      return { state: 'missing', entry: missing };
    }
    if (!entry) return undefined;
    const age = now - entry.checkedAt;
    const state = age < this.tagTtlMs ? 'fresh' : age < this.tagTtlMs + this.maxStaleMs ? 'stale' : 'expired';
    return { state, entry };
  }

  storeTag(key: string, entry: TagEntry): void {
    if (!isValidDigest(entry.digest)) return; // never remember (or write) anything but a valid digest
    this.tags.set(key, entry);
    this.missing.delete(key);
    this.changed();
  }

  storeMissing(key: string, entry: MissingEntry): void {
    this.missing.set(key, entry);
    this.changed();
  }

  manifest(digest: string): ManifestInfo | undefined {
    return this.manifests.get(digest);
  }

  storeManifest(digest: string, info: ManifestInfo): void {
    if (!isValidDigest(digest)) return;
    this.manifests.set(digest, info);
    this.changed();
  }

  config(digest: string): ConfigInfo | undefined {
    return this.configs.get(digest);
  }

  storeConfig(digest: string, info: ConfigInfo): void {
    if (!isValidDigest(digest)) return;
    this.configs.set(digest, info);
    this.changed();
  }

  /** What was found beside a digest (key `registry/path@digest`), while younger than the tag TTL. */
  attachments(key: string): AttachmentsEntry | undefined {
    const entry = this.attachmentEntries.get(key);
    return entry !== undefined && this.now() - entry.checkedAt < this.tagTtlMs ? entry : undefined;
  }

  storeAttachments(key: string, entry: AttachmentsEntry): void {
    this.attachmentEntries.set(key, entry);
    this.changed();
  }

  private changed(): void {
    if (this.path === undefined) return;
    this.dirty = true;
  }

  /**
   * Writes pending changes: merge with what another process may have written meanwhile (newer wins), write a
   * temp file, rename over the store. Concurrent calls share one write; never throws.
   */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.dirty || this.path === undefined) return;
    this.dirty = false;
    this.writing = this.write().finally(() => {
      this.writing = undefined;
    });
    await this.writing;
  }

  private async write(): Promise<void> {
    const dir = this.options.dir!;
    const path = this.path!;
    await this.ready();
    let onDisk: StoreFile | string = 'absent';
    try {
      onDisk = readStore(await readFile(path, 'utf8'));
    } catch {
      // absent or unreadable: our copy is all there is
    }
    const store = emptyStore();
    const now = this.now();
    if (typeof onDisk !== 'string') {
      Object.assign(store.tags, onDisk.tags);
      Object.assign(store.missing, onDisk.missing);
      Object.assign(store.manifests, onDisk.manifests);
      Object.assign(store.configs, onDisk.configs);
      Object.assign(store.attachments!, onDisk.attachments);
      Object.assign(store.tagLists, onDisk.tagLists);
    }
    for (const [k, v] of this.tags.entries()) if (!((store.tags[k]?.checkedAt ?? -1) > v.checkedAt)) store.tags[k] = v;
    for (const [k, v] of this.missing.entries())
      if (!((store.missing[k]?.checkedAt ?? -1) > v.checkedAt)) store.missing[k] = v;
    for (const [k, v] of this.manifests.entries()) store.manifests[k] = v;
    for (const [k, v] of this.configs.entries()) store.configs[k] = v;
    for (const [k, v] of this.attachmentEntries.entries())
      if (!((store.attachments![k]?.checkedAt ?? -1) > v.checkedAt)) store.attachments![k] = v;
    for (const [k, v] of this.tagLists.entries())
      if (!((store.tagLists[k]?.checkedAt ?? -1) > v.checkedAt)) store.tagLists[k] = v;
    // Bound the file: drop answers too old to serve, then the oldest beyond maxEntries.
    store.tags = newest(store.tags, this.maxEntries, (v) => now - v.checkedAt < this.tagTtlMs + this.maxStaleMs);
    store.missing = newest(store.missing, this.maxEntries, (v) => now - v.checkedAt < this.missingTtlMs);
    store.manifests = firstN(store.manifests, this.maxEntries);
    store.configs = firstN(store.configs, this.maxEntries);
    store.attachments = newest(store.attachments!, this.maxEntries, (v) => now - v.checkedAt < this.tagTtlMs);
    // Kept past their TTL for offline runs, as long as a stale tag answer would be.
    store.tagLists = newest(
      store.tagLists,
      MAX_TAG_LISTS,
      (v) => now - v.checkedAt < this.tagListTtlMs + this.maxStaleMs,
    );
    const temp = join(dir, `.${CACHE_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(temp, `${JSON.stringify(store)}\n`, { mode: 0o600 });
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      if (!this.writeWarned) {
        this.writeWarned = true;
        this.logger.warn(
          `registry cache ${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); answers are kept in memory only`,
        );
      }
    }
  }
}

function newest<T extends { checkedAt: number }>(
  entries: Record<string, T>,
  max: number,
  keep: (v: T) => boolean,
): Record<string, T> {
  const list = Object.entries(entries)
    .filter(([, v]) => keep(v))
    .sort((a, b) => b[1].checkedAt - a[1].checkedAt)
    .slice(0, max);
  return Object.fromEntries(list);
}

function firstN<T>(entries: Record<string, T>, max: number): Record<string, T> {
  const list = Object.entries(entries);
  return list.length <= max ? entries : Object.fromEntries(list.slice(list.length - max));
}

interface Job {
  promise: Promise<unknown>;
  controller: AbortController;
  waiters: number;
}

/**
 * In-flight de-duplication: concurrent callers with the same key share one piece of work (one request). Each
 * caller may cancel through its own signal and gets `cancelledValue()` at once; the shared work is aborted only
 * when every waiting caller has cancelled, so one closed hover does not fail another's lookup.
 */
export class Inflight {
  private readonly jobs = new Map<string, Job>();

  get size(): number {
    return this.jobs.size;
  }

  run<T>(
    key: string,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
    cancelledValue: () => T,
  ): Promise<T> {
    let job = this.jobs.get(key);
    if (!job) {
      const controller = new AbortController();
      const created: Job = { controller, waiters: 0, promise: Promise.resolve() };
      created.promise = work(controller.signal).finally(() => {
        if (this.jobs.get(key) === created) this.jobs.delete(key);
      });
      this.jobs.set(key, created);
      job = created;
    }
    const shared = job;
    shared.waiters++;
    const promise = shared.promise as Promise<T>;
    if (!signal) return promise;
    const leave = (): void => {
      shared.waiters--;
      if (shared.waiters === 0) shared.controller.abort();
    };
    if (signal.aborted) {
      leave();
      return Promise.resolve(cancelledValue());
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        leave();
        resolve(cancelledValue());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

/** Forgets every answer kept in `dir` ("Refresh digests"): the next client starts from an empty cache. */
export async function deleteCacheFile(dir: string): Promise<void> {
  await rm(join(dir, CACHE_FILE), { force: true });
}
