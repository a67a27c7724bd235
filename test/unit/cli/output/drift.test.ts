// A drifted pin whose images were described, in each output: text (indented lines under the finding), JSON (`current`
// gains provenance, attachments, changes; a `pinned` object — optional fields of v1) and Markdown (a "What changed"
// list, escaped, links only to forge pages). A drift without descriptions prints as before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarise, type Report } from '../../../../server/src/cli/check';
import { formatJson } from '../../../../server/src/cli/output/json';
import { formatMarkdown } from '../../../../server/src/cli/output/markdown';
import { formatText } from '../../../../server/src/cli/output/text';
import { diagnose } from '../../../../server/src/features/diagnostics';
import type { Online } from '../../../../server/src/lookup/answer';
import { buildReference } from '../../../../server/src/references/reference';
import { rangeOf } from '../../../support/ranges';

const P = `sha256:${'1'.repeat(64)}`;
const C = `sha256:${'2'.repeat(64)}`;
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);
const NOW = Date.parse('2024-03-01T00:00:00Z');
const TEXT = `FROM ghcr.io/org/app:1@${P}\n`;

function report(described: boolean): Report {
  const reference = buildReference(`ghcr.io/org/app:1@${P}`, rangeOf(TEXT, 'ghcr.io'), 'dockerfile', 'from');
  const online: Online = {
    kind: 'pin',
    status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW },
    created: { pinned: '2024-01-01T00:00:00Z', current: '2024-02-01T00:00:00Z' },
    ...(described
      ? {
          described: {
            pinned: {
              digest: P,
              mediaType: 'application/vnd.oci.image.index.v1+json',
              created: '2024-01-01T00:00:00Z',
              platforms: [{ os: 'linux', architecture: 'amd64' }],
              provenance: { version: '1.0.0', source: 'https://github.com/org/app', revision: SHA_A },
              attachments: [],
            },
            current: {
              digest: C,
              mediaType: 'application/vnd.oci.image.index.v1+json',
              created: '2024-02-01T00:00:00Z',
              platforms: [
                { os: 'linux', architecture: 'amd64' },
                { os: 'linux', architecture: 'arm64' },
              ],
              provenance: { version: '1.0.1|<b>', source: 'https://github.com/org/app', revision: SHA_B },
              attachments: [{ kind: 'signature', via: 'cosign-tag' }],
            },
          },
        }
      : {}),
  };
  return {
    files: 1,
    references: [{ file: 'Dockerfile', reference, findings: diagnose(reference, online, { now: NOW }), online }],
    notes: [],
    failures: [],
  };
}

const COMPARE = `https://github.com/org/app/compare/${SHA_A}...${SHA_B}`;

describe('a described drift in the outputs', () => {
  it('text: what changed and what the new image has, indented under the finding', () => {
    const lines = formatText(report(true), summarise(report(true)), { color: false }).split('\n');
    assert.match(lines[0]!, /^Dockerfile:1:6 information tag-drift ghcr\.io\/org\/app:1 has moved on/);
    assert.deepEqual(lines.slice(1, 3), [
      `  what changed: version 1.0.0 → 1.0.1|<b>; source revision aaaaaaaaaaaa → bbbbbbbbbbbb (compare (${COMPARE})); platforms added linux/arm64`,
      '  the new image has: signature (cosign tag)',
    ]);
  });

  it('text: an undescribed drift is one line', () => {
    const lines = formatText(report(false), summarise(report(false)), { color: false })
      .trimEnd()
      .split('\n');
    assert.equal(lines.length, 2);
  });

  it('JSON: current gains metadata and changes, pinned is the pinned image; absent when undescribed', () => {
    const json = JSON.parse(formatJson(report(true), summarise(report(true))));
    const ref = json.references[0];
    assert.deepEqual(ref.current, {
      digest: C,
      created: '2024-02-01T00:00:00Z',
      error: null,
      platforms: ['linux/amd64', 'linux/arm64'],
      provenance: { version: '1.0.1|<b>', source: 'https://github.com/org/app', revision: SHA_B },
      attachments: [{ kind: 'signature', via: 'cosign-tag' }],
      changes: {
        version: { before: '1.0.0', after: '1.0.1|<b>', changed: true },
        revision: {
          before: SHA_A,
          after: SHA_B,
          changed: true,
          compare: COMPARE,
          beforeLink: `https://github.com/org/app/commit/${SHA_A}`,
          afterLink: `https://github.com/org/app/commit/${SHA_B}`,
        },
        platforms: { added: ['linux/arm64'], removed: [] },
        built: { before: '2024-01-01T00:00:00Z', after: '2024-02-01T00:00:00Z', apartMs: 31 * 86_400_000 },
      },
    });
    assert.deepEqual(ref.pinned, {
      digest: P,
      created: '2024-01-01T00:00:00Z',
      platforms: ['linux/amd64'],
      provenance: { version: '1.0.0', source: 'https://github.com/org/app', revision: SHA_A },
      attachments: [],
    });
    const plain = JSON.parse(formatJson(report(false), summarise(report(false)))).references[0];
    assert.deepEqual(Object.keys(plain.current), ['digest', 'created', 'error']);
    assert.equal(plain.pinned, undefined);
  });

  it('Markdown: a What changed list, registry text escaped or in code, the compare link', () => {
    const markdown = formatMarkdown(report(true), summarise(report(true)));
    const section = markdown.slice(markdown.indexOf('### What changed'));
    assert.equal(
      section,
      [
        '### What changed',
        '',
        `- \`ghcr.io/org/app:1@sha256:111111111111…\` (\`Dockerfile:1\`): version \`1.0.0\` → \`1.0.1|<b>\` · source revision \`aaaaaaaaaaaa\` → \`bbbbbbbbbbbb\` ([compare](${COMPARE})) · platforms added \`linux/arm64\` · the new image has: signature \\(cosign tag\\)`,
        '',
      ].join('\n'),
    );
    assert.ok(!formatMarkdown(report(false), summarise(report(false))).includes('What changed'));
  });
});
