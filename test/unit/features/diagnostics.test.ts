import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  atLeast,
  diagnose,
  RULES,
  ruleFor,
  ruleHelpUri,
  type DiagnosticCode,
  type Finding,
  type OfflineCode,
  type OnlineCode,
  type Severity,
} from '../../../server/src/features/diagnostics';
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
      expected: [{ code: 'unpinned', severity: 'warning', message: 'python:3.12-slim is a mutable tag; pin it to a digest' }],
    },
    {
      name: 'a registry, port and path are kept as written',
      line: 'image: localhost:5000/team/app:2.3.0',
      needle: 'localhost:5000/team/app:2.3.0',
      source: 'kubernetes',
      context: 'image',
      expected: [{ code: 'unpinned', severity: 'warning', message: 'localhost:5000/team/app:2.3.0 is a mutable tag; pin it to a digest' }],
    },
    {
      name: 'explicit :latest is latest instead of unpinned',
      line: 'FROM nginx:latest',
      needle: 'nginx:latest',
      expected: [
        { code: 'latest', severity: 'warning', message: "nginx:latest uses the 'latest' tag, which moves with every release; pin a version tag to a digest" },
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
      expected: [{ code: 'invalid-reference', severity: 'error', message: "'Python:3' is not a valid image reference: repository name must be lowercase" }],
    },
    {
      name: 'an invalid digest is an error',
      line: 'image: redis:7@sha256:abc',
      needle: 'redis:7@sha256:abc',
      source: 'compose',
      context: 'image',
      expected: [
        { code: 'invalid-reference', severity: 'error', message: "'redis:7@sha256:abc' is not a valid image reference: sha256 digest needs 64 hex characters, found 3" },
      ],
    },
    {
      name: 'a variable reference says why it cannot be pinned',
      line: 'FROM golang:${GO}-alpine',
      needle: 'golang:${GO}-alpine',
      expected: [
        { code: 'variable', severity: 'information', message: "'golang:${GO}-alpine' is built from variables; its value is only known at build or deploy time" },
      ],
    },
    {
      name: "the extractor's explanation of a variable wins",
      line: 'FROM ${BASE}',
      needle: '${BASE}',
      extras: { variable: 'BASE has no default value in this Dockerfile' },
      expected: [{ code: 'variable', severity: 'information', message: 'BASE has no default value in this Dockerfile' }],
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
          message: 'myapp:dev names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin',
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
          message: 'myapp names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin',
        },
      ],
    },
    { name: 'a pinned local build has nothing', line: `    image: myapp@${D}`, needle: `myapp@${D}`, source: 'compose', context: 'image', extras: { localBuild: true }, expected: [] },
    { name: 'an ignored unpinned reference has nothing', line: 'FROM python:3  # digest-pin: ignore', needle: 'python:3', extras: { ignored: true }, expected: [] },
    { name: 'an ignored invalid reference has nothing', line: 'FROM Python:3  # digest-pin: ignore', needle: 'Python:3', extras: { ignored: true }, expected: [] },
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
  const offline: Record<OfflineCode, true> = { unpinned: true, latest: true, 'invalid-reference': true, variable: true };
  const online: Record<OnlineCode, true> = { 'tag-drift': true, 'digest-not-found': true, 'tag-not-found': true, 'registry-error': true };

  it('lists every code exactly once, offline codes first', () => {
    assert.deepEqual(
      RULES.map((rule) => rule.code),
      [...Object.keys(offline), ...Object.keys(online)],
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
    'tag-drift': 'information',
    'digest-not-found': 'error',
    'tag-not-found': 'error',
    'registry-error': 'information',
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
    it(`${severity} ${expected ? 'is' : 'is not'} at least ${threshold}`, () => assert.equal(atLeast(severity, threshold), expected));
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
