// Per-stage ring occupancy over time: for each stage s and time bin b, the fraction of CTAs whose
// stage s held data (from the producer's TMA issue to the last consumer's release), time-weighted
// over the bin. Pure.

import type { TraceData } from '../../../protocol/trace';

export interface RingOccupancy {
  stages: number;
  bins: number;
  t0: number;
  t1: number;
  /** [stage * bins + bin], in 0..1. */
  values: Float32Array;
  /** Mean over stages per bin: the fraction of the ring in use. */
  total: Float32Array;
}

export function ringOccupancy(d: TraceData, bins: number, t0 = 0, t1 = d.durationNs): RingOccupancy {
  if (!(bins >= 1) || !Number.isInteger(bins)) throw new RangeError(`bins must be a whole number ≥ 1; got ${bins}`);
  const stages = Math.max(d.numStages, 1);
  const values = new Float32Array(stages * bins);
  const total = new Float32Array(bins);
  const width = (t1 - t0) / bins;
  const ctas = new Set(d.rows.map((r) => r.cta)).size || 1;
  if (width > 0) {
    const { start, end, stage } = d.fills;
    for (let i = 0; i < d.fills.count; i++) {
      const a = Math.max(start[i], t0),
        b = Math.min(end[i], t1);
      if (b <= a || stage[i] >= stages) continue;
      const first = Math.min(bins - 1, Math.floor((a - t0) / width));
      const lastBin = Math.min(bins - 1, Math.floor((b - t0) / width));
      const row = stage[i] * bins;
      for (let k = first; k <= lastBin; k++) {
        const lo = Math.max(a, t0 + k * width),
          hi = Math.min(b, t0 + (k + 1) * width);
        if (hi > lo) values[row + k] += (hi - lo) / width / ctas;
      }
    }
    for (let k = 0; k < bins; k++) {
      let s = 0;
      for (let st = 0; st < stages; st++) s += values[st * bins + k];
      total[k] = s / stages;
    }
  }
  return { stages, bins, t0, t1, values, total };
}
