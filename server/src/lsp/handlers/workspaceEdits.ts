// digestPin/pinWorkspace and digestPin/updateWorkspace: one workspace edit pinning (or updating) the references of
// the files given, open or not, with the reason for each reference left alone.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CancellationToken, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { pinAllEdits, type FileView } from '../../features/codeActions';
import type { ImageFacts } from '../../features/facts';
import type { WorkspaceEditParams, WorkspaceEditResult } from '../../shared/protocol';
import { findReferences } from '../../references/index';
import { neighboursOf } from '../../references/neighbours';
import type { ImageReference } from '../../references/types';
import { signalOf } from '../cancellation';
import type { ServerContext } from '../context';
import { ignoredBySettings } from '../diagnosticsMemo';
import { pathOf, readFromDisk, type TrackedDocument } from '../documents';
import { diskFileView, fileView } from '../fileView';
import { platformOption } from '../registrySession';
import { referenceText } from '../../references/reference';

type Action = 'pin' | 'update';

/** The edits of every file so far, in both shapes a client may take. */
interface Edits {
  result: WorkspaceEditResult;
  changes: TextDocumentEdit[];
  plain: NonNullable<WorkspaceEdit['changes']>;
}

/** The `uris` of a workspace request (pin all, update, lock): the strings among them, [] when absent. */
export const requestedUris = (params: { uris?: unknown } | null | undefined): string[] =>
  Array.isArray(params?.uris) ? params.uris.filter((u): u is string => typeof u === 'string') : [];

/** Why a workspace request did nothing in an untrusted workspace (one failure of its summary). */
export const untrustedFailure = (): WorkspaceEditResult['summary']['failures'][number] => ({
  uri: '',
  line: 0,
  text: '',
  reason: 'the workspace is not trusted: no registry requests',
});

/** The file's name, for a progress report. */
export const progressLabel = (uri: string): string => pathOf(uri).split('/').pop() ?? uri;

export function emptyWorkspaceResult(): WorkspaceEditResult {
  return { edit: { changes: {} }, summary: { files: 0, edited: 0, failures: [], cancelled: false } };
}

export class WorkspaceEditsHandler {
  constructor(private readonly context: ServerContext) {}

  async handle(params: WorkspaceEditParams, token: CancellationToken, action: Action): Promise<WorkspaceEditResult> {
    const { settings, registry, connection, client } = this.context;
    await settings.ready;
    await registry.settled;
    const result = emptyWorkspaceResult();
    const uris = requestedUris(params);
    const progress = connection.window.attachWorkDoneProgress(params?.workDoneToken);
    progress.begin(action === 'pin' ? 'Pinning images' : 'Updating drifted digests', 0, `${uris.length} files`, true);
    const signal = signalOf(token);
    const edits: Edits = { result, changes: [], plain: {} };
    try {
      if (!registry.connected) {
        result.summary.failures.push(untrustedFailure());
        uris.length = 0;
      }
      let done = 0;
      for (const uri of uris) {
        if (signal?.aborted) {
          result.summary.cancelled = true;
          break;
        }
        progress.report(Math.round((done / Math.max(1, uris.length)) * 100), progressLabel(uri));
        await this.editOne(uri, action, signal, edits);
        done++;
      }
    } finally {
      progress.done();
    }
    result.edit = client.versionedEdits ? { documentChanges: edits.changes } : { changes: edits.plain };
    return result;
  }

  private async editOne(uri: string, action: Action, signal: AbortSignal | undefined, edits: Edits): Promise<void> {
    const { result } = edits;
    const settings = this.context.settings.for(uri);
    if (!settings.enable) return;
    const file = await readForEdit(this.context, uri, result.summary.failures);
    if (file === null) return;
    const resolver = this.context.registry.resolver;
    const platform = platformOption(settings);
    const wanted = file.references.filter(
      (ref) =>
        !ignoredBySettings(ref, settings) &&
        !ref.ignored &&
        !ref.localBuild &&
        (action === 'pin' ? ref.status === 'unpinned' : ref.status === 'pinned' && ref.tag !== null),
    );
    const facts = new Map<ImageReference, ImageFacts>();
    for (const ref of wanted) {
      const key = resolver.keyOf(ref, platform);
      if (key === null) continue;
      const online = resolver.online(key) ?? (await resolver.ask(ref, platform, signal));
      if (online !== undefined) facts.set(ref, { online });
    }
    const made = pinAllEdits(wanted, (ref) => facts.get(ref), settings, file.view, action);
    for (const { ref, reason } of made.problems)
      result.summary.failures.push({ uri, line: ref.range.start.line, text: referenceText(ref), reason });
    if (made.edits.length === 0) return;
    result.summary.files++;
    result.summary.edited += made.references.length;
    const changed = made.edits.map((e) => ({ range: e.range, newText: e.newText }));
    // The version after the lookups (the document may have changed meanwhile).
    const version = file.open !== undefined ? file.open.version : null;
    edits.changes.push({ textDocument: { uri, version }, edits: changed });
    edits.plain[uri] = changed;
  }
}

/** A file the workspace commands read. */
export interface ReadFile {
  references: ImageReference[];
  view: FileView;
  open: TrackedDocument | undefined;
}

/** The file's references and view: the open document's, or read from disk (null: unreadable, noted in `failures`). */
export async function readForEdit(
  context: ServerContext,
  uri: string,
  failures: WorkspaceEditResult['summary']['failures'],
): Promise<ReadFile | null> {
  const open = context.documents.get(uri);
  if (open !== undefined) {
    // The text as it is: a big document's read in the reader thread is waited for, never an older one used.
    const analysis = await open.fresh();
    return { references: analysis.result.references, view: fileView(open, analysis.kind, true), open };
  }
  let text: string;
  try {
    text = await readFile(fileURLToPath(uri), 'utf8');
  } catch (error) {
    failures.push({
      uri,
      line: 0,
      text: '',
      reason: `could not read the file: ${error instanceof Error ? error.message : String(error)}`,
    });
    return null;
  }
  const path = pathOf(uri);
  const extracted = findReferences(path, text, { neighbours: neighboursOf(path, readFromDisk) });
  return { references: extracted.references, view: diskFileView(uri, path, extracted.kind, text), open };
}
