// "asking registries… 12/50" on stderr while look-ups run, redrawn in place — only on a terminal, so logs and pipes
// never see it. Cleared before anything else is printed. After it, on a terminal too, what is left of a pull budget.
import { PRODUCT_NAME } from '../shared/product';
import { pullBudgetLine, type PullBudget } from '../shared/pullBudget';

export interface Progress {
  update(done: number, total: number): void;
  clear(): void;
}

export interface ProgressOptions {
  /** Shortest interval between redraws. Default 100 ms. */
  intervalMs?: number;
  now?: () => number;
}

const CLEAR_LINE = '\r\u001b[K';

export function progressLine(
  stderr: { write(text: string): unknown; isTTY?: boolean },
  label: string,
  options: ProgressOptions = {},
): Progress {
  if (stderr.isTTY !== true) return { update: () => undefined, clear: () => undefined };
  const interval = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let shown = false;
  let last = -Infinity;
  return {
    update(done, total) {
      if (total === 0) return;
      const t = now();
      // Always draw the first and the last state; in between, no faster than the interval.
      if (done !== total && done !== 0 && t - last < interval) return;
      last = t;
      shown = true;
      stderr.write(`${CLEAR_LINE}${PRODUCT_NAME}: ${label} ${done}/${total}`);
    },
    clear() {
      if (shown) stderr.write(CLEAR_LINE);
      shown = false;
    },
  };
}

/** `digest-pin: Docker Hub: 87 of 100 pulls left in this 6-hour window`, one line per registry that stated a budget. */
export function pullBudgetSummary(
  stderr: { write(text: string): unknown; isTTY?: boolean },
  budgets: readonly PullBudget[],
): void {
  if (stderr.isTTY !== true) return;
  for (const budget of budgets) stderr.write(`${PRODUCT_NAME}: ${pullBudgetLine(budget)}\n`);
}
