// The host's side of a worker job, the one path every long command takes (the benchmark, the
// grouped benchmark, the studies, the explorer's timing): send the request under the job's id,
// show the job's own progress reports (filtered by that id) in a cancellable notification, hand
// each measured result over as it arrives, and answer with the result or the coded error, saying
// whether the user cancelled. A feature supplies the request, how a report reads, and what to do
// with what comes back.
import * as vscode from 'vscode';
import type { CodedErrorData, JobProgress, ShapeResult, WorkerRequests } from '../../protocol/worker';
import { RuntimeError, type RuntimeClient } from '../context';

/** The worker requests that run as jobs: their params carry a jobId (progress and job/cancel name it). */
export type JobMethod = {
  [M in keyof WorkerRequests]: WorkerRequests[M]['params'] extends { jobId: string } ? M : never;
}[keyof WorkerRequests];

export interface HostJob<M extends JobMethod> {
  /** From newJobId (core/jobId.ts): a benchmark's id is also its saved run's. */
  jobId: string;
  method: M;
  /** The request's params but the jobId, which the job adds. */
  params: Omit<WorkerRequests[M]['params'], 'jobId'>;
  /** A cancellable progress notification (its Cancel button cancels the job); absent: the caller shows progress itself. */
  notification?: { title: string; show(p: JobProgress): { message: string; increment?: number } };
  /** Without a notification: the caller's own cancel (a webview button). */
  token?: vscode.CancellationToken;
  /** Each result the worker announces before the job ends (job/didMeasure). */
  measured?(result: ShapeResult): void;
}

export type JobOutcome<T> =
  | { ok: true; result: T }
  | {
      ok: false;
      error: CodedErrorData;
      /** The user cancelled (or the worker answered E_CANCELLED). */ cancelled: boolean;
    };

function coded(e: unknown): CodedErrorData {
  if (e instanceof RuntimeError) return e.data;
  const err = e as { code?: unknown; message?: unknown } | undefined;
  if (err && typeof err.code === 'string' && err.code.startsWith('E_') && typeof err.message === 'string')
    return { code: err.code as CodedErrorData['code'], message: err.message };
  return { code: 'E_INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

export async function runJob<M extends JobMethod>(
  runtime: RuntimeClient,
  job: HostJob<M>,
): Promise<JobOutcome<WorkerRequests[M]['result']>> {
  const send = async (
    progress: vscode.Progress<{ message?: string; increment?: number }> | undefined,
    token: vscode.CancellationToken | undefined,
  ) => {
    const subs: vscode.Disposable[] = [];
    if (progress && job.notification) {
      const show = job.notification.show;
      subs.push(
        runtime.onNotification('job/didProgress', (p) => {
          if (p.jobId === job.jobId) progress.report(show(p));
        }),
      );
    }
    if (job.measured) {
      const measured = job.measured;
      subs.push(
        runtime.onNotification('job/didMeasure', (m) => {
          if (m.jobId === job.jobId) measured(m.result);
        }),
      );
    }
    try {
      const params = { ...job.params, jobId: job.jobId } as WorkerRequests[M]['params'];
      return { ok: true as const, result: await runtime.request(job.method, params, token) };
    } catch (e) {
      const error = coded(e);
      return {
        ok: false as const,
        error,
        cancelled: token?.isCancellationRequested === true || error.code === 'E_CANCELLED',
      };
    } finally {
      subs.forEach((s) => s.dispose());
    }
  };
  if (!job.notification) return send(undefined, job.token);
  const { title } = job.notification;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    (progress, token) => send(progress, token),
  );
}
