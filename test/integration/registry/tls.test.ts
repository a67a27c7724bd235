// Private CAs and client certificates against the real registry serving TLS (distribution's http.tls) with a CA made
// here: certs.d read as Docker reads it, a loopback registry verified once it has a certs.d directory, a token
// service on another host verified with that host's directory, a registry that requires a client certificate, and a
// blob redirect to another host that gets that host's own TLS material — never the registry's client certificate.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { anonymousCredentials, createRegistryClient, explain } from '../../../server/src/registry';
import { TlsStore } from '../../../server/src/registry/certificates';
import { createHttpTransport } from '../../../server/src/registry/http';
import type { EvilOrigin } from '../support/evilOrigin';
import { startRegistry, type Registry } from '../support/registry';
import { pushImage, type PushedImage } from '../support/seed';
import { startTokenServer, type TokenServer } from '../support/tokenServer';
import type { Ca, Issued } from '../../support/pki';
import { certsD as certsDUnder, mutualCertsD, startTlsRegistries, type TlsRegistries } from '../support/tlsRegistries';
import { FAST, error, recordingLogger, ref, value } from './support';

let tmp: string;
let corp: Ca;
let stranger: Ca;
let server: Issued;
let client: Issued;
let strangerClient: Issued;
let open: Registry;
let mutual: Registry;
let storage: EvilOrigin;
let openImage: PushedImage;
let mutualImage: PushedImage;

let tls: TlsRegistries;

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-tls-'));
  tls = await startTlsRegistries(tmp);
  ({ corp, stranger, server, client, open, mutual, storage } = tls);
  strangerClient = stranger.issue('outsider', 'client');
  openImage = await pushImage(open, 'corp/app', '1.0', { format: 'oci' });
  mutualImage = await pushImage(mutual, 'corp/app', '1.0', { format: 'oci' });
});
after(async () => {
  await tls?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const certsD = (files: Record<string, string | null>): string => certsDUnder(tmp, files);

const clientWith = (certsDirs: string[]) =>
  createRegistryClient({ credentials: anonymousCredentials, logger: recordingLogger(), ...FAST, certsDirs });

describe('a registry signed by a private CA', () => {
  it('loopback without a certs.d directory is not verified, as in Docker (127.0.0.0/8 is insecure by default)', async () => {
    const c = clientWith([certsD({})]);
    assert.equal(value(await c.resolve(ref(openImage.ref))).digest, openImage.digest);
    await c.close();
  });

  it('with a certs.d directory it is verified: a CA that did not sign it is "issuer unknown", with where the CA goes', async () => {
    const dirs = certsD({ [`${open.host}/ca.crt`]: stranger.cert });
    const c = clientWith([dirs]);
    const seen = await open.requestCount();
    const e = error(await c.resolve(ref(openImage.ref)));
    assert.equal(e.kind, 'tls');
    assert.equal(
      explain(e),
      `TLS connection to ${open.host} failed: certificate issuer unknown; put the issuing CA's certificate in ${join(dirs, open.host, 'ca.crt')} or add it to the system certificate store`,
    );
    assert.equal(await open.requestCount(), seen, 'no request reached the API');
    await c.close();
  });

  it('its CA in <certs.d>/<host:port>/ca.crt: the digest is the one pushed', async () => {
    const c = clientWith([join(tmp, 'absent'), certsD({ [`${open.host}/ca.crt`]: corp.cert })]);
    assert.equal(value(await c.resolve(ref(openImage.ref))).digest, openImage.digest);
    await c.close();
  });

  it('a broken certs.d entry is a tls error naming the file', async () => {
    const dirs = certsD({ [`${open.host}/ca.crt`]: corp.cert, [`${open.host}/client.cert`]: client.cert });
    const c = clientWith([dirs]);
    const e = error(await c.resolve(ref(openImage.ref)));
    assert.deepEqual(
      [e.kind, e.message],
      [
        'tls',
        `the client certificate ${join(dirs, open.host, 'client.cert')} has no key client.key beside it (a CA certificate must end in .crt)`,
      ],
    );
    await c.close();
  });
});

describe("the system's CA store", () => {
  it("a CA only the system store holds verifies the registry (Node's bundled roots do not have it)", async () => {
    const verify = (systemCas: string[]) => {
      // an empty certs.d directory: the loopback registry is verified, with no CA of its own
      const tls = new TlsStore({
        dirs: [certsD({ [open.host]: null })],
        readSystem: () => ({ certificates: systemCas, source: 'test' }),
      });
      const http = createHttpTransport({ retries: 0, tls });
      return http
        .request({ url: new URL(`${open.url}/v2/`), maxBytes: 1024, registry: open.host })
        .finally(() => http.close());
    };
    const trusted = await verify([corp.cert]);
    assert.equal(trusted.ok && trusted.response.status, 200);
    const untrusted = await verify([stranger.cert]);
    assert.equal(!untrusted.ok && untrusted.error.kind, 'tls');
  });
});

describe('a token service signed by a private CA', () => {
  let tokens: TokenServer;
  let registry: Registry;
  let image: PushedImage;
  before(async () => {
    tokens = await startTokenServer({ tls: { cert: server.cert, key: server.key } });
    registry = await startRegistry({ auth: { token: tokens.registryAuth } });
    image = await pushImage({ ...registry, auth: tokens.seedAuth() }, 'corp/app', '1.0', { format: 'oci' });
  });
  after(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it("is verified with its own host's certs.d directory, as the registry is with its own", async () => {
    const tokenHost = new URL(tokens.url).host;
    const without = clientWith([certsD({})]);
    const e = error(await without.resolve(ref(image.ref)));
    assert.equal(e.kind, 'tls');
    assert.match(explain(e), /certificate issuer unknown/);
    assert.match(explain(e), new RegExp(`${tokenHost}/ca.crt`));
    await without.close();

    const withCa = clientWith([certsD({ [`${tokenHost}/ca.crt`]: corp.cert })]);
    assert.equal(value(await withCa.resolve(ref(image.ref))).digest, image.digest);
    assert.ok(
      tokens.requests().some((r) => r.status === 200),
      'the token came from the TLS token service',
    );
    await withCa.close();
  });
});

describe('a registry requiring a client certificate', () => {
  it('without one: the registry asks for it, and the message says where it goes', async () => {
    const dirs = certsD({ [`${mutual.host}/ca.crt`]: corp.cert });
    const c = clientWith([dirs]);
    const e = error(await c.resolve(ref(mutualImage.ref)));
    assert.equal(
      explain(e),
      `TLS connection to ${mutual.host} failed: ${mutual.host} asks for a client certificate; put client.cert and client.key in ${join(dirs, mutual.host)}`,
    );
    await c.close();
  });

  it('with one it does not trust: refused, naming the certificate', async () => {
    const dirs = certsD({
      [`${mutual.host}/ca.crt`]: corp.cert,
      [`${mutual.host}/client.cert`]: strangerClient.cert,
      [`${mutual.host}/client.key`]: strangerClient.key,
    });
    const c = clientWith([dirs]);
    const e = error(await c.resolve(ref(mutualImage.ref)));
    assert.match(explain(e), new RegExp(`refused the client certificate ${join(dirs, mutual.host, 'client.cert')}`));
    await c.close();
  });

  it('with client.cert and client.key: resolves; a blob redirect to another host presents no client certificate', async () => {
    const { dirs } = mutualCertsD(tls, tmp);
    const c = clientWith([dirs]);
    assert.equal(value(await c.resolve(ref(mutualImage.ref))).digest, mutualImage.digest);
    const before = storage.count();
    const described = value(await c.describe(ref(mutualImage.ref), mutualImage.digest));
    assert.ok(described.created, 'the config blob was read through the redirect');
    const hops = storage.requests().slice(before);
    assert.ok(hops.length > 0, 'the blob came from the storage host');
    assert.deepEqual(
      hops.map((r) => r.clientCertificate),
      hops.map(() => undefined),
    );
    await c.close();
  });

  it("the storage host's own client certificate is the one it gets; the registry's CA vouches for no other host", async () => {
    const storageHost = new URL(storage.localhostUrl).host;
    const withOwn = certsD({
      [`${mutual.host}/ca.crt`]: corp.cert,
      [`${mutual.host}/client.cert`]: client.cert,
      [`${mutual.host}/client.key`]: client.key,
      [`${storageHost}/ca.crt`]: corp.cert,
      [`${storageHost}/client.cert`]: strangerClient.cert,
      [`${storageHost}/client.key`]: strangerClient.key,
    });
    const c = clientWith([withOwn]);
    const before = storage.count();
    value(await c.describe(ref(mutualImage.ref), mutualImage.digest));
    const hops = storage.requests().slice(before);
    assert.ok(hops.length > 0);
    assert.deepEqual(new Set(hops.map((r) => r.clientCertificate)), new Set(['outsider']));
    await c.close();

    // Without a directory of its own, the storage host (loopback, reached from a verified registry) is verified
    // against Node's and the system's roots only: the corporate CA given for the registry does not extend to it.
    const registryOnly = certsD({
      [`${mutual.host}/ca.crt`]: corp.cert,
      [`${mutual.host}/client.cert`]: client.cert,
      [`${mutual.host}/client.key`]: client.key,
    });
    const d = clientWith([registryOnly]);
    const e = error(await d.describe(ref(mutualImage.ref), mutualImage.digest));
    assert.equal(e.kind, 'tls');
    assert.match(explain(e), /certificate issuer unknown/);
    assert.match(explain(e), new RegExp(join(registryOnly, storageHost, 'ca.crt')));
    await d.close();
  });
});
