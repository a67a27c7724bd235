// Workspace trust, as the server needs it: the state at start (initializationOptions.trusted, read at every
// (re)start) and the moment it is granted (`digestPin/trust`). VS Code reloads the window when trust is taken away,
// so there is no revoke event.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { Trust, type TrustParams } from '../../server/src/shared/protocol';

export function isTrusted(): boolean {
  return vscode.workspace.isTrusted;
}

export function forwardTrust(
  client: LanguageClient,
  ready: Promise<boolean>,
  output: vscode.LogOutputChannel,
): vscode.Disposable {
  return vscode.workspace.onDidGrantWorkspaceTrust(() => {
    output.info('workspace trusted: registry checks start');
    const params: TrustParams = { trusted: true };
    // Granted while the server is still starting: tell it once it listens (it started with trusted: false).
    void ready
      .then(async (running) => {
        if (running) await client.sendNotification(Trust.method, params);
      })
      .catch((error: unknown) => output.error(`could not tell the server about trust: ${String(error)}`));
  });
}

/** Tells the user why a registry command does nothing here, with a way to change that. */
export async function explainUntrusted(what: string): Promise<void> {
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    `digest-pin asks registries only in a trusted workspace, so it cannot ${what} here.`,
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
}
