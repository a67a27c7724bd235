import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { EXTENSION_ID, waitFor } from './support';

suite('activation', () => {
  test('a workspace with a Dockerfile activates the extension (workspaceContains), before any file is opened', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded from the development path`);
    const events = (extension.packageJSON as { activationEvents?: string[] }).activationEvents ?? [];
    assert.ok(events.includes('workspaceContains:**/Dockerfile'), `activationEvents: ${events.join(', ')}`);
    await waitFor(() => extension.isActive, `${EXTENSION_ID} to activate`, 20_000);
    assert.equal(extension.isActive, true);
  });

  test('the four commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.deepEqual(
      ['digestPin.pinWorkspace', 'digestPin.updateWorkspace', 'digestPin.refresh', 'digestPin.showOutput'].filter((c) => !commands.includes(c)),
      [],
    );
  });
});
