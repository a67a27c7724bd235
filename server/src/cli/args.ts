// argv → what to do. Pure: a usage error is a value with the words to print, never an exception.
import { formatPlatform, parsePlatform } from '../registry/index';
import { PRODUCT_NAME } from '../shared/product';

export type Format = 'text' | 'json' | 'sarif' | 'markdown';
/** The formats of `pin`: its change lines (text) or a report for a pull request or a CI job summary. */
export type PinFormat = Extract<Format, 'text' | 'markdown'>;
export type FailOn = 'error' | 'warning' | 'information' | 'never';

export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'markdown'];
export const PIN_FORMATS: readonly PinFormat[] = ['text', 'markdown'];
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'information', 'never'];

/** How `check` and `pin` talk to registries (cli.md options). */
export interface RegistryArgs {
  /** No request at all: answers come from the cache only, and a miss is simply not known. */
  offline: boolean;
  /** `os/arch[/variant]`, normalised: pin that platform's image instead of the index. */
  platform: string | null;
  /** `--insecure-registry`, as given (repeatable). */
  insecureRegistries: string[];
  /** `--cache-dir`; `null` for `--no-cache`; `undefined` for the user's cache directory. */
  cacheDir: string | null | undefined;
  concurrency: number | undefined;
  timeoutMs: number | undefined;
}

export interface CheckArgs extends RegistryArgs {
  command: 'check';
  format: Format;
  failOn: FailOn;
  /** As written; `['.']` when none were given. */
  paths: string[];
}

export interface PinArgs extends RegistryArgs {
  command: 'pin';
  /** Also replace digests whose tag has moved (and digests the registry no longer has). */
  update: boolean;
  /** Print a unified diff (with `--format markdown`, the report of what would change); write nothing. */
  dryRun: boolean;
  format: PinFormat;
  paths: string[];
}

export type Invocation =
  | { command: 'help' }
  | { command: 'version' }
  | CheckArgs
  | PinArgs
  /** The language server: the entry point (cli.ts) hands the process to it before argv reaches run(). */
  | { command: 'lsp' };

export type ArgsResult = { ok: true; value: Invocation } | { ok: false; error: string };

const usage = (error: string): ArgsResult => ({ ok: false, error });

export const MAX_CONCURRENCY = 64;

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
    case 'pin':
      return parseCommand(first, rest);
    case 'lsp':
      return { ok: true, value: { command: first } };
    default:
      return usage(
        first.startsWith('-')
          ? `unknown option '${first}' (options come after the command)`
          : `unknown command '${first}'`,
      );
  }
}

const registryDefaults = (): RegistryArgs => ({
  offline: false,
  platform: null,
  insecureRegistries: [],
  cacheDir: undefined,
  concurrency: undefined,
  timeoutMs: undefined,
});

/** Options that belong to one command only: named so the error says where they belong. */
const ONLY_FOR: Readonly<Record<string, 'check' | 'pin'>> = {
  '--fail-on': 'check',
  '--update': 'pin',
  '--dry-run': 'pin',
};

/** `HOST[:PORT]` (or `https://HOST[:PORT]` for HTTPS without certificate checks). */
const REGISTRY_HOST =
  /^(?:https?:\/\/)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function parseCommand(command: 'check' | 'pin', argv: readonly string[]): ArgsResult {
  const registry = registryDefaults();
  const paths: string[] = [];
  let format: Format = 'text';
  let failOn: FailOn = 'warning';
  let update = false;
  let dryRun = false;
  let cacheChoice: 'dir' | 'none' | undefined;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      paths.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      paths.push(arg);
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
    const flag = (): string | null => (inline !== undefined ? `'${option}' takes no value` : null);
    const owner = ONLY_FOR[option];
    if (owner !== undefined && owner !== command)
      return usage(`'${option}' is an option of '${PRODUCT_NAME} ${owner}', not of '${command}'`);

    switch (option) {
      case '-h':
      case '--help':
        return { ok: true, value: { command: 'help' } };
      case '--offline':
      case '--update':
      case '--dry-run':
      case '--no-cache': {
        const problem = flag();
        if (problem !== null) return usage(problem);
        if (option === '--offline') registry.offline = true;
        else if (option === '--update') update = true;
        else if (option === '--dry-run') dryRun = true;
        else {
          if (cacheChoice === 'dir') return usage(`'--no-cache' and '--cache-dir' exclude each other`);
          cacheChoice = 'none';
          registry.cacheDir = null;
        }
        break;
      }
      case '--format': {
        const allowed = command === 'check' ? FORMATS : PIN_FORMATS;
        const chosen = oneOf(value(), allowed);
        if (chosen === null)
          return usage(`'--format'${command === 'pin' ? ` of 'pin'` : ''} needs one of ${allowed.join(', ')}`);
        format = chosen;
        break;
      }
      case '--fail-on': {
        const chosen = oneOf(value(), FAIL_ON);
        if (chosen === null) return usage(`'--fail-on' needs one of ${FAIL_ON.join(', ')}`);
        failOn = chosen;
        break;
      }
      case '--platform': {
        const text = value();
        const platform = text === undefined ? null : parsePlatform(text);
        if (platform === null) return usage(`'--platform' needs os/arch[/variant], e.g. linux/arm64`);
        registry.platform = formatPlatform(platform);
        break;
      }
      case '--insecure-registry': {
        const host = value();
        if (host === undefined || !REGISTRY_HOST.test(host))
          return usage(`'--insecure-registry' needs HOST[:PORT], e.g. registry.internal:5000`);
        registry.insecureRegistries.push(host);
        break;
      }
      case '--cache-dir': {
        const dir = value();
        if (dir === undefined || dir === '') return usage(`'--cache-dir' needs a directory`);
        if (cacheChoice === 'none') return usage(`'--no-cache' and '--cache-dir' exclude each other`);
        cacheChoice = 'dir';
        registry.cacheDir = dir;
        break;
      }
      case '--concurrency': {
        const n = integer(value(), 1, MAX_CONCURRENCY);
        if (n === null) return usage(`'--concurrency' needs a whole number from 1 to ${MAX_CONCURRENCY}`);
        registry.concurrency = n;
        break;
      }
      case '--timeout': {
        const n = integer(value(), 1, 600_000);
        if (n === null) return usage(`'--timeout' needs milliseconds, a whole number from 1 to 600000`);
        registry.timeoutMs = n;
        break;
      }
      default:
        return usage(`unknown option '${option}'`);
    }
  }
  if (paths.length === 0) paths.push('.');
  if (command === 'check') return { ok: true, value: { command, ...registry, format, failOn, paths } };
  // `--format` of pin was checked against PIN_FORMATS above: this only narrows its type.
  const pinFormat = oneOf(format, PIN_FORMATS) ?? 'text';
  return { ok: true, value: { command, ...registry, update, dryRun, format: pinFormat, paths } };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | null {
  return allowed.find((candidate) => candidate === value) ?? null;
}

function integer(text: string | undefined, min: number, max: number): number | null {
  if (text === undefined || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

export const HELP = `Usage: ${PRODUCT_NAME} <command> [options] [PATH…]

Find container image references in Dockerfiles, compose files, Kubernetes manifests and CI pipelines, flag
mutable tags, and pin them to digests.

Commands:
  check [PATH…]   report image references and findings; PATH is a file or a directory (default: .)
  pin [PATH…]     write @sha256 digests after the tags of unpinned references (the tag stays)
  lsp --stdio     run the language server over stdio (for any LSP client)

Options of check:
  --format text|json|sarif|markdown          output: text for people, json (version 1), sarif 2.1.0 for code
                                             scanning, markdown for a pull request or a CI job summary
  --fail-on error|warning|information|never  exit 1 when a finding is at or above this severity (default: warning)

Options of pin:
  --update                                   also replace digests whose tag has moved, or that the registry lost
  --dry-run                                  print a unified diff of the changes; write nothing
  --format text|markdown                     output: a line per change (default), or a markdown table of the
                                             changes (with --dry-run: what would change, instead of the diff)

Registry options (check and pin):
  --offline                                  no network: static findings, plus what the cache already knows
  --platform os/arch[/variant]               use that platform's image digest instead of the multi-platform index
  --insecure-registry HOST[:PORT]            plain HTTP for that registry (repeatable); loopback needs none
  --cache-dir DIR | --no-cache               where answers are cached (default: the user cache directory) / no cache
  --concurrency N                            requests in flight per registry (default 8)
  --timeout MS                               per-request timeout in milliseconds (default 10000)

  -h, --help                                 show this help
  --version                                  print the version

Credentials come from the Docker CLI config ($DOCKER_CONFIG/config.json or ~/.docker/config.json).
Exit status: check: 0 nothing at or above --fail-on, 1 findings at or above it; pin: 0 everything pinned,
1 some references could not be resolved or written (the others are); 2 usage or fatal error.
`;
