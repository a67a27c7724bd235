// Pure parts of the transport: Retry-After, address classes, proxy selection and NO_PROXY matching.
// Transport behaviour against servers (retries, caps, redirects, timeouts) is in test/integration/registry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LookupAddress } from 'node:dns';
import {
  guardedLookup,
  isLinkLocalAddress,
  linkLocalGuard,
  isLoopbackHost,
  isTlsErrorCode,
  matchesNoProxy,
  parseRetryAfter,
  proxyFor,
  redactUrl,
} from '../../../server/src/registry/http';

describe('parseRetryAfter', () => {
  const NOW = Date.parse('Wed, 01 May 2024 12:00:00 GMT');
  const cases: Array<[string, string | string[] | undefined, number | undefined]> = [
    ['absent', undefined, undefined],
    ['empty', '', undefined],
    ['seconds', '37', 37],
    ['seconds with spaces', '  120 ', 120],
    ['zero', '0', 0],
    ['capped at a week', '99999999', 604_800],
    ['IMF-fixdate in 90 s', 'Wed, 01 May 2024 12:01:30 GMT', 90],
    ['IMF-fixdate one second ahead', 'Wed, 01 May 2024 12:00:01 GMT', 1],
    ['date in the past is 0', 'Wed, 01 May 2024 11:00:00 GMT', 0],
    ['RFC 850 date', 'Wednesday, 01-May-24 12:02:00 GMT', 120],
    ['asctime date', 'Wed May  1 12:03:00 2024', 180],
    ['negative number', '-5', undefined],
    ['decimal number', '1.5', undefined],
    ['garbage', 'soon', undefined],
    ['first of repeated headers', ['10', '20'], 10],
  ];
  for (const [name, value, expected] of cases) it(name, () => assert.equal(parseRetryAfter(value, NOW), expected));
});

describe('isLinkLocalAddress', () => {
  const cases: Array<[string, boolean]> = [
    ['169.254.169.254', true],
    ['169.254.0.1', true],
    ['169.253.255.255', false],
    ['170.254.0.1', false],
    ['fe80::1', true],
    ['[fe80::1]', true],
    ['FE80::abcd%eth0', true],
    ['febf::1', true],
    ['fec0::1', false],
    ['::ffff:169.254.169.254', true],
    ['::ffff:a9fe:a9fe', true],
    ['::ffff:127.0.0.1', false],
    ['127.0.0.1', false],
    ['metadata.google.internal', false],
    ['::1', false],
  ];
  for (const [address, expected] of cases) it(address, () => assert.equal(isLinkLocalAddress(address), expected));
});

describe('isLoopbackHost', () => {
  const cases: Array<[string, boolean]> = [
    ['localhost', true],
    ['localhost:5000', true],
    ['LOCALHOST:5000', true],
    ['registry.localhost:5000', true],
    ['127.0.0.1', true],
    ['127.0.0.1:5000', true],
    ['127.255.1.2:80', true],
    ['[::1]', true],
    ['[::1]:5000', true],
    ['::1', true],
    ['128.0.0.1', false],
    ['localhost.example.com', false],
    ['10.0.0.1:5000', false],
    ['[fe80::1]:5000', false],
    ['ghcr.io', false],
  ];
  for (const [host, expected] of cases) it(host, () => assert.equal(isLoopbackHost(host), expected));
});

describe('matchesNoProxy', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['empty list', '', 'https://ghcr.io/v2/', false],
    ['star', '*', 'https://ghcr.io/v2/', true],
    ['exact host', 'ghcr.io', 'https://ghcr.io/v2/', true],
    ['host covers subdomains', 'example.com', 'https://registry.example.com/v2/', true],
    ['host is not a suffix of another name', 'example.com', 'https://notexample.com/v2/', false],
    ['leading dot: subdomain', '.example.com', 'https://registry.example.com/v2/', true],
    ['leading dot: the domain itself (curl)', '.example.com', 'https://example.com/v2/', true],
    ['*. prefix', '*.example.com', 'https://a.b.example.com/v2/', true],
    ['case-insensitive', 'GHCR.IO', 'https://ghcr.io/v2/', true],
    ['list with spaces and commas', 'foo.com, ghcr.io ,bar', 'https://ghcr.io/v2/', true],
    ['port must match', 'registry.example.com:5000', 'https://registry.example.com:5001/v2/', false],
    ['port matches', 'registry.example.com:5000', 'https://registry.example.com:5000/v2/', true],
    ['default https port', 'registry.example.com:443', 'https://registry.example.com/v2/', true],
    ['IPv4 exact', '10.1.2.3', 'http://10.1.2.3:5000/v2/', true],
    ['IPv4 CIDR', '10.0.0.0/8', 'http://10.1.2.3:5000/v2/', true],
    ['IPv4 CIDR miss', '10.0.0.0/16', 'http://10.1.2.3:5000/v2/', false],
    ['IPv6 exact (different spelling)', '2001:db8::1', 'https://[2001:db8:0:0::1]/v2/', true],
    ['IPv6 bracketed with port', '[2001:db8::1]:5000', 'https://[2001:db8::1]:5000/v2/', true],
    ['IPv6 CIDR', '2001:db8::/32', 'https://[2001:db8:ffff::1]/v2/', true],
    ['a name does not match an IP', 'example.com', 'https://10.0.0.1/v2/', false],
  ];
  for (const [name, list, url, expected] of cases)
    it(name, () => assert.equal(matchesNoProxy(new URL(url), list), expected));
});

describe('proxyFor', () => {
  const cases: Array<[string, NodeJS.ProcessEnv, string, string | null]> = [
    ['no proxy set', {}, 'https://ghcr.io/v2/', null],
    ['HTTPS_PROXY for https', { HTTPS_PROXY: 'http://proxy:3128' }, 'https://ghcr.io/v2/', 'http://proxy:3128'],
    ['HTTP_PROXY is not used for https', { HTTP_PROXY: 'http://proxy:3128' }, 'https://ghcr.io/v2/', null],
    [
      'HTTP_PROXY for http',
      { HTTP_PROXY: 'http://proxy:3128' },
      'http://registry.internal:5000/v2/',
      'http://proxy:3128',
    ],
    [
      'lower case wins',
      { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' },
      'https://ghcr.io/v2/',
      'http://lower:1',
    ],
    ['scheme-less proxy gets http://', { HTTPS_PROXY: 'proxy:3128' }, 'https://ghcr.io/v2/', 'http://proxy:3128'],
    ['NO_PROXY excludes', { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'ghcr.io' }, 'https://ghcr.io/v2/', null],
    ['no_proxy lower case', { HTTPS_PROXY: 'http://proxy:3128', no_proxy: '.io' }, 'https://ghcr.io/v2/', null],
    ['loopback is never proxied', { HTTPS_PROXY: 'http://proxy:3128' }, 'https://127.0.0.1:5000/v2/', null],
    ['localhost is never proxied', { HTTP_PROXY: 'http://proxy:3128' }, 'http://localhost:5000/v2/', null],
    ['empty value is unset', { HTTPS_PROXY: '' }, 'https://ghcr.io/v2/', null],
  ];
  for (const [name, env, url, expected] of cases) it(name, () => assert.equal(proxyFor(new URL(url), env), expected));
});

describe('isTlsErrorCode', () => {
  const cases: Array<[string | undefined, boolean]> = [
    ['EPROTO', true],
    ['ERR_SSL_WRONG_VERSION_NUMBER', true],
    ['CERT_HAS_EXPIRED', true],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', true],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', true],
    ['ERR_TLS_CERT_ALTNAME_INVALID', true],
    ['ECONNRESET', false],
    [undefined, false],
  ];
  for (const [code, expected] of cases) it(String(code), () => assert.equal(isTlsErrorCode(code), expected));
});

describe('redactUrl', () => {
  it('drops user info and query', () =>
    assert.equal(redactUrl('https://u:p@auth.example.com/token?account=me&scope=x'), 'https://auth.example.com/token'));
});

describe('guardedLookup', () => {
  const lookup = (host: string, all: boolean) =>
    new Promise<{ code?: string; addresses: string[] }>((resolve) => {
      guardedLookup(host, { all } as never, (error, address) => {
        if (error) resolve({ code: error.code, addresses: [] });
        else resolve({ addresses: Array.isArray(address) ? address.map((a: LookupAddress) => a.address) : [address] });
      });
    });
  it('passes loopback names through (single and all)', async () => {
    for (const all of [false, true]) {
      const result = await lookup('localhost', all);
      assert.equal(result.code, undefined);
      assert.ok(
        result.addresses.length >= 1 && result.addresses.every((a) => a === '127.0.0.1' || a === '::1'),
        JSON.stringify(result),
      );
    }
  });
  const fake = (addresses: string[]) =>
    linkLocalGuard((_host, _options, callback) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      ),
    );
  const viaFake = (addresses: string[], all: boolean) =>
    new Promise<unknown>((resolve) => {
      fake(addresses)('metadata.example', { all } as never, (error, address) =>
        resolve(error ? [error.code, error.message] : address),
      );
    });
  const cases: Array<[string, string[], boolean, unknown]> = [
    [
      'only link-local: refused',
      ['169.254.169.254'],
      false,
      ['ERR_LINK_LOCAL', 'metadata.example resolves to a link-local address; refusing it'],
    ],
    [
      'only link-local v6: refused',
      ['fe80::1'],
      true,
      ['ERR_LINK_LOCAL', 'metadata.example resolves to a link-local address; refusing it'],
    ],
    [
      'mixed: the link-local address is dropped',
      ['169.254.1.1', '10.0.0.5'],
      true,
      [{ address: '10.0.0.5', family: 4 }],
    ],
    ['mixed, single answer: the safe one', ['fe80::2', '10.0.0.6'], false, '10.0.0.6'],
  ];
  for (const [name, addresses, all, expected] of cases)
    it(name, async () => assert.deepEqual(await viaFake(addresses, all), expected));
  it('an unresolvable name keeps its DNS error', async () => {
    const result = await lookup('no-such-host.invalid', false);
    assert.ok(result.code === 'ENOTFOUND' || result.code === 'EAI_AGAIN', String(result.code));
  });
});
