// Newer versions of a tag against the real docker-registry: several version tags of one repository, the built CLI
// as a subprocess. A plain check stays HEAD-only (no tag list); `check --severity outdated=hint` lists the tags once
// and the persistent cache answers the next run; `pin --upgrade patch|minor` writes the newest tag of the line with the registry's own digest for it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureBuilt, runCli, type Run } from './cliRun';
import { startRegistry, type Registry } from './support/registry';
import { MEDIA, pushImage, pushManifest, type PushedImage } from './support/seed';

const TAGS = ['3.12.7-slim', '3.12.8-slim', '3.13.1-slim', '3.12.9', 'latest', 'sha-abc1234'] as const;

interface JsonReference {
  text: string;
  newer?: Record<string, { tag: string; digest?: string }>;
  diagnostics: Array<{ code: string; severity: string; message: string }>;
}

let registry: Registry;
let tmp: string;
let H: string;
const pushed = new Map<string, PushedImage>();

before(async () => {
  ensureBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'digest-pin-newer-'));
  mkdirSync(join(tmp, 'docker'));
  writeFileSync(join(tmp, 'docker', 'config.json'), '{}\n');
  registry = await startRegistry();
  H = registry.host;
  for (const tag of TAGS) pushed.set(tag, await pushImage(registry, 'lib/py', tag, { format: 'oci', content: tag }));
});
after(async () => {
  await registry?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

let runs = 0;
/** A fresh folder holding `files`, and a cache of its own unless `cache` names a shared one. */
function workspace(files: Record<string, string>): string {
  const dir = join(tmp, `ws-${++runs}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
const cli = (cwd: string, cache: string, ...args: string[]): Promise<Run> =>
  runCli(cwd, args, { env: { DOCKER_CONFIG: join(tmp, 'docker'), XDG_CACHE_HOME: join(tmp, cache) } });

/** Requests to the repository since `from` (the access log's length before a run). */
async function requestsSince(from: number): Promise<Array<{ method: string; path: string }>> {
  return (await registry.requestLog()).slice(from).map(({ method, path }) => ({ method, path }));
}
const TAG_LIST = /^\/v2\/lib\/py\/tags\/list/;

/** What the registry itself says the tag's digest is (a HEAD of our own, outside the CLI). */
async function registryDigest(tag: string): Promise<string> {
  const response = await fetch(`${registry.url}/v2/lib/py/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: MEDIA.ociManifest },
  });
  assert.equal(response.status, 200);
  return response.headers.get('docker-content-digest')!;
}

describe('newer versions against the real registry', () => {
  it('a plain check lists no tags and stays HEAD-only', async () => {
    const dir = workspace({ Dockerfile: `FROM ${H}/lib/py:3.12.7-slim\n` });
    const from = (await registry.requestLog()).length;
    const run = await cli(dir, 'cache-plain', 'check', '--format', 'json');
    assert.equal(run.status, 1, run.stderr);
    const report = JSON.parse(run.stdout) as { references: JsonReference[] };
    assert.equal(report.references[0]!.newer, undefined);
    assert.ok(!report.references[0]!.diagnostics.some((d) => d.code === 'outdated'));
    const requests = await requestsSince(from);
    assert.equal(requests.filter((r) => TAG_LIST.test(r.path)).length, 0);
    assert.deepEqual(
      requests.filter((r) => r.path.startsWith('/v2/lib/py/')).map((r) => r.method),
      ['HEAD'],
    );
  });

  it('check --severity outdated=hint: newer tags in JSON and an outdated hint; the list is cached for the next run', async () => {
    const dir = workspace({
      Dockerfile: `FROM ${H}/lib/py:3.12.7-slim\n`,
      'compose.yaml': `services:\n  app:\n    image: ${H}/lib/py:3.13.1-slim\n  old:\n    image: ${H}/lib/py:latest\n`,
    });
    const from = (await registry.requestLog()).length;
    const run = await cli(dir, 'cache-outdated', 'check', '--format', 'json', '--severity', 'outdated=hint');
    const report = JSON.parse(run.stdout) as { references: JsonReference[] };
    const byText = (text: string): JsonReference => report.references.find((r) => r.text === `${H}/lib/py:${text}`)!;
    const [dockerfile, compose313, composeLatest] = [byText('3.12.7-slim'), byText('3.13.1-slim'), byText('latest')];
    assert.deepEqual(dockerfile!.newer, { patch: { tag: '3.12.8-slim' }, minor: { tag: '3.13.1-slim' } });
    assert.deepEqual(
      dockerfile!.diagnostics.filter((d) => d.code === 'outdated').map((d) => [d.severity, d.message]),
      [
        [
          'hint',
          `${H}/lib/py:3.12.7-slim has newer versions: 3.12.8-slim (patch), 3.13.1-slim (minor); 'digest-pin pin --upgrade patch' moves to it`,
        ],
      ],
    );
    // The newest of its line already: the list was read, nothing is newer.
    assert.deepEqual([compose313!.text, compose313!.newer], [`${H}/lib/py:3.13.1-slim`, {}]);
    // `latest` is not a version: no newer, and no listing on its account.
    assert.equal(composeLatest!.newer, undefined);
    const listed = (await requestsSince(from)).filter((r) => TAG_LIST.test(r.path));
    assert.deepEqual(listed, [{ method: 'GET', path: '/v2/lib/py/tags/list?n=1000' }]);

    const again = (await registry.requestLog()).length;
    const second = await cli(dir, 'cache-outdated', 'check', '--format', 'json', '--severity', 'outdated=hint');
    assert.deepEqual(
      (JSON.parse(second.stdout) as { references: JsonReference[] }).references.map((r) => r.newer),
      report.references.map((r) => r.newer),
    );
    const relisted = (await requestsSince(again)).filter((r) => TAG_LIST.test(r.path));
    assert.deepEqual(relisted, [], 'the second run within the cache lifetime lists nothing');

    // The pull-request report (Markdown escapes the parentheses) and the terminal say the same, from the cached list.
    const outdated = /has newer versions: 3\.12\.8-slim \\?\(patch\\?\), 3\.13\.1-slim \\?\(minor\\?\)/;
    for (const format of ['markdown', 'text']) {
      const shown = await cli(dir, 'cache-outdated', 'check', '--format', format, '--severity', 'outdated=hint');
      assert.match(shown.stdout, outdated, format);
    }
  });

  it('pin --upgrade patch writes 3.12.8-slim with the registry’s digest; minor moves a pin to 3.13.1-slim', async () => {
    const oldPin = pushed.get('3.12.7-slim')!.digest;
    const dir = workspace({
      Dockerfile: `FROM ${H}/lib/py:3.12.7-slim AS build\nFROM ${H}/lib/py:latest\n`,
      'compose.yaml': `services:\n  app:\n    image: "${H}/lib/py:3.12.7-slim@${oldPin}" # keep\n`,
    });
    const patch = await cli(dir, 'cache-pin', 'pin', '--upgrade', 'patch', 'Dockerfile');
    assert.equal(patch.status, 0, patch.stderr);
    const patchDigest = await registryDigest('3.12.8-slim');
    assert.equal(patchDigest, pushed.get('3.12.8-slim')!.digest);
    assert.equal(
      readFileSync(join(dir, 'Dockerfile'), 'utf8'),
      `FROM ${H}/lib/py:3.12.8-slim@${patchDigest} AS build\nFROM ${H}/lib/py:latest@${await registryDigest('latest')}\n`,
    );
    assert.match(
      patch.stdout,
      /Dockerfile:1:6 upgraded \S+\/lib\/py:3\.12\.8-slim@sha256:[0-9a-f]{64} \(was 3\.12\.7-slim\)/,
    );

    const minor = await cli(dir, 'cache-pin', 'pin', '--upgrade', 'minor', 'compose.yaml');
    assert.equal(minor.status, 0, minor.stderr);
    assert.equal(
      readFileSync(join(dir, 'compose.yaml'), 'utf8'),
      `services:\n  app:\n    image: "${H}/lib/py:3.13.1-slim@${await registryDigest('3.13.1-slim')}" # keep\n`,
    );
  });

  // Debian's distribution 2.8.2 ignores `?n=` on tags/list and answers every tag at once, without a Link header (seen
  // here: 13 tags for n=5), so the pages a registry links are covered by test/unit/registry/tagList.test.ts.
  it('1,003 tags, listed lexically: the numerically newest found (1.0.1000 sorts before 1.0.999), one request', async () => {
    // A manifest is accepted only where its blobs are (blobs are linked per repository): one image first.
    const base = await pushImage(registry, 'lib/many', '0.9.0', { format: 'oci', content: 'many' });
    const tags = [...Array.from({ length: 1001 }, (_, i) => `1.0.${i}`), '2.0.0'];
    for (let i = 0; i < tags.length; i += 50)
      await Promise.all(
        tags.slice(i, i + 50).map((tag) => pushManifest(registry, 'lib/many', tag, base.mediaType, base.bytes)),
      );
    const dir = workspace({
      Dockerfile: `FROM ${H}/lib/many:1.0.0
`,
    });
    const from = (await registry.requestLog()).length;
    const run = await cli(dir, 'cache-many', 'check', '--format', 'json', '--severity', 'outdated=hint');
    const [reference] = (JSON.parse(run.stdout) as { references: JsonReference[] }).references;
    assert.deepEqual(reference!.newer, { patch: { tag: '1.0.1000' }, major: { tag: '2.0.0' } });
    const listed = (await requestsSince(from)).filter((r) => r.path.startsWith('/v2/lib/many/tags/list'));
    assert.deepEqual(listed, [{ method: 'GET', path: '/v2/lib/many/tags/list?n=1000' }]);
  });
});
