// Requests to registries: the transport, the scheme each registry speaks, credentials and authorization, per-registry
// concurrency, first contact, and the pull budget the answers report. Everything above it asks for a path.

import type { ParsedImageRef } from '../references/imageRef';
import { Authorizer, chooseChallenge, parseChallenges, pullScope, TokenCache, type AuthScheme } from './auth';
import type { Credential, CredentialResult, CredentialSource } from './credentials';
import {
  clean,
  fail,
  forbidden,
  invalidInput,
  invalidResponse,
  noPullAccess,
  notFound,
  rateLimited,
  serverError,
  unauthorized,
  type RegistryError,
} from './errors';
import { header, parseRetryAfter, type HttpResponse, type HttpResult, type HttpTransport, type Logger } from './http';
import { mirrorTarget, type Mirror, type MirrorMap } from './mirrors';
import type { PullBudget } from '../shared/pullBudget';
import { readPullBudget } from './pullBudget';
import { Semaphores } from './semaphore';
import { DOCKER_HUB, parseInsecureRegistries, targetOf, type Insecurity, type Target } from './target';
import type { Result } from './types';

export interface RegistryRequest {
  method: 'GET' | 'HEAD';
  /** Absolute path, e.g. `/v2/library/python/manifests/3.12`. */
  path: string;
  accept?: string;
  maxBytes: number;
  what: string;
}

export interface RegistrySessionOptions {
  http: HttpTransport;
  credentials: CredentialSource;
  now: () => number;
  logger: Logger;
  /** Concurrent requests per registry. */
  concurrency: number;
  insecureRegistries: readonly string[];
  /** Docker Hub pulls left below which optional manifest GETs are skipped. */
  hubPullReserve: number;
  /** Pull-through caches asked before each registry, in order (mirrors.ts). */
  mirrors?: MirrorMap;
  /** Whether a host has a certs.d directory: a loopback registry with one is verified like any other. */
  tlsConfigured?: (host: string) => boolean;
}

/** What to send as `Authorization`, and whether it came from a bearer token and from a login. */
interface Authorization {
  value: string | null;
  bearer: boolean;
  loggedIn: boolean;
}

/** Failures of a request that got no HTTP answer at all: the registry itself could not be reached. */
const UNREACHABLE: ReadonlySet<RegistryError['kind']> = new Set(['network', 'timeout', 'tls']);
const CREDENTIAL_TTL_MS = 5 * 60 * 1000;
/** A mirror that could not be reached is not asked again for this long: each request would wait out its timeout. */
const MIRROR_RETRY_MS = 60 * 1000;

const sameScheme = (a: AuthScheme | undefined, b: AuthScheme): boolean =>
  a !== undefined &&
  a.scheme === b.scheme &&
  (a.scheme !== 'bearer' || (b.scheme === 'bearer' && a.realm === b.realm && a.service === b.service));

function registryErrorCode(body: Buffer): string | undefined {
  try {
    const json = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: unknown }> };
    const code = json.errors?.[0]?.code;
    return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export class RegistrySession {
  private readonly http: HttpTransport;
  private readonly credentials: CredentialSource;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly hubReserve: number;
  private readonly authorizer: Authorizer;
  private readonly semaphores: Semaphores;
  private readonly insecure: ReadonlyMap<string, Insecurity>;
  private readonly firstContact = new Map<string, Promise<RegistryError | null>>();
  private readonly schemes = new Map<string, 'https' | 'http'>();
  private readonly credentialCache = new Map<string, { at: number; result: Promise<CredentialResult> }>();
  private readonly mirrors: MirrorMap;
  /** When each unreachable mirror (by URL) may be asked again. */
  private readonly mirrorDown = new Map<string, number>();
  /** The origin's answers that came after mirrors failed: which ones, for statusError's message. */
  private readonly mirrorNotes = new WeakMap<HttpResponse, string>();
  /** The latest pull budget each registry's answers stated (Docker Hub's `ratelimit-*` headers). */
  private readonly budgets = new Map<string, PullBudget>();
  private readonly tlsConfigured: (host: string) => boolean;

  constructor(options: RegistrySessionOptions) {
    this.http = options.http;
    this.credentials = options.credentials;
    this.now = options.now;
    this.logger = options.logger;
    this.hubReserve = options.hubPullReserve;
    this.authorizer = new Authorizer({ http: this.http, now: this.now, tokens: new TokenCache(this.now) });
    this.semaphores = new Semaphores(options.concurrency);
    this.insecure = parseInsecureRegistries(options.insecureRegistries);
    this.mirrors = options.mirrors ?? new Map();
    this.tlsConfigured = options.tlsConfigured ?? (() => false);
  }

  targetOf(ref: Pick<ParsedImageRef, 'domain' | 'path'>): Result<Target> {
    return targetOf(ref, this.insecure);
  }

  /** The latest pull budget of each registry whose answers stated one. */
  pullBudgets(): PullBudget[] {
    return [...this.budgets.values()];
  }

  /** Docker Hub has few pulls left: optional GETs should wait. */
  hubBudgetLow(target: Target): boolean {
    const remaining = this.budgets.get(target.registry)?.remaining;
    return target.registry === DOCKER_HUB && remaining !== undefined && remaining <= this.hubReserve;
  }

  close(): void {
    this.http.close();
  }

  /**
   * A request about a repository: to its registry's mirrors first, in order, then to the registry itself. A mirror's
   * answer is used when it is a success (2xx): a pull-through cache serves the origin's manifests byte for byte, so
   * the digest is the origin's. Anything else from a mirror (unreachable, 5xx, 404, a 401 its own credentials do not
   * satisfy, 429) moves on; the registry's answer is then the one reported, naming the mirrors tried.
   */
  async send(target: Target, request: RegistryRequest, signal: AbortSignal | undefined): Promise<Result<HttpResponse>> {
    const mirrors = this.mirrors.get(target.registry);
    const prefix = `/v2/${target.path}/`;
    if (mirrors === undefined || !request.path.startsWith(prefix)) return this.sendTo(target, request, signal);
    const tried: string[] = [];
    for (const mirror of mirrors) {
      const result = await this.sendToMirror(mirror, target, request, prefix, signal);
      if (typeof result === 'string') tried.push(`${mirror.url} (${result})`);
      else return result;
    }
    const result = await this.sendTo(target, request, signal);
    const note = `; asked first: the ${mirrors.length === 1 ? 'mirror' : 'mirrors'} ${tried.join(', ')}`;
    if (!result.ok)
      return result.error.kind === 'cancelled'
        ? result
        : fail({ ...result.error, message: `${result.error.message}${note}` });
    if (result.value.status < 200 || result.value.status >= 300) this.mirrorNotes.set(result.value, note);
    return result;
  }

  /** One mirror's answer when it is one to use (or the request was cancelled), else why not, in a few words. */
  private async sendToMirror(
    mirror: Mirror,
    origin: Target,
    request: RegistryRequest,
    prefix: string,
    signal: AbortSignal | undefined,
  ): Promise<Result<HttpResponse> | string> {
    const downUntil = this.mirrorDown.get(mirror.url);
    if (downUntil !== undefined && this.now() < downUntil) return 'unreachable a moment ago';
    const target = mirrorTarget(mirror, origin, this.insecure);
    const path = `/v2/${target.path}/${request.path.slice(prefix.length)}`;
    const result = await this.sendTo(target, { ...request, path }, signal);
    if (result.ok && result.value.status >= 200 && result.value.status < 300) {
      this.logger.debug?.(`${origin.registry}/${origin.path}: ${request.what} answered by the mirror ${mirror.url}`);
      return result;
    }
    if (!result.ok && (result.error.kind === 'cancelled' || signal?.aborted === true)) return result;
    if (!result.ok && result.error.status === undefined && UNREACHABLE.has(result.error.kind))
      this.mirrorDown.set(mirror.url, this.now() + MIRROR_RETRY_MS);
    const why = result.ok ? `HTTP ${result.value.status}` : clean(result.error.message, 160);
    this.logger.debug?.(`${origin.registry}/${origin.path}: the mirror ${mirror.url} did not answer: ${why}`);
    return why;
  }

  /** A request with authentication: answers a 401 challenge, refetches a rejected token once, then gives up. */
  private async sendTo(
    target: Target,
    request: RegistryRequest,
    signal: AbortSignal | undefined,
  ): Promise<Result<HttpResponse>> {
    // The first request to a registry goes alone; the others wait for its answer, so they learn the scheme (HTTPS
    // or HTTP) and the auth challenge from it instead of each paying a failed round trip of their own. When it
    // could not reach the registry at all, they fail with it at once rather than each waiting out its own timeout;
    // the next request after that is a first contact again.
    let answered: ((unreachable: RegistryError | null) => void) | undefined;
    const contacted = this.firstContact.get(target.registry);
    if (contacted === undefined) {
      this.firstContact.set(target.registry, new Promise<RegistryError | null>((resolve) => (answered = resolve)));
    } else {
      const unreachable = await contacted;
      if (unreachable !== null) return fail(unreachable);
    }
    let unreachable: RegistryError | null = null;
    try {
      // The token first, outside the registry's slots: it comes from another origin (the realm), with its own
      // limit, and waiting for it must not hold a slot another request could use meanwhile.
      const auth = await this.semaphores
        .for(`${target.registry} tokens`)
        .run(() => this.authorization(target, false, signal));
      if (!auth.ok) return auth;
      // Released as soon as the challenge is learnt, or when this request ends, whichever is first.
      const result = await this.semaphores.for(target.registry).run(() =>
        this.authorized(target, request, auth.value, signal, () => {
          answered?.(null);
          answered = undefined;
        }),
      );
      if (!result.ok && result.error.status === undefined && UNREACHABLE.has(result.error.kind))
        unreachable = result.error;
      return result;
    } finally {
      if (answered !== undefined) {
        if (unreachable !== null) this.firstContact.delete(target.registry);
        answered(unreachable);
      }
    }
  }

  /** The error for an HTTP answer that is not the one wanted. */
  statusError(target: Target, response: HttpResponse, what: string, loggedIn: boolean): RegistryError {
    const error = this.originStatusError(target, response, what, loggedIn);
    const note = this.mirrorNotes.get(response);
    return note === undefined ? error : { ...error, message: `${error.message}${note}` };
  }

  private originStatusError(target: Target, response: HttpResponse, what: string, loggedIn: boolean): RegistryError {
    const { status } = response;
    const elsewhere = redirectedHost(response.url, target.apiHost);
    if (elsewhere !== null && (status === 401 || status === 403)) {
      // The registry sent us to another host (its storage), which wants credentials: none are sent across hosts, so
      // this is not "the registry rejected your login".
      const base =
        status === 401 ? unauthorized(target.registry, false) : forbidden(target.registry, target.path, false);
      return {
        ...base,
        message: `${target.registry} redirected the request for ${what} to ${elsewhere}, which answered HTTP ${status}; digest-pin sends no credentials to another host, so the registry's storage must allow the redirect by itself (a registry misconfiguration, or an expired redirect: try again)`,
      };
    }
    if (status === 401) return unauthorized(target.registry, loggedIn);
    if (status === 403) return forbidden(target.registry, target.path, loggedIn);
    if (status === 404) {
      const code = registryErrorCode(response.body);
      return notFound(target.registry, code === 'NAME_UNKNOWN' ? `repository ${target.path}` : what);
    }
    if (status === 429) {
      // A spent budget says how long the wait can be when Retry-After does not.
      const budget = readPullBudget(response.headers, target.registry) ?? this.budgets.get(target.registry);
      return rateLimited(
        target.registry,
        parseRetryAfter(header(response.headers, 'retry-after'), this.now()),
        budget?.remaining === 0 ? budget : undefined,
      );
    }
    if (status >= 500) return serverError(target.registry, status, response.attempts);
    return invalidResponse(target.registry, `HTTP ${status} for ${what}`);
  }

  /** Whether requests to the target carried a login (for the wording of 401 / 403). */
  async loggedInTo(target: Target): Promise<boolean> {
    const cred = this.credentialCache.get(target.registry);
    if (!cred) return false;
    const result = await cred.result;
    return result.ok && result.credential !== null;
  }

  private async authorized(
    target: Target,
    request: RegistryRequest,
    first: Authorization,
    signal: AbortSignal | undefined,
    onLearnt: () => void,
  ): Promise<Result<HttpResponse>> {
    let auth: { ok: true; value: Authorization } = { ok: true, value: first };
    let refetched = false;
    for (;;) {
      const result = await this.call(target, request, auth.value.value, signal);
      if (!result.ok) return result;
      if (result.response.status !== 401) return { ok: true, value: result.response };
      // A 401 from the host a redirect led to (the registry's storage) is no challenge of the registry's: no
      // credential goes there, so it is reported as it is (statusError) rather than answered.
      if (redirectedHost(result.response.url, target.apiHost) !== null) return { ok: true, value: result.response };
      let chosen = chooseChallenge(parseChallenges(result.response.headers['www-authenticate']));
      if (!chosen) {
        // Some registries (gcr.io) challenge only on /v2/.
        const ping = await this.call(
          target,
          { method: 'GET', path: '/v2/', maxBytes: 64 * 1024, what: 'API version check' },
          null,
          signal,
        );
        if (ping.ok && ping.response.status === 401)
          chosen = chooseChallenge(parseChallenges(ping.response.headers['www-authenticate']));
      }
      if (!chosen) return fail(unauthorized(target.registry, auth.value.loggedIn));
      const previous = this.authorizer.schemeFor(target.registry);
      this.authorizer.learn(target.registry, chosen.scheme);
      onLearnt();
      if (auth.value.value === null || !sameScheme(previous, chosen.scheme)) {
        const next = await this.authorization(target, false, signal);
        if (!next.ok) return next;
        if (next.value.value === null || next.value.value === auth.value.value)
          return fail(unauthorized(target.registry, next.value.loggedIn));
        auth = next;
        continue;
      }
      if (auth.value.bearer && !refetched) {
        // invalid_token / insufficient_scope / expired early: one fresh token, then fail.
        refetched = true;
        const next = await this.authorization(target, true, signal);
        if (!next.ok) return next;
        auth = next;
        continue;
      }
      if (auth.value.bearer && chosen.error === 'insufficient_scope')
        return fail(noPullAccess(target.registry, target.path, auth.value.loggedIn));
      return fail(unauthorized(target.registry, auth.value.loggedIn, chosen.error));
    }
  }

  /**
   * One request to the registry's API host over the scheme it speaks (loopback: HTTPS, then HTTP like Docker).
   * A loopback registry is not verified (Docker treats 127.0.0.0/8 as insecure) unless it has a certs.d directory:
   * then its certificate is checked like any other's, and a TLS failure is reported rather than tried over HTTP.
   */
  private async call(
    target: Target,
    request: RegistryRequest,
    authorization: string | null,
    signal: AbortSignal | undefined,
  ): Promise<HttpResult> {
    const verifiedLoopback = target.loopback && target.insecure === null && this.tlsConfigured(target.apiHost);
    for (;;) {
      const known = this.schemes.get(target.registry);
      const scheme = known ?? (target.insecure === 'http' ? 'http' : 'https');
      const headers: Record<string, string> = {};
      if (request.accept) headers.accept = request.accept;
      // Never a credential over plain HTTP to a host that is not loopback.
      if (authorization !== null && (scheme === 'https' || target.loopback)) headers.authorization = authorization;
      const result = await this.http.request({
        url: new URL(`${scheme}://${target.apiHost}${target.root ?? ''}${request.path}`),
        method: request.method,
        headers,
        maxBytes: request.maxBytes,
        what: request.what,
        registry: target.registry,
        insecureTls: target.insecure !== null || (target.loopback && !verifiedLoopback),
        ...(signal ? { signal } : {}),
      });
      if (
        !result.ok &&
        known === undefined &&
        scheme === 'https' &&
        target.loopback &&
        (result.error.kind === 'network' || (result.error.kind === 'tls' && !verifiedLoopback))
      ) {
        this.logger.debug?.(
          `${target.registry}: no HTTPS (${result.error.kind}); using HTTP as Docker does for loopback registries`,
        );
        this.schemes.set(target.registry, 'http');
        continue;
      }
      if (result.ok) {
        this.schemes.set(target.registry, scheme);
        this.noteRateLimit(target, result.response);
      }
      return result;
    }
  }

  private async authorization(
    target: Target,
    fresh: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Result<Authorization>> {
    const scheme = this.authorizer.schemeFor(target.registry);
    if (scheme === undefined || scheme.scheme === 'none')
      return { ok: true, value: { value: null, bearer: false, loggedIn: false } };
    const cred = await this.credentialFor(target);
    if (!cred.ok) return cred;
    const credential: Credential | null = cred.credential;
    const result = await this.authorizer.authorization(
      target.registry,
      pullScope(target.path),
      credential,
      target.registry,
      signal,
      fresh,
    );
    if (!result.ok) return result;
    return { ok: true, value: { value: result.value, bearer: result.bearer, loggedIn: credential !== null } };
  }

  private credentialFor(target: Target): Promise<CredentialResult> {
    // Plain HTTP to a host that is not loopback: never send credentials, whatever the config says.
    if (target.insecure === 'http' && !target.loopback) return Promise.resolve({ ok: true, credential: null });
    const cached = this.credentialCache.get(target.registry);
    if (cached && this.now() - cached.at < CREDENTIAL_TTL_MS) return cached.result;
    const result = this.credentials.get(target.registry).catch((error: unknown): CredentialResult => ({
      ok: false,
      error: invalidInput(
        `reading credentials for ${target.registry} failed: ${clean(String(error))}`,
        target.registry,
      ),
    }));
    this.credentialCache.set(target.registry, { at: this.now(), result });
    return result;
  }

  private noteRateLimit(target: Target, response: HttpResponse): void {
    const budget = readPullBudget(response.headers, target.registry);
    if (budget !== undefined) this.budgets.set(target.registry, budget);
  }
}

/** The host a response came from when it is not the registry's API host (a redirect to storage), else null. */
function redirectedHost(url: string, apiHost: string): string | null {
  try {
    const host = new URL(url).host;
    return host === '' || host.toLowerCase() === apiHost.toLowerCase() ? null : host;
  } catch {
    return null;
  }
}
