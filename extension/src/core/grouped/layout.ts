// Layout arithmetic of the grouped kernels and the scale tensors they read (pure): the TMA-aligned
// size, the MN-major scale layout, the contiguous layouts' alignment, and host-side conversions.

/** TMA needs 16-byte strides: a dimension of `elementBytes`-sized values rounded up to 16 bytes. */
export function tmaAlignedSize(x: number, elementBytes: number): number {
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`size must be a whole number ≥ 0; got ${x}`);
  if (![1, 2, 4, 8].includes(elementBytes))
    throw new RangeError(`element size must be 1, 2, 4 or 8 bytes; got ${elementBytes}`);
  const per = 16 / elementBytes;
  return Math.ceil(x / per) * per;
}

/** The default row (M-grouped contiguous) and K (K-grouped) alignment: the kernels' BLOCK_M / BLOCK_K. */
export const DEFAULT_MK_ALIGNMENT = 128;

export const alignUp = (x: number, a: number): number => Math.ceil(x / a) * a;

/**
 * Per-row scales [rows][kBlocks] (row-major, what a per-token cast hands a user) -> the kernels'
 * [kBlocks][tmaAlignedSize(rows, 4)] MN-major layout, padding rows 0. The GPU version is
 * fp8lab_g_transform_sf (kernels/include/fp8lab/utils/grouped.cuh); this one is its specification.
 */
export function toMnMajorScales(
  sf: Float32Array,
  rows: number,
  kBlocks: number,
): { data: Float32Array; alignedRows: number } {
  if (sf.length !== rows * kBlocks)
    throw new RangeError(`scales hold ${sf.length} values; [${rows}][${kBlocks}] needs ${rows * kBlocks}`);
  const alignedRows = tmaAlignedSize(rows, 4);
  const data = new Float32Array(kBlocks * alignedRows);
  for (let r = 0; r < rows; r++) for (let kb = 0; kb < kBlocks; kb++) data[kb * alignedRows + r] = sf[r * kBlocks + kb];
  return { data, alignedRows };
}

/** Rows of A of each group in the contiguous layout: starts (aligned) and the total padded rows. */
export function contiguousStarts(
  groupRows: readonly number[],
  alignment = DEFAULT_MK_ALIGNMENT,
): { starts: number[]; totalRows: number } {
  const starts: number[] = [];
  let at = 0;
  for (const rows of groupRows) {
    starts.push(at);
    at += alignUp(rows, alignment);
  }
  return { starts, totalRows: at };
}

/** Per-row expert index [totalRows]: g for group g's valid rows, -1 for the padding rows. */
export function expertIndex(groupRows: readonly number[], alignment = DEFAULT_MK_ALIGNMENT): Int32Array {
  const { starts, totalRows } = contiguousStarts(groupRows, alignment);
  const out = new Int32Array(totalRows).fill(-1);
  groupRows.forEach((rows, g) => out.fill(g, starts[g], starts[g] + rows));
  return out;
}

/** psum[G]: the cumulative row end of each group (group g owns [align(psum[g-1], 128), psum[g])). */
export function psumLayout(groupRows: readonly number[], alignment = DEFAULT_MK_ALIGNMENT): Int32Array {
  const { starts } = contiguousStarts(groupRows, alignment);
  return Int32Array.from(groupRows.map((rows, g) => starts[g] + rows));
}

/** K offsets of the K-grouped groups concatenated along K. */
export function kOffsets(groupK: readonly number[]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const k of groupK) {
    out.push(at);
    at += k;
  }
  return out;
}
