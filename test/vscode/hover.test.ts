// Story: hover an image to see what its tag points to.
import * as assert from 'node:assert/strict';
import { suite } from 'mocha';
import * as vscode from 'vscode';
import { openFile, rangeOf, suiteRegistry, trustedTest, untrustedTest, waitForCodes } from './support';

async function hoverText(document: vscode.TextDocument, needle: string): Promise<{ text: string; range: vscode.Range | undefined }> {
  const range = rangeOf(document, needle);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, range.start.translate(0, 3));
  const texts = hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n'));
  assert.equal(hovers.length, 1, `one hover (digest-pin's), got ${JSON.stringify(texts)}`);
  return { text: texts[0]!, range: hovers[0]!.range };
}

suite('hover', () => {
  trustedTest('an unpinned tag: the digest it points to now', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('Dockerfile');
    await waitForCodes(document.uri, ['unpinned', 'unpinned', 'tag-drift', 'digest-not-found', 'tag-not-found']);
    const { text, range } = await hoverText(document, `${host}/fixtures/docker-image:1.0`);
    assert.deepEqual(range, rangeOf(document, `${host}/fixtures/docker-image:1.0`));
    assert.ok(text.includes(digests.dockerImage), text);
  });

  trustedTest('a drifted pin: both digests', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('Dockerfile');
    const { text } = await hoverText(document, `${host}/fixtures/drift:latest@${digests.driftOld}`);
    assert.ok(text.includes(digests.driftNew), text);
  });

  untrustedTest('untrusted: says why there is nothing from the registry', async () => {
    const { host } = suiteRegistry();
    const document = await openFile('Dockerfile');
    const { text } = await hoverText(document, `${host}/fixtures/docker-image:1.0`);
    assert.ok(text.includes('Registry checks are off: this workspace is not trusted.'), text);
  });
});
