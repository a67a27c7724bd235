// What the client can do (from `initialize`), and what the server offers in return.
import {
  CodeActionKind,
  MarkupKind,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { FIX_ALL_KIND } from '../features/codeActions';

export class ClientFeatures {
  private capabilities: ClientCapabilities = {};
  /** Pull diagnostics (the client asks, and re-asks on refresh) rather than publishDiagnostics. */
  pull = false;
  /** Settings are read with workspace/configuration (per document too) rather than pushed. */
  configurationRequests = false;

  initialize(capabilities: ClientCapabilities): void {
    this.capabilities = capabilities;
    this.configurationRequests = capabilities.workspace?.configuration === true;
    this.pull =
      capabilities.textDocument?.diagnostic !== undefined &&
      capabilities.workspace?.diagnostics?.refreshSupport === true;
  }

  get dynamicConfiguration(): boolean {
    return Boolean(this.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration);
  }

  /** The server may register file watchers (workspace/didChangeWatchedFiles) itself. */
  get dynamicWatchedFiles(): boolean {
    return Boolean(this.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration);
  }

  /** Workspace edits as versioned documentChanges rather than a plain map of changes. */
  get versionedEdits(): boolean {
    return this.capabilities.workspace?.workspaceEdit?.documentChanges === true;
  }

  /** Hovers in plain text only when the client says it takes no markdown. */
  get hoverKind(): MarkupKind {
    const plain = this.capabilities.textDocument?.hover?.contentFormat?.includes(MarkupKind.Markdown) === false;
    return plain ? MarkupKind.PlainText : MarkupKind.Markdown;
  }
}

export function serverCapabilities(pull: boolean): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    hoverProvider: true,
    codeActionProvider: {
      codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND],
      resolveProvider: false,
    },
    ...(pull
      ? {
          diagnosticProvider: {
            identifier: 'digest-pin',
            interFileDependencies: false,
            workspaceDiagnostics: false,
          },
        }
      : {}),
  };
}
