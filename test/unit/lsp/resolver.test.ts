// The resolver keeps the usual answer compactly (resolver.ts, PlainTag): whatever it keeps, online() must give back
// exactly the Online the registry client's answer made, for plain, stale, platform and failed answers alike.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Online } from '../../../server/src/lookup/answer';
import { Resolver } from '../../../server/src/lsp/resolver';
import type { RegistryClient, Resolution, Result } from '../../../server/src/registry/index';
import { buildReference } from '../../../server/src/references/reference';
import type { ImageReference } from '../../../server/src/references/types';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const INDEX = `sha256:${'b'.repeat(64)}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function clientAnswering(answers: Record<string, Result<Resolution>>): RegistryClient {
  return {
    resolve: async (parsed, options) =>
      answers[`${parsed.name}:${parsed.tag ?? 'latest'}${options?.platform ? ` ${String(options.platform)}` : ''}`]!,
    describe: async () => ({ ok: false, error: { kind: 'invalid', message: 'not asked' } }),
    checkPin: async () => ({ status: 'unknown', error: { kind: 'invalid', message: 'not asked' } }),
    pullBudgets: () => [],
    listTags: async () => ({ ok: false, error: { kind: 'invalid', message: 'not asked' } }),
    flush: async () => undefined,
    close: async () => undefined,
  } as RegistryClient;
}

const ref = (text: string, line: number): ImageReference =>
  buildReference(
    text,
    { start: { line, character: 7 }, end: { line, character: 7 + text.length } },
    'kubernetes',
    'image',
  );

describe('Resolver: answers kept and given back', () => {
  const plain: Resolution = { digest: DIGEST, mediaType: OCI_MANIFEST, checkedAt: 1_700_000_000_000, fromCache: false };
  const cases: Array<{
    name: string;
    text: string;
    platform: string | null;
    result: Result<Resolution>;
    expected: (r: Result<Resolution>) => Online;
  }> = [
    {
      name: 'a plain answer',
      text: 'ghcr.io/o/a:1',
      platform: null,
      result: { ok: true, value: plain },
      expected: (result) => ({ kind: 'tag', result }),
    },
    {
      name: 'a stale answer from the cache',
      text: 'ghcr.io/o/b:1',
      platform: null,
      result: { ok: true, value: { ...plain, fromCache: true, stale: true } },
      expected: (result) => ({ kind: 'tag', result }),
    },
    {
      name: 'a platform answer (kept whole)',
      text: 'ghcr.io/o/c:1',
      platform: 'linux/arm64',
      result: { ok: true, value: { ...plain, indexDigest: INDEX } },
      expected: (result) => ({ kind: 'tag', result, platform: 'linux/arm64' }),
    },
    {
      name: 'a failure (kept whole)',
      text: 'ghcr.io/o/d:1',
      platform: null,
      result: { ok: false, error: { kind: 'unauthorized', message: 'no', registry: 'ghcr.io' } },
      expected: (result) => ({ kind: 'tag', result }),
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const parsedName = c.text.slice(0, c.text.lastIndexOf(':'));
      const answers = { [`${parsedName}:1${c.platform ? ` ${c.platform}` : ''}`]: c.result };
      const answered: string[] = [];
      const resolver = new Resolver(
        clientAnswering(answers),
        { answered: (key) => answered.push(key), progress: () => undefined },
        { warn: () => undefined },
      );
      const reference = ref(c.text, 0);
      resolver.want(
        'file:///a.yaml',
        [{ references: [reference], read: [reference], lines: 0 }],
        c.platform,
        () => false,
      );
      const key = resolver.keyOf(reference, c.platform);
      assert.ok(key !== null);
      const online = await resolver.answer(key);
      assert.deepEqual(online, c.expected(c.result));
      assert.deepEqual(resolver.online(key), c.expected(c.result));
      assert.deepEqual(answered, [key]);
      assert.deepEqual(resolver.usersOf(key), ['file:///a.yaml']);
    });
  }
});

describe('Resolver: the documents that ask a question', () => {
  it('one, two, then one again when a document closes; the question is asked once', async () => {
    let asked = 0;
    const client = clientAnswering({});
    client.resolve = async () => {
      asked++;
      return { ok: true, value: { digest: DIGEST, mediaType: OCI_MANIFEST, checkedAt: 1, fromCache: false } };
    };
    const resolver = new Resolver(
      client,
      { answered: () => undefined, progress: () => undefined },
      { warn: () => undefined },
    );
    const a = ref('ghcr.io/o/a:1', 0);
    const b = ref('ghcr.io/o/a:1', 3);
    resolver.want('file:///a.yaml', [{ references: [a], read: [a], lines: 0 }], null, () => false);
    const key = resolver.keyOf(a, null)!;
    assert.deepEqual(resolver.usersOf(key), ['file:///a.yaml']);
    resolver.want('file:///b.yaml', [{ references: [b], read: [b], lines: 0 }], null, () => false);
    assert.deepEqual(resolver.usersOf(key), ['file:///a.yaml', 'file:///b.yaml']);
    resolver.forget('file:///a.yaml');
    assert.deepEqual(resolver.usersOf(key), ['file:///b.yaml']);
    await resolver.answer(key);
    assert.equal(asked, 1);
  });
});

describe('Resolver: one document asking a question from several references', () => {
  it('keeps asking while any of them is left, and cancels when the last goes', () => {
    const signals: AbortSignal[] = [];
    const client = clientAnswering({});
    client.resolve = (_parsed, options) => {
      signals.push(options!.signal!);
      return new Promise(() => undefined); // never answers: the question stays pending
    };
    const resolver = new Resolver(
      client,
      { answered: () => undefined, progress: () => undefined },
      { warn: () => undefined },
    );
    const uri = 'file:///a.yaml';
    const [a, b, c] = [ref('ghcr.io/o/a:1', 0), ref('ghcr.io/o/a:1', 3), ref('ghcr.io/o/a:1', 6)];
    const group = (...refs: ImageReference[]) => ({ references: refs, read: refs, lines: 0 });
    const [one, two, three] = [group(a), group(b, c), group(a)];
    resolver.want(uri, [one, two], null, () => false);
    const key = resolver.keyOf(a, null)!;
    assert.equal(signals.length, 1, 'asked once for three references');
    assert.equal(resolver.state.pending, 1);
    resolver.want(uri, [two], null, () => false); // a gone: b and c still ask
    assert.equal(signals[0]!.aborted, false);
    assert.deepEqual(resolver.usersOf(key), [uri]);
    resolver.want(uri, [three], null, () => false); // b and c gone, a is back in a new group
    assert.equal(signals[0]!.aborted, false);
    assert.equal(resolver.state.pending, 1);
    resolver.want(uri, [], null, () => false); // none left
    assert.equal(signals[0]!.aborted, true);
    assert.equal(resolver.state.pending, 0);
    assert.deepEqual(resolver.usersOf(key), []);
  });

  it('a closed document releases every question it asked, however many references asked it', () => {
    const signals: AbortSignal[] = [];
    const client = clientAnswering({});
    client.resolve = (_parsed, options) => {
      signals.push(options!.signal!);
      return new Promise(() => undefined);
    };
    const resolver = new Resolver(
      client,
      { answered: () => undefined, progress: () => undefined },
      { warn: () => undefined },
    );
    const refs = [ref('ghcr.io/o/a:1', 0), ref('ghcr.io/o/a:1', 1), ref('ghcr.io/o/b:1', 2)];
    resolver.want('file:///a.yaml', [{ references: refs, read: refs, lines: 0 }], null, () => false);
    const other = ref('ghcr.io/o/b:1', 0);
    resolver.want('file:///b.yaml', [{ references: [other], read: [other], lines: 0 }], null, () => false);
    assert.equal(signals.length, 2);
    resolver.forget('file:///a.yaml');
    assert.deepEqual(
      signals.map((s) => s.aborted),
      [true, false],
      'a.yaml alone asked o/a; b.yaml still asks o/b',
    );
    assert.deepEqual(resolver.usersOf(resolver.keyOf(other, null)!), ['file:///b.yaml']);
    assert.equal(resolver.state.pending, 1);
  });
});

describe('Resolver: pull budgets', () => {
  it('the progress an answer reports carries the budgets the client read from it', async () => {
    const hub = { registry: 'docker.io', remaining: 87, limit: 100, windowSeconds: 21600 };
    let budgets: Array<typeof hub> = [];
    const client = clientAnswering({});
    let answer: () => void = () => undefined;
    client.resolve = async () => {
      await new Promise<void>((resolve) => (answer = resolve));
      budgets = [hub];
      return { ok: true, value: { digest: DIGEST, mediaType: OCI_MANIFEST, checkedAt: 1, fromCache: false } };
    };
    client.pullBudgets = () => budgets;
    const reported: Array<unknown> = [];
    const resolver = new Resolver(
      client,
      { answered: () => undefined, progress: (state) => reported.push(state.pullBudgets) },
      { warn: () => undefined },
    );
    const a = ref('python:3', 0);
    resolver.want('file:///a.yaml', [{ references: [a], read: [a], lines: 0 }], null, () => false);
    assert.equal(resolver.state.pullBudgets, undefined, 'none before an answer stated one');
    const answered = resolver.answer(resolver.keyOf(a, null)!);
    answer();
    await answered;
    assert.deepEqual(reported.at(-1), [hub]);
    assert.deepEqual(resolver.state.pullBudgets, [hub]);
  });
});
