// A registry's pull budget as its answers state it, and the words every surface (the CLI's summary line, the status
// bar's tooltip, a rate-limited message) says it in. Plain data: the registry layer reads it, the client shows it.

export interface PullBudget {
  /** Registry host as references name it (`docker.io`). */
  registry: string;
  /** Pulls left in the window (`ratelimit-remaining`). */
  remaining: number;
  /** Pulls allowed per window (`ratelimit-limit`), when stated. */
  limit?: number;
  /** The window the pulls are counted over, in seconds (`w=`), when stated. */
  windowSeconds?: number;
  /** Whom the pulls are counted for (`docker-ratelimit-source`: an IP address or an account id), when stated. */
  source?: string;
}

/** `Docker Hub` for docker.io, else the host as written. */
export const registryLabel = (registry: string): string => (registry === 'docker.io' ? 'Docker Hub' : registry);

/** `6 h`, `1 h`, `30 min`, `90 s`. */
export function windowLength(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** `6-hour`, `30-minute`, `90-second`: the window as an adjective. */
export function windowAdjective(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}-hour`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}-minute`;
  return `${seconds}-second`;
}

const pulls = (n: number): string => `${n} pull${n === 1 ? '' : 's'}`;

/** `87 of 100 pulls`, or `87 pulls` without a limit. */
const leftOf = (budget: PullBudget): string =>
  budget.limit !== undefined ? `${budget.remaining} of ${pulls(budget.limit)}` : pulls(budget.remaining);

/** The CLI's summary line: `Docker Hub: 87 of 100 pulls left in this 6-hour window`. */
export function pullBudgetLine(budget: PullBudget): string {
  const window = budget.windowSeconds !== undefined ? ` in this ${windowAdjective(budget.windowSeconds)} window` : '';
  return `${registryLabel(budget.registry)}: ${leftOf(budget)} left${window}`;
}

/** The status bar's tooltip line: `Docker Hub pulls left: 87 of 100 per 6 h`. */
export function pullBudgetTooltip(budget: PullBudget): string {
  const count = budget.limit !== undefined ? `${budget.remaining} of ${budget.limit}` : `${budget.remaining}`;
  const window = budget.windowSeconds !== undefined ? ` per ${windowLength(budget.windowSeconds)}` : '';
  const source = budget.source !== undefined ? ` (counted for ${budget.source})` : '';
  return `${registryLabel(budget.registry)} pulls left: ${count}${window}${source}`;
}

/** Few pulls left: a tenth of the limit or less (10 without a limit). */
export const pullBudgetLow = (budget: PullBudget): boolean =>
  budget.remaining <= (budget.limit !== undefined ? Math.floor(budget.limit / 10) : 10);
