import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { asksRegistry } from '../../../server/src/lookup/question';
import {
  atLeast,
  RULES,
  ruleFor,
  ruleHelpUri,
  type DiagnosticCode,
  type OfflineCode,
  type OnlineCode,
  type Severity,
  type WorkspaceCode,
} from '../../../server/src/shared/rules';
import { currentOf, type Current } from '../../../server/src/cli/output/json';
import { diagnose, type Finding } from '../../../server/src/features/diagnostics';
import { formatAge, shortDigest } from '../../../server/src/shared/text';
import { type Online } from '../../../server/src/lookup/answer';
import type { RegistryError } from '../../../server/src/registry/errors';
import type { Resolution } from '../../../server/src/registry/types';
import { buildReference, type ReferenceExtras } from '../../../server/src/references/reference';
import type { ReferenceContext, ReferenceSource } from '../../../server/src/references/types';
import { rangeOf } from '../../support/ranges';

const D = `sha256:${'a'.repeat(64)}`;

interface Case {
  name: string;
  line: string;
  needle: string;
  source?: ReferenceSource;
  context?: ReferenceContext;
  extras?: ReferenceExtras;
  expected: Array<Omit<Finding, 'range'>>;
}

describe('diagnose', () => {
  const cases: Case[] = [
    {
      name: 'a mutable tag is unpinned',
      line: 'FROM python:3.12-slim AS build',
      needle: 'python:3.12-slim',
      expected: [
        { code: 'unpinned', severity: 'warning', message: 'python:3.12-slim is a mutable tag; pin it to a digest' },
      ],
    },
    {
      name: 'a registry, port and path are kept as written',
      line: 'image: localhost:5000/team/app:2.3.0',
      needle: 'localhost:5000/team/app:2.3.0',
      source: 'kubernetes',
      context: 'image',
      expected: [
        {
          code: 'unpinned',
          severity: 'warning',
          message: 'localhost:5000/team/app:2.3.0 is a mutable tag; pin it to a digest',
        },
      ],
    },
    {
      name: 'explicit :latest is latest instead of unpinned',
      line: 'FROM nginx:latest',
      needle: 'nginx:latest',
      expected: [
        {
          code: 'latest',
          severity: 'warning',
          message: "nginx:latest uses the 'latest' tag, which moves with every release; pin a version tag to a digest",
        },
      ],
    },
    {
      name: 'no tag means latest',
      line: 'FROM gcr.io/distroless/nodejs22-debian12',
      needle: 'gcr.io/distroless/nodejs22-debian12',
      expected: [
        {
          code: 'latest',
          severity: 'warning',
          message:
            'gcr.io/distroless/nodejs22-debian12 has no tag, so it means gcr.io/distroless/nodejs22-debian12:latest, which moves with every release; pin a version tag to a digest',
        },
      ],
    },
    { name: 'a tag with a digest is pinned', line: `FROM node:22@${D}`, needle: `node:22@${D}`, expected: [] },
    { name: 'latest with a digest is pinned', line: `FROM node:latest@${D}`, needle: `node:latest@${D}`, expected: [] },
    { name: 'a digest alone is pinned', line: `FROM node@${D}`, needle: `node@${D}`, expected: [] },
    {
      name: 'an invalid reference is an error that says why',
      line: 'FROM Python:3',
      needle: 'Python:3',
      expected: [
        {
          code: 'invalid-reference',
          severity: 'error',
          message: "'Python:3' is not a valid image reference: repository name must be lowercase",
        },
      ],
    },
    {
      name: 'an invalid digest is an error',
      line: 'image: redis:7@sha256:abc',
      needle: 'redis:7@sha256:abc',
      source: 'compose',
      context: 'image',
      expected: [
        {
          code: 'invalid-reference',
          severity: 'error',
          message:
            "'redis:7@sha256:abc' is not a valid image reference: sha256 digest needs 64 hex characters, found 3",
        },
      ],
    },
    {
      name: 'a variable reference says why it cannot be pinned',
      line: 'FROM golang:${GO}-alpine',
      needle: 'golang:${GO}-alpine',
      expected: [
        {
          code: 'variable',
          severity: 'information',
          message: "'golang:${GO}-alpine' is built from variables; its value is only known at build or deploy time",
        },
      ],
    },
    {
      name: "the extractor's explanation of a variable wins",
      line: 'FROM ${BASE}',
      needle: '${BASE}',
      extras: { variable: 'BASE has no default value in this Dockerfile' },
      expected: [
        { code: 'variable', severity: 'information', message: 'BASE has no default value in this Dockerfile' },
      ],
    },
    {
      name: 'a compose image built locally is information, not a warning',
      line: '    image: myapp:dev',
      needle: 'myapp:dev',
      source: 'compose',
      context: 'image',
      extras: { localBuild: true },
      expected: [
        {
          code: 'unpinned',
          severity: 'information',
          message:
            'myapp:dev names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin',
        },
      ],
    },
    {
      name: 'a local build without a tag is not latest either',
      line: '    image: myapp',
      needle: 'myapp',
      source: 'compose',
      context: 'image',
      extras: { localBuild: true },
      expected: [
        {
          code: 'unpinned',
          severity: 'information',
          message:
            'myapp names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin',
        },
      ],
    },
    {
      name: 'a pinned local build has nothing',
      line: `    image: myapp@${D}`,
      needle: `myapp@${D}`,
      source: 'compose',
      context: 'image',
      extras: { localBuild: true },
      expected: [],
    },
    {
      name: 'an ignored unpinned reference has nothing',
      line: 'FROM python:3  # digest-pin: ignore',
      needle: 'python:3',
      extras: { ignored: true },
      expected: [],
    },
    {
      name: 'an ignored invalid reference has nothing',
      line: 'FROM Python:3  # digest-pin: ignore',
      needle: 'Python:3',
      extras: { ignored: true },
      expected: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const range = rangeOf(c.line, c.needle);
      const ref = buildReference(c.needle, range, c.source ?? 'dockerfile', c.context ?? 'from', c.extras);
      assert.deepEqual(
        diagnose(ref),
        c.expected.map((finding) => ({ ...finding, range })),
      );
    });
  }
});

describe('the rule table', () => {
  // Every code of cli.md, typed: adding a code to the union without listing it here fails to compile.
  const offline: Record<OfflineCode, true> = {
    unpinned: true,
    latest: true,
    'invalid-reference': true,
    variable: true,
    'not-locked': true,
  };
  const online: Record<OnlineCode, true> = {
    'tag-drift': true,
    'digest-not-found': true,
    'tag-not-found': true,
    'registry-error': true,
    outdated: true,
  };
  const workspace: Record<WorkspaceCode, true> = { 'inconsistent-pin': true };

  it('lists every code exactly once, offline codes first, workspace codes last', () => {
    assert.deepEqual(
      RULES.map((rule) => rule.code),
      [...Object.keys(offline), ...Object.keys(online), ...Object.keys(workspace)],
    );
  });

  it('marks exactly the registry codes as online', () => {
    assert.deepEqual(
      RULES.filter((rule) => rule.online).map((rule) => rule.code),
      Object.keys(online),
    );
  });

  const severities: Record<DiagnosticCode, Severity> = {
    unpinned: 'warning',
    latest: 'warning',
    'invalid-reference': 'error',
    variable: 'information',
    'not-locked': 'warning',
    'tag-drift': 'information',
    'digest-not-found': 'error',
    'tag-not-found': 'error',
    'registry-error': 'warning',
    'inconsistent-pin': 'information',
    outdated: 'hint',
  };
  for (const [code, severity] of Object.entries(severities) as Array<[DiagnosticCode, Severity]>) {
    it(`${code}: default severity ${severity}, a title, a why and a fix, and a README anchor`, () => {
      const rule = ruleFor(code);
      assert.equal(rule.severity, severity);
      for (const text of [rule.title, rule.why, rule.fix]) assert.match(text, /^[A-Z`].{10,}$/);
      assert.equal(ruleHelpUri(code), `https://github.com/digest-pin/digest-pin#${code}`);
    });
  }
});

describe('atLeast', () => {
  const table: Array<[Severity, Severity, boolean]> = [
    ['error', 'error', true],
    ['error', 'hint', true],
    ['warning', 'error', false],
    ['warning', 'warning', true],
    ['warning', 'information', true],
    ['information', 'warning', false],
    ['information', 'information', true],
    ['hint', 'information', false],
    ['hint', 'hint', true],
  ];
  for (const [severity, threshold, expected] of table) {
    it(`${severity} ${expected ? 'is' : 'is not'} at least ${threshold}`, () =>
      assert.equal(atLeast(severity, threshold), expected));
  }
});

describe('README documents the table', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
  for (const rule of RULES) {
    it(`${rule.code}: a heading (anchor #${rule.code}) and a table row with its severity`, () => {
      assert.ok(readme.split('\n').includes(`### ${rule.code}`), `README has no heading '### ${rule.code}'`);
      const row = readme.split('\n').find((line) => line.startsWith(`| [\`${rule.code}\`](#${rule.code}) |`));
      assert.ok(row, `README's table has no row for ${rule.code}`);
      assert.equal(row.split('|')[2]?.trim(), rule.severity);
      assert.equal(row.split('|')[3]?.trim(), rule.title);
    });
  }
});

// --- online findings ------------------------------------------------------------------------------------------

const NOW = Date.parse('2024-03-01T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const P = `sha256:${'1'.repeat(64)}`; // pinned
const C = `sha256:${'c'.repeat(64)}`; // current
const T = `sha256:${'7'.repeat(64)}`; // what a lost digest's tag points to
const H = 'registry.example.com';

const resolution = (digest: string, over: Partial<Resolution> = {}): Resolution => ({
  digest,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  checkedAt: NOW - 5 * 60_000,
  fromCache: false,
  ...over,
});
const tagOk = (digest: string, over: Partial<Resolution> = {}, platform?: string): Online => ({
  kind: 'tag',
  result: { ok: true, value: resolution(digest, over) },
  ...(platform ? { platform } : {}),
});
const tagErr = (error: RegistryError, extra: { platform?: string; platformMissing?: boolean } = {}): Online => ({
  kind: 'tag',
  result: { ok: false, error },
  ...extra,
});
const err = (kind: RegistryError['kind'], message: string, over: Partial<RegistryError> = {}): RegistryError => ({
  kind,
  message,
  registry: H,
  ...over,
});

interface OnlineCase {
  name: string;
  needle: string;
  extras?: ReferenceExtras;
  online: Online;
  offline?: boolean;
  expected: Array<Omit<Finding, 'range'>>;
}

describe('diagnose with what the registry said', () => {
  const cases: OnlineCase[] = [
    {
      name: 'unpinned: the message names the digest to pin',
      needle: `${H}/team/app:2.3.0`,
      online: tagOk(C),
      expected: [
        {
          code: 'unpinned',
          severity: 'warning',
          message: `${H}/team/app:2.3.0 is a mutable tag; pin it to its current digest sha256:cccccccccccc…`,
        },
      ],
    },
    {
      name: 'unpinned, resolved for a platform: says which',
      needle: 'python:3.12',
      online: tagOk(C, {}, 'linux/arm64'),
      expected: [
        {
          code: 'unpinned',
          severity: 'warning',
          message: 'python:3.12 is a mutable tag; pin it to its current linux/arm64 digest sha256:cccccccccccc…',
        },
      ],
    },
    {
      name: 'offline: the answer is marked as coming from the cache, with its age',
      needle: 'python:3.12',
      online: tagOk(C, { fromCache: true, checkedAt: NOW - 3 * HOUR - 1 }),
      offline: true,
      expected: [
        {
          code: 'unpinned',
          severity: 'warning',
          message:
            'python:3.12 is a mutable tag; pin it to its current digest sha256:cccccccccccc… (from the cache, checked 3 hours ago)',
        },
      ],
    },
    {
      name: 'a stale cached answer is marked even online',
      needle: 'python:3.12',
      online: tagOk(C, { fromCache: true, stale: true, checkedAt: NOW - 2 * DAY }),
      expected: [
        {
          code: 'unpinned',
          severity: 'warning',
          message:
            'python:3.12 is a mutable tag; pin it to its current digest sha256:cccccccccccc… (from the cache, checked 2 days ago)',
        },
      ],
    },
    {
      name: 'latest: where latest points now',
      needle: 'nginx:latest',
      online: tagOk(C),
      expected: [
        {
          code: 'latest',
          severity: 'warning',
          message:
            "nginx:latest uses the 'latest' tag, which moves with every release; pin a version tag to a digest (latest points to sha256:cccccccccccc… now)",
        },
      ],
    },
    {
      name: 'no tag: where latest points now, for the platform asked',
      needle: 'nginx',
      online: tagOk(C, {}, 'linux/amd64'),
      expected: [
        {
          code: 'latest',
          severity: 'warning',
          message:
            'nginx has no tag, so it means nginx:latest, which moves with every release; pin a version tag to a digest (latest points to sha256:cccccccccccc… for linux/amd64 now)',
        },
      ],
    },
    {
      name: 'a tag the registry does not have: tag-not-found instead of unpinned',
      needle: `${H}/team/app:9.9`,
      online: tagErr(err('not-found', `tag 9.9 of team/app not found on ${H}`, { status: 404 })),
      expected: [
        {
          code: 'tag-not-found',
          severity: 'error',
          message: `${H}/team/app:9.9 cannot be pulled: tag 9.9 of team/app not found on ${H}; check the spelling, or use a tag the repository has`,
        },
      ],
    },
    {
      name: 'a platform the tag has no image for: unpinned stays, and a registry-error says which platforms there are',
      needle: `${H}/team/app:1`,
      online: tagErr(
        err('not-found', `platform linux/s390x of team/app:1 not found on ${H} (available: linux/amd64, linux/arm64)`, {
          status: 404,
        }),
        {
          platform: 'linux/s390x',
          platformMissing: true,
        },
      ),
      expected: [
        { code: 'unpinned', severity: 'warning', message: `${H}/team/app:1 is a mutable tag; pin it to a digest` },
        {
          code: 'registry-error',
          severity: 'warning',
          message: `could not check ${H}/team/app:1 (not-found): platform linux/s390x of team/app:1 not found on ${H} (available: linux/amd64, linux/arm64); pick a platform the image is built for, or pin the multi-platform index (no --platform)`,
        },
      ],
    },
    {
      name: 'unreachable: the static finding and a registry-error with the kind and what to do',
      needle: `${H}/team/app:1`,
      online: tagErr(
        err('network', `cannot reach ${H}: connection refused; check the network connection or proxy settings`),
      ),
      expected: [
        { code: 'unpinned', severity: 'warning', message: `${H}/team/app:1 is a mutable tag; pin it to a digest` },
        {
          code: 'registry-error',
          severity: 'warning',
          message: `could not check ${H}/team/app:1 (network): cannot reach ${H}: connection refused; check the network connection or proxy settings`,
        },
      ],
    },
    {
      name: 'not logged in',
      needle: 'ghcr.io/org/private:1',
      online: tagErr(
        err('unauthorized', 'not logged in to ghcr.io: run docker login ghcr.io', { registry: 'ghcr.io', status: 401 }),
      ),
      expected: [
        {
          code: 'unpinned',
          severity: 'warning',
          message: 'ghcr.io/org/private:1 is a mutable tag; pin it to a digest',
        },
        {
          code: 'registry-error',
          severity: 'warning',
          message:
            'could not check ghcr.io/org/private:1 (unauthorized): not logged in to ghcr.io: run docker login ghcr.io',
        },
      ],
    },
    {
      name: 'an invalid response gets advice, and nothing that looks like a credential survives',
      needle: `${H}/a:1`,
      online: tagErr(err('invalid-response', `${H} sent an invalid response: token=abc123secret`)),
      expected: [
        { code: 'unpinned', severity: 'warning', message: `${H}/a:1 is a mutable tag; pin it to a digest` },
        {
          code: 'registry-error',
          severity: 'warning',
          message: `could not check ${H}/a:1 (invalid-response): ${H} sent an invalid response: token=[redacted]; try again later, and tell the registry operator if it persists`,
        },
      ],
    },
    {
      name: 'offline and not in the cache: only the static finding',
      needle: 'python:3.12',
      online: tagErr(
        err('offline', 'offline: docker.io/library/python:3.12 is not in the cache; run once online to fill it'),
      ),
      offline: true,
      expected: [
        { code: 'unpinned', severity: 'warning', message: 'python:3.12 is a mutable tag; pin it to a digest' },
      ],
    },
    {
      name: 'cancelled: only the static finding',
      needle: 'python:3.12',
      online: tagErr(err('cancelled', 'request cancelled')),
      expected: [
        { code: 'unpinned', severity: 'warning', message: 'python:3.12 is a mutable tag; pin it to a digest' },
      ],
    },
    {
      name: 'a local build is never a registry question',
      needle: 'myapp:dev',
      extras: { localBuild: true },
      online: tagErr(err('not-found', 'tag dev of library/myapp not found on docker.io')),
      expected: [
        {
          code: 'unpinned',
          severity: 'information',
          message:
            'myapp:dev names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin',
        },
      ],
    },
    {
      name: 'ignored stays silent whatever the registry said',
      needle: 'python:3.12',
      extras: { ignored: true },
      online: tagErr(err('network', 'x')),
      expected: [],
    },
    {
      name: 'a pin answer for an unpinned reference is ignored',
      needle: 'python:3.12',
      online: { kind: 'pin', status: { status: 'gone', pinned: P, checkedAt: NOW } },
      expected: [
        { code: 'unpinned', severity: 'warning', message: 'python:3.12 is a mutable tag; pin it to a digest' },
      ],
    },
    // pins
    {
      name: 'a current pin has nothing to say',
      needle: `${H}/a:1@${P}`,
      online: { kind: 'pin', status: { status: 'current', digest: P, checkedAt: NOW } },
      expected: [],
    },
    {
      name: 'drift: how far behind, from both build dates',
      needle: `${H}/a:1@${P}`,
      online: {
        kind: 'pin',
        status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW },
        created: { pinned: new Date(NOW - 46 * DAY).toISOString(), current: new Date(NOW - 5 * DAY).toISOString() },
      },
      expected: [
        {
          code: 'tag-drift',
          severity: 'information',
          message: `${H}/a:1 has moved on: the tag now points to sha256:cccccccccccc…, built 5 days ago; your pin sha256:111111111111… is 41 days older`,
        },
      ],
    },
    {
      name: 'drift backwards: the tag was moved to an older image',
      needle: `${H}/a:1@${P}`,
      online: {
        kind: 'pin',
        status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW },
        created: { pinned: new Date(NOW - 2 * DAY).toISOString(), current: new Date(NOW - 9 * DAY).toISOString() },
      },
      expected: [
        {
          code: 'tag-drift',
          severity: 'information',
          message: `${H}/a:1 has moved on: the tag now points to sha256:cccccccccccc…, built 9 days ago; your pin sha256:111111111111… is 7 days newer (the tag was moved back)`,
        },
      ],
    },
    {
      name: 'drift with no dates says so',
      needle: `${H}/a:1@${P}`,
      online: {
        kind: 'pin',
        status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW },
        created: {},
      },
      expected: [
        {
          code: 'tag-drift',
          severity: 'information',
          message: `${H}/a:1 has moved on: the tag now points to sha256:cccccccccccc…; build dates are unknown, so how far your pin sha256:111111111111… is behind is not known`,
        },
      ],
    },
    {
      name: 'drift with only the new date',
      needle: `${H}/a:1@${P}`,
      online: {
        kind: 'pin',
        status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW },
        created: { current: new Date(NOW - 30 * HOUR).toISOString() },
      },
      expected: [
        {
          code: 'tag-drift',
          severity: 'information',
          message: `${H}/a:1 has moved on: the tag now points to sha256:cccccccccccc…, built 30 hours ago; your pin sha256:111111111111… has no known build date`,
        },
      ],
    },
    {
      name: 'drift with only the pinned date',
      needle: `${H}/a:1@${P}`,
      online: {
        kind: 'pin',
        status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW },
        created: { pinned: '2023-03-01T12:00:00Z' },
      },
      expected: [
        {
          code: 'tag-drift',
          severity: 'information',
          message: `${H}/a:1 has moved on: the tag now points to sha256:cccccccccccc… (build date unknown); your pin sha256:111111111111… was built 12 months ago`,
        },
      ],
    },
    {
      name: 'offline drift (decided from the cache) says how old the answer is',
      needle: `${H}/a:1@${P}`,
      online: {
        kind: 'pin',
        status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW - 26 * HOUR },
        created: {},
      },
      offline: true,
      expected: [
        {
          code: 'tag-drift',
          severity: 'information',
          message: `${H}/a:1 has moved on: the tag now points to sha256:cccccccccccc…; build dates are unknown, so how far your pin sha256:111111111111… is behind is not known (from the cache, checked 26 hours ago)`,
        },
      ],
    },
    {
      name: 'offline lost digest, from the cache',
      needle: `${H}/a:1@${P}`,
      online: { kind: 'pin', status: { status: 'gone', pinned: P, checkedAt: NOW - 90_000 } },
      offline: true,
      expected: [
        {
          code: 'digest-not-found',
          severity: 'error',
          message: `${H}/a:1@sha256:111111111111… cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository); pin the digest the tag points to now (from the cache, checked 1 minute ago)`,
        },
      ],
    },
    {
      name: 'a lost digest: digest-not-found, and where the tag points now',
      needle: `${H}/a:1@${P}`,
      online: { kind: 'pin', status: { status: 'gone', pinned: P, checkedAt: NOW }, tag: resolution(T) },
      expected: [
        {
          code: 'digest-not-found',
          severity: 'error',
          message: `${H}/a:1@sha256:111111111111… cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository); the tag now points to sha256:777777777777…, pin that`,
        },
      ],
    },
    {
      name: 'a lost digest whose tag was not resolved',
      needle: `${H}/a:1@${P}`,
      online: { kind: 'pin', status: { status: 'gone', pinned: P, checkedAt: NOW } },
      expected: [
        {
          code: 'digest-not-found',
          severity: 'error',
          message: `${H}/a:1@sha256:111111111111… cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository); pin the digest the tag points to now`,
        },
      ],
    },
    {
      name: 'a pin whose tag is gone: tag-not-found, a warning (the digest may still pull)',
      needle: `${H}/a:1@${P}`,
      online: {
        kind: 'pin',
        status: { status: 'unknown', error: err('not-found', `tag 1 of a not found on ${H}`, { status: 404 }) },
      },
      expected: [
        {
          code: 'tag-not-found',
          severity: 'warning',
          message: `${H}/a:1: tag 1 of a not found on ${H}; the pinned digest was not checked — pin a tag that exists`,
        },
      ],
    },
    {
      name: 'rate limited: registry-error with when to retry',
      needle: `a:1@${P}`,
      online: {
        kind: 'pin',
        status: {
          status: 'unknown',
          error: err('rate-limited', 'rate limited by docker.io', {
            registry: 'docker.io',
            status: 429,
            retryAfter: 30,
          }),
        },
      },
      expected: [
        {
          code: 'registry-error',
          severity: 'warning',
          message: `could not check a:1@${P} (rate-limited): rate limited by docker.io; retry in 30 s`,
        },
      ],
    },
    {
      name: 'offline, drift not decidable from the cache: nothing',
      needle: `a:1@${P}`,
      online: {
        kind: 'pin',
        status: {
          status: 'unknown',
          error: err('offline', 'offline: whether sha256:111… still exists is not in the cache'),
        },
      },
      offline: true,
      expected: [],
    },
    {
      name: 'a digest-only reference is never asked',
      needle: `a@${P}`,
      online: { kind: 'pin', status: { status: 'unknown', error: err('invalid', 'no tag') } },
      expected: [],
    },
    {
      name: 'a variable reference keeps its static finding',
      needle: 'a:${TAG}',
      online: tagOk(C),
      expected: [
        {
          code: 'variable',
          severity: 'information',
          message: "'a:${TAG}' is built from variables; its value is only known at build or deploy time",
        },
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const line = `FROM ${c.needle}`;
      const range = rangeOf(line, c.needle);
      const ref = buildReference(c.needle, range, 'dockerfile', 'from', c.extras);
      assert.deepEqual(
        diagnose(ref, c.online, { now: NOW, ...(c.offline ? { offline: true } : {}) }),
        c.expected.map((finding) => ({ ...finding, range })),
      );
    });
  }
});

describe('currentOf: the JSON `current`', () => {
  const table: Array<[string, Online | undefined, Current | undefined]> = [
    ['not asked', undefined, undefined],
    ['resolved', tagOk(C), { digest: C, created: null, error: null }],
    [
      'resolved with a date',
      tagOk(C, { created: '2024-02-01T00:00:00Z' }),
      { digest: C, created: '2024-02-01T00:00:00Z', error: null },
    ],
    ['tag not found', tagErr(err('not-found', 'x')), { digest: null, created: null, error: 'not-found' }],
    ['network', tagErr(err('network', 'x')), { digest: null, created: null, error: 'network' }],
    ['offline miss: as if not asked', tagErr(err('offline', 'x')), undefined],
    ['cancelled: as if not asked', tagErr(err('cancelled', 'x')), undefined],
    [
      'current pin',
      { kind: 'pin', status: { status: 'current', digest: P, checkedAt: NOW } },
      { digest: P, created: null, error: null },
    ],
    [
      'drifted: the digest to pin now, and its date',
      {
        kind: 'pin',
        status: { status: 'drifted', pinned: P, current: C, tagDigest: T, checkedAt: NOW },
        created: { pinned: '2024-01-01T00:00:00Z', current: '2024-02-01T00:00:00Z' },
      },
      { digest: C, created: '2024-02-01T00:00:00Z', error: null },
    ],
    [
      'gone: where the tag points',
      { kind: 'pin', status: { status: 'gone', pinned: P, checkedAt: NOW }, tag: resolution(T) },
      { digest: T, created: null, error: null },
    ],
    [
      'gone, tag unknown',
      { kind: 'pin', status: { status: 'gone', pinned: P, checkedAt: NOW } },
      { digest: null, created: null, error: null },
    ],
    [
      'unknown',
      { kind: 'pin', status: { status: 'unknown', error: err('timeout', 'x') } },
      { digest: null, created: null, error: 'timeout' },
    ],
    ['unknown offline', { kind: 'pin', status: { status: 'unknown', error: err('offline', 'x') } }, undefined],
  ];
  for (const [name, online, expected] of table) it(name, () => assert.deepEqual(currentOf(online), expected));
});

describe('asksRegistry', () => {
  const table: Array<[string, string, ReferenceExtras, boolean]> = [
    ['unpinned', 'python:3.12', {}, true],
    ['no tag', 'python', {}, true],
    ['tag and digest', `python:3.12@${P}`, {}, true],
    ['digest only: nothing to compare with', `python@${P}`, {}, false],
    ['variable', 'python:${V}', {}, false],
    ['invalid', 'Python:3', {}, false],
    ['ignored', 'python:3.12', { ignored: true }, false],
    ['local build', 'myapp:dev', { localBuild: true }, false],
  ];
  for (const [name, text, extras, expected] of table) {
    it(`${name}: ${expected}`, () =>
      assert.equal(asksRegistry(buildReference(text, rangeOf(text, text), 'dockerfile', 'from', extras)), expected));
  }
});

describe('formatAge and shortDigest', () => {
  const ages: Array<[number, string]> = [
    [-5, 'less than a minute'],
    [Number.NaN, 'less than a minute'],
    [59_999, 'less than a minute'],
    [60_000, '1 minute'],
    [59 * 60_000, '59 minutes'],
    [HOUR, '1 hour'],
    [47 * HOUR + 59 * 60_000, '47 hours'],
    [48 * HOUR, '2 days'],
    [41 * DAY + 23 * HOUR, '41 days'],
    [89 * DAY, '89 days'],
    [90 * DAY, '3 months'],
    [729 * DAY, '24 months'],
    [730 * DAY, '2 years'],
  ];
  for (const [ms, expected] of ages) it(`${ms} ms → ${expected}`, () => assert.equal(formatAge(ms), expected));
  it('shortDigest keeps the algorithm and 12 hex digits', () => {
    assert.equal(shortDigest(`sha256:${'ab'.repeat(32)}`), 'sha256:abababababab…');
    assert.equal(shortDigest(`sha512:${'f'.repeat(128)}`), 'sha512:ffffffffffff…');
  });
});
