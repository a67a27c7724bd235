// The sentences "Pin all" and "Update drifted" end with, and the progress arithmetic.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  failureLines,
  lockProgressTitle,
  lockSummaryMessage,
  progressIncrement,
  progressTitle,
  summaryMessage,
} from '../../../client/src/summary';
import type { LockWorkspaceSummary, WorkspaceEditSummary } from '../../../server/src/shared/protocol';

const summary = (p: Partial<WorkspaceEditSummary>): WorkspaceEditSummary => ({
  files: 0,
  edited: 0,
  failures: [],
  cancelled: false,
  ...p,
});
const failure = (line: number) => ({
  uri: 'file:///w/Dockerfile',
  line,
  text: 'registry.example/app:1',
  reason: 'tag 1 does not exist',
});

describe('client/summary', () => {
  const cases: Array<
    [name: string, action: 'pin' | 'update', s: WorkspaceEditSummary, searched: number, expected: string]
  > = [
    ['pinned', 'pin', summary({ files: 5, edited: 12 }), 9, 'Pinned 12 images in 5 files.'],
    ['one of each', 'pin', summary({ files: 1, edited: 1 }), 1, 'Pinned 1 image in 1 file.'],
    [
      'nothing to pin',
      'pin',
      summary({}),
      7,
      'Nothing to pin in 7 files: every image is pinned or cannot be (variables, local builds).',
    ],
    [
      'partial',
      'pin',
      summary({ files: 2, edited: 3, failures: [failure(0), failure(4)] }),
      2,
      'Pinned 3 images in 2 files. 2 references could not be pinned: see the output.',
    ],
    [
      'only failures',
      'pin',
      summary({ failures: [failure(0)] }),
      1,
      'Nothing was pinned. 1 reference could not be pinned: see the output.',
    ],
    [
      'cancelled part way',
      'pin',
      summary({ files: 1, edited: 2, cancelled: true }),
      4,
      'Cancelled. Pinned 2 images in 1 file before stopping.',
    ],
    ['cancelled at once', 'pin', summary({ cancelled: true }), 4, 'Cancelled before anything was pinned.'],
    ['updated', 'update', summary({ files: 2, edited: 2 }), 3, 'Updated 2 drifted digests in 2 files.'],
    ['no drift', 'update', summary({}), 3, 'No drifted digests in 3 files: every pin is what its tag points to.'],
    [
      'update failures',
      'update',
      summary({ failures: [failure(1)] }),
      3,
      'Nothing was updated. 1 reference could not be updated: see the output.',
    ],
    [
      'update cancelled',
      'update',
      summary({ cancelled: true, failures: [failure(1)] }),
      3,
      'Cancelled before anything was updated. 1 reference could not be updated: see the output.',
    ],
  ];
  for (const [name, action, s, searched, expected] of cases) {
    it(`summaryMessage: ${name}`, () => assert.equal(summaryMessage(action, s, searched), expected));
  }

  it('failureLines: workspace path, 1-based line, reference and reason', () => {
    assert.deepEqual(
      failureLines(summary({ failures: [failure(0), failure(9)] }), (uri) => uri.replace('file:///w/', '')),
      [
        'Dockerfile:1: registry.example/app:1 — tag 1 does not exist',
        'Dockerfile:10: registry.example/app:1 — tag 1 does not exist',
      ],
    );
  });

  it('progressTitle', () => {
    assert.equal(progressTitle('pin'), 'digest-pin: pinning images in the workspace');
    assert.equal(progressTitle('update'), 'digest-pin: updating drifted digests in the workspace');
  });

  it('progressIncrement turns absolute percentages into increments', () => {
    assert.equal(progressIncrement(0, undefined), undefined);
    assert.equal(progressIncrement(0, 25), 25);
    assert.equal(progressIncrement(25, 60), 35);
    assert.equal(progressIncrement(60, 40), undefined); // never backwards
    assert.equal(progressIncrement(60, 60), undefined);
    assert.equal(progressIncrement(90, 250), 10); // capped at 100
    assert.equal(progressIncrement(0, Number.NaN), undefined);
  });
});

describe('client/summary: the lock commands', () => {
  const lockSummary = (p: Partial<LockWorkspaceSummary>): LockWorkspaceSummary => ({
    locks: 0,
    added: 0,
    updated: 0,
    failures: [],
    cancelled: false,
    ...p,
  });
  const cases: Array<[name: string, update: boolean, s: LockWorkspaceSummary, expected: string]> = [
    ['added', false, lockSummary({ locks: 1, added: 3 }), 'Added 3 images in 1 lock file.'],
    [
      'added and updated',
      true,
      lockSummary({ locks: 2, added: 1, updated: 2 }),
      'Added 1 image, updated 2 images in 2 lock files.',
    ],
    [
      'nothing to lock',
      false,
      lockSummary({}),
      'Nothing to lock in 4 files: every image is locked or cannot be (variables, local builds).',
    ],
    [
      'nothing to update',
      true,
      lockSummary({}),
      'Nothing to update in 4 files: every locked image is what its tag points to.',
    ],
    [
      'failures only',
      false,
      lockSummary({ failures: [failure(2)] }),
      'Nothing was locked. 1 image could not be locked: see the output.',
    ],
    ['cancelled', false, lockSummary({ cancelled: true, added: 2 }), 'Cancelled: no lock file was changed.'],
    ['rewritten', false, lockSummary({ locks: 1 }), 'Rewrote 1 lock file as digest-pin writes them.'],
  ];
  for (const [name, update, s, expected] of cases)
    it(name, () => assert.equal(lockSummaryMessage(update, s, 4), expected));
  it('titles', () => {
    assert.equal(lockProgressTitle(false), 'digest-pin: locking images in the workspace');
    assert.equal(lockProgressTitle(true), 'digest-pin: updating digest-pin.lock');
  });
});
