// Log-scale histogram of relative error. The GPU reduction bins with the same rule, so the bins
// are defined here once:
//   rel = |x - y| / max(|y|, floor)
//   rel == 0            -> zero
//   rel not finite      -> nonFinite
//   rel < 10^lo         -> below
//   i = floor((log10(rel) - lo) * perDecade); i >= bins -> above, else counts[i]
// Pure.

import type { ErrorHistogram } from '../../../protocol/trace';
import { AccuracyFormatError } from './errors';

export interface HistogramSpec {
  log10Lo: number;
  perDecade: number;
  bins: number;
}

/** 1e-8 .. 10 in quarter decades: bf16 outputs sit around 1e-3; no promotion reaches 1e-1 and more. */
export const DEFAULT_HISTOGRAM: HistogramSpec = { log10Lo: -8, perDecade: 4, bins: 36 };

export const relativeError = (x: number, y: number, floor: number): number =>
  Math.abs(x - y) / Math.max(Math.abs(y), floor);

export type BinIndex = number | 'zero' | 'below' | 'above' | 'nonFinite';

export function binOf(rel: number, spec: HistogramSpec = DEFAULT_HISTOGRAM): BinIndex {
  if (!Number.isFinite(rel)) return 'nonFinite';
  if (rel === 0) return 'zero';
  const f = (Math.log10(rel) - spec.log10Lo) * spec.perDecade;
  if (f < 0) return 'below';
  const i = Math.floor(f + 1e-9); // exact powers of ten land in the bin they open despite log10 rounding
  return i >= spec.bins ? 'above' : i;
}

export function emptyHistogram(spec: HistogramSpec = DEFAULT_HISTOGRAM): ErrorHistogram {
  return {
    log10Lo: spec.log10Lo,
    perDecade: spec.perDecade,
    counts: new Array(spec.bins).fill(0),
    zero: 0,
    below: 0,
    above: 0,
    nonFinite: 0,
  };
}

/** Bins relative errors computed on the CPU (tests, small problems); the GPU fills the same shape. */
export function histogramOf(relErrors: ArrayLike<number>, spec: HistogramSpec = DEFAULT_HISTOGRAM): ErrorHistogram {
  const h = emptyHistogram(spec);
  for (let i = 0; i < relErrors.length; i++) {
    const b = binOf(relErrors[i], spec);
    if (typeof b === 'number') h.counts[b]++;
    else h[b]++;
  }
  return h;
}

export const histogramTotal = (h: ErrorHistogram): number =>
  h.counts.reduce((a, b) => a + b, 0) + h.zero + h.below + h.above + h.nonFinite;

/** [lo, hi) of bin i. */
export const binEdges = (h: ErrorHistogram, i: number): [number, number] => [
  10 ** (h.log10Lo + i / h.perDecade),
  10 ** (h.log10Lo + (i + 1) / h.perDecade),
];

/** Smallest upper bin edge below which at least q of the finite errors lie (a quantile to bin precision). */
export function histogramQuantile(h: ErrorHistogram, q: number): number {
  const finite = histogramTotal(h) - h.nonFinite;
  if (finite === 0) return NaN;
  let acc = h.zero + h.below;
  if (acc >= q * finite) return 10 ** h.log10Lo;
  for (let i = 0; i < h.counts.length; i++) {
    acc += h.counts[i];
    if (acc >= q * finite) return binEdges(h, i)[1];
  }
  return Infinity;
}

export function checkHistogram(h: ErrorHistogram, where: string): void {
  const ok =
    Number.isFinite(h.log10Lo) &&
    Number.isInteger(h.perDecade) &&
    h.perDecade > 0 &&
    Array.isArray(h.counts) &&
    h.counts.length > 0 &&
    [...h.counts, h.zero, h.below, h.above, h.nonFinite].every((c) => Number.isInteger(c) && c >= 0);
  if (!ok)
    throw new AccuracyFormatError(
      `${where}: histogram needs a finite log10Lo, a positive whole perDecade and non-negative whole counts (see ErrorHistogram in extension/protocol/trace.ts)`,
    );
}
