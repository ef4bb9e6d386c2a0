// What every feature's activate(ctx) receives. main.ts builds it; features never reach around it.
import type * as vscode from 'vscode';
import type { RuntimeSettings, WorkerNotifications, WorkerRequests } from '../protocol/worker';

// Re-exported for the host's features; the worker and the CLI import it from core/runtimeError.
export { RuntimeError } from './core/runtimeError';

export interface RuntimeClient {
  /**
   * Sends a request to the runtime worker (starting it if needed). Rejects with RuntimeError:
   * E_WORKER_EXITED when the worker dies with the request in flight, E_WORKER_TIMEOUT when it
   * outlives the configured timeout (the worker is then restarted), E_CANCELLED on cancellation.
   */
  request<M extends keyof WorkerRequests>(
    method: M,
    params: WorkerRequests[M]['params'],
    token?: vscode.CancellationToken,
  ): Promise<WorkerRequests[M]['result']>;
  onNotification<N extends keyof WorkerNotifications>(
    method: N,
    handler: (params: WorkerNotifications[N]) => void,
  ): vscode.Disposable;
  /** Fires after the worker was (re)started following a crash, exit, timeout or restart(). */
  readonly onDidRestart: vscode.Event<{ reason: string }>;
  restart(reason: string): Promise<void>;
  /** The current worker's pid, if one is running. */
  readonly pid: number | undefined;
}

export interface FeatureContext {
  readonly extension: vscode.ExtensionContext;
  readonly runtime: RuntimeClient;
  /** Current settings, merged from VS Code settings and FP8LAB_* environment variables. */
  settings(): RuntimeSettings;
  readonly log: vscode.LogOutputChannel;
  /** Workspace trust: nothing is compiled or run while this is false. */
  isTrusted(): boolean;
}
