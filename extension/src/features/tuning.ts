// "FP8 GEMM: Tune shapes on this GPU" (fp8lab.tuneShapes): each shape's best candidates timed on
// the local GPU and its winner recorded in the tuning store, which the explorer, the benchmark and
// the hovers then use ("tuned on this GPU on <date>"). Reached from the Config Explorer ("Tune this
// shape"), the results panel ("Tune these shapes") and the palette (the last run's shapes).
import * as vscode from 'vscode';
import type { GemmProblem, TuneShapesRun } from '../../protocol/worker';
import type { FeatureContext } from '../context';
import { tuneToBenchRun } from '../core/fp8labFiles';
import { newJobId } from '../core/jobId';
import { shapeLabel, validateProblem } from '../core/shapes';
import { tunableShapes } from '../core/tuning/tunableShapes';
import { TUNE_DEFAULTS } from '../core/tuning/tuneAxes';
import { panelsFor } from '../panels/panelSet';
import { runJob, type JobOutcome } from '../runtime/hostJob';
import { runStoreFor } from '../storage/runStore';

/** One tune at a time: two would share the GPU and time each other's kernels. */
let running = false;

/** Normal problems from a command argument; a message saying what is wrong otherwise. */
function problemsOf(arg: unknown): GemmProblem[] | string {
  if (!Array.isArray(arg) || arg.length === 0) return 'expected a non-empty list of M,N,K problems';
  const out: GemmProblem[] = [];
  for (const p of arg as GemmProblem[]) {
    const check = validateProblem(p);
    if (!check.ok) return check.message;
    if (p.kind !== 'normal') return `only Normal FP8 GEMM shapes are tuned; got ${p.kind}`;
    out.push({ kind: 'normal', m: p.m, n: p.n, k: p.k });
  }
  return out;
}

/**
 * Tunes `problems` (or the last run's Normal shapes) with a cancellable progress notification, and
 * says what was saved. Returns the outcome (undefined when nothing ran: no shapes, untrusted).
 */
export async function tuneShapesCommand(
  ctx: FeatureContext,
  arg?: unknown,
): Promise<JobOutcome<TuneShapesRun> | undefined> {
  let problems: GemmProblem[];
  if (arg === undefined) {
    const last = await runStoreFor(ctx)
      .latest()
      .catch(() => undefined);
    problems = last ? tunableShapes(last) : [];
    if (problems.length === 0) {
      void vscode.window.showInformationMessage(
        'No shapes to tune: run a benchmark first, or use "Tune this shape" in the Config Explorer.',
      );
      return undefined;
    }
  } else {
    const parsed = problemsOf(arg);
    if (typeof parsed === 'string') {
      void vscode.window.showErrorMessage(`FP8 GEMM tuning: ${parsed}`);
      return undefined;
    }
    problems = parsed;
  }
  if (!ctx.isTrusted()) {
    void vscode.window.showWarningMessage(
      'This workspace is not trusted: FP8 GEMM Lab compiles and runs nothing here. Trust the workspace to tune.',
    );
    return undefined;
  }

  if (running) {
    void vscode.window.showWarningMessage(
      'A tune is already running on this GPU: wait for it (or cancel it from its notification).',
    );
    return undefined;
  }
  const what = problems.length === 1 ? shapeLabel(problems[0]) : `${problems.length} shapes`;
  running = true;
  const outcome = await runJob(ctx.runtime, {
    jobId: newJobId('tune'),
    method: 'gemm/tuneShapes',
    params: { settings: ctx.settings(), problems, options: { ...TUNE_DEFAULTS, save: true } },
    notification: {
      title: `FP8 GEMM: tuning ${what} on this GPU`,
      show: (p) => ({ message: p.message }),
    },
  }).finally(() => {
    running = false;
  });
  if (outcome.ok) {
    const run = outcome.result;
    const tuned = run.tunings.filter((t) => t.best).length;
    const stopped = run.interrupted ? ` Stopped early: [${run.interrupted.code}] ${run.interrupted.message}` : '';
    const text = `Tuned ${tuned} of ${problems.length} shape(s) on ${run.device?.name ?? 'this GPU'}: ${run.saved} winner(s) saved to the tuning store; the explorer, the benchmark and the hovers now use them.${stopped}`;
    void vscode.window.showInformationMessage(text, 'Show ranking').then((pick) => {
      if (pick) panelsFor(ctx).results.show(tuneToBenchRun(run, `tune ${what}`), { live: false, reveal: true });
    });
    ctx.log.info(text);
  } else if (outcome.cancelled) {
    void vscode.window.showInformationMessage('FP8 GEMM tuning cancelled: the shapes finished before it are saved.');
  } else if (outcome.error.code === 'E_NO_DEVICE' || outcome.error.code === 'E_NO_DRIVER') {
    // Not a failure of the product: this machine cannot time kernels, and the message says what would.
    ctx.log.warn(`nothing tuned: ${outcome.error.code}: ${outcome.error.message}`);
    void vscode.window.showWarningMessage(`FP8 GEMM: nothing tuned (${outcome.error.code}): ${outcome.error.message}`);
  } else {
    ctx.log.error(`tuning failed: ${outcome.error.code}: ${outcome.error.message}`);
    void vscode.window.showErrorMessage(`FP8 GEMM tuning failed (${outcome.error.code}): ${outcome.error.message}`);
  }
  return outcome;
}

export function activate(ctx: FeatureContext): void {
  ctx.extension.subscriptions.push(
    vscode.commands.registerCommand('fp8lab.tuneShapes', (arg?: unknown) => tuneShapesCommand(ctx, arg)),
  );
}
