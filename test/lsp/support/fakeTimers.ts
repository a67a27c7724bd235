// A controllable clock and timer queue implementing the server's `Timers` (server/src/lsp/scheduler.ts): nothing fires
// until a test advances time, and then every timer that is due fires in order of its due time (ties in the order they
// were set), with pending work allowed to settle between two timers, so "nothing else happens" is proved by running
// every delay out rather than by sleeping past it.
import type { Timers } from '../../../server/src/shared/timers';

interface Entry {
  id: number;
  due: number;
  run: () => void;
}

export interface FakeTimersOptions {
  /** The clock's start (ms since the epoch). Default: Date.now() at construction. */
  start?: number;
  /**
   * Lets the code under test finish what a timer started before the next timer fires (promise callbacks, messages
   * in flight). Default: a few turns of the event loop.
   */
  settle?: () => Promise<void>;
}

/** A few turns of the event loop: promise callbacks and stream events queued by a fired timer run. */
export async function turns(count = 3): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeTimers implements Timers {
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;
  private time: number;
  private readonly start: number;
  /** How many timers have fired, and with which delays they were set (in the order set). */
  fired = 0;
  readonly delays: number[] = [];
  settle: () => Promise<void>;

  constructor(options: FakeTimersOptions = {}) {
    this.start = this.time = options.start ?? Date.now();
    this.settle = options.settle ?? (() => turns());
  }

  /** The fake clock (ms since the epoch). */
  now = (): number => this.time;

  /** Fake time passed since the start. */
  get elapsed(): number {
    return this.time - this.start;
  }

  setTimeout = (run: () => void, ms: number): unknown => {
    const id = this.nextId++;
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0);
    this.delays.push(delay);
    this.entries.set(id, { id, due: this.time + delay, run });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    if (typeof handle === 'number') this.entries.delete(handle);
  };

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.entries.size;
  }

  /** Ms until the next timer is due, or undefined when none is pending. */
  nextDue(): number | undefined {
    const next = this.next();
    return next === undefined ? undefined : Math.max(0, next.due - this.time);
  }

  private next(): Entry | undefined {
    let first: Entry | undefined;
    for (const entry of this.entries.values()) {
      if (first === undefined || entry.due < first.due || (entry.due === first.due && entry.id < first.id)) {
        first = entry;
      }
    }
    return first;
  }

  /**
   * Moves the clock `ms` forward, firing every timer due by then in order (including timers that fired timers set,
   * when they are due in the window), settling between them; the clock ends exactly `ms` later.
   */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    await this.settle();
    for (let entry = this.next(); entry !== undefined && entry.due <= until; entry = this.next()) {
      this.entries.delete(entry.id);
      this.time = Math.max(this.time, entry.due);
      this.fired++;
      entry.run();
      await this.settle();
    }
    this.time = until;
  }

  /** Fires the next pending timer (moving the clock to its due time); false when none is pending. */
  async runNext(): Promise<boolean> {
    const due = this.nextDue();
    if (due === undefined) return false;
    await this.advance(due);
    return true;
  }

  /**
   * Advances until no timer is pending (timers that set timers included), at most `limit` firings: past every
   * debounce and batch delay. Returns the fake time that took.
   */
  async runAll(limit = 1000): Promise<number> {
    const from = this.time;
    for (let i = 0; i < limit; i++) {
      if (!(await this.runNext())) return this.time - from;
    }
    throw new Error(`timers still pending after ${limit} firings (a timer that re-arms itself?)`);
  }
}
