// When the persistent cache is written: once, a delay after the first answer that changed it, instead of after every
// answer (resolving 10,000 tags would otherwise read, merge and rewrite the whole file thousands of times).

import type { RegistryCache } from './cache';
import type { Timers } from '../shared/timers';

export interface CacheWriterOptions {
  /** False without a cache directory: there is no file to write. */
  enabled: boolean;
  delayMs: number;
  timers: Timers;
  /** Runs the delayed write in the background. */
  track: (write: Promise<unknown>) => void;
}

export class CacheWriter {
  /** The pending write's timer (boxed: an injected timer's handle may be any value, undefined too). */
  private pending: { handle: unknown } | undefined;

  constructor(
    private readonly cache: RegistryCache,
    private readonly options: CacheWriterOptions,
  ) {}

  /** An answer changed the cache: write it soon, unless a write is already due. */
  schedule(): void {
    if (!this.options.enabled || this.pending !== undefined) return;
    this.pending = {
      handle: this.options.timers.setTimeout(() => {
        this.pending = undefined;
        this.options.track(this.cache.flush());
      }, this.options.delayMs),
    };
  }

  /** Writes now, cancelling the pending write. */
  writeNow(): Promise<void> {
    if (this.pending !== undefined) this.options.timers.clearTimeout(this.pending.handle);
    this.pending = undefined;
    return this.cache.flush();
  }
}
