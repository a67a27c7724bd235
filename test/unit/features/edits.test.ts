import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, pinEdit, pinnedText, tagMovedByPin } from '../../../server/src/features/edits';
import { findReferences } from '../../../server/src/references/index';
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

/**
 * devcontainer.json Features: the devcontainers CLI takes `name@sha256:…` or `name:tag`, never `name:tag@sha256:…`
 * (src/spec-configuration/containerCollectionsOCI.ts getRef cuts at the `@` and refuses `name:tag` as a path). The
 * pin is `name@digest` with the tag in a block comment after the key; the image keeps `tag@digest`.
 */
describe('pinEdit: devcontainer.json features', () => {
  const PATH = '.devcontainer/devcontainer.json';
  const NODE = 'ghcr.io/devcontainers/features/node';
  const refsOf = (text: string): ImageReference[] => findReferences(PATH, text).references;
  const pinAll = (text: string, digest: string): string => {
    const edits = refsOf(text).map((ref) => {
      const result = pinEdit(ref, digest);
      assert.ok(result.ok, `refused: ${JSON.stringify(result)}`);
      return result.edit;
    });
    const applied = applyEdits(text, edits);
    assert.ok(applied.ok);
    return applied.text;
  };

  const cases: Array<{ name: string; text: string; expected: string }> = [
    {
      name: 'the feature: name@digest, the tag in a comment; the image: tag@digest',
      text: `{\n  "image": "mcr.microsoft.com/devcontainers/base:ubuntu",\n  "features": {\n    "${NODE}:1": {},\n  },\n}\n`,
      expected: `{\n  "image": "mcr.microsoft.com/devcontainers/base:ubuntu@${D1}",\n  "features": {\n    "${NODE}@${D1}" /* 1 */: {},\n  },\n}\n`,
    },
    {
      name: 'options over several lines and a comment on the line stay as they are',
      text: `{"features": {\r\n\t"${NODE}:lts": { // the runtime\r\n\t\t"version": "22"\r\n\t}\r\n}}`,
      expected: `{"features": {\r\n\t"${NODE}@${D1}" /* lts */: { // the runtime\r\n\t\t"version": "22"\r\n\t}\r\n}}`,
    },
    {
      name: 'a feature without a tag: @digest, nothing to keep',
      text: `{"features": {"${NODE}": {}}}`,
      expected: `{"features": {"${NODE}@${D1}": {}}}`,
    },
    {
      name: 'two features on one line, the key spaced from its colon',
      text: `{"features": {"${NODE}:1" : {}, "localhost:5000/f/x:2.0.1":{}}}`,
      expected: `{"features": {"${NODE}@${D1}" /* 1 */ : {}, "localhost:5000/f/x@${D1}" /* 2.0.1 */:{}}}`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const after = pinAll(c.text, D1);
      assert.equal(after, c.expected);
      // What was written reads back as pinned, digest only, where the digest now is.
      const again = refsOf(after);
      assert.deepEqual(
        again.filter((r) => r.context === 'feature').map((r) => [r.status, r.tag, r.digest]),
        again.filter((r) => r.context === 'feature').map(() => ['pinned', null, D1]),
      );
      assert.deepEqual(findReferences(PATH, after).notes, []);
    });
  }

  it('a digest-only feature is updated in place; sha512 is refused for a feature, not for an image', () => {
    const text = `{"image": "a:1", "features": {"${NODE}@${D1}": {}}}`;
    const [img, feat] = refsOf(text);
    const updated = pinEdit(feat!, D2);
    assert.ok(updated.ok);
    assert.deepEqual(applyEdits(text, [updated.edit]), {
      ok: true,
      text: `{"image": "a:1", "features": {"${NODE}@${D2}": {}}}`,
    });
    const sha512 = `sha512:${'c'.repeat(128)}`;
    assert.deepEqual(pinEdit(feat!, sha512), { ok: false, reason: 'bad-digest' });
    assert.equal(pinEdit(img!, sha512).ok, true);
  });

  it('tag@digest features are invalid, so never edited', () => {
    const [feat] = refsOf(`{"features": {"${NODE}:1@${D1}": {}}}`);
    assert.deepEqual(pinEdit(feat!, D2), { ok: false, reason: 'invalid' });
  });

  it('pinnedText and tagMovedByPin say what the pin reads as', () => {
    const [img, feat] = refsOf(`{"image": "a:1", "features": {"${NODE}:1": {}}}`);
    assert.equal(pinnedText(feat!, D1), `${NODE}@${D1}`);
    assert.equal(tagMovedByPin(feat!), '1');
    assert.equal(pinnedText(img!, D1), `a:1@${D1}`);
    assert.equal(tagMovedByPin(img!), null);
  });
});

/**
 * The devcontainers CLI's own reading of a feature id: getRef, ported line for line (minus logging) from
 * devcontainers/cli src/spec-configuration/containerCollectionsOCI.ts (commit f683c29, MIT). It is why a feature is
 * pinned as `name@digest`: it accepts that and `name:tag`, and refuses `name:tag@digest`.
 */
function devcontainersGetRef(input: string): { resource: string; tag?: string; digest?: string } | undefined {
  const regexForPath = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
  const regexForVersionOrDigest = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
  input = input.toLowerCase();
  if (input.startsWith('.')) return undefined;
  const indexOfLastColon = input.lastIndexOf(':');
  const indexOfLastAtCharacter = input.lastIndexOf('@');
  let resource = '';
  let tag: string | undefined = undefined;
  let digest: string | undefined = undefined;
  if (indexOfLastAtCharacter !== -1) {
    resource = input.substring(0, indexOfLastAtCharacter);
    const digestWithHashingAlgorithm = input.substring(indexOfLastAtCharacter + 1);
    const splitOnColon = digestWithHashingAlgorithm.split(':');
    if (splitOnColon.length !== 2) return undefined;
    if (splitOnColon[0] !== 'sha256') return undefined;
    digest = digestWithHashingAlgorithm;
  } else if (indexOfLastColon !== -1 && indexOfLastColon > input.lastIndexOf('/')) {
    resource = input.substring(0, indexOfLastColon);
    tag = input.substring(indexOfLastColon + 1);
  } else {
    resource = input;
    tag = 'latest';
  }
  if (tag && !regexForVersionOrDigest.test(tag)) return undefined;
  const splitOnSlash = resource.split('/');
  const id = splitOnSlash[splitOnSlash.length - 1];
  const namespace = splitOnSlash.slice(1, -1).join('/');
  if (!regexForPath.exec(`${namespace}/${id}`)) return undefined;
  return { resource, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

describe('the devcontainers CLI reads what pinEdit writes for a feature', () => {
  const NODE = 'ghcr.io/devcontainers/features/node';
  it('getRef (ported) accepts name:tag and name@digest, and refuses name:tag@digest', () => {
    assert.deepEqual(devcontainersGetRef(`${NODE}:1`), { resource: NODE, tag: '1' });
    assert.deepEqual(devcontainersGetRef(`${NODE}@${D1}`), { resource: NODE, digest: D1 });
    assert.equal(devcontainersGetRef(`${NODE}:1@${D1}`), undefined);
    assert.equal(devcontainersGetRef(`${NODE}@sha512:${'c'.repeat(128)}`), undefined);
  });

  it('every feature key digest-pin writes is one the CLI accepts, pinned to the digest written', () => {
    const text = `{"features": {"${NODE}:1": {}, "localhost:5000/team/features/x:2.0": {}, "${NODE}-extra": {}}}`;
    const refs = findReferences('.devcontainer/devcontainer.json', text).references;
    const edits = refs.map((ref) => {
      const result = pinEdit(ref, D1);
      assert.ok(result.ok);
      return result.edit;
    });
    const applied = applyEdits(text, edits);
    assert.ok(applied.ok);
    const keys = Object.keys((JSON.parse(applied.text.replace(/\/\*[^*]*\*\//g, '')) as { features: object }).features);
    assert.equal(keys.length, 3);
    for (const key of keys) assert.equal(devcontainersGetRef(key)?.digest, D1, key);
  });
});
