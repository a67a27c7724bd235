// Faults the real registry cannot produce, injected by the harness's proxy in front of it: latency, hangs, resets,
// 429 / 503, 405 on HEAD, missing / malformed / CRLF-injected digest headers, corrupt and oversized bodies,
// redirects (cross-origin: Authorization must not follow; link-local: refused). Exact error kinds, messages and
// request counts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  anonymousCredentials,
  createRegistryClient,
  explain,
  staticCredentials,
  type RegistryClientOptions,
} from '../../../server/src/registry';
import { faults, MiB } from '../support/faultProxy';
import { DEFAULT_CREATED } from '../support/seed';
import { SETUP_USER } from '../support/setup';
import { FAST, error, recordingLogger, ref, value, useSeededProxy } from './support';

const seeded = useSeededProxy('digest-pin-faults-');

const proxy = () => seeded.setup.proxy!;
const client = (options: RegistryClientOptions = {}) =>
  createRegistryClient({ credentials: anonymousCredentials, logger: recordingLogger(), ...FAST, ...options });
const image = () => seeded.setup.fixtures.ociImage;
const tagPath = () => `/v2/${image().repo}/manifests/1.0`;
const host = () => seeded.setup.host;

describe('transport faults', () => {
  it('latency: still resolves', async () => {
    proxy().inject(faults.latency(300), { method: 'HEAD' });
    const c = client();
    const started = Date.now();
    assert.equal(value(await c.resolve(ref(image().ref))).digest, image().digest);
    assert.ok(Date.now() - started >= 300);
    await c.close();
  });

  it('hang: timeout after the configured time, not retried', async () => {
    proxy().inject(faults.hang(), { method: 'HEAD' });
    const c = client({ timeoutMs: 400 });
    const started = Date.now();
    const e = error(await c.resolve(ref(image().ref)));
    assert.deepEqual(
      [e.kind, e.message],
      ['timeout', `${host()} did not answer within 1 s; check the network or raise the timeout`],
    );
    assert.ok(Date.now() - started < 2000);
    assert.equal(proxy().count({ method: 'HEAD' }), 1);
    await c.close();
  });

  it('reset: network error after 2 retries (3 attempts)', async () => {
    proxy().inject(faults.reset(), { method: 'HEAD' });
    const c = client();
    const e = error(await c.resolve(ref(image().ref)));
    assert.deepEqual(
      [e.kind, e.message],
      ['network', `cannot reach ${host()}: connection reset; check the network connection or proxy settings`],
    );
    assert.equal(proxy().count({ method: 'HEAD' }), 3);
    await c.close();
  });

  it('reset once: the retry succeeds', async () => {
    proxy().inject(faults.reset(), { method: 'HEAD', times: 1 });
    const c = client();
    assert.equal(value(await c.resolve(ref(image().ref))).digest, image().digest);
    assert.equal(proxy().count({ method: 'HEAD' }), 2);
    await c.close();
  });

  it('429 with Retry-After seconds: rate-limited, retryAfter, not retried', async () => {
    proxy().inject(faults.tooManyRequests(37), { method: 'HEAD' });
    const c = client();
    const e = error(await c.resolve(ref(image().ref)));
    assert.deepEqual(
      [e.kind, e.retryAfter, e.message],
      ['rate-limited', 37, `rate limited by ${host()}; retry in 37 s`],
    );
    assert.equal(proxy().count({ method: 'HEAD' }), 1);
    await c.close();
  });

  it('429 with Retry-After as an HTTP date', async () => {
    const when = new Date(Date.now() + 120_000).toUTCString();
    proxy().inject(faults.tooManyRequests(when), { method: 'HEAD' });
    const c = client();
    const e = error(await c.resolve(ref(image().ref)));
    assert.equal(e.kind, 'rate-limited');
    assert.ok(e.retryAfter !== undefined && e.retryAfter >= 118 && e.retryAfter <= 120, String(e.retryAfter));
    await c.close();
  });

  it('503: retried twice, then an error that says so', async () => {
    proxy().inject(faults.unavailable(), { method: 'HEAD' });
    const c = client();
    const e = error(await c.resolve(ref(image().ref)));
    assert.deepEqual(
      [e.kind, e.status, e.message],
      ['network', 503, `${host()} answered HTTP 503 3 times; the registry is having trouble, try again later`],
    );
    assert.equal(proxy().count({ method: 'HEAD' }), 3);
    await c.close();
  });

  it('503 twice, then the registry: resolved on the third attempt', async () => {
    proxy().inject(faults.unavailable(), { method: 'HEAD', times: 2 });
    const c = client();
    assert.equal(value(await c.resolve(ref(image().ref))).digest, image().digest);
    assert.equal(proxy().count({ method: 'HEAD' }), 3);
    await c.close();
  });

  it('cancellation: an aborted signal ends the lookup at once', async () => {
    proxy().inject(faults.hang(), { method: 'HEAD' });
    const c = client({ timeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = c.resolve(ref(image().ref), { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const e = error(await pending);
    assert.deepEqual([e.kind, e.message], ['cancelled', 'request cancelled']);
    assert.ok(Date.now() - started < 1000);
    await c.close();
  });
});

describe('digest header faults', () => {
  const cases: Array<[string, () => ReturnType<typeof faults.missingDigest>]> = [
    ['405 on HEAD', faults.methodNotAllowed],
    ['missing Docker-Content-Digest', faults.missingDigest],
    ['malformed Docker-Content-Digest', () => faults.malformedDigest('sha256:../../etc/passwd')],
    ['CRLF-injected Docker-Content-Digest', () => faults.crlfDigest()],
  ];
  for (const [name, fault] of cases) {
    it(`${name}: GET and hash the exact bytes; only the true digest is kept`, async () => {
      proxy().inject(fault(), { method: 'HEAD', path: tagPath() });
      const cacheDir = join(seeded.tmp, name.replace(/\W+/g, '-'));
      const c = client({ cacheDir });
      const r = value(await c.resolve(ref(image().ref)));
      assert.deepEqual([r.digest, r.mediaType], [image().digest, 'application/vnd.oci.image.manifest.v1+json']);
      assert.deepEqual([proxy().count({ method: 'HEAD' }), proxy().count({ method: 'GET', path: tagPath() })], [1, 1]);
      await c.close();
      const file = readFileSync(join(cacheDir, 'registry-cache.json'), 'utf8');
      assert.ok(!file.includes('X-Injected') && !file.includes('0'.repeat(64)) && !file.includes('passwd'), file);
    });
  }

  it('CRLF-injected header on HEAD and GET: the body hash decides', async () => {
    proxy().inject(faults.crlfDigest(), { path: tagPath() });
    const c = client();
    assert.equal(value(await c.resolve(ref(image().ref))).digest, image().digest);
    await c.close();
  });

  it('GET body that does not match its digest header: invalid-response', async () => {
    proxy().inject(faults.methodNotAllowed(), { method: 'HEAD', path: tagPath() });
    proxy().inject(faults.corruptBody(), { method: 'GET', path: tagPath() });
    const c = client();
    const e = error(await c.resolve(ref(image().ref)));
    assert.deepEqual(
      [e.kind, e.message],
      [
        'invalid-response',
        `${host()} sent an invalid response: manifest of 1.0 does not match its Docker-Content-Digest header`,
      ],
    );
    await c.close();
  });

  it('GET by digest whose body does not hash to the digest: invalid-response, nothing cached', async () => {
    const index = seeded.setup.fixtures.ociIndex;
    proxy().inject(faults.corruptBody(), {
      method: 'GET',
      path: `/v2/${index.repo}/manifests/${index.digest}`,
      times: 1,
    });
    const c = client();
    const e = error(await c.describe(ref(index.ref), index.digest));
    assert.deepEqual(
      [e.kind, e.message],
      [
        'invalid-response',
        `${host()} sent an invalid response: manifest body does not match the requested digest ${index.digest}`,
      ],
    );
    // not cached: the next describe asks again and succeeds
    assert.equal(value(await c.describe(ref(index.ref), index.digest)).platforms?.length, 2);
    await c.close();
  });

  it('config blob that does not hash to its digest: no created date, the digest still resolves', async () => {
    const img = image();
    proxy().inject(faults.corruptBody(), { method: 'GET', path: `/v2/${img.repo}/blobs/${img.configDigest}` });
    const c = client();
    const r = value(await c.resolve(ref(img.ref), { details: true }));
    assert.deepEqual([r.digest, r.created, r.platforms], [img.digest, undefined, undefined]);
    await c.close();
  });

  for (const chunked of [false, true]) {
    it(`oversized manifest (${chunked ? 'chunked' : 'Content-Length'}): invalid-response`, async () => {
      proxy().inject(faults.methodNotAllowed(), { method: 'HEAD', path: tagPath() });
      proxy().inject(faults.oversized(5 * MiB, chunked), { method: 'GET', path: tagPath() });
      const c = client();
      const e = error(await c.resolve(ref(image().ref)));
      assert.deepEqual(
        [e.kind, e.message],
        [
          'invalid-response',
          chunked
            ? `${host()} sent an invalid response: manifest is larger than the limit of 4 MiB`
            : `${host()} sent an invalid response: manifest is 5 MiB; the limit is 4 MiB`,
        ],
      );
      assert.equal(proxy().count({ method: 'GET' }), 1);
      await c.close();
    });
  }

  it('schema 1 manifest: unsupported, with what to do', async () => {
    proxy().inject(
      {
        kind: 'status',
        status: 200,
        headers: {
          'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws',
          'docker-content-digest': image().digest,
        },
      },
      { method: 'HEAD', path: tagPath() },
    );
    const c = client();
    const e = error(await c.resolve(ref(image().ref)));
    assert.deepEqual(
      [e.kind, explain(e)],
      [
        'unsupported',
        `${host()}/fixtures/oci-image is a Docker schema 1 manifest, which has no stable digest and cannot be pinned; push it again with a current Docker or buildx`,
      ],
    );
    await c.close();
  });
});

describe('redirects', () => {
  it('cross-origin redirect of a blob: followed, and the other origin sees no Authorization', async () => {
    // Credentials for the proxy host: the open registry ignores them, but the client sends them once challenged…
    // so challenge it: the first request gets a Basic challenge from the proxy.
    proxy().inject(
      { kind: 'status', status: 401, headers: { 'www-authenticate': 'Basic realm="test"' } },
      { method: 'HEAD', times: 1 },
    );
    const img = image();
    proxy().inject(faults.redirectToEvil(307), { method: 'GET', path: `/v2/${img.repo}/blobs/${img.configDigest}` });
    const c = client({
      credentials: staticCredentials({
        [host()]: { kind: 'basic', username: SETUP_USER.username, password: SETUP_USER.password },
      }),
    });
    const r = value(await c.resolve(ref(img.ref), { details: true }));
    assert.equal(r.created, DEFAULT_CREATED);
    const blob = proxy().requests({ method: 'GET', path: `/v2/${img.repo}/blobs/${img.configDigest}` });
    assert.deepEqual(
      blob.map((q) => q.authScheme),
      ['basic'],
      'the registry itself got the credential',
    );
    const evil = proxy().evil.requests();
    assert.equal(evil.length, 1);
    assert.deepEqual([evil[0]!.hasAuthorization, evil[0]!.headers.cookie], [false, undefined]);
    await c.close();
  });

  it('redirect to a link-local address: refused', async () => {
    const img = image();
    proxy().inject(
      { kind: 'redirect', status: 302, to: 'http://169.254.169.254' },
      { method: 'GET', path: `/v2/${img.repo}/manifests/${img.digest}` },
    );
    const c = client();
    const e = error(await c.describe(ref(img.ref), img.digest));
    assert.deepEqual(
      [e.kind, e.message],
      [
        'invalid-response',
        `${host()} sent an invalid response: redirect to link-local address 169.254.169.254 refused`,
      ],
    );
    await c.close();
  });

  it('redirect loop: stops after 10 hops', async () => {
    const img = image();
    const path = `/v2/${img.repo}/manifests/${img.digest}`;
    proxy().inject({ kind: 'redirect', status: 302, to: proxy().url }, { method: 'GET', path });
    const c = client();
    const e = error(await c.describe(ref(img.ref), img.digest));
    assert.deepEqual(
      [e.kind, e.message],
      ['invalid-response', `${host()} sent an invalid response: too many redirects`],
    );
    assert.equal(proxy().count({ method: 'GET', path }), 11);
    await c.close();
  });
});
