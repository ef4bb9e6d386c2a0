// One webview panel per study view (timeline, accuracy, SASS), reused for each new capture, report
// or listing.
// The snapshot shown is kept in the extension's storage so the serializer can show it again after
// a window reload; it is read back through the same checks as a file the user opens (a stored file
// can be stale or edited by hand).

import * as vscode from 'vscode';
import type { SassSnapshot } from '../../protocol/sass';
import type { AccuracySnapshot, TimelineSnapshot } from '../../protocol/trace';
import { WebviewHost, type RequestHandlers } from './webviewHost';

type StudySnapshot = TimelineSnapshot | AccuracySnapshot | SassSnapshot;

export interface StudyPanelDeps<S extends StudySnapshot> {
  viewType: string;
  view: S['view'];
  extensionUri: vscode.Uri;
  /** Folder for the last snapshot shown (the extension's global storage). */
  storageUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Checks a stored snapshot (throws a coded error on bad input). */
  check(raw: unknown): S;
  /** What the view may ask for (none: it only displays, sending `ready` and log lines). */
  handlers?: RequestHandlers;
}

export class StudyPanel<S extends StudySnapshot> implements vscode.Disposable {
  private entry: { panel: vscode.WebviewPanel; host: WebviewHost; snapshot: S } | undefined;
  private readonly serializer: vscode.Disposable;

  constructor(private readonly deps: StudyPanelDeps<S>) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(deps.viewType, {
      deserializeWebviewPanel: async (panel) => {
        try {
          const bytes = await vscode.workspace.fs.readFile(this.stored());
          this.attach(panel, deps.check(JSON.parse(new TextDecoder().decode(bytes))));
        } catch (e) {
          deps.log.warn(`the ${deps.view} view could not be restored: ${(e as Error).message}`);
          panel.webview.html = `<!DOCTYPE html><p>This ${deps.view} view has nothing saved to show. Open it again from its command.</p>`;
        }
      },
    });
  }

  /** The snapshot currently shown, if the panel is open. */
  get current(): S | undefined {
    return this.entry?.snapshot;
  }

  /** True once the page loaded and sent `ready` (it then got the snapshot with `init`). */
  get ready(): boolean {
    return this.entry?.host.isReady ?? false;
  }

  show(snapshot: S): void {
    void this.persist(snapshot);
    if (this.entry) {
      this.entry.snapshot = snapshot;
      this.entry.panel.title = snapshot.title;
      this.entry.host.update();
      this.entry.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      this.deps.viewType,
      snapshot.title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      { enableFindWidget: true },
    );
    this.attach(panel, snapshot);
  }

  private stored(): vscode.Uri {
    return vscode.Uri.joinPath(this.deps.storageUri, `last-${this.deps.view}.json`);
  }

  private async persist(snapshot: S): Promise<void> {
    try {
      await vscode.workspace.fs.createDirectory(this.deps.storageUri);
      await vscode.workspace.fs.writeFile(this.stored(), new TextEncoder().encode(JSON.stringify(snapshot)));
    } catch (e) {
      this.deps.log.warn(
        `the ${this.deps.view} view's snapshot was not saved (it will not survive a reload): ${(e as Error).message}`,
      );
    }
  }

  private attach(panel: vscode.WebviewPanel, snapshot: S): void {
    this.entry?.panel.dispose();
    const entry = { panel, snapshot } as NonNullable<typeof this.entry>;
    entry.host = new WebviewHost(
      panel.webview,
      this.deps.view,
      this.deps.extensionUri,
      this.deps.log,
      () => entry.snapshot,
      this.deps.handlers ?? {},
    );
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
