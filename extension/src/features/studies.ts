// The two studies as commands: "Show pipeline timeline" (fp8lab.showTimeline) and "Show
// accuracy against FP32" (fp8lab.showAccuracy). Each runs on the runtime worker (gemm/timeline,
// gemm/accuracy) with progress and cancel, and opens its view. The shape comes from the caller
// (a results row or an explorer candidate: { problem }), else from the last run, else an input box.
// Without a Hopper GPU (or in an untrusted workspace) the view opens from a recorded capture/report
// file if the user picks one; otherwise the user is told plainly what is needed.

import * as vscode from 'vscode';
import type { AccuracyReport, InputKind, TraceCapture } from '../../protocol/trace';
import type { GemmProblem } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import { checkAccuracyReport } from '../core/accuracy';
import { classifyFp8labJson } from '../core/fp8labFiles';
import { parseShape, shapeLabel } from '../core/shapes';
import { checkTraceCapture } from '../core/trace';
import { accuracyTitle, createAccuracyPanel } from '../panels/accuracyPanel';
import { createTimelinePanel, timelineTitle } from '../panels/timelinePanel';
import { runStoreFor } from '../storage/runStore';
import { newJobId } from '../core/jobId';
import { runJob, type HostJob } from '../runtime/hostJob';

export type StudyName = 'timeline' | 'accuracy';
export const STUDY_COMMANDS: Record<StudyName, string> = {
  timeline: 'fp8lab.showTimeline',
  accuracy: 'fp8lab.showAccuracy',
};
const INPUTS: Array<{ label: InputKind; detail: string }> = [
  { label: 'normal', detail: 'N(0, 1)' },
  { label: 'outliers', detail: 'heavy tails: 1 row in 32 x64, 1 column in 32 x16, 1 element in 1024 x100' },
  { label: 'tiny', detail: 'N(0, 1) x 2^-24: near FP8 e4m3 underflow' },
];

/** What a caller may pass to the commands: a shape (with a config) or a recorded file to open. */
function problemArg(arg: unknown): GemmProblem | undefined {
  const p = (arg as { problem?: GemmProblem } | undefined)?.problem;
  if (!p || typeof p !== 'object' || ![p.m, p.n, p.k].every((v) => Number.isInteger(v) && v > 0)) return undefined;
  return {
    kind: p.kind ?? 'normal',
    m: p.m,
    n: p.n,
    k: p.k,
    ...(p.config && typeof p.config === 'object' ? { config: p.config } : {}),
  };
}

export function activate(ctx: FeatureContext) {
  const storage = ctx.extension.globalStorageUri;
  const timelinePanel = createTimelinePanel(ctx.extension.extensionUri, storage, ctx.log);
  const accuracyPanel = createAccuracyPanel(ctx.extension.extensionUri, storage, ctx.log);
  ctx.extension.subscriptions.push(timelinePanel, accuracyPanel);

  const showCapture = (capture: TraceCapture) =>
    timelinePanel.show({ view: 'timeline', title: timelineTitle(capture), capture: checkTraceCapture(capture) });
  const showReport = (report: AccuracyReport, all?: AccuracyReport[]) =>
    accuracyPanel.show({
      view: 'accuracy',
      title: accuracyTitle(report),
      report: checkAccuracyReport(report),
      // Every report of the file, for the view's picker ("outliers" is where block scaling pays off).
      ...(all && all.length > 1 ? { reports: all.map(checkAccuracyReport) } : {}),
    });

  /** Opens a recorded file: a TraceCapture / TimelineRun ({ capture }) or an AccuracyReport (or a list of them). */
  async function openRecorded(study: StudyName, uri?: vscode.Uri): Promise<boolean> {
    const file =
      uri ??
      (
        await vscode.window.showOpenDialog({
          canSelectMany: false,
          filters: { JSON: ['json'] },
          title:
            study === 'timeline'
              ? 'Open a recorded timeline capture (fp8lab timeline --capture / --json)'
              : 'Open a recorded accuracy report (fp8lab accuracy --json)',
        })
      )?.[0];
    if (!file) return false;
    const name = file.path.split('/').pop() ?? file.path;
    const raw: unknown = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)));
    const found = classifyFp8labJson(raw, name);
    if (found.kind === 'timeline') showCapture(found.capture);
    // device-pass.sh folds the three input kinds into one file ({ reports: [...] }): all are offered.
    else if (found.kind === 'accuracy') showReport(found.reports[0], found.reports);
    else
      throw new Error(
        `${name} is a ${found.summary}, not a ${study === 'timeline' ? 'timeline capture' : 'accuracy report'}: open it with "Open saved run…"`,
      );
    return true;
  }

  async function shapeFor(arg: unknown): Promise<GemmProblem | undefined> {
    const given = problemArg(arg);
    if (given) return given;
    const last = (
      await runStoreFor(ctx)
        .latest()
        .catch(() => undefined)
    )?.results.find((r) => !r.error);
    const text = await vscode.window.showInputBox({
      title: 'Shape (M N K)',
      prompt: 'M N K, "M,N,K" or "MxNxK"',
      value: last ? `${shapeLabel(last.problem)}` : '4096x7168x2048',
      validateInput: (v) => {
        const p = parseShape(v);
        return p.ok ? undefined : p.message;
      },
    });
    if (text === undefined) return undefined;
    const parsed = parseShape(text);
    if (!parsed.ok) return undefined;
    // The last run's config for the same shape, so the study shows the kernel that was measured.
    const same =
      last &&
      last.problem.m === parsed.problem.m &&
      last.problem.n === parsed.problem.n &&
      last.problem.k === parsed.problem.k;
    return same ? { ...parsed.problem, config: last.config } : parsed.problem;
  }

  /** Whether this machine can run the study; if not, offers a recorded file or says what is needed. */
  async function canRun(study: StudyName): Promise<boolean> {
    const what = study === 'timeline' ? 'The pipeline timeline' : 'The accuracy study';
    const pick = 'Open a recorded file…';
    if (!ctx.isTrusted()) {
      const choice = await vscode.window.showWarningMessage(
        `${what} compiles and runs kernels, which is off in an untrusted workspace. A recorded file can still be shown.`,
        pick,
      );
      if (choice === pick) await openRecorded(study);
      return false;
    }
    const env = await ctx.runtime.request('env/probe', { settings: ctx.settings() }).catch(() => undefined);
    if (env?.canRunKernels) return true;
    const choice = await vscode.window.showWarningMessage(
      `${what} runs the kernel on the GPU and needs a Hopper GPU (sm_90) with its driver; none is usable here (${env?.summary ?? 'the runtime did not answer'}). You can open a recorded file instead.`,
      pick,
    );
    if (choice === pick) await openRecorded(study);
    return false;
  }

  async function run<M extends 'gemm/timeline' | 'gemm/accuracy'>(
    title: string,
    method: M,
    params: HostJob<M>['params'],
  ) {
    const outcome = await runJob(ctx.runtime, {
      jobId: newJobId('study'),
      method,
      params,
      notification: { title, show: (p) => ({ message: p.message }) },
    });
    if (outcome.ok) return outcome.result;
    const err = outcome.error;
    if (outcome.cancelled) {
      void vscode.window.showInformationMessage(`${title}: cancelled.`);
      return undefined;
    }
    ctx.log.warn(`${title}: ${err.code}: ${err.message}`);
    void vscode.window.showErrorMessage(`${title} failed: [${err.code}] ${err.message}`);
    return undefined;
  }

  const showTimeline = async (arg?: unknown) => {
    if (arg instanceof vscode.Uri) {
      await openRecorded('timeline', arg);
      return;
    }
    if (!(await canRun('timeline'))) return;
    const problem = await shapeFor(arg);
    if (!problem) return;
    const result = await run(`Pipeline timeline ${shapeLabel(problem)}`, 'gemm/timeline', {
      settings: ctx.settings(),
      problem,
    });
    if (result) showCapture(result.capture);
  };

  const showAccuracy = async (arg?: unknown) => {
    if (arg instanceof vscode.Uri) {
      await openRecorded('accuracy', arg);
      return;
    }
    if (!(await canRun('accuracy'))) return;
    const problem = await shapeFor(arg);
    if (!problem) return;
    const input = await vscode.window.showQuickPick(INPUTS, { title: 'Inputs for the accuracy study' });
    if (!input) return;
    // A fresh seed each time; it is recorded in the report, so the inputs can be reproduced.
    const seed = Math.floor(Math.random() * 0x100000000);
    const report = await run(`Accuracy ${shapeLabel(problem)} (${input.label})`, 'gemm/accuracy', {
      settings: ctx.settings(),
      problem,
      options: { input: input.label, seed },
    });
    if (report) showReport(report);
  };

  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand(STUDY_COMMANDS.timeline, showTimeline),
    vscode.commands.registerCommand(STUDY_COMMANDS.accuracy, showAccuracy),
  );

  // Test hooks (integration tests open both views from recorded fixtures).
  return {
    studies: {
      showTimelineCapture: (capture: TraceCapture) => showCapture(capture),
      showAccuracyReport: (report: AccuracyReport, all?: AccuracyReport[]) => showReport(report, all),
      openRecorded: (study: StudyName, path: string) => openRecorded(study, vscode.Uri.file(path)),
      shown: () => ({
        timeline: timelinePanel.current
          ? { title: timelinePanel.current.title, ready: timelinePanel.ready }
          : undefined,
        accuracy: accuracyPanel.current
          ? { title: accuracyPanel.current.title, ready: accuracyPanel.ready }
          : undefined,
      }),
    },
  };
}
