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
} from '../../../server/src/protocol';
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
  /** Trace level sent with $/setTrace after initialisation. */
  trace?: 'off' | 'messages' | 'verbose';
}

export interface TestClient {
  connection: ProtocolConnection;
  process: ChildProcessWithoutNullStreams;
  /** Every publishDiagnostics received, in order. */
  published: PublishDiagnosticsParams[];
  statuses: StatusParams[];
  logs: string[];
  /** workspace/diagnostic/refresh requests received. */
  refreshes: number;
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
  /** Resolves when `condition` holds, checked on every message from the server and every 50 ms. */
  waitFor<T>(what: string, condition: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
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
      PATH: process.env.PATH ?? '',
      HOME: home,
      XDG_CACHE_HOME: join(home, 'cache'),
      DOCKER_CONFIG: join(home, 'docker'),
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
  const waiters = new Set<() => void>();
  const poke = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  const client: TestClient = {
    connection,
    process: child,
    published: [],
    statuses: [],
    logs: [],
    refreshes: 0,
    settings: options.settings ?? {},
    scoped: options.scoped ?? {},
    home,
    open(uri, languageId, text, version = 1) {
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
    },
    change(uri, version, changes) {
      void connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: changes,
      });
    },
    close(uri) {
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
    waitFor<T>(what: string, condition: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
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
          reject(
            new Error(
              `timed out waiting for ${what}; server log:\n${client.logs.slice(-20).join('\n')}\nstderr:\n${stderr.join('').slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
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
  connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string; scopeUri?: string }> }) =>
    params.items.map((item) => (item.scopeUri !== undefined && client.scoped[item.scopeUri]) || client.settings),
  );
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/diagnostic/refresh', () => {
    client.refreshes++;
    poke();
    return null;
  });
  connection.listen();

  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: options.capabilities ?? PUSH_CAPABILITIES,
    initializationOptions: { cacheDir: join(home, 'cache'), ...options.initializationOptions },
  });
  void connection.sendNotification('initialized', {});
  if (options.trace) void connection.sendNotification('$/setTrace', { value: options.trace });
  return client;
}

/** Sends a settings change the way VS Code does (the server then asks workspace/configuration). */
export function changeSettings(client: TestClient, settings: Record<string, unknown>): void {
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
  client: TestClient,
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

export async function hoverAt(client: TestClient, uri: string, position: Position): Promise<string | null> {
  const hover = (await client.connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position,
  })) as Hover | null;
  if (hover === null) return null;
  const contents = hover.contents;
  return typeof contents === 'object' && 'value' in contents ? contents.value : JSON.stringify(contents);
}
