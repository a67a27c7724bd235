// Registry failures as values. Every message names the registry and says what to do next, and never carries a
// credential: messages are built from our own words plus registry text that has been sanitised by `clean`.

import { windowAdjective, windowLength, type PullBudget } from '../shared/pullBudget';

export type RegistryErrorKind =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'rate-limited'
  | 'network'
  | 'timeout'
  | 'tls'
  | 'invalid-response'
  | 'unsupported'
  | 'invalid'
  /** The caller's AbortSignal fired; nothing to show. */
  | 'cancelled'
  /** Offline mode and the answer is not in the cache. */
  | 'offline';

export interface RegistryError {
  kind: RegistryErrorKind;
  /** One sentence a user can act on, e.g. "not logged in to ghcr.io: run docker login ghcr.io". */
  message: string;
  /** Registry host as the user wrote it (`docker.io`, `localhost:5000`), when known. */
  registry?: string;
  /** HTTP status that caused it, when there was one. */
  status?: number;
  /** For `rate-limited`: seconds until the registry accepts requests again, when it said so. */
  retryAfter?: number;
}

export interface RegistryErrorResult {
  ok: false;
  error: RegistryError;
}

export const fail = (error: RegistryError): RegistryErrorResult => ({ ok: false, error });

export function isRegistryError(value: unknown): value is RegistryError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as RegistryError).kind === 'string' &&
    typeof (value as RegistryError).message === 'string'
  );
}

const AUTH_VALUE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi;
const SECRET_KEYS = 'password|passwd|secret|token|access_token|refresh_token|identitytoken|registrytoken|auth';
const SECRET_PARAM = new RegExp(`\\b(${SECRET_KEYS})=[^\\s&,;"']+`, 'gi');
const SECRET_JSON = new RegExp(`"(${SECRET_KEYS})"\\s*:\\s*"[^"]*"`, 'gi');
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi;

/**
 * Makes text from a registry safe to put in a message: one line, bounded, with anything that looks like a
 * credential (Authorization values, token/password parameters, JWTs, user:pass@ in URLs) replaced.
 */
export function clean(text: string, maxLength = 200): string {
  let out = text
    .replace(URL_USERINFO, '$1')
    .replace(AUTH_VALUE, '$1 [redacted]')
    .replace(JWT, '[redacted]')
    .replace(SECRET_JSON, '"$1":"[redacted]"')
    .replace(SECRET_PARAM, '$1=[redacted]');
  out = out
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (out.length > maxLength) out = `${out.slice(0, maxLength - 1)}…`;
  return out;
}

/** The text a surface (hover, diagnostic, CLI line) shows for an error. */
export function explain(error: RegistryError): string {
  const text = clean(error.message, 400);
  if (error.kind === 'rate-limited' && error.retryAfter !== undefined && !/retry in/.test(text)) {
    return `${text}; retry in ${formatSeconds(error.retryAfter)}`;
  }
  return text;
}

export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.ceil(s / 60)} min`;
  return `${Math.ceil(s / 3600)} h`;
}

// Constructors: one per situation, so wording stays consistent across the registry module.

export const unauthorized = (registry: string, loggedIn: boolean, detail?: string): RegistryError => ({
  kind: 'unauthorized',
  registry,
  status: 401,
  message: loggedIn
    ? `${registry} rejected the stored credentials${detail ? ` (${clean(detail)})` : ''}: run docker login ${registry} again`
    : `not logged in to ${registry}: run docker login ${registry}`,
});

/**
 * A token came, but without pull access to the repository (`error="insufficient_scope"` after a fresh token): Docker
 * Hub answers so for a repository that does not exist as for a private one, whether logged in or not (Docker says
 * "repository does not exist or may require 'docker login'"), so the login is not what to blame first.
 */
export const noPullAccess = (registry: string, repository: string, loggedIn: boolean): RegistryError => ({
  kind: 'unauthorized',
  registry,
  status: 401,
  message: loggedIn
    ? `${registry} gives the stored login no pull access to ${repository}: check the name (it may not exist) and that your account can pull it`
    : `${registry} allows no anonymous pull of ${repository}: check the name (it may not exist), or run docker login ${registry} if it is private`,
});

export const forbidden = (registry: string, repository: string, loggedIn: boolean): RegistryError => ({
  kind: 'forbidden',
  registry,
  status: 403,
  message: loggedIn
    ? `access to ${repository} denied by ${registry}: check that your account can pull it`
    : `access to ${repository} denied by ${registry}: it may be private or missing; run docker login ${registry} if you have access`,
});

export const notFound = (registry: string, what: string, detail?: string): RegistryError => ({
  kind: 'not-found',
  registry,
  status: 404,
  message: `${what} not found on ${registry}${detail ? ` (${clean(detail)})` : ''}`,
});

/**
 * A 429. `spent` is the pull budget the registry stated as used up (Docker Hub): without a Retry-After, its window
 * says how long the wait can be — Docker Hub counts pulls over a rolling window, so pulls free up within it.
 */
export const rateLimited = (registry: string, retryAfter: number | undefined, spent?: PullBudget): RegistryError => {
  const login = registry === 'docker.io' ? ` or run docker login ${registry} for a higher limit` : '';
  const of = spent?.limit !== undefined ? `all ${spent.limit} pulls` : 'all pulls';
  const budget =
    spent?.windowSeconds !== undefined
      ? ` (${of} of its ${windowAdjective(spent.windowSeconds)} window are used)`
      : spent !== undefined
        ? ` (${of} are used)`
        : '';
  let message: string;
  if (retryAfter !== undefined) message = `rate limited by ${registry}${budget}; retry in ${formatSeconds(retryAfter)}`;
  else if (spent?.windowSeconds !== undefined)
    message = `rate limited by ${registry}${budget}; pulls free up as the window moves on: retry within ${windowLength(spent.windowSeconds)}${login}`;
  else message = `rate limited by ${registry}${budget}; retry later${login}`;
  return { kind: 'rate-limited', registry, status: 429, ...(retryAfter !== undefined ? { retryAfter } : {}), message };
};

export const networkError = (registry: string, detail: string, status?: number): RegistryError => ({
  kind: 'network',
  registry,
  ...(status !== undefined ? { status } : {}),
  message: `cannot reach ${registry}: ${clean(detail)}; check the network connection or proxy settings`,
});

export const serverError = (registry: string, status: number, attempts: number): RegistryError => ({
  kind: 'network',
  registry,
  status,
  message: `${registry} answered HTTP ${status}${attempts > 1 ? ` ${attempts} times` : ''}; the registry is having trouble, try again later`,
});

export const timeoutError = (registry: string, seconds: number): RegistryError => ({
  kind: 'timeout',
  registry,
  message: `${registry} did not answer within ${formatSeconds(seconds)}; check the network or raise the timeout`,
});

export const tlsError = (
  registry: string,
  detail: string,
  advice = 'if it is a private registry, install its CA certificate (NODE_EXTRA_CA_CERTS)',
): RegistryError => ({
  kind: 'tls',
  registry,
  message: `TLS connection to ${registry} failed: ${clean(detail)}; ${advice}`,
});

/** A certs.d file that cannot be used (named by path; a key's contents never appear): nothing was sent. */
export const tlsFilesError = (registry: string, message: string): RegistryError => ({
  kind: 'tls',
  registry,
  message: clean(message, 400),
});

export const invalidResponse = (registry: string, detail: string): RegistryError => ({
  kind: 'invalid-response',
  registry,
  message: `${registry} sent an invalid response: ${clean(detail)}`,
});

export const unsupported = (registry: string, detail: string): RegistryError => ({
  kind: 'unsupported',
  registry,
  message: clean(detail, 300),
});

export const invalidInput = (message: string, registry?: string): RegistryError => ({
  kind: 'invalid',
  ...(registry !== undefined ? { registry } : {}),
  message: clean(message, 300),
});

export const cancelled = (registry?: string): RegistryError => ({
  kind: 'cancelled',
  ...(registry !== undefined ? { registry } : {}),
  message: 'request cancelled',
});

export const offlineMiss = (what: string): RegistryError => ({
  kind: 'offline',
  message: `offline: ${what} is not in the cache; run once online to fill it`,
});
