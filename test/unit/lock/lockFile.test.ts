// The lock file's text: keys, parse (a broken lock is a value with a kind), and serialise (sorted, stable bytes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emptyLock,
  lockKey,
  parseLock,
  parseLockKey,
  serialiseLock,
  type LockErrorKind,
} from '../../../server/src/lock/lockFile';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

describe('lock keys', () => {
  const cases: Array<[string, ReturnType<typeof parseLockKey>]> = [
    ['docker.io/library/python:3.12-slim', { name: 'docker.io/library/python', tag: '3.12-slim' }],
    ['ghcr.io/org/app:1 linux/arm64', { name: 'ghcr.io/org/app', tag: '1', platform: 'linux/arm64' }],
    ['localhost:5000/a/b:latest linux/arm/v7', { name: 'localhost:5000/a/b', tag: 'latest', platform: 'linux/arm/v7' }],
    // Only what lockKey writes: normalised, a tag, no digest, a normalised platform.
    ['python:3.12', null],
    ['docker.io/library/python', null],
    [`docker.io/library/python:3@${A}`, null],
    ['docker.io/library/python:3 arm64', null],
    ['docker.io/library/python:3 linux/x86_64', null],
    ['docker.io/library/python:3  linux/amd64', null],
    ['', null],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text), () => {
      assert.deepEqual(parseLockKey(text), expected);
      if (expected !== null) assert.equal(lockKey(expected), text);
    });
  }
});

describe('parseLock', () => {
  it('reads entries, with and without created, and a BOM', () => {
    const text = `\uFEFF{"version":1,"images":{"docker.io/library/a:1":{"digest":"${A}","created":"2024-01-01T00:00:00Z"},"docker.io/library/b:2 linux/arm64":{"digest":"${B}"}}}`;
    const parsed = parseLock(text);
    assert.ok(parsed.ok);
    assert.deepEqual(
      [...parsed.lock.images],
      [
        ['docker.io/library/a:1', { digest: A, created: '2024-01-01T00:00:00Z' }],
        ['docker.io/library/b:2 linux/arm64', { digest: B }],
      ],
    );
  });

  it('an empty images object is an empty lock', () => {
    const parsed = parseLock('{"version": 1, "images": {}}');
    assert.ok(parsed.ok);
    assert.equal(parsed.lock.images.size, 0);
  });

  const broken: Array<[string, string, LockErrorKind, RegExp]> = [
    ['not JSON', '{"version": 1,', 'syntax', /^not valid JSON: /],
    ['empty file', '', 'syntax', /^not valid JSON/],
    ['an array', '[]', 'shape', /expected an object/],
    ['null', 'null', 'shape', /expected an object/],
    ['no version', '{"images": {}}', 'version', /unsupported version null/],
    [
      'version 2',
      '{"version": 2, "images": {}}',
      'version',
      /unsupported version 2 \(this digest-pin reads version 1\)/,
    ],
    ['version as a string', '{"version": "1", "images": {}}', 'version', /unsupported version "1"/],
    ['no images', '{"version": 1}', 'shape', /"images" must be an object/],
    ['images an array', '{"version": 1, "images": []}', 'shape', /"images" must be an object/],
    [
      'a short name as key',
      `{"version": 1, "images": {"python:3": {"digest": "${A}"}}}`,
      'entry',
      /^"python:3": not a normalised name:tag/,
    ],
    [
      'entry not an object',
      '{"version": 1, "images": {"docker.io/library/a:1": "x"}}',
      'entry',
      /expected \{ "digest"/,
    ],
    ['no digest', '{"version": 1, "images": {"docker.io/library/a:1": {}}}', 'entry', /"digest" must be a digest/],
    [
      'a short digest',
      '{"version": 1, "images": {"docker.io/library/a:1": {"digest": "sha256:abc"}}}',
      'entry',
      /"digest" must be a digest/,
    ],
    [
      'created not a date',
      `{"version": 1, "images": {"docker.io/library/a:1": {"digest": "${A}", "created": "soon"}}}`,
      'entry',
      /"created" must be an RFC 3339 date/,
    ],
    [
      '__proto__ as key',
      `{"version": 1, "images": {"__proto__": {"digest": "${A}"}}}`,
      'entry',
      /^"__proto__": not a normalised/,
    ],
  ];
  for (const [name, text, kind, message] of broken) {
    it(`broken: ${name} → ${kind}, never a throw`, () => {
      const parsed = parseLock(text);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.equal(parsed.error.kind, kind);
      assert.match(parsed.error.message, message);
    });
  }
});

describe('serialiseLock', () => {
  it('sorts keys, indents by two spaces, ends with a newline, and keeps created only when known', () => {
    const lock = emptyLock();
    lock.images.set('docker.io/library/redis:7', { digest: B });
    lock.images.set('docker.io/library/python:3.12 linux/arm64', { digest: A, created: '2024-02-01T00:00:00Z' });
    lock.images.set('docker.io/library/python:3.12', { digest: A });
    assert.equal(
      serialiseLock(lock),
      [
        '{',
        '  "version": 1,',
        '  "images": {',
        '    "docker.io/library/python:3.12": {',
        `      "digest": "${A}"`,
        '    },',
        '    "docker.io/library/python:3.12 linux/arm64": {',
        `      "digest": "${A}",`,
        '      "created": "2024-02-01T00:00:00Z"',
        '    },',
        '    "docker.io/library/redis:7": {',
        `      "digest": "${B}"`,
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('the same lock gives the same bytes, whatever the insertion order; parse ∘ serialise is the identity', () => {
    const one = emptyLock();
    const two = emptyLock();
    const entries: Array<[string, { digest: string; created?: string }]> = [
      ['ghcr.io/z/z:1', { digest: A }],
      ['docker.io/library/a:1', { digest: B, created: '2024-01-01T00:00:00Z' }],
      ['quay.io/m/m:2 linux/amd64', { digest: A }],
    ];
    for (const [key, entry] of entries) one.images.set(key, entry);
    for (const [key, entry] of [...entries].reverse()) two.images.set(key, entry);
    assert.equal(serialiseLock(one), serialiseLock(two));
    const parsed = parseLock(serialiseLock(one));
    assert.ok(parsed.ok);
    assert.equal(serialiseLock(parsed.lock), serialiseLock(one));
  });

  it('an empty lock', () => {
    assert.equal(serialiseLock(emptyLock()), '{\n  "version": 1,\n  "images": {}\n}\n');
  });
});
