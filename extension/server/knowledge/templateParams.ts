// Kernel template parameters and the GemmConfig field each one carries. The identifiers cover the
// DeepGEMM vocabulary our kernels use (BLOCK_M, kNumStages, ...) and their common spellings.
import type { TemplateParamEntry } from './types';

export const templateParams: TemplateParamEntry[] = [
  {
    field: 'blockM',
    identifiers: ['BLOCK_M', 'kBlockM', 'block_m', 'BM'],
    title: 'Rows of the output tile one CTA computes',
    body: '64 uses one math warpgroup, 128 and 256 use two (64 or 128 rows each). Larger tiles reuse each B byte over more rows (less memory traffic per FLOP) but make fewer tiles, which can leave SMs idle for small M.',
  },
  {
    field: 'blockN',
    identifiers: ['BLOCK_N', 'kBlockN', 'block_n', 'BN'],
    title: 'Columns of the output tile (the wgmma N)',
    body: 'Multiple of 16 (the wgmma N steps by 8). Each math thread holds BLOCK_N/2 FP32 accumulators per 64 rows plus as many promoted sums, so large BLOCK_N costs registers. A BLOCK_N that does not divide 128 makes a tile straddle two 128-column scale blocks of B.',
  },
  {
    field: 'blockK',
    identifiers: ['BLOCK_K', 'kBlockK', 'block_k', 'BK'],
    title: 'K elements per pipeline stage',
    body: 'Always 128 for FP8: one 128-byte swizzled row of K, one scale per 128 of K, and four wgmma k32 per stage before the promotion.',
  },
  {
    field: 'numStages',
    identifiers: ['kNumStages', 'NUM_STAGES', 'num_stages', 'kStages'],
    title: 'Depth of the shared-memory ring',
    body: 'How many K-blocks of A, B and scale-A the producer may load ahead of the math warpgroups. More stages hide more memory latency; each stage costs (BLOCK_M + BLOCK_N)·128 bytes of A/B plus the scale slice, and all stages plus the epilogue tile must fit in 232,448 bytes (227 KB).',
  },
  {
    field: 'numMathWarpgroups',
    identifiers: ['kNumMathWarpgroups', 'kNumMathWGs', 'NUM_MATH_WARPGROUPS', 'kNumMathWarpGroups'],
    title: 'Math (consumer) warpgroups',
    body: '1 when BLOCK_M = 64, else 2. Each computes 64 (or 128) rows of the tile; with two, one can promote while the other issues wgmma.',
  },
  {
    field: 'numMathThreads',
    identifiers: ['kNumMathThreads', 'NUM_MATH_THREADS'],
    title: 'Math threads',
    body: '128 per math warpgroup.',
  },
  {
    field: 'numThreads',
    identifiers: ['kNumThreads', 'NUM_THREADS', 'kNumTotalThreads'],
    title: 'Threads per CTA',
    body: '128 · (1 + math warpgroups): one TMA producer warpgroup plus the math warpgroups; also the __launch_bounds__.',
  },
  {
    field: 'clusterM',
    identifiers: ['kClusterM', 'kNumTMAMulticastM', 'CLUSTER_M', 'kClusterDimM'],
    title: 'Cluster size along M (multicast of B)',
    body: "With 2, two CTAs on neighbouring M tiles share the same B tile: each loads half and the TMA multicasts it to both, halving B's L2 traffic. Needs a tile count that pairs up; useless when there is only one wave.",
  },
  {
    field: 'clusterN',
    identifiers: ['kClusterN', 'kNumTMAMulticastN', 'CLUSTER_N', 'kClusterDimN'],
    title: 'Cluster size along N (multicast of A)',
    body: 'With 2, two CTAs on neighbouring N tiles share the same A tile by TMA multicast. clusterM · clusterN ≤ 2.',
  },
  {
    field: 'swizzleA',
    identifiers: ['kSwizzleAMode', 'kSwizzleA', 'SWIZZLE_A'],
    title: 'Swizzle of the A tile (bytes)',
    body: 'The shared-memory swizzle of A; the tensor map and the wgmma descriptor must agree. 128 for FP8 with BLOCK_K = 128.',
  },
  {
    field: 'swizzleB',
    identifiers: ['kSwizzleBMode', 'kSwizzleB', 'SWIZZLE_B'],
    title: 'Swizzle of the B tile (bytes)',
    body: "The shared-memory swizzle of B; must match B's tensor map and wgmma descriptor.",
  },
  {
    field: 'swizzleD',
    identifiers: ['kSwizzleDMode', 'kSwizzleD', 'kSwizzleCDMode', 'SWIZZLE_D'],
    title: 'Swizzle of the output staging tile (bytes)',
    body: 'Largest of 128/64/32 bytes dividing a BF16 output row segment (BLOCK_N·2 bytes); avoids bank conflicts when stmatrix writes the epilogue tile the TMA store reads.',
  },
  {
    field: 'numSms',
    identifiers: ['kNumSMs', 'NUM_SMS', 'kNumSms'],
    title: 'SMs the persistent grid uses',
    body: 'Grid size: one CTA per SM (a multiple of the cluster size).',
  },
];
