// A Docker token server (distribution's `auth.token`) for integration tests: GET /token with optional Basic auth,
// POST /token for OAuth2 refresh_token / password grants. Tokens are ES256 JWTs whose `x5c` header carries a
// self-signed P-256 certificate that is also the registry's rootcertbundle (verified against distribution 2.8.2).
import { spawnSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exitHooks';
import type { TokenAuthConfig } from './registry';

export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

export interface AccessEntry {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenServerOptions {
  service?: string;
  issuer?: string;
  /** Basic-auth users (name → password). Wrong credentials get 401. */
  users?: Record<string, string>;
  /** Grant `pull` to requests without credentials (Docker Hub / ghcr.io style). Default true. */
  anonymousPull?: boolean;
  /** Token lifetime in seconds: the JWT's exp and the `expires_in` field. Default 300. */
  expiresIn?: number;
  /** Refresh tokens accepted by POST grant_type=refresh_token (token → user). */
  refreshTokens?: Record<string, string>;
  /** Serve HTTPS with this certificate (test/support/pki.ts; SAN DNS:localhost), at `https://localhost:PORT`. */
  tls?: { cert: string; key: string };
}

/** What the server saw, for assertions. The Authorization value is kept for comparison only: never print it. */
export interface TokenRequest {
  method: string;
  /** Path and query, e.g. `/token?service=…&scope=repository:a:pull`. */
  url: string;
  service: string | undefined;
  scopes: string[];
  /** Who the request authenticated as (Basic user, refresh-token owner), undefined when anonymous or rejected. */
  subject: string | undefined;
  authorization: string | undefined;
  grantType: string | undefined;
  status: number;
}

/** Knobs tests may change between requests. */
export interface TokenBehaviour {
  expiresIn: number;
  /** Leave `expires_in` out of the response (the client must assume 60 s). */
  omitExpiresIn: boolean;
  /** Which token fields the JSON carries. */
  fields: 'both' | 'token' | 'access_token';
  /** Answer the next `times` requests with this status and body instead of a token. */
  fail?: { status: number; body?: string; headers?: Record<string, string>; times: number };
  /** Override what each request is granted (e.g. return [] to provoke insufficient_scope). */
  grant?: (subject: string | undefined, scopes: Scope[]) => AccessEntry[];
}

export interface TokenServer {
  /** `http://127.0.0.1:PORT` (`https://localhost:PORT` with `tls`) */
  url: string;
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate the registry trusts (rootcertbundle). */
  rootCertBundlePath: string;
  /** Ready to pass as `startRegistry({ auth: { token: server.registryAuth } })`. */
  registryAuth: TokenAuthConfig;
  behaviour: TokenBehaviour;
  requests(): TokenRequest[];
  requestCount(filter?: { method?: string; scope?: string; anonymous?: boolean }): number;
  lastAuthorization(): string | undefined;
  /** Sign a token directly (no HTTP round trip, not counted): for seeding and for hand-made bad tokens. */
  mint(claims: {
    sub?: string;
    access: AccessEntry[];
    expiresIn?: number;
    aud?: string | string[];
    iss?: string;
  }): string;
  /** An auth-header provider for seed.ts: a token for `sub` with every action on the requested scope. */
  seedAuth(sub?: string): (scope: string) => string;
  stop(): Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Self-signed P-256 certificate + key via the openssl CLI (node:crypto cannot make certificates). */
function makeSigningCert(dir: string): { key: KeyObject; certDer: Buffer; certPath: string } {
  const keyPath = join(dir, 'signer.key');
  const certPath = join(dir, 'signer.crt');
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=digest-pin test token signer',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { encoding: 'utf8' },
  );
  if (result.error || result.status !== 0) {
    throw new Error(`openssl could not make the token signing certificate: ${result.error?.message ?? result.stderr}`);
  }
  const certPem = readFileSync(certPath, 'utf8');
  return { key: createPrivateKey(readFileSync(keyPath)), certDer: new X509Certificate(certPem).raw, certPath };
}

/** `repository:name:pull,push` → parts. Names never contain `:` but other types' names may: type first, actions last. */
export function parseScope(scope: string): Scope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'digest-pin-token-'));
  const unhook = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const { key, certDer, certPath } = makeSigningCert(dir);
  const service = options.service ?? 'digest-pin-test-registry';
  const issuer = options.issuer ?? 'digest-pin-test-issuer';
  const users = options.users ?? {};
  const anonymousPull = options.anonymousPull ?? true;
  const refreshTokens = new Map(Object.entries(options.refreshTokens ?? {}));
  const log: TokenRequest[] = [];
  const behaviour: TokenBehaviour = { expiresIn: options.expiresIn ?? 300, omitExpiresIn: false, fields: 'both' };

  function mint(claims: {
    sub?: string;
    access: AccessEntry[];
    expiresIn?: number;
    aud?: string | string[];
    iss?: string;
  }): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'ES256', x5c: [certDer.toString('base64')] };
    const payload = {
      iss: claims.iss ?? issuer,
      sub: claims.sub ?? '',
      aud: claims.aud ?? service,
      exp: now + (claims.expiresIn ?? behaviour.expiresIn),
      nbf: now - 1,
      iat: now,
      jti: randomUUID(),
      access: claims.access,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    // JWS ES256 wants the raw r||s pair, not DER.
    const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${base64url(signature)}`;
  }

  function defaultGrant(subject: string | undefined, scopes: Scope[]): AccessEntry[] {
    return scopes.flatMap((scope) => {
      const actions =
        subject !== undefined ? scope.actions : anonymousPull ? scope.actions.filter((a) => a === 'pull') : [];
      return actions.length ? [{ type: scope.type, name: scope.name, actions }] : [];
    });
  }

  function tokenResponse(subject: string | undefined, scopes: Scope[], extra: Record<string, unknown> = {}) {
    const access = (behaviour.grant ?? defaultGrant)(subject, scopes);
    const token = mint({ sub: subject ?? '', access });
    const body: Record<string, unknown> = { issued_at: new Date().toISOString(), ...extra };
    if (behaviour.fields !== 'access_token') body['token'] = token;
    if (behaviour.fields !== 'token') body['access_token'] = token;
    if (!behaviour.omitExpiresIn) body['expires_in'] = behaviour.expiresIn;
    return body;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    const authorization = req.headers.authorization;
    const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : undefined;
    const params = form ?? url.searchParams;
    const entry: TokenRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      service: params.get('service') ?? undefined,
      scopes: params
        .getAll('scope')
        .flatMap((s) => s.split(' '))
        .filter(Boolean),
      subject: undefined,
      authorization,
      grantType: form?.get('grant_type') ?? undefined,
      status: 0,
    };
    log.push(entry);
    const reply = (status: number, body: unknown, headers?: Record<string, string>) => {
      entry.status = status;
      send(res, status, body, headers);
    };

    if (behaviour.fail && behaviour.fail.times > 0) {
      behaviour.fail.times--;
      const { status, body, headers } = behaviour.fail;
      reply(status, body ?? { errors: [{ code: 'UNAVAILABLE', message: 'forced failure' }] }, headers);
      return;
    }
    if (url.pathname !== '/token' || (req.method !== 'GET' && req.method !== 'POST')) {
      reply(404, { error: 'not found' });
      return;
    }
    if (entry.service !== service) {
      reply(400, { error: 'invalid_request', error_description: `unknown service ${entry.service ?? '(none)'}` });
      return;
    }
    const scopes = entry.scopes.flatMap((s) => parseScope(s) ?? []);

    if (form) {
      // OAuth2 (distribution oauth.md): identity-token exchange and password grant.
      const grant = entry.grantType;
      if (grant === 'refresh_token') {
        const owner = refreshTokens.get(form.get('refresh_token') ?? '');
        if (owner === undefined) return reply(401, { error: 'invalid_grant' });
        entry.subject = owner;
        return reply(200, tokenResponse(owner, scopes));
      }
      if (grant === 'password') {
        const user = form.get('username') ?? '';
        if (users[user] === undefined || users[user] !== form.get('password'))
          return reply(401, { error: 'invalid_grant' });
        entry.subject = user;
        const extra: Record<string, unknown> = {};
        if (form.get('access_type') === 'offline') {
          const refresh = randomUUID();
          refreshTokens.set(refresh, user);
          extra['refresh_token'] = refresh;
        }
        return reply(200, tokenResponse(user, scopes, extra));
      }
      return reply(400, { error: 'unsupported_grant_type' });
    }

    if (authorization !== undefined) {
      const basic = parseBasic(authorization);
      if (!basic || users[basic.user] === undefined || users[basic.user] !== basic.password) {
        return reply(
          401,
          { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] },
          {
            'www-authenticate': 'Basic realm="digest-pin-test-token"',
          },
        );
      }
      entry.subject = basic.user;
    } else if (!anonymousPull) {
      return reply(
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        {
          'www-authenticate': 'Basic realm="digest-pin-test-token"',
        },
      );
    }
    reply(200, tokenResponse(entry.subject, scopes));
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(error) });
      else res.destroy();
    });
  };
  const server: Server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  const realm = `${url}/token`;
  let stopped: Promise<void> | undefined;

  return {
    url,
    realm,
    service,
    issuer,
    rootCertBundlePath: certPath,
    registryAuth: { realm, service, issuer, rootCertBundlePath: certPath },
    behaviour,
    requests: () => [...log],
    requestCount(filter = {}) {
      return log.filter(
        (r) =>
          (filter.method === undefined || r.method === filter.method) &&
          (filter.scope === undefined || r.scopes.includes(filter.scope)) &&
          (filter.anonymous === undefined || (r.authorization === undefined) === filter.anonymous),
      ).length;
    },
    lastAuthorization: () => log.at(-1)?.authorization,
    mint,
    seedAuth(sub = 'seeder') {
      return (scope: string) => {
        const parsed = parseScope(scope);
        return `Bearer ${mint({ sub, access: parsed ? [{ type: parsed.type, name: parsed.name, actions: parsed.actions }] : [] })}`;
      };
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          unhook();
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      });
      return stopped;
    },
  };
}
