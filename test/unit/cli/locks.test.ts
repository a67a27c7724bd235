// The lock files of a run, from disk: the nearest one per file, each read once; a broken or missing one is a failure
// with its kind; `lock` creates ./digest-pin.lock for files no lock applies to.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadLocks } from '../../../server/src/cli/locks';
import type { WalkedFile } from '../../../server/src/cli/walk';

const A = `sha256:${'a'.repeat(64)}`;
const root = mkdtempSync(join(tmpdir(), 'digest-pin-locks-'));
after(() => rmSync(root, { recursive: true, force: true }));

const files: Record<string, string> = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'digest-pin.lock': `{"version": 1, "images": {"docker.io/library/a:1": {"digest": "${A}"}}}\n`,
  Dockerfile: 'FROM a:1\n',
  'app/Dockerfile': 'FROM a:1\n',
  'broken/digest-pin.lock': '{"version": 2, "images": {}}',
  'broken/Dockerfile': 'FROM a:1\n',
  'broken/deeper/Dockerfile': 'FROM a:1\n',
};
for (const [path, text] of Object.entries(files)) {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}
const walked = (path: string): WalkedFile => ({ path: join(root, path), file: path, size: 0 });
const dockerfiles = ['Dockerfile', 'app/Dockerfile', 'broken/Dockerfile', 'broken/deeper/Dockerfile'].map(walked);

describe('loadLocks', () => {
  it('the nearest lock per file, read once; a broken one is a failure and its files have none', () => {
    const loaded = loadLocks(dockerfiles, { lockFile: null, noLock: false }, { cwd: root, create: false });
    assert.deepEqual(
      dockerfiles.map((file) => loaded.byFile.get(file.path)?.display ?? null),
      ['digest-pin.lock', 'digest-pin.lock', null, null],
    );
    assert.equal(loaded.locks.size, 1);
    assert.equal(loaded.byFile.get(dockerfiles[0]!.path), loaded.byFile.get(dockerfiles[1]!.path));
    assert.deepEqual(loaded.failures, [
      {
        file: 'broken/digest-pin.lock',
        message: 'broken lock file (version): unsupported version 2 (this digest-pin reads version 1)',
      },
    ]);
  });

  it('--lock FILE for every file (relative to the working directory); missing: a failure, or created by lock', () => {
    const named = loadLocks(
      dockerfiles,
      { lockFile: '../digest-pin.lock', noLock: false },
      { cwd: join(root, 'app'), create: false },
    );
    assert.deepEqual(new Set([...named.byFile.values()].map((lock) => lock.display)), new Set(['../digest-pin.lock']));
    assert.equal(named.byFile.size, 4);
    const missing = loadLocks(dockerfiles, { lockFile: 'nope.lock', noLock: false }, { cwd: root, create: false });
    assert.deepEqual(missing.failures, [
      { file: 'nope.lock', message: 'could not read the lock file: no such file or directory' },
    ]);
    const created = loadLocks(dockerfiles, { lockFile: 'nope.lock', noLock: false }, { cwd: root, create: true });
    assert.equal(created.failures.length, 0);
    assert.equal(created.locks.get(join(root, 'nope.lock'))?.bytes, null);
  });

  it('--no-lock: none; lock: ./digest-pin.lock for files no lock applies to', () => {
    assert.equal(loadLocks(dockerfiles, { lockFile: null, noLock: true }, { cwd: root, create: false }).byFile.size, 0);
    const outside = mkdtempSync(join(tmpdir(), 'digest-pin-locks-outside-'));
    try {
      mkdirSync(join(outside, '.git'));
      writeFileSync(join(outside, 'Dockerfile'), 'FROM a:1\n');
      const file = { path: join(outside, 'Dockerfile'), file: 'Dockerfile', size: 0 };
      const loaded = loadLocks([file], { lockFile: null, noLock: false }, { cwd: outside, create: true });
      assert.equal(loaded.byFile.get(file.path)?.path, join(outside, 'digest-pin.lock'));
      assert.equal(loaded.byFile.get(file.path)?.lock.images.size, 0);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
