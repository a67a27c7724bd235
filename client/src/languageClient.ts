// The LanguageClient: the bundled server (dist/server.js) in a Node process of its own, over IPC.
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SERVER_ENV, SERVER_NODE_OPTIONS, type InitializationOptions } from '../../server/src/shared/protocol';
import { DOCUMENT_SELECTOR } from './documents';
import { isTrusted } from './trust';

/** The client id: VS Code reads `<id>.trace.server` for protocol tracing, so it is the settings section. */
export const CLIENT_ID = 'digestPin';

export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  // The same process options for `debug`: the extension host's own debug flags must not reach the server. The
  // environment is the extension host's plus SERVER_ENV.
  const options = { execArgv: [...SERVER_NODE_OPTIONS], env: { ...SERVER_ENV } };
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options },
    debug: { module, transport: TransportKind.ipc, options },
  };
  // A function: read again when the client restarts a crashed server, so trust granted meanwhile counts.
  const initializationOptions = (): InitializationOptions => ({
    trusted: isTrusted(),
    // The persistent registry cache lives with the extension, not in the CLI's cache directory.
    cacheDir: context.globalStorageUri.fsPath,
  });
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...DOCUMENT_SELECTOR],
    diagnosticCollectionName: 'digest-pin',
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions,
    // No `synchronize`: the server pulls its settings (workspace/configuration, per document) and registers for
    // didChangeConfiguration of the digestPin section itself, and a file watcher for `**/digest-pin.lock`
    // (workspace/didChangeWatchedFiles) too.
    markdown: { isTrusted: false, supportHtml: false },
  };
  return new LanguageClient(CLIENT_ID, 'digest-pin', serverOptions, clientOptions);
}
