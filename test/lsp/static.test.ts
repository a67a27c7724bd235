// The server as an editor sees it, without a registry: diagnostics right after open and after changes (debounced),
// pushed or pulled, shaped by settings, and a server that survives whatever it is sent. The server runs in this
// process on fake timers (support/inProcess.ts); the entry points are run as built, over stdio, at the end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic, type DocumentDiagnosticReport } from 'vscode-languageserver/node';
import { rangeOf } from '../support/ranges';
import { ensureBuilt } from '../support/build';
import { startClient as startSpawned, type TestClient as SpawnedClient } from './support/client';
import {
  PULL_CAPABILITIES,
  changeSettings,
  codes,
  fileUri,
  startClient,
  type InProcessClient as TestClient,
} from './support/inProcess';

const DOCKERFILE = [
  '# syntax=docker/dockerfile:1',
  'ARG BASE=alpine:3.19',
  'FROM python:3.12-slim AS build',
  'FROM nginx',
  'FROM ${BASE}',
  'FROM ${MISSING}',
  'FROM Ubuntu:22.04',
  '',
].join('\n');

const expected = (text: string): Diagnostic[] => [
  {
    range: rangeOf(text, 'docker/dockerfile:1'),
    severity: DiagnosticSeverity.Warning,
    code: 'unpinned',
    codeDescription: { href: 'https://github.com/digest-pin/digest-pin#unpinned' },
    source: 'digest-pin',
    message: 'docker/dockerfile:1 is a mutable tag; pin it to a digest',
  },
  {
    range: rangeOf(text, 'alpine:3.19'),
    severity: DiagnosticSeverity.Warning,
    code: 'unpinned',
    codeDescription: { href: 'https://github.com/digest-pin/digest-pin#unpinned' },
    source: 'digest-pin',
    message: 'alpine:3.19 is a mutable tag; pin it to a digest',
  },
  {
    range: rangeOf(text, 'python:3.12-slim'),
    severity: DiagnosticSeverity.Warning,
    code: 'unpinned',
    codeDescription: { href: 'https://github.com/digest-pin/digest-pin#unpinned' },
    source: 'digest-pin',
    message: 'python:3.12-slim is a mutable tag; pin it to a digest',
  },
  {
    range: rangeOf(text, 'nginx'),
    severity: DiagnosticSeverity.Warning,
    code: 'latest',
    codeDescription: { href: 'https://github.com/digest-pin/digest-pin#latest' },
    source: 'digest-pin',
    message:
      'nginx has no tag, so it means nginx:latest, which moves with every release; pin a version tag to a digest',
  },
  {
    range: rangeOf(text, '${MISSING}'),
    severity: DiagnosticSeverity.Information,
    code: 'variable',
    codeDescription: { href: 'https://github.com/digest-pin/digest-pin#variable' },
    source: 'digest-pin',
    message:
      "'${MISSING}' has no default: MISSING gets no value from an ARG before the first FROM, so the image is only known at build time",
  },
  {
    range: rangeOf(text, 'Ubuntu:22.04'),
    severity: DiagnosticSeverity.Error,
    code: 'invalid-reference',
    codeDescription: { href: 'https://github.com/digest-pin/digest-pin#invalid-reference' },
    source: 'digest-pin',
    message: "'Ubuntu:22.04' is not a valid image reference: repository name must be lowercase",
  },
];

const COMPOSE = [
  'services:',
  '  web:',
  '    image: "nginx:1.27"',
  '  db:',
  '    image: postgres:16 # digest-pin: ignore',
  '  app:',
  '    build: .',
  '    image: acme/app:dev',
  '',
].join('\n');

describe('push diagnostics (a client without pull support, like Neovim)', () => {
  let client: TestClient;
  before(async () => {
    client = await startClient({ initializationOptions: { trusted: false }, trace: 'verbose' });
  });
  after(() => client.stop());

  it('a Dockerfile: every finding right after open, with exact ranges, codes, links and source', async () => {
    const uri = fileUri('/work/app/Dockerfile');
    client.open(uri, 'dockerfile', DOCKERFILE, 7);
    const published = await client.diagnostics(uri);
    assert.equal(published.version, 7);
    assert.deepEqual(published.diagnostics, expected(DOCKERFILE));
  });

  it('a compose file by language id: quotes excluded from ranges, ignore comments honoured, local builds informational', async () => {
    const uri = fileUri('/work/app/stack.yml');
    client.open(uri, 'dockercompose', COMPOSE);
    const { diagnostics } = await client.diagnostics(uri);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range, d.severity]),
      [
        ['unpinned', rangeOf(COMPOSE, 'nginx:1.27'), DiagnosticSeverity.Warning],
        ['unpinned', rangeOf(COMPOSE, 'acme/app:dev'), DiagnosticSeverity.Information],
      ],
    );
  });

  it('plaintext documents are recognised by their file name; unknown ones get no diagnostics', async () => {
    const named = fileUri('/work/app/Containerfile');
    client.open(named, 'plaintext', 'FROM busybox:1.36\n');
    assert.deepEqual(codes((await client.diagnostics(named)).diagnostics), ['unpinned']);
    const other = fileUri('/work/app/notes.txt');
    client.open(other, 'plaintext', 'We use busybox:1.36 and FROM lines.\n');
    assert.deepEqual((await client.diagnostics(other)).diagnostics, []);
  });

  it('a burst of 20 changes is read once, 200 ms after the last, and published for the last version', async () => {
    const uri = fileUri('/work/app/burst/Dockerfile');
    client.open(uri, 'dockerfile', 'FROM a:1\n');
    await client.diagnostics(uri);
    await client.settle();
    const publishedBefore = client.published.filter((p) => p.uri === uri).length;
    const analysedBefore = client.logs.filter((l) => l.startsWith(`analysed ${uri}`)).length;
    const lines = ['FROM a:1'];
    for (let version = 2; version <= 21; version++) {
      client.change(uri, version, [
        { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: `FROM b${version}:1\n` },
      ]);
      lines.splice(1, 0, `FROM b${version}:1`);
    }
    const text = `${lines.join('\n')}\n`;
    // Every change handled, 199 ms of fake time on: nothing read or published yet; 1 ms more, and the last version is.
    await client.advance(199);
    assert.equal(client.published.filter((p) => p.uri === uri).length, publishedBefore);
    await client.advance(1);
    const published = client.published.filter((p) => p.uri === uri).at(-1)!;
    assert.equal(client.published.filter((p) => p.uri === uri).length, publishedBefore + 1);
    assert.equal(published.version, 21);
    assert.equal(published.diagnostics.length, 21);
    assert.deepEqual(published.diagnostics[1]!.range, rangeOf(text, 'b21:1'));
    // Nothing else arrives: every timer run out (however far ahead), then count.
    await client.settle();
    assert.equal(client.published.filter((p) => p.uri === uri).length, publishedBefore + 1);
    assert.equal(client.logs.filter((l) => l.startsWith(`analysed ${uri}`)).length, analysedBefore + 1);
  });

  it('incremental changes keep ranges exact (CRLF, a new document in a YAML stream)', async () => {
    const uri = fileUri('/work/app/k8s.yaml');
    const text = 'kind: Pod\r\nspec:\r\n  containers:\r\n    - image: redis:7\r\n';
    client.open(uri, 'yaml', text);
    await client.diagnostics(uri);
    const added = '---\r\nkind: Pod\r\nspec:\r\n  containers:\r\n    - image: memcached:1.6\r\n';
    client.change(uri, 2, [
      { range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: added },
    ]);
    const { diagnostics } = await client.diagnostics(uri);
    const after = text + added;
    assert.deepEqual(
      diagnostics.map((d) => d.range),
      [rangeOf(after, 'redis:7'), rangeOf(after, 'memcached:1.6')],
    );
  });

  it('closing a document clears its diagnostics', async () => {
    const uri = fileUri('/work/app/closing/Dockerfile');
    client.open(uri, 'dockerfile', 'FROM a:1\n');
    await client.diagnostics(uri, (p) => p.diagnostics.length === 1);
    client.close(uri);
    assert.deepEqual((await client.diagnostics(uri)).diagnostics, []);
  });
});

describe('settings', () => {
  let client: TestClient;
  before(async () => {
    client = await startClient({ initializationOptions: { trusted: false } });
  });
  after(() => client.stop());

  it('severity per code, off, ignore globs and enable take effect on didChangeConfiguration', async () => {
    const uri = fileUri('/work/settings/Dockerfile');
    const text = 'FROM python:3.12\nFROM ghcr.io/acme/tool:1\nFROM nginx\n';
    client.open(uri, 'dockerfile', text);
    assert.deepEqual(codes((await client.diagnostics(uri)).diagnostics), ['unpinned', 'unpinned', 'latest']);

    changeSettings(client, { severity: { unpinned: 'error', latest: 'off' } });
    let { diagnostics } = await client.diagnostics(uri);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.severity]),
      [
        ['unpinned', DiagnosticSeverity.Error],
        ['unpinned', DiagnosticSeverity.Error],
      ],
    );

    changeSettings(client, { ignore: ['ghcr.io/acme/*', 'python'] });
    ({ diagnostics } = await client.diagnostics(uri));
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range]),
      [['latest', rangeOf(text, 'nginx')]],
    );

    changeSettings(client, { enable: false });
    assert.deepEqual((await client.diagnostics(uri)).diagnostics, []);

    changeSettings(client, {});
    assert.equal((await client.diagnostics(uri)).diagnostics.length, 3);
  });

  it('per-folder settings: each document reads its own scope', async () => {
    const quiet = fileUri('/work/quiet/Dockerfile');
    client.scoped[quiet] = { severity: { unpinned: 'hint' } };
    client.open(quiet, 'dockerfile', 'FROM python:3.12\n');
    const { diagnostics } = await client.diagnostics(
      quiet,
      (p) => p.diagnostics[0]?.severity === DiagnosticSeverity.Hint,
    );
    assert.equal(diagnostics[0]!.code, 'unpinned');
  });
});

describe('pull diagnostics (a client that declares pull support, like VS Code)', () => {
  let client: TestClient;
  before(async () => {
    client = await startClient({ capabilities: PULL_CAPABILITIES, initializationOptions: { trusted: false } });
  });
  after(() => client.stop());

  it('answers textDocument/diagnostic with the current text, and never pushes', async () => {
    const uri = fileUri('/work/pull/Dockerfile');
    client.open(uri, 'dockerfile', DOCKERFILE);
    const report = (await client.connection.sendRequest('textDocument/diagnostic', {
      textDocument: { uri },
    })) as DocumentDiagnosticReport;
    assert.equal(report.kind, 'full');
    assert.deepEqual(report.kind === 'full' ? report.items : [], expected(DOCKERFILE));
    // A change is read when the client pulls, without waiting for the debounce.
    client.change(uri, 2, [
      { range: { start: { line: 3, character: 5 }, end: { line: 3, character: 10 } }, text: 'nginx:1.27' },
    ]);
    const next = (await client.connection.sendRequest('textDocument/diagnostic', {
      textDocument: { uri },
      previousResultId: report.resultId,
    })) as DocumentDiagnosticReport;
    assert.equal(next.kind, 'full');
    assert.deepEqual(next.kind === 'full' ? next.items.map((d) => d.code) : [], [
      'unpinned',
      'unpinned',
      'unpinned',
      'unpinned',
      'variable',
      'invalid-reference',
    ]);
    // Nothing changed since: `unchanged`, so a 10,000-reference file is not sent again.
    const same = (await client.connection.sendRequest('textDocument/diagnostic', {
      textDocument: { uri },
      previousResultId: next.resultId,
    })) as DocumentDiagnosticReport;
    assert.deepEqual(same, { kind: 'unchanged', resultId: next.resultId });
    // Nothing is pushed later either: every debounce and batch delay run out.
    await client.settle();
    assert.deepEqual(
      client.published.filter((p) => p.uri === uri),
      [],
    );
  });
});

describe('robustness: the server survives anything it is sent', () => {
  let client: TestClient;
  before(async () => {
    client = await startClient({ initializationOptions: { trusted: false } });
  });
  after(() => client.stop());

  it('broken YAML, binary, a huge file, deep nesting, changes to unknown documents, malformed requests', async () => {
    const broken = fileUri('/work/robust/broken.yaml');
    client.open(broken, 'yaml', 'services:\n  web:\n    image: nginx:1\n  bad: [unclosed\n: : :\n');
    const brokenDiagnostics = (await client.diagnostics(broken)).diagnostics;
    assert.ok(
      brokenDiagnostics.some((d) => d.code === 'unpinned'),
      JSON.stringify(brokenDiagnostics),
    );
    assert.ok(
      brokenDiagnostics.some(
        (d) => d.severity === DiagnosticSeverity.Hint && String(d.message).startsWith('YAML syntax error'),
      ),
    );

    const binary = fileUri('/work/robust/Dockerfile.bin');
    client.open(binary, 'dockerfile', 'FROM a:1\u0000\u0001\u0002\uFFFD');
    assert.deepEqual(
      (await client.diagnostics(binary)).diagnostics.map((d) => String(d.message)),
      ['skipped: binary file (contains NUL bytes)'],
    );

    const huge = fileUri('/work/robust/huge.yaml');
    client.open(huge, 'yaml', `image: a:1\n${'x: y\n'.repeat(2_200_000)}`);
    assert.match(
      String((await client.diagnostics(huge, () => true, 30_000)).diagnostics[0]!.message),
      /^skipped: file is 10\.5 MB/,
    );

    const deep = fileUri('/work/robust/deep.yaml');
    client.open(deep, 'yaml', `${'['.repeat(200_000)}\n`);
    await client.diagnostics(deep, () => true, 30_000);

    client.change(fileUri('/work/robust/never-opened.yaml'), 2, [{ text: 'x' }]);
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: broken } });
    void client.connection.sendNotification('digestPin/trust', null);
    await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri: broken },
      position: { line: 99, character: -4 },
    });
    await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri: 'file:///nope' },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    });
    await client.connection.sendRequest('digestPin/pinWorkspace', { uris: [42, 'file:///does/not/exist'] });

    // Still answering, with exact results.
    const fine = fileUri('/work/robust/Dockerfile');
    client.open(fine, 'dockerfile', 'FROM alpine:3.19\n');
    assert.deepEqual(codes((await client.diagnostics(fine)).diagnostics), ['unpinned']);
    assert.equal(client.closed, false);
  });
});

describe('malformed parameters: answered InvalidParams, and nothing of them reaches the server', () => {
  let client: TestClient;
  before(async () => {
    client = await startClient({ initializationOptions: { trusted: false } });
  });
  after(() => client.stop());

  it('a didOpen without text is dropped (logged); later documents are read and a configuration change re-reads them', async () => {
    void client.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: fileUri('/work/bad/Dockerfile'), languageId: 'dockerfile', version: 1 },
    });
    const uri = fileUri('/work/good/Dockerfile');
    client.open(uri, 'dockerfile', 'FROM alpine:3.19\n');
    assert.deepEqual(codes((await client.diagnostics(uri)).diagnostics), ['unpinned']);
    assert.ok(client.logs.some((line) => line.includes('textDocument/didOpen ignored: textDocument.text is missing')));
    // A settings change re-reads every open document: the good one still has its finding, now as information.
    changeSettings(client, { severity: { unpinned: 'information' } });
    const again = await client.diagnostics(
      uri,
      (report) => report.diagnostics[0]?.severity === DiagnosticSeverity.Information,
    );
    assert.deepEqual(codes(again.diagnostics), ['unpinned']);
  });

  const requests: Array<[string, unknown]> = [
    ['textDocument/hover', { textDocument: { uri: 'file:///x' } }],
    ['textDocument/hover', { textDocument: {}, position: { line: 0, character: 0 } }],
    ['textDocument/hover', { position: { line: 0, character: 0 } }],
    ['textDocument/hover', { textDocument: { uri: 'file:///x' }, position: { line: 'a', character: 0 } }],
    ['textDocument/hover', null],
    ['textDocument/codeAction', { textDocument: { uri: 'file:///x' }, context: { diagnostics: [] } }],
    ['textDocument/codeAction', { textDocument: { uri: 'file:///x' }, range: { start: { line: 0 } } }],
    [
      'textDocument/codeAction',
      {
        textDocument: { uri: 'file:///x' },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      },
    ],
    ['textDocument/codeAction', { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }],
    ['textDocument/diagnostic', {}],
    ['textDocument/diagnostic', { textDocument: { uri: 42 } }],
  ];
  for (const [method, params] of requests) {
    it(`${method} ${JSON.stringify(params)}: InvalidParams`, async () => {
      await assert.rejects(client.connection.sendRequest(method, params), (error: { code?: number }) => {
        assert.equal(error.code, -32602);
        return true;
      });
    });
  }
});

describe('the built entry points, spawned over stdio', () => {
  before(ensureBuilt);

  it('node dist/server.js --stdio (as VS Code starts it): initialize, open, diagnostics, shutdown and exit', async () => {
    const client: SpawnedClient = await startSpawned({ initializationOptions: { trusted: false } });
    const uri = fileUri('/work/smoke/Dockerfile');
    client.open(uri, 'dockerfile', DOCKERFILE, 3);
    const published = await client.diagnostics(uri);
    assert.equal(published.version, 3);
    assert.deepEqual(published.diagnostics, expected(DOCKERFILE));
    await client.stop();
    assert.equal(client.process.exitCode, 0);
  });

  it('digest-pin lsp --stdio (the CLI entry point) serves the same diagnostics', async () => {
    const client: SpawnedClient = await startSpawned({ via: 'cli', initializationOptions: { trusted: false } });
    try {
      const uri = fileUri('/work/cli/Dockerfile');
      client.open(uri, 'dockerfile', DOCKERFILE);
      assert.deepEqual((await client.diagnostics(uri)).diagnostics, expected(DOCKERFILE));
    } finally {
      await client.stop();
    }
  });
});
