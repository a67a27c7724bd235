import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pinTarget, problemText, refusalReason, type PinActions } from '../../../server/src/features/pinTarget';
import type { Online } from '../../../server/src/lookup/answer';
import { findReferences } from '../../../server/src/references/index';
import type { ImageReference } from '../../../server/src/references/types';
import { explain, type RegistryError } from '../../../server/src/registry/index';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const INDEX = 'application/vnd.oci.image.index.v1+json';

function only(text: string): ImageReference {
  const found = findReferences('Dockerfile', text).references;
  assert.equal(found.length, 1);
  return found[0]!;
}

const unpinned = only('FROM python:3.12\n');
const pinned = only(`FROM python:3.12@${D1}\n`);
const digestOnly = only(`FROM python@${D1}\n`);
const variable = only('FROM python:${V}\n');

const tag = (digest: string): Online => ({
  kind: 'tag',
  result: { ok: true, value: { digest, mediaType: INDEX, checkedAt: 0, fromCache: false } },
});
const NETWORK: RegistryError = { kind: 'network', message: 'down' };
const network: Online = { kind: 'tag', result: { ok: false, error: NETWORK } };
const drifted: Online = {
  kind: 'pin',
  status: { status: 'drifted', pinned: D1, current: D2, tagDigest: D2, checkedAt: 0 },
};
const current: Online = { kind: 'pin', status: { status: 'current', digest: D1, checkedAt: 0 } };
const goneKnown: Online = {
  kind: 'pin',
  status: { status: 'gone', pinned: D1, checkedAt: 0 },
  tag: { digest: D2, mediaType: INDEX, checkedAt: 0, fromCache: true },
};
const goneUnknown: Online = { kind: 'pin', status: { status: 'gone', pinned: D1, checkedAt: 0 } };
const pinUnknown: Online = {
  kind: 'pin',
  status: { status: 'unknown', error: { kind: 'timeout', message: 'slow' } },
};

const BOTH: PinActions = { pin: true, update: true };
const PIN: PinActions = { pin: true, update: false };
const UPDATE: PinActions = { pin: false, update: true };

describe('pinTarget: one decision for pin, --update, quick fixes and the workspace commands', () => {
  const table: Array<[string, ImageReference, Online | undefined, PinActions, ReturnType<typeof pinTarget>]> = [
    ['unpinned, answered', unpinned, tag(D1), BOTH, { ok: true, action: 'pin', digest: D1 }],
    [
      'unpinned, not answered yet',
      unpinned,
      undefined,
      BOTH,
      { ok: false, action: 'pin', reason: 'it was not looked up' },
    ],
    [
      'unpinned, a pin answer is no answer',
      unpinned,
      drifted,
      PIN,
      { ok: false, action: 'pin', reason: 'it was not looked up' },
    ],
    [
      'unpinned, registry error',
      unpinned,
      network,
      BOTH,
      { ok: false, action: 'pin', reason: `${explain(NETWORK)} (network)` },
    ],
    ['unpinned, only updating', unpinned, tag(D1), UPDATE, null],
    ['pin drifted', pinned, drifted, BOTH, { ok: true, action: 'update', digest: D2 }],
    ['pin drifted, only pinning', pinned, drifted, PIN, null],
    ['pin current', pinned, current, BOTH, null],
    ['pin gone, tag known', pinned, goneKnown, UPDATE, { ok: true, action: 'update', digest: D2 }],
    [
      'pin gone, tag unknown',
      pinned,
      goneUnknown,
      UPDATE,
      { ok: false, action: 'update', reason: 'its digest is gone and where the tag points now is not known' },
    ],
    ['pin not checked', pinned, undefined, UPDATE, { ok: false, action: 'update', reason: 'it was not looked up' }],
    [
      'a tag answer for a pinned reference is not used',
      pinned,
      tag(D2),
      UPDATE,
      { ok: false, action: 'update', reason: 'it was not looked up' },
    ],
    ['digest only: no tag to follow', digestOnly, tag(D2), BOTH, null],
    ['variable', variable, tag(D1), BOTH, null],
    ['ignored', { ...unpinned, ignored: true }, tag(D1), BOTH, null],
    ['local build', { ...unpinned, localBuild: true }, tag(D1), BOTH, null],
  ];
  for (const [name, ref, online, actions, expected] of table) {
    it(name, () => assert.deepEqual(pinTarget(ref, online, actions), expected));
  }

  it('a pin whose check failed says why, with the kind', () => {
    const got = pinTarget(pinned, pinUnknown, UPDATE);
    assert.ok(got !== null && !got.ok);
    assert.equal(got.reason, `${explain({ kind: 'timeout', message: 'slow' })} (timeout)`);
  });

  it('refusals are worded once', () => {
    assert.equal(refusalReason('unchanged'), null);
    assert.equal(refusalReason('multi-line'), 'the reference is split over lines; pin it by hand');
    assert.equal(refusalReason('bad-digest'), 'bad-digest');
    assert.equal(problemText(unpinned, 'pin', 'x'), 'could not pin python:3.12: x');
    assert.equal(problemText(pinned, 'update', 'y'), `could not update python:3.12@${D1}: y`);
  });
});
