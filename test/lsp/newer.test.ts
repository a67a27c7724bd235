// Newer versions in the editor, against the real docker-registry: the hover of a version tag names the newest tag of
// its line per level with the registry's digest and build date, and "Update to …" quick fixes write tag and digest
// (a Dockerfile FROM, a Helm values map). The server runs in this process (support/inProcess.ts), its client the real one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatAge, shortDigest } from '../../server/src/shared/text';
import { pushImage, type PushedImage } from '../integration/support/seed';
import { startSeededSetup, type SeededSetup } from '../integration/support/setup';
import { rangeOf } from '../support/ranges';
import { DiagnosticSeverity } from 'vscode-languageserver/node';
import {
  applyWorkspaceEdit,
  changeSettings,
  codeActionsAt,
  fileUri,
  hoverAt,
  startClient,
  type InProcessClient as TestClient,
} from './support/inProcess';

let setup: SeededSetup;
let host: string;
let tmp: string;
let client: TestClient;
const pushed = new Map<string, PushedImage>();
const CREATED: Record<string, string> = {
  '3.12.7-slim': '2024-01-01T00:00:00Z',
  '3.12.8-slim': '2024-02-01T00:00:00Z',
  '3.13.1-slim': '2024-02-15T00:00:00Z',
  latest: '2024-02-15T00:00:00Z',
};

before(async () => {
  setup = await startSeededSetup({ proxy: true });
  host = setup.host;
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-lsp-newer-'));
  const target = { url: setup.proxy!.url, host };
  for (const [tag, created] of Object.entries(CREATED))
    pushed.set(tag, await pushImage(target, 'versions/py', tag, { format: 'oci', created, content: tag }));
  client = await startClient({ clock: 'wall', env: { DOCKER_CONFIG: setup.dockerConfigDir } });
});
after(async () => {
  await client?.stop();
  await setup?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const built = (tag: string): string => `built ${formatAge(Date.now() - Date.parse(CREATED[tag]!))} ago`;

describe('newer versions in the editor', () => {
  it('the hover names the newer tags with their digests and build dates', async () => {
    const uri = fileUri(join(tmp, 'hover', 'Dockerfile'));
    client.open(uri, 'dockerfile', `FROM ${host}/versions/py:3.12.7-slim\n`);
    const markdown = (await hoverAt(client, uri, { line: 0, character: 8 }))!;
    const patch = pushed.get('3.12.8-slim')!.digest;
    const minor = pushed.get('3.13.1-slim')!.digest;
    assert.ok(
      markdown
        .split('\n\n')
        .includes(
          `**Newer:** \`3.12.8-slim\` (patch) — \`${shortDigest(patch)}\` ${built('3.12.8-slim')}; \`3.13.1-slim\` (minor) — \`${shortDigest(minor)}\` ${built('3.13.1-slim')}.`,
        ),
      markdown,
    );
  });

  it('"Update to" writes the tag and the digest: a Dockerfile FROM', async () => {
    const uri = fileUri(join(tmp, 'fix', 'Dockerfile'));
    const ref = `${host}/versions/py:3.12.7-slim`;
    const text = `FROM ${ref} AS app\n`;
    client.open(uri, 'dockerfile', text);
    const actions = (await codeActionsAt(client, uri, rangeOf(text, ref))).filter((a) =>
      a.title.startsWith('Update to'),
    );
    const patch = pushed.get('3.12.8-slim')!.digest;
    const minor = pushed.get('3.13.1-slim')!.digest;
    assert.deepEqual(
      actions.map((a) => a.title),
      [`Update to 3.12.8-slim@${shortDigest(patch)} (patch)`, `Update to 3.13.1-slim@${shortDigest(minor)} (minor)`],
    );
    assert.equal(
      applyWorkspaceEdit(text, actions[0]!.edit, uri),
      `FROM ${host}/versions/py:3.12.8-slim@${patch} AS app\n`,
    );
  });

  it('"Update to" in a Helm values map: the tag field and the digest field', async () => {
    const uri = fileUri(join(tmp, 'helm', 'values.yaml'));
    const old = pushed.get('3.12.7-slim')!.digest;
    const text = `image:\n  registry: ${host}\n  repository: versions/py\n  tag: 3.12.7-slim\n  digest: "${old}"\n`;
    client.open(uri, 'yaml', text);
    const actions = (await codeActionsAt(client, uri, rangeOf(text, '3.12.7-slim'))).filter((a) =>
      a.title.startsWith('Update to'),
    );
    const minor = pushed.get('3.13.1-slim')!.digest;
    assert.equal(actions[1]?.title, `Update to 3.13.1-slim@${shortDigest(minor)} (minor)`);
    assert.equal(
      applyWorkspaceEdit(text, actions[1]!.edit, uri),
      `image:\n  registry: ${host}\n  repository: versions/py\n  tag: 3.13.1-slim\n  digest: "${minor}"\n`,
    );
  });

  it('digestPin.severity.outdated = hint: an outdated diagnostic once the tag list is in; off (the default): none', async () => {
    const uri = fileUri(join(tmp, 'diagnostics', 'compose.yaml'));
    const text = `services:\n  app:\n    image: ${host}/versions/py:3.12.7-slim\n  other:\n    image: ${host}/versions/py:latest\n`;
    client.open(uri, 'dockercompose', text);
    const answered = (p: { diagnostics: Array<{ message: unknown }> }): boolean =>
      p.diagnostics.length === 2 && p.diagnostics.every((d) => String(d.message).includes('sha256:'));
    const plain = await client.diagnostics(uri, answered);
    assert.deepEqual(
      plain.diagnostics.map((d) => d.code),
      ['unpinned', 'latest'],
    );
    changeSettings(client, { severity: { outdated: 'hint' } });
    const { diagnostics } = await client.diagnostics(uri, (p) => p.diagnostics.some((d) => d.code === 'outdated'));
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'outdated').map((d) => [d.severity, d.range, String(d.message)]),
      [
        [
          DiagnosticSeverity.Hint,
          rangeOf(text, `${host}/versions/py:3.12.7-slim`),
          `${host}/versions/py:3.12.7-slim has newer versions: 3.12.8-slim (patch), 3.13.1-slim (minor); 'digest-pin pin --upgrade patch' moves to it`,
        ],
      ],
    );
    changeSettings(client, {});
    // Hover, quick fixes and diagnostics of four documents: the repository's tags were listed once (cached for hours).
    assert.equal(await setup.registry.requestCount({ path: /^\/v2\/versions\/py\/tags\/list/ }), 1);
  });
});
