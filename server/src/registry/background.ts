// Work the client started without a caller waiting for it (stale-while-revalidate refreshes, cache writes): logged
// when it fails, and awaited by flush() and close().

import { clean } from './errors';
import type { Logger } from './http';

export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly logger: Logger) {}

  track(promise: Promise<unknown>): void {
    const tracked = promise
      .catch((error: unknown) => this.logger.warn(`registry: background task failed: ${clean(String(error))}`))
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /** Waits for the tasks running now. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** Waits until none is left, those the finished ones started included. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
