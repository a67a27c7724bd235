// The server's lifecycle (initialize, settings, trust, shutdown) and the open documents' events, over the owners of
// its state: client features, settings, the registry session, the diagnostics publisher and the status throttle.
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  type Connection,
  type DidChangeConfigurationParams,
  type DidChangeWatchedFilesParams,
  type DidChangeTextDocumentParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { Status, type InitializationOptions, type ParamsOf, type Trust } from '../shared/protocol';
import { createRegistryClient, type Logger, type RegistryClient, type RegistryClientOptions } from '../registry/index';
import { SECTION } from '../shared/settings';
import { ClientFeatures, serverCapabilities } from './capabilities';
import type { Guards } from './connection';
import type { ServerContext } from './context';
import { DiagnosticsPublisher } from './diagnosticsPublisher';
import { DocumentStore, pathOf } from './documents';
import { LockStore } from './locks';
import { DocumentReader } from './reader';
import { LOCK_FILE_NAME } from '../lock/lockFile';
import { RegistrySession } from './registrySession';
import type { ResolverState } from './resolver';
import { realTimers, type Timers } from '../shared/timers';
import { SettingsStore } from './settingsStore';
import { StatusThrottle, statusOf } from './status';
import { WorkspacePins } from './workspacePins';
import { WORKSPACE_FILES_GLOB } from '../shared/workspaceFiles';

export interface ServerOptions {
  /** Wall clock (ms since the epoch) for ages in messages and hovers. */
  now?: () => number;
  /** Builds the registry client (tests wrap it to count or fail requests). */
  createRegistry?: (options: RegistryClientOptions) => RegistryClient;
  /** Delay between the last change and reading a document again. Default 200 ms. */
  debounceMs?: number;
  /** Delay that batches registry answers into one diagnostics update. Default 100 ms. */
  answerBatchMs?: number;
  timers?: Timers;
  env?: NodeJS.ProcessEnv;
  /** Reads big documents on a thread of its own (tests pass one with a small threshold, a short budget, a gate). */
  reader?: DocumentReader;
}

export class DigestPinServer implements ServerContext {
  readonly now: () => number;
  readonly documents: DocumentStore;
  private readonly reader: DocumentReader;
  readonly client = new ClientFeatures();
  readonly settings: SettingsStore;
  readonly registry: RegistrySession;
  readonly diagnostics: DiagnosticsPublisher;
  readonly locks: LockStore;
  /** The workspace's pins, for inconsistent-pin. */
  readonly pins: WorkspacePins;
  private readonly logger: Logger;
  private readonly status: StatusThrottle;

  constructor(
    readonly connection: Connection,
    guards: Guards,
    options: ServerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.reader = options.reader ?? new DocumentReader();
    this.documents = new DocumentStore(this.reader);
    const timers = options.timers ?? realTimers;
    this.settings = new SettingsStore(
      (items) => connection.workspace.getConfiguration(items) as Promise<unknown[]>,
      this.client,
      this.documents,
    );
    this.logger = {
      warn: (message) => connection.console.warn(message),
      debug: (message) => {
        if (this.settings.global.trace.server === 'verbose') connection.console.log(message);
      },
    };
    this.locks = new LockStore(this.logger);
    this.pins = new WorkspacePins({ logger: this.logger, changed: (keys) => this.diagnostics.pinsChanged(keys) });
    this.registry = new RegistrySession(
      {
        createRegistry: options.createRegistry ?? createRegistryClient,
        env: options.env ?? process.env,
        logger: this.logger,
        settings: () => this.settings.global,
      },
      { answered: (key) => this.diagnostics.answered(key), progress: (state) => this.sendStatus(state) },
    );
    this.diagnostics = new DiagnosticsPublisher({
      connection,
      documents: this.documents,
      client: this.client,
      settings: this.settings,
      registry: this.registry,
      locks: this.locks,
      pins: this.pins,
      logger: this.logger,
      now: this.now,
      timers,
      debounceMs: options.debounceMs,
      answerBatchMs: options.answerBatchMs,
      guardSync: guards.guardSync,
    });
    this.status = new StatusThrottle(this.now, timers, () => this.sendStatus());
  }

  // --- lifecycle ------------------------------------------------------------------------------------------------------------

  initialize(params: InitializeParams): InitializeResult {
    this.client.initialize(params.capabilities);
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    this.registry.initialize(init);
    this.settings.initialize(init.settings);
    const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    const paths = folders.filter((uri) => uri.startsWith('file:')).map(pathOf);
    this.locks.setFolders(paths);
    this.pins.setFolders(paths);
    return { capabilities: serverCapabilities(this.client.pull), serverInfo: { name: 'digest-pin' } };
  }

  async initialized(): Promise<void> {
    if (this.client.dynamicConfiguration) {
      await this.connection.client.register(DidChangeConfigurationNotification.type, { section: SECTION });
    }
    // A lock file changed (edited and saved, a git checkout): the documents it applies to are diagnosed again. A
    // file that may hold images changed: the workspace's pins (inconsistent-pin) are read again.
    if (this.client.dynamicWatchedFiles) {
      await this.connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: `**/${LOCK_FILE_NAME}` }, { globPattern: WORKSPACE_FILES_GLOB }],
      });
    }
    await this.settings
      .load()
      .catch((error: unknown) => this.logger.warn(`reading settings failed, using defaults: ${String(error)}`));
    await this.registry.update();
    this.settings.markLoaded();
    this.diagnostics.refreshAll(true);
    this.sendStatus();
    // After the first diagnostics, in the background: the walk yields to every request.
    this.walkWorkspace();
  }

  /** The workspace's pins are read from disk only in a trusted workspace, as "Pin all" reads files only then. */
  private walkWorkspace(): void {
    if (!this.registry.trusted) {
      this.pins.stop();
      return;
    }
    void this.pins.start().then((stats) => {
      if (stats !== null)
        this.logger.debug?.(
          `workspace pins: ${stats.pins} in ${stats.files} files read in ${stats.ms.toFixed(0)} ms${stats.truncated ? ' (file limit reached)' : ''}`,
        );
    });
  }

  async shutdown(): Promise<void> {
    this.pins.stop();
    this.diagnostics.cancelAll();
    await Promise.all([this.registry.close(), this.reader.close()]);
  }

  async configuration(params: DidChangeConfigurationParams): Promise<void> {
    this.settings.push((params.settings as Record<string, unknown> | null | undefined)?.[SECTION]);
    await this.settings.load();
    await this.registry.update();
    for (const tracked of this.documents.all()) tracked.invalidate();
    this.diagnostics.refreshAll(true);
    this.sendStatus();
  }

  async trust(params: ParamsOf<typeof Trust>): Promise<void> {
    if (!(await this.registry.trust(params?.trusted === true))) return;
    this.diagnostics.refreshAll(true);
    this.sendStatus();
    if (this.settings.loaded) this.walkWorkspace();
  }

  /**
   * Watched files changed: each is read again into the workspace's pins; when one is a lock file, every lock is read
   * again and every document diagnosed again.
   */
  watchedFiles(params: DidChangeWatchedFilesParams): void {
    for (const change of params.changes) void this.pins.fileChanged(change.uri, change.type === FileChangeType.Deleted);
    if (!params.changes.some((change) => pathOf(change.uri).endsWith(`/${LOCK_FILE_NAME}`))) return;
    this.locks.changed();
    this.diagnostics.refreshAll(true);
    this.sendStatus();
  }

  // --- documents ----------------------------------------------------------------------------------------------------------

  didOpen(params: DidOpenTextDocumentParams): void {
    const { uri, languageId, version, text } = params.textDocument;
    this.documents.open(uri, languageId, version, text);
    if (!this.settings.loaded) return;
    this.diagnostics.refreshDocument(uri);
    void this.loadDocumentSettings(uri).catch((error: unknown) =>
      this.logger.warn(`reading settings for ${uri} failed: ${String(error)}`),
    );
  }

  didChange(params: DidChangeTextDocumentParams): void {
    const { uri, version } = params.textDocument;
    if (this.documents.change(uri, version, params.contentChanges) === undefined) return;
    // Pull clients ask when they want diagnostics; the debounce then only keeps the registry questions current.
    this.diagnostics.schedule(uri);
  }

  didClose(params: DidCloseTextDocumentParams): void {
    const { uri } = params.textDocument;
    this.documents.close(uri);
    void this.pins.closed(uri);
    this.settings.forget(uri);
    this.diagnostics.close(uri);
    this.registry.resolver.forget(uri);
    this.diagnostics.cleared(uri);
    this.sendStatus();
  }

  /** A document's own settings (clients with workspace/configuration): read again when they differ. */
  private async loadDocumentSettings(uri: string): Promise<void> {
    if (!(await this.settings.loadDocument(uri))) return;
    this.diagnostics.clearMemo(uri);
    this.diagnostics.refreshDocument(uri);
    if (this.client.pull) this.diagnostics.scheduleRefresh();
  }

  // --- status for the client's status bar ------------------------------------------------------------------------------

  sendStatus(state: ResolverState = this.registry.resolver.state): void {
    const anyEnabled =
      this.documents.all().length === 0 || this.documents.all().some((d) => this.settings.for(d.uri).enable);
    const status = statusOf({
      trusted: this.registry.trusted,
      anyEnabled,
      offline: this.settings.global.offline,
      state,
    });
    if (!this.status.admit(status)) return;
    void this.connection.sendNotification(Status.method, status);
    // The last answers are in: publish what they changed now rather than at the end of a one-second batch.
    if (status.state !== 'resolving') this.diagnostics.publishWaitingAnswers();
  }
}
