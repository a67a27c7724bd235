// Version ordering of image tags (issue 14): which tags are versions, how they order, and which newer tag of the
// same line a hover offers. Tag lists are shaped after the official images' published tags (python, node, golang,
// nginx, postgres, eclipse-temurin, ubuntu, alpine, traefik, registry.k8s.io) and Renovate's docker versioning rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareVersions,
  levelOf,
  newerTags,
  parseTagVersion,
  sameShape,
  upgradeWithin,
  type NewerTags,
} from '../../../server/src/references/versions';

type Parsed = [prefix: string, release: number[], prerelease: string, suffix: string, build?: number];

const parses: Array<[string, Parsed | null]> = [
  ['3.12.7-slim', ['', [3, 12, 7], '', 'slim']],
  ['3.12', ['', [3, 12], '', '']],
  ['3', ['', [3], '', '']],
  ['v1.8.1', ['v', [1, 8, 1], '', '']],
  ['V2.0', ['V', [2, 0], '', '']],
  ['20.11.0-bookworm', ['', [20, 11, 0], '', 'bookworm']],
  ['20.11.0-bookworm-slim', ['', [20, 11, 0], '', 'bookworm-slim']],
  ['1.25', ['', [1, 25], '', '']],
  ['1.25-alpine3.20', ['', [1, 25], '', 'alpine3.20']],
  ['3.13.0rc2-slim', ['', [3, 13, 0], 'rc2', 'slim']],
  ['3.14.0a3', ['', [3, 14, 0], 'a3', '']],
  ['2.0.0beta.1', ['', [2, 0, 0], 'beta.1', '']],
  ['17.0.9_9-jdk-jammy', ['', [17, 0, 9], '', 'jdk-jammy', 9]],
  ['22.04', ['', [22, 4], '', '']],
  ['20240923', ['', [20240923], '', '']],
  ['2024.10.1', ['', [2024, 10, 1], '', '']],
  ['1.2.3.4', ['', [1, 2, 3, 4], '', '']],
  ['16.4-bookworm', ['', [16, 4], '', 'bookworm']],
  ['8.0.35-debian-11-r0', ['', [8, 0, 35], '', 'debian-11-r0']],
  ['latest', null],
  ['stable', null],
  ['alpine', null],
  ['bookworm-slim', null],
  ['edge', null],
  ['main', null],
  ['nightly-2024-01-01', null],
  ['a1b2c3d', null],
  ['0123abcd', null],
  ['sha-1a2b3c4', null],
  ['1.2.3.4.5', null],
  ['8u312', null],
  ['3x', null],
  ['1.2.', null],
  ['.1.2', null],
  ['1..2', null],
  ['1.2-', null],
  ['', null],
  ['v', null],
  ['1.2023010112345', null],
];

describe('parseTagVersion', () => {
  for (const [tag, expected] of parses) {
    it(`${JSON.stringify(tag)} → ${expected ? expected[1].join('.') : 'not a version'}`, () => {
      const parsed = parseTagVersion(tag);
      if (expected === null) return assert.equal(parsed, null);
      const [prefix, release, prerelease, suffix, build] = expected;
      assert.deepEqual(parsed, {
        tag,
        prefix,
        release,
        prerelease,
        suffix,
        ...(build !== undefined ? { build } : {}),
      });
    });
  }
});

const orders: Array<[string, '<' | '=' | '>', string]> = [
  ['3.12.7', '<', '3.12.8'],
  ['3.12.9', '<', '3.12.10'],
  ['3.9', '<', '3.10'],
  ['1.25', '<', '1.26'],
  ['v1.8.1', '<', 'v1.10.0'],
  ['3.13.0rc1', '<', '3.13.0'],
  ['3.13.0rc1', '<', '3.13.0rc2'],
  ['3.13.0a3', '<', '3.13.0b1'],
  ['3.13.0b4', '<', '3.13.0rc1'],
  ['2.0.0alpha', '<', '2.0.0beta'],
  ['17.0.9_9', '<', '17.0.9_11'],
  ['17.0.9_11', '<', '17.0.10_7'],
  ['22.04', '<', '22.10'],
  ['1.2', '=', '1.02'],
  ['20240923', '<', '20241001'],
];

describe('compareVersions', () => {
  for (const [a, relation, b] of orders) {
    it(`${a} ${relation} ${b}`, () => {
      const sign = { '<': -1, '=': 0, '>': 1 }[relation];
      assert.equal(compareVersions(parseTagVersion(a)!, parseTagVersion(b)!), sign);
      assert.equal(compareVersions(parseTagVersion(b)!, parseTagVersion(a)!), -sign || 0);
    });
  }
});

const shapes: Array<[string, string, boolean]> = [
  ['3.12.7-slim', '3.13.1-slim', true],
  ['3.12.7-slim', '3.13.1', false],
  ['3.12.7-slim', '3.13.1-slim-bookworm', false],
  ['1.25', '1.25.1', false],
  ['v1.8.1', '1.9.0', false],
  ['3', '20240923', false],
  ['3.12', '2024.10', false],
  ['17.0.9_9-jdk', '17.0.10-jdk', false],
  ['1.25-alpine3.19', '1.26-alpine3.20', false],
  ['8.0.35-debian-11-r0', '8.0.36-debian-11-r3', false],
];

describe('sameShape', () => {
  for (const [a, b, same] of shapes) {
    it(`${a} and ${b}: ${same ? 'comparable' : 'never compared'}`, () => {
      assert.equal(sameShape(parseTagVersion(a)!, parseTagVersion(b)!), same);
    });
  }
});

// Tag lists in registry order (often oldest first, as GHCR and Quay list them; or alphabetical, as distribution).
const PYTHON = [
  '3.11.9-slim',
  '3.12.6-slim',
  '3.12.7-slim',
  '3.12.7',
  '3.12.8-slim',
  '3.12.8',
  '3.13.0rc2-slim',
  '3.13.0-slim',
  '3.13.1-slim',
  '3.13.1-slim-bookworm',
  '3.14.0a3-slim',
  '3.12-slim',
  '3.13-slim',
  '3-slim',
  'slim',
  'latest',
];
const NODE = ['20.11.0-bookworm', '20.11.1-bookworm', '20.18.0-bookworm', '22.11.0-bookworm', '22.11.0', '20', '22'];
const GOLANG = ['1.22', '1.22.8', '1.23', '1.23.2', '1.23-alpine', '1.23.2-alpine3.20', '1.24rc1', 'alpine'];
const TEMURIN = ['17.0.9_9-jdk-jammy', '17.0.11_9-jdk-jammy', '17.0.12_7-jdk-jammy', '21.0.5_11-jdk-jammy', '17-jdk'];
const TRAEFIK = ['v2.10.7', 'v2.11.14', 'v3.0.4', 'v3.2.1', '2.11.14', '3.2.1', 'v3.2', 'latest'];
const UBUNTU = ['20.04', '22.04', '22.10', '24.04', 'jammy-20240911.1', 'noble', '24.10'];
const ALPINE = ['3.19', '3.19.4', '3.20', '3.20.3', '3', '20240923', '20241001', 'edge'];
const PAUSE = ['3.8', '3.9', '3.10', '3.10.1-windows', 'latest'];
const POSTGRES = ['15.8-bookworm', '16.4-bookworm', '16.6-bookworm', '17.2-bookworm', '16.6', '17.2', '16-bookworm'];
// Listed newest first, with unorderable noise in between.
const SHUFFLED = ['2.3.0', 'sha-0a1b2c3', 'main', '2.2.9', 'a1b2c3d4', '2.10.0', '2.2.10', '1.9.9'];

const newer: Array<[string, string, readonly string[], NewerTags]> = [
  ['python patch, minor', '3.12.7-slim', PYTHON, { patch: '3.12.8-slim', minor: '3.13.1-slim' }],
  ['python without suffix', '3.12.7', PYTHON, { patch: '3.12.8' }],
  ['python at precision 2', '3.12-slim', PYTHON, { minor: '3.13-slim' }],
  ['python at precision 1', '3-slim', PYTHON, {}],
  ['python newest already', '3.13.1-slim', PYTHON, {}],
  ['python pre-release to its release', '3.13.0rc2-slim', PYTHON, { patch: '3.13.1-slim' }],
  ['python, pre-releases of a later line are never offered', '3.12.8-slim', PYTHON, { minor: '3.13.1-slim' }],
  ['latest is never a version', 'latest', PYTHON, {}],
  ['slim is never a version', 'slim', PYTHON, {}],
  [
    'node with a variant',
    '20.11.0-bookworm',
    NODE,
    { patch: '20.11.1-bookworm', minor: '20.18.0-bookworm', major: '22.11.0-bookworm' },
  ],
  ['node major only', '20', NODE, { major: '22' }],
  ['golang precision 2', '1.22', GOLANG, { minor: '1.23' }],
  ['golang patch, minor', '1.22.8', GOLANG, { minor: '1.23.2' }],
  ['golang, the alpine line has its own shape', '1.23-alpine', GOLANG, {}],
  [
    'temurin build numbers',
    '17.0.9_9-jdk-jammy',
    TEMURIN,
    { patch: '17.0.12_7-jdk-jammy', major: '21.0.5_11-jdk-jammy' },
  ],
  ['traefik keeps its v', 'v2.10.7', TRAEFIK, { minor: 'v2.11.14', major: 'v3.2.1' }],
  ['traefik without v stays without', '2.11.14', TRAEFIK, { major: '3.2.1' }],
  ['ubuntu release years', '22.04', UBUNTU, { minor: '22.10', major: '24.10' }],
  ['ubuntu names are not versions', 'noble', UBUNTU, {}],
  ['alpine minor', '3.19', ALPINE, { minor: '3.20' }],
  ['alpine patch', '3.19.4', ALPINE, { minor: '3.20.3' }],
  ['alpine major 3 never moves to a date', '3', ALPINE, {}],
  ['alpine snapshots order by date', '20240923', ALPINE, { major: '20241001' }],
  ['pause 3.9 → 3.10 (numbers, not strings)', '3.9', PAUSE, { minor: '3.10' }],
  ['postgres major and minor', '16.4-bookworm', POSTGRES, { minor: '16.6-bookworm', major: '17.2-bookworm' }],
  ['unordered list with noise', '2.2.9', SHUFFLED, { patch: '2.2.10', minor: '2.10.0' }],
  ['a hash tag asks for nothing', 'a1b2c3d4', SHUFFLED, {}],
  ['older tags are never offered', '2.10.0', SHUFFLED, {}],
  ['an empty list', '1.2.3', [], {}],
];

describe('newerTags', () => {
  for (const [name, current, tags, expected] of newer) {
    it(`${name}: ${current}`, () => {
      assert.deepEqual(newerTags(current, tags), expected);
    });
  }
});

describe('levelOf and upgradeWithin', () => {
  const levels: Array<[string, string, string | null]> = [
    ['1.2.3', '1.2.4', 'patch'],
    ['1.2.3', '1.3.0', 'minor'],
    ['1.2.3', '2.0.0', 'major'],
    ['1.2', '1.3', 'minor'],
    ['1', '2', 'major'],
    ['17.0.9_9', '17.0.9_11', 'patch'],
  ];
  for (const [from, to, level] of levels) {
    it(`${from} → ${to} is a ${level} move`, () => {
      assert.equal(levelOf(parseTagVersion(from)!, parseTagVersion(to)!), level);
    });
  }

  it('pin --upgrade patch takes only the patch; minor takes the newer minor over the patch', () => {
    const found = newerTags('3.12.7-slim', PYTHON);
    assert.equal(upgradeWithin(found, 'patch'), '3.12.8-slim');
    assert.equal(upgradeWithin(found, 'minor'), '3.13.1-slim');
    assert.equal(upgradeWithin(found, 'major'), '3.13.1-slim');
    assert.equal(upgradeWithin(newerTags('3.13.1-slim', PYTHON), 'minor'), undefined);
  });
});
