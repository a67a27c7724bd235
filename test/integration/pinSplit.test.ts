// `digest-pin pin` on split references — Helm values (a digest field, a tag, the chart's appVersion), kustomize
// `images:` (a new digest key, a digest field) and a Dockerfile ARG holding the tag — end to end: the built CLI
// against the real registry behind the counting seeded.proxy. Files are compared byte for byte, with `--update` too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortDigest } from '../../server/src/shared/text';
import type { Run } from './cliRun';
import { useSeededCli } from './support/cliWorkspace';

const seeded = useSeededCli('digest-pin-pin-split-');
const read = (dir: string, path: string): string => seeded.ws.read(dir, path);
const workspace = (name: string, files: Record<string, string>): string => seeded.ws.workspace(name, files);
const cli = (cwd: string, ...args: string[]): Promise<Run> => seeded.ws.cli(cwd, ...args);

function original(): Record<string, string> {
  const f = seeded.setup.fixtures;
  return {
    'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\nappVersion: "1.0"\n',
    // A Bitnami-style map with an empty digest field; a map whose tag is the appVersion; a tag pinned in place; a
    // drifted digest field (left by pin, moved by --update).
    'chart/values.yaml': [
      'image:',
      `  registry: ${seeded.host}`,
      '  repository: fixtures/docker-image',
      '  tag: "1.0"',
      '  digest: "" # filled by digest-pin',
      'worker:',
      '  image:',
      `    repository: ${seeded.host}/fixtures/oci-image`,
      "    digest: ''",
      'metrics:',
      '  image: {repository: ' + `${seeded.host}/fixtures/docker-list, tag: "1.0"}`,
      'legacy:',
      '  image:',
      `    registry: ${seeded.host}`,
      `    repository: ${f.drift.repo}`,
      `    tag: ${f.drift.tag}`,
      `    digest: ${f.drift.oldDigest}`,
      '',
    ].join('\n'),
    // CRLF; a new digest key after newTag (a comment stays on its line), a flow entry, a lost digest.
    'deploy/kustomization.yaml': [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: [deployment.yaml]',
      'images:',
      `  - name: app`,
      `    newName: ${seeded.host}/fixtures/oci-index`,
      '    newTag: "1.0" # release',
      `  - {name: cache, newName: ${seeded.host}/fixtures/docker-image, newTag: "1.0"}`,
      `  - name: old`,
      `    newName: ${seeded.host}/${f.gone.repo}`,
      `    newTag: ${f.gone.tag}`,
      `    digest: ${f.gone.digest}`,
      '',
    ].join('\r\n'),
    // The ARG holds the tag of one repository used by two stages: pinned at the ARG default.
    Dockerfile: [
      'ARG V=1.0',
      `FROM ${seeded.host}/fixtures/oci-image:\${V} AS build`,
      'RUN make',
      `FROM ${seeded.host}/fixtures/oci-image:\${V}`,
      'COPY --from=build /out /out',
      '',
    ].join('\n'),
  };
}

function pinned(): Record<string, string> {
  const f = seeded.setup.fixtures;
  const o = original();
  return {
    ...o,
    'chart/values.yaml': o['chart/values.yaml']!.replace(
      '  digest: "" # filled',
      `  digest: "${f.dockerImage.digest}" # filled`,
    )
      .replace("    digest: ''", `    digest: '${f.ociImage.digest}'`)
      .replace('tag: "1.0"}', `tag: "1.0@${f.dockerList.digest}"}`),
    'deploy/kustomization.yaml': o['deploy/kustomization.yaml']!.replace(
      'newTag: "1.0" # release\r\n',
      `newTag: "1.0" # release\r\n    digest: ${f.ociIndex.digest}\r\n`,
    ).replace('newTag: "1.0"}', `newTag: "1.0", digest: ${f.dockerImage.digest}}`),
    Dockerfile: o.Dockerfile!.replace('ARG V=1.0', `ARG V=1.0@${f.ociImage.digest}`),
  };
}

describe('digest-pin pin: split references (Helm values, kustomize, an ARG holding the tag)', () => {
  it('writes each digest where it belongs and keeps every other byte; a second run has nothing to pin', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('write', original());
    const run = await cli(dir, 'pin', '--no-cache');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.deepEqual(run.stdout.split('\n'), [
      `Dockerfile:1:7 pinned ${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}`,
      `chart/values.yaml:4:9 pinned ${seeded.host}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
      `chart/values.yaml:8:17 pinned ${seeded.host}/fixtures/oci-image:1.0@${f.ociImage.digest}`,
      `chart/values.yaml:11:${'  image: {repository: '.length + `${seeded.host}/fixtures/docker-list, tag: "`.length + 1} pinned ${seeded.host}/fixtures/docker-list:1.0@${f.dockerList.digest}`,
      `deploy/kustomization.yaml:7:14 pinned ${seeded.host}/fixtures/oci-index:1.0@${f.ociIndex.digest}`,
      `deploy/kustomization.yaml:8:${`  - {name: cache, newName: ${seeded.host}/fixtures/docker-image, newTag: "`.length + 1} pinned ${seeded.host}/fixtures/docker-image:1.0@${f.dockerImage.digest}`,
      '3 files changed: 6 references pinned',
      '',
    ]);
    for (const [path, text] of Object.entries(pinned())) assert.equal(read(dir, path), text, path);
    // One HEAD per unique tag (oci-image:1.0 is written twice); nothing for the pins without --update.
    assert.equal(seeded.proxy.requests().filter((r) => r.method === 'HEAD').length, 4);
    assert.equal(seeded.proxy.requests().length, 4);

    seeded.proxy.clearLog();
    const again = await cli(dir, 'pin', '--no-cache');
    assert.deepEqual(again, { status: 0, stdout: 'nothing to pin\n', stderr: '' });
    assert.equal(seeded.proxy.count(), 0);
  });

  it('--update moves the drifted digest field and replaces the lost kustomize digest', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('update', original());
    const run = await cli(dir, 'pin', '--update', '--no-cache');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
    assert.deepEqual(
      run.stdout.split('\n').filter((line) => line.includes(' updated ')),
      [
        `chart/values.yaml:16:10 updated ${seeded.host}/${f.drift.repo}:${f.drift.tag}@${f.drift.newDigest} (was ${shortDigest(f.drift.oldDigest)})`,
        `deploy/kustomization.yaml:11:13 updated ${seeded.host}/${f.gone.repo}:${f.gone.tag}@${f.gone.tagDigest} (was ${shortDigest(f.gone.digest)})`,
      ],
    );
    const expected = pinned();
    expected['chart/values.yaml'] = expected['chart/values.yaml']!.replace(f.drift.oldDigest, f.drift.newDigest);
    expected['deploy/kustomization.yaml'] = expected['deploy/kustomization.yaml']!.replace(
      f.gone.digest,
      f.gone.tagDigest,
    );
    for (const [path, text] of Object.entries(expected)) assert.equal(read(dir, path), text, path);
  });

  it('check: drift of a digest field, JSON parts with exact ranges, the assembled reference in messages', async () => {
    const f = seeded.setup.fixtures;
    const dir = workspace('check', original());
    const run = await cli(dir, 'check', '--no-cache', '--format', 'json', '--fail-on', 'never');
    assert.equal(run.stderr, '');
    const json = JSON.parse(run.stdout) as {
      references: Array<{
        file: string;
        text: string;
        name: string;
        tag: string | null;
        digest: string | null;
        status: string;
        source: string;
        parts?: Record<string, { text: string; range: { start: { line: number; character: number } } }>;
        current?: { digest: string | null };
        diagnostics: Array<{ code: string; message: string }>;
      }>;
    };
    const legacy = json.references.find((r) => r.file === 'chart/values.yaml' && r.text === f.drift.tag)!;
    assert.equal(legacy.source, 'helm');
    assert.equal(legacy.status, 'pinned');
    assert.equal(legacy.digest, f.drift.oldDigest);
    assert.equal(legacy.name, `${seeded.host}/${f.drift.repo}`);
    assert.deepEqual(
      Object.fromEntries(Object.entries(legacy.parts!).map(([k, p]) => [k, [p.text, p.range.start.line]])),
      {
        registry: [seeded.host, 13],
        repository: [f.drift.repo, 14],
        tag: [f.drift.tag, 15],
        digest: [f.drift.oldDigest, 16],
      },
    );
    assert.equal(legacy.current?.digest, f.drift.newDigest);
    assert.deepEqual(
      legacy.diagnostics.map((d) => d.code),
      ['tag-drift'],
    );
    assert.match(
      legacy.diagnostics[0]!.message,
      new RegExp(`^${seeded.host.replace(/[.:]/g, '\\$&')}/fixtures/drift:`),
    );
    const worker = json.references.find(
      (r) => r.file === 'chart/values.yaml' && r.text === `${seeded.host}/fixtures/oci-image`,
    )!;
    assert.equal(worker.tag, '1.0', "the chart's appVersion");
    assert.equal(worker.current?.digest, f.ociImage.digest);
    const arg = json.references.find((r) => r.file === 'Dockerfile')!;
    assert.deepEqual(
      [arg.text, arg.tag, arg.parts?.repository?.text],
      ['1.0', '1.0', `${seeded.host}/fixtures/oci-image`],
    );
    assert.deepEqual(
      arg.diagnostics.map((d) => d.message.split(' is ')[0]),
      [`${seeded.host}/fixtures/oci-image:1.0`],
    );
  });
});
