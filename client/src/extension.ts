// VS Code client. The language server it starts arrives with the server (issue 4); for now it only owns the log.
import * as vscode from 'vscode';

let output: vscode.LogOutputChannel | undefined;

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel('digest-pin', { log: true });
  context.subscriptions.push(output);
  output.info('digest-pin activated');
}

export function deactivate(): void {
  output = undefined;
}
