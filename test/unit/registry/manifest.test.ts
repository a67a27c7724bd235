// Manifest documents and platforms: normalisation, parsing (OCI, Docker schema 2, schema 1), attestation filtering,
// child selection, config metadata.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DOCKER_LIST,
  DOCKER_MANIFEST,
  MANIFEST_ACCEPT,
  OCI_INDEX,
  OCI_MANIFEST,
  baseMediaType,
  digestOf,
  formatPlatform,
  indexPlatforms,
  isTimestamp,
  normalizePlatform,
  parseConfig,
  parseManifest,
  parsePlatform,
  platformMatches,
  selectChild,
  type Descriptor,
  type Platform,
} from '../../../server/src/registry/manifest';

const D = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('MANIFEST_ACCEPT', () => {
  it('lists the four types, no q-values', () =>
    assert.equal(
      MANIFEST_ACCEPT,
      'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, ' +
        'application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json',
    ));
});

describe('normalizePlatform', () => {
  const cases: Array<[string, { os?: string; architecture?: string; variant?: string }, Platform]> = [
    ['x86_64 → amd64', { os: 'linux', architecture: 'x86_64' }, { os: 'linux', architecture: 'amd64' }],
    ['x86-64 → amd64', { os: 'linux', architecture: 'x86-64' }, { os: 'linux', architecture: 'amd64' }],
    [
      'amd64 stays, v1 dropped',
      { os: 'linux', architecture: 'amd64', variant: 'v1' },
      { os: 'linux', architecture: 'amd64' },
    ],
    [
      'amd64/v3 keeps its variant',
      { os: 'linux', architecture: 'amd64', variant: 'v3' },
      { os: 'linux', architecture: 'amd64', variant: 'v3' },
    ],
    ['aarch64 → arm64', { os: 'linux', architecture: 'aarch64' }, { os: 'linux', architecture: 'arm64' }],
    ['arm64/v8 → arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'arm64' }],
    [
      'aarch64/8 → arm64',
      { os: 'linux', architecture: 'aarch64', variant: '8' },
      { os: 'linux', architecture: 'arm64' },
    ],
    ['armhf → arm/v7', { os: 'linux', architecture: 'armhf' }, { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['armel → arm/v6', { os: 'linux', architecture: 'armel' }, { os: 'linux', architecture: 'arm', variant: 'v6' }],
    [
      'arm without variant → arm/v7',
      { os: 'linux', architecture: 'arm' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ],
    [
      'arm/6 → arm/v6',
      { os: 'linux', architecture: 'arm', variant: '6' },
      { os: 'linux', architecture: 'arm', variant: 'v6' },
    ],
    ['i386 → 386', { os: 'linux', architecture: 'i386' }, { os: 'linux', architecture: '386' }],
    ['case folded', { os: 'Linux', architecture: 'AMD64' }, { os: 'linux', architecture: 'amd64' }],
    ['windows kept', { os: 'windows', architecture: 'amd64' }, { os: 'windows', architecture: 'amd64' }],
    ['unknown stays', { os: 'unknown', architecture: 'unknown' }, { os: 'unknown', architecture: 'unknown' }],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.deepEqual(normalizePlatform(input), expected));
});

describe('parsePlatform / formatPlatform / platformMatches', () => {
  const parse: Array<[string, string | null]> = [
    ['linux/amd64', 'linux/amd64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm/v7', 'linux/arm/v7'],
    ['linux/x86_64', 'linux/amd64'],
    [' linux/arm64 ', 'linux/arm64'],
    ['linux', null],
    ['linux/', null],
    ['a/b/c/d', null],
    ['linux/amd 64', null],
  ];
  for (const [text, expected] of parse)
    it(`parse ${JSON.stringify(text)}`, () => {
      const p = parsePlatform(text);
      assert.equal(p ? formatPlatform(p) : null, expected);
    });
  const matches: Array<[string, string, boolean]> = [
    ['linux/amd64', 'linux/amd64', true],
    ['linux/arm64', 'linux/arm64/v8', true],
    ['linux/arm64/v8', 'linux/aarch64', true],
    ['linux/arm', 'linux/arm/v7', true],
    ['linux/arm', 'linux/arm/v6', false],
    ['linux/arm/v7', 'linux/arm/v6', false],
    ['linux/amd64', 'windows/amd64', false],
  ];
  for (const [want, have, expected] of matches)
    it(`${want} matches ${have}: ${expected}`, () => {
      const [w, h] = [want.split('/'), have.split('/')];
      assert.equal(
        platformMatches(
          { os: w[0]!, architecture: w[1]!, ...(w[2] ? { variant: w[2] } : {}) },
          { os: h[0]!, architecture: h[1]!, ...(h[2] ? { variant: h[2] } : {}) },
        ),
        expected,
      );
    });
});

describe('baseMediaType', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    [`${OCI_INDEX}`, OCI_INDEX],
    [`${DOCKER_MANIFEST}; charset=utf-8`, DOCKER_MANIFEST],
    ['Application/JSON', 'application/json'],
  ];
  for (const [value, expected] of cases) it(String(value), () => assert.equal(baseMediaType(value), expected));
});

describe('parseManifest', () => {
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { mediaType: OCI_MANIFEST, digest: D(1), size: 10, platform: { os: 'linux', architecture: 'amd64' } },
      {
        mediaType: OCI_MANIFEST,
        digest: D(2),
        size: 10,
        platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      },
      {
        mediaType: OCI_MANIFEST,
        digest: D(3),
        size: 10,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': D(1) },
      },
    ],
    annotations: { 'org.opencontainers.image.created': '2024-01-15T10:00:00Z' },
  };
  it('OCI index', () =>
    assert.deepEqual(parseManifest(JSON.stringify(index), OCI_INDEX), {
      ok: true,
      value: {
        kind: 'index',
        mediaType: OCI_INDEX,
        annotations: { 'org.opencontainers.image.created': '2024-01-15T10:00:00Z' },
        children: [
          { mediaType: OCI_MANIFEST, digest: D(1), size: 10, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: OCI_MANIFEST, digest: D(2), size: 10, platform: { os: 'linux', architecture: 'arm64' } },
          {
            mediaType: OCI_MANIFEST,
            digest: D(3),
            size: 10,
            platform: { os: 'unknown', architecture: 'unknown' },
            annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': D(1) },
          },
        ],
      },
    }));
  it('Docker list without mediaType in the body takes Content-Type', () => {
    const body = {
      schemaVersion: 2,
      manifests: [
        {
          mediaType: DOCKER_MANIFEST,
          digest: D(4),
          size: 1,
          platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
        },
      ],
    };
    const r = parseManifest(JSON.stringify(body), `${DOCKER_LIST}; charset=utf-8`);
    assert.deepEqual(
      r.ok && r.value.kind === 'index' ? [r.value.mediaType, r.value.children.map((c) => c.platform)] : r,
      [DOCKER_LIST, [{ os: 'linux', architecture: 'arm', variant: 'v7' }]],
    );
  });
  it('no mediaType in the body and a Content-Type that names none (Artifactory, Nexus): OCI', () => {
    const config = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: D(5), size: 3 };
    const manifest = { schemaVersion: 2, config, layers: [] };
    const list = { schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: D(4), size: 1 }] };
    const types = (body: object, contentType: string | undefined) => {
      const r = parseManifest(JSON.stringify(body), contentType);
      return r.ok && r.value.kind !== 'schema1' ? [r.value.kind, r.value.mediaType] : r;
    };
    for (const contentType of ['application/octet-stream', 'application/json', undefined]) {
      assert.deepEqual(types(manifest, contentType), ['manifest', OCI_MANIFEST]);
      assert.deepEqual(types(list, contentType), ['index', OCI_INDEX]);
    }
    assert.deepEqual(types(manifest, DOCKER_MANIFEST), ['manifest', DOCKER_MANIFEST]);
  });
  it('image manifest', () => {
    const body = {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D(5), size: 3 },
      layers: [],
    };
    assert.deepEqual(parseManifest(JSON.stringify(body), undefined), {
      ok: true,
      value: {
        kind: 'manifest',
        mediaType: DOCKER_MANIFEST,
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: D(5), size: 3 },
        annotations: {},
      },
    });
  });
  const schema1: Array<[string, unknown, string | undefined]> = [
    [
      'schemaVersion 1',
      { schemaVersion: 1, name: 'a', tag: 'b', fsLayers: [] },
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    ],
    ['schemaVersion 1 served as application/json', { schemaVersion: 1, fsLayers: [] }, 'application/json'],
    ['declared schema1 type', { mediaType: 'application/vnd.docker.distribution.manifest.v1+json' }, undefined],
  ];
  for (const [name, body, type] of schema1)
    it(name, () =>
      assert.deepEqual(parseManifest(JSON.stringify(body), type), { ok: true, value: { kind: 'schema1' } }),
    );
  const bad: Array<[string, string, string]> = [
    ['not JSON', '<html>', 'manifest is not JSON'],
    ['array', '[]', 'manifest is not a JSON object'],
    [
      'index without manifests',
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX }),
      'index has no manifests list',
    ],
    [
      'child with a bad digest',
      JSON.stringify({ schemaVersion: 2, manifests: [{ digest: 'sha256:xyz' }] }),
      'index lists a manifest without a valid digest',
    ],
    [
      'manifest without config',
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST }),
      'manifest has no valid config descriptor',
    ],
  ];
  for (const [name, body, problem] of bad)
    it(name, () => assert.deepEqual(parseManifest(body, undefined), { ok: false, problem }));
});

describe('indexPlatforms / selectChild', () => {
  const child = (n: number, platform?: Platform, attestation = false): Descriptor => ({
    mediaType: OCI_MANIFEST,
    digest: D(n),
    ...(platform ? { platform } : {}),
    ...(attestation ? { annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } } : {}),
  });
  const children = [
    child(1, { os: 'linux', architecture: 'amd64' }),
    child(2, { os: 'linux', architecture: 'arm', variant: 'v6' }),
    child(3, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    child(4, { os: 'linux', architecture: 'arm64' }),
    child(5, { os: 'unknown', architecture: 'unknown' }, true),
    child(6, { os: 'linux', architecture: 'amd64' }, true),
    child(7),
    child(8, { os: 'linux', architecture: 'amd64' }),
  ];
  it('platforms without attestations or duplicates, in order', () =>
    assert.deepEqual(indexPlatforms(children).map(formatPlatform), [
      'linux/amd64',
      'linux/arm/v6',
      'linux/arm/v7',
      'linux/arm64',
    ]));
  const picks: Array<[string, Platform, string | undefined]> = [
    ['amd64: the first, not the attestation', { os: 'linux', architecture: 'amd64' }, D(1)],
    ['arm/v7 exact', { os: 'linux', architecture: 'arm', variant: 'v7' }, D(3)],
    ['arm64/v8 matches arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }, D(4)],
    ['windows: none', { os: 'windows', architecture: 'amd64' }, undefined],
  ];
  for (const [name, want, expected] of picks)
    it(name, () => assert.equal(selectChild(children, want)?.digest, expected));
});

describe('parseConfig / isTimestamp', () => {
  it('reads created, platform and labels', () => {
    const body = Buffer.from(
      JSON.stringify({
        created: '2024-01-15T10:00:00.123456789Z',
        os: 'linux',
        architecture: 'aarch64',
        config: { Labels: { a: 'b', n: 1 } },
      }),
    );
    assert.deepEqual(parseConfig(body), {
      created: '2024-01-15T10:00:00.123456789Z',
      platform: { os: 'linux', architecture: 'arm64' },
      labels: { a: 'b' },
    });
  });
  it('not JSON', () => assert.equal(parseConfig(Buffer.from('nope')), null));
  const stamps: Array<[string, boolean]> = [
    ['2024-01-15T10:00:00Z', true],
    ['2024-01-15T10:00:00+02:00', true],
    ['2024-01-15T10:00:00.5Z', true],
    ['1970-01-01T00:00:00Z', false],
    ['0001-01-01T00:00:00Z', false],
    ['2024-01-15', false],
    ['yesterday', false],
    ['2024-13-45T99:99:99Z', false],
  ];
  for (const [value, expected] of stamps) it(`isTimestamp ${value}`, () => assert.equal(isTimestamp(value), expected));
});

describe('digestOf', () => {
  it('sha256 of exact bytes', () =>
    assert.equal(digestOf(Buffer.from('')), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'));
  it('sha512 when asked', () => assert.match(digestOf(Buffer.from(''), 'sha512'), /^sha512:cf83e135[0-9a-f]{120}$/));
});
