// What a tag says about its version, and which tags of a repository are newer versions of the same line.
//
// Image tags are not semver. Following the convention Renovate's docker versioning documents (and most official
// images follow), a tag is `[v]<numbers>[<pre-release>][-<suffix>]`: the text after the first hyphen names a
// variant (`-slim`, `-alpine3.20`, `-bookworm`), never a pre-release, and a tag only moves to another tag with the
// same variant, the same `v` prefix and the same precision (`1.25` → `1.26`, never → `1.26.0`). Whatever cannot be
// ordered with confidence (names, commit hashes, dates next to small numbers, mixed shapes) is not a version.

export interface TagVersion {
  readonly tag: string;
  /** `v` or `V` when the tag starts with one; part of the shape. */
  readonly prefix: string;
  /** The dotted numbers: `3.12.7` → [3, 12, 7]. */
  readonly release: readonly number[];
  /** A build number after `_` (`17.0.9_9` → 9; Eclipse Temurin's tags), else undefined. */
  readonly build?: number;
  /** Letters (and digits) glued to the numbers: `rc1` in `3.13.0rc1`, `b2`, `alpha`. Empty for a release. */
  readonly prerelease: string;
  /** The variant after the first hyphen: `slim`, `alpine3.20`, `bookworm`; empty when there is none. */
  readonly suffix: string;
}

/** More components than this is not a version someone bumps (`1.2.3.4.5`: a build id). */
const MAX_COMPONENTS = 4;
/** A component this long is a date, a timestamp or a build id, not a version number (unless it is the only one). */
const MAX_COMPONENT_DIGITS = 8;
/** A hex word this long that is not all digits is a commit hash (`a1b2c3d`), not a version. */
const COMMIT_HASH = /^[0-9a-f]{7,40}$/;
const SHAPE = /^(?<prefix>[vV]?)(?<numbers>\d+(?:\.\d+)*)(?:_(?<build>\d+))?(?<prerelease>[A-Za-z][A-Za-z0-9.]*)?$/;
const PRERELEASE = /^(?:a|b|alpha|beta|rc|pre|preview|dev|m|milestone|c|cr|ea|snapshot)\.?\d*$/i;

/** The version a tag states, or null when it does not look like one. */
export function parseTagVersion(tag: string): TagVersion | null {
  if (tag.length === 0 || tag.length > 128) return null;
  if (COMMIT_HASH.test(tag) && !/^\d+$/.test(tag)) return null;
  const hyphen = tag.indexOf('-');
  const head = hyphen < 0 ? tag : tag.slice(0, hyphen);
  const suffix = hyphen < 0 ? '' : tag.slice(hyphen + 1);
  if (hyphen >= 0 && suffix.length === 0) return null;
  const groups = SHAPE.exec(head)?.groups;
  if (!groups) return null;
  const parts = groups['numbers']!.split('.');
  if (parts.length > MAX_COMPONENTS) return null;
  if (parts.length > 1 && parts.some((part) => part.length > MAX_COMPONENT_DIGITS)) return null;
  if (parts.some((part) => part.length > 15)) return null;
  const prerelease = groups['prerelease'] ?? '';
  // A word glued to the numbers must read as a pre-release (`rc1`, `beta2`); `8u312` or `3x` are not orderable.
  if (prerelease && !PRERELEASE.test(prerelease)) return null;
  const build = groups['build'];
  return {
    tag,
    prefix: groups['prefix']!,
    release: parts.map(Number),
    ...(build !== undefined ? { build: Number(build) } : {}),
    prerelease,
    suffix,
  };
}

/**
 * The shape two tags must share to be compared: prefix, precision, build number present, variant, and the first
 * number's size class (`2024.10` and `20240923` are dates, `3.12` and `3` versions; they never compare).
 */
export function shapeOf(version: TagVersion): string {
  const digits = String(version.release[0]).length;
  const first = digits <= 3 ? 'n' : String(digits);
  const build = version.build !== undefined ? '_' : '';
  return `${version.prefix}|${version.release.length}${build}|${first}|${version.suffix}`;
}

export const sameShape = (a: TagVersion, b: TagVersion): boolean => shapeOf(a) === shapeOf(b);

/** Orders two versions of the same shape: numbers, then build, then a release after its pre-releases. */
export function compareVersions(a: TagVersion, b: TagVersion): number {
  const length = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < length; i++) {
    const diff = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  const build = (a.build ?? 0) - (b.build ?? 0);
  if (build !== 0) return Math.sign(build);
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === '') return 1;
  if (b.prerelease === '') return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

const PRERELEASE_RANK = ['dev', 'a', 'alpha', 'b', 'beta', 'm', 'milestone', 'ea', 'pre', 'preview', 'c', 'rc', 'cr'];

function comparePrerelease(a: string, b: string): number {
  const [wordA, numberA] = splitPrerelease(a);
  const [wordB, numberB] = splitPrerelease(b);
  const rank = (word: string): number => PRERELEASE_RANK.indexOf(word === 'snapshot' ? 'dev' : word);
  if (wordA !== wordB) return Math.sign(rank(wordA) - rank(wordB));
  return Math.sign(numberA - numberB);
}

function splitPrerelease(text: string): [string, number] {
  const match = /^([a-z]+)\.?(\d*)$/.exec(text.toLowerCase());
  return match ? [match[1]!, match[2] ? Number(match[2]) : 0] : [text.toLowerCase(), 0];
}

/** How far a newer tag moves: its first differing number. A precision-2 tag has no patch level. */
export type UpgradeLevel = 'patch' | 'minor' | 'major';
export const UPGRADE_LEVELS: readonly UpgradeLevel[] = ['patch', 'minor', 'major'];

export type NewerTags = Partial<Record<UpgradeLevel, string>>;

/**
 * The newest tag at each level that is newer than `current` and has its shape: `patch` keeps major and minor,
 * `minor` keeps major, `major` any. Pre-releases are offered only to a tag that is itself a pre-release, and only
 * within its own release line (`3.13.0rc1` → `3.13.0rc2` or `3.13.0`). Empty when `current` is not a version.
 */
export function newerTags(current: string, tags: Iterable<string>): NewerTags {
  const from = parseTagVersion(current);
  if (!from) return {};
  const shape = shapeOf(from);
  const best: Partial<Record<UpgradeLevel, TagVersion>> = {};
  for (const tag of tags) {
    const candidate = parseTagVersion(tag);
    if (!candidate || shapeOf(candidate) !== shape || compareVersions(candidate, from) <= 0) continue;
    if (candidate.prerelease && !(from.prerelease && sameRelease(candidate, from))) continue;
    const level = levelOf(from, candidate);
    if (!level) continue;
    const held = best[level];
    // Ties (`1.2` and `1.02`) keep the first seen: registries list tags in a stable order.
    if (!held || compareVersions(candidate, held) > 0) best[level] = candidate;
  }
  const result: NewerTags = {};
  for (const level of UPGRADE_LEVELS) {
    const found = best[level];
    if (found) result[level] = found.tag;
  }
  return result;
}

/** The level of the move from `from` to the newer `to`; null for a move within the last number's pre-releases. */
export function levelOf(from: TagVersion, to: TagVersion): UpgradeLevel | null {
  const index = from.release.findIndex((n, i) => n !== to.release[i]);
  const precision = from.release.length;
  if (index < 0) return precision >= 3 ? 'patch' : precision === 2 ? 'minor' : 'major';
  if (index === 0) return 'major';
  if (index === 1) return 'minor';
  return 'patch';
}

const sameRelease = (a: TagVersion, b: TagVersion): boolean =>
  a.release.length === b.release.length && a.release.every((n, i) => n === b.release[i]);

/** True when a tag is worth listing the repository's tags for (a version; never `latest` or a name). */
export const looksVersioned = (tag: string): boolean => parseTagVersion(tag) !== null;

/** The newest tag at or below `level` (patch ⊂ minor ⊂ major): what `pin --upgrade <level>` writes. */
export function upgradeWithin(newer: NewerTags, level: UpgradeLevel): string | undefined {
  const allowed = UPGRADE_LEVELS.slice(0, UPGRADE_LEVELS.indexOf(level) + 1).reverse();
  for (const candidate of allowed) if (newer[candidate]) return newer[candidate];
  return undefined;
}
