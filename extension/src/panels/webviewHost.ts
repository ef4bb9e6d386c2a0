// Hosts one webview (panel or side view): sets its options and page, checks every incoming
// message against the protocol (invalid ones are dropped and logged), answers `ready` with the
// versioned `init`, routes requests to handlers and answers them by id, and pushes snapshots.

import * as vscode from 'vscode';
import {
  WEBVIEW_PROTOCOL_VERSION,
  type HostToWebview,
  type Snapshot,
  type ViewName,
  type WebviewRequests,
} from '../../protocol/webview';
import type { CodedErrorData } from '../../protocol/worker';
import { RuntimeError } from '../context';
import { checkWebviewMessage } from '../core/webviewGuards';
import { makeNonce, pageHtml, STYLE_SHEETS } from './html';

export type RequestHandlers = {
  [M in keyof WebviewRequests]?: (params: WebviewRequests[M]['params']) => Promise<WebviewRequests[M]['result']>;
};

const APP_TITLES: Record<ViewName, string> = {
  results: 'FP8 GEMM results',
  explorer: 'Config Explorer',
  registers: 'Register use',
  timeline: 'Pipeline timeline',
  accuracy: 'Accuracy against FP32',
  sass: 'SASS',
};

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'webview', 'dist'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

export function toCodedError(e: unknown): CodedErrorData {
  if (e instanceof RuntimeError) return e.data;
  const err = e as { code?: unknown; message?: unknown };
  if (err && typeof err.code === 'string' && err.code.startsWith('E_') && typeof err.message === 'string')
    return { code: err.code as CodedErrorData['code'], message: err.message };
  return { code: 'E_BAD_ARGUMENT', message: e instanceof Error ? e.message : String(e) };
}

export class WebviewHost implements vscode.Disposable {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly webview: vscode.Webview,
    private readonly view: ViewName,
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private snapshot: () => Snapshot,
    private readonly handlers: RequestHandlers,
  ) {
    webview.options = webviewOptions(extensionUri);
    const nonce = makeNonce();
    const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
    webview.html = pageHtml({
      cspSource: webview.cspSource,
      nonce,
      title: APP_TITLES[view],
      scriptUri: uri('webview', 'dist', `${view}.js`),
      styleUris: STYLE_SHEETS.map((name) => uri('media', name)),
    });
    this.disposables.push(webview.onDidReceiveMessage((raw) => this.receive(raw)));
  }

  /** Sends the current snapshot (only once the view said it is ready; before that, init will carry it). */
  update(): void {
    if (this.ready)
      void this.post({ kind: 'notification', method: 'view/didChange', params: { snapshot: this.snapshot() } });
  }

  get isReady(): boolean {
    return this.ready;
  }

  private post(msg: HostToWebview): Thenable<boolean> {
    return this.webview.postMessage(msg);
  }

  private receive(raw: unknown): void {
    const checked = checkWebviewMessage(raw, this.view);
    if (!checked.ok) {
      this.log.warn(`[${this.view} view] dropped an invalid message: ${checked.reason}`);
      return;
    }
    const msg = checked.message;
    if (msg.kind === 'notification') {
      if (msg.method === 'ready') {
        this.ready = true;
        void this.post({
          kind: 'notification',
          method: 'init',
          params: { version: WEBVIEW_PROTOCOL_VERSION, snapshot: this.snapshot() },
        });
      } else {
        this.log[msg.params.level](`[${this.view} view] ${msg.params.text}`);
      }
      return;
    }
    const handler = this.handlers[msg.method] as ((p: unknown) => Promise<unknown>) | undefined;
    if (!handler) {
      void this.post({
        kind: 'response',
        id: msg.id,
        error: { code: 'E_BAD_ARGUMENT', message: `the ${this.view} view does not handle ${msg.method}` },
      });
      return;
    }
    handler(msg.params).then(
      (result) => this.post({ kind: 'response', id: msg.id, result }),
      (e: unknown) => {
        const error = toCodedError(e);
        this.log.error(`[${this.view} view] ${msg.method} failed: ${error.code}: ${error.message}`);
        return this.post({ kind: 'response', id: msg.id, error });
      },
    );
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
