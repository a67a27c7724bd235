// Findings (features/diagnostics.ts) → LSP diagnostics: the configured severity per code, a link to the code's
// README section, source "digest-pin", and the staleness rule for drifted pins. Pure; memoised per YAML document
// (references/incremental.ts groups), so a 10,000-reference document costs little to publish again after an edit.
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver';
import { atLeast, ruleFor, ruleHelpUri, type Severity } from '../shared/rules';
import { diagnose, type Finding } from '../features/diagnostics';
import type { LockState } from '../lock/state';
import { type Online } from '../lookup/answer';
import type { Newer } from '../lookup/newer';
import type { Result } from '../registry/index';
import { familiarName } from '../references/imageRef';
import type { ReferenceGroup } from '../references/incremental';
import type { FileNote, ImageReference, Range } from '../references/types';
import { ownCopy } from '../references/strings';
import { isIgnoredName, type Settings } from '../shared/settings';

export const SOURCE = 'digest-pin';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DiagnosticsContext {
  settings: Settings;
  now: number;
  /** Answers come from the cache only (offline setting). */
  offline: boolean;
  /** What the registry said, per reference (absent: not asked or not answered yet). */
  online(ref: ImageReference): Online | undefined;
  /** What the lock that applies to the document says about the reference (absent: no lock applies). */
  lock?(ref: ImageReference): LockState | null;
  /** Newer versions of the reference's tag (only while the `outdated` code is on; absent: not known yet). */
  newer?(ref: ImageReference): Result<Newer> | undefined;
}

/** True when the settings leave this reference alone (an ignore glob matches its name). */
export function ignoredBySettings(ref: ImageReference, settings: Settings): boolean {
  return (
    ref.name !== null && settings.ignore.length > 0 && isIgnoredName(ref.name, familiarName(ref.name), settings.ignore)
  );
}

/**
 * The severity a finding is shown with, or null when its code is turned off. A drifted pin whose image is older
 * than `stalenessDays` is at least a warning: a pin must not silently mean missing the fixes published since.
 */
export function severityOf(
  finding: Finding,
  online: Online | undefined,
  settings: Settings,
  now: number,
): Severity | null {
  const setting = settings.severity[finding.code];
  if (setting === 'off') return null;
  // Left at the code's default, the finding keeps its own severity (a local build's `unpinned` is information).
  const configured = setting === ruleFor(finding.code).severity ? finding.severity : setting;
  if (finding.code === 'tag-drift' && settings.stalenessDays > 0 && online?.kind === 'pin') {
    const built = online.created?.pinned === undefined ? NaN : Date.parse(online.created.pinned);
    if (!Number.isNaN(built) && now - built > settings.stalenessDays * DAY_MS && !atLeast(configured, 'warning'))
      return 'warning';
  }
  return configured;
}

/** One link object per code, shared by every diagnostic of that code (10,000 diagnostics, 8 links). */
const LINKS = new Map<string, { href: string }>();
const linkOf = (code: Finding['code']): { href: string } => {
  let link = LINKS.get(code);
  if (link === undefined) LINKS.set(code, (link = Object.freeze({ href: ruleHelpUri(code) })));
  return link;
};

export function toDiagnostic(finding: Finding, severity: Severity, extra = ''): Diagnostic {
  return {
    range: finding.range,
    severity: SEVERITY[severity],
    code: finding.code,
    codeDescription: linkOf(finding.code),
    source: SOURCE,
    // Built from pieces, kept as long as the diagnostic: one flat string (strings.ts).
    message: ownCopy(finding.message + extra),
  };
}

function stalenessNote(finding: Finding, online: Online | undefined, settings: Settings, now: number): string {
  if (finding.code !== 'tag-drift' || settings.stalenessDays <= 0 || online?.kind !== 'pin') return '';
  const built = online.created?.pinned === undefined ? NaN : Date.parse(online.created.pinned);
  if (Number.isNaN(built) || now - built <= settings.stalenessDays * DAY_MS) return '';
  return ` (older than ${settings.stalenessDays} days: review the update for security fixes)`;
}

/** Diagnostics of one reference (none when ignored by a comment or a setting, or every code is off). */
export function referenceDiagnostics(ref: ImageReference, context: DiagnosticsContext): Diagnostic[] {
  if (ignoredBySettings(ref, context.settings)) return [];
  const online = context.online(ref);
  const out: Diagnostic[] = [];
  const lock = context.lock?.(ref) ?? null;
  const newer = context.newer?.(ref);
  const options = { now: context.now, offline: context.offline, lock, ...(newer === undefined ? {} : { newer }) };
  for (const finding of diagnose(ref, online, options)) {
    const severity = severityOf(finding, online, context.settings, context.now);
    if (severity !== null)
      out.push(toDiagnostic(finding, severity, stalenessNote(finding, online, context.settings, context.now)));
  }
  return out;
}

/**
 * A file note (unreadable YAML, a skipped binary or huge file) as a diagnostic at its place, or the top of the file.
 * YAML syntax errors are hints: the editor's YAML support reports them already, this only says why references
 * after that point may be missing.
 */
export function noteDiagnostic(note: FileNote): Diagnostic {
  const syntax = note.message.startsWith('YAML syntax error') || /more YAML errors not shown$/.test(note.message);
  const start = { line: 0, character: 0 };
  return {
    range: note.range ?? { start, end: start },
    severity: syntax ? DiagnosticSeverity.Hint : SEVERITY[note.severity],
    source: SOURCE,
    message: note.message,
  };
}

const NONE: readonly Diagnostic[] = Object.freeze([]);

/**
 * Memoises diagnostics per group of references (a part of a YAML stream, or a whole Dockerfile): a group unchanged since
 * the last call costs one lookup, a group an edit above only moved costs moving its diagnostics' ranges. Cleared
 * whenever what diagnostics depend on changes (settings, registry answers).
 */
export class DiagnosticsMemo {
  private memo = new WeakMap<readonly ImageReference[], readonly Diagnostic[]>();

  clear(): void {
    this.memo = new WeakMap();
  }

  private group(group: ReferenceGroup, context: DiagnosticsContext): readonly Diagnostic[] {
    let found = this.memo.get(group.references);
    if (found !== undefined) return found;
    let read = this.memo.get(group.read);
    if (read === undefined) {
      const built: Diagnostic[] = [];
      for (const ref of group.read) for (const diagnostic of referenceDiagnostics(ref, context)) built.push(diagnostic);
      // Kept until the group changes: an array of its own length (one grown by push holds 17 slots or more).
      read = built.length === 0 ? NONE : built.slice();
      this.memo.set(group.read, read);
    }
    found =
      group.lines === 0
        ? read
        : read.map((diagnostic) => ({ ...diagnostic, range: moveRange(diagnostic.range, group.lines) }));
    this.memo.set(group.references, found);
    return found;
  }

  all(groups: readonly ReferenceGroup[], notes: readonly FileNote[], context: DiagnosticsContext): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const group of groups) for (const diagnostic of this.group(group, context)) out.push(diagnostic);
    for (const note of notes) out.push(noteDiagnostic(note));
    return out;
  }
}

const moveRange = (range: Range, lines: number): Range => ({
  start: { line: range.start.line + lines, character: range.start.character },
  end: { line: range.end.line + lines, character: range.end.character },
});

/** Groups for references that were not read by parts (tests, workspace edits): one group. */
export const oneGroup = (references: readonly ImageReference[]): ReferenceGroup[] => [
  { references, read: references, lines: 0 },
];
