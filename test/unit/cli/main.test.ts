import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HELP } from '../../../server/src/cli/args';
import { run, useColor } from '../../../server/src/cli/main';
import { PRODUCT_VERSION } from '../../../server/src/shared/product';

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

async function runIn(
  cwd: string,
  argv: string[],
  env: Record<string, string | undefined> = {},
  isTTY = false,
): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const status = await run(argv, {
    cwd,
    env,
    stdout: { write: (text: string) => (stdout += text), isTTY },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { status, stdout, stderr };
}

describe('run', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'digest-pin-main-'));
    writeFileSync(join(root, 'notes.txt'), 'nothing here\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const cases: Array<[string, string[], Outcome]> = [
    ['--help prints the usage on stdout', ['--help'], { status: 0, stdout: HELP, stderr: '' }],
    ['--version prints the version', ['--version'], { status: 0, stdout: `${PRODUCT_VERSION}\n`, stderr: '' }],
    [
      'no command is a usage error',
      [],
      { status: 2, stdout: '', stderr: "digest-pin: no command given\nRun 'digest-pin --help' for usage.\n" },
    ],
    [
      'an unknown option is a usage error',
      ['check', '--nope'],
      { status: 2, stdout: '', stderr: "digest-pin: unknown option '--nope'\nRun 'digest-pin --help' for usage.\n" },
    ],
    [
      'pin with nothing to pin says so and exits 0',
      ['pin', '--no-cache', 'notes.txt'],
      { status: 0, stdout: 'nothing to pin\n', stderr: '' },
    ],
    [
      'pin --dry-run keeps stdout for the diff alone',
      ['pin', '--dry-run', '--no-cache', 'notes.txt'],
      { status: 0, stdout: '', stderr: 'nothing to pin\n' },
    ],
    [
      'a usage error of pin',
      ['pin', '--format', 'json'],
      {
        status: 2,
        stdout: '',
        stderr:
          "digest-pin: '--format' is an option of 'digest-pin check' and 'digest-pin render', not of 'pin'\nRun 'digest-pin --help' for usage.\n",
      },
    ],
    [
      'lsp in-process says how to start it (the command itself hands the process to the server)',
      ['lsp', '--stdio'],
      {
        status: 2,
        stdout: '',
        stderr: "digest-pin: 'lsp' takes over the process; run it as 'digest-pin lsp --stdio'\n",
      },
    ],
    [
      'a missing PATH is a usage error, reported as written, and nothing is printed on stdout',
      ['check', '--offline', 'notes.txt', 'gone', 'gone/too.yaml'],
      {
        status: 2,
        stdout: '',
        stderr: 'digest-pin: gone: no such file or directory\ndigest-pin: gone/too.yaml: no such file or directory\n',
      },
    ],
  ];
  for (const [name, argv, expected] of cases) it(name, async () => assert.deepEqual(await runIn(root, argv), expected));

  const notRecognised =
    'notes.txt information not recognised as a Dockerfile, compose file, Kubernetes manifest or CI configuration; nothing was checked\n1 file, 0 references: 0 errors, 0 warnings, 1 information\n';
  const thresholds: Array<[string, number]> = [
    ['error', 0],
    ['warning', 0],
    ['information', 1],
    ['never', 0],
  ];
  for (const [failOn, status] of thresholds) {
    it(`an information note exits ${status} with --fail-on ${failOn}`, async () => {
      assert.deepEqual(await runIn(root, ['check', '--offline', '--fail-on', failOn, 'notes.txt']), {
        status,
        stdout: notRecognised,
        stderr: '',
      });
    });
  }

  it('an unreadable file is reported on stderr, counted as an error (exit 1 at --fail-on error), and the run goes on', async () => {
    const dir = join(root, 'walk');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'x');
    // A dangling symlink named like a YAML file: the walk would have read it.
    symlinkSync(join(dir, 'missing-target.yaml'), join(dir, 'link.yaml'));
    assert.deepEqual(await runIn(dir, ['check', '--offline', '--fail-on', 'error', '.', 'notes.txt']), {
      status: 1,
      stdout: `${notRecognised.split('\n')[0]}\n1 file, 0 references: 1 error, 0 warnings, 1 information\n`,
      stderr: 'digest-pin: link.yaml: could not read: no such file or directory\n',
    });
  });
});

describe('useColor', () => {
  const cases: Array<[string, boolean, Record<string, string | undefined>, boolean]> = [
    ['a terminal', true, {}, true],
    ['a pipe', false, {}, false],
    ['a terminal with NO_COLOR=1', true, { NO_COLOR: '1' }, false],
    ['a terminal with NO_COLOR empty (no-color.org: set and not empty)', true, { NO_COLOR: '' }, true],
  ];
  for (const [name, isTTY, env, expected] of cases) {
    it(`${name}: ${expected ? 'colour' : 'no colour'}`, () =>
      assert.equal(useColor({ env, stdout: { write: () => true, isTTY } }), expected));
  }
});
