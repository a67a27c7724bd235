// VS Code entry point: wires the output channel, the language client, the status bar, commands and trust.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { Status, type StatusParams } from '../../server/src/shared/protocol';
import { StatusFeed, type DigestPinApi } from './api';
import { registerCommands } from './commands';
import { createLanguageClient } from './languageClient';
import { StatusBar } from './statusBar';
import { forwardTrust } from './trust';

let client: LanguageClient | undefined;
/** Set by deactivate(): the server stopping then is expected, not a failure to show. */
let deactivating = false;

export async function activate(context: vscode.ExtensionContext): Promise<DigestPinApi> {
  deactivating = false;
  const output = vscode.window.createOutputChannel('digest-pin', { log: true });
  const statusBar = new StatusBar();
  const statusFeed = new StatusFeed();
  context.subscriptions.push(output, statusBar, statusFeed);

  const languageClient = createLanguageClient(context, output);
  client = languageClient;
  languageClient.onNotification(Status.method, (params: StatusParams) => {
    statusBar.update(params);
    statusFeed.update(params);
  });
  // Stopped for good (the client restarts a crashed server a few times first): say so where the user looks.
  context.subscriptions.push(
    languageClient.onDidChangeState(({ newState }) => {
      if (newState === State.Stopped && !deactivating) statusBar.stopped();
    }),
  );

  // Commands exist from the start; they wait for the server (or explain that it did not start).
  const ready = languageClient.start().then(
    () => true,
    (error: unknown) => {
      output.error(`the language server did not start: ${error instanceof Error ? error.message : String(error)}`);
      statusBar.stopped();
      return false;
    },
  );
  context.subscriptions.push(
    ...registerCommands({ client: languageClient, ready, output }),
    forwardTrust(languageClient, ready, output),
  );
  await ready;
  // A read-only view: other extensions (and the tests) cannot feed it.
  return {
    get status() {
      return statusFeed.status;
    },
    onDidChangeStatus: statusFeed.onDidChangeStatus,
  };
}

export async function deactivate(): Promise<void> {
  deactivating = true;
  const running = client;
  client = undefined;
  if (running?.isRunning()) await running.stop();
}
