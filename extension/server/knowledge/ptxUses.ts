// What this project's kernels use each PTX instruction for, by mnemonic: the "In our kernels" part of
// an instruction's hover (ptx.ts says what the instruction is; this says why it is in our code).
// knowledgeCoverage.test.ts checks that every instruction found in an asm string under kernels/ has
// its lines here.

export const ptxUses: Readonly<Record<string, string[]>> = {
  'wgmma.mma_async': [
    'FP8 GEMMs (ptx/wgmma_fp8.cuh): `m64nNk32.f32.e4m3.e4m3`, A and B by descriptor from the 128-byte-swizzled stages; four k32 per 128-deep K-block, then the promotion with the scales.',
    'BF16 GEMM (ptx/wgmma_bf16.cuh): `m64nNk16.f32.bf16.bf16`, four k16 per 64-deep K-block, all of K in the FP32 accumulator; scale-d = 0 on the first MMA of a tile (no zeroing between tiles), imm-trans-a = imm-trans-b = 0 (both tiles K-major).',
    'MQA logits: `m64n128k32.f32.e4m3.e4m3` (paged: N = next_n · heads) with the 64 keys of a math warpgroup as A and the queries × heads as B; dim/32 MMAs per step, the head sum then runs on the fragment.',
  ],
  'wgmma.fence': [
    'Before the first wgmma of each K-block group, after the accumulators were last touched by ordinary instructions (epilogue, promotion, the head sum).',
  ],
  'wgmma.commit_group': [
    'Closes the MMAs of one K-block (GEMMs) or one key step (MQA) into a group the math warpgroup can wait for.',
  ],
  'wgmma.wait_group': [
    "BF16 GEMM: `wait_group 1` keeps the next K-block's group queued while the previous one completes, then releases that stage; `wait_group 0` before the epilogue.",
    'FP8 GEMMs: waits before each promotion reads the accumulators; MQA: before the ReLU · weight · head sum reads them.',
  ],
  'cp.async.bulk.tensor': [
    "`.2d` loads of A/B (and scales) into the stage ring, completing on the stage's full mbarrier; with `.multicast::cluster`, rank 0 of a CTA pair loads the shared operand for both.",
    '`.3d` load (paged MQA): one 64-key page of the cache through the map {dim, 64, pages} at coordinate (0, 0, page id from the block table).',
    '`.2d` store of the staging tile to D (bf16 or fp32 output), one slab of TMA_D_BLOCK_N columns per storing thread; rows past M and columns past N are clipped.',
  ],
  'cp.reduce.async.bulk.tensor': [
    'BF16 GEMM, `Fp32Accumulate`: `.2d ... .add` reduce-adds the FP32 staging tile onto D (D += A·Bᵀ, D holding C before the launch).',
    "BF16 K-grouped: `.3d ... .add` onto the 3D map {N, M, G} at (column, row, group): the tile lands on plane g of D [G, M, N], and rows past M are clipped at the plane's edge instead of spilling into group g + 1.",
    'FP8 1D1D (weight gradient, K-grouped): the same `.3d ... .add` onto its FP32 D.',
  ],
  'cp.async.bulk': [
    "FP8 1D2D B scales (`FP8LAB_SFB_BULK`, on by default where K is compiled in and a multiple of 512): the TMA warp copies a tile's B-scale rows (`.shared::cluster.global.mbarrier::complete_tx::bytes`, whole 16-byte rows) into the tile's scale buffer, completing on the full mbarrier of the tile's first K-block.",
  ],
  'cp.async.bulk.prefetch.tensor': [
    'A wrapper in ptx/tma.cuh (`cp_async_bulk_prefetch_tensor_2d_l2`) for warming L2 with a tile; no kernel calls it today.',
  ],
  'cp.async.bulk.commit_group': [
    'After each TMA store or reduce-add of the epilogue: one bulk group per storing thread (empty for the others).',
  ],
  'cp.async.bulk.wait_group': [
    '`.read 0` before the staging tile is overwritten for the next tile, and before the CTA exits: the TMA must have finished reading shared memory (not writing global memory).',
  ],
  'cp.async': [
    "FP8 1D2D: `cp.async.ca.shared.global` 4-byte copies of a tile's B scales into shared memory by the math threads, then `commit_group` / `wait_group 0`.",
  ],
  prefetch: [
    '`prefetch.tensormap` of every tensor map (A, B, D, scales; MQA: q, kv, kv scales, weights) by one thread at kernel start.',
  ],
  mapa: ["FP8 1D2D split-K: the address of rank 0's exchange buffer (and its mbarriers) in the cluster window."],
  st: [
    "FP8 1D2D split-K: `st.shared::cluster.v4.f32` of the partial FP32 sums into rank 0's exchange buffer (distributed shared memory).",
  ],
  stmatrix: [
    'Bf16 epilogues (FP8 1D2D, BF16 GEMM with `Bf16` output): `.x4` writes two n8 chunks of 16 rows of the converted accumulators into the swizzled staging tile per warp.',
  ],
  'mbarrier.init': [
    "Full barriers with count 1 (the producer's arrive.expect_tx), empty barriers with one arrival per consuming math warp (× CTAs of the cluster).",
  ],
  'mbarrier.arrive': [
    "`.expect_tx`: the producer announces a stage's TMA bytes (A + B, or Q + weights, KV + scales) on its full barrier.",
    "Plain arrive: a math warp releases a stage on the empty barrier; `.shared::cluster` with mapa: on the peer CTA's barrier too (the BF16 and FP8 1D2D kernels with clusters of 2).",
    '`.release.cluster`: the split-K exchange of the FP8 1D2D kernel.',
  ],
  'mbarrier.try_wait': [
    "`.parity` waits for a stage's phase: math warps on full[stage] (parity = phase), the producer on empty[stage] (parity = phase ^ 1); `.acquire.cluster` for the split-K exchange.",
  ],
  'fence.proxy.async': [
    'After mbarrier init (so the TMA sees initialised barriers) and before each TMA store: the staging tile written by ordinary stores must be visible to the async proxy.',
  ],
  'fence.mbarrier_init': [
    'Once after the barriers are initialised, so the peer CTA of a cluster (TMA multicast, remote arrivals) sees them.',
  ],
  'barrier.cluster': [
    'Clusters of 2: arrive/wait after barrier init (neither CTA starts before both initialised theirs) and before exit (no CTA leaves while its peer may still reach into its shared memory).',
  ],
  bar: [
    "`bar.sync 1, <math threads>`: a named barrier over the math warpgroups only (the producer never joins), around the epilogue's staging tile.",
    "BF16 ping-pong: `bar.sync 1 + w, 128` around warpgroup w's own staging tile; `bar.arrive 3 + w, 256` at the end of the other warpgroup's K-loop opens w's next K-loop (`bar.sync 3 + w, 256`), so a warpgroup never waits on a stage barrier two phases early.",
  ],
  elect: [
    'One lane of the producer warp becomes the thread that issues every TMA load (`elect.sync`, then `selp` to a bool).',
  ],
  selp: ["Turns elect.sync's predicate into the 0/1 the C++ wrapper returns."],
  setp: [
    "Turns a C++ value into a predicate: wgmma's scale-d (0 on the first MMA of a tile), and the guard of a predicated TMA store (FP8 1D2D epilogue).",
  ],
  griddepcontrol: [
    '`.wait` before any global access (PDL: the previous kernel may still be writing); `.launch_dependents` once the prologue is done so the next launch can start its own.',
  ],
  setmaxnreg: [
    '`.dec` to 32–40 registers in the producer warpgroup and `.inc` to 104–248 in the math warpgroups, which hold the accumulators.',
  ],
  mov: [
    'Reads special registers (`%globaltimer` and `%smid` for the trace timeline, `%cluster_ctarank`), and `mov.b64 {lo, hi}` builds a wgmma descriptor from its two halves with one add per k-slice.',
    'Unpacks a packed f16x2 register into two halves in the FP8 → FP32 conversion of the utility kernels.',
  ],
  cvt: [
    '`cvt.rn.bf16x2.f32`: the bf16 epilogues pack two FP32 accumulators (round to nearest even) per 32-bit register for stmatrix.',
    'Utility kernels: `cvt.rn.satfinite.e4m3x2.f32` quantises inputs to FP8, `cvt.rn.f16x2.e4m3x2` + `cvt.f32.f16` dequantises them exactly, `cvt.rn.bf16.f32` makes BF16 inputs.',
  ],
  bra: ['The retry loop of `mbarrier.try_wait`: branch back while the phase has not completed.'],
};
