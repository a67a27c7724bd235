// textDocument/hover: what the registry says about the reference under the cursor (features/hover.ts words it).
import {
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Hover,
  type HoverParams,
} from 'vscode-languageserver/node';
import { hoverMarkdown, type HoverMode } from '../../features/hover';
import type { ImageReference, Position } from '../../references/types';
import type { Settings } from '../../shared/settings';
import { signalOf } from '../cancellation';
import { current, type ServerContext } from '../context';
import { ignoredBySettings } from '../diagnosticsMemo';
import { platformOption } from '../registrySession';

const contains = (ref: ImageReference, position: Position): boolean => {
  const { start, end } = ref.range;
  if (position.line < start.line || position.line > end.line) return false;
  if (position.line === start.line && position.character < start.character) return false;
  return !(position.line === end.line && position.character > end.character);
};

export class HoverHandler {
  constructor(private readonly context: ServerContext) {}

  async handle(params: HoverParams, token: CancellationToken): Promise<Hover | null> {
    const { settings: store, registry, client, now } = this.context;
    await store.ready;
    const found = await current(this.context, params.textDocument.uri, 'last');
    if (found === undefined) return null;
    const ref = found.references.find((r) => contains(r, params.position));
    if (ref === undefined) return null;
    const platform = platformOption(found.settings);
    const lock = this.context.locks.forDocument(params.textDocument.uri);
    const facts =
      ref.ignored || ignoredBySettings(ref, found.settings)
        ? undefined
        : await registry.facts(lock?.view(ref, platform) ?? ref, found.settings, signalOf(token), true, true);
    // Cancelled while the registry was being asked (the cursor moved on): the client no longer wants this hover.
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const markdown = hoverMarkdown({
      ref,
      facts,
      mode: this.mode(found.settings),
      now: now(),
      ignoredBySettings: ignoredBySettings(ref, found.settings),
      lock: lock?.state(ref, platform) ?? null,
    });
    return { contents: { kind: client.hoverKind, value: markdown }, range: ref.range };
  }

  private mode(settings: Settings): HoverMode {
    if (!this.context.registry.trusted) return 'untrusted';
    return settings.offline ? 'offline' : 'online';
  }
}
