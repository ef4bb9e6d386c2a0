// Validation of grouped GEMM inputs before launch (pure). Each problem is a coded error: the
// runtime's ErrorCode, a stable `rule`, and a sentence saying what is wrong and what would work.
import type { GroupedCase } from '../../../protocol/grouped';
import type { ErrorCode } from '../../../protocol/worker';
import { alignUp, DEFAULT_MK_ALIGNMENT } from './layout';
import { BF16_KGROUPED_K_ALIGNMENT, BF16_OUTPUTS, ruleProblemBf16 } from '../bf16/kernelRulesBf16';

export interface GroupedProblem {
  code: ErrorCode;
  rule:
    | 'group-alignment'
    | 'expert-range'
    | 'expert-order'
    | 'masked-m'
    | 'group-k'
    | 'group-count'
    | 'dtype'
    | 'contiguity'
    | 'shape'
    | 'alignment-setting';
  message: string;
}

const problem = (code: ErrorCode, rule: GroupedProblem['rule'], message: string): GroupedProblem => ({
  code,
  rule,
  message,
});
const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/** The contiguous layouts' alignment: a positive multiple of 128 (the kernel's BLOCK_M divides it); psum needs exactly 128. */
export function checkMkAlignment(alignment: number, psum = false): GroupedProblem | undefined {
  if (!isInt(alignment) || alignment < 128 || alignment % 128 !== 0) {
    return problem(
      'E_BAD_ARGUMENT',
      'alignment-setting',
      `the M/K alignment of contiguous layouts must be a positive multiple of 128 (the kernels' block); got ${alignment}. Use 128 (the default) or 256, 384, ...`,
    );
  }
  if (psum && alignment !== DEFAULT_MK_ALIGNMENT) {
    return problem(
      'E_BAD_ARGUMENT',
      'alignment-setting',
      `the psum layout's group starts are aligned to ${DEFAULT_MK_ALIGNMENT} by the kernel; alignment ${alignment} would disagree. Use 128, or the per-row expert index layout`,
    );
  }
  return undefined;
}

/**
 * Contiguous, per-row expert index [ΣM]: values in [-1, G); each expert's rows one run starting at a
 * multiple of the alignment, followed only by -1 padding up to the next aligned row; ΣM aligned.
 */
export function checkExpertIndex(
  index: Int32Array | readonly number[],
  numGroups: number,
  alignment = DEFAULT_MK_ALIGNMENT,
): GroupedProblem | undefined {
  const rows = index.length;
  if (rows % alignment !== 0) {
    return problem(
      'E_SHAPE_ALIGNMENT',
      'group-alignment',
      `A has ${rows} rows; the contiguous layout pads every group to ${alignment} rows, so ΣM must be a multiple of ${alignment} (pad to ${alignUp(rows, alignment)} rows with expert index -1)`,
    );
  }
  const seen = new Set<number>();
  let current = -2; // the expert of the run being read (-2: none yet)
  for (let r = 0; r < rows; r++) {
    const e = index[r];
    if (!isInt(e) || e < -1 || e >= numGroups) {
      return problem(
        'E_BAD_ARGUMENT',
        'expert-range',
        `row ${r} has expert index ${e}; indices must be in [0, ${numGroups - 1}] (numGroups = ${numGroups}) or -1 for a padding row`,
      );
    }
    if (e === -1 || e === current) {
      if (e === -1) current = -1;
      continue;
    }
    // A new expert's run begins here.
    if (r % alignment !== 0) {
      return problem(
        'E_SHAPE_ALIGNMENT',
        'group-alignment',
        `expert ${e}'s rows start at row ${r}, which is not a multiple of ${alignment}; pad the previous group with -1 rows up to row ${alignUp(r, alignment)}`,
      );
    }
    if (seen.has(e)) {
      return problem(
        'E_BAD_ARGUMENT',
        'expert-order',
        `expert ${e} has two separate runs of rows (again at row ${r}); each expert's rows must be contiguous`,
      );
    }
    seen.add(e);
    current = e;
  }
  return undefined;
}

/** Contiguous psum[G]: group g owns [align(psum[g-1], 128), psum[g]); ends non-decreasing in that sense, within ΣM. */
export function checkPsum(
  psum: Int32Array | readonly number[],
  numGroups: number,
  totalRows: number,
  alignment = DEFAULT_MK_ALIGNMENT,
): GroupedProblem | undefined {
  if (psum.length !== numGroups) {
    return problem(
      'E_BAD_ARGUMENT',
      'group-count',
      `psum has ${psum.length} entries but numGroups is ${numGroups}; give one cumulative row end per group`,
    );
  }
  let start = 0;
  for (let g = 0; g < numGroups; g++) {
    const end = psum[g];
    if (!isInt(end) || end < start) {
      return problem(
        'E_SHAPE_ALIGNMENT',
        'group-alignment',
        `psum[${g}] = ${end} is before group ${g}'s first row ${start} (the previous end rounded up to ${alignment}); psum must hold cumulative row ends, each ≥ align(psum[g-1], ${alignment})`,
      );
    }
    start = alignUp(end, alignment);
  }
  if (start > totalRows) {
    return problem(
      'E_BAD_ARGUMENT',
      'shape',
      `the groups need ${start} rows of A (last end ${psum[numGroups - 1]} padded to ${alignment}) but A has ${totalRows}; allocate ${start} rows`,
    );
  }
  return undefined;
}

/** Masked: masked_m[G] with 0 ≤ masked_m[g] ≤ Mmax (the device clamps and flags what the host cannot check). */
export function checkMaskedM(
  maskedM: Int32Array | readonly number[],
  numGroups: number,
  mMax: number,
): GroupedProblem | undefined {
  if (maskedM.length !== numGroups) {
    return problem(
      'E_BAD_ARGUMENT',
      'group-count',
      `masked_m has ${maskedM.length} entries but A holds ${numGroups} groups; give one row count per group`,
    );
  }
  for (let g = 0; g < numGroups; g++) {
    const v = maskedM[g];
    if (!isInt(v) || v < 0 || v > mMax) {
      return problem(
        'E_BAD_ARGUMENT',
        'masked-m',
        `masked_m[${g}] = ${v} is outside [0, Mmax = ${mMax}]: a group cannot have more rows than A's second dimension; use at most ${mMax} or a larger Mmax`,
      );
    }
  }
  return undefined;
}

/** K-grouped: K_g[G], each a multiple of 128 (0 allowed: D_g = C_g), summing to the K extent of A and B. */
/** Why the FP8 and the BF16 K-grouped GEMMs align K_g: the text of their group-k errors. */
export const FP8_GROUP_K_REASON = 'the 1x128 scaling block';
export const BF16_GROUP_K_REASON = "the BF16 kernel's 64-deep K-block, which never spans two groups";

export function checkGroupK(
  groupK: Int32Array | readonly number[],
  numGroups: number,
  totalK?: number,
  alignment = DEFAULT_MK_ALIGNMENT,
  reason = FP8_GROUP_K_REASON,
): GroupedProblem | undefined {
  if (groupK.length !== numGroups) {
    return problem(
      'E_BAD_ARGUMENT',
      'group-count',
      `${groupK.length} per-group K values for ${numGroups} groups; give one K per group (C and D hold ${numGroups} planes)`,
    );
  }
  for (let g = 0; g < numGroups; g++) {
    const k = groupK[g];
    if (!isInt(k) || k < 0 || k % alignment !== 0) {
      return problem(
        'E_SHAPE_ALIGNMENT',
        'group-k',
        `K of group ${g} is ${k}; every K_g must be a multiple of ${alignment} (${reason}; 0 = an empty group that keeps D_g = C_g): pad it to ${alignUp(Math.max(0, Number(k) || 0), alignment)}`,
      );
    }
  }
  const sum = Array.from(groupK).reduce((a, b) => a + b, 0);
  if (totalK !== undefined && sum !== totalK) {
    return problem(
      'E_BAD_ARGUMENT',
      'shape',
      `the groups' K add up to ${sum} but A and B hold ${totalK} columns; they must be equal (groups are concatenated along K)`,
    );
  }
  return undefined;
}

export type DType = 'e4m3' | 'bf16' | 'fp32' | 'int32';

/** A tensor as a caller describes it: dtype, shape, and strides in elements (row-major contiguous when absent). */
export interface TensorDesc {
  dtype: DType;
  shape: readonly number[];
  strides?: readonly number[];
}

/** Wrong dtype, shape or a non-contiguous layout. */
export function checkTensor(
  name: string,
  t: TensorDesc,
  dtype: DType,
  shape: readonly number[],
): GroupedProblem | undefined {
  if (t.dtype !== dtype) {
    return problem(
      'E_BAD_ARGUMENT',
      'dtype',
      `${name} is ${t.dtype}; this GEMM reads ${name} as ${dtype}: cast it first (the casts utility makes e4m3 and its scales)`,
    );
  }
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    return problem(
      'E_BAD_ARGUMENT',
      'shape',
      `${name} has shape [${t.shape.join(', ')}]; expected [${shape.join(', ')}]`,
    );
  }
  if (t.strides) {
    let want = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] > 1 && t.strides[i] !== want) {
        return problem(
          'E_BAD_ARGUMENT',
          'contiguity',
          `${name} is not contiguous (strides [${t.strides.join(', ')}], row-major needs [${rowMajorStrides(shape).join(', ')}]); make a contiguous copy (K-major rows)`,
        );
      }
      want *= shape[i];
    }
  }
  return undefined;
}

export function rowMajorStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i];
  }
  return out;
}

/** A case's own numbers (before anything is drawn): groups, sizes, alignment rules of the kernels. */
export function checkCase(c: GroupedCase): GroupedProblem | undefined {
  const bad = (what: string) => problem('E_INVALID_SHAPE', 'shape', what);
  if (!isInt(c.numGroups) || c.numGroups < 1) return bad(`numGroups must be a whole number ≥ 1; got ${c.numGroups}`);
  if (c.kind === 'wgrad' && c.numGroups !== 1) return bad(`wgrad is one GEMM: numGroups must be 1; got ${c.numGroups}`);
  if (!isInt(c.m) || c.m < 1) return bad(`M must be a whole number ≥ 1; got ${c.m}`);
  if (c.output !== undefined && c.kind !== 'bf16')
    return bad(`output applies to the bf16 kind only (the ${c.kind} GEMM's D type is fixed)`);
  if (c.kind === 'bf16') {
    if (c.numGroups !== 1) return bad(`bf16 is one GEMM: numGroups must be 1; got ${c.numGroups}`);
    if (c.output !== undefined && !BF16_OUTPUTS.includes(c.output))
      return bad(`output must be one of ${BF16_OUTPUTS.join(', ')}; got ${JSON.stringify(c.output)}`);
    const v = ruleProblemBf16(c, c.output ?? 'bf16');
    return v ? problem(v.rule === 'shape-m' ? 'E_INVALID_SHAPE' : 'E_SHAPE_ALIGNMENT', 'shape', v.reason) : undefined;
  }
  if (c.kind === 'bf16-contiguous' || c.kind === 'bf16-masked') {
    // BF16 operands: K % 8 (not whole 128-wide scaling blocks); then the layout's own checks.
    const v = ruleProblemBf16(c, 'bf16');
    if (v) return problem(v.rule === 'shape-m' ? 'E_INVALID_SHAPE' : 'E_SHAPE_ALIGNMENT', 'shape', v.reason);
    return checkCase({ ...c, kind: c.kind === 'bf16-contiguous' ? 'contiguous' : 'masked', k: 128 });
  }
  if (c.kind === 'bf16-kgrouped') {
    // fp32 D (N % 4); the expected K per group a multiple of the 64-deep K-block; then the layout's checks.
    const v = ruleProblemBf16(c, 'fp32-accumulate');
    if (v && v.rule !== 'shape-k')
      return problem(v.rule === 'shape-m' ? 'E_INVALID_SHAPE' : 'E_SHAPE_ALIGNMENT', 'shape', v.reason);
    if (!isInt(c.k) || c.k < BF16_KGROUPED_K_ALIGNMENT || c.k % BF16_KGROUPED_K_ALIGNMENT !== 0)
      return bad(
        `K (the expected K per group) must be a positive multiple of ${BF16_KGROUPED_K_ALIGNMENT} (the BF16 kernel's K-block); got ${c.k}, use ${alignUp(Math.max(BF16_KGROUPED_K_ALIGNMENT, Number(c.k) || 0), BF16_KGROUPED_K_ALIGNMENT)}`,
      );
    return checkCase({ ...c, kind: 'kgrouped', k: 128 });
  }
  const nAlign = c.kind === 'wgrad' || c.kind === 'kgrouped' ? 4 : 8;
  if (!isInt(c.n) || c.n < nAlign || c.n % nAlign !== 0)
    return bad(
      `N must be a positive multiple of ${nAlign} (16-byte rows of D); got ${c.n}, use ${alignUp(Math.max(nAlign, Number(c.n) || 0), nAlign)}`,
    );
  if (!isInt(c.k) || c.k < 128 || c.k % 128 !== 0)
    return bad(
      `K must be a positive multiple of 128 (the scaling block); got ${c.k}, use ${alignUp(Math.max(128, Number(c.k) || 0), 128)}`,
    );
  if (c.emptyGroup !== undefined && (!isInt(c.emptyGroup) || c.emptyGroup < 0 || c.emptyGroup >= c.numGroups))
    return bad(`emptyGroup must name a group in [0, ${c.numGroups - 1}]; got ${c.emptyGroup}`);
  if (c.psum && c.kind !== 'contiguous') return bad('psum applies to the contiguous layout only');
  if (c.kind === 'masked') {
    const e = c.expectedM;
    if (e === undefined || !isInt(e) || e < 1 || e > c.m)
      return bad(`a masked case needs expectedM in [1, Mmax = ${c.m}]; got ${e}`);
  }
  return undefined;
}
