// One constructed report every formatter test prints: findings of each severity, a pinned and an ignored reference,
// a note with and without a range, a failure, and a column after an astral character (two UTF-16 units).
import type { Report } from '../../../../server/src/cli/check';
import { diagnose } from '../../../../server/src/features/diagnostics';
import { buildReference, type ReferenceExtras } from '../../../../server/src/references/reference';
import type { ImageReference, ReferenceContext, ReferenceSource } from '../../../../server/src/references/types';
import { rangeOf } from '../../../support/ranges';

export const DIGEST = `sha256:${'a'.repeat(64)}`;

export const DOCKERFILE = `FROM python:3.12-slim AS build\nFROM nginx\nFROM node:22@${DIGEST}\nFROM python:3.12-slim\n`;
export const COMPOSE =
  'services:\n  app: {labels: {x: "💥"}, image: Bad:1}\n  db:\n    image: redis:7 # digest-pin: ignore\n  go:\n    image: "golang:${GO}"\n';

const ref = (
  text: string,
  needle: string,
  source: ReferenceSource,
  context: ReferenceContext,
  occurrence = 0,
  extras: ReferenceExtras = {},
): ImageReference => buildReference(needle, rangeOf(text, needle, occurrence), source, context, extras);

export function fixtureReport(): Report {
  const references = [
    { file: 'Dockerfile', reference: ref(DOCKERFILE, 'python:3.12-slim', 'dockerfile', 'from') },
    { file: 'Dockerfile', reference: ref(DOCKERFILE, 'nginx', 'dockerfile', 'from') },
    { file: 'Dockerfile', reference: ref(DOCKERFILE, `node:22@${DIGEST}`, 'dockerfile', 'from') },
    { file: 'Dockerfile', reference: ref(DOCKERFILE, 'python:3.12-slim', 'dockerfile', 'from', 1) },
    { file: 'sub dir/compose.yaml', reference: ref(COMPOSE, 'Bad:1', 'compose', 'image') },
    { file: 'sub dir/compose.yaml', reference: ref(COMPOSE, 'redis:7', 'compose', 'image', 0, { ignored: true }) },
    {
      file: 'sub dir/compose.yaml',
      reference: ref(COMPOSE, 'golang:${GO}', 'compose', 'image', 0, { platform: 'linux/arm64' }),
    },
  ];
  return {
    files: 3,
    references: references.map((r) => ({ ...r, findings: diagnose(r.reference) })),
    notes: [
      {
        file: 'broken.yaml',
        severity: 'error',
        message: 'YAML: unexpected end of the stream',
        range: { start: { line: 2, character: 4 }, end: { line: 2, character: 5 } },
      },
      { file: 'sub dir/compose.yaml', severity: 'warning', message: 'a note without a range' },
    ],
    failures: [{ file: 'locked.yaml', message: 'could not read: permission denied' }],
  };
}
