// resolve / describe / checkPin against the real docker-registry behind the counting fault proxy: exact digests of the
// seeded fixtures, request counts (HEAD only, de-duplication, TTL, persistent cache, stale-while-revalidate, offline),
// drift and gone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { anonymousCredentials, createRegistryClient, type RegistryClientOptions } from '../../../server/src/registry';
import { faults } from '../support/faultProxy';
import { pushImage, pushIndex, DEFAULT_CREATED } from '../support/seed';
import { FAST, clock, error, recordingLogger, ref, value, useSeededProxy } from './support';

const seeded = useSeededProxy('digest-pin-resolve-');
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const proxy = () => seeded.setup.proxy!;
const client = (options: RegistryClientOptions = {}) =>
  createRegistryClient({ credentials: anonymousCredentials, logger: recordingLogger(), ...FAST, ...options });
const heads = (path?: RegExp) => proxy().count({ method: 'HEAD', ...(path ? { path } : {}) });
const gets = (path?: RegExp) => proxy().count({ method: 'GET', ...(path ? { path } : {}) });

describe('resolve: the seeded digests', () => {
  it('every fixture resolves to the digest that was pushed, with one HEAD each and no GET', async () => {
    const c = client();
    const f = seeded.setup.fixtures;
    const cases: Array<[string, string, string]> = [
      [f.dockerImage.ref, f.dockerImage.digest, 'application/vnd.docker.distribution.manifest.v2+json'],
      [f.ociImage.ref, f.ociImage.digest, OCI_MANIFEST],
      [f.ociIndex.ref, f.ociIndex.digest, OCI_INDEX],
      [f.dockerList.ref, f.dockerList.digest, 'application/vnd.docker.distribution.manifest.list.v2+json'],
      [f.drift.ref, f.drift.newDigest, OCI_MANIFEST],
    ];
    for (const [text, digest, mediaType] of cases) {
      const r = value(await c.resolve(ref(text)));
      assert.deepEqual([r.digest, r.mediaType, r.fromCache], [digest, mediaType, false], text);
    }
    assert.equal(heads(), cases.length);
    assert.equal(gets(), 0);
    await c.close();
  });

  it('with a platform: the matching child of an index (and of a Docker list, arm/v7)', async () => {
    const c = client();
    const f = seeded.setup.fixtures;
    const arm64 = value(await c.resolve(ref(f.ociIndex.ref), { platform: 'linux/arm64' }));
    assert.deepEqual(
      [arm64.digest, arm64.indexDigest, arm64.mediaType],
      [f.ociIndex.children[1]!.digest, f.ociIndex.digest, OCI_MANIFEST],
    );
    const amd64 = value(await c.resolve(ref(f.ociIndex.ref), { platform: 'linux/x86_64' }));
    assert.equal(amd64.digest, f.ociIndex.children[0]!.digest);
    const armv7 = value(await c.resolve(ref(f.dockerList.ref), { platform: 'linux/arm/v7' }));
    assert.equal(armv7.digest, f.dockerList.children[1]!.digest);
    // one HEAD per tag, one GET per index (cached by digest afterwards)
    assert.deepEqual([heads(), gets(/\/manifests\//)], [2, 2]);
    const missing = error(await c.resolve(ref(f.ociIndex.ref), { platform: 'windows/amd64' }));
    assert.deepEqual(
      [missing.kind, missing.message],
      [
        'not-found',
        `platform windows/amd64 of fixtures/oci-index:1.0 not found on ${seeded.setup.host} (available: linux/amd64, linux/arm64)`,
      ],
    );
    await c.close();
  });

  it('details: platforms without attestations, created from the default platform config', async () => {
    const c = client();
    const f = seeded.setup.fixtures;
    const index = value(await c.resolve(ref(f.ociIndex.ref), { details: true }));
    assert.deepEqual(index.platforms, [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    assert.equal(index.created, DEFAULT_CREATED);
    const list = value(await c.resolve(ref(f.dockerList.ref), { details: true }));
    assert.deepEqual(list.platforms, [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ]);
    const single = value(await c.resolve(ref(f.dockerImage.ref), { details: true }));
    assert.deepEqual([single.platforms, single.created], [[{ os: 'linux', architecture: 'amd64' }], DEFAULT_CREATED]);
    const drift = value(await c.resolve(ref(f.drift.ref), { details: true }));
    assert.equal(drift.created, '2024-02-01T00:00:00Z');
    const requests = proxy().count();
    // details are cached for ever by digest: asking again costs nothing
    value(await c.resolve(ref(f.ociIndex.ref), { details: true }));
    assert.equal(proxy().count(), requests);
    await c.close();
  });

  it('describe: children and platforms of an index by digest', async () => {
    const c = client();
    const f = seeded.setup.fixtures;
    const d = value(await c.describe(ref(f.ociIndex.ref), f.ociIndex.digest));
    assert.deepEqual(d, {
      digest: f.ociIndex.digest,
      mediaType: OCI_INDEX,
      platforms: [
        { os: 'linux', architecture: 'amd64' },
        { os: 'linux', architecture: 'arm64' },
      ],
      children: [
        {
          digest: f.ociIndex.children[0]!.digest,
          mediaType: OCI_MANIFEST,
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          digest: f.ociIndex.children[1]!.digest,
          mediaType: OCI_MANIFEST,
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
      created: DEFAULT_CREATED,
    });
    assert.equal(heads(), 0);
    await c.close();
  });

  it('not found: tag and repository, remembered for the negative TTL', async () => {
    const c = client();
    const tag = error(await c.resolve(ref(`${seeded.setup.host}/fixtures/oci-image:9.9`)));
    assert.deepEqual(
      [tag.kind, tag.message],
      ['not-found', `tag 9.9 of fixtures/oci-image not found on ${seeded.setup.host}`],
    );
    const repo = error(await c.resolve(ref(`${seeded.setup.host}/fixtures/nothing-here:1`)));
    assert.deepEqual(
      [repo.kind, repo.message],
      ['not-found', `tag 1 of fixtures/nothing-here not found on ${seeded.setup.host}`],
    );
    assert.equal(heads(), 2);
    const again = error(await c.resolve(ref(`${seeded.setup.host}/fixtures/oci-image:9.9`)));
    assert.equal(again.kind, 'not-found');
    assert.equal(heads(), 2);
    await c.close();
  });
});

describe('resolve: requests saved', () => {
  it('20 concurrent lookups of one tag cost 1 HEAD', async () => {
    const c = client();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => c.resolve(ref(seeded.setup.fixtures.ociIndex.ref))),
    );
    assert.deepEqual(
      results.map((r) => value(r).digest),
      Array(20).fill(seeded.setup.fixtures.ociIndex.digest),
    );
    assert.equal(heads(), 1);
    await c.close();
  });

  it('a second resolve within the TTL costs 0 requests', async () => {
    const c = client();
    value(await c.resolve(ref(seeded.setup.fixtures.ociImage.ref)));
    const second = value(await c.resolve(ref(seeded.setup.fixtures.ociImage.ref)));
    assert.equal(second.fromCache, true);
    assert.equal(proxy().count(), 1);
    await c.close();
  });

  it('a new client on the same cache dir within the TTL costs 0 requests', async () => {
    const cacheDir = join(seeded.tmp, 'shared');
    const t = clock();
    const first = client({ cacheDir, now: t.now });
    value(await first.resolve(ref(seeded.setup.fixtures.dockerList.ref), { details: true }));
    await first.close();
    const before = proxy().count();
    t.advance(30 * 60 * 1000);
    const second = client({ cacheDir, now: t.now });
    const r = value(await second.resolve(ref(seeded.setup.fixtures.dockerList.ref), { details: true }));
    assert.deepEqual(
      [r.digest, r.fromCache, r.platforms?.length, r.created],
      [seeded.setup.fixtures.dockerList.digest, true, 2, DEFAULT_CREATED],
    );
    assert.equal(proxy().count(), before);
    await second.close();
  });

  it('stale entry: answered at once (despite a slow registry), refreshed in the background', async () => {
    const cacheDir = join(seeded.tmp, 'stale');
    const t = clock();
    const c = client({ cacheDir, now: t.now });
    const first = value(await c.resolve(ref(seeded.setup.fixtures.ociImage.ref)));
    assert.equal(heads(), 1);
    t.advance(60 * 60 * 1000 + 1);
    proxy().inject(faults.latency(1000), { method: 'HEAD' });
    const started = Date.now();
    const stale = value(await c.resolve(ref(seeded.setup.fixtures.ociImage.ref)));
    const elapsed = Date.now() - started;
    assert.deepEqual(
      [stale.digest, stale.fromCache, stale.stale, stale.checkedAt],
      [first.digest, true, true, first.checkedAt],
    );
    assert.ok(elapsed < 500, `stale answer took ${elapsed} ms, the registry takes 1000 ms`);
    await c.flush(); // waits for the background refresh
    assert.equal(heads(), 2);
    const fresh = value(await c.resolve(ref(seeded.setup.fixtures.ociImage.ref)));
    assert.deepEqual([fresh.fromCache, fresh.stale, fresh.checkedAt], [true, undefined, t.now()]);
    assert.equal(heads(), 2);
    await c.close();
  });

  it('a failed background refresh is not retried on every lookup for a minute', async () => {
    const t = clock();
    const c = client({ now: t.now });
    value(await c.resolve(ref(seeded.setup.fixtures.dockerImage.ref)));
    t.advance(60 * 60 * 1000 + 1);
    proxy().inject(faults.unavailable(), { method: 'HEAD' });
    proxy().clearLog();
    for (let i = 0; i < 3; i++) {
      assert.equal(value(await c.resolve(ref(seeded.setup.fixtures.dockerImage.ref))).stale, true);
      await c.flush();
    }
    assert.equal(heads(), 3, 'one refresh, with its 2 retries');
    t.advance(60_000);
    proxy().clearFaults();
    value(await c.resolve(ref(seeded.setup.fixtures.dockerImage.ref)));
    await c.flush();
    assert.equal(heads(), 4);
    const fresh = value(await c.resolve(ref(seeded.setup.fixtures.dockerImage.ref)));
    assert.deepEqual([fresh.stale, fresh.checkedAt], [undefined, t.now()]);
    await c.close();
  });

  it('offline: answers from the cache only, a miss is an offline error, no request at all', async () => {
    const cacheDir = join(seeded.tmp, 'offline');
    const t = clock();
    const online = client({ cacheDir, now: t.now });
    value(await online.resolve(ref(seeded.setup.fixtures.ociIndex.ref), { details: true }));
    await online.close();
    proxy().clearLog();
    t.advance(30 * 24 * 60 * 60 * 1000); // long past TTL and stale window: offline still answers
    const off = client({ cacheDir, now: t.now, offline: true });
    const r = value(
      await off.resolve(ref(seeded.setup.fixtures.ociIndex.ref), { details: true, platform: 'linux/arm64' }),
    );
    assert.deepEqual(
      [r.digest, r.stale, r.platforms?.length],
      [seeded.setup.fixtures.ociIndex.children[1]!.digest, true, 2],
    );
    const miss = error(await off.resolve(ref(seeded.setup.fixtures.ociImage.ref)));
    assert.deepEqual(
      [miss.kind, miss.message],
      [
        'offline',
        `offline: ${seeded.setup.host}/fixtures/oci-image:1.0 is not in the cache; run once online to fill it`,
      ],
    );
    assert.equal(proxy().count(), 0);
    await off.close();
  });

  it('the cache file holds only validated digests', async () => {
    const cacheDir = join(seeded.tmp, 'file');
    const c = client({ cacheDir });
    value(await c.resolve(ref(seeded.setup.fixtures.ociIndex.ref), { details: true }));
    await c.close();
    const store = JSON.parse(readFileSync(join(cacheDir, 'registry-cache.json'), 'utf8')) as {
      tags: Record<string, { digest: string }>;
    };
    assert.deepEqual(
      store.tags[`${seeded.setup.host}/fixtures/oci-index:1.0`]?.digest,
      seeded.setup.fixtures.ociIndex.digest,
    );
  });
});

describe('checkPin', () => {
  it('current: the pin is the tag digest (1 HEAD)', async () => {
    const t = clock();
    const c = client({ now: t.now });
    const f = seeded.setup.fixtures.ociIndex;
    assert.deepEqual(await c.checkPin(ref(`${f.ref}@${f.digest}`)), {
      status: 'current',
      digest: f.digest,
      checkedAt: t.now(),
    });
    assert.equal(heads(), 1);
    await c.close();
  });

  it('drifted: the re-pushed tag', async () => {
    const c = client();
    const d = seeded.setup.fixtures.drift;
    const status = await c.checkPin(ref(`${d.ref}@${d.oldDigest}`));
    assert.equal(status.status, 'drifted');
    if (status.status === 'drifted')
      assert.deepEqual([status.pinned, status.current, status.tagDigest], [d.oldDigest, d.newDigest, d.newDigest]);
    await c.close();
  });

  it('checking a drifted pin again within the TTL costs 0 requests', async () => {
    const c = client();
    const d = seeded.setup.fixtures.drift;
    const first = await c.checkPin(ref(`${d.ref}@${d.oldDigest}`));
    assert.deepEqual(
      proxy()
        .requests()
        .map((r) => `${r.method} ${r.path}`),
      [`HEAD /v2/${d.repo}/manifests/latest`, `HEAD /v2/${d.repo}/manifests/${d.oldDigest}`],
    );
    proxy().clearLog();
    assert.deepEqual(await c.checkPin(ref(`${d.ref}@${d.oldDigest}`)), first);
    assert.equal(proxy().count(), 0);
    await c.close();
  });

  it('gone: the pinned digest was deleted', async () => {
    const c = client();
    const g = seeded.setup.fixtures.gone;
    const status = await c.checkPin(ref(`${g.ref}@${g.digest}`));
    assert.deepEqual([status.status, status.status === 'gone' ? status.pinned : null], ['gone', g.digest]);
    await c.close();
  });

  it('a platform child of the current index is current', async () => {
    const c = client();
    const f = seeded.setup.fixtures.ociIndex;
    const status = await c.checkPin(ref(`${f.ref}@${f.children[1]!.digest}`));
    assert.equal(status.status, 'current');
    await c.close();
  });

  it('a platform pin of a re-pushed index drifts to the same platform child, not to the index', async () => {
    const target = { url: proxy().url, host: proxy().host };
    const repo = 'itest/multi';
    const build = async (content: string) => {
      const children = [
        await pushImage(target, repo, undefined, {
          format: 'oci',
          platform: { os: 'linux', architecture: 'amd64' },
          content,
        }),
        await pushImage(target, repo, undefined, {
          format: 'oci',
          platform: { os: 'linux', architecture: 'arm64' },
          content,
        }),
      ];
      return { index: await pushIndex(target, repo, '1', { format: 'oci', children, attestation: true }), children };
    };
    const old = await build('one');
    const now = await build('two');
    proxy().clearLog();
    const c = client();
    const status = await c.checkPin(ref(`${proxy().host}/${repo}:1@${old.children[1]!.digest}`));
    assert.deepEqual(status.status === 'drifted' ? [status.pinned, status.current, status.tagDigest] : status, [
      old.children[1]!.digest,
      now.children[1]!.digest,
      now.index.digest,
    ]);
    // with the platform given, the pin's own config is not needed
    const c2 = client();
    const withPlatform = await c2.checkPin(ref(`${proxy().host}/${repo}:1@${old.children[0]!.digest}`), {
      platform: 'linux/amd64',
    });
    assert.deepEqual(withPlatform.status === 'drifted' ? withPlatform.current : withPlatform, now.children[0]!.digest);
    await c.close();
    await c2.close();
  });

  it('an error is unknown, never gone: 503 and 403 on the digest HEAD', async () => {
    const g = seeded.setup.fixtures.gone;
    for (const [fault, kind] of [
      [faults.unavailable(), 'network'],
      [{ kind: 'status', status: 403 } as const, 'forbidden'],
    ] as const) {
      proxy().clearFaults();
      proxy().inject(fault, { method: 'HEAD', path: `/v2/${g.repo}/manifests/${g.digest}` });
      const c = client();
      const status = await c.checkPin(ref(`${g.ref}@${g.digest}`));
      assert.deepEqual([status.status, status.status === 'unknown' ? status.error.kind : null], ['unknown', kind]);
      await c.close();
    }
  });

  it('an error resolving the tag is unknown', async () => {
    proxy().inject(faults.tooManyRequests(5), { method: 'HEAD' });
    const c = client();
    const d = seeded.setup.fixtures.drift;
    const status = await c.checkPin(ref(`${d.ref}@${d.oldDigest}`));
    assert.deepEqual(status.status === 'unknown' ? [status.error.kind, status.error.retryAfter] : status, [
      'rate-limited',
      5,
    ]);
    await c.close();
  });
});
