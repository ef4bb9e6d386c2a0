// The register-use panel: one panel, reused, showing a RegistersSnapshot (from a run's rows or the
// explorer's compiled candidates). Restored after reload from the snapshot the page saved.

import * as vscode from 'vscode';
import type { RegistersSnapshot } from '../../protocol/webview';
import { isRegistersSnapshot } from '../core/webviewGuards';
import { WebviewHost } from './webviewHost';

export const REGISTERS_VIEW_TYPE = 'fp8lab.registers';

export class RegistersPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private host?: WebviewHost;
  private snapshot?: RegistersSnapshot;
  private readonly serializer: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(REGISTERS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        const saved = (state as { registers?: unknown } | undefined)?.registers;
        if (!isRegistersSnapshot(saved)) {
          log.warn('register panel state was not a valid register snapshot; closing it');
          panel.dispose();
          return;
        }
        this.attach(panel, saved);
      },
    });
  }

  show(snapshot: RegistersSnapshot): void {
    if (this.panel && this.host) {
      this.snapshot = snapshot;
      this.panel.title = snapshot.title;
      this.host.update();
      this.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(REGISTERS_VIEW_TYPE, snapshot.title, vscode.ViewColumn.Beside, {});
    this.attach(panel, snapshot);
  }

  private attach(panel: vscode.WebviewPanel, snapshot: RegistersSnapshot): void {
    this.panel?.dispose();
    this.panel = panel;
    this.snapshot = snapshot;
    panel.title = snapshot.title;
    const host = new WebviewHost(panel.webview, 'registers', this.extensionUri, this.log, () => this.snapshot!, {});
    this.host = host;
    panel.onDidDispose(() => {
      host.dispose();
      if (this.panel === panel) {
        this.panel = undefined;
        this.host = undefined;
      }
    });
  }

  dispose(): void {
    this.serializer.dispose();
    this.panel?.dispose();
  }
}
