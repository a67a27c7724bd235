// Authentication against the real registry: token auth (anonymous pull, Basic login from a temporary DOCKER_CONFIG,
// a credential helper on PATH, identity-token exchange, token caching and expiry with an injected clock, one refetch
// on insufficient_scope), and htpasswd Basic. No message ever carries the password.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  anonymousCredentials,
  createRegistryClient,
  dockerConfigCredentials,
  explain,
  staticCredentials,
  type RegistryClientOptions,
} from '../../../server/src/registry';
import type { FaultProxy } from '../support/faultProxy';
import { startRegistry, type Registry } from '../support/registry';
import { pushImage } from '../support/seed';
import { SETUP_USER, startSeededSetup, type SeededSetup } from '../support/setup';
import { startTokenServer, type TokenServer } from '../support/tokenServer';
import { FAST, clock, error, recordingLogger, ref, value } from './support';

const SECRET = 'wrong-S3CRET-password-value';
let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-auth-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const client = (options: RegistryClientOptions = {}) =>
  createRegistryClient({ credentials: anonymousCredentials, logger: recordingLogger(), ...FAST, ...options });
const assertNoSecret = (text: string) =>
  assert.ok(
    !text.includes(SECRET) && !text.includes(Buffer.from(`${SETUP_USER.username}:${SECRET}`).toString('base64')),
    text,
  );

describe('token auth', () => {
  let setup: SeededSetup;
  let tokens: TokenServer;
  let proxy: FaultProxy;
  before(async () => {
    setup = await startSeededSetup({ auth: 'token', proxy: true });
    tokens = setup.tokenServer!;
    proxy = setup.proxy!;
  });
  after(async () => setup?.stop());
  beforeEach(() => {
    proxy.clearLog();
    proxy.clearFaults();
    tokens.behaviour.grant = undefined;
    tokens.behaviour.fail = undefined;
  });
  const tokenRequests = () => tokens.requests().length;

  it('anonymous pull: one anonymous token for the repository scope, then the HEAD succeeds', async () => {
    const before = tokenRequests();
    const c = client();
    const f = setup.fixtures.ociIndex;
    assert.equal(value(await c.resolve(ref(f.ref))).digest, f.digest);
    const seen = tokens.requests().slice(before);
    assert.deepEqual(
      seen.map((r) => [r.method, r.service, r.scopes, r.authorization, r.status]),
      [['GET', tokens.service, [`repository:${f.repo}:pull`], undefined, 200]],
    );
    assert.deepEqual(
      proxy.requests({ method: 'HEAD' }).map((r) => [r.authScheme, r.status]),
      [
        [undefined, 401],
        ['bearer', 200],
      ],
    );
    // asked again (refresh skips the tag cache): challenge and token are remembered — one HEAD, no token request
    proxy.clearLog();
    value(await c.resolve(ref(f.ref), { refresh: true }));
    assert.deepEqual(
      proxy.requests({ method: 'HEAD' }).map((r) => [r.authScheme, r.status]),
      [['bearer', 200]],
    );
    assert.equal(tokenRequests(), before + 1);
    // another repository: a token for its own scope, sent up front (no 401 round trip)
    proxy.clearLog();
    value(await c.resolve(ref(setup.fixtures.ociImage.ref)));
    assert.deepEqual(
      proxy.requests({ method: 'HEAD' }).map((r) => [r.authScheme, r.status]),
      [['bearer', 200]],
    );
    assert.deepEqual(tokens.requests().at(-1)?.scopes, [`repository:${setup.fixtures.ociImage.repo}:pull`]);
    await c.close();
  });

  it('credentials from a temporary DOCKER_CONFIG: the token is fetched as that user', async () => {
    const c = client({
      credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: setup.dockerConfigDir, PATH: process.env.PATH } }),
    });
    assert.equal(value(await c.resolve(ref(setup.fixtures.dockerImage.ref))).digest, setup.fixtures.dockerImage.digest);
    const last = tokens.requests().at(-1)!;
    assert.deepEqual([last.subject, last.status], [SETUP_USER.username, 200]);
    await c.close();
  });

  it('a credential helper on PATH supplies the login', async () => {
    const bin = join(tmp, 'bin-token');
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'docker-credential-itest'),
      `#!/bin/sh\nread url\n[ "$url" = "${setup.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\n` +
        `printf '{"ServerURL":"%s","Username":"${SETUP_USER.username}","Secret":"${SETUP_USER.password}"}' "$url"\n`,
    );
    chmodSync(join(bin, 'docker-credential-itest'), 0o755);
    const configDir = join(tmp, 'helper-config');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ credHelpers: { [setup.host]: 'itest' } }));
    const c = client({
      credentials: dockerConfigCredentials({
        env: { DOCKER_CONFIG: configDir, PATH: `${bin}:${process.env.PATH ?? ''}` },
      }),
    });
    assert.equal(value(await c.resolve(ref(setup.fixtures.dockerList.ref))).digest, setup.fixtures.dockerList.digest);
    assert.equal(tokens.requests().at(-1)?.subject, SETUP_USER.username);
    await c.close();
  });

  it('wrong password: unauthorized, says to log in again, no secret in the message', async () => {
    const c = client({
      credentials: staticCredentials({
        [setup.host]: { kind: 'basic', username: SETUP_USER.username, password: SECRET },
      }),
    });
    const e = error(await c.resolve(ref(setup.fixtures.ociImage.ref)));
    assert.deepEqual(
      [e.kind, e.message],
      [
        'unauthorized',
        `${setup.host} rejected the stored credentials (token server refused the login): run docker login ${setup.host} again`,
      ],
    );
    assertNoSecret(JSON.stringify(e));
    assertNoSecret(explain(e));
    await c.close();
  });

  it('tokens are cached until shortly before expiry, then fetched again (injected clock)', async () => {
    const t = clock();
    const c = client({ now: t.now });
    const f = setup.fixtures.ociImage;
    const before = tokenRequests();
    value(await c.resolve(ref(f.ref)));
    assert.equal(tokenRequests(), before + 1);
    t.advance(280_000); // expires_in 300 s, refreshed 10 s early
    value(await c.resolve(ref(f.ref), { refresh: true }));
    assert.equal(tokenRequests(), before + 1);
    t.advance(10_000);
    value(await c.resolve(ref(f.ref), { refresh: true }));
    assert.equal(tokenRequests(), before + 2);
    // the expired token was never sent: each HEAD carried a token the registry accepted
    assert.deepEqual(
      proxy.requests({ method: 'HEAD' }).map((r) => r.status),
      [401, 200, 200, 200],
    );
    await c.close();
  });

  it('insufficient_scope: one fresh token, then unauthorized — the name may be wrong (Docker Hub answers so for a missing repository)', async () => {
    tokens.behaviour.grant = () => [];
    const before = tokenRequests();
    const c = client();
    const e = error(await c.resolve(ref(setup.fixtures.ociImage.ref)));
    assert.deepEqual(
      [e.kind, e.message],
      [
        'unauthorized',
        `${setup.host} allows no anonymous pull of fixtures/oci-image: check the name (it may not exist), or run docker login ${setup.host} if it is private`,
      ],
    );
    assert.equal(tokenRequests(), before + 2);
    assert.deepEqual(
      proxy.requests({ method: 'HEAD' }).map((r) => [r.authScheme, r.status]),
      [
        [undefined, 401],
        ['bearer', 401],
        ['bearer', 401],
      ],
    );
    await c.close();
  });

  it('a registry-rejected token (invalid_token) is refetched once and then works', async () => {
    const c = client();
    const f = setup.fixtures.ociImage;
    value(await c.resolve(ref(f.ref)));
    // the registry now rejects the cached token once, as it would an expired one
    proxy.inject(
      {
        kind: 'status',
        status: 401,
        headers: {
          'www-authenticate': `Bearer realm="${tokens.realm}",service="${tokens.service}",scope="repository:${f.repo}:pull",error="invalid_token"`,
        },
      },
      { method: 'HEAD', times: 1 },
    );
    const before = tokenRequests();
    proxy.clearLog();
    assert.equal(value(await c.resolve(ref(f.ref), { refresh: true })).digest, f.digest);
    assert.equal(tokenRequests(), before + 1);
    assert.deepEqual(
      proxy.requests({ method: 'HEAD' }).map((r) => r.status),
      [401, 200],
    );
    await c.close();
  });

  it('token server down: the error names the registry and the status', async () => {
    tokens.behaviour.fail = { status: 503, times: 3 };
    const c = client();
    const e = error(await c.resolve(ref(setup.fixtures.ociImage.ref)));
    assert.deepEqual(
      [e.kind, e.message],
      ['network', `${setup.host} answered HTTP 503 3 times; the registry is having trouble, try again later`],
    );
    await c.close();
  });
});

describe('identity token (refresh_token grant)', () => {
  let tokens: TokenServer;
  let registry: Registry;
  let digest: string;
  before(async () => {
    tokens = await startTokenServer({
      users: { [SETUP_USER.username]: SETUP_USER.password },
      refreshTokens: { 'REFRESH-abc': SETUP_USER.username },
      anonymousPull: false,
    });
    registry = await startRegistry({ auth: { token: tokens.registryAuth } });
    digest = (
      await pushImage(
        { url: registry.url, host: registry.host, auth: tokens.seedAuth(SETUP_USER.username) },
        'private/app',
        '1',
        { format: 'oci' },
      )
    ).digest;
  });
  after(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it('an identity token from the config is exchanged by POST', async () => {
    const configDir = join(tmp, 'identity');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, 'config.json'),
      JSON.stringify({
        auths: {
          [registry.host]: {
            auth: Buffer.from(`${SETUP_USER.username}:`).toString('base64'),
            identitytoken: 'REFRESH-abc',
          },
        },
      }),
    );
    const c = client({ credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: configDir } }) });
    assert.equal(value(await c.resolve(ref(`${registry.host}/private/app:1`))).digest, digest);
    const last = tokens.requests().at(-1)!;
    assert.deepEqual(
      [last.method, last.grantType, last.subject, last.status],
      ['POST', 'refresh_token', SETUP_USER.username, 200],
    );
    await c.close();
  });

  it('anonymous on a private registry: not logged in', async () => {
    const c = client();
    const e = error(await c.resolve(ref(`${registry.host}/private/app:1`)));
    assert.deepEqual(
      [e.kind, e.message],
      ['unauthorized', `not logged in to ${registry.host}: run docker login ${registry.host}`],
    );
    await c.close();
  });
});

describe('htpasswd Basic', () => {
  let setup: SeededSetup;
  before(async () => {
    setup = await startSeededSetup({ auth: 'htpasswd', proxy: true });
  });
  after(async () => setup?.stop());
  beforeEach(() => setup.proxy!.clearLog());

  it('with the login: Basic to the registry, digest resolved', async () => {
    const c = client({ credentials: dockerConfigCredentials({ env: { DOCKER_CONFIG: setup.dockerConfigDir } }) });
    assert.equal(value(await c.resolve(ref(setup.fixtures.ociIndex.ref))).digest, setup.fixtures.ociIndex.digest);
    assert.deepEqual(
      setup.proxy!.requests({ method: 'HEAD' }).map((r) => [r.authScheme, r.status]),
      [
        [undefined, 401],
        ['basic', 200],
      ],
    );
    // the scheme is remembered: the next lookup sends Basic up front
    setup.proxy!.clearLog();
    value(await c.resolve(ref(setup.fixtures.ociImage.ref)));
    assert.deepEqual(
      setup.proxy!.requests({ method: 'HEAD' }).map((r) => [r.authScheme, r.status]),
      [['basic', 200]],
    );
    await c.close();
  });

  it('without a login: not logged in', async () => {
    const c = client();
    const e = error(await c.resolve(ref(setup.fixtures.ociIndex.ref)));
    assert.deepEqual(
      [e.kind, e.message],
      ['unauthorized', `not logged in to ${setup.host}: run docker login ${setup.host}`],
    );
    assert.equal(setup.proxy!.count({ method: 'HEAD' }), 1);
    await c.close();
  });

  it('a wrong password: rejected, no secret in the message', async () => {
    const c = client({
      credentials: staticCredentials({
        [setup.host]: { kind: 'basic', username: SETUP_USER.username, password: SECRET },
      }),
    });
    const e = error(await c.resolve(ref(setup.fixtures.ociIndex.ref)));
    assert.deepEqual(
      [e.kind, e.message],
      ['unauthorized', `${setup.host} rejected the stored credentials: run docker login ${setup.host} again`],
    );
    assertNoSecret(JSON.stringify(e));
    await c.close();
  });
});
