// "Use the newest pin everywhere" for the pins under the cursor that have an `inconsistent-pin`: the other files of
// the tag are read again (open: the document as shown; closed: from disk, as "Pin all" reads them), so an edit is
// made against the text it applies to and never against a stale index; the resolver is asked about every digest
// (drift and build dates) to tell which pin is the newest.
import type { CodeAction, Diagnostic } from 'vscode-languageserver/node';
import { consistencyKey, inconsistencies, useNewestAction } from '../../features/consistency';
import type { ImageReference } from '../../references/types';
import type { Settings } from '../../shared/settings';
import type { ServerContext } from '../context';
import { placesFor, type EditorPlace } from '../consistency';
import { ignoredBySettings } from '../diagnosticsMemo';
import { platformOption } from '../registrySession';
import { readForEdit } from './workspaceEdits';

export async function consistencyActions(
  context: ServerContext,
  uri: string,
  request: {
    references: readonly ImageReference[];
    inRange: readonly ImageReference[];
    settings: Settings;
    diagnostics: readonly Diagnostic[];
    signal: AbortSignal | undefined;
  },
): Promise<CodeAction[]> {
  const { references, inRange, settings, signal } = request;
  const keys = new Set(inRange.flatMap((ref) => consistencyKey(ref) ?? []));
  if (keys.size === 0) return [];
  const indexed = placesFor(uri, references, settings, context.pins, () => undefined, keys);
  if (indexed.length === 0) return [];
  const places = await freshPlaces(context, uri, indexed, keys, settings);
  const platform = platformOption(settings);
  const resolver = context.registry.resolver;
  const asked = await Promise.all(
    places.map(async (place): Promise<EditorPlace> => {
      const online =
        resolver.online(resolver.keyOf(place.ref, platform)) ?? (await resolver.ask(place.ref, platform, signal));
      return online === undefined ? place : { ...place, online };
    }),
  );
  const actions: CodeAction[] = [];
  const done = new Set<string>();
  for (const inconsistency of inconsistencies(asked)) {
    if (inconsistency.place.uri !== uri || !inRange.includes(inconsistency.place.ref)) continue;
    if (done.has(inconsistency.key)) continue;
    const action = useNewestAction(inconsistency, {
      versioned: context.client.versionedEdits,
      version: (target) => context.documents.get(target)?.version ?? null,
      diagnostics: request.diagnostics,
    });
    if (action === null) continue;
    done.add(inconsistency.key);
    actions.push(action);
  }
  return actions;
}

/** This document's places as they are, and the other files' as read now (open documents as shown, others from disk). */
async function freshPlaces(
  context: ServerContext,
  uri: string,
  indexed: readonly EditorPlace[],
  keys: ReadonlySet<string>,
  settings: Settings,
): Promise<EditorPlace[]> {
  const own = indexed.filter((place) => place.uri === uri);
  const others = [...new Set(indexed.filter((place) => place.uri !== uri).map((place) => place.uri))];
  const read = await Promise.all(
    others.map(async (other): Promise<EditorPlace[]> => {
      const file = await readForEdit(context, other, []);
      if (file === null) return [];
      const name = context.pins.display(other);
      return file.references
        .filter((ref) => {
          const key = consistencyKey(ref);
          return key !== null && keys.has(key) && !ignoredBySettings(ref, settings);
        })
        .map((ref) => ({ file: name, uri: other, ref }));
    }),
  );
  return [...own, ...read.flat()];
}
