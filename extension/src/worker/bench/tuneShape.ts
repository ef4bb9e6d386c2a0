// Several candidate configs of ONE shape, timed so that their ranking is not thermal noise: the
// inputs (rotated sets, FP32 reference) are made once, every candidate is checked against the
// reference, and then ALL correct candidates go into one timeGraphs call, whose rounds replay them
// interleaved (A B C ... A B C ...). A clock that sags under the 700 W cap then slows every
// candidate alike inside a round, instead of whichever candidate happened to run while it was hot.
import { launchWithPdl } from '../../core/launchPolicy';
import type { GemmLaunch, Kernel, TimingResult } from '../../../../native/index';
import type {
  CodedErrorData,
  CompileReport,
  GemmConfig,
  GemmProblem,
  ShapeResult,
  TuneRun,
} from '../../../protocol/worker';
import { runItems, type LoopControl } from '../jobPipeline';
import { DeviceScope } from './buffers';
import { cancelledError, codedData, losesContext } from './errors';
import {
  checkLaunch,
  compiledResult,
  gemmLaunches,
  prepareInputs,
  timingOf,
  timingPlan,
  WARMUP_REPLAYS,
  type InputContext,
} from './shapeBench';
import { shapeLabel } from '../../core/shapes';

/** The inputs' context and the job's cancel flag and progress reports (a Job satisfies the latter). */
export type TuneContext = InputContext & LoopControl;

/** A candidate: its config and its compile, which may still be running (or may have failed). */
export interface TuneCandidate {
  config: GemmConfig;
  compiled: Promise<CompileReport>;
}

export type TuneOutcome = Pick<TuneRun, 'results' | 'method' | 'interrupted'>;

/** A candidate that passed its check: its place in the results and its rotation of launches. */
interface Timed {
  index: number;
  kernel: Kernel;
  launches: GemmLaunch[];
}

export async function tuneShape(
  ctx: TuneContext,
  problem: GemmProblem,
  candidates: TuneCandidate[],
): Promise<TuneOutcome> {
  const { addon, options } = ctx;
  const label = `${shapeLabel(problem)}`;
  const total = candidates.length;
  const checkpoint = () => {
    if (ctx.cancelled()) throw cancelledError();
  };
  let results: ShapeResult[] = [];
  const scope = new DeviceScope(addon);
  let interrupted: TuneRun['interrupted'];
  const stop = (data: CodedErrorData, what: string) => {
    interrupted = {
      code: data.code,
      message:
        data.code === 'E_CANCELLED'
          ? data.message
          : `${label}: ${what}: ${data.message} The CUDA context is lost; the candidates after it were not measured.`,
    };
  };
  try {
    ctx.progress(
      0,
      total,
      'checking',
      `${label}: preparing inputs and the FP32 reference (once, for all ${total} candidates)`,
    );
    const inputs = await prepareInputs(ctx, scope, problem);
    const pdlWanted = options.pdl ?? true;

    // Correctness of each candidate on set 0, one after another; compiles finish meanwhile. A
    // candidate that fails keeps what it got to (its registers, its accuracy) beside its error.
    const timed: Timed[] = [];
    const partial: ShapeResult[] = [];
    const checked = await runItems(ctx, {
      items: candidates,
      noun: 'candidates',
      label: () => label,
      step: async (candidate, at) => {
        const i = at.index;
        partial[i] = { problem, config: candidate.config };
        const compiled = await candidate.compiled;
        at.progress('checking', `${label}: checking candidate ${i + 1} of ${total}`);
        const kernel = addon.loadKernel(compiled.cubinPath, compiled.kernelName);
        const result = (partial[i] = compiledResult(compiled, kernel));
        const launches = gemmLaunches(
          addon,
          scope,
          kernel,
          problem,
          compiled.config,
          inputs.sets,
          launchWithPdl(pdlWanted, compiled.config.numSms, ctx.device.smCount),
        );
        const check = await checkLaunch(ctx, launches[0], inputs);
        result.accuracy = check.accuracy;
        // Never time a wrong kernel: the figure would mean nothing.
        if (check.problem)
          result.error = { code: 'E_WRONG_RESULT', message: `${label}: wrong result, not timed: ${check.problem}` };
        else timed.push({ index: i, kernel, launches });
        return result;
      },
      failed: (candidate, i, error) => ({ ...(partial[i] ?? { problem, config: candidate.config }), error }),
      contextLost: (_, i, data) =>
        `${label}: candidate ${i + 1} failed its check: ${data.message} The CUDA context is lost; the candidates after it were not measured.`,
    });
    results = checked.results;
    interrupted = checked.interrupted;
    const timing = timingPlan(problem, inputs.plan.sets, options);
    const method = methodText(timed.length, timing.timing.callsPerGraph, options.rounds, inputs.plan);
    if (interrupted || timed.length === 0 || !options.timing)
      return { results, method, ...(interrupted ? { interrupted } : {}) };

    ctx.progress(
      0,
      total,
      'timing',
      `${label}: timing ${timed.length} candidate(s) interleaved over ${inputs.plan.sets} rotated input set(s)`,
    );
    let measured: TimingResult | undefined;
    let pdl = pdlWanted;
    try {
      checkpoint();
      try {
        measured = await addon.timeGraphs(
          timed.map((t) => t.launches),
          timing.timing,
        );
      } catch (err) {
        const data = codedData(err);
        if (losesContext(data) || data.code === 'E_CANCELLED' || !pdl) throw err;
        // A capture that refuses programmatic dependent launch gets plain launches (said in each result).
        pdl = false;
        ctx.progress(
          0,
          total,
          'timing',
          `${label}: graph capture failed with PDL ([${data.code}] ${data.message}); timing without it`,
        );
        for (const t of timed)
          t.launches = gemmLaunches(addon, scope, t.kernel, problem, results[t.index].config, inputs.sets, false);
        measured = await addon.timeGraphs(
          timed.map((t) => t.launches),
          timing.timing,
        );
      }
    } catch (err) {
      const data = codedData(err);
      if (data.code === 'E_CANCELLED' || losesContext(data)) stop(data, 'timing failed');
      else
        for (const t of timed)
          results[t.index].error = {
            ...data,
            message: `${label}: the candidates could not be timed together: ${data.message}`,
          };
      return { results, method, ...(interrupted ? { interrupted } : {}) };
    }
    timed.forEach((t, j) => {
      results[t.index].timing = timingOf(measured!.perCallUs[j], timing.flops, timing.bytes);
      if (!pdl && pdlWanted)
        results[t.index].timingNote = 'timed without programmatic dependent launch: the graph capture refused it';
    });
    return { results, method };
  } finally {
    scope.dispose();
  }
}

/** The method, in words, as it goes into the tune JSON and the run. */
export function methodText(
  candidates: number,
  callsPerGraph: number,
  rounds: number,
  plan: { sets: number; rotationBytes: number; exceedsL2: boolean; limitedBy?: string },
): string {
  const rotation =
    `${plan.sets} rotated input set(s), ${(plan.rotationBytes / 2 ** 20).toFixed(0)} MiB` +
    (plan.exceedsL2 ? ' (over 3x L2)' : ` (NOT over 3x L2: limited by ${plan.limitedBy ?? 'the plan'})`);
  return (
    `interleaved CUDA-graph rounds, median of ${rounds}: the ${candidates} correct candidate(s) replayed in turn ` +
    `(A B C ... A B C ...) in every round, one graph of ${callsPerGraph} calls per candidate over ${rotation}, ` +
    `${WARMUP_REPLAYS} warm-up replays; inputs made once and shared; each candidate checked against the FP32 reference ` +
    `(NaN-poisoned output, every element written, calc_diff < 1e-3) before timing`
  );
}
