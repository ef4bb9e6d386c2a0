// The SASS panel (webview/src/apps/sass.ts): one panel, reused for each listing or diff. The last
// snapshot is kept in the extension's storage so the serializer shows it again after a reload; it
// is read back through checkSassSnapshot (a stored file can be stale or edited by hand). The view
// may ask for one thing: open the source line of an instruction.

import * as vscode from 'vscode';
import type { SassSnapshot } from '../../protocol/sass';
import { checkSassSnapshot } from '../core/sass/check';
import { WebviewHost } from './webviewHost';

export const SASS_VIEW_TYPE = 'fp8lab.sass';

export interface SassPanelDeps {
  extensionUri: vscode.Uri;
  storageUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Opens the source line an instruction came from (resolved against the workspace). */
  openSource(file: string, line: number): Promise<boolean>;
}

export class SassPanel implements vscode.Disposable {
  private entry: { panel: vscode.WebviewPanel; host: WebviewHost; snapshot: SassSnapshot } | undefined;
  private readonly serializer: vscode.Disposable;

  constructor(private readonly deps: SassPanelDeps) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(SASS_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel) => {
        try {
          const bytes = await vscode.workspace.fs.readFile(this.stored());
          this.attach(panel, checkSassSnapshot(JSON.parse(new TextDecoder().decode(bytes))));
        } catch (e) {
          deps.log.warn(`the SASS view could not be restored: ${(e as Error).message}`);
          panel.webview.html = '<!DOCTYPE html><p>This SASS view has nothing saved to show. Open it again from its command.</p>';
        }
      },
    });
  }

  get current(): SassSnapshot | undefined { return this.entry?.snapshot; }
  get ready(): boolean { return this.entry?.host.isReady ?? false; }

  show(snapshot: SassSnapshot): void {
    void this.persist(snapshot);
    if (this.entry) {
      this.entry.snapshot = snapshot;
      this.entry.panel.title = snapshot.title;
      this.entry.host.update();
      this.entry.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(SASS_VIEW_TYPE, snapshot.title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, { enableFindWidget: true });
    this.attach(panel, snapshot);
  }

  private stored(): vscode.Uri {
    return vscode.Uri.joinPath(this.deps.storageUri, 'last-sass.json');
  }

  private async persist(snapshot: SassSnapshot): Promise<void> {
    try {
      await vscode.workspace.fs.createDirectory(this.deps.storageUri);
      await vscode.workspace.fs.writeFile(this.stored(), new TextEncoder().encode(JSON.stringify(snapshot)));
    } catch (e) {
      this.deps.log.warn(`the SASS view's snapshot was not saved (it will not survive a reload): ${(e as Error).message}`);
    }
  }

  private attach(panel: vscode.WebviewPanel, snapshot: SassSnapshot): void {
    this.entry?.panel.dispose();
    const entry = { panel, snapshot } as NonNullable<typeof this.entry>;
    entry.host = new WebviewHost(panel.webview, 'sass', this.deps.extensionUri, this.deps.log, () => entry.snapshot, {
      'sass/openSource': async ({ file, line }) => ({ opened: await this.deps.openSource(file, line) }),
    });
    panel.title = snapshot.title;
    this.entry = entry;
    panel.onDidDispose(() => {
      entry.host.dispose();
      if (this.entry === entry) this.entry = undefined;
    });
  }

  dispose(): void {
    this.serializer.dispose();
    this.entry?.panel.dispose();
  }
}
