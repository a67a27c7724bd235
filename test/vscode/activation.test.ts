import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { waitFor, workspaceFile } from './support';

/** publisher.name from package.json */
const EXTENSION_ID = 'digest-pin.digest-pin';

suite('activation', () => {
  test('opening a Dockerfile activates the extension', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded from the development path`);
    const languages = (extension.packageJSON as { activationEvents?: string[] }).activationEvents
      ?.filter((event) => event.startsWith('onLanguage:'))
      .map((event) => event.slice('onLanguage:'.length)) ?? [];
    assert.ok(languages.includes('dockerfile'), `activationEvents lacks onLanguage:dockerfile: ${languages.join(', ')}`);
    // Lazy activation: until a document in one of its languages is open, the extension stays inactive.
    if (!vscode.workspace.textDocuments.some((document) => languages.includes(document.languageId))) {
      assert.equal(extension.isActive, false, 'active before any matching document was opened');
    }

    const document = await vscode.workspace.openTextDocument(workspaceFile('Dockerfile'));
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'dockerfile');
    await waitFor(() => extension.isActive, `${EXTENSION_ID} to activate`);
    assert.equal(extension.isActive, true);
  });
});
