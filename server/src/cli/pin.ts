// `digest-pin pin`: what the registry said → the edits to make (planPins, pure) → files rewritten atomically or a
// unified diff (writePins). An edit only ever inserts `@digest` after a tag or replaces a digest: every other byte —
// line endings, BOM, quotes, comments — stays as it was.
import { plural, shortDigest } from '../shared/text';
import { type Online } from '../lookup/answer';
import { applyEdits, pinEdit, pinnedText, upgradeEdits, type TextEdit } from '../features/edits';
import { offerDigest, offerError, offerWithin, type Newer } from '../lookup/newer';
import type { UpgradeLevel } from '../references/versions';
import { explain, type Result } from '../registry/index';
import { pinTarget, problemText, refusalReason } from '../features/pinTarget';
import { BOM, stripBom } from '../references/positions';
import { referenceText } from '../references/reference';
import type { ImageReference } from '../references/types';
import type { ReadFile, ReadResult } from './check';
import { unifiedDiff } from './diff';
import type { ImageChange, ReportProblem } from './output/markdown';
import { humanPosition } from './output/text';
import { writeFileAtomic, type WriteResult } from './write';

export interface PinChange {
  reference: ImageReference;
  /**
   * `pinned`: a digest added after the tag; `updated`: a drifted or lost digest replaced; `upgraded` (`--upgrade`):
   * the tag moved to a newer version (`tag`) and pinned.
   */
  kind: 'pinned' | 'updated' | 'upgraded';
  digest: string;
  /** `upgraded`: the tag written. */
  tag?: string;
}

export interface PinProblem {
  file: string;
  reference: ImageReference;
  message: string;
}

export interface FilePlan {
  read: ReadFile;
  edits: TextEdit[];
  changes: PinChange[];
}

export interface PinPlan {
  /** Files with at least one change, in walk order. */
  files: FilePlan[];
  /** References that should have been pinned (or updated) and could not be. */
  problems: PinProblem[];
  /** Left as written by design: built from variables, or not valid references. */
  skipped: { variable: number; invalid: number };
}

export interface PinOptions {
  /** Replace drifted and lost digests too (--update). */
  update: boolean;
  /** `--upgrade patch|minor`: move a version tag to the newest of its line at that level (its offer in `newer`). */
  upgrade?: UpgradeLevel;
  /** The newer versions of references' tags (`--upgrade`), with the offer at that level resolved. */
  newer?: ReadonlyMap<ImageReference, Result<Newer>>;
}

type Decision = { change: PinChange; edits: TextEdit[] } | { problem: string } | null;

/** `--upgrade`: the newest tag at that level and its digest written, when there is one (else null: pin as usual). */
function decideUpgrade(ref: ImageReference, newer: Result<Newer> | undefined, level: UpgradeLevel): Decision {
  if (newer === undefined) return null;
  const could = (reason: string): Decision => ({ problem: `could not upgrade ${referenceText(ref)}: ${reason}` });
  if (!newer.ok) return could(`${explain(newer.error)} (${newer.error.kind})`);
  const offer = offerWithin(newer.value, level);
  if (offer === undefined) return null;
  const digest = offerDigest(offer);
  const failed = offerError(offer);
  if (digest === undefined)
    return could(failed ? `${offer.tag}: ${explain(failed)} (${failed.kind})` : `${offer.tag} was not looked up`);
  const made = upgradeEdits(ref, offer.tag, digest);
  if (!made.ok) return could(refusalReason(made.reason, made.detail) ?? made.reason);
  return { change: { reference: ref, kind: 'upgraded', digest, tag: offer.tag }, edits: made.edits };
}

/** What pin does with one reference, given what the registry said about it. */
export function decide(ref: ImageReference, online: Online | undefined, options: PinOptions): Decision {
  if (options.upgrade !== undefined && !ref.ignored && !ref.localBuild) {
    const upgraded = decideUpgrade(ref, options.newer?.get(ref), options.upgrade);
    if (upgraded !== null) return upgraded;
  }
  const target = pinTarget(ref, online, { pin: true, update: options.update });
  if (target === null) return null;
  if (!target.ok) return { problem: problemText(ref, target.action, target.reason) };
  const result = pinEdit(ref, target.digest);
  if (result.ok)
    return {
      change: { reference: ref, kind: target.action === 'pin' ? 'pinned' : 'updated', digest: target.digest },
      edits: [result.edit],
    };
  const reason = refusalReason(result.reason, result.detail);
  return reason === null ? null : { problem: problemText(ref, target.action, reason) };
}

export function planPins(read: ReadResult, online: ReadonlyMap<ImageReference, Online>, options: PinOptions): PinPlan {
  const plan: PinPlan = { files: [], problems: [], skipped: { variable: 0, invalid: 0 } };
  for (const file of read.files) {
    const filePlan: FilePlan = { read: file, edits: [], changes: [] };
    for (const ref of file.references) {
      if (!ref.ignored && (ref.status === 'variable' || ref.status === 'invalid')) {
        plan.skipped[ref.status]++;
        continue;
      }
      const decision = decide(ref, online.get(ref), options);
      if (decision === null) continue;
      if ('problem' in decision) {
        plan.problems.push({ file: file.walked.file, reference: ref, message: decision.problem });
        continue;
      }
      filePlan.edits.push(...decision.edits);
      filePlan.changes.push(decision.change);
    }
    if (filePlan.edits.length > 0) plan.files.push(filePlan);
  }
  return plan;
}

export type FileOutcome =
  { ok: true; file: FilePlan; before: string; after: string } | { ok: false; file: FilePlan; message: string };

/** The new content of a planned file, byte for byte the old one except for the edits. */
export function rewrite(file: FilePlan): FileOutcome {
  const bytes = file.read.bytes;
  if (bytes === undefined) return { ok: false, file, message: 'internal error: the file was read without its bytes' };
  const before = bytes.toString('utf8');
  // Decoding must give back the same bytes, or writing the text would change bytes that are not ours to change.
  if (!Buffer.from(before, 'utf8').equals(bytes))
    return { ok: false, file, message: 'not valid UTF-8; left unchanged' };
  const { text, hadBom } = stripBom(before);
  const applied = applyEdits(text, file.edits);
  if (!applied.ok) return { ok: false, file, message: 'internal error: overlapping edits; left unchanged' };
  return { ok: true, file, before, after: (hadBom ? BOM : '') + applied.text };
}

/** The reference as it reads after the change. */
export function changedText(change: PinChange): string {
  if (change.tag === undefined) return pinnedText(change.reference, change.digest);
  // `name:old[@digest]` → `name:new@digest`.
  const image = imageOf(change.reference);
  const tag = change.reference.tag;
  const name = tag !== null && image.endsWith(`:${tag}`) ? image.slice(0, image.length - tag.length - 1) : image;
  return `${name}:${change.tag}@${change.digest}`;
}

/** `Dockerfile:3:6 pinned python:3.12-slim@sha256:…` / `… updated redis:7@sha256:… (was sha256:0123456789ab…)`. */
export function changeLine(file: string, change: PinChange): string {
  const was =
    change.kind === 'upgraded'
      ? ` (was ${change.reference.tag ?? 'latest'})`
      : change.kind === 'updated' && change.reference.digest !== null
        ? ` (was ${shortDigest(change.reference.digest)})`
        : '';
  return `${file}:${humanPosition(change.reference.range.start)} ${change.kind} ${changedText(change)}${was}`;
}

export function problemLine(problem: PinProblem): string {
  return `${problem.file}:${humanPosition(problem.reference.range.start)}: ${problem.message}`;
}

export interface PinCounts {
  files: number;
  pinned: number;
  updated: number;
  /** `--upgrade`: tags moved to a newer version. */
  upgraded?: number;
  problems: number;
  /** Files that had changes and could not be written (not UTF-8, changed meanwhile, not writable). */
  unwritten?: number;
  skipped: { variable: number; invalid: number };
}

/**
 * "2 files changed: 3 references pinned, 1 updated; 1 could not be resolved; 2 left as written (1 variable, 1 invalid)",
 * or "nothing to pin" / "no file changed" when no file was (or, for a dry run, would be) changed.
 */
export function pinSummary(counts: PinCounts, dryRun: boolean): string {
  const { files, pinned, updated, problems, skipped } = counts;
  const unwritten = counts.unwritten ?? 0;
  const upgraded = counts.upgraded ?? 0;
  const changed = dryRun ? `${plural(files, 'file')} would change` : `${plural(files, 'file')} changed`;
  const parts = [
    files > 0
      ? pinned === 0 && updated === 0 && upgraded > 0
        ? `${changed}: ${plural(upgraded, 'reference')} upgraded`
        : `${changed}: ${plural(pinned, 'reference')} pinned${updated > 0 ? `, ${updated} updated` : ''}${upgraded > 0 ? `, ${upgraded} upgraded` : ''}`
      : problems > 0 || unwritten > 0
        ? `no file ${dryRun ? 'would change' : 'changed'}`
        : 'nothing to pin',
  ];
  if (problems > 0) parts.push(`${problems} could not be resolved`);
  // A file with something to pin that could not be written is not "nothing to pin" (its reason is on stderr).
  if (unwritten > 0) parts.push(`${plural(unwritten, 'file')} could not be ${dryRun ? 'changed' : 'written'}`);
  const left = skipped.variable + skipped.invalid;
  if (left > 0) {
    const kinds = [
      skipped.variable > 0 ? `${skipped.variable} variable` : '',
      skipped.invalid > 0 ? `${skipped.invalid} invalid` : '',
    ].filter(Boolean);
    parts.push(`${left} left as written (${kinds.join(', ')})`);
  }
  return parts.join('; ') + (dryRun && files > 0 ? '; nothing was written' : '');
}

export interface WriteOptions {
  dryRun: boolean;
  /** Replaceable in tests. */
  write?: (path: string, content: Buffer, expected: Buffer) => WriteResult;
}

export interface PinOutput {
  /** stdout: what changed (or, for a dry run, the diff). */
  out: string;
  /** stderr lines: files that could not be rewritten. */
  failures: string[];
  /** The same, as values: the file and why. */
  unwritten: ReportProblem[];
  /** The files that were rewritten (or, for a dry run, diffed). */
  written: FilePlan[];
  /** Counts of what was (or would be) done. */
  counts: PinCounts;
}

/** Rewrites (or diffs) every planned file; a file that cannot be written is reported and the others still are. */
export function writePins(plan: PinPlan, options: WriteOptions): PinOutput {
  const write = options.write ?? writeFileAtomic;
  const counts: PinCounts = { files: 0, pinned: 0, updated: 0, problems: plan.problems.length, skipped: plan.skipped };
  let out = '';
  const unwritten: ReportProblem[] = [];
  const written: FilePlan[] = [];
  for (const file of plan.files) {
    const name = file.read.walked.file;
    const outcome = rewrite(file);
    if (!outcome.ok) {
      unwritten.push({ file: name, message: outcome.message });
      continue;
    }
    if (options.dryRun) {
      out += unifiedDiff(name, outcome.before, outcome.after);
    } else {
      const result = write(file.read.walked.path, Buffer.from(outcome.after, 'utf8'), file.read.bytes!);
      if (!result.ok) {
        unwritten.push({ file: name, message: result.message });
        continue;
      }
      for (const change of file.changes) out += `${changeLine(name, change)}\n`;
    }
    written.push(file);
    counts.files++;
    for (const change of file.changes) {
      if (change.kind === 'upgraded') counts.upgraded = (counts.upgraded ?? 0) + 1;
      else counts[change.kind]++;
    }
  }
  const failures = unwritten.map((failure) => `${failure.file}: ${failure.message}`);
  if (unwritten.length > 0) counts.unwritten = unwritten.length;
  return { out, failures, unwritten, written, counts };
}

/** The reference as written without its digest: the image column of the change table. */
export function imageOf(ref: ImageReference): string {
  const text = referenceText(ref);
  return ref.digest !== null && text.endsWith(`@${ref.digest}`)
    ? text.slice(0, text.length - ref.digest.length - 1)
    : text;
}

/** Build times of the old and the new image, as far as the registry's answer says (`dates` for a drift). */
function createdOf(change: PinChange, online: Online | undefined): Pick<ImageChange, 'oldCreated' | 'newCreated'> {
  const dates: { oldCreated?: string; newCreated?: string } = {};
  if (online?.kind === 'tag' && online.result.ok && online.result.value.created !== undefined)
    dates.newCreated = online.result.value.created;
  if (online?.kind === 'pin' && change.kind === 'updated') {
    if (online.status.status === 'drifted') {
      if (online.created?.pinned !== undefined) dates.oldCreated = online.created.pinned;
      if (online.created?.current !== undefined) dates.newCreated = online.created.current;
    } else if (online.status.status === 'gone' && online.tag?.created !== undefined) {
      dates.newCreated = online.tag.created;
    }
  }
  return dates;
}

/** What the files changed: one ImageChange per change (changesTable merges those of one image and digests). */
export function imageChanges(files: readonly FilePlan[], online: ReadonlyMap<ImageReference, Online>): ImageChange[] {
  return files.flatMap((file) =>
    file.changes.map((change): ImageChange => {
      const ref = change.reference;
      return {
        image: change.tag === undefined ? imageOf(ref) : `${imageOf(ref)} → ${change.tag}`,
        oldDigest: change.kind === 'pinned' ? null : ref.digest,
        newDigest: change.digest,
        ...createdOf(change, online.get(ref)),
        places: [{ file: file.read.walked.file, line: ref.range.start.line + 1 }],
      };
    }),
  );
}
