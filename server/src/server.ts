// The digest-pin language server: the only module that touches the LSP connection. It keeps the open documents,
// reads their references (≈200 ms after the last change, incrementally), asks the registries about them (never in an
// untrusted workspace), and turns what it knows into diagnostics (pushed, or pulled where the client can), hovers,
// code actions and workspace edits — all computed by pure functions in features/ and lsp/.
import { readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  LSPErrorCodes,
  MarkupKind,
  ProposedFeatures,
  ResponseError,
  TextDocumentSyncKind,
  createConnection,
  type CancellationToken,
  type ClientCapabilities,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type Hover,
  type InitializeParams,
  type InitializeResult,
  type TextDocumentEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { defaultCacheDir } from './cli/registry';
import { codeActions, pinAllEdits, type FileFormat, type FileView } from './features/codeActions';
import type { Online } from './features/diagnostics';
import type { ImageFacts } from './features/facts';
import { hoverMarkdown, type HoverMode } from './features/hover';
import { DiagnosticsMemo, ignoredBySettings, type DiagnosticsContext } from './lsp/diagnosticsMemo';
import { DocumentStore, pathOf, type TrackedDocument } from './lsp/documents';
import { Resolver, type ResolverState } from './lsp/resolver';
import { Debouncer, realTimers, type Timers } from './lsp/scheduler';
import {
  PinWorkspace,
  Refresh,
  Status,
  Trust,
  UpdateWorkspace,
  type InitializationOptions,
  type Message,
  type ParamsOf,
  type RefreshResult,
  type StatusParams,
  type WorkspaceEditParams,
  type WorkspaceEditResult,
} from './protocol';
import { findReferences } from './references/index';
import type { ImageReference, Position } from './references/types';
import { CACHE_FILE } from './registry/cache';
import {
  createRegistryClient,
  explain,
  normalizePlatform,
  parsePlatform,
  formatPlatform,
  type Logger,
  type RegistryClient,
  type RegistryClientOptions,
} from './registry/index';
import { DEFAULT_SETTINGS, SECTION, readSettings, registryKey, type Settings } from './settings';

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
}

const DEBOUNCE_MS = 200;
const ANSWER_BATCH_MS = 100;
/** With more questions than this outstanding, answers are published (and the status sent) at most once a second. */
const BUSY_PENDING = 100;
const BUSY_BATCH_MS = 1000;
const STATUS_MS = 250;

/** `FROM`-style platform option from the settings: null pins the multi-platform index. */
function platformOption(settings: Settings): string | null {
  const parsed = settings.defaultPlatform === '' ? null : parsePlatform(settings.defaultPlatform);
  return parsed === null ? null : formatPlatform(normalizePlatform(parsed));
}

function formatOf(tracked: Pick<TrackedDocument, 'path'>, kind: string | null, text: string): FileFormat {
  if (kind === 'dockerfile') return 'dockerfile';
  if (/\.jsonc?$/i.test(tracked.path) || /^\s*[{/]/.test(text.slice(0, 1024))) return 'json';
  return 'yaml';
}

const eolOf = (text: string): string => {
  const at = text.search(/\r\n|\n|\r/);
  if (at < 0) return '\n';
  return text.startsWith('\r\n', at) ? '\r\n' : text.charAt(at);
};

/** The CancellationToken of a request as the AbortSignal the registry client (got) takes. */
function signalOf(token: CancellationToken | undefined): AbortSignal | undefined {
  if (token === undefined) return undefined;
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}

const contains = (ref: ImageReference, position: Position): boolean => {
  const { start, end } = ref.range;
  if (position.line < start.line || position.line > end.line) return false;
  if (position.line === start.line && position.character < start.character) return false;
  return !(position.line === end.line && position.character > end.character);
};

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const now = options.now ?? Date.now;
  const timers = options.timers ?? realTimers;
  const env = options.env ?? process.env;
  const createRegistry = options.createRegistry ?? createRegistryClient;
  const documents = new DocumentStore();
  const memos = new Map<string, DiagnosticsMemo>();

  let capabilities: ClientCapabilities = {};
  let pull = false;
  let configurationRequests = false;
  let trusted = true;
  let cacheDir: string | undefined;
  let globalSettings: Settings = DEFAULT_SETTINGS;
  /** Settings sent without workspace/configuration (didChangeConfiguration, initializationOptions). */
  let pushedSettings: unknown;
  const resourceSettings = new Map<string, Settings>();
  let client: RegistryClient | null = null;
  let clientKey = '';
  let lastStatus = '';
  /** Until the settings are read (after `initialized`), documents are only recorded: enable/offline are unknown. */
  let settingsLoaded = false;
  let markReady: () => void = () => undefined;
  /** Requests that need settings and the registry client wait for this. */
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const logger: Logger = {
    warn: (message) => connection.console.warn(message),
    debug: (message) => {
      if (globalSettings.trace.server === 'verbose') connection.console.log(message);
    },
  };

  const resolver = new Resolver(
    null,
    {
      answered: (key) => answered(key),
      progress: (state) => sendStatus(state),
    },
    logger,
  );

  // --- never crash: every handler's failure is logged and answered with nothing --------------------------------

  function guard<A extends unknown[], R>(
    name: string,
    fallback: R,
    handler: (...args: A) => R | Promise<R>,
  ): (...args: A) => Promise<R> {
    return async (...args: A) => {
      try {
        return await handler(...args);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        connection.console.error(
          `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        return fallback;
      }
    };
  }

  function guardSync<A extends unknown[]>(name: string, handler: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        handler(...args);
      } catch (error) {
        connection.console.error(
          `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
    };
  }

  // --- settings, trust and the registry client -----------------------------------------------------------------------

  function settingsFor(uri: string): Settings {
    return resourceSettings.get(uri) ?? globalSettings;
  }

  async function loadSettings(): Promise<void> {
    if (configurationRequests) {
      const uris = documents.all().map((d) => d.uri);
      const answers = (await connection.workspace.getConfiguration([
        { section: SECTION },
        ...uris.map((scopeUri) => ({ section: SECTION, scopeUri })),
      ])) as unknown[];
      globalSettings = readSettings(answers[0]);
      resourceSettings.clear();
      uris.forEach((uri, i) => resourceSettings.set(uri, readSettings(answers[i + 1])));
    } else {
      globalSettings = readSettings(pushedSettings);
      resourceSettings.clear();
    }
  }

  async function loadDocumentSettings(uri: string): Promise<void> {
    if (!configurationRequests) return;
    const [answer] = (await connection.workspace.getConfiguration([{ section: SECTION, scopeUri: uri }])) as unknown[];
    if (documents.get(uri) === undefined) return;
    const next = readSettings(answer);
    const before = resourceSettings.get(uri);
    resourceSettings.set(uri, next);
    if (
      before === undefined
        ? JSON.stringify(next) !== JSON.stringify(globalSettings)
        : JSON.stringify(before) !== JSON.stringify(next)
    ) {
      memos.get(uri)?.clear();
      refreshDocument(uri);
      if (pull) scheduleRefresh();
    }
  }

  /** Client changes run one after another: a new client reads the persistent cache after the old one wrote it. */
  let clientChange: Promise<unknown> = Promise.resolve();

  /**
   * The registry client for the current settings and trust; a new one (and no answers) when they change, or when
   * forced. The old client is closed (its cache written) first; `clearCache` then deletes the cache file (refresh).
   */
  function updateClient(options: { force?: boolean; clearCache?: boolean } = {}): Promise<boolean> {
    const change = async (): Promise<boolean> => {
      const wanted = trusted ? registryKey(globalSettings) : 'untrusted';
      if (!options.force && wanted === clientKey) return false;
      const old = client;
      client = null;
      clientKey = wanted;
      resolver.reset(null);
      if (old !== null)
        await old
          .close()
          .catch((error: unknown) => logger.warn(`closing the registry client failed: ${String(error)}`));
      if (options.clearCache && cacheDir !== undefined) {
        await rm(join(cacheDir, CACHE_FILE), { force: true }).catch((error: unknown) =>
          logger.warn(`clearing the cache failed: ${String(error)}`),
        );
      }
      client = trusted
        ? createRegistry({
            ...(cacheDir !== undefined ? { cacheDir } : {}),
            offline: globalSettings.offline,
            tagTtlMs: globalSettings.cacheTtlMinutes * 60_000,
            insecureRegistries: globalSettings.insecureRegistries,
            concurrency: globalSettings.concurrency,
            timeoutMs: globalSettings.timeoutMs,
            ...(platformOption(globalSettings) !== null ? { defaultPlatform: platformOption(globalSettings)! } : {}),
            logger,
            env,
          })
        : null;
      resolver.reset(client);
      return true;
    };
    const next = clientChange.then(change);
    clientChange = next.catch(() => undefined);
    return next;
  }

  // --- reading documents and publishing diagnostics ----------------------------------------------------------------

  const debouncer = new Debouncer<string>(
    options.debounceMs ?? DEBOUNCE_MS,
    guardSync('analysis', (uri: string) => refreshDocument(uri)),
    timers,
  );

  function memoOf(uri: string): DiagnosticsMemo {
    let memo = memos.get(uri);
    if (memo === undefined) memos.set(uri, (memo = new DiagnosticsMemo()));
    return memo;
  }

  function contextFor(uri: string, settings: Settings): DiagnosticsContext {
    const platform = platformOption(settings);
    return {
      settings,
      now: now(),
      offline: settings.offline,
      online: (ref) => resolver.online(resolver.keyOf(ref, platform)),
    };
  }

  /** Diagnostics of the document's current text (read now if it changed). */
  function diagnosticsOf(tracked: TrackedDocument): Diagnostic[] {
    const settings = settingsFor(tracked.uri);
    if (!settings.enable) return [];
    const { result } = tracked.analyse();
    return memoOf(tracked.uri).all(tracked.extractor.groups, result.notes, contextFor(tracked.uri, settings));
  }

  /** Reads a document, asks the registry about its references, and publishes (or has the client pull) diagnostics. */
  function refreshDocument(uri: string): void {
    const tracked = documents.get(uri);
    if (tracked === undefined || !settingsLoaded) return;
    const settings = settingsFor(uri);
    if (!settings.enable) {
      resolver.forget(uri);
      publish(tracked, []);
      return;
    }
    const analysis = tracked.analyse();
    // $/logTrace, sent only while the client has tracing on ($/setTrace; VS Code: digestPin.trace.server).
    connection.tracer.log(
      `analysed ${uri} v${analysis.version}: ${analysis.result.references.length} references in ${analysis.ms.toFixed(1)} ms (${tracked.extractor.stats.parsed} parts read)`,
    );
    resolver.want(
      uri,
      tracked.extractor.groups,
      platformOption(settings),
      (ref) => ignoredBySettings(ref, settings),
      JSON.stringify([settings.defaultPlatform, settings.ignore]),
    );
    publish(tracked, diagnosticsOf(tracked));
  }

  /** Push clients get the diagnostics; pull clients ask on open and change themselves (see refreshAll, answered). */
  function publish(tracked: TrackedDocument, diagnostics: Diagnostic[]): void {
    if (!pull) void connection.sendDiagnostics({ uri: tracked.uri, version: tracked.version, diagnostics });
  }

  /** Pull clients re-ask for every open document on refresh: batched, at most one per batch delay. */
  let refreshTimer: unknown;
  function scheduleRefresh(): void {
    if (refreshTimer !== undefined) return;
    refreshTimer = timers.setTimeout(() => {
      refreshTimer = undefined;
      connection.languages.diagnostics
        .refresh()
        .catch((error: unknown) => logger.warn(`diagnostics refresh failed: ${String(error)}`));
    }, options.answerBatchMs ?? ANSWER_BATCH_MS);
  }

  /** Documents whose diagnostics an answer changed, published together after the batch delay. */
  const dirty = new Set<string>();
  let answerTimer: unknown;
  function answered(key: string): void {
    for (const uri of resolver.usersOf(key)) dirty.add(uri);
    if (answerTimer !== undefined || dirty.size === 0) return;
    // While many answers are still to come, batch them by the second: each update re-sends every diagnostic of
    // the document, and a 10,000-reference file would otherwise be re-sent ten times a second for minutes.
    const batchMs = options.answerBatchMs ?? ANSWER_BATCH_MS;
    answerTimer = timers.setTimeout(
      publishAnswers,
      resolver.state.pending > BUSY_PENDING ? Math.max(batchMs, BUSY_BATCH_MS) : batchMs,
    );
  }

  const publishAnswers = guardSync('publishing answers', () => {
    if (answerTimer !== undefined) timers.clearTimeout(answerTimer);
    answerTimer = undefined;
    const uris = [...dirty];
    dirty.clear();
    for (const uri of uris) {
      memos.get(uri)?.clear();
      const tracked = documents.get(uri);
      if (tracked === undefined) continue;
      if (pull) scheduleRefresh();
      else if (!debouncer.isPending(uri)) publish(tracked, diagnosticsOf(tracked));
    }
  });

  /** Everything again (settings, trust, refresh): pull clients are told to ask again. */
  function refreshAll(clearMemos: boolean): void {
    for (const tracked of documents.all()) {
      if (clearMemos) memos.get(tracked.uri)?.clear();
      debouncer.cancel(tracked.uri);
      refreshDocument(tracked.uri);
    }
    if (pull && documents.all().length > 0) scheduleRefresh();
  }

  // --- status for the client's status bar ------------------------------------------------------------------------------

  function sendStatus(state: ResolverState = resolver.state): void {
    const anyEnabled = documents.all().length === 0 || documents.all().some((d) => settingsFor(d.uri).enable);
    let status: StatusParams;
    if (!trusted)
      status = {
        state: 'untrusted',
        pending: 0,
        message: 'Workspace not trusted: static checks only, no registry requests',
      };
    else if (!anyEnabled)
      status = { state: 'disabled', pending: 0, message: 'digest-pin is disabled for the open files' };
    else if (state.rateLimited) {
      const { registry, retryAfter } = state.rateLimited;
      status = {
        state: 'rate-limited',
        pending: state.pending,
        registry,
        message: `Rate-limited by ${registry}${retryAfter !== undefined ? ` (retry after ${Math.ceil(retryAfter)} s)` : ''}${state.pending > 0 ? `; ${state.pending} images waiting` : ''}`,
        ...(retryAfter !== undefined ? { retryAfter } : {}),
      };
    } else if (state.pending > 0)
      status = {
        state: 'resolving',
        pending: state.pending,
        message: `Resolving ${state.pending} image${state.pending === 1 ? '' : 's'}`,
      };
    else if (globalSettings.offline) status = { state: 'offline', pending: 0, message: 'Offline: cached digests only' };
    else
      status = {
        state: 'idle',
        pending: 0,
        message: `${state.answered} image${state.answered === 1 ? '' : 's'} checked`,
      };
    const text = JSON.stringify(status);
    if (text === lastStatus) return;
    // A new state goes out at once; a new count of the same state at most every STATUS_MS (answers come in thousands).
    const sameState = lastStatusState === status.state;
    if (sameState && now() - lastStatusAt < STATUS_MS) {
      if (statusTimer === undefined) {
        statusTimer = timers.setTimeout(() => {
          statusTimer = undefined;
          sendStatus();
        }, STATUS_MS);
      }
      return;
    }
    if (statusTimer !== undefined) timers.clearTimeout(statusTimer);
    statusTimer = undefined;
    lastStatus = text;
    lastStatusState = status.state;
    lastStatusAt = now();
    void connection.sendNotification(Status.method, status);
    // The last answers are in: publish what they changed now rather than at the end of a one-second batch.
    if (status.state !== 'resolving' && dirty.size > 0 && answerTimer !== undefined) publishAnswers();
  }
  let lastStatusState = '';
  let lastStatusAt = 0;
  let statusTimer: unknown;

  // --- lifecycle ------------------------------------------------------------------------------------------------------------

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    capabilities = params.capabilities;
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    trusted = init.trusted !== false;
    cacheDir =
      typeof init.cacheDir === 'string' && init.cacheDir !== ''
        ? init.cacheDir
        : defaultCacheDir(process.platform, env, homedir());
    pushedSettings = init.settings;
    globalSettings = readSettings(pushedSettings);
    configurationRequests = capabilities.workspace?.configuration === true;
    pull =
      capabilities.textDocument?.diagnostic !== undefined &&
      capabilities.workspace?.diagnostics?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: {
          codeActionKinds: [CodeActionKind.QuickFix, 'source.fixAll.digestPin'],
          resolveProvider: false,
        },
        ...(pull
          ? {
              diagnosticProvider: {
                identifier: 'digest-pin',
                interFileDependencies: false,
                workspaceDiagnostics: false,
              },
            }
          : {}),
      },
      serverInfo: { name: 'digest-pin' },
    };
  });

  connection.onInitialized(
    guard('initialized', undefined, async () => {
      if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: SECTION });
      }
      await loadSettings().catch((error: unknown) =>
        logger.warn(`reading settings failed, using defaults: ${String(error)}`),
      );
      await updateClient();
      settingsLoaded = true;
      markReady();
      refreshAll(true);
      sendStatus();
    }),
  );

  connection.onShutdown(
    guard('shutdown', undefined, async () => {
      debouncer.dispose();
      resolver.reset(null);
      await client?.close();
      client = null;
    }),
  );

  connection.onDidChangeConfiguration(
    guard('configuration', undefined, async (params) => {
      const sent = (params.settings as Record<string, unknown> | null | undefined)?.[SECTION];
      if (sent !== undefined) pushedSettings = sent;
      await loadSettings();
      await updateClient();
      for (const tracked of documents.all()) tracked.invalidate();
      refreshAll(true);
      sendStatus();
    }),
  );

  connection.onNotification(
    Trust.method,
    guard('trust', undefined, async (params: ParamsOf<typeof Trust>) => {
      const next = params?.trusted === true;
      if (next === trusted) return;
      trusted = next;
      await updateClient({ force: true });
      refreshAll(true);
      sendStatus();
    }),
  );

  // --- documents ----------------------------------------------------------------------------------------------------------

  connection.onDidOpenTextDocument(
    guardSync('didOpen', (params) => {
      const { uri, languageId, version, text } = params.textDocument;
      documents.open(uri, languageId, version, text);
      if (!settingsLoaded) return;
      refreshDocument(uri);
      void loadDocumentSettings(uri).catch((error: unknown) =>
        logger.warn(`reading settings for ${uri} failed: ${String(error)}`),
      );
    }),
  );

  connection.onDidChangeTextDocument(
    guardSync('didChange', (params) => {
      const { uri, version } = params.textDocument;
      if (documents.change(uri, version, params.contentChanges) === undefined) return;
      // Pull clients ask when they want diagnostics; the debounce then only keeps the registry questions current.
      debouncer.schedule(uri);
    }),
  );

  connection.onDidCloseTextDocument(
    guardSync('didClose', (params) => {
      const { uri } = params.textDocument;
      debouncer.cancel(uri);
      documents.close(uri);
      memos.delete(uri);
      resourceSettings.delete(uri);
      resultIds.delete(uri);
      dirty.delete(uri);
      resolver.forget(uri);
      if (!pull) void connection.sendDiagnostics({ uri, diagnostics: [] });
      sendStatus();
    }),
  );

  // --- pull diagnostics -----------------------------------------------------------------------------------------------------

  const resultIds = new Map<string, { id: string; items: Diagnostic[] }>();
  let resultCounter = 0;

  connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
    if (token.isCancellationRequested)
      throw new ResponseError(LSPErrorCodes.ServerCancelled, 'cancelled', { retriggerRequest: true });
    try {
      const uri = params.textDocument.uri;
      const tracked = documents.get(uri);
      if (tracked === undefined) return { kind: 'full', items: [] };
      if (debouncer.cancel(uri) || tracked.stale) refreshDocument(uri);
      const items = diagnosticsOf(tracked);
      const previous = resultIds.get(uri);
      if (
        previous !== undefined &&
        previous.items.length === items.length &&
        previous.items.every((d, i) => d === items[i])
      ) {
        return params.previousResultId === previous.id
          ? { kind: 'unchanged', resultId: previous.id }
          : { kind: 'full', resultId: previous.id, items };
      }
      const id = String(++resultCounter);
      resultIds.set(uri, { id, items });
      return { kind: 'full', resultId: id, items };
    } catch (error) {
      connection.console.error(
        `diagnostics failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return { kind: 'full', items: [] };
    }
  });

  // --- facts for hovers and code actions ------------------------------------------------------------------------------

  /** The current read of a document (hovers and code actions never wait for the debounce). */
  function current(
    uri: string,
  ): { tracked: TrackedDocument; references: ImageReference[]; settings: Settings; kind: string | null } | undefined {
    const tracked = documents.get(uri);
    if (tracked === undefined) return undefined;
    const settings = settingsFor(uri);
    if (!settings.enable) return undefined;
    const analysis = tracked.analyse();
    return { tracked, references: analysis.result.references, settings, kind: analysis.kind };
  }

  function hoverMode(settings: Settings): HoverMode {
    if (!trusted) return 'untrusted';
    return settings.offline ? 'offline' : 'online';
  }

  async function factsFor(
    ref: ImageReference,
    settings: Settings,
    signal: AbortSignal | undefined,
    details: boolean,
  ): Promise<ImageFacts | undefined> {
    const key = resolver.keyOf(ref, platformOption(settings));
    if (key === null || !resolver.active) return undefined;
    const online = await resolver.answer(key, signal);
    if (!details) return online === undefined ? undefined : { online };
    const described = await resolver.details(key, signal).catch(() => ({}) as ImageFacts);
    const latest: Online | undefined = resolver.online(key) ?? online;
    return { ...described, ...(latest !== undefined ? { online: latest } : {}) };
  }

  connection.onHover(
    guard('hover', null, async (params, token): Promise<Hover | null> => {
      await ready;
      const found = current(params.textDocument.uri);
      if (found === undefined) return null;
      const ref = found.references.find((r) => contains(r, params.position));
      if (ref === undefined) return null;
      const facts =
        ref.ignored || ignoredBySettings(ref, found.settings)
          ? undefined
          : await factsFor(ref, found.settings, signalOf(token), true);
      // Cancelled while the registry was being asked (the cursor moved on): the client no longer wants this hover.
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      const markdown = hoverMarkdown({
        ref,
        facts,
        mode: hoverMode(found.settings),
        now: now(),
        ignoredBySettings: ignoredBySettings(ref, found.settings),
      });
      const plain = capabilities.textDocument?.hover?.contentFormat?.includes(MarkupKind.Markdown) === false;
      return {
        contents: { kind: plain ? MarkupKind.PlainText : MarkupKind.Markdown, value: markdown },
        range: ref.range,
      };
    }),
  );

  function fileView(tracked: TrackedDocument, kind: string | null, versioned: boolean): FileView {
    const text = tracked.document.getText();
    return {
      uri: tracked.uri,
      version: versioned ? tracked.version : null,
      format: formatOf(tracked, kind, text),
      eol: eolOf(text),
      lineAt: (line) => {
        const start = tracked.document.offsetAt({ line, character: 0 });
        const end = tracked.document.offsetAt({ line: line + 1, character: 0 });
        return text.slice(start, end).replace(/\r?\n$|\r$/, '');
      },
    };
  }

  const versionedEdits = (): boolean => capabilities.workspace?.workspaceEdit?.documentChanges === true;

  connection.onCodeAction(
    guard('codeAction', [] as CodeAction[], async (params, token) => {
      await ready;
      const found = current(params.textDocument.uri);
      if (found === undefined) return [];
      const { tracked, references, settings, kind } = found;
      const signal = signalOf(token);
      const fixAll = params.context.only?.some((k) => k === 'source' || k.startsWith('source.fixAll')) ?? false;
      const inRange = references.filter(
        (ref) => !(ref.range.end.line < params.range.start.line || ref.range.start.line > params.range.end.line),
      );
      const factMap = new Map<ImageReference, ImageFacts | undefined>();
      // Every reference of the file for "pin all"; details (platforms) only for those under the cursor.
      await Promise.all(
        references.map(async (ref) => {
          const wanted = inRange.includes(ref);
          if (!wanted && !fixAll && references.length > 500) return;
          factMap.set(ref, await factsFor(ref, settings, signal, wanted).catch(() => undefined));
        }),
      );
      if (signal?.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      return codeActions({
        file: fileView(tracked, kind, versionedEdits()),
        references,
        range: params.range,
        diagnostics: params.context.diagnostics,
        ...(params.context.only ? { only: params.context.only } : {}),
        facts: (ref) => factMap.get(ref),
        settings,
        skip: (ref) => ignoredBySettings(ref, settings),
      });
    }),
  );

  // --- digest-pin requests ----------------------------------------------------------------------------------------------------

  onRequest(Refresh, 'refresh', { references: 0 }, async (): Promise<RefreshResult> => {
    await ready;
    debouncer.dispose();
    await updateClient({ force: true, clearCache: true });
    refreshAll(true);
    return { references: resolver.state.pending + resolver.state.answered };
  });

  onRequest(PinWorkspace, 'pinWorkspace', emptyWorkspaceResult(), (params, token) =>
    workspaceEdits(params, token, 'pin'),
  );
  onRequest(UpdateWorkspace, 'updateWorkspace', emptyWorkspaceResult(), (params, token) =>
    workspaceEdits(params, token, 'update'),
  );

  function onRequest<P, R>(
    message: Message<P, R>,
    name: string,
    fallback: R,
    handler: (params: P, token: CancellationToken) => Promise<R>,
  ): void {
    connection.onRequest(
      message.method,
      guard(name, fallback, (params: P, token: CancellationToken) => handler(params, token)),
    );
  }

  async function workspaceEdits(
    params: WorkspaceEditParams,
    token: CancellationToken,
    action: 'pin' | 'update',
  ): Promise<WorkspaceEditResult> {
    await ready;
    await clientChange;
    const result = emptyWorkspaceResult();
    const uris = Array.isArray(params?.uris) ? params.uris.filter((u): u is string => typeof u === 'string') : [];
    const progress = connection.window.attachWorkDoneProgress(params?.workDoneToken);
    progress.begin(action === 'pin' ? 'Pinning images' : 'Updating drifted digests', 0, `${uris.length} files`, true);
    const signal = signalOf(token);
    const changes: TextDocumentEdit[] = [];
    const plain: NonNullable<WorkspaceEdit['changes']> = {};
    try {
      if (client === null) {
        result.summary.failures.push({
          uri: '',
          line: 0,
          text: '',
          reason: 'the workspace is not trusted: no registry requests',
        });
        uris.length = 0;
      }
      let done = 0;
      for (const uri of uris) {
        if (signal?.aborted) {
          result.summary.cancelled = true;
          break;
        }
        progress.report(Math.round((done / Math.max(1, uris.length)) * 100), pathOf(uri).split('/').pop() ?? uri);
        await editOne(uri, action, signal, result, changes, plain);
        done++;
      }
    } finally {
      progress.done();
    }
    result.edit = versionedEdits() ? { documentChanges: changes } : { changes: plain };
    return result;
  }

  async function editOne(
    uri: string,
    action: 'pin' | 'update',
    signal: AbortSignal | undefined,
    result: WorkspaceEditResult,
    changes: TextDocumentEdit[],
    plain: NonNullable<WorkspaceEdit['changes']>,
  ): Promise<void> {
    const open = documents.get(uri);
    const settings = settingsFor(uri);
    if (!settings.enable) return;
    let text: string;
    let references: ImageReference[];
    let kind: string | null;
    let view: FileView;
    if (open !== undefined) {
      const analysis = open.analyse();
      text = open.document.getText();
      references = analysis.result.references;
      kind = analysis.kind;
      view = fileView(open, kind, true);
    } else {
      try {
        text = await readFile(fileURLToPath(uri), 'utf8');
      } catch (error) {
        result.summary.failures.push({
          uri,
          line: 0,
          text: '',
          reason: `could not read the file: ${error instanceof Error ? error.message : String(error)}`,
        });
        return;
      }
      const path = pathOf(uri);
      const extracted = findReferences(path, text);
      references = extracted.references;
      kind = extracted.kind;
      const lines = text.split(/\r\n|\r|\n/);
      view = {
        uri,
        version: null,
        format: formatOf({ path }, kind, text),
        eol: eolOf(text),
        lineAt: (line) => lines[line] ?? '',
      };
    }
    const platform = platformOption(settings);
    const wanted = references.filter(
      (ref) =>
        !ignoredBySettings(ref, settings) &&
        !ref.ignored &&
        !ref.localBuild &&
        (action === 'pin' ? ref.status === 'unpinned' : ref.status === 'pinned' && ref.tag !== null),
    );
    const facts = new Map<ImageReference, ImageFacts>();
    for (const ref of wanted) {
      const key = resolver.keyOf(ref, platform);
      if (key === null) continue;
      const online = resolver.online(key) ?? (await resolver.ask(ref, platform, signal));
      if (online !== undefined) facts.set(ref, { online });
    }
    const made = pinAllEdits(wanted, (ref) => facts.get(ref), settings, view, action);
    for (const ref of wanted) {
      if (made.references.includes(ref)) continue;
      const online = facts.get(ref)?.online;
      const reason = online === undefined ? 'not looked up (cancelled or offline)' : reasonOf(online, action);
      if (reason !== null) result.summary.failures.push({ uri, line: ref.range.start.line, text: ref.text, reason });
    }
    if (made.edits.length === 0) return;
    result.summary.files++;
    result.summary.edited += made.references.length;
    const edits = made.edits.map((e) => ({ range: e.range, newText: e.newText }));
    changes.push({ textDocument: { uri, version: open !== undefined ? open.version : null }, edits });
    plain[uri] = edits;
  }

  connection.listen();
}

function emptyWorkspaceResult(): WorkspaceEditResult {
  return { edit: { changes: {} }, summary: { files: 0, edited: 0, failures: [], cancelled: false } };
}

/** Why a reference was not edited, or null when there was nothing to do (current pin). */
function reasonOf(online: Online, action: 'pin' | 'update'): string | null {
  if (online.kind === 'tag')
    return online.result.ok
      ? 'the reference cannot be edited in place'
      : `${explain(online.result.error)} (${online.result.error.kind})`;
  switch (online.status.status) {
    case 'current':
      return null;
    case 'unknown':
      return `${explain(online.status.error)} (${online.status.error.kind})`;
    case 'gone':
      return online.tag === undefined
        ? 'the pinned digest is gone and where the tag points now is not known'
        : 'the reference cannot be edited in place';
    case 'drifted':
      return action === 'update' ? 'the reference cannot be edited in place' : null;
  }
}

/**
 * `node dist/server.js --stdio` (or `--node-ipc` / `--socket=N`, as VS Code starts it) and `digest-pin lsp [--stdio]`:
 * stdio unless the arguments name another transport.
 */
export function main(args: readonly string[] = process.argv.slice(2)): void {
  const other = args.some((arg) => arg === '--node-ipc' || arg.startsWith('--socket=') || arg.startsWith('--pipe='));
  const connection = other
    ? createConnection(ProposedFeatures.all)
    : createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  // A bug must never take the server down with the editor's work: log it and carry on.
  process.on('uncaughtException', (error) => connection.console.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));
  startServer(connection);
}
