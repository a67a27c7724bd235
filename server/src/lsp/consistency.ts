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

/** A place with the URI of its file. */
export type EditorPlace = PinPlace & { uri: string };

/**
 * The places of the `name:tag`s an open document pins: its own pins (as read now) and the other files' from the
 * index. `others(uri, key)` can give fresher places for a file (the code action reads closed files again).
 */
export function placesFor(
  uri: string,
  references: readonly ImageReference[],
  settings: Settings,
  pins: WorkspacePins,
  online: (ref: ImageReference) => Online | undefined,
  only?: ReadonlySet<string>,
): EditorPlace[] {
  const file = pins.display(uri);
  const own: EditorPlace[] = [];
  const keys = new Set<string>();
  for (const ref of references) {
    const key = consistencyKey(ref);
    if (key === null || ignoredBySettings(ref, settings) || (only !== undefined && !only.has(key))) continue;
    keys.add(key);
    own.push(withOnline({ file, uri, ref }, online));
  }
  const others = [...keys].flatMap((key) =>
    pins
      .placesOf(key)
      .filter((pin) => pin.uri !== uri && !ignoredBySettings(pin.ref, settings))
      .map((pin) => withOnline({ file: pin.file, uri: pin.uri, ref: pin.ref }, online)),
  );
  return others.length === 0 ? [] : [...own, ...others];
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
