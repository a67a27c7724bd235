// Story: images split over several values — a Helm chart's `image: {registry, repository, tag, digest}` and a
// kustomization's `images:` entry — are flagged where the tag is written, and the quick fix writes the digest where
// the chart and kustomize read it: into the `digest:` field, or as a new `digest:` key after `newTag`.
import * as assert from 'node:assert/strict';
import { suite } from 'mocha';
import * as vscode from 'vscode';
import { diskText, openFile, rangeOf, suiteRegistry, trustedTest, waitForCodes } from './support';

const titles = (actions: vscode.CodeAction[]) => actions.map((a) => a.title);
const short = (digest: string) => `${digest.slice(0, 'sha256:'.length + 12)}…`;

async function actionsAt(document: vscode.TextDocument, text: string): Promise<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    document.uri,
    rangeOf(document, text),
  );
}

suite('split references', () => {
  trustedTest(
    'Helm values: the squiggle sits on the tag, the hover shows the whole image, the fix fills digest:',
    async () => {
      const { host, digests } = suiteRegistry();
      const document = await openFile('chart/values.yaml');
      await waitForCodes(document.uri, ['unpinned']);
      const [diagnostic] = vscode.languages.getDiagnostics(document.uri);
      assert.equal(document.getText(diagnostic!.range), '1.0');
      assert.equal(
        diagnostic!.message,
        `${host}/fixtures/docker-image:1.0 is a mutable tag; pin it to its current digest ${short(digests.dockerImage)}`,
      );

      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        document.uri,
        rangeOf(document, '1.0').start,
      );
      const markdown = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.ok(markdown.includes(`${host}/fixtures/docker-image:1.0`), markdown);
      assert.ok(markdown.includes('Assembled from registry'), markdown);

      const actions = await actionsAt(document, '1.0');
      const pin = actions.find((a) => a.title.startsWith('Pin to digest'));
      assert.ok(pin?.edit, `no pin action in ${JSON.stringify(titles(actions))}`);
      assert.equal(pin.title, `Pin to digest (${short(digests.dockerImage)}) in digest:`);
      assert.equal(await vscode.workspace.applyEdit(pin.edit), true);
      const pinned = `image:\n  registry: ${host}\n  repository: fixtures/docker-image\n  tag: "1.0"\n  digest: "${digests.dockerImage}"\n`;
      assert.equal(document.getText(), pinned);
      await waitForCodes(document.uri, []);
      assert.equal(await document.save(), true);
      assert.equal(await diskText('chart/values.yaml'), pinned);
    },
  );

  trustedTest('kustomize: the fix adds a digest: key after newTag, its comment kept', async () => {
    const { host, digests } = suiteRegistry();
    const document = await openFile('deploy/kustomization.yaml');
    await waitForCodes(document.uri, ['unpinned']);
    const actions = await actionsAt(document, '1.0');
    const pin = actions.find((a) => a.title.startsWith('Pin to digest'));
    assert.ok(pin?.edit, `no pin action in ${JSON.stringify(titles(actions))}`);
    assert.equal(pin.title, `Pin to digest (${short(digests.ociImage)}) as a new digest: key`);
    assert.equal(await vscode.workspace.applyEdit(pin.edit), true);
    const pinned = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: []',
      'images:',
      '  - name: app',
      `    newName: ${host}/fixtures/oci-image`,
      '    newTag: "1.0" # release',
      `    digest: ${digests.ociImage}`,
      '',
    ].join('\n');
    assert.equal(document.getText(), pinned);
    await waitForCodes(document.uri, []);
    assert.equal(await document.save(), true);
    assert.equal(await diskText('deploy/kustomization.yaml'), pinned);
  });
});
