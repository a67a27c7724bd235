import type { CancellationToken } from 'vscode-languageserver/node';

/** The CancellationToken of a request as the AbortSignal the registry client (got) takes. */
export function signalOf(token: CancellationToken | undefined): AbortSignal | undefined {
  if (token === undefined) return undefined;
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
