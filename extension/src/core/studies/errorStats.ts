// Error statistics of one GEMM output against an FP32 reference, computed on the host from the
// downloaded tensors: calc_diff (float64 sums), max absolute / relative error, the log-scale
// histogram of relative errors (the bins of core/accuracy/histogram.ts) and per-output-tile sums for
// the heatmap. One pass, no per-element allocation, so 4096x7168 (29M outputs) takes well under a
// second per variant. Pure: typed arrays in, JSON-ready figures out.
import type { AccuracyVariantReport } from '../../../protocol/trace';
import { binOf, DEFAULT_HISTOGRAM, emptyHistogram, type HistogramSpec } from '../accuracy/histogram';

/** Relative errors are taken against max(|ref|, REL_FLOOR_FRACTION x rms(ref)) (as the GPU check does). */
export const REL_FLOOR_FRACTION = 1e-2;

/** The figures of one variant's report; `unwritten` counts NaN outputs (the poison never overwritten). */
export type ErrorStats = Pick<
  AccuracyVariantReport,
  'calcDiff' | 'maxAbsError' | 'maxRelError' | 'unwritten' | 'histogram' | 'tiles'
>;

export interface OutputGeometry {
  m: number;
  n: number;
  blockM: number;
  blockN: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** bf16 bits -> number (bf16 is the upper half of an fp32). */
export function bf16ToNumber(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/** D (bf16 bits, row-major [m, n]) against ref (fp32 [m, n]). */
export function errorStats(
  d: Uint16Array,
  ref: Float32Array,
  g: OutputGeometry,
  spec: HistogramSpec = DEFAULT_HISTOGRAM,
): ErrorStats {
  const { m, n, blockM, blockN } = g;
  const count = m * n;
  if (!(Number.isInteger(m) && Number.isInteger(n) && m > 0 && n > 0 && blockM > 0 && blockN > 0)) {
    throw new RangeError(`errorStats needs positive whole m, n, blockM, blockN; got ${m}, ${n}, ${blockM}, ${blockN}`);
  }
  if (d.length < count || ref.length < count)
    throw new RangeError(`errorStats needs ${count} outputs and reference values; got ${d.length} and ${ref.length}`);

  // The relative-error floor needs the reference's RMS first (a cheap pass over ref alone).
  let sumYY = 0;
  for (let i = 0; i < count; i++) sumYY += ref[i] * ref[i];
  const floor = Math.max(REL_FLOOR_FRACTION * Math.sqrt(sumYY / count), Number.MIN_VALUE);

  const tilesM = Math.ceil(m / blockM),
    tilesN = Math.ceil(n / blockN);
  const maxAbs = new Float64Array(tilesM * tilesN);
  const sumSqErr = new Float64Array(tilesM * tilesN);
  const sumSqRef = new Float64Array(tilesM * tilesN);
  const histogram = emptyHistogram(spec);
  let sumXY = 0,
    sumXXYY = 0,
    maxAbsError = 0,
    maxRelError = 0,
    unwritten = 0;
  for (let r = 0; r < m; r++) {
    const rowTile = Math.floor(r / blockM) * tilesN;
    const base = r * n;
    for (let c = 0; c < n; c++) {
      const y = ref[base + c];
      const x = bf16ToNumber(d[base + c]);
      const t = rowTile + Math.floor(c / blockN);
      if (Number.isNaN(x)) {
        unwritten++;
        histogram.nonFinite++;
        continue;
      }
      const err = Math.abs(x - y);
      sumXY += x * y;
      sumXXYY += x * x + y * y;
      const rel = err / Math.max(Math.abs(y), floor);
      const bin = binOf(rel, spec);
      if (typeof bin === 'number') histogram.counts[bin]++;
      else histogram[bin]++;
      if (err > maxAbsError) maxAbsError = err;
      if (rel > maxRelError) maxRelError = rel;
      if (err > maxAbs[t]) maxAbs[t] = err;
      sumSqErr[t] += err * err;
      sumSqRef[t] += y * y;
    }
  }
  const calcDiff = sumXXYY === 0 ? (sumXY === 0 ? 0 : Number.NaN) : 1 - (2 * sumXY) / sumXXYY;
  return {
    calcDiff,
    maxAbsError,
    maxRelError,
    unwritten,
    histogram,
    tiles: {
      blockM,
      blockN,
      tilesM,
      tilesN,
      maxAbs: Array.from(maxAbs),
      sumSqErr: Array.from(sumSqErr),
      sumSqRef: Array.from(sumSqRef),
    },
  };
}
