// Registry options of the command line → a registry client: where the cache lives, how the client logs, and what
// "offline" means here (no request at all; answers only from the cache).
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import {
  createRegistryClient,
  dockerConfigCredentials,
  type Logger,
  type RegistryClient,
  type RegistryClientOptions,
} from '../registry/index';
import type { RegistryArgs } from './args';
import { defaultCacheDir } from '../shared/cacheLocation';
import { PRODUCT_NAME } from '../shared/product';

type Env = Readonly<Record<string, string | undefined>>;

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
    registryMirrors: args.registryMirrors,
    ...(cacheDir !== undefined ? { cacheDir } : {}),
    ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
    ...(args.timeoutMs !== undefined ? { timeoutMs: args.timeoutMs } : {}),
  };
}

export function openRegistry(args: RegistryArgs, io: RegistryIo): RegistryClient {
  return createRegistryClient(registryClientOptions(args, io));
}
