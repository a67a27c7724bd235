// The YAML extractor's own business: exact ranges for every scalar style, CRLF and UTF-16, anchors / aliases / merge
// keys, multi-document streams, ignore comments, JSON with comments, notes for broken input, and hostile input
// (deep nesting, alias bombs, huge streams) that must neither crash nor run unbounded.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findReferences } from '../../../server/src/references/index';
import type { FileNote } from '../../../server/src/references/types';
import {
  blankJsonComments,
  extractYaml,
  MAX_DOCUMENTS,
  MAX_ERROR_NOTES,
  MAX_MERGE_DEPTH,
  MAX_NESTING,
} from '../../../server/src/references/yaml';
import { sliceRange } from '../../support/ranges';
import { assertReferences, check, locate, rows, type Case, type Expected } from './kinds/expect';

const compose = rows('compose', 'image');
const generic = rows('yaml', 'image');
const k8s = rows('kubernetes', 'image');
const LINES = 'the image reference is written over more than one line';

const styles: Case[] = [
  {
    name: 'plain',
    hint: 'compose',
    text: 'services:\n  a:\n    image: nginx:1.27\n',
    expect: [compose.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'plain with trailing spaces and a comment',
    hint: 'compose',
    text: 'services:\n  a:\n    image: nginx:1.27    # pinned later\n',
    expect: [compose.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'double-quoted: the range excludes the quotes',
    hint: 'compose',
    text: 'services:\n  a:\n    image: "nginx:1.27"\n',
    expect: [compose.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'single-quoted',
    hint: 'compose',
    text: "services:\n  a:\n    image: 'nginx:1.27'\n",
    expect: [compose.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'flow mapping',
    hint: 'compose',
    text: 'services:\n  a: {image: nginx:1, restart: always}\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: 'flow mapping with quoted keys and values (JSON style)',
    hint: 'compose',
    text: '{"services": {"a": {"image": "nginx:1"}}}\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: 'block literal |',
    hint: 'compose',
    text: 'services:\n  a:\n    image: |\n      nginx:1.27\n',
    expect: [compose.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'block folded strip >-',
    hint: 'compose',
    text: 'services:\n  a:\n    image: >-\n      nginx:1.27\n  b: {}\n',
    expect: [compose.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'block literal keep |+ with trailing blank lines',
    hint: 'compose',
    text: 'services:\n  a:\n    image: |+\n      nginx:1.27\n\n\n',
    expect: [compose.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'block header with a comment',
    hint: 'compose',
    text: 'services:\n  a:\n    image: >- # the web server\n      nginx:1.27\n',
    expect: [compose.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27')],
  },
  {
    name: 'block scalar whose content repeats text of its header line',
    hint: 'compose',
    text: 'services:\n  a:\n    image: |- # nginx\n      nginx\n',
    expect: [compose.unpinned('nginx', 'docker.io/library/nginx', null, { after: '|- # nginx\n' })],
  },
  {
    name: 'block scalar with an indentation indicator keeps its leading spaces (and they make it invalid)',
    hint: 'compose',
    text: 'services:\n  a:\n    image: |2\n        nginx:1\n',
    expect: [compose.invalid('  nginx:1', { error: 'image reference contains white space' })],
  },
  {
    name: 'block scalar over two lines: reported as written, invalid',
    hint: 'compose',
    text: 'services:\n  a:\n    image: |\n      nginx\n      :1.27\n',
    expect: [compose.invalid('nginx\n      :1.27', { error: LINES })],
  },
  {
    name: 'folded block scalar over two lines (its value would be one line): invalid, never edited',
    hint: 'compose',
    text: 'services:\n  a:\n    image: >\n      registry.example.com/app\n      :1\n',
    expect: [compose.invalid('registry.example.com/app\n      :1', { error: LINES })],
  },
  {
    name: 'plain scalar folded over two lines',
    hint: 'compose',
    text: 'services:\n  a:\n    image: nginx\n      :1.27\n',
    expect: [compose.invalid('nginx\n      :1.27', { error: LINES })],
  },
  {
    name: 'double-quoted over two lines',
    hint: 'compose',
    text: 'services:\n  a:\n    image: "nginx\n      :1.27"\n',
    expect: [compose.invalid('nginx\n      :1.27', { error: LINES })],
  },
  {
    name: 'double-quoted with an escape: the written characters are not the value, so no range may be edited',
    hint: 'compose',
    text: 'services:\n  a:\n    image: "nginx\\x3a1"\n',
    expect: [
      compose.invalid('nginx\\x3a1', {
        error:
          "'nginx\\x3a1' is written with the escape sequence '\\x3a'; write the image reference literally so it can be checked and pinned",
      }),
    ],
  },
  {
    name: 'double-quoted with a unicode escape',
    hint: 'compose',
    text: 'services:\n  a:\n    image: "redis\\u003a7"\n',
    expect: [
      compose.invalid('redis\\u003a7', {
        error:
          "'redis\\u003a7' is written with the escape sequence '\\u003a'; write the image reference literally so it can be checked and pinned",
      }),
    ],
  },
  {
    name: 'an escape inside a variable value stays variable (no edit either way)',
    hint: 'compose',
    text: 'services:\n  a:\n    image: "${REGISTRY}\\/app"\n',
    expect: [compose.variable('${REGISTRY}\\/app')],
  },
  {
    name: "single-quoted with an escaped quote ''",
    hint: 'compose',
    text: "services:\n  a:\n    image: 'it''s:1'\n",
    expect: [
      compose.invalid("it''s:1", {
        error: "'it''s:1' contains an escaped quote (''); an image reference cannot contain quotes",
      }),
    ],
  },
  {
    name: 'a tag (!!str) and an anchor before the value are not part of it',
    hint: 'compose',
    text: 'services:\n  a:\n    image: !!str &img nginx:1.10\n  b:\n    image: *img\n',
    expect: [compose.unpinned('nginx:1.10', 'docker.io/library/nginx', '1.10')],
  },
  {
    name: 'a number-like plain value keeps its characters (1.10, not 1.1)',
    hint: 'compose',
    text: 'services:\n  a:\n    image: 1.10\n',
    expect: [compose.unpinned('1.10', 'docker.io/library/1.10', null)],
  },
  {
    name: 'null, empty and whitespace-only values report nothing',
    hint: 'compose',
    text: 'services:\n  a:\n    image:\n  b:\n    image: ~\n  c:\n    image: ""\n  d:\n    image: "   "\n  e:\n    image: |\n\n',
    expect: [],
  },
];

const positions: Case[] = [
  {
    name: 'CRLF: plain, quoted and block values on later lines',
    hint: 'compose',
    text: 'services:\r\n  a:\r\n    image: nginx:1\r\n  b:\r\n    image: "redis:7"\r\n  c:\r\n    image: |\r\n      httpd:2.4\r\n',
    expect: [
      compose.unpinned('nginx:1', 'docker.io/library/nginx', '1'),
      compose.unpinned('redis:7', 'docker.io/library/redis', '7'),
      compose.unpinned('httpd:2.4', 'docker.io/library/httpd', '2.4'),
    ],
  },
  {
    name: 'CRLF: a value folded over lines is reported with its CRLF',
    hint: 'compose',
    text: 'services:\r\n  a:\r\n    image: nginx\r\n      :1\r\n',
    expect: [compose.invalid('nginx\r\n      :1', { error: LINES })],
  },
  {
    name: 'lone CR line ends count as lines too',
    hint: 'compose',
    text: 'services:\r  a:\r    image: nginx:1\r',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: 'UTF-16 characters: an emoji before the value on its line counts two',
    hint: 'compose',
    text: 'services:\n  a: {labels: {icon: "🚀"}, image: "nginx:1"}\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: 'non-ASCII keys and comments before the value',
    hint: 'compose',
    text: '# Dienste für die Entwicklung — 開発\nservices:\n  größe:\n    image: "alpine:3.20" # ✓\n',
    expect: [compose.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
];

const ignored: Case[] = [
  {
    name: '# digest-pin: ignore on the value line',
    hint: 'compose',
    text: 'services:\n  a:\n    image: nginx:1 # digest-pin: ignore\n  b:\n    image: redis:7\n',
    expect: [
      compose.unpinned('nginx:1', 'docker.io/library/nginx', '1', { ignored: true }),
      compose.unpinned('redis:7', 'docker.io/library/redis', '7'),
    ],
  },
  {
    name: '# digest-pin: ignore on the comment line directly above',
    hint: 'compose',
    text: 'services:\n  a:\n    # digest-pin: ignore\n    image: nginx:1\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1', { ignored: true })],
  },
  {
    name: 'two lines above, or after a non-comment line, does not count',
    hint: 'compose',
    text: 'services:\n  a:\n    # digest-pin: ignore\n    restart: always\n    image: nginx:1\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: 'ignore applies at the literal that an alias reaches',
    hint: 'compose',
    text: 'x-img: &img nginx:1 # digest-pin: ignore\nservices:\n  a:\n    image: *img\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1', { ignored: true })],
  },
  {
    name: 'ignore with CRLF line ends',
    hint: 'compose',
    text: 'services:\r\n  a:\r\n    # digest-pin: ignore\r\n    image: nginx:1\r\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1', { ignored: true })],
  },
];

const aliases: Case[] = [
  {
    name: 'an alias to an anchored scalar: once, at the anchor',
    hint: 'compose',
    text: 'x-redis: &redis "redis:7.4"\nservices:\n  a: {image: *redis}\n  b: {image: *redis}\n',
    expect: [compose.unpinned('redis:7.4', 'docker.io/library/redis', '7.4')],
  },
  {
    name: 'a redefined anchor: each alias takes the latest definition before it',
    hint: 'compose',
    text: 'x-1: &img nginx:1\nservices:\n  a: {image: *img}\nx-2: &img nginx:2\nx-3:\n  b: {image: *img}\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: 'a redefined anchor in generic YAML',
    text: 'a: &img {image: "alpine:1"}\nb: *img\nc: &img {image: "alpine:2"}\nd: *img\n',
    expect: [
      generic.unpinned('alpine:1', 'docker.io/library/alpine', '1'),
      generic.unpinned('alpine:2', 'docker.io/library/alpine', '2'),
    ],
  },
  {
    name: 'an alias to an undefined anchor is skipped',
    hint: 'compose',
    text: 'services:\n  a:\n    image: *missing\n  b:\n    <<: *nothing\n    image: nginx:1\n',
    expect: [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1')],
  },
  {
    name: "a quoted '<<' is an ordinary key, not a merge",
    hint: 'compose',
    text: "x-b: &b {image: nginx:1}\nservices:\n  a:\n    '<<': *b\n",
    expect: [],
  },
  {
    name: 'a self-referencing anchor does not loop',
    text: 'a: &a\n  image: busybox:1\n  again: *a\n  list: [*a, *a]\n',
    expect: [generic.unpinned('busybox:1', 'docker.io/library/busybox', '1')],
  },
];

const documents: Case[] = [
  {
    name: 'multi-document: each document gets its own kind',
    kind: 'yaml',
    text: 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: a, image: "nginx:1"}]\n---\nsteps:\n  - image: golang:1.22\n---\n# nothing here\n',
    expect: [
      k8s.unpinned('nginx:1', 'docker.io/library/nginx', '1'),
      generic.unpinned('golang:1.22', 'docker.io/library/golang', '1.22'),
    ],
  },
  {
    name: 'the file kind is the first specific kind found',
    kind: 'gitlab-ci',
    text: 'a: 1\n---\nstages: [build]\nbuild:\n  image: alpine:3\n  script: true\n',
    expect: [
      {
        text: 'alpine:3',
        name: 'docker.io/library/alpine',
        tag: '3',
        status: 'unpinned',
        source: 'gitlab-ci',
        context: 'image',
      },
    ],
  },
  {
    name: 'anchors do not cross documents',
    hint: 'compose',
    text: 'x: &img nginx:1\n---\nservices:\n  a: {image: *img}\n',
    expect: [],
  },
  {
    name: '%YAML 1.1 directive: on is true there, and merge keys still merge',
    kind: 'github-actions',
    text: '%YAML 1.1\n---\non: push\njobs:\n  x:\n    <<: {container: "node:20"}\n',
    expect: [
      {
        text: 'node:20',
        name: 'docker.io/library/node',
        tag: '20',
        status: 'unpinned',
        source: 'github-actions',
        context: 'container',
      },
    ],
  },
  { name: 'an empty file', text: '', expect: [] },
  { name: 'comments only', text: '# nothing\n# at all\n', expect: [] },
  { name: 'only document markers', text: '---\n...\n---\n', expect: [] },
  { name: 'a scalar document', text: 'nginx:1.27\n', expect: [] },
  {
    name: 'a sequence document',
    text: '- image: nginx:1.27\n- image: redis\n',
    expect: [
      generic.unpinned('nginx:1.27', 'docker.io/library/nginx', '1.27'),
      generic.unpinned('redis', 'docker.io/library/redis', null),
    ],
  },
];

function runAll(group: string, cases: Case[]): void {
  describe(group, () => {
    for (const c of cases) it(c.name, () => void check(c));
  });
}

runAll('yaml: scalar styles', styles);
runAll('yaml: positions', positions);
runAll('yaml: # digest-pin: ignore', ignored);
runAll('yaml: anchors, aliases, merge keys', aliases);
runAll('yaml: documents', documents);

/** Extracts and checks the references, returning the notes for the case to assert. */
function notesOf(text: string, expect: Expected[], hint: Parameters<typeof extractYaml>[1] = 'yaml'): FileNote[] {
  const result = extractYaml(text, hint);
  assertReferences(text, result.references, expect);
  return result.notes;
}

describe('yaml: broken input', () => {
  it('a syntax error: one note with line, column and range; the other documents still yield references', () => {
    const text = 'services:\n  a:\n    image: nginx:1\n---\nkey: [unclosed\nother: 1\n---\nimage: redis:7\n';
    const notes = notesOf(text, [
      compose.unpinned('nginx:1', 'docker.io/library/nginx', '1'),
      generic.unpinned('redis:7', 'docker.io/library/redis', '7'),
    ]);
    // yaml notices the unclosed `[` where the next line fails to continue it.
    assert.deepEqual(notes, [
      {
        severity: 'error',
        message:
          'YAML syntax error at line 6, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
        range: { start: { line: 5, character: 0 }, end: { line: 5, character: 1 } },
      },
    ]);
  });

  it('references before an error in the same document are still found', () => {
    const text = 'services:\n  a:\n    image: nginx:1\n  b:\n    image: "redis:7\n';
    const notes = notesOf(
      text,
      [
        compose.unpinned('nginx:1', 'docker.io/library/nginx', '1'),
        compose.invalid('redis:7', { error: 'the closing quote is missing' }),
      ],
      'compose',
    );
    assert.deepEqual(
      notes.map((n) => n.message),
      ['YAML syntax error at line 6, column 1: Missing closing "quote'],
    );
  });

  it('a quoted flow scalar whose last line is not indented past its key (Go and PyYAML accept it; yaml does not)', () => {
    // Seen in the wild (Argo examples): references before the error are read; the note says where reading stopped.
    const text = 'container:\n  image: golang:1.23\n  args: ["\n    go build .\n  "]\n  volumeMounts: []\n';
    const notes = notesOf(text, [generic.unpinned('golang:1.23', 'docker.io/library/golang', '1.23')]);
    assert.ok(notes.length > 0);
    assert.deepEqual(notes[0], {
      severity: 'error',
      message: 'YAML syntax error at line 4, column 15: Missing closing "quote',
      range: { start: { line: 3, character: 14 }, end: { line: 4, character: 0 } },
    });
  });

  it('tabs used as indentation: a clear error note', () => {
    const notes = notesOf('services:\n\tweb:\n\t\timage: nginx\n', [], 'compose');
    assert.deepEqual(notes, [
      {
        severity: 'error',
        message: 'YAML syntax error at line 2, column 1: Tabs are not allowed as indentation',
        range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } },
      },
      {
        severity: 'error',
        message: 'YAML syntax error at line 3, column 1: Tabs are not allowed as indentation',
        range: { start: { line: 2, character: 0 }, end: { line: 2, character: 2 } },
      },
    ]);
  });

  it('many errors: the first few, then how many more', () => {
    const text = Array.from({ length: 30 }, (_, i) => `k${i}: [x\n---\n`).join('');
    const notes = extractYaml(text, 'yaml').notes;
    assert.equal(notes.length, MAX_ERROR_NOTES + 1);
    assert.match(notes[MAX_ERROR_NOTES]!.message, /^\d+ more YAML errors not shown$/);
  });

  it('duplicate keys are not errors (real files have them)', () => {
    const text = 'services:\n  a:\n    image: nginx:1\nservices:\n  b:\n    image: redis:7\n';
    // The last `services` wins, as loaders do.
    assert.deepEqual(notesOf(text, [compose.unpinned('redis:7', 'docker.io/library/redis', '7')], 'compose'), []);
  });
});

describe('yaml: hostile input is bounded', () => {
  const around = (middle: string): string => `image: nginx:1\n---\n${middle}\n---\nimage: redis:7\n`;
  const both: Expected[] = [
    generic.unpinned('nginx:1', 'docker.io/library/nginx', '1'),
    generic.unpinned('redis:7', 'docker.io/library/redis', '7'),
  ];
  const tooDeep = (line: number, what: string, at = line): FileNote => ({
    severity: 'warning',
    message: `too complex to read: the YAML document at line ${line} nests collections more than ${MAX_NESTING} levels deep; ${what}`,
    range: { start: { line: at - 1, character: 0 }, end: { line: at - 1, character: 0 } },
  });
  /** The document starts at line 2 (`---`); the lines from the one that passes a limit are not read. */
  const skipped = (from: number): FileNote => tooDeep(2, `from line ${from} on it was not read`, from);

  it('10,000 levels of [[[[: that document is cut at the limit with a note, the others are read', () => {
    const text = around(`a: ${'['.repeat(10_000)}${']'.repeat(10_000)}`);
    assert.deepEqual(notesOf(text, both), [tooDeep(2, 'what is deeper was not read')]);
  });

  it('a million compact mappings (? ? ? ?) after an image in the same document: the image is still read', () => {
    const text = `image: nginx:1\n${'? '.repeat(1_000_000)}x\n`;
    assert.deepEqual(notesOf(text, [both[0]!]), [tooDeep(1, 'from line 2 on it was not read', 2)]);
  });

  it('an image beside collections nested too deep is still read', () => {
    const text = `image: nginx:1\ndeep: ${'['.repeat(1000)}${']'.repeat(1000)}\n`;
    assert.deepEqual(notesOf(text, [both[0]!]), [tooDeep(1, 'what is deeper was not read')]);
  });

  it('2 MB of unclosed [ : blanked before parsing, never exhausts memory', () => {
    const text = around(`a: ${'['.repeat(2_000_000)}`);
    assert.deepEqual(notesOf(text, both), [skipped(3)]);
  });

  it('a million compact sequences (- - - -): blanked before the parser could overflow', () => {
    const text = around(`${'- '.repeat(1_000_000)}x`);
    assert.deepEqual(notesOf(text, both), [skipped(3)]);
  });

  it('2,000 levels of indentation', () => {
    const text = around(`a:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}b:`).join('\n')} x`);
    assert.deepEqual(notesOf(text, both), [tooDeep(2, 'what is deeper was not read'), skipped(404)]);
  });

  it(`${MAX_NESTING} levels are still read`, () => {
    const text = `${'['.repeat(MAX_NESTING - 1)}{image: "nginx:1"}${']'.repeat(MAX_NESTING - 1)}\n`;
    assert.deepEqual(notesOf(text, [generic.unpinned('nginx:1', 'docker.io/library/nginx', '1')]), []);
  });

  it('a billion laughs: aliases are never expanded, each literal is reported once', () => {
    const levels = ['a: &a [{image: "lol:1"}, {image: "lol:2"}]'];
    for (let i = 0; i < 30; i++)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 0 ? '*a' : `*l${i - 1}`)
          .join(', ')}]`,
      );
    const text = `${levels.join('\n')}\n`;
    const started = Date.now();
    assert.deepEqual(
      notesOf(text, [
        generic.unpinned('lol:1', 'docker.io/library/lol', '1'),
        generic.unpinned('lol:2', 'docker.io/library/lol', '2'),
      ]),
      [],
    );
    assert.ok(Date.now() - started < 5000, 'linear in the text, not in the expansion');
  });

  it('merge keys that fan out (every service merges many sources that merge more)', () => {
    const sources = Array.from(
      { length: 100 },
      (_, i) => `x-m${i}: &m${i} {<<: [${Array(100).fill('*b').join(', ')}]}`,
    );
    const services = Array.from(
      { length: 2000 },
      (_, i) => `  s${i}: {<<: [${Array.from({ length: 10 }, (_, j) => `*m${(i + j) % 100}`).join(', ')}]}`,
    );
    const text = `x-b: &b {image: "nginx:1", platform: linux/amd64}\n${sources.join('\n')}\nservices:\n${services.join('\n')}\n`;
    assert.deepEqual(
      notesOf(
        text,
        [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1', { platform: 'linux/amd64' })],
        'compose',
      ),
      [],
    );
  });

  it('a chain of 20,000 merges is not followed to its end (no deep recursion)', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) =>
      i === 0 ? 'x-0: &m0 {image: "nginx:1"}' : `x-${i}: &m${i} {<<: *m${i - 1}}`,
    );
    const near = `services:\n  near: {<<: *m${MAX_MERGE_DEPTH - 1}}\n  far: {<<: *m19999}\n`;
    const text = `${chain.join('\n')}\n${near}`;
    assert.deepEqual(notesOf(text, [compose.unpinned('nginx:1', 'docker.io/library/nginx', '1')], 'compose'), []);
  });

  it(`more than ${MAX_DOCUMENTS} documents: the first ones are read, and a note says so`, () => {
    const text = '---\nimage: a:1\n'.repeat(MAX_DOCUMENTS + 10);
    const result = extractYaml(text, 'yaml');
    assert.equal(result.references.length, MAX_DOCUMENTS);
    assert.deepEqual(result.notes, [
      { severity: 'warning', message: `only the first ${MAX_DOCUMENTS} YAML documents were read` },
    ]);
  });

  it('findReferences skips a 50 MB file with a note (never parses it)', () => {
    const text = `image: nginx:1\n${'#'.repeat(50 * 1024 * 1024)}\n`;
    const result = findReferences('big.yaml', text);
    assert.deepEqual(result.references, []);
    assert.equal(result.notes.length, 1);
    assert.match(result.notes[0]!.message, /^skipped: file is 50\.0 MB/);
  });
});

describe('yaml: JSON with comments (devcontainer.json)', () => {
  const devcontainer = [
    '// For format details, see https://aka.ms/devcontainer.json.',
    '{',
    '\t"name": "Go", /* the name shown */',
    '\t// "image": "mcr.microsoft.com/devcontainers/base:ubuntu",',
    '\t"image": "mcr.microsoft.com/devcontainers/go:1-1.22-bookworm",',
    '\t"customizations": {"vscode": {"settings": {"url": "https://example.com//x"}}},',
    '\t"features": {',
    '\t\t"ghcr.io/devcontainers/features/docker-in-docker:2": {},',
    '\t},',
    '}',
    '',
  ].join('\n');

  // devcontainer.json itself has its own reader now (devcontainer.test.ts); the YAML reader still reads any JSON object
  // with comments it is given (a `*.json` opened as YAML).
  it('comments are blanked, offsets kept; the top-level image is a reference; features are not', () => {
    const result = extractYaml(devcontainer, 'yaml');
    assertReferences(devcontainer, result.references, [
      generic.unpinned(
        'mcr.microsoft.com/devcontainers/go:1-1.22-bookworm',
        'mcr.microsoft.com/devcontainers/go',
        '1-1.22-bookworm',
        { after: '\t"image"' },
      ),
    ]);
    assert.deepEqual(result.notes, []);
    assert.equal(result.kind, 'yaml');
  });

  it('blankJsonComments keeps length and line breaks, and leaves // inside strings alone', () => {
    const blanked = blankJsonComments(devcontainer);
    assert.equal(blanked.length, devcontainer.length);
    assert.deepEqual(
      blanked.split('\n').map((l) => l.length),
      devcontainer.split('\n').map((l) => l.length),
    );
    assert.ok(blanked.includes('"https://example.com//x"'));
    assert.ok(!blanked.includes('For format details'));
    assert.ok(!blanked.includes('the name shown'));
    assert.ok(!blanked.includes('devcontainers/base:ubuntu'));
  });

  it('a run of slashes before the first brace is read in linear time', () => {
    const text = `${'/'.repeat(50_000)}x\nimage: nginx:1\n`;
    const started = Date.now();
    assert.equal(blankJsonComments(text), text);
    assert.ok(Date.now() - started < 1000);
  });

  it('a block comment that is never closed: not JSON, left alone', () => {
    const text = '/* draft\n{"image": "nginx:1"}\n';
    assert.equal(blankJsonComments(text), text);
  });

  it('YAML is left alone, even with // in it', () => {
    const yaml = 'url: http://example.com//x\nimage: nginx:1 # //\n';
    assert.equal(blankJsonComments(yaml), yaml);
  });

  it('JSON that is still broken after blanking gives a clear note, no crash', () => {
    const text = '{\n  "image": "node:20",\n  "name": \n';
    const result = extractYaml(text, 'yaml');
    assert.ok(result.notes.length > 0);
    assert.ok(
      result.notes.every(
        (n) => n.severity === 'error' && /^YAML syntax error at line \d+, column \d+: /.test(n.message),
      ),
    );
  });

  it('an image variable from a devcontainer template option', () => {
    const text = '{\n\t"image": "mcr.microsoft.com/devcontainers/python:3-${templateOption:imageVariant}"\n}\n';
    const result = extractYaml(text, 'yaml');
    assertReferences(text, result.references, [
      generic.variable('mcr.microsoft.com/devcontainers/python:3-${templateOption:imageVariant}'),
    ]);
  });
});

/** Realistic files under fixtures/yaml, read through findReferences with a real-looking path. */
interface Fixture {
  file: string;
  path: string;
  kind: 'compose' | 'github-actions' | 'gitlab-ci' | 'yaml';
  expect: Expected[];
}

const fixtures: Fixture[] = [
  {
    file: 'compose-stack.yaml',
    path: 'deploy/docker-compose.prod.yml',
    kind: 'compose',
    expect: [
      compose.unpinned('ghcr.io/acme/shop-api:2.14.1', 'ghcr.io/acme/shop-api', '2.14.1', {
        localBuild: true,
        platform: 'linux/amd64',
      }),
      compose.pinned(
        `postgres:16.4-alpine@sha256:${'4'.repeat(64)}`,
        'docker.io/library/postgres',
        '16.4-alpine',
        `sha256:${'4'.repeat(64)}`,
      ),
      compose.unpinned('redis:7.4', 'docker.io/library/redis', '7.4', { ignored: true }),
      compose.variable('${PROXY_IMAGE:-traefik:v3.1}'),
      compose.unpinned('grafana/grafana-oss:11.2.0', 'docker.io/grafana/grafana-oss', '11.2.0'),
    ],
  },
  {
    file: 'platform.yaml',
    path: 'k8s/rendered/platform.yaml',
    kind: 'yaml',
    expect: [
      k8s.unpinned('ghcr.io/acme/migrate:3.0.2', 'ghcr.io/acme/migrate', '3.0.2'),
      k8s.unpinned('ghcr.io/acme/web:3.0.2', 'ghcr.io/acme/web', '3.0.2'),
      k8s.unpinned('envoyproxy/envoy:v1.31.0', 'docker.io/envoyproxy/envoy', 'v1.31.0'),
      k8s.unpinned('bitnami/kubectl:1.31', 'docker.io/bitnami/kubectl', '1.31'),
      k8s.unpinned('prom/node-exporter:v1.8.2', 'docker.io/prom/node-exporter', 'v1.8.2'),
      generic.unpinned('quay.io/acme/reporter:0.9', 'quay.io/acme/reporter', '0.9'),
    ],
  },
  {
    file: 'ci-matrix.yml',
    path: 'acme__shop__.github__workflows__ci.yml',
    kind: 'github-actions',
    expect: [
      rows('github-actions', 'uses').unpinned(
        'hadolint/hadolint:v2.12.0-alpine',
        'docker.io/hadolint/hadolint',
        'v2.12.0-alpine',
      ),
      rows('github-actions', 'container').unpinned('debian:12-slim', 'docker.io/library/debian', '12-slim'),
      rows('github-actions', 'container').unpinned('fedora:41', 'docker.io/library/fedora', '41'),
      rows('github-actions', 'container').variable('${{ matrix.os.image }}'),
      rows('github-actions', 'service').unpinned('postgres:16', 'docker.io/library/postgres', '16'),
      rows('github-actions', 'service').variable('redis:${{ matrix.redis }}'),
    ],
  },
  {
    file: 'pipeline.gitlab-ci.yml',
    path: 'acme__shop__.gitlab-ci.yml',
    kind: 'gitlab-ci',
    expect: [
      rows('gitlab-ci', 'image').unpinned(
        'gcr.io/kaniko-project/executor:v1.23.2-debug',
        'gcr.io/kaniko-project/executor',
        'v1.23.2-debug',
      ),
      rows('gitlab-ci', 'image').unpinned(
        'registry.gitlab.com/acme/ci/python:3.12',
        'registry.gitlab.com/acme/ci/python',
        '3.12',
      ),
      rows('gitlab-ci', 'image').unpinned('python:3.12-slim', 'docker.io/library/python', '3.12-slim'),
      rows('gitlab-ci', 'service').unpinned('postgres:16-alpine', 'docker.io/library/postgres', '16-alpine'),
      rows('gitlab-ci', 'image').variable('$BUILD_IMAGE', {
        variable: "'$BUILD_IMAGE' is set by BUILD_IMAGE (line 5); those images are checked there",
      }),
      rows('gitlab-ci', 'image').variable('$DEPLOY_IMAGE', { after: 'stage: deploy' }),
    ],
  },
  {
    file: 'bitbucket-pipelines.yml',
    path: 'bitbucket-pipelines.yml',
    kind: 'yaml',
    expect: [
      generic.unpinned('node:20.17', 'docker.io/library/node', '20.17'),
      generic.unpinned('mongo:7.0', 'docker.io/library/mongo', '7.0'),
      generic.unpinned('cypress/included:13.14.2', 'docker.io/cypress/included', '13.14.2'),
    ],
  },
  {
    file: 'circleci-config.yml',
    path: '.circleci/config.yml',
    kind: 'yaml',
    expect: [
      generic.unpinned('cimg/ruby:3.3-node', 'docker.io/cimg/ruby', '3.3-node'),
      generic.unpinned('cimg/postgres:15.8', 'docker.io/cimg/postgres', '15.8'),
    ],
  },
  {
    file: 'action.yml',
    path: 'action.yml',
    kind: 'github-actions',
    expect: [
      rows('github-actions', 'image').unpinned(
        'ghcr.io/acme/release-notes:1.4.0',
        'ghcr.io/acme/release-notes',
        '1.4.0',
      ),
    ],
  },
];

describe('yaml: realistic files', () => {
  for (const f of fixtures) {
    it(`${f.file} (${f.path})`, () => {
      const text = readFileSync(join(import.meta.dirname, 'fixtures', 'yaml', f.file), 'utf8');
      const result = findReferences(f.path, text);
      assertReferences(text, result.references, f.expect);
      assert.deepEqual(result.notes, []);
      assert.equal(result.kind, f.kind);
    });
  }
});

describe('yaml: mutated files never crash and never report a range that lies', () => {
  // A deterministic fuzz over the fixtures: insert YAML punctuation, delete runs, read with every hint.
  let seed = 20240607;
  const random = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pieces = [
    '[',
    ']',
    '{',
    '}',
    ': ',
    '- ',
    '"',
    "'",
    '\n',
    '\r\n',
    '\t',
    '&a ',
    '*a',
    '<<: ',
    '|',
    '>-',
    '#',
    '\\',
    '---\n',
    '${',
    '🚀',
  ];
  const texts = fixtures.map((f) => readFileSync(join(import.meta.dirname, 'fixtures', 'yaml', f.file), 'utf8'));
  it('300 mutations × 4 hints', () => {
    for (let i = 0; i < 300; i++) {
      let text = texts[i % texts.length]!;
      for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
        const at = Math.floor(random() * text.length);
        text =
          random() < 0.5
            ? text.slice(0, at) + pieces[Math.floor(random() * pieces.length)] + text.slice(at)
            : text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 12));
      }
      for (const hint of ['yaml', 'compose', 'github-actions', 'gitlab-ci'] as const) {
        const result = extractYaml(text, hint);
        for (const ref of result.references) assert.equal(sliceRange(text, ref.range), ref.text);
        for (const note of result.notes) assert.doesNotMatch(note.message, /^could not read/);
      }
    }
  });
});

describe('yaml: locate helper', () => {
  it('finds the n-th occurrence after a marker', () => {
    assert.deepEqual(locate('a: x\nb: x\nc: x\n', 'x', 'b:', 1), {
      start: { line: 2, character: 3 },
      end: { line: 2, character: 4 },
    });
    assert.deepEqual(locate('x: x', 'x', 'x'), { start: { line: 0, character: 3 }, end: { line: 0, character: 4 } });
  });
});
