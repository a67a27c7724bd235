import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeFileAtomic } from '../../../server/src/cli/write';

describe('writeFileAtomic', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'digest-pin-write-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the content, keeps the mode, leaves no temporary file', () => {
    const path = join(dir, 'Dockerfile');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o751);
    assert.deepEqual(writeFileAtomic(path, Buffer.from('new\n'), Buffer.from('old\n')), { ok: true });
    assert.equal(readFileSync(path, 'utf8'), 'new\n');
    assert.equal(statSync(path).mode & 0o7777, 0o751);
    assert.deepEqual(readdirSync(dir), ['Dockerfile']);
  });

  it('a file that changed since it was read is left alone', () => {
    const path = join(dir, 'compose.yaml');
    writeFileSync(path, 'edited by someone else\n');
    assert.deepEqual(writeFileAtomic(path, Buffer.from('new\n'), Buffer.from('old\n')), {
      ok: false,
      reason: 'changed',
      message: 'the file changed while digest-pin was running; it was not written (run again)',
    });
    assert.equal(readFileSync(path, 'utf8'), 'edited by someone else\n');
  });

  it('a symbolic link stays a link; its target gets the content', () => {
    const target = join(dir, 'real.yaml');
    const link = join(dir, 'link.yaml');
    writeFileSync(target, 'old\n');
    symlinkSync(target, link);
    assert.deepEqual(writeFileAtomic(link, Buffer.from('new\n'), Buffer.from('old\n')), { ok: true });
    assert.equal(lstatSync(link).isSymbolicLink(), true);
    assert.equal(readFileSync(target, 'utf8'), 'new\n');
  });

  it(
    'a directory it cannot write to: an error value, the file unchanged, no temporary file',
    { skip: process.getuid?.() === 0 ? 'root ignores permissions' : false },
    () => {
      const sub = join(dir, 'ro');
      rmSync(sub, { recursive: true, force: true });
      mkdirSync(sub);
      const path = join(sub, 'Dockerfile');
      writeFileSync(path, 'old\n');
      chmodSync(sub, 0o555);
      try {
        const result = writeFileAtomic(path, Buffer.from('new\n'), Buffer.from('old\n'));
        assert.deepEqual(result, { ok: false, reason: 'io', message: 'could not write: permission denied' });
        assert.equal(readFileSync(path, 'utf8'), 'old\n');
        assert.deepEqual(readdirSync(sub), ['Dockerfile']);
      } finally {
        chmodSync(sub, 0o755);
      }
    },
  );

  it('a missing file is an I/O error value', () => {
    const result = writeFileAtomic(join(dir, 'gone'), Buffer.from('x'), Buffer.from('y'));
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, 'io');
  });
});
