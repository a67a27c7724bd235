// Reading the pull budget an answer states (Docker Hub's `ratelimit-*` headers), and the words it is shown in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuota, readPullBudget } from '../../../server/src/registry/pullBudget';
import {
  pullBudgetLine,
  pullBudgetLow,
  pullBudgetTooltip,
  type PullBudget,
} from '../../../server/src/shared/pullBudget';

describe('parseQuota', () => {
  const cases: Array<[string | undefined, ReturnType<typeof parseQuota>]> = [
    ['100;w=21600', { count: 100, windowSeconds: 21600 }],
    ['76;w=21600', { count: 76, windowSeconds: 21600 }],
    [' 20 ; w=3600', { count: 20, windowSeconds: 3600 }],
    ['100', { count: 100 }],
    ['100;policy=x;w=60', { count: 100, windowSeconds: 60 }],
    ['0;w=21600', { count: 0, windowSeconds: 21600 }],
    ['100;w=0', { count: 100 }],
    ['100;ww=5', { count: 100 }],
    ['-1;w=5', undefined],
    ['lots', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of cases) it(JSON.stringify(value), () => assert.deepEqual(parseQuota(value), expected));
});

describe('readPullBudget', () => {
  it('limit, remaining, window and source', () => {
    assert.deepEqual(
      readPullBudget(
        {
          'ratelimit-limit': '100;w=21600',
          'ratelimit-remaining': '87;w=21600',
          'docker-ratelimit-source': '2001:db8::',
        },
        'docker.io',
      ),
      { registry: 'docker.io', remaining: 87, limit: 100, windowSeconds: 21600, source: '2001:db8::' },
    );
  });
  it('nothing without a remaining count (an unlimited account gets no headers)', () => {
    assert.equal(readPullBudget({ 'ratelimit-limit': '100;w=21600' }, 'docker.io'), undefined);
    assert.equal(readPullBudget({}, 'docker.io'), undefined);
  });
  it('a source that is not one line is cleaned', () => {
    const budget = readPullBudget(
      { 'ratelimit-remaining': '5', 'docker-ratelimit-source': 'a\u0007b token=s3cret' },
      'x.io',
    );
    assert.equal(budget?.source, 'a b token=[redacted]');
  });
});

describe('words', () => {
  const hub: PullBudget = { registry: 'docker.io', remaining: 87, limit: 100, windowSeconds: 21600 };
  const cases: Array<[PullBudget, string, string]> = [
    [hub, 'Docker Hub: 87 of 100 pulls left in this 6-hour window', 'Docker Hub pulls left: 87 of 100 per 6 h'],
    [
      { ...hub, remaining: 1, windowSeconds: 3600, source: '192.0.2.1' },
      'Docker Hub: 1 of 100 pulls left in this 1-hour window',
      'Docker Hub pulls left: 1 of 100 per 1 h (counted for 192.0.2.1)',
    ],
    [
      { registry: 'mirror.example.com', remaining: 7 },
      'mirror.example.com: 7 pulls left',
      'mirror.example.com pulls left: 7',
    ],
  ];
  for (const [budget, line, tooltip] of cases) {
    it(line, () => assert.deepEqual([pullBudgetLine(budget), pullBudgetTooltip(budget)], [line, tooltip]));
  }
  it('low: a tenth of the limit or less', () => {
    assert.deepEqual(
      [10, 11].map((remaining) => pullBudgetLow({ ...hub, remaining })),
      [true, false],
    );
  });
});
