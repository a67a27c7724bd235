import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatusParams } from '../../../server/src/shared/protocol';
import type { Timers } from '../../../server/src/shared/timers';
import { StatusThrottle, statusOf, type StatusInput } from '../../../server/src/lsp/status';

const input = (over: Partial<StatusInput> = {}): StatusInput => ({
  trusted: true,
  anyEnabled: true,
  offline: false,
  state: { pending: 0, answered: 0 },
  ...over,
});

describe('statusOf', () => {
  it('untrusted and disabled come first, then rate limits, work in progress, offline and idle', () => {
    const busy = { pending: 3, answered: 1, rateLimited: { registry: 'docker.io', retryAfter: 4.2 } };
    assert.equal(statusOf(input({ trusted: false, anyEnabled: false, state: busy })).state, 'untrusted');
    assert.equal(statusOf(input({ anyEnabled: false, state: busy })).state, 'disabled');
    assert.deepEqual(statusOf(input({ state: busy, offline: true })), {
      state: 'rate-limited',
      pending: 3,
      registry: 'docker.io',
      message: 'Rate-limited by docker.io (retry after 5 s); 3 images waiting',
      retryAfter: 4.2,
    });
    assert.deepEqual(statusOf(input({ state: { pending: 1, answered: 0 }, offline: true })), {
      state: 'resolving',
      pending: 1,
      message: 'Resolving 1 image',
    });
    assert.equal(statusOf(input({ offline: true })).message, 'Offline: cached digests only');
    assert.equal(statusOf(input({ state: { pending: 0, answered: 1 } })).message, '1 image checked');
    assert.equal(statusOf(input({ state: { pending: 0, answered: 2 } })).message, '2 images checked');
  });
});

describe('statusOf: pull budgets', () => {
  const hub = { registry: 'docker.io', remaining: 87, limit: 100, windowSeconds: 21600 };
  it('carried in every state but untrusted', () => {
    const state = { pending: 0, answered: 2, pullBudgets: [hub] };
    assert.deepEqual(statusOf(input({ state })), {
      state: 'idle',
      pending: 0,
      message: '2 images checked',
      pullBudgets: [hub],
    });
    assert.deepEqual(statusOf(input({ state: { ...state, pending: 1 } })).pullBudgets, [hub]);
    assert.equal(statusOf(input({ trusted: false, state })).pullBudgets, undefined);
    assert.equal('pullBudgets' in statusOf(input({ state: { pending: 0, answered: 0, pullBudgets: [] } })), false);
  });
});

describe('StatusThrottle', () => {
  it('sends a new state at once, a new count of the same state at most every 250 ms, nothing twice', () => {
    let now = 0;
    const pending = new Map<number, () => void>();
    let next = 0;
    const timers: Timers = {
      setTimeout: (run) => {
        pending.set(++next, run);
        return next;
      },
      clearTimeout: (handle) => pending.delete(handle as number),
    };
    const runTimers = (): void => {
      const runs = [...pending.values()];
      pending.clear();
      runs.forEach((run) => run());
    };
    let again = 0;
    const throttle = new StatusThrottle(
      () => now,
      timers,
      () => again++,
    );
    const resolving = (pending: number): StatusParams => ({ state: 'resolving', pending, message: `${pending}` });
    assert.equal(throttle.admit(resolving(2)), true);
    assert.equal(throttle.admit(resolving(2)), false, 'the same status again');
    now = 100;
    assert.equal(throttle.admit(resolving(1)), false, 'a new count within 250 ms waits');
    runTimers();
    assert.equal(again, 1, 'and is asked for again when the time is up');
    now = 250;
    assert.equal(throttle.admit(resolving(1)), true);
    now = 260;
    assert.equal(throttle.admit({ state: 'idle', pending: 0, message: '3 images checked' }), true, 'a new state');
  });
});
