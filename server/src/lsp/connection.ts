// The one place that touches the LSP connection's handler registry: every request and notification bound in one
// line to the server or a handler, behind the never-crash guard.
import {
  ErrorCodes,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type Connection,
  type DocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { LockWorkspace, PinWorkspace, Refresh, Trust, UpdateWorkspace, type Message } from '../shared/protocol';
import { CodeActionsHandler } from './handlers/codeActions';
import { HoverHandler } from './handlers/hover';
import { LockWorkspaceHandler, emptyLockResult } from './handlers/lockWorkspace';
import { PullDiagnosticsHandler } from './handlers/pullDiagnostics';
import { RefreshHandler } from './handlers/refresh';
import { WorkspaceEditsHandler, emptyWorkspaceResult } from './handlers/workspaceEdits';
import { paramsProblem } from './params';
import type { DigestPinServer } from './server';

/** Never crash: every handler's failure is logged and answered with nothing (a ResponseError is the answer itself). */
export class Guards {
  constructor(private readonly connection: Connection) {}

  readonly guard = <A extends unknown[], R>(
    name: string,
    fallback: R,
    handler: (...args: A) => R | Promise<R>,
  ): ((...args: A) => Promise<R>) => {
    return async (...args: A) => {
      try {
        return await handler(...args);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        this.failed(name, error);
        return fallback;
      }
    };
  };

  readonly guardSync = <A extends unknown[]>(name: string, handler: (...args: A) => void): ((...args: A) => void) => {
    return (...args: A) => {
      try {
        handler(...args);
      } catch (error) {
        this.failed(name, error);
      }
    };
  };

  private failed(name: string, error: unknown): void {
    this.connection.console.error(
      `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}

type Handler<P, R> = (params: P, token: CancellationToken) => Promise<R>;

const NO_DIAGNOSTICS: DocumentDiagnosticReport = { kind: 'full', items: [] };
const NO_ACTIONS: CodeAction[] = [];

/** Binds the server's lifecycle and document events and the request handlers, then starts listening. */
export function bind(connection: Connection, server: DigestPinServer, { guard, guardSync }: Guards): void {
  const hover = new HoverHandler(server);
  const codeActions = new CodeActionsHandler(server);
  const pull = new PullDiagnosticsHandler(server);
  const refresh = new RefreshHandler(server);
  const edits = new WorkspaceEditsHandler(server);
  const locks = new LockWorkspaceHandler(server);
  /** A digest-pin request (protocol.ts), guarded. */
  function onRequest<P, R>(message: Message<P, R>, name: string, fallback: R, handler: Handler<P, R>): void {
    connection.onRequest(message.method, guard(name, fallback, handler));
  }
  /** A digest-pin notification (protocol.ts), guarded. */
  function onNotification<P>(message: Message<P>, name: string, handler: (params: P) => Promise<void>): void {
    connection.onNotification(message.method, guard(name, undefined, handler));
  }

  connection.onInitialize((params) => server.initialize(params));
  connection.onInitialized(guard('initialized', undefined, () => server.initialized()));
  connection.onShutdown(guard('shutdown', undefined, () => server.shutdown()));
  connection.onDidChangeConfiguration(guard('configuration', undefined, (p) => server.configuration(p)));
  onNotification(Trust, 'trust', (p) => server.trust(p));

  /** A notification whose parameters are malformed is logged and dropped: it never reaches the server's state. */
  const checked =
    <P>(method: string, handler: (params: P) => void) =>
    (params: P): void => {
      const problem = paramsProblem(method, params);
      if (problem === null) handler(params);
      else connection.console.warn(`${method} ignored: ${problem}`);
    };
  /** A request whose parameters are malformed is answered InvalidParams. */
  const valid =
    <P, R>(method: string, handler: (params: P, token: CancellationToken) => R) =>
    (params: P, token: CancellationToken): R => {
      const problem = paramsProblem(method, params);
      if (problem !== null) throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${problem}`);
      return handler(params, token);
    };

  connection.onDidOpenTextDocument(
    guardSync(
      'didOpen',
      checked('textDocument/didOpen', (p) => server.didOpen(p)),
    ),
  );
  connection.onDidChangeTextDocument(
    guardSync(
      'didChange',
      checked('textDocument/didChange', (p) => server.didChange(p)),
    ),
  );
  connection.onDidCloseTextDocument(
    guardSync(
      'didClose',
      checked('textDocument/didClose', (p) => server.didClose(p)),
    ),
  );
  connection.onDidChangeWatchedFiles(guardSync('didChangeWatchedFiles', (p) => server.watchedFiles(p)));

  connection.languages.diagnostics.on(
    guard(
      'diagnostics',
      NO_DIAGNOSTICS,
      valid('textDocument/diagnostic', (p, t) => pull.handle(p, t)),
    ),
  );
  connection.onHover(
    guard(
      'hover',
      null,
      valid('textDocument/hover', (p, t) => hover.handle(p, t)),
    ),
  );
  connection.onCodeAction(
    guard(
      'codeAction',
      NO_ACTIONS,
      valid('textDocument/codeAction', (p, t) => codeActions.handle(p, t)),
    ),
  );

  onRequest(Refresh, 'refresh', { references: 0 }, () => refresh.handle());
  onRequest(PinWorkspace, 'pinWorkspace', emptyWorkspaceResult(), (p, t) => edits.handle(p, t, 'pin'));
  onRequest(UpdateWorkspace, 'updateWorkspace', emptyWorkspaceResult(), (p, t) => edits.handle(p, t, 'update'));
  onRequest(LockWorkspace, 'lockWorkspace', emptyLockResult(), (p, t) => locks.handle(p, t));

  connection.listen();
}
