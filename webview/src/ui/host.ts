// The webview side of extension/protocol/webview.ts: sends `ready` once the page is up, receives
// the versioned `init` and later snapshots, and sends requests that the host answers by id.

import {
  WEBVIEW_PROTOCOL_VERSION,
  type HostToWebview,
  type Snapshot,
  type ViewName,
  type ViewUiState,
  type WebviewRequests,
} from '../../../extension/protocol/webview';
import type { CodedErrorData } from '../../../extension/protocol/worker';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class HostError extends Error {
  constructor(readonly data: CodedErrorData) {
    super(data.message);
  }
}

export interface Host {
  request<M extends keyof WebviewRequests>(
    method: M,
    params: WebviewRequests[M]['params'],
  ): Promise<WebviewRequests[M]['result']>;
  log(level: 'info' | 'warn' | 'error', text: string): void;
  state(): ViewUiState;
  saveState(patch: Partial<ViewUiState>): void;
}

/** Connects to the host; onSnapshot runs for init and for every later snapshot. */
export function connect<S extends Snapshot>(view: ViewName, onSnapshot: (s: S, host: Host) => void): Host {
  const api = acquireVsCodeApi();
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let ui: ViewUiState = (api.getState() as ViewUiState | undefined) ?? {};

  const host: Host = {
    request(method, params) {
      const id = nextId++;
      api.postMessage({ kind: 'request', id, method, params });
      return new Promise((resolve, reject) => pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    },
    log(level, text) {
      api.postMessage({ kind: 'notification', method: 'log/didWrite', params: { level, text: text.slice(0, 4000) } });
    },
    state: () => ui,
    saveState(patch) {
      ui = { ...ui, ...patch };
      api.setState(ui);
    },
  };

  window.addEventListener('message', (event: MessageEvent<HostToWebview>) => {
    const msg = event.data;
    if (msg.kind === 'response') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if ('error' in msg) p.reject(new HostError(msg.error));
      else p.resolve(msg.result);
      return;
    }
    if (msg.method === 'init' && msg.params.version !== WEBVIEW_PROTOCOL_VERSION) {
      document.body.textContent = `This view speaks protocol version ${WEBVIEW_PROTOCOL_VERSION}, the extension sent ${msg.params.version}. Reload the window.`;
      return;
    }
    try {
      onSnapshot(msg.params.snapshot as S, host);
    } catch (e) {
      host.log('error', `${view} view failed to render: ${(e as Error).stack ?? e}`);
      throw e;
    }
  });
  window.addEventListener('error', (e) => host.log('error', `${view} view: ${e.message}`));
  api.postMessage({ kind: 'notification', method: 'ready', params: { view } });
  return host;
}
