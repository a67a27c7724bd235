import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressLine } from '../../../server/src/cli/progress';

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
