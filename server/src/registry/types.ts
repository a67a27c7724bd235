// Public value types of the registry client.

import type { RegistryError } from './errors';
import type { Platform } from './manifest';
import type { Attachment, Provenance } from './provenance';

export type { Platform } from './manifest';
export type { Attachment, AttachmentKind, AttachmentVia, Provenance } from './provenance';

export interface Resolution {
  /** The digest to pin: the tag's own digest (an index for a multi-arch tag), or with `platform`, the child's. */
  digest: string;
  mediaType: string;
  /** With `platform`: the digest of the index the tag points to (the child is `digest`). */
  indexDigest?: string;
  /** With `details`: the runnable platforms of an index (attestations dropped), or the one of a single image. */
  platforms?: Platform[];
  /** With `details`: when the image (the default platform's, for an index) was built, RFC 3339. */
  created?: string;
  /** With `details`: what the image says about itself (annotations, labels); absent when it says nothing. */
  provenance?: Provenance;
  /** When the registry was last asked (ms since the epoch, injected clock). */
  checkedAt: number;
  /** Answered from the cache without a request. */
  fromCache: boolean;
  /** Older than the cache TTL: answered at once while a refresh runs in the background (or offline). */
  stale?: boolean;
}

export interface Description {
  digest: string;
  mediaType: string;
  platforms?: Platform[];
  created?: string;
  /** For an index: the runnable children and their platforms. */
  children?: Array<{ digest: string; mediaType: string; platform: Platform }>;
  /**
   * What the image says about itself: the index's and manifest's annotations over the config's labels (for an
   * index, its default platform's image). Absent when it says nothing.
   */
  provenance?: Provenance;
  /** With `attachments`: signatures, SBOMs, attestations found beside it (presence only); absent when not asked. */
  attachments?: Attachment[];
}

export type PinStatus =
  | { status: 'current'; digest: string; checkedAt: number }
  /** The tag now points elsewhere; `current` is what to pin now (the matching child when the pin was a child). */
  | { status: 'drifted'; pinned: string; current: string; tagDigest: string; checkedAt: number }
  /** The registry answered 404 for the pinned digest. */
  | { status: 'gone'; pinned: string; checkedAt: number }
  /** Anything else: an error is never reported as gone. */
  | { status: 'unknown'; error: RegistryError };

export type Result<T> = { ok: true; value: T } | { ok: false; error: RegistryError };
