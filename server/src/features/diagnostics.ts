// Findings about one image reference, with the codes of shared/rules.ts: what the file says (offline codes) and what
// the registry said about it (online codes). Pure: what the registry said arrives as an `Online` value; this module
// never asks anything itself.
import { lockedView, type LockState } from '../lock/state';
import { notAsked, type Online } from '../lookup/answer';
import type { Newer } from '../lookup/newer';
import { asksRegistry } from '../lookup/question';
import { referenceText } from '../references/reference';
import type { ImageReference, Range } from '../references/types';
import { explain, type RegistryError, type RegistryErrorKind, type Result } from '../registry/index';
import { ruleFor, type DiagnosticCode, type Severity } from '../shared/rules';
import { formatAge, shortDigest } from '../shared/text';

export interface Finding {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: Range;
  /** Other places the finding is about (`inconsistent-pin`: the same tag pinned elsewhere). */
  related?: RelatedPlace[];
}

/** Another place a finding names: the editor's related information, SARIF's related locations, JSON's `related`. */
export interface RelatedPlace {
  /** As outputs show it (relative path). */
  file: string;
  /** Where the caller has one (the editor). */
  uri?: string;
  range: Range;
  message: string;
}

// --- what the registry said -----------------------------------------------------------------------------------

export interface DiagnoseOptions {
  /** Clock for "built 5 days ago" (ms since the epoch). Default Date.now(). */
  now?: number;
  /** The answers came from the cache without asking the registry: messages say so, and how old they are. */
  offline?: boolean;
  /**
   * What the lock that applies to the file says about the reference (lock/state.ts). Locked: no `unpinned` /
   * `latest`; `online` is then the answer about the locked digest as a pin (drift, lost digest). Not locked:
   * `not-locked` instead of `unpinned` / `latest`.
   */
  lock?: LockState | null;
  /**
   * The newer versions of the reference's tag, when they were asked for (the `outdated` code is on): an `outdated`
   * finding names them. Absent or null (not a version, not asked): none.
   */
  newer?: Result<Newer> | null;
}

const finding = (
  ref: ImageReference,
  code: DiagnosticCode,
  message: string,
  severity = ruleFor(code).severity,
): Finding => ({
  code,
  severity,
  message,
  range: ref.range,
});

/**
 * Findings for one reference. Offline (no `online`), at most one: each reference has one thing most worth saying.
 * With what the registry said: a pin adds drift / lost digest / lost tag / why it could not be checked; an unpinned
 * reference's finding names the digest to pin, or is replaced by `tag-not-found`, or joined by `registry-error`.
 * Ignored (`# digest-pin: ignore`) references have none; variable and invalid ones never have online findings.
 */
export function diagnose(ref: ImageReference, online?: Online, options: DiagnoseOptions = {}): Finding[] {
  if (ref.ignored) return [];
  const outdated = outdatedFinding(ref, options.newer);
  const found = diagnoseOwn(ref, online, options);
  return outdated === null ? found : [...found, outdated];
}

/** `outdated`: the newest tag per level, when the repository has newer versions of the tag. */
export function outdatedFinding(ref: ImageReference, newer: Result<Newer> | null | undefined): Finding | null {
  if (!newer?.ok || newer.value.offers.length === 0 || ref.localBuild) return null;
  const offers = newer.value.offers.map((offer) => `${offer.tag} (${offer.level})`).join(', ');
  const upgrade = newer.value.offers.some((offer) => offer.level !== 'major')
    ? `; 'digest-pin pin --upgrade ${newer.value.offers[0]!.level === 'patch' ? 'patch' : 'minor'}' moves to it`
    : '';
  const capped = newer.value.truncated ? ' (from the first tags listed: the repository has more)' : '';
  return finding(ref, 'outdated', `${referenceText(ref)} has newer versions: ${offers}${capped}${upgrade}`);
}

function diagnoseOwn(ref: ImageReference, online: Online | undefined, options: DiagnoseOptions): Finding[] {
  const lock = options.lock ?? undefined;
  const now = options.now ?? Date.now();
  if (lock?.kind === 'locked' && ref.status === 'unpinned') {
    if (online?.kind !== 'pin') return [];
    return pinFindings(lockedView(ref, lock.digest), online, now, options.offline === true, lock.lock);
  }
  const found = staticFinding(ref, lock);
  const fallback = found === null ? [] : [found];
  if (online === undefined || !asksRegistry(ref)) return fallback;
  if (online.kind === 'tag' && ref.status === 'unpinned')
    return tagFindings(ref, online, now, options.offline === true, lock) ?? fallback;
  if (online.kind === 'pin' && ref.status === 'pinned') return pinFindings(ref, online, now, options.offline === true);
  return fallback;
}

function staticFinding(ref: ImageReference, lock?: LockState): Finding | null {
  switch (ref.status) {
    case 'invalid':
      return finding(
        ref,
        'invalid-reference',
        `'${referenceText(ref)}' is not a valid image reference: ${ref.error ?? 'it does not match the reference grammar'}`,
      );
    case 'variable':
      return finding(
        ref,
        'variable',
        ref.variable ??
          `'${referenceText(ref)}' is built from variables; its value is only known at build or deploy time`,
      );
    case 'pinned':
      return null;
    case 'unpinned':
      return unpinnedFinding(ref, undefined, lock);
  }
}

/** `hint`: the digest to pin, in the words of each message, once the registry has said it. */
function unpinnedFinding(ref: ImageReference, hint?: { unpinned: string; latest: string }, lock?: LockState): Finding {
  if (lock?.kind === 'not-locked' && !ref.localBuild) {
    return finding(
      ref,
      'not-locked',
      `${referenceText(ref)} is not locked: ${lock.lock} has no entry for ${lock.key}; run 'digest-pin lock' to record ${hint?.unpinned ?? 'its digest'}`,
    );
  }
  if (ref.localBuild) {
    return finding(
      ref,
      'unpinned',
      `${referenceText(ref)} names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin`,
      'information',
    );
  }
  const latestHint = hint?.latest ?? '';
  if (ref.tag === null) {
    return finding(
      ref,
      'latest',
      `${referenceText(ref)} has no tag, so it means ${referenceText(ref)}:latest, which moves with every release; pin a version tag to a digest${latestHint}`,
    );
  }
  if (ref.tag === 'latest') {
    return finding(
      ref,
      'latest',
      `${referenceText(ref)} uses the 'latest' tag, which moves with every release; pin a version tag to a digest${latestHint}`,
    );
  }
  return finding(ref, 'unpinned', `${referenceText(ref)} is a mutable tag; pin it to ${hint?.unpinned ?? 'a digest'}`);
}

/** Findings of an unpinned reference whose tag was looked up; null when nothing was learnt (offline miss). */
function tagFindings(
  ref: ImageReference,
  online: Extract<Online, { kind: 'tag' }>,
  now: number,
  offline: boolean,
  lock?: LockState,
): Finding[] | null {
  const { result, platform } = online;
  if (result.ok) {
    const r = result.value;
    const from = offline || r.stale ? fromCache(now - r.checkedAt) : '';
    const short = shortDigest(r.digest);
    const hint = {
      unpinned: `its current ${platform ? `${platform} ` : ''}digest ${short}${from}`,
      latest: ` (${ref.tag ?? 'latest'} points to ${short}${platform ? ` for ${platform}` : ''} now${from})`,
    };
    return [unpinnedFinding(ref, hint, lock)];
  }
  const { error } = result;
  if (notAsked(error)) return null;
  if (error.kind === 'not-found' && !online.platformMissing) {
    return [
      finding(
        ref,
        'tag-not-found',
        `${referenceText(ref)} cannot be pulled: ${explain(error)}; check the spelling, or use a tag the repository has`,
      ),
    ];
  }
  const advice = online.platformMissing
    ? '; pick a platform the image is built for, or pin the multi-platform index (no --platform)'
    : undefined;
  return [unpinnedFinding(ref, undefined, lock), registryError(ref, error, advice)];
}

const fromCache = (age: number): string => ` (from the cache, checked ${formatAge(age)} ago)`;

function pinFindings(
  ref: ImageReference,
  online: Extract<Online, { kind: 'pin' }>,
  now: number,
  offline: boolean,
  /** The lock the digest was read from, when it is a locked entry rather than a pin written in the file. */
  lockName?: string,
): Finding[] {
  const { status } = online;
  const whole = referenceText(ref);
  const written = whole.slice(0, whole.lastIndexOf('@'));
  const yours = lockName === undefined ? 'your pin' : `the digest locked in ${lockName}`;
  switch (status.status) {
    case 'current':
      return [];
    case 'drifted': {
      const from = offline ? fromCache(now - status.checkedAt) : '';
      return [
        finding(
          ref,
          'tag-drift',
          driftMessage(written, status.pinned, status.current, online.created ?? {}, now, yours) + from,
        ),
      ];
    }
    case 'gone': {
      const next = online.tag
        ? `; the tag now points to ${shortDigest(online.tag.digest)}, pin that`
        : '; pin the digest the tag points to now';
      const from = offline ? fromCache(now - status.checkedAt) : '';
      return [
        finding(
          ref,
          'digest-not-found',
          `${written}@${shortDigest(status.pinned)}${lockName === undefined ? '' : ` (locked in ${lockName})`} cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository)${next}${from}`,
        ),
      ];
    }
    case 'unknown': {
      const { error } = status;
      if (notAsked(error)) return [];
      if (error.kind === 'not-found') {
        // Pulling by digest may still work; the tag can no longer say what the pin should follow.
        return [
          finding(
            ref,
            'tag-not-found',
            `${written}: ${explain(error)}; the pinned digest was not checked — pin a tag that exists`,
            'warning',
          ),
        ];
      }
      return [registryError(ref, error)];
    }
  }
}

/** What to do, for the kinds whose message (registry/errors.ts) does not already say it. */
const ADVICE: Partial<Record<RegistryErrorKind, string>> = {
  'invalid-response': '; try again later, and tell the registry operator if it persists',
  invalid: '; this reference cannot be looked up as written',
};

function registryError(ref: ImageReference, error: RegistryError, advice = ADVICE[error.kind] ?? ''): Finding {
  return finding(
    ref,
    'registry-error',
    `could not check ${referenceText(ref)} (${error.kind}): ${explain(error)}${advice}`,
  );
}

export function driftMessage(
  written: string,
  pinned: string,
  current: string,
  created: { pinned?: string; current?: string },
  now: number,
  subject = 'your pin',
): string {
  const head = `${written} has moved on: the tag now points to ${shortDigest(current)}`;
  const yours = `${subject} ${shortDigest(pinned)}`;
  const pinnedAt = created.pinned === undefined ? NaN : Date.parse(created.pinned);
  const currentAt = created.current === undefined ? NaN : Date.parse(created.current);
  const knowPinned = !Number.isNaN(pinnedAt);
  const knowCurrent = !Number.isNaN(currentAt);
  if (knowPinned && knowCurrent) {
    const behind = currentAt - pinnedAt;
    const relation =
      behind > 0
        ? `is ${formatAge(behind)} older`
        : behind < 0
          ? `is ${formatAge(-behind)} newer (the tag was moved back)`
          : 'was built at the same time';
    return `${head}, built ${formatAge(now - currentAt)} ago; ${yours} ${relation}`;
  }
  if (knowCurrent) return `${head}, built ${formatAge(now - currentAt)} ago; ${yours} has no known build date`;
  if (knowPinned) return `${head} (build date unknown); ${yours} was built ${formatAge(now - pinnedAt)} ago`;
  return `${head}; build dates are unknown, so how far ${yours} is behind is not known`;
}
