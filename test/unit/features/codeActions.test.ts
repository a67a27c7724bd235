import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import {
  codeActions,
  ignoreEdit,
  pinAllEdits,
  pinEdits,
  platformDigests,
  trailingCommentAt,
  type CodeActionRequest,
  type FileFormat,
  type FileView,
} from '../../../server/src/features/codeActions';
import type { Online } from '../../../server/src/lookup/answer';
import { applyEdits, type TextEdit } from '../../../server/src/features/edits';
import type { ImageFacts } from '../../../server/src/features/facts';
import { findReferences } from '../../../server/src/references/index';
import type { ImageReference } from '../../../server/src/references/types';
import { DEFAULT_SETTINGS, readSettings } from '../../../server/src/shared/settings';
import { withEntries } from '../../../server/src/features/lockEdits';
import { emptyLock, serialiseLock } from '../../../server/src/lock/lockFile';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const AMD = `sha256:${'a'.repeat(64)}`;
const ARM = `sha256:${'b'.repeat(64)}`;
const INDEX = 'application/vnd.oci.image.index.v1+json';

const formatOf = (path: string): FileFormat =>
  path.endsWith('.json')
    ? 'json'
    : /Dockerfile/.test(path)
      ? 'dockerfile'
      : /\.(?:container|image|volume)$/.test(path)
        ? 'ini'
        : 'yaml';

function file(path: string, text: string, version: number | null = 3): FileView {
  const lines = text.split(/\r\n|\r|\n/);
  return {
    uri: `file:///w/${path}`,
    version,
    format: formatOf(path),
    lineAt: (line) => lines[line] ?? '',
    eol: text.includes('\r\n') ? '\r\n' : '\n',
  };
}

function refs(path: string, text: string): ImageReference[] {
  return findReferences(path, text).references;
}

function only(path: string, text: string): ImageReference {
  const found = refs(path, text);
  assert.equal(found.length, 1, `expected one reference in ${JSON.stringify(text)}`);
  return found[0]!;
}

const editsOf = (action: CodeAction): TextEdit[] => {
  const change = action.edit?.documentChanges?.[0];
  assert.ok(change !== undefined && 'edits' in change, 'a versioned text edit');
  return change.edits as TextEdit[];
};

const apply = (text: string, edits: readonly TextEdit[] | null): string => {
  assert.ok(edits !== null, 'no edits');
  const result = applyEdits(text, edits);
  assert.ok(result.ok);
  return result.text;
};

const tag = (digest: string, platform?: string): Online => ({
  kind: 'tag',
  result: { ok: true, value: { digest, mediaType: INDEX, checkedAt: 0, fromCache: false } },
  ...(platform ? { platform } : {}),
});
const drifted = (pinned: string, current: string): Online => ({
  kind: 'pin',
  status: { status: 'drifted', pinned, current, tagDigest: current, checkedAt: 0 },
});
const withChildren = (online: Online): ImageFacts => ({
  online,
  currentDescription: {
    ok: true,
    value: {
      digest: D1,
      mediaType: INDEX,
      children: [
        {
          digest: AMD,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          digest: ARM,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
        },
      ],
    },
  },
});

describe('platformDigests', () => {
  it('platformDigests lists the index children in order', () => {
    assert.deepEqual(
      platformDigests(withChildren(tag(D1))).map((p) => [p.digest, p.platform.architecture]),
      [
        [AMD, 'amd64'],
        [ARM, 'arm64'],
      ],
    );
    assert.deepEqual(platformDigests({ online: tag(D1) }), []);
  });
});

describe('pinEdits', () => {
  const table: Array<{
    name: string;
    path: string;
    text: string;
    style: 'tag@digest' | '@digest # tag';
    expected: string;
  }> = [
    {
      name: 'tag@digest',
      path: 'k8s.yaml',
      text: 'image: python:3.12\n',
      style: 'tag@digest',
      expected: `image: python:3.12@${D1}\n`,
    },
    {
      name: 'comment style in a Quadlet unit (no trailing comments there): tag@digest',
      path: 'web.container',
      text: '[Container]\nImage=python:3.12\n',
      style: '@digest # tag',
      expected: `[Container]\nImage=python:3.12@${D1}\n`,
    },
    {
      name: 'comment style in YAML',
      path: 'k8s.yaml',
      text: 'image: python:3.12\n',
      style: '@digest # tag',
      expected: `image: python@${D1} # 3.12\n`,
    },
    {
      name: 'comment style, quoted, trailing blanks kept after the comment',
      path: 'k8s.yaml',
      text: "  - image: 'python:3.12'  \n",
      style: '@digest # tag',
      expected: `  - image: 'python@${D1}' # 3.12  \n`,
    },
    {
      name: 'comment style in a flow mapping',
      path: 'compose.yaml',
      text: 'services: {a: {image: python:3.12}}\n',
      style: '@digest # tag',
      expected: `services: {a: {image: python@${D1}}} # 3.12\n`,
    },
    {
      name: 'comment style, the line has a comment: tag@digest',
      path: 'k8s.yaml',
      text: 'image: python:3.12 # web\n',
      style: '@digest # tag',
      expected: `image: python:3.12@${D1} # web\n`,
    },
    {
      name: 'comment style, no tag: the digest alone',
      path: 'k8s.yaml',
      text: 'image: python\n',
      style: '@digest # tag',
      expected: `image: python@${D1}\n`,
    },
    {
      name: 'comment style in a Dockerfile: tag@digest (no trailing comments there)',
      path: 'Dockerfile',
      text: 'FROM python:3.12 AS a\n',
      style: '@digest # tag',
      expected: `FROM python:3.12@${D1} AS a\n`,
    },
    {
      name: 'comment style in JSON: tag@digest',
      path: '.devcontainer/devcontainer.json',
      text: '{ "image": "python:3.12" }\n',
      style: '@digest # tag',
      expected: `{ "image": "python:3.12@${D1}" }\n`,
    },
    {
      name: 'comment style, CRLF',
      path: 'k8s.yaml',
      text: 'a: 1\r\nimage: python:3.12\r\n',
      style: '@digest # tag',
      expected: `a: 1\r\nimage: python@${D1} # 3.12\r\n`,
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const ref = only(c.path, c.text);
      assert.equal(apply(c.text, pinEdits(ref, D1, c.style, file(c.path, c.text))), c.expected);
    });
  }

  it('refuses what cannot be edited in place', () => {
    const variable = only('Dockerfile', 'FROM python:${V}\n');
    assert.equal(pinEdits(variable, D1, 'tag@digest', file('Dockerfile', '')), null);
    const unchanged = only('Dockerfile', `FROM python:3@${D1}\n`);
    assert.equal(pinEdits(unchanged, D1, 'tag@digest', file('Dockerfile', '')), null);
  });
});

describe('trailingCommentAt and ignoreEdit', () => {
  const table: Array<{ name: string; path: string; text: string; expected: string | null }> = [
    {
      name: 'YAML: a trailing comment',
      path: 'k8s.yaml',
      text: 'image: nginx:1\n',
      expected: 'image: nginx:1 # digest-pin: ignore\n',
    },
    {
      name: 'YAML: after the closing quote, before trailing blanks',
      path: 'k8s.yaml',
      text: 'image: "nginx:1"  \n',
      expected: 'image: "nginx:1" # digest-pin: ignore  \n',
    },
    {
      name: 'YAML: after an existing comment (the comment still matches)',
      path: 'k8s.yaml',
      text: 'image: nginx:1 # web\n',
      expected: 'image: nginx:1 # web # digest-pin: ignore\n',
    },
    {
      name: 'YAML: a sequence item',
      path: '.gitlab-ci.yml',
      text: 'services:\n  - postgres:16\n',
      expected: 'services:\n  - postgres:16 # digest-pin: ignore\n',
    },
    {
      name: 'YAML: block scalar content cannot take a comment',
      path: 'k8s.yaml',
      text: 'image: >-\n  nginx:1\n',
      expected: null,
    },
    {
      name: 'YAML: a quote left open on the line',
      path: 'compose.yaml',
      text: 'services: {a: {image: nginx:1, command: "x\n  y"}}\n',
      expected: null,
    },
    {
      name: 'Dockerfile: a comment line above, indented alike',
      path: 'Dockerfile',
      text: 'FROM a:1 AS a\n  FROM nginx:1\n',
      expected: 'FROM a:1 AS a\n  # digest-pin: ignore\n  FROM nginx:1\n',
    },
    {
      name: 'Dockerfile: CRLF kept',
      path: 'Dockerfile',
      text: 'ARG X=1\r\nFROM nginx:1\r\n',
      expected: 'ARG X=1\r\n# digest-pin: ignore\r\nFROM nginx:1\r\n',
    },
    {
      name: 'Dockerfile: the syntax directive must stay first',
      path: 'Dockerfile',
      text: '# syntax=docker/dockerfile:1\nFROM scratch\n',
      expected: null,
    },
    {
      name: 'Quadlet unit: a comment line above (a trailing one would be part of the value)',
      path: 'web.container',
      text: '[Container]\nImage=nginx:1\n',
      expected: '[Container]\n# digest-pin: ignore\nImage=nginx:1\n',
    },
    {
      name: 'Quadlet unit: CRLF kept',
      path: 'data.volume',
      text: '[Volume]\r\nDriver=image\r\nImage = "alpine:3"\r\n',
      expected: '[Volume]\r\nDriver=image\r\n# digest-pin: ignore\r\nImage = "alpine:3"\r\n',
    },
    {
      name: 'Quadlet unit: a value continued from the line above cannot take a comment line between',
      path: 'web.container',
      text: '[Container]\nImage=\\\n  nginx:1\n',
      expected: null,
    },
    {
      name: 'JSON has no comments',
      path: '.devcontainer/devcontainer.json',
      text: '{ "image": "nginx:1" }\n',
      expected: null,
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const found = refs(c.path, c.text);
      const ref = found[found.length - 1]!;
      const edit = ignoreEdit(ref, file(c.path, c.text));
      if (c.expected === null) assert.equal(edit, null);
      else {
        const after = apply(c.text, edit === null ? null : [edit]);
        assert.equal(after, c.expected);
        // The engine honours it.
        assert.equal(refs(c.path, after).at(-1)!.ignored, true);
      }
    });
  }

  it('trailingCommentAt is the end of the line before trailing blanks', () => {
    const text = 'image: nginx:1   \n';
    assert.equal(trailingCommentAt('image: nginx:1   ', only('k8s.yaml', text)), 14);
  });
});

describe('codeActions', () => {
  const text = `FROM python:3.12 AS a\nFROM nginx\nFROM redis:7@${D1}\nFROM \${BASE}\n`;
  const all = refs('Dockerfile', text);
  const [python, nginx, redis] = all;
  const diagnostic = (ref: ImageReference, code: string): Diagnostic => ({
    range: ref.range,
    code,
    source: 'digest-pin',
    message: code,
  });
  const diagnostics = [diagnostic(python!, 'unpinned'), diagnostic(nginx!, 'latest'), diagnostic(redis!, 'tag-drift')];
  const facts = new Map<ImageReference, ImageFacts>([
    [python!, withChildren(tag(D2))],
    [nginx!, { online: tag(AMD) }],
    [redis!, { online: drifted(D1, D2) }],
  ]);
  const request = (overrides: Partial<CodeActionRequest> = {}): CodeActionRequest => ({
    file: file('Dockerfile', text),
    references: all,
    range: python!.range,
    diagnostics: diagnostics.filter((d) => d.range.start.line === (overrides.range ?? python!.range).start.line),
    facts: (ref) => facts.get(ref),
    settings: DEFAULT_SETTINGS,
    ...overrides,
  });
  const summary = (actions: ReturnType<typeof codeActions>) =>
    actions.map((a) => [a.title, a.kind, a.isPreferred ?? false, (a.diagnostics ?? []).map((d) => d.code)]);

  it('on an unpinned multi-platform tag: pin (preferred), each platform, pin all, ignore', () => {
    assert.deepEqual(summary(codeActions(request())), [
      [`Pin to digest (sha256:222222222222…)`, 'quickfix', true, ['unpinned']],
      [`Pin to linux/amd64 digest (sha256:aaaaaaaaaaaa…)`, 'quickfix', false, ['unpinned']],
      [`Pin to linux/arm64/v8 digest (sha256:bbbbbbbbbbbb…)`, 'quickfix', false, ['unpinned']],
      ['Ignore this image', 'quickfix', false, ['unpinned']],
      ['Pin all images in this file (2)', 'quickfix', false, ['unpinned']],
    ]);
  });

  it('edits are versioned and minimal', () => {
    const [pin] = codeActions(request());
    assert.deepEqual(pin!.edit, {
      documentChanges: [
        {
          textDocument: { uri: 'file:///w/Dockerfile', version: 3 },
          edits: [{ range: { start: python!.range.end, end: python!.range.end }, newText: `@${D2}` }],
        },
      ],
    });
    const [unversioned] = codeActions(request({ file: file('Dockerfile', text, null) }));
    assert.deepEqual(unversioned!.edit, {
      changes: {
        'file:///w/Dockerfile': [{ range: { start: python!.range.end, end: python!.range.end }, newText: `@${D2}` }],
      },
    });
  });

  it('a pinned platform digest offers the tag’s platform: pinning with a platform setting names it', () => {
    const withPlatform = new Map(facts);
    withPlatform.set(python!, { online: tag(AMD, 'linux/amd64') });
    assert.deepEqual(summary(codeActions(request({ facts: (ref) => withPlatform.get(ref) }))).slice(0, 1), [
      [`Pin to linux/amd64 digest (sha256:aaaaaaaaaaaa…)`, 'quickfix', true, ['unpinned']],
    ]);
  });

  it('on a drifted pin: update (preferred) and ignore; "pin all" belongs with the unpinned references', () => {
    assert.deepEqual(summary(codeActions(request({ range: redis!.range }))), [
      [`Update to current digest (sha256:222222222222…)`, 'quickfix', true, ['tag-drift']],
      ['Ignore this image', 'quickfix', false, ['tag-drift']],
    ]);
    assert.equal(
      apply(text, editsOf(codeActions(request({ range: redis!.range }))[0]!)),
      text.replace(`redis:7@${D1}`, `redis:7@${D2}`),
    );
  });

  it('not answered yet, untrusted or offline: only ignore', () => {
    assert.deepEqual(summary(codeActions(request({ facts: () => undefined }))), [
      ['Ignore this image', 'quickfix', false, ['unpinned']],
    ]);
  });

  it('a variable reference gets no pin and, without a diagnostic in the request, nothing at all', () => {
    const base = all[3]!;
    assert.deepEqual(codeActions(request({ range: base.range, diagnostics: [] })), []);
  });

  it('source.fixAll.digestPin only when asked for by kind, with every unpinned reference', () => {
    const fixAll = codeActions(request({ only: ['source.fixAll'], diagnostics: [] }));
    assert.deepEqual(summary(fixAll), [['Pin all images in this file (2)', 'source.fixAll.digestPin', false, []]]);
    assert.equal(
      apply(text, editsOf(fixAll[0]!)),
      `FROM python:3.12@${D2} AS a\nFROM nginx@${AMD}\nFROM redis:7@${D1}\nFROM \${BASE}\n`,
    );
    assert.deepEqual(codeActions(request({ only: ['source.organizeImports'] })), []);
    assert.deepEqual(
      summary(codeActions(request({ only: ['quickfix'] }))).map((a) => a[1]),
      ['quickfix', 'quickfix', 'quickfix', 'quickfix', 'quickfix'],
    );
  });

  it('references an ignore setting leaves alone get nothing', () => {
    assert.deepEqual(codeActions(request({ skip: () => true })), []);
  });

  it('pinAllEdits updates drifted pins when asked to', () => {
    const updated = pinAllEdits(all, (ref) => facts.get(ref), readSettings({}), file('Dockerfile', text), 'update');
    assert.deepEqual(updated.references, [redis]);
  });
});

describe('codeActions: devcontainer.json', () => {
  const path = '.devcontainer/devcontainer.json';
  const NODE = 'ghcr.io/devcontainers/features/node';
  const text = `{\n  "image": "mcr.microsoft.com/devcontainers/base:ubuntu",\n  "features": {\n    "${NODE}:1": {}\n  }\n}\n`;
  const all = refs(path, text);
  const [image, feature] = all;
  const diagnostics = all.map((ref): Diagnostic => ({
    range: ref.range,
    code: 'unpinned',
    source: 'digest-pin',
    message: 'unpinned',
  }));
  const facts = (ref: ImageReference): ImageFacts => ({ online: tag(ref === feature ? D2 : D1) });
  const request = (ref: ImageReference, style: '@digest # tag' | 'tag@digest' = 'tag@digest'): CodeActionRequest => ({
    file: file(path, text),
    references: all,
    range: ref.range,
    diagnostics: diagnostics.filter((d) => d.range.start.line === ref.range.start.line),
    facts,
    settings: readSettings({ pinStyle: style }),
  });

  it('a feature’s quick fix says its tag moves to a comment; JSON gets no ignore action', () => {
    const actions = codeActions(request(feature!));
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Pin to digest (sha256:222222222222…), tag 1 to a comment: a feature id cannot have both',
        'Pin all images in this file (2)',
      ],
    );
    assert.equal(apply(text, editsOf(actions[0]!)), text.replace(`"${NODE}:1"`, `"${NODE}@${D2}" /* 1 */`));
  });

  it('the image keeps tag@digest, whatever the pin style', () => {
    for (const style of ['tag@digest', '@digest # tag'] as const) {
      const [pin] = codeActions(request(image!, style));
      assert.equal(pin!.title, 'Pin to digest (sha256:111111111111…)');
      assert.equal(apply(text, editsOf(pin!)), text.replace('base:ubuntu"', `base:ubuntu@${D1}"`));
    }
  });

  it('pin all writes both', () => {
    const all2 = pinAllEdits(all, facts, DEFAULT_SETTINGS, file(path, text));
    assert.equal(
      apply(text, all2.edits),
      text.replace('base:ubuntu"', `base:ubuntu@${D1}"`).replace(`"${NODE}:1"`, `"${NODE}@${D2}" /* 1 */`),
    );
    assert.deepEqual(all2.problems, []);
  });
});

describe('codeActions: split references say where the digest goes', () => {
  const cases: Array<{
    name: string;
    path: string;
    text: string;
    title: string;
    after: string;
    style?: '@digest # tag';
  }> = [
    {
      name: 'Helm values with a digest field',
      path: 'values.yaml',
      text: 'image:\n  repository: nginx\n  tag: "1.27"\n  digest: ""\n',
      title: `Pin to digest (${D1.slice(0, 19)}…) in digest:`,
      after: `image:\n  repository: nginx\n  tag: "1.27"\n  digest: "${D1}"\n`,
    },
    {
      name: 'Helm values without one: after the tag (the @digest # tag style does not apply to a split tag)',
      path: 'values.yaml',
      text: 'image:\n  repository: nginx\n  tag: 1.27 # web\n',
      title: `Pin to digest (${D1.slice(0, 19)}…) after the tag 1.27`,
      after: `image:\n  repository: nginx\n  tag: 1.27@${D1} # web\n`,
      style: '@digest # tag',
    },
    {
      name: 'kustomize: a new digest key',
      path: 'kustomization.yaml',
      text: 'images:\n  - name: nginx\n    newTag: "1.27"\n',
      title: `Pin to digest (${D1.slice(0, 19)}…) as a new digest: key`,
      after: `images:\n  - name: nginx\n    newTag: "1.27"\n    digest: ${D1}\n`,
    },
    {
      name: 'a Dockerfile ARG holding the tag',
      path: 'Dockerfile',
      text: 'ARG V=1.27\nFROM nginx:${V}\n',
      title: `Pin to digest (${D1.slice(0, 19)}…) after the tag 1.27`,
      after: `ARG V=1.27@${D1}\nFROM nginx:\${V}\n`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const [ref] = refs(c.path, c.text);
      assert.ok(ref?.parts !== undefined);
      const settings = c.style ? readSettings({ pinStyle: c.style }) : DEFAULT_SETTINGS;
      const actions = codeActions({
        file: file(c.path, c.text),
        references: [ref],
        range: ref.range,
        diagnostics: [],
        facts: () => ({ online: tag(D1) }),
        settings,
      });
      const pin = actions.find((a) => a.title.startsWith('Pin to digest'));
      assert.equal(pin?.title, c.title);
      assert.equal(apply(c.text, editsOf(pin!)), c.after);
    });
  }

  it('an image whose tag comes from Chart.yaml and no digest field: no pin, and pin-all says why', () => {
    const text = 'image:\n  repository: nginx\n';
    const ref = findReferences('values.yaml', text, { neighbours: { chart: { appVersion: '1.27' } } }).references[0]!;
    const made = pinAllEdits([ref], () => ({ online: tag(D1) }), DEFAULT_SETTINGS, file('values.yaml', text));
    assert.deepEqual(made.edits, []);
    assert.deepEqual(
      made.problems.map((p) => p.reason),
      [
        "the tag of nginx comes from Chart.yaml's appVersion; write the tag here, or add a digest: field the chart's templates use",
      ],
    );
  });
});

describe('codeActions: a reference the lock lacks (not-locked)', () => {
  const text = 'FROM python:3.12\nFROM redis:7\n';
  const [python, redis] = refs('Dockerfile', text);
  const lock = withEntries(emptyLock(), [['docker.io/library/redis:7', { digest: D1 }]]);
  const lockText = serialiseLock(lock);
  const diagnostics: Diagnostic[] = [{ range: python!.range, code: 'not-locked', source: 'digest-pin', message: 'x' }];
  const request: CodeActionRequest = {
    file: file('Dockerfile', text),
    references: [python!, redis!],
    range: python!.range,
    diagnostics,
    facts: (ref) => (ref === python ? { online: tag(D2) } : undefined),
    settings: DEFAULT_SETTINGS,
    lock: {
      file: { uri: 'file:///w/digest-pin.lock', display: 'digest-pin.lock', lock, text: lockText },
      state: (ref) =>
        ref === python
          ? { kind: 'not-locked', key: 'docker.io/library/python:3.12', lock: 'digest-pin.lock' }
          : { kind: 'locked', key: 'docker.io/library/redis:7', digest: D1, lock: 'digest-pin.lock' },
    },
  };

  it('"Add to digest-pin.lock" (preferred: the lock file’s whole text) and "Pin in this file instead"', () => {
    const actions = codeActions(request).filter((a) => a.kind === 'quickfix');
    assert.deepEqual(
      actions.map((a) => [a.title, a.isPreferred ?? false, (a.diagnostics ?? []).map((d) => d.code)]),
      [
        ['Add to digest-pin.lock (sha256:222222222222…)', true, ['not-locked']],
        ['Pin in this file instead (sha256:222222222222…)', false, ['not-locked']],
        ['Ignore this image', false, ['not-locked']],
      ],
    );
    const change = actions[0]!.edit!.documentChanges![0]!;
    assert.ok('edits' in change);
    assert.equal(change.textDocument.uri, 'file:///w/digest-pin.lock');
    const written = withEntries(lock, [['docker.io/library/python:3.12', { digest: D2 }]]);
    assert.equal(apply(lockText, change.edits as TextEdit[]), serialiseLock(written));
    assert.equal(apply(text, editsOf(actions[1]!)), `FROM python:3.12@${D2}\nFROM redis:7\n`);
  });
});
