// Tests of the integration harness itself against Debian's real docker-registry: seeding, auth providers, the token
// server, blob redirects and every fault of the fault proxy, with raw fetch and (when installed) skopeo as oracles.
import { strict as assert } from 'node:assert';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startEvilOrigin, type EvilOrigin } from './support/evilOrigin';
import { faults, MiB, startFaultProxy, type FaultProxy } from './support/faultProxy';
import { startRegistry, type Registry } from './support/registry';
import {
  DEFAULT_CREATED,
  MANIFEST_ACCEPT,
  MEDIA,
  pushImage,
  seedStandard,
  type PushedManifest,
  type StandardFixtures,
} from './support/seed';
import { startTokenServer, type TokenServer } from './support/tokenServer';

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const hasSkopeo = spawnSync('skopeo', ['--version']).status === 0;

function manifest(
  base: string,
  repo: string,
  ref: string,
  init: { method?: string; accept?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
) {
  return fetch(`${base}/v2/${repo}/manifests/${ref}`, {
    method: init.method ?? 'HEAD',
    headers: { accept: init.accept ?? MANIFEST_ACCEPT, ...init.headers },
    signal: init.signal ?? AbortSignal.timeout(5000),
    redirect: 'manual',
  });
}

async function bodyOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

async function token(server: TokenServer, scope: string, authorization?: string): Promise<Response> {
  const url = `${server.realm}?service=${encodeURIComponent(server.service)}&scope=${encodeURIComponent(scope)}`;
  return fetch(url, { headers: authorization === undefined ? {} : { authorization } });
}

describe('open registry seeded with the standard fixtures', () => {
  let reg: Registry;
  let f: StandardFixtures;
  let all: Array<[string, PushedManifest]>;

  before(async () => {
    reg = await startRegistry();
    f = await seedStandard(reg);
    all = [
      ['docker image', f.dockerImage],
      ['oci image', f.ociImage],
      ['oci index', f.ociIndex],
      ['docker list', f.dockerList],
    ];
  });
  after(() => reg?.stop());

  it('listens on 127.0.0.1 on its own port, not the packaged service port', () => {
    assert.match(reg.host, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(reg.port, 5000);
    assert.equal(reg.url, `http://${reg.host}`);
  });

  it('HEAD with the full Accept list returns the computed digest, type and size of every fixture', async () => {
    for (const [name, m] of all) {
      const res = await manifest(reg.url, m.repo, m.tag!);
      assert.equal(res.status, 200, name);
      assert.equal(res.headers.get('docker-content-digest'), m.digest, name);
      assert.equal(res.headers.get('content-type'), m.mediaType, name);
      assert.equal(res.headers.get('content-length'), String(m.bytes.length), name);
      assert.equal(m.digest, sha256(m.bytes), name);
    }
  });

  it('GET returns the exact bytes pushed', async () => {
    for (const [name, m] of all) {
      const body = await bodyOf(await manifest(reg.url, m.repo, m.tag!, { method: 'GET' }));
      assert.deepEqual(body, m.bytes, name);
    }
  });

  it('references carry the registry host and the tag', () => {
    assert.equal(f.dockerImage.ref, `${reg.host}/fixtures/docker-image:1.0`);
    assert.equal(f.ociIndex.ref, `${reg.host}/fixtures/oci-index:1.0`);
    assert.equal(f.drift.ref, `${reg.host}/fixtures/drift:latest`);
  });

  it('the index keeps its own digest and lists amd64, arm64/v8 and buildx attestations', async () => {
    const res = await manifest(reg.url, 'fixtures/oci-index', '1.0');
    assert.equal(res.headers.get('docker-content-digest'), f.ociIndex.digest);
    const index = JSON.parse(f.ociIndex.bytes.toString('utf8')) as {
      manifests: Array<{
        digest: string;
        platform: { os: string; architecture: string; variant?: string };
        annotations?: Record<string, string>;
      }>;
    };
    assert.deepEqual(
      index.manifests.map((m) => [
        m.platform.os,
        m.platform.architecture,
        m.platform.variant ?? '',
        m.annotations?.['vnd.docker.reference.type'] ?? '',
      ]),
      [
        ['linux', 'amd64', '', ''],
        ['linux', 'arm64', 'v8', ''],
        ['unknown', 'unknown', '', 'attestation-manifest'],
        ['unknown', 'unknown', '', 'attestation-manifest'],
      ],
    );
    assert.deepEqual(
      index.manifests.slice(2).map((m) => m.annotations?.['vnd.docker.reference.digest']),
      f.ociIndex.children.map((c) => c.digest),
    );
    for (const entry of index.manifests) {
      const child = await manifest(reg.url, 'fixtures/oci-index', entry.digest);
      assert.equal(child.status, 200);
      assert.equal(child.headers.get('docker-content-digest'), entry.digest);
    }
  });

  it('the manifest list holds Docker schema2 children for amd64 and arm/v7', () => {
    const list = JSON.parse(f.dockerList.bytes.toString('utf8')) as {
      manifests: Array<{ mediaType: string; platform: { architecture: string; variant?: string } }>;
    };
    assert.deepEqual(
      list.manifests.map((m) => [m.mediaType, m.platform.architecture, m.platform.variant ?? '']),
      [
        [MEDIA.dockerManifest, 'amd64', ''],
        [MEDIA.dockerManifest, 'arm', 'v7'],
      ],
    );
    assert.ok(
      f.dockerList.bytes.toString('utf8').startsWith('{\n   "schemaVersion": 2'),
      'Docker JSON is indented with three spaces',
    );
  });

  it('reproduces the LAB facts a resolver depends on (partial Accept lists)', async () => {
    const noIndex = await manifest(reg.url, 'fixtures/oci-index', '1.0', {
      method: 'GET',
      accept: [MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', '),
    });
    assert.equal(noIndex.status, 404);
    assert.match(await noIndex.text(), /OCI index found, but accept header does not support OCI indexes/);
    const noList = await manifest(reg.url, 'fixtures/docker-list', '1.0', { accept: MEDIA.dockerManifest });
    assert.equal(noList.headers.get('docker-content-digest'), f.dockerList.children[0]!.digest);
  });

  it('the config blob carries created and labels, and hashes to its digest', async () => {
    const res = await fetch(`${reg.url}/v2/fixtures/oci-image/blobs/${f.ociImage.configDigest}`);
    const body = await bodyOf(res);
    assert.equal(sha256(body), f.ociImage.configDigest);
    const config = JSON.parse(body.toString('utf8')) as {
      created: string;
      architecture: string;
      os: string;
      config: { Labels: Record<string, string> };
    };
    assert.deepEqual(
      [config.created, config.os, config.architecture, config.config.Labels],
      [DEFAULT_CREATED, 'linux', 'amd64', { 'org.opencontainers.image.version': '1.0' }],
    );
  });

  it('drift: the tag now resolves to the new digest while the old one still exists', async () => {
    assert.notEqual(f.drift.oldDigest, f.drift.newDigest);
    assert.equal(
      (await manifest(reg.url, f.drift.repo, f.drift.tag)).headers.get('docker-content-digest'),
      f.drift.newDigest,
    );
    assert.equal((await manifest(reg.url, f.drift.repo, f.drift.oldDigest)).status, 200);
  });

  it('gone: the deleted digest is 404 MANIFEST_UNKNOWN while its tag moved on', async () => {
    assert.equal((await manifest(reg.url, f.gone.repo, f.gone.digest)).status, 404);
    const get = await manifest(reg.url, f.gone.repo, f.gone.digest, { method: 'GET' });
    assert.equal(get.status, 404);
    assert.equal(((await get.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'MANIFEST_UNKNOWN');
    assert.equal(
      (await manifest(reg.url, f.gone.repo, f.gone.tag)).headers.get('docker-content-digest'),
      f.gone.tagDigest,
    );
    assert.notEqual(f.gone.digest, f.gone.tagDigest);
  });

  it('seeding is deterministic: the same image pushed to another repo has the same config and layers', async () => {
    const again = await pushImage(reg, 'fixtures/docker-image', '1.0-again', { format: 'docker' });
    assert.equal(again.digest, f.dockerImage.digest);
    assert.equal(again.configDigest, f.dockerImage.configDigest);
  });

  it('counts requests from the access log', async () => {
    const path = '/v2/fixtures/oci-image/manifests/1.0';
    const before = await reg.requestCount({ method: 'HEAD', path });
    await manifest(reg.url, 'fixtures/oci-image', '1.0');
    await manifest(reg.url, 'fixtures/oci-image', '1.0');
    assert.equal(await reg.requestCount({ method: 'HEAD', path }), before + 2);
    const log = await reg.requestLog();
    // distribution logs the manifest size for HEAD too (what it would have written).
    assert.deepEqual(log.at(-1), {
      method: 'HEAD',
      path,
      status: 200,
      bytes: f.ociImage.bytes.length,
      userAgent: 'node',
    });
    assert.equal(
      log.filter((line) => line.path.includes('digest-pin-harness')).length,
      0,
      'harness probes are not counted',
    );
  });

  it(
    'skopeo (oracle) reads the same bytes for every fixture',
    { skip: !hasSkopeo && 'skopeo not installed' },
    async () => {
      const run = promisify(execFile);
      for (const [name, m] of all) {
        const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${m.ref}`], {
          encoding: 'buffer',
        });
        assert.equal(sha256(stdout), m.digest, name);
      }
    },
  );
});

describe('token-auth registry', () => {
  let ts: TokenServer;
  let reg: Registry;
  let f: StandardFixtures;
  const scope = 'repository:fixtures/oci-image:pull';

  before(async () => {
    ts = await startTokenServer({ users: { alice: 'wonderland' }, refreshTokens: { 'identity-token-1': 'alice' } });
    reg = await startRegistry({ auth: { token: ts.registryAuth } });
    f = await seedStandard({ ...reg, auth: ts.seedAuth() });
  });
  after(async () => {
    await reg?.stop();
    await ts?.stop();
  });

  const headWith = (tokenValue: string) =>
    manifest(reg.url, 'fixtures/oci-image', '1.0', { headers: { authorization: `Bearer ${tokenValue}` } });

  it('seeds through token auth, with the same digests as anywhere else', async () => {
    const open = await startRegistry();
    try {
      assert.equal(f.ociIndex.digest, (await seedStandard(open)).ociIndex.digest);
    } finally {
      await open.stop();
    }
    assert.equal(ts.requestCount(), 0, 'seeding mints tokens directly');
  });

  it('answers anonymous requests with a Bearer challenge', async () => {
    const root = await fetch(`${reg.url}/v2/`);
    assert.equal(root.status, 401);
    assert.equal(root.headers.get('www-authenticate'), `Bearer realm="${ts.realm}",service="${ts.service}"`);
    const head = await manifest(reg.url, 'fixtures/oci-image', '1.0');
    assert.equal(
      head.headers.get('www-authenticate'),
      `Bearer realm="${ts.realm}",service="${ts.service}",scope="${scope}"`,
    );
  });

  it('accepts an anonymous pull token from the token server', async () => {
    const res = await token(ts, scope);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
    assert.equal(body.token, body.access_token);
    assert.equal(body.expires_in, 300);
    const head = await headWith(body.token);
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('docker-content-digest'), f.ociImage.digest);
    const seen = ts.requests().at(-1)!;
    assert.deepEqual(
      [seen.scopes, seen.subject, seen.authorization, seen.status],
      [[scope], undefined, undefined, 200],
    );
  });

  it('checks Basic credentials and records who asked', async () => {
    assert.equal((await token(ts, scope, basic('alice', 'wrong'))).status, 401);
    const res = await token(ts, scope, basic('alice', 'wonderland'));
    assert.equal(res.status, 200);
    assert.equal(ts.lastAuthorization(), basic('alice', 'wonderland'));
    assert.equal(ts.requests().at(-1)!.subject, 'alice');
    assert.equal(ts.requestCount({ anonymous: false }), 2);
  });

  it('exchanges identity tokens (refresh_token) and passwords on POST', async () => {
    const post = (form: Record<string, string>) =>
      fetch(ts.realm, {
        method: 'POST',
        body: new URLSearchParams({ service: ts.service, scope, client_id: 'digest-pin', ...form }),
      });
    const refreshed = (await (
      await post({ grant_type: 'refresh_token', refresh_token: 'identity-token-1' })
    ).json()) as { access_token: string };
    assert.equal((await headWith(refreshed.access_token)).status, 200);
    assert.equal((await post({ grant_type: 'refresh_token', refresh_token: 'nope' })).status, 401);
    const offline = (await (
      await post({ grant_type: 'password', username: 'alice', password: 'wonderland', access_type: 'offline' })
    ).json()) as { access_token: string; refresh_token: string };
    assert.equal((await headWith(offline.access_token)).status, 200);
    assert.equal((await post({ grant_type: 'refresh_token', refresh_token: offline.refresh_token })).status, 200);
  });

  it('rejects tokens the registry must not trust: array aud, expired, wrong issuer, no access', async () => {
    const access = [{ type: 'repository', name: 'fixtures/oci-image', actions: ['pull'] }];
    assert.equal((await headWith(ts.mint({ access }))).status, 200, 'control');
    assert.equal((await headWith(ts.mint({ access, aud: [ts.service] }))).status, 401);
    const expired = await headWith(ts.mint({ access, expiresIn: -300 }));
    assert.equal(expired.status, 401);
    assert.match(expired.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    assert.equal((await headWith(ts.mint({ access, iss: 'someone-else' }))).status, 401);
    const none = await headWith(ts.mint({ access: [] }));
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  });

  it('honours the knobs: forced errors, lifetime, response fields', async () => {
    ts.behaviour.fail = { status: 503, times: 1 };
    assert.equal((await token(ts, scope)).status, 503);
    assert.equal((await token(ts, scope)).status, 200);
    ts.behaviour.expiresIn = 5;
    ts.behaviour.fields = 'access_token';
    try {
      const body = (await (await token(ts, scope)).json()) as Record<string, unknown>;
      assert.deepEqual([body['expires_in'], 'token' in body, typeof body['access_token']], [5, false, 'string']);
      const claims = JSON.parse(
        Buffer.from(String(body['access_token']).split('.')[1]!, 'base64url').toString('utf8'),
      ) as Record<string, unknown>;
      assert.equal(Number(claims['exp']) - Number(claims['iat']), 5);
      assert.deepEqual(
        [claims['iss'], claims['aud'], claims['access']],
        [ts.issuer, ts.service, [{ type: 'repository', name: 'fixtures/oci-image', actions: ['pull'] }]],
      );
    } finally {
      ts.behaviour.expiresIn = 300;
      ts.behaviour.fields = 'both';
    }
  });
});

describe('htpasswd registry', () => {
  let reg: Registry;
  const auth = basic('bob', 'builder');

  before(async () => {
    reg = await startRegistry({ auth: { htpasswd: { users: { bob: 'builder' } } } });
    await pushImage({ ...reg, auth: () => auth }, 'team/app', '2.0', { format: 'docker' });
  });
  after(() => reg?.stop());

  it('challenges with Basic, accepts the right password and refuses a wrong one', async () => {
    const anonymous = await manifest(reg.url, 'team/app', '2.0');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="digest-pin-test"');
    assert.equal((await manifest(reg.url, 'team/app', '2.0', { headers: { authorization: auth } })).status, 200);
    assert.equal(
      (await manifest(reg.url, 'team/app', '2.0', { headers: { authorization: basic('bob', 'nope') } })).status,
      401,
    );
  });
});

describe('blob redirects (storage redirect middleware)', () => {
  let evil: EvilOrigin;
  let reg: Registry;

  before(async () => {
    evil = await startEvilOrigin();
    reg = await startRegistry({ redirectBlobsTo: evil.url });
    evil.serveFrom(reg.storageDir);
  });
  after(async () => {
    await reg?.stop();
    await evil?.stop();
  });

  it('redirects blob GETs to the second origin, which serves the blob and records Authorization', async () => {
    const image = await pushImage(reg, 'cdn/app', '1.0', { format: 'oci' });
    const hex = image.configDigest.slice('sha256:'.length);
    const res = await fetch(`${reg.url}/v2/cdn/app/blobs/${image.configDigest}`, { redirect: 'manual' });
    assert.equal(res.status, 307);
    const location = res.headers.get('location')!;
    assert.equal(location, `${evil.url}/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`);
    const blob = await bodyOf(await fetch(location, { headers: { authorization: 'Bearer leaked' } }));
    assert.equal(sha256(blob), image.configDigest);
    const seen = evil.requests().at(-1)!;
    assert.deepEqual(
      [seen.hasAuthorization, seen.authScheme, seen.headers.authorization, seen.status],
      [true, 'bearer', '<redacted>', 200],
    );
    assert.equal(JSON.stringify(evil.requests()).includes('leaked'), false, 'the value is never kept');
    assert.equal((await fetch(`${evil.url}/../../etc/passwd`)).status, 404);
  });
});

describe('fault proxy', () => {
  let reg: Registry;
  let proxy: FaultProxy;
  let f: StandardFixtures;
  const path = '/v2/fixtures/oci-image/manifests/1.0';

  before(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy({ target: reg.url });
    f = await seedStandard(proxy);
    proxy.clearLog();
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
  });
  const head = (init: Parameters<typeof manifest>[3] = {}) => manifest(proxy.url, 'fixtures/oci-image', '1.0', init);
  const withFault = async <T>(
    fault: Parameters<FaultProxy['inject']>[0],
    match: Parameters<FaultProxy['inject']>[1],
    run: () => Promise<T>,
  ) => {
    const rule = proxy.inject(fault, match);
    try {
      return await run();
    } finally {
      rule.remove();
    }
  };

  it('passes requests through and records them without keeping Authorization values', async () => {
    const res = await head({ headers: { authorization: 'Bearer s3cret-value' } });
    assert.equal(res.headers.get('docker-content-digest'), f.ociImage.digest);
    const seen = proxy.requests({ path }).at(-1)!;
    assert.deepEqual(
      [seen.method, seen.status, seen.fault, seen.hasAuthorization, seen.authScheme, seen.headers.authorization],
      ['HEAD', 200, undefined, true, 'bearer', '<redacted>'],
    );
    assert.equal(seen.authFingerprint, createHash('sha256').update('Bearer s3cret-value').digest('hex').slice(0, 12));
    assert.equal(JSON.stringify(proxy.requests()).includes('s3cret'), false);
    assert.equal(f.ociImage.ref, `${proxy.host}/fixtures/oci-image:1.0`, 'seeded through the proxy');
  });

  it('counts requests by method, path and Authorization', async () => {
    proxy.clearLog();
    await head();
    await head({ method: 'GET' });
    await manifest(proxy.url, 'fixtures/docker-image', '1.0');
    assert.deepEqual(
      [
        proxy.count(),
        proxy.count({ method: 'HEAD' }),
        proxy.count({ path }),
        proxy.count({ path: /docker-image/ }),
        proxy.count({ hasAuthorization: true }),
      ],
      [3, 2, 2, 1, 0],
    );
  });

  it('adds latency', async () => {
    const started = Date.now();
    const res = await withFault(faults.latency(150), { path }, () => head());
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started >= 145, `took ${Date.now() - started} ms`);
  });

  it('hangs until the client gives up', async () => {
    await withFault(faults.hang(), { path }, async () => {
      await assert.rejects(head({ signal: AbortSignal.timeout(200) }), { name: 'TimeoutError' });
    });
    assert.equal(proxy.requests({ path }).at(-1)!.fault, 'hang');
  });

  it('resets the connection', async () => {
    await withFault(faults.reset(), { path }, async () => {
      await assert.rejects(
        head(),
        (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'ECONNRESET',
      );
    });
  });

  it('answers 429 with Retry-After for the next request only', async () => {
    const rule = proxy.inject(faults.tooManyRequests(7), { path, times: 1 });
    const limited = await head({ method: 'GET' });
    assert.deepEqual([limited.status, limited.headers.get('retry-after')], [429, '7']);
    assert.equal(((await limited.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'TOOMANYREQUESTS');
    assert.equal((await head()).status, 200);
    assert.equal(rule.hits(), 1);
  });

  it('answers 503', async () => {
    const res = await withFault(faults.unavailable(), { path }, () => head({ method: 'GET' }));
    assert.equal(res.status, 503);
  });

  it('refuses HEAD with 405 while GET still works', async () => {
    await withFault(faults.methodNotAllowed(), { method: 'HEAD' }, async () => {
      assert.equal((await head()).status, 405);
      const get = await head({ method: 'GET' });
      assert.equal(get.status, 200);
      assert.equal(sha256(await bodyOf(get)), f.ociImage.digest);
    });
  });

  it('drops or mangles Docker-Content-Digest', async () => {
    const missing = await withFault(faults.missingDigest(), { path }, () => head({ method: 'GET' }));
    assert.equal(missing.headers.get('docker-content-digest'), null);
    assert.equal(sha256(await bodyOf(missing)), f.ociImage.digest);
    const malformed = await withFault(faults.malformedDigest(), { path }, () => head());
    assert.equal(malformed.headers.get('docker-content-digest'), 'sha256:not-a-hex-digest');
    assert.equal(malformed.headers.get('content-length'), String(f.ociImage.bytes.length));
  });

  it('writes CRLF-injected digest headers as raw HTTP', async () => {
    const injected = await withFault(faults.crlfDigest(), { path }, () => head({ method: 'GET' }));
    assert.equal(injected.headers.get('docker-content-digest'), `${f.ociImage.digest}, sha256:${'0'.repeat(64)}`);
    assert.equal(injected.headers.get('x-injected'), '1');
    assert.deepEqual(await bodyOf(injected), f.ociImage.bytes);
    await withFault(faults.crlfDigest(`${f.ociImage.digest}\rX-Injected: 1`), { path }, async () => {
      await assert.rejects(
        head(),
        (error: Error & { cause?: { code?: string } }) => error.cause?.code === 'HPE_LF_EXPECTED',
      );
    });
  });

  it('corrupts the body so it no longer matches its digest', async () => {
    const res = await withFault(faults.corruptBody(), { path }, () => head({ method: 'GET' }));
    const body = await bodyOf(res);
    assert.equal(res.headers.get('docker-content-digest'), f.ociImage.digest);
    assert.equal(body.length, f.ociImage.bytes.length);
    assert.notEqual(sha256(body), f.ociImage.digest);
  });

  it('serves an oversized manifest, with or without Content-Length', async () => {
    const sized = await withFault(faults.oversized(5 * MiB), { path }, () => head({ method: 'GET' }));
    assert.equal(sized.headers.get('content-length'), String(5 * MiB));
    const body = await bodyOf(sized);
    assert.equal(body.length, 5 * MiB);
    assert.equal(sha256(body), sized.headers.get('docker-content-digest'));
    const chunked = await withFault(faults.oversized(5 * MiB, true), { path }, () => head({ method: 'GET' }));
    assert.deepEqual(
      [chunked.headers.get('content-length'), chunked.headers.get('transfer-encoding')],
      [null, 'chunked'],
    );
    assert.equal((await bodyOf(chunked)).length, 5 * MiB);
  });

  it('redirects cross-origin to the evil origin, which records Authorization and serves the real answer', async () => {
    const res = await withFault(faults.redirectToEvil(), { path }, () => head({ method: 'GET' }));
    assert.equal(res.status, 307);
    const location = res.headers.get('location')!;
    assert.ok(location.startsWith(`${proxy.evil.url}/stash/`), location);
    const followed = await fetch(location, { headers: { authorization: 'Bearer should-not-be-here' } });
    assert.equal(sha256(await bodyOf(followed)), f.ociImage.digest);
    assert.equal(followed.headers.get('docker-content-digest'), f.ociImage.digest);
    assert.deepEqual(
      proxy.evil.requests().map((r) => [r.hasAuthorization, r.authScheme]),
      [[true, 'bearer']],
    );
    assert.equal((await fetch(location)).status, 404, 'a stashed answer is served once');
  });
});

describe('cli.ts (the seeded setup by hand)', () => {
  it('prints the setup as JSON, serves it, and cleans up on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, 'support', 'cli.ts'), '--json', '--auth', 'htpasswd'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = once(child, 'exit');
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      for await (const chunk of child.stdout) {
        out += String(chunk);
        if (out.includes('\n')) break;
      }
      const setup = JSON.parse(out) as {
        url: string;
        credentials: { username: string; password: string };
        dockerConfig: string;
        dataDir: string;
        references: { ociIndex: { ref: string; digest: string } };
      };
      const host = setup.url.slice('http://'.length);
      assert.equal(setup.references.ociIndex.ref, `${host}/fixtures/oci-index:1.0`);
      const auth = basic(setup.credentials.username, setup.credentials.password);
      const res = await manifest(setup.url, 'fixtures/oci-index', '1.0', { headers: { authorization: auth } });
      assert.equal(res.headers.get('docker-content-digest'), setup.references.ociIndex.digest);
      const config = JSON.parse(readFileSync(`${setup.dockerConfig}/config.json`, 'utf8')) as {
        auths: Record<string, { auth: string }>;
      };
      assert.deepEqual(config.auths, { [host]: { auth: auth.slice('Basic '.length) } });

      child.kill('SIGTERM');
      assert.deepEqual(await exited, [0, null]);
      await assert.rejects(fetch(`${setup.url}/v2/`), TypeError, 'the registry is gone');
      assert.equal(existsSync(setup.dataDir), false, 'the temp dir is gone');
    } finally {
      // SIGTERM, not SIGKILL: the CLI must get the chance to stop its registry child.
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});
