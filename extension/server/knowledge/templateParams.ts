// Kernel template parameters and the GemmConfig field each one carries. The identifiers cover the
// DeepGEMM vocabulary our kernels use (BLOCK_M, kNumStages, ...) and their common spellings. A name
// whose meaning differs between kernels has one entry per family (`families`); the hover picks the
// one of the kernel under the cursor, else the entry without families.
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
    families: ['fp8'],
    identifiers: ['BLOCK_K', 'kBlockK', 'block_k', 'BK'],
    title: 'K elements per pipeline stage',
    body: 'Always 128 for FP8: one 128-byte swizzled row of K, one scale per 128 of K, and four wgmma k32 per stage before the promotion.',
  },
  {
    field: 'blockK',
    families: ['bf16'],
    identifiers: ['BLOCK_K', 'kBlockK', 'block_k', 'BK'],
    title: 'K elements per pipeline stage (BF16: 64)',
    body:
      'Always 64 for BF16 (rule block-k): 64 bf16 are 128 bytes, one row of the 128-byte swizzle the A and B tiles and their ' +
      'wgmma descriptors use, and four wgmma k16 per stage. There is no scale and no promotion, so the FP8 reason for 128 ' +
      '(one scale per 128 of K) does not apply; a stage of (BLOCK_M + BLOCK_N)·128 bytes is the same size as an FP8 one. ' +
      'K-grouped: every group K_g must be a multiple of 64, so no K-block spans two groups.',
  },
  {
    field: 'blockK',
    identifiers: ['BLOCK_K', 'kBlockK', 'block_k', 'BK'],
    title: 'K elements per pipeline stage',
    body:
      '128 for the FP8 kernels (one 128-byte swizzled row of e4m3, one scale per 128 of K) and 64 for the BF16 kernel ' +
      '(64 bf16 = the same 128-byte row). The K-grouped scheduler is templated on it: group g starts at K-block ' +
      'sum(K_<g) / BLOCK_K of the concatenated K and has K_g / BLOCK_K K-blocks.',
  },
  {
    field: 'numStages',
    identifiers: ['kNumStages', 'NUM_STAGES', 'num_stages', 'kStages'],
    title: 'Depth of the shared-memory ring',
    body: 'How many K-blocks of A, B and scale-A the producer may load ahead of the math warpgroups. More stages hide more memory latency; each stage costs (BLOCK_M + BLOCK_N)·128 bytes of A/B (FP8: plus the scale-A slice; BF16 has none), and all stages plus the epilogue tile must fit in 232,448 bytes (227 KB).',
  },
  {
    families: ['mqa'],
    identifiers: ['kNumMathWarpgroups', 'kNumMathWGs', 'NUM_MATH_WARPGROUPS', 'kNumMathWarpGroups'],
    title: 'Math warpgroups — 64 keys each (BLOCK_KV = 64 · this)',
    body:
      '1, 2 or 4 (rule math-warpgroups; the runtime uses 4). Each math warpgroup scores 64 keys, the wgmma M of its own ' +
      'A operand, against the same Q stage (N = BLOCK_Q · heads = 128), so one step of a query block covers BLOCK_KV = ' +
      '64 · kNumMathWarpgroups keys and a KV stage holds BLOCK_KV·dim bytes. More warpgroups share each Q stage over more ' +
      'keys but split the register file: setmaxnreg gives each math thread 112 registers with 4, 208 with 2, 240 with 1.',
  },
  {
    families: ['paged-mqa'],
    identifiers: ['kNumMathWarpgroups', 'kNumMathWGs', 'NUM_MATH_WARPGROUPS', 'kNumMathWarpGroups'],
    title: 'Math warpgroups — one 64-key page each (pages per split)',
    body:
      '1, 2 or 4 (rule math-warpgroups; the runtime uses 4). Math warpgroup g scores page s·kNumMathWarpgroups + g of ' +
      'split s, with its own KV ring fed by its own producer warp, so a split is SPLIT_KV = 64 · kNumMathWarpgroups keys ' +
      'and the metadata kernel balances splits across CTAs. All of them read the same Q stage (every next_n token and head ' +
      'of the request).',
  },
  {
    field: 'numMathWarpgroups',
    identifiers: ['kNumMathWarpgroups', 'kNumMathWGs', 'NUM_MATH_WARPGROUPS', 'kNumMathWarpGroups'],
    title: 'Math (consumer) warpgroups',
    body: '1 when BLOCK_M = 64, else 2. Each computes 64 (or 128) rows of the tile; in the FP8 kernels, with two, one can promote while the other issues wgmma.',
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
    body: "With 2, two CTAs on neighbouring M tiles share the same B tile: one CTA loads it and the TMA multicasts it to both, halving B's L2 traffic. Needs a tile count that pairs up (the 1D1D kernel: an even count of M-blocks); useless when there is only one wave.",
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
  {
    families: ['bf16'],
    identifiers: ['kGemmType'],
    title: 'Which GEMM the BF16 kernel is compiled as (GemmType)',
    body:
      '`Normal` (one D = A·Bᵀ), `MGroupedContiguous` / `MGroupedMasked` (MoE experts stacked along M, bf16 D; the FP8 ' +
      "1D2D kernel's M-grouped scheduler) or `KGrouped` (G weight-gradient GEMMs of their own K_g, fp32 D_g = C_g + A_g·B_gᵀ; " +
      "the K-grouped scheduler with BLOCK_K 64). It picks the scheduler (Bf16SchedulerFor), the tile type and the epilogue's " +
      'store; rules gemm-type, grouped-output, kgrouped-output and kgrouped-cluster say which combinations compile.',
  },
  {
    families: ['fp8'],
    identifiers: ['kGemmType'],
    title: 'Which GEMM the kernel is compiled as (GemmType)',
    body: '`Normal`, the M-grouped MoE kinds (`MGroupedContiguous`, `MGroupedMasked`) or `KGrouped` (the 1D1D weight-gradient kernel): it picks the scheduler and how tiles map to A, B and D rows.',
  },
  {
    families: ['bf16'],
    identifiers: ['kOutput'],
    title: 'What the BF16 epilogue writes (Bf16Output)',
    body:
      '`Bf16`: D bf16, overwritten (stmatrix into the staging tile, TMA store). `Fp32`: D fp32, overwritten (8-byte ' +
      '`st.shared` of the fragment, TMA store). `Fp32Accumulate`: D fp32 += A·Bᵀ, the same staging tile reduce-added onto D ' +
      'by `cp.reduce.async.bulk.tensor .add` (the host puts C in D first, or C is D). The M-grouped kinds write Bf16 ' +
      "(rule grouped-output), K-grouped writes Fp32Accumulate (rule kgrouped-output). D's tensor map has the matching " +
      'element type; an fp32 output doubles the staging tile (BLOCK_M·BLOCK_N·4 bytes).',
  },
  {
    families: ['bf16'],
    identifiers: ['kPingpong'],
    title: 'Ping-pong or cooperative math warpgroups',
    body:
      'false (cooperative): the math warpgroups split every tile, 64 rows each per wave, and share its epilogue, so the ' +
      "tensor cores wait while the tile is converted, staged and stored. true (ping-pong, CUTLASS's name): 2 math " +
      'warpgroups each compute whole tiles of 64 or 128 rows and take alternate tiles of the schedule, so one ' +
      "warpgroup's epilogue runs while the other's K-loop keeps the tensor cores busy. The producer still streams every " +
      "tile's K-blocks into one ring in order; a warpgroup skips the other's K-blocks (PipelineState::advance(n)) and " +
      'each has its own staging tile and named barrier. It pays where a K-loop is short next to its epilogue (small K); ' +
      'a tile then carries at most 176 accumulators per thread, so 128 rows allow BLOCK_N ≤ 176 (rules pingpong, registers).',
  },
  {
    families: ['mqa', 'paged-mqa'],
    identifiers: ['kNumHeads'],
    title: 'Query heads (32 or 64)',
    body:
      'All heads of a query share the one key head (multi-query), so they are columns of one wgmma B operand: the plain ' +
      'kernel takes BLOCK_Q = 128 / heads queries per block (4 or 2) to fill N = 128; the paged one takes every next_n ' +
      "token of a request (N = next_n · heads ≤ 128). heads/8 of the fragment's 8-column chunks belong to one query, which " +
      'is why heads must be a multiple of 8 and is limited to 32 or 64 here (rule heads).',
  },
  {
    families: ['mqa', 'paged-mqa'],
    identifiers: ['kHeadDim'],
    title: 'Head dimension: the K of the score GEMM (64 or 128)',
    body:
      'One FP8 row of q or k is dim bytes, and the tiles use the swizzle of that width (64 or 128 bytes, rule head-dim) so ' +
      'that a whole row is one swizzle row and one wgmma descriptor layout serves both operands; a step runs dim/32 wgmma ' +
      'k32 per math warpgroup. Stages and tiles are aligned to one 8-row swizzle pattern (8·dim bytes). The paged cache ' +
      'page is 64·(dim + 4) bytes (values then scales).',
  },
  {
    families: ['mqa', 'paged-mqa'],
    identifiers: ['kNumQStages'],
    title: 'Depth of the Q ring (query blocks in flight)',
    body:
      "How many query blocks (plain: BLOCK_Q queries × heads × dim bytes plus their weights; paged: one request's " +
      'next_n · heads rows) the producer may load ahead. A Q stage is reused by every key step of its block, so it turns ' +
      'over slowly; 2 suffices to load the next block while the last keys of this one are scored. At least 2 (rule ' +
      'stages); the runtime uses 3.',
  },
  {
    families: ['mqa', 'paged-mqa'],
    identifiers: ['kNumKVStages'],
    title: 'Depth of the KV ring (key blocks in flight)',
    body:
      'How many key blocks with their FP32 scales the producer may load ahead of the math warpgroups — the ring that ' +
      'hides memory latency, since each KV stage is used once. Plain: a stage is BLOCK_KV·dim bytes of keys plus ' +
      'BLOCK_KV·4 of scales, shared by all math warpgroups. Paged: each math warpgroup has its own ring of ' +
      'kNumKVStages pages (64·dim + 256 bytes each). At least 2 (rule stages); the runtime uses 3. All stages must fit in ' +
      '232,448 bytes (rule smem).',
  },
  {
    families: ['paged-mqa'],
    identifiers: ['kNextN'],
    title: 'Decode tokens per request (next_n)',
    body:
      'Speculative decode scores next_n new tokens of each request at once (1 plain decode, 2 with one MTP draft token). ' +
      "All of a request's tokens and heads form the wgmma N (next_n · heads ≤ 128, rule next-n), so one pass over a " +
      'page scores every token; token t sees the keys j < context_lens[b, t], and its logits row is b·next_n + t.',
  },
  {
    identifiers: ['kPagesPerSplit'],
    families: ['paged-mqa'],
    title: "Pages per split (the kernel's math warpgroups)",
    body: 'The cursor walks (request, split) units; a split is this many consecutive pages of one request, one per math warpgroup.',
  },
  {
    families: ['fp8'],
    identifiers: ['kSplitK'],
    title: 'Split-K across the CTAs of a cluster (1, 2 or 4)',
    body:
      'Above 1, the CTAs of a cluster take the same tile and each runs a contiguous share of its K-blocks (shares differ ' +
      'by at most one); ranks 1.. hand their FP32 partial sums to rank 0 through distributed shared memory, and rank 0 ' +
      'stores the tile. It gives small-M, large-K shapes more CTAs than they have tiles; the cluster then carries no ' +
      'multicast (rule split-k).',
  },
  {
    families: ['bf16'],
    identifiers: ['kSplitK'],
    title: 'Split-K across the CTAs of a cluster (1, 2 or 4)',
    body:
      'Above 1 (kind bf16, GemmType::Normal), the CTAs of a cluster take the same tile and rank r runs K-blocks ' +
      '[r·kb/kSplitK, (r+1)·kb/kSplitK) of its kb 64-deep K-blocks; a rank whose share is empty (kb < kSplitK) loads ' +
      "nothing and hands over zeros. Ranks 1.. write their FP32 accumulators into rank 0's exchange buffer " +
      '(st.shared::cluster) and rank 0 adds them and alone runs the epilogue. Cooperative tiles without multicast, and ' +
      'no epilogue overlap (rule split-k); the launch cluster is clusterM·clusterN·kSplitK CTAs.',
  },
  {
    families: ['bf16'],
    identifiers: ['kDSlabs'],
    title: 'D slab ring: box buffers for the epilogue (0, 2 or 3)',
    body:
      '0 stages the whole D tile in shared memory at once. 2 or 3 (kind bf16; with ping-pong a ring per warpgroup) stage it one TMA store box ' +
      '(BLOCK_M × TMA_D_BLOCK_N) at a time through that many box buffers: box s goes into buffer (boxes so far) % kDSlabs, ' +
      "the tile's first thread stores it while the next box is staged, and waits (cp.async.bulk.wait_group.read " +
      'kDSlabs − 2) before each box barrier so no buffer is restaged while a store still reads it. The shared memory a ' +
      'whole tile would hold goes to pipeline stages: 128×256 bf16 takes 4 stages instead of 3 (rule d-slabs).',
  },
  {
    identifiers: ['kTailSplitRequested', 'kTailSplit'],
    title: "Tail split: the last wave's tiles split along K",
    body:
      'When the tiles leave part of the last wave idle, the K-grouped scheduler splits each tile of that wave into ' +
      'pieces of its K-blocks (at least 4 K-blocks a piece), one per idle SM; every piece reduce-adds its partial sum onto ' +
      'the FP32 D like a whole tile. Clusters of 1 only (a pair must run the same K-blocks). The pieces of a tile add in no ' +
      'fixed order, so those outputs may differ in their last bits between runs.',
  },
  {
    families: ['fp8'],
    identifiers: ['kPromote'],
    title: 'Promotion on (true) or the "no promotion" study variant (false)',
    body: "true: every 128-deep K-block the tensor-core partial sums are scaled and added into FP32 registers on the CUDA cores (DeepSeek-V3's fix for the limited accumulation precision of FP8 wgmma). false: the accuracy study's variant that keeps all of K in the tensor-core accumulator and applies the (per-tensor, hence uniform) scales once at the end.",
  },
];
