// One shape's autotune as `fp8lab tune` and a sweep task run it: the cost model's best legal
// candidates (the heuristic's choice always among them) timed together on the GPU, then ranked.
import type { BenchOptions, GemmProblem, RuntimeSettings, ShapeResult, TuneRun } from '../../../protocol/worker';
import { candidatesToTime, rankTuning, type ShapeTuning } from '../../core/tuneRanking';
import * as service from '../service';

export type MeasuredTuning = ShapeTuning & { method: string };

export async function tuneProblem(settings: RuntimeSettings, problem: GemmProblem, top: number, options: BenchOptions):
  Promise<{ tuning: MeasuredTuning; results: ShapeResult[]; interrupted?: TuneRun['interrupted'] }> {
  const report = await service.configs(settings, problem);
  const timed = candidatesToTime(report.candidates, report.chosen, top);
  const run = await service.tune(settings, problem, timed.map((c) => c.config), { ...options, peer: false, timing: true });
  const tuning = { ...rankTuning(problem, timed, run.results, report.chosen), method: run.method };
  return { tuning, results: run.results, ...(run.interrupted ? { interrupted: run.interrupted } : {}) };
}
