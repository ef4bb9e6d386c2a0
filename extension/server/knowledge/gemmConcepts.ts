// Concepts the GEMM kernels share (FP8 1D2D and 1D1D, BF16; some also the MQA kernels), in our words:
// grouped GEMMs and their scheduler, the accumulator fragment, the stage ring, the epilogue's staging
// tile, clusters. Kernel-specific meanings live in bf16Concepts.ts and mqaConcepts.ts.
import type { ConceptEntry } from './types';

export const gemmConcepts: ConceptEntry[] = [
  {
    id: 'gemm_type',
    identifiers: ['GemmType', 'Normal', 'MGroupedContiguous', 'MGroupedMasked', 'kMGrouped'],
    title: 'GemmType — which GEMM a kernel is compiled as',
    body:
      '`Normal`: one D = A·Bᵀ. `MGroupedContiguous`: MoE experts stacked along M, each padded to a multiple of 128 rows, ' +
      '`grouped_layout[row]` naming the expert (or -1 for padding). `MGroupedMasked`: G experts of up to M rows each, ' +
      '`masked_m[g]` valid. `KGrouped`: G GEMMs with the same M and N and their own K_g (the MoE weight gradient), ' +
      'concatenated along K. It picks the scheduler and how tiles map to rows of A, B and D.',
  },
  {
    id: 'kgrouped',
    identifiers: ['KGrouped', 'kKGrouped'],
    title: 'K-grouped GEMM (the MoE weight gradient)',
    body:
      'G GEMMs with the same M and N and their own K_g, concatenated along K in A and B; D is fp32 [G, M, N], each ' +
      'group reduce-added onto its plane of a 3D tensor map {N, M, G} (D_g = C_g + A_g·B_gᵀ). Served by the FP8 1D1D ' +
      'kernel (BLOCK_K 128) and the BF16 kernel (BLOCK_K 64) through the K-grouped scheduler.',
  },
  {
    id: 'kgrouped_tile',
    identifiers: [
      'KGroupedTile',
      'k_block_offset',
      'tile_k_blocks',
      'tile_k_block_offset',
      'group_k_blocks',
      'group_first_tile',
      'tiles_per_group',
      'group',
    ],
    title: "A K-grouped tile and its group's K-blocks",
    body:
      'The K-grouped scheduler hands out (m_block, n_block, group) tiles of the non-empty groups in group order, each ' +
      "with its group's K-block count K_g / BLOCK_K and offset ΣK_<g / BLOCK_K in the concatenated K. The producer loads " +
      'K-block (k_block_offset + kb) of A and B, the math warpgroups run num_k_blocks of them, and the epilogue uses ' +
      "`group` as D's third coordinate. A CTA's tile indices only grow, so the group cursor only moves forward: " +
      '`grouped_layout[g]` is read once per group per CTA, no prefix-sum pass. For the other GemmTypes the tile covers all ' +
      'of K from 0.',
  },
  {
    id: 'wgmma_fp8_wrapper',
    identifiers: ['WgmmaFp8'],
    title: 'WgmmaFp8<N> — the m64nNk32 e4m3 wgmma of one N',
    body:
      'Picks the generated wrapper `wgmma_mma_async_m64n{N}k32_f32_e4m3_e4m3` (ptx/wgmma_fp8.cuh) at compile time: ' +
      'D (64×N, f32) (+)= A (64×32) · B (32×N), both FP8 e4m3 by descriptor, both K-major (FP8 has no transpose). ' +
      'The MQA kernels use it with N = 128 (plain) or next_n · heads (paged).',
  },
  {
    id: 'mma_alias',
    identifiers: ['Mma'],
    title: "The kernel's wgmma of its tile width",
    body: '`using Mma = ptx::WgmmaBf16<BLOCK_N>` (BF16) or `ptx::WgmmaFp8<N>` (FP8, MQA): the one m64nNk wgmma the tile needs, chosen at compile time.',
  },
  {
    id: 'wgmma_k',
    identifiers: ['WGMMA_K'],
    title: 'K of one wgmma',
    body: 'wgmma takes 32 bytes of K per MMA: k32 for FP8 (e4m3), k16 for bf16.',
  },
  {
    id: 'waves',
    identifiers: ['WAVE_BLOCK_M', 'kNumWaves', 'WGMMA_M'],
    title: 'Waves: 64 rows per math warpgroup at a time',
    body: 'A math warpgroup issues wgmma with M = 64. WAVE_BLOCK_M = 64 · math warpgroups rows are covered at once; BLOCK_M 256 with two warpgroups takes two waves, each thread holding two accumulator fragments (kNumWaves × BLOCK_N/2 FP32 registers, rule registers).',
  },
  {
    id: 'release_stage',
    identifiers: ['release_stage'],
    title: 'Releasing a stage to the producer',
    body: "Each math warp arrives once on the stage's empty barrier of every CTA of the cluster (lane r on CTA r's, through mapa), or twice on its own when the peer has no tile this step. The producer waits for all of them before refilling the stage (it may be multicasting into both CTAs).",
  },
  {
    id: 'wgmma_desc_halves',
    identifiers: ['Descriptors', 'WgmmaDescOrigins', 'wgmma_desc_from_halves', 'a_lo', 'b_lo'],
    title: 'wgmma descriptors kept as two halves',
    body: "Across stages and k-slices only a descriptor's low half (start address >> 4) changes; the high half (SBO, base offset, layout) is the same for A and B. The kernel keeps the halves in registers and builds each descriptor with one add and a `mov.b64 {lo, hi}` instead of re-encoding the address between wgmmas.",
  },
  {
    id: 'd_staging',
    identifiers: ['TMA_D_BLOCK_N', 'kNumDStores', 'd_offset', 'smem_d', 'SMEM_D_BYTES', 'slab'],
    title: 'The D staging tile, in TMA-store slabs',
    body:
      "The epilogue writes the tile into shared memory first, swizzled like D's tensor map, and the TMA stores it. A " +
      'swizzled TMA box is one swizzle row wide, so the tile is cut into BLOCK_N / TMA_D_BLOCK_N slabs of TMA_D_BLOCK_N = ' +
      'kSwizzleD / (bytes per element) columns (the whole tile when kSwizzleD = 0), each stored by its own thread. ' +
      '`d_offset` applies the swizzle: 16-byte chunk bits [4, 4+b) XOR bits [7, 7+b).',
  },
  {
    id: 'fp32_chunk_swap',
    identifiers: ['kSwapChunks', 'store_chunk'],
    title: 'fp32 epilogue store order (bank conflicts)',
    body: "With the 128-byte swizzle, a half-warp's 8-byte fp32 stores of one chunk from rows r and r ^ 1 would hit the same 16-byte bank pair; odd rows store chunk i ^ 2 at step i instead, so four rows cover all eight bank groups. Both register indices are compile-time constants (no dynamic indexing of the accumulators).",
  },
  {
    id: 'rows_masked',
    identifiers: ['store_rows_masked', 'rows_masked', 'row_valid', 'd_row'],
    title: 'M-grouped tiles with rows that must stay untouched',
    body: 'A TMA store writes whole boxes, so a tile whose rows are only partly valid (padding rows of a contiguous expert, rows past masked_m[g]) is copied from the staging tile to D by the math threads, 16 bytes at a time, valid rows only. The swizzle permutes whole 16-byte chunks, so each chunk is contiguous in shared memory; consecutive threads take consecutive chunks of a row (coalesced).',
  },
  {
    id: 'tx_bytes',
    identifiers: ['kTmaBytesPerStage', 'kQStageTxBytes', 'kKVStageTxBytes'],
    title: "Bytes the TMA delivers per stage (the full barrier's transaction count)",
    body: "The producer announces them with `mbarrier.arrive.expect_tx` before issuing the loads; the stage's full phase completes when that many bytes have landed. Every box counts in full, its out-of-bounds part zero-filled, so the count does not depend on where the tile sits. The count must match what the loads deliver: if it is larger, the phase never completes and the consumers wait forever.",
  },
  {
    id: 'math_barrier',
    identifiers: ['bar_sync', 'kMathBarrierId'],
    title: 'Named barrier over the math threads (bar.sync 1, n)',
    body: '`bar.sync id, count` waits until `count` threads (a multiple of 32) arrive at barrier `id`. The epilogue syncs only the math warpgroups with id 1, since the producer warpgroup is still streaming loads and never joins; id 0 is __syncthreads().',
  },
  {
    id: 'accum_fragment',
    identifiers: ['kNumAccum', 'kNumChunks', 'accum'],
    title: 'The wgmma accumulator fragment',
    body:
      'An m64nN FP32 accumulator is spread over the 128 threads of the warpgroup: N/2 registers per thread (kNumAccum), ' +
      'in N/8 chunks of 8 columns (kNumChunks). In warp w, lane l, registers 4i + 0..1 hold row 16w + l/4, columns ' +
      '8i + 2(l%4) + {0, 1}, and 4i + 2..3 the same columns of row 16w + l/4 + 8 (PTX ISA §9.7.15.5.1.1). The epilogues ' +
      '(stmatrix, the fp32 stores, the MQA head sum) are written against this layout.',
  },
  {
    id: 'smem_layout',
    identifiers: ['kSmemBytes', 'kSmemFixedBytes', 'smem_bytes', 'kElemBytes'],
    patterns: ['SMEM_[A-Z0-9_]+'],
    title: "The kernel's shared-memory layout (byte offsets and sizes)",
    body: "Compile-time byte offsets from the aligned dynamic shared-memory base (stages, staging tile, barriers), as the header comment of the kernel draws them. The TypeScript rules mirror the same arithmetic (core/kernelRules*.ts, core/bf16/kernelRulesBf16.ts, core/mqa/mqaRules.ts), so the heuristics know a config's shared memory before compiling it; the total must stay within 232,448 bytes (rule smem).",
  },
  {
    id: 'pipeline_state',
    identifiers: ['PipelineState', 'pipe', 'previous'],
    title: 'PipelineState — position in a stage ring',
    body: 'The stage index and the phase parity of its barriers. Producer and consumers each keep one and advance it once per K-block (per step) in the same order, so stage s is filled and drained alternately; the parity flips each time the ring wraps, which is what `mbarrier.try_wait.parity` waits on.',
  },
  {
    id: 'cluster_multicast',
    identifiers: [
      'kClusterSize',
      'multicast_a',
      'multicast_b',
      'load_operand',
      'multicast',
      'peer_alive',
      'cta_rank',
      'cta_mask',
    ],
    title: 'Cluster pairs and TMA multicast',
    body: "With a cluster of 2 (clusterM or clusterN = 2) two CTAs on neighbouring tiles need the same B (or A) tile: rank 0 loads it once with `.multicast::cluster` into both CTAs' stages, and each stage's full barrier expects the same bytes in both. A tile's peer may have no tile this step (`peer_alive` false): it then never consumes, so the math warps arrive twice on their own empty barrier instead. K-grouped runs without clusters.",
  },
  {
    id: 'grouped_layout',
    identifiers: ['grouped_layout', 'masked_m', 'num_groups'],
    title: 'grouped_layout — the per-group sizes of a grouped GEMM',
    body: 'One int32 array whose meaning depends on GemmType: contiguous M-grouped, the expert of each row of A (-1 for padding rows), or with psum_layout the cumulative row ends of the experts; masked, masked_m[g] (valid rows of group g); K-grouped, K_g of each group (a multiple of BLOCK_K; 0 = empty group, D_g keeps C_g).',
  },
  {
    id: 'k_grouped_scheduler',
    identifiers: ['KGroupedScheduler', 'group_k', 'Raster', 'tile_at', 'normal_k_blocks'],
    title: 'KGroupedScheduler — tiles of the non-empty groups, templated on BLOCK_K',
    body:
      'The persistent scheduler of the FP32-output K-grouped GEMMs: the FP8 1D1D kernel (BLOCK_K 128) and the BF16 ' +
      'kernel (BLOCK_K 64). Every CTA walks linear tile indices blockIdx.x, + gridDim.x, … over the tiles of the ' +
      "non-empty groups in group order (one M × N problem's tiles per group, in the normal scheduler's L2 " +
      "rasterisation); groups with K_g = 0 own no tiles. Each tile carries its group's K-block offset ΣK_<g / BLOCK_K and " +
      'count K_g / BLOCK_K, which is why the scheduler must know BLOCK_K. No multicast pairs (clusters of 1).',
  },
  {
    id: 'num_k_blocks',
    identifiers: ['num_k_blocks', 'k_blocks', 'tile_blocks'],
    title: 'K-blocks of a tile',
    body: "ceil(K / BLOCK_K): one pipeline stage each. In the BF16 kernel K need not be a multiple of 64: the last block's box reaches past K, the TMA zero-fills it, and zeros add nothing. K-grouped: the tile's group's K_g / BLOCK_K.",
  },
  {
    id: 'trace',
    identifiers: ['TraceWriter', 'TraceEvent', 'tr', 'kTraceRoleProducer', 'kTraceNoStage', 'kTraceNoKBlock'],
    title: 'Pipeline trace (instrumented builds only)',
    body: 'Records when each role waits, issues and releases (the timeline view). Compiled in only when the JIT defines FP8LAB_TRACE=1; otherwise TraceWriter is an empty struct whose calls compile to nothing, so the normal build pays nothing. One writer thread per role writes its own slice: %globaltimer at tile anchors, the low 32 bits of clock64 for the other events.',
  },
  {
    id: 'scale_d',
    identifiers: ['scale_d'],
    title: "wgmma's scale-d: overwrite (0) or accumulate (1)",
    body: 'Turned into the predicate operand scale-d of `wgmma.mma_async` (`setp.ne.b32 p, scale_d, 0`): false writes D = A·B, true D = A·B + D. Passing 0 on the first MMA saves zeroing the accumulators: the BF16 kernel does so once per tile (all of K accumulates in wgmma), the FP8 kernels once per 128-deep K-block whose partial sum is then promoted with its scales, the MQA kernels once per key step.',
  },
];
