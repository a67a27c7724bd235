// Code actions with edits (never commands): pin to the digest the registry gave, pin a platform's image, update a
// drifted or lost pin, pin every reference of the file (also `source.fixAll.digestPin`), and ignore a reference.
// Pure: references, what the registry said (ImageFacts), settings and the lines of the file → LSP CodeActions.
// Every edit is minimal: pinEdit (features/edits.ts) inserts or replaces only the digest.
import type { CodeAction, Diagnostic, TextEdit as LspTextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { formatPlatform, type Platform } from '../registry/index';
import type { ImageReference, Position, Range } from '../references/types';
import type { PinStyle, Settings } from '../shared/settings';
import { shortDigest } from '../shared/text';
import { type DiagnosticCode } from '../shared/rules';
import { pinEdit, tagMovedByPin, type TextEdit } from './edits';
import { pinTarget, refusalReason, type PinAction } from './pinTarget';
import type { ImageFacts } from './facts';
import type { LockState } from '../lock/state';
import { lockEntryOf, lockFileEdit, withEntries, type LockFileView } from './lockEdits';
import { upgradeActions } from './newer';

/**
 * How comments are written in the file: a Dockerfile and a systemd unit file (`ini`, Quadlet) only on lines of their
 * own; JSON has none.
 */
export type FileFormat = 'dockerfile' | 'ini' | 'yaml' | 'json';

export const IGNORE_COMMENT_TEXT = '# digest-pin: ignore';

export interface FileView {
  uri: string;
  /** The document version the edits are for (versioned edits are refused by the client if the text moved on). */
  version: number | null;
  format: FileFormat;
  /** The text of a line, without its line break. */
  lineAt(line: number): string;
  /** The file's line break, for inserted lines. */
  eol: string;
}

export interface CodeActionRequest {
  file: FileView;
  /** Every reference of the file (pin all), and the range the editor asks about. */
  references: readonly ImageReference[];
  range: Range;
  /** The diagnostics the editor sent with the request (the actions say which they fix). */
  diagnostics: readonly Diagnostic[];
  /** `context.only` of the request. */
  only?: readonly string[];
  facts(ref: ImageReference): ImageFacts | undefined;
  settings: Settings;
  /** References a setting leaves alone (ignore globs): no action. */
  skip?(ref: ImageReference): boolean;
  /** The lock file that applies to the file, and what it says about each reference. */
  lock?: { file: LockFileView; state(ref: ImageReference): LockState | null };
}

const QUICK_FIX = 'quickfix';

/** `editor.codeActionsOnSave: { "source.fixAll.digestPin": "explicit" }` pins every image of the file on save. */
export const FIX_ALL_KIND = 'source.fixAll.digestPin';

/** The digest a quick fix writes now, when the registry said (unpinned: the tag's; a pin: where its tag moved). */
function targetOf(ref: ImageReference, facts: ImageFacts | undefined): { digest: string; action: PinAction } | null {
  const target = pinTarget(ref, facts?.online, { pin: true, update: true });
  return target?.ok === true ? { digest: target.digest, action: target.action } : null;
}

/** The platform images of the tag's current index, sorted as the registry listed them. */
export function platformDigests(facts: ImageFacts | undefined): Array<{ platform: Platform; digest: string }> {
  const described = facts?.currentDescription;
  if (!described?.ok || described.value.children === undefined) return [];
  return described.value.children.map((child) => ({ platform: child.platform, digest: child.digest }));
}

const before = (a: Position, b: Position): boolean =>
  a.line < b.line || (a.line === b.line && a.character < b.character);
const intersects = (a: Range, b: Range): boolean => !before(a.end, b.start) && !before(b.end, a.start);
const sameRange = (a: Range, b: Range): boolean =>
  a.start.line === b.start.line &&
  a.start.character === b.start.character &&
  a.end.line === b.end.line &&
  a.end.character === b.end.character;

/**
 * The edits that pin `ref` to `digest` in the configured style. `@digest # tag` replaces the tag by the digest and
 * keeps the tag in a trailing comment, where the file has trailing comments (YAML) and the line has none yet;
 * otherwise, and in a Dockerfile (whose instructions cannot carry a trailing comment: it would become an argument),
 * the tag stays in place: `tag@digest`. Null when the reference cannot be edited (variable, split over lines…).
 */
export function pinEdits(
  ref: ImageReference,
  digest: string,
  style: PinStyle,
  file: Pick<FileView, 'format' | 'lineAt'>,
): TextEdit[] | null {
  const whole = ref.parts === undefined;
  if (style === '@digest # tag' && whole && ref.status === 'unpinned' && ref.tag !== null && file.format === 'yaml') {
    const line = file.lineAt(ref.range.start.line);
    const commentAt = trailingCommentAt(line, ref);
    const written = pinEdit(ref, digest);
    if (commentAt !== null && written.ok && !line.slice(ref.range.end.character).includes('#')) {
      const tagStart = { line: ref.range.end.line, character: ref.range.end.character - ref.tag.length - 1 };
      return [
        { range: { start: tagStart, end: ref.range.end }, newText: `@${digest}` },
        {
          range: {
            start: { line: ref.range.start.line, character: commentAt },
            end: { line: ref.range.start.line, character: commentAt },
          },
          newText: ` # ${ref.tag}`,
        },
      ];
    }
  }
  const result = pinEdit(ref, digest);
  return result.ok ? [result.edit] : null;
}

/** Where a split reference's digest goes, for the quick fix's title: its field, a new key, or after the tag. */
export function writtenWhere(ref: ImageReference): string {
  if (ref.parts === undefined) return '';
  const slot = ref.digestSlot;
  if (slot?.kind === 'field') return ` in ${slot.field}:`;
  if (slot?.kind === 'new-key') return ` as a new ${slot.field}: key`;
  return ` after the tag ${ref.text}`;
}

/**
 * Where a trailing YAML comment can go on the reference's line (its end, before trailing blanks), or null when a
 * `#` there would not be a comment: the reference is a block scalar's content (nothing but indentation before it),
 * or the line ends inside a quoted scalar that goes on to the next line.
 */
export function trailingCommentAt(line: string, ref: ImageReference): number | null {
  if (ref.range.start.line !== ref.range.end.line) return null;
  const prefix = line.slice(0, ref.range.start.character);
  if (/^\s*$/.test(prefix)) return null;
  const rest = line.slice(ref.range.end.character);
  // A quote that opens after the reference and does not close on this line continues on the next one.
  const quotes = rest.replace(/^["']/, '').replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|#.*$/g, '');
  if (/["']/.test(quotes)) return null;
  return line.trimEnd().length;
}

/** The edit that marks a reference `# digest-pin: ignore`, or null where no comment can say it (JSON, block scalars). */
export function ignoreEdit(ref: ImageReference, file: Pick<FileView, 'format' | 'lineAt' | 'eol'>): TextEdit | null {
  const lineNumber = ref.range.start.line;
  const line = file.lineAt(lineNumber);
  switch (file.format) {
    case 'json':
      return null;
    case 'ini':
    case 'dockerfile': {
      // A parser directive must stay the first line, and `# syntax=x # …` would change its value: no comment there.
      if (ref.context === 'syntax') return null;
      // A unit file's value continued from the line above: a comment line between would not sit above `Image=`.
      if (file.format === 'ini' && /\\\s*$/.test(file.lineAt(lineNumber - 1))) return null;
      // Neither has trailing comments: `FROM x # …` would pass `#` and `…` to FROM, `Image=x # …` is all the value.
      // A comment line above.
      const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
      const start = { line: lineNumber, character: 0 };
      return { range: { start, end: start }, newText: `${indent}${IGNORE_COMMENT_TEXT}${file.eol}` };
    }
    case 'yaml': {
      const at = trailingCommentAt(line, ref);
      if (at === null) return null;
      const position = { line: lineNumber, character: at };
      return { range: { start: position, end: position }, newText: ` ${IGNORE_COMMENT_TEXT}` };
    }
  }
}

function workspaceEdit(file: FileView, edits: TextEdit[]): WorkspaceEdit {
  const lsp: LspTextEdit[] = edits.map((edit) => ({ range: edit.range, newText: edit.newText }));
  if (file.version === null) return { changes: { [file.uri]: lsp } };
  return { documentChanges: [{ textDocument: { uri: file.uri, version: file.version }, edits: lsp }] };
}

function fixes(
  ref: ImageReference,
  diagnostics: readonly Diagnostic[],
  codes: readonly DiagnosticCode[],
): Diagnostic[] {
  return diagnostics.filter(
    (d) => sameRange(d.range, ref.range) && typeof d.code === 'string' && (codes as readonly string[]).includes(d.code),
  );
}

const PIN_CODES: readonly DiagnosticCode[] = ['unpinned', 'latest'];
const UPDATE_CODES: readonly DiagnosticCode[] = ['tag-drift', 'digest-not-found'];

/**
 * Every edit that pins the file's unpinned references (pin all / fix all) or updates its drifted pins, with the
 * references it edits and, for those it should have edited and could not, why (pinTarget's words).
 */
export function pinAllEdits(
  references: readonly ImageReference[],
  facts: (ref: ImageReference) => ImageFacts | undefined,
  settings: Settings,
  file: Pick<FileView, 'format' | 'lineAt'>,
  action: PinAction = 'pin',
  skip: (ref: ImageReference) => boolean = () => false,
): { edits: TextEdit[]; references: ImageReference[]; problems: Array<{ ref: ImageReference; reason: string }> } {
  const edits: TextEdit[] = [];
  const pinned: ImageReference[] = [];
  const problems: Array<{ ref: ImageReference; reason: string }> = [];
  for (const ref of references) {
    if (skip(ref)) continue;
    const target = pinTarget(ref, facts(ref)?.online, { pin: action === 'pin', update: action === 'update' });
    if (target === null) continue;
    if (!target.ok) {
      problems.push({ ref, reason: target.reason });
      continue;
    }
    const made = pinEdits(ref, target.digest, settings.pinStyle, file);
    if (made === null) {
      const refused = pinEdit(ref, target.digest);
      const reason = refused.ok ? null : refusalReason(refused.reason, refused.detail);
      if (reason !== null) problems.push({ ref, reason });
      continue;
    }
    edits.push(...made);
    pinned.push(ref);
  }
  return { edits, references: pinned, problems };
}

const wants = (only: readonly string[] | undefined, kind: string): boolean =>
  only === undefined || only.some((asked) => kind === asked || kind.startsWith(`${asked}.`));

/** The code actions for a range of a file. */
export function codeActions(request: CodeActionRequest): CodeAction[] {
  const { file, settings, diagnostics, only } = request;
  const skip = request.skip ?? (() => false);
  const actions: CodeAction[] = [];

  if (wants(only, QUICK_FIX)) {
    for (const ref of request.references) {
      if (!intersects(ref.range, request.range) || ref.ignored || skip(ref)) continue;
      actions.push(...referenceActions(ref, request.facts(ref), request, file));
    }
  }

  const all = pinAllEdits(request.references, request.facts, settings, file, 'pin', skip);
  if (all.references.length > 0) {
    const title = `Pin all images in this file (${all.references.length})`;
    const fixed = diagnostics.filter(
      (d) =>
        all.references.some((ref) => sameRange(ref.range, d.range)) && PIN_CODES.includes(d.code as DiagnosticCode),
    );
    if (
      wants(only, QUICK_FIX) &&
      all.references.length > 1 &&
      actions.some((a) => a.kind === QUICK_FIX && a.title.startsWith('Pin to'))
    ) {
      actions.push({ title, kind: QUICK_FIX, diagnostics: fixed, edit: workspaceEdit(file, all.edits) });
    }
    if (only !== undefined && wants(only, FIX_ALL_KIND)) {
      actions.push({ title, kind: FIX_ALL_KIND, diagnostics: fixed, edit: workspaceEdit(file, all.edits) });
    }
  }
  return actions;
}

function referenceActions(
  ref: ImageReference,
  facts: ImageFacts | undefined,
  request: CodeActionRequest,
  file: FileView,
): CodeAction[] {
  const out: CodeAction[] = [];
  const { diagnostics, settings } = request;
  const target = targetOf(ref, facts);
  const online = facts?.online;
  const lockState = request.lock?.state(ref) ?? null;
  if (target !== null && target.action === 'pin' && lockState?.kind === 'not-locked' && request.lock !== undefined) {
    out.push(...notLockedActions(ref, target.digest, facts, request.lock.file, lockState.key, request));
  } else if (target !== null) {
    const edits = pinEdits(ref, target.digest, settings.pinStyle, file);
    if (edits !== null) {
      const platform = online?.kind === 'tag' ? online.platform : undefined;
      const what = platform === undefined ? 'digest' : `${platform} digest`;
      const moved = tagMovedByPin(ref);
      const title =
        (target.action === 'pin'
          ? `Pin to ${what} (${shortDigest(target.digest)})${moved === null ? '' : `, tag ${moved} to a comment: a feature id cannot have both`}`
          : online?.kind === 'pin' && online.status.status === 'gone'
            ? `Pin to the tag's current digest (${shortDigest(target.digest)})`
            : `Update to current digest (${shortDigest(target.digest)})`) + writtenWhere(ref);
      out.push({
        title,
        kind: QUICK_FIX,
        isPreferred: true,
        diagnostics: fixes(ref, diagnostics, target.action === 'pin' ? PIN_CODES : UPDATE_CODES),
        edit: workspaceEdit(file, edits),
      });
    }
  }
  // One action per platform of a multi-platform tag, for a reference being pinned (or re-pinned after drift).
  if (target !== null || (ref.status === 'unpinned' && online?.kind === 'tag' && online.result.ok)) {
    for (const { platform, digest } of platformDigests(facts)) {
      if (digest === target?.digest) continue;
      const edits = pinEdits(ref, digest, settings.pinStyle, file);
      if (edits === null) continue;
      out.push({
        title: `Pin to ${formatPlatform(platform)} digest (${shortDigest(digest)})${writtenWhere(ref)}`,
        kind: QUICK_FIX,
        diagnostics: fixes(ref, diagnostics, ref.status === 'unpinned' ? PIN_CODES : UPDATE_CODES),
        edit: workspaceEdit(file, edits),
      });
    }
  }
  // "Update to 3.12.8-slim@sha256:…": a newer version of the tag, its tag and digest written in one edit.
  out.push(
    ...upgradeActions(ref, facts?.newer, fixes(ref, diagnostics, ['outdated']), (edits) => workspaceEdit(file, edits)),
  );
  const ownDiagnostics = diagnostics.filter((d) => sameRange(d.range, ref.range) && d.source === 'digest-pin');
  if (ownDiagnostics.length > 0) {
    const edit = ignoreEdit(ref, file);
    if (edit !== null)
      out.push({
        title: 'Ignore this image',
        kind: QUICK_FIX,
        diagnostics: ownDiagnostics,
        edit: workspaceEdit(file, [edit]),
      });
  }
  return out;
}

/**
 * A reference the lock that applies has no entry for: "Add to digest-pin.lock" (the lock's whole new text, the entry
 * in its sorted place) and "Pin in this file instead" (the usual pin edit).
 */
function notLockedActions(
  ref: ImageReference,
  digest: string,
  facts: ImageFacts | undefined,
  lockFile: LockFileView,
  key: string,
  request: CodeActionRequest,
): CodeAction[] {
  const out: CodeAction[] = [];
  const fixed = fixes(ref, request.diagnostics, ['not-locked']);
  const edit = lockFileEdit(lockFile, withEntries(lockFile.lock, [[key, lockEntryOf(digest, facts)]]));
  if (edit !== null)
    out.push({
      title: `Add to ${lockFile.display} (${shortDigest(digest)})`,
      kind: QUICK_FIX,
      isPreferred: true,
      diagnostics: fixed,
      edit,
    });
  const edits = pinEdits(ref, digest, request.settings.pinStyle, request.file);
  if (edits !== null)
    out.push({
      title: `Pin in this file instead (${shortDigest(digest)})${writtenWhere(ref)}`,
      kind: QUICK_FIX,
      diagnostics: fixed,
      edit: workspaceEdit(request.file, edits),
    });
  return out;
}
