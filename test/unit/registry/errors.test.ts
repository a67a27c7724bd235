// Error values: wording per situation, sanitising of registry-provided text, and no secret in any message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  clean,
  explain,
  forbidden,
  formatSeconds,
  invalidResponse,
  networkError,
  notFound,
  rateLimited,
  serverError,
  timeoutError,
  tlsError,
  unauthorized,
  unsupported,
  type RegistryError,
} from '../../../server/src/registry/errors';

const SECRET = 'hunter2-S3CRET-value';

describe('messages', () => {
  const cases: Array<[string, RegistryError, string]> = [
    ['not logged in', unauthorized('ghcr.io', false), 'not logged in to ghcr.io: run docker login ghcr.io'],
    [
      'bad stored login',
      unauthorized('ghcr.io', true),
      'ghcr.io rejected the stored credentials: run docker login ghcr.io again',
    ],
    [
      'forbidden anonymous',
      forbidden('ghcr.io', 'org/app', false),
      'access to org/app denied by ghcr.io: it may be private or missing; run docker login ghcr.io if you have access',
    ],
    [
      'forbidden logged in',
      forbidden('ghcr.io', 'org/app', true),
      'access to org/app denied by ghcr.io: check that your account can pull it',
    ],
    [
      'not found',
      notFound('docker.io', 'tag 3.99 of library/python'),
      'tag 3.99 of library/python not found on docker.io',
    ],
    ['rate limited with Retry-After', rateLimited('docker.io', 37), 'rate limited by docker.io; retry in 37 s'],
    ['rate limited long', rateLimited('docker.io', 3600), 'rate limited by docker.io; retry in 60 min'],
    [
      'rate limited without Retry-After on Hub',
      rateLimited('docker.io', undefined),
      'rate limited by docker.io; retry later or run docker login docker.io for a higher limit',
    ],
    ['rate limited elsewhere', rateLimited('quay.io', undefined), 'rate limited by quay.io; retry later'],
    [
      'server error',
      serverError('quay.io', 503, 3),
      'quay.io answered HTTP 503 3 times; the registry is having trouble, try again later',
    ],
    [
      'timeout',
      timeoutError('quay.io', 10),
      'quay.io did not answer within 10 s; check the network or raise the timeout',
    ],
    [
      'network',
      networkError('quay.io', 'connection reset'),
      'cannot reach quay.io: connection reset; check the network connection or proxy settings',
    ],
    [
      'tls',
      tlsError('r.internal', 'self-signed certificate'),
      'TLS connection to r.internal failed: self-signed certificate; if it is a private registry, install its CA certificate (NODE_EXTRA_CA_CERTS)',
    ],
  ];
  for (const [name, error, message] of cases) it(name, () => assert.equal(explain(error), message));
  it('rate-limited keeps retryAfter', () =>
    assert.deepEqual(rateLimited('docker.io', 37), {
      kind: 'rate-limited',
      registry: 'docker.io',
      status: 429,
      retryAfter: 37,
      message: 'rate limited by docker.io; retry in 37 s',
    }));
});

describe('clean', () => {
  const cases: Array<[string, string, string]> = [
    ['Bearer value', `got Authorization: Bearer ${SECRET}`, 'got Authorization: Bearer [redacted]'],
    [
      'Basic value',
      `Basic ${Buffer.from(`u:${SECRET}`).toString('base64')} was refused`,
      'Basic [redacted] was refused',
    ],
    [
      'query parameters',
      `https://auth.example.com/token?password=${SECRET}&x=1`,
      'https://auth.example.com/token?password=[redacted]&x=1',
    ],
    [
      'JSON fields',
      `{"token": "${SECRET}", "access_token":"${SECRET}"}`,
      '{"token":"[redacted]", "access_token":"[redacted]"}',
    ],
    ['JWT', 'token eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln rejected', 'token [redacted] rejected'],
    ['URL user info', `https://bob:${SECRET}@registry.example.com/v2/`, 'https://registry.example.com/v2/'],
    ['control characters and CRLF', 'line one\r\nX-Injected: 1\u0000', 'line one X-Injected: 1'],
    [
      'our own wording survives',
      'is not base64 user:password: run docker login r',
      'is not base64 user:password: run docker login r',
    ],
  ];
  for (const [name, input, expected] of cases) it(name, () => assert.equal(clean(input), expected));
  it('bounds the length', () => assert.equal(clean('x'.repeat(500), 10), `${'x'.repeat(9)}…`));
});

describe('no secret in any message', () => {
  const details = [`Bearer ${SECRET}`, `password=${SECRET}`, `{"secret":"${SECRET}"}`, `https://u:${SECRET}@h/`];
  const makers: Array<[string, (detail: string) => RegistryError]> = [
    ['invalidResponse', (d) => invalidResponse('r', d)],
    ['networkError', (d) => networkError('r', d)],
    ['tlsError', (d) => tlsError('r', d)],
    ['unauthorized detail', (d) => unauthorized('r', true, d)],
    ['notFound detail', (d) => notFound('r', 'x', d)],
    ['unsupported', (d) => unsupported('r', d)],
  ];
  for (const [name, make] of makers) {
    for (const detail of details) {
      it(`${name}: ${detail.slice(0, 12)}…`, () => {
        const error = make(detail);
        assert.ok(!error.message.includes(SECRET), error.message);
        assert.ok(!explain(error).includes(SECRET));
      });
    }
  }
});

describe('formatSeconds', () => {
  const cases: Array<[number, string]> = [
    [0, '0 s'],
    [0.2, '1 s'],
    [119, '119 s'],
    [120, '2 min'],
    [7199, '120 min'],
    [7200, '2 h'],
    [-3, '0 s'],
  ];
  for (const [s, text] of cases) it(String(s), () => assert.equal(formatSeconds(s), text));
});
