// Credentials the way the Docker CLI finds them: $DOCKER_CONFIG/config.json (else ~/.docker/config.json), then
// credHelpers[host], credsStore, auths[host]. Helpers run without a shell, with a timeout and an output cap.
// Nothing here logs or returns a secret in a message; secrets live only in Credential values.

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { invalidInput, type RegistryError } from './errors';
import { silentLogger, type Logger } from './http';

export type Credential =
  | { kind: 'basic'; username: string; password: string }
  /** An OAuth2 refresh token (Username `<token>` from a helper, `identitytoken` in config.json). */
  | { kind: 'identity-token'; username?: string; token: string }
  /** A bearer token sent to the registry as is (`registrytoken` in config.json). */
  | { kind: 'registry-token'; token: string };

export type CredentialResult =
  | {
      ok: true;
      credential: Credential | null;
      /** where it came from, e.g. "credHelpers: ecr-login" */ source?: string;
    }
  | { ok: false; error: RegistryError };

export interface CredentialSource {
  /** Credentials for a registry host as written in references (`docker.io`, `ghcr.io`, `localhost:5000`). */
  get(registry: string): Promise<CredentialResult>;
}

export const anonymousCredentials: CredentialSource = { get: async () => ({ ok: true, credential: null }) };

/** Fixed credentials per registry host: for tests and for settings-provided credentials. */
export function staticCredentials(map: Readonly<Record<string, Credential>>): CredentialSource {
  return { get: async (registry) => ({ ok: true, credential: Object.hasOwn(map, registry) ? map[registry]! : null }) };
}

/** The key Docker stores Docker Hub credentials under. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['index.docker.io', 'docker.io', 'registry-1.docker.io']);

/** Docker's ConvertToHostname: drop `http(s)://` and everything from the first `/`. */
export function convertToHostname(key: string): string {
  let host = key.trim();
  if (host.startsWith('http://')) host = host.slice(7);
  else if (host.startsWith('https://')) host = host.slice(8);
  const slash = host.indexOf('/');
  return (slash >= 0 ? host.slice(0, slash) : host).toLowerCase();
}

const isHub = (registry: string): boolean => HUB_HOSTS.has(registry.toLowerCase());

/** The server URL handed to helpers and tried first as a config key. */
export const serverUrlFor = (registry: string): string => (isHub(registry) ? DOCKER_HUB_KEY : registry);

/** Finds the key in a config map that stands for `registry`: the exact server URL first, then any equivalent key. */
export function findKey(keys: Iterable<string>, registry: string): string | undefined {
  const all = [...keys];
  const exact = serverUrlFor(registry);
  if (all.includes(exact)) return exact;
  const want = registry.toLowerCase();
  return all.find((key) => {
    const host = convertToHostname(key);
    return isHub(want) ? HUB_HOSTS.has(host) : host === want;
  });
}

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
  registrytoken?: unknown;
}

export interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Turns one `auths` entry into a credential; null for an empty entry; an error for an unreadable `auth`. */
export function credentialFromAuthEntry(entry: AuthEntry, registry: string): CredentialResult {
  let username = str(entry.username);
  let password = str(entry.password);
  const auth = str(entry.auth);
  if (auth !== '') {
    const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(auth) ? Buffer.from(auth, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      return {
        ok: false,
        error: invalidInput(
          `the auths entry for ${registry} in the Docker config is not base64 user:password: run docker login ${registry}`,
          registry,
        ),
      };
    }
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  }
  const identity = str(entry.identitytoken);
  if (identity !== '')
    return {
      ok: true,
      credential: { kind: 'identity-token', ...(username ? { username } : {}), token: identity },
      source: 'auths',
    };
  const registryToken = str(entry.registrytoken);
  if (registryToken !== '')
    return { ok: true, credential: { kind: 'registry-token', token: registryToken }, source: 'auths' };
  if (username === '' && password === '') return { ok: true, credential: null, source: 'auths' };
  return { ok: true, credential: { kind: 'basic', username, password }, source: 'auths' };
}

export interface HelperOptions {
  env?: NodeJS.ProcessEnv;
  /** Default 5 000 ms. */
  timeoutMs?: number;
  /** Largest stdout accepted, bytes. Default 64 KiB. */
  maxOutput?: number;
}

const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Runs `docker-credential-<name> get` with the server URL on stdin; never throws. */
export function runCredentialHelper(
  name: string,
  serverUrl: string,
  registry: string,
  options: HelperOptions = {},
): Promise<CredentialResult> {
  const program = `docker-credential-${name}`;
  const fail = (message: string): CredentialResult => ({ ok: false, error: invalidInput(message, registry) });
  if (!HELPER_NAME.test(name))
    return Promise.resolve(fail(`credential helper name '${name}' in the Docker config is invalid`));
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxOutput = options.maxOutput ?? 64 * 1024;
  const group = process.platform !== 'win32';

  return new Promise<CredentialResult>((resolve) => {
    let done = false;
    const out: Buffer[] = [];
    let outSize = 0;
    let child: ReturnType<typeof spawn>;
    const kill = (): void => {
      try {
        // The helper is our child; kill its process group so a grandchild holding stdout open dies too.
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const finish = (result: CredentialResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(result);
    };
    try {
      child = spawn(program, ['get'], {
        env: options.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: group,
        windowsHide: true,
        shell: false,
      });
    } catch (error) {
      resolve(fail(`cannot run ${program}: ${(error as Error).message}`));
      return;
    }
    const timer = setTimeout(() => {
      kill();
      finish(
        fail(
          `${program} did not answer within ${Math.round(timeoutMs / 1000)} s; check it works with: echo ${serverUrl} | ${program} get`,
        ),
      );
    }, timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      finish(
        fail(
          error.code === 'ENOENT'
            ? `${program} (configured for ${registry} in the Docker config) is not on PATH: install it or remove it from the config`
            : `cannot run ${program}: ${error.code ?? error.message}`,
        ),
      );
    });
    child.stdin?.on('error', () => undefined); // a helper that exits without reading stdin
    child.stdin?.end(`${serverUrl}\n`);
    child.stderr?.on('data', () => undefined); // drained, never shown: helpers may echo secrets there
    child.stdout?.on('data', (chunk: Buffer) => {
      outSize += chunk.length;
      if (outSize > maxOutput) {
        kill();
        finish(
          fail(
            `${program} printed more than ${Math.round(maxOutput / 1024)} KiB; it is not a working credential helper`,
          ),
        );
        return;
      }
      out.push(chunk);
    });
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8').trim();
      if (code !== 0) {
        // Helpers print their error on stdout; only this well-known one is quoted back (it carries no secret).
        if (/credentials not found/i.test(text)) finish({ ok: true, credential: null, source: program });
        else
          finish(
            fail(`${program} failed (exit ${code ?? 'signal'}); check it with: echo ${serverUrl} | ${program} get`),
          );
        return;
      }
      finish(parseHelperOutput(text, program, registry));
    });
  });
}

/** Parses `{"ServerURL","Username","Secret"}`; Username `<token>` makes Secret an identity token. */
export function parseHelperOutput(text: string, program: string, registry: string): CredentialResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: invalidInput(`${program} printed something that is not JSON; expected {"Username","Secret"}`, registry),
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      error: invalidInput(`${program} printed JSON that is not an object; expected {"Username","Secret"}`, registry),
    };
  }
  const record = value as Record<string, unknown>;
  const username = str(record.Username);
  const secret = str(record.Secret);
  if (secret === '' && username === '') return { ok: true, credential: null, source: program };
  if (username === '<token>')
    return { ok: true, credential: { kind: 'identity-token', token: secret }, source: program };
  return { ok: true, credential: { kind: 'basic', username, password: secret }, source: program };
}

export interface DockerConfigOptions extends HelperOptions {
  /** Home directory for ~/.docker; default os.homedir(). */
  home?: string;
  logger?: Logger;
}

/** Path of the Docker CLI config file in use. */
export function dockerConfigPath(env: NodeJS.ProcessEnv, home: string): string {
  const dir = env.DOCKER_CONFIG && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : join(home, '.docker');
  return join(dir, 'config.json');
}

/** Credentials from the Docker CLI configuration, read afresh on every call (a `docker login` takes effect). */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialSource {
  const env = options.env ?? process.env;
  const logger = options.logger ?? silentLogger;
  const path = dockerConfigPath(env, options.home ?? homedir());
  const helperOptions: HelperOptions = {
    env,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.maxOutput !== undefined ? { maxOutput: options.maxOutput } : {}),
  };

  async function load(): Promise<DockerConfig> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        logger.warn(`cannot read Docker config ${path} (${code ?? 'error'}); continuing without credentials`);
      return {};
    }
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
      return value as DockerConfig;
    } catch {
      // The Docker CLI warns and carries on with an empty config; so do we.
      logger.warn(`Docker config ${path} is not valid JSON; continuing without credentials`);
      return {};
    }
  }

  return {
    async get(registry: string): Promise<CredentialResult> {
      const config = await load();
      const serverUrl = serverUrlFor(registry);
      const helpers = config.credHelpers && typeof config.credHelpers === 'object' ? config.credHelpers : {};
      const helperKey = findKey(Object.keys(helpers), registry);
      if (helperKey !== undefined && typeof helpers[helperKey] === 'string' && helpers[helperKey] !== '') {
        return runCredentialHelper(helpers[helperKey], serverUrl, registry, helperOptions);
      }
      const auths = config.auths && typeof config.auths === 'object' ? config.auths : {};
      const authKey = findKey(Object.keys(auths), registry);
      if (typeof config.credsStore === 'string' && config.credsStore !== '') {
        const stored = await runCredentialHelper(config.credsStore, serverUrl, registry, helperOptions);
        // A store that knows nothing falls through to a plain auths entry (e.g. one written before the store).
        if (!stored.ok || stored.credential !== null) return stored;
      }
      if (authKey === undefined) return { ok: true, credential: null };
      const entry = auths[authKey];
      return credentialFromAuthEntry(entry && typeof entry === 'object' ? entry : {}, registry);
    },
  };
}
