// The registry side of the session: workspace trust, the cache directory, the registry client for the current
// settings (never one in an untrusted workspace) and the resolver that asks it about the open documents.
import { homedir } from 'node:os';
import { defaultCacheDir } from '../shared/cacheLocation';
import type { ImageFacts } from '../features/facts';
import type { InitializationOptions } from '../shared/protocol';
import type { ImageReference } from '../references/types';
import {
  deleteCacheFile,
  normalizePlatform,
  parsePlatform,
  formatPlatform,
  type Logger,
  type RegistryClient,
  type RegistryClientOptions,
} from '../registry/index';
import { registryKey, type Settings } from '../shared/settings';
import { Resolver, type ResolverEvents } from './resolver';

/** `FROM`-style platform option from the settings: null pins the multi-platform index. */
export function platformOption(settings: Settings): string | null {
  const parsed = settings.defaultPlatform === '' ? null : parsePlatform(settings.defaultPlatform);
  return parsed === null ? null : formatPlatform(normalizePlatform(parsed));
}

export interface RegistrySessionOptions {
  createRegistry: (options: RegistryClientOptions) => RegistryClient;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The workspace settings in force (the client is made for them). */
  settings: () => Settings;
}

export class RegistrySession {
  private isTrusted = true;
  private cacheDir: string | undefined;
  private client: RegistryClient | null = null;
  private clientKey = '';
  /** Client changes run one after another: a new client reads the persistent cache after the old one wrote it. */
  private clientChange: Promise<unknown> = Promise.resolve();
  readonly resolver: Resolver;

  constructor(
    private readonly options: RegistrySessionOptions,
    events: ResolverEvents,
  ) {
    this.resolver = new Resolver(null, events, options.logger);
  }

  initialize(init: InitializationOptions): void {
    this.isTrusted = init.trusted !== false;
    this.cacheDir =
      typeof init.cacheDir === 'string' && init.cacheDir !== ''
        ? init.cacheDir
        : defaultCacheDir(process.platform, this.options.env, homedir());
  }

  get trusted(): boolean {
    return this.isTrusted;
  }

  /** A new trust: a new client (none when untrusted); false when it is the same. */
  async trust(next: boolean): Promise<boolean> {
    if (next === this.isTrusted) return false;
    this.isTrusted = next;
    await this.update({ force: true });
    return true;
  }

  /** False when there is no registry client (untrusted). */
  get connected(): boolean {
    return this.client !== null;
  }

  /** Settles when the client changes under way are done. */
  get settled(): Promise<unknown> {
    return this.clientChange;
  }

  /**
   * The registry client for the current settings and trust; a new one (and no answers) when they change, or when
   * forced. The old client is closed (its cache written) first; `clearCache` then deletes the cache file (refresh).
   */
  update(options: { force?: boolean; clearCache?: boolean } = {}): Promise<boolean> {
    const next = this.clientChange.then(() => this.change(options));
    this.clientChange = next.catch(() => undefined);
    return next;
  }

  private async change(options: { force?: boolean; clearCache?: boolean }): Promise<boolean> {
    const { logger, env } = this.options;
    const settings = this.options.settings();
    const wanted = this.isTrusted ? registryKey(settings) : 'untrusted';
    if (!options.force && wanted === this.clientKey) return false;
    const old = this.client;
    this.client = null;
    this.clientKey = wanted;
    this.resolver.reset(null);
    if (old !== null)
      await old.close().catch((error: unknown) => logger.warn(`closing the registry client failed: ${String(error)}`));
    if (options.clearCache && this.cacheDir !== undefined) {
      await deleteCacheFile(this.cacheDir).catch((error: unknown) =>
        logger.warn(`clearing the cache failed: ${String(error)}`),
      );
    }
    const global = this.options.settings();
    const cacheDir = this.cacheDir;
    this.client = this.isTrusted
      ? this.options.createRegistry({
          ...(cacheDir !== undefined ? { cacheDir } : {}),
          offline: global.offline,
          tagTtlMs: global.cacheTtlMinutes * 60_000,
          insecureRegistries: global.insecureRegistries,
          registryMirrors: global.registryMirrors,
          concurrency: global.concurrency,
          timeoutMs: global.timeoutMs,
          ...(platformOption(global) !== null ? { defaultPlatform: platformOption(global)! } : {}),
          logger,
          env,
        })
      : null;
    this.resolver.reset(this.client);
    return true;
  }

  /** Closes the client (its cache written) for good: the server is shutting down. */
  async close(): Promise<void> {
    this.resolver.reset(null);
    await this.client?.close();
    this.client = null;
  }

  /** What the registry says about a reference (the image's details too when asked), or nothing when not asked. */
  async facts(
    ref: ImageReference,
    settings: Settings,
    signal: AbortSignal | undefined,
    details: boolean,
    /** With details, what is attached to the images too (a hover). */
    attachments = false,
  ): Promise<ImageFacts | undefined> {
    const resolver = this.resolver;
    const key = resolver.keyOf(ref, platformOption(settings));
    if (key === null || !resolver.active) return undefined;
    const online = await resolver.answer(key, signal);
    if (!details) return online === undefined ? undefined : { online };
    const described = await (attachments ? resolver.attachments(key, signal) : resolver.details(key, signal)).catch(
      () => ({}) as ImageFacts,
    );
    const latest = resolver.online(key) ?? online;
    return { ...described, ...(latest !== undefined ? { online: latest } : {}) };
  }
}
