// argv → what to do. Pure: a usage error is a value with the words to print, never an exception.
import { formatPlatform, mirroredRegistry, parseMirror, parsePlatform } from '../registry/index';
import { PRODUCT_NAME } from '../shared/product';
import { RULES, type DiagnosticCode } from '../shared/rules';
import type { SeveritySetting } from '../shared/settings';

export type Format = 'text' | 'json' | 'sarif' | 'markdown';
/** The formats of `pin` and `lock`: a line per change, or a report for a pull request or a CI job summary. */
export type PinFormat = Extract<Format, 'text' | 'markdown'>;
export type FailOn = 'error' | 'warning' | 'information' | 'never';

export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'markdown'];
export const PIN_FORMATS: readonly PinFormat[] = ['text', 'markdown'];
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'information', 'never'];
/** `pin --upgrade`: how far a tag may move (patch keeps major.minor, minor keeps major). */
export type UpgradeArg = 'patch' | 'minor';
export const UPGRADES: readonly UpgradeArg[] = ['patch', 'minor'];
const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['error', 'warning', 'information', 'hint', 'off'];
/** `check --severity CODE=LEVEL`, as the `digestPin.severity.<code>` settings: only the codes given. */
export type SeverityArgs = Partial<Record<DiagnosticCode, SeveritySetting>>;

/** How `check` and `pin` talk to registries (cli.md options). */
export interface RegistryArgs {
  /** No request at all: answers come from the cache only, and a miss is simply not known. */
  offline: boolean;
  /** `os/arch[/variant]`, normalised: pin that platform's image instead of the index. */
  platform: string | null;
  /** `--insecure-registry`, as given (repeatable). */
  insecureRegistries: string[];
  /** `--registry-mirror REGISTRY=URL` (repeatable): mirror URLs by registry (`docker.io` for Hub's aliases), in order. */
  registryMirrors: Record<string, string[]>;
  /** `--cache-dir`; `null` for `--no-cache`; `undefined` for the user's cache directory. */
  cacheDir: string | null | undefined;
  concurrency: number | undefined;
  timeoutMs: number | undefined;
}

/** Which lock file applies (check, render; lock writes it): `--lock FILE`, or `--no-lock`, or the nearest one. */
export interface LockArgs {
  /** `--lock FILE`, as written; null: the nearest `digest-pin.lock` of each file. */
  lockFile: string | null;
  /** `--no-lock`: no lock applies (check, render). */
  noLock: boolean;
}

export interface CheckArgs extends RegistryArgs, LockArgs {
  command: 'check';
  format: Format;
  failOn: FailOn;
  /** `--severity CODE=LEVEL` (repeatable): a code's severity, or `off`; `outdated` is off unless given. */
  severity: SeverityArgs;
  /** As written; `['.']` when none were given. */
  paths: string[];
}

export interface PinArgs extends RegistryArgs {
  command: 'pin';
  /** Also replace digests whose tag has moved (and digests the registry no longer has). */
  update: boolean;
  /** `--upgrade patch|minor`: move version tags to the newest of their line at that level, pinned. */
  upgrade: UpgradeArg | null;
  /** Print a unified diff (with `--format markdown`, the report of what would change); write nothing. */
  dryRun: boolean;
  format: PinFormat;
  paths: string[];
}

/** `digest-pin lock`: resolve what the files use into the lock file; `--update` re-resolves every entry. */
export interface LockCommandArgs extends RegistryArgs {
  command: 'lock';
  update: boolean;
  format: PinFormat;
  /** `--lock FILE`: the one lock to write; null: each file's nearest lock, else `digest-pin.lock` here. */
  lockFile: string | null;
  paths: string[];
}

export type RenderFormat = 'files' | 'build-contexts';
export const RENDER_FORMATS: readonly RenderFormat[] = ['files', 'build-contexts'];

/** `digest-pin render`: the files with the locked digests applied, or BuildKit `--build-context` arguments. */
export interface RenderArgs {
  command: 'render';
  /** `--lock FILE`, as written; null: the nearest `digest-pin.lock` of each file. */
  lockFile: string | null;
  /** `--platform`, normalised: the platform whose lock entries apply (as `lock --platform` wrote them). */
  platform: string | null;
  format: RenderFormat;
  /** `--out DIR`: where several rendered files go (mirroring their paths); null: the one file to stdout. */
  out: string | null;
  /** At least one. */
  paths: string[];
}

export type Command = 'check' | 'pin' | 'lock' | 'render';

export type Invocation =
  | { command: 'help' }
  | { command: 'version' }
  | CheckArgs
  | PinArgs
  | LockCommandArgs
  | RenderArgs
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
    case 'lock':
    case 'render':
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
  registryMirrors: {},
  cacheDir: undefined,
  concurrency: undefined,
  timeoutMs: undefined,
});

const REGISTRY_OPTIONS = [
  '--offline',
  '--platform',
  '--insecure-registry',
  '--registry-mirror',
  '--cache-dir',
  '--no-cache',
  '--concurrency',
  '--timeout',
] as const;

/** Options that belong to some commands only: named so the error says where they belong. */
const ONLY_FOR: Readonly<Record<string, readonly Command[]>> = {
  '--format': ['check', 'pin', 'lock', 'render'],
  '--fail-on': ['check'],
  '--severity': ['check'],
  '--upgrade': ['pin'],
  '--update': ['pin', 'lock'],
  '--dry-run': ['pin'],
  '--lock': ['check', 'lock', 'render'],
  '--no-lock': ['check'],
  '--out': ['render'],
  ...Object.fromEntries(REGISTRY_OPTIONS.map((option) => [option, ['check', 'pin', 'lock'] as const])),
  '--platform': ['check', 'pin', 'lock', 'render'],
};

/** `HOST[:PORT]` (or `https://HOST[:PORT]` for HTTPS without certificate checks). */
const REGISTRY_HOST =
  /^(?:https?:\/\/)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** Everything the options of any command set; each command keeps its own part. */
interface Parsed {
  registry: RegistryArgs;
  paths: string[];
  format: string;
  failOn: FailOn;
  severity: SeverityArgs;
  update: boolean;
  upgrade: UpgradeArg | null;
  dryRun: boolean;
  lockFile: string | null;
  noLock: boolean;
  out: string | null;
  cacheChoice: 'dir' | 'none' | undefined;
}

/** `'digest-pin pin'`, `'digest-pin pin' and 'digest-pin lock'`, `'… check', '… pin' and '… lock'`. */
function owners(commands: readonly Command[]): string {
  const named = commands.map((command) => `'${PRODUCT_NAME} ${command}'`);
  return named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]!}`;
}

function parseCommand(command: Command, argv: readonly string[]): ArgsResult {
  const state: Parsed = {
    registry: registryDefaults(),
    paths: [],
    format: command === 'render' ? 'files' : 'text',
    failOn: 'warning',
    severity: {},
    update: false,
    upgrade: null,
    dryRun: false,
    lockFile: null,
    noLock: false,
    out: null,
    cacheChoice: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      state.paths.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      state.paths.push(arg);
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
    if (option === '-h' || option === '--help') return { ok: true, value: { command: 'help' } };
    const owner = ONLY_FOR[option];
    if (owner !== undefined && !owner.includes(command))
      return usage(`'${option}' is an option of ${owners(owner)}, not of '${command}'`);
    const problem = applyOption(state, command, option, inline, value);
    if (problem !== null) return usage(problem);
  }
  return finish(command, state);
}

/** One option into the state; the usage error, or null. */
function applyOption(
  state: Parsed,
  command: Command,
  option: string,
  inline: string | undefined,
  value: () => string | undefined,
): string | null {
  const { registry } = state;
  switch (option) {
    case '--offline':
    case '--update':
    case '--dry-run':
    case '--no-lock':
    case '--no-cache':
      if (inline !== undefined) return `'${option}' takes no value`;
      if (option === '--offline') registry.offline = true;
      else if (option === '--update') state.update = true;
      else if (option === '--dry-run') state.dryRun = true;
      else if (option === '--no-lock') state.noLock = true;
      else {
        if (state.cacheChoice === 'dir') return `'--no-cache' and '--cache-dir' exclude each other`;
        state.cacheChoice = 'none';
        registry.cacheDir = null;
      }
      return null;
    case '--format': {
      const allowed: readonly string[] =
        command === 'render' ? RENDER_FORMATS : command === 'check' ? FORMATS : PIN_FORMATS;
      const chosen = oneOf<string>(value(), allowed);
      if (chosen === null)
        return `'--format'${command === 'check' ? '' : ` of '${command}'`} needs one of ${allowed.join(', ')}`;
      state.format = chosen;
      return null;
    }
    case '--fail-on': {
      const chosen = oneOf(value(), FAIL_ON);
      if (chosen === null) return `'--fail-on' needs one of ${FAIL_ON.join(', ')}`;
      state.failOn = chosen;
      return null;
    }
    case '--severity': {
      const text = value() ?? '';
      const eq = text.indexOf('=');
      const code = RULES.find((rule) => rule.code === text.slice(0, eq))?.code;
      const level = oneOf(text.slice(eq + 1), SEVERITY_SETTINGS);
      if (eq < 0 || code === undefined || level === null)
        return `'--severity' needs CODE=LEVEL: a code (${RULES.map((rule) => rule.code).join(', ')}) and ${SEVERITY_SETTINGS.join('|')}, e.g. outdated=hint`;
      state.severity[code] = level;
      return null;
    }
    case '--upgrade': {
      const chosen = oneOf(value(), UPGRADES);
      if (chosen === null) return `'--upgrade' needs one of ${UPGRADES.join(', ')}`;
      state.upgrade = chosen;
      return null;
    }
    case '--lock':
    case '--out': {
      const path = value();
      if (path === undefined || path === '')
        return option === '--lock' ? `'--lock' needs a lock file` : `'--out' needs a directory`;
      if (option === '--lock') state.lockFile = path;
      else state.out = path;
      return null;
    }
    default:
      return applyRegistryOption(state, option, value);
  }
}

function applyRegistryOption(state: Parsed, option: string, value: () => string | undefined): string | null {
  const { registry } = state;
  switch (option) {
    case '--platform': {
      const text = value();
      const platform = text === undefined ? null : parsePlatform(text);
      if (platform === null) return `'--platform' needs os/arch[/variant], e.g. linux/arm64`;
      registry.platform = formatPlatform(platform);
      return null;
    }
    case '--insecure-registry': {
      const host = value();
      if (host === undefined || !REGISTRY_HOST.test(host))
        return `'--insecure-registry' needs HOST[:PORT], e.g. registry.internal:5000`;
      registry.insecureRegistries.push(host);
      return null;
    }
    case '--registry-mirror':
      return addMirror(registry, value());
    case '--cache-dir': {
      const dir = value();
      if (dir === undefined || dir === '') return `'--cache-dir' needs a directory`;
      if (state.cacheChoice === 'none') return `'--no-cache' and '--cache-dir' exclude each other`;
      state.cacheChoice = 'dir';
      registry.cacheDir = dir;
      return null;
    }
    case '--concurrency': {
      const n = integer(value(), 1, MAX_CONCURRENCY);
      if (n === null) return `'--concurrency' needs a whole number from 1 to ${MAX_CONCURRENCY}`;
      registry.concurrency = n;
      return null;
    }
    case '--timeout': {
      const n = integer(value(), 1, 600_000);
      if (n === null) return `'--timeout' needs milliseconds, a whole number from 1 to 600000`;
      registry.timeoutMs = n;
      return null;
    }
    default:
      return `unknown option '${option}'`;
  }
}

/**
 * `--registry-mirror REGISTRY=URL`, or a bare `URL` for Docker Hub (dockerd's own `--registry-mirror`). Checked here,
 * so a mistake is a usage error rather than a mirror silently left out.
 */
function addMirror(registry: RegistryArgs, text: string | undefined): string | null {
  const hint = `'--registry-mirror' needs REGISTRY=URL, e.g. docker.io=https://mirror.example.com`;
  if (text === undefined || text.trim() === '') return hint;
  const equals = text.indexOf('=');
  const bare = equals < 0 || text.slice(0, equals).includes('://');
  const key = mirroredRegistry(bare ? 'docker.io' : text.slice(0, equals));
  if (!key.ok) return `'--registry-mirror': ${key.error}`;
  const mirror = parseMirror(bare ? text : text.slice(equals + 1));
  if (!mirror.ok) return `'--registry-mirror': ${mirror.error}`;
  const list = Object.hasOwn(registry.registryMirrors, key.value) ? registry.registryMirrors[key.value]! : [];
  if (!list.includes(mirror.value.url)) list.push(mirror.value.url);
  Object.defineProperty(registry.registryMirrors, key.value, {
    value: list,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return null;
}

function finish(command: Command, state: Parsed): ArgsResult {
  const { registry, paths, update, dryRun, lockFile, noLock, out } = state;
  if (lockFile !== null && noLock) return usage(`'--lock' and '--no-lock' exclude each other`);
  if (command === 'render') {
    if (paths.length === 0) return usage(`'render' needs the files to render`);
    const format = state.format as RenderFormat;
    return { ok: true, value: { command, format, lockFile, platform: registry.platform, out, paths } };
  }
  if (paths.length === 0) paths.push('.');
  switch (command) {
    case 'check':
      return {
        ok: true,
        value: {
          command,
          ...registry,
          format: state.format as Format,
          failOn: state.failOn,
          severity: state.severity,
          lockFile,
          noLock,
          paths,
        },
      };
    case 'pin':
      return {
        ok: true,
        value: { command, ...registry, update, upgrade: state.upgrade, dryRun, format: pinFormat(state.format), paths },
      };
    case 'lock':
      return { ok: true, value: { command, ...registry, update, format: pinFormat(state.format), lockFile, paths } };
  }
}

/** `--format` of pin and lock was checked against PIN_FORMATS: this only narrows its type. */
const pinFormat = (format: string): PinFormat => oneOf(format, PIN_FORMATS) ?? 'text';

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
  lock [PATH…]    record the digests of unpinned references in digest-pin.lock; the files are not touched
  render FILE…    print the files with the locked digests applied (the lock file's digests, as pin would write them)
  lsp --stdio     run the language server over stdio (for any LSP client)

Options of check:
  --format text|json|sarif|markdown          output: text for people, json (version 1), sarif 2.1.0 for code
                                             scanning, markdown for a pull request or a CI job summary
  --fail-on error|warning|information|never  exit 1 when a finding is at or above this severity (default: warning)
  --severity CODE=LEVEL                      a code's severity (error|warning|information|hint) or off, as the
                                             digestPin.severity.* settings (repeatable); outdated=hint lists the
                                             repository's tags and reports newer versions (off by default)

Options of pin:
  --update                                   also replace digests whose tag has moved, or that the registry lost
  --upgrade patch|minor                      move version tags to the newest of their line at that level (3.12.7-slim
                                             → 3.12.8-slim, minor: → 3.13.1-slim), with its digest
  --dry-run                                  print a unified diff of the changes; write nothing
  --format text|markdown                     output: a line per change (default), or a markdown table of the
                                             changes (with --dry-run: what would change, instead of the diff)

Options of lock:
  --update                                   re-resolve every entry: move those whose tag has moved, or that are gone
  --format text|markdown                     output: a line per change (default), or a markdown table of the changes

Options of render:
  --format files|build-contexts              the files (default), or for Dockerfiles BuildKit's --build-context args
  --out DIR                                  write several rendered files under DIR, mirroring their paths

Lock files (check, lock, render):
  --lock FILE                                use this lock file instead of the nearest digest-pin.lock
  --no-lock                                  (check) ignore lock files: report unpinned references as usual

Registry options (check, pin and lock; --platform also for render):
  --offline                                  no network: static findings, plus what the cache already knows
  --platform os/arch[/variant]               use that platform's image digest instead of the multi-platform index
  --insecure-registry HOST[:PORT]            plain HTTP for that registry (repeatable); loopback needs none
  --registry-mirror REGISTRY=URL             ask this pull-through cache before REGISTRY (repeatable, in order),
                                             e.g. docker.io=https://mirror.example.com; the registry if it fails
  --cache-dir DIR | --no-cache               where answers are cached (default: the user cache directory) / no cache
  --concurrency N                            requests in flight per registry (default 8)
  --timeout MS                               per-request timeout in milliseconds (default 10000)

  -h, --help                                 show this help
  --version                                  print the version

The nearest digest-pin.lock in a file's directory or above it (up to the repository root, a folder with .git)
applies to it: check reports its references as locked (not-locked when missing), lock writes it (creating
./digest-pin.lock when none applies), render applies it.
Credentials come from the Docker CLI config ($DOCKER_CONFIG/config.json or ~/.docker/config.json); CA and client
certificates per registry from Docker's certs.d/<host[:port]>/ (~/.docker, ~/.config/docker, /etc/docker;
DIGEST_PIN_CERTS_DIRS replaces them), beside the system's CA store.
Exit status: check: 0 nothing at or above --fail-on, 1 findings at or above it; pin: 0 everything pinned,
1 some references could not be resolved or written (the others are); lock: 0 every reference locked, 1 some could
not be resolved (the rest is written); render: 1 some references are not locked; 2 usage or fatal error.
`;
