// `digest-pin pin` on the formats of issue 11 — Podman Quadlet units, Google Cloud Build and Azure Pipelines — end to
// end: the built CLI against the real registry (seeded standard fixtures behind the counting proxy). Every file is
// compared byte for byte: BOM, CRLF, quotes, continuation lines, `docker://` and what is not a reference (`images:`,
// aliases, `.build` units, `pool.vmImage`) stay as written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortDigest } from '../../server/src/shared/text';
import type { Run } from './cliRun';
import { useSeededCli } from './support/cliWorkspace';

const seeded = useSeededCli('digest-pin-pin-formats-');
const read = (dir: string, path: string): string => seeded.ws.read(dir, path);
const workspace = (name: string, files: Record<string, string>): string => seeded.ws.workspace(name, files);
const pin = (cwd: string, ...args: string[]): Promise<Run> => seeded.ws.cli(cwd, 'pin', ...args);

function original(): Record<string, string> {
  const f = seeded.setup.fixtures;
  return {
    // A BOM, CRLF, blanks around `=` and double quotes.
    'web.container': `\uFEFF${[
      '[Unit]',
      'Description=web',
      '',
      '[Container]',
      `Image = "${seeded.host}/fixtures/docker-image:1.0"`,
      'PublishPort=8080:80',
      '',
      '[Install]',
      'WantedBy=default.target',
      '',
    ].join('\r\n')}`,
    // A drifted pin on a continuation line: left alone by pin, updated by pin --update.
    'worker.container': ['[Container]', 'Image=\\', `    ${f.drift.ref}@${f.drift.oldDigest}`, 'Exec=work', ''].join(
      '\n',
    ),
    // An image volume through the docker:// transport, no final newline.
    'data.volume': ['[Volume]', 'Driver=image', `Image=docker://${seeded.host}/fixtures/oci-image:1.0`].join('\n'),
    // Another Quadlet unit's image, and a commented-out line: nothing to pin.
    'job.container': ['[Container]', `# Image=${seeded.host}/fixtures/docker-image:1.0`, 'Image=tools.build', ''].join(
      '\n',
    ),
    // Steps' images (quoted, a lost pin, a substitution's default); `images:` is what the build pushes.
    'cloudbuild.yaml': [
      'substitutions:',
      `  _TOOL: ${seeded.host}/fixtures/docker-list:1.0`,
      'steps:',
      `  - name: '${seeded.host}/fixtures/oci-index:1.0' # the builder`,
      '    args: [build, -t, app, .]',
      `  - name: ${f.gone.ref}@${f.gone.digest}`,
      '  - name: $_TOOL',
      'images:',
      `  - ${seeded.host}/fixtures/app:1.0`,
      '',
    ].join('\n'),
    // CRLF; a resource under an alias, a job naming the alias, a job's own container, a service by alias.
    'azure-pipelines.yml': [
      'trigger: [main]',
      'pool:',
      '  vmImage: ubuntu-latest',
      'resources:',
      '  containers:',
      '    - container: tools',
      `      image: ${seeded.host}/fixtures/docker-list:1.0`,
      'jobs:',
      '  - job: build',
      '    container: tools',
      '    steps: [{script: make}]',
      '  - job: test',
      `    container: "${seeded.host}/fixtures/oci-image:1.0"`,
      '    services: {cache: tools}',
      '    steps:',
      '      - script: make test',
      '',
    ].join('\r\n'),
  };
}

function pinned(): Record<string, string> {
  const f = seeded.setup.fixtures;
  const o = original();
  return {
    ...o,
    'web.container': o['web.container']!.replace(
      `"${seeded.host}/fixtures/docker-image:1.0"`,
      `"${seeded.host}/fixtures/docker-image:1.0@${f.dockerImage.digest}"`,
    ),
    'data.volume': o['data.volume']!.replace(
      `docker://${seeded.host}/fixtures/oci-image:1.0`,
      `docker://${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}`,
    ),
    'cloudbuild.yaml': o['cloudbuild.yaml']!.replace(
      `_TOOL: ${seeded.host}/fixtures/docker-list:1.0`,
      `_TOOL: ${seeded.host}/fixtures/docker-list:1.0@${f.dockerList.digest}`,
    ).replace(
      `'${seeded.host}/fixtures/oci-index:1.0'`,
      `'${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}'`,
    ),
    'azure-pipelines.yml': o['azure-pipelines.yml']!.replace(
      `image: ${seeded.host}/fixtures/docker-list:1.0`,
      `image: ${seeded.host}/fixtures/docker-list:1.0@${f.dockerList.digest}`,
    ).replace(
      `"${seeded.host}/fixtures/oci-image:1.0"`,
      `"${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}"`,
    ),
  };
}

describe('digest-pin pin: Quadlet, Cloud Build, Azure Pipelines', () => {
  it('writes the digests and keeps every other byte; a second run has nothing to pin', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('write', original());
    const run = await pin(dir, '--no-cache');
    assert.deepEqual(run, {
      status: 0,
      stdout: [
        `azure-pipelines.yml:7:14 pinned ${seeded.host}/fixtures/docker-list:1.0@${f.dockerList.digest}`,
        `azure-pipelines.yml:13:17 pinned ${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}`,
        `cloudbuild.yaml:2:10 pinned ${seeded.host}/fixtures/docker-list:1.0@${f.dockerList.digest}`,
        `cloudbuild.yaml:4:12 pinned ${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
        `data.volume:3:16 pinned ${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}`,
        `web.container:5:10 pinned ${seeded.host}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
        '4 files changed: 6 references pinned; 1 left as written (1 variable)',
        '',
      ].join('\n'),
      stderr: '',
    });
    for (const [path, text] of Object.entries(pinned())) assert.equal(read(dir, path), text, path);
    // One HEAD per unique tag: docker-list:1.0 is written twice; nothing for pins, `images:` or aliases.
    assert.deepEqual(
      seeded.proxy
        .requests()
        .map((r) => r.method)
        .sort(),
      ['HEAD', 'HEAD', 'HEAD', 'HEAD'],
    );

    seeded.proxy.clearLog();
    const again = await pin(dir, '--no-cache');
    assert.deepEqual(again, { status: 0, stdout: 'nothing to pin; 1 left as written (1 variable)\n', stderr: '' });
    assert.equal(seeded.proxy.count(), 0);
  });

  it('--update replaces the drifted pin on the continuation line and the lost one in a step', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('update', original());
    const run = await pin(dir, '--update', '--no-cache');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.deepEqual(
      run.stdout.split('\n').filter((line) => line.includes(' updated ')),
      [
        `cloudbuild.yaml:6:11 updated ${f.gone.ref}@${f.gone.tagDigest} (was ${shortDigest(f.gone.digest)})`,
        `worker.container:3:5 updated ${f.drift.ref}@${f.drift.newDigest} (was ${shortDigest(f.drift.oldDigest)})`,
      ],
    );
    assert.match(run.stdout, /\n5 files changed: 6 references pinned, 2 updated; 1 left as written \(1 variable\)\n$/);
    const expected = pinned();
    expected['cloudbuild.yaml'] = expected['cloudbuild.yaml']!.replace(`@${f.gone.digest}`, `@${f.gone.tagDigest}`);
    expected['worker.container'] = expected['worker.container']!.replace(
      `@${f.drift.oldDigest}`,
      `@${f.drift.newDigest}`,
    );
    for (const [path, text] of Object.entries(expected)) assert.equal(read(dir, path), text, path);
  });

  it('check --format json: the sources and contexts of the new formats, exact ranges', async () => {
    const dir = workspace('check', original());
    const run = await seeded.ws.cli(dir, 'check', '--offline', '--no-cache', '--format', 'json', '--fail-on', 'never');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    const json = JSON.parse(run.stdout) as {
      references: Array<{
        file: string;
        range: unknown;
        text: string;
        source: string;
        context: string;
        status: string;
      }>;
      summary: { files: number; references: number };
    };
    const f = seeded.setup.fixtures;
    const at = (line: number, character: number, length: number) => ({
      start: { line, character },
      end: { line, character: character + length },
    });
    const image = (name: string) => `${seeded.host}/fixtures/${name}`;
    assert.deepEqual(
      json.references.map(({ file, range, text, source, context, status }) => ({
        file,
        range,
        text,
        source,
        context,
        status,
      })),
      [
        [
          'azure-pipelines.yml',
          at(6, 13, image('docker-list:1.0').length),
          image('docker-list:1.0'),
          'azure-pipelines',
          'image',
          'unpinned',
        ],
        [
          'azure-pipelines.yml',
          at(12, 16, image('oci-image:1.0').length),
          image('oci-image:1.0'),
          'azure-pipelines',
          'container',
          'unpinned',
        ],
        [
          'cloudbuild.yaml',
          at(1, 9, image('docker-list:1.0').length),
          image('docker-list:1.0'),
          'cloud-build',
          'image',
          'unpinned',
        ],
        [
          'cloudbuild.yaml',
          at(3, 11, image('oci-index:1.0').length),
          image('oci-index:1.0'),
          'cloud-build',
          'image',
          'unpinned',
        ],
        [
          'cloudbuild.yaml',
          at(5, 10, `${f.gone.ref}@${f.gone.digest}`.length),
          `${f.gone.ref}@${f.gone.digest}`,
          'cloud-build',
          'image',
          'pinned',
        ],
        ['cloudbuild.yaml', at(6, 10, 6), '$_TOOL', 'cloud-build', 'image', 'variable'],
        [
          'data.volume',
          at(2, 15, image('oci-image:1.0').length),
          image('oci-image:1.0'),
          'quadlet',
          'image',
          'unpinned',
        ],
        [
          'web.container',
          at(4, 9, image('docker-image:1.0').length),
          image('docker-image:1.0'),
          'quadlet',
          'image',
          'unpinned',
        ],
        [
          'worker.container',
          at(2, 4, `${f.drift.ref}@${f.drift.oldDigest}`.length),
          `${f.drift.ref}@${f.drift.oldDigest}`,
          'quadlet',
          'image',
          'pinned',
        ],
      ].map(([file, range, text, source, context, status]) => ({ file, range, text, source, context, status })),
    );
    assert.equal(json.summary.files, 6);
    assert.equal(seeded.proxy.count(), 0);
  });
});
