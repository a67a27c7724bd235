// The one HTTP transport of the registry client, on got: per-request timeout, a few retries with jitter on 5xx /
// 408 / network errors, size caps on bodies, cancellation, proxies from the environment, and a redirect policy
// (≤ 10 hops, Authorization only to the origin that asked for it, no https→http, no link-local targets).
// Status codes are returned, not thrown: the caller maps them to errors with the registry's context.

import { lookup as dnsLookup, type LookupAddress, type LookupOneOptions, type LookupAllOptions } from 'node:dns';
import type { Agent as HttpAgent, IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Agent as PlainAgent } from 'node:http';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import type { SecureContext } from 'node:tls';
import got, { type Agents, type Got, type Options as GotOptions, type Response as GotResponse } from 'got';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { TlsStore } from './certificates';
import { cancelled, networkError, timeoutError, tlsError, invalidResponse, type RegistryError } from './errors';

export const MiB = 1024 * 1024;
export const MANIFEST_LIMIT = 4 * MiB;
export const TOKEN_LIMIT = 64 * 1024;

export interface Logger {
  warn(message: string): void;
  debug?(message: string): void;
}

export const silentLogger: Logger = { warn: () => undefined };

export interface HttpRequest {
  url: URL;
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  /** Form body for POST (application/x-www-form-urlencoded). */
  form?: Record<string, string>;
  /** Largest body accepted, in bytes; a larger one fails as invalid-response. */
  maxBytes: number;
  /** What the body is, for the size error: "manifest", "token response". */
  what?: string;
  signal?: AbortSignal;
  /** Registry host as the user wrote it, for error messages. */
  registry: string;
  /**
   * Skip certificate verification (explicitly insecure registries, and loopback ones without a certs.d directory).
   * Such a request presents no client certificate either, as Docker reads no certs.d for an insecure registry.
   */
  insecureTls?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Final URL after redirects. */
  url: string;
  /** How many attempts were made (1 + retries). */
  attempts: number;
}

export type HttpResult = { ok: true; response: HttpResponse } | { ok: false; error: RegistryError };

export interface HttpTransport {
  request(request: HttpRequest): Promise<HttpResult>;
  close(): void;
}

export interface HttpOptions {
  /** Per-attempt timeout, from connect to the last body byte. Default 10 000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt on 5xx, 408 and network errors. Default 2. */
  retries?: number;
  /** First backoff step; each retry doubles it, with ±50 % jitter. Default 250 ms. */
  retryBaseMs?: number;
  /** Longest wait honoured from a Retry-After on a retried status; longer ones end retrying. Default 5 s. */
  maxRetryDelayMs?: number;
  maxRedirects?: number;
  /** Environment for HTTP(S)_PROXY / NO_PROXY. Default process.env. */
  env?: NodeJS.ProcessEnv;
  random?: () => number;
  /** Waits between retries; injectable so tests do not sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Wall clock, for Retry-After dates. */
  now?: () => number;
  logger?: Logger;
  /** Per-host CAs and client certificates (certs.d) and the system's CAs. Default: the system's CAs, no certs.d. */
  tls?: TlsStore;
}

// ---------------------------------------------------------------------------------------------------------------
// Retry-After

/** Seconds to wait from a Retry-After value: delta-seconds or an HTTP date. Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Math.min(Number(text), 86_400 * 7);
  // HTTP-date (IMF-fixdate, RFC 850, asctime): Date.parse reads all three; require a weekday-or-digit form.
  if (!/^[A-Za-z]{3},? |^[A-Za-z]+, \d|^[A-Za-z]{3} [A-Za-z]{3} /.test(text)) return undefined;
  const when = Date.parse(text);
  if (Number.isNaN(when)) return undefined;
  return Math.max(0, Math.ceil((when - nowMs) / 1000));
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses

/** 169.254.0.0/16, fe80::/10 and their IPv4-mapped forms: cloud metadata services live there. */
export function isLinkLocalAddress(address: string): boolean {
  let a = address.toLowerCase();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  const mapped = /^(?:0*:)*:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped?.[1]) a = mapped[1];
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (mappedHex?.[1] && mappedHex[2]) {
    const high = parseInt(mappedHex[1], 16);
    return high >> 8 === 169 && (high & 0xff) === 254;
  }
  if (isIP(a) === 4) return a.startsWith('169.254.');
  if (isIP(a) === 6) {
    const first = a.split(':')[0] ?? '';
    if (first === '') return false;
    const word = parseInt(first, 16);
    return (word & 0xffc0) === 0xfe80;
  }
  return false;
}

/** localhost, *.localhost, 127.0.0.0/8, ::1 (with or without brackets or port). */
export function isLoopbackHost(host: string): boolean {
  let h = host.toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    h = close >= 0 ? h.slice(1, close) : h;
  } else if (h.split(':').length === 2) {
    h = h.slice(0, h.indexOf(':'));
  }
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** `host[:port]` → URL host part; brackets IPv6. */
const hostOf = (url: URL): string => url.hostname;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type LookupAll = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** Wraps a dns.lookup so names resolving only to link-local addresses (a metadata service) are refused. */
export function linkLocalGuard(base: LookupAll) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions | number, callback: LookupCallback): void => {
    const opts: LookupAllOptions = { ...(typeof options === 'number' ? { family: options } : options), all: true };
    base(hostname, opts, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      const safe = addresses.filter((entry) => !isLinkLocalAddress(entry.address));
      if (safe.length === 0) {
        const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to a link-local address; refusing it`);
        refused.code = 'ERR_LINK_LOCAL';
        callback(refused, []);
        return;
      }
      const wantsAll = typeof options === 'object' && (options as LookupAllOptions).all === true;
      if (wantsAll) callback(null, safe);
      else callback(null, safe[0]!.address, safe[0]!.family);
    });
  };
}

export const guardedLookup = linkLocalGuard(dnsLookup as LookupAll);

// ---------------------------------------------------------------------------------------------------------------
// Proxies

/** The proxy URL for a request, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (upper or lower case), or null. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | null {
  const read = (name: string): string | undefined => {
    const lower = env[name.toLowerCase()];
    const upper = env[name.toUpperCase()];
    // Like curl and Go: the lower-case form wins when both are set.
    return (
      (lower !== undefined && lower !== '' ? lower : undefined) ??
      (upper !== undefined && upper !== '' ? upper : undefined)
    );
  };
  const proxy = url.protocol === 'https:' ? read('https_proxy') : read('http_proxy');
  if (!proxy) return null;
  const host = hostOf(url);
  // Go's httpproxy never proxies loopback; Docker inherits that.
  if (isLoopbackHost(host)) return null;
  if (matchesNoProxy(url, read('no_proxy') ?? '')) return null;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

/**
 * NO_PROXY matching after Go's golang.org/x/net/http/httpproxy: comma- or space-separated entries; `*` matches
 * everything; `host` matches the host and its subdomains; `.host` and `*.host` match subdomains only... and the host
 * itself for `.host` per curl; IP addresses and CIDR ranges match the address; an entry with `:port` matches only
 * that port.
 */
export function matchesNoProxy(url: URL, noProxy: string): boolean {
  const host = stripBrackets(url.hostname.toLowerCase());
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: string | null = null;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracket) {
      entry = bracket[1]!;
      entryPort = bracket[2] ?? null;
    } else if (isIP(entry) !== 6 && !entry.includes('/')) {
      const colon = entry.lastIndexOf(':');
      if (colon > 0 && /^\d+$/.test(entry.slice(colon + 1))) {
        entryPort = entry.slice(colon + 1);
        entry = entry.slice(0, colon);
      }
    }
    if (entryPort !== null && entryPort !== port) continue;
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    if (isIP(entry)) {
      if (isIP(host) && sameAddress(host, entry)) return true;
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    if (entry.startsWith('.')) {
      // `.example.com` matches example.com's subdomains and, as in curl, example.com itself.
      if (host.endsWith(entry) || host === entry.slice(1)) return true;
      continue;
    }
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

const stripBrackets = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

function sameAddress(a: string, b: string): boolean {
  const ba = addressBytes(a);
  const bb = addressBytes(b);
  return ba !== null && bb !== null && ba.length === bb.length && ba.every((v, i) => v === bb[i]);
}

function addressBytes(address: string): number[] | null {
  const a = stripBrackets(address);
  if (isIP(a) === 4) return a.split('.').map(Number);
  if (isIP(a) !== 6) return null;
  let text = a;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4?.[1]) {
    tail = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + '0:0';
  }
  const [head = '', rest] = text.split('::');
  const headWords = head === '' ? [] : head.split(':');
  const restWords = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - headWords.length - restWords.length;
  const words = [...headWords, ...Array<string>(fill).fill('0'), ...restWords].map((w) => parseInt(w, 16));
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function inCidr(host: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  const hb = addressBytes(host);
  const bb = addressBytes(base);
  if (!hb || !bb || hb.length !== bb.length || !Number.isInteger(bits) || bits < 0 || bits > hb.length * 8)
    return false;
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((hb[byte] ?? 0) & mask) !== ((bb[byte] ?? 0) & mask)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Transport

/** Thrown inside got hooks to refuse a redirect or target; recognised through `error.cause`. */
class PolicyRefusal extends Error {
  readonly code = 'ERR_DIGEST_PIN_POLICY';
}

class BodyTooLarge extends Error {
  readonly code = 'ERR_DIGEST_PIN_TOO_LARGE';
}

/** Thrown inside got's redirect hook when the next host's TLS files cannot be used. */
class TlsMaterialRefusal extends Error {
  readonly code = 'ERR_DIGEST_PIN_TLS_FILES';
  constructor(readonly error: RegistryError) {
    super(error.message);
  }
}

type AgentsResult = { ok: true; value: Agents } | { ok: false; error: RegistryError };
type AgentFor = (url: URL, insecureTls: boolean, registry: string) => AgentsResult;

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|EPROTO$|HOSTNAME_MISMATCH)/;
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

/** True for an error that means the peer does not speak TLS or its certificate failed: never downgrade on it. */
export const isTlsErrorCode = (code: string | undefined): boolean => code !== undefined && TLS_CODES.test(code);

interface Attempt {
  kind: 'response' | 'error';
  response?: HttpResponse;
  error?: RegistryError;
  retryable: boolean;
  retryAfterMs?: number;
}

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function createHttpTransport(options: HttpOptions = {}): HttpTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = Math.max(0, options.retries ?? 2);
  const retryBaseMs = options.retryBaseMs ?? 250;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
  const maxRedirects = options.maxRedirects ?? 10;
  const env = options.env ?? process.env;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const tlsStore = options.tls ?? new TlsStore({ env, dirs: [] });

  // Keep-alive agents, one per (proxy, scheme, verification, TLS material) combination. A host with certs.d
  // material has agents of its own, so its CAs vouch for no other host and its client certificate is presented to
  // no other host (a redirect to storage elsewhere gets that host's agent).
  const agents = new Map<string, HttpAgent>();
  const agentFor: AgentFor = (url, insecureTls, registry) => {
    const proxy = proxyFor(url, env);
    const https = url.protocol === 'https:';
    let secureContext: SecureContext | undefined;
    let material = '';
    if (https && !insecureTls) {
      const context = tlsStore.contextFor(url.host, registry);
      if (!context.ok) return context;
      secureContext = context.value;
      if (tlsStore.configured(url.host)) material = url.host.toLowerCase();
    }
    const key = `${proxy ?? ''}|${https ? 's' : ''}|${insecureTls ? 'i' : ''}|${material}`;
    let agent = agents.get(key);
    if (!agent) {
      const common = { keepAlive: true, maxSockets: 16, timeout: timeoutMs };
      const tlsOptions = { rejectUnauthorized: !insecureTls, ...(secureContext ? { secureContext } : {}) };
      if (proxy) {
        agent = https
          ? new HttpsProxyAgent({ ...common, ...tlsOptions, proxy })
          : new HttpProxyAgent({ ...common, proxy });
      } else {
        agent = https ? new HttpsAgent({ ...common, ...tlsOptions }) : new PlainAgent(common);
      }
      agents.set(key, agent);
    }
    return { ok: true, value: https ? { https: agent as HttpsAgent } : { http: agent } };
  };

  const client = got.extend({
    retry: { limit: 0 },
    throwHttpErrors: false,
    decompress: false, // hash the exact bytes the registry sent
    followRedirect: true,
    maxRedirects,
    dnsLookup: guardedLookup as unknown as GotOptions['dnsLookup'],
    headers: { 'user-agent': 'digest-pin (+https://github.com/digest-pin/digest-pin)' },
  });

  async function attempt(request: HttpRequest): Promise<Attempt> {
    const { url, registry } = request;
    const method = request.method ?? 'GET';
    const insecureTls = request.insecureTls === true;
    if (isLinkLocalAddress(url.hostname)) {
      return {
        kind: 'error',
        retryable: false,
        error: invalidResponse(registry, `refusing to contact link-local address ${url.hostname}`),
      };
    }

    const agent = agentFor(url, insecureTls, registry);
    if (!agent.ok) return { kind: 'error', retryable: false, error: agent.error };
    const beforeRedirect = redirectGuard(url, insecureTls, registry, tlsStore, agentFor);

    const gotOptions = {
      method,
      headers: { ...(request.headers ?? {}) },
      ...(request.form ? { form: request.form } : {}),
      timeout: { request: timeoutMs },
      agent: agent.value,
      https: { rejectUnauthorized: !insecureTls },
      ...(request.signal ? { signal: request.signal } : {}),
      hooks: { beforeRedirect: [beforeRedirect] },
    };

    return readResponse(() => client.stream(url, gotOptions as never), request, now, timeoutMs, tlsStore);
  }

  return {
    async request(request: HttpRequest): Promise<HttpResult> {
      const method = request.method ?? 'GET';
      const maxAttempts = method === 'POST' ? 1 : 1 + retries;
      let last: Attempt | undefined;
      for (let n = 1; n <= maxAttempts; n++) {
        if (request.signal?.aborted) return { ok: false, error: cancelled(request.registry) };
        last = await attempt(request);
        if (last.response) last.response.attempts = n;
        if (!last.retryable || n === maxAttempts) break;
        const backoff = retryBaseMs * 2 ** (n - 1) * (0.5 + random());
        const delay = last.retryAfterMs !== undefined ? Math.max(backoff, last.retryAfterMs) : backoff;
        if (delay > maxRetryDelayMs) break;
        logger.debug?.(
          `${method} ${redactUrl(request.url)}: ${last.response ? `HTTP ${last.response.status}` : last.error?.kind}; retry ${n} in ${Math.round(delay)} ms`,
        );
        await sleep(delay, request.signal);
      }
      if (request.signal?.aborted) return { ok: false, error: cancelled(request.registry) };
      if (last?.response) return { ok: true, response: last.response };
      return { ok: false, error: last?.error ?? networkError(request.registry, 'no attempt made') };
    },
    close(): void {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

/**
 * got's beforeRedirect hook: refuses downgrades and link-local hops, keeps the credential with the first origin, and
 * gives each hop the agent of its own host (its own CAs and client certificate, never the first host's).
 */
function redirectGuard(
  url: URL,
  insecureTls: boolean,
  registry: string,
  tlsStore: TlsStore,
  agentFor: AgentFor,
): (next: GotOptions) => void {
  const authOrigin = url.origin;
  return (next: GotOptions): void => {
    const target = next.url instanceof URL ? next.url : new URL(String(next.url));
    if (url.protocol === 'https:' && target.protocol !== 'https:') {
      throw new PolicyRefusal(`redirect from https to ${target.protocol.replace(':', '')} refused`);
    }
    if (target.protocol !== 'https:' && target.protocol !== 'http:')
      throw new PolicyRefusal(`redirect to ${target.protocol} refused`);
    if (isLinkLocalAddress(target.hostname))
      throw new PolicyRefusal(`redirect to link-local address ${target.hostname} refused`);
    // got drops Authorization when host or port changes between two hops; we hold every hop to the origin
    // of the first request, so a redirect chain that wanders off and back never regains the credential.
    if (target.origin !== authOrigin) {
      const headers = next.headers as Record<string, string | undefined>;
      for (const name of Object.keys(headers)) {
        if (name.toLowerCase() === 'authorization' || name.toLowerCase() === 'cookie') delete headers[name];
      }
      next.username = '';
      next.password = '';
    }
    // Unverified only where the first hop was and the target is loopback without a certs.d directory of its own.
    const unverified = insecureTls && isLoopbackHost(target.host) && !tlsStore.configured(target.host);
    const agent = agentFor(target, unverified, registry);
    if (!agent.ok) throw new TlsMaterialRefusal(agent.error);
    next.agent = agent.value;
  };
}

/** Opens the stream and reads its response, within the request's byte limit, into an Attempt. */
function readResponse(
  open: () => ReturnType<Got['stream']>,
  request: HttpRequest,
  now: () => number,
  timeoutMs: number,
  tlsStore: TlsStore,
): Promise<Attempt> {
  const { registry } = request;
  const method = request.method ?? 'GET';
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const finish = (value: Attempt): void => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    const stream = open();
    const chunks: Buffer[] = [];
    let size = 0;
    let response: GotResponse | undefined;
    stream.on('response', (res: GotResponse) => {
      response = res;
      const declared = Number(res.headers['content-length']);
      if (method !== 'HEAD' && Number.isFinite(declared) && declared > request.maxBytes) {
        stream.destroy(
          new BodyTooLarge(
            `${request.what ?? 'response'} is ${formatBytes(declared)}; the limit is ${formatBytes(request.maxBytes)}`,
          ),
        );
      }
    });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > request.maxBytes) {
        stream.destroy(
          new BodyTooLarge(
            `${request.what ?? 'response'} is larger than the limit of ${formatBytes(request.maxBytes)}`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (!response) {
        finish({ kind: 'error', retryable: false, error: invalidResponse(registry, 'no response') });
        return;
      }
      const status = response.statusCode;
      const body = Buffer.concat(chunks);
      const retryable = status >= 500 || status === 408;
      const retryAfter = parseRetryAfter(response.headers['retry-after'], now());
      finish({
        kind: 'response',
        retryable,
        ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
        response: { status, headers: response.headers, body, url: response.url, attempts: 1 },
      });
    });
    stream.on('error', (error: Error & { code?: string; cause?: unknown }) => {
      finish(mapError(error, request, timeoutMs, tlsStore));
    });
  });
}

function mapError(
  error: Error & { code?: string; cause?: unknown },
  request: HttpRequest,
  timeoutMs: number,
  tlsStore: TlsStore,
): Attempt {
  const { registry } = request;
  const cause = error.cause;
  if (cause instanceof TlsMaterialRefusal) return { kind: 'error', retryable: false, error: cause.error };
  if (cause instanceof PolicyRefusal) {
    return { kind: 'error', retryable: false, error: invalidResponse(registry, cause.message) };
  }
  if (cause instanceof BodyTooLarge || error instanceof BodyTooLarge) {
    const message = cause instanceof BodyTooLarge ? cause.message : error.message;
    return { kind: 'error', retryable: false, error: invalidResponse(registry, message) };
  }
  if (request.signal?.aborted || error.name === 'AbortError' || error.name === 'CancelError') {
    return { kind: 'error', retryable: false, error: cancelled(registry) };
  }
  const code = error.code ?? (cause as { code?: string } | undefined)?.code;
  if (error.name === 'TimeoutError' || code === 'ETIMEDOUT') {
    // A timeout already spent the whole budget; retrying would triple the wait in an editor.
    return { kind: 'error', retryable: false, error: timeoutError(registry, timeoutMs / 1000) };
  }
  if (error.name === 'MaxRedirectsError' || code === 'ERR_TOO_MANY_REDIRECTS') {
    return { kind: 'error', retryable: false, error: invalidResponse(registry, 'too many redirects') };
  }
  if (code === 'ERR_LINK_LOCAL') {
    return { kind: 'error', retryable: false, error: invalidResponse(registry, error.message) };
  }
  if (isTlsErrorCode(code)) {
    const host = hostOfFailure(error, request.url);
    const { detail, advice } = describeTls(code, error.message, host, tlsStore, request.insecureTls === true);
    return { kind: 'error', retryable: false, error: tlsError(registry, detail, advice) };
  }
  if (code === 'ENOTFOUND') {
    return { kind: 'error', retryable: false, error: networkError(registry, `host ${request.url.hostname} not found`) };
  }
  const detail =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ECONNRESET'
        ? 'connection reset'
        : (code ?? error.message);
  return {
    kind: 'error',
    retryable: code === undefined || RETRYABLE_CODES.has(code) || error.name === 'ReadError',
    error: networkError(registry, detail),
  };
}

/** The host of the hop that failed (a redirect's target, if got says so), else the request's. */
function hostOfFailure(error: Error, url: URL): string {
  const current = (error as { options?: { url?: unknown } }).options?.url;
  return current instanceof URL ? current.host : url.host;
}

/**
 * TLS alerts a server sends when it wants a client certificate and got none, or not one it accepts (Go's registry
 * sends "bad certificate"; TLS 1.3 defines "certificate required"). A bare "handshake failure" says too little.
 */
const CLIENT_CERT_ALERT = /alert (bad certificate|certificate required|unknown ca|certificate unknown)/i;

/** What went wrong in words, and what to do about it (where the CA or the client certificate goes). */
function describeTls(
  code: string | undefined,
  message: string,
  host: string,
  tlsStore: TlsStore,
  insecure: boolean,
): { detail: string; advice?: string } {
  const material = insecure ? undefined : tlsStore.material(host);
  const client = material?.ok ? material.value?.client : undefined;
  const caAdvice = `put the issuing CA's certificate in ${tlsStore.caPathFor(host)} or add it to the system certificate store`;
  if (CLIENT_CERT_ALERT.test(message) || /CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE/.test(code ?? '')) {
    return client
      ? {
          detail: `${host} refused the client certificate ${client.certPath}`,
          advice: 'check that the registry trusts the CA that signed it and that it has not expired',
        }
      : {
          detail: `${host} asks for a client certificate`,
          advice: `put client.cert and client.key in ${dirname(tlsStore.caPathFor(host))}`,
        };
  }
  if (code === 'EPROTO' || code?.startsWith('ERR_SSL_'))
    return {
      detail: 'the server does not speak TLS on this port',
      advice:
        'if the registry serves plain HTTP, list it as insecure (--insecure-registry HOST:PORT, or the insecureRegistries setting)',
    };
  if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN')
    return { detail: 'self-signed certificate', advice: caAdvice };
  if (code === 'CERT_HAS_EXPIRED') return { detail: 'certificate has expired' };
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { detail: `certificate does not match the host name ${host}` };
  if (code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')
    return { detail: 'certificate issuer unknown', advice: caAdvice };
  return { detail: message };
}

/** `4 MiB`, `64 KiB`, `5.5 MiB`, `300 bytes`. */
export function formatBytes(bytes: number): string {
  const unit = (value: number, name: string): string => `${Number.isInteger(value) ? value : value.toFixed(1)} ${name}`;
  if (bytes >= MiB) return unit(bytes / MiB, 'MiB');
  if (bytes >= 1024) return unit(bytes / 1024, 'KiB');
  return `${bytes} bytes`;
}

/** A URL fit for a log line: no userinfo, no query (realm queries can carry account hints). */
export function redactUrl(url: URL | string): string {
  const u = new URL(String(url));
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** Header value as one string (first of repeated headers), or undefined. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
