// How a shape is timed: how many rotated input sets, how many launches per CUDA graph. Pure.
//
// Rotation: every timed launch reads a different input set (A, B, scales) and writes a different
// D than the launch before it, and the sets together exceed 3x the L2, so no launch finds its
// operands in L2 from an earlier one (the peers are timed the same way).
// Graphs: short kernels are timed as graphs of many back-to-back launches, long enough that the
// replay's own launch cost and the event resolution disappear in the per-call figure.

import { SCALE_BLOCK } from '../../core/stats';

export interface SetSizes {
  a: number;
  b: number;
  d: number;
  sfa: number;
  sfb: number;
  /** Rows of SFA: M rounded up to 4 (16-byte TMA stride for FP32). */
  sfaStride: number;
  total: number;
}

/** Bytes of one input set of the normal 1D2D GEMM (A, B fp8; SFA, SFB fp32; D bf16). */
export function setSizes(m: number, n: number, k: number): SetSizes {
  const kBlocks = Math.ceil(k / SCALE_BLOCK);
  const sfaStride = Math.ceil(m / 4) * 4;
  const a = m * k;
  const b = n * k;
  const d = m * n * 2;
  const sfa = kBlocks * sfaStride * 4;
  const sfb = Math.ceil(n / SCALE_BLOCK) * kBlocks * 4;
  return { a, b, d, sfa, sfb, sfaStride, total: a + b + d + sfa + sfb };
}

export interface RotationPlan {
  sets: number;
  bytesPerSet: number;
  /** sets x bytesPerSet. */
  rotationBytes: number;
  /** True when the rotation exceeds 3x L2; false only when the set cap or the memory budget stopped it. */
  exceedsL2: boolean;
  /** Why fewer sets than wanted, when that happened. */
  limitedBy?: 'memory' | 'maxSets';
}

export const L2_FACTOR = 3;
export const MAX_SETS = 256;

/**
 * The fewest input sets whose total exceeds L2_FACTOR x the L2 (at least one), within `budgetBytes`
 * of device memory for the rotation and at most MAX_SETS.
 */
export function rotationPlan(bytesPerSet: number, l2Bytes: number, budgetBytes: number): RotationPlan {
  if (!(bytesPerSet > 0)) throw new RangeError(`an input set must have a positive size; got ${bytesPerSet}`);
  if (!(l2Bytes >= 0)) throw new RangeError(`L2 size must be non-negative; got ${l2Bytes}`);
  const wanted = Math.max(1, Math.floor((L2_FACTOR * l2Bytes) / bytesPerSet) + 1);
  const byMemory = Math.max(1, Math.floor(budgetBytes / bytesPerSet));
  let sets = wanted;
  let limitedBy: RotationPlan['limitedBy'];
  if (sets > MAX_SETS) {
    sets = MAX_SETS;
    limitedBy = 'maxSets';
  }
  if (sets > byMemory) {
    sets = byMemory;
    limitedBy = 'memory';
  }
  const rotationBytes = sets * bytesPerSet;
  return {
    sets,
    bytesPerSet,
    rotationBytes,
    exceedsL2: rotationBytes > L2_FACTOR * l2Bytes,
    ...(limitedBy ? { limitedBy } : {}),
  };
}

/** A first guess of the time per call (µs), only to size graphs: the roofline floor plus a launch. */
export function estimateUs(flops: number, bytes: number, tflops = 800, gbps = 2500): number {
  return Math.max(flops / (tflops * 1e12), bytes / (gbps * 1e9)) * 1e6 + 2;
}

export const TARGET_GRAPH_US = 2000;
export const MAX_CALLS_PER_GRAPH = 512;

/**
 * Launches per graph: enough for about TARGET_GRAPH_US of GPU time, a whole number of rotations
 * (every set equally often), at least one full rotation, at most MAX_CALLS_PER_GRAPH (rounded down
 * to whole rotations where possible).
 */
export function callsPerGraph(estimatedUs: number, sets: number, requested?: number): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1)
      throw new RangeError(`callsPerGraph must be a whole number ≥ 1; got ${requested}`);
    return requested;
  }
  const wanted = Math.max(1, Math.ceil(TARGET_GRAPH_US / Math.max(estimatedUs, 0.5)));
  let calls = Math.ceil(Math.max(wanted, sets) / sets) * sets;
  if (calls > MAX_CALLS_PER_GRAPH) calls = Math.max(sets, Math.floor(MAX_CALLS_PER_GRAPH / sets) * sets);
  return calls;
}
