// kustomize `images:` entries: newName / name with newTag, pinned by `digest` (a field, or a new key after newTag).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, pinEdit } from '../../../../server/src/features/edits';
import { IncrementalExtractor, MIN_PART_CHARS } from '../../../../server/src/references/incremental';
import { findReferences } from '../../../../server/src/references/index';
import { assertSplit, type SplitExpected } from './split';

const D = `sha256:${'e'.repeat(64)}`;
const HEAD = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';

interface KustomizeCase {
  name: string;
  text: string;
  path?: string;
  expect: SplitExpected[];
  /** The text a new digest key inserts, for `new-key` slots: [prefix, suffix] of the first reference. */
  newKey?: [string, string];
}

const cases: KustomizeCase[] = [
  {
    name: 'name + newTag: reported at newTag, a new digest key after it',
    text: `${HEAD}images:\n  - name: nginx\n    newTag: 1.27.3\n`,
    expect: [
      {
        text: '1.27.3',
        assembled: 'nginx:1.27.3',
        status: 'unpinned',
        name: 'docker.io/library/nginx',
        tag: '1.27.3',
        parts: { repository: 'nginx', tag: '1.27.3' },
        slot: 'new-key',
      },
    ],
    newKey: ['\n    digest: ', ''],
  },
  {
    name: 'newName replaces the name',
    text: `${HEAD}images:\n- name: postgres\n  newName: ghcr.io/acme/postgres\n  newTag: "16.4"\n`,
    expect: [
      {
        text: '16.4',
        assembled: 'ghcr.io/acme/postgres:16.4',
        status: 'unpinned',
        name: 'ghcr.io/acme/postgres',
        parts: { repository: 'ghcr.io/acme/postgres', tag: '16.4' },
        slot: 'new-key',
      },
    ],
    newKey: ['\n  digest: ', ''],
  },
  {
    name: 'a digest field: pinned, and the field is where an update writes',
    text: `${HEAD}images:\n  - name: redis\n    newTag: "7"\n    digest: ${D}\n`,
    expect: [
      {
        text: '7',
        after: 'newTag: "',
        assembled: `redis:7@${D}`,
        status: 'pinned',
        digest: D,
        parts: { repository: 'redis', tag: '7', digest: D },
        slot: 'field',
      },
    ],
  },
  {
    name: 'a digest without newTag: digest-only, reported at the name',
    text: `${HEAD}images:\n  - name: busybox\n    digest: ${D}\n`,
    expect: [
      {
        text: 'busybox',
        after: 'name: ',
        assembled: `busybox@${D}`,
        status: 'pinned',
        tag: null,
        parts: { repository: 'busybox', digest: D },
        slot: 'field',
      },
    ],
  },
  {
    name: 'a rename alone is not a reference (the resources carry the tag)',
    text: `${HEAD}images:\n  - name: app\n    newName: registry.example/app\n`,
    expect: [],
  },
  {
    name: 'several entries, in order',
    text: `${HEAD}images:\n  - name: a\n    newTag: "1"\n  - name: b\n    newName: c\n  - name: d\n    newTag: v2\n`,
    expect: [
      {
        text: '1',
        after: 'newTag: "',
        assembled: 'a:1',
        status: 'unpinned',
        parts: { repository: 'a', tag: '1' },
        slot: 'new-key',
      },
      { text: 'v2', assembled: 'd:v2', status: 'unpinned', parts: { repository: 'd', tag: 'v2' }, slot: 'new-key' },
    ],
  },
  {
    name: 'a flow entry: the digest goes in after newTag',
    text: `${HEAD}images:\n  - {name: flow, newTag: "1"}\n`,
    expect: [
      {
        text: '1',
        after: 'newTag: "',
        assembled: 'flow:1',
        status: 'unpinned',
        parts: { repository: 'flow', tag: '1' },
        slot: 'new-key',
      },
    ],
    newKey: [', digest: ', ''],
  },
  {
    name: 'newTag first in the entry keeps its indentation',
    text: `${HEAD}images:\n  - newTag: 3.20.3\n    name: alpine\n`,
    expect: [
      {
        text: '3.20.3',
        assembled: 'alpine:3.20.3',
        status: 'unpinned',
        parts: { repository: 'alpine', tag: '3.20.3' },
        slot: 'new-key',
      },
    ],
    newKey: ['\n    digest: ', ''],
  },
  {
    name: 'a comment after newTag stays on its line; the key goes after it',
    text: `${HEAD}images:\n  - name: web\n    newTag: v1 # release\n`,
    expect: [
      {
        text: 'v1',
        after: 'newTag: ',
        assembled: 'web:v1',
        status: 'unpinned',
        parts: { repository: 'web', tag: 'v1' },
        slot: 'new-key',
      },
    ],
    newKey: ['\n    digest: ', ''],
  },
  {
    name: 'CRLF: the new key uses the file line break',
    text: `${HEAD.replace(/\n/g, '\r\n')}images:\r\n  - name: web\r\n    newTag: v1\r\n`,
    expect: [
      {
        text: 'v1',
        after: 'newTag: ',
        assembled: 'web:v1',
        status: 'unpinned',
        parts: { repository: 'web', tag: 'v1' },
        slot: 'new-key',
      },
    ],
    newKey: ['\r\n    digest: ', ''],
  },
  {
    name: 'a templated or variable newTag is variable',
    text: `${HEAD}images:\n  - name: app\n    newTag: \${TAG}\n`,
    expect: [
      {
        text: '${TAG}',
        assembled: 'app:${TAG}',
        status: 'variable',
        parts: { repository: 'app', tag: '${TAG}' },
        slot: 'new-key',
      },
    ],
  },
  {
    name: 'kind Component holds images too',
    text: 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n  - name: x\n    newTag: "2"\n',
    expect: [
      {
        text: '2',
        after: 'newTag: "',
        assembled: 'x:2',
        status: 'unpinned',
        parts: { repository: 'x', tag: '2' },
        slot: 'new-key',
      },
    ],
  },
  {
    name: 'found by file name without apiVersion/kind',
    path: 'overlays/prod/kustomization.yml',
    text: 'resources: [../../base]\nimages:\n  - name: api\n    newTag: 2.0.1\n',
    expect: [
      {
        text: '2.0.1',
        assembled: 'api:2.0.1',
        status: 'unpinned',
        parts: { repository: 'api', tag: '2.0.1' },
        slot: 'new-key',
      },
    ],
  },
  {
    name: '# digest-pin: ignore above the entry',
    text: `${HEAD}images:\n  # digest-pin: ignore\n  - name: dev\n    newTag: latest\n`,
    expect: [
      {
        text: 'latest',
        assembled: 'dev:latest',
        status: 'unpinned',
        parts: { repository: 'dev', tag: 'latest' },
        slot: 'new-key',
        ignored: true,
      },
    ],
  },
  {
    name: 'an invalid name is reported invalid',
    text: `${HEAD}images:\n  - name: Upper/Case\n    newTag: "1"\n`,
    expect: [
      {
        text: '1',
        after: 'newTag: "',
        assembled: 'Upper/Case:1',
        status: 'invalid',
        parts: { repository: 'Upper/Case', tag: '1' },
        slot: 'new-key',
      },
    ],
  },
  {
    name: 'resources and patches of a kustomization are not references',
    text: `${HEAD}resources:\n  - deployment.yaml\nnamePrefix: prod-\ncommonLabels:\n  image: not-an-image\n`,
    expect: [],
  },
];

describe('kustomize images', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = findReferences(c.path ?? 'kustomization.yaml', c.text);
      assertSplit(c.text, result.references, c.expect, 'kustomize');
      assert.deepEqual(result.notes, []);
      assert.equal(result.kind, 'kustomize');
      if (c.newKey !== undefined) {
        const slot = result.references[0]?.digestSlot;
        assert.ok(slot?.kind === 'new-key');
        assert.deepEqual([slot.prefix, slot.suffix], c.newKey);
      }
    });
  }
});

describe('kustomize: a new digest key only where it belongs to the entry (fuzz, issue 13)', () => {
  // [name, what follows `newTag: "7"`, the slot, what pinning reads back]
  const cases: Array<[string, string, 'new-key' | 'none', string | null]> = [
    // The line after: one indented further is a YAML error now, but would continue the new key's plain value.
    ['a stray line indented further (a YAML error)', '\n     -\n', 'none', null],
    ['after a blank line, still a continuation', '\n\n     x\n', 'none', null],
    ['a comment indented further ends the value', '\n      # note\n     x: 1\n', 'new-key', D],
    ['the next entry', '\n  - name: t\n    newTag: "8"\n', 'new-key', D],
    ['the end of the file', '\n', 'new-key', D],
    // The rest of newTag's own line: anything but a comment is a YAML error that ends the map there.
    ['a stray flow end', ']\n', 'none', null],
    ['a stray quoted word', ' "x"\n', 'none', null],
    ['a comment', ' # pinned by hand\n', 'new-key', D],
    ['trailing blanks', '  \n', 'new-key', D],
  ];
  for (const [name, tail, slot, pinned] of cases) {
    it(`${name}: ${slot}`, () => {
      const text = `${HEAD}images:\n  - name: s\n    newTag: "7"${tail}`;
      const [ref] = findReferences('kustomization.yaml', text).references;
      assert.ok(ref);
      assert.equal(ref.digestSlot?.kind, slot, JSON.stringify(ref.digestSlot));
      const edit = pinEdit(ref, D);
      assert.equal(edit.ok, pinned !== null);
      if (!edit.ok) return;
      const applied = applyEdits(text, [edit.edit]);
      assert.ok(applied.ok);
      assert.equal(findReferences('kustomization.yaml', applied.text).references[0]?.digest, pinned);
    });
  }
});

describe('kustomize: a digest written into newTag is updated where it is written (fuzz, issue 13)', () => {
  const OLD = `sha256:${'c'.repeat(64)}`;
  // [name, the newTag value as written, what it reads after pinning D]
  const cases: Array<[string, string, string]> = [
    ['plain', `2@${OLD}`, `2@${D}`],
    ['double-quoted', `"2@${OLD}"`, `"2@${D}"`],
    ['single-quoted', `'2@${OLD}'`, `'2@${D}'`],
  ];
  for (const [name, written, after] of cases) {
    it(name, () => {
      const text = `${HEAD}images:\n  - name: n\n    newTag: ${written}\n`;
      const [ref] = findReferences('kustomization.yaml', text).references;
      assert.ok(ref);
      assert.equal(ref.digest, OLD);
      assert.equal(ref.digestSlot?.kind, 'field');
      const edit = pinEdit(ref, D);
      assert.ok(edit.ok);
      const applied = applyEdits(text, [edit.edit]);
      assert.ok(applied.ok);
      assert.equal(applied.text, `${HEAD}images:\n  - name: n\n    newTag: ${after}\n`);
      const [again] = findReferences('kustomization.yaml', applied.text).references;
      assert.equal(again?.digest, D);
      assert.equal(again?.status, 'pinned');
    });
  }
});

describe('kustomize: a new digest key ends its line as the line before it ends (fuzz, issue 13)', () => {
  const entry = (eol: string, last = eol): string => `images:${eol}  - name: s${eol}    newTag: "7"${last}`;
  // [name, text, the inserted key's prefix]
  const cases: Array<[string, string, string]> = [
    ['LF', `${HEAD}${entry('\n')}`, '\n    digest: '],
    ['CRLF after a first line ending in LF', `# x\n${entry('\r\n')}`, '\r\n    digest: '],
    ['LF after a first line ending in CRLF', `# x\r\n${entry('\n')}`, '\n    digest: '],
    ['lone CR', `${entry('\r')}`, '\r    digest: '],
    ['no line break after the last line: the one before it', `# x\n${entry('\r\n', '')}`, '\r\n    digest: '],
  ];
  for (const [name, text, prefix] of cases) {
    it(name, () => {
      const [ref] = findReferences('kustomization.yaml', text).references;
      assert.ok(ref?.digestSlot?.kind === 'new-key');
      assert.equal(ref.digestSlot.prefix, prefix);
    });
  }

  it('read in parts by the language server, as read whole', () => {
    const text = `# ${'x'.repeat(MIN_PART_CHARS)}\n---\r\n${entry('\r\n')}`;
    const whole = findReferences('kustomization.yaml', text);
    const slot = whole.references[0]?.digestSlot;
    assert.equal(slot?.kind === 'new-key' && slot.prefix, '\r\n    digest: ');
    const extractor = new IncrementalExtractor();
    assert.deepEqual(extractor.extract('kustomization.yaml', text), whole);
    assert.equal(extractor.stats.parsed, 2, 'read in two parts');
  });
});
