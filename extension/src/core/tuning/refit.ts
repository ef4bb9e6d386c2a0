// Refitting the cost model to what was measured on this GPU. The model's shape (which terms exist,
// how they combine) stays; two factors are fitted: one for everything that runs on the SMs (the
// compute term and the fixed per-grid costs: the clock) and one for the memory system (the L2 and
// HBM terms: the bandwidths). They minimise the squared log error of predicted against measured µs
// over every timed candidate of this device's tuning records, by a grid search over 0.5x-2x (the
// factors are few and the records many, so a grid cannot diverge), then 0.5% steps around its best.
//
// The rule: refit only with at least REFIT_MIN_SHAPES tuned shapes and REFIT_MIN_POINTS timed
// candidates among them, and keep the result only when it lowers the error by at least
// REFIT_MIN_GAIN (otherwise the calibrated terms already explain the measurements).
import type { GemmConfig, GemmProblem } from '../../../protocol/worker';
import { MODEL, pNorm, predictCost } from '../heuristics/costModel';
import type { PolicyDevice } from '../heuristics/device';
import { scaledModel, type DeviceModel } from '../heuristics/deviceModel';
import { workShape } from '../heuristics/tiles';
import type { TuningRecord } from './tuningRecord';

export const REFIT_MIN_SHAPES = 4;
export const REFIT_MIN_POINTS = 20;
/** Relative drop of the RMS log error a refit must bring to be used. */
export const REFIT_MIN_GAIN = 0.05;
const FACTORS = Array.from({ length: 57 }, (_, i) => 0.5 * 1.025 ** i).filter((f) => f <= 2.0001);

/** One timed candidate, split into the parts the two factors scale (µs at the unscaled model). */
export interface FitPoint {
  measuredUs: number;
  computeUs: number;
  l2Us: number;
  dramUs: number;
  /** Fixed costs on the SMs (fill, last epilogue): scaled with compute. */
  fixedSmUs: number;
}

export interface RefitResult {
  /** SM-side time factor (1.1 = measured 10% slower than predicted). */
  compute: number;
  memory: number;
  /** RMS of ln(measured / predicted) before and after. */
  errorBefore: number;
  errorAfter: number;
  shapes: number;
  points: number;
}

export type RefitOutcome =
  { ok: true; refit: RefitResult; model: DeviceModel } | { ok: false; reason: string; shapes: number; points: number };

/** The split prediction of one config on the device (whose `model` is the base being refitted). */
export function fitPoint(
  problem: GemmProblem,
  config: GemmConfig,
  measuredUs: number,
  device: PolicyDevice,
  base: DeviceModel,
): FitPoint {
  const cost = predictCost(config, workShape(problem), {
    ...device,
    model: base,
    numSms: config.numSms || device.numSms,
  });
  const perUs = base.clockGHz * 1e3;
  return {
    measuredUs,
    computeUs: cost.computeCycles / perUs,
    l2Us: cost.l2Cycles / perUs,
    dramUs: cost.dramCycles / perUs,
    fixedSmUs: cost.fixedCycles / perUs - MODEL.launchUs,
  };
}

/** The prediction with the SM side scaled by `compute` and the memory side by `memory`. */
export function scaledPrediction(p: FitPoint, compute: number, memory: number): number {
  return (
    pNorm([compute * p.computeUs, memory * p.l2Us, memory * p.dramUs], MODEL.overlapExponent) +
    compute * p.fixedSmUs +
    MODEL.launchUs
  );
}

export function rmsLogError(points: readonly FitPoint[], compute: number, memory: number): number {
  const sum = points.reduce((s, p) => s + Math.log(p.measuredUs / scaledPrediction(p, compute, memory)) ** 2, 0);
  return Math.sqrt(sum / points.length);
}

/** Every timed candidate of the records, as fit points. */
export function fitPoints(records: readonly TuningRecord[], device: PolicyDevice, base: DeviceModel): FitPoint[] {
  return records.flatMap((r) =>
    r.ranking
      .filter((c) => c.measuredUs !== undefined && c.measuredUs > 0 && !c.error)
      .map((c) => fitPoint(r.problem, c.config, c.measuredUs!, device, base)),
  );
}

/** Fits the two factors to this device's records (see the rule at the top of this file). */
export function refitModel(records: readonly TuningRecord[], device: PolicyDevice, base: DeviceModel): RefitOutcome {
  const withTimes = records.filter((r) => r.ranking.some((c) => c.measuredUs !== undefined));
  const points = fitPoints(withTimes, device, base);
  const shapes = withTimes.length;
  if (shapes < REFIT_MIN_SHAPES || points.length < REFIT_MIN_POINTS) {
    return {
      ok: false,
      shapes,
      points: points.length,
      reason: `${shapes} tuned shape(s) with ${points.length} timed candidate(s); a refit needs ${REFIT_MIN_SHAPES} shapes and ${REFIT_MIN_POINTS} candidates`,
    };
  }
  const errorBefore = rmsLogError(points, 1, 1);
  let best = { compute: 1, memory: 1, error: errorBefore };
  const search = (computes: readonly number[], memories: readonly number[]) => {
    for (const compute of computes) {
      for (const memory of memories) {
        const error = rmsLogError(points, compute, memory);
        if (error < best.error) best = { compute, memory, error };
      }
    }
  };
  search(FACTORS, FACTORS);
  // Then 0.5% steps across the grid cell around the best point.
  const around = (f: number) => Array.from({ length: 11 }, (_, i) => f * 1.005 ** (i - 5));
  search(around(best.compute), around(best.memory));
  if (best.error >= errorBefore * (1 - REFIT_MIN_GAIN)) {
    return {
      ok: false,
      shapes,
      points: points.length,
      reason: `a refit would lower the error only from ${errorBefore.toFixed(3)} to ${best.error.toFixed(3)} (under ${REFIT_MIN_GAIN * 100}%): kept the terms as they are`,
    };
  }
  return {
    ok: true,
    model: scaledModel(base, best.compute, best.memory),
    refit: {
      compute: best.compute,
      memory: best.memory,
      errorBefore,
      errorAfter: best.error,
      shapes,
      points: points.length,
    },
  };
}
