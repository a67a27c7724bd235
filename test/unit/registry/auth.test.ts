// WWW-Authenticate parsing, token lifetimes and cache, token fetch requests — table-driven, no network:
// the token fetch runs against a recording HttpTransport double.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Authorizer,
  TokenCache,
  checkRealm,
  chooseChallenge,
  credentialFingerprint,
  fetchToken,
  parseChallenges,
  tokenExpiry,
  type Challenge,
} from '../../../server/src/registry/auth';
import type { Credential } from '../../../server/src/registry/credentials';
import { networkError, timeoutError, type RegistryError } from '../../../server/src/registry/errors';
import type { HttpRequest, HttpResult, HttpTransport } from '../../../server/src/registry/http';

const c = (scheme: string, params: Record<string, string> = {}, token68?: string): Challenge => ({
  scheme,
  params,
  ...(token68 !== undefined ? { token68 } : {}),
});

describe('parseChallenges', () => {
  const cases: Array<[name: string, header: string | string[] | undefined, expected: Challenge[]]> = [
    ['absent', undefined, []],
    ['empty', '', []],
    ['only commas and spaces', ' ,  , ', []],
    [
      'Docker Hub bearer',
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/python:pull"',
      [
        c('bearer', {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/python:pull',
        }),
      ],
    ],
    ['basic with realm', 'Basic realm="Registry Realm"', [c('basic', { realm: 'Registry Realm' })]],
    [
      'scheme case-insensitive, params lower-cased',
      'BEARER Realm="r", SERVICE="s"',
      [c('bearer', { realm: 'r', service: 's' })],
    ],
    ['scheme alone', 'Basic', [c('basic')]],
    ['two schemes alone', 'Negotiate, Basic', [c('negotiate'), c('basic')]],
    [
      'two challenges in one header',
      'Basic realm="simple", Bearer realm="https://a/t",service="svc"',
      [c('basic', { realm: 'simple' }), c('bearer', { realm: 'https://a/t', service: 'svc' })],
    ],
    [
      'RFC 9110 example with escaped quotes',
      'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
      [c('newauth', { realm: 'apps', type: '1', title: 'Login to "apps"' }), c('basic', { realm: 'simple' })],
    ],
    [
      'quoted value with commas',
      'Bearer realm="https://a/t",scope="repository:a/b:pull,push",service="s"',
      [c('bearer', { realm: 'https://a/t', scope: 'repository:a/b:pull,push', service: 's' })],
    ],
    [
      'quoted value with comma then a second challenge',
      'Bearer scope="x,y", Basic realm="r"',
      [c('bearer', { scope: 'x,y' }), c('basic', { realm: 'r' })],
    ],
    [
      'several headers',
      ['Basic realm="one"', 'Bearer realm="https://two/t"'],
      [c('basic', { realm: 'one' }), c('bearer', { realm: 'https://two/t' })],
    ],
    [
      'spaces around =',
      'Bearer realm = "https://a/t" , service = s',
      [c('bearer', { realm: 'https://a/t', service: 's' })],
    ],
    ['tabs as white space', 'Bearer\trealm="r",\tservice="s"', [c('bearer', { realm: 'r', service: 's' })]],
    [
      'unquoted URL value (lenient)',
      'Bearer realm=https://auth.example.com/token?x=1,service=reg',
      [c('bearer', { realm: 'https://auth.example.com/token?x=1', service: 'reg' })],
    ],
    ['token68', 'Negotiate YIIB3gYGKwYBBQUCoIIB', [c('negotiate', {}, 'YIIB3gYGKwYBBQUCoIIB')]],
    ['token68 with padding', 'Basic dXNlcjpwYXNz==', [c('basic', {}, 'dXNlcjpwYXNz==')]],
    [
      'token68 then another challenge',
      'Negotiate abc=, Basic realm="r"',
      [c('negotiate', {}, 'abc='), c('basic', { realm: 'r' })],
    ],
    [
      'error parameters',
      'Bearer realm="https://a/t",service="s",scope="repository:x:pull",error="insufficient_scope"',
      [c('bearer', { realm: 'https://a/t', service: 's', scope: 'repository:x:pull', error: 'insufficient_scope' })],
    ],
    [
      'invalid_token with description',
      'Bearer error="invalid_token", error_description="The access token expired"',
      [c('bearer', { error: 'invalid_token', error_description: 'The access token expired' })],
    ],
    ['first duplicate parameter wins', 'Bearer realm="first", realm="second"', [c('bearer', { realm: 'first' })]],
    ['empty quoted value', 'Bearer realm="", service="s"', [c('bearer', { realm: '', service: 's' })]],
    [
      'unterminated quote takes the rest',
      'Bearer realm="https://a/t, service=s',
      [c('bearer', { realm: 'https://a/t, service=s' })],
    ],
    [
      'garbage after a value is skipped',
      'Bearer realm="r" junk junk, service="s"',
      [c('bearer', { realm: 'r', service: 's' })],
    ],
    ['trailing comma', 'Bearer realm="r",', [c('bearer', { realm: 'r' })]],
    ['leading comma', ', Basic realm="r"', [c('basic', { realm: 'r' })]],
    ['stray characters before a scheme', '"" Basic realm="r"', [c('basic', { realm: 'r' })]],
    [
      'name contains colon in scope',
      'Bearer scope="repository:localhost:5000/a:pull"',
      [c('bearer', { scope: 'repository:localhost:5000/a:pull' })],
    ],
  ];
  for (const [name, header, expected] of cases) {
    it(name, () => assert.deepEqual(parseChallenges(header), expected));
  }
});

describe('chooseChallenge', () => {
  const cases: Array<[string, string, ReturnType<typeof chooseChallenge>]> = [
    [
      'bearer over basic',
      'Basic realm="b", Bearer realm="https://a/t",service="s"',
      { scheme: { scheme: 'bearer', realm: 'https://a/t', service: 's' } },
    ],
    [
      'bearer without service',
      'Bearer realm="https://a/t"',
      { scheme: { scheme: 'bearer', realm: 'https://a/t', service: '' } },
    ],
    [
      'bearer error surfaces',
      'Bearer realm="https://a/t",error="invalid_token"',
      { scheme: { scheme: 'bearer', realm: 'https://a/t', service: '' }, error: 'invalid_token' },
    ],
    [
      'bearer without realm falls back to basic',
      'Bearer service="s", Basic realm="r"',
      { scheme: { scheme: 'basic' } },
    ],
    ['basic', 'Basic realm="r"', { scheme: { scheme: 'basic' } }],
    ['unknown schemes only', 'Negotiate, NTLM', null],
  ];
  for (const [name, header, expected] of cases)
    it(name, () => assert.deepEqual(chooseChallenge(parseChallenges(header)), expected));
});

describe('tokenExpiry', () => {
  const NOW = Date.parse('2024-05-01T12:00:00Z');
  const cases: Array<[string, unknown, unknown, number]> = [
    ['default 60 s less 6 s margin', undefined, undefined, NOW + 54_000],
    ['below the 60 s minimum is raised to it', 30, undefined, NOW + 54_000],
    ['300 s less 10 s margin (capped)', 300, undefined, NOW + 290_000],
    ['non-number expires_in', '300', undefined, NOW + 54_000],
    ['issued_at earlier than now counts from issue time', 300, '2024-05-01T11:58:00Z', NOW - 120_000 + 290_000],
    ['issued_at in the future (server clock ahead) counts from now', 300, '2024-05-01T12:30:00Z', NOW + 290_000],
    ['unparseable issued_at', 300, 'yesterday', NOW + 290_000],
  ];
  for (const [name, expiresIn, issuedAt, expected] of cases)
    it(name, () => assert.equal(tokenExpiry(NOW, expiresIn, issuedAt), expected));
});

describe('TokenCache', () => {
  it('serves a token until its expiry, then forgets it (injected clock)', () => {
    let now = 1_000_000;
    const cache = new TokenCache(() => now);
    const key = { realm: 'https://a/t', service: 's', scope: 'repository:x:pull', identity: 'anonymous' };
    cache.set(key, { value: 'T1', expiresAt: now + 54_000 });
    assert.equal(cache.get(key)?.value, 'T1');
    now += 53_999;
    assert.equal(cache.get(key)?.value, 'T1');
    now += 1;
    assert.equal(cache.get(key), undefined);
    assert.equal(cache.size, 0);
  });
  it('keys on realm, service, scope and identity separately', () => {
    const cache = new TokenCache(() => 0);
    const base = { realm: 'https://a/t', service: 's', scope: 'repository:x:pull', identity: 'anonymous' };
    cache.set(base, { value: 'T', expiresAt: 10 });
    for (const variant of [
      { realm: 'https://b/t' },
      { service: 't' },
      { scope: 'repository:y:pull' },
      { identity: 'abc' },
    ]) {
      assert.equal(cache.get({ ...base, ...variant }), undefined, JSON.stringify(variant));
    }
    assert.equal(cache.get({ ...base })?.value, 'T');
  });
  it('evicts the oldest beyond its bound', () => {
    const cache = new TokenCache(() => 0, 2);
    const key = (scope: string) => ({ realm: 'r', service: 's', scope, identity: 'i' });
    cache.set(key('a'), { value: 'A', expiresAt: 10 });
    cache.set(key('b'), { value: 'B', expiresAt: 10 });
    cache.set(key('c'), { value: 'C', expiresAt: 10 });
    assert.deepEqual(
      [cache.get(key('a')), cache.get(key('b'))?.value, cache.get(key('c'))?.value],
      [undefined, 'B', 'C'],
    );
  });
});

describe('credentialFingerprint', () => {
  it('is stable, distinct per credential, and never contains the secret', () => {
    const secret = 'hunter2-SECRET';
    const a: Credential = { kind: 'basic', username: 'u', password: secret };
    const b: Credential = { kind: 'basic', username: 'u', password: 'other' };
    assert.equal(credentialFingerprint(null), 'anonymous');
    assert.equal(credentialFingerprint(a), credentialFingerprint({ ...a }));
    assert.notEqual(credentialFingerprint(a), credentialFingerprint(b));
    assert.match(credentialFingerprint(a), /^[0-9a-f]{16}$/);
    assert.ok(!credentialFingerprint(a).includes(secret));
  });
});

describe('checkRealm', () => {
  const cases: Array<[string, string, string | null]> = [
    ['https realm', 'https://auth.docker.io/token', null],
    ['http loopback realm', 'http://127.0.0.1:5001/token', null],
    ['http localhost realm', 'http://localhost:5001/token', null],
    [
      'http remote realm refused',
      'http://auth.example.com/token',
      'example.com sent an invalid response: token realm http://auth.example.com is not https; refusing to send credentials there',
    ],
    [
      'link-local realm refused',
      'https://169.254.169.254/token',
      'example.com sent an invalid response: token realm 169.254.169.254 is a link-local address; refusing it',
    ],
    [
      'IPv6 link-local realm refused',
      'https://[fe80::1]/token',
      'example.com sent an invalid response: token realm [fe80::1] is a link-local address; refusing it',
    ],
    [
      'userinfo refused',
      'https://u:p@auth.example.com/token',
      'example.com sent an invalid response: token realm auth.example.com carries user information; refusing it',
    ],
    ['not a URL', '/token', "example.com sent an invalid response: token realm '/token' is not a URL"],
  ];
  for (const [name, realm, message] of cases) {
    it(name, () => {
      const result = checkRealm(realm, 'example.com');
      assert.equal(result.ok ? null : result.error.message, message);
    });
  }
});

/** Records requests and answers from a script. */
function fakeHttp(
  answers: Array<{ status: number; body?: string; headers?: Record<string, string> }>,
): HttpTransport & { seen: HttpRequest[] } {
  const seen: HttpRequest[] = [];
  return {
    seen,
    async request(request: HttpRequest): Promise<HttpResult> {
      seen.push(request);
      const answer = answers.shift();
      if (!answer) throw new Error('unexpected request');
      return {
        ok: true,
        response: {
          status: answer.status,
          headers: answer.headers ?? {},
          body: Buffer.from(answer.body ?? ''),
          url: request.url.href,
          attempts: 1,
        },
      };
    },
    close: () => undefined,
  };
}

describe('fetchToken', () => {
  const NOW = Date.parse('2024-05-01T12:00:00Z');
  const now = () => NOW;
  const base = {
    realm: 'https://auth.example.com/token?account=me',
    service: 'registry.example.com',
    scope: 'repository:team/app:pull',
    registry: 'registry.example.com',
  };

  it('anonymous GET keeps the realm query and adds service and scope', async () => {
    const http = fakeHttp([{ status: 200, body: '{"token":"abc","expires_in":300}' }]);
    const result = await fetchToken(http, { ...base, credential: null }, now);
    assert.deepEqual(result, { ok: true, token: { value: 'abc', expiresAt: NOW + 290_000 } });
    assert.equal(
      http.seen[0]!.url.href,
      'https://auth.example.com/token?account=me&service=registry.example.com&scope=repository%3Ateam%2Fapp%3Apull',
    );
    assert.equal(http.seen[0]!.method, 'GET');
    assert.equal(http.seen[0]!.headers?.authorization, undefined);
  });
  it('Basic credentials go to the realm', async () => {
    const http = fakeHttp([{ status: 200, body: '{"access_token":"xyz"}' }]);
    const result = await fetchToken(
      http,
      { ...base, credential: { kind: 'basic', username: 'bob', password: 'pa:ss' } },
      now,
    );
    assert.deepEqual(result, { ok: true, token: { value: 'xyz', expiresAt: NOW + 54_000 } });
    assert.equal(http.seen[0]!.headers?.authorization, `Basic ${Buffer.from('bob:pa:ss').toString('base64')}`);
  });
  it('an identity token is exchanged by a refresh_token form POST', async () => {
    const http = fakeHttp([{ status: 200, body: '{"access_token":"from-refresh","expires_in":120}' }]);
    const result = await fetchToken(http, { ...base, credential: { kind: 'identity-token', token: 'REFRESH' } }, now);
    assert.deepEqual(result, { ok: true, token: { value: 'from-refresh', expiresAt: NOW + 110_000 } });
    assert.equal(http.seen[0]!.method, 'POST');
    assert.equal(http.seen[0]!.url.href, 'https://auth.example.com/token?account=me');
    assert.deepEqual(http.seen[0]!.form, {
      grant_type: 'refresh_token',
      refresh_token: 'REFRESH',
      client_id: 'digest-pin',
      service: 'registry.example.com',
      scope: 'repository:team/app:pull',
    });
  });
  const failures: Array<[string, { status: number; body?: string; headers?: Record<string, string> }, string, string]> =
    [
      [
        '401 from the realm with credentials',
        { status: 401 },
        'unauthorized',
        'registry.example.com rejected the stored credentials (token server refused the login): run docker login registry.example.com again',
      ],
      [
        '403 from the realm',
        { status: 403 },
        'forbidden',
        'access to team/app denied by registry.example.com: check that your account can pull it',
      ],
      [
        '429 from the realm',
        { status: 429, headers: { 'retry-after': '37' } },
        'rate-limited',
        'rate limited by registry.example.com; retry in 37 s',
      ],
      [
        '500 from the realm',
        { status: 500 },
        'network',
        'registry.example.com answered HTTP 500; the registry is having trouble, try again later',
      ],
      [
        'not JSON',
        { status: 200, body: '<html>' },
        'invalid-response',
        'registry.example.com sent an invalid response: token response is not JSON',
      ],
      [
        'no token',
        { status: 200, body: '{"expires_in":60}' },
        'invalid-response',
        'registry.example.com sent an invalid response: token response has no token',
      ],
      [
        'token with CRLF',
        { status: 200, body: '{"token":"a\\r\\nX-Evil: 1"}' },
        'invalid-response',
        'registry.example.com sent an invalid response: token contains characters not allowed in a header',
      ],
    ];
  for (const [name, answer, kind, message] of failures) {
    it(name, async () => {
      const result = await fetchToken(
        fakeHttp([answer]),
        { ...base, credential: { kind: 'basic', username: 'u', password: 'p' } },
        now,
      );
      assert.equal(result.ok, false);
      if (!result.ok) assert.deepEqual([result.error.kind, result.error.message], [kind, message]);
    });
  }
  it('an identity token refused (401, or 400 invalid_grant as OAuth2 says): a login to renew, never the token', async () => {
    for (const answer of [
      { status: 401, body: '{"errors":[{"code":"UNAUTHORIZED"}]}' },
      { status: 400, body: '{"error":"invalid_grant","error_description":"refresh token expired"}' },
    ]) {
      const result = await fetchToken(
        fakeHttp([answer]),
        { ...base, credential: { kind: 'identity-token', token: 'REFRESH-S3CRET' } },
        now,
      );
      assert.deepEqual(result.ok ? null : [result.error.kind, result.error.message], [
        'unauthorized',
        'registry.example.com rejected the stored credentials (token server refused the identity token, a refresh token that expires or can be revoked): run docker login registry.example.com again',
      ]);
    }
    const other = await fetchToken(
      fakeHttp([{ status: 400, body: '{"error":"unsupported_grant_type"}' }]),
      { ...base, credential: { kind: 'identity-token', token: 'REFRESH-S3CRET' } },
      now,
    );
    assert.deepEqual(other.ok ? null : other.error.kind, 'invalid-response');
  });
  it('refuses an http realm before sending anything', async () => {
    const http = fakeHttp([]);
    const result = await fetchToken(
      http,
      { ...base, realm: 'http://auth.example.com/token', credential: { kind: 'basic', username: 'u', password: 'p' } },
      now,
    );
    assert.equal(result.ok, false);
    assert.equal(http.seen.length, 0);
  });
});

describe('Authorizer', () => {
  it('fetches once for concurrent callers, caches, and refetches when asked', async () => {
    let now = 0;
    const http = fakeHttp([
      { status: 200, body: '{"token":"one"}' },
      { status: 200, body: '{"token":"two"}' },
    ]);
    const auth = new Authorizer({ http, now: () => now });
    auth.learn('r.example', { scheme: 'bearer', realm: 'https://a/t', service: 's' });
    const [a, b] = await Promise.all([
      auth.authorization('r.example', 'repository:x:pull', null, 'r.example', undefined),
      auth.authorization('r.example', 'repository:x:pull', null, 'r.example', undefined),
    ]);
    assert.deepEqual(
      [a, b],
      [
        { ok: true, value: 'Bearer one', bearer: true },
        { ok: true, value: 'Bearer one', bearer: true },
      ],
    );
    assert.equal(http.seen.length, 1);
    now = 53_000;
    assert.deepEqual(await auth.authorization('r.example', 'repository:x:pull', null, 'r.example', undefined), {
      ok: true,
      value: 'Bearer one',
      bearer: true,
    });
    assert.equal(http.seen.length, 1);
    assert.deepEqual(await auth.authorization('r.example', 'repository:x:pull', null, 'r.example', undefined, true), {
      ok: true,
      value: 'Bearer two',
      bearer: true,
    });
    assert.equal(http.seen.length, 2);
  });
  it('refetches after expiry (injected clock)', async () => {
    let now = 0;
    const http = fakeHttp([
      { status: 200, body: '{"token":"one"}' },
      { status: 200, body: '{"token":"two"}' },
    ]);
    const auth = new Authorizer({ http, now: () => now });
    auth.learn('r', { scheme: 'bearer', realm: 'https://a/t', service: 's' });
    assert.deepEqual(await auth.authorization('r', 'repository:x:pull', null, 'r', undefined), {
      ok: true,
      value: 'Bearer one',
      bearer: true,
    });
    now = 54_000;
    assert.deepEqual(await auth.authorization('r', 'repository:x:pull', null, 'r', undefined), {
      ok: true,
      value: 'Bearer two',
      bearer: true,
    });
  });
  it('Basic sends the credential; no scheme or no credential sends nothing; a registry token goes as is', async () => {
    const auth = new Authorizer({ http: fakeHttp([]), now: () => 0 });
    const basic: Credential = { kind: 'basic', username: 'u', password: 'p' };
    assert.deepEqual(await auth.authorization('r', 's', basic, 'r', undefined), {
      ok: true,
      value: null,
      bearer: false,
    });
    auth.learn('r', { scheme: 'basic' });
    assert.deepEqual(await auth.authorization('r', 's', basic, 'r', undefined), {
      ok: true,
      value: 'Basic dTpw',
      bearer: false,
    });
    assert.deepEqual(await auth.authorization('r', 's', null, 'r', undefined), {
      ok: true,
      value: null,
      bearer: false,
    });
    assert.deepEqual(await auth.authorization('r', 's', { kind: 'registry-token', token: 'RT' }, 'r', undefined), {
      ok: true,
      value: 'Bearer RT',
      bearer: false,
    });
  });
});

describe('fetchToken: a token service that cannot be reached is named as such', () => {
  const base = {
    realm: 'https://auth.example.com:5001/token',
    service: 'registry.example.com',
    scope: 'repository:team/app:pull',
    registry: 'registry.example.com',
    credential: null,
  };
  const failing = (error: RegistryError): HttpTransport => ({
    request: async () => ({ ok: false, error }),
    close: () => undefined,
  });
  const table: Array<[string, RegistryError, string]> = [
    [
      'connection refused',
      networkError('registry.example.com', 'connect ECONNREFUSED 10.0.0.9:5001'),
      'cannot reach the token service auth.example.com:5001 that registry.example.com names: connect ECONNREFUSED 10.0.0.9:5001; check the network connection or proxy settings',
    ],
    [
      'timeout',
      timeoutError('registry.example.com', 10),
      'the token service auth.example.com:5001 that registry.example.com names did not answer within 10 s; check the network or raise the timeout',
    ],
  ];
  for (const [name, error, message] of table) {
    it(name, async () => {
      const result = await fetchToken(failing(error), base, () => 0);
      assert.ok(!result.ok);
      assert.equal(result.error.kind, error.kind);
      assert.equal(result.error.message, message);
    });
  }
  it('a token service on the registry host itself keeps the message as it is', async () => {
    const error = networkError('registry.example.com', 'socket hang up');
    const result = await fetchToken(failing(error), { ...base, realm: 'https://registry.example.com/token' }, () => 0);
    assert.ok(!result.ok);
    assert.equal(result.error.message, error.message);
  });
});
