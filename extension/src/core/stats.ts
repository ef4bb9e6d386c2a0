// Summary statistics of timing samples, and the throughput / roofline arithmetic of a GEMM.
// Pure: numbers in, numbers out. Times are in microseconds throughout.

import type { Stats } from '../../protocol/worker';

/** Linear-interpolated quantile (q in [0, 1]) of an ascending-sorted, non-empty array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample set');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1]; got ${q}`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(samples: readonly number[]): number {
  return quantileSorted(sortedFinite(samples), 0.5);
}

function sortedFinite(samples: readonly number[]): number[] {
  if (samples.length === 0) throw new RangeError('no timing samples');
  for (const s of samples) {
    if (!Number.isFinite(s) || s < 0)
      throw new RangeError(`a timing sample is not a finite, non-negative number: ${s}`);
  }
  return [...samples].sort((a, b) => a - b);
}

/**
 * Median, min, max and the relative p10–p90 spread of per-call times (µs). The spread is what the
 * results table shows next to the median: (p90 − p10) / median.
 */
export function summarize(samplesUs: readonly number[]): Stats {
  const sorted = sortedFinite(samplesUs);
  const med = quantileSorted(sorted, 0.5);
  const p10 = quantileSorted(sorted, 0.1);
  const p90 = quantileSorted(sorted, 0.9);
  return {
    medianUs: med,
    minUs: sorted[0],
    maxUs: sorted[sorted.length - 1],
    spread: med > 0 ? (p90 - p10) / med : 0,
    samples: sorted.length,
  };
}

/** The p10 and p90 themselves, for charts that draw the band. */
export function percentileBand(samplesUs: readonly number[]): { p10: number; p50: number; p90: number } {
  const sorted = sortedFinite(samplesUs);
  return { p10: quantileSorted(sorted, 0.1), p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9) };
}

// ---------------------------------------------------------------------------------------------
// GEMM arithmetic

/** Element sizes of the 1D2D FP8 GEMM: A, B in e4m3, FP32 scales, BF16 output (FP32 for 1D1D). */
export interface GemmTraffic {
  m: number;
  n: number;
  k: number;
  /** Groups sharing nothing (masked/k-grouped): multiplies B; default 1. */
  groups?: number;
  /** Output element bytes: 2 (BF16) or 4 (FP32). Default 2. */
  outBytes?: 2 | 4;
  /** True when B is scaled per 1x128 (1D1D) rather than per 128x128 block. */
  perTokenScaleB?: boolean;
  /** True when C is read and added (1D1D / K-grouped accumulate into FP32). */
  readsC?: boolean;
}

export const SCALE_BLOCK = 128;

export function gemmFlops(m: number, n: number, k: number, groups = 1): number {
  return 2 * m * n * k * groups;
}

/**
 * Bytes a GEMM must move at least once: A + B + D (+ C) + the scale tensors. This is the "bytes"
 * in GB/s: A (M·K) and B (N·K per group) at 1 byte, D at outBytes, scale_a one FP32 per 1x128,
 * scale_b one FP32 per 128x128 block (or per 1x128 for 1D1D).
 */
export function gemmBytes(t: GemmTraffic): number {
  const g = t.groups ?? 1;
  const out = t.outBytes ?? 2;
  const kBlocks = Math.ceil(t.k / SCALE_BLOCK);
  const a = t.m * t.k;
  const b = g * t.n * t.k;
  const d = t.m * t.n * out;
  const c = t.readsC ? t.m * t.n * 4 : 0;
  const sfa = t.m * kBlocks * 4;
  const sfb = g * (t.perTokenScaleB ? t.n : Math.ceil(t.n / SCALE_BLOCK)) * kBlocks * 4;
  return a + b + d + c + sfa + sfb;
}

/** TFLOPS from a FLOP count and a time in µs. */
export function tflops(flops: number, us: number): number {
  if (!(us > 0)) throw new RangeError(`time must be positive to compute TFLOPS; got ${us} µs`);
  return flops / (us * 1e-6) / 1e12;
}

/** GB/s (10^9 bytes per second) from a byte count and a time in µs. */
export function gbps(bytes: number, us: number): number {
  if (!(us > 0)) throw new RangeError(`time must be positive to compute GB/s; got ${us} µs`);
  return bytes / (us * 1e-6) / 1e9;
}

/** FLOP per byte: where a GEMM sits on the roofline's x axis. */
export function arithmeticIntensity(flops: number, bytes: number): number {
  if (!(bytes > 0)) throw new RangeError(`bytes must be positive; got ${bytes}`);
  return flops / bytes;
}

/** The roofline's ceiling (TFLOPS) at an intensity, given a compute roof (TFLOPS) and a bandwidth roof (GB/s). */
export function rooflineTflops(intensity: number, computeTflops: number, bandwidthGBps: number): number {
  return Math.min(computeTflops, (intensity * bandwidthGBps) / 1e3);
}

/** The intensity where the two roofs meet (FLOP/byte). */
export function ridgePoint(computeTflops: number, bandwidthGBps: number): number {
  return (computeTflops * 1e3) / bandwidthGBps;
}

/** Lowest possible time (µs) under both roofs: max(FLOPs / compute, bytes / bandwidth). */
export function floorUs(flops: number, bytes: number, computeTflops: number, bandwidthGBps: number): number {
  return Math.max(flops / (computeTflops * 1e12), bytes / (bandwidthGBps * 1e9)) * 1e6;
}

/** Geometric mean of positive ratios (e.g. our speed-up over the peer across shapes). */
export function geomean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('geomean of nothing');
  let logSum = 0;
  for (const v of values) {
    if (!(v > 0)) throw new RangeError(`geomean needs positive values; got ${v}`);
    logSum += Math.log(v);
  }
  return Math.exp(logSum / values.length);
}
