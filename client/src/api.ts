// What activate() returns (vscode.extensions.getExtension('digest-pin.digest-pin').exports): a read-only view of the
// language server's `digestPin/status` reports — the ones the status bar shows. The extension's own tests wait on it
// ("the server has answered everything") instead of sleeping; nothing in the extension reads it back.
import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/shared/protocol';

export interface DigestPinApi {
  /** The server's last status report; undefined until the first arrives. */
  readonly status: StatusParams | undefined;
  /** Fires with every status report, after `status` is updated. */
  readonly onDidChangeStatus: vscode.Event<StatusParams>;
}

/** Keeps the last status and tells listeners; the extension feeds it what the server sends. */
export class StatusFeed implements DigestPinApi, vscode.Disposable {
  private last: StatusParams | undefined;
  private readonly emitter = new vscode.EventEmitter<StatusParams>();
  readonly onDidChangeStatus = this.emitter.event;

  get status(): StatusParams | undefined {
    return this.last;
  }

  update(status: StatusParams): void {
    this.last = status;
    this.emitter.fire(status);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
