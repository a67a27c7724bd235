// Starts Debian's real `docker-registry` (CNCF distribution 2.8.x) on 127.0.0.1 with a free port, for integration tests.
// Each instance gets its own temp dir (config.yml, storage, htpasswd) and never touches the packaged service's
// config (/etc/docker/registry) or its port 5000.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { onProcessExit } from './exitHooks';
import { freePort } from './ports';
import { tlsFetch } from './tlsFetch';

export const REGISTRY_BINARY = process.env['DIGEST_PIN_REGISTRY_BINARY'] ?? '/usr/bin/docker-registry';

export interface TokenAuthConfig {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundlePath: string;
}

/** HTTPS with a certificate from a test CA (test/support/pki.ts), optionally requiring client certificates. */
export interface RegistryTls {
  /** Paths of the server's PEM certificate (SAN IP:127.0.0.1) and key: distribution's `http.tls.certificate/key`. */
  certificate: string;
  key: string;
  /** PEM CA files whose client certificates are required (`http.tls.clientcas`); none: no client certificate. */
  clientCas?: string[];
  /** For the harness's own requests (readiness, access-log markers, seeding): the CA it trusts… */
  ca: string;
  /** …and the client certificate it presents when `clientCas` is set. */
  client?: { cert: string; key: string };
}

export interface RegistryOptions {
  /** Serve HTTPS instead of HTTP. */
  tls?: RegistryTls;
  /** One auth provider per instance, as distribution allows. Omit for an open registry. */
  auth?: { htpasswd: { users: Record<string, string> } } | { token: TokenAuthConfig };
  /** Blob GETs answer 307 to `<baseurl>/docker/registry/v2/blobs/…/data` (storage redirect middleware). */
  redirectBlobsTo?: string;
  /**
   * A pull-through cache of another registry (distribution's `proxy.remoteurl`, e.g. `http://127.0.0.1:PORT`): it
   * answers manifest and blob requests by fetching from there (tags are asked there each time, the local copy only
   * when it cannot be reached) and refuses pushes.
   */
  proxy?: { remoteUrl: string; username?: string; password?: string };
  /** How long to wait for `/v2/` to answer before giving up. */
  startTimeoutMs?: number;
  /** Keep the temp dir after stop() (for debugging a failing test). */
  keepDir?: boolean;
}

/** One line of the registry's access log (combined log format on its stdout). */
export interface ParsedLogLine {
  method: string;
  /** Request URI as sent: path plus query. */
  path: string;
  status: number;
  bytes: number;
  userAgent: string;
}

export interface LogFilter {
  method?: string;
  /** Exact path (query included), or a pattern tested against it. */
  path?: string | RegExp;
  status?: number;
}

export interface Registry {
  /** `127.0.0.1:PORT`: the registry part of an image reference. */
  host: string;
  /** `http://127.0.0.1:PORT` (`https://` with `tls`) */
  url: string;
  /** A fetch that reaches this registry: the global one, or with `tls` one trusting its CA (and presenting the
   * harness's client certificate). */
  fetch: typeof fetch;
  port: number;
  /** Temp dir holding config.yml, storage/ and htpasswd. */
  dir: string;
  /** Filesystem storage root: blobs live under docker/registry/v2/blobs/sha256/<2>/<hex>/data. */
  storageDir: string;
  /** Access-log lines so far, excluding the harness's own readiness and marker probes. */
  requestLog(): Promise<ParsedLogLine[]>;
  requestCount(filter?: LogFilter): Promise<number>;
  /** Last lines of the registry's stderr (its application log). */
  stderrTail(): string;
  stop(): Promise<void>;
}

const HARNESS_QUERY = 'digest-pin-harness=';
const ACCESS_LINE = /^\S+ \S+ \S+ \[[^\]]*\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "[^"]*" "([^"]*)"$/;
const TAIL_BYTES = 4096;

export function parseAccessLine(line: string): ParsedLogLine | undefined {
  const m = ACCESS_LINE.exec(line);
  if (!m) return undefined;
  return { method: m[1]!, path: m[2]!, status: Number(m[3]), bytes: m[4] === '-' ? 0 : Number(m[4]), userAgent: m[5]! };
}

export function matchesLog(line: ParsedLogLine, filter: LogFilter = {}): boolean {
  if (filter.method !== undefined && line.method !== filter.method) return false;
  if (filter.status !== undefined && line.status !== filter.status) return false;
  if (typeof filter.path === 'string' && line.path !== filter.path) return false;
  if (filter.path instanceof RegExp && !filter.path.test(line.path)) return false;
  return true;
}

/** bcrypt htpasswd lines via apache2-utils (`htpasswd -B`); node:crypto has no bcrypt. Passwords go over stdin. */
export function htpasswdLines(users: Record<string, string>): string {
  return (
    Object.entries(users)
      .map(([user, password]) => {
        const result = spawnSync('htpasswd', ['-niB', '-C', '4', user], { input: password, encoding: 'utf8' });
        if (result.error || result.status !== 0) {
          throw new Error(
            `htpasswd failed for ${user} (is apache2-utils installed?): ${result.error?.message ?? result.stderr}`,
          );
        }
        return result.stdout.trim();
      })
      .join('\n') + '\n'
  );
}

function registryConfig(port: number, dir: string, options: RegistryOptions): Record<string, unknown> {
  const config: Record<string, unknown> = {
    version: '0.1',
    log: { level: 'info', formatter: 'text', accesslog: { disabled: false } },
    storage: {
      filesystem: { rootdirectory: join(dir, 'storage') },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    // A fixed secret silences the "generated random secret" warning; it only signs upload state.
    http: {
      addr: `127.0.0.1:${port}`,
      secret: 'digest-pin-test-secret',
      ...(options.tls
        ? {
            tls: {
              certificate: options.tls.certificate,
              key: options.tls.key,
              ...(options.tls.clientCas ? { clientcas: options.tls.clientCas } : {}),
            },
          }
        : {}),
    },
  };
  const auth = options.auth;
  if (auth && 'htpasswd' in auth) {
    const path = join(dir, 'htpasswd');
    writeFileSync(path, htpasswdLines(auth.htpasswd.users));
    config['auth'] = { htpasswd: { realm: 'digest-pin-test', path } };
  } else if (auth && 'token' in auth) {
    const t = auth.token;
    config['auth'] = {
      token: { realm: t.realm, service: t.service, issuer: t.issuer, rootcertbundle: t.rootCertBundlePath },
    };
  }
  if (options.proxy !== undefined) {
    const { remoteUrl, username, password } = options.proxy;
    config['proxy'] = { remoteurl: remoteUrl, ...(username !== undefined ? { username, password } : {}) };
  }
  if (options.redirectBlobsTo !== undefined) {
    config['middleware'] = { storage: [{ name: 'redirect', options: { baseurl: options.redirectBlobsTo } }] };
  }
  return config;
}

/** REGISTRY_* variables override config.yml keys (REGISTRY_HTTP_ADDR…): never inherit them. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')));
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True once the process on `port` answers like a distribution registry (any status: 401 counts). */
async function probe(url: string, tag: string, fetch: typeof globalThis.fetch): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/?${HARNESS_QUERY}${tag}`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.headers.get('docker-distribution-api-version') === 'registry/2.0';
  } catch {
    return false;
  }
}

interface Spawned {
  child: ChildProcess;
  stdoutLines: string[];
  stderr: { text: string };
  exited: Promise<number | null>;
  exitedYet: () => boolean;
}

/**
 * util-linux's setpriv (Essential in Debian) execs the registry with a parent-death signal, so it dies with us even
 * when we are SIGKILLed (a test-runner timeout) and no exit hook runs.
 */
const SETPRIV = '/usr/bin/setpriv';

function spawnRegistry(configPath: string): Spawned {
  const argv = [REGISTRY_BINARY, 'serve', configPath];
  const [command, ...args] = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...argv] : argv;
  const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
  const stdoutLines: string[] = [];
  const stderr = { text: '' };
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    stdoutLines.push(...parts);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr.text = (stderr.text + chunk).slice(-TAIL_BYTES);
  });
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      stderr.text += `\n${error.message}`;
      done = true;
      resolve(null);
    });
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
  });
  return { child, stdoutLines, stderr, exited, exitedYet: () => done };
}

async function stopChild(spawned: Spawned): Promise<void> {
  if (spawned.exitedYet()) return;
  spawned.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = await Promise.race([
    spawned.exited.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 3000))),
  ]);
  clearTimeout(timer);
  if (!killed) {
    spawned.child.kill('SIGKILL');
    await spawned.exited;
  }
}

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'digest-pin-registry-'));
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  try {
    // The port is free when picked but another process may take it before the registry binds: retry.
    for (let attempt = 1; attempt <= 5; attempt++) {
      const port = await freePort();
      const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
      const fetcher = options.tls
        ? tlsFetch({ ca: options.tls.ca, ...(options.tls.client ?? {}) })
        : globalThis.fetch.bind(globalThis);
      const configPath = join(dir, 'config.yml');
      writeFileSync(configPath, stringify(registryConfig(port, dir, options)));
      const spawned = spawnRegistry(configPath);
      const unhook = onProcessExit(() => {
        spawned.child.kill('SIGKILL');
        if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
      });
      let probes = 0;
      while (!spawned.exitedYet() && Date.now() < deadline) {
        if (await probe(url, `ready-${probes++}`, fetcher)) {
          return makeRegistry(port, url, fetcher, dir, spawned, unhook, options.keepDir ?? false);
        }
        await delay(20);
      }
      unhook();
      await stopChild(spawned);
      lastError = spawned.stderr.text;
      if (!/address already in use/.test(lastError)) break;
    }
    const reason = Date.now() >= deadline ? `did not answer /v2/ within ${timeoutMs} ms` : 'exited during start-up';
    throw new Error(`docker-registry (${REGISTRY_BINARY}) ${reason}; stderr tail:\n${tail(lastError)}`);
  } catch (error) {
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
}

function makeRegistry(
  port: number,
  url: string,
  fetcher: typeof fetch,
  dir: string,
  spawned: Spawned,
  unhook: () => void,
  keepDir: boolean,
): Registry {
  let markers = 0;
  let stopped: Promise<void> | undefined;
  const isHarnessLine = (line: ParsedLogLine) => line.path.includes(HARNESS_QUERY);

  // Go writes the access-log line after the response, so a request the test just made may not be in our buffer yet.
  // Make one more request and wait for its own line: everything answered before it has been logged by then.
  async function requestLog(): Promise<ParsedLogLine[]> {
    const tag = `mark-${markers++}`;
    await probe(url, tag, fetcher);
    const until = Date.now() + 2000;
    while (!spawned.stdoutLines.some((line) => line.includes(`${HARNESS_QUERY}${tag} `)) && Date.now() < until) {
      await delay(5);
    }
    return spawned.stdoutLines.flatMap((raw) => {
      const line = parseAccessLine(raw);
      return line && !isHarnessLine(line) ? [line] : [];
    });
  }

  return {
    host: `127.0.0.1:${port}`,
    url,
    fetch: fetcher,
    port,
    dir,
    storageDir: join(dir, 'storage'),
    requestLog,
    requestCount: async (filter) => (await requestLog()).filter((line) => matchesLog(line, filter)).length,
    stderrTail: () => tail(spawned.stderr.text),
    stop() {
      stopped ??= (async () => {
        unhook();
        await stopChild(spawned);
        if (!keepDir) rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
