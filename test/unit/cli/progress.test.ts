import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressLine, pullBudgetSummary } from '../../../server/src/cli/progress';

describe('progressLine', () => {
  const stream = (isTTY: boolean) => {
    const out = { text: '', isTTY, write: (t: string) => (out.text += t) };
    return out;
  };

  it('draws nothing when stderr is not a terminal', () => {
    const err = stream(false);
    const p = progressLine(err, 'asking registries');
    p.update(0, 3);
    p.update(3, 3);
    p.clear();
    assert.equal(err.text, '');
  });

  it('on a terminal: redraws in place, no faster than the interval except first and last, and clears', () => {
    const err = stream(true);
    let t = 0;
    const p = progressLine(err, 'asking registries', { intervalMs: 100, now: () => t });
    p.update(0, 3);
    t = 50;
    p.update(1, 3); // too soon
    t = 150;
    p.update(2, 3);
    t = 160;
    p.update(3, 3); // the last always shows
    p.clear();
    assert.equal(
      err.text,
      '\r\u001b[Kdigest-pin: asking registries 0/3\r\u001b[Kdigest-pin: asking registries 2/3\r\u001b[Kdigest-pin: asking registries 3/3\r\u001b[K',
    );
  });

  it('nothing to do: nothing drawn, nothing cleared', () => {
    const err = stream(true);
    const p = progressLine(err, 'x');
    p.update(0, 0);
    p.clear();
    assert.equal(err.text, '');
  });
});

describe('pullBudgetSummary', () => {
  const stream = (isTTY: boolean) => {
    const out = { text: '', isTTY, write: (t: string) => (out.text += t) };
    return out;
  };
  const hub = { registry: 'docker.io', remaining: 87, limit: 100, windowSeconds: 21600 };

  it('on a terminal: one line per registry that stated a budget', () => {
    const err = stream(true);
    pullBudgetSummary(err, [hub, { registry: 'mirror.example.com', remaining: 4 }]);
    assert.equal(
      err.text,
      'digest-pin: Docker Hub: 87 of 100 pulls left in this 6-hour window\ndigest-pin: mirror.example.com: 4 pulls left\n',
    );
  });

  it('nothing when stderr is not a terminal (CI logs, pipes), nor without a budget', () => {
    const piped = stream(false);
    pullBudgetSummary(piped, [hub]);
    const none = stream(true);
    pullBudgetSummary(none, []);
    assert.deepEqual([piped.text, none.text], ['', '']);
  });
});
