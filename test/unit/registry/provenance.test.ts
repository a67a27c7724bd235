// What an image says about itself (annotations over labels, OCI keys over label-schema, clipped values) and what is
// found beside it (referrers' artifact types, cosign tags), with a scripted transport for the requests it costs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createRegistryClient, staticCredentials } from '../../../server/src/registry';
import type { HttpRequest, HttpTransport } from '../../../server/src/registry/http';
import {
  MAX_VALUE,
  attachmentKindOf,
  clip,
  describeAttachment,
  normaliseAttachments,
  provenanceKeys,
  provenanceOf,
  type Provenance,
} from '../../../server/src/registry/provenance';
import { referrerTypes } from '../../../server/src/registry/attachments';
import { parseImageReference } from '../../../server/src/references/imageRef';

const OCI = 'org.opencontainers.image';
const LS = 'org.label-schema';

describe('provenanceOf', () => {
  const cases: Array<[string, Array<Record<string, string> | undefined>, Provenance]> = [
    ['nothing', [undefined, {}], {}],
    [
      'every OCI key from labels',
      [
        {
          [`${OCI}.source`]: 'https://github.com/o/r',
          [`${OCI}.revision`]: 'abc123',
          [`${OCI}.version`]: '1.2.3',
          [`${OCI}.created`]: '2024-01-01T00:00:00Z',
          [`${OCI}.base.name`]: 'docker.io/library/debian:12',
          [`${OCI}.base.digest`]: `sha256:${'a'.repeat(64)}`,
          [`${OCI}.title`]: 'app',
          [`${OCI}.url`]: 'https://example.com',
          'com.example.other': 'ignored',
        },
      ],
      {
        source: 'https://github.com/o/r',
        revision: 'abc123',
        version: '1.2.3',
        created: '2024-01-01T00:00:00Z',
        baseName: 'docker.io/library/debian:12',
        baseDigest: `sha256:${'a'.repeat(64)}`,
        title: 'app',
        url: 'https://example.com',
      },
    ],
    [
      'label-schema predecessors',
      [
        {
          [`${LS}.vcs-url`]: 'git@github.com:o/r.git',
          [`${LS}.vcs-ref`]: 'def456',
          [`${LS}.version`]: '0.9',
          [`${LS}.build-date`]: '2020-05-05T00:00:00Z',
          [`${LS}.name`]: 'old',
          [`${LS}.url`]: 'http://old.example',
        },
      ],
      {
        source: 'git@github.com:o/r.git',
        revision: 'def456',
        version: '0.9',
        created: '2020-05-05T00:00:00Z',
        title: 'old',
        url: 'http://old.example',
      },
    ],
    [
      'annotations over labels',
      [{ [`${OCI}.version`]: '2.0' }, { [`${OCI}.version`]: '1.0', [`${OCI}.revision`]: 'r1' }],
      { version: '2.0', revision: 'r1' },
    ],
    [
      'the index over the manifest over the config',
      [{ [`${OCI}.title`]: 'index' }, { [`${OCI}.title`]: 'manifest' }, { [`${OCI}.title`]: 'config' }],
      { title: 'index' },
    ],
    [
      'an OCI key in a later source over a label-schema key in an earlier one',
      [{ [`${LS}.version`]: 'ls' }, { [`${OCI}.version`]: 'oci' }],
      { version: 'oci' },
    ],
    ['blank values count as absent', [{ [`${OCI}.version`]: '  ' }, { [`${OCI}.version`]: '3' }], { version: '3' }],
    ['control characters folded', [{ [`${OCI}.title`]: 'a\nb\u0000c\u2028d' }], { title: 'a b c d' }],
  ];
  for (const [name, sources, expected] of cases) it(name, () => assert.deepEqual(provenanceOf(sources), expected));

  it('a 1 MB label is clipped to MAX_VALUE characters', () => {
    const huge = 'x'.repeat(1024 * 1024);
    const got = provenanceOf([{ [`${OCI}.title`]: huge }]).title!;
    assert.equal(got.length, MAX_VALUE);
    assert.ok(got.endsWith('…'));
    assert.equal(clip('short'), 'short');
  });

  it('provenanceKeys keeps the known keys only, clipped', () => {
    assert.deepEqual(
      provenanceKeys({ [`${OCI}.version`]: '1', other: 'x', [`${LS}.vcs-ref`]: 'y'.repeat(MAX_VALUE + 10) }),
      { [`${OCI}.version`]: '1', [`${LS}.vcs-ref`]: `${'y'.repeat(MAX_VALUE - 1)}…` },
    );
  });
});

describe('attachments: kinds and words', () => {
  const cases: Array<[string, string]> = [
    ['application/vnd.dev.cosign.artifact.sig.v1+json', 'signature'],
    ['application/vnd.dev.sigstore.bundle.v0.3+json', 'signature'],
    ['application/vnd.cncf.notary.signature', 'signature'],
    ['application/spdx+json', 'sbom'],
    ['text/spdx', 'sbom'],
    ['application/vnd.cyclonedx+json', 'sbom'],
    ['application/vnd.syft+json', 'sbom'],
    ['application/vnd.in-toto+json', 'attestation'],
    ['application/vnd.dev.cosign.artifact.att.v1+json', 'attestation'],
    ['https://slsa.dev/provenance/v1', 'provenance'],
    ['application/vnd.example.thing', 'artifact'],
    ['', 'artifact'],
  ];
  for (const [type, kind] of cases)
    it(`${type || '(none)'} → ${kind}`, () => assert.equal(attachmentKindOf(type), kind));

  it('normalised: one of each, kind then way', () => {
    assert.deepEqual(
      normaliseAttachments([
        { kind: 'sbom', via: 'referrers' },
        { kind: 'signature', via: 'cosign-tag' },
        { kind: 'sbom', via: 'referrers' },
        { kind: 'attestation', via: 'index' },
      ]).map(describeAttachment),
      ['signature (cosign tag)', 'SBOM (referrers API)', 'attestation (attestation in index)'],
    );
  });

  it('referrerTypes reads an index, null for anything else', () => {
    assert.deepEqual(
      referrerTypes(
        JSON.stringify({
          schemaVersion: 2,
          manifests: [
            { mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/spdx+json' },
            { mediaType: 'application/vnd.oci.image.manifest.v1+json' },
          ],
        }),
      ),
      ['application/spdx+json', 'application/vnd.oci.image.manifest.v1+json'],
    );
    assert.equal(referrerTypes('not json'), null);
    assert.equal(referrerTypes('{"errors":[]}'), null);
  });
});

// --- describe with attachments, over a scripted transport --------------------------------------------------------

const body = (value: unknown): string => JSON.stringify(value);
const sha = (text: string): string => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const CONFIG = body({
  architecture: 'amd64',
  os: 'linux',
  created: '2024-01-01T00:00:00Z',
  config: { Labels: { [`${OCI}.version`]: '1.0', [`${OCI}.source`]: 'https://github.com/o/r' } },
});
const MANIFEST = body({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(CONFIG), size: CONFIG.length },
  layers: [],
  annotations: { [`${OCI}.version`]: '1.0-annotated', [`${OCI}.revision`]: 'cafe' },
});
const DIGEST = sha(MANIFEST);

function scripted(referrers: { status: number; body?: string }, cosign: Record<string, number> = {}) {
  const seen: string[] = [];
  const http: HttpTransport = {
    async request(request: HttpRequest) {
      const path = request.url.pathname;
      seen.push(`${request.method ?? 'GET'} ${path}`);
      const answer = (status: number, text = '', type = 'application/json') => ({
        ok: true as const,
        response: {
          status,
          headers: { 'content-type': type },
          body: Buffer.from(text),
          url: request.url.href,
          attempts: 1,
        },
      });
      if (path === '/v2/') return answer(200);
      if (path.endsWith(`/manifests/${DIGEST}`))
        return answer(200, MANIFEST, 'application/vnd.oci.image.manifest.v1+json');
      if (path.endsWith(`/blobs/${sha(CONFIG)}`)) return answer(200, CONFIG);
      if (path.includes('/referrers/')) return answer(referrers.status, referrers.body ?? '');
      const tag = /manifests\/(sha256-[0-9a-f]{64}\.\w+)$/.exec(path)?.[1];
      if (tag) return answer(cosign[tag.slice(tag.indexOf('.') + 1)] ?? 404);
      return answer(404);
    },
    close: () => undefined,
  };
  return { http, seen };
}

const reference = (() => {
  const p = parseImageReference('registry.example/o/app:1');
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
})();

describe('describe: provenance and attachments', () => {
  it('provenance from what is fetched anyway; no attachment request unless asked', async () => {
    const { http, seen } = scripted({ status: 404 });
    const client = createRegistryClient({ http, credentials: staticCredentials({}) });
    const d = await client.describe(reference, DIGEST);
    assert.ok(d.ok);
    assert.deepEqual(d.value.provenance, {
      source: 'https://github.com/o/r',
      revision: 'cafe',
      version: '1.0-annotated',
    });
    assert.equal(d.value.attachments, undefined);
    assert.equal(seen.filter((s) => s.includes('referrers') || s.includes('sha256-')).length, 0);
  });

  const cases: Array<{
    name: string;
    referrers: { status: number; body?: string };
    cosign?: Record<string, number>;
    found: string[];
    requests: string[];
  }> = [
    {
      name: 'referrers API: its artifact types, no cosign tag asked',
      referrers: {
        status: 200,
        body: body({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            { artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json', digest: sha('s'), size: 1 },
            { artifactType: 'application/spdx+json', digest: sha('b'), size: 1 },
          ],
        }),
      },
      found: ['signature (referrers API)', 'SBOM (referrers API)'],
      requests: ['GET referrers'],
    },
    {
      name: 'referrers API answering an empty index: nothing, no cosign tag asked',
      referrers: { status: 200, body: body({ schemaVersion: 2, manifests: [] }) },
      found: [],
      requests: ['GET referrers'],
    },
    {
      name: 'no referrers API (404): the cosign tags, one HEAD each',
      referrers: { status: 404 },
      cosign: { sig: 200, sbom: 200 },
      found: ['signature (cosign tag)', 'SBOM (cosign tag)'],
      requests: ['GET referrers', 'HEAD sig', 'HEAD att', 'HEAD sbom'],
    },
  ];
  for (const c of cases) {
    it(`${c.name}; asked again: no request`, async () => {
      const { http, seen } = scripted(c.referrers, c.cosign);
      const client = createRegistryClient({ http, credentials: staticCredentials({}) });
      const d = await client.describe(reference, DIGEST, { attachments: true });
      assert.ok(d.ok);
      assert.deepEqual(d.value.attachments?.map(describeAttachment), c.found);
      const asked = seen
        .filter((s) => s.includes('referrers') || s.includes('sha256-'))
        .map((s) => (s.includes('referrers') ? 'GET referrers' : `HEAD ${s.slice(s.lastIndexOf('.') + 1)}`));
      assert.deepEqual(asked, c.requests);
      const before = seen.length;
      const again = await client.describe(reference, DIGEST, { attachments: true });
      assert.deepEqual(again.ok && again.value.attachments?.map(describeAttachment), c.found);
      assert.equal(seen.length, before);
    });
  }

  it('a failing look-up leaves the description without attachments, and is asked again next time', async () => {
    const { http, seen } = scripted({ status: 200 }, { sig: 500 });
    const client = createRegistryClient({ http, credentials: staticCredentials({}), retries: 0 });
    // 200 with an empty body is no index: treated as no referrers API, then a cosign HEAD fails.
    const d = await client.describe(reference, DIGEST, { attachments: true });
    assert.ok(d.ok);
    assert.equal(d.value.attachments, undefined);
    assert.equal(d.value.provenance?.version, '1.0-annotated');
    const before = seen.length;
    await client.describe(reference, DIGEST, { attachments: true });
    assert.ok(seen.length > before);
  });
});
