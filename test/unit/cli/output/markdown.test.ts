import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarise, type Report } from '../../../../server/src/cli/check';
import {
  cellCode,
  cellText,
  changesTable,
  formatMarkdown,
  formatPinMarkdown,
  mergeChanges,
  type ImageChange,
  type PinReport,
} from '../../../../server/src/cli/output/markdown';
import { diagnose } from '../../../../server/src/features/diagnostics';
import { buildReference } from '../../../../server/src/references/reference';
import { rangeOf } from '../../../support/ranges';
import { DIGEST, fixtureReport } from './fixture';

const DOCS = 'https://github.com/digest-pin/digest-pin';
const OLD = `sha256:${'1'.repeat(64)}`;
const NEW = `sha256:${'2'.repeat(64)}`;
const OTHER = `sha256:${'3'.repeat(64)}`;
const HEAD = '| line | severity | code | image | message |\n| ---: | --- | --- | --- | --- |';
const CHANGES_HEAD =
  '| image | old digest | new digest | old image built | new image built | gap | places |\n' +
  '| --- | --- | --- | --- | --- | --- | --- |';

/** The cells of a table row as GitHub splits them: at each `|` that no backslash escapes. */
function cellsOf(line: string): string[] {
  assert.ok(line.startsWith('| ') && line.endsWith(' |'), line);
  const cells: string[] = [];
  let current = '';
  for (let i = 1; i < line.length - 1; i++) {
    const c = line[i]!;
    if (c === '\\' && line[i + 1] === '|') {
      current += '\\|';
      i++;
    } else if (c === '|') {
      cells.push(current.trim());
      current = '';
    } else current += c;
  }
  cells.push(current.trim());
  return cells;
}

describe('cells', () => {
  const table: Array<[string, (text: string) => string, string, string]> = [
    ['a code span escapes a pipe', cellCode, 'a|b', '`a\\|b`'],
    ['a code span around backticks and a pipe', cellCode, 'x`|y', '``x`\\|y``'],
    ['text escapes markup, HTML and the pipe', cellText, '<b>|**x**', '\\<b\\>\\|\\*\\*x\\*\\*'],
    ['text folds line breaks', cellText, 'one\ntwo\r\nthree', 'one two three'],
    ['text escapes $ (GitHub math)', cellText, '$a$ ${B}', '\\$a\\$ \\${B}'],
    ['a backslash before a pipe stays a backslash', cellText, 'a\\|b', 'a\\\\\\|b'],
  ];
  for (const [name, cell, input, expected] of table) it(name, () => assert.equal(cell(input), expected));

  it('no cell content ever ends a cell early', () => {
    for (const hostile of ['|', 'a|b|c', '\\|', '`|`', '||']) {
      assert.equal(cellsOf(`| ${cellCode(hostile)} | ${cellText(hostile)} |`).length, 2, hostile);
    }
  });
});

describe('formatMarkdown (check)', () => {
  it('the summary, then a table per file: notes first, then by position; codes linked to their docs', () => {
    const report = fixtureReport();
    assert.equal(
      formatMarkdown(report, summarise(report)),
      [
        '## digest-pin check',
        '',
        '3 files, 7 references (1 ignored): 3 errors, 4 warnings, 1 information',
        '',
        '### `Dockerfile`',
        '',
        HEAD,
        `| 1 | warning | [\`unpinned\`](${DOCS}#unpinned) | \`python:3.12-slim\` | python:3.12-slim is a mutable tag; pin it to a digest |`,
        `| 2 | warning | [\`latest\`](${DOCS}#latest) | \`nginx\` | nginx has no tag, so it means nginx:latest, which moves with every release; pin a version tag to a digest |`,
        `| 4 | warning | [\`unpinned\`](${DOCS}#unpinned) | \`python:3.12-slim\` | python:3.12-slim is a mutable tag; pin it to a digest |`,
        '',
        '### `broken.yaml`',
        '',
        HEAD,
        '| 3 | error | — | — | YAML: unexpected end of the stream |',
        '',
        '### `locked.yaml`',
        '',
        HEAD,
        '| — | error | — | — | could not read: permission denied |',
        '',
        '### `sub dir/compose.yaml`',
        '',
        HEAD,
        '| — | warning | — | — | a note without a range |',
        `| 2 | error | [\`invalid-reference\`](${DOCS}#invalid-reference) | \`Bad:1\` | 'Bad:1' is not a valid image reference: repository name must be lowercase |`,
        `| 6 | information | [\`variable\`](${DOCS}#variable) | \`golang:\${GO}\` | 'golang:\\\${GO}' is built from variables; its value is only known at build or deploy time |`,
        '',
      ].join('\n'),
    );
  });

  it('an empty report: the summary and "No findings."', () => {
    const empty: Report = { files: 0, references: [], notes: [], failures: [] };
    assert.equal(
      formatMarkdown(empty, summarise(empty)),
      '## digest-pin check\n\n0 files, 0 references: 0 errors, 0 warnings, 0 information\n\nNo findings.\n',
    );
  });

  it('files without findings get no section; a pinned image shows its digest short', () => {
    const text = `FROM node:22@${DIGEST}\n`;
    const pinned = buildReference(`node:22@${DIGEST}`, rangeOf(text, `node:22@${DIGEST}`), 'dockerfile', 'from');
    const report: Report = {
      files: 2,
      references: [
        { file: 'a/Dockerfile', reference: pinned, findings: [] },
        {
          file: 'b/Dockerfile',
          reference: pinned,
          findings: [{ code: 'tag-drift', severity: 'information', message: 'moved', range: pinned.range }],
        },
      ],
      notes: [],
      failures: [],
    };
    const lines = formatMarkdown(report, summarise(report)).split('\n');
    assert.deepEqual(
      lines.filter((line) => line.startsWith('#')),
      ['## digest-pin check', '### `b/Dockerfile`'],
    );
    assert.equal(
      lines.at(-2),
      `| 1 | information | [\`tag-drift\`](${DOCS}#tag-drift) | \`node:22@sha256:aaaaaaaaaaaa…\` | moved |`,
    );
  });

  it('hostile names and messages: escaped, one cell each, no HTML', () => {
    const text = 'services:\n  x:\n    image: "a|b`<img src=x>"\n';
    const hostile = buildReference('a|b`<img src=x>', rangeOf(text, 'a|b`<img src=x>'), 'compose', 'image');
    const file = 'we`ird | <name>.yaml';
    const report: Report = {
      files: 1,
      references: [{ file, reference: hostile, findings: diagnose(hostile) }],
      notes: [{ file, severity: 'warning', message: 'line one\n| [x](javascript:alert(1)) $$' }],
      failures: [],
    };
    const message = diagnose(hostile)[0]!.message;
    assert.match(message, /^'a\|b`<img src=x>' is not a valid image reference: /);
    const out = formatMarkdown(report, summarise(report));
    const lines = out.split('\n');
    assert.ok(lines.includes('### ``we`ird | <name>.yaml``'), out);
    const rows = lines.filter((line) => line.startsWith('| ') && !line.startsWith('| line') && !line.startsWith('| -'));
    assert.deepEqual(
      rows.map((line) => cellsOf(line)),
      [
        ['—', 'warning', '—', '—', 'line one \\| \\[x\\]\\(javascript:alert\\(1\\)\\) \\$\\$'],
        [
          '3',
          'error',
          `[\`invalid-reference\`](${DOCS}#invalid-reference)`,
          '``a\\|b`<img src=x>``',
          cellText(message),
        ],
      ],
    );
    // Outside code spans, nothing that GitHub would take for HTML.
    assert.doesNotMatch(out.replace(/(?<![`\\])(`+)[\s\S]*?(?<!`)\1(?!`)/g, ''), /(?<!\\)</);
  });
});

const change = (over: Partial<ImageChange> = {}): ImageChange => ({
  image: 'python:3.12',
  oldDigest: null,
  newDigest: NEW,
  places: [{ file: 'Dockerfile', line: 1 }],
  ...over,
});

describe('changesTable', () => {
  const cases: Array<[string, ImageChange[], string[]]> = [
    ['no change: no table', [], []],
    [
      'a new pin: no old image, the new build date unknown',
      [change()],
      ['| `python:3.12` | new pin | `sha256:222222222222…` | — | unknown | — | `Dockerfile:1` |'],
    ],
    [
      'a new pin whose build date is known',
      [change({ newCreated: '2024-02-01T10:00:00Z' })],
      ['| `python:3.12` | new pin | `sha256:222222222222…` | — | 2024-02-01 | — | `Dockerfile:1` |'],
    ],
    [
      'an update with both dates: how much newer',
      [change({ oldDigest: OLD, oldCreated: '2024-01-01T00:00:00Z', newCreated: '2024-02-01T00:00:00Z' })],
      [
        '| `python:3.12` | `sha256:111111111111…` | `sha256:222222222222…` | 2024-01-01 | 2024-02-01 | 31 days newer | `Dockerfile:1` |',
      ],
    ],
    [
      'an update to an older image (the tag was moved back)',
      [change({ oldDigest: OLD, oldCreated: '2024-03-01T00:00:00+01:00', newCreated: '2024-02-29T20:00:00Z' })],
      [
        '| `python:3.12` | `sha256:111111111111…` | `sha256:222222222222…` | 2024-02-29 | 2024-02-29 | 3 hours older | `Dockerfile:1` |',
      ],
    ],
    [
      'an update with one date unknown (a lost digest), and a date that is not one',
      [change({ oldDigest: OLD, newCreated: 'yesterday' })],
      [
        '| `python:3.12` | `sha256:111111111111…` | `sha256:222222222222…` | unknown | unknown | unknown | `Dockerfile:1` |',
      ],
    ],
    [
      'one row per image: places merged, sorted by file then line, each once',
      [
        change({ places: [{ file: 'b/compose.yaml', line: 9 }] }),
        change({ places: [{ file: 'Dockerfile', line: 12 }] }),
        change({ places: [{ file: 'Dockerfile', line: 3 }], newCreated: '2024-02-01T00:00:00Z' }),
        change({ places: [{ file: 'b/compose.yaml', line: 9 }] }),
      ],
      [
        '| `python:3.12` | new pin | `sha256:222222222222…` | — | 2024-02-01 | — | `Dockerfile:3`, `Dockerfile:12`, `b/compose.yaml:9` |',
      ],
    ],
    [
      'sorted by image, then file; the same image with other digests is another row',
      [
        change({ image: 'redis:7', places: [{ file: 'z.yaml', line: 1 }] }),
        change({ image: 'python:3.12', oldDigest: OTHER, places: [{ file: 'b.yaml', line: 2 }] }),
        change({ image: 'python:3.12', oldDigest: OLD, places: [{ file: 'b.yaml', line: 1 }] }),
        change({ image: 'python:3.12', places: [{ file: 'a.yaml', line: 5 }] }),
        change({ image: 'Python:3', places: [{ file: 'c.yaml', line: 1 }] }),
      ],
      [
        '| `Python:3` | new pin | `sha256:222222222222…` | — | unknown | — | `c.yaml:1` |',
        '| `python:3.12` | new pin | `sha256:222222222222…` | — | unknown | — | `a.yaml:5` |',
        '| `python:3.12` | `sha256:111111111111…` | `sha256:222222222222…` | unknown | unknown | unknown | `b.yaml:1` |',
        '| `python:3.12` | `sha256:333333333333…` | `sha256:222222222222…` | unknown | unknown | unknown | `b.yaml:2` |',
        '| `redis:7` | new pin | `sha256:222222222222…` | — | unknown | — | `z.yaml:1` |',
      ],
    ],
    [
      'hostile image and file names stay in their cells',
      [change({ image: 'a|b`c', places: [{ file: 'x|y.yaml', line: 2 }] })],
      ['| ``a\\|b`c`` | new pin | `sha256:222222222222…` | — | unknown | — | `x\\|y.yaml:2` |'],
    ],
  ];
  for (const [name, changes, rows] of cases) {
    it(name, () => {
      assert.equal(changesTable(changes), rows.length === 0 ? '' : `${CHANGES_HEAD}\n${rows.join('\n')}\n`);
      for (const row of rows) assert.equal(cellsOf(row).length, 7, row);
    });
  }

  it('mergeChanges keeps its input as it was', () => {
    const input = [change({ places: [{ file: 'b', line: 1 }] }), change({ places: [{ file: 'a', line: 1 }] })];
    const copy = structuredClone(input);
    assert.deepEqual(mergeChanges(input)[0]!.places, [
      { file: 'a', line: 1 },
      { file: 'b', line: 1 },
    ]);
    assert.deepEqual(input, copy);
  });
});

describe('formatPinMarkdown', () => {
  const report = (over: Partial<PinReport> = {}): PinReport => ({
    command: 'pin',
    summary: 'nothing to pin',
    changes: [],
    problems: [],
    ...over,
  });
  const cases: Array<[string, PinReport, string[]]> = [
    ['nothing to pin', report(), ['## digest-pin pin', '', 'nothing to pin', '']],
    [
      'changes, then the problems sorted by file and line (a whole file first), escaped',
      report({
        command: 'pin --update',
        summary: '1 file changed: 1 reference pinned; 2 could not be resolved',
        changes: [change()],
        problems: [
          { file: 'k8s/a.yaml', line: 7, message: 'could not pin a:1: tag 1 of library/a not found (not-found)' },
          { file: 'Dockerfile', line: 2, message: 'could not pin <b>|x: *oops*' },
          { file: 'Dockerfile', message: 'could not write: permission denied' },
        ],
      }),
      [
        '## digest-pin pin --update',
        '',
        '1 file changed: 1 reference pinned; 2 could not be resolved',
        '',
        CHANGES_HEAD,
        '| `python:3.12` | new pin | `sha256:222222222222…` | — | unknown | — | `Dockerfile:1` |',
        '',
        '### Problems',
        '',
        '- `Dockerfile`: could not write: permission denied',
        '- `Dockerfile:2`: could not pin \\<b\\>\\|x: \\*oops\\*',
        '- `k8s/a.yaml:7`: could not pin a:1: tag 1 of library/a not found \\(not-found\\)',
        '',
      ],
    ],
    [
      'a dry run says what would change',
      report({
        command: 'pin --dry-run',
        summary: '1 file would change: 1 reference pinned; nothing was written',
        changes: [change()],
      }),
      [
        '## digest-pin pin --dry-run',
        '',
        '1 file would change: 1 reference pinned; nothing was written',
        '',
        CHANGES_HEAD,
        '| `python:3.12` | new pin | `sha256:222222222222…` | — | unknown | — | `Dockerfile:1` |',
        '',
      ],
    ],
    [
      'only problems',
      report({
        summary: 'no file changed; 1 could not be resolved',
        problems: [{ file: 'Dockerfile', line: 1, message: 'could not pin a:1: offline' }],
      }),
      [
        '## digest-pin pin',
        '',
        'no file changed; 1 could not be resolved',
        '',
        '### Problems',
        '',
        '- `Dockerfile:1`: could not pin a:1: offline',
        '',
      ],
    ],
  ];
  for (const [name, input, lines] of cases) it(name, () => assert.equal(formatPinMarkdown(input), lines.join('\n')));
});
