// A second loopback origin for cross-origin redirect tests (a CDN, or an attacker's host): it records every request,
// including whether an Authorization header arrived (which a correct client never sends across origins), and serves
// either responses stashed for it by the fault proxy or files from a registry's storage dir (redirect middleware).
import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { resolve, sep } from 'node:path';

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path and query as received. */
  path: string;
  /** Request headers with any Authorization value replaced by `<redacted>`. */
  headers: IncomingHttpHeaders;
  hasAuthorization: boolean;
  /** `basic`, `bearer`, another lower-cased scheme, or undefined. */
  authScheme: string | undefined;
  /** Short sha256 of the Authorization value: compare tokens in assertions without holding or printing them. */
  authFingerprint: string | undefined;
  /** Status sent (0 while in flight or when the connection was dropped). */
  status: number;
  /** With `tls`: the subject CN of the client certificate the request's connection presented, if any. */
  clientCertificate?: string;
}

export interface RequestFilter {
  method?: string;
  /** Exact path (query included), or a pattern tested against it. */
  path?: string | RegExp;
  hasAuthorization?: boolean;
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

/** Builds the record for a request: never keeps the Authorization value itself. */
export function recordOf(
  seq: number,
  method: string | undefined,
  path: string | undefined,
  headers: IncomingHttpHeaders,
): RecordedRequest {
  const authorization = headers.authorization;
  return {
    seq,
    method: method ?? 'GET',
    path: path ?? '/',
    headers: authorization === undefined ? { ...headers } : { ...headers, authorization: '<redacted>' },
    hasAuthorization: authorization !== undefined,
    authScheme: authorization?.split(/\s+/, 1)[0]?.toLowerCase(),
    authFingerprint: authorization === undefined ? undefined : fingerprint(authorization),
    status: 0,
  };
}

export function matchesRequest(record: RecordedRequest, filter: RequestFilter = {}): boolean {
  if (filter.method !== undefined && record.method !== filter.method) return false;
  if (typeof filter.path === 'string' && record.path !== filter.path) return false;
  if (filter.path instanceof RegExp && !filter.path.test(record.path)) return false;
  if (filter.hasAuthorization !== undefined && record.hasAuthorization !== filter.hasAuthorization) return false;
  return true;
}

export interface StashedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface EvilOrigin {
  /** `http://127.0.0.1:PORT`: same host as the registry, another port, hence another origin. */
  url: string;
  /** The same server named `localhost`: a different host name too. */
  localhostUrl: string;
  port: number;
  /** Serve GETs for `<root>/<path>` (the registry's storage dir, for `redirectBlobsTo`). */
  serveFrom(root: string): void;
  /** Serve `response` once at the returned path (used by the fault proxy's redirect fault). */
  stash(response: StashedResponse, originalPath: string): string;
  requests(filter?: RequestFilter): RecordedRequest[];
  count(filter?: RequestFilter): number;
  stop(): Promise<void>;
}

const STASH_PREFIX = '/stash/';

export interface EvilOriginOptions {
  /** Serve HTTPS with this certificate (SANs IP:127.0.0.1, DNS:localhost), asking every client for a certificate
   * (never requiring one) so a test sees whether one was presented. */
  tls?: { cert: string; key: string };
}

/** The CN of the certificate a TLS client presented, or undefined (none, or plain HTTP). */
function presented(req: IncomingMessage): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return Array.isArray(cn) ? cn.join(',') : cn;
}

export async function startEvilOrigin(options: EvilOriginOptions = {}): Promise<EvilOrigin> {
  const log: RecordedRequest[] = [];
  const stashed = new Map<string, StashedResponse>();
  let root: string | undefined;

  async function answer(method: string, path: string): Promise<StashedResponse> {
    const pathname = new URL(path, 'http://evil.invalid').pathname;
    if (pathname.startsWith(STASH_PREFIX)) {
      const id = pathname.slice(STASH_PREFIX.length).split('/', 1)[0] ?? '';
      const hit = stashed.get(id);
      stashed.delete(id);
      if (hit) return hit;
    } else if (root !== undefined && (method === 'GET' || method === 'HEAD')) {
      const file = resolve(root, `.${decodeURIComponent(pathname)}`);
      if (file.startsWith(root + sep)) {
        try {
          return { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: await readFile(file) };
        } catch {
          // fall through to 404
        }
      }
    }
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: Buffer.from('not here\n') };
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const record = recordOf(log.length + 1, req.method, req.url, req.headers);
    const cn = presented(req);
    if (cn !== undefined) record.clientCertificate = cn;
    log.push(record);
    req.resume();
    answer(record.method, record.path)
      .then((reply) => {
        record.status = reply.status;
        res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.body.length) });
        res.end(record.method === 'HEAD' ? undefined : reply.body);
      })
      .catch(() => res.destroy());
  };
  const server: Server = options.tls
    ? createTlsServer({ ...options.tls, requestCert: true, rejectUnauthorized: false }, handler)
    : createServer(handler);
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let stopped: Promise<void> | undefined;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    localhostUrl: `${options.tls ? 'https' : 'http'}://localhost:${port}`,
    port,
    serveFrom(dir) {
      root = resolve(dir);
    },
    stash(response, originalPath) {
      const id = randomUUID();
      stashed.set(id, response);
      return `${STASH_PREFIX}${id}${originalPath}`;
    },
    requests: (filter) => log.filter((r) => matchesRequest(r, filter)),
    count: (filter) => log.filter((r) => matchesRequest(r, filter)).length,
    stop() {
      stopped ??= new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      });
      return stopped;
    },
  };
}
