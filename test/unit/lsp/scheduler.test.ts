import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Debouncer } from '../../../server/src/lsp/scheduler';
import type { Timers } from '../../../server/src/shared/timers';

/** Timers on a manual clock. */
function manual(): Timers & { advance(ms: number): void } {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; run: () => void }>();
  return {
    setTimeout: (run, ms) => {
      pending.set(++next, { at: now + ms, run });
      return next;
    },
    clearTimeout: (handle) => pending.delete(handle as number),
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now) continue;
        pending.delete(id);
        timer.run();
      }
    },
  };
}

describe('Debouncer', () => {
  it('runs once, delay after the last schedule; keys are independent', () => {
    const timers = manual();
    const runs: string[] = [];
    const debouncer = new Debouncer<string>(200, (key) => runs.push(key), timers);
    for (let i = 0; i < 20; i++) {
      if (i > 0) timers.advance(50);
      debouncer.schedule('a');
    }
    debouncer.schedule('b');
    assert.deepEqual(runs, []);
    timers.advance(199);
    assert.deepEqual(runs, []);
    timers.advance(1);
    assert.deepEqual(runs, ['a', 'b']);
    timers.advance(1000);
    assert.deepEqual(runs, ['a', 'b']);
  });

  it('cancel, flush and dispose', () => {
    const timers = manual();
    const runs: string[] = [];
    const debouncer = new Debouncer<string>(200, (key) => runs.push(key), timers);
    debouncer.schedule('a');
    assert.equal(debouncer.cancel('a'), true);
    assert.equal(debouncer.cancel('a'), false);
    debouncer.schedule('b');
    assert.equal(debouncer.isPending('b'), true);
    assert.equal(debouncer.flush('b'), true);
    assert.deepEqual(runs, ['b']);
    assert.equal(debouncer.flush('b'), false);
    debouncer.schedule('c');
    debouncer.dispose();
    timers.advance(1000);
    assert.deepEqual(runs, ['b']);
  });
});
