import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULES } from '../../../server/src/shared/rules';
import {
  DEFAULT_SETTINGS,
  SETTINGS,
  configurationContribution,
  globToRegExp,
  isIgnoredName,
  readSettings,
  registryKey,
} from '../../../server/src/shared/settings';

describe('readSettings', () => {
  it('defaults: every code at its rule severity, tag@digest, 30 days, 60 min, 8, 10 s', () => {
    assert.deepEqual(DEFAULT_SETTINGS, {
      enable: true,
      severity: Object.fromEntries(RULES.map((r) => [r.code, r.offByDefault ? 'off' : r.severity])),
      ignore: [],
      cacheTtlMinutes: 60,
      offline: false,
      defaultPlatform: '',
      pinStyle: 'tag@digest',
      stalenessDays: 30,
      insecureRegistries: [],
      registryMirrors: {},
      concurrency: 8,
      timeoutMs: 10_000,
      trace: { server: 'off' },
    });
  });

  const table: Array<[string, unknown, Partial<typeof DEFAULT_SETTINGS>]> = [
    [
      'nested keys, as workspace/configuration returns them',
      { severity: { unpinned: 'error' }, trace: { server: 'verbose' } },
      { severity: { ...DEFAULT_SETTINGS.severity, unpinned: 'error' }, trace: { server: 'verbose' } },
    ],
    ['flat dotted keys', { 'severity.latest': 'off' }, { severity: { ...DEFAULT_SETTINGS.severity, latest: 'off' } }],
    ['wrong types fall back to defaults', { enable: 'yes', offline: 1, ignore: 'python', pinStyle: 'digest' }, {}],
    [
      'integers are rounded and clamped',
      { concurrency: 1000, timeoutMs: 1.6, stalenessDays: -5 },
      { concurrency: 64, timeoutMs: 1000, stalenessDays: 0 },
    ],
    [
      'arrays keep non-empty strings, trimmed',
      { ignore: [' python ', '', 3, 'ghcr.io/**'] },
      { ignore: ['python', 'ghcr.io/**'] },
    ],
    [
      'a platform must be os/arch[/variant]',
      { defaultPlatform: 'linux/arm64/v8' },
      { defaultPlatform: 'linux/arm64/v8' },
    ],
    ['an invalid platform is ignored', { defaultPlatform: 'arm64' }, {}],
    [
      'registry mirrors: lists of non-empty strings (one string is a list of one), trimmed; anything else dropped',
      {
        registryMirrors: {
          'docker.io': [' https://mirror.gcr.io ', '', 7],
          ' ghcr.io ': 'http://127.0.0.1:5001',
          'quay.io': [],
          'x.io': { url: 'https://m' },
          '': ['https://m'],
        },
      },
      { registryMirrors: { 'docker.io': ['https://mirror.gcr.io'], 'ghcr.io': ['http://127.0.0.1:5001'] } },
    ],
    ['registry mirrors that are not an object', { registryMirrors: ['https://mirror.gcr.io'] }, {}],
    ['not an object', 'digestPin', {}],
    ['__proto__ is data, not a prototype', JSON.parse('{"__proto__": {"enable": false}}'), {}],
  ];
  for (const [name, input, changes] of table)
    it(name, () => assert.deepEqual(readSettings(input), { ...DEFAULT_SETTINGS, ...changes }));

  it('registryKey changes only with settings that change how registries are asked', () => {
    assert.equal(
      registryKey(readSettings({ severity: { unpinned: 'off' }, ignore: ['x'] })),
      registryKey(DEFAULT_SETTINGS),
    );
    assert.notEqual(registryKey(readSettings({ offline: true })), registryKey(DEFAULT_SETTINGS));
    assert.notEqual(
      registryKey(readSettings({ registryMirrors: { 'docker.io': ['https://mirror.gcr.io'] } })),
      registryKey(DEFAULT_SETTINGS),
      'a change of mirrors makes a new registry client',
    );
  });
});

describe('configurationContribution', () => {
  it('one property per setting, every one with a type, default, scope and description', () => {
    const { title, properties } = configurationContribution();
    assert.equal(title, 'digest-pin');
    assert.deepEqual(
      Object.keys(properties),
      Object.keys(SETTINGS).map((key) => `digestPin.${key}`),
    );
    for (const [key, property] of Object.entries(properties)) {
      assert.ok(property.type && 'default' in property && property.scope, key);
      assert.ok(typeof (property.description ?? property.markdownDescription) === 'string', key);
    }
    assert.equal(properties['digestPin.insecureRegistries']!.scope, 'machine');
    // A cloned repository's workspace settings must not redirect look-ups (or credentials' use) to another host.
    assert.equal(properties['digestPin.registryMirrors']!.scope, 'machine');
    assert.deepEqual(properties['digestPin.severity.tag-drift'], {
      type: 'string',
      enum: ['error', 'warning', 'information', 'hint', 'off'],
      default: 'information',
      scope: 'resource',
      markdownDescription:
        'Severity of `tag-drift` diagnostics (pinned digest is no longer what the tag points to); `off` hides them.',
    });
  });

  it('the defaults it declares are what readSettings gives for an empty section', () => {
    const { properties } = configurationContribution();
    const flat = Object.fromEntries(
      Object.entries(properties).map(([key, p]) => [key.slice('digestPin.'.length), p.default]),
    );
    assert.deepEqual(readSettings(flat), DEFAULT_SETTINGS);
  });
});

describe('ignore globs', () => {
  const table: Array<[string, string, string | null, boolean]> = [
    ['python', 'docker.io/library/python', 'python', true],
    ['docker.io/library/*', 'docker.io/library/python', 'python', true],
    ['ghcr.io/acme/*', 'ghcr.io/acme/app', null, true],
    ['ghcr.io/acme/*', 'ghcr.io/acme/team/app', null, false],
    ['ghcr.io/acme/**', 'ghcr.io/acme/team/app', null, true],
    ['localhost:5000/**', 'localhost:5000/app', null, true],
    ['pyth?n', 'docker.io/library/python', 'python', true],
    ['py', 'docker.io/library/python', 'python', false],
    ['GHCR.IO/acme/app', 'ghcr.io/acme/app', null, true],
    ['a.b', 'docker.io/library/axb', 'axb', false],
  ];
  for (const [glob, name, familiar, expected] of table)
    it(`${glob} vs ${name}`, () => assert.equal(isIgnoredName(name, familiar, [glob]), expected));
  it('regular expression characters are literal', () => assert.equal(globToRegExp('a+(b)').test('a+(b)'), true));
});
