// A stand-in for the `vscode` module, just enough for an extension's activate() and a LanguageClient's start() and
// stop() to run in a plain Node process: the client-activation workload times them without an editor. Anything the
// client touches but the measurement does not need (providers, decorations…) is a universal no-op; the pieces
// whose values matter (EventEmitter, Disposable, Uri, configuration, trust, the extension context) are real enough.
import { EventEmitter as NodeEmitter } from 'node:events';
import Module from 'node:module';
import { pathToFileURL } from 'node:url';

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * A value that is every object at once: callable, constructible, any property is another one (or what was assigned
 * to it). Never thenable.
 */
export function universal(path = 'vscode'): unknown {
  const target = function () {} as unknown as AnyFunction;
  const assigned = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    set(_, property, value) {
      assigned.set(property, value);
      return true;
    },
    get(_, property) {
      if (assigned.has(property)) return assigned.get(property);
      if (property === 'then') return undefined;
      if (property === Symbol.toPrimitive) return () => '';
      if (property === Symbol.iterator) return function* () {};
      if (property === 'toString' || property === 'toJSON') return () => path;
      if (property === 'length' || property === 'size') return 0;
      if (property === 'dispose') return () => undefined;
      return universal(`${path}.${String(property)}`);
    },
    apply: () => universal(`${path}()`),
    construct: () => universal(`new ${path}`) as object,
  });
}

class Disposable {
  static from(...items: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  constructor(private readonly callOnDispose: () => unknown) {}
  dispose(): void {
    this.callOnDispose();
  }
}

class EventEmitter<T> {
  private readonly emitter = new NodeEmitter();
  readonly event = (listener: (value: T) => unknown): Disposable => {
    this.emitter.on('event', listener);
    return new Disposable(() => this.emitter.off('event', listener));
  };
  fire(value: T): void {
    this.emitter.emit('event', value);
  }
  dispose(): void {
    this.emitter.removeAllListeners();
  }
}

class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static parse(value: string): Uri {
    const url = new URL(value);
    return new Uri(url.protocol.slice(0, -1), decodeURIComponent(url.pathname));
  }
  get fsPath(): string {
    return this.path;
  }
  with(): Uri {
    return this;
  }
  toString(): string {
    return this.scheme === 'file' ? pathToFileURL(this.path).href : `${this.scheme}:${this.path}`;
  }
  toJSON(): unknown {
    return { scheme: this.scheme, path: this.path };
  }
}

class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

const noopChannel = () => {
  const channel = universal('outputChannel') as Record<string, unknown>;
  return new Proxy(channel, {
    get(target, property) {
      if (property === 'logLevel') return 0; // off: the measurement must not pay for formatting log lines
      if (property === 'onDidChangeLogLevel') return () => new Disposable(() => undefined);
      return Reflect.get(target, property);
    },
  });
};

const eventOf = () => () => new Disposable(() => undefined);

/** What the extension did to the stand-in, for correctness checks. */
export const hostEvents = { statusItemUpdates: 0 };

/** A status bar item that counts show()/hide(): the extension calls one of them on each status from its server. */
const statusBarItem = () => {
  const item = universal('statusBarItem') as Record<string, unknown>;
  item['show'] = () => hostEvents.statusItemUpdates++;
  item['hide'] = () => hostEvents.statusItemUpdates++;
  return item;
};

/**
 * Every name of the API the bundled client reads (vscode-languageclient included). Bundlers copy the module's own
 * properties once (`__importStar`), so a name must exist up front; its value may be a universal.
 */
const API_NAMES =
  `CallHierarchyIncomingCall CallHierarchyItem CallHierarchyOutgoingCall CancellationError CodeAction CodeActionKind
  CodeActionTriggerKind CodeLens Color ColorInformation ColorPresentation CompletionItem CompletionItemKind CompletionItemTag
  CompletionList CompletionTriggerKind ConfigurationTarget Diagnostic DiagnosticRelatedInformation DiagnosticSeverity DiagnosticTag
  DocumentHighlight DocumentHighlightKind DocumentLink DocumentSymbol FileType FoldingRange FoldingRangeKind Hover InlayHint
  InlayHintLabelPart InlineCompletionItem InlineCompletionList InlineCompletionTriggerKind InlineValueEvaluatableExpression
  InlineValueText InlineValueVariableLookup LanguageStatusSeverity LinkedEditingRanges Location LogLevel MarkdownString
  NotebookCellKind ParameterInformation Position ProgressLocation Range RelativePattern SelectionRange SemanticTokens
  SemanticTokensEdit SemanticTokensEdits SignatureHelp SignatureHelpTriggerKind SignatureInformation SnippetString
  SnippetTextEdit StatusBarAlignment SymbolInformation SymbolKind SymbolTag TabInputCustom TabInputNotebook TabInputText
  TabInputTextDiff TextDocumentSaveReason TextEdit ThemeColor ThemeIcon TypeHierarchyItem WorkspaceEdit commands env
  extensions languages l10n tasks debug`.split(/\s+/);

/** The module object `require('vscode')` returns. */
function createModule(): Record<string, unknown> {
  const overrides: Record<string, unknown> = {
    version: '1.100.3',
    Disposable,
    EventEmitter,
    Uri,
    CancellationTokenSource,
    workspace: new Proxy(
      {
        isTrusted: true,
        workspaceFolders: undefined,
        textDocuments: [],
        notebookDocuments: [],
        getConfiguration: () => ({
          get: <T>(_key: string, fallback?: T) => fallback,
          has: () => false,
          inspect: () => undefined,
          update: async () => undefined,
        }),
        onDidGrantWorkspaceTrust: eventOf(),
        onDidChangeConfiguration: eventOf(),
        onDidOpenTextDocument: eventOf(),
        onDidChangeTextDocument: eventOf(),
        onDidCloseTextDocument: eventOf(),
        onDidSaveTextDocument: eventOf(),
        onWillSaveTextDocument: eventOf(),
        onDidChangeWorkspaceFolders: eventOf(),
      },
      {
        get: (target, property) =>
          property in target ? Reflect.get(target, property) : universal(`workspace.${String(property)}`),
      },
    ),
    window: new Proxy(
      {
        createOutputChannel: noopChannel,
        createStatusBarItem: statusBarItem,
        visibleTextEditors: [],
        activeTextEditor: undefined,
        onDidChangeVisibleTextEditors: eventOf(),
        onDidChangeActiveTextEditor: eventOf(),
        tabGroups: { all: [], onDidChangeTabs: eventOf(), onDidChangeTabGroups: eventOf() },
      },
      {
        get: (target, property) =>
          property in target ? Reflect.get(target, property) : universal(`window.${String(property)}`),
      },
    ),
  };
  for (const name of API_NAMES) if (!(name in overrides)) overrides[name] = universal(name);
  return overrides;
}

let installed = false;
const VIRTUAL = '/virtual/digest-pin-bench/vscode.js';

/** Makes `require('vscode')` return the stand-in in this process (once; idempotent). */
export function installFakeVscode(): void {
  if (installed) return;
  installed = true;
  const moduleApi = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  const resolve = moduleApi._resolveFilename;
  moduleApi._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? VIRTUAL : resolve.call(this, request, ...rest);
  };
  const fake = new Module(VIRTUAL);
  fake.exports = createModule();
  fake.loaded = true;
  (require.cache as Record<string, unknown>)[VIRTUAL] = fake;
}

/** An ExtensionContext with what activate() reads: subscriptions, paths, global storage. */
export function extensionContext(
  extensionPath: string,
  globalStorage: string,
): { subscriptions: Array<{ dispose(): unknown }>; context: unknown } {
  const subscriptions: Array<{ dispose(): unknown }> = [];
  const context = new Proxy(
    {
      subscriptions,
      extensionPath,
      extensionUri: Uri.file(extensionPath),
      globalStorageUri: Uri.file(globalStorage),
      asAbsolutePath: (relative: string) => `${extensionPath}/${relative}`,
      extensionMode: 1,
    },
    {
      get: (target, property) =>
        property in target ? Reflect.get(target, property) : universal(`context.${String(property)}`),
    },
  );
  return { subscriptions, context };
}
