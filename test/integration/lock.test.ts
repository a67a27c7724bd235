// Lock instead of pin, end to end: `digest-pin lock` against the real registry behind the counting proxy writes
// digest-pin.lock and leaves the files alone; `check` honours it (locked, not-locked, drift and lost digests of locked
// entries); `lock --update` moves exactly the entries whose tag moved (or whose digest is gone); pruning; `render`
// byte for byte and BuildKit's --build-context arguments.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLock, serialiseLock } from '../../server/src/lock/lockFile';
import { shortDigest } from '../../server/src/shared/text';
import type { Run } from './cliRun';
import { useSeededCli } from './support/cliWorkspace';

const seeded = useSeededCli('digest-pin-lock-');
const read = (dir: string, path: string): string => seeded.ws.read(dir, path);
const cli = (cwd: string, ...args: string[]): Promise<Run> => seeded.ws.cli(cwd, ...args);
/** A workspace that is a repository (a .git folder bounds the search for lock files). */
const workspace = (name: string, files: Record<string, string>): string =>
  seeded.ws.workspace(name, { '.git/HEAD': 'ref: refs/heads/main\n', ...files });

function sources(): Record<string, string> {
  const h = seeded.host;
  return {
    Dockerfile: `FROM ${h}/fixtures/docker-image:1.0 AS build\nFROM ${h}/fixtures/oci-index:1.0\nCOPY --from=build /x /x\n`,
    'compose.yaml': `services:\n  web:\n    image: "${h}/fixtures/docker-list:1.0" # web\n`,
    'chart/values.yaml': `image:\n  registry: ${h}\n  repository: fixtures/oci-image\n  tag: "1.0"\n  digest: ""\n`,
    'deploy/kustomization.yaml': `kind: Kustomization\nimages:\n  - name: app\n    newName: ${h}/fixtures/oci-index\n    newTag: "1.0"\n`,
  };
}

interface JsonRef {
  file: string;
  text: string;
  locked?: { digest: string; lock: string };
  current?: { digest: string | null };
  diagnostics: Array<{ code: string; severity: string; message: string }>;
}

const lockDigests = (text: string): Record<string, string> => {
  const parsed = parseLock(text);
  assert.ok(parsed.ok, text);
  return Object.fromEntries([...parsed.lock.images].map(([key, entry]) => [key, entry.digest]));
};

describe('digest-pin lock', () => {
  it('records every unpinned reference once, touches no file, and a second run keeps everything', async () => {
    const f = seeded.setup.fixtures;
    const h = seeded.host;
    const dir = workspace('write', sources());
    const run = await cli(dir, 'lock', '--no-cache');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.deepEqual(run.stdout.split('\n'), [
      `digest-pin.lock added ${h}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
      `digest-pin.lock added ${h}/fixtures/docker-list:1.0@${f.dockerList.digest}`,
      `digest-pin.lock added ${h}/fixtures/oci-image:1.0@${f.ociImage.digest}`,
      `digest-pin.lock added ${h}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
      '1 lock file written: 4 added',
      '',
    ]);
    for (const [path, text] of Object.entries(sources())) assert.equal(read(dir, path), text, path);
    const text = read(dir, 'digest-pin.lock');
    assert.deepEqual(lockDigests(text), {
      [`${h}/fixtures/docker-image:1.0`]: f.dockerImage.digest,
      [`${h}/fixtures/docker-list:1.0`]: f.dockerList.digest,
      [`${h}/fixtures/oci-image:1.0`]: f.ociImage.digest,
      [`${h}/fixtures/oci-index:1.0`]: f.ociIndex.digest,
    });
    const parsed = parseLock(text);
    assert.ok(parsed.ok);
    assert.equal(serialiseLock(parsed.lock), text, 'canonical bytes: sorted, two spaces, final newline');
    assert.match(text, /"created": "\d{4}-\d\d-\d\dT/, 'build times of the images');

    seeded.proxy.clearLog();
    const again = await cli(dir, 'lock', '--no-cache');
    assert.equal(again.status, 0);
    assert.equal(again.stdout.split('\n').at(-2), '1 lock file up to date: 4 kept');
    assert.equal(read(dir, 'digest-pin.lock'), text);
    assert.equal(seeded.proxy.count(), 0, 'existing entries are not asked about without --update');
  });

  it('check: clean with the lock, not-locked for a new reference, --no-lock as before', async () => {
    const f = seeded.setup.fixtures;
    const h = seeded.host;
    const dir = workspace('check', sources());
    assert.equal((await cli(dir, 'lock', '--no-cache')).status, 0);
    const clean = await cli(dir, 'check', '--no-cache', '--format', 'json');
    assert.equal(clean.stderr, '');
    assert.equal(clean.status, 0);
    const refs = (JSON.parse(clean.stdout) as { references: JsonRef[] }).references;
    assert.equal(refs.length, 5);
    for (const ref of refs) {
      assert.deepEqual(ref.diagnostics, [], ref.file);
      assert.equal(ref.locked?.lock, 'digest-pin.lock');
    }
    assert.equal(refs.find((r) => r.file === 'compose.yaml')?.locked?.digest, f.dockerList.digest);

    // A folder of the same repository (no .git of its own): the lock above applies.
    const sub = seeded.ws.workspace('check/app', {
      Dockerfile: `FROM ${h}/fixtures/oci-image:1.0\nFROM ${h}/${f.drift.repo}:${f.drift.tag}\n`,
    });
    const missing = await cli(sub, 'check', '--no-cache');
    assert.equal(missing.status, 1);
    assert.deepEqual(missing.stdout.split('\n'), [
      `Dockerfile:2:6 warning not-locked ${h}/${f.drift.repo}:${f.drift.tag} is not locked: ../digest-pin.lock has no entry for ${h}/${f.drift.repo}:${f.drift.tag}; run 'digest-pin lock' to record its current digest ${shortDigest(f.drift.newDigest)}`,
      '1 file, 2 references: 0 errors, 1 warning, 0 information',
      '',
    ]);
    const ignored = await cli(sub, 'check', '--no-cache', '--no-lock', '--offline');
    assert.deepEqual(
      ignored.stdout
        .split('\n')
        .filter((line) => line.startsWith('Dockerfile:'))
        .map((line) => line.split(' ')[2]),
      ['unpinned', 'latest'],
    );
  });

  it('drift and a lost digest of locked entries; lock --update moves exactly those', async () => {
    const f = seeded.setup.fixtures;
    const h = seeded.host;
    const lock = `${JSON.stringify(
      {
        version: 1,
        images: {
          [`${h}/${f.drift.repo}:${f.drift.tag}`]: { digest: f.drift.oldDigest },
          [`${h}/fixtures/docker-image:1.0`]: { digest: f.dockerImage.digest },
          [`${h}/${f.gone.repo}:${f.gone.tag}`]: { digest: f.gone.digest },
        },
      },
      null,
      2,
    )}\n`;
    const dockerfile = `FROM ${h}/${f.drift.repo}:${f.drift.tag}\nFROM ${h}/fixtures/docker-image:1.0\nFROM ${h}/${f.gone.repo}:${f.gone.tag}\n`;
    const dir = workspace('drift', { 'digest-pin.lock': lock, Dockerfile: dockerfile });
    const check = await cli(dir, 'check', '--no-cache');
    assert.equal(check.status, 1);
    const lines = check.stdout.split('\n');
    assert.match(
      lines[0]!,
      new RegExp(
        `^Dockerfile:1:6 information tag-drift .*the digest locked in digest-pin.lock ${shortDigest(f.drift.oldDigest)}`,
      ),
    );
    assert.match(lines[1]!, /^Dockerfile:3:6 error digest-not-found .*\(locked in digest-pin.lock\) cannot be pulled/);
    assert.equal(lines[2], '1 file, 3 references: 1 error, 0 warnings, 1 information');

    const update = await cli(dir, 'lock', '--update', '--no-cache');
    assert.equal(update.stderr, '');
    assert.equal(update.status, 0);
    assert.deepEqual(update.stdout.split('\n'), [
      `digest-pin.lock kept ${h}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
      `digest-pin.lock updated ${h}/${f.drift.repo}:${f.drift.tag}@${f.drift.newDigest} (was ${shortDigest(f.drift.oldDigest)})`,
      `digest-pin.lock updated ${h}/${f.gone.repo}:${f.gone.tag}@${f.gone.tagDigest} (was ${shortDigest(f.gone.digest)})`,
      '1 lock file written: 2 updated, 1 kept',
      '',
    ]);
    assert.deepEqual(lockDigests(read(dir, 'digest-pin.lock')), {
      [`${h}/${f.drift.repo}:${f.drift.tag}`]: f.drift.newDigest,
      [`${h}/fixtures/docker-image:1.0`]: f.dockerImage.digest,
      [`${h}/${f.gone.repo}:${f.gone.tag}`]: f.gone.tagDigest,
    });
    assert.equal(read(dir, 'Dockerfile'), dockerfile);
    assert.equal((await cli(dir, 'check', '--no-cache')).status, 0);
  });

  it('prunes entries no reference uses only when the lock’s directory was walked; exit 1 when a tag is missing', async () => {
    const f = seeded.setup.fixtures;
    const h = seeded.host;
    const unused = `${h}/fixtures/docker-list:1.0`;
    const lock = `{"version": 1, "images": {"${unused}": {"digest": "${f.dockerList.digest}"}}}\n`;
    const dir = workspace('prune', {
      'digest-pin.lock': lock,
      Dockerfile: `FROM ${h}/fixtures/oci-image:1.0\n`,
      'other/compose.yaml': `services:\n  a:\n    image: ${h}/fixtures/nope:9\n`,
    });
    const file = await cli(dir, 'lock', '--no-cache', 'Dockerfile');
    assert.equal(file.status, 0);
    assert.ok(file.stdout.includes(`digest-pin.lock kept ${unused}@`), file.stdout);
    assert.ok(read(dir, 'digest-pin.lock').includes(unused));

    const all = await cli(dir, 'lock', '--no-cache');
    assert.equal(all.status, 1);
    assert.ok(all.stdout.includes(`digest-pin.lock removed ${unused}@${f.dockerList.digest} (no reference uses it)`));
    assert.match(
      all.stderr,
      new RegExp(
        `^digest-pin: digest-pin.lock: could not lock ${h.replace(/[.]/g, '\\.')}/fixtures/nope:9: .*\\(other/compose.yaml\\)\n$`,
      ),
    );
    assert.equal(all.stdout.split('\n').at(-2), '1 lock file written: 1 kept, 1 removed; 1 could not be resolved');
    assert.deepEqual(Object.keys(lockDigests(read(dir, 'digest-pin.lock'))), [`${h}/fixtures/oci-image:1.0`]);
  });
});

describe('digest-pin lock --platform', () => {
  it('locks the platform image under a key with the platform; check and render use the same --platform', async () => {
    const f = seeded.setup.fixtures;
    const h = seeded.host;
    const arm = f.ociIndex.children.find((child) => child.platform.architecture === 'arm64')!;
    const dir = workspace('platform', { Dockerfile: `FROM ${h}/fixtures/oci-index:1.0\n` });
    const run = await cli(dir, 'lock', '--no-cache', '--platform', 'linux/arm64');
    assert.equal(run.stderr, '');
    assert.deepEqual(run.stdout.split('\n'), [
      `digest-pin.lock added ${h}/fixtures/oci-index:1.0@${arm.digest} for linux/arm64`,
      '1 lock file written: 1 added',
      '',
    ]);
    assert.deepEqual(lockDigests(read(dir, 'digest-pin.lock')), {
      [`${h}/fixtures/oci-index:1.0 linux/arm64`]: arm.digest,
    });
    const check = await cli(dir, 'check', '--no-cache', '--platform', 'linux/arm64');
    assert.equal(check.status, 0, check.stdout);
    const other = await cli(dir, 'check', '--offline');
    assert.match(other.stdout, /^Dockerfile:1:6 warning not-locked /);
    const rendered = await cli(dir, 'render', '--platform', 'linux/arm64', 'Dockerfile');
    assert.deepEqual(rendered, { status: 0, stdout: `FROM ${h}/fixtures/oci-index:1.0@${arm.digest}\n`, stderr: '' });
  });
});

describe('digest-pin render', () => {
  it('one file to stdout, several under --out, byte for byte; build-contexts for a Dockerfile', async () => {
    const f = seeded.setup.fixtures;
    const h = seeded.host;
    const dir = workspace('render', sources());
    assert.equal((await cli(dir, 'lock', '--no-cache')).status, 0);
    seeded.proxy.clearLog();
    const expected: Record<string, string> = {
      Dockerfile: `FROM ${h}/fixtures/docker-image:1.0@${f.dockerImage.digest} AS build\nFROM ${h}/fixtures/oci-index:1.0@${f.ociIndex.digest}\nCOPY --from=build /x /x\n`,
      'compose.yaml': `services:\n  web:\n    image: "${h}/fixtures/docker-list:1.0@${f.dockerList.digest}" # web\n`,
      'chart/values.yaml': `image:\n  registry: ${h}\n  repository: fixtures/oci-image\n  tag: "1.0"\n  digest: "${f.ociImage.digest}"\n`,
      'deploy/kustomization.yaml': `kind: Kustomization\nimages:\n  - name: app\n    newName: ${h}/fixtures/oci-index\n    newTag: "1.0"\n    digest: ${f.ociIndex.digest}\n`,
    };
    for (const [path, text] of Object.entries(expected)) {
      assert.deepEqual(await cli(dir, 'render', path), { status: 0, stdout: text, stderr: '' }, path);
    }
    const several = await cli(dir, 'render', '--out', 'out', ...Object.keys(expected));
    assert.deepEqual(several, { status: 0, stdout: '', stderr: '' });
    for (const [path, text] of Object.entries(expected)) {
      assert.equal(read(dir, `out/${path}`), text, path);
      assert.equal(read(dir, path), sources()[path], `${path} untouched`);
    }
    const refused = await cli(dir, 'render', 'Dockerfile', 'compose.yaml');
    assert.equal(refused.status, 2);

    const contexts = await cli(dir, 'render', '--format', 'build-contexts', 'Dockerfile');
    assert.deepEqual(contexts, {
      status: 0,
      stdout: [
        `--build-context ${h}/fixtures/docker-image:1.0=docker-image://${h}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
        `--build-context ${h}/fixtures/oci-index:1.0=docker-image://${h}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
        '',
      ].join('\n'),
      stderr: '',
    });
    assert.equal(seeded.proxy.count(), 0, 'render asks no registry');
  });

  it('--lock FILE names the lock; a reference it lacks fails render', async () => {
    const f = seeded.setup.fixtures;
    const h = seeded.host;
    const lock = `{"version": 1, "images": {"${h}/fixtures/oci-image:1.0": {"digest": "${f.ociImage.digest}"}}}\n`;
    const dir = workspace('named', {
      'ci/images.lock': lock,
      Dockerfile: `FROM ${h}/fixtures/oci-image:1.0\nFROM ${h}/fixtures/docker-image:1.0\n`,
    });
    const run = await cli(dir, 'render', '--lock', 'ci/images.lock', 'Dockerfile');
    assert.equal(run.status, 1);
    assert.equal(
      run.stdout,
      `FROM ${h}/fixtures/oci-image:1.0@${f.ociImage.digest}\nFROM ${h}/fixtures/docker-image:1.0\n`,
    );
    assert.equal(
      run.stderr,
      `digest-pin: Dockerfile:2:6: ${h}/fixtures/docker-image:1.0 is not locked: ci/images.lock has no entry for ${h}/fixtures/docker-image:1.0\n`,
    );
    const broken = workspace('broken', {
      'digest-pin.lock': '{"version": 1,',
      Dockerfile: `FROM ${h}/fixtures/oci-image:1.0\n`,
    });
    const check = await cli(broken, 'check', '--offline');
    assert.equal(check.status, 1);
    assert.match(check.stderr, /^digest-pin: digest-pin.lock: broken lock file \(syntax\): not valid JSON/);
  });
});
