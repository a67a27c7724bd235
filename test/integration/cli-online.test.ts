// `digest-pin check` online: the built CLI as a subprocess against the real docker-registry (loopback, so HTTPS is
// tried first and HTTP used, as Docker does), seeded with the standard fixtures, behind the counting fault proxy.
// Exact `current` values and diagnostics, exit codes, request counts (de-duplication, the persistent cache, offline),
// a corrupt cache, an unreachable registry, and credentials from a Docker config that never show in any output.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { formatAge, shortDigest } from '../../server/src/shared/text';
import { ensureBuilt, runCli, type Run } from './cliRun';
import { startFaultProxy, type FaultProxy } from './support/faultProxy';
import { freePort } from './support/ports';
import { startRegistry, type Registry } from './support/registry';
import { pushImage } from './support/seed';
import { startSeededSetup, type SeededSetup } from './support/setup';
import { startTokenServer, type TokenServer } from './support/tokenServer';

interface JsonCurrent {
  digest: string | null;
  created: string | null;
  error: string | null;
  /** A described drift's optional fields (v1). */
  platforms?: string[];
  attachments?: Array<{ kind: string; via: string }>;
  changes?: Record<string, unknown>;
}
interface JsonReference {
  file: string;
  text: string;
  current?: JsonCurrent;
  diagnostics: Array<{ code: string; severity: string; message: string }>;
}
interface JsonReport {
  references: JsonReference[];
  summary: Record<string, number>;
}

let tmp: string;
/** A Docker config without credentials and a cache home nobody else uses: runs never touch the user's own. */
let emptyDockerConfig: string;
let cacheHome: string;

before(() => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-cli-online-'));
  emptyDockerConfig = join(tmp, 'docker-empty');
  mkdirSync(emptyDockerConfig);
  writeFileSync(join(emptyDockerConfig, 'config.json'), '{}\n');
  cacheHome = join(tmp, 'cache-home');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function workspace(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const check = (cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<Run> =>
  runCli(cwd, ['check', ...args], { env: { DOCKER_CONFIG: emptyDockerConfig, XDG_CACHE_HOME: cacheHome, ...env } });

function json(run: Run): JsonReport {
  assert.equal(run.stderr, '', `unexpected stderr: ${run.stderr}`);
  return JSON.parse(run.stdout) as JsonReport;
}

const byText = (report: JsonReport, text: string): JsonReference => {
  const found = report.references.filter((r) => r.text === text);
  assert.equal(found.length, 1, `expected one reference ${text}, found ${found.length}`);
  return found[0]!;
};

describe('check against the seeded registry', () => {
  let setup: SeededSetup;
  let proxy: FaultProxy;
  let H: string;
  before(async () => {
    setup = await startSeededSetup({ proxy: true });
    proxy = setup.proxy!;
    H = setup.host;
  });
  after(async () => setup?.stop());
  beforeEach(() => {
    proxy.clearFaults();
    proxy.clearLog();
  });

  it('every kind of answer: current, drift with dates, a lost digest, a missing tag; nothing asked for what cannot be asked', async () => {
    const f = setup.fixtures;
    const [amd64, arm64] = f.ociIndex.children;
    const dir = workspace('kinds', {
      Dockerfile: [
        `ARG BASE=${H}/fixtures/oci-index:1.0`,
        'FROM ${BASE} AS build',
        `FROM --platform=linux/arm64 ${H}/fixtures/docker-image:1.0 AS cross`,
        `FROM ${f.drift.ref}@${f.drift.oldDigest}`,
        `FROM ${f.gone.ref}@${f.gone.digest}`,
        `FROM ${H}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
        `FROM ${H}/fixtures/oci-index:1.0@${arm64!.digest}`,
        `FROM ${H}/fixtures/missing:1.0`,
        `FROM ${H}/fixtures/oci-index@${amd64!.digest}`,
        `FROM ${H}/fixtures/variable:\${TAG}`,
        '# digest-pin: ignore',
        `FROM ${H}/fixtures/ignored:1.0`,
        '',
      ].join('\n'),
      'compose.yaml': [
        'services:',
        '  app:',
        '    build: .',
        `    image: ${H}/fixtures/local-build:dev`,
        '  bad:',
        `    image: ${H}/Fixtures/Bad:1`,
        '',
      ].join('\n'),
    });
    const run = await check(dir, ['--format', 'json', '--cache-dir', join(tmp, 'cache-kinds')]);
    assert.equal(run.status, 1);
    const report = json(run);
    const now = Date.now();
    const expected: Array<[string, JsonCurrent | undefined, Array<[string, string, string]>]> = [
      [
        `${H}/fixtures/oci-index:1.0`,
        { digest: f.ociIndex.digest, created: null, error: null },
        [
          [
            'unpinned',
            'warning',
            `${H}/fixtures/oci-index:1.0 is a mutable tag; pin it to its current digest ${shortDigest(f.ociIndex.digest)}`,
          ],
        ],
      ],
      [
        // A literal --platform does not change what is pinned without --platform: the index (here a single image).
        `${H}/fixtures/docker-image:1.0`,
        { digest: f.dockerImage.digest, created: null, error: null },
        [
          [
            'unpinned',
            'warning',
            `${H}/fixtures/docker-image:1.0 is a mutable tag; pin it to its current digest ${shortDigest(f.dockerImage.digest)}`,
          ],
        ],
      ],
      [
        `${f.drift.ref}@${f.drift.oldDigest}`,
        {
          digest: f.drift.newDigest,
          created: '2024-02-01T00:00:00Z',
          error: null,
          // A drift is described: both images' platforms, attachments (none), what changed (optional fields, v1).
          platforms: ['linux/amd64'],
          attachments: [],
          changes: {
            platforms: { added: [], removed: [] },
            built: { before: '2024-01-01T00:00:00Z', after: '2024-02-01T00:00:00Z', apartMs: 31 * 86_400_000 },
          },
        },
        [
          [
            'tag-drift',
            'information',
            `${f.drift.ref} has moved on: the tag now points to ${shortDigest(f.drift.newDigest)}, built ${formatAge(now - Date.parse('2024-02-01T00:00:00Z'))} ago; your pin ${shortDigest(f.drift.oldDigest)} is 31 days older`,
          ],
        ],
      ],
      [
        `${f.gone.ref}@${f.gone.digest}`,
        { digest: f.gone.tagDigest, created: null, error: null },
        [
          [
            'digest-not-found',
            'error',
            `${f.gone.ref}@${shortDigest(f.gone.digest)} cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository); the tag now points to ${shortDigest(f.gone.tagDigest)}, pin that`,
          ],
        ],
      ],
      [
        `${H}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
        { digest: f.ociIndex.digest, created: null, error: null },
        [],
      ],
      // A platform image of the tag's index is current too.
      [`${H}/fixtures/oci-index:1.0@${arm64!.digest}`, { digest: arm64!.digest, created: null, error: null }, []],
      [
        `${H}/fixtures/missing:1.0`,
        { digest: null, created: null, error: 'not-found' },
        [
          [
            'tag-not-found',
            'error',
            `${H}/fixtures/missing:1.0 cannot be pulled: tag 1.0 of fixtures/missing not found on ${H}; check the spelling, or use a tag the repository has`,
          ],
        ],
      ],
      [`${H}/fixtures/oci-index@${amd64!.digest}`, undefined, []],
      [
        `${H}/fixtures/variable:\${TAG}`,
        undefined,
        [
          [
            'variable',
            'information',
            `'${H}/fixtures/variable:\${TAG}' is built from variables; its value is only known at build or deploy time`,
          ],
        ],
      ],
      [`${H}/fixtures/ignored:1.0`, undefined, []],
      [
        `${H}/fixtures/local-build:dev`,
        undefined,
        [
          [
            'unpinned',
            'information',
            `${H}/fixtures/local-build:dev names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin`,
          ],
        ],
      ],
      [
        `${H}/Fixtures/Bad:1`,
        undefined,
        [
          [
            'invalid-reference',
            'error',
            `'${H}/Fixtures/Bad:1' is not a valid image reference: repository name must be lowercase`,
          ],
        ],
      ],
    ];
    for (const [text, current, diagnostics] of expected) {
      const ref = byText(report, text);
      assert.deepEqual(ref.current, current, `current of ${text}`);
      assert.deepEqual(
        ref.diagnostics.map((d) => [d.code, d.severity, d.message]),
        diagnostics,
        `diagnostics of ${text}`,
      );
    }
    assert.equal(report.references.length, expected.length);
    assert.deepEqual(report.summary, { files: 2, references: 12, errors: 3, warnings: 2, information: 3, hints: 0 });
    // Never asked: the variable, the ignored, the local build, the invalid one, the digest-only one.
    assert.deepEqual(proxy.requests({ path: /variable|ignored|local-build|Fixtures|Bad/ }), []);
    assert.equal(proxy.count({ path: new RegExp(`/manifests/${amd64!.digest}`) }), 0);
    // One HEAD per tag; pins cost a HEAD of the pinned digest only when the tag has moved, and a moved one the
    // attachments of both images: the registry has no referrers API (404), so cosign's three tags each.
    const cosign = (digest: string) =>
      ['att', 'sbom', 'sig'].map((suffix) => `/v2/fixtures/drift/manifests/${digest.replace(':', '-')}.${suffix}`);
    assert.deepEqual(
      proxy
        .requests({ path: /\/referrers\// })
        .map((r) => `${r.method} ${r.path} ${r.status}`)
        .sort(),
      [f.drift.newDigest, f.drift.oldDigest].map((d) => `GET /v2/fixtures/drift/referrers/${d} 404`).sort(),
    );
    assert.deepEqual(
      proxy
        .requests({ method: 'HEAD' })
        .map((r) => r.path)
        .sort(),
      [
        `/v2/fixtures/docker-image/manifests/1.0`,
        `/v2/fixtures/drift/manifests/latest`,
        `/v2/fixtures/drift/manifests/${f.drift.oldDigest}`,
        ...cosign(f.drift.oldDigest),
        ...cosign(f.drift.newDigest),
        `/v2/fixtures/gone/manifests/1.0`,
        `/v2/fixtures/gone/manifests/${f.gone.digest}`,
        `/v2/fixtures/missing/manifests/1.0`,
        `/v2/fixtures/oci-index/manifests/1.0`,
      ].sort(),
    );
  });

  it('text output: one line per finding, and the exit status follows --fail-on', async () => {
    const f = setup.fixtures;
    const dir = workspace('text', {
      Dockerfile: `FROM ${f.drift.ref}@${f.drift.oldDigest}\nFROM ${f.gone.ref}@${f.gone.digest}\n`,
    });
    const cacheDir = join(tmp, 'cache-text');
    const run = await check(dir, ['--cache-dir', cacheDir, '--fail-on', 'never']);
    const built = formatAge(Date.now() - Date.parse('2024-02-01T00:00:00Z'));
    assert.deepEqual(run, {
      status: 0,
      stdout: [
        `Dockerfile:1:6 information tag-drift ${f.drift.ref} has moved on: the tag now points to ${shortDigest(f.drift.newDigest)}, built ${built} ago; your pin ${shortDigest(f.drift.oldDigest)} is 31 days older`,
        `Dockerfile:2:6 error digest-not-found ${f.gone.ref}@${shortDigest(f.gone.digest)} cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository); the tag now points to ${shortDigest(f.gone.tagDigest)}, pin that`,
        '1 file, 2 references: 1 error, 0 warnings, 1 information',
        '',
      ].join('\n'),
      stderr: '',
    });
    assert.equal((await check(dir, ['--cache-dir', cacheDir, '--fail-on', 'error'])).status, 1);
    const driftOnly = workspace('text-drift', { Dockerfile: `FROM ${f.drift.ref}@${f.drift.oldDigest}\n` });
    assert.equal(
      (await check(driftOnly, ['--cache-dir', cacheDir])).status,
      0,
      'drift is information: below the default threshold',
    );
    assert.equal((await check(driftOnly, ['--cache-dir', cacheDir, '--fail-on', 'information'])).status, 1);
  });

  it('SARIF carries the online findings with their rules', async () => {
    const f = setup.fixtures;
    const dir = workspace('sarif', {
      Dockerfile: `FROM ${f.gone.ref}@${f.gone.digest}\nFROM ${H}/fixtures/missing:2\n`,
    });
    const run = await check(dir, ['--format', 'sarif', '--no-cache']);
    const sarif = JSON.parse(run.stdout) as {
      runs: Array<{
        results: Array<{
          ruleId: string;
          level: string;
          locations: Array<{ physicalLocation: { region: { startLine: number } } }>;
        }>;
      }>;
    };
    assert.deepEqual(
      sarif.runs[0]!.results.map((r) => [r.ruleId, r.level, r.locations[0]!.physicalLocation.region.startLine]),
      [
        ['digest-not-found', 'error', 1],
        ['tag-not-found', 'error', 2],
      ],
    );
  });

  it('--platform: the platform image of an index, a literal platform on the line wins, a single image stays itself', async () => {
    const f = setup.fixtures;
    const [, arm64] = f.ociIndex.children;
    const [, armv7] = f.dockerList.children;
    const dir = workspace('platform', {
      Dockerfile: [
        `FROM ${f.ociIndex.ref}`,
        `FROM --platform=linux/arm/v7 ${f.dockerList.ref}`,
        `FROM ${f.dockerImage.ref}`,
        '',
      ].join('\n'),
    });
    const report = json(await check(dir, ['--format', 'json', '--no-cache', '--platform', 'linux/arm64']));
    assert.deepEqual(
      report.references.map((r) => [r.text, r.current?.digest, r.diagnostics[0]?.message]),
      [
        [
          f.ociIndex.ref,
          arm64!.digest,
          `${f.ociIndex.ref} is a mutable tag; pin it to its current linux/arm64 digest ${shortDigest(arm64!.digest)}`,
        ],
        [
          f.dockerList.ref,
          armv7!.digest,
          `${f.dockerList.ref} is a mutable tag; pin it to its current linux/arm/v7 digest ${shortDigest(armv7!.digest)}`,
        ],
        [
          f.dockerImage.ref,
          f.dockerImage.digest,
          `${f.dockerImage.ref} is a mutable tag; pin it to its current linux/arm64 digest ${shortDigest(f.dockerImage.digest)}`,
        ],
      ],
    );
    const missing = json(await check(dir, ['--format', 'json', '--no-cache', '--platform', 'windows/amd64']));
    assert.deepEqual(byText(missing, f.ociIndex.ref).current, { digest: null, created: null, error: 'not-found' });
    assert.deepEqual(
      byText(missing, f.ociIndex.ref).diagnostics.map((d) => [d.code, d.severity, d.message]),
      [
        ['unpinned', 'warning', `${f.ociIndex.ref} is a mutable tag; pin it to a digest`],
        [
          'registry-error',
          'warning',
          `could not check ${f.ociIndex.ref} (not-found): platform windows/amd64 of fixtures/oci-index:1.0 not found on ${H} (available: linux/amd64, linux/arm64); pick a platform the image is built for, or pin the multi-platform index (no --platform)`,
        ],
      ],
    );
  });

  it('20 references to one tag across 10 files: one HEAD; the same run again with the cache: no request at all', async () => {
    const f = setup.fixtures;
    const files: Record<string, string> = {};
    for (let i = 0; i < 5; i++) {
      files[`svc${i}/Dockerfile`] = `FROM ${f.dockerImage.ref} AS a\nFROM ${f.dockerImage.ref}\n`;
      files[`app${i}/compose.yaml`] =
        `services:\n  a:\n    image: ${f.dockerImage.ref}\n  b:\n    image: "${f.dockerImage.ref}"\n`;
    }
    const dir = workspace('twenty', files);
    const cacheDir = join(tmp, 'cache-twenty');
    const first = json(await check(dir, ['--format', 'json', '--cache-dir', cacheDir]));
    assert.equal(first.references.length, 20);
    assert.ok(first.references.every((r) => r.current?.digest === f.dockerImage.digest));
    assert.deepEqual(
      proxy.requests().map((r) => [r.method, r.path, r.status]),
      [['HEAD', '/v2/fixtures/docker-image/manifests/1.0', 200]],
    );

    proxy.clearLog();
    const second = json(await check(dir, ['--format', 'json', '--cache-dir', cacheDir]));
    assert.deepEqual(second, first);
    assert.equal(proxy.count(), 0);

    // --no-cache: nothing read, nothing written, so the registry is asked again (once).
    proxy.clearLog();
    json(await check(dir, ['--format', 'json', '--no-cache']));
    assert.equal(proxy.count(), 1);
  });

  it('--offline: no request ever; cached answers are used and say so; without a cache, the static findings', async () => {
    const f = setup.fixtures;
    const dir = workspace('offline', {
      Dockerfile: `FROM ${f.ociImage.ref}\nFROM ${f.drift.ref}@${f.drift.oldDigest}\n`,
    });
    const cacheDir = join(tmp, 'cache-offline');
    const cold = json(await check(dir, ['--format', 'json', '--offline', '--cache-dir', cacheDir]));
    assert.deepEqual(
      cold.references.map((r) => [r.current, r.diagnostics.map((d) => d.message)]),
      [
        [undefined, [`${f.ociImage.ref} is a mutable tag; pin it to a digest`]],
        [undefined, []],
      ],
    );
    assert.equal(proxy.count(), 0);

    const online = json(await check(dir, ['--format', 'json', '--cache-dir', cacheDir]));
    proxy.clearLog();
    const warm = json(await check(dir, ['--format', 'json', '--offline', '--cache-dir', cacheDir]));
    assert.deepEqual(
      warm.references.map((r) => [r.current, r.diagnostics.map((d) => d.message)]),
      [
        [
          { digest: f.ociImage.digest, created: null, error: null },
          [
            `${f.ociImage.ref} is a mutable tag; pin it to its current digest ${shortDigest(f.ociImage.digest)} (from the cache, checked less than a minute ago)`,
          ],
        ],
        // The whole drift answer (tag, pinned digest still there, both build dates) was cached by the online run.
        [
          online.references[1]!.current,
          [`${online.references[1]!.diagnostics[0]!.message} (from the cache, checked less than a minute ago)`],
        ],
      ],
    );
    assert.equal(online.references[1]!.diagnostics[0]!.code, 'tag-drift');
    assert.equal(proxy.count(), 0);
  });

  it('a corrupt cache file: a warning on stderr, the check still works, and the file is rewritten', async () => {
    const f = setup.fixtures;
    const dir = workspace('corrupt', { Dockerfile: `FROM ${f.ociImage.ref}\n` });
    const cacheDir = join(tmp, 'cache-corrupt');
    mkdirSync(cacheDir, { recursive: true });
    const file = join(cacheDir, 'registry-cache.json');
    writeFileSync(file, '{"version": 1, "tags": {');
    const run = await check(dir, ['--format', 'json', '--cache-dir', cacheDir]);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `digest-pin: warning: registry cache ${file} is ignored: not valid JSON; it will be rewritten\n`,
    );
    assert.deepEqual((JSON.parse(run.stdout) as JsonReport).references[0]!.current, {
      digest: f.ociImage.digest,
      created: null,
      error: null,
    });
    const rewritten = JSON.parse(readFileSync(file, 'utf8')) as { tags: Record<string, { digest: string }> };
    assert.equal(rewritten.tags[`${H}/fixtures/oci-image:1.0`]?.digest, f.ociImage.digest);
  });

  it('an unwritable cache directory: a warning, and the answers are still given', async () => {
    const f = setup.fixtures;
    const dir = workspace('unwritable', { Dockerfile: `FROM ${f.ociImage.ref}\n` });
    const blocker = join(tmp, 'not-a-dir');
    writeFileSync(blocker, 'a file where the cache directory should be\n');
    const cacheDir = join(blocker, 'cache');
    const run = await check(dir, ['--format', 'json', '--cache-dir', cacheDir]);
    const file = join(cacheDir, 'registry-cache.json');
    assert.equal(
      run.stderr,
      `digest-pin: warning: registry cache ${file} cannot be read (ENOTDIR); starting empty\n` +
        `digest-pin: warning: registry cache ${file} cannot be written (ENOTDIR); answers are kept in memory only\n`,
    );
    assert.deepEqual((JSON.parse(run.stdout) as JsonReport).references[0]!.current?.digest, f.ociImage.digest);
  });

  it('a registry that never answers: the first request times out, the others fail with it instead of each waiting', async () => {
    const dir = workspace('hang', {
      Dockerfile: ['a', 'b', 'c', 'd', 'e'].map((repo) => `FROM ${H}/hang/${repo}:1\n`).join(''),
    });
    proxy.inject({ kind: 'hang' });
    const run = await check(dir, ['--format', 'json', '--no-cache', '--timeout', '300']);
    proxy.clearFaults();
    const report = json(run);
    assert.deepEqual(
      report.references.map((r) => r.current),
      Array(5).fill({ digest: null, created: null, error: 'timeout' }),
    );
    assert.deepEqual(report.references[4]!.diagnostics[1], {
      code: 'registry-error',
      severity: 'warning',
      message: `could not check ${H}/hang/e:1 (timeout): ${H} did not answer within 1 s; check the network or raise the timeout`,
    });
    // Only one reference's request (with its retries) ever went out.
    assert.deepEqual([...new Set(proxy.requests().map((r) => r.path))], [proxy.requests()[0]!.path]);
  });

  it('--insecure-registry HOST:PORT: the registry is asked over plain HTTP', async () => {
    const f = setup.fixtures;
    const dir = workspace('insecure', { Dockerfile: `FROM ${f.dockerList.ref}\n` });
    const report = json(await check(dir, ['--format', 'json', '--no-cache', '--insecure-registry', H]));
    assert.deepEqual(report.references[0]!.current, { digest: f.dockerList.digest, created: null, error: null });
  });
});

describe('check against a registry that cannot be reached', () => {
  it('registry-error with kind network, and the exit status follows --fail-on', async () => {
    const port = await freePort();
    const dir = workspace('unreachable', { Dockerfile: `FROM 127.0.0.1:${port}/team/app:1\n` });
    const run = await check(dir, ['--format', 'json', '--no-cache', '--timeout', '2000']);
    assert.equal(run.status, 1);
    const ref = json(run).references[0]!;
    assert.deepEqual(ref.current, { digest: null, created: null, error: 'network' });
    assert.deepEqual(
      ref.diagnostics.map((d) => [d.code, d.severity, d.message]),
      [
        ['unpinned', 'warning', `127.0.0.1:${port}/team/app:1 is a mutable tag; pin it to a digest`],
        [
          'registry-error',
          'warning',
          `could not check 127.0.0.1:${port}/team/app:1 (network): cannot reach 127.0.0.1:${port}: connection refused; check the network connection or proxy settings`,
        ],
      ],
    );
    assert.equal((await check(dir, ['--no-cache', '--fail-on', 'error'])).status, 0);
    assert.equal((await check(dir, ['--no-cache', '--fail-on', 'warning'])).status, 1);
  });
});

describe('check against a token-auth registry, with credentials from DOCKER_CONFIG', () => {
  const USER = 'alice';
  const SECRET = 's3cr3t-Passw0rd-never-printed';
  let tokens: TokenServer;
  let registry: Registry;
  let proxy: FaultProxy;
  let H: string;
  let digests: Record<string, string>;
  let withCredentials: string;
  let wrongCredentials: string;

  const dockerConfig = (name: string, password: string): string => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [H]: { auth: Buffer.from(`${USER}:${password}`).toString('base64') } } }),
    );
    chmodSync(join(dir, 'config.json'), 0o600);
    return dir;
  };

  before(async () => {
    tokens = await startTokenServer({ users: { [USER]: SECRET }, anonymousPull: false });
    registry = await startRegistry({ auth: { token: tokens.registryAuth } });
    proxy = await startFaultProxy({ target: registry.url });
    H = proxy.host;
    const target = { url: registry.url, host: registry.host, auth: tokens.seedAuth() };
    digests = {};
    for (const repo of ['private/a', 'private/b', 'private/c']) {
      for (const tag of ['1', '2'])
        digests[`${repo}:${tag}`] = (
          await pushImage(target, repo, tag, { format: 'oci', content: `${repo}:${tag}` })
        ).digest;
    }
    withCredentials = dockerConfig('docker-alice', SECRET);
    wrongCredentials = dockerConfig('docker-wrong', 'not-the-password');
  });
  after(async () => {
    await proxy?.stop();
    await registry?.stop();
    await tokens?.stop();
  });
  beforeEach(() => proxy.clearLog());

  const secrets = (): string[] => [SECRET, Buffer.from(`${USER}:${SECRET}`).toString('base64'), 'eyJ'];
  const assertNoSecret = (run: Run): void => {
    for (const secret of secrets()) {
      assert.ok(
        !run.stdout.includes(secret) && !run.stderr.includes(secret),
        `output contains a secret (${secret.slice(0, 3)}…)`,
      );
    }
  };

  it('with credentials: every tag resolved; one HEAD per tag plus the one challenge, one token per repository', async () => {
    const lines: string[] = [];
    for (const repo of ['a', 'b', 'c'])
      for (const tag of ['1', '2'])
        lines.push(`FROM ${H}/private/${repo}:${tag}`, `FROM ${H}/private/${repo}:${tag} AS again`);
    const dir = workspace('token-ok', { Dockerfile: `${lines.join('\n')}\n` });
    const before = tokens.requestCount();
    const run = await check(dir, ['--format', 'json', '--no-cache'], { DOCKER_CONFIG: withCredentials });
    assertNoSecret(run);
    const report = json(run);
    assert.deepEqual(
      report.references.map((r) => r.current?.digest),
      report.references.map((r) => digests[r.text.slice(H.length + 1)]),
    );
    assert.equal(report.references.length, 12);
    const heads = proxy.requests({ method: 'HEAD' });
    assert.deepEqual(
      [heads.length, heads.filter((r) => r.status === 401).length, heads.filter((r) => r.status === 200).length],
      [7, 1, 6],
    );
    assert.deepEqual(
      heads.filter((r) => r.status === 200).map((r) => r.authScheme),
      Array(6).fill('bearer'),
    );
    const fetched = tokens.requests().slice(before);
    assert.deepEqual(fetched.map((t) => [t.subject, t.scopes.join(' ')]).sort(), [
      [USER, 'repository:private/a:pull'],
      [USER, 'repository:private/b:pull'],
      [USER, 'repository:private/c:pull'],
    ]);
  });

  it('without credentials: registry-error unauthorized, saying to log in', async () => {
    const dir = workspace('token-anon', { Dockerfile: `FROM ${H}/private/a:1\n` });
    const run = await check(dir, ['--format', 'json', '--no-cache']);
    assertNoSecret(run);
    const ref = json(run).references[0]!;
    assert.deepEqual(ref.current, { digest: null, created: null, error: 'unauthorized' });
    assert.deepEqual(
      ref.diagnostics.map((d) => [d.code, d.severity, d.message]),
      [
        ['unpinned', 'warning', `${H}/private/a:1 is a mutable tag; pin it to a digest`],
        [
          'registry-error',
          'warning',
          `could not check ${H}/private/a:1 (unauthorized): not logged in to ${H}: run docker login ${H}`,
        ],
      ],
    );
  });

  it('a wrong password: unauthorized, and neither password nor token is printed', async () => {
    const dir = workspace('token-wrong', { Dockerfile: `FROM ${H}/private/b:2\n` });
    const run = await check(dir, ['--no-cache'], { DOCKER_CONFIG: wrongCredentials });
    assertNoSecret(run);
    for (const secret of ['not-the-password', Buffer.from(`${USER}:not-the-password`).toString('base64')])
      assert.ok(!`${run.stdout}${run.stderr}`.includes(secret));
    assert.equal(run.status, 1);
    assert.equal(
      run.stdout,
      `Dockerfile:1:6 warning unpinned ${H}/private/b:2 is a mutable tag; pin it to a digest\n` +
        `Dockerfile:1:6 warning registry-error could not check ${H}/private/b:2 (unauthorized): ${H} rejected the stored credentials (token server refused the login): run docker login ${H} again\n` +
        '1 file, 1 reference: 0 errors, 2 warnings, 0 information\n',
    );
  });
});
