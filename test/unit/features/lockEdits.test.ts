import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TextDocumentEdit } from 'vscode-languageserver';
import { endOf, lockEntryOf, lockFileEdit, withEntries } from '../../../server/src/features/lockEdits';
import { emptyLock, parseLock, serialiseLock } from '../../../server/src/lock/lockFile';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const INDEX = 'application/vnd.oci.image.index.v1+json';

describe('lockFileEdit', () => {
  const lock = withEntries(emptyLock(), [['docker.io/library/redis:7', { digest: D1 }]]);
  const text = serialiseLock(lock);

  it('the whole file replaced with the new lock, serialised as the CLI writes it (the entry in sorted place)', () => {
    const next = withEntries(lock, [
      ['docker.io/library/python:3.12', { digest: D2, created: '2024-01-01T00:00:00Z' }],
    ]);
    const edit = lockFileEdit({ uri: 'file:///w/digest-pin.lock', display: 'digest-pin.lock', lock, text }, next);
    const changes = edit?.documentChanges as TextDocumentEdit[];
    assert.equal(changes.length, 1);
    assert.deepEqual(changes[0]!.textDocument, { uri: 'file:///w/digest-pin.lock', version: null });
    assert.deepEqual(changes[0]!.edits, [
      { range: { start: { line: 0, character: 0 }, end: endOf(text) }, newText: serialiseLock(next) },
    ]);
    const parsed = parseLock(serialiseLock(next));
    assert.ok(parsed.ok);
    assert.deepEqual([...parsed.lock.images.keys()], ['docker.io/library/python:3.12', 'docker.io/library/redis:7']);
    assert.equal(lock.images.size, 1, 'the given lock is not touched');
  });

  it('a lock that does not exist yet is created, then written', () => {
    const edit = lockFileEdit(
      { uri: 'file:///w/digest-pin.lock', display: 'digest-pin.lock', lock: emptyLock(), text: null },
      lock,
    );
    assert.deepEqual(edit?.documentChanges, [
      { kind: 'create', uri: 'file:///w/digest-pin.lock', options: { ignoreIfExists: true } },
      {
        textDocument: { uri: 'file:///w/digest-pin.lock', version: null },
        edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: text }],
      },
    ]);
  });

  it('no change, no edit', () => {
    assert.equal(lockFileEdit({ uri: 'file:///w/digest-pin.lock', display: 'x', lock, text }, lock), null);
  });

  it('endOf counts every kind of line break', () => {
    assert.deepEqual(endOf('a\r\nbc\rd\nef'), { line: 3, character: 2 });
    assert.deepEqual(endOf(''), { line: 0, character: 0 });
  });
});

describe('lockEntryOf', () => {
  const tag = {
    kind: 'tag' as const,
    result: { ok: true as const, value: { digest: D1, mediaType: INDEX, checkedAt: 0, fromCache: false } },
  };
  it('the build time of the image the tag points to, when described', () => {
    assert.deepEqual(
      lockEntryOf(D1, {
        online: tag,
        currentDescription: { ok: true, value: { digest: D1, mediaType: INDEX, created: '2024-01-01T00:00:00Z' } },
      }),
      { digest: D1, created: '2024-01-01T00:00:00Z' },
    );
  });
  it('none for a platform image or another digest', () => {
    const described = { ok: true as const, value: { digest: D1, mediaType: INDEX, created: '2024-01-01T00:00:00Z' } };
    assert.deepEqual(lockEntryOf(D1, { online: { ...tag, platform: 'linux/arm64' }, currentDescription: described }), {
      digest: D1,
    });
    assert.deepEqual(lockEntryOf(D2, { online: tag, currentDescription: described }), { digest: D2 });
    assert.deepEqual(lockEntryOf(D1, undefined), { digest: D1 });
  });
});
