// Story: a folder that locks its images (locked/digest-pin.lock): the locked image has no warning and its hover says
// where it is locked; the one the lock lacks is `not-locked`, and "Add to locked/digest-pin.lock" writes the entry
// into the lock file (saved, the server re-reads it and the finding goes).
import * as assert from 'node:assert/strict';
import { suite } from 'mocha';
import * as vscode from 'vscode';
import {
  diagnosticsOf,
  diskText,
  openFile,
  rangeOf,
  suiteRegistry,
  trustedTest,
  untrustedTest,
  waitFor,
  waitForCodes,
  workspaceFile,
} from './support';

const short = (digest: string) => `${digest.slice(0, 'sha256:'.length + 12)}…`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function hoverText(document: vscode.TextDocument, needle: string): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    document.uri,
    rangeOf(document, needle).start.translate(0, 3),
  );
  return hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n---\n');
}

suite('lock file', () => {
  trustedTest(
    'a locked image has no finding, and its hover says where it is locked and that it is current',
    async () => {
      const { host, digests } = suiteRegistry();
      const document = await openFile('locked/Dockerfile');
      await waitForCodes(document.uri, ['not-locked']);
      // The registry's answer names the digest to lock.
      await waitFor(
        () => diagnosticsOf(document.uri)[0]?.message.includes('sha256:') === true,
        () => `the not-locked message with a digest; have ${JSON.stringify(diagnosticsOf(document.uri))}`,
      );
      const [notLocked] = diagnosticsOf(document.uri);
      assert.equal(notLocked!.where, where(document, `${host}/fixtures/oci-image:1.0`));
      assert.equal(
        notLocked!.message,
        `${host}/fixtures/oci-image:1.0 is not locked: locked/digest-pin.lock has no entry for ${host}/fixtures/oci-image:1.0; run 'digest-pin lock' to record its current digest ${short(digests.ociImage)}`,
      );
      const text = await hoverText(document, `${host}/fixtures/docker-image:1.0`);
      assert.match(
        text,
        new RegExp(
          `Locked to \`${escape(short(digests.dockerImage))}\` in locked/digest-pin\\.lock, built .+ ago \\(2024-01-15\\)\\.`,
        ),
      );
      assert.match(text, /The tag still points to this digest\./);
      assert.ok(text.includes(`Locked digest: \`${digests.dockerImage}\``), text);
    },
  );

  trustedTest('"Add to locked/digest-pin.lock": the entry in its sorted place; saved, the finding goes', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('locked/Dockerfile');
    await waitForCodes(document.uri, ['not-locked']);
    const ref = `${host}/fixtures/oci-image:1.0`;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      rangeOf(document, ref),
    );
    const titles = actions.map((a) => a.title);
    const add = actions.find((a) => a.title.startsWith('Add to locked/digest-pin.lock'));
    assert.ok(add?.edit, `no add action in ${JSON.stringify(titles)}`);
    assert.equal(add.title, `Add to locked/digest-pin.lock (${short(digests.ociImage)})`);
    assert.equal(add.isPreferred, true);
    assert.ok(titles.includes(`Pin in this file instead (${short(digests.ociImage)})`), JSON.stringify(titles));

    assert.equal(await vscode.workspace.applyEdit(add.edit), true);
    const lockUri = workspaceFile('locked/digest-pin.lock');
    const lock = vscode.workspace.textDocuments.find((d) => d.uri.toString() === lockUri.toString());
    assert.ok(lock, 'the lock file is open with the edit');
    assert.equal(await lock.save(), true);
    const entries = JSON.parse(await diskText('locked/digest-pin.lock')) as {
      images: Record<string, { digest: string }>;
    };
    assert.deepEqual(Object.keys(entries.images), [`${host}/fixtures/docker-image:1.0`, ref]);
    assert.equal(entries.images[ref]?.digest, digests.ociImage);
    // The watcher tells the server; the Dockerfile itself is unchanged.
    await waitForCodes(document.uri, []);
    assert.equal(document.isDirty, false);
  });

  untrustedTest('untrusted: the lock still applies (not-locked, no unpinned) and the hover says where', async () => {
    const { host } = suiteRegistry();
    const document = await openFile('locked/Dockerfile');
    await waitForCodes(document.uri, ['not-locked']);
    const text = await hoverText(document, `${host}/fixtures/docker-image:1.0`);
    assert.match(text, /Locked to `sha256:[0-9a-f]{12}…` in locked\/digest-pin\.lock\./);
  });
});

function where(document: vscode.TextDocument, needle: string): string {
  const range = rangeOf(document, needle);
  return `${range.start.line}:${range.start.character}-${range.end.character}`;
}
