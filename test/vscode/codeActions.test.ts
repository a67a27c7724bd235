// Story: the quick fix pins the reference under the cursor, through the editor's own code action machinery.
import * as assert from 'node:assert/strict';
import { suite } from 'mocha';
import * as vscode from 'vscode';
import { diskText, openFile, rangeOf, suiteRegistry, trustedTest, untrustedTest, waitForCodes } from './support';

const titles = (actions: vscode.CodeAction[]) => actions.map((a) => a.title);

suite('code actions', () => {
  trustedTest('"Pin to digest" rewrites exactly the reference, through a WorkspaceEdit', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('api/Dockerfile_prod');
    await waitForCodes(document.uri, ['unpinned']);
    const ref = `${host}/fixtures/docker-image:1.0`;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      rangeOf(document, ref),
    );
    const pin = actions.find((a) => a.title.startsWith('Pin to digest'));
    assert.ok(pin?.edit, `no pin action in ${JSON.stringify(titles(actions))}`);
    assert.equal(pin.title, `Pin to digest (${digests.dockerImage.slice(0, 'sha256:'.length + 12)}…)`);
    assert.equal(pin.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.equal(pin.isPreferred, true);

    assert.equal(await vscode.workspace.applyEdit(pin.edit), true);
    assert.equal(document.getText(), `FROM ${ref}@${digests.dockerImage}\nRUN make api\n`);
    // The finding goes with the edit.
    await waitForCodes(document.uri, []);
    assert.equal(await document.save(), true);
    assert.equal(await diskText('api/Dockerfile_prod'), `FROM ${ref}@${digests.dockerImage}\nRUN make api\n`);
  });

  untrustedTest('untrusted: no pin (no digest is known), only "Ignore this image"', async () => {
    const { host } = suiteRegistry();
    const document = await openFile('api/Dockerfile_prod');
    await waitForCodes(document.uri, ['unpinned']);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      rangeOf(document, `${host}/fixtures/docker-image:1.0`),
    );
    assert.deepEqual(
      titles(actions).filter((t) => /pin|ignore/i.test(t)),
      ['Ignore this image'],
    );
  });

  trustedTest('"Update to" moves a drifted release to a newer version: tag and digest in one edit', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('release/Dockerfile');
    await waitForCodes(document.uri, ['tag-drift']);
    const ref = `${host}/fixtures/release:2.4.0@${digests.releaseOld}`;
    const before = document.getText();
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      rangeOf(document, ref),
    );
    const updates = titles(actions).filter((t) => t.startsWith('Update to'));
    const short = (digest: string) => `${digest.slice(0, 'sha256:'.length + 12)}…`;
    assert.deepEqual(updates, [
      // The drift's own fix first: the same tag, where it points now.
      `Update to current digest (${short(digests.releaseNew)})`,
      `Update to 2.4.1@${short(digests.releasePatch)} (patch)`,
      `Update to 2.5.0@${short(digests.releaseMinor)} (minor)`,
    ]);
    const patch = actions.find((a) => a.title === updates[1])!;
    assert.ok(patch.edit, 'the update carries its edit');
    assert.equal(await vscode.workspace.applyEdit(patch.edit), true);
    assert.equal(document.getText(), `FROM ${host}/fixtures/release:2.4.1@${digests.releasePatch}\nRUN make release\n`);
    // Pinned to what 2.4.1 points to now: the drift goes with the edit.
    await waitForCodes(document.uri, []);
    // Leave the file as the later stories expect it (drifted, on disk and in the editor).
    await vscode.commands.executeCommand('workbench.action.files.revert');
    assert.equal(document.getText(), before);
  });
});
