// The reader thread (server/src/lsp/reader.ts): a document whose read would parse more than the threshold (small
// here) is read on a thread of its own. Its diagnostics are those of a read on the server's thread; while its read
// is held in the thread (a gate the test opens: deterministic, no sleeps), another document's hover is answered and
// a code action on it waits; a read past the time budget, out of memory, or in a thread that dies gives a note or is
// tried again, and the server goes on. Orders of events are asserted, never timings.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { WorkspaceEditResult } from '../../server/src/shared/protocol';
import { codeActionsAt, fileUri, hoverAt, startClient, type InProcessClient } from './support/inProcess';

const THRESHOLD = 4096;
const ORDINARY_HOVER = [
  '**alpine:3.19**',
  '`docker.io/library/alpine` on docker.io · tag `3.19`',
  'Registry checks are off: this workspace is not trusted.',
  '[Open on Docker Hub](https://hub.docker.com/_/alpine)',
].join('\n\n');

/** A stream of `count` Pods, each with its own image tag (and every 7th a broken one, for notes). */
const pods = (count: number): string =>
  Array.from(
    { length: count },
    (_, i) =>
      `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n    - name: c\n      image: ${i % 7 === 3 ? 'Bad:Image' : `nginx:1.${i}`}\n`,
  ).join('');

const DOCKERFILE = `FROM alpine:3.19 AS base\n${Array.from({ length: 300 }, (_, i) => `COPY --from=busybox:1.${i} /bin/sh /x${i}\n`).join('')}`;

const shape = (diagnostics: Diagnostic[]): string[] =>
  diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.character} ${d.message}`);

/** A gate for the reader thread: closed, reads wait in the thread until open(). */
function gate(): { array: Int32Array; open(): void; close(): void; waiting(): Promise<void> } {
  const array = new Int32Array(new SharedArrayBuffer(8));
  return {
    array,
    open() {
      Atomics.store(array, 0, 1);
      Atomics.notify(array, 0);
    },
    close() {
      Atomics.store(array, 0, 0);
      Atomics.store(array, 1, 0);
    },
    /** Resolves once a read waits at the gate (the thread sets [1]). */
    async waiting() {
      // Node has Atomics.waitAsync; the project's TypeScript lib (es2022) does not name it.
      const atomics = Atomics as unknown as {
        waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
      };
      const result = atomics.waitAsync(array, 1, 0);
      if (result.async) await result.value;
    },
  };
}

async function diagnosed(client: InProcessClient, uri: string, languageId: string, text: string): Promise<string[]> {
  client.open(uri, languageId, text);
  const published = await client.diagnostics(uri, () => true, 60_000);
  return shape(published.diagnostics);
}

describe('the reader thread: big documents are read off the server thread', () => {
  const held = gate();
  let client: InProcessClient;
  let here: InProcessClient;
  const ordinary = fileUri('/work/reader/ordinary/Dockerfile');

  before(async () => {
    client = await startClient({
      initializationOptions: { trusted: false },
      reader: { threshold: THRESHOLD, gate: held.array },
    });
    // The same server with every read on its own thread (the threshold above any document here).
    here = await startClient({ initializationOptions: { trusted: false }, reader: { threshold: 1e9 } });
    client.open(ordinary, 'dockerfile', 'FROM alpine:3.19\n');
    await client.diagnostics(ordinary);
  });
  after(async () => {
    held.open();
    await Promise.all([client.stop(), here.stop()]);
  });
  afterEach(() => held.close());

  for (const [name, languageId, text] of [
    ['stream.yaml', 'yaml', pods(200)],
    ['Dockerfile', 'dockerfile', DOCKERFILE],
  ] as const) {
    it(`${name}: read in the thread, the same diagnostics as read on the server's thread`, async () => {
      assert.ok(text.length > THRESHOLD);
      const uri = fileUri(`/work/reader/same/${name}`);
      const expected = await diagnosed(here, uri, languageId, text);
      client.open(uri, languageId, text);
      await held.waiting();
      assert.equal(client.reader.busy, 1, 'the read waits in the thread');
      held.open();
      const published = await client.diagnostics(uri, () => true, 60_000);
      assert.deepEqual(shape(published.diagnostics), expected);
      assert.ok(expected.length > 100, `${expected.length} diagnostics`);
      client.close(uri);
      here.close(uri);
    });
  }

  it('an edit after the thread read is read by parts on the server thread, as a whole read would', async () => {
    const uri = fileUri('/work/reader/edit/stream.yaml');
    const text = pods(200);
    held.open();
    await diagnosed(client, uri, 'yaml', text);
    const reads = client.reader.reads;
    // Line 8 of Pod 0 is its image: another tag.
    const edit = { range: { start: { line: 8, character: 13 }, end: { line: 8, character: 22 } }, text: 'redis:7' };
    client.change(uri, 2, [edit]);
    const published = await client.diagnostics(uri, (p) => p.version === 2, 60_000);
    assert.equal(client.reader.reads, reads, 'no read in the thread for a one-line edit');
    const edited = `${text.split('\n').slice(0, 8).join('\n')}\n      image: redis:7\n${text.split('\n').slice(9).join('\n')}`;
    assert.deepEqual(shape(published.diagnostics), await diagnosed(here, uri, 'yaml', edited));
    assert.ok(shape(published.diagnostics).some((d) => d.startsWith('8:13-20 redis:7 is a mutable tag')));
    client.close(uri);
    here.close(uri);
  });

  it('while a read is held in the thread: another document is hovered, a code action waits for the read', async () => {
    const uri = fileUri('/work/reader/held/stream.yaml');
    const events: string[] = [];
    const waitDiagnostics = client
      .diagnostics(uri, () => true, 60_000)
      .then((p) => {
        events.push('big document diagnosed');
        return p;
      });
    client.open(uri, 'yaml', pods(100));
    await held.waiting();
    const actions = codeActionsAt(client, uri, {
      start: { line: 8, character: 0 },
      end: { line: 8, character: 0 },
    }).then(() => events.push('code action answered'));
    assert.equal(await hoverAt(client, ordinary, { line: 0, character: 7 }), ORDINARY_HOVER);
    await client.quiet();
    assert.equal(events.length, 0, 'the other document is hovered before anything of the held one is answered');
    events.push('gate opened');
    held.open();
    await Promise.all([actions, waitDiagnostics]);
    assert.equal(events[0], 'gate opened');
    assert.deepEqual(events.slice(1).sort(), ['big document diagnosed', 'code action answered']);
    client.close(uri);
  });

  it('a hover in the big document answers from its last read while the next is held', async () => {
    const uri = fileUri('/work/reader/last/stream.yaml');
    held.open();
    await diagnosed(client, uri, 'yaml', pods(100));
    held.close();
    client.change(uri, 2, [{ text: pods(100).replaceAll('nginx:', 'redis:') }]);
    const hover = hoverAt(client, uri, { line: 8, character: 15 });
    await held.waiting();
    assert.match((await hover) ?? '', /^\*\*nginx:1\.0\*\*/);
    held.open();
    await client.diagnostics(uri, (p) => p.version === 2, 60_000);
    assert.match((await hoverAt(client, uri, { line: 8, character: 15 })) ?? '', /^\*\*redis:1\.0\*\*/);
    client.close(uri);
  });

  it('pin all waits for the read of the text as it is, never uses an older one', async () => {
    const trusted = await startClient({
      initializationOptions: { trusted: true },
      reader: { threshold: THRESHOLD, gate: held.array },
    });
    try {
      // No registry here: every reference is left, and the summary names the ones read.
      trusted.registry.intercept(() => ({ error: new Error('no registry in this test') }));
      const uri = fileUri('/work/reader/pin/stream.yaml');
      held.open();
      await diagnosed(trusted, uri, 'yaml', pods(100));
      held.close();
      trusted.change(uri, 2, [{ text: pods(100).replaceAll('nginx:', 'redis:') }]);
      const pin = trusted.connection.sendRequest('digestPin/pinWorkspace', { uris: [uri] });
      await held.waiting();
      held.open();
      const { summary } = (await pin) as WorkspaceEditResult;
      const texts = summary.failures.map((failure) => failure.text);
      assert.ok(texts.length > 50, JSON.stringify(summary.failures.slice(0, 2)));
      assert.deepEqual(
        texts.filter((text) => !text.startsWith('redis:')),
        [],
      );
    } finally {
      await trusted.stop();
    }
  });

  it('a read past the time budget: a note, no references; the thread is replaced and the server goes on', async () => {
    const budget = await startClient({
      initializationOptions: { trusted: false },
      reader: { threshold: THRESHOLD, budgetMs: 1000, gate: held.array },
    });
    try {
      const uri = fileUri('/work/reader/budget/stream.yaml');
      budget.open(ordinary, 'dockerfile', 'FROM alpine:3.19\n');
      budget.open(uri, 'yaml', pods(100));
      const published = await budget.diagnostics(uri, () => true, 60_000);
      assert.deepEqual(shape(published.diagnostics), ['0:0-0 too complex to read: reading it took longer than 1 s']);
      assert.equal(await hoverAt(budget, ordinary, { line: 0, character: 7 }), ORDINARY_HOVER);
      // A new thread reads the next version once the gate lets it.
      held.open();
      budget.change(uri, 2, [{ text: pods(101) }]);
      const again = await budget.diagnostics(uri, (p) => p.version === 2, 60_000);
      assert.ok(again.diagnostics.length > 100, JSON.stringify(shape(again.diagnostics).slice(0, 3)));
      assert.equal(budget.closed, false);
    } finally {
      await budget.stop();
    }
  });

  it('the thread dies under a read: a new one reads it again', async () => {
    const uri = fileUri('/work/reader/dies/stream.yaml');
    const text = pods(100);
    const expected = await diagnosed(here, uri, 'yaml', text);
    client.open(uri, 'yaml', text);
    await held.waiting();
    const first = client.reader.thread;
    assert.ok(first !== undefined);
    Atomics.store(held.array, 1, 0);
    await first.terminate();
    await held.waiting();
    assert.notEqual(client.reader.thread, first);
    held.open();
    const published = await client.diagnostics(uri, () => true, 60_000);
    assert.deepEqual(shape(published.diagnostics), expected);
    client.close(uri);
    here.close(uri);
  });

  it('a read that needs more memory than the thread has: a note, and the server goes on', async () => {
    const small = await startClient({
      initializationOptions: { trusted: false },
      reader: { threshold: THRESHOLD, heapMb: 32 },
    });
    try {
      const uri = fileUri('/work/reader/memory/pod.yaml');
      small.open(ordinary, 'dockerfile', 'FROM alpine:3.19\n');
      small.open(uri, 'yaml', `image: nginx:1.27\nk: [${'a, '.repeat(300_000)}]\n`);
      const published = await small.diagnostics(uri, () => true, 120_000);
      assert.deepEqual(shape(published.diagnostics), ['0:0-0 too complex to read: reading it needed more than 32 MB']);
      assert.equal(await hoverAt(small, ordinary, { line: 0, character: 7 }), ORDINARY_HOVER);
      assert.equal(small.closed, false);
    } finally {
      await small.stop();
    }
  });
});
