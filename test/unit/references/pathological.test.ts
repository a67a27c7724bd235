// Inputs built to hurt the extractors (issue 13's reproducers): each is read completely, without an exception, a
// stack overflow or work that grows with the square of the references on one line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerfileParser, type Run } from 'dockerfile-ast';
import { flagsHidden, MAX_VARIABLE_NESTING } from '../../../server/src/references/dockerfile';
import { IncrementalExtractor } from '../../../server/src/references/incremental';
import { MAX_DOCUMENT_TOKENS } from '../../../server/src/references/yaml';
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
    // 780,000 tokens: past MAX_DOCUMENT_TOKENS the rest of the args are not read, and the note says so.
    assert.deepEqual(
      result.notes.map((note) => note.message.replace(/line \d+, column \d+/, 'line …')),
      [
        `too complex to read: this YAML document has more than ${MAX_DOCUMENT_TOKENS.toLocaleString('en-US')} tokens; from line … to the end of the file it was not read`,
      ],
    );
    assert.deepEqual(
      result.references.map((ref) => ref.text),
      ['nginx:1.27'],
    );
  });

  it('the same 130,001 args as a flow sequence (3 tokens an item, under the bound): composed whole, no note', () => {
    const args = Array.from({ length: 130_001 }, () => 'a').join(',');
    const text = `apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: x\nextra: *m\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      args: [${args}]\n`;
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
        (note) =>
          note.message === 'too complex to read: 199,744 more YAML syntax errors (tokens out of place) were not read',
      ),
      JSON.stringify(result.notes.map((note) => note.message)),
    );
  });
});

describe('bounded work per YAML document (issue 13: any run of tokens out of place)', () => {
  const strayNote = /^too complex to read: ([\d,]+) more YAML syntax errors \(tokens out of place\) were not read$/;
  // Each run leaves its tokens where the composer rejects them: in a scalar's `end`, an item's `sep` or `start`, a
  // flow collection's items.
  const runs: Array<[string, string]> = [
    ['"" ×100,000 after a key (a scalar\'s end)', `k: ${'"'.repeat(200_000)}`],
    ["'&a ' ×60,000 after a key (anchors in a separator)", `k: ${'&a '.repeat(60_000)}`],
    ["'!t ' ×60,000 at the top level", '!t '.repeat(60_000)],
    ["'*a ' ×60,000 in a flow sequence", `k: [a, ${'*a '.repeat(60_000)}]`],
  ];
  for (const [name, junk] of runs) {
    it(`${name}: the image is found, the rest counted, not composed`, () => {
      const result = findReferences('x.yaml', `image: nginx:1.27\n${junk}\n`);
      assert.deepEqual(
        result.references.map((ref) => ref.text),
        ['nginx:1.27'],
      );
      const counted = result.notes.map((note) => strayNote.exec(note.message)?.[1]).find((n) => n !== undefined);
      assert.ok(
        counted !== undefined && Number(counted.replace(/,/g, '')) > 50_000,
        JSON.stringify(result.notes.map((note) => note.message)),
      );
    });
  }

  it(`a document of more than ${MAX_DOCUMENT_TOKENS.toLocaleString('en-US')} tokens: read up to there, the next document whole`, () => {
    const text = `image: nginx:1.27\nk: ${'"'.repeat(2 * MAX_DOCUMENT_TOKENS + 1000)}\n---\nimage: redis:7\n`;
    const result = findReferences('x.yaml', text);
    assert.deepEqual(
      result.references.map((ref) => ref.text),
      ['nginx:1.27', 'redis:7'],
    );
    const cut = result.notes.find((note) => note.message.includes('tokens;'));
    assert.match(
      cut?.message ?? '',
      /^too complex to read: this YAML document has more than 400,000 tokens; from line 2, column \d+ to the next document \(line 3\) it was not read$/,
    );
  });
});

describe('bounds read the same whole or in parts (the language server reads a stream by documents)', () => {
  it('strays, a cut nesting and a raw-indentation guard in three documents: same references, same notes, same order', () => {
    const text = `image: a:1\n---\nk: ${'&a '.repeat(2000)}\n---\ndeep: ${'['.repeat(300)}${']'.repeat(300)}\nimage: c:3\n---\n${'  '.repeat(500)}x: 1\n---\nimage: d:4\n`;
    const whole = findReferences('x.yaml', text);
    assert.ok(whole.notes.filter((note) => note.message.startsWith('too complex to read: ')).length >= 3);
    assert.deepEqual(new IncrementalExtractor(0).extract('x.yaml', text), whole);
  });
});

describe('a Dockerfile instruction with many flags (issue 13, reproducer 2)', () => {
  it('dockerfile-ast, whose flag splitting is quadratic, sees each line of flags as one word; every range holds', () => {
    const text = [
      'FROM --platform=linux/amd64 alpine:3.19 AS base',
      `RUN${' --mount=type=bind,from=x:1'.repeat(4000)} --mount="type=cache, target=/c" \\`,
      '  --mount=from=redis:7 --network=none\\',
      'true',
      'COPY --from=base --chmod=644 a b',
      '',
    ].join('\n');
    const hidden = flagsHidden(text);
    assert.equal(hidden.length, text.length);
    assert.deepEqual(
      [...hidden.matchAll(/\n/g)].map((m) => m.index),
      [...text.matchAll(/\n/g)].map((m) => m.index),
    );
    const ranges = (source: string) =>
      DockerfileParser.parse(source)
        .getInstructions()
        .map((instruction) => [instruction.getKeyword(), instruction.getRange()]);
    assert.deepEqual(ranges(hidden), ranges(text));
    const run = DockerfileParser.parse(hidden).getInstructions()[1] as Run;
    assert.deepEqual(run.getFlags(), []);
    assert.deepEqual(
      run.getArguments().map((arg) => arg.getValue()),
      ['-', '-', 'true'],
    );
    assert.deepEqual(
      findReferences('Dockerfile', text)
        .references.map((ref) => ref.text)
        .filter((t) => t !== 'x:1'),
      ['alpine:3.19', 'redis:7'],
    );
    assert.equal(findReferences('Dockerfile', text).references.length, 4002);
  });
});
