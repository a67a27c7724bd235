import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Online } from '../../../server/src/lookup/answer';
import {
  DiagnosticsMemo,
  noteDiagnostic,
  oneGroup,
  referenceDiagnostics,
  severityOf,
  type DiagnosticsContext,
} from '../../../server/src/lsp/diagnosticsMemo';
import { findReferences } from '../../../server/src/references/index';
import { readSettings } from '../../../server/src/shared/settings';

const NOW = Date.parse('2024-06-01T00:00:00Z');
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const pinned = findReferences('Dockerfile', `FROM redis:7@${D1}\n`).references[0]!;
const drift = (pinnedBuilt: string): Online => ({
  kind: 'pin',
  status: { status: 'drifted', pinned: D1, current: D2, tagDigest: D2, checkedAt: NOW },
  created: { pinned: pinnedBuilt, current: '2024-05-30T00:00:00Z' },
});
const context = (settings: unknown, online?: Online): DiagnosticsContext => ({
  settings: readSettings(settings),
  now: NOW,
  offline: false,
  online: () => online,
});

describe('severity', () => {
  const table: Array<[string, unknown, string, DiagnosticSeverity | null]> = [
    ['a recent drift keeps the default information', {}, '2024-05-20T00:00:00Z', DiagnosticSeverity.Information],
    ['a pin older than 30 days: raised to a warning', {}, '2024-04-01T00:00:00Z', DiagnosticSeverity.Warning],
    ['staleness 0 turns the rule off', { stalenessDays: 0 }, '2024-01-01T00:00:00Z', DiagnosticSeverity.Information],
    [
      'a configured error stays an error',
      { severity: { 'tag-drift': 'error' } },
      '2024-01-01T00:00:00Z',
      DiagnosticSeverity.Error,
    ],
    [
      'a configured hint is raised when stale',
      { severity: { 'tag-drift': 'hint' } },
      '2024-01-01T00:00:00Z',
      DiagnosticSeverity.Warning,
    ],
    ['off is off', { severity: { 'tag-drift': 'off' } }, '2024-01-01T00:00:00Z', null],
  ];
  for (const [name, settings, built, expected] of table) {
    it(name, () => {
      const [diagnostic] = referenceDiagnostics(pinned, context(settings, drift(built)));
      assert.equal(diagnostic?.severity ?? null, expected);
    });
  }

  it('a stale drift says why it is a warning', () => {
    const [diagnostic] = referenceDiagnostics(pinned, context({}, drift('2024-04-01T00:00:00Z')));
    assert.match(String(diagnostic!.message), / \(older than 30 days: review the update for security fixes\)$/);
  });

  it('a finding with its own severity keeps it unless the setting is changed', () => {
    const build = findReferences('compose.yaml', 'services:\n  a:\n    build: .\n    image: acme/app:dev\n')
      .references[0]!;
    assert.equal(referenceDiagnostics(build, context({}))[0]!.severity, DiagnosticSeverity.Information);
    assert.equal(
      referenceDiagnostics(build, context({ severity: { unpinned: 'error' } }))[0]!.severity,
      DiagnosticSeverity.Error,
    );
    assert.equal(
      severityOf(
        { code: 'unpinned', severity: 'information', message: '', range: build.range },
        undefined,
        readSettings({}),
        NOW,
      ),
      'information',
    );
  });

  it('ignore globs drop a reference', () => {
    const python = findReferences('Dockerfile', 'FROM python:3\n').references[0]!;
    assert.deepEqual(referenceDiagnostics(python, context({ ignore: ['python'] })), []);
  });
});

describe('notes and the memo', () => {
  it('YAML syntax errors are hints (the YAML extension reports them); other notes keep their severity', () => {
    const start = { line: 0, character: 0 };
    assert.equal(
      noteDiagnostic({ severity: 'error', message: 'YAML syntax error at line 1, column 1: x' }).severity,
      DiagnosticSeverity.Hint,
    );
    assert.deepEqual(noteDiagnostic({ severity: 'warning', message: 'skipped: binary file (contains NUL bytes)' }), {
      range: { start, end: start },
      severity: DiagnosticSeverity.Warning,
      source: 'digest-pin',
      message: 'skipped: binary file (contains NUL bytes)',
    });
  });

  it('the memo answers an unchanged group with the same objects until cleared', () => {
    const memo = new DiagnosticsMemo();
    const refs = oneGroup(findReferences('Dockerfile', 'FROM a:1\nFROM b:2\n').references);
    const first = memo.all(refs, [], context({}));
    const second = memo.all(refs, [], context({ severity: { unpinned: 'error' } }));
    assert.ok(first.every((d, i) => d === second[i]));
    memo.clear();
    assert.equal(
      memo.all(refs, [], context({ severity: { unpinned: 'error' } }))[0]!.severity,
      DiagnosticSeverity.Error,
    );
  });

  it('a group an edit above moved gets the diagnostics of the group as read, moved by as many lines', () => {
    const memo = new DiagnosticsMemo();
    const read = findReferences('Dockerfile', 'FROM a:1\nFROM b:2\n').references;
    const before = memo.all(oneGroup(read), [], context({}));
    const moved = read.map((ref) => ({
      ...ref,
      range: {
        start: { ...ref.range.start, line: ref.range.start.line + 3 },
        end: { ...ref.range.end, line: ref.range.end.line + 3 },
      },
    }));
    const after = memo.all([{ references: moved, read, lines: 3 }], [], context({}));
    assert.deepEqual(
      after,
      moved.map((ref, i) => ({ ...before[i], range: ref.range })),
    );
  });
});
