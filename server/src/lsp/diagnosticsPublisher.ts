// Diagnostics of the open documents: read ≈200 ms after the last change, memoised per document, published (push
// clients) or announced with a refresh (pull clients), with registry answers batched into few updates.
import type { Connection, Diagnostic, DocumentDiagnosticReport } from 'vscode-languageserver/node';
import type { Logger } from '../registry/index';
import type { Settings } from '../shared/settings';
import type { ClientFeatures } from './capabilities';
import type { Guards } from './connection';
import { DiagnosticsMemo, ignoredBySettings, type DiagnosticsContext } from './diagnosticsMemo';
import type { DocumentStore, TrackedDocument } from './documents';
import type { DocumentLock, LockStore } from './locks';
import { platformOption, type RegistrySession } from './registrySession';
import { Debouncer } from './scheduler';
import type { Timers } from '../shared/timers';
import type { ImageReference } from '../references/types';
import type { SettingsStore } from './settingsStore';
import { consistencyDiagnostics } from './consistency';
import type { WorkspacePins } from './workspacePins';

const DEBOUNCE_MS = 200;
const ANSWER_BATCH_MS = 100;
/** With more questions than this outstanding, answers are published (and the status sent) at most once a second. */
const BUSY_PENDING = 100;
const BUSY_BATCH_MS = 1000;

export interface DiagnosticsPublisherDeps {
  connection: Connection;
  documents: DocumentStore;
  client: ClientFeatures;
  settings: SettingsStore;
  registry: RegistrySession;
  /** The lock files that apply to the documents. */
  locks: LockStore;
  /** The workspace's pins (inconsistent-pin). */
  pins: WorkspacePins;
  logger: Logger;
  now: () => number;
  timers: Timers;
  /** Delay between the last change and reading a document again (default 200 ms). */
  debounceMs: number | undefined;
  /** Delay that batches registry answers into one diagnostics update (default 100 ms). */
  answerBatchMs: number | undefined;
  guardSync: Guards['guardSync'];
}

export class DiagnosticsPublisher {
  private readonly memos = new Map<string, DiagnosticsMemo>();
  private readonly debouncer: Debouncer<string>;
  private readonly batchMs: number;
  /** Documents whose diagnostics an answer changed, published together after the batch delay. */
  private readonly dirty = new Set<string>();
  private answerTimer: unknown;
  private refreshTimer: unknown;
  /** The last pull answer per document: the same diagnostics again are "unchanged". */
  private readonly resultIds = new Map<string, { id: string; items: Diagnostic[] }>();
  private resultCounter = 0;
  /** The lock (path and generation) each document's memo was built with. */
  private readonly lockScopes = new Map<string, string>();
  /** The reads of documents already given to the workspace's pins. */
  private readonly indexed = new WeakSet<object>();
  /** publishAnswersNow behind the guard: it runs from a timer too. */
  private readonly publishAnswers: () => void;
  /** Documents the reader thread reads, to be published when it is back. */
  private readonly awaitingRead = new Set<string>();
  /** refreshDocument behind the guard, once the reader thread is back. */
  private readonly refreshRead: (uri: string) => void;

  constructor(private readonly deps: DiagnosticsPublisherDeps) {
    this.batchMs = deps.answerBatchMs ?? ANSWER_BATCH_MS;
    this.publishAnswers = deps.guardSync('publishing answers', () => this.publishAnswersNow());
    this.refreshRead = deps.guardSync('analysis', (uri: string) => this.refreshDocument(uri));
    this.debouncer = new Debouncer<string>(
      deps.debounceMs ?? DEBOUNCE_MS,
      deps.guardSync('analysis', (uri: string) => this.refreshDocument(uri)),
      deps.timers,
    );
  }

  // --- the debounce ------------------------------------------------------------------------------------------------

  /** Reads the document again once its changes pause. */
  schedule(uri: string): void {
    this.debouncer.schedule(uri);
  }

  /** Drops a pending read; true when there was one. */
  cancel(uri: string): boolean {
    return this.debouncer.cancel(uri);
  }

  /** Drops every pending read. */
  cancelAll(): void {
    this.debouncer.dispose();
  }

  /** The document is closed: nothing of it is kept (a pending read is dropped). */
  close(uri: string): void {
    this.debouncer.cancel(uri);
    this.memos.delete(uri);
    this.lockScopes.delete(uri);
    this.resultIds.delete(uri);
    this.dirty.delete(uri);
  }

  // --- reading documents and publishing diagnostics ----------------------------------------------------------------

  private memoOf(uri: string): DiagnosticsMemo {
    let memo = this.memos.get(uri);
    if (memo === undefined) this.memos.set(uri, (memo = new DiagnosticsMemo()));
    return memo;
  }

  /** Forgets the memoised diagnostics of a document (what they depend on changed). */
  clearMemo(uri: string): void {
    this.memos.get(uri)?.clear();
  }

  private contextFor(settings: Settings, lock: DocumentLock | null): DiagnosticsContext {
    const platform = platformOption(settings);
    const resolver = this.deps.registry.resolver;
    // `outdated` on: each version tag's newer versions (a tag list per repository), asked as the document is read.
    const newer =
      settings.severity.outdated === 'off'
        ? {}
        : {
            newer: (ref: ImageReference) =>
              resolver.newerFor(resolver.keyOf(lock?.view(ref, platform) ?? ref, platform)),
          };
    if (lock === null)
      return {
        settings,
        now: this.deps.now(),
        offline: settings.offline,
        online: (ref) => resolver.online(resolver.keyOf(ref, platform)),
        ...newer,
      };
    return {
      settings,
      now: this.deps.now(),
      offline: settings.offline,
      online: (ref) => resolver.online(resolver.keyOf(lock.view(ref, platform), platform)),
      lock: (ref) => lock.state(ref, platform),
      ...newer,
    };
  }

  /** The lock that applies to a document; when it is another than at the last read, the memo is forgotten. */
  private lockOf(uri: string): DocumentLock | null {
    const lock = this.deps.locks.forDocument(uri);
    const scope = lock === null ? '' : `${lock.path}#${lock.generation}`;
    if (this.lockScopes.get(uri) !== scope) {
      this.lockScopes.set(uri, scope);
      this.memos.get(uri)?.clear();
    }
    return lock;
  }

  /**
   * Diagnostics of the document's current text (read now if it changed), or of its last read while the reader thread
   * reads it (none before its first).
   */
  diagnosticsOf(tracked: TrackedDocument): Diagnostic[] {
    const settings = this.deps.settings.for(tracked.uri);
    if (!settings.enable) return [];
    const read = tracked.read();
    if (read instanceof Promise) this.afterRead(tracked.uri, read);
    const analysis = read instanceof Promise ? tracked.last : read;
    if (analysis === undefined) return [];
    const { result } = analysis;
    const context = this.contextFor(settings, this.lockOf(tracked.uri));
    const own = this.memoOf(tracked.uri).all(tracked.extractor.groups, result.notes, context);
    // The workspace's pins follow every read of an open document (once per read); the others that pin its tags are
    // told.
    if (!this.indexed.has(analysis)) {
      this.indexed.add(analysis);
      this.deps.pins.fromDocument(tracked.uri, result.references);
    }
    const across = consistencyDiagnostics(
      tracked.uri,
      result.references,
      settings,
      this.deps.pins,
      context.online,
      context.now,
    );
    return across.length === 0 ? own : [...own, ...across];
  }

  /** Pins of these `name:tag`s changed somewhere: the open documents that pin them are published again. */
  pinsChanged(keys: ReadonlySet<string>): void {
    for (const key of keys)
      for (const place of this.deps.pins.placesOf(key))
        if (!this.dirty.has(place.uri) && this.deps.documents.get(place.uri) !== undefined) this.dirty.add(place.uri);
    this.scheduleAnswers();
  }

  /** Reads a document, asks the registry about its references, and publishes (or has the client pull) diagnostics. */
  refreshDocument(uri: string): void {
    const tracked = this.deps.documents.get(uri);
    if (tracked === undefined || !this.deps.settings.loaded) return;
    const settings = this.deps.settings.for(uri);
    const resolver = this.deps.registry.resolver;
    if (!settings.enable) {
      resolver.forget(uri);
      this.publish(tracked, []);
      return;
    }
    const read = tracked.read();
    if (read instanceof Promise) {
      this.afterRead(uri, read);
      return;
    }
    const analysis = read;
    // $/logTrace, sent only while the client has tracing on ($/setTrace; VS Code: digestPin.trace.server).
    this.deps.connection.tracer.log(
      `analysed ${uri} v${analysis.version}: ${analysis.result.references.length} references in ${analysis.ms.toFixed(1)} ms (${tracked.extractor.stats.parsed} parts read)`,
    );
    const platform = platformOption(settings);
    const lock = this.lockOf(uri);
    resolver.want(
      uri,
      tracked.extractor.groups,
      platform,
      (ref) => ignoredBySettings(ref, settings),
      JSON.stringify([settings.defaultPlatform, settings.ignore, lock?.path ?? null, lock?.generation ?? null]),
      lock === null ? undefined : (ref) => lock.view(ref, platform),
    );
    this.publish(tracked, this.diagnosticsOf(tracked));
  }

  /**
   * The reader thread reads the document: once it is back, the document is read (and published) again, once however
   * many refreshes asked meanwhile. Pull clients are told to ask again.
   */
  private afterRead(uri: string, read: Promise<unknown>): void {
    if (this.awaitingRead.has(uri)) return;
    this.awaitingRead.add(uri);
    void read.then(() => {
      this.awaitingRead.delete(uri);
      if (this.deps.documents.get(uri) === undefined) return;
      this.refreshRead(uri);
      if (this.deps.client.pull) this.scheduleRefresh();
    });
  }

  /** Push clients get the diagnostics (of the version they were read from); pull clients ask on open and change themselves (see refreshAll, answered). */
  private publish(tracked: TrackedDocument, diagnostics: Diagnostic[]): void {
    const version = tracked.last?.version ?? tracked.version;
    if (!this.deps.client.pull) void this.deps.connection.sendDiagnostics({ uri: tracked.uri, version, diagnostics });
  }

  /** Push clients: a closed document's diagnostics are removed. */
  cleared(uri: string): void {
    if (!this.deps.client.pull) void this.deps.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Everything again (settings, trust, refresh): pull clients are told to ask again. */
  refreshAll(clearMemos: boolean): void {
    for (const tracked of this.deps.documents.all()) {
      if (clearMemos) this.memos.get(tracked.uri)?.clear();
      this.debouncer.cancel(tracked.uri);
      this.refreshDocument(tracked.uri);
    }
    if (this.deps.client.pull && this.deps.documents.all().length > 0) this.scheduleRefresh();
  }

  /** Pull clients re-ask for every open document on refresh: batched, at most one per batch delay. */
  scheduleRefresh(): void {
    if (this.refreshTimer !== undefined) return;
    this.refreshTimer = this.deps.timers.setTimeout(() => {
      this.refreshTimer = undefined;
      this.deps.connection.languages.diagnostics
        .refresh()
        .catch((error: unknown) => this.deps.logger.warn(`diagnostics refresh failed: ${String(error)}`));
    }, this.batchMs);
  }

  // --- registry answers ----------------------------------------------------------------------------------------------

  /** A question was answered: the documents asking it are updated with the next batch. */
  answered(key: string): void {
    for (const uri of this.deps.registry.resolver.usersOf(key)) this.dirty.add(uri);
    this.scheduleAnswers();
  }

  /** Publishes the dirty documents after the batch delay. */
  private scheduleAnswers(): void {
    if (this.answerTimer !== undefined || this.dirty.size === 0) return;
    // While many answers are still to come, batch them by the second: each update re-sends every diagnostic of
    // the document, and a 10,000-reference file would otherwise be re-sent ten times a second for minutes.
    const batchMs = this.batchMs;
    this.answerTimer = this.deps.timers.setTimeout(
      this.publishAnswers,
      this.deps.registry.resolver.state.pending > BUSY_PENDING ? Math.max(batchMs, BUSY_BATCH_MS) : batchMs,
    );
  }

  /** The last answers are in: what a batch still holds goes out now rather than at the end of its delay. */
  publishWaitingAnswers(): void {
    if (this.dirty.size > 0 && this.answerTimer !== undefined) this.publishAnswers();
  }

  private publishAnswersNow(): void {
    if (this.answerTimer !== undefined) this.deps.timers.clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
    const uris = [...this.dirty];
    this.dirty.clear();
    for (const uri of uris) {
      this.memos.get(uri)?.clear();
      const tracked = this.deps.documents.get(uri);
      if (tracked === undefined) continue;
      if (this.deps.client.pull) this.scheduleRefresh();
      else if (!this.debouncer.isPending(uri)) this.publish(tracked, this.diagnosticsOf(tracked));
    }
  }

  // --- pull diagnostics ----------------------------------------------------------------------------------------------

  /** A pull answer: "unchanged" when the client has these very diagnostics (the same objects) already. */
  report(uri: string, items: Diagnostic[], previousResultId: string | undefined): DocumentDiagnosticReport {
    const previous = this.resultIds.get(uri);
    if (
      previous !== undefined &&
      previous.items.length === items.length &&
      previous.items.every((d, i) => d === items[i])
    ) {
      return previousResultId === previous.id
        ? { kind: 'unchanged', resultId: previous.id }
        : { kind: 'full', resultId: previous.id, items };
    }
    const id = String(++this.resultCounter);
    this.resultIds.set(uri, { id, items });
    return { kind: 'full', resultId: id, items };
  }
}
