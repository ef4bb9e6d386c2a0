// Concepts of the BF16 GEMM kernel (kernels/include/fp8lab/impls/sm90_bf16_gemm.cuh), in our words:
// what a reader of that file meets by name that the FP8 kernels do not have, or have differently.
// The vocabulary the GEMM kernels share is in gemmConcepts.ts.
import type { ConceptEntry } from './types';

const DG = 'https://github.com/deepseek-ai/DeepGEMM';

export const bf16Concepts: ConceptEntry[] = [
  {
    id: 'bf16_gemm',
    identifiers: ['Sm90Bf16Gemm', 'sm90_bf16_gemm_impl', 'bf16_gemm'],
    title: 'The BF16 GEMM kernel (sm_90a)',
    body:
      "D = A·Bᵀ (+ C) with A [M, K] and B [N, K] in bf16 (both K-major), the FP8 kernels' skeleton without scales: " +
      'persistent and warp-specialised (one TMA producer warpgroup, one or two math warpgroups), a ring of kNumStages ' +
      '64-deep K-blocks guarded by full/empty mbarriers. With no per-block scale to apply, all of K accumulates in the ' +
      "wgmma FP32 accumulator (no promotion), so the math warpgroups only issue wgmma and release stages, one K-block's " +
      'group in flight while the next is issued. Normal, M-grouped (contiguous, masked) and K-grouped, with three epilogues ' +
      '(Bf16Output). DeepGEMM ships the same family as `bf16_gemm_*`.',
    links: [{ label: 'DeepGEMM', url: DG }],
  },
  {
    id: 'bf16_output',
    families: ['bf16'],
    identifiers: ['Bf16Output', 'Bf16', 'Fp32', 'Fp32Accumulate', 'kFp32Out', 'kOutBytes'],
    title: 'Bf16Output — the three epilogues of the BF16 GEMM',
    body:
      '`Bf16`: D bf16 [M, N] overwritten — accumulators rounded to bf16 (`cvt.rn.bf16x2.f32`), written with `stmatrix` into ' +
      "the swizzled staging tile, TMA store. `Fp32`: D fp32 overwritten — 8-byte `st.shared` of the fragment's column " +
      'pairs (stmatrix is 16-bit only), TMA store. `Fp32Accumulate`: D fp32 += A·Bᵀ — the same fp32 tile, TMA reduce-add ' +
      "(`cp.reduce.async.bulk.tensor .add`); the host puts C in D first, or C is D. D's tensor map has the output's " +
      'element type, and an fp32 output doubles the staging tile (kOutBytes = 4). M-grouped kinds write Bf16, K-grouped ' +
      'writes Fp32Accumulate.',
  },
  {
    id: 'kgrouped_bf16',
    families: ['bf16'],
    identifiers: ['KGrouped', 'kKGrouped'],
    title: 'K-grouped in the BF16 kernel: D_g = C_g + A_g·B_gᵀ in fp32',
    body:
      'The MoE weight gradient: G GEMMs with the same M and N, group g with its own K_g (a multiple of 64, from ' +
      "`grouped_layout`). A [M, ΣK_g] and B [N, ΣK_g] hold the groups back to back along K, so group g's K-block kb is " +
      'K-block k_block_offset + kb of one tensor map each. D is fp32 [G, M, N] through a 3D tensor map {N, M, G}: the ' +
      'epilogue reduce-adds each tile onto plane `group` (`cp.reduce.async.bulk.tensor.3d ... .add` at (column, row, group)), ' +
      "so rows past M are clipped at the plane's edge instead of landing in the next group. Groups with K_g = 0 have no " +
      'tiles and D_g keeps C_g. Rules kgrouped-output (Fp32Accumulate only) and kgrouped-cluster (no clusters).',
  },
  {
    id: 'bf16_scheduler_for',
    identifiers: ['Bf16SchedulerFor'],
    title: 'The scheduler of each GemmType in the BF16 kernel',
    body:
      "Normal and the M-grouped kinds reuse the FP8 1D2D kernel's schedulers (SchedulerFor: persistent, L2 " +
      "rasterisation, cluster pairs, the M-grouped one per expert); KGrouped uses KGroupedScheduler with this kernel's " +
      "BLOCK_K (64) and its KGroupedTile. The FP8 schedulers' K-block helpers count 128-deep blocks, so the BF16 kernel " +
      'counts its own (num_k_blocks).',
  },
  {
    id: 'wgmma_bf16_wrapper',
    identifiers: ['WgmmaBf16'],
    title: 'WgmmaBf16<N> — the m64nNk16 bf16 wgmma of one N',
    body:
      'Picks the generated wrapper `wgmma_mma_async_m64n{N}k16_f32_bf16_bf16` (ptx/wgmma_bf16.cuh) at compile time: ' +
      'D (64×N, f32, N/2 registers per thread) (+)= A (64×16) · B (16×N), both operands by shared-memory descriptor. ' +
      '`mma(accum, desc_a, desc_b, scale_d)`: scale_d = 0 writes D = A·B (the first MMA of a tile), 1 accumulates. ' +
      'The transpose immediates are 0: both tiles are K-major.',
  },
  {
    id: 'wgmma_k',
    families: ['bf16'],
    identifiers: ['WGMMA_K'],
    title: 'K of one wgmma: 16 for bf16',
    body: 'wgmma takes 32 bytes of K per MMA: k16 for 16-bit types, k32 for FP8. A 64-deep K-block is BLOCK_K / WGMMA_K = 4 MMAs per wave, each 32 bytes further along the 128-byte swizzled row (the hardware applies the swizzle).',
  },
  {
    id: 'issue_k_block',
    families: ['bf16'],
    identifiers: ['issue_k_block', 'k_loop', 'first_k_block'],
    title: 'The BF16 K-loop: one K-block group in flight',
    body:
      "Each K-block: wait on the stage's full barrier, fence, issue 4 × m64nNk16 per wave, commit (not waited for). Then " +
      '`wgmma.wait_group 1` lets the previous group finish while this one is queued, and releases the previous stage: the ' +
      'tensor cores always have the next group. All groups accumulate into the same registers, which wgmma orders by ' +
      'itself. The first K-block of a tile passes scale-d = 0, so accumulators need no zeroing between tiles.',
  },
  {
    id: 'epilogue_bf16',
    identifiers: ['stage_bf16', 'stage_fp32', 'store_tile'],
    title: 'Epilogue: accumulators → staging tile → TMA store',
    body:
      'Wait until the previous store has read the staging tile (`cp.async.bulk.wait_group.read 0`), sync the math threads ' +
      '(named barrier), write the fragment (bf16: `cvt.rn.bf16x2.f32` + `stmatrix.x4`; fp32: 8-byte `st.shared`), ' +
      '`fence.proxy.async` so the TMA sees those writes, sync again, then one thread per slab issues the TMA store or ' +
      "reduce-add and commits a bulk group. The store runs while the next tile's K-loop starts.",
  },
  {
    id: 'cvt_bf16x2',
    identifiers: ['cvt_rn_bf16x2_f32'],
    title: 'cvt.rn.bf16x2.f32 — two floats to a packed bf16 pair',
    body: 'Rounds two FP32 values to bf16 (nearest even) and packs them into one 32-bit register, the unit stmatrix stores. PTX puts its first source in the upper half; the wrapper passes `hi` first so `lo` lands in the lower half (the lower column).',
    links: [
      {
        label: 'PTX ISA: cvt',
        url: 'https://docs.nvidia.com/cuda/parallel-thread-execution/#data-movement-and-conversion-instructions-cvt',
      },
    ],
  },
  {
    id: 'bf16_d_map',
    families: ['bf16'],
    identifiers: ['tma_d'],
    title: "D's tensor map in the BF16 kernel (2D, or 3D {N, M, G} for K-grouped)",
    body:
      'Normal and M-grouped: a 2D map over D [M, N] (M-grouped: ΣM or G·Mmax rows) of the output type (bf16, or fp32 ' +
      'for `Fp32` / `Fp32Accumulate`), box TMA_D_BLOCK_N × BLOCK_M with the kSwizzleD swizzle; the epilogue stores (or ' +
      'reduce-adds) one slab per thread at (column, row). K-grouped: a 3D map {N, M, G} over fp32 D [G, M, N], box ' +
      'TMA_D_BLOCK_N × BLOCK_M × 1, reduce-added at (column, row, group): the TMA clips rows past M at the edge of plane ' +
      'g, where a 2D map over G·M rows would let a partial tile write into group g + 1.',
  },
];
