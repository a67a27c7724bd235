// textDocument/diagnostic (pull clients): the document's diagnostics, read first if a change is pending.
import {
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import type { ServerContext } from '../context';

export class PullDiagnosticsHandler {
  constructor(private readonly context: ServerContext) {}

  handle(params: DocumentDiagnosticParams, token: CancellationToken): DocumentDiagnosticReport {
    if (token.isCancellationRequested)
      throw new ResponseError(LSPErrorCodes.ServerCancelled, 'cancelled', { retriggerRequest: true });
    const { documents, diagnostics } = this.context;
    const uri = params.textDocument.uri;
    const tracked = documents.get(uri);
    if (tracked === undefined) return { kind: 'full', items: [] };
    if (diagnostics.cancel(uri) || tracked.stale) diagnostics.refreshDocument(uri);
    return diagnostics.report(uri, diagnostics.diagnosticsOf(tracked), params.previousResultId);
  }
}
