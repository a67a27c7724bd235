// The client's decisions with a scripted transport (no sockets): which host and scheme it talks to, when
// credentials may be sent, loopback HTTPS→HTTP fallback and no downgrade elsewhere, 401 without a challenge,
// Docker Hub specifics, the per-registry concurrency limit, input validation.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createRegistryClient, staticCredentials, type RegistryClientOptions } from '../../../server/src/registry';
import { CACHE_FILE } from '../../../server/src/registry/cache';
import { parseImageReference, type ParsedImageRef } from '../../../server/src/references/imageRef';
import { tlsError } from '../../../server/src/registry/errors';
import type { HttpRequest, HttpResult, HttpTransport } from '../../../server/src/registry/http';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DIGEST = `sha256:${'c'.repeat(64)}`;

type Answer =
  | { status: number; headers?: Record<string, string>; body?: string; url?: string }
  | { error: ReturnType<typeof tlsError> };
type Script = (request: HttpRequest) => Answer | Promise<Answer>;

function transport(
  script: Script,
): HttpTransport & { seen: Array<{ method: string; url: string; authorization?: string }> } {
  const seen: Array<{ method: string; url: string; authorization?: string }> = [];
  return {
    seen,
    async request(request) {
      seen.push({
        method: request.method ?? 'GET',
        url: request.url.href,
        ...(request.headers?.authorization ? { authorization: request.headers.authorization } : {}),
      });
      const answer = await script(request);
      if ('error' in answer) return { ok: false, error: answer.error };
      const result: HttpResult = {
        ok: true,
        response: {
          status: answer.status,
          headers: answer.headers ?? {},
          body: Buffer.from(answer.body ?? ''),
          // A redirect the transport followed ends at another URL.
          url: answer.url ?? request.url.href,
          attempts: 1,
        },
      };
      return result;
    },
    close: () => undefined,
  };
}

const ok = (digest = DIGEST, extra: Record<string, string> = {}): Answer => ({
  status: 200,
  headers: { 'docker-content-digest': digest, 'content-type': OCI_INDEX, ...extra },
});
const ref = (text: string): ParsedImageRef => {
  const p = parseImageReference(text);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
};
const make = (http: HttpTransport, options: RegistryClientOptions = {}) =>
  createRegistryClient({
    http,
    credentials: staticCredentials({}),
    logger: { warn: () => undefined },
    certsDirs: [], // none of the machine's certs.d
    ...options,
  });

describe('hosts and schemes', () => {
  it('Docker Hub: the API host is registry-1.docker.io, over HTTPS', async () => {
    const http = transport(() => ok());
    const r = await make(http).resolve(ref('python:3.12'));
    assert.deepEqual(r.ok && r.value.digest, DIGEST);
    assert.deepEqual(http.seen, [
      { method: 'HEAD', url: 'https://registry-1.docker.io/v2/library/python/manifests/3.12' },
    ]);
  });
  it('no tag means latest', async () => {
    const http = transport(() => ok());
    await make(http).resolve(ref('ghcr.io/org/app'));
    assert.deepEqual(
      http.seen.map((s) => s.url),
      ['https://ghcr.io/v2/org/app/manifests/latest'],
    );
  });
  it('loopback: HTTPS first, then HTTP after a TLS failure (remembered)', async () => {
    const http = transport((r) => (r.url.protocol === 'https:' ? { error: tlsError('localhost:5000', 'x') } : ok()));
    const c = make(http);
    await c.resolve(ref('localhost:5000/app:1'));
    await c.resolve(ref('localhost:5000/app:2'));
    assert.deepEqual(
      http.seen.map((s) => s.url),
      [
        'https://localhost:5000/v2/app/manifests/1',
        'http://localhost:5000/v2/app/manifests/1',
        'http://localhost:5000/v2/app/manifests/2',
      ],
    );
  });
  it('loopback with a certs.d directory: verified, and a TLS failure is reported, not retried over HTTP', async () => {
    const certsDir = mkdtempSync(join(tmpdir(), 'digest-pin-client-certs-'));
    mkdirSync(join(certsDir, 'localhost:5000'));
    const verified: Array<boolean | undefined> = [];
    const http = transport((r) => {
      verified.push(r.insecureTls !== true);
      return { error: tlsError('localhost:5000', 'certificate issuer unknown') };
    });
    try {
      const r = await make(http, { certsDirs: [certsDir] }).resolve(ref('localhost:5000/app:1'));
      assert.equal(r.ok ? null : r.error.kind, 'tls');
      assert.deepEqual(
        [http.seen.map((s) => s.url), verified],
        [['https://localhost:5000/v2/app/manifests/1'], [true]],
      );
      // without the directory: unverified, and HTTP after the TLS failure (the test above)
      const plain = transport((r) => {
        verified.push(r.insecureTls !== true);
        return ok();
      });
      await make(plain, { certsDirs: [certsDir] }).resolve(ref('localhost:5001/app:1'));
      assert.deepEqual(verified, [true, false]);
    } finally {
      rmSync(certsDir, { recursive: true, force: true });
    }
  });
  it('not loopback: a TLS failure is an error, never a downgrade', async () => {
    const http = transport(() => ({ error: tlsError('registry.example.com', 'self-signed certificate') }));
    const r = await make(http).resolve(ref('registry.example.com/app:1'));
    assert.deepEqual(r.ok ? null : [r.error.kind, r.error.message], [
      'tls',
      'TLS connection to registry.example.com failed: self-signed certificate; if it is a private registry, install its CA certificate (NODE_EXTRA_CA_CERTS)',
    ]);
    assert.deepEqual(
      http.seen.map((s) => s.url),
      ['https://registry.example.com/v2/app/manifests/1'],
    );
  });
  it('insecure registry: plain HTTP, and credentials are never sent over it', async () => {
    const http = transport((r) =>
      r.url.pathname === '/v2/app/manifests/1' && !r.headers?.authorization
        ? { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }
        : ok(),
    );
    const c = make(http, {
      insecureRegistries: ['registry.internal:5000'],
      credentials: staticCredentials({ 'registry.internal:5000': { kind: 'basic', username: 'u', password: 'p' } }),
    });
    const r = await c.resolve(ref('registry.internal:5000/app:1'));
    assert.deepEqual(r.ok ? null : [r.error.kind, r.error.message], [
      'unauthorized',
      'not logged in to registry.internal:5000: run docker login registry.internal:5000',
    ]);
    assert.deepEqual(http.seen, [{ method: 'HEAD', url: 'http://registry.internal:5000/v2/app/manifests/1' }]);
  });
  it('insecure registry given as https://: HTTPS (unverified) with credentials', async () => {
    let insecureTls: boolean | undefined;
    const http = transport((r) => {
      insecureTls = r.insecureTls;
      return r.headers?.authorization ? ok() : { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } };
    });
    const c = make(http, {
      insecureRegistries: ['https://registry.internal:5000'],
      credentials: staticCredentials({ 'registry.internal:5000': { kind: 'basic', username: 'u', password: 'p' } }),
    });
    const r = await c.resolve(ref('registry.internal:5000/app:1'));
    assert.equal(r.ok && r.value.digest, DIGEST);
    assert.deepEqual(
      [http.seen.map((s) => s.url.slice(0, 8)), http.seen[1]?.authorization, insecureTls],
      [['https://', 'https://'], 'Basic dTpw', true],
    );
  });
});

describe('authentication flow', () => {
  it('401 without a challenge: asks /v2/ for one', async () => {
    const http = transport((r) => {
      if (r.url.pathname === '/v2/') return { status: 401, headers: { 'www-authenticate': 'Basic realm="gcr"' } };
      return r.headers?.authorization ? ok() : { status: 401 };
    });
    const c = make(http, {
      credentials: staticCredentials({ 'gcr.io': { kind: 'basic', username: 'oauth2accesstoken', password: 'ya29' } }),
    });
    const r = await c.resolve(ref('gcr.io/project/app:1'));
    assert.equal(r.ok && r.value.digest, DIGEST);
    assert.deepEqual(
      http.seen.map((s) => [s.method, new URL(s.url).pathname, s.authorization?.split(' ')[0]]),
      [
        ['HEAD', '/v2/project/app/manifests/1', undefined],
        ['GET', '/v2/', undefined],
        ['HEAD', '/v2/project/app/manifests/1', 'Basic'],
      ],
    );
  });
  it('a token realm that is plain HTTP on a remote host is refused before credentials go there', async () => {
    const http = transport(() => ({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="s"' },
    }));
    const c = make(http, {
      credentials: staticCredentials({ 'registry.example.com': { kind: 'basic', username: 'u', password: 'p' } }),
    });
    const r = await c.resolve(ref('registry.example.com/app:1'));
    assert.deepEqual(r.ok ? null : [r.error.kind, r.error.message], [
      'invalid-response',
      'registry.example.com sent an invalid response: token realm http://auth.example.com is not https; refusing to send credentials there',
    ]);
    assert.equal(http.seen.length, 1);
  });
  it('a broken credential helper is an error value for a registry that asks for a login', async () => {
    const http = transport(() => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }));
    const c = make(http, {
      credentials: {
        get: async () => ({ ok: false, error: { kind: 'invalid', message: 'docker-credential-x failed (exit 1)' } }),
      },
    });
    const r = await c.resolve(ref('registry.example.com/app:1'));
    assert.deepEqual(r.ok ? null : [r.error.kind, r.error.message], ['invalid', 'docker-credential-x failed (exit 1)']);
  });
  it('a registry that never challenges does not consult the credential source', async () => {
    let asked = 0;
    const http = transport(() => ok());
    const c = make(http, { credentials: { get: async () => (asked++, { ok: true, credential: null }) } });
    await c.resolve(ref('registry.example.com/app:1'));
    assert.equal(asked, 0);
  });
});

describe('a token without pull access (insufficient_scope)', () => {
  // Docker Hub answers a repository that does not exist as a private one: a token, then 401 insufficient_scope.
  const cases: Array<[string, RegistryClientOptions, string]> = [
    [
      'anonymous',
      {},
      'docker.io allows no anonymous pull of library/pyhton: check the name (it may not exist), or run docker login docker.io if it is private',
    ],
    [
      'logged in',
      { credentials: staticCredentials({ 'docker.io': { kind: 'basic', username: 'u', password: 'p' } }) },
      'docker.io gives the stored login no pull access to library/pyhton: check the name (it may not exist) and that your account can pull it',
    ],
  ];
  for (const [name, options, message] of cases) {
    it(`${name}: one fresh token, then a message that names the repository`, async () => {
      const challenge =
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/pyhton:pull"';
      const http = transport((request) => {
        if (request.url.host === 'auth.docker.io') return { status: 200, body: '{"token":"t0ken-value"}' };
        const auth = request.headers?.authorization;
        return {
          status: 401,
          headers: { 'www-authenticate': auth ? `${challenge},error="insufficient_scope"` : challenge },
        };
      });
      const r = await make(http, options).resolve(ref('pyhton:3'));
      assert.deepEqual(r.ok ? null : [r.error.kind, r.error.message], ['unauthorized', message]);
      assert.deepEqual(
        http.seen.filter((s) => s.url.startsWith('https://auth.docker.io')).length,
        2,
        'the first token and one fresh one',
      );
    });
  }
});

describe('Docker Hub pull budget', () => {
  const budget = { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '3;w=21600' };
  it('read from the HEAD of a plain check (the only request); optional GETs are skipped when it is low', async () => {
    const http = transport(() => ok(DIGEST, { ...budget, 'docker-ratelimit-source': '192.0.2.1' }));
    const c = make(http);
    const r = await c.resolve(ref('python:3'), { details: true });
    assert.deepEqual(r.ok && [r.value.digest, r.value.platforms], [DIGEST, undefined]);
    assert.deepEqual(c.pullBudgets(), [
      { registry: 'docker.io', remaining: 3, limit: 100, windowSeconds: 21600, source: '192.0.2.1' },
    ]);
    assert.deepEqual(
      http.seen.map((s) => s.method),
      ['HEAD'],
    );
  });
  it('the latest answer wins; no headers (an unlimited account) leaves none', async () => {
    let remaining = 90;
    const http = transport((request) =>
      request.url.host === 'registry-1.docker.io'
        ? ok(DIGEST, { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': `${remaining--};w=21600` })
        : ok(),
    );
    const c = make(http);
    for (const tag of ['1', '2', '3']) await c.resolve(ref(`python:${tag}`));
    await c.resolve(ref('ghcr.io/org/app:1'));
    assert.deepEqual(
      c.pullBudgets().map((b) => [b.registry, b.remaining]),
      [['docker.io', 88]],
    );
    assert.deepEqual(make(transport(() => ok())).pullBudgets(), []);
  });
  const limited = (headers: Record<string, string>): Answer => ({
    status: 429,
    headers: { 'content-type': 'application/json', ...headers },
    body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}',
  });
  const cases: Array<[string, Record<string, string>, string, number | undefined]> = [
    [
      'remaining 0 and the window: when pulls free up',
      { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
      'rate limited by docker.io (all 100 pulls of its 6-hour window are used); pulls free up as the window moves on: retry within 6 h or run docker login docker.io for a higher limit',
      undefined,
    ],
    [
      'remaining 0 and Retry-After: the wait it states',
      { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600', 'retry-after': '600' },
      'rate limited by docker.io (all 100 pulls of its 6-hour window are used); retry in 10 min',
      600,
    ],
    [
      'no budget stated: retry later',
      {},
      'rate limited by docker.io; retry later or run docker login docker.io for a higher limit',
      undefined,
    ],
  ];
  for (const [name, headers, message, retryAfter] of cases) {
    it(`429, ${name}`, async () => {
      const r = await make(transport(() => limited(headers))).resolve(ref('python:3'));
      assert.deepEqual(r.ok ? null : [r.error.kind, r.error.message, r.error.retryAfter], [
        'rate-limited',
        message,
        retryAfter,
      ]);
    });
  }
});

describe('limits and validation', () => {
  it('at most `concurrency` requests in flight per registry', async () => {
    let active = 0;
    let peak = 0;
    const http = transport(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active--;
      return ok();
    });
    const c = make(http, { concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => c.resolve(ref(`registry.example.com/app:${i}`))));
    assert.deepEqual([peak, http.seen.length], [3, 12]);
  });
  it('a digest-only reference has no tag to resolve', async () => {
    const r = await make(transport(() => ok())).resolve(ref(`ghcr.io/org/app@${DIGEST}`));
    assert.deepEqual(r.ok ? null : [r.error.kind, r.error.message], [
      'invalid',
      'ghcr.io/org/app has only a digest; there is no tag to resolve',
    ]);
  });
  it('a hand-made reference with a path that could escape the URL is refused without a request', async () => {
    const http = transport(() => ok());
    const r = await make(http).resolve({
      domain: 'ghcr.io',
      path: 'org/../../v2/x?y',
      name: 'ghcr.io/x',
      tag: '1',
      digest: null,
    });
    assert.deepEqual(r.ok ? null : r.error.kind, 'invalid');
    assert.equal(http.seen.length, 0);
  });
  it('a bad platform is an error value', async () => {
    const r = await make(transport(() => ok())).resolve(ref('ghcr.io/org/app:1'), { platform: 'linux' });
    assert.deepEqual(
      r.ok ? null : r.error.message,
      "platform 'linux' is not os/architecture[/variant], e.g. linux/arm64",
    );
  });
  it('a GET by digest is verified with the digest’s own algorithm (sha512)', async () => {
    const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    const sha512 = `sha512:${createHash('sha512').update(body).digest('hex')}`;
    const http = transport(() => ({ status: 200, headers: { 'content-type': OCI_INDEX }, body }));
    const d = await make(http).describe(ref('ghcr.io/org/app'), sha512);
    assert.deepEqual(d.ok && [d.value.digest, d.value.platforms], [sha512, []]);
  });
});

describe('cache file writes', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'digest-pin-client-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const tagsIn = (dir: string): string[] =>
    Object.keys((JSON.parse(readFileSync(join(dir, CACHE_FILE), 'utf8')) as { tags: object }).tags).sort();
  const waitFor = async (condition: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('answers are written together once the delay has passed, not one write per answer', async () => {
    const dir = join(tmp, 'delayed');
    const c = make(
      transport(() => ok()),
      { cacheDir: dir, cacheWriteDelayMs: 150 },
    );
    await c.resolve(ref('ghcr.io/org/app:1'));
    await c.resolve(ref('ghcr.io/org/app:2'));
    await c.resolve(ref('ghcr.io/org/app:3'));
    assert.equal(existsSync(join(dir, CACHE_FILE)), false);
    await waitFor(() => existsSync(join(dir, CACHE_FILE)));
    assert.deepEqual(tagsIn(dir), ['ghcr.io/org/app:1', 'ghcr.io/org/app:2', 'ghcr.io/org/app:3']);
    await c.close();
  });
  it('flush() and close() write at once, whatever the delay', async () => {
    const dir = join(tmp, 'flush');
    const c = make(
      transport(() => ok()),
      { cacheDir: dir, cacheWriteDelayMs: 60_000 },
    );
    await c.resolve(ref('ghcr.io/org/app:1'));
    await c.flush();
    assert.deepEqual(tagsIn(dir), ['ghcr.io/org/app:1']);
    await c.resolve(ref('ghcr.io/org/app:2'));
    await c.close();
    assert.deepEqual(tagsIn(dir), ['ghcr.io/org/app:1', 'ghcr.io/org/app:2']);
  });
  it('the delayed write runs on the injected timers; close() cancels the pending one and writes at once', async () => {
    const dir = join(tmp, 'timers');
    const scheduled: Array<{ run: () => void; ms: number }> = [];
    const cleared: unknown[] = [];
    const timers = {
      setTimeout: (run: () => void, ms: number) => scheduled.push({ run, ms }),
      clearTimeout: (handle: unknown) => void cleared.push(handle),
    };
    const c = make(
      transport(() => ok()),
      { cacheDir: dir, cacheWriteDelayMs: 500, timers },
    );
    await c.resolve(ref('ghcr.io/org/app:1'));
    await c.resolve(ref('ghcr.io/org/app:2'));
    assert.deepEqual(
      scheduled.map((s) => s.ms),
      [500],
    );
    assert.equal(existsSync(join(dir, CACHE_FILE)), false);
    scheduled[0]!.run();
    await waitFor(() => existsSync(join(dir, CACHE_FILE)));
    assert.deepEqual(tagsIn(dir), ['ghcr.io/org/app:1', 'ghcr.io/org/app:2']);
    await c.resolve(ref('ghcr.io/org/app:3'));
    assert.equal(scheduled.length, 2);
    await c.close();
    assert.deepEqual(cleared, [2]);
    assert.deepEqual(tagsIn(dir), ['ghcr.io/org/app:1', 'ghcr.io/org/app:2', 'ghcr.io/org/app:3']);
  });
});

describe('a redirect target that wants credentials', () => {
  for (const status of [401, 403]) {
    it(`HTTP ${status} from the storage the registry redirected to is not "rejected your login"`, async () => {
      const http = transport(() => ({ status, url: 'https://storage.example.com/blobs/abc?sig=x' }));
      const r = await make(http, {
        credentials: staticCredentials({ 'registry.example.com': { kind: 'basic', username: 'u', password: 'p' } }),
      }).resolve(ref('registry.example.com/team/app:1'));
      assert.ok(!r.ok);
      assert.equal(r.error.kind, status === 401 ? 'unauthorized' : 'forbidden');
      assert.match(
        r.error.message,
        new RegExp(
          `^registry\\.example\\.com redirected the request for .* to storage\\.example\\.com, which answered HTTP ${status}; digest-pin sends no credentials to another host`,
        ),
      );
      assert.doesNotMatch(r.error.message, /rejected|log in|login/i);
    });
  }
});
