// The status bar item: shown while images are being resolved, when offline, rate-limited or restricted, when a pull
// budget is nearly spent, and when the server has stopped; hidden otherwise.
import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/shared/protocol';
import { statusView, stoppedView, type StatusView } from './status';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('digestPin.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'digest-pin';
  }

  update(status: StatusParams): void {
    this.show(statusView(status));
  }

  stopped(): void {
    this.show(stoppedView());
  }

  private show(view: StatusView | undefined): void {
    if (!view) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
    this.item.backgroundColor = view.background
      ? new vscode.ThemeColor(`statusBarItem.${view.background}Background`)
      : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
