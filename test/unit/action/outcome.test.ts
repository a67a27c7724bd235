// A CLI run read back (check's JSON, pin's lines, anything else's words) → annotations, the findings count and the
// Markdown summary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonReport } from '../../../server/src/cli/output/json';
import { annotationsOf, findingsOf, outcomeOf, type CliRun } from '../../../server/src/action/outcome';
import { cell, codeBlock, summaryOf } from '../../../server/src/action/summary';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

const range = (line: number, start: number, end: number) => ({
  start: { line, character: start },
  end: { line, character: end },
});

const REPORT: JsonReport = {
  version: 1,
  references: [
    {
      file: 'dir,1/Dockerfile',
      range: range(2, 5, 21),
      text: 'python:3.12-slim',
      source: 'dockerfile',
      name: 'docker.io/library/python',
      tag: '3.12-slim',
      digest: null,
      status: 'unpinned',
      context: 'from',
      diagnostics: [{ code: 'unpinned', severity: 'warning', message: 'python:3.12-slim is a mutable tag; pin it' }],
    },
    {
      file: 'compose.yaml',
      range: range(4, 11, 22),
      text: 'example/web',
      source: 'compose',
      name: 'docker.io/example/web',
      tag: null,
      digest: null,
      status: 'unpinned',
      context: 'image',
      diagnostics: [{ code: 'latest', severity: 'information', message: 'a | b <b>' }],
    },
  ],
  notes: [{ file: 'bad.yaml', severity: 'error', message: 'YAML does not parse', range: range(0, 0, 1) }],
  summary: { files: 3, references: 2, errors: 1, warnings: 1, information: 1, hints: 0 },
};

const run = (argv: string[], status: number, stdout: string, stderr = ''): CliRun => ({ argv, status, stdout, stderr });

describe('action outcome: check', () => {
  const outcome = outcomeOf('check', run(['check', '--format', 'json'], 1, JSON.stringify(REPORT)));

  it('one annotation per finding and per note, at 1-based lines and columns', () => {
    assert.deepEqual(annotationsOf(outcome), [
      '::warning file=dir%2C1/Dockerfile,line=3,col=6,endLine=3,endColumn=22,title=digest-pin%3A unpinned::python:3.12-slim is a mutable tag; pin it',
      '::notice file=compose.yaml,line=5,col=12,endLine=5,endColumn=23,title=digest-pin%3A latest::a | b <b>',
      '::error file=bad.yaml,line=1,col=1,title=digest-pin::YAML does not parse',
    ]);
  });

  it('findings: every finding the summary counts', () => {
    assert.equal(findingsOf(outcome), 3);
  });

  it('the summary: counts, then a table of findings with cells escaped', () => {
    assert.equal(
      summaryOf(outcome),
      [
        '## digest-pin check',
        '',
        '3 files, 2 references: 1 error, 1 warning, 1 information',
        '',
        '| where | severity | code | message |',
        '|---|---|---|---|',
        '| dir,1/Dockerfile:3:6 | warning | unpinned | python:3.12-slim is a mutable tag; pin it |',
        '| compose.yaml:5:12 | information | latest | a \\| b &lt;b&gt; |',
        '| bad.yaml | error |  | YAML does not parse |',
        '',
      ].join('\n'),
    );
  });

  it('a check whose stdout is not the report (a usage error) is told in its own words', () => {
    const failed = outcomeOf('check', run(['check'], 2, '', "digest-pin: '--fail-on' needs one of …\n"));
    assert.equal(failed.command, 'other');
    assert.deepEqual(annotationsOf(failed), []);
    assert.equal(findingsOf(failed), 0);
    assert.match(summaryOf(failed), /^## digest-pin check\n\nExit status 2\.\n\n```text\ndigest-pin: '--fail-on'/);
  });
});

describe('action outcome: pin --upgrade', () => {
  it('reads an upgraded line: the new reference and the tag it was', () => {
    const outcome = outcomeOf(
      'pin',
      run(
        ['pin', '--upgrade', 'patch', '.'],
        0,
        `Dockerfile:1:6 upgraded python:3.12.8-slim@${D1} (was 3.12.7-slim)\n1 file changed: 1 reference upgraded\n`,
        '',
      ),
    );
    assert.ok(outcome.command === 'pin');
    assert.deepEqual(outcome.changes, [
      {
        file: 'Dockerfile',
        line: 1,
        column: 6,
        kind: 'upgraded',
        reference: `python:3.12.8-slim@${D1}`,
        was: '3.12.7-slim',
      },
    ]);
    assert.equal(outcome.summary, '1 file changed: 1 reference upgraded');
  });
});

describe('action outcome: pin', () => {
  const stdout = [
    `Dockerfile:3:18 pinned python:3.12-slim@${D1}`,
    `odd: name.yaml:14:13 updated redis:7-alpine@${D2} (was sha256:111111111111…)`,
    '2 files changed: 1 reference pinned, 1 updated; 1 could not be resolved',
    '',
  ].join('\n');
  const stderr = 'digest-pin: k8s/app.yaml:7:16: could not pin example/app:1 (tag-not-found)\n';
  const outcome = outcomeOf('pin', run(['pin', '--update', '.'], 1, stdout, stderr));

  it('reads the change lines (a file name may hold a colon), the summary line and the problems', () => {
    assert.equal(outcome.command, 'pin');
    if (outcome.command !== 'pin') return;
    assert.deepEqual(outcome.changes, [
      { file: 'Dockerfile', line: 3, column: 18, kind: 'pinned', reference: `python:3.12-slim@${D1}`, was: null },
      {
        file: 'odd: name.yaml',
        line: 14,
        column: 13,
        kind: 'updated',
        reference: `redis:7-alpine@${D2}`,
        was: 'sha256:111111111111…',
      },
    ]);
    assert.equal(outcome.summary, '2 files changed: 1 reference pinned, 1 updated; 1 could not be resolved');
    assert.deepEqual(outcome.problems, [
      { file: 'k8s/app.yaml', line: 7, column: 16, message: 'could not pin example/app:1 (tag-not-found)' },
    ]);
  });

  it('notices for changes, errors for problems; findings counts both', () => {
    assert.deepEqual(annotationsOf(outcome), [
      `::notice file=Dockerfile,line=3,col=18,title=digest-pin%3A pinned::pinned python:3.12-slim@${D1}`,
      `::notice file=odd%3A name.yaml,line=14,col=13,title=digest-pin%3A updated::updated redis:7-alpine@${D2} (was sha256:111111111111…)`,
      '::error file=k8s/app.yaml,line=7,col=16,title=digest-pin%3A not pinned::could not pin example/app:1 (tag-not-found)',
    ]);
    assert.equal(findingsOf(outcome), 3);
  });

  it('the summary: the CLI summary line, the changes, what was not pinned', () => {
    const text = summaryOf(outcome);
    assert.ok(text.startsWith('## digest-pin pin\n\n2 files changed: 1 reference pinned, 1 updated;'), text);
    assert.ok(text.includes(`| Dockerfile:3:18 | pinned | python:3.12-slim@${D1} |  |\n`), text);
    assert.ok(text.includes(`| odd: name.yaml:14:13 | updated | redis:7-alpine@${D2} | sha256:111111111111… |`), text);
    assert.ok(text.includes('**Not pinned**\n\n| where | why |\n|---|---|\n| k8s/app.yaml:7:16 |'), text);
  });

  it('a usage error of pin is told in its own words', () => {
    assert.equal(outcomeOf('pin', run(['pin'], 2, '', 'digest-pin: unknown option\n')).command, 'other');
  });
});

describe('action outcome: other commands', () => {
  it('lock (or any command the CLI does not know) keeps its words in a code block', () => {
    const outcome = outcomeOf('lock', run(['lock', '.'], 2, '', "digest-pin: unknown command 'lock'\n"));
    assert.equal(outcome.command, 'other');
    assert.equal(
      summaryOf(outcome),
      "## digest-pin lock\n\nExit status 2.\n\n```text\ndigest-pin: unknown command 'lock'\n```\n",
    );
  });

  it('cells are one line without HTML, table or emphasis syntax; code blocks outlast backticks', () => {
    assert.equal(cell('a|b\n<i>*x*_y_`z`[l](u)\\'), 'a\\|b &lt;i&gt;\\*x\\*\\_y\\_\\`z\\`\\[l\\](u)\\\\');
    assert.equal(codeBlock('``` not a fence'), '````text\n``` not a fence\n````\n');
  });
});
