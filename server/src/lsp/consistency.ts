// `inconsistent-pin` in the editor: an open document's pins compared with the workspace's (lsp/workspacePins.ts),
// with what the resolver knows about each, through features/consistency.ts. Not memoised with the per-reference
// diagnostics (diagnosticsMemo.ts): they depend on other files, and are few.
import type { Diagnostic } from 'vscode-languageserver';
import { consistencyKey, inconsistencies, inconsistencyFinding, type PinPlace } from '../features/consistency';
import type { Online } from '../lookup/answer';
import type { ImageReference } from '../references/types';
import type { Settings } from '../shared/settings';
import { ignoredBySettings, severityOf, toDiagnostic } from './diagnosticsMemo';
import type { WorkspacePins } from './workspacePins';

/** consistencyKey per reference object: an open document's diagnostics are published again and again. */
const keys = new WeakMap<ImageReference, string | null>();
function keyOf(ref: ImageReference): string | null {
  let key = keys.get(ref);
  if (key === undefined) keys.set(ref, (key = consistencyKey(ref)));
  return key;
}

/** A place with the URI of its file. */
export type EditorPlace = PinPlace & { uri: string };

/**
 * The places of the `name:tag`s an open document pins that other files pin too: its own pins (as read now) and the
 * other files' from the index (`only`: of these keys), each with what the registry said (`online`).
 */
export function placesFor(
  uri: string,
  references: readonly ImageReference[],
  settings: Settings,
  pins: WorkspacePins,
  online: (ref: ImageReference) => Online | undefined,
  only?: ReadonlySet<string>,
): EditorPlace[] {
  const own: ImageReference[] = [];
  const wanted = new Set<string>();
  for (const ref of references) {
    const key = keyOf(ref);
    if (key === null || (only !== undefined && !only.has(key)) || ignoredBySettings(ref, settings)) continue;
    wanted.add(key);
    own.push(ref);
  }
  const others = [...wanted].flatMap((key) =>
    pins
      .placesOf(key, uri)
      .filter((pin) => !ignoredBySettings(pin.ref, settings))
      .map((pin) => withOnline({ file: pin.file, uri: pin.uri, ref: pin.ref }, online)),
  );
  if (others.length === 0) return [];
  // Only the tags pinned elsewhere too: a document of 10,000 pins pays for what it shares.
  const shared = new Set(others.map((other) => keyOf(other.ref)));
  const file = pins.display(uri);
  const mine = own.filter((ref) => shared.has(keyOf(ref))).map((ref) => withOnline({ file, uri, ref }, online));
  return [...mine, ...others];
}

function withOnline(place: EditorPlace, online: (ref: ImageReference) => Online | undefined): EditorPlace {
  const answer = online(place.ref);
  return answer === undefined ? place : { ...place, online: answer };
}

/** The `inconsistent-pin` diagnostics of an open document (none when the code is off). */
export function consistencyDiagnostics(
  uri: string,
  references: readonly ImageReference[],
  settings: Settings,
  pins: WorkspacePins,
  online: (ref: ImageReference) => Online | undefined,
  now: number,
): Diagnostic[] {
  if (settings.severity['inconsistent-pin'] === 'off') return [];
  const places = placesFor(uri, references, settings, pins, online);
  if (places.length === 0) return [];
  const out: Diagnostic[] = [];
  for (const inconsistency of inconsistencies(places)) {
    if (inconsistency.place.uri !== uri) continue;
    const finding = inconsistencyFinding(inconsistency);
    const severity = severityOf(finding, undefined, settings, now);
    if (severity === null) continue;
    out.push({
      ...toDiagnostic(finding, severity),
      relatedInformation: inconsistency.others.map((other, i) => ({
        location: { uri: other.uri, range: other.ref.range },
        message: finding.related?.[i]?.message ?? other.file,
      })),
    });
  }
  return out;
}
