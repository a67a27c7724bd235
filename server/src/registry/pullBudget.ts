// The pull budget a registry's answer states. Docker Hub sends `ratelimit-limit: 100;w=21600`,
// `ratelimit-remaining: 76;w=21600` and `docker-ratelimit-source: <ip or account>` on manifest GETs and HEADs alike;
// a HEAD is not counted as a pull, a GET is; no headers at all means no limit applies (a paid account, an exempt
// image) — docs.docker.com/docker-hub/usage/pulls/, "View pull rate and limit".

import type { IncomingHttpHeaders } from 'node:http';
import type { PullBudget } from '../shared/pullBudget';
import { clean } from './errors';
import { header } from './http';

/** `76;w=21600` → 76 and the window; `100` → 100. Undefined when the value does not start with a count. */
export function parseQuota(value: string | undefined): { count: number; windowSeconds?: number } | undefined {
  const match = value === undefined ? null : /^\s*(\d{1,12})\s*(?:;(.*))?$/.exec(value);
  if (!match) return undefined;
  const count = Number(match[1]);
  const window = /(?:^|;)\s*w\s*=\s*(\d{1,12})\s*(?:;|$)/.exec(match[2] ?? '');
  const windowSeconds = window ? Number(window[1]) : undefined;
  return { count, ...(windowSeconds !== undefined && windowSeconds > 0 ? { windowSeconds } : {}) };
}

/** The budget an answer states, or undefined when it states none. */
export function readPullBudget(headers: IncomingHttpHeaders, registry: string): PullBudget | undefined {
  const remaining = parseQuota(header(headers, 'ratelimit-remaining'));
  if (remaining === undefined) return undefined;
  const limit = parseQuota(header(headers, 'ratelimit-limit'));
  const windowSeconds = remaining.windowSeconds ?? limit?.windowSeconds;
  const source = clean(header(headers, 'docker-ratelimit-source') ?? '', 80);
  return {
    registry,
    remaining: remaining.count,
    ...(limit !== undefined ? { limit: limit.count } : {}),
    ...(windowSeconds !== undefined ? { windowSeconds } : {}),
    ...(source !== '' ? { source } : {}),
  };
}
