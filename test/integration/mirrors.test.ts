// Registry mirrors end to end: the built CLI's `check` and `pin` with `--registry-mirror`, against two real
// docker-registry processes — an origin seeded with images and a second one configured as its pull-through cache
// (distribution's `proxy.remoteurl`). The registries' access logs say who was asked: the origin sees the cache's own
// fetches (Go's user agent) but none of digest-pin's while the mirror answers. A mirror that is down, or that lacks the
// repository (a plain registry: 404), leaves the look-up to the origin, with the same digest.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shortDigest } from '../../server/src/shared/text';
import { ensureBuilt, runCli, type Run } from './cliRun';
import { cliWorkspace, type CliWorkspace } from './support/cliWorkspace';
import { fingerprint } from './support/evilOrigin';
import { startFaultProxy } from './support/faultProxy';
import { freePort } from './support/ports';
import { startRegistry, type ParsedLogLine, type Registry } from './support/registry';
import { MANIFEST_ACCEPT, pushImage, seedStandard, type PushedImage, type StandardFixtures } from './support/seed';

interface JsonReport {
  references: Array<{
    text: string;
    current?: { digest: string | null; error: string | null };
    diagnostics: Array<{ code: string; message: string }>;
  }>;
}

let ws: CliWorkspace;
let origin: Registry;
let mirror: Registry;
/** A plain registry without the fixtures: a mirror that answers 404 for them. */
let empty: Registry;
let fixtures: StandardFixtures;
/** `library/nginx:1.0` on the origin: what `nginx:1.0` names on Docker Hub. */
let hubImage: PushedImage;

before(async () => {
  ensureBuilt();
  ws = cliWorkspace('digest-pin-mirrors-');
  origin = await startRegistry();
  fixtures = await seedStandard({ url: origin.url, host: origin.host });
  hubImage = await pushImage({ url: origin.url, host: origin.host }, 'library/nginx', '1.0', { format: 'oci' });
  mirror = await startRegistry({ proxy: { remoteUrl: origin.url } });
  empty = await startRegistry();
});
after(async () => {
  await mirror?.stop();
  await empty?.stop();
  await origin?.stop();
  ws?.dispose();
});

/** digest-pin's own requests in a registry's access log (a pull-through cache asks its origin as Go-http-client). */
const ours = async (registry: Registry): Promise<ParsedLogLine[]> =>
  (await registry.requestLog()).filter((line) => line.userAgent.startsWith('digest-pin'));
const manifestRequests = (lines: ParsedLogLine[], repo: string): string[] =>
  lines.filter((l) => l.path.startsWith(`/v2/${repo}/manifests/`)).map((l) => `${l.method} ${l.path} ${l.status}`);

/** `--no-cache`: every run asks the registries, so the logs say what this run did. */
const cli = (cwd: string, ...args: string[]): Promise<Run> => ws.cli(cwd, ...args, '--no-cache');
const report = (run: Run): JsonReport => {
  assert.equal(run.stderr, '', run.stderr);
  return JSON.parse(run.stdout) as JsonReport;
};
const dockerfile = (name: string, ...images: string[]): string =>
  ws.workspace(name, { Dockerfile: images.map((image) => `FROM ${image}\n`).join('') });

describe('a pull-through cache as the mirror', () => {
  it("serves the origin's manifest digests unchanged (Docker-Content-Digest, compared with the origin's)", async () => {
    for (const { repo, digest } of [
      { repo: 'fixtures/oci-index', digest: fixtures.ociIndex.digest },
      { repo: 'fixtures/docker-list', digest: fixtures.dockerList.digest },
      { repo: 'fixtures/docker-image', digest: fixtures.dockerImage.digest },
    ]) {
      const said: string[] = [];
      for (const registry of [origin, mirror]) {
        const response = await fetch(`${registry.url}/v2/${repo}/manifests/1.0`, {
          method: 'HEAD',
          headers: { accept: MANIFEST_ACCEPT },
        });
        said.push(`${response.status} ${response.headers.get('docker-content-digest')}`);
      }
      assert.deepEqual(said, [`200 ${digest}`, `200 ${digest}`], repo);
    }
  });

  it('check: every manifest look-up goes to the mirror, none of ours to the origin', async () => {
    const dir = dockerfile('check', `${origin.host}/fixtures/oci-index:1.0`, `${origin.host}/fixtures/docker-list:1.0`);
    const originBefore = (await ours(origin)).length;
    const mirrorBefore = (await ours(mirror)).length;
    const run = await cli(dir, 'check', '--format', 'json', '--registry-mirror', `${origin.host}=${mirror.url}`);
    assert.equal(run.status, 1);
    const current = report(run).references.map((r) => [r.text, r.current?.digest, r.current?.error]);
    assert.deepEqual(current, [
      [`${origin.host}/fixtures/oci-index:1.0`, fixtures.ociIndex.digest, null],
      [`${origin.host}/fixtures/docker-list:1.0`, fixtures.dockerList.digest, null],
    ]);
    assert.deepEqual((await ours(origin)).slice(originBefore), [], 'digest-pin asked the origin nothing');
    const atMirror = (await ours(mirror)).slice(mirrorBefore);
    assert.deepEqual(
      [...manifestRequests(atMirror, 'fixtures/oci-index'), ...manifestRequests(atMirror, 'fixtures/docker-list')],
      ['HEAD /v2/fixtures/oci-index/manifests/1.0 200', 'HEAD /v2/fixtures/docker-list/manifests/1.0 200'],
    );
  });

  it("pin: the digests written are the origin's; Docker Hub's library/ is kept on the way to the mirror", async () => {
    const dir = dockerfile('pin', `${origin.host}/fixtures/docker-image:1.0`, 'nginx:1.0');
    const mirrorBefore = (await ours(mirror)).length;
    const originBefore = (await ours(origin)).length;
    // docker.io's mirror is the cache too: nginx:1.0 → /v2/library/nginx/… there (Docker Hub itself is never reached).
    const run = await cli(
      dir,
      'pin',
      '--registry-mirror',
      `${origin.host}=${mirror.url}`,
      '--registry-mirror',
      `docker.io=${mirror.url}`,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      ws.read(dir, 'Dockerfile'),
      `FROM ${origin.host}/fixtures/docker-image:1.0@${fixtures.dockerImage.digest}\nFROM nginx:1.0@${hubImage.digest}\n`,
    );
    assert.deepEqual(manifestRequests((await ours(mirror)).slice(mirrorBefore), 'library/nginx'), [
      'HEAD /v2/library/nginx/manifests/1.0 200',
    ]);
    assert.deepEqual((await ours(origin)).slice(originBefore), []);
  });
});

describe('falling back to the origin', () => {
  it('a mirror that is down: the origin answers, and pin writes the same digest', async () => {
    const down = await startRegistry({ proxy: { remoteUrl: origin.url } });
    const url = down.url;
    const dir = dockerfile('down', `${origin.host}/fixtures/oci-image:1.0`);
    assert.equal((await cli(dir, 'check', '--format', 'json', '--registry-mirror', `${origin.host}=${url}`)).status, 1);
    assert.deepEqual(manifestRequests(await ours(down), 'fixtures/oci-image'), [
      'HEAD /v2/fixtures/oci-image/manifests/1.0 200',
    ]);
    await down.stop();
    const originBefore = (await ours(origin)).length;
    const run = await cli(dir, 'pin', '--registry-mirror', `${origin.host}=${url}`);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      ws.read(dir, 'Dockerfile'),
      `FROM ${origin.host}/fixtures/oci-image:1.0@${fixtures.ociImage.digest}\n`,
    );
    assert.deepEqual(manifestRequests((await ours(origin)).slice(originBefore), 'fixtures/oci-image'), [
      'HEAD /v2/fixtures/oci-image/manifests/1.0 200',
    ]);
  });

  it('a mirror on a closed port, then a mirror without the repository (404): the origin answers', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const dir = dockerfile('fallback', `${origin.host}/fixtures/drift:latest`);
    const originBefore = (await ours(origin)).length;
    const run = await cli(
      dir,
      'pin',
      '--registry-mirror',
      `${origin.host}=${closed}`,
      '--registry-mirror',
      `${origin.host}=${empty.url}`,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(ws.read(dir, 'Dockerfile'), `FROM ${fixtures.drift.ref}@${fixtures.drift.newDigest}\n`);
    assert.deepEqual(manifestRequests(await ours(empty), 'fixtures/drift'), [
      'HEAD /v2/fixtures/drift/manifests/latest 404',
    ]);
    assert.deepEqual(manifestRequests((await ours(origin)).slice(originBefore), 'fixtures/drift'), [
      'HEAD /v2/fixtures/drift/manifests/latest 200',
    ]);
  });

  it("nowhere to be found: the origin's error, naming the mirrors tried", async () => {
    const dir = dockerfile('missing', `${origin.host}/fixtures/oci-index:9.9`);
    const run = await cli(dir, 'check', '--format', 'json', '--registry-mirror', `${origin.host}=${mirror.url}`);
    assert.equal(run.status, 1);
    const [reference] = report(run).references;
    const messages = reference!.diagnostics.map((d) => `${d.code}: ${d.message}`);
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0]!, /^tag-not-found: /);
    assert.ok(messages[0]!.includes(`asked first: the mirror ${mirror.url} (HTTP 404)`), messages[0]);
    assert.ok(!messages[0]!.includes(shortDigest(fixtures.ociIndex.digest)));
  });
});

describe("credentials: the mirror's own, never the origin's", () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const ORIGIN = { user: 'origin-user', password: 'origin-password' };
  const MIRROR = { user: 'mirror-user', password: 'mirror-password' };

  /** A DOCKER_CONFIG directory whose config.json logs in to these hosts. */
  function dockerConfig(name: string, auths: Record<string, { user: string; password: string }>): string {
    const dir = join(ws.tmp, name);
    mkdirSync(dir, { recursive: true });
    const entries = Object.entries(auths).map(([host, c]) => [
      host,
      { auth: Buffer.from(`${c.user}:${c.password}`).toString('base64') },
    ]);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: Object.fromEntries(entries) }));
    return dir;
  }

  it('a mirror behind its own login gets its credentials; without them it is passed over, and the origin answers', async () => {
    // The Docker config also holds credentials for the origin (which, open, never asks for them): a client that
    // answered the mirror's challenge with the origin's credentials would show them at the mirror.
    const privateMirror = await startRegistry({
      auth: { htpasswd: { users: { [MIRROR.user]: MIRROR.password } } },
      proxy: { remoteUrl: origin.url },
    });
    // In front of the mirror: records which Authorization reached it (as a fingerprint).
    const front = await startFaultProxy({ target: privateMirror.url });
    try {
      const dir = dockerfile('credentials', `${origin.host}/fixtures/oci-index:1.0`);
      const run = (config: string) =>
        runCli(dir, ['check', '--format', 'json', '--no-cache', '--registry-mirror', `${origin.host}=${front.url}`], {
          env: { DOCKER_CONFIG: config, XDG_CACHE_HOME: join(ws.tmp, 'cache-home') },
        });

      let originBefore = (await ours(origin)).length;
      const both = dockerConfig('both', { [origin.host]: ORIGIN, [front.host]: MIRROR });
      const viaMirror = report(await run(both));
      assert.equal(viaMirror.references[0]!.current?.digest, fixtures.ociIndex.digest);
      const sent = new Set(front.requests({ hasAuthorization: true }).map((r) => r.authFingerprint));
      assert.deepEqual([...sent], [fingerprint(basic(MIRROR.user, MIRROR.password))]);
      assert.deepEqual((await ours(origin)).slice(originBefore), [], 'the origin was not asked');

      front.clearLog();
      originBefore = (await ours(origin)).length;
      const originOnly = dockerConfig('origin-only', { [origin.host]: ORIGIN });
      const viaOrigin = report(await run(originOnly));
      assert.equal(viaOrigin.references[0]!.current?.digest, fixtures.ociIndex.digest);
      assert.deepEqual(
        front.requests().map((r) => `${r.method} ${r.path} ${r.status}`),
        ['HEAD /v2/fixtures/oci-index/manifests/1.0 401'],
        'the mirror was asked first, and said no',
      );
      assert.equal(front.count({ hasAuthorization: true }), 0, "the origin's credentials never went to the mirror");
      assert.deepEqual(manifestRequests((await ours(origin)).slice(originBefore), 'fixtures/oci-index'), [
        'HEAD /v2/fixtures/oci-index/manifests/1.0 200',
      ]);
    } finally {
      await front.stop();
      await privateMirror.stop();
    }
  });
});
