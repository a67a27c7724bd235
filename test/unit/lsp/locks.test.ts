import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { LockStore, type LockReader } from '../../../server/src/lsp/locks';
import { findReferences } from '../../../server/src/references/index';

const D1 = `sha256:${'1'.repeat(64)}`;
const ROOT = join('/', 'w');
const LOCK = join(ROOT, 'digest-pin.lock');
const lockText = `{"version":1,"images":{"docker.io/library/python:3.12":{"digest":"${D1}"}}}`;

function reader(files: Record<string, string>): LockReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    exists: (path) => path in files,
    read: (path) => {
      reads.push(path);
      return files[path] ?? null;
    },
  };
}

const warnings: string[] = [];
const logger = { warn: (m: string) => warnings.push(m), debug: () => undefined };
const uri = (path: string): string => pathToFileURL(path).href;

describe('LockStore', () => {
  it('finds the nearest lock up to the repository root, reads it once, and names it relative to the folder', () => {
    const files = reader({ [LOCK]: lockText, [join(ROOT, '.git')]: '' });
    const store = new LockStore(logger, files);
    store.setFolders([ROOT]);
    const lock = store.forDocument(uri(join(ROOT, 'app', 'Dockerfile')));
    assert.ok(lock !== null);
    assert.equal(lock.display, 'digest-pin.lock');
    assert.equal(lock.uri, uri(LOCK));
    assert.equal(store.forDocument(uri(join(ROOT, 'Dockerfile'))), lock);
    assert.deepEqual(files.reads, [LOCK]);
    const [python, redis] = findReferences('Dockerfile', 'FROM python:3.12\nFROM redis:7\n').references;
    assert.deepEqual(lock.state(python!, null), {
      kind: 'locked',
      key: 'docker.io/library/python:3.12',
      digest: D1,
      lock: 'digest-pin.lock',
    });
    assert.equal(lock.state(redis!, null)?.kind, 'not-locked');
    const view = lock.view(python!, null);
    assert.equal(view.digest, D1);
    assert.equal(view.status, 'pinned');
    assert.equal(lock.view(python!, null), view, 'the same view object (the resolver keys by it)');
    assert.equal(lock.view(redis!, null), redis);
  });

  it('a change reads every lock again (a new generation); untitled documents have none', () => {
    const files = reader({ [LOCK]: lockText });
    const store = new LockStore(logger, files);
    const first = store.forDocument(uri(join(ROOT, 'Dockerfile')));
    store.changed();
    const second = store.forDocument(uri(join(ROOT, 'Dockerfile')));
    assert.notEqual(first, second);
    assert.ok(second!.generation > first!.generation);
    assert.equal(store.forDocument('untitled:Untitled-1'), null);
  });

  it('a broken lock is none, with a warning', () => {
    const store = new LockStore(logger, reader({ [LOCK]: '{' }));
    assert.equal(store.forDocument(uri(join(ROOT, 'Dockerfile'))), null);
    assert.match(warnings.at(-1)!, /broken lock file .* \(syntax\)/);
  });
});
