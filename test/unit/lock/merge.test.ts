// `digest-pin lock`'s decisions: what to ask, and the new lock with one change per entry (added, kept, updated,
// removed) and the problems; existing entries keep their digest, pruning only when allowed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyLock, type Lock, type LockEntry } from '../../../server/src/lock/lockFile';
import { mergeLock, toAsk, type KeyAnswer, type LockChange } from '../../../server/src/lock/merge';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const PY = 'docker.io/library/python:3.12';
const REDIS = 'docker.io/library/redis:7';
const OLD = 'docker.io/library/old:1';

const lockOf = (entries: Record<string, LockEntry>): Lock => {
  const lock = emptyLock();
  for (const [key, entry] of Object.entries(entries)) lock.images.set(key, entry);
  return lock;
};
const used = (entries: Record<string, string[]>): Map<string, string[]> => new Map(Object.entries(entries));
const ok = (digest: string, created?: string): KeyAnswer =>
  created ? { ok: true, digest, created } : { ok: true, digest };
const summary = (changes: LockChange[]): string[] =>
  changes.map((c) => `${c.kind} ${c.image} ${c.previous?.slice(7, 8) ?? '-'}→${c.digest?.slice(7, 8) ?? '-'}`);

describe('toAsk', () => {
  const existing = lockOf({ [PY]: { digest: A }, [OLD]: { digest: B } });
  it('asks only about new keys without --update', () => {
    assert.deepEqual(
      toAsk({ existing, used: used({ [PY]: ['Dockerfile'], [REDIS]: ['compose.yaml'] }), prune: true, update: false }),
      {
        tags: [REDIS],
        pins: [],
      },
    );
  });
  it('--update checks every entry that stays (an unused one stays when not pruning)', () => {
    const u = used({ [PY]: ['Dockerfile'] });
    assert.deepEqual(toAsk({ existing, used: u, prune: true, update: true }).pins, [{ key: PY, digest: A }]);
    assert.deepEqual(toAsk({ existing, used: u, prune: false, update: true }).pins, [
      { key: OLD, digest: B },
      { key: PY, digest: A },
    ]);
  });
});

describe('mergeLock', () => {
  const existing = lockOf({ [PY]: { digest: A, created: '2024-01-01T00:00:00Z' }, [OLD]: { digest: B } });
  const cases: Array<{
    name: string;
    used: Record<string, string[]>;
    prune: boolean;
    update: boolean;
    answers: Record<string, KeyAnswer>;
    changes: string[];
    problems?: string[];
    lock: Record<string, LockEntry>;
  }> = [
    {
      name: 'adds a new key, keeps the existing digest (like npm install), removes an unused entry when pruning',
      used: { [PY]: ['Dockerfile'], [REDIS]: ['compose.yaml'] },
      prune: true,
      update: false,
      answers: { [REDIS]: ok(C, '2024-03-01T00:00:00Z') },
      changes: [`removed ${OLD} b→-`, `kept ${PY} a→a`, `added ${REDIS} -→c`],
      lock: {
        [PY]: { digest: A, created: '2024-01-01T00:00:00Z' },
        [REDIS]: { digest: C, created: '2024-03-01T00:00:00Z' },
      },
    },
    {
      name: 'keeps an unused entry when the lock’s directory was not walked',
      used: { [PY]: ['Dockerfile'] },
      prune: false,
      update: false,
      answers: {},
      changes: [`kept ${OLD} b→b`, `kept ${PY} a→a`],
      lock: { [PY]: { digest: A, created: '2024-01-01T00:00:00Z' }, [OLD]: { digest: B } },
    },
    {
      name: '--update moves a drifted entry and keeps a current one',
      used: { [PY]: ['Dockerfile'], [OLD]: ['k8s.yaml'] },
      prune: true,
      update: true,
      answers: { [PY]: ok(C, '2024-04-01T00:00:00Z'), [OLD]: ok(B) },
      changes: [`kept ${OLD} b→b`, `updated ${PY} a→c`],
      lock: { [PY]: { digest: C, created: '2024-04-01T00:00:00Z' }, [OLD]: { digest: B } },
    },
    {
      name: 'a key that could not be resolved is a problem and is not added; the rest is written',
      used: { [PY]: ['Dockerfile'], [REDIS]: ['compose.yaml', 'b/compose.yaml'] },
      prune: true,
      update: false,
      answers: {
        [REDIS]: { ok: false, reason: 'could not lock docker.io/library/redis:7: tag 7 not found (not-found)' },
      },
      changes: [`removed ${OLD} b→-`, `kept ${PY} a→a`],
      problems: [
        `${REDIS}: could not lock docker.io/library/redis:7: tag 7 not found (not-found) [compose.yaml, b/compose.yaml]`,
      ],
      lock: { [PY]: { digest: A, created: '2024-01-01T00:00:00Z' } },
    },
    {
      name: 'an update that fails keeps the entry as it was',
      used: { [PY]: ['Dockerfile'] },
      prune: false,
      update: true,
      answers: { [PY]: { ok: false, reason: 'could not update …: unauthorized' }, [OLD]: ok(C) },
      changes: [`updated ${OLD} b→c`],
      problems: [`${PY}: could not update …: unauthorized [Dockerfile]`],
      lock: { [PY]: { digest: A, created: '2024-01-01T00:00:00Z' }, [OLD]: { digest: C } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const merged = mergeLock({
        lock: 'digest-pin.lock',
        existing,
        used: used(c.used),
        prune: c.prune,
        update: c.update,
        answers: new Map(Object.entries(c.answers)),
      });
      assert.deepEqual(summary(merged.changes), c.changes);
      assert.deepEqual(
        merged.problems.map((p) => `${p.image}: ${p.message} [${p.files.join(', ')}]`),
        c.problems ?? [],
      );
      assert.deepEqual(Object.fromEntries(merged.lock.images), c.lock);
    });
  }

  it('a change carries the files, both digests and both build times', () => {
    const merged = mergeLock({
      lock: 'ci/digest-pin.lock',
      existing,
      used: used({ [PY]: ['a/Dockerfile', 'b/Dockerfile'] }),
      prune: true,
      update: true,
      answers: new Map([[PY, ok(C, '2024-04-01T00:00:00Z')]]),
    });
    assert.deepEqual(merged.changes[1], {
      lock: 'ci/digest-pin.lock',
      image: PY,
      kind: 'updated',
      digest: C,
      previous: A,
      created: { digest: '2024-04-01T00:00:00Z', previous: '2024-01-01T00:00:00Z' },
      files: ['a/Dockerfile', 'b/Dockerfile'],
    });
    assert.deepEqual(merged.changes[0], {
      lock: 'ci/digest-pin.lock',
      image: OLD,
      kind: 'removed',
      digest: null,
      previous: B,
      created: {},
      files: [],
    });
  });
});
