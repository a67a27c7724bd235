// argv → what to do. Pure: a usage error is a value with the words to print, never an exception.
import { PRODUCT_NAME } from './product';

export type Format = 'text' | 'json' | 'sarif';
export type FailOn = 'error' | 'warning' | 'information' | 'never';

export const FORMATS: readonly Format[] = ['text', 'json', 'sarif'];
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'information', 'never'];

export interface CheckArgs {
  command: 'check';
  /**
   * `--offline` as given. Resolution does not exist yet, so every check is static whatever this says; the registry
   * work makes `false` mean "ask the registry".
   */
  offline: boolean;
  format: Format;
  failOn: FailOn;
  /** As written; `['.']` when none were given. */
  paths: string[];
}

export type Invocation =
  | { command: 'help' }
  | { command: 'version' }
  | CheckArgs
  /** Commands of the contract that this version does not have yet. */
  | { command: 'pin' | 'lsp' };

export type ArgsResult = { ok: true; value: Invocation } | { ok: false; error: string };

/** Options of cli.md that need the registry or the writer; named so the error says "not yet", not "unknown". */
const NOT_YET = new Set(['--update', '--dry-run', '--platform', '--insecure-registry', '--cache-dir', '--no-cache', '--concurrency', '--timeout']);

const usage = (error: string): ArgsResult => ({ ok: false, error });

export function parseArgs(argv: readonly string[]): ArgsResult {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      return usage('no command given');
    case '-h':
    case '--help':
    case 'help':
      return { ok: true, value: { command: 'help' } };
    case '--version':
      return { ok: true, value: { command: 'version' } };
    case 'check':
      return parseCheck(rest);
    case 'pin':
    case 'lsp':
      return { ok: true, value: { command: first } };
    default:
      return usage(first.startsWith('-') ? `unknown option '${first}' (options come after the command)` : `unknown command '${first}'`);
  }
}

function parseCheck(argv: readonly string[]): ArgsResult {
  const result: CheckArgs = { command: 'check', offline: false, format: 'text', failOn: 'warning', paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      result.paths.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      result.paths.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const option = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) return undefined;
      i++;
      return next;
    };
    switch (option) {
      case '-h':
      case '--help':
        return { ok: true, value: { command: 'help' } };
      case '--offline':
        if (inline !== undefined) return usage(`'--offline' takes no value`);
        result.offline = true;
        break;
      case '--format': {
        const format = oneOf(value(), FORMATS);
        if (format === null) return usage(`'--format' needs one of ${FORMATS.join(', ')}`);
        result.format = format;
        break;
      }
      case '--fail-on': {
        const failOn = oneOf(value(), FAIL_ON);
        if (failOn === null) return usage(`'--fail-on' needs one of ${FAIL_ON.join(', ')}`);
        result.failOn = failOn;
        break;
      }
      default:
        if (NOT_YET.has(option)) return usage(`'${option}' is not available yet: this version of ${PRODUCT_NAME} checks offline only`);
        return usage(`unknown option '${option}'`);
    }
  }
  if (result.paths.length === 0) result.paths.push('.');
  return { ok: true, value: result };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | null {
  return allowed.find((candidate) => candidate === value) ?? null;
}

export const HELP = `Usage: ${PRODUCT_NAME} <command> [options] [PATH…]

Find container image references in Dockerfiles, compose files, Kubernetes manifests and CI pipelines, and flag
mutable tags that should be pinned to digests.

Commands:
  check [PATH…]   report image references and findings; PATH is a file or a directory (default: .)
  pin [PATH…]     write @sha256 digests into files (not available yet)
  lsp --stdio     run the language server over stdio (not available yet)

Options of check:
  --format text|json|sarif                   output: text for people, json (version 1), sarif 2.1.0 for code scanning
  --offline                                  no network: static findings only (this version always works offline)
  --fail-on error|warning|information|never  exit 1 when a finding is at or above this severity (default: warning)
  -h, --help                                 show this help
  --version                                  print the version

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or fatal error.
`;
