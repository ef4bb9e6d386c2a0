// Legality rules as the kernels' static_asserts name them ("rule <code>: ..."), in our words: why the
// kernel needs each one. The TypeScript heuristics reject configs with the same codes (the mirror).
// A code several kernels share has one entry per family where the reason differs.
import type { RuleEntry } from './types';

const FP8 = 'extension/src/core/kernelRules.ts (1D1D: extension/src/core/kernelRules1d1d.ts)';
const BF16 = 'extension/src/core/bf16/kernelRulesBf16.ts';
/** Rules the GEMM kernels share: the BF16 rules module reuses the FP8 tile rules. */
const SHARED = {
  fp8: FP8,
  bf16: 'extension/src/core/bf16/kernelRulesBf16.ts (with the tile rules it shares from extension/src/core/kernelRules.ts)',
};
const MQA = 'extension/src/core/mqa/mqaRules.ts';
/** The MQA kernels' compile-time parameters are not chosen per case: no case can break these rules. */
const MQA_FIXED =
  'the runtime compiles the MQA kernels with fixed parameters (core/mqa/mqaRules.ts: 3 Q stages, 3 KV stages, 4 math ' +
  "warpgroups; the generated unit static_asserts that the TypeScript shared-memory sum equals the kernel's kSmemBytes), " +
  'so no case can break this rule; it guards edits of the kernel and its parameters.';

export const rules: RuleEntry[] = [
  // ---- shared by the GEMM kernels ----------------------------------------------------------------
  {
    id: 'block-m',
    title: 'BLOCK_M is 64, 128 or 256',
    body: 'A math warpgroup issues wgmma with M = 64, one or two waves of 64 rows each; 64 uses one math warpgroup, 128 and 256 use two.',
    mirror: SHARED,
  },
  {
    id: 'block-n',
    title: 'BLOCK_N is a multiple of 16 in 16..256',
    body: 'BLOCK_N is the wgmma N (at most 256); multiples of 16 keep the stmatrix.x4 epilogue (two n8 chunks at a time) and the swizzled D rows whole.',
    mirror: SHARED,
  },
  {
    id: 'math-warpgroups',
    title: 'One math warpgroup for BLOCK_M 64, two otherwise',
    body: 'Each math warpgroup owns 64 rows of a wave; the launch has 128 threads per math warpgroup plus the producer warpgroup, and setmaxnreg splits the register file by that count.',
    mirror: SHARED,
  },
  {
    id: 'waves',
    title: 'BLOCK_M is one or two waves',
    body: 'A wave is 64 rows per math warpgroup. BLOCK_M 256 with two warpgroups is two waves: each thread keeps two accumulator fragments, issued back to back on the same stage.',
    mirror: SHARED,
  },
  {
    id: 'registers',
    title: 'The accumulators fit the register budget',
    body: 'Each math thread holds BLOCK_N/2 FP32 accumulators per wave (FP8 1D2D: plus as many promoted sums). Past the limit ptxas spills to local memory inside the K-loop, which costs far more than a smaller tile.',
    mirror: SHARED,
  },
  {
    id: 'stages',
    title: 'kNumStages in 2..32',
    body: 'With one stage the producer could never load ahead of the math warpgroups; the parity-based mbarrier ring needs at least two. The upper bound only guards against nonsense; shared memory (rule smem) binds first.',
    mirror: SHARED,
  },
  {
    id: 'cluster',
    title: 'Clusters of at most two CTAs',
    body: 'clusterM · clusterN ≤ 2: a pair of CTAs on neighbouring tiles shares one operand by TMA multicast (each loads half). Larger clusters are legal on Hopper but constrain placement; DeepGEMM uses pairs too.',
    mirror: SHARED,
  },
  {
    id: 'num-sms',
    title: 'The persistent grid is whole clusters',
    body: 'The grid is one CTA per SM used, launched in clusters, so its size must be a multiple of the cluster size; the kernel also traps when the launch does not match.',
    mirror: SHARED,
  },
  {
    id: 'swizzle-ab',
    title: 'A and B tiles use the 128-byte swizzle',
    body: "A K-block row is 128 bytes (128 e4m3 or 64 bf16), exactly one 128-byte swizzle row: the TMA writes the tile swizzled, and the wgmma descriptors' layout type must say the same. Other swizzles would need other descriptors and cause bank conflicts.",
    mirror: SHARED,
  },
  {
    id: 'swizzle-d',
    title: "D's staging-tile swizzle fits the tile",
    body: 'The staging tile is written by the math threads and stored by the TMA in slabs of one swizzle row (kSwizzleD bytes of D per row, TMA_D_BLOCK_N columns), so BLOCK_N·(bytes per D element) must be a whole number of slabs, each at least 8 columns, with one storing thread per slab. 0 means unswizzled (one slab).',
    mirror: SHARED,
  },
  {
    id: 'smem',
    title: 'Everything fits in 227 KB of shared memory',
    body: 'The stages, the staging tile and the barriers must fit the 232,448 bytes one CTA may use on Hopper; the heuristics pick the most stages that fit.',
    mirror: SHARED,
  },
  {
    id: 'contiguous-block-m',
    title: 'A contiguous M-grouped tile never holds two experts',
    body: "Each expert's rows are padded to a multiple of 128 in the contiguous layout, so a BLOCK_M dividing 128 keeps every tile inside one expert: it uses one B (the expert's weights) for all its rows.",
    mirror: SHARED,
  },
  // ---- FP8 ----------------------------------------------------------------------------------------
  {
    id: 'block-k',
    families: ['fp8'],
    title: 'BLOCK_K is 128 (FP8)',
    body: 'The scaling granularity: one FP32 scale per 128 of K (per row of A; per 128×128 block of B in the 1D2D kernel, per row of B in the 1D1D one), applied when the partial sums are promoted after each K-block; 128 e4m3 are also one 128-byte swizzle row.',
    mirror: FP8,
  },
  {
    id: 'gemm-type',
    families: ['fp8'],
    title: 'Which GemmTypes this FP8 kernel implements',
    body: 'The 1D2D kernel (scales of B per 128×128 block) serves Normal and the M-grouped kinds; the 1D1D kernel (FP32 output, scales per 128 of K on both sides) serves the weight gradient and K-grouped.',
    mirror: FP8,
  },
  {
    id: 'split-k',
    families: ['fp8'],
    title: 'Split-K only where it can be reduced',
    body: "A tile's K split across the 2 or 4 CTAs of a cluster, whose partial sums are added through distributed shared memory; the cluster then carries no multicast, and the kinds and variants that do not reduce across CTAs do not split.",
    mirror: FP8,
  },
  {
    id: 'scale-b-blocks',
    families: ['fp8'],
    title: 'A tile straddles at most two scale blocks of B',
    body: 'B has one scale per 128×128 block; a BLOCK_N that does not divide 128 makes some tiles cover two 128-column blocks, and the promotion handles at most two scales of B per tile.',
    mirror: FP8,
  },
  // ---- BF16 ---------------------------------------------------------------------------------------
  {
    id: 'block-k',
    families: ['bf16'],
    title: 'BLOCK_K is 64 (BF16)',
    body: '64 bf16 are 128 bytes: one row of the 128-byte swizzle that the A/B tensor maps write and the wgmma descriptors read, and four wgmma k16 per K-block. BF16 has no scales and no promotion, so nothing asks for 128; K-grouped groups must then be multiples of 64.',
    mirror: BF16,
  },
  {
    id: 'gemm-type',
    families: ['bf16'],
    title: 'The BF16 kernel implements Normal, both M-grouped kinds and K-grouped',
    body: "One kernel, four schedulers (Bf16SchedulerFor): the FP8 1D2D kernel's for Normal and the M-grouped kinds, the K-grouped one (templated on BLOCK_K = 64) for KGrouped.",
    mirror: BF16,
  },
  {
    id: 'grouped-output',
    families: ['bf16'],
    title: 'The M-grouped BF16 GEMMs write bf16 D',
    body: "DeepGEMM's M-grouped BF16 GEMMs write bf16 D, and so do ours: the fp32 outputs serve the normal GEMM (and, accumulating, the K-grouped one), so the M-grouped kinds are compiled, tested and mirrored with the Bf16 epilogue only.",
    mirror: BF16,
  },
  {
    id: 'kgrouped-output',
    families: ['bf16'],
    title: 'K-grouped writes fp32 D = C + A·Bᵀ (Fp32Accumulate)',
    body: 'The K-grouped GEMM is the MoE weight gradient: D_g = C_g + A_g·B_gᵀ in FP32, added onto the gradient already there. The epilogue reduce-adds the tile with `cp.reduce.async.bulk.tensor.3d ... .add` onto plane g of the 3D D map {N, M, G}; the host puts C in D first (or C is D). A group with K_g = 0 has no tiles, so D_g keeps C_g, as the accumulate contract asks.',
    mirror: BF16,
  },
  {
    id: 'pingpong',
    families: ['bf16'],
    title: 'Ping-pong: 2 math warpgroups, each on whole 64- or 128-row tiles',
    body: "With ping-pong a tile is one math warpgroup's: it covers BLOCK_M in 64-row waves (one or two), so BLOCK_M is 64 or 128, and there are exactly 2 warpgroups taking alternate tiles. Each keeps its own D staging tile (or slab ring) in shared memory, which leaves fewer stages than the cooperative form of the same tile. In a cluster of 2 the same warpgroup of both CTAs takes the paired tiles, so the pair multicasts as the cooperative form does and both release each stage. The FP8 kernels refuse pingpong = 1: their warpgroups always split a tile.",
    mirror: BF16,
  },
  {
    id: 'split-k',
    families: ['bf16'],
    title: 'Split-K 1, 2 or 4: the one GEMM, cooperative, without multicast',
    body: "A tile's K-blocks split across the 2 or 4 CTAs of a cluster; ranks 1.. hand their FP32 accumulators to rank 0 through distributed shared memory and rank 0 alone stores the tile. The cluster then carries the K ranks, not a multicast pair; rank 0's math warpgroups add every partial sum of the whole tile, so tiles are cooperative (no ping-pong); and the grouped kinds, whose schedulers walk experts or K-groups, do not split. The exchange buffer takes (splitK - 1) · BLOCK_M · BLOCK_N · 4 bytes of shared memory (rule smem), and the exchange needs registers beside the accumulators: a split tile holds at most 112 per thread (64×224 split 2 compiles clean, 64×240 and 64×256 spill).",
    mirror: BF16,
  },
  {
    id: 'd-slabs',
    families: ['bf16'],
    title: 'D slab ring: 2 or 3 box buffers, fewer than the tile has boxes',
    body: 'The ring stages D one TMA store box at a time through 2 or 3 box buffers (kDSlabs), so it must hold fewer buffers than the tile has boxes (BLOCK_N / TMA_D_BLOCK_N; a 128×128 bf16 tile is two 64-column boxes, which the ring would hold whole). Its boxes are swizzled (swizzleD > 0) with an even number of 8-column chunks, each a 1024-aligned buffer; it runs GemmType::Normal (the M-grouped row-masked store reads a whole staging tile), with ping-pong one ring per math warpgroup. The FP8 kernels refuse d_slabs with the same rule: they stage their whole D tile.',
    mirror: BF16,
  },
  {
    id: 'kgrouped-cluster',
    families: ['bf16'],
    title: 'K-grouped runs without clusters',
    body: 'The K-grouped scheduler walks the tiles of the non-empty groups with no multicast pairs: two neighbouring tiles may belong to different groups, with different K ranges of A and B, so there is no operand to share. Clusters of 1 (clusterM = clusterN = 1).',
    mirror: BF16,
  },
  {
    id: 'registers',
    families: ['bf16'],
    title: 'The accumulators fit in 128 registers (176 with ping-pong)',
    body: 'Each math thread holds BLOCK_N/2 FP32 accumulators per wave and nothing else of size (no promoted sums: BF16 accumulates all of K in the wgmma accumulator). Waves × BLOCK_N/2 ≤ 128 leaves room for addresses and the epilogue within the 232 (two warpgroups) or 248 registers setmaxnreg gives a math thread. A ping-pong warpgroup, which holds a whole 128-row tile in two waves, may keep up to 176: 128×176 compiles without spills in 232 registers.',
    mirror: BF16,
  },
  // ---- MQA logits ---------------------------------------------------------------------------------
  {
    id: 'heads',
    families: ['mqa', 'paged-mqa'],
    title: 'heads is 32 or 64',
    body: "All heads of a query are columns of one wgmma B operand (N = 128 in the plain kernel: BLOCK_Q = 128 / heads queries; next_n · heads in the paged one), and a query's heads fill whole 8-column chunks of the accumulator fragment, over which the head sum runs.",
    mirror: MQA,
  },
  {
    id: 'head-dim',
    families: ['mqa', 'paged-mqa'],
    title: 'dim is 64 or 128',
    body: 'dim is the K of the score GEMM and one FP8 row of q or k is dim bytes: the tiles use the 64- or 128-byte swizzle so a row is exactly one swizzle row, and the wgmma descriptors walk it in k32 steps.',
    mirror: MQA,
  },
  {
    id: 'math-warpgroups',
    families: ['mqa'],
    title: '1, 2 or 4 math warpgroups (BLOCK_KV = 64 · that)',
    body: 'Each math warpgroup scores its own 64 keys (the wgmma M) against the shared Q stage; the register budget per math thread (setmaxnreg) follows the count.',
    unmirrored: MQA_FIXED,
  },
  {
    id: 'math-warpgroups',
    families: ['paged-mqa'],
    title: '1, 2 or 4 math warpgroups (pages per split)',
    body: 'Each math warpgroup scores one 64-key page of a split with its own KV ring and producer warp; a split is that many pages.',
    unmirrored: MQA_FIXED,
  },
  {
    id: 'stages',
    families: ['mqa', 'paged-mqa'],
    title: 'At least 2 Q and 2 KV stages',
    body: 'Two rings (Q + weights, KV + scales), each guarded by full/empty mbarriers with phase parity; a ring of one stage could never load ahead of its consumer.',
    unmirrored: MQA_FIXED,
  },
  {
    id: 'smem',
    families: ['mqa', 'paged-mqa'],
    title: 'The Q and KV stages fit in 227 KB',
    body: 'Q, KV, weight and scale stages plus the barriers must fit the 232,448 bytes of shared memory one CTA may use (paged: one KV ring per math warpgroup).',
    unmirrored: MQA_FIXED,
  },
  {
    id: 'next-n',
    families: ['paged-mqa'],
    title: 'next_n · heads ≤ 128',
    body: "Every decode token and head of a request is one column of a single wgmma's B operand, so one pass over a page scores them all. 128 columns (the plain kernel's N) are 64 FP32 accumulators per thread, within the 104 registers a math thread gets with four math warpgroups.",
    mirror: MQA,
  },
];
