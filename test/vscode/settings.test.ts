// Story: change a setting, and the findings follow without reopening anything.
import * as assert from 'node:assert/strict';
import { suite, teardown } from 'mocha';
import * as vscode from 'vscode';
import {
  afterServerWork,
  diagnosticsOf,
  openFile,
  requestCounts,
  suiteRegistry,
  trustedTest,
  TRUST,
  waitFor,
  waitForCodes,
} from './support';

const ONLINE = ['unpinned', 'unpinned', 'tag-drift', 'digest-not-found', 'tag-not-found'];
const STATIC = ['unpinned', 'unpinned', 'unpinned'];

async function set(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('digestPin').update(key, value, vscode.ConfigurationTarget.Workspace);
}

suite('settings', () => {
  teardown(async () => {
    for (const key of ['severity.unpinned', 'ignore', 'offline']) await set(key, undefined);
  });

  test('severity per code and ignore globs apply at once (workspace settings)', async () => {
    const { host } = suiteRegistry();
    const document = await openFile('Dockerfile');
    const baseline = TRUST === 'trusted' ? ONLINE : STATIC;
    await waitForCodes(document.uri, baseline);

    await set('severity.unpinned', 'error');
    await waitFor(
      () =>
        diagnosticsOf(document.uri)
          .filter((d) => d.code === 'unpinned')
          .every((d) => d.severity === 'error'),
      'unpinned as errors',
    );
    assert.deepEqual(
      diagnosticsOf(document.uri).map((d) => d.code),
      baseline,
    );

    await set('severity.unpinned', 'off');
    await waitForCodes(
      document.uri,
      baseline.filter((code) => code !== 'unpinned'),
    );

    await set('severity.unpinned', undefined);
    await set('ignore', [`${host}/fixtures/missing`]);
    await waitForCodes(
      document.uri,
      TRUST === 'trusted' ? ['unpinned', 'unpinned', 'tag-drift', 'digest-not-found'] : ['unpinned', 'unpinned'],
    );

    await set('ignore', undefined);
    await waitForCodes(document.uri, baseline);
  });

  trustedTest(
    'offline: cached answers only; Refresh digests forgets them (static findings, no request); online again: asked again',
    async () => {
      const document = await openFile('Dockerfile');
      await waitForCodes(document.uri, ONLINE);
      const asked = (await requestCounts()).registry;
      // A new (offline) registry client: what the registry said comes from the persistent cache now. Once the server
      // reports every question it asked that client answered, the findings are the cached answers, and no request.
      await afterServerWork(() => set('offline', true), 'offline');
      await waitForCodes(document.uri, ONLINE);
      assert.deepEqual(
        diagnosticsOf(document.uri).map((d) => d.code),
        ONLINE,
      );
      assert.equal((await requestCounts()).registry, asked);
      // Refresh forgets every answer, the persistent cache too; offline, nothing may be asked again: the server
      // reports its questions answered (from nothing), the findings are the static ones, and still no request.
      await afterServerWork(() => vscode.commands.executeCommand('digestPin.refresh'), 'offline');
      await waitForCodes(document.uri, STATIC);
      const before = (await requestCounts()).registry;
      assert.deepEqual(
        diagnosticsOf(document.uri).map((d) => d.code),
        STATIC,
      );
      assert.equal(before, asked);

      await set('offline', false);
      await waitForCodes(document.uri, ONLINE);
      assert.ok((await requestCounts()).registry > before, 'asked the registry again');
    },
  );
});
