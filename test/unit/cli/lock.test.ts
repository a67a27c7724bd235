// `digest-pin lock`'s words: one line per entry and a summary, from the plain LockRun data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLockMarkdown, formatLockText, lockSummary, type LockRun } from '../../../server/src/cli/lock';
import type { LockChange } from '../../../server/src/lock/merge';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

const change = (
  kind: LockChange['kind'],
  image: string,
  previous: string | null,
  digest: string | null,
): LockChange => ({
  lock: 'digest-pin.lock',
  image,
  kind,
  digest,
  previous,
  created: {},
  files: ['Dockerfile'],
});

describe('formatLockText', () => {
  it('a line per entry, then the summary; problems apart', () => {
    const run: LockRun = {
      changes: [
        change('added', 'docker.io/library/a:1', null, A),
        change('kept', 'docker.io/library/b:2 linux/arm64', B, B),
        change('updated', 'docker.io/library/c:3', A, B),
        change('removed', 'docker.io/library/d:4', A, null),
      ],
      problems: [
        {
          lock: 'digest-pin.lock',
          image: 'docker.io/library/e:5',
          files: ['x/Dockerfile'],
          message: 'could not lock docker.io/library/e:5: tag 5 not found (not-found)',
        },
      ],
      locks: [{ lock: 'digest-pin.lock', written: true }],
    };
    assert.deepEqual(formatLockText(run), {
      out: [
        `digest-pin.lock added docker.io/library/a:1@${A}`,
        `digest-pin.lock kept docker.io/library/b:2@${B} for linux/arm64`,
        `digest-pin.lock updated docker.io/library/c:3@${B} (was sha256:aaaaaaaaaaaa…)`,
        `digest-pin.lock removed docker.io/library/d:4@${A} (no reference uses it)`,
        '1 lock file written: 1 added, 1 updated, 1 kept, 1 removed; 1 could not be resolved',
        '',
      ].join('\n'),
      problems: ['digest-pin.lock: could not lock docker.io/library/e:5: tag 5 not found (not-found) (x/Dockerfile)'],
    });
  });

  const summaries: Array<[string, LockRun, string]> = [
    ['nothing at all', { changes: [], problems: [], locks: [] }, 'nothing to lock'],
    [
      'up to date',
      {
        changes: [change('kept', 'docker.io/library/a:1', A, A)],
        problems: [],
        locks: [{ lock: 'digest-pin.lock', written: false }],
      },
      '1 lock file up to date: 1 kept',
    ],
    [
      'everything failed',
      {
        changes: [],
        problems: [{ lock: 'digest-pin.lock', image: 'docker.io/library/a:1', files: [], message: 'x' }],
        locks: [{ lock: 'digest-pin.lock', written: false }],
      },
      'no lock file written; 1 could not be resolved',
    ],
  ];
  for (const [name, run, expected] of summaries) it(`summary: ${name}`, () => assert.equal(lockSummary(run), expected));
});

describe('formatLockMarkdown', () => {
  it('the summary, the entries added or moved as a change table, the problems', () => {
    const run: LockRun = {
      changes: [
        change('added', 'docker.io/library/a:1', null, A),
        change('kept', 'docker.io/library/b:2', B, B),
        {
          ...change('updated', 'docker.io/library/c:3', A, B),
          created: { previous: '2024-01-01T00:00:00Z', digest: '2024-02-01T00:00:00Z' },
        },
        change('removed', 'docker.io/library/d:4', A, null),
      ],
      problems: [
        {
          lock: 'digest-pin.lock',
          image: 'docker.io/library/e:5',
          files: ['x/Dockerfile'],
          message: 'could not lock docker.io/library/e:5: gone',
        },
      ],
      locks: [{ lock: 'digest-pin.lock', written: true }],
    };
    const markdown = formatLockMarkdown(run, 'lock --update');
    assert.ok(
      markdown.startsWith(
        '## digest-pin lock --update\n\n1 lock file written: 1 added, 1 updated, 1 kept, 1 removed; 1 could not be resolved\n\n',
      ),
      markdown,
    );
    assert.match(markdown, /\| `docker\.io\/library\/a:1` \| new pin \| `sha256:aaaaaaaaaaaa…` \|/);
    assert.match(
      markdown,
      /\| `docker\.io\/library\/c:3` \| `sha256:aaaaaaaaaaaa…` \| `sha256:bbbbbbbbbbbb…` \| 2024-01-01 \| 2024-02-01 \|/,
    );
    assert.ok(!markdown.includes('library/b:2'), 'kept entries are not changes');
    assert.ok(!markdown.includes('library/d:4'), 'removed entries are not in the change table');
    assert.ok(markdown.includes('### Problems'), markdown);
    assert.ok(markdown.includes('could not lock docker.io/library/e:5: gone \\(x/Dockerfile\\)'), markdown);
  });
});
