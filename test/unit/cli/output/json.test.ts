import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarise } from '../../../../server/src/cli/check';
import { formatJson } from '../../../../server/src/cli/output/json';
import { DIGEST, fixtureReport } from './fixture';

const range = (l1: number, c1: number, l2: number, c2: number) => ({
  start: { line: l1, character: c1 },
  end: { line: l2, character: c2 },
});

describe('formatJson', () => {
  const report = fixtureReport();
  const text = formatJson(report, summarise(report));

  it('is one JSON object on one stdout write, ending with a newline', () => {
    assert.ok(text.endsWith('}\n'));
    assert.doesNotThrow(() => JSON.parse(text));
  });

  it('has exactly the shape of cli.md, 0-based UTF-16 ranges, no `current` key offline, additive extras only', () => {
    const unpinned = (l: number) => ({
      file: 'Dockerfile',
      range: range(l, 5, l, 21),
      text: 'python:3.12-slim',
      source: 'dockerfile',
      name: 'docker.io/library/python',
      tag: '3.12-slim',
      digest: null,
      status: 'unpinned',
      context: 'from',
      diagnostics: [
        { code: 'unpinned', severity: 'warning', message: 'python:3.12-slim is a mutable tag; pin it to a digest' },
      ],
    });
    assert.deepEqual(JSON.parse(text), {
      version: 1,
      references: [
        unpinned(0),
        {
          file: 'Dockerfile',
          range: range(1, 5, 1, 10),
          text: 'nginx',
          source: 'dockerfile',
          name: 'docker.io/library/nginx',
          tag: null,
          digest: null,
          status: 'unpinned',
          context: 'from',
          diagnostics: [
            {
              code: 'latest',
              severity: 'warning',
              message:
                'nginx has no tag, so it means nginx:latest, which moves with every release; pin a version tag to a digest',
            },
          ],
        },
        {
          file: 'Dockerfile',
          range: range(2, 5, 2, 84),
          text: `node:22@${DIGEST}`,
          source: 'dockerfile',
          name: 'docker.io/library/node',
          tag: '22',
          digest: DIGEST,
          status: 'pinned',
          context: 'from',
          diagnostics: [],
        },
        unpinned(3),
        {
          file: 'sub dir/compose.yaml',
          range: range(1, 34, 1, 39),
          text: 'Bad:1',
          source: 'compose',
          name: null,
          tag: null,
          digest: null,
          status: 'invalid',
          context: 'image',
          diagnostics: [
            {
              code: 'invalid-reference',
              severity: 'error',
              message: "'Bad:1' is not a valid image reference: repository name must be lowercase",
            },
          ],
        },
        {
          file: 'sub dir/compose.yaml',
          range: range(3, 11, 3, 18),
          text: 'redis:7',
          source: 'compose',
          name: 'docker.io/library/redis',
          tag: '7',
          digest: null,
          status: 'unpinned',
          context: 'image',
          ignored: true,
          diagnostics: [],
        },
        {
          file: 'sub dir/compose.yaml',
          range: range(5, 12, 5, 24),
          text: 'golang:${GO}',
          source: 'compose',
          name: null,
          tag: null,
          digest: null,
          status: 'variable',
          context: 'image',
          platform: 'linux/arm64',
          diagnostics: [
            {
              code: 'variable',
              severity: 'information',
              message: "'golang:${GO}' is built from variables; its value is only known at build or deploy time",
            },
          ],
        },
      ],
      notes: [
        {
          file: 'broken.yaml',
          severity: 'error',
          message: 'YAML: unexpected end of the stream',
          range: range(2, 4, 2, 5),
        },
        { file: 'locked.yaml', severity: 'error', message: 'could not read: permission denied' },
        { file: 'sub dir/compose.yaml', severity: 'warning', message: 'a note without a range' },
      ],
      summary: { files: 3, references: 7, errors: 3, warnings: 4, information: 1, hints: 0 },
    });
  });

  it("keeps the contract's key order first, so diffs and eyes find fields where cli.md puts them", () => {
    const [first] = JSON.parse(text).references as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(first ?? {}), [
      'file',
      'range',
      'text',
      'source',
      'name',
      'tag',
      'digest',
      'status',
      'context',
      'diagnostics',
    ]);
    assert.deepEqual(Object.keys(JSON.parse(text) as object), ['version', 'references', 'notes', 'summary']);
  });
});
