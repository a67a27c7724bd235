// upgradeEdits: another tag of the repository, pinned, written into each kind of file; the result text byte for
// byte, read back to the reference it should be; and refused (no edit at all) where the tag is not written as it reads.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { applyEdits, upgradeEdits } from '../../../server/src/features/edits';
import { findReferences } from '../../../server/src/references/index';

const OLD = `sha256:${'a'.repeat(64)}`;
const NEW = `sha256:${'b'.repeat(64)}`;

interface Case {
  name: string;
  path: string;
  text: string;
  /** The text after the edit, or the refusal. */
  expected: string | { refused: string };
}

const CASES: Case[] = [
  {
    name: 'Dockerfile FROM, unpinned',
    path: 'Dockerfile',
    text: 'FROM python:3.12.7-slim AS base\nRUN true\n',
    expected: `FROM python:3.12.8-slim@${NEW} AS base\nRUN true\n`,
  },
  {
    name: 'Dockerfile FROM, pinned: tag and digest replaced',
    path: 'Dockerfile',
    text: `FROM python:3.12.7-slim@${OLD}\n`,
    expected: `FROM python:3.12.8-slim@${NEW}\n`,
  },
  {
    name: 'Dockerfile ARG holding the tag: the ARG default changes, the FROM stays',
    path: 'Dockerfile',
    text: 'ARG PY=3.12.7-slim\nFROM python:${PY}\n',
    expected: `ARG PY=3.12.8-slim@${NEW}\nFROM python:\${PY}\n`,
  },
  {
    name: 'Dockerfile ARG holding a pinned tag',
    path: 'Dockerfile',
    text: `ARG PY=3.12.7-slim@${OLD}\nFROM python:\${PY}\n`,
    expected: `ARG PY=3.12.8-slim@${NEW}\nFROM python:\${PY}\n`,
  },
  {
    name: 'Dockerfile ARG holding the whole image',
    path: 'Dockerfile',
    text: 'ARG BASE=python:3.12.7-slim\nFROM ${BASE}\n',
    expected: `ARG BASE=python:3.12.8-slim@${NEW}\nFROM \${BASE}\n`,
  },
  {
    name: 'compose, quoted',
    path: 'compose.yaml',
    text: 'services:\n  app:\n    image: "python:3.12.7-slim" # keep\n',
    expected: `services:\n  app:\n    image: "python:3.12.8-slim@${NEW}" # keep\n`,
  },
  {
    name: 'Kubernetes, CRLF',
    path: 'deploy.yaml',
    text: 'apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n    - image: ghcr.io/acme/app:v1.8.1\r\n',
    expected: `apiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n    - image: ghcr.io/acme/app:v1.9.0@${NEW}\r\n`,
  },
  {
    name: 'Helm values: tag field and digest field',
    path: 'values.yaml',
    text: `image:\n  repository: bitnami/nginx\n  tag: 3.12.7-slim\n  digest: "${OLD}"\n`,
    expected: `image:\n  repository: bitnami/nginx\n  tag: 3.12.8-slim\n  digest: "${NEW}"\n`,
  },
  {
    name: 'Helm values: tag field, empty digest field',
    path: 'values.yaml',
    text: 'image:\n  repository: bitnami/nginx\n  tag: "3.12.7-slim"\n  digest: ""\n',
    expected: `image:\n  repository: bitnami/nginx\n  tag: "3.12.8-slim"\n  digest: "${NEW}"\n`,
  },
  {
    name: 'Helm values: tag field only (the digest goes after the tag, as pin writes it)',
    path: 'values.yaml',
    text: 'image:\n  repository: bitnami/nginx\n  tag: 3.12.7-slim\n',
    expected: `image:\n  repository: bitnami/nginx\n  tag: 3.12.8-slim@${NEW}\n`,
  },
  {
    name: 'Helm values, flow map',
    path: 'values.yaml',
    text: 'image: { repository: bitnami/nginx, tag: "3.12.7-slim" }\n',
    expected: `image: { repository: bitnami/nginx, tag: "3.12.8-slim@${NEW}" }\n`,
  },
  {
    name: 'kustomize images: newTag changes, the digest goes in a new digest: key (as pin writes it)',
    path: 'kustomization.yaml',
    text: 'images:\n  - name: python\n    newTag: "3.12.7-slim" # t\n',
    expected: `images:\n  - name: python\n    newTag: "3.12.8-slim" # t\n    digest: ${NEW}\n`,
  },
  {
    name: 'Dockerfile, quotes inside the word: refused',
    path: 'Dockerfile',
    text: 'FROM python:"3.12.7-slim"\n',
    expected: { refused: 'invalid' },
  },
  {
    name: 'devcontainer Feature: refused (a tag or a digest)',
    path: '.devcontainer/devcontainer.json',
    text: '{ "features": { "ghcr.io/devcontainers/features/node:1.2.3": {} } }\n',
    expected: { refused: 'no-slot' },
  },
];

describe('upgradeEdits', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const refs = findReferences(c.path, c.text).references.filter((r) => r.tag !== null);
      assert.equal(refs.length, 1, `one reference in ${JSON.stringify(c.text)}`);
      const ref = refs[0]!;
      const next = ref.tag!.startsWith('v') ? 'v1.9.0' : ref.tag === '1.2.3' ? '1.3.0' : '3.12.8-slim';
      const result = upgradeEdits(ref, next, NEW);
      if (typeof c.expected !== 'string') {
        assert.equal(result.ok, false);
        assert.equal(!result.ok && result.reason, c.expected.refused);
        return;
      }
      assert.ok(result.ok, JSON.stringify(result));
      const applied = applyEdits(c.text, result.edits);
      assert.ok(applied.ok);
      assert.equal(applied.text, c.expected);
      // Read back: the same reference, at the new tag and digest.
      const again = findReferences(c.path, applied.text).references.filter((r) => r.tag !== null);
      assert.deepEqual(
        again.map((r) => [r.name, r.tag, r.digest, r.status]),
        [[ref.name, next, NEW, 'pinned']],
      );
    });
  }

  it('refuses a Helm tag that comes from Chart.yaml appVersion (not written in this file)', () => {
    const text = 'image:\n  repository: bitnami/nginx\n  tag: ""\n';
    const refs = findReferences('chart/values.yaml', text, {
      neighbours: { chart: { appVersion: '3.12.7-slim' } },
    }).references;
    assert.deepEqual(
      refs.map((r) => r.tag),
      ['3.12.7-slim'],
    );
    const result = upgradeEdits(refs[0]!, '3.12.8-slim', NEW);
    assert.equal(!result.ok && result.reason, 'no-slot');
  });

  it('refuses a tag that is not a tag, and a digest that is not a digest', () => {
    const ref = findReferences('Dockerfile', 'FROM python:3.12.7-slim\n').references[0]!;
    assert.equal(upgradeEdits(ref, 'bad tag', NEW).ok, false);
    assert.equal(upgradeEdits(ref, '3.12.8-slim', 'sha256:xyz').ok, false);
  });
});

// Every tagged reference of the shared corpus (451 real files): an accepted upgrade edit leaves a file in which the
// same place reads as the same image at the new tag and digest, and every other reference is unchanged.
describe('upgradeEdits over the corpus', () => {
  const CORPUS = '/work/shared/corpus';
  const files = existsSync(CORPUS)
    ? readdirSync(CORPUS, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile() && !/^(?:MANIFEST\.tsv|README\.md)$/.test(entry.name))
        .map((entry) => join(entry.parentPath, entry.name))
    : [];
  it('never corrupts a file', { skip: files.length === 0 && 'no corpus here' }, () => {
    let accepted = 0;
    let refused = 0;
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      const before = findReferences(path, text).references;
      for (const ref of before) {
        if (ref.tag === null || ref.status === 'variable' || ref.status === 'invalid') continue;
        const result = upgradeEdits(ref, '9.9.9-next', NEW);
        if (!result.ok) {
          refused++;
          continue;
        }
        accepted++;
        const applied = applyEdits(text, result.edits);
        assert.ok(applied.ok, path);
        const after = findReferences(path, applied.text).references;
        const same = (r: (typeof after)[number]) => [r.name, r.source, r.context];
        assert.deepEqual(after.map(same), before.map(same), `${path}: the references moved`);
        const moved = after.find(
          (r) => r.range.start.line === ref.range.start.line && r.range.start.character === ref.range.start.character,
        );
        assert.deepEqual(
          moved && [moved.tag, moved.digest],
          ['9.9.9-next', NEW],
          `${path}:${ref.range.start.line + 1} ${ref.text}`,
        );
      }
    }
    assert.ok(accepted > 300, `${accepted} accepted, ${refused} refused`);
  });
});
