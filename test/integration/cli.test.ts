// The built CLI (dist/cli.js) as users and CI run it: a subprocess on real files, checked byte for byte.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLI, ROOT, ensureBuilt } from '../support/build';
import { rangeOf } from '../support/ranges';

const SMOKE = resolve(ROOT, '../shared/fixtures/smoke');
const CORPUS = resolve(ROOT, '../shared/corpus');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** No run may read or write the user's own registry cache: every run gets an empty cache home of its own. */
const CACHE_HOME = mkdtempSync(join(tmpdir(), 'digest-pin-cli-cache-'));
after(() => rmSync(CACHE_HOME, { recursive: true, force: true }));

function cli(cwd: string, ...args: string[]): Run {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: CACHE_HOME };
  delete env.NO_COLOR;
  const { status, stdout, stderr } = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
  return { status, stdout, stderr };
}

const D = `sha256:${'a'.repeat(64)}`;

// Every kind the engine reads, and the awkward cases: CRLF, a BOM, YAML that does not parse, a binary file, an
// ignored reference, a local build, an invalid and a variable reference, and files the walk must not read.
const FILES: Record<string, string> = {
  Dockerfile: [
    'ARG BASE=python:3.12-slim',
    'FROM ${BASE} AS build',
    'RUN make',
    '',
    'FROM build AS test',
    '',
    '# digest-pin: ignore',
    'FROM nginx:1.27 AS web',
    '',
    'FROM gcr.io/distroless/static-debian12',
    'COPY --from=build /app /app',
    'COPY --from=busybox:1.36 /bin/busybox /busybox',
    '',
  ].join('\n'),
  'compose.yaml': [
    'services:',
    '  web:',
    '    image: "nginx:latest"',
    '  db:',
    `    image: postgres:17@${D}`,
    '  app:',
    '    build: .',
    '    image: myorg/app',
    '',
  ].join('\r\n'),
  'k8s/pod.yaml': `\uFEFF${['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: p', 'spec:', '  containers:', '    - name: a', '      image: Registry.Example.com/Team/App:1', '    - name: b', '      image: ghcr.io/org/tool:${TAG}', ''].join('\n')}`,
  'broken.yaml': 'services:\n  web:\n    image: [unclosed\n',
  'blob.yaml': 'image: a\u0000b\n',
  'README.md': 'FROM not-a-dockerfile:1\n', // reads like a Dockerfile, but the walk goes by name
  'notes.txt': 'nothing here\n',
  'pinned/Dockerfile': `FROM alpine:3.20@${D}\n`,
  '.git/compose.yaml': 'services:\n  x:\n    image: in-git:1\n',
  'node_modules/pkg/compose.yaml': 'services:\n  x:\n    image: in-node-modules:1\n',
};

interface Fields {
  source: string;
  context: string;
  status: string;
  name?: string;
  tag?: string;
  digest?: string;
  ignored?: true;
  localBuild?: true;
}

/** The expected JSON reference: the range is found in the fixture text itself (without its BOM, as LSP counts). */
function expected(file: string, text: string, fields: Fields, diagnostics: Array<[string, string, string]>) {
  const source = (FILES[file] ?? '').replace(/^\uFEFF/, '');
  return {
    file,
    range: rangeOf(source, text),
    text,
    name: null,
    tag: null,
    digest: null,
    ...fields,
    diagnostics: diagnostics.map(([code, severity, message]) => ({ code, severity, message })),
  };
}

const REFERENCES = [
  expected(
    'Dockerfile',
    'python:3.12-slim',
    { name: 'docker.io/library/python', tag: '3.12-slim', status: 'unpinned', context: 'from', source: 'dockerfile' },
    [['unpinned', 'warning', 'python:3.12-slim is a mutable tag; pin it to a digest']],
  ),
  expected(
    'Dockerfile',
    'nginx:1.27',
    {
      name: 'docker.io/library/nginx',
      tag: '1.27',
      status: 'unpinned',
      context: 'from',
      source: 'dockerfile',
      ignored: true,
    },
    [],
  ),
  expected(
    'Dockerfile',
    'gcr.io/distroless/static-debian12',
    { name: 'gcr.io/distroless/static-debian12', status: 'unpinned', context: 'from', source: 'dockerfile' },
    [
      [
        'latest',
        'warning',
        'gcr.io/distroless/static-debian12 has no tag, so it means gcr.io/distroless/static-debian12:latest, which moves with every release; pin a version tag to a digest',
      ],
    ],
  ),
  expected(
    'Dockerfile',
    'busybox:1.36',
    { name: 'docker.io/library/busybox', tag: '1.36', status: 'unpinned', context: 'copy-from', source: 'dockerfile' },
    [['unpinned', 'warning', 'busybox:1.36 is a mutable tag; pin it to a digest']],
  ),
  expected(
    'compose.yaml',
    'nginx:latest',
    { name: 'docker.io/library/nginx', tag: 'latest', status: 'unpinned', context: 'image', source: 'compose' },
    [
      [
        'latest',
        'warning',
        "nginx:latest uses the 'latest' tag, which moves with every release; pin a version tag to a digest",
      ],
    ],
  ),
  expected(
    'compose.yaml',
    `postgres:17@${D}`,
    { name: 'docker.io/library/postgres', tag: '17', digest: D, status: 'pinned', context: 'image', source: 'compose' },
    [],
  ),
  expected(
    'compose.yaml',
    'myorg/app',
    { name: 'docker.io/myorg/app', status: 'unpinned', context: 'image', source: 'compose', localBuild: true },
    [
      [
        'unpinned',
        'information',
        'myorg/app names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin',
      ],
    ],
  ),
  expected(
    'k8s/pod.yaml',
    'Registry.Example.com/Team/App:1',
    { status: 'invalid', context: 'image', source: 'kubernetes' },
    [
      [
        'invalid-reference',
        'error',
        "'Registry.Example.com/Team/App:1' is not a valid image reference: repository name must be lowercase",
      ],
    ],
  ),
  expected('k8s/pod.yaml', 'ghcr.io/org/tool:${TAG}', { status: 'variable', context: 'image', source: 'kubernetes' }, [
    [
      'variable',
      'information',
      "'ghcr.io/org/tool:${TAG}' is built from variables; its value is only known at build or deploy time",
    ],
  ]),
  expected(
    'pinned/Dockerfile',
    `alpine:3.20@${D}`,
    {
      name: 'docker.io/library/alpine',
      tag: '3.20',
      digest: D,
      status: 'pinned',
      context: 'from',
      source: 'dockerfile',
    },
    [],
  ),
];

const SUMMARY = { files: 6, references: 10, errors: 2, warnings: 5, information: 2, hints: 0 };

describe('digest-pin check (built CLI)', () => {
  let root = '';
  before(() => {
    ensureBuilt();
    root = mkdtempSync(join(tmpdir(), 'digest-pin-cli-'));
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('--format json: exactly the references, notes and summary of cli.md, and no `current` key offline', () => {
    const run = cli(root, 'check', '--offline', '--format', 'json');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 1);
    const json = JSON.parse(run.stdout) as {
      version: number;
      references: unknown[];
      notes: Array<{ file: string; severity: string; message: string }>;
      summary: unknown;
    };
    assert.equal(json.version, 1);
    assert.deepEqual(json.references, REFERENCES);
    assert.ok(!run.stdout.includes('"current"'));
    // The parse error's wording belongs to the YAML extractor (tested there); here: where, how severe, about what.
    assert.equal(json.notes.length, 2);
    assert.deepEqual(json.notes[0], {
      file: 'blob.yaml',
      severity: 'warning',
      message: 'skipped: binary file (contains NUL bytes)',
    });
    assert.equal(json.notes[1]?.file, 'broken.yaml');
    assert.equal(json.notes[1]?.severity, 'error');
    assert.match(json.notes[1]?.message ?? '', /YAML/);
    assert.deepEqual(json.summary, SUMMARY);
  });

  it('text: file:line:col severity code message, 1-based, sorted, then the summary; no colour in a pipe', () => {
    const run = cli(root, 'check', '--offline');
    assert.equal(run.status, 1);
    const lines = run.stdout.split('\n');
    const broken = lines.findIndex((line) => line.startsWith('broken.yaml'));
    assert.match(lines[broken] ?? '', /^broken\.yaml(:\d+:\d+)? error .*YAML/);
    assert.deepEqual(
      lines.filter((_, i) => i !== broken),
      [
        'Dockerfile:1:10 warning unpinned python:3.12-slim is a mutable tag; pin it to a digest',
        'Dockerfile:10:6 warning latest gcr.io/distroless/static-debian12 has no tag, so it means gcr.io/distroless/static-debian12:latest, which moves with every release; pin a version tag to a digest',
        'Dockerfile:12:13 warning unpinned busybox:1.36 is a mutable tag; pin it to a digest',
        'blob.yaml warning skipped: binary file (contains NUL bytes)',
        "compose.yaml:3:13 warning latest nginx:latest uses the 'latest' tag, which moves with every release; pin a version tag to a digest",
        'compose.yaml:8:12 information unpinned myorg/app names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin',
        "k8s/pod.yaml:8:14 error invalid-reference 'Registry.Example.com/Team/App:1' is not a valid image reference: repository name must be lowercase",
        "k8s/pod.yaml:10:14 information variable 'ghcr.io/org/tool:${TAG}' is built from variables; its value is only known at build or deploy time",
        '6 files, 10 references (1 ignored): 2 errors, 5 warnings, 2 information',
        '',
      ],
    );
    assert.ok(!run.stdout.includes('\u001b['));
  });

  it('--format sarif: a result per finding whose 1-based region is the JSON range plus one', () => {
    const run = cli(root, 'check', '--offline', '--format', 'sarif');
    assert.equal(run.status, 1);
    const sarif = JSON.parse(run.stdout) as {
      version: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: Array<{
            physicalLocation: { artifactLocation: { uri: string; uriBaseId: string }; region: object };
          }>;
        }>;
      }>;
    };
    assert.equal(sarif.version, '2.1.0');
    const [run0] = sarif.runs;
    assert.ok(run0);
    const expectedResults = REFERENCES.flatMap((ref) =>
      ref.diagnostics.map((d) => ({
        ruleId: d.code,
        level: d.severity === 'information' ? 'note' : d.severity,
        text: d.message,
        uri: ref.file,
        region: {
          startLine: ref.range.start.line + 1,
          startColumn: ref.range.start.character + 1,
          endLine: ref.range.end.line + 1,
          endColumn: ref.range.end.character + 1,
        },
      })),
    );
    assert.deepEqual(
      run0.results.map((r) => ({
        ruleId: r.ruleId,
        level: r.level,
        text: r.message.text,
        uri: r.locations[0]?.physicalLocation.artifactLocation.uri,
        region: r.locations[0]?.physicalLocation.region,
      })),
      expectedResults,
    );
    for (const result of run0.results) {
      assert.equal(run0.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
      assert.equal(result.locations[0]?.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    }
  });

  const exits: Array<[string, string[], Record<string, number>]> = [
    ['errors and warnings', ['.'], { error: 1, warning: 1, information: 1, never: 0 }],
    ['warnings only', ['Dockerfile'], { error: 0, warning: 1, information: 1, never: 0 }],
    ['a warning and information', ['compose.yaml'], { error: 0, warning: 1, information: 1, never: 0 }],
    [
      'information only (a named file of no known kind says so)',
      ['notes.txt'],
      { error: 0, warning: 0, information: 1, never: 0 },
    ],
    [
      'nothing at all (only a pinned reference)',
      ['pinned/Dockerfile'],
      { error: 0, warning: 0, information: 0, never: 0 },
    ],
  ];
  for (const [name, paths, statuses] of exits) {
    for (const [failOn, status] of Object.entries(statuses)) {
      it(`exit status ${status} for ${name} with --fail-on ${failOn}`, () => {
        const run = cli(root, 'check', '--offline', '--fail-on', failOn, '--format', 'json', ...paths);
        assert.equal(run.status, status, run.stderr);
      });
    }
  }

  it('a file named on the command line is read by its content when its name says nothing', () => {
    const run = cli(root, 'check', '--offline', 'README.md');
    assert.equal(
      run.stdout,
      'README.md:1:6 warning unpinned not-a-dockerfile:1 is a mutable tag; pin it to a digest\n1 file, 1 reference: 0 errors, 1 warning, 0 information\n',
    );
  });

  it('the default threshold is warning', () => {
    assert.equal(cli(root, 'check', '--offline', 'Dockerfile').status, 1);
    assert.equal(cli(root, 'check', '--offline', 'k8s/pod.yaml', '--fail-on', 'never').status, 0);
  });

  it('runs from any directory: paths are shown relative to the working directory', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'digest-pin-cwd-'));
    try {
      const run = cli(elsewhere, 'check', '--offline', '--format', 'json', join(root, 'k8s'));
      assert.equal(run.status, 1, run.stderr);
      const json = JSON.parse(run.stdout) as { references: Array<{ file: string }> };
      const shown = `../${basename(root)}/k8s/pod.yaml`; // both are directories in the same tmpdir
      assert.deepEqual(
        json.references.map((r) => r.file),
        [shown, shown],
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  const usage: Array<[string, string[], number, RegExp, 'stdout' | 'stderr']> = [
    ['--help', ['--help'], 0, /^Usage: digest-pin <command>/, 'stdout'],
    [
      '--version',
      ['--version'],
      0,
      new RegExp(
        `^${(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version.replace(/\./g, '\\.')}\\n$`,
      ),
      'stdout',
    ],
    [
      'an unknown option',
      ['check', '--frobnicate'],
      2,
      /^digest-pin: unknown option '--frobnicate'\nRun 'digest-pin --help' for usage\.\n$/,
      'stderr',
    ],
    [
      'a bad --format',
      ['check', '--format', 'xml'],
      2,
      /^digest-pin: '--format' needs one of text, json, sarif, markdown\n/,
      'stderr',
    ],
    [
      'a missing PATH',
      ['check', '--offline', 'nope.yaml'],
      2,
      /^digest-pin: nope\.yaml: no such file or directory\n$/,
      'stderr',
    ],
    [
      'pin with check options',
      ['pin', '--fail-on', 'never'],
      2,
      /^digest-pin: '--fail-on' is an option of 'digest-pin check', not of 'pin'\n/,
      'stderr',
    ],
  ];
  for (const [name, args, status, pattern, stream] of usage) {
    it(`${name}: exit ${status}`, () => {
      const run = cli(root, ...args);
      assert.equal(run.status, status);
      assert.match(run[stream], pattern);
      if (status === 2) assert.equal(run.stdout, '');
    });
  }
});

describe('digest-pin check on the shared smoke fixtures', () => {
  before(ensureBuilt);
  const skip = existsSync(SMOKE) ? false : `${SMOKE} is not beside the clone (CI checks it out there)`;

  it('finds exactly the references of the smoke fixtures', { skip }, () => {
    const run = cli(SMOKE, 'check', '--offline', '--format', 'json', '.');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 1);
    const json = JSON.parse(run.stdout) as { references: Array<Record<string, unknown>>; summary: unknown };
    const digest = `sha256:${'a'.repeat(64)}`;
    const line = (l: number, from: number, to: number) => ({
      start: { line: l, character: from },
      end: { line: l, character: to },
    });
    assert.deepEqual(
      json.references.map((r) => ({
        file: r.file,
        range: r.range,
        text: r.text,
        source: r.source,
        name: r.name,
        tag: r.tag,
        digest: r.digest,
        status: r.status,
        codes: (r.diagnostics as Array<{ code: string }>).map((d) => d.code),
      })),
      [
        // `FROM deps` names a stage, not an image: it is not a reference.
        {
          file: 'Dockerfile',
          range: line(0, 5, 19),
          text: 'node:22-alpine',
          source: 'dockerfile',
          name: 'docker.io/library/node',
          tag: '22-alpine',
          digest: null,
          status: 'unpinned',
          codes: ['unpinned'],
        },
        {
          file: 'Dockerfile',
          range: line(3, 5, 40),
          text: 'gcr.io/distroless/nodejs22-debian12',
          source: 'dockerfile',
          name: 'gcr.io/distroless/nodejs22-debian12',
          tag: null,
          digest: null,
          status: 'unpinned',
          codes: ['latest'],
        },
        {
          file: 'compose.yaml',
          range: line(2, 11, 21),
          text: 'nginx:1.27',
          source: 'compose',
          name: 'docker.io/library/nginx',
          tag: '1.27',
          digest: null,
          status: 'unpinned',
          codes: ['unpinned'],
        },
        {
          file: 'compose.yaml',
          range: line(4, 11, 94),
          text: `postgres:17@${digest}`,
          source: 'compose',
          name: 'docker.io/library/postgres',
          tag: '17',
          digest,
          status: 'pinned',
          codes: [],
        },
      ],
    );
    assert.deepEqual(json.summary, { files: 2, references: 4, errors: 0, warnings: 3, information: 0, hints: 0 });
  });
});

describe('digest-pin check on the real-world corpus', () => {
  before(ensureBuilt);
  const skip = existsSync(CORPUS) ? false : `${CORPUS} is not beside the clone (CI checks it out there)`;

  it('prints valid JSON for hundreds of files, quickly, and never crashes on any of them', { skip }, () => {
    const started = Date.now();
    const run = cli(CORPUS, 'check', '--offline', '--format', 'json', '.');
    const elapsed = Date.now() - started;
    assert.equal(run.stderr, '', 'no file failed to be checked');
    assert.ok(run.status === 0 || run.status === 1, `exit ${run.status}`);
    const json = JSON.parse(run.stdout) as { references: unknown[]; summary: { files: number; references: number } };
    assert.ok(json.summary.files > 300, `${json.summary.files} files`);
    assert.equal(json.references.length, json.summary.references);
    assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
  });
});
