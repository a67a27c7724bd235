import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { linesOf, unifiedDiff } from '../../../server/src/cli/diff';

const D = `@sha256:${'d'.repeat(64)}`;

describe('linesOf', () => {
  const table: Array<[string, string[]]> = [
    ['', []],
    ['a', ['a']],
    ['a\n', ['a\n']],
    ['a\r\nb\r\n', ['a\r\n', 'b\r\n']],
    ['a\n\nb', ['a\n', '\n', 'b']],
    ['a\rb\n', ['a\rb\n']], // a lone CR is not a line end for diff and patch
  ];
  for (const [text, expected] of table) it(JSON.stringify(text), () => assert.deepEqual(linesOf(text), expected));
});

describe('unifiedDiff', () => {
  const ten = Array.from({ length: 10 }, (_, i) => `line ${i + 1}\n`).join('');
  const table: Array<[string, string, string, string]> = [
    ['equal texts: no diff', 'a\n', 'a\n', ''],
    [
      'one changed line with its context',
      'FROM a:1\nRUN x\n',
      `FROM a:1${D}\nRUN x\n`,
      `--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-FROM a:1\n+FROM a:1${D}\n RUN x\n`,
    ],
    [
      'a count of one is left out',
      'FROM a:1\n',
      `FROM a:1${D}\n`,
      `--- a/f\n+++ b/f\n@@ -1 +1 @@\n-FROM a:1\n+FROM a:1${D}\n`,
    ],
    [
      'three lines of context, in the middle of a file',
      ten,
      ten.replace('line 5\n', 'line 5!\n'),
      '--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line 5!\n line 6\n line 7\n line 8\n',
    ],
    [
      'changes 7 lines apart share a hunk (6 unchanged lines between)',
      ten,
      ten.replace('line 2\n', 'line 2!\n').replace('line 9\n', 'line 9!\n'),
      '--- a/f\n+++ b/f\n@@ -1,10 +1,10 @@\n line 1\n-line 2\n+line 2!\n line 3\n line 4\n line 5\n line 6\n line 7\n line 8\n-line 9\n+line 9!\n line 10\n',
    ],
    [
      'changes 8 lines apart are two hunks',
      `${ten}line 11\n`,
      `${ten}line 11\n`.replace('line 1\n', 'line 1!\n').replace('line 9\n', 'line 9!\n'),
      '--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-line 1\n+line 1!\n line 2\n line 3\n line 4\n@@ -6,6 +6,6 @@\n line 6\n line 7\n line 8\n-line 9\n+line 9!\n line 10\n line 11\n',
    ],
    [
      'CRLF lines keep their CR',
      'services:\r\n  web:\r\n    image: a:1\r\n',
      `services:\r\n  web:\r\n    image: a:1${D}\r\n`,
      `--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n services:\r\n   web:\r\n-    image: a:1\r\n+    image: a:1${D}\r\n`,
    ],
    [
      'no newline at the end of the file',
      'FROM a:1',
      `FROM a:1${D}`,
      `--- a/f\n+++ b/f\n@@ -1 +1 @@\n-FROM a:1\n\\ No newline at end of file\n+FROM a:1${D}\n\\ No newline at end of file\n`,
    ],
    [
      'a BOM is part of the first line',
      '\uFEFFFROM a:1\n',
      `\uFEFFFROM a:1${D}\n`,
      `--- a/f\n+++ b/f\n@@ -1 +1 @@\n-\uFEFFFROM a:1\n+\uFEFFFROM a:1${D}\n`,
    ],
    ['different line counts: one whole-file hunk', 'a\nb\n', 'a\n', '--- a/f\n+++ b/f\n@@ -1,2 +1 @@\n-a\n-b\n+a\n'],
  ];
  for (const [name, before, after, expected] of table)
    it(name, () => assert.equal(unifiedDiff('f', before, after), expected));

  it(
    'patch applies it and gives back the new text byte for byte',
    { skip: spawnSync('patch', ['--version']).status === 0 ? false : 'patch is not installed' },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'digest-pin-diff-'));
      try {
        const before = `\uFEFFservices:\r\n  web:\r\n    image: "a:1" # keep\r\n${ten.replace(/\n/g, '\r\n')}    image: b:2`;
        const after = before.replace('a:1', `a:1${D}`).replace('b:2', `b:2${D}`);
        writeFileSync(join(dir, 'compose.yaml'), before);
        const patch = spawnSync('patch', ['-p1', '--binary', '--silent'], {
          cwd: dir,
          input: unifiedDiff('compose.yaml', before, after),
          encoding: 'utf8',
        });
        assert.equal(patch.status, 0, patch.stderr + patch.stdout);
        assert.equal(readFileSync(join(dir, 'compose.yaml'), 'utf8'), after);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
