// What the registries say about the references of the open documents. Each question (a name:tag for a platform,
// or a name:tag@digest pin) is asked once, whatever number of documents and lines repeat it; answers are kept for
// the session (the registry client keeps them across sessions). A question no open document needs any more is
// cancelled. Knows nothing of LSP: the server wires answers to diagnostics and the status bar.
import { ask } from '../lookup/ask';
import { questionFor, type Question } from '../lookup/question';
import type { Online } from '../lookup/answer';
import type { ImageFacts } from '../features/facts';
import { askNewer, asksNewer, type Newer } from '../lookup/newer';
import { isIndexType } from '../registry/manifest';
import type { Logger, RegistryClient, RegistryError, Resolution, Result } from '../registry/index';
import type { ReferenceGroup } from '../references/incremental';
import { ownCopy } from '../references/strings';
import type { ImageReference } from '../references/types';
import type { PullBudget } from '../shared/pullBudget';

export interface ResolverEvents {
  /** A question was answered (its key); documents asking it have new online findings. */
  answered(key: string): void;
  /** The number of outstanding questions changed, or a registry said it is rate-limiting. */
  progress(state: ResolverState): void;
}

export interface ResolverState {
  pending: number;
  answered: number;
  /** A registry's last answer was "rate-limited" (cleared when it answers again, or on refresh). */
  rateLimited?: { registry: string; retryAfter?: number };
  /** What is left of the pull budgets the registries' answers stated (Docker Hub). */
  pullBudgets?: PullBudget[];
}

// Kept for every question of every open document (10,000 in one manifest is a real case): what is held per entry is
// what its answer needs, and the question itself is derived again from a reference that asks it when it is asked.
// A class whose fields all exist from the start: an object literal given `pending` and `answer` later grows a
// separate property array (40 bytes more per entry).
class Entry {
  /** The answer (see kept()). */
  answer: Online | PlainTag | undefined = undefined;
  /** Queued or being asked; `promise` settles when that ends. */
  pending: { controller: AbortController; promise: Promise<void>; settle: () => void } | undefined = undefined;
  details: Promise<ImageFacts> | undefined = undefined;
  attachments: Promise<ImageFacts> | undefined = undefined;

  constructor(
    readonly key: string,
    /** A reference that asks this question (kept by its document anyway). */
    readonly ref: ImageReference,
    readonly platform: string | null,
    /** Documents that need it: the URI itself when one (nearly always), else an array. */
    public users: Users,
  ) {}
}

interface DocumentWants {
  scope: string;
  /**
   * The groups whose questions are counted, by their references as read. Their keys are found again (keyOf is
   * memoised per reference) when a group goes: `scope` guarantees the same platform and skip rule as when it came.
   */
  groups: Set<readonly ImageReference[]>;
  /**
   * Key → how many more references of the document ask it, for keys asked more than once. That the document asks a
   * key at all is its URI in the entry's users: a Map of every key would cost ≈ 46 bytes per reference.
   */
  repeats: Map<string, number>;
}

/**
 * The usual answer — a tag's digest, for no particular platform — as one object: kept as an Online it is three
 * (≈ 100 bytes more each, for every answer of the session). online() gives it back as the Online it was.
 */
class PlainTag {
  constructor(
    readonly digest: string,
    readonly mediaType: string,
    readonly checkedAt: number,
    readonly fromCache: boolean,
    readonly stale: boolean,
  ) {}

  toOnline(): Online {
    const value: Resolution = {
      digest: this.digest,
      mediaType: this.mediaType,
      checkedAt: this.checkedAt,
      fromCache: this.fromCache,
    };
    if (this.stale) value.stale = true;
    return { kind: 'tag', result: { ok: true, value } };
  }
}

const PLAIN_FIELDS: ReadonlySet<string> = new Set(['digest', 'mediaType', 'checkedAt', 'fromCache', 'stale']);

function kept(online: Online): Online | PlainTag {
  if (online.kind !== 'tag' || !online.result.ok || Object.keys(online).length !== 2) return online;
  const r = online.result.value;
  if (!Object.keys(r).every((field) => PLAIN_FIELDS.has(field))) return online;
  return new PlainTag(r.digest, r.mediaType, r.checkedAt, r.fromCache, r.stale === true);
}

const given = (answer: Online | PlainTag | undefined): Online | undefined =>
  answer instanceof PlainTag ? answer.toOnline() : answer;

type Users = string | readonly string[];
const NOBODY: readonly string[] = Object.freeze([]);
const isNobody = (users: Users): boolean => typeof users !== 'string' && users.length === 0;
const listOf = (users: Users): readonly string[] => (typeof users === 'string' ? [users] : users);
const hasUser = (users: Users, uri: string): boolean =>
  users === uri || (typeof users !== 'string' && users.includes(uri));
function withUser(users: Users, uri: string): Users {
  if (hasUser(users, uri)) return users;
  return isNobody(users) ? uri : listOf(users).concat(uri);
}
function withoutUser(users: Users, uri: string): Users {
  const rest = listOf(users).filter((user) => user !== uri);
  return rest.length === 1 ? rest[0]! : rest;
}

function questionOf(entry: Entry): Question | null {
  const question = questionFor(entry.ref, { platform: entry.platform, pins: true });
  return question && { ...question, key: entry.key };
}

/** Kept answers nobody asks for any more, beyond which the oldest are dropped (memory stays flat). */
const MAX_UNUSED = 20_000;

export class Resolver {
  private readonly entries = new Map<string, Entry>();
  private readonly wanted = new Map<string, DocumentWants>();
  private readonly keys = new Map<string, WeakMap<ImageReference, string | null>>();
  private answered = 0;
  private rateLimited: ResolverState['rateLimited'];
  /** Questions waiting their turn, from `head` on. */
  private queue: Entry[] = [];
  private head = 0;
  private running = 0;
  private pendingCount = 0;
  /** Bumped by reset(): work started before it does not count against the new limit. */
  private generation = 0;
  /**
   * Newer versions per question key, asked only while `digestPin.severity.outdated` is on (newerFor): the tag list
   * alone, cached by the registry client for hours. `null`: asked, or not a version.
   */
  private readonly newerTags = new Map<string, Result<Newer> | null>();

  constructor(
    private client: RegistryClient | null,
    private readonly events: ResolverEvents,
    private readonly logger: Logger,
    /** Questions asked at once (the registry client paces requests per registry within that). */
    private readonly maxInFlight = 64,
  ) {}

  /** Untrusted or disabled: no client, nothing is asked, every question is dropped. */
  get active(): boolean {
    return this.client !== null;
  }

  /** The key of the question a reference asks (null: none — variable, invalid, ignored, digest only…); cached per object. */
  keyOf(ref: ImageReference, platform: string | null): string | null {
    const slot = platform ?? '';
    let keys = this.keys.get(slot);
    if (keys === undefined) this.keys.set(slot, (keys = new WeakMap()));
    let key = keys.get(ref);
    if (key === undefined) {
      const question = questionFor(ref, { platform, pins: true });
      // Flat (strings.ts): a key built from pieces is a rope of a dozen small strings.
      key = question === null ? null : ownCopy(question.key);
      keys.set(ref, key);
    }
    return key;
  }

  /** What the registry said for this reference, if answered. */
  online(key: string | null): Online | undefined {
    return key === null ? undefined : given(this.entries.get(key)?.answer);
  }

  /**
   * The newer versions of a question's tag for the `outdated` diagnostic: known, or asked now (undefined meanwhile;
   * the documents asking it are updated when the tag list is in, as for any answer).
   */
  newerFor(key: string | null): Result<Newer> | undefined {
    if (key === null || this.client === null) return undefined;
    const known = this.newerTags.get(key);
    if (known !== undefined || this.newerTags.has(key)) return known ?? undefined;
    const entry = this.entries.get(key);
    // Not wanted yet (the document is being read): asked at the next diagnosis, once the question is.
    if (entry === undefined) return undefined;
    const question = questionOf(entry);
    this.newerTags.set(key, null);
    if (question === null || !asksNewer(question.parsed)) return undefined;
    const generation = this.generation;
    void askNewer(this.client, question.parsed, { resolve: false }).then(
      (result) => {
        if (generation !== this.generation || result === null) return;
        this.newerTags.set(key, result);
        this.events.answered(key);
      },
      (error: unknown) => this.logger.warn(`newer versions of ${key}: ${String(error)}`),
    );
    return undefined;
  }

  /** The documents that ask a question. */
  usersOf(key: string): readonly string[] {
    const entry = this.entries.get(key);
    return entry === undefined ? NOBODY : listOf(entry.users);
  }

  /**
   * Asks the questions of a document's references (once each) and drops what it no longer asks. Work is per group
   * (one YAML document of the file): only groups that are new since the last call are looked at, so an edit of a
   * 10,000-reference stream costs the references of the document that changed. `scope` names what `platform` and
   * `skip` depend on (the settings); when it changes, every group is looked at again.
   */
  want(
    uri: string,
    groups: readonly ReferenceGroup[],
    platform: string | null,
    skip: (ref: ImageReference) => boolean,
    scope = '',
    /** What is asked about a reference: a locked one is asked about as the pin of its locked digest (lock/state.ts). */
    view: (ref: ImageReference) => ImageReference = (ref) => ref,
  ): void {
    let wants = this.wanted.get(uri);
    if (wants !== undefined && (wants.scope !== scope || this.client === null)) {
      this.release(uri);
      wants = undefined;
    }
    if (this.client === null) {
      this.report();
      return;
    }
    if (wants === undefined) this.wanted.set(uri, (wants = { scope, groups: new Set(), repeats: new Map() }));
    const current = new Set(groups.map((group) => group.read));
    const gone = [...wants.groups].filter((read) => !current.has(read));
    // New groups first: a key both in a new and a gone group is never dropped (nor its question cancelled) on the way.
    for (const group of groups) {
      if (wants.groups.has(group.read)) continue;
      for (const ref of group.read) {
        if (skip(ref)) continue;
        const asked = view(ref);
        const key = this.keyOf(asked, platform);
        if (key === null) continue;
        if (this.asks(uri, key)) wants.repeats.set(key, (wants.repeats.get(key) ?? 0) + 1);
        else this.use(uri, asked, platform, key);
      }
      wants.groups.add(group.read);
    }
    for (const read of gone) {
      wants.groups.delete(read);
      for (const ref of read) {
        if (skip(ref)) continue;
        const key = this.keyOf(view(ref), platform);
        if (key !== null) this.drop(uri, wants, key);
      }
    }
    this.trim();
    this.report();
  }

  private use(uri: string, ref: ImageReference, platform: string | null, key: string): void {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = new Entry(key, ref, platform, NOBODY);
      this.entries.set(key, entry);
    }
    entry.users = withUser(entry.users, uri);
    if (entry.answer === undefined && entry.pending === undefined) this.start(entry);
  }

  /** True when the document already asks this key (through another of its references). */
  private asks(uri: string, key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && hasUser(entry.users, uri);
  }

  private drop(uri: string, wants: DocumentWants, key: string): void {
    const repeats = wants.repeats.get(key);
    if (repeats !== undefined) {
      if (repeats > 1) wants.repeats.set(key, repeats - 1);
      else wants.repeats.delete(key);
      return;
    }
    const entry = this.entries.get(key);
    if (entry !== undefined) this.leave(entry, uri);
  }

  /** The document no longer asks the entry's question: cancelled when nobody else does. */
  private leave(entry: Entry, uri: string): void {
    const { key } = entry;
    entry.users = withoutUser(entry.users, uri);
    if (isNobody(entry.users) && entry.pending) {
      // Nobody needs it any more: stop asking (a later want asks again).
      const { pending } = entry;
      pending.controller.abort();
      this.settled(entry, pending);
      this.entries.delete(key);
    }
  }

  /** A closed document: its questions are cancelled unless another document asks them too. */
  forget(uri: string): void {
    this.release(uri);
    this.report();
  }

  private release(uri: string): void {
    const wants = this.wanted.get(uri);
    if (wants === undefined) return;
    this.wanted.delete(uri);
    for (const entry of [...this.entries.values()]) if (hasUser(entry.users, uri)) this.leave(entry, uri);
  }

  private trim(): void {
    if (this.entries.size <= MAX_UNUSED) return;
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= MAX_UNUSED) break;
      if (isNobody(entry.users) && entry.pending === undefined) this.entries.delete(key);
    }
  }

  /** Queues a question; at most `maxInFlight` are asked at once (10,000 at once would hold 10,000 requests' state). */
  private start(entry: Entry): void {
    if (this.client === null) return;
    let settle: () => void = () => undefined;
    const promise = new Promise<void>((resolve) => {
      settle = resolve;
    });
    entry.pending = { controller: new AbortController(), promise, settle };
    this.pendingCount++;
    this.queue.push(entry);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.maxInFlight && this.head < this.queue.length) {
      const entry = this.queue[this.head++]!;
      if (entry.pending !== undefined && !entry.pending.controller.signal.aborted) this.run(entry, entry.pending);
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The end of a question's wait, whatever ended it (an answer, a failure, a cancellation). */
  private settled(entry: Entry, pending: NonNullable<Entry['pending']>): void {
    if (entry.pending !== pending) return;
    entry.pending = undefined;
    this.pendingCount--;
    pending.settle();
  }

  private run(entry: Entry, pending: NonNullable<Entry['pending']>): void {
    const client = this.client;
    if (client === null) return;
    const question = questionOf(entry);
    if (question === null) {
      // Cannot happen (the key came from this reference's question); never leave a wait hanging if it does.
      this.entries.delete(entry.key);
      this.settled(entry, pending);
      return;
    }
    const generation = this.generation;
    this.running++;
    const { controller } = pending;
    ask(client, question, { dates: true, signal: controller.signal })
      .then((online) => {
        if (this.entries.get(entry.key) !== entry || controller.signal.aborted) return;
        const error = errorOf(online);
        if (error?.kind === 'cancelled') {
          this.entries.delete(entry.key);
          this.settled(entry, pending);
          return;
        }
        if (error?.kind === 'rate-limited') {
          this.rateLimited = {
            registry: error.registry ?? 'the registry',
            ...(error.retryAfter !== undefined ? { retryAfter: error.retryAfter } : {}),
          };
        } else if (error === undefined && this.rateLimited?.registry === question.parsed.domain.toLowerCase()) {
          // That registry answers again.
          this.rateLimited = undefined;
        }
        entry.answer = kept(online);
        this.answered++;
        this.settled(entry, pending);
        this.events.answered(entry.key);
      })
      .catch((error: unknown) => {
        // ask() returns errors as values; anything thrown is a bug: keep the static findings, say so in the log.
        this.logger.warn(`looking up ${entry.key} failed: ${error instanceof Error ? error.message : String(error)}`);
        if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
      })
      .finally(() => {
        this.settled(entry, pending);
        if (generation !== this.generation) return;
        this.running--;
        this.pump();
        this.report();
      });
  }

  /**
   * Platforms, build dates, the pin's own image and the current one with their provenance (what was fetched anyway),
   * for hovers and platform code actions (asked on demand, kept). Their attachments: `attachments()`.
   */
  details(key: string, signal?: AbortSignal): Promise<ImageFacts> {
    const entry = this.entries.get(key);
    const client = this.client;
    if (entry === undefined || client === null) return Promise.resolve({});
    entry.details ??= this.describe(client, entry).catch((error: unknown) => {
      this.logger.warn(`describing ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
      entry.details = undefined;
      return {};
    });
    return abortable(entry.details, signal);
  }

  private async describe(client: RegistryClient, entry: Entry): Promise<ImageFacts> {
    await entry.pending?.promise;
    const question = questionOf(entry);
    if (question === null) return {};
    const { parsed, platform, pin } = question;
    // Newer versions of the tag (its repository's tag list, cached for hours; each offer resolved and dated): the
    // hover and "Update to". Asked beside the rest rather than after it: a first list can take a few pages.
    const newer = asksNewer(parsed)
      ? askNewer(client, parsed, { resolve: true, dates: true, ...(platform === undefined ? {} : { platform }) })
      : null;
    const options = platform === undefined ? { details: true } : { details: true, platform };
    const current = await client.resolve({ ...parsed, digest: null }, options);
    const facts: ImageFacts = { current };
    const online = given(entry.answer);
    if (online) facts.online = online;
    if (current.ok) {
      // The index (even when a platform's image is pinned): its children are the platform code actions.
      const indexDigest =
        current.value.indexDigest ?? (isIndexType(current.value.mediaType) ? current.value.digest : undefined);
      if (indexDigest !== undefined) facts.currentDescription = await client.describe(parsed, indexDigest);
    }
    // What the images say about themselves (from what was fetched anyway).
    const now = currentDigest(online, current, pin);
    if (now !== undefined) facts.currentImage = await client.describe(parsed, now);
    if (pin && parsed.digest !== null) facts.pinned = await client.describe(parsed, parsed.digest);
    if (newer !== null) facts.newer = await newer;
    return facts;
  }

  /**
   * `details`, with what is attached to the images (signatures, SBOMs: up to four requests per digest, kept by the
   * registry client for the tag TTL). Only a hover asks: a code action on every cursor move does not.
   */
  attachments(key: string, signal?: AbortSignal): Promise<ImageFacts> {
    const entry = this.entries.get(key);
    const client = this.client;
    if (entry === undefined || client === null) return Promise.resolve({});
    entry.attachments ??= this.details(key)
      .then(async (facts) => {
        const question = questionOf(entry);
        if (question === null) return facts;
        const { parsed, pin } = question;
        const now = currentDigest(given(entry.answer), facts.current, pin);
        const withAttachments = { attachments: true };
        const [currentImage, pinned] = await Promise.all([
          now === undefined ? undefined : client.describe(parsed, now, withAttachments),
          pin && parsed.digest !== null ? client.describe(parsed, parsed.digest, withAttachments) : undefined,
        ]);
        return { ...facts, ...(currentImage ? { currentImage } : {}), ...(pinned ? { pinned } : {}) };
      })
      .catch((error: unknown) => {
        this.logger.warn(`attachments of ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
        entry.attachments = undefined;
        return {};
      });
    return abortable(entry.attachments, signal);
  }

  /** Asks one reference's question outside any document (workspace-wide edits) and waits for the answer. */
  async ask(ref: ImageReference, platform: string | null, signal?: AbortSignal): Promise<Online | undefined> {
    const question = questionFor(ref, { platform, pins: true });
    if (question === null || this.client === null) return undefined;
    let entry = this.entries.get(question.key);
    if (entry === undefined) {
      entry = new Entry(question.key, ref, platform, NOBODY);
      this.entries.set(question.key, entry);
    }
    if (entry.answer === undefined && entry.pending === undefined) this.start(entry);
    this.report();
    return this.answer(question.key, signal);
  }

  /** Waits for a question's answer (code actions need the digest), or until the signal fires. */
  async answer(key: string, signal?: AbortSignal): Promise<Online | undefined> {
    const entry = this.entries.get(key);
    if (entry?.pending) await abortable(entry.pending.promise, signal).catch(() => undefined);
    return given(this.entries.get(key)?.answer);
  }

  /** Forget every answer and cancel every question (refresh, trust revoked, registry settings changed). */
  reset(client: RegistryClient | null): void {
    for (const entry of this.entries.values()) {
      const { pending } = entry;
      if (pending === undefined) continue;
      pending.controller.abort();
      this.settled(entry, pending);
    }
    this.generation++;
    this.newerTags.clear();
    this.queue = [];
    this.head = 0;
    this.running = 0;
    this.pendingCount = 0;
    this.entries.clear();
    this.wanted.clear();
    this.answered = 0;
    this.rateLimited = undefined;
    this.client = client;
    this.report();
  }

  get state(): ResolverState {
    const pullBudgets = this.client?.pullBudgets() ?? [];
    return {
      pending: this.pendingCount,
      answered: this.answered,
      ...(this.rateLimited ? { rateLimited: this.rateLimited } : {}),
      ...(pullBudgets.length > 0 ? { pullBudgets } : {}),
    };
  }

  private report(): void {
    this.events.progress(this.state);
  }
}

/** The image the tag points to now, worth describing: the tag's digest, or where a drifted pin's tag moved. */
function currentDigest(online: Online | undefined, current: ImageFacts['current'], pin: boolean): string | undefined {
  if (pin) return online?.kind === 'pin' && online.status.status === 'drifted' ? online.status.current : undefined;
  return current?.ok ? current.value.digest : undefined;
}

function errorOf(online: Online): RegistryError | undefined {
  if (online.kind === 'tag') return online.result.ok ? undefined : online.result.error;
  return online.status.status === 'unknown' ? online.status.error : undefined;
}

/** The promise, or a rejection as soon as the signal fires (the work itself goes on for whoever else waits). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new Error('cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('cancelled'));
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
