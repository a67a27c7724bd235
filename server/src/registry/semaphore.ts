// A counting semaphore: at most `limit` tasks run at once, the others wait in order.

export class Semaphore {
  private active = 0;
  private readonly queue: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/** One semaphore per key, made on first use. */
export class Semaphores {
  private readonly byKey = new Map<string, Semaphore>();
  constructor(private readonly limit: number) {}
  for(key: string): Semaphore {
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const created = new Semaphore(this.limit);
    this.byKey.set(key, created);
    return created;
  }
}
