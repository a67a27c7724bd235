import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, pinEdit } from '../../../server/src/features/edits';
import { buildReference } from '../../../server/src/references/reference';
import type { ImageReference } from '../../../server/src/references/types';
import { rangeOf } from '../../support/ranges';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

function refIn(text: string, needle: string): ImageReference {
  return buildReference(needle, rangeOf(text, needle), 'dockerfile', 'from');
}

describe('pinEdit + applyEdits', () => {
  const cases: Array<{ name: string; text: string; needle: string; digest: string; expected: string }> = [
    {
      name: 'inserts after the tag',
      text: 'FROM python:3.12-slim AS build\n',
      needle: 'python:3.12-slim',
      digest: D1,
      expected: `FROM python:3.12-slim@${D1} AS build\n`,
    },
    {
      name: 'no tag: inserts after the name',
      text: 'FROM nginx\n',
      needle: 'nginx',
      digest: D1,
      expected: `FROM nginx@${D1}\n`,
    },
    {
      name: 'keeps quotes',
      text: 'image: "redis:7"\n',
      needle: 'redis:7',
      digest: D1,
      expected: `image: "redis:7@${D1}"\n`,
    },
    {
      name: 'keeps CRLF',
      text: 'services:\r\n  a:\r\n    image: redis:7\r\n',
      needle: 'redis:7',
      digest: D1,
      expected: `services:\r\n  a:\r\n    image: redis:7@${D1}\r\n`,
    },
    {
      name: 'replaces a drifted digest',
      text: `FROM node:22@${D1}\n`,
      needle: `node:22@${D1}`,
      digest: D2,
      expected: `FROM node:22@${D2}\n`,
    },
    {
      name: 'digest-only stays digest-only',
      text: `FROM node@${D1}\n`,
      needle: `node@${D1}`,
      digest: D2,
      expected: `FROM node@${D2}\n`,
    },
    {
      name: 'non-ASCII before the reference',
      text: 'x: é\nimage: "💥"\nimage: alpine:3\n',
      needle: 'alpine:3',
      digest: D1,
      expected: `x: é\nimage: "💥"\nimage: alpine:3@${D1}\n`,
    },
    {
      name: 'registry with port',
      text: 'FROM localhost:5000/app:1 AS a\n',
      needle: 'localhost:5000/app:1',
      digest: D1,
      expected: `FROM localhost:5000/app:1@${D1} AS a\n`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const result = pinEdit(refIn(c.text, c.needle), c.digest);
      assert.ok(result.ok, `refused: ${JSON.stringify(result)}`);
      assert.deepEqual(applyEdits(c.text, [result.edit]), { ok: true, text: c.expected });
    });
  }

  const refusals: Array<{ name: string; text: string; needle: string; digest: string; reason: string }> = [
    {
      name: 'variable',
      text: 'FROM golang:${GO}-alpine\n',
      needle: 'golang:${GO}-alpine',
      digest: D1,
      reason: 'variable',
    },
    { name: 'invalid', text: 'FROM Python:3\n', needle: 'Python:3', digest: D1, reason: 'invalid' },
    {
      name: 'malformed digest',
      text: 'FROM python:3\n',
      needle: 'python:3',
      digest: 'sha256:abc',
      reason: 'bad-digest',
    },
    {
      name: 'header injection',
      text: 'FROM python:3\n',
      needle: 'python:3',
      digest: `${D1}\r\nX: y`,
      reason: 'bad-digest',
    },
    { name: 'already current', text: `FROM node:22@${D1}\n`, needle: `node:22@${D1}`, digest: D1, reason: 'unchanged' },
  ];
  for (const c of refusals) {
    it(`refuses: ${c.name}`, () => {
      assert.deepEqual(pinEdit(refIn(c.text, c.needle), c.digest), { ok: false, reason: c.reason });
    });
  }

  it('edits are minimal: an insertion is zero-width at the end of the reference', () => {
    const text = 'FROM python:3.12\n';
    const result = pinEdit(refIn(text, 'python:3.12'), D1);
    assert.ok(result.ok);
    assert.deepEqual(result.edit, {
      range: { start: { line: 0, character: 16 }, end: { line: 0, character: 16 } },
      newText: `@${D1}`,
    });
  });

  it('applies several edits in any order and refuses overlapping ones', () => {
    const text = 'FROM a:1\nFROM b:2\n';
    const e1 = pinEdit(refIn(text, 'a:1'), D1);
    const e2 = pinEdit(refIn(text, 'b:2'), D2);
    assert.ok(e1.ok && e2.ok);
    assert.deepEqual(applyEdits(text, [e2.edit, e1.edit]), { ok: true, text: `FROM a:1@${D1}\nFROM b:2@${D2}\n` });
    const overlap = { range: { start: { line: 0, character: 5 }, end: { line: 0, character: 8 } }, newText: 'x' };
    assert.deepEqual(applyEdits(text, [overlap, { ...overlap, newText: 'y' }]), { ok: false, reason: 'overlap' });
  });
});
