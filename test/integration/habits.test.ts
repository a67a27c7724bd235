// The habits of the registries companies run, end to end through the built CLI's `check` and `pin`: a real registry
// behind the fault proxy, whose answers are rewritten the way each product answers (or a token server set up the way
// each product authenticates). What each registry does, and how other clients cope with it, is cited per case.
// digest-pin never lists a repository's tags (it asks each tag's manifest), so the order and paging of tag lists
// (GHCR and Quay list oldest first, paged by Link headers; Renovate reads every page of theirs:
// renovatebot/renovate lib/modules/datasource/docker/index.ts, getDockerApiTags `hostsNeedingAllPages`) cannot
// change a digest-pin answer: every case below also asserts that no `/tags/list` request was made.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run as runInProcess } from '../../server/src/cli/main';
import { runCli, type Run } from './cliRun';
import { faults, startFaultProxy, type FaultProxy } from './support/faultProxy';
import { startRegistry, type Registry } from './support/registry';
import { MANIFEST_ACCEPT, pushImage } from './support/seed';
import { SETUP_USER, startSeededSetup, type SeededSetup } from './support/setup';
import { startTokenServer, type TokenServer } from './support/tokenServer';
import { useSeededCli } from './support/cliWorkspace';

const seeded = useSeededCli('digest-pin-habits-');
const MANIFESTS = /\/manifests\//;

interface JsonCheck {
  references: Array<{
    name: string | null;
    current?: { digest: string | null; created: string | null; error: string | null };
  }>;
}

/** The digest the registry itself states for a tag, asked directly (not through the proxy). */
async function registryDigest(registryUrl: string, repo: string, tag: string): Promise<string> {
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_ACCEPT },
  });
  const digest = res.headers.get('docker-content-digest');
  assert.ok(res.ok && digest, `the registry states a digest for ${repo}:${tag}`);
  return digest;
}

/** Method and path of each manifest request the proxy saw, in order. */
const manifestRequests = (proxy: FaultProxy): string[] =>
  proxy.requests().flatMap((r) => (MANIFESTS.test(r.path) ? [`${r.method} ${r.path}`] : []));

const noTagLists = (proxy: FaultProxy): void =>
  assert.deepEqual(
    proxy.requests().filter((r) => r.path.includes('/tags/list')),
    [],
  );

const json = (run: Run): JsonCheck => {
  assert.ok(run.stdout.startsWith('{'), `JSON on stdout; stderr: ${run.stderr}`);
  return JSON.parse(run.stdout) as JsonCheck;
};

describe('Artifactory / Nexus: no Docker-Content-Digest on HEAD, content type application/octet-stream', () => {
  // Renovate's getDigest: "missing docker-content-digest header - pulling full manifest", then the digest of the body
  // (renovatebot/renovate lib/modules/datasource/docker/index.ts, common.ts extractDigestFromResponseBody).
  it('pin falls back to one GET per tag and writes the sha256 of the body, which is the registry’s digest', async () => {
    const { proxy, host, setup, ws } = seeded;
    proxy.clearFaults();
    proxy.inject(faults.headers({ 'docker-content-digest': null, 'content-type': 'application/octet-stream' }), {
      path: MANIFESTS,
    });
    const dir = ws.workspace('artifactory', {
      Dockerfile: `FROM ${host}/fixtures/oci-index:1.0\nFROM ${host}/fixtures/docker-image:1.0\n`,
    });
    const run = await ws.cli(dir, 'pin', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    const index = await registryDigest(setup.registry.url, 'fixtures/oci-index', '1.0');
    const image = await registryDigest(setup.registry.url, 'fixtures/docker-image', '1.0');
    assert.equal(
      ws.read(dir, 'Dockerfile'),
      `FROM ${host}/fixtures/oci-index:1.0@${index}\nFROM ${host}/fixtures/docker-image:1.0@${image}\n`,
    );
    assert.deepEqual(manifestRequests(proxy).sort(), [
      'GET /v2/fixtures/docker-image/manifests/1.0',
      'GET /v2/fixtures/oci-index/manifests/1.0',
      'HEAD /v2/fixtures/docker-image/manifests/1.0',
      'HEAD /v2/fixtures/oci-index/manifests/1.0',
    ]);
    noTagLists(proxy);
  });

  it('check of the pins it wrote: current, no finding', async () => {
    const { proxy, host, ws, setup } = seeded;
    proxy.clearFaults();
    proxy.inject(faults.headers({ 'docker-content-digest': null, 'content-type': 'application/octet-stream' }), {
      path: MANIFESTS,
    });
    const f = setup.fixtures;
    const dir = ws.workspace('artifactory-check', {
      Dockerfile: `FROM ${host}/fixtures/oci-image:1.0@${f.ociImage.digest}\n`,
    });
    const run = await ws.cli(dir, 'check', '--format', 'json', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      references: Array<{ current?: { digest: string | null; error: string | null }; diagnostics: unknown[] }>;
    };
    assert.deepEqual(
      report.references.map((r) => [r.current?.digest, r.current?.error, r.diagnostics]),
      [[f.ociImage.digest, null, []]],
    );
    noTagLists(proxy);
  });
});

describe('ECR: Docker-Content-Digest on HEAD, none on GET', () => {
  // ECR states the digest on HEAD but not on a manifest GET (aws/containers-roadmap#1931, distribution/distribution#3792);
  // clients hash the body when the header is missing (hashicorp/terraform-provider-docker#188: "calculating the SHA256
  // digest if and only if the header is missing").
  it('pin --platform reads the index by GET and verifies it by its own hash: the arm64 child is pinned', async () => {
    const { proxy, host, ws, setup } = seeded;
    proxy.clearFaults();
    proxy.inject(faults.headers({ 'docker-content-digest': null }), { method: 'GET', path: MANIFESTS });
    const dir = ws.workspace('ecr-platform', { Dockerfile: `FROM ${host}/fixtures/oci-index:1.0\n` });
    const run = await ws.cli(dir, 'pin', '--no-cache', '--platform', 'linux/arm64');
    assert.equal(run.status, 0, run.stderr);
    const arm64 = setup.fixtures.ociIndex.children.find((c) => c.platform.architecture === 'arm64')!;
    assert.equal(ws.read(dir, 'Dockerfile'), `FROM ${host}/fixtures/oci-index:1.0@${arm64.digest}\n`);
    assert.deepEqual(manifestRequests(proxy), [
      'HEAD /v2/fixtures/oci-index/manifests/1.0',
      `GET /v2/fixtures/oci-index/manifests/${setup.fixtures.ociIndex.digest}`,
    ]);
    noTagLists(proxy);
  });

  it('a HEAD the registry refuses (405) and a GET without the header: the digest is the sha256 of the body', async () => {
    const { proxy, host, ws, setup } = seeded;
    proxy.clearFaults();
    proxy.inject(faults.methodNotAllowed(), { method: 'HEAD', path: MANIFESTS });
    proxy.inject(faults.headers({ 'docker-content-digest': null }), { method: 'GET', path: MANIFESTS });
    const dir = ws.workspace('ecr-405', {
      'compose.yaml': `services:\n  a:\n    image: ${host}/fixtures/docker-list:1.0\n`,
    });
    const run = await ws.cli(dir, 'pin', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    const digest = await registryDigest(setup.registry.url, 'fixtures/docker-list', '1.0');
    assert.equal(
      ws.read(dir, 'compose.yaml'),
      `services:\n  a:\n    image: ${host}/fixtures/docker-list:1.0@${digest}\n`,
    );
    noTagLists(proxy);
  });

  it('check of a drifted pin (dated by GETs of both images): the new digest and its build date', async () => {
    const { proxy, ws, setup } = seeded;
    const f = setup.fixtures.drift;
    proxy.clearFaults();
    proxy.inject(faults.headers({ 'docker-content-digest': null }), { method: 'GET', path: MANIFESTS });
    const dir = ws.workspace('ecr-check', { Dockerfile: `FROM ${f.ref}@${f.oldDigest}\n` });
    const report = json(await ws.cli(dir, 'check', '--format', 'json', '--no-cache', '--fail-on', 'never'));
    const { digest, created, error } = report.references[0]?.current ?? {};
    assert.deepEqual({ digest, created, error }, { digest: f.newDigest, created: '2024-02-01T00:00:00Z', error: null });
    assert.deepEqual(
      // Without the attachment probes (cosign's `sha256-<hex>.sig|att|sbom` tags): they have no digest to read.
      manifestRequests(proxy)
        .filter((request) => !/\/manifests\/sha256-[0-9a-f]{64}\./.test(request))
        .sort(),
      [
        `GET /v2/${f.repo}/manifests/${f.newDigest}`,
        `GET /v2/${f.repo}/manifests/${f.oldDigest}`,
        `HEAD /v2/${f.repo}/manifests/${f.tag}`,
        `HEAD /v2/${f.repo}/manifests/${f.oldDigest}`,
      ].sort(),
    );
    noTagLists(proxy);
  });
});

describe('GHCR: an anonymous token even for a public image', () => {
  // ghcr.io answers an anonymous manifest request 401 with `Bearer realm="https://ghcr.io/token",service="ghcr.io",
  // scope="repository:user/image:pull"` and gives a token to a request without credentials (the challenges listed in
  // renovatebot/renovate lib/modules/datasource/docker/common.ts getAuthHeaders; distribution docs/spec/auth/token.md).
  let setup: SeededSetup;
  let tokens: TokenServer;
  before(async () => {
    setup = await startSeededSetup({ auth: 'token', proxy: true });
    tokens = setup.tokenServer!;
  });
  after(async () => setup?.stop());

  it('pin: 401 challenge → anonymous token (no Authorization) → the digest', async () => {
    const { ws } = seeded;
    const f = setup.fixtures;
    const proxy = setup.proxy!;
    proxy.clearLog();
    const before = tokens.requests().length;
    const dir = ws.workspace('ghcr', { Dockerfile: `FROM ${f.ociImage.ref}\n` });
    const run = await ws.cli(dir, 'pin', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(ws.read(dir, 'Dockerfile'), `FROM ${f.ociImage.ref}@${f.ociImage.digest}\n`);
    const asked = tokens.requests().slice(before);
    assert.deepEqual(
      asked.map((r) => [r.method, r.authorization, r.scopes, r.service, r.status]),
      [['GET', undefined, ['repository:fixtures/oci-image:pull'], tokens.service, 200]],
    );
    assert.deepEqual(
      proxy.requests({ method: 'HEAD' }).map((r) => [r.authScheme, r.status]),
      [
        [undefined, 401],
        ['bearer', 200],
      ],
    );
    noTagLists(proxy);
  });
});

describe('ACR: the OAuth2 refresh-token exchange for an identitytoken', () => {
  // ACR's `docker login` (az acr login) stores the user 00000000-0000-0000-0000-000000000000 and an `identitytoken`, an
  // ACR refresh token; a client POSTs grant_type=refresh_token&service=…&scope=…&refresh_token=… to the realm
  // (Azure/acr docs/AAD-OAuth.md, "Exchange the refresh token for ACR access token"; distribution
  // docs/spec/auth/oauth.md).
  const REFRESH = 'acr-REFRESH-token-3f9a1c77e2';
  const ACR_USER = '00000000-0000-0000-0000-000000000000';
  let tokens: TokenServer;
  let registry: Registry;
  let proxy: FaultProxy;
  let digest: string;
  before(async () => {
    tokens = await startTokenServer({
      users: { [SETUP_USER.username]: SETUP_USER.password },
      refreshTokens: { [REFRESH]: SETUP_USER.username },
      anonymousPull: false,
    });
    registry = await startRegistry({ auth: { token: tokens.registryAuth } });
    proxy = await startFaultProxy({ target: registry.url });
    digest = (
      await pushImage(
        { url: proxy.url, host: proxy.host, auth: tokens.seedAuth(SETUP_USER.username) },
        'team/app',
        '2',
        { format: 'oci' },
      )
    ).digest;
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
    await tokens?.stop();
  });

  const withConfig = (name: string, identitytoken: string): Record<string, string> => {
    const dockerConfig = join(seeded.ws.tmp, `acr-${name}`);
    mkdirSync(dockerConfig, { recursive: true });
    const auth = Buffer.from(`${ACR_USER}:`).toString('base64');
    writeFileSync(
      join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [proxy.host]: { auth, identitytoken } } }),
    );
    return { DOCKER_CONFIG: dockerConfig, XDG_CACHE_HOME: join(seeded.ws.tmp, 'acr-cache') };
  };
  const cli = (cwd: string, env: Record<string, string>, ...args: string[]) =>
    runCli(cwd, args, { env: env as { DOCKER_CONFIG: string; XDG_CACHE_HOME: string } });

  it('pin: one POST grant_type=refresh_token with service and scope; the token is never printed', async () => {
    const dir = seeded.ws.workspace('acr', { Dockerfile: `FROM ${proxy.host}/team/app:2\n` });
    const before = tokens.requests().length;
    const run = await cli(dir, withConfig('ok', REFRESH), 'pin', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(seeded.ws.read(dir, 'Dockerfile'), `FROM ${proxy.host}/team/app:2@${digest}\n`);
    assert.deepEqual(
      tokens
        .requests()
        .slice(before)
        .map((r) => [r.method, r.grantType, r.service, r.scopes, r.subject, r.status]),
      [['POST', 'refresh_token', tokens.service, ['repository:team/app:pull'], SETUP_USER.username, 200]],
    );
    assert.ok(!`${run.stdout}${run.stderr}`.includes(REFRESH));
    noTagLists(proxy);
  });

  const refusals: Array<[string, (() => void) | undefined]> = [
    ['unknown to the service (401)', undefined],
    [
      'expired (400 invalid_grant, RFC 6749 §5.2)',
      () => (tokens.behaviour.fail = { status: 400, body: '{"error":"invalid_grant"}', times: 1 }),
    ],
  ];
  for (const [name, arrange] of refusals) {
    it(`a refresh token the service refuses, ${name}: unauthorized, a login to renew, said without the token`, async () => {
      const refused = arrange ? REFRESH : `${REFRESH}-revoked`;
      arrange?.();
      const dir = seeded.ws.workspace(`acr-refused-${refusals.findIndex(([n]) => n === name)}`, {
        Dockerfile: `FROM ${proxy.host}/team/app:2\n`,
      });
      const run = await cli(
        dir,
        withConfig(`refused-${name.length}`, refused),
        'check',
        '--format',
        'json',
        '--no-cache',
      );
      const report = json(run);
      assert.equal(report.references[0]?.current?.error, 'unauthorized');
      const all = `${run.stdout}${run.stderr}`;
      assert.ok(
        all.includes(
          `${proxy.host} rejected the stored credentials (token server refused the identity token, a refresh token that expires or can be revoked): run docker login ${proxy.host} again`,
        ),
        all,
      );
      assert.ok(!all.includes(REFRESH), 'no refresh token in the output');
    });
  }
});

describe('Docker Hub: the pull budget its answers state', () => {
  // `ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 87;w=21600`, `docker-ratelimit-source` on manifest HEADs and
  // GETs (docs.docker.com/docker-hub/usage/pulls/, "View pull rate and limit"); a HEAD is not a pull.
  const budget = {
    'ratelimit-limit': '100;w=21600',
    'ratelimit-remaining': '87;w=21600',
    'docker-ratelimit-source': '192.0.2.1',
  };
  /** The CLI in this process, so stderr can be a terminal. */
  async function cliOnTerminal(cwd: string, isTTY: boolean, ...args: string[]) {
    const out = { text: '', write: (t: string) => (out.text += t) };
    const err = { text: '', isTTY, write: (t: string) => (err.text += t) };
    const status = await runInProcess(args, {
      cwd,
      env: { DOCKER_CONFIG: seeded.ws.dockerConfig, XDG_CACHE_HOME: join(seeded.ws.tmp, 'budget-cache') },
      stdout: out,
      stderr: err,
    });
    return { status, stdout: out.text, stderr: err.text };
  }
  /** What stderr keeps once the progress line is cleared. */
  const afterProgress = (stderr: string): string => stderr.split('\r\u001b[K').at(-1) ?? '';

  it('check on a terminal: a summary line on stderr, the JSON untouched, and the HEAD the only request', async () => {
    const { proxy, host, ws } = seeded;
    proxy.clearFaults();
    proxy.inject(faults.headers(budget), { path: MANIFESTS });
    const dir = ws.workspace('budget', { Dockerfile: `FROM ${host}/fixtures/oci-image:1.0\n` });
    const run = await cliOnTerminal(dir, true, 'check', '--format', 'json', '--no-cache', '--fail-on', 'never');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(afterProgress(run.stderr), `digest-pin: ${host}: 87 of 100 pulls left in this 6-hour window\n`);
    assert.doesNotThrow(() => JSON.parse(run.stdout));
    assert.ok(!run.stdout.includes('pulls left'));
    assert.deepEqual(manifestRequests(proxy), ['HEAD /v2/fixtures/oci-image/manifests/1.0']);
    assert.equal(proxy.requests().length, 1, 'no request of its own for the budget');
  });

  it('pin piped (CI): no summary line', async () => {
    const { proxy, host, ws } = seeded;
    proxy.clearFaults();
    proxy.inject(faults.headers(budget), { path: MANIFESTS });
    const dir = ws.workspace('budget-piped', { Dockerfile: `FROM ${host}/fixtures/oci-image:1.0\n` });
    const run = await cliOnTerminal(dir, false, 'pin', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    assert.ok(!run.stderr.includes('pulls left'), run.stderr);
  });

  it('a 429 with the budget spent and no Retry-After says when pulls free up', async () => {
    const { proxy, host, ws } = seeded;
    proxy.clearFaults();
    proxy.inject(
      {
        kind: 'status',
        status: 429,
        headers: { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '0;w=21600' },
        body: JSON.stringify({
          errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }],
        }),
      },
      { path: MANIFESTS },
    );
    const dir = ws.workspace('budget-spent', { Dockerfile: `FROM ${host}/fixtures/oci-image:1.0\n` });
    const run = await cliOnTerminal(dir, true, 'check', '--no-cache', '--fail-on', 'never');
    assert.ok(
      run.stdout.includes(
        `rate limited by ${host} (all 100 pulls of its 6-hour window are used); pulls free up as the window moves on: retry within 6 h`,
      ),
      run.stdout,
    );
    assert.equal(afterProgress(run.stderr), `digest-pin: ${host}: 0 of 100 pulls left in this 6-hour window\n`);
  });
});
