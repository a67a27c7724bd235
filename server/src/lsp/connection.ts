// The one place that touches the LSP connection's handler registry: every request and notification bound in one
// line to the server or a handler, behind the never-crash guard.
import {
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type Connection,
  type DocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { PinWorkspace, Refresh, Trust, UpdateWorkspace, type Message, type ParamsOf } from '../protocol';
import { CodeActionsHandler } from './handlers/codeActions';
import { HoverHandler } from './handlers/hover';
import { PullDiagnosticsHandler } from './handlers/pullDiagnostics';
import { RefreshHandler } from './handlers/refresh';
import { WorkspaceEditsHandler, emptyWorkspaceResult } from './handlers/workspaceEdits';
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

const NO_DIAGNOSTICS: DocumentDiagnosticReport = { kind: 'full', items: [] };

/** Binds the server's lifecycle and document events and the request handlers, then starts listening. */
export function bind(connection: Connection, server: DigestPinServer, { guard, guardSync }: Guards): void {
  const hover = new HoverHandler(server);
  const codeActions = new CodeActionsHandler(server);
  const pull = new PullDiagnosticsHandler(server);
  const refresh = new RefreshHandler(server);
  const edits = new WorkspaceEditsHandler(server);
  const onRequest = <P, R>(message: Message<P, R>, handler: (params: P, token: CancellationToken) => Promise<R>) =>
    connection.onRequest(message.method, handler);

  connection.onInitialize((params) => server.initialize(params));
  connection.onInitialized(guard('initialized', undefined, () => server.initialized()));
  connection.onShutdown(guard('shutdown', undefined, () => server.shutdown()));
  connection.onDidChangeConfiguration(guard('configuration', undefined, (params) => server.configuration(params)));
  connection.onNotification(
    Trust.method,
    guard('trust', undefined, (params: ParamsOf<typeof Trust>) => server.trust(params)),
  );

  connection.onDidOpenTextDocument(guardSync('didOpen', (params) => server.didOpen(params)));
  connection.onDidChangeTextDocument(guardSync('didChange', (params) => server.didChange(params)));
  connection.onDidCloseTextDocument(guardSync('didClose', (params) => server.didClose(params)));

  connection.languages.diagnostics.on(
    guard('diagnostics', NO_DIAGNOSTICS, (params, token) => pull.handle(params, token)),
  );
  connection.onHover(guard('hover', null, (params, token) => hover.handle(params, token)));
  connection.onCodeAction(
    guard('codeAction', [] as CodeAction[], (params, token) => codeActions.handle(params, token)),
  );

  onRequest(
    Refresh,
    guard('refresh', { references: 0 }, () => refresh.handle()),
  );
  onRequest(
    PinWorkspace,
    guard('pinWorkspace', emptyWorkspaceResult(), (params, token) => edits.handle(params, token, 'pin')),
  );
  onRequest(
    UpdateWorkspace,
    guard('updateWorkspace', emptyWorkspaceResult(), (params, token) => edits.handle(params, token, 'update')),
  );

  connection.listen();
}
