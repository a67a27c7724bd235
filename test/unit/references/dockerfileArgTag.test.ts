// A Dockerfile ARG that holds the whole tag (`FROM python:${PY}` with `ARG PY=3.12-slim`): a split reference reported,
// and pinned, at the ARG default when every FROM that uses it names the same repository; 'variable', saying why,
// when pinning the ARG would be wrong (it feeds different images, or sits inside another word).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findReferences } from '../../../server/src/references/index';
import type { ImageReference } from '../../../server/src/references/types';
import { sliceRange } from '../../support/ranges';
import { assertSplit, type SplitExpected } from './kinds/split';

const D = `sha256:${'f'.repeat(64)}`;
const lines = (...text: string[]): string => `${text.join('\n')}\n`;

interface ArgCase {
  name: string;
  dockerfile: string;
  split: SplitExpected[];
  /** References that stay whole (variable, or ordinary), by text, with a fragment of their explanation. */
  whole?: Array<{ text: string; variable?: string; status?: ImageReference['status'] }>;
}

const py = (fields: Partial<SplitExpected> = {}): SplitExpected => ({
  text: '3.12-slim',
  assembled: 'python:3.12-slim',
  status: 'unpinned',
  name: 'docker.io/library/python',
  tag: '3.12-slim',
  parts: { repository: 'python', tag: '3.12-slim' },
  origin: ['tag: ARG PY'],
  ...fields,
});

const cases: ArgCase[] = [
  {
    name: '${PY}: reported at the ARG default',
    dockerfile: lines('ARG PY=3.12-slim', 'FROM python:${PY}'),
    split: [py()],
  },
  { name: '$PY without braces', dockerfile: lines('ARG PY=3.12-slim', 'FROM python:$PY AS app'), split: [py()] },
  {
    name: 'several FROMs with the same repository: one reference',
    dockerfile: lines(
      'ARG PY=3.12-slim',
      'FROM python:${PY} AS build',
      'RUN pip wheel .',
      'FROM python:${PY}',
      'COPY --from=build /w /w',
    ),
    split: [py()],
  },
  {
    name: 'a double-quoted default: the range excludes the quotes',
    dockerfile: lines('ARG PY="3.12-slim"', 'FROM python:${PY}'),
    split: [py()],
  },
  {
    name: 'a pinned default is a pinned reference',
    dockerfile: lines(`ARG PY=3.12-slim@${D}`, 'FROM python:${PY}'),
    split: [
      py({
        text: `3.12-slim@${D}`,
        assembled: `python:3.12-slim@${D}`,
        status: 'pinned',
        digest: D,
        parts: { repository: 'python', tag: `3.12-slim@${D}` },
      }),
    ],
  },
  {
    name: 'a registry with a port and a path',
    dockerfile: lines('ARG V=2.1', 'FROM localhost:5000/team/api:${V}'),
    split: [
      {
        text: '2.1',
        after: 'V=',
        assembled: 'localhost:5000/team/api:2.1',
        status: 'unpinned',
        name: 'localhost:5000/team/api',
        parts: { repository: 'localhost:5000/team/api', tag: '2.1' },
        origin: ['tag: ARG V'],
      },
    ],
  },
  {
    name: 'a literal --platform travels with it',
    dockerfile: lines('ARG PY=3.12-slim', 'FROM --platform=linux/arm64 python:${PY}'),
    split: [py({ platform: 'linux/arm64' })],
  },
  {
    name: '# digest-pin: ignore above every FROM that uses it',
    dockerfile: lines('ARG PY=3.12-slim', '# digest-pin: ignore', 'FROM python:${PY}'),
    split: [py({ ignored: true })],
  },
  {
    name: '# digest-pin: ignore above the ARG',
    dockerfile: lines('# digest-pin: ignore', 'ARG PY=3.12-slim', 'FROM python:${PY}'),
    split: [py({ ignored: true })],
  },
  {
    name: 'an invalid assembled reference is reported invalid, at the ARG',
    dockerfile: lines('ARG V=-bad', 'FROM python:${V}'),
    split: [
      {
        text: '-bad',
        assembled: 'python:-bad',
        status: 'invalid',
        parts: { repository: 'python', tag: '-bad' },
        origin: ['tag: ARG V'],
      },
    ],
  },
  {
    name: 'ordinary FROMs beside it are unaffected',
    dockerfile: lines('ARG PY=3.12-slim', 'FROM node:20 AS web', 'FROM python:${PY}'),
    split: [py()],
    whole: [{ text: 'node:20', status: 'unpinned' }],
  },
  {
    name: 'an ARG that feeds different images stays variable, saying why',
    dockerfile: lines('ARG V=3.12', 'FROM python:${V} AS a', 'FROM pypy:${V}'),
    split: [],
    whole: [
      { text: 'python:${V}', variable: 'ARG V is the tag of python and pypy: pinning its default would write one' },
      { text: 'pypy:${V}', variable: 'ARG V is the tag of python and pypy' },
    ],
  },
  {
    name: 'an ARG also used inside a tag stays variable (a digest would break that image)',
    dockerfile: lines('ARG GO=1.22', 'FROM golang:${GO}-alpine AS build', 'FROM golang:${GO}'),
    split: [],
    whole: [
      { text: 'golang:${GO}-alpine', variable: "with the ARG defaults it is 'golang:1.22-alpine'" },
      { text: 'golang:${GO}', variable: "ARG GO is also used in 'golang:${GO}-alpine'" },
    ],
  },
  {
    name: 'an ARG also used as a whole image stays variable where it is the tag',
    dockerfile: lines('ARG X=alpine', 'FROM ${X} AS one', 'FROM library:${X}'),
    split: [],
    whole: [
      { text: 'alpine', status: 'unpinned' },
      { text: 'library:${X}', variable: "ARG X is also used in '${X}'" },
    ],
  },
  {
    name: 'no default: variable, as before',
    dockerfile: lines('ARG PY', 'FROM python:${PY}'),
    split: [],
    whole: [{ text: 'python:${PY}', variable: "'python:${PY}' is built from variables; its value is only known" }],
  },
  {
    name: 'an ARG inside a stage does not reach FROM',
    dockerfile: lines('FROM alpine:3.20 AS base', 'ARG PY=3.12', 'FROM python:${PY}'),
    split: [],
    whole: [
      { text: 'alpine:3.20', status: 'unpinned' },
      { text: 'python:${PY}', variable: 'built from variables' },
    ],
  },
  {
    name: 'an empty default: variable',
    dockerfile: lines('ARG PY=', 'FROM python:${PY}'),
    split: [],
    whole: [{ text: 'python:${PY}', variable: "with the ARG defaults it is 'python:'" }],
  },
  {
    name: 'an inline default (${PY:-3.12}) is not the ARG pattern: variable as before',
    dockerfile: lines('ARG PY=3.11', 'FROM python:${PY:-3.12}'),
    split: [],
    whole: [{ text: 'python:${PY:-3.12}', variable: "with the ARG defaults it is 'python:3.11'" }],
  },
  {
    name: 'a default built from another ARG: variable',
    dockerfile: lines('ARG MAJOR=3', 'ARG PY=${MAJOR}.12', 'FROM python:${PY}'),
    split: [],
    whole: [{ text: 'python:${PY}', variable: "with the ARG defaults it is 'python:3.12'" }],
  },
  {
    name: 'a variable registry in front: variable',
    dockerfile: lines('ARG REG=ghcr.io', 'ARG V=1', 'FROM ${REG}/app:${V}'),
    split: [],
    whole: [{ text: '${REG}/app:${V}', variable: "with the ARG defaults it is 'ghcr.io/app:1'" }],
  },
  {
    name: 'CRLF',
    dockerfile: 'ARG PY=3.12-slim\r\nFROM python:${PY}\r\n',
    split: [py()],
  },
];

describe('Dockerfile: an ARG holding the tag', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = findReferences('Dockerfile', c.dockerfile);
      assert.deepEqual(result.notes, []);
      assertSplit(
        c.dockerfile,
        result.references.filter((ref) => ref.parts !== undefined),
        c.split,
        'dockerfile',
      );
      const whole = result.references.filter((ref) => ref.parts === undefined);
      assert.deepEqual(
        whole.map((ref) => ref.text),
        (c.whole ?? []).map((w) => w.text),
      );
      whole.forEach((ref, i) => {
        const want = c.whole![i]!;
        assert.equal(sliceRange(c.dockerfile, ref.range), ref.text);
        if (want.status !== undefined) assert.equal(ref.status, want.status);
        if (want.variable !== undefined) {
          assert.equal(ref.status, 'variable');
          assert.ok(ref.variable?.includes(want.variable), `${ref.text}: ${ref.variable}`);
        }
      });
      for (const ref of result.references.filter((r) => r.parts !== undefined))
        assert.equal(
          ref.parts!.repository!.range.start.line,
          c.dockerfile.split(/\r?\n/).findIndex((l) => l.includes(`${ref.parts!.repository!.text}:`)),
        );
    });
  }
});
