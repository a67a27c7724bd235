// Findings about one image reference, and the one table of diagnostic codes every surface reads:
// the CLI's text / JSON / SARIF output, the README's table, and the LSP server's diagnostics.
// Pure: what the registry said arrives as an `Online` value; this module never asks anything itself.
import type { ImageReference, Range } from '../references/types';
import {
  explain,
  type PinStatus,
  type RegistryError,
  type RegistryErrorKind,
  type Resolution,
  type Result,
} from '../registry/index';

/** LSP's four severities, by name. */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Codes that need nothing but the text of the file. */
export type OfflineCode = 'unpinned' | 'latest' | 'invalid-reference' | 'variable';

/** Codes that need an answer from the registry (see `Resolution`). */
export type OnlineCode = 'tag-drift' | 'digest-not-found' | 'tag-not-found' | 'registry-error';

export type DiagnosticCode = OfflineCode | OnlineCode;

export interface Rule {
  code: DiagnosticCode;
  severity: Severity;
  /** One line: what the finding is. */
  title: string;
  /** Why it matters, in a sentence or two. */
  why: string;
  /** What to do about it. */
  fix: string;
  /** Reported only when the registry is asked (never by `check --offline`). */
  online: boolean;
}

/** Severities from most to least severe; the index orders them. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint'];

/** The table, total over the codes. Its order is the order of the README table and of the SARIF rules. */
const TABLE: Record<DiagnosticCode, Omit<Rule, 'code'>> = {
  unpinned: {
    severity: 'warning',
    title: 'Image reference uses a mutable tag',
    why: 'A tag is a pointer the publisher can move: the same file can pull different images tomorrow, and a compromised or broken push reaches you silently.',
    fix: 'Pin the reference to a digest and keep the tag for readers: `python:3.12-slim@sha256:…`. Run `digest-pin pin` or use the quick fix in your editor.',
    online: false,
  },
  latest: {
    severity: 'warning',
    title: "Image reference uses the 'latest' tag",
    why: '`latest` (also what a reference without a tag means) follows every release, including major versions, so rebuilds change behaviour without any change to the file.',
    fix: 'Name a version tag and pin its digest: `nginx:1.27@sha256:…`.',
    online: false,
  },
  'invalid-reference': {
    severity: 'error',
    title: 'Not a valid image reference',
    why: 'Docker, Kubernetes and CI runners reject this reference, or read it as something other than what was meant.',
    fix: 'Correct the reference: lowercase repository path, a tag of letters, digits, `_`, `.` and `-`, and a digest of the form `sha256:<64 hex characters>`.',
    online: false,
  },
  variable: {
    severity: 'information',
    title: 'Image reference is built from variables',
    why: 'Its value is only known at build or deploy time, so it cannot be checked or pinned here.',
    fix: 'Pin where the value is defined (an `ARG` default, a `.env` file, a CI variable), or write the reference literally.',
    online: false,
  },
  'tag-drift': {
    severity: 'information',
    title: 'Pinned digest is no longer what the tag points to',
    why: 'The publisher has pushed a new image under the tag since the digest was pinned; the file still pulls the older one.',
    fix: 'Review the new image and update the digest (`digest-pin pin --update`), or keep the pin on purpose.',
    online: true,
  },
  'digest-not-found': {
    severity: 'error',
    title: 'Pinned digest does not exist in the registry',
    why: 'Pulling this reference fails: the digest was deleted, mistyped, or belongs to another repository.',
    fix: 'Pin the digest the tag points to now (`digest-pin pin --update`).',
    online: true,
  },
  'tag-not-found': {
    severity: 'error',
    title: 'Tag does not exist in the registry',
    why: 'Pulling this reference fails: the tag was never pushed, was deleted, or is misspelt.',
    fix: 'Use a tag the repository has.',
    online: true,
  },
  'registry-error': {
    severity: 'warning',
    title: 'The registry could not be asked about this image',
    why: 'Authentication, rate limits or the network stopped the look-up, so drift and existence are unknown (not wrong).',
    fix: 'Log in with `docker login` for private registries, or retry later; `--offline` skips registry checks.',
    online: true,
  },
};

export const RULES: readonly Rule[] = (Object.keys(TABLE) as DiagnosticCode[]).map((code) => ({
  code,
  ...TABLE[code],
}));

export function ruleFor(code: DiagnosticCode): Rule {
  return { code, ...TABLE[code] };
}

/** Home of the documentation: every code has a heading (and so an anchor) in the README. */
export const DOCS_URL = 'https://github.com/digest-pin/digest-pin';

/** Where a code is explained: the README heading of the same name. */
export function ruleHelpUri(code: DiagnosticCode): string {
  return `${DOCS_URL}#${code}`;
}

export interface Finding {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  range: Range;
}

/** True when `severity` is at or above `threshold` (error ≥ warning ≥ information ≥ hint). */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

// --- what the registry said -----------------------------------------------------------------------------------

/**
 * What the registry (or, offline, its cache) said about one reference; the input of the online findings.
 * Built by whoever asked — the CLI's look-up step, the language server — never by this module.
 */
export type Online =
  /**
   * A reference without a digest: what its tag points to now (`resolve`). With `platform`, that platform's image;
   * `platformMissing` when the tag exists but has no image for it (the error then says which platforms it has).
   */
  | { kind: 'tag'; result: Result<Resolution>; platform?: string; platformMissing?: boolean }
  /**
   * A `name:tag@digest` pin compared with its tag (`checkPin`). `tag` is the tag's own resolution when it was looked
   * up (it says where a lost digest's tag points now); `created` are the build times of the pinned image and of the
   * one the tag points to now, when they were described (drift).
   */
  | { kind: 'pin'; status: PinStatus; tag?: Resolution; created?: { pinned?: string; current?: string } };

/** `current` of the JSON output: what the tag points to now, when the image was built, or why that is unknown. */
export interface Current {
  digest: string | null;
  created: string | null;
  /** The registry error's kind, null when the registry answered. */
  error: RegistryErrorKind | null;
}

export interface DiagnoseOptions {
  /** Clock for "built 5 days ago" (ms since the epoch). Default Date.now(). */
  now?: number;
  /** The answers came from the cache without asking the registry: messages say so, and how old they are. */
  offline?: boolean;
}

/** Errors that mean "nobody was asked": no finding and no `current`, as if the registry had not been consulted. */
const NOT_ASKED: ReadonlySet<RegistryErrorKind> = new Set(['offline', 'cancelled']);

/** Whether a reference is ever sent to a registry: literal, not ignored, not a local build, with a tag to ask about. */
export function asksRegistry(ref: ImageReference): boolean {
  if (ref.ignored || ref.localBuild) return false;
  if (ref.status === 'unpinned') return true;
  return ref.status === 'pinned' && ref.tag !== null;
}

/** What the JSON output says under `current`; undefined when the registry was not asked (or the cache had nothing). */
export function currentOf(online: Online | undefined): Current | undefined {
  if (online === undefined) return undefined;
  const failed = (error: RegistryError): Current | undefined =>
    NOT_ASKED.has(error.kind) ? undefined : { digest: null, created: null, error: error.kind };
  if (online.kind === 'tag') {
    if (!online.result.ok) return failed(online.result.error);
    return { digest: online.result.value.digest, created: online.result.value.created ?? null, error: null };
  }
  const { status, created } = online;
  switch (status.status) {
    case 'current':
      return { digest: status.digest, created: created?.current ?? created?.pinned ?? null, error: null };
    case 'drifted':
      return { digest: status.current, created: created?.current ?? null, error: null };
    case 'gone':
      return { digest: online.tag?.digest ?? null, created: online.tag?.created ?? null, error: null };
    case 'unknown':
      return failed(status.error);
  }
}

const finding = (
  ref: ImageReference,
  code: DiagnosticCode,
  message: string,
  severity = TABLE[code].severity,
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
  const found = staticFinding(ref);
  const fallback = found === null ? [] : [found];
  if (online === undefined || !asksRegistry(ref)) return fallback;
  const now = options.now ?? Date.now();
  if (online.kind === 'tag' && ref.status === 'unpinned')
    return tagFindings(ref, online, now, options.offline === true) ?? fallback;
  if (online.kind === 'pin' && ref.status === 'pinned') return pinFindings(ref, online, now, options.offline === true);
  return fallback;
}

function staticFinding(ref: ImageReference): Finding | null {
  switch (ref.status) {
    case 'invalid':
      return finding(
        ref,
        'invalid-reference',
        `'${ref.text}' is not a valid image reference: ${ref.error ?? 'it does not match the reference grammar'}`,
      );
    case 'variable':
      return finding(
        ref,
        'variable',
        ref.variable ?? `'${ref.text}' is built from variables; its value is only known at build or deploy time`,
      );
    case 'pinned':
      return null;
    case 'unpinned':
      return unpinnedFinding(ref);
  }
}

/** `hint`: the digest to pin, in the words of each message, once the registry has said it. */
function unpinnedFinding(ref: ImageReference, hint?: { unpinned: string; latest: string }): Finding {
  if (ref.localBuild) {
    return finding(
      ref,
      'unpinned',
      `${ref.text} names the image this service builds (it has build:); it is not pulled from a registry, so there is nothing to pin`,
      'information',
    );
  }
  const latestHint = hint?.latest ?? '';
  if (ref.tag === null) {
    return finding(
      ref,
      'latest',
      `${ref.text} has no tag, so it means ${ref.text}:latest, which moves with every release; pin a version tag to a digest${latestHint}`,
    );
  }
  if (ref.tag === 'latest') {
    return finding(
      ref,
      'latest',
      `${ref.text} uses the 'latest' tag, which moves with every release; pin a version tag to a digest${latestHint}`,
    );
  }
  return finding(ref, 'unpinned', `${ref.text} is a mutable tag; pin it to ${hint?.unpinned ?? 'a digest'}`);
}

/** Findings of an unpinned reference whose tag was looked up; null when nothing was learnt (offline miss). */
function tagFindings(
  ref: ImageReference,
  online: Extract<Online, { kind: 'tag' }>,
  now: number,
  offline: boolean,
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
    return [unpinnedFinding(ref, hint)];
  }
  const { error } = result;
  if (NOT_ASKED.has(error.kind)) return null;
  if (error.kind === 'not-found' && !online.platformMissing) {
    return [
      finding(
        ref,
        'tag-not-found',
        `${ref.text} cannot be pulled: ${explain(error)}; check the spelling, or use a tag the repository has`,
      ),
    ];
  }
  const advice = online.platformMissing
    ? '; pick a platform the image is built for, or pin the multi-platform index (no --platform)'
    : undefined;
  return [unpinnedFinding(ref), registryError(ref, error, advice)];
}

const fromCache = (age: number): string => ` (from the cache, checked ${formatAge(age)} ago)`;

function pinFindings(
  ref: ImageReference,
  online: Extract<Online, { kind: 'pin' }>,
  now: number,
  offline: boolean,
): Finding[] {
  const { status } = online;
  const written = ref.text.slice(0, ref.text.lastIndexOf('@'));
  switch (status.status) {
    case 'current':
      return [];
    case 'drifted': {
      const from = offline ? fromCache(now - status.checkedAt) : '';
      return [
        finding(
          ref,
          'tag-drift',
          driftMessage(written, status.pinned, status.current, online.created ?? {}, now) + from,
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
          `${written}@${shortDigest(status.pinned)} cannot be pulled: the registry no longer has this digest (deleted, or never pushed to this repository)${next}${from}`,
        ),
      ];
    }
    case 'unknown': {
      const { error } = status;
      if (NOT_ASKED.has(error.kind)) return [];
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
  return finding(ref, 'registry-error', `could not check ${ref.text} (${error.kind}): ${explain(error)}${advice}`);
}

export function driftMessage(
  written: string,
  pinned: string,
  current: string,
  created: { pinned?: string; current?: string },
  now: number,
): string {
  const head = `${written} has moved on: the tag now points to ${shortDigest(current)}`;
  const yours = `your pin ${shortDigest(pinned)}`;
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

/** `sha256:` and the first 12 hex digits, as `docker images` shows them. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return `${digest.slice(0, colon + 13)}…`;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const unit = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A duration as people say it, rounded down: "3 hours", "41 days", "5 months", "2 years". */
export function formatAge(ms: number): string {
  if (!(ms >= MINUTE)) return 'less than a minute';
  if (ms < HOUR) return unit(Math.floor(ms / MINUTE), 'minute');
  if (ms < 48 * HOUR) return unit(Math.floor(ms / HOUR), 'hour');
  if (ms < 90 * DAY) return unit(Math.floor(ms / DAY), 'day');
  if (ms < 730 * DAY) return unit(Math.floor(ms / (30 * DAY)), 'month');
  return unit(Math.floor(ms / (365 * DAY)), 'year');
}
