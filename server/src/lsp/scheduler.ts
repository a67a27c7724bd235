// Timers the server needs, with injectable clocks so tests need no sleeps: a per-key debounce (analyse a document
// ≈200 ms after the last change) and a throttle (publish registry answers as they arrive, in batches).

import { realTimers, type Timers } from '../shared/timers';

/** Runs `run(key)` once, `delayMs` after the last `schedule(key)`; a new schedule cancels the pending run. */
export class Debouncer<K> {
  private readonly pending = new Map<K, unknown>();

  constructor(
    private readonly delayMs: number,
    private readonly run: (key: K) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  schedule(key: K, delayMs = this.delayMs): void {
    this.cancel(key);
    this.pending.set(
      key,
      this.timers.setTimeout(() => {
        this.pending.delete(key);
        this.run(key);
      }, delayMs),
    );
  }

  cancel(key: K): boolean {
    const handle = this.pending.get(key);
    if (handle === undefined) return false;
    this.timers.clearTimeout(handle);
    this.pending.delete(key);
    return true;
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }

  /** Runs a pending key now (a pull request arrived before the debounce ended). */
  flush(key: K): boolean {
    if (!this.cancel(key)) return false;
    this.run(key);
    return true;
  }

  dispose(): void {
    for (const handle of this.pending.values()) this.timers.clearTimeout(handle);
    this.pending.clear();
  }
}
