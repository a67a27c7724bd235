// Story: "Pin all images in workspace", then "Update drifted digests in workspace", from the command palette.
// Runs last (mocha loads files in name order): it changes every file the other stories read.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { suite } from 'mocha';
import * as vscode from 'vscode';
import {
  diskText,
  openFile,
  requestCounts,
  suiteRegistry,
  trustedTest,
  untrustedTest,
  waitForCodes,
  workspaceFile,
} from './support';

interface CommandResult {
  searched: number;
  summary?: {
    files?: number;
    edited?: number;
    locks?: number;
    added?: number;
    updated?: number;
    failures: Array<{ uri: string; line: number; text: string; reason: string }>;
    cancelled: boolean;
  };
  applied: boolean;
  message: string;
}

const FILES = [
  '.github/workflows/ci.yml',
  'Dockerfile',
  'api/Dockerfile_prod',
  'build/Dockerfile-dev',
  'chart/Chart.yaml',
  'chart/values.yaml',
  'compose.yaml',
  'deploy/kustomization.yaml',
  'k8s/deployment.yaml',
  'locked/Dockerfile',
  'release/Dockerfile',
];

/** Files with one image each that the quick-fix stories pin first, unless only this story runs (--grep). */
const PINNED_BY_OTHER_STORIES = ['api/Dockerfile_prod', 'chart/values.yaml', 'deploy/kustomization.yaml'];

/** The command's result with each failure's uri relative to the workspace, as the assertions spell them. */
function withRelativeUris(result: CommandResult): CommandResult {
  if (result.summary === undefined) return result;
  const failures = result.summary.failures.map((f) => ({
    ...f,
    uri: vscode.workspace.asRelativePath(vscode.Uri.parse(f.uri)),
  }));
  return { ...result, summary: { ...result.summary, failures } };
}

suite('workspace commands', () => {
  trustedTest(
    'Pin all images in workspace: every unpinned image that has a digest, saved; the rest explained',
    async () => {
      const { host, digests: d } = suiteRegistry();
      const r = `${host}/fixtures`;
      // The code-action stories pinned these already, unless only this story runs (--grep).
      const before = await Promise.all(PINNED_BY_OTHER_STORIES.map(diskText));
      const pending = before.filter((text) => !/sha256:[0-9a-f]{64}/.test(text)).length;
      const [files, edited] = [6 + pending, 11 + pending];
      const result = await vscode.commands.executeCommand<CommandResult>('digestPin.pinWorkspace');
      assert.ok(result?.summary, `no result: ${JSON.stringify(result)}`);
      const expected: Record<string, string> = {
        Dockerfile: [
          `ARG BASE=${r}/oci-index:1.0@${d.ociIndex}`,
          `FROM ${r}/docker-image:1.0@${d.dockerImage} AS build`,
          'RUN make',
          '',
          `FROM ${r}/drift:latest@${d.driftOld} AS drifted`,
          `FROM ${r}/gone:1.0@${d.goneDeleted} AS gone`,
          `FROM ${r}/missing:2.0 AS missing`,
          'FROM ${BASE}',
          'COPY --from=build /app /app',
          '',
        ].join('\n'),
        'compose.yaml': [
          'services:',
          '  web:',
          `    image: ${r}/oci-index:1.0@${d.ociIndex}`,
          '  db:',
          `    image: "${r}/docker-list:1.0@${d.dockerList}"`,
          '  worker:',
          `    image: ${r}/oci-image:1.0@${d.ociImage} # comments stay where they are`,
          '  cache:',
          `    image: ${r}/drift:latest@${d.driftOld}`,
          '  app:',
          '    build: .',
          '    image: example/app:dev',
          '  tool:',
          '    image: ${TOOL_IMAGE}',
          '',
        ].join('\n'),
        'k8s/deployment.yaml': [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: api',
          'spec:',
          '  template:',
          '    spec:',
          '      initContainers:',
          '        - name: migrate',
          `          image: ${r}/oci-image:1.0@${d.ociImage}`,
          '      containers:',
          '        - name: api',
          `          image: '${r}/docker-image:1.0@${d.dockerImage}'`,
          '',
        ].join('\n'),
        '.github/workflows/ci.yml': [
          'on: push',
          'jobs:',
          '  test:',
          '    runs-on: ubuntu-latest',
          `    container: ${r}/oci-image:1.0@${d.ociImage}`,
          '    steps:',
          '      - run: make test',
          '',
        ].join('\n'),
        'build/Dockerfile-dev': `FROM ${r}/docker-image:1.0@${d.dockerImage}\nRUN make dev\n`,
        // Pinning ignores the lock, as `digest-pin pin` does: the file then says the digests itself.
        'locked/Dockerfile': `FROM ${r}/docker-image:1.0@${d.dockerImage}\nFROM ${r}/oci-image:1.0@${d.ociImage} AS tools\n`,
        'api/Dockerfile_prod': `FROM ${r}/docker-image:1.0@${d.dockerImage}\nRUN make api\n`,
        // Split references: the digest field of the chart, a new digest key of the kustomization.
        'chart/values.yaml': `image:\n  registry: ${host}\n  repository: fixtures/docker-image\n  tag: "1.0"\n  digest: "${d.dockerImage}"\n`,
        'deploy/kustomization.yaml': [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          'resources: []',
          'images:',
          '  - name: app',
          `    newName: ${r}/oci-image`,
          '    newTag: "1.0" # release',
          `    digest: ${d.ociImage}`,
          '',
        ].join('\n'),
      };
      for (const [file, text] of Object.entries(expected)) {
        assert.equal(await diskText(file), text, `${file} on disk`);
        const open = vscode.workspace.textDocuments.find((doc) => vscode.workspace.asRelativePath(doc.uri) === file);
        if (open) assert.equal(open.isDirty, false, `${file} is saved`);
      }
      // A compose service's own build (example/app:dev, it has build:) is not pulled: nothing to pin, and no failure.
      assert.deepEqual(withRelativeUris(result), {
        searched: FILES.length,
        applied: true,
        summary: {
          files,
          edited,
          cancelled: false,
          failures: [
            {
              uri: 'Dockerfile',
              line: 6,
              text: `${r}/missing:2.0`,
              reason: `tag 2.0 of fixtures/missing not found on ${host} (not-found)`,
            },
          ],
        },
        message: `Pinned ${edited} images in ${files} files. 1 reference could not be pinned: see the output.`,
      });
    },
  );

  trustedTest(
    'Update drifted digests in workspace: drifted and deleted pins move to what the tag points to',
    async () => {
      const { host, digests: d } = suiteRegistry();
      const r = `${host}/fixtures`;
      const result = await vscode.commands.executeCommand<CommandResult>('digestPin.updateWorkspace');
      assert.deepEqual(result?.summary, { files: 3, edited: 4, cancelled: false, failures: [] });
      assert.equal(result.message, 'Updated 4 drifted digests in 3 files.');
      const dockerfile = await diskText('Dockerfile');
      assert.ok(dockerfile.includes(`FROM ${r}/drift:latest@${d.driftNew} AS drifted\n`), dockerfile);
      assert.ok(dockerfile.includes(`FROM ${r}/gone:1.0@${d.goneCurrent} AS gone\n`), dockerfile);
      assert.ok((await diskText('compose.yaml')).includes(`    image: ${r}/drift:latest@${d.driftNew}\n`));
      // The rebuilt release moves to what 2.4.0 points to now, not to a newer version.
      assert.equal(await diskText('release/Dockerfile'), `FROM ${r}/release:2.4.0@${d.releaseNew}\nRUN make release\n`);
      // What is left: the tag that does not exist.
      const document = await openFile('Dockerfile');
      await waitForCodes(document.uri, ['tag-not-found']);
    },
  );

  trustedTest(
    'Lock all images in workspace: what is left unpinned and can be locked; what cannot, explained',
    async () => {
      const { host } = suiteRegistry();
      const r = `${host}/fixtures`;
      const result = await vscode.commands.executeCommand<CommandResult>('digestPin.lockWorkspace');
      assert.ok(result?.summary, `no result: ${JSON.stringify(result)}`);
      // Every image is pinned by now but the tag that does not exist: no lock file is created for nothing.
      assert.deepEqual(withRelativeUris(result), {
        searched: FILES.length,
        applied: false,
        summary: {
          locks: 0,
          added: 0,
          updated: 0,
          cancelled: false,
          failures: [
            {
              uri: 'Dockerfile',
              line: 6,
              text: `${r}/missing:2.0`,
              reason: `could not lock: tag 2.0 of fixtures/missing not found on ${host} (not-found)`,
            },
          ],
        },
        message: 'Nothing was locked. 1 image could not be locked: see the output.',
      });
      assert.equal(existsSync(workspaceFile('digest-pin.lock').fsPath), false);
    },
  );

  untrustedTest('untrusted: the commands refuse, the files stay as they are, the registry hears nothing', async () => {
    const before = await Promise.all(FILES.map(diskText));
    assert.equal(await vscode.commands.executeCommand('digestPin.pinWorkspace'), undefined);
    assert.equal(await vscode.commands.executeCommand('digestPin.updateWorkspace'), undefined);
    assert.equal(await vscode.commands.executeCommand('digestPin.refresh'), undefined);
    assert.equal(await vscode.commands.executeCommand('digestPin.lockWorkspace'), undefined);
    assert.equal(await vscode.commands.executeCommand('digestPin.updateLock'), undefined);
    assert.deepEqual(await Promise.all(FILES.map(diskText)), before);
    assert.deepEqual(await requestCounts(), { registry: 0, token: 0, registryRequests: [] });
    // Nothing ran the Docker credential helper configured for the registry (the trusted run shows the probe works).
    assert.equal(existsSync(suiteRegistry().credentialHelperLog), false);
  });
});
