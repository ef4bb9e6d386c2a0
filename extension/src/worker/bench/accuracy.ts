// Turns the GPU reduction's result words (kernels/include/fp8lab/utils/calc_diff.cuh) into an
// Accuracy. Pure: the words come in as bytes downloaded from the device.
import type { Accuracy } from '../../../protocol/worker';
import { DIFF_WORDS, DiffWord } from '../../core/utilsSource';

/** FP8 x FP8 against an FP32 reference of the dequantised inputs passes below this (DESIGN.md). */
export const CALC_DIFF_LIMIT = 1e-3;
/**
 * BF16 x BF16 against an FP32 reference of the same BF16 inputs passes below this (DeepGEMM's
 * tests/test_bf16.py): the inputs are exact in FP32, only the order of the additions differs.
 */
export const BF16_CALC_DIFF_LIMIT = 1e-5;
/** Relative errors are taken against max(|ref|, REL_FLOOR_FRACTION x rms(ref)). */
export const REL_FLOOR_FRACTION = 1e-2;

export interface DiffWords {
  sumXY: number;
  sumXXYY: number;
  sumYY: number;
  maxAbs: number;
  unwritten: number;
  maxRel: number;
  nonFiniteRef: number;
}

export function readDiffWords(bytes: ArrayBuffer): DiffWords {
  if (bytes.byteLength < DIFF_WORDS * 8)
    throw new RangeError(`calc_diff result needs ${DIFF_WORDS * 8} bytes; got ${bytes.byteLength}`);
  const view = new DataView(bytes);
  const f64 = (w: number) => view.getFloat64(w * 8, true);
  const u64 = (w: number) => Number(view.getBigUint64(w * 8, true));
  const f32 = (w: number) => view.getFloat32(w * 8, true); // float bits in the low 32 bits (little-endian)
  return {
    sumXY: f64(DiffWord.sumXY),
    sumXXYY: f64(DiffWord.sumXXYY),
    sumYY: f64(DiffWord.sumYY),
    maxAbs: f32(DiffWord.maxAbs),
    unwritten: u64(DiffWord.unwritten),
    maxRel: f32(DiffWord.maxRel),
    nonFiniteRef: u64(DiffWord.nonFiniteRef),
  };
}

/** DeepGEMM's calc_diff = 1 - 2·Σxy / Σ(x² + y²); 0 when both tensors are all zeros. */
export function calcDiff(sumXY: number, sumXXYY: number): number {
  if (sumXXYY === 0) return sumXY === 0 ? 0 : Number.NaN;
  return 1 - (2 * sumXY) / sumXXYY;
}

/** The floor under |ref| for relative errors: a fraction of the reference's RMS over written elements. */
export function relativeErrorFloor(sumYY: number, written: number): number {
  if (written <= 0 || !(sumYY > 0)) return Number.MIN_VALUE;
  return Math.max(REL_FLOOR_FRACTION * Math.sqrt(sumYY / written), Number.MIN_VALUE);
}

export function accuracyOf(words: DiffWords, limit = CALC_DIFF_LIMIT): Accuracy {
  const diff = calcDiff(words.sumXY, words.sumXXYY);
  return {
    calcDiff: diff,
    maxAbsError: words.maxAbs,
    maxRelError: words.maxRel,
    unwritten: words.unwritten,
    passed: words.unwritten === 0 && words.nonFiniteRef === 0 && Number.isFinite(diff) && diff < limit,
  };
}

/** Why an accuracy check failed, in one sentence (undefined when it passed). */
export function accuracyProblem(acc: Accuracy, nonFiniteRef = 0, limit = CALC_DIFF_LIMIT): string | undefined {
  if (acc.passed) return undefined;
  const parts: string[] = [];
  if (acc.unwritten > 0) parts.push(`${acc.unwritten} output element(s) were never written (still NaN poison)`);
  if (nonFiniteRef > 0) parts.push(`the FP32 reference has ${nonFiniteRef} non-finite value(s)`);
  if (!Number.isFinite(acc.calcDiff)) parts.push('calc_diff is not finite (the output holds Inf or NaN)');
  else if (acc.calcDiff >= limit) parts.push(`calc_diff ${acc.calcDiff.toExponential(2)} ≥ ${limit}`);
  return parts.join('; ');
}
