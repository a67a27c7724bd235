import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadFile, ReadResult } from '../../../server/src/cli/check';
import {
  changeLine,
  decide,
  imageChanges,
  imageOf,
  pinSummary,
  planPins,
  rewrite,
  writePins,
  type PinCounts,
} from '../../../server/src/cli/pin';
import type { WriteResult } from '../../../server/src/cli/write';
import type { Online } from '../../../server/src/lookup/answer';
import { findReferences } from '../../../server/src/references/index';
import { buildReference } from '../../../server/src/references/reference';
import type { ImageReference } from '../../../server/src/references/types';
import type { RegistryError } from '../../../server/src/registry/errors';
import type { Newer } from '../../../server/src/lookup/newer';
import type { Result } from '../../../server/src/registry/index';
import { rangeOf } from '../../support/ranges';

const P = `sha256:${'1'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const T = `sha256:${'7'.repeat(64)}`;
const NOW = Date.parse('2024-03-01T12:00:00Z');

const ref = (text: string, extras = {}): ImageReference =>
  buildReference(text, rangeOf(`FROM ${text}`, text), 'dockerfile', 'from', extras);
const resolved = (digest: string): Online => ({
  kind: 'tag',
  result: {
    ok: true,
    value: { digest, mediaType: 'application/vnd.oci.image.index.v1+json', checkedAt: NOW, fromCache: false },
  },
});
const failed = (kind: RegistryError['kind'], message: string): Online => ({
  kind: 'tag',
  result: { ok: false, error: { kind, message } },
});

describe('decide', () => {
  const table: Array<[string, ImageReference, Online | undefined, boolean, ReturnType<typeof decide> | 'edit']> = [
    ['unpinned + resolved: pin', ref('a:1'), resolved(C), false, 'edit'],
    [
      'unpinned, not looked up (a bug): a problem, not silence',
      ref('a:1'),
      undefined,
      false,
      { problem: 'could not pin a:1: it was not looked up' },
    ],
    [
      'unpinned + tag not found',
      ref('a:9'),
      failed('not-found', 'tag 9 of library/a not found on docker.io'),
      false,
      { problem: 'could not pin a:9: tag 9 of library/a not found on docker.io (not-found)' },
    ],
    [
      'unpinned, offline and not cached',
      ref('a:1'),
      failed('offline', 'offline: docker.io/library/a:1 is not in the cache; run once online to fill it'),
      false,
      {
        problem:
          'could not pin a:1: offline: docker.io/library/a:1 is not in the cache; run once online to fill it (offline)',
      },
    ],
    ['ignored', ref('a:1', { ignored: true }), resolved(C), false, null],
    ['local build', ref('a:1', { localBuild: true }), resolved(C), false, null],
    [
      'pinned, without --update: left alone',
      ref(`a:1@${P}`),
      { kind: 'pin', status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW } },
      false,
      null,
    ],
    [
      'pinned and current',
      ref(`a:1@${P}`),
      { kind: 'pin', status: { status: 'current', digest: P, checkedAt: NOW } },
      true,
      null,
    ],
    [
      'pinned and drifted, --update',
      ref(`a:1@${P}`),
      { kind: 'pin', status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW } },
      true,
      'edit',
    ],
    [
      'pinned and gone, --update: where the tag points now',
      ref(`a:1@${P}`),
      {
        kind: 'pin',
        status: { status: 'gone', pinned: P, checkedAt: NOW },
        tag: { digest: T, mediaType: 'x/y', checkedAt: NOW, fromCache: true },
      },
      true,
      'edit',
    ],
    [
      'pinned and gone, tag unknown',
      ref(`a:1@${P}`),
      { kind: 'pin', status: { status: 'gone', pinned: P, checkedAt: NOW } },
      true,
      { problem: `could not update a:1@${P}: its digest is gone and where the tag points now is not known` },
    ],
    [
      'pinned, registry error, --update',
      ref(`a:1@${P}`),
      {
        kind: 'pin',
        status: {
          status: 'unknown',
          error: {
            kind: 'timeout',
            message: 'docker.io did not answer within 10 s; check the network or raise the timeout',
          },
        },
      },
      true,
      {
        problem: `could not update a:1@${P}: docker.io did not answer within 10 s; check the network or raise the timeout (timeout)`,
      },
    ],
    ['digest only, --update: nothing to follow', ref(`a@${P}`), undefined, true, null],
  ];
  for (const [name, reference, online, update, expected] of table) {
    it(name, () => {
      const decision = decide(reference, online, { update });
      if (expected !== 'edit') return assert.deepEqual(decision, expected);
      assert.ok(decision !== null && 'change' in decision, JSON.stringify(decision));
    });
  }

  it('a reference split over lines is a problem, never a bad edit', () => {
    const split = buildReference(
      'a:1',
      { start: { line: 0, character: 5 }, end: { line: 1, character: 2 } },
      'yaml',
      'image',
    );
    assert.deepEqual(decide(split, resolved(C), { update: false }), {
      problem: 'could not pin a:1: the reference is split over lines; pin it by hand',
    });
  });
});

function readOf(file: string, text: string): ReadFile {
  const bytes = Buffer.from(text, 'utf8');
  const { references, notes } = findReferences(file, text);
  return { walked: { path: `/work/${file}`, file, size: bytes.length }, references, notes, bytes };
}

describe('planPins + rewrite: every byte but the digests stays', () => {
  const cases: Array<[string, string, string]> = [
    ['Dockerfile', 'FROM a:1 AS base\n# comment a:1\nFROM b\n', `FROM a:1@${C} AS base\n# comment a:1\nFROM b@${C}\n`],
    [
      'compose.yaml',
      'services:\r\n  web:\r\n    image: "a:1" # the web\r\n',
      `services:\r\n  web:\r\n    image: "a:1@${C}" # the web\r\n`,
    ],
    [
      'k8s.yaml',
      `\uFEFFkind: Pod\nspec:\n  containers:\n    - image: 'a:1'\n      name: x\n`,
      `\uFEFFkind: Pod\nspec:\n  containers:\n    - image: 'a:1@${C}'\n      name: x\n`,
    ],
    ['Dockerfile', 'ARG V=1\nFROM a:${V}-x\nFROM Bad:1\n', 'ARG V=1\nFROM a:${V}-x\nFROM Bad:1\n'],
    // The ARG is the whole tag: the split reference a:1 is pinned at the ARG default, the FROM stays as written.
    ['Dockerfile', 'ARG V=1\nFROM a:${V} AS app\n', `ARG V=1@${C}\nFROM a:\${V} AS app\n`],
    [
      'values.yaml',
      'image:\n  repository: a\n  tag: "1"\n  digest: ""\n',
      `image:\n  repository: a\n  tag: "1"\n  digest: "${C}"\n`,
    ],
    ['values.yaml', "image:\n  repository: a\n  tag: '1' # t\n", `image:\n  repository: a\n  tag: '1@${C}' # t\n`],
    [
      'kustomization.yaml',
      'images:\r\n  - name: a\r\n    newTag: "1" # t\r\n',
      `images:\r\n  - name: a\r\n    newTag: "1" # t\r\n    digest: ${C}\r\n`,
    ],
  ];
  for (const [file, before, after] of cases) {
    it(`${file}: ${JSON.stringify(before).slice(0, 50)}`, () => {
      const read = readOf(file, before);
      const online = new Map(read.references.map((r) => [r, resolved(C)]));
      const plan = planPins({ files: [read], failures: [] }, online, { update: false });
      if (before === after) {
        assert.deepEqual(plan.files, []);
        assert.deepEqual(plan.skipped, { variable: 1, invalid: 1 });
        return;
      }
      const outcome = rewrite(plan.files[0]!);
      assert.ok(outcome.ok);
      assert.equal(outcome.after, after);
      assert.equal(outcome.before, before);
    });
  }

  it('bytes that are not UTF-8 are never rewritten', () => {
    const read = readOf('Dockerfile', 'FROM a:1\n');
    read.bytes = Buffer.concat([Buffer.from('FROM a:1\n# '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]);
    const plan = planPins({ files: [read], failures: [] }, new Map(read.references.map((r) => [r, resolved(C)])), {
      update: false,
    });
    assert.deepEqual(rewrite(plan.files[0]!), {
      ok: false,
      file: plan.files[0],
      message: 'not valid UTF-8; left unchanged',
    });
  });
});

describe('writePins', () => {
  const read = readOf('Dockerfile', `FROM a:1\nFROM b:2@${P}\nFROM c:${'${V}'}\n`);
  const [a, b] = read.references;
  const online = new Map<ImageReference, Online>([
    [a!, resolved(C)],
    [b!, { kind: 'pin', status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW } }],
  ]);
  const result: ReadResult = { files: [read], failures: [] };

  it('writes each file once and prints each change', () => {
    const writes: Array<[string, string, string]> = [];
    const write = (path: string, content: Buffer, expected: Buffer): WriteResult => {
      writes.push([path, content.toString(), expected.toString()]);
      return { ok: true };
    };
    const output = writePins(planPins(result, online, { update: true }), { dryRun: false, write });
    assert.deepEqual(writes, [
      ['/work/Dockerfile', `FROM a:1@${C}\nFROM b:2@${C}\nFROM c:\${V}\n`, `FROM a:1\nFROM b:2@${P}\nFROM c:\${V}\n`],
    ]);
    assert.equal(
      output.out,
      `Dockerfile:1:6 pinned a:1@${C}\nDockerfile:2:6 updated b:2@${C} (was sha256:111111111111…)\n`,
    );
    assert.deepEqual(output.counts, {
      files: 1,
      pinned: 1,
      updated: 1,
      problems: 0,
      skipped: { variable: 1, invalid: 0 },
    });
    assert.deepEqual(output.failures, []);
    assert.deepEqual(output.unwritten, []);
    assert.deepEqual(
      output.written.map((file) => file.read.walked.file),
      ['Dockerfile'],
    );
  });

  it('a dry run prints the diff and writes nothing', () => {
    const output = writePins(planPins(result, online, { update: false }), {
      dryRun: true,
      write: () => assert.fail('wrote'),
    });
    assert.equal(
      output.out,
      `--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,3 @@\n-FROM a:1\n+FROM a:1@${C}\n FROM b:2@${P}\n FROM c:\${V}\n`,
    );
    assert.deepEqual(output.counts, {
      files: 1,
      pinned: 1,
      updated: 0,
      problems: 0,
      skipped: { variable: 1, invalid: 0 },
    });
  });

  it('a file that cannot be written is a failure, and is not counted', () => {
    const output = writePins(planPins(result, online, { update: false }), {
      dryRun: false,
      write: () => ({ ok: false, reason: 'io', message: 'could not write: permission denied' }),
    });
    assert.deepEqual(
      [output.out, output.failures, output.counts.files, output.counts.pinned],
      ['', ['Dockerfile: could not write: permission denied'], 0, 0],
    );
    assert.deepEqual(output.unwritten, [{ file: 'Dockerfile', message: 'could not write: permission denied' }]);
    assert.deepEqual(output.written, []);
  });
});

describe('imageChanges: the rows of the markdown change table', () => {
  const G = `sha256:${'9'.repeat(64)}`;
  const read = readOf('Dockerfile', `FROM a:1\nFROM b:2@${P}\nFROM d:4@${G}\nFROM a:1\nFROM e:5@${T}\n`);
  const [a1, b, d, a2, e] = read.references;
  const dated = (digest: string, created: string): Online => ({
    kind: 'tag',
    result: {
      ok: true,
      value: {
        digest,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        created,
        checkedAt: NOW,
        fromCache: false,
      },
    },
  });
  const online = new Map<ImageReference, Online>([
    [a1!, dated(C, '2024-02-01T00:00:00Z')],
    [a2!, dated(C, '2024-02-01T00:00:00Z')],
    [
      b!,
      {
        kind: 'pin',
        status: { status: 'drifted', pinned: P, current: C, tagDigest: C, checkedAt: NOW },
        created: { pinned: '2024-01-01T00:00:00Z', current: '2024-02-01T00:00:00Z' },
      },
    ],
    [
      d!,
      {
        kind: 'pin',
        status: { status: 'gone', pinned: G, checkedAt: NOW },
        tag: { digest: C, mediaType: 'x', created: '2024-02-02T00:00:00Z', checkedAt: NOW, fromCache: false },
      },
    ],
    // Drifted, asked without dates (text output): no dates.
    [e!, { kind: 'pin', status: { status: 'drifted', pinned: T, current: C, tagDigest: C, checkedAt: NOW } }],
  ]);

  it('one change per reference, with the dates the answers carry', () => {
    const plan = planPins({ files: [read], failures: [] }, online, { update: true });
    assert.deepEqual(imageChanges(plan.files, online), [
      {
        image: 'a:1',
        oldDigest: null,
        newDigest: C,
        newCreated: '2024-02-01T00:00:00Z',
        places: [{ file: 'Dockerfile', line: 1 }],
      },
      {
        image: 'b:2',
        oldDigest: P,
        newDigest: C,
        oldCreated: '2024-01-01T00:00:00Z',
        newCreated: '2024-02-01T00:00:00Z',
        places: [{ file: 'Dockerfile', line: 2 }],
      },
      {
        image: 'd:4',
        oldDigest: G,
        newDigest: C,
        newCreated: '2024-02-02T00:00:00Z',
        places: [{ file: 'Dockerfile', line: 3 }],
      },
      {
        image: 'a:1',
        oldDigest: null,
        newDigest: C,
        newCreated: '2024-02-01T00:00:00Z',
        places: [{ file: 'Dockerfile', line: 4 }],
      },
      { image: 'e:5', oldDigest: T, newDigest: C, places: [{ file: 'Dockerfile', line: 5 }] },
    ]);
  });

  it('imageOf: the reference as written, without its digest', () => {
    const table: Array<[ImageReference, string]> = [
      [ref('a:1'), 'a:1'],
      [ref(`ghcr.io/o/a:1@${P}`), 'ghcr.io/o/a:1'],
      [ref(`a@${P}`), 'a'],
      [ref('Bad:1'), 'Bad:1'],
    ];
    for (const [reference, expected] of table) assert.equal(imageOf(reference), expected, reference.text);
  });
});

describe('changeLine and pinSummary', () => {
  it('pinned: the reference as it now reads', () =>
    assert.equal(
      changeLine('k8s/a.yaml', { reference: ref('a:1'), kind: 'pinned', digest: C }),
      `k8s/a.yaml:1:6 pinned a:1@${C}`,
    ));
  it('pinned feature (devcontainer.json): name@digest, as written (the tag went to a comment)', () => {
    const text = 'ghcr.io/devcontainers/features/node:1';
    const feature = buildReference(text, rangeOf(`{"features": {"${text}": {}}}`, text), 'devcontainer', 'feature');
    assert.equal(
      changeLine('.devcontainer/devcontainer.json', { reference: feature, kind: 'pinned', digest: C }),
      `.devcontainer/devcontainer.json:1:16 pinned ghcr.io/devcontainers/features/node@${C}`,
    );
  });
  it('updated: the new digest and the old one, short', () =>
    assert.equal(
      changeLine('Dockerfile', { reference: ref(`a:1@${P}`), kind: 'updated', digest: C }),
      `Dockerfile:1:6 updated a:1@${C} (was sha256:111111111111…)`,
    ));

  const counts = (over: Partial<PinCounts>): PinCounts => ({
    files: 0,
    pinned: 0,
    updated: 0,
    problems: 0,
    skipped: { variable: 0, invalid: 0 },
    ...over,
  });
  const table: Array<[PinCounts, boolean, string]> = [
    [counts({}), false, 'nothing to pin'],
    [counts({}), true, 'nothing to pin'],
    [counts({ files: 1, pinned: 1 }), false, '1 file changed: 1 reference pinned'],
    [counts({ files: 2, pinned: 3, updated: 1 }), false, '2 files changed: 3 references pinned, 1 updated'],
    [counts({ files: 2, pinned: 3 }), true, '2 files would change: 3 references pinned; nothing was written'],
    [counts({ problems: 2 }), false, 'no file changed; 2 could not be resolved'],
    [counts({ problems: 1 }), true, 'no file would change; 1 could not be resolved'],
    [
      counts({ files: 1, pinned: 1, problems: 1, skipped: { variable: 2, invalid: 1 } }),
      false,
      '1 file changed: 1 reference pinned; 1 could not be resolved; 3 left as written (2 variable, 1 invalid)',
    ],
    [counts({ skipped: { variable: 0, invalid: 1 } }), false, 'nothing to pin; 1 left as written (1 invalid)'],
    // A Latin-1 file with something to pin: not "nothing to pin" (the reason, not valid UTF-8, is on stderr).
    [counts({ unwritten: 1 }), false, 'no file changed; 1 file could not be written'],
    [
      counts({ files: 1, pinned: 2, unwritten: 2 }),
      false,
      '1 file changed: 2 references pinned; 2 files could not be written',
    ],
    [counts({ unwritten: 1 }), true, 'no file would change; 1 file could not be changed'],
  ];
  for (const [c, dryRun, expected] of table) it(expected, () => assert.equal(pinSummary(c, dryRun), expected));
});

describe('pin --upgrade: the newest tag at the level, pinned; the others pinned as usual', () => {
  const N = `sha256:${'9'.repeat(64)}`;
  const newerOf = (tag: string, level: 'patch' | 'minor', digest: string | RegistryError): Result<Newer> => ({
    ok: true,
    value: {
      offers: [
        {
          level,
          tag,
          resolution:
            typeof digest === 'string'
              ? {
                  ok: true,
                  value: {
                    digest,
                    mediaType: 'application/vnd.oci.image.index.v1+json',
                    checkedAt: 0,
                    fromCache: false,
                  },
                }
              : { ok: false, error: digest },
        },
      ],
      truncated: false,
      fromCache: false,
    },
  });
  const text = `FROM python:3.12.7-slim AS a\nFROM redis:7.2.1@${P} AS b\nFROM nginx:1.25.3 AS c\nFROM ghcr.io/x/y:1.0.0 AS d\n`;
  const read = readOf('Dockerfile', text);
  const [python, redis, nginx, xy] = read.references as [
    ImageReference,
    ImageReference,
    ImageReference,
    ImageReference,
  ];
  const newer = new Map<ImageReference, Result<Newer>>([
    [python, newerOf('3.12.8-slim', 'patch', N)],
    [redis, newerOf('7.3.0', 'minor', T)],
    [nginx, { ok: true, value: { offers: [], truncated: false, fromCache: false } }],
    [xy, newerOf('1.0.1', 'patch', { kind: 'unauthorized', message: 'not logged in to ghcr.io' })],
  ]);
  const online = new Map<ImageReference, Online>([
    [python, resolved(C)],
    [nginx, resolved(C)],
    [xy, resolved(C)],
  ]);

  it('patch: python upgraded, redis (only a minor is newer) left, nginx pinned, a failed look-up a problem', () => {
    const plan = planPins({ files: [read], failures: [] }, online, { update: false, upgrade: 'patch', newer });
    const outcome = rewrite(plan.files[0]!);
    assert.ok(outcome.ok);
    assert.equal(
      outcome.after,
      `FROM python:3.12.8-slim@${N} AS a\nFROM redis:7.2.1@${P} AS b\nFROM nginx:1.25.3@${C} AS c\nFROM ghcr.io/x/y:1.0.0 AS d\n`,
    );
    assert.deepEqual(
      plan.files[0]!.changes.map((change) => changeLine('Dockerfile', change)),
      [`Dockerfile:1:6 upgraded python:3.12.8-slim@${N} (was 3.12.7-slim)`, `Dockerfile:3:6 pinned nginx:1.25.3@${C}`],
    );
    assert.deepEqual(
      plan.problems.map((p) => p.message),
      ['could not upgrade ghcr.io/x/y:1.0.0: 1.0.1: not logged in to ghcr.io (unauthorized)'],
    );
  });

  it('minor: the pinned redis moves to 7.3.0 with its digest', () => {
    const plan = planPins({ files: [read], failures: [] }, online, { update: false, upgrade: 'minor', newer });
    const outcome = rewrite(plan.files[0]!);
    assert.ok(outcome.ok);
    assert.ok(outcome.after.includes(`FROM redis:7.3.0@${T} AS b\n`), outcome.after);
    const output = writePins(plan, { dryRun: true });
    assert.equal(output.counts.upgraded, 2);
    assert.equal(
      pinSummary(output.counts, false),
      '1 file changed: 1 reference pinned, 2 upgraded; 1 could not be resolved',
    );
  });
});

describe('pinSummary with upgrades', () => {
  const counts = (over: Partial<PinCounts>): PinCounts => ({
    files: 1,
    pinned: 0,
    updated: 0,
    problems: 0,
    skipped: { variable: 0, invalid: 0 },
    ...over,
  });
  const table: Array<[Partial<PinCounts>, string]> = [
    [{ upgraded: 1 }, '1 file changed: 1 reference upgraded'],
    [{ upgraded: 2, pinned: 1 }, '1 file changed: 1 reference pinned, 2 upgraded'],
    [{ upgraded: 1, updated: 1 }, '1 file changed: 0 references pinned, 1 updated, 1 upgraded'],
  ];
  for (const [over, expected] of table) it(expected, () => assert.equal(pinSummary(counts(over), false), expected));
});
