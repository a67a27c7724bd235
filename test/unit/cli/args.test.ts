import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArgs, type ArgsResult, type CheckArgs } from '../../../server/src/cli/args';

const check = (over: Partial<CheckArgs> = {}): ArgsResult => ({
  ok: true,
  value: { command: 'check', offline: false, format: 'text', failOn: 'warning', paths: ['.'], ...over },
});
const usage = (error: string): ArgsResult => ({ ok: false, error });

describe('parseArgs', () => {
  const cases: Array<[string[], ArgsResult]> = [
    [[], usage('no command given')],
    [['--help'], { ok: true, value: { command: 'help' } }],
    [['-h'], { ok: true, value: { command: 'help' } }],
    [['help'], { ok: true, value: { command: 'help' } }],
    [['check', '--help'], { ok: true, value: { command: 'help' } }],
    [['--version'], { ok: true, value: { command: 'version' } }],
    [['check'], check()],
    [['check', '--offline'], check({ offline: true })],
    [['check', '--offline', '--format', 'json', 'a', 'b/c'], check({ offline: true, format: 'json', paths: ['a', 'b/c'] })],
    [['check', '--format=sarif', 'x'], check({ format: 'sarif', paths: ['x'] })],
    [['check', 'x', '--fail-on', 'never', 'y'], check({ failOn: 'never', paths: ['x', 'y'] })],
    [['check', '--fail-on=information'], check({ failOn: 'information' })],
    [['check', '--fail-on', 'error', '--fail-on', 'warning'], check({ failOn: 'warning' })],
    [['check', '--', '--offline', '-x'], check({ paths: ['--offline', '-x'] })],
    [['check', '-'], check({ paths: ['-'] })],
    [['check', '--format'], usage("'--format' needs one of text, json, sarif")],
    [['check', '--format', '--offline'], usage("'--format' needs one of text, json, sarif")],
    [['check', '--format', 'yaml'], usage("'--format' needs one of text, json, sarif")],
    [['check', '--format='], usage("'--format' needs one of text, json, sarif")],
    [['check', '--fail-on', 'warnings'], usage("'--fail-on' needs one of error, warning, information, never")],
    [['check', '--offline=yes'], usage("'--offline' takes no value")],
    [['check', '--verbose'], usage("unknown option '--verbose'")],
    [['check', '-q'], usage("unknown option '-q'")],
    [['check', '--platform', 'linux/amd64'], usage("'--platform' is not available yet: this version of digest-pin checks offline only")],
    [['check', '--no-cache'], usage("'--no-cache' is not available yet: this version of digest-pin checks offline only")],
    [['pin', 'x'], { ok: true, value: { command: 'pin' } }],
    [['lsp', '--stdio'], { ok: true, value: { command: 'lsp' } }],
    [['lint'], usage("unknown command 'lint'")],
    [['--offline', 'check'], usage("unknown option '--offline' (options come after the command)")],
  ];
  for (const [argv, expected] of cases) {
    it(argv.length ? argv.join(' ') : '(nothing)', () => assert.deepEqual(parseArgs(argv), expected));
  }
});
