// One shape's autotune as `fp8lab tune` and a sweep task run it: the cost model's best legal
// candidates (the heuristic's choice always among them) and the best of each sweep axis (split-K,
// tile heights, padding, num_sms) timed together on the GPU, then ranked.
import type { BenchOptions, GemmProblem, RuntimeSettings, ShapeResult, TuneRun } from '../../../protocol/worker';
import { rankTuning, type ShapeTuning } from '../../core/tuneRanking';
import { tuneCandidates } from '../../core/tuning/tuneAxes';
import * as service from '../service';
import type { BenchHooks } from '../service';

export type MeasuredTuning = ShapeTuning & { method: string };

export async function tuneProblem(
  settings: RuntimeSettings,
  problem: GemmProblem,
  top: number,
  options: BenchOptions,
  hooks: BenchHooks = {},
): Promise<{ tuning: MeasuredTuning; results: ShapeResult[]; interrupted?: TuneRun['interrupted'] }> {
  // Ranked by the (calibrated) model alone: a tuned record must not decide what gets timed.
  const report = await service.configs(settings, problem, { tuned: false });
  // The model's top N, then the best of each axis that matters on compute-poor GPUs (core/tuning/tuneAxes.ts).
  const timed = tuneCandidates(problem, report.candidates, report.chosen, top).map((a) => a.candidate);
  const run = await service.tune(
    settings,
    problem,
    timed.map((c) => c.config),
    { ...options, peer: false, timing: true },
    hooks,
  );
  const tuning = { ...rankTuning(problem, timed, run.results, report.chosen), method: run.method };
  return { tuning, results: run.results, ...(run.interrupted ? { interrupted: run.interrupted } : {}) };
}
