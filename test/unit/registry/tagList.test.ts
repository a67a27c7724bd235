// Tag lists with a scripted transport: every linked page is read, only version-looking tags are kept, pages and
// entries are capped (and the list says so), a next page on another host is not requested, the list is cached for
// its TTL (in memory and in the cache file), errors are values.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createRegistryClient, staticCredentials, type RegistryClientOptions } from '../../../server/src/registry';
import { parseImageReference, type ParsedImageRef } from '../../../server/src/references/imageRef';
import type { HttpRequest, HttpTransport } from '../../../server/src/registry/http';
import { MAX_TAG_PAGES, nextPage, parseTagsPage } from '../../../server/src/registry/tagList';

type Page = { status: number; body?: string; link?: string };

function transport(pages: (request: HttpRequest) => Page): HttpTransport & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    async request(request) {
      seen.push(`${request.method ?? 'GET'} ${request.url.pathname}${request.url.search}`);
      const page = pages(request);
      return {
        ok: true,
        response: {
          status: page.status,
          headers: page.link === undefined ? {} : { link: page.link },
          body: Buffer.from(page.body ?? ''),
          url: request.url.href,
          attempts: 1,
        },
      };
    },
    close: () => undefined,
  };
}

const ref = (text: string): ParsedImageRef => {
  const p = parseImageReference(text);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
};
const make = (http: HttpTransport, options: RegistryClientOptions = {}) =>
  createRegistryClient({ http, credentials: staticCredentials({}), logger: { warn: () => undefined }, ...options });
const tagsBody = (tags: unknown) => JSON.stringify({ name: 'acme/app', tags });

describe('listTags', () => {
  it('reads every page the Link header names, keeps the version-looking tags, in no assumed order', async () => {
    const http = transport((request) => {
      const last = request.url.searchParams.get('last');
      if (last === null)
        return {
          status: 200,
          body: tagsBody(['3.12.8-slim', 'latest', 'sha-abc1234']),
          link: '</v2/acme/app/tags/list?last=sha-abc1234&n=1000>; rel="next"',
        };
      return { status: 200, body: tagsBody(['3.12.7-slim', '3.13.1-slim', 'main']) };
    });
    const result = await make(http).listTags(ref('ghcr.io/acme/app'));
    assert.deepEqual(http.seen, [
      'GET /v2/acme/app/tags/list?n=1000',
      'GET /v2/acme/app/tags/list?last=sha-abc1234&n=1000',
    ]);
    assert.ok(result.ok);
    assert.deepEqual(result.value.tags, ['3.12.8-slim', '3.12.7-slim', '3.13.1-slim']);
    assert.equal(result.value.truncated, false);
    assert.equal(result.value.fromCache, false);
  });

  it(`stops after ${MAX_TAG_PAGES} pages and says the list is truncated`, async () => {
    let n = 0;
    const http = transport(() => {
      n++;
      return { status: 200, body: tagsBody([`1.0.${n}`]), link: `</v2/acme/app/tags/list?last=1.0.${n}>; rel="next"` };
    });
    const result = await make(http).listTags(ref('ghcr.io/acme/app'));
    assert.equal(http.seen.length, MAX_TAG_PAGES);
    assert.ok(result.ok);
    assert.equal(result.value.truncated, true);
    assert.equal(result.value.tags.length, MAX_TAG_PAGES);
  });

  it('does not follow a next page on another host (no request, no credential there): truncated', async () => {
    const http = transport(() => ({
      status: 200,
      body: tagsBody(['1.0.0']),
      link: '<https://elsewhere.example/v2/acme/app/tags/list?last=1.0.0>; rel="next"',
    }));
    const result = await make(http).listTags(ref('ghcr.io/acme/app'));
    assert.equal(http.seen.length, 1);
    assert.ok(result.ok);
    assert.deepEqual([result.value.tags, result.value.truncated], [['1.0.0'], true]);
  });

  it('is cached for its TTL: a second ask within it sends nothing, one after it lists again', async () => {
    let now = 1_000_000;
    const http = transport(() => ({ status: 200, body: tagsBody(['1.0.0', '1.0.1']) }));
    const client = make(http, { now: () => now, tagListTtlMs: 60_000 });
    await client.listTags(ref('ghcr.io/acme/app'));
    now += 59_000;
    const again = await client.listTags(ref('ghcr.io/acme/app'));
    assert.ok(again.ok && again.value.fromCache);
    assert.equal(http.seen.length, 1);
    now += 2_000;
    await client.listTags(ref('ghcr.io/acme/app'));
    assert.equal(http.seen.length, 2);
  });

  const dir = mkdtempSync(join(tmpdir(), 'dp-taglist-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  it('is kept in the cache file: the next client (the next CLI run) lists nothing within the TTL', async () => {
    const http = transport(() => ({ status: 200, body: tagsBody(['2.0.0', '2.1.0']) }));
    const first = make(http, { cacheDir: dir });
    await first.listTags(ref('ghcr.io/acme/app'));
    await first.close();
    const second = make(http, { cacheDir: dir });
    const result = await second.listTags(ref('ghcr.io/acme/app'));
    await second.close();
    assert.equal(http.seen.length, 1);
    assert.ok(result.ok);
    assert.deepEqual(result.value.tags, ['2.0.0', '2.1.0']);
    const offline = make(
      transport(() => assert.fail('offline must not ask')),
      { cacheDir: dir, offline: true },
    );
    const cached = await offline.listTags(ref('ghcr.io/acme/app'));
    assert.ok(cached.ok && cached.value.fromCache);
  });

  it('errors are values: a 404 is not-found, a page that is not JSON is invalid', async () => {
    const missing = await make(
      transport(() => ({ status: 404, body: '{"errors":[{"code":"NAME_UNKNOWN"}]}' })),
    ).listTags(ref('ghcr.io/acme/app'));
    assert.ok(!missing.ok);
    assert.equal(missing.error.kind, 'not-found');
    const broken = await make(transport(() => ({ status: 200, body: '<html>' }))).listTags(ref('ghcr.io/acme/app'));
    assert.ok(!broken.ok);
    assert.equal(broken.error.kind, 'invalid-response');
    const offline = await make(
      transport(() => assert.fail('no request')),
      { offline: true },
    ).listTags(ref('ghcr.io/acme/app'));
    assert.ok(!offline.ok);
    assert.equal(offline.error.kind, 'offline');
  });
});

describe('nextPage', () => {
  const target = { apiHost: 'ghcr.io' };
  const cases: Array<[string | undefined, string | null | 'elsewhere']> = [
    [undefined, null],
    ['</v2/a/tags/list?last=x&n=100>; rel="next"', '/v2/a/tags/list?last=x&n=100'],
    ['<https://ghcr.io/v2/a/tags/list?last=x>; rel=next', '/v2/a/tags/list?last=x'],
    ['</v2/a/tags/list?last=p>; rel="prev", </v2/a/tags/list?last=n>; rel="next"', '/v2/a/tags/list?last=n'],
    ['</v2/a/tags/list?last=x>; rel="first"', null],
    ['<https://cdn.example/v2/a/tags/list?last=x>; rel="next"', 'elsewhere'],
    ['</other/path>; rel="next"', null],
    ['garbage', null],
  ];
  for (const [link, expected] of cases)
    it(`${link ?? '(none)'} → ${String(expected)}`, () => assert.equal(nextPage(link, target), expected));
});

describe('parseTagsPage', () => {
  const cases: Array<[string, string[] | null]> = [
    ['{"name":"a","tags":["1.0","latest"]}', ['1.0', 'latest']],
    ['{"name":"a","tags":null}', []],
    ['{"name":"a"}', []],
    ['{"tags":"1.0"}', null],
    ['[]', null],
    ['not json', null],
    ['{"tags":["ok",7,"bad tag","-x"]}', ['ok']],
  ];
  for (const [body, expected] of cases) it(body, () => assert.deepEqual(parseTagsPage(Buffer.from(body)), expected));
});
