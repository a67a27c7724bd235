// Newer versions in the hover and as "Update to" quick fixes; the `outdated` finding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver';
import { codeActions, type FileView } from '../../../server/src/features/codeActions';
import { diagnose } from '../../../server/src/features/diagnostics';
import { applyEdits, type TextEdit } from '../../../server/src/features/edits';
import { hoverMarkdown } from '../../../server/src/features/hover';
import { newerHoverLines } from '../../../server/src/features/newer';
import type { Newer } from '../../../server/src/lookup/newer';
import { findReferences } from '../../../server/src/references/index';
import type { Resolution, Result } from '../../../server/src/registry/index';
import { DEFAULT_SETTINGS } from '../../../server/src/shared/settings';

const NOW = Date.parse('2024-03-01T12:00:00Z');
const DAY = 86_400_000;
const PATCH = `sha256:${'8'.repeat(64)}`;
const MINOR = `sha256:${'9'.repeat(64)}`;
const resolved = (digest: string, created?: string): Result<Resolution> => ({
  ok: true,
  value: {
    digest,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    checkedAt: NOW,
    fromCache: false,
    ...(created ? { created } : {}),
  },
});
const NEWER: Result<Newer> = {
  ok: true,
  value: {
    offers: [
      { level: 'patch', tag: '3.12.8-slim', resolution: resolved(PATCH, new Date(NOW - 3 * DAY).toISOString()) },
      { level: 'minor', tag: '3.13.1-slim', resolution: resolved(MINOR) },
      {
        level: 'major',
        tag: '4.0.0-slim',
        resolution: { ok: false, error: { kind: 'not-found', message: 'tag 4.0.0-slim of library/python not found' } },
      },
    ],
    truncated: false,
    fromCache: false,
  },
};

describe('newerHoverLines', () => {
  it('each offer with its level, short digest and build date; a failed look-up says why', () => {
    assert.deepEqual(newerHoverLines(NEWER, NOW), [
      '**Newer:** `3.12.8-slim` (patch) — `sha256:888888888888…` built 3 days ago; `3.13.1-slim` (minor) — `sha256:999999999999…`; `4.0.0-slim` (major) — not looked up: tag 4.0.0-slim of library/python not found.',
    ]);
  });
  const table: Array<[string, Result<Newer> | null | undefined, string[]]> = [
    ['not a version: nothing', null, []],
    ['not asked: nothing', undefined, []],
    ['nothing newer: nothing', { ok: true, value: { offers: [], truncated: false, fromCache: true } }, []],
    [
      'nothing newer among a capped list: says so',
      { ok: true, value: { offers: [], truncated: true, fromCache: false } },
      [
        'No newer version among the tags read (the repository has more tags than were read: a newer one may be missing).',
      ],
    ],
    [
      'the tag list failed',
      { ok: false, error: { kind: 'unauthorized', message: 'not logged in to ghcr.io' } },
      ['Newer versions unknown: not logged in to ghcr.io.'],
    ],
    ['offline miss: nothing', { ok: false, error: { kind: 'offline', message: 'not cached' } }, []],
    [
      'offers without digests (not resolved)',
      { ok: true, value: { offers: [{ level: 'patch', tag: 'v1.8.2' }], truncated: false, fromCache: true } },
      ['**Newer:** `v1.8.2` (patch).'],
    ],
  ];
  for (const [name, newer, expected] of table) it(name, () => assert.deepEqual(newerHoverLines(newer, NOW), expected));

  it('the hover shows the line after what the tag points to', () => {
    const ref = findReferences('Dockerfile', 'FROM python:3.12.7-slim\n').references[0]!;
    const lines = hoverMarkdown({
      ref,
      facts: { online: { kind: 'tag', result: resolved(`sha256:${'7'.repeat(64)}`) }, newer: NEWER },
      mode: 'online',
      now: NOW,
    }).split('\n\n');
    const at = lines.findIndex((line) => line.startsWith('**Newer:**'));
    assert.ok(at > lines.findIndex((line) => line.startsWith('Digest:')), lines.join('\n'));
  });
});

function view(path: string, text: string): FileView {
  const lines = text.split('\n');
  return { uri: `file:///w/${path}`, version: 1, format: 'yaml', lineAt: (n) => lines[n] ?? '', eol: '\n' };
}

describe('"Update to" quick fixes', () => {
  const run = (path: string, text: string, diagnostics: Diagnostic[] = []): CodeAction[] => {
    const refs = findReferences(path, text).references;
    return codeActions({
      file: view(path, text),
      references: refs,
      range: refs[0]!.range,
      diagnostics,
      facts: () => ({ newer: NEWER }),
      settings: DEFAULT_SETTINGS,
    });
  };
  const apply = (text: string, action: CodeAction): string => {
    const change = action.edit!.documentChanges![0] as TextDocumentEdit;
    const applied = applyEdits(text, change.edits as TextEdit[]);
    assert.ok(applied.ok);
    return applied.text;
  };

  it('one per offer with a digest, each writing its tag and digest', () => {
    const text = 'services:\n  app:\n    image: python:3.12.7-slim\n';
    const actions = run('compose.yaml', text).filter((a) => a.title.startsWith('Update to'));
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Update to 3.12.8-slim@sha256:888888888888… (patch)', 'Update to 3.13.1-slim@sha256:999999999999… (minor)'],
    );
    assert.equal(apply(text, actions[0]!), `services:\n  app:\n    image: python:3.12.8-slim@${PATCH}\n`);
    assert.equal(apply(text, actions[1]!), `services:\n  app:\n    image: python:3.13.1-slim@${MINOR}\n`);
  });

  it('fixes the reference’s outdated diagnostic', () => {
    const text = 'services:\n  app:\n    image: python:3.12.7-slim\n';
    const ref = findReferences('compose.yaml', text).references[0]!;
    const outdated: Diagnostic = { range: ref.range, code: 'outdated', message: 'newer', source: 'digest-pin' };
    const [first] = run('compose.yaml', text, [outdated]).filter((a) => a.title.startsWith('Update to'));
    assert.deepEqual(first!.diagnostics, [outdated]);
  });

  it('none where the tag cannot be rewritten (a Helm tag from Chart.yaml appVersion)', () => {
    const text = 'image:\n  repository: bitnami/nginx\n  tag: ""\n';
    const refs = findReferences('chart/values.yaml', text, {
      neighbours: { chart: { appVersion: '3.12.7-slim' } },
    }).references;
    const actions = codeActions({
      file: view('chart/values.yaml', text),
      references: refs,
      range: refs[0]!.range,
      diagnostics: [],
      facts: () => ({ newer: NEWER }),
      settings: DEFAULT_SETTINGS,
    });
    assert.deepEqual(
      actions.filter((a) => a.title.startsWith('Update to')),
      [],
    );
  });
});

describe('outdated finding', () => {
  const ref = findReferences('Dockerfile', 'FROM python:3.12.7-slim\n').references[0]!;
  it('names the newer tags and the pin --upgrade that moves to them, at hint severity', () => {
    const outdated = diagnose(ref, undefined, { newer: NEWER }).find((f) => f.code === 'outdated');
    assert.deepEqual(outdated && [outdated.severity, outdated.message], [
      'hint',
      "python:3.12.7-slim has newer versions: 3.12.8-slim (patch), 3.13.1-slim (minor), 4.0.0-slim (major); 'digest-pin pin --upgrade patch' moves to it",
    ]);
  });
  it('says when the tag list was cut short', () => {
    const capped: Result<Newer> = {
      ok: true,
      value: { ...NEWER.value, offers: [NEWER.value.offers[0]!], truncated: true },
    };
    assert.equal(
      diagnose(ref, undefined, { newer: capped }).find((f) => f.code === 'outdated')?.message,
      "python:3.12.7-slim has newer versions: 3.12.8-slim (patch) (from the first tags listed: the repository has more); 'digest-pin pin --upgrade patch' moves to it",
    );
  });
  it('none when nothing is newer, when not asked, or for an ignored reference', () => {
    const none: Result<Newer> = { ok: true, value: { offers: [], truncated: false, fromCache: false } };
    assert.equal(diagnose(ref, undefined, { newer: none }).filter((f) => f.code === 'outdated').length, 0);
    assert.equal(diagnose(ref, undefined).filter((f) => f.code === 'outdated').length, 0);
    assert.deepEqual(diagnose({ ...ref, ignored: true }, undefined, { newer: NEWER }), []);
  });
});
