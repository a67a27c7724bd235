import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  inconsistencies,
  inconsistencyFinding,
  useNewestEdits,
  type Newest,
  type PinPlace,
} from '../../../server/src/features/consistency';
import { applyEdits } from '../../../server/src/features/edits';
import type { Online } from '../../../server/src/lookup/answer';
import { findReferences } from '../../../server/src/references/index';
import { shortDigest } from '../../../server/src/shared/text';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const C = `sha256:${'c'.repeat(64)}`;
const D = `sha256:${'d'.repeat(64)}`;
const a = shortDigest(A);
const b = shortDigest(B);
const c = shortDigest(C);

const current = (digest: string): Online => ({ kind: 'pin', status: { status: 'current', digest, checkedAt: 0 } });
const drifted = (pinned: string, now: string, created?: { pinned?: string; current?: string }): Online => ({
  kind: 'pin',
  status: { status: 'drifted', pinned, current: now, tagDigest: now, checkedAt: 0 },
  ...(created === undefined ? {} : { created }),
});
const JAN = '2024-01-01T00:00:00Z';
const FEB = '2024-02-01T00:00:00Z';

/** A file's first reference as a place: `file` names the path (its kind) and the text is the file. */
function place(file: string, text: string, online?: Online): PinPlace {
  const ref = findReferences(`/w/${file}`, text).references[0];
  assert.ok(ref, `no reference in ${file}`);
  return { file, ref, ...(online === undefined ? {} : { online }) };
}

interface Case {
  name: string;
  places: PinPlace[];
  /** Per place (by index) that has a finding: its message. Places not listed have none. */
  expected: Record<number, string>;
  newest?: Newest | null;
}

const cases: Case[] = [
  {
    name: 'the same digest everywhere is consistent',
    places: [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`),
      place('compose.yaml', `services:\n  w:\n    image: nginx:1.27@${A}\n`),
    ],
    expected: {},
  },
  {
    name: 'two digests, nothing asked: both flagged, naming each other, no newest',
    places: [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`),
      place('compose.yaml', `services:\n  w:\n    image: nginx:1.27@${B}\n`),
    ],
    expected: {
      0: `nginx:1.27 is pinned to ${a} here but to ${b} in compose.yaml:3`,
      1: `nginx:1.27 is pinned to ${b} here but to ${a} in Dockerfile:1`,
    },
    newest: null,
  },
  {
    name: 'names are compared normalised: nginx and docker.io/library/nginx are one image',
    places: [
      place('Dockerfile', `FROM docker.io/library/nginx:1.27@${A}\n`),
      place('k8s.yaml', `kind: Pod\nspec:\n  containers:\n    - image: nginx:1.27@${B}\n`),
    ],
    expected: {
      0: `docker.io/library/nginx:1.27 is pinned to ${a} here but to ${b} in k8s.yaml:4`,
      1: `nginx:1.27 is pinned to ${b} here but to ${a} in Dockerfile:1`,
    },
  },
  {
    name: 'other tags of the same repository are other pins',
    places: [place('Dockerfile', `FROM nginx:1.27@${A}\n`), place('Dockerfile.dev', `FROM nginx:1.26@${B}\n`)],
    expected: {},
  },
  {
    name: 'an unpinned, an ignored and a digest-only reference are not pins of the tag',
    places: [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`),
      place('a/Dockerfile', 'FROM nginx:1.27\n'),
      place('b/Dockerfile', `FROM nginx:1.27@${B} # digest-pin: ignore\n`),
      place('c/Dockerfile', `FROM nginx@${C}\n`),
    ],
    expected: {},
  },
  {
    name: 'build dates known for every digest: the one built last is the newest',
    places: [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`, drifted(A, B, { pinned: JAN, current: FEB })),
      place('compose.yaml', `services:\n  w:\n    image: nginx:1.27@${B}\n`, current(B)),
    ],
    expected: {
      0: `nginx:1.27 is pinned to ${a} here but to ${b} in compose.yaml:3; the newest is ${b} (built last, 31 days newer)`,
      1: `nginx:1.27 is pinned to ${b} here but to ${a} in Dockerfile:1; this pin is the newest (built last)`,
    },
    newest: { digest: B, reason: 'built-last', created: FEB },
  },
  {
    name: 'the tag moved back: the pin built last wins over the tag',
    places: [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`, drifted(A, C, { pinned: FEB, current: JAN })),
      place('compose.yaml', `services:\n  w:\n    image: nginx:1.27@${C}\n`, current(C)),
    ],
    expected: {
      0: `nginx:1.27 is pinned to ${a} here but to ${c} in compose.yaml:3; this pin is the newest (built last)`,
      1: `nginx:1.27 is pinned to ${c} here but to ${a} in Dockerfile:1; the newest is ${a} (built last, 31 days newer)`,
    },
    newest: { digest: A, reason: 'built-last', created: FEB },
  },
  {
    name: 'no build dates: the pin the tag points to now is the newest',
    places: [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`, drifted(A, B)),
      place('compose.yaml', `services:\n  w:\n    image: nginx:1.27@${B}\n`, current(B)),
    ],
    expected: {
      0: `nginx:1.27 is pinned to ${a} here but to ${b} in compose.yaml:3; the newest is ${b} (what the tag points to now)`,
      1: `nginx:1.27 is pinned to ${b} here but to ${a} in Dockerfile:1; this pin is the newest (what the tag points to now)`,
    },
    newest: { digest: B, reason: 'tag-current' },
  },
  {
    name: 'two old pins built at the same time, neither current: no newest',
    places: [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`, drifted(A, C, { pinned: JAN, current: FEB })),
      place(
        'compose.yaml',
        `services:\n  w:\n    image: nginx:1.27@${B}\n`,
        drifted(B, C, { pinned: JAN, current: FEB }),
      ),
    ],
    expected: {
      0: `nginx:1.27 is pinned to ${a} here but to ${b} in compose.yaml:3`,
      1: `nginx:1.27 is pinned to ${b} here but to ${a} in Dockerfile:1`,
    },
    newest: null,
  },
  {
    name: 'two digests the registry says are both current (the index and a platform image) agree',
    places: [
      place('Dockerfile', `FROM --platform=linux/arm64 nginx:1.27@${A}\n`, current(A)),
      place('compose.yaml', `services:\n  w:\n    image: nginx:1.27@${B}\n`, current(B)),
    ],
    expected: {},
  },
  {
    name: 'three places, two agreeing: each names only the places that differ',
    places: [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`),
      place('compose.yaml', `services:\n  w:\n    image: nginx:1.27@${B}\n`),
      place('k8s.yaml', `kind: Pod\nspec:\n  containers:\n    - image: nginx:1.27@${B}\n`),
    ],
    expected: {
      0: `nginx:1.27 is pinned to ${a} here but to ${b} in compose.yaml:3, ${b} in k8s.yaml:4`,
      1: `nginx:1.27 is pinned to ${b} here but to ${a} in Dockerfile:1`,
      2: `nginx:1.27 is pinned to ${b} here but to ${a} in Dockerfile:1`,
    },
  },
  {
    name: 'more than three other places: the rest are counted',
    places: [A, B, C, D, B].map((digest, i) => place(`${i}/Dockerfile`, `FROM nginx:1.27@${digest}\n`)),
    expected: {
      0: `nginx:1.27 is pinned to ${a} here but to ${b} in 1/Dockerfile:1, ${c} in 2/Dockerfile:1, ${shortDigest(D)} in 3/Dockerfile:1 and 1 more`,
      1: `nginx:1.27 is pinned to ${b} here but to ${a} in 0/Dockerfile:1, ${c} in 2/Dockerfile:1, ${shortDigest(D)} in 3/Dockerfile:1`,
      2: `nginx:1.27 is pinned to ${c} here but to ${a} in 0/Dockerfile:1, ${b} in 1/Dockerfile:1, ${shortDigest(D)} in 3/Dockerfile:1 and 1 more`,
      3: `nginx:1.27 is pinned to ${shortDigest(D)} here but to ${a} in 0/Dockerfile:1, ${b} in 1/Dockerfile:1, ${c} in 2/Dockerfile:1 and 1 more`,
      4: `nginx:1.27 is pinned to ${b} here but to ${a} in 0/Dockerfile:1, ${c} in 2/Dockerfile:1, ${shortDigest(D)} in 3/Dockerfile:1`,
    },
  },
];

describe('inconsistencies', () => {
  for (const c of cases) {
    it(c.name, () => {
      const found = inconsistencies(c.places);
      const messages = Object.fromEntries(
        found.map((inconsistency) => [
          c.places.indexOf(inconsistency.place),
          inconsistencyFinding(inconsistency).message,
        ]),
      );
      assert.deepEqual(messages, c.expected);
      if (c.newest !== undefined) for (const f of found) assert.deepEqual(f.newest, c.newest);
    });
  }

  it('a finding is information, at the place, with the other places as related locations', () => {
    const places = [
      place('Dockerfile', `FROM nginx:1.27@${A}\n`),
      { ...place('compose.yaml', `services:\n  w:\n    image: nginx:1.27@${B}\n`), uri: 'file:///w/compose.yaml' },
    ];
    const finding = inconsistencyFinding(inconsistencies(places)[0]!);
    assert.equal(finding.code, 'inconsistent-pin');
    assert.equal(finding.severity, 'information');
    assert.deepEqual(finding.range, places[0]!.ref.range);
    assert.deepEqual(finding.related, [
      {
        file: 'compose.yaml',
        uri: 'file:///w/compose.yaml',
        range: places[1]!.ref.range,
        message: `nginx:1.27 pinned to ${b}`,
      },
    ]);
  });
});

describe('useNewestEdits', () => {
  const texts: Record<string, string> = {
    Dockerfile: `FROM nginx:1.27@${A} AS base\nFROM nginx:1.27@${C}\n`,
    'compose.yaml': `services:\n  w:\n    image: "nginx:1.27@${B}" # web\n`,
    'values.yaml': `image:\n  repository: nginx\n  tag: "1.27"\n  digest: ${A}\n`,
  };
  const all = (online: (digest: string) => Online | undefined): PinPlace[] =>
    Object.entries(texts).flatMap(([file, text]) =>
      findReferences(`/w/${file}`, text).references.map((ref) => {
        const answer = online(ref.digest!);
        return { file, ref, ...(answer === undefined ? {} : { online: answer }) };
      }),
    );

  it('writes the newest digest over every other pin, exactly its characters, in every file', () => {
    const places = all((digest) => (digest === B ? current(B) : drifted(digest, B)));
    const found = inconsistencies(places);
    assert.equal(found.length, 4);
    const made = useNewestEdits(found[0]!)!;
    assert.deepEqual(made.refused, []);
    const after = Object.fromEntries(
      Object.entries(texts).map(([file, text]) => {
        const edits = made.edits.filter((e) => e.place.file === file).map((e) => e.edit);
        const applied = applyEdits(text, edits);
        assert.ok(applied.ok);
        return [file, applied.text];
      }),
    );
    assert.deepEqual(after, {
      Dockerfile: `FROM nginx:1.27@${B} AS base\nFROM nginx:1.27@${B}\n`,
      'compose.yaml': texts['compose.yaml'],
      'values.yaml': `image:\n  repository: nginx\n  tag: "1.27"\n  digest: ${B}\n`,
    });
  });

  it('offers nothing when the newest is not known', () => {
    const found = inconsistencies(all(() => undefined));
    assert.equal(useNewestEdits(found[0]!), null);
  });
});
