// The status bar's state (digestPin/status): what it says, and how often it may change.
import type { StatusParams } from '../shared/protocol';
import type { ResolverState } from './resolver';
import type { Timers } from '../shared/timers';

const STATUS_MS = 250;

export interface StatusInput {
  trusted: boolean;
  /** No open document, or one with digest-pin enabled. */
  anyEnabled: boolean;
  offline: boolean;
  state: ResolverState;
}

export function statusOf(input: StatusInput): StatusParams {
  const status = stateOf(input);
  const budgets = input.state.pullBudgets;
  return status.state !== 'untrusted' && budgets !== undefined && budgets.length > 0
    ? { ...status, pullBudgets: budgets }
    : status;
}

function stateOf({ trusted, anyEnabled, offline, state }: StatusInput): StatusParams {
  if (!trusted)
    return {
      state: 'untrusted',
      pending: 0,
      message: 'Workspace not trusted: static checks only, no registry requests',
    };
  if (!anyEnabled) return { state: 'disabled', pending: 0, message: 'digest-pin is disabled for the open files' };
  if (state.rateLimited) {
    const { registry, retryAfter } = state.rateLimited;
    return {
      state: 'rate-limited',
      pending: state.pending,
      registry,
      message: `Rate-limited by ${registry}${retryAfter !== undefined ? ` (retry after ${Math.ceil(retryAfter)} s)` : ''}${state.pending > 0 ? `; ${state.pending} images waiting` : ''}`,
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    };
  }
  if (state.pending > 0)
    return {
      state: 'resolving',
      pending: state.pending,
      message: `Resolving ${state.pending} image${state.pending === 1 ? '' : 's'}`,
    };
  if (offline) return { state: 'offline', pending: 0, message: 'Offline: cached digests only' };
  return { state: 'idle', pending: 0, message: `${state.answered} image${state.answered === 1 ? '' : 's'} checked` };
}

/**
 * Which statuses go out: none twice in a row; a new state at once; a new count of the same state at most every
 * STATUS_MS (answers come in thousands) — one held back is followed by `again()` when that time is up.
 */
export class StatusThrottle {
  private last = '';
  private lastState = '';
  private lastAt = 0;
  private timer: unknown;

  constructor(
    private readonly now: () => number,
    private readonly timers: Timers,
    private readonly again: () => void,
  ) {}

  /** True when the status is to be sent now (and is recorded as sent). */
  admit(status: StatusParams): boolean {
    const text = JSON.stringify(status);
    if (text === this.last) return false;
    if (this.lastState === status.state && this.now() - this.lastAt < STATUS_MS) {
      if (this.timer === undefined) {
        this.timer = this.timers.setTimeout(() => {
          this.timer = undefined;
          this.again();
        }, STATUS_MS);
      }
      return false;
    }
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.last = text;
    this.lastState = status.state;
    this.lastAt = this.now();
    return true;
  }
}
