// Workspace consistency: the same `name:tag` pinned to different digests in several places (a Dockerfile and a
// compose file pinned a month apart) is an `inconsistent-pin` finding on each, naming the other places, and which pin
// is the newest, so that one quick fix can write it everywhere. Pure: the places and what the registry said about
// them arrive as values (the CLI's `check` reads every file it walked, the language server keeps an index).
//
// Only digests written in the files count. A lock file's entry is not a place of its own: every file the lock covers
// reads the same entry, so it cannot disagree with itself, and a lock next to inline pins is a choice the lock's own
// findings (`tag-drift` of the locked digest) already speak about.
import type { CodeAction, Diagnostic, WorkspaceEdit } from 'vscode-languageserver';
import type { Online } from '../lookup/answer';
import { asksRegistry } from '../lookup/question';
import { referenceText } from '../references/reference';
import type { ImageReference } from '../references/types';
import { ruleFor } from '../shared/rules';
import { formatAge, shortDigest } from '../shared/text';
import type { Finding } from './diagnostics';
import { pinEdit, type EditRefusal, type TextEdit } from './edits';

/** One pin of the workspace: where it is written and, when the registry was asked, what it said about it. */
export interface PinPlace {
  /** The file as messages name it (the CLI: relative to the working directory; the editor: to its folder). */
  file: string;
  /** The file's URI, where the caller has one (the editor's related locations and edits). */
  uri?: string;
  ref: ImageReference;
  /** The answer about this pin (kind `pin`; from `check`'s look-up or the editor's resolver), when asked. */
  online?: Online;
}

/** The pin to write everywhere, and how it was chosen. */
export interface Newest {
  digest: string;
  /** `built-last`: every digest's build date is known and this one is the latest; `tag-current`: the tag's digest. */
  reason: 'built-last' | 'tag-current';
  /** Its build date (RFC 3339), when known. */
  created?: string;
}

/** One place of a `name:tag` pinned to more than one digest. */
export interface Inconsistency<P extends PinPlace = PinPlace> {
  /** The normalised `name:tag` the places share. */
  key: string;
  place: P;
  /** The places of the same `name:tag` with another digest, in input order. */
  others: P[];
  /** Every place of the `name:tag`, this one included, in input order (the quick fix edits them). */
  group: P[];
  /** null when which pin is newest cannot be told (no build dates, and no pin is the tag's current digest). */
  newest: Newest | null;
}

/** The key a pin is grouped by: its normalised `name:tag`; null for what is not a pin of a tag. */
export function consistencyKey(ref: ImageReference): string | null {
  if (ref.status !== 'pinned' || ref.name === null || ref.tag === null || ref.digest === null) return null;
  if (!asksRegistry(ref)) return null; // ignored, a compose service's own build
  return `${ref.name}:${ref.tag}`;
}

/** Whether the registry said this pin is what its tag points to now. */
const isCurrent = (place: PinPlace): boolean =>
  place.online?.kind === 'pin' && place.online.status.status === 'current';

/**
 * The inconsistent places among `places`, one entry per place, in input order. Two pins of a `name:tag` disagree when
 * their digests differ, unless the registry said both are what the tag points to now (the index and one platform's
 * image of it): then both pull today's image.
 */
export function inconsistencies<P extends PinPlace>(places: readonly P[]): Array<Inconsistency<P>> {
  const groups = new Map<string, P[]>();
  for (const place of places) {
    const key = consistencyKey(place.ref);
    if (key === null) continue;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [place]);
    else group.push(place);
  }
  const found = new Map<P, Inconsistency<P>>();
  for (const [key, group] of groups) {
    const digests = new Set(group.map((p) => p.ref.digest!));
    if (digests.size < 2) continue;
    const current = new Set(group.filter(isCurrent).map((p) => p.ref.digest!));
    if ([...digests].every((d) => current.has(d))) continue;
    const newest = newestOf(group);
    for (const place of group) {
      const others = group.filter((other) => other.ref.digest !== place.ref.digest);
      found.set(place, { key, place, others, group, newest });
    }
  }
  return places.flatMap((place) => found.get(place) ?? []);
}

/** The build dates the answers know, by digest: a drifted pin's answer dates both its image and the tag's. */
function buildDates(group: readonly PinPlace[]): Map<string, string> {
  const dates = new Map<string, string>();
  for (const { online } of group) {
    if (online?.kind !== 'pin' || online.status.status !== 'drifted') continue;
    if (online.created?.pinned !== undefined) dates.set(online.status.pinned, online.created.pinned);
    if (online.created?.current !== undefined) dates.set(online.status.current, online.created.current);
  }
  return dates;
}

/**
 * The pin built last when every digest's build date is known (and one is strictly the latest); else the one digest the
 * registry said is the tag's current one; else null.
 */
export function newestOf(group: readonly PinPlace[]): Newest | null {
  const digests = [...new Set(group.map((p) => p.ref.digest!))];
  const dates = buildDates(group);
  const times = digests.map((digest) => ({ digest, at: Date.parse(dates.get(digest) ?? '') }));
  if (times.every((t) => !Number.isNaN(t.at))) {
    const latest = Math.max(...times.map((t) => t.at));
    const last = times.filter((t) => t.at === latest);
    if (last.length === 1)
      return { digest: last[0]!.digest, reason: 'built-last', created: dates.get(last[0]!.digest)! };
  }
  const current = [...new Set(group.filter(isCurrent).map((p) => p.ref.digest!))];
  if (current.length !== 1) return null;
  const created = dates.get(current[0]!);
  return { digest: current[0]!, reason: 'tag-current', ...(created === undefined ? {} : { created }) };
}

/** How many other places a message names before "and N more". */
const NAMED = 3;

/** `file:line` (1-based) of a place. */
export const placeName = (place: PinPlace): string => `${place.file}:${place.ref.range.start.line + 1}`;

/** The `inconsistent-pin` finding of one place: the other places, and which pin is the newest when known. */
export function inconsistencyFinding(inconsistency: Inconsistency): Finding {
  const { place, others, newest, group } = inconsistency;
  const whole = referenceText(place.ref);
  const written = whole.slice(0, whole.lastIndexOf('@'));
  const named = others
    .slice(0, NAMED)
    .map((other) => `${shortDigest(other.ref.digest!)} in ${placeName(other)}`)
    .join(', ');
  const more = others.length > NAMED ? ` and ${others.length - NAMED} more` : '';
  const message = `${written} is pinned to ${shortDigest(place.ref.digest!)} here but to ${named}${more}${newestClause(place, newest, buildDates(group))}`;
  return {
    code: 'inconsistent-pin',
    severity: ruleFor('inconsistent-pin').severity,
    message,
    range: place.ref.range,
    related: others.map((other) => ({
      file: other.file,
      ...(other.uri === undefined ? {} : { uri: other.uri }),
      range: other.ref.range,
      message: `${written} pinned to ${shortDigest(other.ref.digest!)}`,
    })),
  };
}

function newestClause(place: PinPlace, newest: Newest | null, dates: ReadonlyMap<string, string>): string {
  if (newest === null) return '';
  const why = newest.reason === 'built-last' ? 'built last' : 'what the tag points to now';
  if (newest.digest === place.ref.digest) return `; this pin is the newest (${why})`;
  return `; the newest is ${shortDigest(newest.digest)} (${why}${ageApart(place, newest, dates)})`;
}

/** ", 31 days newer" when both build dates are known. */
function ageApart(place: PinPlace, newest: Newest, dates: ReadonlyMap<string, string>): string {
  const mine = dates.get(place.ref.digest!);
  if (newest.created === undefined || mine === undefined) return '';
  const apart = Date.parse(newest.created) - Date.parse(mine);
  return Number.isNaN(apart) || apart <= 0 ? '' : `, ${formatAge(apart)} newer`;
}

/** The edits of "Use the newest pin everywhere": each place of the group not pinned to the newest digest. */
export interface NewestEdits {
  edits: Array<{ place: PinPlace; edit: TextEdit }>;
  /** Places whose digest cannot be replaced here (a split reference with nowhere to write, quotes inside it). */
  refused: Array<{ place: PinPlace; reason: EditRefusal; detail?: string }>;
}

/** The minimal edits (features/edits.ts pinEdit: exactly the old digest's characters) that write the newest pin. */
export function useNewestEdits(inconsistency: Inconsistency): NewestEdits | null {
  const { newest, group } = inconsistency;
  if (newest === null) return null;
  const result: NewestEdits = { edits: [], refused: [] };
  for (const place of group) {
    if (place.ref.digest === newest.digest) continue;
    const made = pinEdit(place.ref, newest.digest);
    if (made.ok) result.edits.push({ place, edit: made.edit });
    else
      result.refused.push({
        place,
        reason: made.reason,
        ...(made.detail === undefined ? {} : { detail: made.detail }),
      });
  }
  return result;
}

/**
 * "Use the newest pin everywhere": one WorkspaceEdit over every file of the group (each place's `uri`), versioned
 * (`version(uri)`: an open document's version, null for a file on disk) when the client takes versioned edits.
 * null when there is no newest pin or nothing to change.
 */
export function useNewestAction(
  inconsistency: Inconsistency,
  options: { versioned: boolean; version(uri: string): number | null; diagnostics: readonly Diagnostic[] },
): CodeAction | null {
  const made = useNewestEdits(inconsistency);
  if (made === null || made.edits.length === 0 || inconsistency.newest === null) return null;
  const byUri = new Map<string, TextEdit[]>();
  for (const { place, edit } of made.edits) {
    const uri = place.uri ?? place.file;
    const list = byUri.get(uri);
    if (list === undefined) byUri.set(uri, [edit]);
    else list.push(edit);
  }
  const edit: WorkspaceEdit = options.versioned
    ? {
        documentChanges: [...byUri].map(([uri, edits]) => ({
          textDocument: { uri, version: options.version(uri) },
          edits,
        })),
      }
    : { changes: Object.fromEntries(byUri) };
  const places = made.edits.length;
  return {
    title: `Use the newest pin everywhere (${shortDigest(inconsistency.newest.digest)}: ${places} ${places === 1 ? 'place' : 'places'} in ${byUri.size} ${byUri.size === 1 ? 'file' : 'files'})`,
    kind: 'quickfix',
    diagnostics: options.diagnostics.filter(
      (d) =>
        d.code === 'inconsistent-pin' &&
        d.range.start.line === inconsistency.place.ref.range.start.line &&
        d.range.start.character === inconsistency.place.ref.range.start.character,
    ),
    edit,
  };
}
