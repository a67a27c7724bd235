// The action's inputs from INPUT_* variables, their defaults and errors, and the CLI argv they make.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cliArgv, inputVariable, readInputs, splitWords } from '../../../server/src/action/inputs';

describe('action inputs', () => {
  it('names the variables as the runner does: upper case, spaces as _, hyphens kept', () => {
    assert.equal(inputVariable('fail-on'), 'INPUT_FAIL-ON');
    assert.equal(inputVariable('my input'), 'INPUT_MY_INPUT');
  });

  it('defaults: check of . failing on warnings, no update, no extra arguments', () => {
    assert.deepEqual(readInputs({}), {
      ok: true,
      value: { command: 'check', paths: ['.'], update: false, failOn: 'warning', args: [] },
    });
    // The runner sets an omitted input with a default to its default; an empty one counts as unset.
    assert.deepEqual(readInputs({ INPUT_COMMAND: '', INPUT_PATHS: '  ' }), readInputs({}));
  });

  it('reads every input; paths are separated by whitespace and newlines', () => {
    const read = readInputs({
      INPUT_COMMAND: 'pin',
      INPUT_PATHS: 'deploy/\n  Dockerfile  compose.yaml\n',
      INPUT_UPDATE: 'True',
      'INPUT_FAIL-ON': 'error',
      INPUT_ARGS: `--platform linux/arm64 --cache-dir "a dir" --insecure-registry 'r:5000'`,
    });
    assert.deepEqual(read, {
      ok: true,
      value: {
        command: 'pin',
        paths: ['deploy/', 'Dockerfile', 'compose.yaml'],
        update: true,
        failOn: 'error',
        args: ['--platform', 'linux/arm64', '--cache-dir', 'a dir', '--insecure-registry', 'r:5000'],
      },
    });
  });

  it('refuses a command other than check, pin and lock, a non-boolean update, --format, bad quoting', () => {
    const error = (env: Record<string, string>) => {
      const read = readInputs(env);
      assert.equal(read.ok, false);
      return read.ok ? '' : read.error;
    };
    assert.match(error({ INPUT_COMMAND: 'lsp' }), /'command' must be one of check, pin, lock, not 'lsp'/);
    assert.match(error({ INPUT_UPDATE: 'yes' }), /'update' must be true or false, not 'yes'/);
    assert.match(error({ INPUT_ARGS: '--format sarif' }), /may not set --format/);
    assert.match(error({ INPUT_ARGS: '--format=text' }), /may not set --format/);
    assert.match(error({ INPUT_ARGS: '--cache-dir "x' }), /'args': unterminated double quote/);
    // lock is the CLI's to accept or refuse.
    assert.equal(readInputs({ INPUT_COMMAND: 'lock' }).ok, true);
  });

  it('splits words as a shell does, without expansions', () => {
    const cases: Array<[string, string[]]> = [
      ['', []],
      ['  a   b\tc\n d ', ['a', 'b', 'c', 'd']],
      [`'a b' "c d" e\\ f`, ['a b', 'c d', 'e f']],
      [`"x\\"y\\\\z\\$\\n"`, ['x"y\\z$\\n']],
      [`'it''s' "" ''`, ['its', '', '']],
      [`a"b"'c'd`, ['abcd']],
      ['$HOME ${X} `cmd`', ['$HOME', '${X}', '`cmd`']],
      ['a\\\nb', ['ab']],
    ];
    for (const [text, words] of cases) assert.deepEqual(splitWords(text), { ok: true, value: words }, text);
    assert.deepEqual(splitWords(`'open`), { ok: false, error: 'unterminated single quote' });
    assert.deepEqual(splitWords('end\\'), { ok: false, error: 'a backslash at the end' });
  });

  it('the CLI argv: check reads JSON and fails on the input; pin and lock get --update; paths last', () => {
    const base = { paths: ['.'], update: true, failOn: 'error', args: ['--offline'] };
    assert.deepEqual(cliArgv({ ...base, command: 'check' }), [
      'check',
      '--format',
      'json',
      '--fail-on',
      'error',
      '--offline',
      '.',
    ]);
    assert.deepEqual(cliArgv({ ...base, command: 'pin' }), ['pin', '--update', '--offline', '.']);
    assert.deepEqual(cliArgv({ ...base, command: 'lock', update: false }), [
      'lock',
      '--format',
      'markdown',
      '--offline',
      '.',
    ]);
    assert.deepEqual(cliArgv({ ...base, command: 'pin', update: false, args: [], paths: ['-odd', 'x'] }), [
      'pin',
      '--',
      '-odd',
      'x',
    ]);
  });
});
