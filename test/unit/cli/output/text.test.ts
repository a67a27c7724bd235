import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarise } from '../../../../server/src/cli/check';
import { formatText, summaryLine } from '../../../../server/src/cli/output/text';
import { fixtureReport } from './fixture';

describe('formatText', () => {
  const report = fixtureReport();

  it('prints file:line:col severity code message, 1-based, notes first within a file, then the summary', () => {
    assert.equal(
      formatText(report, summarise(report), { color: false }),
      [
        'Dockerfile:1:6 warning unpinned python:3.12-slim is a mutable tag; pin it to a digest',
        'Dockerfile:2:6 warning latest nginx has no tag, so it means nginx:latest, which moves with every release; pin a version tag to a digest',
        'Dockerfile:4:6 warning unpinned python:3.12-slim is a mutable tag; pin it to a digest',
        'broken.yaml:3:5 error YAML: unexpected end of the stream',
        'sub dir/compose.yaml warning a note without a range',
        // Column 35: the emoji before it is two UTF-16 units, as in the JSON ranges.
        "sub dir/compose.yaml:2:35 error invalid-reference 'Bad:1' is not a valid image reference: repository name must be lowercase",
        "sub dir/compose.yaml:6:13 information variable 'golang:${GO}' is built from variables; its value is only known at build or deploy time",
        '3 files, 7 references (1 ignored): 3 errors, 4 warnings, 1 information',
        '',
      ].join('\n'),
    );
  });

  it('colours severity and code only when asked', () => {
    const lines = formatText(report, summarise(report), { color: true }).split('\n');
    assert.equal(
      lines[0],
      'Dockerfile:1:6 \u001b[33mwarning\u001b[0m \u001b[2munpinned\u001b[0m python:3.12-slim is a mutable tag; pin it to a digest',
    );
    assert.equal(lines[3], 'broken.yaml:3:5 \u001b[31merror\u001b[0m YAML: unexpected end of the stream');
    assert.equal(
      lines[6],
      "sub dir/compose.yaml:6:13 \u001b[36minformation\u001b[0m \u001b[2mvariable\u001b[0m 'golang:${GO}' is built from variables; its value is only known at build or deploy time",
    );
    assert.equal(lines[7], '3 files, 7 references (1 ignored): 3 errors, 4 warnings, 1 information');
  });

  it('an empty report is just the summary', () => {
    const empty = { files: 0, references: [], notes: [], failures: [] };
    assert.equal(
      formatText(empty, summarise(empty), { color: false }),
      '0 files, 0 references: 0 errors, 0 warnings, 0 information\n',
    );
  });
});

describe('summaryLine', () => {
  const cases: Array<[Parameters<typeof summaryLine>, string]> = [
    [
      [{ files: 1, references: 1, errors: 1, warnings: 1, information: 1, hints: 0 }],
      '1 file, 1 reference: 1 error, 1 warning, 1 information',
    ],
    [
      [{ files: 3, references: 12, errors: 1, warnings: 8, information: 2, hints: 0 }],
      '3 files, 12 references: 1 error, 8 warnings, 2 information',
    ],
    [
      [{ files: 2, references: 5, errors: 0, warnings: 0, information: 0, hints: 2 }, 2],
      '2 files, 5 references (2 ignored): 0 errors, 0 warnings, 0 information, 2 hints',
    ],
    [
      [{ files: 2, references: 5, errors: 0, warnings: 0, information: 0, hints: 1 }],
      '2 files, 5 references: 0 errors, 0 warnings, 0 information, 1 hint',
    ],
  ];
  for (const [args, expected] of cases) it(expected, () => assert.equal(summaryLine(...args), expected));
});
