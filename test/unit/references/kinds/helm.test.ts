// Helm values: split images (`image: {registry, repository, tag, digest}`), the chart's appVersion, global registries,
// templated values, and maps that are not images. Every range is exact.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findReferences } from '../../../../server/src/references/index';
import type { Neighbours } from '../../../../server/src/references/types';
import { assertSplit, type SplitExpected } from './split';

const D = `sha256:${'d'.repeat(64)}`;
const CHART: Neighbours = { chart: { appVersion: '3.1.0' } };

interface HelmCase {
  name: string;
  text: string;
  path?: string;
  neighbours?: Neighbours;
  expect: SplitExpected[];
  /** Images written whole (`image: nginx:1.27`) found beside the split ones, by text. */
  whole?: string[];
}

const cases: HelmCase[] = [
  {
    name: 'Bitnami: registry, repository, tag and an empty digest field',
    text: 'image:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: 1.29.1-debian-12-r0\n  digest: ""\n',
    expect: [
      {
        text: '1.29.1-debian-12-r0',
        assembled: 'docker.io/bitnami/nginx:1.29.1-debian-12-r0',
        status: 'unpinned',
        name: 'docker.io/bitnami/nginx',
        tag: '1.29.1-debian-12-r0',
        digest: null,
        parts: { registry: 'docker.io', repository: 'bitnami/nginx', tag: '1.29.1-debian-12-r0', digest: '' },
        slot: 'field',
      },
    ],
  },
  {
    name: 'a digest already in the field: pinned, the field is where an update writes',
    text: `image:\n  registry: docker.io\n  repository: bitnami/redis\n  tag: "7.4"\n  digest: "${D}"\n`,
    expect: [
      {
        text: '7.4',
        assembled: `docker.io/bitnami/redis:7.4@${D}`,
        status: 'pinned',
        tag: '7.4',
        digest: D,
        parts: { registry: 'docker.io', repository: 'bitnami/redis', tag: '7.4', digest: D },
        slot: 'field',
      },
    ],
  },
  {
    name: 'repository and tag only: pinned after the tag',
    text: 'image:\n  repository: ghcr.io/dexidp/dex\n  tag: v2.45.1\n  pullPolicy: IfNotPresent\n',
    expect: [
      {
        text: 'v2.45.1',
        assembled: 'ghcr.io/dexidp/dex:v2.45.1',
        status: 'unpinned',
        name: 'ghcr.io/dexidp/dex',
        parts: { repository: 'ghcr.io/dexidp/dex', tag: 'v2.45.1' },
      },
    ],
  },
  {
    name: 'a tag written with its digest, no digest field',
    text: `image:\n  repository: nginx\n  tag: 1.27@${D}\n`,
    expect: [
      {
        text: `1.27@${D}`,
        assembled: `nginx:1.27@${D}`,
        status: 'pinned',
        digest: D,
        parts: { repository: 'nginx', tag: `1.27@${D}` },
      },
    ],
  },
  {
    name: 'single-quoted values',
    text: "image:\n  repository: 'quay.io/jetstack/cert-manager-controller'\n  tag: 'v1.16.2'\n",
    expect: [
      {
        text: 'v1.16.2',
        assembled: 'quay.io/jetstack/cert-manager-controller:v1.16.2',
        status: 'unpinned',
        parts: { repository: 'quay.io/jetstack/cert-manager-controller', tag: 'v1.16.2' },
      },
    ],
  },
  {
    name: 'a numeric tag keeps its characters (1.10, not 1.1)',
    text: 'image:\n  repository: library/postgres\n  tag: 1.10\n',
    expect: [
      {
        text: '1.10',
        assembled: 'library/postgres:1.10',
        status: 'unpinned',
        tag: '1.10',
        name: 'docker.io/library/postgres',
        parts: { repository: 'library/postgres', tag: '1.10' },
      },
    ],
  },
  {
    name: 'version instead of tag',
    text: 'image:\n  repository: grafana/grafana\n  version: 11.2.0\n',
    expect: [
      {
        text: '11.2.0',
        assembled: 'grafana/grafana:11.2.0',
        status: 'unpinned',
        parts: { repository: 'grafana/grafana', tag: '11.2.0' },
      },
    ],
  },
  {
    name: 'keys ending in Image or image: initImage, sidecarImage, exporter_image',
    text:
      'initImage:\n  repository: busybox\n  tag: "1.36"\nsidecarImage:\n  repository: envoyproxy/envoy\n  tag: v1.31.0\n' +
      'exporter_image:\n  repository: prom/statsd-exporter\n  tag: v0.27.1\n',
    expect: [
      { text: '1.36', assembled: 'busybox:1.36', status: 'unpinned', parts: { repository: 'busybox', tag: '1.36' } },
      {
        text: 'v1.31.0',
        assembled: 'envoyproxy/envoy:v1.31.0',
        status: 'unpinned',
        parts: { repository: 'envoyproxy/envoy', tag: 'v1.31.0' },
      },
      {
        text: 'v0.27.1',
        assembled: 'prom/statsd-exporter:v0.27.1',
        status: 'unpinned',
        parts: { repository: 'prom/statsd-exporter', tag: 'v0.27.1' },
      },
    ],
  },
  {
    name: 'nested under components',
    text: 'controller:\n  image:\n    repository: registry.k8s.io/ingress-nginx/controller\n    tag: v1.11.3\n',
    expect: [
      {
        text: 'v1.11.3',
        assembled: 'registry.k8s.io/ingress-nginx/controller:v1.11.3',
        status: 'unpinned',
        name: 'registry.k8s.io/ingress-nginx/controller',
        parts: { repository: 'registry.k8s.io/ingress-nginx/controller', tag: 'v1.11.3' },
      },
    ],
  },
  {
    name: 'a flow mapping',
    text: 'image: {repository: ghcr.io/x/y, tag: "2", digest: ""}\n',
    expect: [
      {
        text: '2',
        after: 'tag: "',
        assembled: 'ghcr.io/x/y:2',
        status: 'unpinned',
        parts: { repository: 'ghcr.io/x/y', tag: '2', digest: '' },
        slot: 'field',
      },
    ],
  },
  {
    name: 'a registry prefixed to a plain path; one ending in / is not doubled',
    text: 'a:\n  image:\n    registry: quay.io/\n    repository: prometheus/node-exporter\n    tag: v1.8.2\n',
    expect: [
      {
        text: 'v1.8.2',
        assembled: 'quay.io/prometheus/node-exporter:v1.8.2',
        status: 'unpinned',
        name: 'quay.io/prometheus/node-exporter',
        parts: { registry: 'quay.io/', repository: 'prometheus/node-exporter', tag: 'v1.8.2' },
      },
    ],
  },
  {
    name: 'a repository that names its registry keeps it',
    text: 'image:\n  registry: docker.io\n  repository: ghcr.io/org/app\n  tag: "1"\n',
    expect: [
      {
        text: '1',
        after: 'tag: "',
        assembled: 'ghcr.io/org/app:1',
        status: 'unpinned',
        parts: { repository: 'ghcr.io/org/app', tag: '1' },
      },
    ],
  },
  {
    name: 'global.imageRegistry overrides each image registry, and the hover says so',
    text: 'global:\n  imageRegistry: my.mirror.io\nimage:\n  registry: docker.io\n  repository: bitnami/kafka\n  tag: 3.8.0\n',
    expect: [
      {
        text: '3.8.0',
        assembled: 'my.mirror.io/bitnami/kafka:3.8.0',
        status: 'unpinned',
        name: 'my.mirror.io/bitnami/kafka',
        parts: { registry: 'my.mirror.io', repository: 'bitnami/kafka', tag: '3.8.0' },
        origin: ["registry: global.imageRegistry (it overrides this image's registry)"],
      },
    ],
  },
  {
    name: 'an empty global.imageRegistry changes nothing',
    text: 'global:\n  imageRegistry: ""\nimage:\n  registry: docker.io\n  repository: bitnami/kafka\n  tag: 3.8.0\n',
    expect: [
      {
        text: '3.8.0',
        assembled: 'docker.io/bitnami/kafka:3.8.0',
        status: 'unpinned',
        parts: { registry: 'docker.io', repository: 'bitnami/kafka', tag: '3.8.0' },
      },
    ],
  },
  {
    name: 'global.image.registry',
    text: 'global:\n  image:\n    registry: internal.example\nserver:\n  image:\n    repository: hashicorp/vault\n    tag: 1.18.1\n',
    expect: [
      {
        text: '1.18.1',
        assembled: 'internal.example/hashicorp/vault:1.18.1',
        status: 'unpinned',
        parts: { registry: 'internal.example', repository: 'hashicorp/vault', tag: '1.18.1' },
        origin: ["registry: global.image.registry (it overrides this image's registry)"],
      },
    ],
  },
  {
    name: "an empty tag is the chart's appVersion when a Chart.yaml is beside it",
    text: 'image:\n  repository: quay.io/argoproj/argocd\n  tag: ""\n',
    neighbours: CHART,
    expect: [
      {
        text: 'quay.io/argoproj/argocd',
        assembled: 'quay.io/argoproj/argocd:3.1.0',
        status: 'unpinned',
        tag: '3.1.0',
        parts: { repository: 'quay.io/argoproj/argocd', tag: '' },
        slot: 'none',
        origin: ['tag: 3.1.0 (Chart.yaml appVersion)'],
      },
    ],
  },
  {
    name: 'an absent tag with an appVersion and a digest field: pinned into the field',
    text: 'image:\n  repository: bitnami/minio\n  digest: ""\n',
    neighbours: CHART,
    expect: [
      {
        text: 'bitnami/minio',
        assembled: 'bitnami/minio:3.1.0',
        status: 'unpinned',
        parts: { repository: 'bitnami/minio', digest: '' },
        slot: 'field',
        origin: ['tag: 3.1.0 (Chart.yaml appVersion)'],
      },
    ],
  },
  {
    name: 'an empty tag and no Chart.yaml: variable, saying why',
    text: 'image:\n  repository: quay.io/argoproj/argocd\n  tag: ""\n',
    expect: [
      {
        text: 'quay.io/argoproj/argocd',
        assembled: 'quay.io/argoproj/argocd:{{ .Chart.AppVersion }}',
        status: 'variable',
        parts: { repository: 'quay.io/argoproj/argocd', tag: '' },
        slot: 'none',
        variable: 'there is no Chart.yaml beside this file',
      },
    ],
  },
  {
    name: 'a Chart.yaml without appVersion',
    text: 'image:\n  repository: nginx\n',
    neighbours: { chart: { appVersion: null } },
    expect: [
      {
        text: 'nginx',
        assembled: 'nginx:{{ .Chart.AppVersion }}',
        status: 'variable',
        parts: { repository: 'nginx' },
        slot: 'none',
        variable: 'Chart.yaml has no appVersion',
      },
    ],
  },
  {
    name: 'templated values are variable',
    text: 'image:\n  repository: "{{ .Values.global.repo }}/app"\n  tag: "{{ .Chart.AppVersion }}"\n',
    expect: [
      {
        text: '{{ .Chart.AppVersion }}',
        assembled: '{{ .Values.global.repo }}/app:{{ .Chart.AppVersion }}',
        status: 'variable',
        parts: { repository: '{{ .Values.global.repo }}/app', tag: '{{ .Chart.AppVersion }}' },
        variable: 'built from chart templates',
      },
    ],
  },
  {
    name: 'image / name keys holding the repository',
    text: 'proxyImage:\n  image: envoyproxy/envoy\n  tag: v1.30.0\nhelperImage:\n  name: alpine\n  tag: "3.20"\n',
    expect: [
      {
        text: 'v1.30.0',
        assembled: 'envoyproxy/envoy:v1.30.0',
        status: 'unpinned',
        parts: { repository: 'envoyproxy/envoy', tag: 'v1.30.0' },
      },
      { text: '3.20', assembled: 'alpine:3.20', status: 'unpinned', parts: { repository: 'alpine', tag: '3.20' } },
    ],
  },
  {
    name: 'the flat form: image beside imageTag (and imageDigest)',
    text: `proxy:\n  image: envoyproxy/envoy\n  imageTag: v1.32.1\n  imageDigest: ""\n`,
    expect: [
      {
        text: 'v1.32.1',
        assembled: 'envoyproxy/envoy:v1.32.1',
        status: 'unpinned',
        parts: { repository: 'envoyproxy/envoy', tag: 'v1.32.1', digest: '' },
        slot: 'field',
      },
    ],
  },
  {
    name: 'the flat form with tag:',
    text: 'job:\n  image: bitnami/kubectl\n  tag: "1.31"\n  pullPolicy: IfNotPresent\n',
    expect: [
      {
        text: '1.31',
        assembled: 'bitnami/kubectl:1.31',
        status: 'unpinned',
        parts: { repository: 'bitnami/kubectl', tag: '1.31' },
      },
    ],
  },
  {
    name: 'an empty repository inherits a global one the templates pick: not reported',
    text: 'controller:\n  image:\n    repository: ""\n    tag: ""\n    imagePullPolicy: ""\n',
    expect: [],
  },
  {
    name: 'maps without a repository are not images (pullSecrets, pullPolicy only)',
    text: 'image:\n  pullPolicy: Always\n  pullSecrets: []\nimageCredentials:\n  registry: quay.io\n  username: u\n',
    expect: [],
  },
  {
    name: 'other keys named repository are not images',
    text: 'git:\n  repository: https://github.com/org/repo\n  tag: main\nbackup:\n  repository: s3://bucket\n',
    expect: [],
  },
  {
    name: '# digest-pin: ignore above the image key, on the tag line, or on the repository line',
    text:
      '# digest-pin: ignore\na:\n  repository: one\n  tag: "1"\nb:\n  image:\n    repository: two\n    tag: "2" # digest-pin: ignore\n' +
      '# digest-pin: ignore\nimage:\n  repository: three\n  tag: "3"\nc:\n  image:\n    repository: four # digest-pin: ignore\n    tag: "4"\n',
    expect: [
      {
        text: '2',
        after: 'tag: "',
        assembled: 'two:2',
        status: 'unpinned',
        parts: { repository: 'two', tag: '2' },
        ignored: true,
      },
      {
        text: '3',
        after: 'repository: three\n  tag: "',
        assembled: 'three:3',
        status: 'unpinned',
        parts: { repository: 'three', tag: '3' },
        ignored: true,
      },
      {
        text: '4',
        after: 'repository: four # digest-pin: ignore\n    tag: "',
        assembled: 'four:4',
        status: 'unpinned',
        parts: { repository: 'four', tag: '4' },
        ignored: true,
      },
    ],
  },
  {
    name: 'CRLF line endings',
    text: 'image:\r\n  registry: docker.io\r\n  repository: bitnami/git\r\n  tag: 2.47.0\r\n  digest: ""\r\n',
    expect: [
      {
        text: '2.47.0',
        assembled: 'docker.io/bitnami/git:2.47.0',
        status: 'unpinned',
        parts: { registry: 'docker.io', repository: 'bitnami/git', tag: '2.47.0', digest: '' },
        slot: 'field',
      },
    ],
  },
  {
    name: 'anchors and aliases: a shared image map is reported where it is written, once',
    text: 'defaults: &img\n  repository: redis\n  tag: 7.4.1\nprimary:\n  image: *img\nreplica:\n  image: *img\n',
    expect: [
      {
        text: '7.4.1',
        assembled: 'redis:7.4.1',
        status: 'unpinned',
        parts: { repository: 'redis', tag: '7.4.1' },
      },
    ],
  },
  {
    name: 'comments between the keys',
    text: 'image:\n  # -- the repository\n  repository: ghcr.io/dexidp/dex\n  # -- the tag\n  tag: v2.41.1 # pinned below\n',
    expect: [
      {
        text: 'v2.41.1',
        assembled: 'ghcr.io/dexidp/dex:v2.41.1',
        status: 'unpinned',
        parts: { repository: 'ghcr.io/dexidp/dex', tag: 'v2.41.1' },
      },
    ],
  },
  {
    name: 'an invalid assembled reference is reported invalid',
    text: 'image:\n  repository: Bitnami/Nginx\n  tag: "1.0"\n',
    expect: [
      {
        text: '1.0',
        after: 'tag: "',
        assembled: 'Bitnami/Nginx:1.0',
        status: 'invalid',
        parts: { repository: 'Bitnami/Nginx', tag: '1.0' },
      },
    ],
  },
  {
    name: 'a tag written with an escape names its value, but nothing is written into it',
    text: 'image:\n  repository: nginx\n  tag: "1.\\u0032"\n',
    neighbours: CHART,
    expect: [
      {
        text: 'nginx',
        assembled: 'nginx:1.2',
        status: 'unpinned',
        parts: { repository: 'nginx' },
        slot: 'none',
      },
    ],
  },
  {
    name: 'a plain image string in values is an ordinary reference beside the split ones',
    text: 'job:\n  image: busybox:1.36\nimage:\n  repository: nginx\n  tag: "1.27"\n',
    whole: ['busybox:1.36'],
    expect: [
      { text: '1.27', assembled: 'nginx:1.27', status: 'unpinned', parts: { repository: 'nginx', tag: '1.27' } },
    ],
  },
  {
    name: 'any YAML beside a Chart.yaml is read as values',
    path: 'chart/ci/prod.yaml',
    neighbours: CHART,
    text: 'image:\n  repository: nginx\n  tag: "1.27"\n',
    expect: [
      { text: '1.27', assembled: 'nginx:1.27', status: 'unpinned', parts: { repository: 'nginx', tag: '1.27' } },
    ],
  },
  {
    name: 'a YAML file not named values and with no Chart.yaml is not read as values',
    path: 'config/app.yaml',
    text: 'image:\n  repository: nginx\n  tag: "1.27"\n',
    expect: [],
  },
  {
    name: 'values-prod.yaml and values.openshift.yaml are values files',
    path: 'values.openshift.yaml',
    text: 'server:\n  image:\n    repository: registry.connect.redhat.com/hashicorp/vault\n    tag: 1.18.1-ubi\n',
    expect: [
      {
        text: '1.18.1-ubi',
        assembled: 'registry.connect.redhat.com/hashicorp/vault:1.18.1-ubi',
        status: 'unpinned',
        parts: { repository: 'registry.connect.redhat.com/hashicorp/vault', tag: '1.18.1-ubi' },
      },
    ],
  },
];

describe('Helm values: a realistic values.yaml (test/unit/references/fixtures/yaml/helm-values.yaml)', () => {
  const text = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'yaml', 'helm-values.yaml'), 'utf8');
  const expected: SplitExpected[] = [
    {
      text: 'acme/shop',
      assembled: 'ghcr.io/acme/shop:{{ .Chart.AppVersion }}',
      status: 'variable',
      parts: { registry: 'ghcr.io', repository: 'acme/shop', tag: '', digest: '' },
      slot: 'field',
      variable: 'there is no Chart.yaml beside this file',
    },
    {
      text: 'v0.27.1',
      assembled: 'prom/statsd-exporter:v0.27.1',
      status: 'unpinned',
      parts: { repository: 'prom/statsd-exporter', tag: 'v0.27.1' },
    },
    {
      text: '1.36',
      assembled: 'busybox:1.36',
      status: 'unpinned',
      parts: { repository: 'busybox', tag: '1.36' },
    },
  ];
  it('without a Chart.yaml: the empty tag is variable', () => {
    const result = findReferences('charts/shop/values.yaml', text);
    assertSplit(text, result.references, expected, 'helm');
    assert.deepEqual(result.notes, []);
    assert.equal(result.kind, 'helm-values');
  });
  it("with a Chart.yaml: the empty tag is the chart's appVersion", () => {
    const result = findReferences('charts/shop/values.yaml', text, { neighbours: CHART });
    assertSplit(
      text,
      result.references,
      [
        {
          ...expected[0]!,
          assembled: 'ghcr.io/acme/shop:3.1.0',
          status: 'unpinned',
          origin: ['tag: 3.1.0 (Chart.yaml appVersion)'],
          variable: undefined,
        },
        ...expected.slice(1),
      ],
      'helm',
    );
  });
});

describe('Helm values: split images', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = findReferences(c.path ?? 'values.yaml', c.text, c.neighbours ? { neighbours: c.neighbours } : {});
      const split = result.references.filter((ref) => ref.parts !== undefined);
      const whole = result.references.filter((ref) => ref.parts === undefined).map((ref) => ref.text);
      assertSplit(c.text, split, c.expect, 'helm');
      assert.deepEqual(whole, c.whole ?? []);
      assert.deepEqual(result.notes, []);
      if (c.expect.length > 0) assert.equal(result.kind, 'helm-values');
    });
  }
});
