// Newer versions of a reference's tag: the repository's tags (registry listTags: cached for hours) → the newest of
// the same shape per level (references/versions.ts newerTags) → for the hover, the quick fix and `pin --upgrade`,
// each offered tag's digest (a HEAD, as any resolve) and build date. Asked only for a tag that looks like a version:
// never for `latest`, a name or a digest-only reference, and never by a plain `check` (which stays HEAD-only).
import { parseImageReference, type ParsedImageRef } from '../references/imageRef';
import { referenceText } from '../references/reference';
import type { ImageReference } from '../references/types';
import { looksVersioned, newerTags, UPGRADE_LEVELS, type UpgradeLevel } from '../references/versions';
import type { RegistryClient, RegistryError, Resolution, Result } from '../registry/index';
import { asksRegistry, platformFor } from './question';

export interface NewerOffer {
  level: UpgradeLevel;
  tag: string;
  /** What the tag points to, when it was looked up (`resolve`); with `dates`, its build date too. */
  resolution?: Result<Resolution>;
}

/** The newer tags of a reference's repository, newest per level (patch, minor, major), in that order. */
export interface Newer {
  offers: NewerOffer[];
  /** The tag list was capped (a huge repository): a newer version may exist beyond what was read. */
  truncated: boolean;
  /** The tag list came from the cache. */
  fromCache: boolean;
}

export interface NewerOptions {
  /** The platform the reference's question asks for (a platform image's digest is what gets written). */
  platform?: string;
  /**
   * Look up each offered tag's digest (hover, quick fix); a level: only the offer `pin --upgrade <level>` writes
   * (offerWithin); false: the tag list alone (`check`'s `outdated`).
   */
  resolve: boolean | UpgradeLevel;
  /** With `resolve`: each offered image's build date too (the hover). */
  dates?: boolean;
  signal?: AbortSignal;
}

/** Whether a reference's tag is worth listing its repository's tags for. */
export const asksNewer = (parsed: Pick<ParsedImageRef, 'tag'>): boolean =>
  parsed.tag !== null && looksVersioned(parsed.tag);

/** The newer versions of `parsed`'s tag, or null when its tag is not a version (nothing is asked then). */
export async function askNewer(
  client: RegistryClient,
  parsed: ParsedImageRef,
  options: NewerOptions,
): Promise<Result<Newer> | null> {
  if (!asksNewer(parsed)) return null;
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const listed = await client.listTags(parsed, signal);
  if (!listed.ok) return listed;
  const newer = newerTags(parsed.tag!, listed.value.tags);
  const found = UPGRADE_LEVELS.filter((level) => newer[level] !== undefined);
  const { resolve } = options;
  const chosen =
    typeof resolve === 'string'
      ? offerWithin(
          { offers: found.map((level) => ({ level, tag: newer[level]! })), truncated: false, fromCache: false },
          resolve,
        )
      : undefined;
  const offers = await Promise.all(
    found.map(async (level): Promise<NewerOffer> => {
      const tag = newer[level]!;
      if (resolve === false || (typeof resolve === 'string' && chosen?.level !== level)) return { level, tag };
      const resolution = await client.resolve(
        { ...parsed, tag, digest: null },
        {
          ...(options.platform === undefined ? {} : { platform: options.platform }),
          ...(options.dates === true ? { details: true } : {}),
          ...signal,
        },
      );
      return { level, tag, resolution };
    }),
  );
  return { ok: true, value: { offers, truncated: listed.value.truncated, fromCache: listed.value.fromCache } };
}

export interface LookUpNewerOptions {
  /** `--platform`, as lookup/question.ts reads it. */
  platform: string | null;
  resolve: NewerOptions['resolve'];
}

/**
 * The newer versions of every reference whose tag looks like a version (`check` with `outdated` on, `pin
 * --upgrade`): each repository's tag list once (cached for hours), each `name:tag` once however many files repeat it.
 */
export async function lookUpNewer(
  refs: readonly ImageReference[],
  client: RegistryClient,
  options: LookUpNewerOptions,
): Promise<Map<ImageReference, Result<Newer>>> {
  const asked = new Map<string, Promise<Result<Newer> | null>>();
  const answers = new Map<ImageReference, Result<Newer>>();
  await Promise.all(
    refs.map(async (ref) => {
      if (!asksRegistry(ref) || ref.tag === null) return;
      const parsed = parseImageReference(referenceText(ref));
      if (!parsed.ok || !asksNewer(parsed.value)) return;
      const platform = platformFor(ref, options.platform);
      const key = `${parsed.value.name}:${parsed.value.tag!} ${platform ?? ''}`;
      let answer = asked.get(key);
      if (answer === undefined) {
        answer = askNewer(client, parsed.value, {
          resolve: options.resolve,
          ...(platform === undefined ? {} : { platform }),
        });
        asked.set(key, answer);
      }
      const result = await answer;
      if (result !== null) answers.set(ref, result);
    }),
  );
  return answers;
}

/** The offer `pin --upgrade <level>` writes: the newest at or below that level (patch ⊂ minor ⊂ major). */
export function offerWithin(newer: Newer, level: UpgradeLevel): NewerOffer | undefined {
  const allowed = UPGRADE_LEVELS.slice(0, UPGRADE_LEVELS.indexOf(level) + 1).reverse();
  for (const candidate of allowed) {
    const offer = newer.offers.find((o) => o.level === candidate);
    if (offer !== undefined) return offer;
  }
  return undefined;
}

/** An offer's digest, when it was looked up and found. */
export const offerDigest = (offer: NewerOffer): string | undefined =>
  offer.resolution?.ok === true ? offer.resolution.value.digest : undefined;

/** Why an offer has no digest, when its look-up failed. */
export const offerError = (offer: NewerOffer): RegistryError | undefined =>
  offer.resolution?.ok === false ? offer.resolution.error : undefined;
