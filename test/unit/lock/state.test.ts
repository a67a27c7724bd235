// A reference under a lock: its key, locked or not, the locked view the registry is asked about, and the findings
// `check` gives it (no unpinned/latest when locked; not-locked when missing; drift and lost digests as for pins).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose } from '../../../server/src/features/diagnostics';
import { emptyLock } from '../../../server/src/lock/lockFile';
import { lockedView, lockKeyOf, lockState } from '../../../server/src/lock/state';
import type { Online } from '../../../server/src/lookup/answer';
import { questionFor } from '../../../server/src/lookup/question';
import { buildReference, type ReferenceExtras } from '../../../server/src/references/reference';
import type { ImageReference } from '../../../server/src/references/types';
import { rangeOf } from '../../support/ranges';

const A = `sha256:${'a'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const NOW = Date.parse('2024-03-01T00:00:00Z');

const ref = (text: string, extras: ReferenceExtras = {}): ImageReference =>
  buildReference(text, rangeOf(`FROM ${text}`, text), 'dockerfile', 'from', extras);

describe('lockKeyOf', () => {
  const cases: Array<[string, ImageReference, string | null, string | null]> = [
    ['a tag', ref('python:3.12'), null, 'docker.io/library/python:3.12'],
    ['no tag means latest', ref('nginx'), null, 'docker.io/library/nginx:latest'],
    ['--platform', ref('ghcr.io/o/a:1'), 'linux/arm64', 'ghcr.io/o/a:1 linux/arm64'],
    [
      'a literal platform wins over --platform',
      ref('a:1', { platform: 'linux/amd64' }),
      'linux/arm64',
      'docker.io/library/a:1 linux/amd64',
    ],
    [
      'a literal platform without --platform: the index',
      ref('a:1', { platform: 'linux/amd64' }),
      null,
      'docker.io/library/a:1',
    ],
    ['pinned inline: not the lock’s', ref(`a:1@${A}`), null, null],
    ['variable', ref('${BASE}'), null, null],
    ['invalid', ref('A:1'), null, null],
    ['ignored', ref('a:1', { ignored: true }), null, null],
    ['a compose service’s own build', ref('a:1', { localBuild: true }), null, null],
  ];
  for (const [name, r, platform, expected] of cases) {
    it(name, () => {
      const key = lockKeyOf(r, platform);
      assert.equal(key === null ? null : `${key.name}:${key.tag}${key.platform ? ` ${key.platform}` : ''}`, expected);
    });
  }
});

describe('lockState and lockedView', () => {
  const lock = emptyLock();
  lock.images.set('docker.io/library/python:3.12', { digest: A });
  lock.images.set('docker.io/library/nginx:latest', { digest: C });

  it('locked, not locked, or none of the lock’s business', () => {
    assert.deepEqual(lockState(ref('python:3.12'), lock, 'digest-pin.lock', null), {
      kind: 'locked',
      key: 'docker.io/library/python:3.12',
      digest: A,
      lock: 'digest-pin.lock',
    });
    assert.deepEqual(lockState(ref('python:3.13'), lock, 'ci/digest-pin.lock', null), {
      kind: 'not-locked',
      key: 'docker.io/library/python:3.13',
      lock: 'ci/digest-pin.lock',
    });
    assert.equal(lockState(ref('python:3.12'), lock, 'l', 'linux/arm64')?.kind, 'not-locked');
    assert.equal(lockState(ref(`python:3.12@${A}`), lock, 'l', null), null);
  });

  it('the locked view asks the registry about the locked digest as a pin (latest made explicit)', () => {
    const view = lockedView(ref('nginx'), C);
    assert.equal(view.status, 'pinned');
    assert.equal(view.text, 'nginx');
    assert.deepEqual(view.range, ref('nginx').range);
    const question = questionFor(view, { platform: null, pins: true });
    assert.equal(question?.pin, true);
    assert.equal(question?.key, `pin docker.io/library/nginx:latest@${C} `);
    assert.equal(
      questionFor(lockedView(ref('python:3.12'), A), { platform: null, pins: true })?.key,
      `pin docker.io/library/python:3.12@${A} `,
    );
  });
});

describe('diagnose under a lock', () => {
  const locked = { kind: 'locked' as const, key: 'docker.io/library/python:3.12', digest: A, lock: 'digest-pin.lock' };
  const missing = { kind: 'not-locked' as const, key: 'docker.io/library/python:3.12', lock: 'digest-pin.lock' };
  const drifted: Online = {
    kind: 'pin',
    status: { status: 'drifted', pinned: A, current: C, tagDigest: C, checkedAt: NOW },
    created: { pinned: '2024-01-01T00:00:00Z', current: '2024-02-01T00:00:00Z' },
  };
  const gone: Online = {
    kind: 'pin',
    status: { status: 'gone', pinned: A, checkedAt: NOW },
    tag: { digest: C, mediaType: 'x', checkedAt: NOW, fromCache: false },
  };
  const current: Online = { kind: 'pin', status: { status: 'current', digest: A, checkedAt: NOW } };
  const tag: Online = {
    kind: 'tag',
    result: { ok: true, value: { digest: C, mediaType: 'x', checkedAt: NOW, fromCache: false } },
  };
  const cases: Array<[string, ImageReference, Online | undefined, typeof locked | typeof missing, string[]]> = [
    ['locked, offline: nothing (no unpinned)', ref('python:3.12'), undefined, locked, []],
    [
      'locked latest: no latest finding either',
      ref('nginx'),
      undefined,
      { ...locked, key: 'docker.io/library/nginx:latest' },
      [],
    ],
    ['locked and current', ref('python:3.12'), current, locked, []],
    [
      'locked and the tag has moved: tag-drift',
      ref('python:3.12'),
      drifted,
      locked,
      [
        'information tag-drift python:3.12 has moved on: the tag now points to sha256:cccccccccccc…, built 29 days ago; the digest locked in digest-pin.lock sha256:aaaaaaaaaaaa… is 31 days older',
      ],
    ],
    [
      'locked and the digest is gone: digest-not-found',
      ref('python:3.12'),
      gone,
      locked,
      [
        'error digest-not-found python:3.12@sha256:aaaaaaaaaaaa… (locked in digest-pin.lock) cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository); the tag now points to sha256:cccccccccccc…, pin that',
      ],
    ],
    [
      'missing from the lock: not-locked instead of unpinned',
      ref('python:3.12'),
      undefined,
      missing,
      [
        "warning not-locked python:3.12 is not locked: digest-pin.lock has no entry for docker.io/library/python:3.12; run 'digest-pin lock' to record its digest",
      ],
    ],
    [
      'missing, online: the digest it would record',
      ref('python:3.12'),
      tag,
      missing,
      [
        "warning not-locked python:3.12 is not locked: digest-pin.lock has no entry for docker.io/library/python:3.12; run 'digest-pin lock' to record its current digest sha256:cccccccccccc…",
      ],
    ],
    ['ignored: nothing', ref('python:3.12', { ignored: true }), undefined, missing, []],
  ];
  for (const [name, r, online, lock, expected] of cases) {
    it(name, () => {
      assert.deepEqual(
        diagnose(r, online, { now: NOW, lock }).map((f) => `${f.severity} ${f.code} ${f.message}`),
        expected,
      );
      for (const f of diagnose(r, online, { now: NOW, lock })) assert.deepEqual(f.range, r.range);
    });
  }
});
