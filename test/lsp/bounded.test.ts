// Issue 13: the editor survives opening each pathological file of the reproducers, and afterwards still
// answers a hover in another, ordinary document. No timing is asserted: each file is read to its diagnostics, then
// the hover is asked for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileUri, hoverAt, startClient, type InProcessClient } from './support/inProcess';

const MB = 1024 * 1024;

const MUTABLE = (image: string): string => `${image} is a mutable tag; pin it to a digest`;

/**
 * Name, language id, what its diagnostics must include (the start of a message), and a builder: each text is built
 * only when its case runs.
 */
const PATHOLOGICAL: Array<[string, string, string[], () => string]> = [
  [
    'run-of-brackets.yaml',
    'yaml',
    [MUTABLE('nginx:1.27'), 'too complex to read: '],
    () => `image: nginx:1.27\nk: ${']'.repeat(MB)}\n`,
  ],
  [
    'run-of-quotes.yaml',
    'yaml',
    [MUTABLE('nginx:1.27'), 'too complex to read: '],
    () => `image: nginx:1.27\nk: ${'"'.repeat(MB)}\n`,
  ],
  [
    'Dockerfile.mounts',
    'dockerfile',
    [MUTABLE('alpine:3.19'), MUTABLE('x:1')],
    () => `FROM alpine:3.19\nRUN${' --mount=type=bind,from=x:1'.repeat(32_000)} true\n`,
  ],
  [
    '.gitlab-ci.yml',
    'yaml',
    [MUTABLE('redis:7')],
    () => `test:\n  script: [x]\n  services: [${Array.from({ length: 32_000 }, () => 'redis:7').join(', ')}]\n`,
  ],
  ['Dockerfile.nested', 'dockerfile', [MUTABLE('alpine:3.19')], () => `FROM alpine:3.19\nFROM ${'${'.repeat(3300)}\n`],
  [
    'pod.yaml',
    'yaml',
    [MUTABLE('nginx:1.27')],
    () =>
      `apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: x\nextra: *m\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      args:\n${Array.from({ length: 130_001 }, (_, i) => `        - a${i}`).join('\n')}\n`,
  ],
];

describe('the editor survives each pathological file of issue 13', () => {
  let client: InProcessClient;
  const ordinary = fileUri('/work/bounded/ordinary/Dockerfile');
  before(async () => {
    client = await startClient({ initializationOptions: { trusted: false } });
    client.open(ordinary, 'dockerfile', 'FROM alpine:3.19\n');
    await client.diagnostics(ordinary);
  });
  after(() => client.stop());

  for (const [name, languageId, expected, build] of PATHOLOGICAL) {
    it(`${name}: read to its diagnostics, then a hover in another document is answered`, async () => {
      const uri = fileUri(`/work/bounded/${name}`);
      client.open(uri, languageId, build());
      const messages = (await client.diagnostics(uri, () => true, 120_000)).diagnostics.map((d) => String(d.message));
      for (const start of expected)
        assert.ok(
          messages.some((message) => message.startsWith(start)),
          `${start} in ${JSON.stringify(messages.slice(0, 10))}`,
        );
      const hover = await hoverAt(client, ordinary, { line: 0, character: 7 });
      assert.equal(
        hover,
        [
          '**alpine:3.19**',
          '`docker.io/library/alpine` on docker.io · tag `3.19`',
          'Registry checks are off: this workspace is not trusted.',
          '[Open on Docker Hub](https://hub.docker.com/_/alpine)',
        ].join('\n\n'),
      );
      assert.equal(client.closed, false);
      client.close(uri);
    });
  }
});
