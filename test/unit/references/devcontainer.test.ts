// devcontainer.json: the top-level `image` and the OCI keys of `features`, read as JSONC (comments, trailing commas)
// with exact ranges — 0-based lines, UTF-16 characters, exactly the characters inside the quotes. Every case goes
// through findReferences with a devcontainer path (BOM handling included), then the corpus of real files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isOciFeatureId, MAX_JSON_NESTING } from '../../../server/src/references/devcontainer';
import { findReferences } from '../../../server/src/references/index';
import type { FileNote } from '../../../server/src/references/types';
import { assertReferences, rows, type Expected } from './kinds/expect';

const image = rows('devcontainer', 'image');
const feature = rows('devcontainer', 'feature');
const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const PATH = '/repo/.devcontainer/devcontainer.json';

interface Case {
  name: string;
  text: string;
  path?: string;
  expect: Expected[];
  /** Notes expected, by message pattern (default: none). */
  notes?: RegExp[];
}

const NODE = 'ghcr.io/devcontainers/features/node';
const DIND = 'ghcr.io/devcontainers/features/docker-in-docker';

const cases: Case[] = [
  // --- image ------------------------------------------------------------------------------------------------------
  {
    name: 'a top-level image',
    text: '{\n  "name": "Go",\n  "image": "mcr.microsoft.com/devcontainers/go:1-1.22-bookworm"\n}\n',
    expect: [
      image.unpinned(
        'mcr.microsoft.com/devcontainers/go:1-1.22-bookworm',
        'mcr.microsoft.com/devcontainers/go',
        '1-1.22-bookworm',
      ),
    ],
  },
  {
    name: 'an image pinned tag@digest',
    text: `{"image": "node:20@${A}"}`,
    expect: [image.pinned(`node:20@${A}`, 'docker.io/library/node', '20', A)],
  },
  {
    name: 'an image pinned by digest only',
    text: `{"image": "ghcr.io/acme/dev@${A}"}`,
    expect: [image.pinned(`ghcr.io/acme/dev@${A}`, 'ghcr.io/acme/dev', null, A)],
  },
  {
    name: 'an image without a tag',
    text: '{ "image": "mcr.microsoft.com/devcontainers/typescript-node" }',
    expect: [
      image.unpinned(
        'mcr.microsoft.com/devcontainers/typescript-node',
        'mcr.microsoft.com/devcontainers/typescript-node',
        null,
      ),
    ],
  },
  {
    name: 'an image from a template option is variable',
    text: '{\n\t"image": "mcr.microsoft.com/devcontainers/python:3-${templateOption:imageVariant}"\n}\n',
    expect: [image.variable('mcr.microsoft.com/devcontainers/python:3-${templateOption:imageVariant}')],
  },
  {
    name: 'an image from ${localEnv:…} is variable',
    text: '{"image": "${localEnv:DEV_IMAGE}"}',
    expect: [image.variable('${localEnv:DEV_IMAGE}')],
  },
  {
    name: 'an invalid image says why',
    text: '{"image": "Ubuntu:22.04"}',
    expect: [image.invalid('Ubuntu:22.04')],
  },
  {
    name: 'empty and blank images are not references',
    text: '{"image": "", "features": {}}\n',
    expect: [],
  },
  { name: 'an image that is a number is not a reference', text: '{"image": 1}\n', expect: [] },
  { name: 'an image that is an object is not a reference', text: '{"image": {"name": "a:1"}}\n', expect: [] },
  { name: 'an image that is an array is not a reference', text: '{"image": ["a:1"]}\n', expect: [] },
  {
    name: 'an image that is true or null is not a reference',
    text: '{"image": true, "x": {"image": null}}',
    expect: [],
  },
  { name: 'a file that is an array, not an object: nothing', text: '[{"image": "a:1"}]\n', expect: [] },
  {
    name: 'only the top-level image: nested image keys are someone else’s',
    text: '{\n  "build": {"dockerfile": "Dockerfile", "args": {"image": "x:1"}},\n  "customizations": {"image": "nginx:1"}\n}\n',
    expect: [],
  },
  {
    name: 'duplicate image keys: the last one wins, as JSON.parse reads them',
    text: '{\n  "image": "debian:11",\n  "image": "debian:12"\n}\n',
    expect: [image.unpinned('debian:12', 'docker.io/library/debian', '12')],
  },
  {
    name: 'dockerComposeFile, service, build.dockerfile and runArgs are not references',
    text: '{\n  "dockerComposeFile": ["../compose.yaml", "compose.dev.yaml"],\n  "service": "app",\n  "build": {"dockerfile": "Dockerfile", "context": ".."},\n  "runArgs": ["--platform=linux/amd64"]\n}\n',
    expect: [],
  },
  {
    name: 'the escape \\/ inside an image: reported where written, invalid (a pin would change other characters)',
    text: '{"image": "mcr.microsoft.com\\/devcontainers\\/base:1"}',
    expect: [
      image.invalid('mcr.microsoft.com\\/devcontainers\\/base:1', {
        error:
          "'mcr.microsoft.com\\/devcontainers\\/base:1' is written with the escape sequence '\\/'; write it literally so it can be checked and pinned",
      }),
    ],
  },
  {
    name: 'a \\u escape inside an image is invalid too',
    text: '{"image": "node\\u003a20"}',
    expect: [
      image.invalid('node\\u003a20', {
        error:
          "'node\\u003a20' is written with the escape sequence '\\u003a'; write it literally so it can be checked and pinned",
      }),
    ],
  },
  {
    name: 'escapes elsewhere do not matter',
    text: '{"name": "A \\"quoted\\" \\u00e9t\\u00e9", "image": "alpine:3.20"}',
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
  {
    name: 'an unterminated image string: invalid, with a syntax note',
    text: '{\n  "image": "alpine:3.20\n}\n',
    expect: [image.invalid('alpine:3.20', { error: 'the closing quote is missing' })],
    notes: [/^JSON syntax error at line 2, column 12: unexpected end of string$/],
  },

  // --- comments, commas, line ends, encodings --------------------------------------------------------------------
  {
    name: 'line and block comments everywhere; a commented-out image is not read',
    text: [
      '// For format details, see https://aka.ms/devcontainer.json.',
      '{',
      '\t"name": "Go", /* the name shown */',
      '\t// "image": "mcr.microsoft.com/devcontainers/base:ubuntu",',
      '\t/* "image": "debian:11", */',
      '\t"image" /* here */ : /* the image */ "mcr.microsoft.com/devcontainers/base:ubuntu", // after',
      '\t"customizations": {"vscode": {"settings": {"url": "https://example.com//x /* not a comment */"}}},',
      '}',
      '',
    ].join('\n'),
    expect: [
      image.unpinned('mcr.microsoft.com/devcontainers/base:ubuntu', 'mcr.microsoft.com/devcontainers/base', 'ubuntu', {
        after: '/* the image */',
      }),
    ],
  },
  {
    name: 'trailing commas in objects and arrays',
    text: '{\n  "image": "redis:7",\n  "features": {\n    "ghcr.io/devcontainers/features/git:1": {},\n  },\n  "forwardPorts": [6379,],\n}\n',
    expect: [
      image.unpinned('redis:7', 'docker.io/library/redis', '7'),
      feature.unpinned('ghcr.io/devcontainers/features/git:1', 'ghcr.io/devcontainers/features/git', '1'),
    ],
  },
  {
    name: 'CRLF line endings',
    text: `{\r\n  "name": "x",\r\n  "image": "alpine:3.20",\r\n  "features": {\r\n    "${NODE}:1": {}\r\n  }\r\n}\r\n`,
    expect: [
      image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20'),
      feature.unpinned(`${NODE}:1`, NODE, '1'),
    ],
  },
  {
    name: 'lone CR line endings count as lines, as editors count them',
    text: `{\r  // c\r  "image": "alpine:3.20"\r}\r`,
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
  {
    name: 'UTF-16 characters: an emoji and accents before the reference on its line',
    text: '{"name": "🐳 développement", "image": "alpine:3.20", "features": {"ghcr.io/é/x:1": {}}}',
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20'), feature.invalid('ghcr.io/é/x:1')],
  },
  {
    name: 'minified on one line: image after features',
    text: `{"features":{"${NODE}:1":{"version":"lts"},"${DIND}:2":{}},"image":"ubuntu:24.04"}`,
    expect: [
      feature.unpinned(`${NODE}:1`, NODE, '1'),
      feature.unpinned(`${DIND}:2`, DIND, '2'),
      image.unpinned('ubuntu:24.04', 'docker.io/library/ubuntu', '24.04'),
    ],
  },
  {
    name: 'a file that does not parse: what can be read is, with notes at line and column',
    text: '{\n  "image": "node:20"\n  "features": {"ghcr.io/devcontainers/features/git:1": {}}\n',
    expect: [
      image.unpinned('node:20', 'docker.io/library/node', '20'),
      feature.unpinned('ghcr.io/devcontainers/features/git:1', 'ghcr.io/devcontainers/features/git', '1'),
    ],
    notes: [
      /^JSON syntax error at line 3, column 3: comma expected$/,
      /^JSON syntax error at line 4, column 1: close brace expected$/,
    ],
  },
  { name: 'an empty file', text: '', expect: [] },
  { name: 'only comments', text: '// nothing yet\n/* later */\n', expect: [] },

  // --- features ----------------------------------------------------------------------------------------------------
  {
    name: 'features with empty options and options over several lines',
    text: [
      '{',
      '\t"features": {',
      `\t\t"${DIND}:2": {},`,
      '\t\t"ghcr.io/devcontainers/features/common-utils:2": {',
      '\t\t\t"version": "latest",',
      '\t\t\t"username": "vscode"',
      '\t\t}',
      '\t}',
      '}',
    ].join('\n'),
    expect: [
      feature.unpinned(`${DIND}:2`, DIND, '2'),
      feature.unpinned(
        'ghcr.io/devcontainers/features/common-utils:2',
        'ghcr.io/devcontainers/features/common-utils',
        '2',
      ),
    ],
  },
  {
    name: 'a feature whose value is a version string or true is still a feature (the key is the reference)',
    text: `{"features": {"${NODE}:1": "lts", "${DIND}:2": true, "ghcr.io/x/y/z:3": null}}`,
    expect: [
      feature.unpinned(`${NODE}:1`, NODE, '1'),
      feature.unpinned(`${DIND}:2`, DIND, '2'),
      feature.unpinned('ghcr.io/x/y/z:3', 'ghcr.io/x/y/z', '3'),
    ],
  },
  {
    name: 'a feature pinned by digest (the form the devcontainers CLI accepts)',
    text: `{"features": {"${NODE}@${A}": {}}}`,
    expect: [feature.pinned(`${NODE}@${A}`, NODE, null, A)],
  },
  {
    name: 'a feature as digest-pin pins it: name@digest, the tag in a comment after the key',
    text: `{\n  "features": {\n    "${NODE}@${A}" /* 1 */: {"version": "lts"},\n  },\n}\n`,
    expect: [feature.pinned(`${NODE}@${A}`, NODE, null, A)],
  },
  {
    name: 'a feature with a tag and a digest: the devcontainers CLI refuses it, so it is invalid and says the fix',
    text: `{"features": {"${NODE}:1@${A}": {}}}`,
    expect: [
      feature.invalid(`${NODE}:1@${A}`, {
        error: `a feature id takes a tag or a digest, not both (the devcontainers CLI refuses '${NODE}:1@${A}'); write ${NODE}@${A}`,
      }),
    ],
  },
  {
    name: 'a feature digest that is not sha256 is invalid',
    text: `{"features": {"${NODE}@sha512:${'c'.repeat(128)}": {}}}`,
    expect: [
      feature.invalid(`${NODE}@sha512:${'c'.repeat(128)}`, {
        error: 'the devcontainers CLI accepts only sha256 digests in a feature id',
      }),
    ],
  },
  {
    name: 'a feature without a version means latest',
    text: `{"features": {"${NODE}": {}}}`,
    expect: [feature.unpinned(NODE, NODE, null)],
  },
  {
    name: 'local features and tarballs are not references',
    text: '{"features": {"./local-features/copy-kube-config": {}, "../shared/feature": {}, "/abs/feature": {}, "https://example.com/devcontainer-feature-go.tgz": {}, "http://example.com/devcontainer-feature-x.tgz": {}}}',
    expect: [],
  },
  {
    name: 'legacy short ids (node, docker-in-docker …) name no registry: not references',
    text: '{"features": {"node": "lts", "docker-in-docker": {"version": "latest"}, "golang": "1.22", "fish": "latest"}}',
    expect: [],
  },
  {
    name: 'ids whose first component is not a registry host go to GitHub releases, not a registry',
    text: '{"features": {"devcontainers/features/node:1": {}, "owner/repo/feature@v1.0.0": {}, "myregistry:5000/team/f:1": {}}}',
    expect: [],
  },
  {
    name: 'localhost and IP registries are registries',
    text: '{"features": {"localhost:5000/features/hello:1": {}, "127.0.0.1:5000/features/hello:2": {}}}',
    expect: [
      feature.unpinned('localhost:5000/features/hello:1', 'localhost:5000/features/hello', '1'),
      feature.unpinned('127.0.0.1:5000/features/hello:2', '127.0.0.1:5000/features/hello', '2'),
    ],
  },
  {
    name: 'a feature id with a variable',
    text: '{"features": {"ghcr.io/acme/features/tool:${localEnv:TOOL_VERSION}": {}}}',
    expect: [feature.variable('ghcr.io/acme/features/tool:${localEnv:TOOL_VERSION}')],
  },
  {
    name: 'an upper-case feature id is invalid here (the devcontainers CLI lowercases it; write it as it is read)',
    text: '{"features": {"ghcr.io/Acme/Features/Tool:1": {}}}',
    expect: [feature.invalid('ghcr.io/Acme/Features/Tool:1')],
  },
  {
    name: 'an escaped feature key is reported where written, invalid',
    text: `{"features": {"ghcr.io\\/devcontainers/features/node:1": {}}}`,
    expect: [
      feature.invalid('ghcr.io\\/devcontainers/features/node:1', {
        error:
          "'ghcr.io\\/devcontainers/features/node:1' is written with the escape sequence '\\/'; write it literally so it can be checked and pinned",
      }),
    ],
  },
  {
    name: 'duplicate feature keys: the last one',
    text: `{\n  "features": {\n    "${NODE}:1": {"version": "18"},\n    "${NODE}:1": {"version": "20"}\n  }\n}\n`,
    expect: [feature.unpinned(`${NODE}:1`, NODE, '1', { occurrence: 1 })],
  },
  {
    name: 'duplicate features objects: the last one',
    text: `{"features": {"${NODE}:1": {}}, "features": {"${DIND}:2": {}}}`,
    expect: [feature.unpinned(`${DIND}:2`, DIND, '2')],
  },
  {
    name: 'features that are not an object, and features below the top level, are not read',
    text: `{"features": ["${NODE}:1"], "customizations": {"features": {"${DIND}:2": {}}}}`,
    expect: [],
  },
  {
    name: 'overrideFeatureInstallOrder names features without versions: not references',
    text: `{"features": {"${NODE}:1": {}}, "overrideFeatureInstallOrder": ["${NODE}"]}`,
    expect: [feature.unpinned(`${NODE}:1`, NODE, '1')],
  },
  {
    name: 'a feature option value that looks like an image is an option, not a reference',
    text: `{"features": {"${DIND}:2": {"version": "24.0", "image": "docker:24"}}}`,
    expect: [feature.unpinned(`${DIND}:2`, DIND, '2')],
  },

  // --- ignore comments -----------------------------------------------------------------------------------------------
  {
    name: '// digest-pin: ignore on the reference’s own line',
    text: `{\n  "image": "alpine:3.20", // digest-pin: ignore (a throwaway)\n  "features": {"${NODE}:1": {}}\n}\n`,
    expect: [
      image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20', { ignored: true }),
      feature.unpinned(`${NODE}:1`, NODE, '1'),
    ],
  },
  {
    name: '// digest-pin: ignore alone on the line above',
    text: `{\n  "features": {\n    // digest-pin: ignore\n    "${NODE}:1": {},\n    "${DIND}:2": {}\n  }\n}\n`,
    expect: [feature.unpinned(`${NODE}:1`, NODE, '1', { ignored: true }), feature.unpinned(`${DIND}:2`, DIND, '2')],
  },
  {
    name: 'a block comment ignore before the reference on its line, or alone above it',
    text: `{\n  /* digest-pin: ignore */ "image": "alpine:3.20",\n  "features": {\n    /*\n     note: digest-pin: ignore is not first here\n    */\n    "${NODE}:1": {},\n    /* digest-pin: ignore */\n    "${DIND}:2": {}\n  }\n}\n`,
    expect: [
      image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20', { ignored: true }),
      feature.unpinned(`${NODE}:1`, NODE, '1'),
      feature.unpinned(`${DIND}:2`, DIND, '2', { ignored: true }),
    ],
  },
  {
    name: 'an ignore comment after a value on the line above does not reach down; two lines up does not either',
    text: `{\n  "name": "x", // digest-pin: ignore\n  "image": "alpine:3.20",\n  // digest-pin: ignore\n\n  "features": {"${NODE}:1": {}}\n}\n`,
    expect: [
      image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20'),
      feature.unpinned(`${NODE}:1`, NODE, '1'),
    ],
  },
  {
    name: 'the words inside a string are not a comment; # comments do not exist in JSON',
    text: `{\n  "name": "// digest-pin: ignore",\n  "image": "alpine:3.20", "x": "# digest-pin: ignore"\n}\n`,
    expect: [image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20')],
  },
];

describe('devcontainer.json references', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = findReferences(c.path ?? PATH, c.text);
      assert.equal(result.kind, 'devcontainer');
      assertReferences(c.text, result.references, c.expect);
      const notes = c.notes ?? [];
      assert.equal(result.notes.length, notes.length, JSON.stringify(result.notes));
      notes.forEach((pattern, i) => assert.match(result.notes[i]!.message, pattern));
    });
  }

  it(`has at least 40 cases (${cases.length})`, () => assert.ok(cases.length >= 40));

  it('a BOM: ranges count from after it, as LSP documents (which never hold one) do', () => {
    const body = `{\n  "image": "alpine:3.20",\n  "features": {"${NODE}:1": {}}\n}\n`;
    const result = findReferences(PATH, `\uFEFF${body}`);
    assertReferences(body, result.references, [
      image.unpinned('alpine:3.20', 'docker.io/library/alpine', '3.20'),
      feature.unpinned(`${NODE}:1`, NODE, '1'),
    ]);
  });

  it('ranges are exact positions: 0-based line, UTF-16 character inside the quotes', () => {
    const text = '{\r\n\t"name": "🐳",  "image": "a:1",\r\n  "features": {\r\n "ghcr.io/x/y:2" : {} }}';
    const [first, second] = findReferences(PATH, text).references;
    assert.deepEqual(first!.range, { start: { line: 1, character: 26 }, end: { line: 1, character: 29 } });
    assert.deepEqual(second!.range, { start: { line: 3, character: 2 }, end: { line: 3, character: 15 } });
  });

  it('every name: .devcontainer.json, a folder per configuration, corpus-style copies', () => {
    const text = '{"image": "alpine:3.20"}';
    for (const path of [
      '.devcontainer.json',
      'repo/.devcontainer/devcontainer.json',
      'repo/.devcontainer/python/devcontainer.json',
      'owner__repo__.devcontainer__devcontainer.json',
    ]) {
      const result = findReferences(path, text);
      assert.equal(result.kind, 'devcontainer', path);
      assert.equal(result.references.length, 1, path);
    }
  });

  it(`nesting deeper than ${MAX_JSON_NESTING} levels: a note, no references, no crash`, () => {
    const deep = `{"image": "alpine:3.20", "x": ${'['.repeat(MAX_JSON_NESTING + 5)}${']'.repeat(MAX_JSON_NESTING + 5)}}`;
    const result = findReferences(PATH, deep);
    assert.deepEqual(result.references, []);
    assert.equal(result.notes.length, 1);
    assert.match(result.notes[0]!.message, /^skipped: this JSON nests objects and arrays more than 256 levels deep/);
    const fine = `{"image": "alpine:3.20", "x": ${'['.repeat(MAX_JSON_NESTING - 2)}${']'.repeat(MAX_JSON_NESTING - 2)}}`;
    assert.equal(findReferences(PATH, fine).references.length, 1);
  });

  it('a megabyte of open brackets, or of unclosed comments, is read in linear time', () => {
    for (const text of ['['.repeat(1_000_000), `{"image": "a:1" ${'/*'.repeat(500_000)}`, '"'.repeat(1_000_000)]) {
      const started = Date.now();
      const result = findReferences(PATH, text);
      assert.ok(Date.now() - started < 3000);
      assert.ok(result.notes.length > 0);
    }
  });

  it('the YAML reader still reads other JSON files (a devcontainer name is no longer YAML)', () => {
    assert.equal(findReferences('.devcontainer/devcontainer.json', '{}').kind, 'devcontainer');
    const yaml = findReferences('config.yaml', '{"image": "alpine:3.20", "features": {"ghcr.io/x/y:1": {}}}');
    assert.deepEqual(
      yaml.references.map((r) => [r.text, r.source]),
      [['alpine:3.20', 'yaml']],
    );
  });
});

describe('isOciFeatureId', () => {
  const table: Array<[string, boolean]> = [
    ['ghcr.io/devcontainers/features/node:1', true],
    ['ghcr.io/devcontainers/features/node', true],
    [`ghcr.io/devcontainers/features/node@${B}`, true],
    ['mcr.microsoft.com/a/b:1', true],
    ['localhost:5000/a/b:1', true],
    ['LOCALHOST/a/b', true],
    ['node', false],
    ['docker-in-docker', false],
    ['devcontainers/features/node:1', false],
    ['owner/repo/feature@v1', false],
    ['./local', false],
    ['../local', false],
    ['/abs', false],
    ['.hidden/x', false],
    ['https://example.com/devcontainer-feature-x.tgz', false],
    ['', false],
  ];
  for (const [id, expected] of table)
    it(`${JSON.stringify(id)} → ${expected}`, () => assert.equal(isOciFeatureId(id), expected));
});

/** The shared corpus of real devcontainer.json files: no crash, no notes, and exactly what a careful reader finds. */
describe('devcontainer.json corpus', () => {
  const dir = '/work/shared/corpus/devcontainer';
  let files: string[] = [];
  try {
    files = readdirSync(dir).sort();
  } catch {
    // Not every machine has the corpus.
  }
  const expected: Record<string, Array<[context: string, text: string, status: string]>> = {
    'RegisBondidier__skeleton-cpp-gtest-bazel__.devcontainer__devcontainer.json': [
      ['image', 'mcr.microsoft.com/devcontainers/base:ubuntu', 'unpinned'],
      ['feature', 'ghcr.io/devcontainers-community/features/bazel:1', 'unpinned'],
    ],
    'Reimanbow__xiao_esp32s3_camera_idf__.devcontainer__devcontainer.json': [
      ['image', 'espressif/idf:v5.4', 'unpinned'],
    ],
    'ReinaldoMT__FlutterDevContainer__.devcontainer__devcontainer.json': [
      ['image', 'flutter-dev-container:latest', 'unpinned'],
    ],
    'apecloud__kubeblocks__.devcontainer__devcontainer.json': [
      ['image', 'docker.io/apecloud/kubeblocks-dev:latest', 'unpinned'],
    ],
    'citusdata__citus__.devcontainer__devcontainer.json': [
      ['image', 'ghcr.io/citusdata/citus-devcontainer:main', 'unpinned'],
    ],
    'devcontainers__templates__src__go__.devcontainer__devcontainer.json': [
      ['image', 'mcr.microsoft.com/devcontainers/go:2-${templateOption:imageVariant}', 'variable'],
    ],
    'devcontainers__templates__src__kubernetes-helm__.devcontainer__devcontainer.json': [
      ['image', 'mcr.microsoft.com/devcontainers/base:bullseye', 'unpinned'],
      ['feature', 'ghcr.io/devcontainers/features/docker-outside-of-docker:1', 'unpinned'],
      ['feature', 'ghcr.io/devcontainers/features/kubectl-helm-minikube:1', 'unpinned'],
    ],
    'devcontainers__templates__src__python__.devcontainer__devcontainer.json': [
      ['image', 'mcr.microsoft.com/devcontainers/python:3-${templateOption:imageVariant}', 'variable'],
    ],
    'devcontainers__templates__src__universal__.devcontainer__devcontainer.json': [
      ['image', 'mcr.microsoft.com/devcontainers/universal:5-linux', 'unpinned'],
    ],
    'fluent__fluent-bit__.devcontainer__devcontainer.json': [
      ['image', 'fluent/fluent-bit:latest-debug', 'unpinned'],
      ['feature', 'ghcr.io/devcontainers/features/common-utils:2', 'unpinned'],
      ['feature', 'ghcr.io/devcontainers/features/docker-in-docker:2', 'unpinned'],
    ],
    'keystonejs__keystone__.devcontainer__devcontainer.json': [
      ['image', 'mcr.microsoft.com/devcontainers/typescript-node', 'unpinned'],
    ],
  };

  for (const file of files) {
    it(file, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const result = findReferences(file, text);
      assert.equal(result.kind, 'devcontainer');
      assert.deepEqual(result.notes, [] as FileNote[]);
      for (const ref of result.references) {
        const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
        const line = lines[ref.range.start.line]!;
        assert.equal(line.slice(ref.range.start.character, ref.range.end.character), ref.text);
        assert.equal(line.charAt(ref.range.start.character - 1), '"');
        assert.equal(line.charAt(ref.range.end.character), '"');
      }
      if (file in expected) {
        assert.deepEqual(
          result.references.map((r) => [r.context, r.text, r.status]),
          expected[file],
        );
      }
    });
  }
});
