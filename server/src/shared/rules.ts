// The one table of diagnostic codes every surface reads: the CLI's text / JSON / SARIF output, the README's table,
// the settings (one severity setting per code) and the language server's diagnostics. Plain data at the bottom of the
// layers: anything may import it, it imports nothing.

/** LSP's four severities, by name. */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Codes that need nothing but the text of the file (and the lock file that applies to it: `not-locked`). */
export type OfflineCode = 'unpinned' | 'latest' | 'invalid-reference' | 'variable' | 'not-locked';

/** Codes that need an answer from the registry (see `Resolution`). */
export type OnlineCode = 'tag-drift' | 'digest-not-found' | 'tag-not-found' | 'registry-error' | 'outdated';

/** Codes about one reference among the others of the workspace (every file `check` read, the editor's index). */
export type WorkspaceCode = 'inconsistent-pin';

export type DiagnosticCode = OfflineCode | OnlineCode | WorkspaceCode;

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
  /**
   * Off unless its severity setting (`digestPin.severity.<code>`, `check --severity <code>=<level>`) turns it on: it
   * costs requests a plain check does not make. `severity` is then what it is reported at.
   */
  offByDefault?: true;
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
  'not-locked': {
    severity: 'warning',
    title: 'Image reference is missing from the lock file',
    why: 'A `digest-pin.lock` applies to this file, so its tags are meant to be locked to digests at build time; this one has no entry, so builds pull whatever the tag points to that day.',
    fix: 'Run `digest-pin lock` to record its digest (existing entries keep theirs), and commit the lock file.',
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
  outdated: {
    severity: 'hint',
    title: 'A newer version of the tag exists',
    why: 'The repository has a newer tag of the same line (`3.12.8-slim` beside `3.12.7-slim`): fixes the file does not get until someone moves the tag, which a pin makes deliberate.',
    fix: 'Review the newer version and move to it: `digest-pin pin --upgrade patch` (or `minor`) writes its tag and digest, or use the "Update to" quick fix.',
    online: true,
    offByDefault: true,
  },
  'inconsistent-pin': {
    severity: 'information',
    title: 'The same tag is pinned to different digests in the workspace',
    why: 'Files that name the same `name:tag` pull different images: a Dockerfile and a compose file pinned a month apart build and run different code.',
    fix: 'Use one digest everywhere: the quick fix "Use the newest pin everywhere" writes the pin built last (or the one the tag points to now), or `digest-pin pin --update` moves every pin to the tag\'s current digest.',
    online: false,
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

/** True when `severity` is at or above `threshold` (error ≥ warning ≥ information ≥ hint). */
/** What a code's severity setting is when nobody set it: its severity, or `off` (`offByDefault`). */
export const defaultSeveritySetting = (rule: Rule): Severity | 'off' => (rule.offByDefault ? 'off' : rule.severity);

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
