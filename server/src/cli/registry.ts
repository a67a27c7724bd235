// Registry options of the command line → a registry client: where the cache lives, how the client logs, and what
// "offline" means here (no request at all; answers only from the cache).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  createRegistryClient,
  dockerConfigCredentials,
  type Logger,
  type RegistryClient,
  type RegistryClientOptions,
} from '../registry/index';
import type { RegistryArgs } from './args';
import { PRODUCT_NAME } from './product';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The user's cache directory for digest-pin: `$XDG_CACHE_HOME/digest-pin` (an absolute XDG_CACHE_HOME only, as the
 * XDG spec says) else `~/.cache/digest-pin` on Linux and the BSDs, `~/Library/Caches/digest-pin` on macOS,
 * `%LOCALAPPDATA%\digest-pin\Cache` on Windows.
 */
export function defaultCacheDir(platform: NodeJS.Platform, env: Env, home: string): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA && env.LOCALAPPDATA !== '' ? env.LOCALAPPDATA : join(home, 'AppData', 'Local');
    return join(local, PRODUCT_NAME, 'Cache');
  }
  if (platform === 'darwin') return join(home, 'Library', 'Caches', PRODUCT_NAME);
  const xdg = env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, PRODUCT_NAME);
  return join(home, '.cache', PRODUCT_NAME);
}

/** The cache directory a run uses: --cache-dir (relative to the working directory), none for --no-cache, else the default. */
export function cacheDirFor(
  args: Pick<RegistryArgs, 'cacheDir'>,
  cwd: string,
  env: Env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string | undefined {
  if (args.cacheDir === null) return undefined;
  if (args.cacheDir !== undefined) return resolve(cwd, args.cacheDir);
  return defaultCacheDir(platform, env, home);
}

/** Warnings (a corrupt cache file, an unreadable Docker config) go to stderr, once each; debug output nowhere. */
export function stderrLogger(stderr: { write(text: string): unknown }): Logger {
  const seen = new Set<string>();
  return {
    warn(message: string) {
      if (seen.has(message)) return;
      seen.add(message);
      stderr.write(`${PRODUCT_NAME}: warning: ${message}\n`);
    },
  };
}

export interface RegistryIo {
  cwd: string;
  env: Env;
  stderr: { write(text: string): unknown };
}

export function registryClientOptions(args: RegistryArgs, io: RegistryIo): RegistryClientOptions {
  const env = { ...io.env } as NodeJS.ProcessEnv;
  const logger = stderrLogger(io.stderr);
  const cacheDir = cacheDirFor(args, io.cwd, io.env);
  return {
    env,
    logger,
    credentials: dockerConfigCredentials({ env, logger }),
    offline: args.offline,
    // A command-line run reports what the registry says now: an answer past its TTL is asked again, not served
    // stale while a background refresh runs (that suits an editor, not a CI gate). Offline, stale answers are used.
    staleWhileRevalidate: false,
    insecureRegistries: args.insecureRegistries,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
    ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
  };
}

export function openRegistry(args: RegistryArgs, io: RegistryIo): RegistryClient {
  return createRegistryClient(registryClientOptions(args, io));
}
