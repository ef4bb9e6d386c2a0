// The DeepSeek-V3 GEMM shapes the benchmark presets, the CLI (`--shapes deepseek`) and the GPU tests
// use. (N, K) pairs are the projections of DeepSeek-V3's layers as DeepGEMM benchmarks them; M is the
// token count: 64 and 128 for decode batches, 4096 for prefill.

import type { GemmProblem } from '../../protocol/worker';

export const DEEPSEEK_NK: ReadonlyArray<readonly [n: number, k: number]> = [
  [2112, 7168],
  [24576, 1536],
  [32768, 512],
  [7168, 16384],
  [4096, 7168],
  [7168, 2048],
];

export const DECODE_M: readonly number[] = [64, 128];
export const PREFILL_M: readonly number[] = [4096];
export const DEEPSEEK_M: readonly number[] = [...DECODE_M, ...PREFILL_M];

/** M values of the GPU correctness generator: odd sizes (1, 7, 1000) check partial tiles. */
export const GPU_TEST_M: readonly number[] = [1, 7, 64, 128, 1000, 4096];
/** The extra (N, K) of the GPU generator: N = 576 is not a multiple of any large block_n. */
export const GPU_TEST_EXTRA_NK: ReadonlyArray<readonly [number, number]> = [[576, 7168]];

function cross(ms: readonly number[], nks: ReadonlyArray<readonly [number, number]>): GemmProblem[] {
  const out: GemmProblem[] = [];
  for (const m of ms) for (const [n, k] of nks) out.push({ kind: 'normal', m, n, k });
  return out;
}

/** `deepseek`: M ∈ {64, 128, 4096} x the six (N, K) pairs — 18 shapes, M-major order. */
export function deepseekShapes(): GemmProblem[] {
  return cross(DEEPSEEK_M, DEEPSEEK_NK);
}

/** Decode subset: M ∈ {64, 128} — 12 shapes. */
export function deepseekDecodeShapes(): GemmProblem[] {
  return cross(DECODE_M, DEEPSEEK_NK);
}

/** Prefill subset: M = 4096 — 6 shapes. */
export function deepseekPrefillShapes(): GemmProblem[] {
  return cross(PREFILL_M, DEEPSEEK_NK);
}

/** The GPU test generator: M ∈ {1, 7, 64, 128, 1000, 4096} x (the six pairs + (576, 7168)) — 42 shapes. */
export function gpuTestShapes(): GemmProblem[] {
  return cross(GPU_TEST_M, [...DEEPSEEK_NK, ...GPU_TEST_EXTRA_NK]);
}

export type ShapePreset = 'deepseek' | 'decode' | 'prefill' | 'gpu-test';
export const SHAPE_PRESETS: readonly ShapePreset[] = ['deepseek', 'decode', 'prefill', 'gpu-test'];

/** The shapes of a named preset, or undefined for an unknown name (callers list SHAPE_PRESETS). */
export function presetShapes(name: string): GemmProblem[] | undefined {
  switch (name) {
    case 'deepseek':
      return deepseekShapes();
    case 'decode':
      return deepseekDecodeShapes();
    case 'prefill':
      return deepseekPrefillShapes();
    case 'gpu-test':
      return gpuTestShapes();
    default:
      return undefined;
  }
}
