// Cache: TTL, "not found" entries, stale answers, the persistent store (atomic, merged, validated; corrupt or
// unwritable files are warnings), and in-flight de-duplication with per-caller cancellation. Injected clock.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CACHE_FILE,
  Inflight,
  RegistryCache,
  type CacheOptions,
  type TagEntry,
} from '../../../server/src/registry/cache';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const DIGEST2 = `sha256:${'b'.repeat(64)}`;
const MT = 'application/vnd.oci.image.index.v1+json';
const HOUR = 3_600_000;

let root: string;
let n = 0;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'digest-pin-cache-'));
});
after(() => rmSync(root, { recursive: true, force: true }));
const freshDir = (): string => join(root, `c${n++}`);

function make(options: Partial<CacheOptions> & { start?: number } = {}) {
  const clock = { now: options.start ?? 1_000_000_000 };
  const warnings: string[] = [];
  const cache = new RegistryCache({ now: () => clock.now, logger: { warn: (m) => warnings.push(m) }, ...options });
  return { cache, clock, warnings };
}

describe('tag entries', () => {
  it('fresh within the TTL, stale after, expired after the stale window', () => {
    const { cache, clock } = make({ tagTtlMs: HOUR, maxStaleMs: 2 * HOUR });
    const entry: TagEntry = { digest: DIGEST, mediaType: MT, checkedAt: clock.now };
    cache.storeTag('docker.io/library/python:3', entry);
    const states: Array<[number, string | undefined]> = [
      [0, 'fresh'],
      [HOUR - 1, 'fresh'],
      [HOUR, 'stale'],
      [3 * HOUR - 1, 'stale'],
      [3 * HOUR, 'expired'],
    ];
    const start = clock.now;
    for (const [age, state] of states) {
      clock.now = start + age;
      assert.equal(cache.lookupTag('docker.io/library/python:3')?.state, state, `age ${age}`);
    }
    assert.equal(cache.lookupTag('docker.io/library/python:4'), undefined);
  });
  it('defaults: 1 h TTL, 5 min for not-found', () => {
    const { cache } = make();
    assert.deepEqual([cache.tagTtlMs, cache.missingTtlMs], [HOUR, 300_000]);
  });
  it('a not-found answer holds for its own TTL, then the older tag answer shows again', () => {
    const { cache, clock } = make({ missingTtlMs: 300_000 });
    cache.storeTag('k', { digest: DIGEST, mediaType: MT, checkedAt: clock.now - 10 });
    cache.storeMissing('k', { message: 'tag 1 of x not found on r', checkedAt: clock.now });
    assert.deepEqual(cache.lookupTag('k'), {
      state: 'missing',
      entry: { message: 'tag 1 of x not found on r', checkedAt: clock.now },
    });
    clock.now += 300_000;
    assert.equal(cache.lookupTag('k')?.state, 'fresh');
  });
  it('a newer tag answer replaces a not-found one', () => {
    const { cache, clock } = make();
    cache.storeMissing('k', { message: 'm', checkedAt: clock.now });
    clock.now += 1000;
    cache.storeTag('k', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
    assert.equal(cache.lookupTag('k')?.state, 'fresh');
  });
  it('never stores an invalid digest', () => {
    const { cache, clock } = make();
    cache.storeTag('k', { digest: 'sha256:abc\r\nX: y', mediaType: MT, checkedAt: clock.now });
    assert.equal(cache.lookupTag('k'), undefined);
  });
});

describe('persistent store', () => {
  it('a new cache on the same directory answers within the TTL', async () => {
    const dir = freshDir();
    const a = make({ dir });
    await a.cache.ready();
    a.cache.storeTag('r/x:1', { digest: DIGEST, mediaType: MT, checkedAt: a.clock.now });
    a.cache.storeManifest(DIGEST, {
      kind: 'index',
      mediaType: MT,
      children: [
        {
          digest: DIGEST2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
    });
    a.cache.storeConfig(DIGEST2, { created: '2024-01-15T10:00:00Z', platform: { os: 'linux', architecture: 'arm64' } });
    await a.cache.flush();
    const b = make({ dir, start: a.clock.now + 1000 });
    await b.cache.ready();
    assert.deepEqual(b.cache.lookupTag('r/x:1'), {
      state: 'fresh',
      entry: { digest: DIGEST, mediaType: MT, checkedAt: a.clock.now },
    });
    assert.deepEqual(b.cache.manifest(DIGEST)?.children?.[0]?.platform, { os: 'linux', architecture: 'arm64' });
    assert.deepEqual(b.cache.config(DIGEST2), {
      created: '2024-01-15T10:00:00Z',
      platform: { os: 'linux', architecture: 'arm64' },
    });
    assert.deepEqual(b.warnings, []);
  });
  it('writes atomically: only the store file remains, no temp files', async () => {
    const dir = freshDir();
    const { cache, clock } = make({ dir });
    cache.storeTag('r/x:1', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
    await Promise.all([cache.flush(), cache.flush(), cache.flush()]);
    assert.deepEqual(readdirSync(dir), [CACHE_FILE]);
    const json = JSON.parse(readFileSync(join(dir, CACHE_FILE), 'utf8')) as {
      version: number;
      tags: Record<string, TagEntry>;
    };
    assert.deepEqual([json.version, json.tags['r/x:1']], [1, { digest: DIGEST, mediaType: MT, checkedAt: clock.now }]);
  });
  it('merges with entries another process wrote meanwhile (newer wins)', async () => {
    const dir = freshDir();
    const a = make({ dir });
    const b = make({ dir });
    await Promise.all([a.cache.ready(), b.cache.ready()]);
    a.cache.storeTag('r/x:1', { digest: DIGEST, mediaType: MT, checkedAt: a.clock.now });
    b.cache.storeTag('r/y:1', { digest: DIGEST2, mediaType: MT, checkedAt: b.clock.now });
    b.cache.storeTag('r/x:1', { digest: DIGEST2, mediaType: MT, checkedAt: b.clock.now + 5 });
    await a.cache.flush();
    await b.cache.flush();
    const c = make({ dir });
    await c.cache.ready();
    assert.deepEqual(
      [c.cache.lookupTag('r/x:1')?.entry, c.cache.lookupTag('r/y:1')?.state],
      [{ digest: DIGEST2, mediaType: MT, checkedAt: b.clock.now + 5 }, 'fresh'],
    );
  });
  it('drops entries too old to serve when writing', async () => {
    const dir = freshDir();
    const { cache, clock } = make({ dir, tagTtlMs: HOUR, maxStaleMs: HOUR });
    cache.storeTag('old', { digest: DIGEST, mediaType: MT, checkedAt: clock.now - 2 * HOUR });
    cache.storeTag('new', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
    await cache.flush();
    const json = JSON.parse(readFileSync(join(dir, CACHE_FILE), 'utf8')) as { tags: Record<string, unknown> };
    assert.deepEqual(Object.keys(json.tags), ['new']);
  });
  const corrupt: Array<[string, string, string]> = [
    ['not JSON', '{"version":1,"tags":{', 'not valid JSON'],
    ['not an object', '[1,2]', 'not a JSON object'],
    ['other version', '{"version":99}', 'format version 99 is not 1'],
  ];
  for (const [name, text, reason] of corrupt) {
    it(`corrupt file (${name}) is ignored with a warning and rewritten`, async () => {
      const dir = freshDir();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, CACHE_FILE), text);
      const { cache, clock, warnings } = make({ dir });
      await cache.ready();
      assert.deepEqual(warnings, [
        `registry cache ${join(dir, CACHE_FILE)} is ignored: ${reason}; it will be rewritten`,
      ]);
      cache.storeTag('k', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
      await cache.flush();
      const again = make({ dir });
      await again.cache.ready();
      assert.equal(again.cache.lookupTag('k')?.state, 'fresh');
      assert.deepEqual(again.warnings, []);
    });
  }
  it('invalid entries are dropped one by one; valid ones load', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const now = 1_000_000_000;
    writeFileSync(
      join(dir, CACHE_FILE),
      JSON.stringify({
        version: 1,
        tags: {
          good: { digest: DIGEST, mediaType: MT, checkedAt: now },
          crlf: { digest: `${DIGEST}\r\nX: 1`, mediaType: MT, checkedAt: now },
          short: { digest: 'sha256:abc', mediaType: MT, checkedAt: now },
          badType: { digest: DIGEST, mediaType: 'text/html; x', checkedAt: now },
          noTime: { digest: DIGEST, mediaType: MT },
        },
        manifests: {
          [DIGEST]: { kind: 'index', mediaType: MT, children: [{ digest: 'nope', mediaType: MT }] },
          'not-a-digest': { kind: 'manifest', mediaType: MT, configDigest: DIGEST },
        },
        configs: { [DIGEST2]: { created: 'yesterday', platform: { os: 'linux', architecture: 'arm64' } } },
      }),
    );
    const { cache } = make({ dir, start: now });
    await cache.ready();
    assert.deepEqual(
      ['good', 'crlf', 'short', 'badType', 'noTime'].map((k) => cache.lookupTag(k)?.state),
      ['fresh', undefined, undefined, undefined, undefined],
    );
    assert.equal(cache.manifest(DIGEST), undefined);
    assert.deepEqual(cache.config(DIGEST2), { platform: { os: 'linux', architecture: 'arm64' } });
  });
  it(
    'an unwritable directory warns once and keeps answers in memory',
    { skip: process.getuid?.() === 0 ? 'root can write anywhere' : false },
    async () => {
      const dir = freshDir();
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o500);
      const { cache, clock, warnings } = make({ dir });
      cache.storeTag('k', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
      await cache.flush();
      cache.storeTag('k2', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
      await cache.flush();
      assert.equal(warnings.length, 1);
      assert.equal(cache.lookupTag('k')?.state, 'fresh');
      chmodSync(dir, 0o700);
    },
  );
  it('provenance keys and attachments survive a write and a read; anything else in them is dropped', async () => {
    const dir = freshDir();
    const now = 1_000_000_000;
    const first = make({ dir, start: now }).cache;
    const annotations = { 'org.opencontainers.image.version': '1.0' };
    first.storeManifest(DIGEST, { kind: 'manifest', mediaType: MT, configDigest: DIGEST2, annotations });
    first.storeConfig(DIGEST2, { labels: { 'org.opencontainers.image.revision': 'abc' } });
    first.storeAttachments('r/a@x', { found: [{ kind: 'signature', via: 'cosign-tag' }], checkedAt: now });
    await first.flush();
    const { cache, clock } = make({ dir, start: now });
    await cache.ready();
    assert.deepEqual(cache.manifest(DIGEST)?.annotations, annotations);
    assert.deepEqual(cache.config(DIGEST2), { labels: { 'org.opencontainers.image.revision': 'abc' } });
    assert.deepEqual(cache.attachments('r/a@x')?.found, [{ kind: 'signature', via: 'cosign-tag' }]);
    // Attachments can change (a signature pushed later): kept for the tag TTL only.
    clock.now += HOUR;
    assert.equal(cache.attachments('r/a@x'), undefined);

    const hostile = freshDir();
    mkdirSync(hostile, { recursive: true });
    writeFileSync(
      join(hostile, CACHE_FILE),
      JSON.stringify({
        version: 1,
        tags: {},
        manifests: {
          [DIGEST]: { kind: 'manifest', mediaType: MT, configDigest: DIGEST2, annotations: { 'com.evil': 'x' } },
        },
        configs: { [DIGEST2]: { labels: { 'org.opencontainers.image.title': 'x'.repeat(100_000) } } },
        attachments: {
          a: { found: [{ kind: 'signature', via: 'cosign-tag' }], checkedAt: now },
          b: { found: [{ kind: '<script>', via: 'cosign-tag' }], checkedAt: now },
        },
      }),
    );
    const read = make({ dir: hostile, start: now }).cache;
    await read.ready();
    assert.equal(read.manifest(DIGEST)?.annotations, undefined);
    assert.equal(read.config(DIGEST2)?.labels, undefined);
    assert.ok(read.attachments('a'));
    assert.equal(read.attachments('b'), undefined);
  });

  it('a cache directory that is a file warns once and keeps answers in memory', async () => {
    const file = join(root, `file${n++}`);
    writeFileSync(file, 'x');
    const { cache, clock, warnings } = make({ dir: file });
    await cache.ready();
    cache.storeTag('k', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
    await cache.flush();
    cache.storeTag('k2', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
    await cache.flush();
    assert.deepEqual(warnings, [
      `registry cache ${join(file, CACHE_FILE)} cannot be read (ENOTDIR); starting empty`,
      `registry cache ${join(file, CACHE_FILE)} cannot be written (EEXIST); answers are kept in memory only`,
    ]);
    assert.equal(cache.lookupTag('k')?.state, 'fresh');
  });
  it('no directory: nothing is written', async () => {
    const { cache, clock } = make();
    cache.storeTag('k', { digest: DIGEST, mediaType: MT, checkedAt: clock.now });
    await cache.flush();
    assert.equal(cache.path, undefined);
    assert.equal(existsSync(join(process.cwd(), CACHE_FILE)), false);
  });
});

describe('Inflight', () => {
  const deferred = <T>() => {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    return { promise, resolve };
  };
  it('N concurrent callers share one piece of work', async () => {
    const inflight = new Inflight();
    let runs = 0;
    const gate = deferred<string>();
    const results = Promise.all(
      Array.from({ length: 20 }, () =>
        inflight.run(
          'k',
          undefined,
          () => {
            runs++;
            return gate.promise;
          },
          () => 'cancelled',
        ),
      ),
    );
    gate.resolve('digest');
    assert.deepEqual(await results, Array(20).fill('digest'));
    assert.equal(runs, 1);
    assert.equal(inflight.size, 0);
  });
  it('one caller cancelling does not abort the shared work; all cancelling does', async () => {
    const inflight = new Inflight();
    const gate = deferred<string>();
    let workSignal: AbortSignal | undefined;
    const a = new AbortController();
    const b = new AbortController();
    const pa = inflight.run(
      'k',
      a.signal,
      (s) => {
        workSignal = s;
        return gate.promise;
      },
      () => 'cancelled',
    );
    const pb = inflight.run(
      'k',
      b.signal,
      () => gate.promise,
      () => 'cancelled',
    );
    a.abort();
    assert.equal(await pa, 'cancelled');
    assert.equal(workSignal?.aborted, false);
    b.abort();
    assert.equal(await pb, 'cancelled');
    assert.equal(workSignal?.aborted, true);
    gate.resolve('late');
  });
  it('a caller without a signal keeps the work alive', async () => {
    const inflight = new Inflight();
    const gate = deferred<string>();
    let workSignal: AbortSignal | undefined;
    const a = new AbortController();
    const pa = inflight.run(
      'k',
      a.signal,
      (s) => {
        workSignal = s;
        return gate.promise;
      },
      () => 'cancelled',
    );
    const pb = inflight.run(
      'k',
      undefined,
      () => gate.promise,
      () => 'cancelled',
    );
    a.abort();
    gate.resolve('done');
    assert.deepEqual([await pa, await pb, workSignal?.aborted], ['cancelled', 'done', false]);
  });
  it('an already aborted signal answers at once', async () => {
    const inflight = new Inflight();
    const gate = deferred<string>();
    assert.equal(
      await inflight.run(
        'k',
        AbortSignal.abort(),
        () => gate.promise,
        () => 'cancelled',
      ),
      'cancelled',
    );
    gate.resolve('x');
  });
});
