// What changed when a tag moved: forge links from source URLs as images write them, the comparison of two images'
// metadata, and its words (plain and Markdown, where every registry value is escaped and only safe links are links).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitLink, compareLink, forgeOf, whatChanged, type WhatChanged } from '../../../server/src/features/changes';
import {
  MARKDOWN,
  PLAIN,
  attachmentsText,
  changeParts,
  provenanceParts,
} from '../../../server/src/features/provenanceWords';
import type { Description } from '../../../server/src/registry/index';

const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

describe('forgeOf', () => {
  const cases: Array<[string, string | null]> = [
    ['https://github.com/o/r', 'https://github.com/o/r'],
    ['https://github.com/o/r.git', 'https://github.com/o/r'],
    ['https://github.com/o/r/', 'https://github.com/o/r'],
    ['https://github.com/o/r/tree/main/docker', 'https://github.com/o/r'],
    ['git@github.com:o/r.git', 'https://github.com/o/r'],
    ['git+https://github.com/o/r.git', 'https://github.com/o/r'],
    ['ssh://git@github.com/o/r.git', 'https://github.com/o/r'],
    ['git://github.com/o/r', 'https://github.com/o/r'],
    ['http://github.com/o/r', 'https://github.com/o/r'],
    ['https://github.com/o/r?x=1#y', 'https://github.com/o/r'],
    ['https://gitlab.com/g/r', 'https://gitlab.com/g/r'],
    ['https://gitlab.com/g/sub/r.git', 'https://gitlab.com/g/sub/r'],
    ['https://gitlab.com/g/sub/r/-/tree/main', 'https://gitlab.com/g/sub/r'],
    ['git@gitlab.com:g/sub/r.git', 'https://gitlab.com/g/sub/r'],
    ['https://github.com/o', null],
    ['https://github.com/o/r%29%5Bx', null],
    ['https://bitbucket.org/o/r', null],
    ['https://github.example.com/o/r', null],
    ['javascript:alert(1)', null],
    ['file:///github.com/o/r', null],
    ['not a url', null],
    ['', null],
  ];
  for (const [source, web] of cases) it(source || '(empty)', () => assert.equal(forgeOf(source)?.web ?? null, web));
});

describe('commit and compare links', () => {
  const commits: Array<[string, string, string | null]> = [
    ['https://github.com/o/r', SHA_A, `https://github.com/o/r/commit/${SHA_A}`],
    ['git@gitlab.com:g/r.git', 'abc1234', 'https://gitlab.com/g/r/-/commit/abc1234'],
    ['https://github.com/o/r', 'v1.2.3', null],
    ['https://github.com/o/r', 'abc12', null],
    ['https://example.com/o/r', SHA_A, null],
  ];
  for (const [source, revision, link] of commits)
    it(`commit ${source} ${revision}`, () => assert.equal(commitLink(source, revision), link));

  const compares: Array<[{ before?: string; after?: string }, string, string, string | null]> = [
    [{ before: 'https://github.com/o/r' }, SHA_A, SHA_B, `https://github.com/o/r/compare/${SHA_A}...${SHA_B}`],
    [
      { before: 'https://gitlab.com/g/r', after: 'https://gitlab.com/g/r.git' },
      SHA_A,
      SHA_B,
      `https://gitlab.com/g/r/-/compare/${SHA_A}...${SHA_B}`,
    ],
    [{ before: 'https://github.com/o/r', after: 'https://github.com/o/other' }, SHA_A, SHA_B, null],
    [{ before: 'https://github.com/o/r' }, 'main', SHA_B, null],
    [{}, SHA_A, SHA_B, null],
  ];
  for (const [sources, before, after, link] of compares)
    it(`compare ${JSON.stringify(sources)} ${before.slice(0, 6)}`, () =>
      assert.equal(compareLink(sources, before, after), link));
});

const image = (extra: Partial<Description>): Description => ({
  digest: `sha256:${'1'.repeat(64)}`,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  ...extra,
});
const amd64 = { os: 'linux', architecture: 'amd64' };
const arm64 = { os: 'linux', architecture: 'arm64' };
const s390x = { os: 'linux', architecture: 's390x' };

describe('whatChanged', () => {
  const cases: Array<[string, Description | undefined, Description | undefined, WhatChanged]> = [
    ['nothing known', undefined, undefined, {}],
    [
      'version, revision with a compare link, base changed by digest, platforms, dates',
      image({
        created: '2024-01-01T00:00:00Z',
        platforms: [amd64, s390x],
        provenance: {
          version: '1.0',
          source: 'https://github.com/o/r',
          revision: SHA_A,
          baseName: 'debian:12',
          baseDigest: `sha256:${'c'.repeat(64)}`,
        },
      }),
      image({
        created: '2024-02-01T00:00:00Z',
        platforms: [amd64, arm64],
        provenance: {
          version: '1.1',
          source: 'https://github.com/o/r.git',
          revision: SHA_B,
          baseName: 'debian:12',
          baseDigest: `sha256:${'d'.repeat(64)}`,
        },
      }),
      {
        version: { before: '1.0', after: '1.1', changed: true },
        base: {
          before: `sha256:${'c'.repeat(64)}`,
          after: `sha256:${'d'.repeat(64)}`,
          changed: true,
          beforeName: 'debian:12',
          afterName: 'debian:12',
        },
        revision: {
          before: SHA_A,
          after: SHA_B,
          changed: true,
          compare: `https://github.com/o/r/compare/${SHA_A}...${SHA_B}`,
          beforeLink: `https://github.com/o/r/commit/${SHA_A}`,
          afterLink: `https://github.com/o/r/commit/${SHA_B}`,
        },
        platforms: { added: ['linux/arm64'], removed: ['linux/s390x'] },
        built: { before: '2024-01-01T00:00:00Z', after: '2024-02-01T00:00:00Z', apartMs: 31 * 86_400_000 },
      },
    ],
    [
      'same base by name when no digest; a version only on one side; dates from the labels',
      image({ provenance: { baseName: 'alpine:3.20', created: '2024-01-01T00:00:00Z' } }),
      image({ provenance: { baseName: 'alpine:3.20', version: '2' } }),
      {
        version: { after: '2', changed: true },
        base: { before: 'alpine:3.20', after: 'alpine:3.20', changed: false },
        built: { before: '2024-01-01T00:00:00Z' },
      },
    ],
    [
      'same platforms; an unknown forge gives no link',
      image({ platforms: [amd64], provenance: { source: 'https://example.com/r', revision: SHA_A } }),
      image({ platforms: [amd64], provenance: { source: 'https://example.com/r', revision: SHA_B } }),
      {
        revision: { before: SHA_A, after: SHA_B, changed: true },
        platforms: { added: [], removed: [] },
      },
    ],
  ];
  for (const [name, a, b, expected] of cases) it(name, () => assert.deepEqual(whatChanged(a, b), expected));
});

describe('words', () => {
  const changes = whatChanged(
    image({
      platforms: [amd64],
      provenance: {
        version: '1.0',
        source: 'git@github.com:o/r.git',
        revision: SHA_A,
        baseDigest: 'sha256:' + 'c'.repeat(64),
      },
    }),
    image({
      platforms: [amd64, arm64],
      provenance: {
        version: '1.1',
        source: 'git@github.com:o/r.git',
        revision: SHA_B,
        baseDigest: 'sha256:' + 'c'.repeat(64),
      },
    }),
  );

  it('plain', () =>
    assert.deepEqual(changeParts(changes, PLAIN), [
      'version 1.0 → 1.1',
      'same base image',
      `source revision aaaaaaaaaaaa → bbbbbbbbbbbb (compare (https://github.com/o/r/compare/${SHA_A}...${SHA_B}))`,
      'platforms added linux/arm64',
    ]));

  it('markdown', () =>
    assert.deepEqual(changeParts(changes, MARKDOWN), [
      'version `1.0` → `1.1`',
      'same base image',
      `source revision \`aaaaaaaaaaaa\` → \`bbbbbbbbbbbb\` ([compare](https://github.com/o/r/compare/${SHA_A}...${SHA_B}))`,
      'platforms added `linux/arm64`',
    ]));

  it('provenance: forge source and commit as links, a hostile value escaped, an unsafe url not a link', () => {
    assert.deepEqual(
      provenanceParts(
        {
          title: 'x` [y](javascript:z)',
          version: '1.0',
          source: 'https://github.com/o/r',
          revision: SHA_A,
          baseName: 'debian:12',
          url: 'https://example.com/a)b',
        },
        MARKDOWN,
      ),
      [
        'title ``x` [y](javascript:z)``',
        'version `1.0`',
        `source [github.com/o/r](https://github.com/o/r) at [\`aaaaaaaaaaaa\`](https://github.com/o/r/commit/${SHA_A})`,
        'base `debian:12`',
        'url `https://example.com/a)b`',
      ],
    );
    assert.deepEqual(provenanceParts({ source: 'https://elsewhere.example/r', revision: 'v1' }, PLAIN), [
      'source https://elsewhere.example/r at v1',
    ]);
    assert.deepEqual(provenanceParts({ url: 'https://example.com/' }, MARKDOWN), [
      'url [https://example.com/](https://example.com/)',
    ]);
  });

  it('attachments', () => {
    assert.equal(attachmentsText(undefined, PLAIN), null);
    assert.equal(attachmentsText([], PLAIN), 'none found');
    assert.equal(
      attachmentsText(
        [
          { kind: 'signature', via: 'cosign-tag' },
          { kind: 'attestation', via: 'index' },
        ],
        MARKDOWN,
      ),
      'signature \\(cosign tag\\), attestation \\(attestation in index\\)',
    );
  });
});
