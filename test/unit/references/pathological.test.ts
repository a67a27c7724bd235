// Inputs built to hurt the extractors (issue 13's reproducers): each is read completely, without an exception, a
// stack overflow or work that grows with the square of the references on one line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_VARIABLE_NESTING } from '../../../server/src/references/dockerfile';
import { findReferences } from '../../../server/src/references/index';
import { ignoreScans } from '../../../server/src/references/reference';
import { applyEdits, pinEdit } from '../../../server/src/features/edits';
import { questionFor } from '../../../server/src/lookup/question';

describe('pathological inputs', () => {
  it("nested '${' in a FROM: the other references stay, the deep word is variable", () => {
    const text = `FROM alpine:3.19\nFROM ${'${'.repeat(3300)}\nFROM redis:7\n`;
    const result = findReferences('Dockerfile', text);
    assert.deepEqual(result.notes, []);
    assert.deepEqual(
      result.references.map((ref) => [ref.text.slice(0, 12), ref.status]),
      [
        ['alpine:3.19', 'unpinned'],
        ['${'.repeat(6), 'variable'],
        ['redis:7', 'unpinned'],
      ],
    );
  });

  it('nesting up to the limit is still followed (an inline default inside defaults)', () => {
    const word = `${'${A:-'.repeat(MAX_VARIABLE_NESTING)}nginx:1.27${'}'.repeat(MAX_VARIABLE_NESTING)}`;
    const result = findReferences('Dockerfile', `FROM ${word}\n`);
    assert.deepEqual(result.notes, []);
    assert.deepEqual(
      result.references.map((ref) => [ref.text, ref.status]),
      [['nginx:1.27', 'unpinned']],
    );
  });

  it('an alias in a document with a 130,001-item sequence: the anchor index does not overflow the stack', () => {
    const args = Array.from({ length: 130_001 }, (_, i) => `        - a${i}`).join('\n');
    const text = `apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: x\nextra: *m\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      args:\n${args}\n`;
    const result = findReferences('pod.yaml', text);
    assert.deepEqual(result.notes, []);
    assert.deepEqual(
      result.references.map((ref) => ref.text),
      ['nginx:1.27'],
    );
  });

  const manyOnOneLine: Array<[string, string, string, number]> = [
    [
      'RUN with 4,000 --mount=from= images',
      'Dockerfile',
      `FROM alpine:3.19\nRUN${' --mount=type=bind,from=x:1'.repeat(4000)} true\n`,
      4001,
    ],
    [
      'GitLab services: a flow list of 4,000 images',
      '.gitlab-ci.yml',
      `test:\n  script: [x]\n  services: [${Array.from({ length: 4000 }, () => 'redis:7').join(', ')}]\n`,
      4000,
    ],
  ];
  for (const [name, path, text, references] of manyOnOneLine) {
    it(`${name}: each line is scanned for '# digest-pin: ignore' once, not once per reference`, () => {
      ignoreScans.count = 0;
      const result = findReferences(path, text);
      assert.equal(result.references.length, references);
      assert.ok(ignoreScans.count <= text.split('\n').length, `${ignoreScans.count} scans`);
    });
  }
});

describe('a quoted Dockerfile word (issue 13)', () => {
  const D = `sha256:${'a'.repeat(64)}`;
  const E = `sha256:${'b'.repeat(64)}`;
  const cases: Array<[string, string, string, string]> = [
    // text written, what BuildKit reads (looked up), the file after pinning to E
    [
      'FROM host/alpine:"3.19"\n',
      'host/alpine:3.19',
      `tag docker.io/host/alpine:3.19 `,
      `FROM host/alpine:"3.19@${E}"\n`,
    ],
    [
      `FROM host/alpine:1.0@"${D}"\n`,
      `host/alpine:1.0@${D}`,
      `pin docker.io/host/alpine:1.0@${D} `,
      `FROM host/alpine:1.0@"${E}"\n`,
    ],
    [
      `FROM host/alpine:"1.0@${D}"\n`,
      `host/alpine:1.0@${D}`,
      `pin docker.io/host/alpine:1.0@${D} `,
      `FROM host/alpine:"1.0@${E}"\n`,
    ],
  ];
  for (const [text, read, key, pinned] of cases) {
    it(`${JSON.stringify(text)}: looked up as ${read}, pinned inside its quotes`, () => {
      const [ref] = findReferences('Dockerfile', text).references;
      assert.ok(ref !== undefined);
      assert.equal(ref.assembled, read);
      assert.equal(questionFor(ref, { platform: null, pins: true })?.key, key);
      const edit = pinEdit(ref, E);
      assert.ok(edit.ok);
      const applied = applyEdits(text, [edit.edit]);
      assert.ok(applied.ok);
      assert.equal(applied.text, pinned);
    });
  }
});

describe('a YAML file with a run of tokens out of place (issue 13, reproducer 1)', () => {
  it("']' ×200,000 after a key: the image is found, the first errors said, the rest counted, not composed", () => {
    const text = `image: nginx:1.27\nk: ${']'.repeat(200_000)}\n`;
    const result = findReferences('x.yaml', text);
    assert.deepEqual(
      result.references.map((ref) => ref.text),
      ['nginx:1.27'],
    );
    assert.equal(result.notes.filter((note) => note.message.startsWith('YAML syntax error')).length, 5);
    assert.ok(
      result.notes.some(
        (note) => note.message === '199744 more YAML syntax errors (tokens out of place) were not read',
      ),
      JSON.stringify(result.notes.map((note) => note.message)),
    );
  });
});
