// textDocument/codeAction: pin or update the references in the range, or every one of the file (source.fixAll).
import {
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
} from 'vscode-languageserver/node';
import { codeActions } from '../../features/codeActions';
import type { ImageFacts } from '../../features/facts';
import type { ImageReference } from '../../references/types';
import { signalOf } from '../cancellation';
import { current, type ServerContext } from '../context';
import { ignoredBySettings } from '../diagnosticsMemo';
import { fileView } from '../fileView';
import { platformOption } from '../registrySession';
import { consistencyActions } from './consistencyActions';

export class CodeActionsHandler {
  constructor(private readonly context: ServerContext) {}

  async handle(params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
    await this.context.settings.ready;
    const found = await current(this.context, params.textDocument.uri, 'fresh');
    if (found === undefined) return [];
    const { tracked, references, settings, kind } = found;
    const signal = signalOf(token);
    const fixAll = params.context.only?.some((k) => k === 'source' || k.startsWith('source.fixAll')) ?? false;
    const inRange = references.filter(
      (ref) => !(ref.range.end.line < params.range.start.line || ref.range.start.line > params.range.end.line),
    );
    const platform = platformOption(settings);
    const lock = this.context.locks.forDocument(params.textDocument.uri);
    const factMap = new Map<ImageReference, ImageFacts | undefined>();
    // Every reference of the file for "pin all"; details (platforms) only for those under the cursor.
    await Promise.all(
      references.map(async (ref) => {
        const wanted = inRange.includes(ref);
        if (!wanted && !fixAll && references.length > 500) return;
        const asked = lock?.view(ref, platform) ?? ref;
        factMap.set(ref, await this.context.registry.facts(asked, settings, signal, wanted).catch(() => undefined));
      }),
    );
    const quickFixes = params.context.only?.some((k) => k === 'quickfix' || k.startsWith('quickfix.')) ?? true;
    const across = quickFixes
      ? await consistencyActions(this.context, params.textDocument.uri, {
          references,
          inRange,
          settings,
          diagnostics: params.context.diagnostics,
          signal,
        })
      : [];
    if (signal?.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const actions = codeActions({
      file: fileView(tracked, kind, this.context.client.versionedEdits),
      references,
      range: params.range,
      diagnostics: params.context.diagnostics,
      ...(params.context.only ? { only: params.context.only } : {}),
      facts: (ref) => factMap.get(ref),
      settings,
      skip: (ref) => ignoredBySettings(ref, settings),
      ...(lock === null
        ? {}
        : {
            lock: {
              file: { uri: lock.uri, display: lock.display, lock: lock.lock, text: lock.text },
              state: (ref: ImageReference) => lock.state(ref, platform),
            },
          }),
    });
    return across.length === 0 ? actions : [...actions, ...across];
  }
}
