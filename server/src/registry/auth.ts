// Registry authentication: WWW-Authenticate parsing, Bearer token fetches (distribution token.md / oauth.md),
// a token cache with an injected clock, and Basic auth. Credentials go only to the registry's own origin and to
// the token realm it names; realms must be https (or loopback) and never link-local.

import { createHash } from 'node:crypto';
import {
  clean,
  forbidden,
  invalidResponse,
  rateLimited,
  serverError,
  unauthorized,
  type RegistryError,
} from './errors';
import type { Credential } from './credentials';
import { TOKEN_LIMIT, header, isLinkLocalAddress, isLoopbackHost, parseRetryAfter, type HttpTransport } from './http';

// ---------------------------------------------------------------------------------------------------------------
// WWW-Authenticate (RFC 9110 §11.6.1): several challenges per header, several headers, token68 or auth-params,
// quoted strings with escapes and commas, case-insensitive scheme and parameter names.

export interface Challenge {
  /** Lower-case scheme: `bearer`, `basic`, … */
  scheme: string;
  /** Lower-case parameter names; the first occurrence of a name wins. */
  params: Record<string, string>;
  token68?: string;
}

const TCHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

export function parseChallenges(value: string | readonly string[] | undefined): Challenge[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') return value.flatMap((one) => parseChallenges(one));
  const s = value;
  const challenges: Challenge[] = [];
  let i = 0;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';
  const skipSpaces = (): void => {
    while (isSpace(s[i])) i++;
  };
  const skipSeparators = (): void => {
    while (i < s.length && (isSpace(s[i]) || s[i] === ',')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i]!)) i++;
    return s.slice(start, i);
  };
  const readQuoted = (): string => {
    i++; // opening quote
    let out = '';
    while (i < s.length && s[i] !== '"') {
      if (s[i] === '\\' && i + 1 < s.length) i++;
      out += s[i];
      i++;
    }
    if (s[i] === '"') i++;
    return out;
  };
  /** Lenient unquoted value: up to a comma or white space (some servers leave URLs unquoted). */
  const readBare = (): string => {
    const start = i;
    while (i < s.length && s[i] !== ',' && !isSpace(s[i])) i++;
    return s.slice(start, i);
  };
  /** At `name BWS "="`? Leaves `i` unchanged. */
  const paramAhead = (): boolean => {
    let j = i;
    while (j < s.length && TCHAR.test(s[j]!)) j++;
    if (j === i) return false;
    while (isSpace(s[j])) j++;
    return s[j] === '=';
  };
  /** At a token68 (`abc`, `abc==`) that ends the challenge? Returns its end, or -1. */
  const token68Ahead = (): number => {
    let j = i;
    while (j < s.length && TOKEN68_CHAR.test(s[j]!)) j++;
    if (j === i) return -1;
    while (s[j] === '=') j++;
    const end = j;
    while (isSpace(s[j])) j++;
    return j >= s.length || s[j] === ',' ? end : -1;
  };

  while (i < s.length) {
    skipSeparators();
    if (i >= s.length) break;
    const scheme = readToken();
    if (scheme === '') {
      i++; // a stray character: skip it rather than give up on the rest of the header
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    if (!isSpace(s[i])) continue; // `Basic,` or end: no parameters
    skipSpaces();
    const token68End = token68Ahead();
    if (token68End >= 0) {
      challenge.token68 = s.slice(i, token68End);
      i = token68End;
      continue;
    }
    // auth-params, comma separated; a token not followed by `=` starts the next challenge
    for (;;) {
      skipSeparators();
      if (i >= s.length || !paramAhead()) break;
      const name = readToken().toLowerCase();
      skipSpaces();
      i++; // '='
      skipSpaces();
      const paramValue = s[i] === '"' ? readQuoted() : readBare();
      if (!Object.hasOwn(challenge.params, name)) challenge.params[name] = paramValue;
      skipSpaces();
      // anything else before the next comma is garbage: skip it
      while (i < s.length && s[i] !== ',') i++;
    }
  }
  return challenges;
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

export interface Token {
  value: string;
  /** Clock time (ms) after which the token is not used any more. */
  expiresAt: number;
}

export interface TokenKey {
  realm: string;
  service: string;
  scope: string;
  /** A fingerprint of the credential used to get the token (never the credential itself), or `anonymous`. */
  identity: string;
}

/** A one-way fingerprint of a credential, so cache keys never hold secrets. */
export function credentialFingerprint(credential: Credential | null): string {
  if (credential === null) return 'anonymous';
  const material =
    credential.kind === 'basic'
      ? `basic\0${credential.username}\0${credential.password}`
      : credential.kind === 'identity-token'
        ? `identity\0${credential.username ?? ''}\0${credential.token}`
        : `registry\0${credential.token}`;
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}

/** Minimum lifetime Docker assumes when a token server states less (or nothing). */
export const MIN_TOKEN_LIFETIME_S = 60;

export class TokenCache {
  private readonly tokens = new Map<string, Token>();
  constructor(
    private readonly now: () => number,
    private readonly maxEntries = 500,
  ) {}

  private static key(key: TokenKey): string {
    return JSON.stringify([key.realm, key.service, key.scope, key.identity]);
  }

  get(key: TokenKey): Token | undefined {
    const k = TokenCache.key(key);
    const token = this.tokens.get(k);
    if (!token) return undefined;
    if (this.now() >= token.expiresAt) {
      this.tokens.delete(k);
      return undefined;
    }
    return token;
  }

  set(key: TokenKey, token: Token): void {
    const k = TokenCache.key(key);
    this.tokens.delete(k);
    this.tokens.set(k, token);
    while (this.tokens.size > this.maxEntries) {
      const oldest = this.tokens.keys().next().value;
      if (oldest === undefined) break;
      this.tokens.delete(oldest);
    }
  }

  delete(key: TokenKey): void {
    this.tokens.delete(TokenCache.key(key));
  }

  get size(): number {
    return this.tokens.size;
  }
}

/**
 * When a token stops being used: issued_at (or now, whichever is earlier, so a server clock ahead of ours does
 * not stretch it) + expires_in (at least 60 s), less a margin of 10 % of the lifetime, at most 10 s.
 */
export function tokenExpiry(nowMs: number, expiresIn: unknown, issuedAt: unknown): number {
  const lifetimeS =
    typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn >= MIN_TOKEN_LIFETIME_S
      ? expiresIn
      : MIN_TOKEN_LIFETIME_S;
  const issuedMs = typeof issuedAt === 'string' ? Date.parse(issuedAt) : NaN;
  const start = Number.isNaN(issuedMs) ? nowMs : Math.min(nowMs, issuedMs);
  const lifetimeMs = lifetimeS * 1000;
  return start + lifetimeMs - Math.min(10_000, lifetimeMs / 10);
}

export interface TokenRequest {
  realm: string;
  service: string;
  scope: string;
  credential: Credential | null;
  /** Registry host as written, for messages. */
  registry: string;
  signal?: AbortSignal;
}

export type TokenResult = { ok: true; token: Token } | { ok: false; error: RegistryError };

/** Checks a realm URL before any credential is sent to it. Returns the URL or an error. */
export function checkRealm(
  realm: string,
  registry: string,
): { ok: true; url: URL } | { ok: false; error: RegistryError } {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return { ok: false, error: invalidResponse(registry, `token realm '${clean(realm, 80)}' is not a URL`) };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.host))) {
    return {
      ok: false,
      error: invalidResponse(
        registry,
        `token realm ${url.protocol}//${url.host} is not https; refusing to send credentials there`,
      ),
    };
  }
  if (isLinkLocalAddress(url.hostname)) {
    return {
      ok: false,
      error: invalidResponse(registry, `token realm ${url.host} is a link-local address; refusing it`),
    };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      error: invalidResponse(registry, `token realm ${url.host} carries user information; refusing it`),
    };
  }
  return { ok: true, url };
}

const basicHeader = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

/**
 * A failure to reach the token service is said as such: the registry itself answered (with the challenge that named
 * the service), so "cannot reach <registry>" would send the user looking in the wrong place.
 */
function fromTokenService(error: RegistryError, host: string, registry: string): RegistryError {
  if (host === registry || (error.kind !== 'network' && error.kind !== 'timeout' && error.kind !== 'tls')) return error;
  return { ...error, message: error.message.split(registry).join(`the token service ${host} that ${registry} names`) };
}

/** The OAuth2 `error` code of a token server's error answer (`invalid_grant`), if it is one. */
function oauthError(body: Buffer): string | undefined {
  try {
    const error = (JSON.parse(body.toString('utf8')) as { error?: unknown }).error;
    return typeof error === 'string' && /^[a-z_]{1,40}$/.test(error) ? error : undefined;
  } catch {
    return undefined;
  }
}

/** Fetches a Bearer token from a realm (GET with Basic or anonymous; POST refresh_token for identity tokens). */
export async function fetchToken(http: HttpTransport, request: TokenRequest, now: () => number): Promise<TokenResult> {
  const { registry, credential } = request;
  const checked = checkRealm(request.realm, registry);
  if (!checked.ok) return checked;
  const url = checked.url;
  const loggedIn = credential !== null;
  let result;
  if (credential?.kind === 'identity-token') {
    const form: Record<string, string> = {
      grant_type: 'refresh_token',
      refresh_token: credential.token,
      client_id: 'digest-pin',
    };
    if (request.service) form.service = request.service;
    if (request.scope) form.scope = request.scope;
    result = await http.request({
      url,
      method: 'POST',
      form,
      maxBytes: TOKEN_LIMIT,
      what: 'token response',
      registry,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } else {
    // Keep the realm's own query; add service and scope (repository names may contain ':').
    if (request.service) url.searchParams.append('service', request.service);
    if (request.scope) url.searchParams.append('scope', request.scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credential?.kind === 'basic') headers.authorization = basicHeader(credential.username, credential.password);
    result = await http.request({
      url,
      method: 'GET',
      headers,
      maxBytes: TOKEN_LIMIT,
      what: 'token response',
      registry,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  }
  if (!result.ok) return { ok: false, error: fromTokenService(result.error, url.host, registry) };
  const { status, headers, body } = result.response;
  // An expired or revoked refresh token is a 400 `invalid_grant` (RFC 6749 §5.2), an identity token from
  // `docker login` / `az acr login` that has lapsed: that is a login to renew, not an invalid response.
  const identity = credential?.kind === 'identity-token';
  if (status === 401 || (status === 400 && oauthError(body) === 'invalid_grant'))
    return {
      ok: false,
      error: unauthorized(
        registry,
        loggedIn,
        identity
          ? 'token server refused the identity token, a refresh token that expires or can be revoked'
          : 'token server refused the login',
      ),
    };
  if (status === 403)
    return { ok: false, error: forbidden(registry, request.scope.replace(/^repository:|:[a-z,*]+$/g, ''), loggedIn) };
  if (status === 429)
    return { ok: false, error: rateLimited(registry, parseRetryAfter(header(headers, 'retry-after'), now())) };
  if (status >= 500) return { ok: false, error: serverError(registry, status, result.response.attempts) };
  if (status !== 200) return { ok: false, error: invalidResponse(registry, `token server answered HTTP ${status}`) };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, error: invalidResponse(registry, 'token response is not JSON') };
  }
  if (typeof json !== 'object' || json === null)
    return { ok: false, error: invalidResponse(registry, 'token response is not a JSON object') };
  const record = json as Record<string, unknown>;
  const value =
    typeof record.token === 'string' && record.token !== ''
      ? record.token
      : typeof record.access_token === 'string' && record.access_token !== ''
        ? record.access_token
        : '';
  if (value === '') return { ok: false, error: invalidResponse(registry, 'token response has no token') };
  // A token is put in a header: refuse anything that could split it.
  if (!/^[\x21-\x7e]+$/.test(value))
    return { ok: false, error: invalidResponse(registry, 'token contains characters not allowed in a header') };
  return { ok: true, token: { value, expiresAt: tokenExpiry(now(), record.expires_in, record.issued_at) } };
}

// ---------------------------------------------------------------------------------------------------------------
// Per-registry authentication state

/** What the registry asked for, remembered per registry so later requests authenticate up front. */
export type AuthScheme =
  { scheme: 'bearer'; realm: string; service: string } | { scheme: 'basic' } | { scheme: 'none' };

/** Picks the challenge we can answer: Bearer with a realm first, then Basic. */
export function chooseChallenge(challenges: readonly Challenge[]): { scheme: AuthScheme; error?: string } | null {
  const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
  if (bearer) {
    return {
      scheme: { scheme: 'bearer', realm: bearer.params.realm!, service: bearer.params.service ?? '' },
      ...(bearer.params.error ? { error: bearer.params.error } : {}),
    };
  }
  if (challenges.some((c) => c.scheme === 'basic')) return { scheme: { scheme: 'basic' } };
  return null;
}

export interface AuthorizerOptions {
  http: HttpTransport;
  now: () => number;
  tokens?: TokenCache;
}

/** Authorization header values for one registry, built from its challenge and the user's credential. */
export class Authorizer {
  private readonly tokens: TokenCache;
  private readonly inflight = new Map<string, Promise<TokenResult>>();
  private readonly schemes = new Map<string, AuthScheme>();

  constructor(private readonly options: AuthorizerOptions) {
    this.tokens = options.tokens ?? new TokenCache(options.now);
  }

  /** The scheme last seen for a registry origin, if any. */
  schemeFor(origin: string): AuthScheme | undefined {
    return this.schemes.get(origin);
  }

  learn(origin: string, scheme: AuthScheme): void {
    this.schemes.set(origin, scheme);
  }

  /**
   * The Authorization value for a request, or null to go anonymous. `fresh` skips (and replaces) a cached token.
   */
  async authorization(
    origin: string,
    scope: string,
    credential: Credential | null,
    registry: string,
    signal: AbortSignal | undefined,
    fresh = false,
  ): Promise<{ ok: true; value: string | null; bearer: boolean } | { ok: false; error: RegistryError }> {
    const scheme = this.schemes.get(origin);
    if (credential?.kind === 'registry-token') return { ok: true, value: `Bearer ${credential.token}`, bearer: false };
    if (!scheme || scheme.scheme === 'none') return { ok: true, value: null, bearer: false };
    if (scheme.scheme === 'basic') {
      if (credential?.kind === 'basic')
        return { ok: true, value: basicHeader(credential.username, credential.password), bearer: false };
      return { ok: true, value: null, bearer: false };
    }
    const key: TokenKey = {
      realm: scheme.realm,
      service: scheme.service,
      scope,
      identity: credentialFingerprint(credential),
    };
    if (fresh) this.tokens.delete(key);
    const cached = this.tokens.get(key);
    if (cached) return { ok: true, value: `Bearer ${cached.value}`, bearer: true };
    const k = JSON.stringify(key);
    let pending = this.inflight.get(k);
    if (!pending) {
      pending = fetchToken(
        this.options.http,
        {
          realm: scheme.realm,
          service: scheme.service,
          scope,
          credential,
          registry,
          ...(signal ? { signal } : {}),
        },
        this.options.now,
      ).finally(() => this.inflight.delete(k));
      this.inflight.set(k, pending);
    }
    const result = await pending;
    if (!result.ok) return result;
    this.tokens.set(key, result.token);
    return { ok: true, value: `Bearer ${result.token.value}`, bearer: true };
  }
}

/** `repository:<path>:pull`, the scope for reading manifests and blobs. */
export const pullScope = (path: string): string => `repository:${path}:pull`;
