import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FailOn } from '../../../server/src/cli/args';
import { checkFiles, exitStatus, NOT_RECOGNISED, summarise, type Summary } from '../../../server/src/cli/check';
import type { WalkedFile } from '../../../server/src/cli/walk';
import { buildReference } from '../../../server/src/references/reference';
import type { ExtractResult } from '../../../server/src/references/types';
import { rangeOf } from '../../support/ranges';

describe('checkFiles', () => {
  let root = '';
  const file = (name: string, text: string): WalkedFile => {
    writeFileSync(join(root, name), text);
    return { path: join(root, name), file: name, size: Buffer.byteLength(text) };
  };
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'digest-pin-check-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const dockerfile = 'FROM python:3.12-slim\nFROM nginx\n';
  const fakeExtract = (path: string, text: string): ExtractResult => {
    if (path.endsWith('boom.yaml')) throw new TypeError('cannot read properties of undefined');
    // Out of document order on purpose: the report puts them in order.
    return {
      kind: 'dockerfile',
      references: [
        buildReference('nginx', rangeOf(text, 'nginx'), 'dockerfile', 'from'),
        buildReference('python:3.12-slim', rangeOf(text, 'python:3.12-slim'), 'dockerfile', 'from'),
      ],
      notes: [{ severity: 'warning', message: 'something about the file' }],
    };
  };

  it('diagnoses every reference, in document order, with the file it came from', () => {
    const report = checkFiles([file('Dockerfile', dockerfile)], { extract: fakeExtract });
    assert.equal(report.files, 1);
    assert.deepEqual(
      report.references.map((r) => [r.file, r.reference.text, r.findings.map((f) => f.code)]),
      [
        ['Dockerfile', 'python:3.12-slim', ['unpinned']],
        ['Dockerfile', 'nginx', ['latest']],
      ],
    );
    assert.deepEqual(report.notes, [{ file: 'Dockerfile', severity: 'warning', message: 'something about the file' }]);
    assert.deepEqual(report.failures, []);
  });

  it('an exception in one file is a failure for that file; the others are still checked', () => {
    const report = checkFiles([file('boom.yaml', 'x: 1\n'), file('Dockerfile', dockerfile)], { extract: fakeExtract });
    assert.equal(report.files, 1);
    assert.equal(report.references.length, 2);
    assert.equal(report.failures.length, 1);
    assert.equal(report.failures[0]?.file, 'boom.yaml');
    assert.match(
      report.failures[0]?.message ?? '',
      /^internal error while checking this file \(please report it\): TypeError: cannot read properties of undefined /,
    );
  });

  it('an unreadable file is a failure that says why', () => {
    const report = checkFiles([{ path: root, file: 'dir.yaml', size: 0 }]);
    assert.deepEqual(report.failures, [{ file: 'dir.yaml', message: 'could not read: is a directory' }]);
    assert.equal(report.files, 0);
  });

  it("keeps the walk's problems", () => {
    const report = checkFiles([], { problems: [{ file: 'x.yaml', message: 'could not read: permission denied' }] });
    assert.deepEqual(report.failures, [{ file: 'x.yaml', message: 'could not read: permission denied' }]);
  });

  it('a file over the size limit is skipped before it is read', () => {
    const report = checkFiles([{ path: join(root, 'does-not-exist.yaml'), file: 'huge.yaml', size: 25 * 1024 * 1024 }]);
    assert.deepEqual(report.notes, [
      { file: 'huge.yaml', severity: 'warning', message: 'skipped: file is 25.0 MB; the limit is 10 MB' },
    ]);
    assert.deepEqual(report.failures, []);
    assert.equal(report.files, 1);
  });

  it('a binary file is skipped with the engine note', () => {
    const report = checkFiles([file('bin.yaml', 'image: a\u0000b\n')]);
    assert.deepEqual(report.notes, [
      { file: 'bin.yaml', severity: 'warning', message: 'skipped: binary file (contains NUL bytes)' },
    ]);
  });

  it('a named file of no known kind says that nothing was checked', () => {
    const report = checkFiles([file('notes.txt', 'hello\n')]);
    assert.deepEqual(report.notes, [{ file: 'notes.txt', severity: 'information', message: NOT_RECOGNISED }]);
    assert.deepEqual(report.references, []);
  });

  it('summarise counts findings, notes and failures by severity', () => {
    const report = checkFiles([file('Dockerfile', dockerfile), file('boom.yaml', '')], {
      extract: fakeExtract,
      problems: [{ file: 'x', message: 'y' }],
    });
    assert.deepEqual(summarise(report), { files: 1, references: 2, errors: 2, warnings: 3, information: 0, hints: 0 });
  });
});

describe('exitStatus', () => {
  const none: Summary = { files: 1, references: 1, errors: 0, warnings: 0, information: 0, hints: 0 };
  const table: Array<[string, Partial<Summary>, Record<FailOn, 0 | 1>]> = [
    ['nothing', {}, { error: 0, warning: 0, information: 0, never: 0 }],
    ['hints only', { hints: 3 }, { error: 0, warning: 0, information: 0, never: 0 }],
    ['information', { information: 1 }, { error: 0, warning: 0, information: 1, never: 0 }],
    ['a warning', { warnings: 1 }, { error: 0, warning: 1, information: 1, never: 0 }],
    ['an error', { errors: 1 }, { error: 1, warning: 1, information: 1, never: 0 }],
  ];
  for (const [name, counts, expected] of table) {
    for (const [failOn, status] of Object.entries(expected) as Array<[FailOn, 0 | 1]>) {
      it(`${name} with --fail-on ${failOn} exits ${status}`, () =>
        assert.equal(exitStatus({ ...none, ...counts }, failOn), status));
    }
  }
});
