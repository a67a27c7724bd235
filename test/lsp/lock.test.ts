// The language server in a workspace with a lock file (digest-pin.lock): locked references have no warning, one the
// lock lacks is `not-locked` with its two quick fixes, a locked entry's drift is reported as an inline pin's, and a
// change of the lock file (workspace/didChangeWatchedFiles) diagnoses the open documents again. In process, on fake
// timers (support/inProcess.ts); the online part against the seeded registry.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileChangeType, type TextDocumentEdit } from 'vscode-languageserver/node';
import { parseLock } from '../../server/src/lock/lockFile';
import { LockWorkspace, type LockWorkspaceResult } from '../../server/src/shared/protocol';
import { shortDigest } from '../../server/src/shared/text';
import { startSeededSetup, type SeededSetup } from '../integration/support/setup';
import { rangeOf } from '../support/ranges';
import {
  PULL_CAPABILITIES,
  codeActionsAt,
  codes,
  fileUri,
  hoverAt,
  startClient,
  type InProcessClient as TestClient,
} from './support/inProcess';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

const lockText = (images: Record<string, string>): string =>
  `${JSON.stringify(
    {
      version: 1,
      images: Object.fromEntries(Object.entries(images).map(([key, digest]) => [key, { digest }])),
    },
    null,
    2,
  )}\n`;

const DOCKERFILE = ['FROM python:3.12-slim', 'FROM redis:7-alpine', ''].join('\n');

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-lsp-lock-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A repository (a `.git` directory) with a lock at its root and a Dockerfile in a folder below. */
function repository(name: string, images: Record<string, string>): { root: string; lock: string; file: string } {
  const root = join(tmp, name);
  mkdirSync(join(root, '.git'), { recursive: true });
  mkdirSync(join(root, 'app'), { recursive: true });
  const lock = join(root, 'digest-pin.lock');
  writeFileSync(lock, lockText(images));
  return { root, lock, file: join(root, 'app', 'Dockerfile') };
}

describe('a workspace with a lock (no registry)', () => {
  let client: TestClient;
  before(async () => {
    client = await startClient({ initializationOptions: { trusted: false } });
  });
  after(() => client.stop());

  it('a locked reference has no finding; one the lock lacks is not-locked, naming the lock and the key', async () => {
    const repo = repository('static', { 'docker.io/library/python:3.12-slim': DIGEST_A });
    const uri = fileUri(repo.file);
    client.open(uri, 'dockerfile', DOCKERFILE);
    const { diagnostics } = await client.diagnostics(uri);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range, String(d.message)]),
      [
        [
          'not-locked',
          rangeOf(DOCKERFILE, 'redis:7-alpine'),
          "redis:7-alpine is not locked: digest-pin.lock has no entry for docker.io/library/redis:7-alpine; run 'digest-pin lock' to record its digest",
        ],
      ],
    );
  });

  it('outside a repository with a lock nothing changes: unpinned as before', async () => {
    const dir = join(tmp, 'nolock');
    mkdirSync(join(dir, '.git'), { recursive: true });
    const uri = fileUri(join(dir, 'Dockerfile'));
    client.open(uri, 'dockerfile', DOCKERFILE);
    assert.deepEqual(codes((await client.diagnostics(uri)).diagnostics), ['unpinned', 'unpinned']);
  });

  it('the hover of a locked reference says where it is locked', async () => {
    const repo = repository('hover', { 'docker.io/library/python:3.12-slim': DIGEST_A });
    const uri = fileUri(repo.file);
    client.open(uri, 'dockerfile', DOCKERFILE);
    await client.diagnostics(uri);
    const hover = await hoverAt(client, uri, { line: 0, character: 7 });
    assert.match(String(hover), new RegExp(`Locked to \`${shortDigest(DIGEST_A)}\` in digest-pin\\.lock\\.`));
  });

  it('a change of the lock on disk (a git checkout) diagnoses the open documents again', async () => {
    const repo = repository('watched', { 'docker.io/library/python:3.12-slim': DIGEST_A });
    const uri = fileUri(repo.file);
    client.open(uri, 'dockerfile', DOCKERFILE);
    assert.deepEqual(codes((await client.diagnostics(uri)).diagnostics), ['not-locked']);
    writeFileSync(
      repo.lock,
      lockText({ 'docker.io/library/python:3.12-slim': DIGEST_A, 'docker.io/library/redis:7-alpine': DIGEST_B }),
    );
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(repo.lock), type: FileChangeType.Changed }],
    });
    assert.deepEqual((await client.diagnostics(uri)).diagnostics, []);
    rmSync(repo.lock);
    void client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: fileUri(repo.lock), type: FileChangeType.Deleted }],
    });
    assert.deepEqual(codes((await client.diagnostics(uri)).diagnostics), ['unpinned', 'unpinned']);
  });

  it('a broken lock is as no lock (and the log says why)', async () => {
    const repo = repository('broken', {});
    writeFileSync(repo.lock, '{ "version": 1, ');
    const uri = fileUri(repo.file);
    client.open(uri, 'dockerfile', DOCKERFILE);
    assert.deepEqual(codes((await client.diagnostics(uri)).diagnostics), ['unpinned', 'unpinned']);
    assert.ok(client.logs.some((line) => line.includes('broken lock file')));
  });
});

describe('file watching', () => {
  it('a client that can register watchers is asked to watch **/digest-pin.lock', async () => {
    const client = await startClient({
      capabilities: {
        ...PULL_CAPABILITIES,
        workspace: { ...PULL_CAPABILITIES.workspace, didChangeWatchedFiles: { dynamicRegistration: true } },
      },
      initializationOptions: { trusted: false },
    });
    try {
      await client.settle();
      const registrations = client.registrations;
      assert.ok(
        JSON.stringify(registrations).includes('"method":"workspace/didChangeWatchedFiles"') &&
          JSON.stringify(registrations).includes('**/digest-pin.lock'),
        JSON.stringify(registrations),
      );
    } finally {
      await client.stop();
    }
  });
});

describe('a workspace with a lock, online', () => {
  let setup: SeededSetup;
  let client: TestClient;
  before(async () => {
    setup = await startSeededSetup({});
    client = await startClient({ clock: 'wall', env: { DOCKER_CONFIG: setup.dockerConfigDir } });
  });
  after(async () => {
    await client?.stop();
    await setup?.stop();
  });

  it('a locked entry whose tag moved on is tag-drift, worded for the lock; a current one is clean', async () => {
    const { drift, dockerImage } = setup.fixtures;
    const current = `${setup.host}/fixtures/docker-image:1.0`;
    const repo = repository('online-drift', { [drift.ref]: drift.oldDigest, [current]: dockerImage.digest });
    const uri = fileUri(repo.file);
    const text = `FROM ${drift.ref}\nFROM ${current}\n`;
    client.open(uri, 'dockerfile', text);
    const { diagnostics } = await client.diagnostics(uri, (p) => p.diagnostics.length > 0);
    assert.deepEqual(codes(diagnostics), ['tag-drift']);
    assert.deepEqual(diagnostics[0]!.range, rangeOf(text, drift.ref));
    assert.match(String(diagnostics[0]!.message), /the digest locked in digest-pin\.lock/);
    const hover = await hoverAt(client, uri, { line: 0, character: 6 });
    assert.match(String(hover), new RegExp(`Locked to \`${shortDigest(drift.oldDigest)}\` in digest-pin\\.lock`));
    assert.match(String(hover), /\*\*The tag has moved\*\*/);
  });

  it('not-locked offers "Add to digest-pin.lock" (the whole lock, the entry in order) and "Pin in this file instead"', async () => {
    const { dockerImage } = setup.fixtures;
    const image = `${setup.host}/fixtures/docker-image:1.0`;
    const existing = { 'zzz.example.com/zzz:1': DIGEST_A };
    const repo = repository('online-add', existing);
    const uri = fileUri(repo.file);
    const text = `FROM ${image}\n`;
    client.open(uri, 'dockerfile', text);
    await client.diagnostics(uri, (p) => p.diagnostics.some((d) => String(d.message).includes('sha256:')));
    const actions = await codeActionsAt(client, uri, rangeOf(text, image));
    const add = actions.find((a) => a.title.startsWith('Add to digest-pin.lock'));
    const pin = actions.find((a) => a.title.startsWith('Pin in this file instead'));
    assert.ok(add && pin, actions.map((a) => a.title).join(' | '));
    assert.equal(add.isPreferred, true);
    assert.deepEqual(codes(add.diagnostics ?? []), ['not-locked']);
    const changes = add.edit?.documentChanges as TextDocumentEdit[];
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.textDocument.uri, fileUri(repo.lock));
    assert.deepEqual(changes[0]!.edits[0]!.range, {
      start: { line: 0, character: 0 },
      end: { line: lockText(existing).split('\n').length - 1, character: 0 },
    });
    const written = (changes[0]!.edits[0] as { newText: string }).newText;
    const parsed = parseLock(written);
    assert.ok(parsed.ok);
    assert.deepEqual([...parsed.lock.images.keys()], [image, 'zzz.example.com/zzz:1']);
    assert.equal(parsed.lock.images.get(image)?.digest, dockerImage.digest);
    assert.equal(pin.title, `Pin in this file instead (${shortDigest(dockerImage.digest)})`);
  });

  it('lockWorkspace: adds what the lock lacks, keeps the rest; with update, moves the entry whose tag moved on', async () => {
    const { drift, dockerImage } = setup.fixtures;
    const image = `${setup.host}/fixtures/docker-image:1.0`;
    const repo = repository('online-command', { [drift.ref]: drift.oldDigest });
    writeFileSync(repo.file, `FROM ${drift.ref}\nFROM ${image}\n`);
    const request = (update: boolean): Promise<LockWorkspaceResult> =>
      client.connection.sendRequest(LockWorkspace.method, { uris: [fileUri(repo.file)], update });
    const locked = await request(false);
    assert.deepEqual(locked.summary, { locks: 1, added: 1, updated: 0, failures: [], cancelled: false });
    const written = parseLock(lockWritten(locked, repo.lock));
    assert.ok(written.ok);
    assert.equal(written.lock.images.get(image)?.digest, dockerImage.digest);
    assert.equal(written.lock.images.get(drift.ref)?.digest, drift.oldDigest);
    const updated = await request(true);
    assert.deepEqual(updated.summary, { locks: 1, added: 1, updated: 1, failures: [], cancelled: false });
    const moved = parseLock(lockWritten(updated, repo.lock));
    assert.ok(moved.ok);
    assert.equal(moved.lock.images.get(drift.ref)?.digest, drift.newDigest);
  });
});

describe('lockWorkspace creates the lock of a workspace folder that has none', () => {
  let setup: SeededSetup;
  let client: TestClient;
  let root: string;
  before(async () => {
    setup = await startSeededSetup({});
    root = join(tmp, 'create');
    mkdirSync(join(root, '.git'), { recursive: true });
    client = await startClient({
      clock: 'wall',
      rootUri: fileUri(root),
      env: { DOCKER_CONFIG: setup.dockerConfigDir },
    });
  });
  after(async () => {
    await client?.stop();
    await setup?.stop();
  });

  it('a CreateFile, then the lock text', async () => {
    const image = `${setup.host}/fixtures/docker-image:1.0`;
    const file = join(root, 'Dockerfile');
    writeFileSync(file, `FROM ${image}\n`);
    const result: LockWorkspaceResult = await client.connection.sendRequest(LockWorkspace.method, {
      uris: [fileUri(file)],
      update: false,
    });
    assert.equal(result.summary.locks, 1);
    const lockUri = fileUri(join(root, 'digest-pin.lock'));
    assert.deepEqual(result.edit.documentChanges?.[0], {
      kind: 'create',
      uri: lockUri,
      options: { ignoreIfExists: true },
    });
    const parsed = parseLock(lockWritten(result, join(root, 'digest-pin.lock')));
    assert.ok(parsed.ok);
    assert.equal(parsed.lock.images.get(image)?.digest, setup.fixtures.dockerImage.digest);
  });
});

/** The text a lockWorkspace result writes to a lock file. */
function lockWritten(result: LockWorkspaceResult, lockPath: string): string {
  const change = (result.edit.documentChanges ?? []).find(
    (c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === fileUri(lockPath),
  );
  assert.ok(change, JSON.stringify(result));
  return (change.edits[0] as { newText: string }).newText;
}
