import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { SUITE_ENV } from './env';
import { workspaceFile } from './support';

suite('test workspace', () => {
  test('the fixture workspace is open, with the trust state the runner set up', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.deepEqual(
      folders.map((folder) => folder.name),
      ['workspace'],
    );
    for (const name of ['Dockerfile', 'compose.yaml', 'k8s/deployment.yaml']) {
      assert.equal((await vscode.workspace.fs.stat(workspaceFile(name))).type, vscode.FileType.File, name);
    }
    assert.equal(vscode.workspace.isTrusted, process.env[SUITE_ENV.trust] !== 'untrusted');
  });
});
