// The look-up step with a scripted registry client: which questions are asked, how often, with which platform. The
// real registry path (requests on the wire) is covered by test/integration/cli-online.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lookUp } from '../../../server/src/lookup/ask';
import { platformFor, questionFor } from '../../../server/src/lookup/question';
import type { ParsedImageRef } from '../../../server/src/references/imageRef';
import { buildReference, type ReferenceExtras } from '../../../server/src/references/reference';
import type { ImageReference } from '../../../server/src/references/types';
import type { RegistryClient, Resolution } from '../../../server/src/registry/index';
import { rangeOf } from '../../support/ranges';

const P = `sha256:${'1'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const ref = (text: string, extras: ReferenceExtras = {}): ImageReference =>
  buildReference(text, rangeOf(`FROM ${text}`, text), 'dockerfile', 'from', extras);

describe('platformFor', () => {
  const table: Array<[string, string, ReferenceExtras, string | null, string | undefined]> = [
    ['no --platform: the index, whatever the line says', 'a:1', { platform: 'linux/arm64' }, null, undefined],
    ['--platform for a reference without one', 'a:1', {}, 'linux/amd64', 'linux/amd64'],
    [
      "--platform, but the line's literal platform wins",
      'a:1',
      { platform: 'linux/aarch64' },
      'linux/amd64',
      'linux/arm64',
    ],
    ['an unreadable literal: the option', 'a:1', { platform: 'weird' }, 'linux/amd64', 'linux/amd64'],
  ];
  for (const [name, text, extras, option, expected] of table)
    it(name, () => assert.equal(platformFor(ref(text, extras), option), expected));
});

describe('questionFor', () => {
  const table: Array<[string, ImageReference, boolean, string | null]> = [
    ['unpinned', ref('python:3.12'), false, 'tag docker.io/library/python:3.12 '],
    ['no tag means latest', ref('python'), false, 'tag docker.io/library/python:latest '],
    [
      'the same image written differently is the same question',
      ref('docker.io/library/python:3.12'),
      false,
      'tag docker.io/library/python:3.12 ',
    ],
    ['pinned, pins asked', ref(`python:3.12@${P}`), true, `pin docker.io/library/python:3.12@${P} `],
    ['pinned, pins not asked (pin without --update)', ref(`python:3.12@${P}`), false, null],
    ['digest only', ref(`python@${P}`), true, null],
    ['variable', ref('python:${V}'), true, null],
    ['invalid', ref('Python:3'), true, null],
    ['ignored', ref('python:3', { ignored: true }), true, null],
    ['local build', ref('app:dev', { localBuild: true }), true, null],
  ];
  for (const [name, reference, pins, key] of table)
    it(name, () => assert.equal(questionFor(reference, { platform: null, pins })?.key ?? null, key));
});

function scriptedClient(tags: Record<string, string>) {
  const calls: string[] = [];
  const resolution = (digest: string): Resolution => ({
    digest,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    checkedAt: 0,
    fromCache: false,
  });
  const client: RegistryClient = {
    async resolve(parsed: ParsedImageRef, options = {}) {
      const platform = typeof options.platform === 'string' ? options.platform : undefined;
      calls.push(`resolve ${parsed.name}:${parsed.tag ?? 'latest'}${platform ? ` ${platform}` : ''}`);
      const digest = tags[`${parsed.name}:${parsed.tag ?? 'latest'}`];
      if (digest === undefined) return { ok: false, error: { kind: 'not-found', message: 'no such tag' } };
      if (platform === 'linux/s390x') return { ok: false, error: { kind: 'not-found', message: 'no such platform' } };
      return { ok: true, value: resolution(digest) };
    },
    async describe(parsed, digest, options = {}) {
      calls.push(`describe ${digest.slice(7, 8)}${options.attachments ? ' with attachments' : ''}`);
      return {
        ok: true,
        value: { digest, mediaType: 'x/y', created: digest === P ? '2024-01-01T00:00:00Z' : '2024-02-01T00:00:00Z' },
      };
    },
    async checkPin(parsed) {
      calls.push(`checkPin ${parsed.name}:${parsed.tag}@${parsed.digest?.slice(7, 8)}`);
      const digest = tags[`${parsed.name}:${parsed.tag}`]!;
      return digest === parsed.digest
        ? { status: 'current', digest, checkedAt: 0 }
        : { status: 'drifted', pinned: parsed.digest!, current: digest, tagDigest: digest, checkedAt: 0 };
    },
    pullBudgets: () => [],
    async listTags(parsed) {
      const name = `${parsed.domain}/${parsed.path}`;
      calls.push(`listTags ${name}`);
      const listed = Object.keys(tags)
        .filter((key) => key.startsWith(`${name}:`))
        .map((key) => key.slice(name.length + 1));
      return { ok: true, value: { tags: listed, truncated: false, checkedAt: 0, fromCache: false } };
    },
    flush: async () => undefined,
    close: async () => undefined,
  };
  return { client, calls };
}

describe('lookUp', () => {
  it('asks each unique question once, and gives every reference its answer', async () => {
    const { client, calls } = scriptedClient({ 'docker.io/library/a:1': C, 'docker.io/library/b:2': C });
    const refs = [
      ref('a:1'),
      ref('docker.io/library/a:1'),
      ref('a:1'),
      ref(`b:2@${P}`),
      ref(`b:2@${P}`),
      ref('a:${V}'),
    ];
    const progress: string[] = [];
    const answers = await lookUp(refs, client, {
      platform: null,
      pins: true,
      dates: true,
      onProgress: (done, total) => progress.push(`${done}/${total}`),
    });
    assert.deepEqual(calls.sort(), [
      'checkPin docker.io/library/b:2@1',
      'describe 1',
      'describe c',
      'resolve docker.io/library/a:1',
    ]);
    assert.equal(answers.size, 5);
    assert.equal(answers.get(refs[0]!), answers.get(refs[2]!));
    assert.deepEqual(answers.get(refs[3]!), {
      kind: 'pin',
      status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: 0 },
      created: { pinned: '2024-01-01T00:00:00Z', current: '2024-02-01T00:00:00Z' },
      described: {
        pinned: { digest: P, mediaType: 'x/y', created: '2024-01-01T00:00:00Z' },
        current: { digest: C, mediaType: 'x/y', created: '2024-02-01T00:00:00Z' },
      },
    });
    assert.deepEqual(progress, ['0/2', '1/2', '2/2']);
  });

  it('check: a drifted pin is described with its attachments; a tag never is', async () => {
    const { client, calls } = scriptedClient({ 'docker.io/library/a:1': C, 'docker.io/library/b:2': C });
    await lookUp([ref(`b:2@${P}`), ref('a:1')], client, { platform: null, pins: true, dates: true, attachments: true });
    assert.deepEqual(calls.sort(), [
      'checkPin docker.io/library/b:2@1',
      'describe 1 with attachments',
      'describe c with attachments',
      'resolve docker.io/library/a:1',
    ]);
  });

  it('pin (no dates): a drifted pin is not described', async () => {
    const { client, calls } = scriptedClient({ 'docker.io/library/b:2': C });
    await lookUp([ref(`b:2@${P}`)], client, { platform: null, pins: true, dates: false });
    assert.deepEqual(calls, ['checkPin docker.io/library/b:2@1']);
  });

  it('a platform the tag lacks is told apart from a tag that does not exist', async () => {
    const { client, calls } = scriptedClient({ 'docker.io/library/a:1': C });
    const [has, lacks] = [ref('a:1'), ref('a:2')];
    const answers = await lookUp([has, lacks], client, { platform: 'linux/s390x', pins: false, dates: false });
    assert.deepEqual(answers.get(has), {
      kind: 'tag',
      result: { ok: false, error: { kind: 'not-found', message: 'no such platform' } },
      platform: 'linux/s390x',
      platformMissing: true,
    });
    assert.deepEqual(answers.get(lacks), {
      kind: 'tag',
      result: { ok: false, error: { kind: 'not-found', message: 'no such tag' } },
      platform: 'linux/s390x',
    });
    assert.deepEqual(calls.sort(), [
      'resolve docker.io/library/a:1',
      'resolve docker.io/library/a:1 linux/s390x',
      'resolve docker.io/library/a:2',
      'resolve docker.io/library/a:2 linux/s390x',
    ]);
  });
});
