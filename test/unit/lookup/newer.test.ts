// askNewer / lookUpNewer with a recording client: which requests each use makes (no tag list for `latest`, a name or
// a digest-only reference; no resolve for check; only the offer pin --upgrade writes), and each name:tag once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { askNewer, lookUpNewer, offerWithin } from '../../../server/src/lookup/newer';
import { parseImageReference, type ParsedImageRef } from '../../../server/src/references/imageRef';
import { findReferences } from '../../../server/src/references/index';
import type { RegistryClient } from '../../../server/src/registry/index';

const TAGS = ['3.12.7-slim', '3.12.8-slim', '3.13.1-slim', '3.13.0-slim', '3.12.9', 'latest', '4.0.0-slim'];
const digestOf = (tag: string) => `sha256:${tag.replace(/\W/g, '').padEnd(64, '0').slice(0, 64)}`;

function recording(): { client: RegistryClient; calls: string[] } {
  const calls: string[] = [];
  const client = {
    async listTags(ref: ParsedImageRef) {
      calls.push(`listTags ${ref.path}`);
      return { ok: true, value: { tags: TAGS, truncated: false, checkedAt: 0, fromCache: false } };
    },
    async resolve(ref: ParsedImageRef, options: { platform?: string; details?: boolean } = {}) {
      calls.push(
        `resolve ${ref.tag}${options.platform ? ` ${options.platform}` : ''}${options.details ? ' details' : ''}`,
      );
      return {
        ok: true,
        value: {
          digest: digestOf(ref.tag!),
          mediaType: 'application/vnd.oci.image.index.v1+json',
          checkedAt: 0,
          fromCache: false,
        },
      };
    },
  } as unknown as RegistryClient;
  return { client, calls };
}

const parsed = (text: string): ParsedImageRef => {
  const result = parseImageReference(text);
  assert.ok(result.ok);
  return result.value;
};

describe('askNewer', () => {
  for (const text of ['python', 'python:latest', 'python:bookworm', `python@sha256:${'a'.repeat(64)}`]) {
    it(`${text}: not a version, nothing asked`, async () => {
      const { client, calls } = recording();
      assert.equal(await askNewer(client, parsed(text), { resolve: true }), null);
      assert.deepEqual(calls, []);
    });
  }

  it('check: the tag list alone, the newest per level', async () => {
    const { client, calls } = recording();
    const result = await askNewer(client, parsed('python:3.12.7-slim'), { resolve: false });
    assert.ok(result?.ok);
    assert.deepEqual(
      result.value.offers.map((o) => [o.level, o.tag, o.resolution]),
      [
        ['patch', '3.12.8-slim', undefined],
        ['minor', '3.13.1-slim', undefined],
        ['major', '4.0.0-slim', undefined],
      ],
    );
    assert.deepEqual(calls, ['listTags library/python']);
  });

  it('hover: every offer resolved with its date, for the question’s platform', async () => {
    const { client, calls } = recording();
    await askNewer(client, parsed('python:3.12.7-slim'), { resolve: true, dates: true, platform: 'linux/arm64' });
    assert.deepEqual(calls.sort(), [
      'listTags library/python',
      'resolve 3.12.8-slim linux/arm64 details',
      'resolve 3.13.1-slim linux/arm64 details',
      'resolve 4.0.0-slim linux/arm64 details',
    ]);
  });

  const upgrades: Array<['patch' | 'minor', string]> = [
    ['patch', '3.12.8-slim'],
    ['minor', '3.13.1-slim'],
  ];
  for (const [level, tag] of upgrades) {
    it(`pin --upgrade ${level}: only ${tag} is resolved`, async () => {
      const { client, calls } = recording();
      const result = await askNewer(client, parsed('python:3.12.7-slim'), { resolve: level });
      assert.ok(result?.ok);
      const offer = offerWithin(result.value, level);
      assert.equal(offer?.tag, tag);
      assert.equal(offer?.resolution?.ok && offer.resolution.value.digest, digestOf(tag));
      assert.deepEqual(calls, ['listTags library/python', `resolve ${tag}`]);
    });
  }
});

describe('lookUpNewer', () => {
  it('asks each name:tag once; skips ignored, local builds and non-versions', async () => {
    const text = [
      'FROM python:3.12.7-slim AS a',
      'FROM python:3.12.7-slim AS b',
      'FROM python:latest AS c',
      '# digest-pin: ignore',
      'FROM redis:7.2.1 AS d',
      'FROM nginx:1.25.3 AS e',
      '',
    ].join('\n');
    const refs = findReferences('Dockerfile', text).references;
    const { client, calls } = recording();
    const answers = await lookUpNewer(refs, client, { platform: null, resolve: false });
    assert.deepEqual(calls.sort(), ['listTags library/nginx', 'listTags library/python']);
    assert.deepEqual(
      refs.map((ref) => answers.has(ref)),
      [true, true, false, false, true],
    );
  });
});
