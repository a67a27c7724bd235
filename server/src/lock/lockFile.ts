// The lock file `digest-pin.lock`: parse, keys, serialise. Pure: the text comes in and goes out as strings; reading
// and writing the file is the CLI's. A broken lock is a value with a kind, never an exception.
//
//   {
//     "version": 1,
//     "images": {
//       "docker.io/library/python:3.12-slim": { "digest": "sha256:…", "created": "2024-02-01T00:00:00Z" },
//       "docker.io/library/redis:7 linux/arm64": { "digest": "sha256:…" }
//     }
//   }
//
// One entry per normalised `name:tag` (`latest` when the reference has no tag), followed by ` os/arch[/variant]` when
// the entry holds one platform's image digest (`--platform`) rather than the tag's own (index) digest. Keys are
// sorted, indentation is two spaces, the file ends with a newline, and nothing in it changes unless a digest does:
// `created` is the image's build time, which belongs to the digest, never the time it was resolved.
import { isValidDigest, parseImageReference } from '../references/imageRef';
import { formatPlatform, parsePlatform } from '../registry/index';

export const LOCK_FILE_NAME = 'digest-pin.lock';
export const LOCK_VERSION = 1;

export interface LockEntry {
  digest: string;
  /** When the image was built (RFC 3339), when the registry said so. */
  created?: string;
}

/** Entries by key (see lockKey); a Map so that no image name can collide with Object.prototype. */
export interface Lock {
  images: Map<string, LockEntry>;
}

export type LockErrorKind = 'syntax' | 'version' | 'shape' | 'entry';

export interface LockError {
  kind: LockErrorKind;
  message: string;
}

export type LockParse = { ok: true; lock: Lock } | { ok: false; error: LockError };

export const emptyLock = (): Lock => ({ images: new Map() });

/** What a key names: a normalised repository, a tag, and the platform of a platform image's digest. */
export interface LockKey {
  name: string;
  tag: string;
  platform?: string;
}

/** `docker.io/library/python:3.12-slim`, or `… linux/arm64` for one platform's image. */
export function lockKey(key: LockKey): string {
  return `${key.name}:${key.tag}${key.platform === undefined ? '' : ` ${key.platform}`}`;
}

/** A key back into its parts; null when it is not one lockKey could have written. */
export function parseLockKey(text: string): LockKey | null {
  const space = text.indexOf(' ');
  const image = space < 0 ? text : text.slice(0, space);
  const platformText = space < 0 ? undefined : text.slice(space + 1);
  const parsed = parseImageReference(image);
  if (!parsed.ok || parsed.value.digest !== null || parsed.value.tag === null) return null;
  const { name, tag } = parsed.value;
  if (`${name}:${tag}` !== image) return null;
  if (platformText === undefined) return { name, tag };
  const platform = parsePlatform(platformText);
  if (platform === null || formatPlatform(platform) !== platformText) return null;
  return { name, tag, platform: platformText };
}

const fail = (kind: LockErrorKind, message: string): LockParse => ({ ok: false, error: { kind, message } });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The lock a text holds, or what is wrong with it (the first problem found). */
export function parseLock(text: string): LockParse {
  let json: unknown;
  try {
    json = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    return fail('syntax', `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(json)) return fail('shape', 'expected an object with "version" and "images"');
  if (json['version'] !== LOCK_VERSION)
    return fail(
      'version',
      `unsupported version ${JSON.stringify(json['version'] ?? null)} (this digest-pin reads version ${LOCK_VERSION})`,
    );
  const images = json['images'];
  if (!isObject(images)) return fail('shape', '"images" must be an object of name:tag → { "digest": … }');
  const lock = emptyLock();
  for (const [key, value] of Object.entries(images)) {
    const problem = entryProblem(key, value);
    if (problem !== null) return fail('entry', `"${key}": ${problem}`);
    const entry = value as { digest: string; created?: string };
    lock.images.set(
      key,
      entry.created === undefined ? { digest: entry.digest } : { digest: entry.digest, created: entry.created },
    );
  }
  return { ok: true, lock };
}

function entryProblem(key: string, value: unknown): string | null {
  const parsed = parseLockKey(key);
  if (parsed === null)
    return 'not a normalised name:tag (e.g. docker.io/library/python:3.12), optionally followed by " os/arch"';
  if (!isObject(value)) return 'expected { "digest": "sha256:…" }';
  const digest = value['digest'];
  if (typeof digest !== 'string' || !isValidDigest(digest)) return '"digest" must be a digest such as sha256:<64 hex>';
  const created = value['created'];
  if (created !== undefined && (typeof created !== 'string' || Number.isNaN(Date.parse(created))))
    return '"created" must be an RFC 3339 date';
  return null;
}

/** Code-unit order, the same everywhere. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The file's bytes: sorted keys, two-space indentation, a final newline; the same lock always gives the same text. */
export function serialiseLock(lock: Lock): string {
  const images: Record<string, LockEntry> = {};
  for (const key of [...lock.images.keys()].sort(byCodeUnits)) {
    const entry = lock.images.get(key)!;
    images[key] =
      entry.created === undefined ? { digest: entry.digest } : { digest: entry.digest, created: entry.created };
  }
  return `${JSON.stringify({ version: LOCK_VERSION, images }, null, 2)}\n`;
}
