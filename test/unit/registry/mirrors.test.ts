// Registry mirrors: the mapping as written (registry keys and their aliases, mirror URLs and their paths), and the
// client's decisions with a scripted transport: the mirror first, the origin after any failure of it, the origin's
// credentials never at the mirror, Docker Hub's `library/` kept, and the origin's error naming the mirrors tried.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRegistryClient, staticCredentials, type RegistryClientOptions } from '../../../server/src/registry';
import { networkError } from '../../../server/src/registry/errors';
import type { HttpRequest, HttpTransport } from '../../../server/src/registry/http';
import { mirroredRegistry, parseMirror, parseRegistryMirrors } from '../../../server/src/registry/mirrors';
import { parseImageReference, type ParsedImageRef } from '../../../server/src/references/imageRef';

describe('the registry a mapping key names', () => {
  const cases: Array<[string, string | null]> = [
    ['docker.io', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['registry.hub.docker.com', 'docker.io'],
    ['Docker.IO', 'docker.io'],
    ['https://index.docker.io/', 'docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['registry.internal:5000', 'registry.internal:5000'],
    ['127.0.0.1:5000/', '127.0.0.1:5000'],
    ['', null],
    ['docker.io/library', null],
    ['not a host', null],
    ['host:99999999', null],
  ];
  for (const [key, want] of cases) {
    it(`'${key}' → ${want ?? 'refused'}`, () => {
      const got = mirroredRegistry(key);
      assert.deepEqual(got.ok ? got.value : null, want);
      if (!got.ok) assert.match(got.error, /is not a registry host/);
    });
  }
});

describe('a mirror URL', () => {
  const cases: Array<[string, { url: string; root: string; namespace: string; scheme: string } | RegExp]> = [
    ['https://mirror.example.com', { url: 'https://mirror.example.com', root: '', namespace: '', scheme: 'https' }],
    ['https://mirror.example.com/', { url: 'https://mirror.example.com', root: '', namespace: '', scheme: 'https' }],
    ['HTTPS://Mirror.Example.com//', { url: 'https://mirror.example.com', root: '', namespace: '', scheme: 'https' }],
    ['http://127.0.0.1:5001', { url: 'http://127.0.0.1:5001', root: '', namespace: '', scheme: 'http' }],
    ['http://[::1]:5001', { url: 'http://[::1]:5001', root: '', namespace: '', scheme: 'http' }],
    [
      'https://mirror.example.com/v2/',
      { url: 'https://mirror.example.com/v2', root: '', namespace: '', scheme: 'https' },
    ],
    [
      'https://art.example.com/api/docker/hub/',
      { url: 'https://art.example.com/api/docker/hub', root: '/api/docker/hub', namespace: '', scheme: 'https' },
    ],
    [
      'https://harbor.example.com/v2/hub-proxy',
      { url: 'https://harbor.example.com/v2/hub-proxy', root: '', namespace: 'hub-proxy/', scheme: 'https' },
    ],
    [
      'https://example.com/registry/v2/team/hub',
      { url: 'https://example.com/registry/v2/team/hub', root: '/registry', namespace: 'team/hub/', scheme: 'https' },
    ],
    ['mirror.example.com', /needs http:\/\/ or https:\/\//],
    ['ftp://mirror.example.com', /needs http:\/\/ or https:\/\//],
    ['https://', /is not a URL/],
    ['https://mirror.example.com?x=1', /query or fragment/],
    ['https://mirror.example.com/#top', /query or fragment/],
    ['https://user:secret@mirror.example.com', /user name or password/],
    ['https://mirror.example.com/v2/Upper', /not a repository prefix/],
  ];
  for (const [text, want] of cases) {
    it(`'${text}'`, () => {
      const got = parseMirror(text);
      if (want instanceof RegExp) {
        assert.equal(got.ok, false);
        if (!got.ok) {
          assert.match(got.error, want);
          assert.doesNotMatch(got.error, /secret/, 'a password in the URL is never repeated');
        }
      } else {
        assert.ok(got.ok, got.ok ? '' : got.error);
        const { url, root, namespace, scheme } = got.value;
        assert.deepEqual({ url, root, namespace, scheme }, want);
      }
    });
  }
});

describe('the whole mapping', () => {
  it('aliases merge in order, duplicates drop, bad entries are named and left out', () => {
    const { mirrors, problems } = parseRegistryMirrors({
      'docker.io': ['https://a.example.com', 'bad'],
      'index.docker.io': ['https://b.example.com/', 'https://a.example.com/'],
      'ghcr.io/': ['http://127.0.0.1:5001'],
      'a/b': ['https://c.example.com'],
      'quay.io': [],
    });
    assert.deepEqual(
      [...mirrors].map(([registry, list]) => [registry, list.map((m) => m.url)]),
      [
        ['docker.io', ['https://a.example.com', 'https://b.example.com']],
        ['ghcr.io', ['http://127.0.0.1:5001']],
      ],
    );
    assert.deepEqual(problems, [
      "registry mirrors of docker.io: mirror 'bad': needs http:// or https://, e.g. https://mirror.example.com",
      "registry mirrors: 'a/b' is not a registry host (host[:port], e.g. docker.io or registry.internal:5000)",
    ]);
  });
});

// --- the client with a scripted transport ---------------------------------------------------------------------------

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DIGEST = `sha256:${'d'.repeat(64)}`;

type Answer = { status: number; headers?: Record<string, string> } | { error: ReturnType<typeof networkError> };

interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

function transport(script: (request: HttpRequest) => Answer): HttpTransport & { seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    async request(request) {
      const authorization = request.headers?.authorization;
      seen.push({
        method: request.method ?? 'GET',
        url: request.url.href,
        ...(authorization ? { authorization } : {}),
      });
      const answer = script(request);
      if ('error' in answer) return { ok: false, error: answer.error };
      return {
        ok: true,
        response: {
          status: answer.status,
          headers: answer.headers ?? {},
          body: Buffer.alloc(0),
          url: request.url.href,
          attempts: 1,
        },
      };
    },
    close: () => undefined,
  };
}

const found: Answer = { status: 200, headers: { 'docker-content-digest': DIGEST, 'content-type': OCI_INDEX } };
const missing: Answer = { status: 404 };
const ref = (text: string): ParsedImageRef => {
  const p = parseImageReference(text);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
};
const make = (http: HttpTransport, options: RegistryClientOptions = {}) =>
  createRegistryClient({ http, credentials: staticCredentials({}), logger: { warn: () => undefined }, ...options });
const hosts = (seen: Seen[]) => seen.map((s) => `${s.method} ${s.url}`);

describe('look-ups through a mirror', () => {
  it("Docker Hub's official image at the mirror keeps library/; the origin is not asked", async () => {
    const http = transport(() => found);
    const client = make(http, { registryMirrors: { 'docker.io': ['https://mirror.example.com'] } });
    const r = await client.resolve(ref('nginx:1.27'));
    assert.equal(r.ok && r.value.digest, DIGEST);
    assert.deepEqual(hosts(http.seen), ['HEAD https://mirror.example.com/v2/library/nginx/manifests/1.27']);
    const again = await client.resolve(ref('docker.io/library/nginx:1.27'));
    assert.equal(again.ok && again.value.fromCache, true, "the answer is cached under the origin's reference");
    assert.equal(http.seen.length, 1);
  });

  it("a mirror's path: /v2 appended to its root, or a repository prefix after /v2 (containerd's override_path)", async () => {
    const http = transport(() => found);
    const client = make(http, {
      registryMirrors: { 'index.docker.io': ['https://art.example.com/api/docker/hub'] },
    });
    await client.resolve(ref('python:3.12'));
    const harbor = make(http, { registryMirrors: { 'ghcr.io': ['https://harbor.example.com/v2/ghcr-proxy'] } });
    await harbor.resolve(ref('ghcr.io/acme/app:1'));
    assert.deepEqual(hosts(http.seen), [
      'HEAD https://art.example.com/api/docker/hub/v2/library/python/manifests/3.12',
      'HEAD https://harbor.example.com/v2/ghcr-proxy/acme/app/manifests/1',
    ]);
  });

  it('404, 5xx and 429 at the mirrors: the next mirror, then the origin', async () => {
    const http = transport((r) =>
      r.url.host === 'a.example.com' ? missing : r.url.host === 'b.example.com' ? { status: 503 } : found,
    );
    const client = make(http, {
      registryMirrors: { 'ghcr.io': ['https://a.example.com', 'https://b.example.com'] },
      retries: 0,
    });
    const r = await client.resolve(ref('ghcr.io/acme/app:1'));
    assert.equal(r.ok && r.value.digest, DIGEST);
    assert.deepEqual(hosts(http.seen), [
      'HEAD https://a.example.com/v2/acme/app/manifests/1',
      'HEAD https://b.example.com/v2/acme/app/manifests/1',
      'HEAD https://ghcr.io/v2/acme/app/manifests/1',
    ]);
  });

  it('an unreachable mirror: the origin answers, and the mirror is left alone for a while', async () => {
    let now = 1_000_000;
    const http = transport((r) =>
      r.url.host === 'mirror.example.com' ? { error: networkError('mirror.example.com', 'connection refused') } : found,
    );
    const client = make(http, {
      registryMirrors: { 'docker.io': ['https://mirror.example.com'] },
      now: () => now,
    });
    assert.equal((await client.resolve(ref('alpine:3.20'))).ok, true);
    assert.equal((await client.resolve(ref('alpine:3.19'))).ok, true);
    now += 61_000;
    assert.equal((await client.resolve(ref('alpine:3.18'))).ok, true);
    assert.deepEqual(hosts(http.seen), [
      'HEAD https://mirror.example.com/v2/library/alpine/manifests/3.20',
      'HEAD https://registry-1.docker.io/v2/library/alpine/manifests/3.20',
      'HEAD https://registry-1.docker.io/v2/library/alpine/manifests/3.19',
      'HEAD https://mirror.example.com/v2/library/alpine/manifests/3.18',
      'HEAD https://registry-1.docker.io/v2/library/alpine/manifests/3.18',
    ]);
  });

  it("the origin's credentials never go to the mirror; the mirror's own do, and a 401 they cannot satisfy moves on", async () => {
    const basic = (user: string) => `Basic ${Buffer.from(`${user}:pw`).toString('base64')}`;
    const http = transport((r) => {
      const auth = r.headers?.authorization;
      if (r.url.host === 'mirror.example.com')
        return auth === basic('mirror-user')
          ? found
          : { status: 401, headers: { 'www-authenticate': 'Basic realm="m"' } };
      if (r.url.host === 'other.example.com')
        return { status: 401, headers: { 'www-authenticate': 'Basic realm="o"' } };
      return auth === basic('origin-user')
        ? found
        : { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } };
    });
    const credentials = staticCredentials({
      'registry.example.com': { kind: 'basic', username: 'origin-user', password: 'pw' },
      'mirror.example.com': { kind: 'basic', username: 'mirror-user', password: 'pw' },
    });
    const viaMirror = make(http, {
      credentials,
      registryMirrors: { 'registry.example.com': ['https://mirror.example.com'] },
    });
    assert.equal((await viaMirror.resolve(ref('registry.example.com/team/app:1'))).ok, true);
    const viaOther = make(http, {
      credentials,
      registryMirrors: { 'registry.example.com': ['https://other.example.com'] },
    });
    assert.equal((await viaOther.resolve(ref('registry.example.com/team/app:1'))).ok, true);
    for (const seen of http.seen) {
      if (new URL(seen.url).host !== 'registry.example.com')
        assert.notEqual(seen.authorization, basic('origin-user'), `origin credentials sent to ${seen.url}`);
    }
    assert.deepEqual(
      http.seen.map((s) => `${new URL(s.url).host} ${s.authorization ?? '-'}`),
      [
        'mirror.example.com -',
        `mirror.example.com ${basic('mirror-user')}`,
        'other.example.com -',
        'registry.example.com -',
        `registry.example.com ${basic('origin-user')}`,
      ],
    );
  });

  it("all fail: the origin's error, naming the mirrors tried", async () => {
    const http = transport((r) =>
      r.url.host === 'a.example.com' ? { error: networkError('a.example.com', 'connection refused') } : missing,
    );
    const client = make(http, {
      registryMirrors: { 'ghcr.io': ['https://a.example.com', 'https://b.example.com'] },
    });
    const r = await client.resolve(ref('ghcr.io/acme/app:9'));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.kind, 'not-found');
      assert.equal(r.error.registry, 'ghcr.io');
      assert.match(r.error.message, /ghcr\.io/);
      assert.match(
        r.error.message,
        /asked first: the mirrors https:\/\/a\.example\.com \(.*connection refused.*\), https:\/\/b\.example\.com \(HTTP 404\)$/,
      );
    }
  });

  it('the origin unreachable after a mirror said 404: its network error, naming the mirror', async () => {
    const http = transport((r) =>
      r.url.host === 'mirror.example.com' ? missing : { error: networkError('ghcr.io', 'connection refused') },
    );
    const r = await make(http, { registryMirrors: { 'ghcr.io': ['https://mirror.example.com'] } }).resolve(
      ref('ghcr.io/acme/app:1'),
    );
    assert.deepEqual(r.ok ? null : [r.error.kind, r.error.registry], ['network', 'ghcr.io']);
    assert.match(
      r.ok ? '' : r.error.message,
      /connection refused.*; asked first: the mirror https:\/\/mirror\.example\.com \(HTTP 404\)$/,
    );
  });

  it('a registry without mirrors is asked directly', async () => {
    const http = transport(() => found);
    await make(http, { registryMirrors: { 'docker.io': ['https://mirror.example.com'] } }).resolve(
      ref('quay.io/a/b:1'),
    );
    assert.deepEqual(hosts(http.seen), ['HEAD https://quay.io/v2/a/b/manifests/1']);
  });

  it('a plain-HTTP mirror that is not loopback never gets credentials', async () => {
    const http = transport((r) =>
      r.headers?.authorization === undefined
        ? { status: 401, headers: { 'www-authenticate': 'Basic realm="m"' } }
        : found,
    );
    const client = make(http, {
      credentials: staticCredentials({ 'mirror.internal': { kind: 'basic', username: 'u', password: 'p' } }),
      registryMirrors: { 'docker.io': ['http://mirror.internal'] },
    });
    await client.resolve(ref('nginx:1'));
    const atMirror = http.seen.filter((s) => s.url.startsWith('http://mirror.internal/'));
    assert.ok(atMirror.length > 0);
    assert.ok(atMirror.every((s) => s.authorization === undefined));
  });
});
