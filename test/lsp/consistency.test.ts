// inconsistent-pin in the language server: an open Dockerfile's pin compared with a compose file that is not open
// (read by the server's walk of the workspace folder), the quick fix "Use the newest pin everywhere" (its
// WorkspaceEdit edits the closed file), and the finding gone once that file is fixed on disk
// (workspace/didChangeWatchedFiles). An untrusted workspace is not walked: only open documents are compared.
// In process (support/inProcess.ts) against the real registry: a tag pushed twice a month apart.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileChangeType, type Diagnostic, type TextDocumentEdit } from 'vscode-languageserver/node';
import { shortDigest } from '../../server/src/shared/text';
import { startRegistry, type Registry } from '../integration/support/registry';
import { pushImage, type PushedImage } from '../integration/support/seed';
import { rangeOf } from '../support/ranges';
import {
  PULL_CAPABILITIES,
  applyWorkspaceEdit,
  codeActionsAt,
  codes,
  fileUri,
  startClient,
  type InProcessClient,
} from './support/inProcess';

let tmp: string;
let registry: Registry;
let image: string;
let old: PushedImage;
let latest: PushedImage;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-lsp-consistency-'));
  registry = await startRegistry();
  const target = { url: registry.url, host: registry.host };
  image = `${registry.host}/team/web:1.0`;
  old = await pushImage(target, 'team/web', '1.0', { format: 'oci', content: 'a', created: '2024-01-01T00:00:00Z' });
  latest = await pushImage(target, 'team/web', '1.0', { format: 'oci', content: 'b', created: '2024-02-01T00:00:00Z' });
});
after(async () => {
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A workspace folder: a Dockerfile pinned to the newest image, a compose file (and one under node_modules) to the old. */
function workspace(name: string): { root: string; dockerfile: string; compose: string; composeText: string } {
  const root = join(tmp, name);
  mkdirSync(join(root, 'deploy'), { recursive: true });
  mkdirSync(join(root, 'node_modules', 'x'), { recursive: true });
  const composeText = `services:\n  web:\n    image: ${image}@${old.digest}\n`;
  writeFileSync(join(root, 'deploy', 'compose.yaml'), composeText);
  writeFileSync(
    join(root, 'node_modules', 'x', 'compose.yaml'),
    composeText.replace(old.digest, `sha256:${'e'.repeat(64)}`),
  );
  return { root, dockerfile: join(root, 'Dockerfile'), compose: join(root, 'deploy', 'compose.yaml'), composeText };
}

const dockerfileText = (): string => `FROM ${image}@${latest.digest}\nRUN true\n`;

describe('inconsistent-pin in a trusted workspace', () => {
  let client: InProcessClient;
  let ws: ReturnType<typeof workspace>;
  before(async () => {
    ws = workspace('trusted');
    client = await startClient({ clock: 'wall', rootUri: fileUri(ws.root) });
  });
  after(() => client?.stop());

  it('an open Dockerfile names the closed compose file; the quick fix edits it; fixed on disk, the finding goes', async () => {
    const uri = fileUri(ws.dockerfile);
    const composeUri = fileUri(ws.compose);
    const text = dockerfileText();
    client.open(uri, 'dockerfile', text);
    const { diagnostics } = await client.diagnostics(uri, (p) =>
      p.diagnostics.some((d) => d.code === 'inconsistent-pin' && String(d.message).includes('newest')),
    );
    const [a, b] = [shortDigest(old.digest), shortDigest(latest.digest)];
    assert.deepEqual(codes(diagnostics), ['inconsistent-pin']);
    const finding = diagnostics[0]!;
    assert.equal(finding.severity, 3); // information
    assert.deepEqual(finding.range, rangeOf(text, `${image}@${latest.digest}`));
    assert.equal(
      finding.message,
      `${image} is pinned to ${b} here but to ${a} in deploy/compose.yaml:3; this pin is the newest (what the tag points to now)`,
    );
    assert.deepEqual(finding.relatedInformation, [
      {
        location: { uri: composeUri, range: rangeOf(ws.composeText, `${image}@${old.digest}`) },
        message: `${image} pinned to ${a}`,
      },
    ]);

    const actions = await codeActionsAt(client, uri, finding.range);
    const fix = actions.find((action) => action.title.startsWith('Use the newest pin everywhere'));
    assert.ok(fix, actions.map((action) => action.title).join(' | '));
    assert.equal(fix.title, `Use the newest pin everywhere (${b}: 1 place in 1 file)`);
    assert.deepEqual(codes(fix.diagnostics ?? []), ['inconsistent-pin']);
    const changes = fix.edit?.documentChanges as TextDocumentEdit[];
    assert.deepEqual(changes, [
      {
        textDocument: { uri: composeUri, version: null },
        edits: [
          {
            range: rangeOf(ws.composeText, old.digest),
            newText: latest.digest,
          },
        ],
      },
    ]);
    const fixed = applyWorkspaceEdit(ws.composeText, fix.edit, composeUri);
    assert.equal(fixed, `services:\n  web:\n    image: ${image}@${latest.digest}\n`);

    writeFileSync(ws.compose, fixed);
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: composeUri, type: FileChangeType.Changed }],
    });
    const after = await client.diagnostics(uri, (p) => !p.diagnostics.some((d) => d.code === 'inconsistent-pin'));
    assert.deepEqual(codes(after.diagnostics), []);
    assert.equal(readFileSync(ws.compose, 'utf8'), fixed);
  });
});

describe('inconsistent-pin with a client that pulls diagnostics', () => {
  let client: InProcessClient;
  let ws: ReturnType<typeof workspace>;
  before(async () => {
    ws = workspace('pull');
    client = await startClient({ clock: 'wall', rootUri: fileUri(ws.root), capabilities: PULL_CAPABILITIES });
  });
  after(() => client?.stop());

  it('the walk and a deleted file are announced with a refresh; the next pull has the finding, then none', async () => {
    const uri = fileUri(ws.dockerfile);
    client.open(uri, 'dockerfile', dockerfileText());
    const pull = async (): Promise<Diagnostic[]> => {
      const report = (await client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as {
        items?: Diagnostic[];
      };
      return report.items ?? [];
    };
    /** Pulls on every refresh request, as an editor does, until `until` holds. */
    const pullUntil = async (until: (items: Diagnostic[]) => boolean): Promise<Diagnostic[]> => {
      let items = await pull();
      for (let seen = client.refreshes; !until(items); seen = client.refreshes) {
        await client.waitFor('a refresh request', () => client.refreshes > seen);
        items = await pull();
      }
      return items;
    };
    const found = await pullUntil((items) => items.some((d) => d.code === 'inconsistent-pin'));
    assert.deepEqual(codes(found), ['inconsistent-pin']);
    rmSync(ws.compose);
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(ws.compose), type: FileChangeType.Deleted }],
    });
    assert.deepEqual(codes(await pullUntil((items) => items.length === 0)), []);
    assert.deepEqual(client.published, []);
  });
});

describe('inconsistent-pin in an untrusted workspace', () => {
  let client: InProcessClient;
  let ws: ReturnType<typeof workspace>;
  before(async () => {
    ws = workspace('untrusted');
    client = await startClient({ rootUri: fileUri(ws.root), initializationOptions: { trusted: false } });
  });
  after(() => client?.stop());

  it('the workspace is not read: a closed file is not compared, an open one is', async () => {
    const uri = fileUri(ws.dockerfile);
    const composeUri = fileUri(ws.compose);
    client.open(uri, 'dockerfile', dockerfileText());
    await client.settle();
    const last = [...client.published].reverse().find((p) => p.uri === uri);
    assert.ok(last, 'the Dockerfile was published');
    assert.deepEqual(codes(last.diagnostics), []);
    client.open(composeUri, 'dockercompose', ws.composeText);
    const compose = await client.diagnostics(composeUri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(
      compose.diagnostics.map((d) => [d.code, d.message]),
      [
        [
          'inconsistent-pin',
          `${image} is pinned to ${shortDigest(old.digest)} here but to ${shortDigest(latest.digest)} in Dockerfile:1`,
        ],
      ],
    );
    // The Dockerfile is published again too (it may already have been while the compose file's came).
    await client.waitFor('the Dockerfile published with inconsistent-pin', () =>
      [...client.published]
        .reverse()
        .find((p) => p.uri === uri)
        ?.diagnostics.some((d) => d.code === 'inconsistent-pin'),
    );
  });
});
