// cuBLASLt's own names for the enum values an algorithm reports (cublasLtMatmulStages_t,
// cublasLtClusterShape_t), so the peer column says "stages 64xAUTO, cluster 2x1x1" rather than
// bare numbers. Values from cuBLAS 12 and later; one this table does not know is shown as its number.
// cuBLASLt's shapes are in its column-major view, where its M is this product's N: its cluster
// 2x1x1 pairs two CTAs along our N. Pure: no vscode, no addon.

/** cublasLtMatmulStages_t: "64x3" is three stages of 64-deep K slices; "xAUTO" lets cuBLASLt pick the count. */
const STAGES: Readonly<Record<number, string>> = (() => {
  const names: Record<number, string> = {};
  let id = 1;
  for (const depth of [16, 32, 64, 128]) for (let n = 1; n <= 6; n++) names[id++] = `${depth}x${n}`;
  const rest = [
    '32x10',
    '8x4',
    '16x10',
    '8x5',
    '16x80',
    '64x80',
    '8x3',
    '8xAUTO',
    '16xAUTO',
    '32xAUTO',
    '64xAUTO',
    '128xAUTO',
  ];
  for (const name of rest) names[id++] = name;
  return names;
})();

/** cublasLtClusterShape_t (0 lets cuBLASLt pick; 1 is not a shape). */
const CLUSTERS: Readonly<Record<number, string>> = {
  0: 'auto',
  2: '1x1x1',
  3: '2x1x1',
  4: '4x1x1',
  5: '1x2x1',
  6: '2x2x1',
  7: '4x2x1',
  8: '1x4x1',
  9: '2x4x1',
  10: '4x4x1',
  11: '8x1x1',
  12: '1x8x1',
  13: '8x2x1',
  14: '2x8x1',
  15: '16x1x1',
  16: '1x16x1',
};

/** "64xAUTO" for 35; the number itself for a value outside the table (or -1: not reported). */
export function cublasLtStagesName(id: number): string {
  return STAGES[id] ?? String(id);
}

/** "2x1x1" for 3; the number itself for a value outside the table. */
export function cublasLtClusterName(id: number): string {
  return CLUSTERS[id] ?? String(id);
}
