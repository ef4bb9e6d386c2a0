// Autotune results: the measured ranking of a shape's legal candidates next to the cost model's.
// Pure: the runtime times each candidate (forced configs through the normal bench path); this
// module only orders, compares and formats what was measured.
import type {
  Candidate,
  GemmConfig,
  GemmProblem,
  ShapeResult,
  ShapeTuning,
  TunedCandidate,
} from '../../protocol/worker';
import { sameKernelConfig } from './configIdentity';

export type { ShapeTuning, TunedCandidate };

/** The candidates worth timing: legal ones, best predicted first, at most `limit`, always including the chosen one. */
export function candidatesToTime(candidates: Candidate[], chosen: GemmConfig, limit: number): Candidate[] {
  const legal = candidates
    .filter((c) => !c.rejected)
    .sort((a, b) => (a.predicted?.us ?? Infinity) - (b.predicted?.us ?? Infinity));
  const picked = legal.slice(0, Math.max(1, limit));
  if (!picked.some((c) => sameKernelConfig(c.config, chosen))) {
    const chosenCandidate = legal.find((c) => sameKernelConfig(c.config, chosen));
    if (chosenCandidate) picked[picked.length - 1] = chosenCandidate;
  }
  return picked;
}

/** Joins the timed results (in any order) with the candidates and ranks them fastest first. */
export function rankTuning(
  problem: GemmProblem,
  timed: Candidate[],
  results: ShapeResult[],
  chosen: GemmConfig,
): ShapeTuning {
  const candidates: TunedCandidate[] = timed.map((c) => {
    const r = results.find((x) => sameKernelConfig(x.config, c.config));
    const failed = !r
      ? 'not measured'
      : r.error
        ? `${r.error.code}: ${r.error.message}`
        : r.accuracy && !r.accuracy.passed
          ? 'wrong result'
          : undefined;
    return {
      config: c.config,
      ...(c.predicted ? { predictedUs: c.predicted.us } : {}),
      ...(!failed && r?.timing ? { measuredUs: r.timing.medianUs } : {}),
      ...(failed ? { error: failed } : {}),
      chosen: sameKernelConfig(c.config, chosen),
    };
  });
  candidates.sort((a, b) => (a.measuredUs ?? Infinity) - (b.measuredUs ?? Infinity));
  const best = candidates.find((c) => c.measuredUs !== undefined);
  const picked = candidates.find((c) => c.chosen && c.measuredUs !== undefined);
  return {
    problem,
    candidates,
    ...(best ? { best } : {}),
    ...(best && picked ? { regret: picked.measuredUs! / best.measuredUs! } : {}),
  };
}
