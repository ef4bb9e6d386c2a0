// The host's side of a worker job: a cancellable progress notification that shows the job's own
// progress reports (filtered by its id) while `body` sends the request. Every long command (the
// benchmark, the grouped benchmark, the studies) goes through here; each says only how a report
// reads and what to do with the result or the error.
import * as vscode from 'vscode';
import type { JobProgress } from '../../protocol/worker';
import type { RuntimeClient } from '../context';

export function withJobProgress<T>(runtime: RuntimeClient, jobId: string, title: string,
  show: (p: JobProgress) => { message: string; increment?: number },
  body: (token: vscode.CancellationToken) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const sub = runtime.onNotification('job/didProgress', (p) => { if (p.jobId === jobId) progress.report(show(p)); });
    try {
      return await body(token);
    } finally {
      sub.dispose();
    }
  });
}
