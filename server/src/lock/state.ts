// A reference and the lock that applies to it: which entry it would have (lockKeyOf), whether it has one (lockState),
// and the reference as if written with the locked digest (lockedView), which is what the registry is asked about:
// a locked entry is checked for drift and existence exactly as an inline `name:tag@digest` pin is.
import { asksRegistry, platformFor } from '../lookup/question';
import { buildReference, referenceText } from '../references/reference';
import type { ImageReference } from '../references/types';
import { lockKey, parseLockKey, type Lock, type LockKey } from './lockFile';

/** What the lock says about a reference it covers. `lock` is the lock's path as outputs show it. */
export type LockState =
  { kind: 'locked'; key: string; digest: string; lock: string } | { kind: 'not-locked'; key: string; lock: string };

/**
 * The entry a reference would have: every reference pinning would write a digest into (unpinned, literal, valid, not
 * ignored, not a compose service's own build) — null for the others. `platform` is `--platform` (see platformFor).
 */
export function lockKeyOf(ref: ImageReference, platform: string | null): LockKey | null {
  if (ref.status !== 'unpinned' || ref.name === null || !asksRegistry(ref)) return null;
  const on = platformFor(ref, platform);
  return { name: ref.name, tag: ref.tag ?? 'latest', ...(on === undefined ? {} : { platform: on }) };
}

/** Locked (with its digest), not locked, or null when the lock does not concern the reference. */
export function lockState(
  ref: ImageReference,
  lock: Lock,
  lockName: string,
  platform: string | null,
): LockState | null {
  const key = lockKeyOf(ref, platform);
  if (key === null) return null;
  const text = lockKey(key);
  const entry = lock.images.get(text);
  return entry === undefined
    ? { kind: 'not-locked', key: text, lock: lockName }
    : { kind: 'locked', key: text, digest: entry.digest, lock: lockName };
}

/**
 * The reference as if it were written `name:tag@digest` (`latest` made explicit): same range and source, status
 * `pinned`. The registry is asked about it as about any pin (lookup/question.ts), and its findings are a pin's.
 */
export function lockedView(ref: ImageReference, digest: string): ImageReference {
  const text = referenceText(ref);
  const tag = ref.tag ?? 'latest';
  return {
    ...ref,
    tag,
    digest,
    status: 'pinned',
    assembled: `${ref.tag === null ? `${text}:latest` : text}@${digest}`,
  };
}

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * A key as the reference it stands for (`name:tag`, or `name:tag@digest` to check a locked digest) and the platform
 * it names: what `digest-pin lock` and the editor's lock commands ask the registry about. The key must be valid.
 */
export function keyReference(key: string, digest?: string): { ref: ImageReference; platform: string | null } {
  const parsed = parseLockKey(key)!;
  const ref = buildReference(
    `${parsed.name}:${parsed.tag}${digest === undefined ? '' : `@${digest}`}`,
    ZERO,
    'yaml',
    'image',
  );
  return { ref, platform: parsed.platform ?? null };
}
