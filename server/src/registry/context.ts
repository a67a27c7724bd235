// What the lookups (tags, manifests, configs, pins) share: where they send requests, where answers are kept.

import type { Inflight, RegistryCache } from './cache';
import type { Logger } from './http';
import type { Platform } from './manifest';
import type { RegistrySession } from './session';

export interface RegistryContext {
  readonly session: RegistrySession;
  readonly cache: RegistryCache;
  /** One request for callers asking the same thing at once. */
  readonly inflight: Inflight;
  /** Answer from the cache only; a miss is an `offline` error. */
  readonly offline: boolean;
  readonly now: () => number;
  readonly logger: Logger;
  /** Platform whose image dates an index. */
  readonly defaultPlatform: Platform;
  /** An answer changed the cache: have it written (soon, not at once). */
  persist(): void;
}
