// Transport behaviour the real (plain-HTTP, loopback) registry cannot show, against stub servers on 127.0.0.1:
// an HTTPS origin redirecting to HTTP (downgrade refused), a self-signed certificate (TLS error), a CONNECT proxy
// (HTTPS_PROXY / HTTP_PROXY honoured for non-loopback hosts; a host's certs.d CA and client certificate carried
// through the tunnel), an oversized token response, and a redirect chain that leaves the origin and comes back
// (Authorization does not come back with it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { TlsStore } from '../../../server/src/registry/certificates';
import { createHttpTransport, TOKEN_LIMIT, type HttpResult } from '../../../server/src/registry/http';
import { makeCa } from '../../support/pki';

let dir: string;
let key: Buffer;
let cert: Buffer;
const servers: Server[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'digest-pin-transport-'));
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
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl: ${result.stderr}`);
  key = readFileSync(join(dir, 'k.pem'));
  cert = readFileSync(join(dir, 'c.pem'));
});
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Stub {
  port: number;
  seen: Array<{ url: string; authorization: string | undefined }>;
}

async function listen(server: Server, seen: Stub['seen']): Promise<Stub> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, seen };
}
function httpStub(handler: Handler): Promise<Stub> {
  const seen: Stub['seen'] = [];
  return listen(
    createHttpServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      handler(req, res);
    }),
    seen,
  );
}
function httpsStub(handler: Handler): Promise<Stub> {
  const seen: Stub['seen'] = [];
  return listen(
    createHttpsServer({ key, cert }, (req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      handler(req, res);
    }),
    seen,
  );
}
const answer =
  (status: number, headers: Record<string, string> = {}, body = ''): Handler =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
const failed = (result: HttpResult) =>
  result.ok ? `HTTP ${result.response.status}` : `${result.error.kind}: ${result.error.message}`;

describe('TLS', () => {
  it('https → http redirect is refused, the http origin is never contacted', async () => {
    const plain = await httpStub(answer(200, {}, 'should not be reached'));
    const secure = await httpsStub(answer(302, { location: `http://127.0.0.1:${plain.port}/v2/x` }));
    const http = createHttpTransport({ retries: 0 });
    const result = await http.request({
      url: new URL(`https://127.0.0.1:${secure.port}/v2/x`),
      maxBytes: 1024,
      registry: 'reg',
      insecureTls: true,
    });
    assert.equal(failed(result), 'invalid-response: reg sent an invalid response: redirect from https to http refused');
    assert.equal(plain.seen.length, 0);
    http.close();
  });
  it('a self-signed certificate is a TLS error when verification is on', async () => {
    const secure = await httpsStub(answer(200));
    const certsDir = join(dir, 'certs.d');
    const http = createHttpTransport({ retries: 0, tls: new TlsStore({ dirs: [certsDir] }) });
    const result = await http.request({
      url: new URL(`https://127.0.0.1:${secure.port}/v2/`),
      maxBytes: 1024,
      registry: 'reg',
    });
    assert.equal(
      failed(result),
      `tls: TLS connection to reg failed: self-signed certificate; put the issuing CA's certificate in ${certsDir}/127.0.0.1:${secure.port}/ca.crt or add it to the system certificate store`,
    );
    assert.equal(secure.seen.length, 0);
    http.close();
  });
  it('a self-signed registry certificate copied to <certs.d>/<host:port>/ca.crt is trusted, as in Docker', async () => {
    const secure = await httpsStub(answer(200));
    const certsDir = join(dir, 'self-signed-certs.d');
    mkdirSync(join(certsDir, `127.0.0.1:${secure.port}`), { recursive: true });
    writeFileSync(join(certsDir, `127.0.0.1:${secure.port}`, 'ca.crt'), cert);
    const http = createHttpTransport({ retries: 0, tls: new TlsStore({ dirs: [certsDir], systemStore: false }) });
    const result = await http.request({
      url: new URL(`https://127.0.0.1:${secure.port}/v2/`),
      maxBytes: 1024,
      registry: 'reg',
    });
    assert.equal(failed(result), 'HTTP 200');
    http.close();
  });
  it('a host name goes through the guarded DNS lookup and connects', async () => {
    const plain = await httpStub(answer(200));
    const http = createHttpTransport({ retries: 0 });
    const result = await http.request({
      url: new URL(`http://localhost:${plain.port}/v2/`),
      maxBytes: 1024,
      registry: 'reg',
    });
    assert.equal(failed(result), 'HTTP 200');
    http.close();
  });
  it('an HTTP server on an HTTPS URL is a TLS error (what the loopback fallback keys on)', async () => {
    const plain = await httpStub(answer(200));
    const http = createHttpTransport({ retries: 0 });
    const result = await http.request({
      url: new URL(`https://127.0.0.1:${plain.port}/v2/`),
      maxBytes: 1024,
      registry: 'reg',
      insecureTls: true,
    });
    assert.equal(
      failed(result),
      'tls: TLS connection to reg failed: the server does not speak TLS on this port; if the registry serves plain HTTP, list it as insecure (--insecure-registry HOST:PORT, or the insecureRegistries setting)',
    );
    http.close();
  });
});

describe('proxies', () => {
  /** A CONNECT proxy that tunnels every target to one local port and records what it was asked for. */
  async function connectProxy(to: number): Promise<{ port: number; connects: string[] }> {
    const connects: string[] = [];
    const server = createHttpServer((_req, res) => answer(405)(_req, res));
    server.on('connect', (req: IncomingMessage, socket, head: Buffer) => {
      connects.push(req.url ?? '');
      const upstream = connect(to, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    const stub = await listen(server, []);
    return { port: stub.port, connects };
  }

  it('HTTPS_PROXY: an https registry is reached through CONNECT', async () => {
    const secure = await httpsStub(answer(200, { 'docker-content-digest': 'sha256:x' }));
    const proxy = await connectProxy(secure.port);
    const http = createHttpTransport({ retries: 0, env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` } });
    const result = await http.request({
      url: new URL(`https://registry.test:${secure.port}/v2/`),
      maxBytes: 1024,
      registry: 'registry.test',
      insecureTls: true,
    });
    assert.deepEqual([failed(result), proxy.connects], ['HTTP 200', [`registry.test:${secure.port}`]]);
    http.close();
  });
  it("HTTPS_PROXY: a registry's certs.d CA and client certificate go through the tunnel", async () => {
    const ca = makeCa(dir, 'proxied');
    const server = ca.issue('registry', { server: ['DNS:registry.test'] });
    const client = ca.issue('client', 'client');
    const presented: Array<string | undefined> = [];
    const secure = await listen(
      createHttpsServer(
        { key: server.key, cert: server.cert, requestCert: true, rejectUnauthorized: false },
        (req, res) => {
          const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN;
          presented.push(Array.isArray(cn) ? cn.join(',') : cn);
          answer(200)(req, res);
        },
      ),
      [],
    );
    const proxy = await connectProxy(secure.port);
    const host = `registry.test:${secure.port}`;
    const certsDir = join(dir, 'proxied-certs.d');
    mkdirSync(join(certsDir, host), { recursive: true });
    writeFileSync(join(certsDir, host, 'ca.crt'), ca.cert);
    writeFileSync(join(certsDir, host, 'client.cert'), client.cert);
    writeFileSync(join(certsDir, host, 'client.key'), client.key);
    const http = createHttpTransport({
      retries: 0,
      env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` },
      tls: new TlsStore({ dirs: [certsDir], systemStore: false }),
    });
    const result = await http.request({ url: new URL(`https://${host}/v2/`), maxBytes: 1024, registry: host });
    assert.deepEqual([failed(result), proxy.connects, presented], ['HTTP 200', [host], ['client']]);
    http.close();
  });
  it('HTTP_PROXY: a plain-HTTP registry is reached through the proxy too', async () => {
    const plain = await httpStub(answer(200));
    const proxy = await connectProxy(plain.port);
    const http = createHttpTransport({ retries: 0, env: { HTTP_PROXY: `http://127.0.0.1:${proxy.port}` } });
    const result = await http.request({
      url: new URL(`http://registry.test:${plain.port}/v2/`),
      maxBytes: 1024,
      registry: 'registry.test',
    });
    assert.deepEqual([failed(result), proxy.connects], ['HTTP 200', [`registry.test:${plain.port}`]]);
    http.close();
  });
  it('loopback registries bypass the proxy', async () => {
    const plain = await httpStub(answer(200));
    const proxy = await connectProxy(plain.port);
    const http = createHttpTransport({ retries: 0, env: { HTTP_PROXY: `http://127.0.0.1:${proxy.port}` } });
    const result = await http.request({
      url: new URL(`http://127.0.0.1:${plain.port}/v2/`),
      maxBytes: 1024,
      registry: 'reg',
    });
    assert.deepEqual([failed(result), proxy.connects], ['HTTP 200', []]);
    http.close();
  });
});

describe('limits and redirects', () => {
  it('a token response over 64 KiB (chunked) is refused', async () => {
    const big = await httpStub((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"token":"');
      res.write('x'.repeat(TOKEN_LIMIT));
      res.end('"}');
    });
    const http = createHttpTransport({ retries: 0 });
    const result = await http.request({
      url: new URL(`http://127.0.0.1:${big.port}/token`),
      maxBytes: TOKEN_LIMIT,
      what: 'token response',
      registry: 'reg',
    });
    assert.equal(
      failed(result),
      'invalid-response: reg sent an invalid response: token response is larger than the limit of 64 KiB',
    );
    http.close();
  });
  it('Authorization stays with the first origin: not sent to the other origin, not restored on the way back', async () => {
    const first = { port: 0 };
    const b = await httpStub((req, res) => answer(307, { location: `http://127.0.0.1:${first.port}/final` })(req, res));
    const a = await httpStub((req, res) =>
      req.url === '/final'
        ? answer(200, {}, 'ok')(req, res)
        : answer(307, { location: `http://127.0.0.1:${b.port}/hop` })(req, res),
    );
    first.port = a.port;
    const http = createHttpTransport({ retries: 0 });
    const result = await http.request({
      url: new URL(`http://127.0.0.1:${a.port}/start`),
      headers: { authorization: 'Bearer SECRET-TOKEN' },
      maxBytes: 1024,
      registry: 'reg',
    });
    assert.equal(failed(result), 'HTTP 200');
    assert.deepEqual(
      [a.seen, b.seen],
      [
        [
          { url: '/start', authorization: 'Bearer SECRET-TOKEN' },
          { url: '/final', authorization: undefined },
        ],
        [{ url: '/hop', authorization: undefined }],
      ],
    );
    http.close();
  });
  it('retries honour a short Retry-After on 503 and give up on a long one', async () => {
    let calls = 0;
    const flaky = await httpStub((req, res) => {
      calls++;
      answer(503, { 'retry-after': req.url === '/long' ? '3600' : '0' })(req, res);
    });
    const delays: number[] = [];
    const http = createHttpTransport({
      retries: 2,
      retryBaseMs: 10,
      random: () => 0.5,
      sleep: async (ms) => void delays.push(ms),
    });
    const short = await http.request({
      url: new URL(`http://127.0.0.1:${flaky.port}/short`),
      maxBytes: 1024,
      registry: 'reg',
    });
    assert.deepEqual([failed(short), calls, delays], ['HTTP 503', 3, [10, 20]]);
    calls = 0;
    delays.length = 0;
    const long = await http.request({
      url: new URL(`http://127.0.0.1:${flaky.port}/long`),
      maxBytes: 1024,
      registry: 'reg',
    });
    assert.deepEqual([failed(long), calls, delays], ['HTTP 503', 1, []]);
    http.close();
  });
});
