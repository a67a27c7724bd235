// devcontainer.json end to end: the built CLI against the real registry, with an image and Dev Container Features
// pushed as the devcontainers CLI publishes them (an OCI manifest whose config is `application/vnd.devcontainers`
// and whose one layer is a tar of the feature). `pin` and `pin --update` are checked byte for byte: the image gets
// tag@digest, a feature `name@digest` with its tag in a comment (the devcontainers CLI refuses `name:tag@digest`),
// and every other byte — BOM, CRLF, comments, trailing commas, local and legacy features — stays.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { shortDigest } from '../../server/src/shared/text';
import { ensureBuilt, type Run } from './cliRun';
import { cliWorkspace, type CliWorkspace } from './support/cliWorkspace';
import { sha256, tarOneFile } from './support/layer';
import { startRegistry, type Registry } from './support/registry';
import { pushBlob, pushImage, pushManifest, MEDIA, type PushedImage, type PushedManifest } from './support/seed';

const FEATURE_CONFIG = 'application/vnd.devcontainers';
const FEATURE_LAYER = 'application/vnd.devcontainers.layer.v1+tar';

let ws: CliWorkspace;
let registry: Registry;
let H: string;
let base: PushedImage;
let hello: PushedManifest;
let world: PushedManifest;

/** A Feature as `devcontainer features publish` pushes it: `{}` config, one tar layer, the metadata annotation. */
async function pushFeature(repo: string, tags: string[], id: string): Promise<PushedManifest> {
  const target = { url: registry.url, host: registry.host };
  const metadata = JSON.stringify({ id, version: '1.0.0', name: id });
  const tar = tarOneFile('devcontainer-feature.json', Buffer.from(metadata));
  const layer = await pushBlob(target, repo, tar);
  const config = await pushBlob(target, repo, Buffer.from('{}'));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: FEATURE_CONFIG, digest: config.digest, size: config.size },
      layers: [
        {
          mediaType: FEATURE_LAYER,
          digest: layer.digest,
          size: layer.size,
          annotations: { 'org.opencontainers.image.title': `devcontainer-feature-${id}.tgz` },
        },
      ],
      annotations: { 'dev.containers.metadata': metadata, 'com.github.package.type': 'devcontainer_feature' },
    }),
  );
  let pushed: PushedManifest | undefined;
  for (const tag of tags) pushed = await pushManifest(target, repo, tag, MEDIA.ociManifest, manifest);
  assert.equal(pushed!.digest, sha256(manifest));
  return pushed!;
}

before(async () => {
  ensureBuilt();
  ws = cliWorkspace('digest-pin-devcontainer-');
  registry = await startRegistry();
  H = registry.host;
  const target = { url: registry.url, host: registry.host };
  base = await pushImage(target, 'dev/base', '1', { format: 'oci' });
  hello = await pushFeature('features/hello', ['1', '1.0.0'], 'hello');
  world = await pushFeature('features/world', ['latest'], 'world');
});
after(async () => {
  await registry?.stop();
  ws?.dispose();
});

const cli = (cwd: string, ...args: string[]): Promise<Run> => ws.cli(cwd, ...args);
const workspace = (name: string, files: Record<string, string>): string => ws.workspace(name, files);
const read = (dir: string, path: string): string => ws.read(dir, path);

/** `.devcontainer/devcontainer.json`: BOM, CRLF, comments, trailing commas, and what is not a reference. */
const mainFile = (): string =>
  '\uFEFF' +
  [
    '// For format details, see https://aka.ms/devcontainer.json.',
    '{',
    '\t"name": "digest-pin test",',
    `\t"image": "${H}/dev/base:1", // the base image`,
    '\t"features": {',
    `\t\t"${H}/features/hello:1": {`,
    '\t\t\t"greeting": "hi",',
    '\t\t},',
    `\t\t"${H}/features/world" : {}, /* no version: latest */`,
    '\t\t"./local-feature": {},',
    '\t\t"node": "lts",',
    `\t\t// "${H}/features/hello:1.0.0": {},`,
    '\t},',
    '\t"build": { "dockerfile": "Dockerfile" },',
    '}',
    '',
  ].join('\r\n');

/** `.devcontainer.json` in a sub-project: LF, a pinned feature, an ignored one, and a tag@digest one (invalid). */
const otherFile = (): string =>
  [
    '{',
    `  "image": "${H}/dev/base:1",`,
    '  "features": {',
    `    "${H}/features/hello:1.0.0": {}, // digest-pin: ignore`,
    `    "${H}/features/world@${world.digest}": {},`,
    `    "${H}/features/hello:1@${hello.digest}": {},`,
    '  },',
    '}',
    '',
  ].join('\n');

describe('devcontainer.json against a real registry', () => {
  it('check --format json: the image and the OCI features, with what their tags point to now', async () => {
    const dir = workspace('check', { '.devcontainer/devcontainer.json': mainFile() });
    const run = await cli(dir, 'check', '--format', 'json', '--fail-on', 'never', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      references: Array<{
        text: string;
        source: string;
        context: string;
        status: string;
        current?: { digest: string };
      }>;
      notes: unknown[];
    };
    assert.deepEqual(
      report.references.map((r) => [r.text, r.source, r.context, r.status, r.current?.digest]),
      [
        [`${H}/dev/base:1`, 'devcontainer', 'image', 'unpinned', base.digest],
        [`${H}/features/hello:1`, 'devcontainer', 'feature', 'unpinned', hello.digest],
        [`${H}/features/world`, 'devcontainer', 'feature', 'unpinned', world.digest],
      ],
    );
    assert.deepEqual(report.notes, []);
  });

  it('pin writes tag@digest for the image and name@digest /* tag */ for features; every other byte stays', async () => {
    const dir = workspace('pin', {
      '.devcontainer/devcontainer.json': mainFile(),
      'sub/.devcontainer.json': otherFile(),
    });
    const run = await cli(dir, 'pin', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      read(dir, '.devcontainer/devcontainer.json'),
      mainFile()
        .replace(`"${H}/dev/base:1"`, `"${H}/dev/base:1@${base.digest}"`)
        .replace(`"${H}/features/hello:1": {`, `"${H}/features/hello@${hello.digest}" /* 1 */: {`)
        .replace(`"${H}/features/world" : {}`, `"${H}/features/world@${world.digest}" : {}`),
    );
    assert.equal(
      read(dir, 'sub/.devcontainer.json'),
      otherFile().replace(`"${H}/dev/base:1"`, `"${H}/dev/base:1@${base.digest}"`),
    );
    assert.deepEqual(run.stdout.split('\n').slice(0, -2), [
      `.devcontainer/devcontainer.json:4:12 pinned ${H}/dev/base:1@${base.digest}`,
      `.devcontainer/devcontainer.json:6:4 pinned ${H}/features/hello@${hello.digest}`,
      `.devcontainer/devcontainer.json:9:4 pinned ${H}/features/world@${world.digest}`,
      `sub/.devcontainer.json:2:13 pinned ${H}/dev/base:1@${base.digest}`,
    ]);
    assert.match(run.stdout, /\n2 files changed: 4 references pinned; 1 left as written \(1 invalid\)\n$/);

    // Pinned, the files read back clean: nothing left to pin, no notes, the features digest-only.
    const again = await cli(dir, 'check', '--format', 'json', '--no-cache');
    const report = JSON.parse(again.stdout) as {
      references: Array<{ text: string; context: string; status: string; diagnostics: Array<{ code: string }> }>;
      notes: unknown[];
    };
    assert.deepEqual(report.notes, []);
    assert.deepEqual(
      report.references.filter((r) => r.diagnostics.length > 0).map((r) => [r.text, r.diagnostics.map((d) => d.code)]),
      [[`${H}/features/hello:1@${hello.digest}`, ['invalid-reference']]],
    );
    assert.equal(again.status, 1, 'the tag@digest feature is an error');
  });

  it('pin --update moves the image pin whose tag moved; feature pins (digest only) stay, byte for byte', async () => {
    const target = { url: registry.url, host: registry.host };
    const old = await pushImage(target, 'dev/moving', '2', { format: 'oci', content: 'old' });
    const text = [
      '{',
      `\t"image": "${H}/dev/moving:2@${old.digest}",`,
      '\t"features": {',
      `\t\t"${H}/features/hello@${hello.digest}" /* 1 */: {},`,
      `\t\t"${H}/features/world:latest": {},`,
      '\t}',
      '}',
    ].join('\r\n');
    const moved = await pushImage(target, 'dev/moving', '2', { format: 'oci', content: 'new' });
    assert.notEqual(moved.digest, old.digest);
    const dir = workspace('update', { '.devcontainer/devcontainer.json': text });

    const plain = await cli(dir, 'pin', '--no-cache');
    assert.equal(plain.status, 0, plain.stderr);
    const pinned = text.replace(`"${H}/features/world:latest"`, `"${H}/features/world@${world.digest}" /* latest */`);
    assert.equal(read(dir, '.devcontainer/devcontainer.json'), pinned, 'pin alone leaves the drifted pin');

    const update = await cli(dir, 'pin', '--update', '--no-cache');
    assert.equal(update.status, 0, update.stderr);
    assert.equal(
      read(dir, '.devcontainer/devcontainer.json'),
      pinned.replace(`moving:2@${old.digest}`, `moving:2@${moved.digest}`),
    );
    assert.deepEqual(update.stdout.split('\n').slice(0, -2), [
      `.devcontainer/devcontainer.json:2:12 updated ${H}/dev/moving:2@${moved.digest} (was ${shortDigest(old.digest)})`,
    ]);
  });

  it('--dry-run prints the diff and writes nothing', async () => {
    const dir = workspace('dry', { '.devcontainer.json': otherFile() });
    const run = await cli(dir, 'pin', '--dry-run', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(read(dir, '.devcontainer.json'), otherFile());
    assert.ok(run.stdout.includes(`+  "image": "${H}/dev/base:1@${base.digest}",`), run.stdout);
  });
});
