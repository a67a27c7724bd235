// Which lock applies to a file: the nearest digest-pin.lock up to the repository root; and when pruning is allowed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findLock, lockFinder, mayPrune } from '../../../server/src/lock/discover';

describe('findLock', () => {
  const cases: Array<[string, string[], string, string | null]> = [
    ['in the file’s own directory', ['/r/.git', '/r/app/digest-pin.lock'], '/r/app', '/r/app/digest-pin.lock'],
    [
      'the nearest one above',
      ['/r/.git', '/r/digest-pin.lock', '/r/a/digest-pin.lock'],
      '/r/a/b/c',
      '/r/a/digest-pin.lock',
    ],
    ['at the repository root', ['/r/.git', '/r/digest-pin.lock'], '/r/a/b', '/r/digest-pin.lock'],
    ['not above the repository root', ['/digest-pin.lock', '/r/.git'], '/r/a', null],
    ['a .git file (worktree, submodule) is a root too', ['/w/digest-pin.lock', '/w/sub/.git'], '/w/sub/x', null],
    ['no repository: up to the file system root', ['/digest-pin.lock'], '/x/y', '/digest-pin.lock'],
    ['none at all', [], '/x/y', null],
  ];
  for (const [name, paths, dir, expected] of cases) {
    it(name, () => {
      const present = new Set(paths);
      assert.equal(
        findLock(dir, (path) => present.has(path)),
        expected,
      );
    });
  }

  it('lockFinder asks about each directory once', () => {
    const asked: string[] = [];
    const find = lockFinder((path) => {
      asked.push(path);
      return path === '/r/.git';
    });
    assert.equal(find('/r/a/b'), null);
    assert.equal(find('/r/a/c'), null);
    assert.equal(find('/r/a'), null);
    assert.equal(new Set(asked).size, asked.length);
  });
});

describe('mayPrune: only when the lock’s own directory was walked', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['/r/digest-pin.lock', ['/r'], true],
    ['/r/app/digest-pin.lock', ['/r'], true],
    ['/r/digest-pin.lock', ['/r/app'], false],
    ['/r/digest-pin.lock', [], false],
    ['/r/app/digest-pin.lock', ['/r/application'], false],
    ['/r/app/digest-pin.lock', ['/r/ap'], false],
    ['/digest-pin.lock', ['/'], true],
  ];
  for (const [lock, scanned, expected] of cases) {
    it(`${lock} after walking ${JSON.stringify(scanned)}: ${expected}`, () =>
      assert.equal(mayPrune(lock, scanned), expected));
  }
});
