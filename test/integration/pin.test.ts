// `digest-pin pin` end to end: the built CLI against the real registry (seeded standard fixtures behind the counting
// proxy), on files with CRLF line endings, a BOM, quoted YAML values, comments and unusual modes. Every file is
// compared byte for byte; a dry run writes nothing and prints a diff that `git apply` accepts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { shortDigest } from '../../server/src/shared/text';
import type { Run } from './cliRun';
import { useSeededCli } from './support/cliWorkspace';

const seeded = useSeededCli('digest-pin-pin-');
const pin = (cwd: string, ...args: string[]): Promise<Run> => seeded.ws.cli(cwd, 'pin', ...args);

interface Files {
  [path: string]: { text: string; mode?: number };
}

const workspace = (name: string, files: Files): string => seeded.ws.workspace(name, files);
const read = (dir: string, path: string): string => seeded.ws.read(dir, path);
const mode = (dir: string, path: string): number => statSync(join(dir, path)).mode & 0o7777;

/** The workspace every pin test starts from: all the awkward cases, every reference resolvable. */
function original(): Files {
  const f = seeded.setup.fixtures;
  const child = f.ociIndex.children[0]!.digest;
  return {
    Dockerfile: {
      mode: 0o640,
      text: [
        `ARG BASE=${seeded.host}/fixtures/oci-index:1.0`,
        'FROM ${BASE} AS build',
        `RUN echo "${seeded.host}/fixtures/docker-image:1.0 is only text here"`,
        `FROM ${f.drift.ref}@${f.drift.oldDigest} AS drifted # keep this comment`,
        `FROM ${seeded.host}/fixtures/oci-index@${child} AS digest-only`,
        `FROM ${seeded.host}/fixtures/app:\${TAG} AS variable`,
        `FROM ${seeded.host}/Fixtures/Bad:1 AS invalid`,
        '# digest-pin: ignore',
        `FROM ${seeded.host}/fixtures/oci-image:1.0 AS ignored`,
        `FROM ${seeded.host}/fixtures/docker-image:1.0`,
        '',
      ].join('\n'),
    },
    'compose.yaml': {
      mode: 0o600,
      text: [
        'services:',
        '  web:',
        `    image: "${seeded.host}/fixtures/docker-list:1.0" # the web tier`,
        '  worker:',
        `    image: '${seeded.host}/fixtures/oci-image:1.0'`,
        '  lost:',
        `    image: ${f.gone.ref}@${f.gone.digest}`,
        '',
      ].join('\r\n'),
    },
    'k8s/pod.yaml': {
      mode: 0o755,
      text: `\uFEFF${['apiVersion: v1', 'kind: Pod', 'spec:', '  containers:', '    - name: a', `      image: ${seeded.host}/fixtures/oci-index:1.0 # index`, '    - name: b', `      image: ${seeded.host}/fixtures/oci-index:1.0`].join('\n')}`,
    },
  };
}

/** What `pin` (no --update) must leave, byte for byte. */
function pinned(): Record<string, string> {
  const f = seeded.setup.fixtures;
  const o = original();
  return {
    Dockerfile: o
      .Dockerfile!.text.replace(
        `ARG BASE=${seeded.host}/fixtures/oci-index:1.0`,
        `ARG BASE=${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
      )
      .replace(
        `FROM ${seeded.host}/fixtures/docker-image:1.0\n`,
        `FROM ${seeded.host}/fixtures/docker-image:1.0@${f.dockerImage.digest}\n`,
      ),
    'compose.yaml': o['compose.yaml']!.text.replace(
      `"${seeded.host}/fixtures/docker-list:1.0"`,
      `"${seeded.host}/fixtures/docker-list:1.0@${f.dockerList.digest}"`,
    ).replace(
      `'${seeded.host}/fixtures/oci-image:1.0'`,
      `'${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}'`,
    ),
    'k8s/pod.yaml': o['k8s/pod.yaml']!.text.replaceAll(
      `${seeded.host}/fixtures/oci-index:1.0`,
      `${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
    ),
  };
}

describe('digest-pin pin', () => {
  it('--dry-run prints a unified diff, writes nothing, and the diff applies with git apply', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('dry-run', original());
    const run = await pin(dir, '--dry-run', '--no-cache');
    const expectedDiff = [
      '--- a/Dockerfile',
      '+++ b/Dockerfile',
      '@@ -1,4 +1,4 @@',
      `-ARG BASE=${seeded.host}/fixtures/oci-index:1.0`,
      `+ARG BASE=${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
      ' FROM ${BASE} AS build',
      ` RUN echo "${seeded.host}/fixtures/docker-image:1.0 is only text here"`,
      ` FROM ${f.drift.ref}@${f.drift.oldDigest} AS drifted # keep this comment`,
      '@@ -7,4 +7,4 @@',
      ` FROM ${seeded.host}/Fixtures/Bad:1 AS invalid`,
      ' # digest-pin: ignore',
      ` FROM ${seeded.host}/fixtures/oci-image:1.0 AS ignored`,
      `-FROM ${seeded.host}/fixtures/docker-image:1.0`,
      `+FROM ${seeded.host}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
      '--- a/compose.yaml',
      '+++ b/compose.yaml',
      '@@ -1,7 +1,7 @@',
      ' services:\r',
      '   web:\r',
      `-    image: "${seeded.host}/fixtures/docker-list:1.0" # the web tier\r`,
      `+    image: "${seeded.host}/fixtures/docker-list:1.0@${f.dockerList.digest}" # the web tier\r`,
      '   worker:\r',
      `-    image: '${seeded.host}/fixtures/oci-image:1.0'\r`,
      `+    image: '${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}'\r`,
      '   lost:\r',
      `     image: ${f.gone.ref}@${f.gone.digest}\r`,
      '--- a/k8s/pod.yaml',
      '+++ b/k8s/pod.yaml',
      '@@ -3,6 +3,6 @@',
      ' spec:',
      '   containers:',
      '     - name: a',
      `-      image: ${seeded.host}/fixtures/oci-index:1.0 # index`,
      `+      image: ${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest} # index`,
      '     - name: b',
      `-      image: ${seeded.host}/fixtures/oci-index:1.0`,
      '\\ No newline at end of file',
      `+      image: ${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
      '\\ No newline at end of file',
      '',
    ].join('\n');
    assert.deepEqual(run, {
      status: 0,
      stdout: expectedDiff,
      stderr:
        '3 files would change: 6 references pinned; 2 left as written (1 variable, 1 invalid); nothing was written\n',
    });
    for (const [path, { text }] of Object.entries(original()))
      assert.equal(read(dir, path), text, `${path} was written`);

    const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, input: run.stdout, encoding: 'utf8' });
    assert.equal(git('init', '-q').status, 0);
    const applied = git('apply', '--whitespace=nowarn', '-');
    assert.equal(applied.status, 0, applied.stderr);
    for (const [path, text] of Object.entries(pinned())) assert.equal(read(dir, path), text, `${path} after git apply`);
  });

  it('writes the digests and keeps every other byte (CRLF, BOM, quotes, comments, no final newline) and each mode', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('write', original());
    const run = await pin(dir, '--no-cache');
    assert.deepEqual(run, {
      status: 0,
      stdout: [
        `Dockerfile:1:10 pinned ${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
        `Dockerfile:10:6 pinned ${seeded.host}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
        `compose.yaml:3:13 pinned ${seeded.host}/fixtures/docker-list:1.0@${f.dockerList.digest}`,
        `compose.yaml:5:13 pinned ${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}`,
        `k8s/pod.yaml:6:14 pinned ${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
        `k8s/pod.yaml:8:14 pinned ${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
        '3 files changed: 6 references pinned; 2 left as written (1 variable, 1 invalid)',
        '',
      ].join('\n'),
      stderr: '',
    });
    for (const [path, text] of Object.entries(pinned())) assert.equal(read(dir, path), text, path);
    assert.deepEqual(
      [mode(dir, 'Dockerfile'), mode(dir, 'compose.yaml'), mode(dir, 'k8s/pod.yaml')],
      [0o640, 0o600, 0o755],
    );
    // One HEAD per unique tag (oci-index:1.0 is written three times), nothing for pins without --update.
    assert.deepEqual(
      seeded.proxy
        .requests()
        .map((r) => r.method)
        .sort(),
      ['HEAD', 'HEAD', 'HEAD', 'HEAD'],
    );

    seeded.proxy.clearLog();
    const again = await pin(dir, '--no-cache');
    assert.deepEqual(again, {
      status: 0,
      stdout: 'nothing to pin; 2 left as written (1 variable, 1 invalid)\n',
      stderr: '',
    });
    assert.equal(seeded.proxy.count(), 0, 'pinned references are not looked up without --update');
  });

  it('--update also refreshes the drifted digest and replaces the lost one; the digest-only reference stays digest-only', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('update', original());
    const run = await pin(dir, '--update', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(
      run.stdout.split('\n').filter((line) => line.includes(' updated ')),
      [
        `Dockerfile:4:6 updated ${f.drift.ref}@${f.drift.newDigest} (was ${shortDigest(f.drift.oldDigest)})`,
        `compose.yaml:7:12 updated ${f.gone.ref}@${f.gone.tagDigest} (was ${shortDigest(f.gone.digest)})`,
      ],
    );
    assert.match(
      run.stdout,
      /\n3 files changed: 6 references pinned, 2 updated; 2 left as written \(1 variable, 1 invalid\)\n$/,
    );
    const expected = pinned();
    assert.equal(
      read(dir, 'Dockerfile'),
      expected.Dockerfile!.replace(`@${f.drift.oldDigest}`, `@${f.drift.newDigest}`),
    );
    assert.equal(
      read(dir, 'compose.yaml'),
      expected['compose.yaml']!.replace(`@${f.gone.digest}`, `@${f.gone.tagDigest}`),
    );
    assert.equal(read(dir, 'k8s/pod.yaml'), expected['k8s/pod.yaml']);
  });

  it('--platform: the platform image is written; a line with its own platform gets that one', async () => {
    const f = seeded.setup.fixtures;
    const [, arm64] = f.ociIndex.children;
    const [, armv7] = f.dockerList.children;
    const dir = workspace('platform', {
      Dockerfile: { text: `FROM ${f.ociIndex.ref}\nFROM --platform=linux/arm/v7 ${f.dockerList.ref}\n` },
    });
    const run = await pin(dir, '--platform', 'linux/arm64', '--no-cache');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      read(dir, 'Dockerfile'),
      `FROM ${f.ociIndex.ref}@${arm64!.digest}\nFROM --platform=linux/arm/v7 ${f.dockerList.ref}@${armv7!.digest}\n`,
    );
  });

  it('a tag that cannot be resolved: exit 1, said on stderr, and the others are still written', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('partial', {
      Dockerfile: { text: `FROM ${seeded.host}/fixtures/missing:1.0\nFROM ${f.ociImage.ref}\n` },
      'compose.yaml': { text: `services:\n  a:\n    image: ${f.dockerImage.ref}\n` },
    });
    const run = await pin(dir, '--no-cache');
    assert.deepEqual(run, {
      status: 1,
      stdout: [
        `Dockerfile:2:6 pinned ${f.ociImage.ref}@${f.ociImage.digest}`,
        `compose.yaml:3:12 pinned ${f.dockerImage.ref}@${f.dockerImage.digest}`,
        '2 files changed: 2 references pinned; 1 could not be resolved',
        '',
      ].join('\n'),
      stderr: `digest-pin: Dockerfile:1:6: could not pin ${seeded.host}/fixtures/missing:1.0: tag 1.0 of fixtures/missing not found on ${seeded.host} (not-found)\n`,
    });
    assert.equal(
      read(dir, 'Dockerfile'),
      `FROM ${seeded.host}/fixtures/missing:1.0\nFROM ${f.ociImage.ref}@${f.ociImage.digest}\n`,
    );
  });

  it('a Latin-1 file with an image to pin: left unchanged, and the summary says so (not "nothing to pin")', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('latin1', { Dockerfile: { text: '' } });
    // `# caf\xe9` in Latin-1: not UTF-8, so its bytes cannot be rewritten safely.
    writeFileSync(
      join(dir, 'Dockerfile'),
      Buffer.concat([Buffer.from(`FROM ${f.ociImage.ref}\n# caf`), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const before = readFileSync(join(dir, 'Dockerfile'));
    const run = await pin(dir);
    assert.deepEqual(run, {
      status: 1,
      stdout: 'no file changed; 1 file could not be written\n',
      stderr: 'digest-pin: Dockerfile: not valid UTF-8; left unchanged\n',
    });
    assert.ok(readFileSync(join(dir, 'Dockerfile')).equals(before));
  });

  it('--offline pins from the cache without a request, and says what the cache does not know', async () => {
    const f = seeded.setup.fixtures;
    const cacheDir = join(seeded.ws.tmp, 'cache-offline');
    const warm = workspace('offline-warm', { Dockerfile: { text: `FROM ${f.ociImage.ref}\n` } });
    assert.equal((await pin(warm, '--dry-run', '--cache-dir', cacheDir)).status, 0);
    seeded.proxy.clearLog();
    const dir = workspace('offline', { Dockerfile: { text: `FROM ${f.ociImage.ref}\nFROM ${f.dockerImage.ref}\n` } });
    const run = await pin(dir, '--offline', '--cache-dir', cacheDir);
    assert.deepEqual(run, {
      status: 1,
      stdout: `Dockerfile:1:6 pinned ${f.ociImage.ref}@${f.ociImage.digest}\n1 file changed: 1 reference pinned; 1 could not be resolved\n`,
      stderr: `digest-pin: Dockerfile:2:6: could not pin ${f.dockerImage.ref}: offline: ${seeded.host}/fixtures/docker-image:1.0 is not in the cache; run once online to fill it (offline)\n`,
    });
    assert.equal(seeded.proxy.count(), 0);
  });

  it('a symbolic link is written through, and stays a link', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('link', { 'real/Dockerfile': { text: `FROM ${f.ociImage.ref}\n` } });
    const link = join(dir, 'Dockerfile');
    symlinkSync('real/Dockerfile', link);
    const run = await pin(dir, '--no-cache', 'Dockerfile');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(readlinkSync(link), 'real/Dockerfile');
    assert.equal(read(dir, 'real/Dockerfile'), `FROM ${f.ociImage.ref}@${f.ociImage.digest}\n`);
  });
});
