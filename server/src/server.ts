// The digest-pin language server: it keeps the open documents, reads their references (≈200 ms after the last
// change, incrementally), asks the registries about them (never in an untrusted workspace), and turns what it knows
// into diagnostics (pushed, or pulled where the client can), hovers, code actions and workspace edits — all computed
// by pure functions in features/ and lsp/. lsp/connection.ts binds the connection, lsp/server.ts holds the
// lifecycle and document events, lsp/handlers/ the requests.
import { ProposedFeatures, createConnection, type Connection } from 'vscode-languageserver/node';
import { Guards, bind } from './lsp/connection';
import { DigestPinServer, type ServerOptions } from './lsp/server';

export type { ServerOptions } from './lsp/server';

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  const guards = new Guards(connection);
  bind(connection, new DigestPinServer(connection, guards, options), guards);
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
