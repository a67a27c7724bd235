import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseArgs,
  type ArgsResult,
  type CheckArgs,
  type LockCommandArgs,
  type PinArgs,
  type RegistryArgs,
  type RenderArgs,
} from '../../../server/src/cli/args';

const registry: RegistryArgs = {
  offline: false,
  platform: null,
  insecureRegistries: [],
  registryMirrors: {},
  cacheDir: undefined,
  concurrency: undefined,
  timeoutMs: undefined,
};
const check = (over: Partial<CheckArgs> = {}): ArgsResult => ({
  ok: true,
  value: {
    command: 'check',
    ...registry,
    format: 'text',
    failOn: 'warning',
    severity: {},
    lockFile: null,
    noLock: false,
    paths: ['.'],
    ...over,
  },
});
const pin = (over: Partial<PinArgs> = {}): ArgsResult => ({
  ok: true,
  value: {
    command: 'pin',
    ...registry,
    update: false,
    upgrade: null,
    dryRun: false,
    format: 'text',
    paths: ['.'],
    ...over,
  },
});
const lock = (over: Partial<LockCommandArgs> = {}): ArgsResult => ({
  ok: true,
  value: { command: 'lock', ...registry, update: false, format: 'text', lockFile: null, paths: ['.'], ...over },
});
const render = (over: Partial<RenderArgs> = {}): ArgsResult => ({
  ok: true,
  value: {
    command: 'render',
    format: 'files',
    lockFile: null,
    platform: null,
    out: null,
    paths: ['Dockerfile'],
    ...over,
  },
});
const usage = (error: string): ArgsResult => ({ ok: false, error });
const severityUsage = `'--severity' needs CODE=LEVEL: a code (unpinned, latest, invalid-reference, variable, not-locked, tag-drift, digest-not-found, tag-not-found, registry-error, outdated, inconsistent-pin) and error|warning|information|hint|off, e.g. outdated=hint`;

describe('parseArgs', () => {
  const cases: Array<[string[], ArgsResult]> = [
    [['check', '--severity', 'outdated=hint'], check({ severity: { outdated: 'hint' } })],
    [
      ['check', '--severity=unpinned=off', '--severity', 'outdated=information'],
      check({ severity: { unpinned: 'off', outdated: 'information' } }),
    ],
    [['check', '--severity', 'outdated'], usage(severityUsage)],
    [['check', '--severity', 'nope=hint'], usage(severityUsage)],
    [['check', '--severity', 'outdated=loud'], usage(severityUsage)],
    [['pin', '--severity', 'outdated=hint'], usage(`'--severity' is an option of 'digest-pin check', not of 'pin'`)],
    [['pin', '--upgrade', 'patch'], pin({ upgrade: 'patch' })],
    [['pin', '--upgrade=minor', '--dry-run'], pin({ upgrade: 'minor', dryRun: true })],
    [['pin', '--upgrade', 'major'], usage(`'--upgrade' needs one of patch, minor`)],
    [['pin', '--upgrade'], usage(`'--upgrade' needs one of patch, minor`)],
    [['check', '--upgrade', 'patch'], usage(`'--upgrade' is an option of 'digest-pin pin', not of 'check'`)],
    [[], usage('no command given')],
    [['--help'], { ok: true, value: { command: 'help' } }],
    [['-h'], { ok: true, value: { command: 'help' } }],
    [['help'], { ok: true, value: { command: 'help' } }],
    [['check', '--help'], { ok: true, value: { command: 'help' } }],
    [['pin', '-h'], { ok: true, value: { command: 'help' } }],
    [['--version'], { ok: true, value: { command: 'version' } }],
    [['check'], check()],
    [['check', '--offline'], check({ offline: true })],
    [
      ['check', '--offline', '--format', 'json', 'a', 'b/c'],
      check({ offline: true, format: 'json', paths: ['a', 'b/c'] }),
    ],
    [['check', '--format=sarif', 'x'], check({ format: 'sarif', paths: ['x'] })],
    [['check', 'x', '--fail-on', 'never', 'y'], check({ failOn: 'never', paths: ['x', 'y'] })],
    [['check', '--fail-on=information'], check({ failOn: 'information' })],
    [['check', '--format', 'markdown'], check({ format: 'markdown' })],
    [['check', '--fail-on', 'error', '--fail-on', 'warning'], check({ failOn: 'warning' })],
    [['check', '--', '--offline', '-x'], check({ paths: ['--offline', '-x'] })],
    [['check', '-'], check({ paths: ['-'] })],
    [['check', '--format'], usage("'--format' needs one of text, json, sarif, markdown")],
    [['check', '--format', '--offline'], usage("'--format' needs one of text, json, sarif, markdown")],
    [['check', '--format', 'yaml'], usage("'--format' needs one of text, json, sarif, markdown")],
    [['check', '--format='], usage("'--format' needs one of text, json, sarif, markdown")],
    [['check', '--fail-on', 'warnings'], usage("'--fail-on' needs one of error, warning, information, never")],
    [['check', '--offline=yes'], usage("'--offline' takes no value")],
    [['check', '--verbose'], usage("unknown option '--verbose'")],
    [['check', '-q'], usage("unknown option '-q'")],
    // registry options, on both commands
    [['check', '--platform', 'linux/arm64'], check({ platform: 'linux/arm64' })],
    [['check', '--platform=linux/x86_64'], check({ platform: 'linux/amd64' })],
    [['pin', '--platform', 'linux/arm/v7', 'Dockerfile'], pin({ platform: 'linux/arm/v7', paths: ['Dockerfile'] })],
    [['pin', '--platform', 'linux/aarch64/v8'], pin({ platform: 'linux/arm64' })],
    [['check', '--platform', 'arm64'], usage("'--platform' needs os/arch[/variant], e.g. linux/arm64")],
    [['check', '--platform'], usage("'--platform' needs os/arch[/variant], e.g. linux/arm64")],
    [['check', '--platform', 'linux/arm64/v8/x'], usage("'--platform' needs os/arch[/variant], e.g. linux/arm64")],
    [
      ['check', '--insecure-registry', 'reg.internal:5000', '--insecure-registry=10.0.0.7'],
      check({ insecureRegistries: ['reg.internal:5000', '10.0.0.7'] }),
    ],
    [['check', '--insecure-registry', '[::1]:5000'], check({ insecureRegistries: ['[::1]:5000'] })],
    [['check', '--insecure-registry', 'https://reg.internal'], check({ insecureRegistries: ['https://reg.internal'] })],
    [
      ['check', '--insecure-registry', 'reg.internal/path'],
      usage("'--insecure-registry' needs HOST[:PORT], e.g. registry.internal:5000"),
    ],
    [['check', '--insecure-registry'], usage("'--insecure-registry' needs HOST[:PORT], e.g. registry.internal:5000")],
    [
      [
        'check',
        '--registry-mirror',
        'docker.io=https://a.example.com/',
        '--registry-mirror=index.docker.io=https://b.example.com',
        '--registry-mirror',
        'https://a.example.com',
        '--registry-mirror',
        '127.0.0.1:5000=http://127.0.0.1:5001',
      ],
      check({
        registryMirrors: {
          'docker.io': ['https://a.example.com', 'https://b.example.com'],
          '127.0.0.1:5000': ['http://127.0.0.1:5001'],
        },
      }),
    ],
    [
      ['pin', '--registry-mirror', 'https://mirror.gcr.io'],
      pin({ registryMirrors: { 'docker.io': ['https://mirror.gcr.io'] } }),
    ],
    [
      ['check', '--registry-mirror'],
      usage("'--registry-mirror' needs REGISTRY=URL, e.g. docker.io=https://mirror.example.com"),
    ],
    [
      ['check', '--registry-mirror', 'docker.io=mirror.example.com'],
      usage(
        "'--registry-mirror': mirror 'mirror.example.com': needs http:// or https://, e.g. https://mirror.example.com",
      ),
    ],
    [
      ['check', '--registry-mirror', 'docker.io/library=https://m.example.com'],
      usage(
        "'--registry-mirror': 'docker.io/library' is not a registry host (host[:port], e.g. docker.io or registry.internal:5000)",
      ),
    ],
    [
      ['check', '--registry-mirror', 'docker.io=https://u:hunter2@m.example.com'],
      usage(
        "'--registry-mirror': mirror 'https://m.example.com': user name or password in the URL: log in to the mirror with docker login instead",
      ),
    ],
    [
      ['render', '--registry-mirror', 'https://m.example.com', 'Dockerfile'],
      usage(
        "'--registry-mirror' is an option of 'digest-pin check', 'digest-pin pin' and 'digest-pin lock', not of 'render'",
      ),
    ],
    [['check', '--cache-dir', '/tmp/c'], check({ cacheDir: '/tmp/c' })],
    [['check', '--cache-dir=rel/dir'], check({ cacheDir: 'rel/dir' })],
    [['check', '--cache-dir'], usage("'--cache-dir' needs a directory")],
    [['check', '--cache-dir='], usage("'--cache-dir' needs a directory")],
    [['check', '--no-cache'], check({ cacheDir: null })],
    [['check', '--no-cache', '--cache-dir', 'x'], usage("'--no-cache' and '--cache-dir' exclude each other")],
    [['check', '--cache-dir', 'x', '--no-cache'], usage("'--no-cache' and '--cache-dir' exclude each other")],
    [['check', '--no-cache=1'], usage("'--no-cache' takes no value")],
    [['check', '--concurrency', '16', '--timeout', '2500'], check({ concurrency: 16, timeoutMs: 2500 })],
    [['check', '--concurrency', '0'], usage("'--concurrency' needs a whole number from 1 to 64")],
    [['check', '--concurrency', '65'], usage("'--concurrency' needs a whole number from 1 to 64")],
    [['check', '--concurrency', '2.5'], usage("'--concurrency' needs a whole number from 1 to 64")],
    [['check', '--timeout', '-1'], usage("'--timeout' needs milliseconds, a whole number from 1 to 600000")],
    [['check', '--timeout', '10s'], usage("'--timeout' needs milliseconds, a whole number from 1 to 600000")],
    // pin
    [['pin'], pin()],
    [['pin', 'x', '--update', '--dry-run'], pin({ update: true, dryRun: true, paths: ['x'] })],
    [['pin', '--offline', '--no-cache'], pin({ offline: true, cacheDir: null })],
    [['pin', '--update=yes'], usage("'--update' takes no value")],
    [['pin', '--format', 'markdown'], pin({ format: 'markdown' })],
    [['pin', '--dry-run', '--format=markdown', '--update'], pin({ update: true, dryRun: true, format: 'markdown' })],
    [['pin', '--format', 'text'], pin()],
    // json and sarif are formats of check's findings; pin prints changes.
    [['pin', '--format', 'json'], usage("'--format' of 'pin' needs one of text, markdown")],
    [['pin', '--format', 'sarif'], usage("'--format' of 'pin' needs one of text, markdown")],
    [['pin', '--format'], usage("'--format' of 'pin' needs one of text, markdown")],
    [['pin', '--fail-on', 'never'], usage("'--fail-on' is an option of 'digest-pin check', not of 'pin'")],
    [['check', '--update'], usage("'--update' is an option of 'digest-pin pin' and 'digest-pin lock', not of 'check'")],
    [['check', '--dry-run'], usage("'--dry-run' is an option of 'digest-pin pin', not of 'check'")],
    // lock files
    [['check', '--lock', 'ci/digest-pin.lock'], check({ lockFile: 'ci/digest-pin.lock' })],
    [['check', '--no-lock', 'x'], check({ noLock: true, paths: ['x'] })],
    [['check', '--lock=a', '--no-lock'], usage("'--lock' and '--no-lock' exclude each other")],
    [['check', '--lock'], usage("'--lock' needs a lock file")],
    [['check', '--no-lock=1'], usage("'--no-lock' takes no value")],
    [['lock'], lock()],
    [['lock', '--update', 'a', 'b'], lock({ update: true, paths: ['a', 'b'] })],
    [
      ['lock', '--lock', 'x.lock', '--offline', '--platform', 'linux/arm64'],
      lock({ lockFile: 'x.lock', offline: true, platform: 'linux/arm64' }),
    ],
    [['lock', '--no-lock'], usage("'--no-lock' is an option of 'digest-pin check', not of 'lock'")],
    [['lock', '--dry-run'], usage("'--dry-run' is an option of 'digest-pin pin', not of 'lock'")],
    [['lock', '--format', 'json'], usage("'--format' of 'lock' needs one of text, markdown")],
    [['render', 'Dockerfile'], render()],
    [
      ['render', '--format', 'build-contexts', '--lock', 'l', 'Dockerfile'],
      render({ format: 'build-contexts', lockFile: 'l' }),
    ],
    [['render', '--out', 'dist', 'a', 'b'], render({ out: 'dist', paths: ['a', 'b'] })],
    [['render'], usage("'render' needs the files to render")],
    [['render', '--format', 'json', 'x'], usage("'--format' of 'render' needs one of files, build-contexts")],
    [['lock', '--format', 'markdown'], lock({ format: 'markdown' })],
    [['check', '--format', 'build-contexts'], usage("'--format' needs one of text, json, sarif, markdown")],
    [
      ['render', '--out', 'x'],
      render({ out: 'x', paths: [] }).ok ? usage("'render' needs the files to render") : usage(''),
    ],
    [
      ['render', '--offline', 'x'],
      usage("'--offline' is an option of 'digest-pin check', 'digest-pin pin' and 'digest-pin lock', not of 'render'"),
    ],
    [
      ['pin', '--lock', 'x'],
      usage("'--lock' is an option of 'digest-pin check', 'digest-pin lock' and 'digest-pin render', not of 'pin'"),
    ],
    [['lsp', '--stdio'], { ok: true, value: { command: 'lsp' } }],
    [['lint'], usage("unknown command 'lint'")],
    [['--offline', 'check'], usage("unknown option '--offline' (options come after the command)")],
  ];
  for (const [argv, expected] of cases) {
    it(argv.length ? argv.join(' ') : '(nothing)', () => assert.deepEqual(parseArgs(argv), expected));
  }
});
