// A small LSP client for tests: spawns the built server (dist/server.js or dist/cli.js lsp) over stdio, answers
// the requests a server makes of its client (configuration, registration, refresh, progress), and records what it
// is sent (diagnostics, status, log), with waits that resolve on an event rather than after a sleep.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type ClientCapabilities,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type Position,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { applyEdits } from '../../../server/src/features/edits';
import {
  SERVER_ENV,
  SERVER_NODE_OPTIONS,
  type InitializationOptions,
  type StatusParams,
} from '../../../server/src/shared/protocol';
import { CLI, SERVER } from '../../support/build';

export { CLI, ROOT, SERVER } from '../../support/build';

/** Capabilities of a push-only client (Neovim's built-in client is one). */
export const PUSH_CAPABILITIES: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: false },
    workspaceEdit: { documentChanges: true },
  },
  textDocument: {
    publishDiagnostics: { versionSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
      isPreferredSupport: true,
    },
  },
  window: { workDoneProgress: true },
};

/** Capabilities of a client that pulls diagnostics (VS Code). */
export const PULL_CAPABILITIES: ClientCapabilities = {
  ...PUSH_CAPABILITIES,
  workspace: { ...PUSH_CAPABILITIES.workspace, diagnostics: { refreshSupport: true } },
  textDocument: {
    ...PUSH_CAPABILITIES.textDocument,
    diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
  },
};

export interface ClientOptions {
  capabilities?: ClientCapabilities;
  initializationOptions?: InitializationOptions;
  /** The `digestPin` section answered to workspace/configuration (the same for every scope unless `scoped` says). */
  settings?: Record<string, unknown>;
  scoped?: Record<string, Record<string, unknown>>;
  /** `cli`: start `dist/cli.js lsp --stdio` instead of `dist/server.js --stdio`. */
  via?: 'server' | 'cli';
  env?: Record<string, string>;
  /**
   * Node options before the script. Default: the VS Code client's (SERVER_NODE_OPTIONS) for dist/server.js, none for
   * the CLI. dist/server.js also gets the client's SERVER_ENV (before `env`).
   */
  nodeArgs?: readonly string[];
  /** The workspace folder (`rootUri` and the one `workspaceFolders` entry); none by default. */
  rootUri?: string;
  /** Trace level sent with $/setTrace after initialisation. */
  trace?: 'off' | 'messages' | 'verbose';
}

/** What every test client offers, spawned (TestClient) or in-process (support/inProcess.ts). */
export interface LspClient {
  connection: ProtocolConnection;
  /** Every publishDiagnostics received, in order. */
  published: PublishDiagnosticsParams[];
  statuses: StatusParams[];
  logs: string[];
  /** workspace/diagnostic/refresh requests received. */
  refreshes: number;
  /** The params of every client/registerCapability request received. */
  registrations: unknown[];
  settings: Record<string, unknown>;
  scoped: Record<string, Record<string, unknown>>;
  /** A temp dir for the server's cache and HOME, removed by stop(). */
  home: string;
  open(uri: string, languageId: string, text: string, version?: number): void;
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void;
  close(uri: string): void;
  /** The next publishDiagnostics for `uri` (after those already received) that satisfies `until`. */
  diagnostics(
    uri: string,
    until?: (params: PublishDiagnosticsParams) => boolean,
    timeoutMs?: number,
  ): Promise<PublishDiagnosticsParams>;
  /**
   * Resolves when `condition` holds, checked on every message from the server and between waits (every 50 ms for a
   * spawned server; an in-process one lets its fake time pass instead).
   */
  waitFor<T>(what: string, condition: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export interface TestClient extends LspClient {
  process: ChildProcessWithoutNullStreams;
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

const codes = (diagnostics: readonly Diagnostic[]): string[] => diagnostics.map((d) => String(d.code ?? ''));
export { codes };

export async function startClient(options: ClientOptions = {}): Promise<TestClient> {
  const home = mkdtempSync(join(tmpdir(), 'digest-pin-lsp-'));
  const args = options.via === 'cli' ? [CLI, 'lsp', '--stdio'] : [SERVER, '--stdio'];
  const nodeArgs = options.nodeArgs ?? (options.via === 'cli' ? [] : SERVER_NODE_OPTIONS);
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: {
      ...serverEnv(home),
      ...(options.via === 'cli' ? {} : SERVER_ENV),
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const client = wireClient(connection, options, {
    home,
    diagnose: () => `stderr:\n${stderr.join('').slice(-2000)}`,
    async stop() {
      try {
        await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        void connection.sendNotification('exit');
      } catch {
        // already gone
      }
      await new Promise<void>((r) => {
        if (child.exitCode !== null) r();
        else {
          const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
          child.once('exit', () => {
            clearTimeout(kill);
            r();
          });
        }
      });
      connection.dispose();
      rmSync(home, { recursive: true, force: true });
    },
  });
  await initialize(client, options, process.pid);
  return Object.assign(client, { process: child });
}

/** The environment of a server whose HOME, cache, Docker config and certs.d directories are a temp dir's. */
export function serverEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CACHE_HOME: join(home, 'cache'),
    DOCKER_CONFIG: join(home, 'docker'),
    DIGEST_PIN_CERTS_DIRS: join(home, 'certs.d'),
  };
}

export interface Wiring {
  home: string;
  /** Appended to a timeout's message (the server's stderr). */
  diagnose?: () => string;
  /**
   * Lets time pass between two checks of a waitFor condition. Default: none (the condition is checked on every
   * message from the server and every 50 ms).
   */
  step?: () => Promise<void>;
  /** Counts every message sent to or received from the server (in-process quiescence). */
  activity?: () => void;
  stop(): Promise<void>;
}

/**
 * A client on a connection to a server: answers the requests a server makes of its client (configuration,
 * registration, refresh, progress) and records what it is sent. Call initialize() next.
 */
export function wireClient(connection: ProtocolConnection, options: ClientOptions, wiring: Wiring): LspClient {
  const waiters = new Set<() => void>();
  const activity = wiring.activity ?? (() => undefined);
  const poke = (): void => {
    activity();
    for (const waiter of [...waiters]) waiter();
  };
  const timeout = (what: string): Error =>
    new Error(
      `timed out waiting for ${what}; server log:\n${client.logs.slice(-20).join('\n')}\n${wiring.diagnose?.() ?? ''}`,
    );
  const client: LspClient = {
    connection,
    published: [],
    statuses: [],
    logs: [],
    refreshes: 0,
    registrations: [],
    settings: options.settings ?? {},
    scoped: options.scoped ?? {},
    home: wiring.home,
    open(uri, languageId, text, version = 1) {
      activity();
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    },
    change(uri, version, changes) {
      activity();
      void connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: changes,
      });
    },
    close(uri) {
      activity();
      void connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    },
    diagnostics(uri, until = () => true, timeoutMs = 10_000) {
      const seen = client.published.length;
      return client.waitFor(
        `diagnostics for ${uri}`,
        () => client.published.slice(seen).find((p) => p.uri === uri && until(p)),
        timeoutMs,
      );
    },
    async waitFor<T>(what: string, condition: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
      const step = wiring.step;
      if (step !== undefined) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const value = condition();
          if (value !== undefined && value !== false) return value;
          if (Date.now() > deadline) throw timeout(what);
          await step();
        }
      }
      return new Promise<T>((resolvePromise, reject) => {
        const check = (): void => {
          const value = condition();
          if (value !== undefined && value !== false) {
            waiters.delete(check);
            clearTimeout(timer);
            clearInterval(poll);
            resolvePromise(value);
          }
        };
        // Conditions may depend on more than the server's messages (a proxy's request count).
        const poll = setInterval(check, 50);
        const timer = setTimeout(() => {
          clearInterval(poll);
          waiters.delete(check);
          reject(timeout(what));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => wiring.stop(),
  };

  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    client.published.push(params);
    poke();
  });
  connection.onNotification('digestPin/status', (params: StatusParams) => {
    client.statuses.push(params);
    poke();
  });
  connection.onNotification('window/logMessage', (params: { message: string }) => {
    client.logs.push(params.message);
    poke();
  });
  connection.onNotification('$/logTrace', (params: { message: string }) => {
    client.logs.push(params.message);
    poke();
  });
  connection.onNotification('$/progress', () => poke());
  connection.onRequest(
    'workspace/configuration',
    (params: { items: Array<{ section?: string; scopeUri?: string }> }) => {
      poke();
      return params.items.map(
        (item) => (item.scopeUri !== undefined && client.scoped[item.scopeUri]) || client.settings,
      );
    },
  );
  connection.onRequest('client/registerCapability', (params: unknown) => {
    client.registrations.push(params);
    poke();
    return null;
  });
  connection.onRequest('window/workDoneProgress/create', () => {
    poke();
    return null;
  });
  connection.onRequest('workspace/diagnostic/refresh', () => {
    client.refreshes++;
    poke();
    return null;
  });
  connection.listen();
  return client;
}

/** initialize and initialized, as an editor sends them (then $/setTrace when the options ask for a trace). */
export async function initialize(client: LspClient, options: ClientOptions, processId: number | null): Promise<void> {
  await client.connection.sendRequest('initialize', {
    processId,
    rootUri: options.rootUri ?? null,
    ...(options.rootUri === undefined ? {} : { workspaceFolders: [{ uri: options.rootUri, name: 'root' }] }),
    capabilities: options.capabilities ?? PUSH_CAPABILITIES,
    initializationOptions: { cacheDir: join(client.home, 'cache'), ...options.initializationOptions },
  });
  void client.connection.sendNotification('initialized', {});
  if (options.trace) void client.connection.sendNotification('$/setTrace', { value: options.trace });
}

/** Sends a settings change the way VS Code does (the server then asks workspace/configuration). */
export function changeSettings(client: LspClient, settings: Record<string, unknown>): void {
  client.settings = settings;
  void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { digestPin: settings } });
}

/** The text edits a WorkspaceEdit makes to one document (documentChanges or changes). */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (edit === undefined) return [];
  const out: TextEdit[] = [];
  for (const change of edit.documentChanges ?? []) {
    if ('textDocument' in change && change.textDocument.uri === uri) out.push(...(change.edits as TextEdit[]));
  }
  out.push(...(edit.changes?.[uri] ?? []));
  return out;
}

/** Applies a WorkspaceEdit's edits of one document to its text (features/edits.ts applyEdits). */
export function applyWorkspaceEdit(text: string, edit: WorkspaceEdit | undefined, uri: string): string {
  const applied = applyEdits(text, editsFor(edit, uri));
  if (!applied.ok) throw new Error(`edits overlap: ${JSON.stringify(edit)}`);
  return applied.text;
}

/** Code actions at a range, sent with the diagnostics last published there (as an editor does). */
export async function codeActionsAt(
  client: LspClient,
  uri: string,
  range: Range,
  only?: string[],
): Promise<CodeAction[]> {
  const published = [...client.published].reverse().find((p) => p.uri === uri)?.diagnostics ?? [];
  const overlapping = published.filter(
    (d) => !(d.range.end.line < range.start.line || d.range.start.line > range.end.line),
  );
  const result = (await client.connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range,
    context: { diagnostics: overlapping, ...(only ? { only } : {}) },
  })) as CodeAction[] | null;
  return result ?? [];
}

export async function hoverAt(client: LspClient, uri: string, position: Position): Promise<string | null> {
  const hover = (await client.connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position,
  })) as Hover | null;
  if (hover === null) return null;
  const contents = hover.contents;
  return typeof contents === 'object' && 'value' in contents ? contents.value : JSON.stringify(contents);
}
