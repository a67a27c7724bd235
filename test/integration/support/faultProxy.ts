// An HTTP proxy on 127.0.0.1 in front of a real registry: records every request and injects programmable faults per
// request or per path (latency, hang, reset, error statuses, bad Docker-Content-Digest headers, corrupt or oversized
// bodies, cross-origin redirects to an "evil" origin). The Host header is passed through, so the registry's upload
// Locations point back at the proxy.
import { createHash } from 'node:crypto';
import {
  Agent,
  createServer,
  request,
  STATUS_CODES,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  startEvilOrigin,
  matchesRequest,
  recordOf,
  type EvilOrigin,
  type RecordedRequest,
  type RequestFilter,
} from './evilOrigin';

export type Fault =
  /** Wait, then forward normally. */
  | { kind: 'latency'; ms: number }
  /** Never answer (the client must time out); the connection stays open until the client gives up or stop(). */
  | { kind: 'hang' }
  /** Drop the connection with a TCP RST before any response byte. */
  | { kind: 'reset' }
  /** Answer this status without asking the registry (429 + Retry-After, 503, 405 for HEAD…). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Forward, then drop / replace the Docker-Content-Digest header. */
  | { kind: 'digest'; mode: 'missing' }
  | { kind: 'digest'; mode: 'malformed'; value: string }
  /**
   * Forward, then write the response as raw HTTP with `raw` placed after `Docker-Content-Digest: ` verbatim (CR/LF
   * included; setHeader refuses them). Default: the real digest, then CRLF-injected lines `X-Injected: 1` and a
   * second Docker-Content-Digest of zeros, so clients see `sha256:<real>, sha256:000…`.
   */
  | { kind: 'digest'; mode: 'crlf'; raw?: string }
  /**
   * Forward, then set (a string) or drop (null) response headers: how other registries answer the same content
   * (Artifactory's octet-stream type, ECR's GET without Docker-Content-Digest, Docker Hub's ratelimit headers).
   */
  | { kind: 'headers'; set: Record<string, string | null> }
  /** Forward, then change one byte of the body (length and digest header unchanged). */
  | { kind: 'corruptBody' }
  /** Answer a syntactically valid manifest of `bytes` bytes with its true digest; `chunked` hides the length. */
  | { kind: 'oversized'; bytes: number; chunked?: boolean }
  /**
   * Answer `status` (default 307) with Location on another origin: `to` + path, or by default the evil origin,
   * which then serves the registry's real response once (so a client that follows still gets valid content).
   */
  | { kind: 'redirect'; status?: 301 | 302 | 303 | 307 | 308; to?: string };

export const MiB = 1024 * 1024;

/** Shorthands for the common faults. */
export const faults = {
  latency: (ms: number): Fault => ({ kind: 'latency', ms }),
  hang: (): Fault => ({ kind: 'hang' }),
  reset: (): Fault => ({ kind: 'reset' }),
  tooManyRequests: (retryAfter: string | number = 1): Fault => ({
    kind: 'status',
    status: 429,
    headers: { 'retry-after': String(retryAfter) },
    body: JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] }),
  }),
  unavailable: (retryAfter?: string | number): Fault => ({
    kind: 'status',
    status: 503,
    headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
    body: JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] }),
  }),
  methodNotAllowed: (): Fault => ({ kind: 'status', status: 405, body: '' }),
  missingDigest: (): Fault => ({ kind: 'digest', mode: 'missing' }),
  malformedDigest: (value = 'sha256:not-a-hex-digest'): Fault => ({ kind: 'digest', mode: 'malformed', value }),
  crlfDigest: (raw?: string): Fault =>
    raw === undefined ? { kind: 'digest', mode: 'crlf' } : { kind: 'digest', mode: 'crlf', raw },
  headers: (set: Record<string, string | null>): Fault => ({ kind: 'headers', set }),
  corruptBody: (): Fault => ({ kind: 'corruptBody' }),
  oversized: (bytes = 5 * MiB, chunked = false): Fault => ({ kind: 'oversized', bytes, chunked }),
  redirectToEvil: (status: 301 | 302 | 303 | 307 | 308 = 307): Fault => ({ kind: 'redirect', status }),
};

export interface FaultMatch {
  method?: string;
  /** Exact path (query included), or a pattern tested against it. */
  path?: string | RegExp;
  /** How many matching requests get the fault (default: all of them, until removed). */
  times?: number;
}

export interface InjectedFault {
  /** Requests this rule has faulted so far. */
  hits(): number;
  remove(): void;
}

export interface ProxiedRequest extends RecordedRequest {
  /** The fault applied, if any. */
  fault: Fault['kind'] | undefined;
}

export interface FaultProxy {
  /** `127.0.0.1:PORT`: use in image references instead of the registry's host. */
  host: string;
  url: string;
  port: number;
  /** The cross-origin server redirect faults point at; it records any Authorization it receives. */
  evil: EvilOrigin;
  inject(fault: Fault, match?: FaultMatch): InjectedFault;
  clearFaults(): void;
  requests(filter?: RequestFilter): ProxiedRequest[];
  count(filter?: RequestFilter): number;
  /** Forget recorded requests (e.g. after seeding through the proxy). */
  clearLog(): void;
  stop(): Promise<void>;
}

interface Rule {
  fault: Fault;
  method: string | undefined;
  path: string | RegExp | undefined;
  remaining: number;
  hits: number;
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade']);
const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function endToEndHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** A manifest-shaped JSON document of exactly `bytes` bytes (padding in an annotation). */
export function oversizedManifest(bytes: number): Buffer {
  const head =
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[],"annotations":{"padding":"';
  const tail = '"}}';
  return Buffer.from(head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail);
}

/** Same length, different bytes: bump one hex digit of the first digest in the body, else flip the middle byte. */
export function corrupt(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  const at = copy.indexOf('sha256:');
  if (at >= 0 && at + 7 < copy.length) {
    const i = at + 7;
    copy[i] = copy[i] === 0x30 ? 0x31 : 0x30;
  } else if (copy.length > 0) {
    const i = copy.length >> 1;
    copy[i] = copy[i]! ^ 0x01;
  }
  return copy;
}

export async function startFaultProxy(options: { target: string; evil?: EvilOrigin }): Promise<FaultProxy> {
  const target = new URL(options.target);
  const evil = options.evil ?? (await startEvilOrigin());
  const ownsEvil = options.evil === undefined;
  const agent = new Agent({ keepAlive: false });
  const log: ProxiedRequest[] = [];
  let rules: Rule[] = [];
  let seq = 0;

  function takeFault(method: string, path: string): Fault | undefined {
    const rule = rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === undefined || r.method === method) &&
        (r.path === undefined || (typeof r.path === 'string' ? r.path === path : r.path.test(path))),
    );
    if (!rule) return undefined;
    rule.remaining--;
    rule.hits++;
    return rule.fault;
  }

  function upstreamRequest(req: IncomingMessage, onResponse: (res: IncomingMessage) => void) {
    return request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: endToEndHeaders(req.headers),
        agent,
      },
      onResponse,
    );
  }

  /** Forward and stream the answer back untouched. */
  function pipeThrough(req: IncomingMessage, res: ServerResponse, record: ProxiedRequest): void {
    const up = upstreamRequest(req, (upRes) => {
      record.status = upRes.statusCode ?? 502;
      res.writeHead(record.status, endToEndHeaders(upRes.headers));
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  }

  /** Forward and buffer the whole answer, for faults that rewrite it. */
  function fetchUpstream(req: IncomingMessage): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const up = upstreamRequest(req, (upRes) => {
        readAll(upRes).then(
          (body) => resolve({ status: upRes.statusCode ?? 502, headers: endToEndHeaders(upRes.headers), body }),
          reject,
        );
      });
      up.on('error', reject);
      req.pipe(up);
    });
  }

  function reply(
    res: ServerResponse,
    record: ProxiedRequest,
    status: number,
    headers: IncomingHttpHeaders,
    body: Buffer,
  ): void {
    record.status = status;
    const isHead = record.method === 'HEAD';
    // HEAD keeps the upstream Content-Length (the size of the body a GET would get).
    const length = isHead && headers['content-length'] !== undefined ? headers['content-length'] : String(body.length);
    res.writeHead(status, { ...headers, 'content-length': length });
    res.end(isHead ? undefined : body);
  }

  async function applyFault(
    fault: Fault,
    req: IncomingMessage,
    res: ServerResponse,
    record: ProxiedRequest,
  ): Promise<void> {
    switch (fault.kind) {
      case 'latency':
        await delay(fault.ms);
        if (!req.socket.destroyed) pipeThrough(req, res, record);
        return;
      case 'hang':
        req.resume();
        return;
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'status': {
        req.resume();
        const body = Buffer.from(
          fault.body ??
            JSON.stringify({ errors: [{ code: 'UNKNOWN', message: STATUS_CODES[fault.status] ?? 'error' }] }),
        );
        reply(res, record, fault.status, { 'content-type': 'application/json; charset=utf-8', ...fault.headers }, body);
        return;
      }
      case 'digest': {
        const upstream = await fetchUpstream(req);
        const headers = { ...upstream.headers };
        const real = headers['docker-content-digest'];
        delete headers['docker-content-digest'];
        if (fault.mode === 'malformed') headers['docker-content-digest'] = fault.value;
        if (fault.mode !== 'crlf') return reply(res, record, upstream.status, headers, upstream.body);
        const raw = fault.raw ?? `${String(real)}\r\nX-Injected: 1\r\nDocker-Content-Digest: sha256:${'0'.repeat(64)}`;
        return writeRaw(res, record, upstream, headers, `Docker-Content-Digest: ${raw}`);
      }
      case 'headers': {
        const upstream = await fetchUpstream(req);
        const headers = { ...upstream.headers };
        for (const [name, value] of Object.entries(fault.set)) {
          if (value === null) delete headers[name.toLowerCase()];
          else headers[name.toLowerCase()] = value;
        }
        return reply(res, record, upstream.status, headers, upstream.body);
      }
      case 'corruptBody': {
        const upstream = await fetchUpstream(req);
        return reply(res, record, upstream.status, upstream.headers, corrupt(upstream.body));
      }
      case 'oversized': {
        req.resume();
        const body = oversizedManifest(fault.bytes);
        const headers: IncomingHttpHeaders = {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': sha256(body),
        };
        if (!fault.chunked) return reply(res, record, 200, { ...headers, 'content-length': String(body.length) }, body);
        record.status = 200;
        res.writeHead(200, headers); // no Content-Length: node sends it chunked
        if (record.method === 'HEAD') return void res.end();
        for (let at = 0; at < body.length; at += 64 * 1024) res.write(body.subarray(at, at + 64 * 1024));
        res.end();
        return;
      }
      case 'redirect': {
        let location: string;
        if (fault.to !== undefined) {
          req.resume();
          location = new URL(record.path, fault.to).toString();
        } else {
          const upstream = await fetchUpstream(req);
          const headers = Object.fromEntries(
            Object.entries(upstream.headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
          );
          location = `${evil.url}${evil.stash({ status: upstream.status, headers, body: upstream.body }, record.path)}`;
        }
        return reply(res, record, fault.status ?? 307, { location, 'content-type': 'text/plain' }, Buffer.from(''));
      }
    }
  }

  /** Raw HTTP/1.1 on the socket: the only way to send header bytes node's setHeader rejects. */
  function writeRaw(
    res: ServerResponse,
    record: ProxiedRequest,
    upstream: Upstream,
    headers: IncomingHttpHeaders,
    extraLine: string,
  ): void {
    record.status = upstream.status;
    const lines = [`HTTP/1.1 ${upstream.status} ${STATUS_CODES[upstream.status] ?? 'Unknown'}`];
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || name === 'content-length') continue;
      for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
    }
    const length =
      record.method === 'HEAD'
        ? (headers['content-length'] ?? String(upstream.body.length))
        : String(upstream.body.length);
    lines.push(extraLine, `content-length: ${length}`, 'connection: close', '', '');
    const socket = res.socket;
    if (!socket) return;
    socket.write(lines.join('\r\n'));
    if (record.method === 'HEAD') socket.end();
    else socket.end(upstream.body);
  }

  const server: Server = createServer((req, res) => {
    const record: ProxiedRequest = { ...recordOf(++seq, req.method, req.url, req.headers), fault: undefined };
    log.push(record);
    const fault = takeFault(record.method, record.path);
    if (!fault) return pipeThrough(req, res, record);
    record.fault = fault.kind;
    applyFault(fault, req, res, record).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopped: Promise<void> | undefined;

  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    port,
    evil,
    inject(fault, match = {}) {
      const rule: Rule = { fault, method: match.method, path: match.path, remaining: match.times ?? Infinity, hits: 0 };
      rules.push(rule);
      return {
        hits: () => rule.hits,
        remove: () => {
          rules = rules.filter((r) => r !== rule);
        },
      };
    },
    clearFaults() {
      rules = [];
    },
    requests: (filter) => log.filter((r) => matchesRequest(r, filter)),
    count: (filter) => log.filter((r) => matchesRequest(r, filter)).length,
    clearLog() {
      log.length = 0;
    },
    stop() {
      stopped ??= (async () => {
        await new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
        agent.destroy();
        if (ownsEvil) await evil.stop();
      })();
      return stopped;
    },
  };
}
