// What the request handlers share: the server's state owners (DigestPinServer provides them).
import type { Connection } from 'vscode-languageserver/node';
import type { ImageReference } from '../references/types';
import type { Settings } from '../shared/settings';
import type { ClientFeatures } from './capabilities';
import type { DiagnosticsPublisher } from './diagnosticsPublisher';
import type { DocumentStore, TrackedDocument } from './documents';
import type { LockStore } from './locks';
import type { RegistrySession } from './registrySession';
import type { SettingsStore } from './settingsStore';
import type { WorkspacePins } from './workspacePins';

export interface ServerContext {
  readonly connection: Connection;
  /** Wall clock (ms since the epoch). */
  readonly now: () => number;
  readonly documents: DocumentStore;
  readonly client: ClientFeatures;
  readonly settings: SettingsStore;
  readonly registry: RegistrySession;
  readonly diagnostics: DiagnosticsPublisher;
  /** The lock files that apply to documents. */
  readonly locks: LockStore;
  /** The workspace's pins (inconsistent-pin). */
  readonly pins: WorkspacePins;
}

export interface CurrentRead {
  tracked: TrackedDocument;
  references: ImageReference[];
  settings: Settings;
  kind: string | null;
}

/**
 * The current read of a document (hovers and code actions never wait for the debounce); none when disabled. While
 * the reader thread reads a big document, `last` answers from the last read (hovers), `fresh` waits for the read of
 * the text as it is (code actions: their edits must not come from an older read).
 */
export async function current(
  context: ServerContext,
  uri: string,
  wait: 'last' | 'fresh',
): Promise<CurrentRead | undefined> {
  const tracked = context.documents.get(uri);
  if (tracked === undefined) return undefined;
  const settings = context.settings.for(uri);
  if (!settings.enable) return undefined;
  const analysis = wait === 'fresh' ? await tracked.fresh() : (tracked.readNow() ?? (await tracked.read()));
  return { tracked, references: analysis.result.references, settings, kind: analysis.kind };
}
