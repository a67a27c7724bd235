// Helpers for tests that run inside the extension host (they may import `vscode`; the runners may not).
import * as vscode from 'vscode';

/** A file of the fixture workspace the runner opened (a temp copy of test/vscode/fixtures/workspace). */
export function workspaceFile(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open: the runner must open the fixture workspace');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

/** Polls `condition` until it holds; fails with what was awaited when `timeoutMs` passes. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
