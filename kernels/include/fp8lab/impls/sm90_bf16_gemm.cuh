// D = A (bf16, M x K) . B (bf16, N x K)^T, for sm_90a: one GEMM (GemmType::Normal), the M-grouped
// MoE forms (MGroupedContiguous, MGroupedMasked; bf16 D) or the K-grouped weight gradient (KGrouped;
// fp32 D_g = C_g + A_g . B_g^T), with three epilogues (Bf16Output):
//   Bf16            D bf16 [M, N]                       stmatrix into the staging tile, TMA store
//   Fp32            D fp32 [M, N]                       st.shared into the staging tile, TMA store
//   Fp32Accumulate  D fp32 [M, N] += A . B^T            the same tile, TMA reduce-add onto D (the host
//                                                       puts C in D first, or C is D)
//
// The FP8 kernels' skeleton without their scales: persistent and warp-specialised, threads
// [0, 128 * kNumMathWarpgroups) are math warpgroups and the last 128 threads the TMA producer (one
// elected thread issues every load); a ring of kNumStages stages, each one 64-deep K-block of A and
// B (64 bf16 = 128 bytes: one 128-byte swizzle row), guarded by a full and an empty mbarrier. With no
// per-block scale to apply, the whole of K accumulates in the wgmma accumulators (fp32), so the math
// warpgroups only issue wgmma and release stages; one K-block's group stays in flight while the next
// is issued, so the tensor cores never wait for the math threads.
//
// Two math schedules (kPingpong): cooperative, the math warpgroups split every tile's rows (64 rows
// each per wave) and share its epilogue; ping-pong, each math warpgroup computes whole tiles of its
// own, the two taking alternate tiles of the schedule, so one warpgroup's epilogue (convert, stage,
// store) runs while the other's K-loop keeps the tensor cores busy. Ping-pong pays when a tile's
// K-loop is short next to its epilogue (small K); each warpgroup then needs its own staging tile.
//
// M-grouped: the FP8 1D2D kernel's MGroupedScheduler (m_grouped_scheduler.cuh) picks each tile's
// expert (B rows e * N ...) and rows; a tile whose rows are only partly valid (padding rows of a
// contiguous expert, rows past masked_m[g]) is copied from the staging tile to args.d row by row,
// since a TMA store cannot skip rows. kernels/README.md has the layouts.
//
// K-grouped: the FP8 1D1D kernel's KGroupedScheduler (k_grouped_scheduler.cuh, here with BLOCK_K 64)
// walks the tiles of the non-empty groups; A [M, sum K_g] and B [N, sum K_g] hold the groups back to
// back along K (every K_g a multiple of 64, so no K-block spans two groups), and each tile's K-blocks
// start at its group's K-block offset. D is fp32 [G, M, N] through a 3D tensor map {N, M, G}: the
// epilogue reduce-adds the tile onto plane `group` (the host puts C in D first, or C is D), and rows
// past M are clipped at the plane's edge instead of landing in the next group. Empty groups (K_g = 0)
// have no tiles, so D_g keeps C_g. No clusters (the scheduler has no multicast pairs).
//
// Split-K (kSplitK = 2 or 4; GemmType::Normal, cooperative, no multicast): the kSplitK CTAs of a
// cluster take the same tile, rank r running its share [r * kb / kSplitK, (r + 1) * kb / kSplitK) of
// the tile's kb K-blocks (empty when kb < kSplitK: that rank contributes zeros). Ranks 1.. write
// their fp32 accumulators into rank 0's exchange buffer (distributed shared memory, st.shared::cluster)
// and arrive on its exchange-full barrier; rank 0 adds them to its own and runs the epilogue alone.
// For small M the tiles are too few to fill the SMs, and each CTA streams all of K of its B block
// and of A; split-K spreads those bytes over kSplitK SMs. The launch's cluster is
// kClusterM * kClusterN * kSplitK CTAs (kCtasPerCluster).
//
// D slab ring (kDSlabs = 2 or 3; GemmType::Normal): the epilogue stages the tile one TMA store box
// (a slab of TMA_D_BLOCK_N columns) at a time through a ring of kDSlabs slab buffers instead of a
// whole-tile staging buffer, so the shared memory a 128x256 bf16 tile would hold for D (64 KB) goes
// to one more pipeline stage. With ping-pong each math warpgroup has a ring of its own: a 128x176
// tile per warpgroup then stages D in 2 x 2 x 4 KB and keeps 5 stages instead of 3. Slab s is staged
// into buffer (slabs so far) % kDSlabs, stored by the tile's first thread, and its store reads the
// buffer while the next slab is staged; before the barrier that ends slab s's staging, that thread
// waits until every store but the last kDSlabs - 2 has finished reading, so the buffer slab s + 1
// reuses is free when the barrier opens. One named barrier (the tile's) per slab, none at the
// epilogue's start (the ring runs on across tiles).
//
// K need not be a multiple of BLOCK_K: the last K-block's box reaches past K and the TMA fills it
// with zeros, which add nothing. Rows past M and columns past N are likewise zero-filled on load and
// clipped by the TMA store. The host requires K % 8 == 0 and N % 8 == 0 (16-byte global strides).
//
// Shared memory (byte offsets from the 1024-aligned dynamic base; no runtime-sized part):
//   D tiles   [kNumDTiles][BLOCK_N / TMA_D_BLOCK_N][BLOCK_M][TMA_D_BLOCK_N] bf16 or fp32, swizzled
//             like D's map (one per math warpgroup with ping-pong, else one); with the slab ring
//             [kNumDTiles][kDSlabs][BLOCK_M][TMA_D_BLOCK_N] instead
//   A stages  [kNumStages][BLOCK_M][64] bf16, 128-byte swizzle
//   B stages  [kNumStages][BLOCK_N][64] bf16, 128-byte swizzle
//   barriers  full[kNumStages], empty[kNumStages] (8 bytes each); split-K: exchange full, exchange empty
//   exchange  split-K only, 16-aligned: [kSplitK - 1][kNumWaves * kNumAccum / 4][kNumMathThreads] float4,
//             ranks 1..'s partial sums (only rank 0's is written)
// extension/src/core/kernelRulesBf16.ts mirrors this layout and every static_assert.
#pragma once
#include "fp8lab/common/math.cuh"
#include "fp8lab/common/pipeline.cuh"
#include "fp8lab/common/split_k_exchange.cuh"
#include "fp8lab/common/trace.cuh"
#include "fp8lab/ptx/bar.cuh"
#include "fp8lab/ptx/cluster.cuh"
#include "fp8lab/ptx/cvt.cuh"
#include "fp8lab/ptx/elect.cuh"
#include "fp8lab/ptx/fence.cuh"
#include "fp8lab/ptx/griddepcontrol.cuh"
#include "fp8lab/ptx/mbarrier.cuh"
#include "fp8lab/ptx/setmaxnreg.cuh"
#include "fp8lab/ptx/stmatrix.cuh"
#include "fp8lab/ptx/tma.cuh"
#include "fp8lab/ptx/wgmma.cuh"
#include "fp8lab/ptx/wgmma_bf16.cuh"
#include "fp8lab/k_grouped_scheduler.cuh"
#include "fp8lab/m_grouped_scheduler.cuh"
#include "fp8lab/scheduler.cuh"

namespace fp8lab {

// What the epilogue writes (the D tensor map's element type follows it).
enum class Bf16Output : uint32_t {
  Bf16 = 0,            // D bf16, overwritten
  Fp32 = 1,            // D fp32, overwritten
  Fp32Accumulate = 2,  // D fp32, D += A . B^T (TMA reduce-add)
};

// The scheduler (and its tile type) of each GemmType: the 1D2D kernel's for Normal and the M-grouped
// kinds, the 1D1D kernel's K-grouped one (with this kernel's BLOCK_K) for KGrouped. Split-K: the
// Normal scheduler hands every CTA of a cluster the same tile.
template <GemmType kGemmType, uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t BLOCK_K, uint32_t kClusterM, uint32_t kClusterN,
          uint32_t kNumSMs, uint32_t kSplitK = 1>
struct Bf16SchedulerFor : SchedulerFor<kGemmType, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs, kSplitK> {};
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t BLOCK_K, uint32_t kClusterM, uint32_t kClusterN, uint32_t kNumSMs,
          uint32_t kSplitK>
struct Bf16SchedulerFor<GemmType::KGrouped, BLOCK_M, BLOCK_N, BLOCK_K, kClusterM, kClusterN, kNumSMs, kSplitK> {
  static_assert(kSplitK == 1, "rule split-k: the K-grouped BF16 GEMM does not split K");
  using type = KGroupedScheduler<GemmType::KGrouped, BLOCK_M, BLOCK_N, kNumSMs, BLOCK_K>;
  using Tile = KGroupedTile;
};

template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t BLOCK_K, uint32_t kNumStages, uint32_t kNumMathWarpgroups,
          uint32_t kClusterM, uint32_t kClusterN, uint32_t kSwizzleA, uint32_t kSwizzleB, uint32_t kSwizzleD,
          uint32_t kNumSMs, GemmType kGemmType, Bf16Output kOutput, bool kPingpong, uint32_t kSplitK = 1, uint32_t kDSlabs = 0>
struct Sm90Bf16Gemm {
  // ---- roles -----------------------------------------------------------------------------------
  static constexpr uint32_t kNumMathThreads = 128 * kNumMathWarpgroups;
  static constexpr uint32_t kNumThreads = kNumMathThreads + 128;
  static constexpr uint32_t kClusterSize = kClusterM * kClusterN;  // CTAs sharing loads by multicast
  static constexpr uint32_t kCtasPerCluster = kClusterSize * kSplitK;  // the launch's cluster size
  static constexpr uint32_t kProducerRegisters = 40;
  static constexpr uint32_t kMathRegisters = kNumMathWarpgroups == 1 ? 248 : 232;
  static constexpr uint32_t kMaxSplitKAccum = 112;  // accumulators per thread a split-K tile may hold
  // Ping-pong: a tile is one warpgroup's, and each warpgroup has its own named barrier (ids 1, 2).
  static constexpr uint32_t kWarpgroupsPerTile = kPingpong ? 1 : kNumMathWarpgroups;
  static constexpr uint32_t kTileThreads = 128 * kWarpgroupsPerTile;  // threads that share a tile's epilogue
  static constexpr uint32_t kNumDTiles = kPingpong ? kNumMathWarpgroups : 1;
  static constexpr uint32_t kMathBarrierId = 1;  // named barrier over a tile's math threads only
  // Ping-pong: barrier kOrderBarrierId + w opens warpgroup w's next K-loop (ids 3, 4).
  static constexpr uint32_t kOrderBarrierId = kMathBarrierId + kNumMathWarpgroups;

  // ---- tile geometry ---------------------------------------------------------------------------
  static constexpr uint32_t kElemBytes = 2;                                // bf16 operands
  static constexpr uint32_t WGMMA_M = 64;
  static constexpr uint32_t WGMMA_K = 16;                                  // k16 for 16-bit types
  static constexpr uint32_t WAVE_BLOCK_M = WGMMA_M * kWarpgroupsPerTile;   // rows a tile's math WGs cover in one wave
  static constexpr uint32_t kNumWaves = BLOCK_M / WAVE_BLOCK_M;
  static constexpr uint32_t kNumAccum = BLOCK_N / 2;                       // f32 accumulators per thread per wave
  static constexpr uint32_t kNumChunks = BLOCK_N / 8;                      // n8 column chunks of the fragment
  static constexpr bool kFp32Out = kOutput != Bf16Output::Bf16;
  static constexpr uint32_t kOutBytes = kFp32Out ? 4 : 2;
  // Columns per TMA store: one swizzle row (kSwizzleD bytes) of D elements, or the whole tile unswizzled.
  static constexpr uint32_t TMA_D_BLOCK_N = kSwizzleD == 0 ? BLOCK_N : kSwizzleD / kOutBytes;
  static constexpr uint32_t kNumDStores = BLOCK_N / TMA_D_BLOCK_N;
  static constexpr bool kSlabRing = kDSlabs > 0;
  static constexpr uint32_t kChunksPerSlab = TMA_D_BLOCK_N / 8;  // n8 fragment chunks per store box

  // ---- shared-memory layout (bytes) --------------------------------------------------------------
  static constexpr uint32_t SMEM_D_SLAB_BYTES = BLOCK_M * TMA_D_BLOCK_N * kOutBytes;
  static constexpr uint32_t SMEM_D_TILE_BYTES =
      align_up<uint32_t>(kSlabRing ? kDSlabs * SMEM_D_SLAB_BYTES : BLOCK_M * BLOCK_N * kOutBytes, 1024);
  static constexpr uint32_t SMEM_D_BYTES = kNumDTiles * SMEM_D_TILE_BYTES;
  static constexpr uint32_t SMEM_A_STAGE_BYTES = BLOCK_M * BLOCK_K * kElemBytes;
  static constexpr uint32_t SMEM_B_STAGE_BYTES = BLOCK_N * BLOCK_K * kElemBytes;
  static constexpr uint32_t SMEM_A_OFFSET = SMEM_D_BYTES;
  static constexpr uint32_t SMEM_B_OFFSET = SMEM_A_OFFSET + kNumStages * SMEM_A_STAGE_BYTES;
  static constexpr uint32_t SMEM_BARRIER_OFFSET = SMEM_B_OFFSET + kNumStages * SMEM_B_STAGE_BYTES;
  // Split-K adds two barriers (exchange full / empty) and the exchange buffer: one slot per rank > 0
  // with every math thread's fp32 accumulators, [kNumWaves * kNumAccum / 4][kNumMathThreads] float4
  // (consecutive threads, consecutive 16 bytes: conflict-free). Only rank 0's buffer is used.
  static constexpr uint32_t kNumBarriers = 2 * kNumStages + (kSplitK > 1 ? 2 : 0);
  static constexpr uint32_t SMEM_EXCHANGE_OFFSET = align_up<uint32_t>(SMEM_BARRIER_OFFSET + kNumBarriers * 8, 16);
  static constexpr uint32_t SMEM_EXCHANGE_SLOT_BYTES = kNumMathThreads * kNumWaves * kNumAccum * 4;  // = BLOCK_M * BLOCK_N * 4
  static constexpr uint32_t SMEM_EXCHANGE_BYTES = (kSplitK - 1) * SMEM_EXCHANGE_SLOT_BYTES;
  static constexpr uint32_t kSmemFixedBytes =
      kSplitK > 1 ? SMEM_EXCHANGE_OFFSET + SMEM_EXCHANGE_BYTES : SMEM_BARRIER_OFFSET + 2 * kNumStages * 8;
  // TMA bytes per stage (out-of-bounds box elements are zero-filled and count too).
  static constexpr uint32_t kTmaBytesPerStage = SMEM_A_STAGE_BYTES + SMEM_B_STAGE_BYTES;
  // The host launches with exactly this much dynamic shared memory (independent of the problem).
  __host__ __device__ static constexpr uint32_t smem_bytes(uint32_t) { return kSmemFixedBytes; }

  // ---- legality (mirrored one by one in extension/src/core/kernelRulesBf16.ts) ------------------
  static constexpr bool kMGrouped = kGemmType == GemmType::MGroupedContiguous || kGemmType == GemmType::MGroupedMasked;
  static constexpr bool kKGrouped = kGemmType == GemmType::KGrouped;
  static_assert(kGemmType == GemmType::Normal || kMGrouped || kKGrouped,
                "rule gemm-type: the BF16 kernel implements Normal, MGroupedContiguous, MGroupedMasked and KGrouped");
  static_assert(!kMGrouped || kOutput == Bf16Output::Bf16, "rule grouped-output: the M-grouped BF16 GEMMs write bf16 D");
  static_assert(!kKGrouped || kOutput == Bf16Output::Fp32Accumulate,
                "rule kgrouped-output: the K-grouped BF16 GEMM writes fp32 D = C + A . B^T (Fp32Accumulate)");
  static_assert(!kKGrouped || (kClusterM == 1 && kClusterN == 1),
                "rule kgrouped-cluster: the K-grouped BF16 GEMM runs without clusters (clusterM = clusterN = 1)");
  static_assert(kGemmType != GemmType::MGroupedContiguous || 128 % BLOCK_M == 0,
                "rule contiguous-block-m: BLOCK_M must divide the contiguous M alignment (128): a tile never holds two experts");
  static_assert(BLOCK_K * kElemBytes == 128, "rule block-k: BLOCK_K must be 64 (one 128-byte swizzle row of bf16)");
  static_assert(BLOCK_M == 64 || BLOCK_M == 128 || BLOCK_M == 256, "rule block-m: BLOCK_M must be 64, 128 or 256");
  static_assert(BLOCK_N % 16 == 0 && BLOCK_N >= 16 && BLOCK_N <= 256, "rule block-n: BLOCK_N must be a multiple of 16 in 16..256");
  static_assert(kPingpong || kNumMathWarpgroups == (BLOCK_M == 64 ? 1u : 2u),
                "rule math-warpgroups: 1 math warpgroup for BLOCK_M 64, 2 otherwise");
  static_assert(!kPingpong || (kNumMathWarpgroups == 2 && (BLOCK_M == 64 || BLOCK_M == 128)),
                "rule pingpong: ping-pong runs 2 math warpgroups, each on whole tiles of BLOCK_M 64 or 128");
  static_assert(BLOCK_M % WAVE_BLOCK_M == 0 && kNumWaves <= 2, "rule waves: BLOCK_M must be 1 or 2 waves of 64 rows per math warpgroup");
  // A ping-pong warpgroup holds a whole 128-row tile (two waves): up to 128x176, which ptxas compiles
  // without spills in the math warpgroups' 232 registers; cooperative tiles keep at most 128.
  static constexpr uint32_t kMaxAccum = kPingpong ? 176 : 128;
  static_assert(kNumWaves * kNumAccum <= kMaxAccum,
                "rule registers: accumulators (waves x BLOCK_N/2) must stay within 128 registers per thread (176 with ping-pong)");
  static_assert(kNumStages >= 2 && kNumStages <= 32, "rule stages: kNumStages must be in 2..32");
  static_assert((kClusterM == 1 || kClusterM == 2) && (kClusterN == 1 || kClusterN == 2) && kClusterSize <= 2,
                "rule cluster: clusterM, clusterN in {1, 2} with clusterM * clusterN <= 2");
  static_assert(kNumSMs % kCtasPerCluster == 0 && kNumSMs >= 1, "rule num-sms: the grid must be a whole number of clusters");
  static_assert(kSplitK == 1 || kSplitK == 2 || kSplitK == 4, "rule split-k: kSplitK must be 1, 2 or 4");
  static_assert(kSplitK == 1 || (kGemmType == GemmType::Normal && kClusterSize == 1 && !kPingpong),
                "rule split-k: split-K runs GemmType::Normal, cooperative, without multicast (clusterM = clusterN = 1)");
  // The partial-sum exchange needs registers beside the accumulators: ptxas spills from 120 up.
  static_assert(kSplitK == 1 || kNumWaves * kNumAccum <= kMaxSplitKAccum,
                "rule split-k: a split tile's accumulators (waves x BLOCK_N/2) must stay within 112 registers per thread");
  static_assert(kSwizzleA == 128 && kSwizzleB == 128, "rule swizzle-ab: A and B tiles use the 128-byte swizzle (BLOCK_K = 128 bytes)");
  static_assert(kSwizzleD == 0 || kSwizzleD == 32 || kSwizzleD == 64 || kSwizzleD == 128, "rule swizzle-d: swizzleD must be 0, 32, 64 or 128");
  static_assert(BLOCK_N % TMA_D_BLOCK_N == 0 && TMA_D_BLOCK_N % 8 == 0,
                "rule swizzle-d: BLOCK_N x (2 or 4 bytes) must be a multiple of swizzleD, and a swizzle row at least 8 columns");
  static_assert(kNumDStores <= kTileThreads, "rule swizzle-d: one thread per TMA store");
  static_assert(kDSlabs == 0 || ((kDSlabs == 2 || kDSlabs == 3) && kDSlabs < kNumDStores),
                "rule d-slabs: the slab ring holds 2 or 3 slabs, fewer than the tile's BLOCK_N / TMA_D_BLOCK_N store boxes");
  static_assert(kDSlabs == 0 || kGemmType == GemmType::Normal, "rule d-slabs: the slab ring runs GemmType::Normal");
  static_assert(kDSlabs == 0 || (kSwizzleD != 0 && kChunksPerSlab % 2 == 0 && SMEM_D_SLAB_BYTES % 1024 == 0),
                "rule d-slabs: a slab is a swizzled box of an even number of n8 chunks, 1024-byte aligned");
  static_assert(kSmemFixedBytes <= 232448, "rule smem: the D tile, the stages and the split-K exchange exceed the 227 KB of shared memory");
  static_assert(SMEM_A_STAGE_BYTES % 1024 == 0 && SMEM_B_STAGE_BYTES % 1024 == 0 && SMEM_D_BYTES % 1024 == 0,
                "128-byte swizzled tiles must start on 1024-byte boundaries");
  static_assert(128 * kProducerRegisters + kNumMathThreads * kMathRegisters <= 65536, "register file: setmaxnreg split exceeds 64K");

  // The FP8 kernels' schedulers (persistent, L2 rasterisation, cluster pairs; the M-grouped one per
  // expert); their K-block helpers are for 128-deep FP8 blocks, so this kernel counts its own
  // (num_k_blocks below, the same for every tile and group). K-grouped: the 1D1D kernel's scheduler
  // with BLOCK_K 64, whose tiles carry their group's K-block count and offset (tile_k_blocks below).
  using Sched = typename Bf16SchedulerFor<kGemmType, BLOCK_M, BLOCK_N, BLOCK_K, kClusterM, kClusterN, kNumSMs, kSplitK>::type;
  using Tile = typename Bf16SchedulerFor<kGemmType, BLOCK_M, BLOCK_N, BLOCK_K, kClusterM, kClusterN, kNumSMs, kSplitK>::Tile;
  using Mma = ptx::WgmmaBf16<BLOCK_N>;

  __host__ __device__ __forceinline__ static uint32_t num_k_blocks(uint32_t k) { return ceil_div<uint32_t>(k, BLOCK_K); }
  // Split-K: rank r of a cluster runs K-blocks [r * kb / kSplitK, (r + 1) * kb / kSplitK) of a
  // tile's kb (this kernel's 64-deep count; the scheduler's own helpers count 128-deep FP8 blocks).
  // Shares differ by at most one K-block and are empty for some ranks when kb < kSplitK. The ranks
  // are the CTAs' positions in the (kSplitK, 1, 1) cluster, blockIdx.x % kSplitK as the scheduler has it.
  __host__ __device__ __forceinline__ static uint32_t split_k_begin(uint32_t rank, uint32_t k_blocks) {
    return rank * k_blocks / kSplitK;
  }
  __device__ __forceinline__ static uint32_t split_rank() { return kSplitK == 1 ? 0 : blockIdx.x % kSplitK; }

  // K-blocks of one tile and the first of them in A's / B's K dimension: K-grouped, its group's
  // (K_g / 64, from sum(K_<g) / 64); split-K, this rank's share; otherwise all of K from 0.
  __device__ __forceinline__ static uint32_t tile_k_blocks(const Tile& t, uint32_t k_blocks) {
    if constexpr (kKGrouped) return t.num_k_blocks;
    else if constexpr (kSplitK > 1) return split_k_begin(split_rank() + 1, k_blocks) - split_k_begin(split_rank(), k_blocks);
    else return k_blocks;
  }
  __device__ __forceinline__ static uint32_t tile_k_block_offset(const Tile& t, uint32_t k_blocks) {
    if constexpr (kKGrouped) return t.k_block_offset;
    else if constexpr (kSplitK > 1) return split_k_begin(split_rank(), k_blocks);
    else return 0;
  }

  // Byte offset of D element (row, col) in the staging tile, with the TMA swizzle of kSwizzleD:
  // within each pattern, 16-byte chunk bits [4, 4+b) are XORed with bits [7, 7+b).
  __host__ __device__ __forceinline__ static uint32_t d_offset(uint32_t row, uint32_t col) {
    const uint32_t slab = col / TMA_D_BLOCK_N;
    uint32_t off = row * (TMA_D_BLOCK_N * kOutBytes) + (col % TMA_D_BLOCK_N) * kOutBytes;
    if constexpr (kSwizzleD != 0) off ^= ((off >> 7) & (kSwizzleD / 16 - 1)) << 4;
    return slab * (BLOCK_M * TMA_D_BLOCK_N * kOutBytes) + off;
  }

  // fp32 epilogue store order (the 1D1D kernel's): with the 128-byte swizzle a half-warp's 8-byte
  // stores of one chunk would hit one 16-byte bank pair from rows r and r ^ 1; odd rows store chunk
  // i ^ 2 at step i instead, so the 4 rows cover all 8 bank groups.
  static constexpr bool kSwapChunks = kFp32Out && TMA_D_BLOCK_N == 32 && kNumChunks % 4 == 0;
  __host__ __device__ __forceinline__ static uint32_t store_chunk(uint32_t step, uint32_t lane_idx) {
    return kSwapChunks && ((lane_idx / 4) & 1) ? step ^ 2 : step;
  }

  __device__ __forceinline__ static void run(const GemmArgs& args) {
    extern __shared__ __align__(1024) uint8_t smem[];
    uint64_t* full_barriers = reinterpret_cast<uint64_t*>(smem + SMEM_BARRIER_OFFSET);  // [stage]
    uint64_t* empty_barriers = full_barriers + kNumStages;                             // [stage]
    const uint32_t warp_idx = __shfl_sync(0xffffffffu, threadIdx.x / 32, 0);
    const uint32_t lane_idx = threadIdx.x % 32;

    if (threadIdx.x == kNumMathThreads) {
      // The swizzle patterns and descriptors assume a 1024-aligned base, and the launch must match
      // the compiled cluster shape: stop loudly rather than compute garbage.
      if ((ptx::smem_u32(smem) & 1023u) != 0 || gridDim.x % kCtasPerCluster != 0) __trap();
      // M-grouped tiles with rows that must stay untouched are stored row by row through args.d;
      // K-grouped tiles read their group's K from grouped_layout.
      if (kMGrouped && args.d == nullptr) __trap();
      if (kKGrouped && args.grouped_layout == nullptr) __trap();
      if constexpr (kCtasPerCluster > 1) {
        if (ptx::cluster_nctarank() != kCtasPerCluster) __trap();
      }
      ptx::prefetch_tensormap(&args.tma_a);
      ptx::prefetch_tensormap(&args.tma_b);
      ptx::prefetch_tensormap(&args.tma_d);
      for (uint32_t s = 0; s < kNumStages; ++s) {
        ptx::mbarrier_init(&full_barriers[s], 1);  // the producer's arrive.expect_tx
        // every math warp that computes the stage's tile, in every CTA of the cluster, releases it once
        ptx::mbarrier_init(&empty_barriers[s], kClusterSize * kTileThreads / 32);
      }
      if constexpr (kSplitK > 1) {
        ptx::mbarrier_init(&empty_barriers[kNumStages], (kSplitK - 1) * kNumMathThreads);  // exchange full: ranks 1..'s threads
        ptx::mbarrier_init(&empty_barriers[kNumStages + 1], kNumMathThreads);  // exchange empty: rank 0's threads
      }
      ptx::fence_mbarrier_init_release_cluster();
      ptx::fence_proxy_async_shared_cta();
    }
    // Clustered: the peer's producer may multicast into our stages and arrive on our barriers, and
    // split-K ranks write into rank 0's exchange buffer and arrive on its barriers, so every CTA of
    // the cluster must have initialised its barriers before any starts.
    if constexpr (kCtasPerCluster > 1) {
      ptx::barrier_cluster_arrive();
      ptx::barrier_cluster_wait();
    } else {
      __syncthreads();
    }
    // Programmatic dependent launch: nothing global is read or written before this; then let the
    // next launch's CTAs start their prologue (they wait for this whole grid before touching memory).
    ptx::griddepcontrol_wait();
    ptx::griddepcontrol_launch_dependents();

    if (threadIdx.x >= kNumMathThreads) {
      ptx::setmaxnreg_dec<kProducerRegisters>();
      if (warp_idx == kNumMathThreads / 32 && ptx::elect_sync()) produce(args, smem, full_barriers, empty_barriers);
    } else {
      ptx::setmaxnreg_inc<kMathRegisters>();
      consume(args, smem, full_barriers, empty_barriers, warp_idx, lane_idx);
    }
    // Clustered: no CTA leaves while another of its cluster may still reach into its shared memory.
    if constexpr (kCtasPerCluster > 1) {
      ptx::barrier_cluster_arrive_unaligned();
      ptx::barrier_cluster_wait_unaligned();
    }
  }

  // ---- producer: one thread streams the A and B K-blocks of every tile into the ring -------------
  __device__ __forceinline__ static void produce(const GemmArgs& args, uint8_t* smem, uint64_t* full_barriers,
                                                 uint64_t* empty_barriers) {
    Sched sched(args);
    PipelineState<kNumStages> pipe;
    const uint32_t cta_rank = kClusterSize > 1 ? ptx::cluster_ctarank() : 0;
    const uint32_t k_blocks = num_k_blocks(args.k);
    TraceWriter tr(args, kTraceRoleProducer, true);  // no-op unless built with FP8LAB_TRACE=1
    Tile tile;
    while (sched.next(tile)) {
      tr.event(TraceEvent::TileBegin, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
      // First rows of the tile in A's and B's tensor maps (M-grouped: the group's rows, expert e's B).
      const int32_t a_row = static_cast<int32_t>(sched.a_row(tile));
      const int32_t b_row = static_cast<int32_t>(sched.b_row(tile));
      // Which operand comes by multicast this tile: rank 0 loads it for both CTAs, rank 1 skips it.
      const bool multicast_a = kClusterN > 1 && tile.multicast;
      const bool multicast_b = kClusterM > 1 && tile.multicast;
      const uint32_t tile_blocks = tile_k_blocks(tile, k_blocks);
      const uint32_t k_block_offset = tile_k_block_offset(tile, k_blocks);
      for (uint32_t kb = 0; kb < tile_blocks; ++kb) {
        // Wait until every consumer (of both CTAs when clustered) released this stage.
        tr.event(TraceEvent::EmptyWaitBegin, pipe.stage, kb, tile.m_block, tile.n_block);
        ptx::mbarrier_try_wait_parity(&empty_barriers[pipe.stage], pipe.phase ^ 1);
        tr.event(TraceEvent::EmptyWaitEnd, pipe.stage, kb, tile.m_block, tile.n_block);
        uint64_t* full = &full_barriers[pipe.stage];
        // The full stage's bytes always arrive at this CTA: its own loads plus the peer's multicast.
        ptx::mbarrier_arrive_expect_tx(full, kTmaBytesPerStage);
        uint8_t* a_dst = smem + SMEM_A_OFFSET + pipe.stage * SMEM_A_STAGE_BYTES;  // [BLOCK_M][64] bf16
        uint8_t* b_dst = smem + SMEM_B_OFFSET + pipe.stage * SMEM_B_STAGE_BYTES;  // [BLOCK_N][64] bf16
        // K-grouped: K-block kb of this group is K-block (offset + kb) of the concatenated K;
        // split-K: K-block kb of this rank's share.
        const int32_t k_idx = static_cast<int32_t>((k_block_offset + kb) * BLOCK_K);
        ptx::cp_async_bulk_tensor_2d_load_or_multicast(&args.tma_a, full, a_dst, k_idx, a_row, multicast_a, cta_rank);
        ptx::cp_async_bulk_tensor_2d_load_or_multicast(&args.tma_b, full, b_dst, k_idx, b_row, multicast_b, cta_rank);
        tr.event(TraceEvent::TmaIssue, pipe.stage, kb, tile.m_block, tile.n_block);
        pipe.advance();
      }
      tr.event(TraceEvent::TileEnd, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
    }
    // Clustered: the peer's consumers arrive on our empty barriers and its producer may still
    // multicast into us; do not let this CTA exit before the last kNumStages releases have landed.
    if constexpr (kClusterSize > 1) {
      for (uint32_t s = 0; s < kNumStages; ++s) {
        ptx::mbarrier_try_wait_parity(&empty_barriers[pipe.stage], pipe.phase ^ 1);
        pipe.advance();
      }
    }
    tr.finish();
  }

  // ---- consumer: the math warpgroups ----------------------------------------------------------------
  // Where a math thread's wgmma operands start: the descriptors of stage 0, k-slice 0 (its A rows and
  // B); only their low halves (the start address) move with stage and k-slice.
  using Descriptors = ptx::WgmmaDescOrigins;

  // One K-block's wgmma group on `stage`: for each wave, 4 x m64nNk16 over its 64 of K into
  // accum[wave], committed and not waited for. The first K-block of a tile overwrites (scale-d 0),
  // so accumulators need no zeroing between tiles.
  __device__ __forceinline__ static void issue_k_block(float (&accum)[kNumWaves][kNumAccum], const Descriptors& desc, uint32_t stage,
                                                       bool first_k_block) {
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w) ptx::wgmma_fence_operands(accum[w]);
    ptx::wgmma_fence();
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w) {
      // Wave w's rows start w * WAVE_BLOCK_M rows (of 128 bytes) into the stage's A tile.
      const uint32_t a_stage = desc.a_lo + (stage * SMEM_A_STAGE_BYTES + w * WAVE_BLOCK_M * 128) / 16;
      const uint32_t b_stage = desc.b_lo + stage * (SMEM_B_STAGE_BYTES / 16);
#pragma unroll
      for (uint32_t k = 0; k < BLOCK_K / WGMMA_K; ++k) {
        // A k16 slice is 32 bytes further along the 128-byte row (the hardware applies the swizzle).
        const uint64_t desc_a = ptx::wgmma_desc_from_halves(a_stage + k * WGMMA_K * kElemBytes / 16, desc.hi);
        const uint64_t desc_b = ptx::wgmma_desc_from_halves(b_stage + k * WGMMA_K * kElemBytes / 16, desc.hi);
        Mma::mma(accum[w], desc_a, desc_b, (first_k_block && k == 0) ? 0u : 1u);
      }
    }
    ptx::wgmma_commit_group();
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w) ptx::wgmma_fence_operands(accum[w]);
  }

  // Each math warp releases a stage once per CTA of the cluster: lane r arrives on CTA r's empty
  // barrier, or twice on its own when the peer has no tile this step (it will not consume).
  __device__ __forceinline__ static void release_stage(uint64_t* empty_barriers, uint32_t stage, bool peer_alive,
                                                       uint32_t cta_rank, uint32_t lane_idx) {
    if constexpr (kClusterSize == 1) {
      if (lane_idx == 0) ptx::mbarrier_arrive(&empty_barriers[stage]);
    } else {
      if (lane_idx < kClusterSize) ptx::mbarrier_arrive_cluster(&empty_barriers[stage], peer_alive ? lane_idx : cta_rank);
    }
  }

  // The K-loop of one tile. K-block kb's group is issued before kb - 1's is waited for
  // (wait_group 1), so the tensor cores always have the next group queued; kb - 1's stage is then
  // released (its operands were read: that group is complete). All groups accumulate into the same
  // registers, which wgmma orders by itself (no fence is needed between mma_asyncs on the same
  // accumulator, §9.7.15.7.1).
  __device__ __forceinline__ static void k_loop(float (&accum)[kNumWaves][kNumAccum], const Descriptors& desc, uint32_t k_blocks,
                                                const Tile& tile, PipelineState<kNumStages>& pipe, uint64_t* full_barriers,
                                                uint64_t* empty_barriers, uint32_t cta_rank, uint32_t lane_idx, TraceWriter& tr) {
    PipelineState<kNumStages> previous = pipe;
    for (uint32_t kb = 0; kb < k_blocks; ++kb) {
      tr.event(TraceEvent::FullWaitBegin, pipe.stage, kb, tile.m_block, tile.n_block);
      ptx::mbarrier_try_wait_parity(&full_barriers[pipe.stage], pipe.phase);
      tr.event(TraceEvent::FullWaitEnd, pipe.stage, kb, tile.m_block, tile.n_block);
      tr.event(TraceEvent::WgmmaIssue, pipe.stage, kb, tile.m_block, tile.n_block);
      issue_k_block(accum, desc, pipe.stage, kb == 0);
      if (kb > 0) {
        ptx::wgmma_wait_group<1>();
        tr.event(TraceEvent::WgmmaDone, previous.stage, kb - 1, tile.m_block, tile.n_block);
        release_stage(empty_barriers, previous.stage, tile.peer_alive, cta_rank, lane_idx);
        tr.event(TraceEvent::StageRelease, previous.stage, kb - 1, tile.m_block, tile.n_block);
        previous.advance();
      }
      pipe.advance();
    }
    // Ping-pong: every full-barrier wait of this tile is behind us, so the other warpgroup may start
    // waiting on the stages of its next tile (see consume).
    if constexpr (kPingpong) ptx::bar_arrive(kOrderBarrierId + (1 - threadIdx.x / 128), kNumMathThreads);
    ptx::wgmma_wait_group<0>();
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w) ptx::wgmma_fence_operands(accum[w]);
    tr.event(TraceEvent::WgmmaDone, previous.stage, k_blocks - 1, tile.m_block, tile.n_block);
    release_stage(empty_barriers, previous.stage, tile.peer_alive, cta_rank, lane_idx);
    tr.event(TraceEvent::StageRelease, previous.stage, k_blocks - 1, tile.m_block, tile.n_block);
  }

  // Split-K: this rank's share of a tile. A share is empty when the tile has fewer K-blocks than
  // ranks: the producer loaded nothing for it, so no stage is waited for or released, and the rank
  // hands over zeros.
  __device__ __forceinline__ static void k_loop_share(float (&accum)[kNumWaves][kNumAccum], const Descriptors& desc, uint32_t k_blocks,
                                                      const Tile& tile, PipelineState<kNumStages>& pipe, uint64_t* full_barriers,
                                                      uint64_t* empty_barriers, uint32_t cta_rank, uint32_t lane_idx, TraceWriter& tr) {
    if (k_blocks == 0) {
#pragma unroll
      for (uint32_t w = 0; w < kNumWaves; ++w)
#pragma unroll
        for (uint32_t i = 0; i < kNumAccum; ++i) accum[w][i] = 0.0f;
      return;
    }
    k_loop(accum, desc, k_blocks, tile, pipe, full_barriers, empty_barriers, cta_rank, lane_idx, tr);
  }

  __device__ __forceinline__ static void consume(const GemmArgs& args, uint8_t* smem, uint64_t* full_barriers,
                                                 uint64_t* empty_barriers, uint32_t warp_idx, uint32_t lane_idx) {
    const uint32_t math_wg = warp_idx / 4;
    const uint32_t warp_in_wg = warp_idx % 4;
    // This warpgroup's staging tile [kNumDStores][BLOCK_M][TMA_D_BLOCK_N] (bf16 / fp32, swizzled)
    // and the first row it covers inside a wave.
    uint8_t* smem_d = smem + (kPingpong ? math_wg * SMEM_D_TILE_BYTES : 0);
    const uint32_t wg_row = kPingpong ? 0 : math_wg * WGMMA_M;
    const uint32_t cta_rank = kClusterSize > 1 ? ptx::cluster_ctarank() : 0;
    // The descriptors' constant high half (SBO, layout) is the same for A and B.
    const Descriptors desc = ptx::wgmma_desc_origins_kmajor_sw128(smem + SMEM_A_OFFSET + wg_row * 128, smem + SMEM_B_OFFSET);

    Sched sched(args);
    PipelineState<kNumStages> pipe;
    const uint32_t k_blocks = num_k_blocks(args.k);
    TraceWriter tr(args, 1 + math_wg, threadIdx.x % 128 == 0);
    Tile tile;
    float accum[kNumWaves][kNumAccum];
    uint32_t tile_index = 0;
    uint32_t split_tiles = 0;  // split-K: tiles handed over so far (the exchange barriers' phase)
    uint32_t slabs = 0;        // slab ring: slabs staged so far (the next one's buffer is slabs % kDSlabs)
    (void)slabs;
    while (sched.next(tile)) {
      // Ping-pong: the other warpgroup's tile; its K-blocks pass through the ring before our next.
      if (kPingpong && tile_index++ % kNumMathWarpgroups != math_wg) {
        pipe.advance(tile_k_blocks(tile, k_blocks));
        continue;
      }
      // Ping-pong: our stages were last filled for the other warpgroup's previous tile, and a barrier's
      // parity tells a phase only from the next one: wait until that warpgroup has passed every wait of
      // its tile (it arrives at the end of its K-loop), so we never read an older phase as ours.
      if constexpr (kPingpong) {
        if (tile_index > 1) ptx::bar_sync(kOrderBarrierId + math_wg, kNumMathThreads);
      }
      tr.event(TraceEvent::TileBegin, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
      // K-grouped: this tile's group's K-blocks; split-K: this rank's share of K (possibly none); the
      // others: all of K, the same for every tile.
      if constexpr (kKGrouped) {
        k_loop(accum, desc, tile.num_k_blocks, tile, pipe, full_barriers, empty_barriers, cta_rank, lane_idx, tr);
      } else if constexpr (kSplitK > 1) {
        k_loop_share(accum, desc, tile_k_blocks(tile, k_blocks), tile, pipe, full_barriers, empty_barriers, cta_rank, lane_idx, tr);
      } else {
        k_loop(accum, desc, k_blocks, tile, pipe, full_barriers, empty_barriers, cta_rank, lane_idx, tr);
      }
      tr.event(TraceEvent::EpilogueBegin, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
      // Split-K: ranks 1.. hand their partial sums to rank 0, which adds them up and alone stores the tile.
      bool stores = true;
      if constexpr (kSplitK > 1)
        stores = exchange_partial_sums<kSplitK, kNumWaves, kNumAccum, kNumMathThreads>(
            accum, smem + SMEM_EXCHANGE_OFFSET, SMEM_EXCHANGE_SLOT_BYTES, &empty_barriers[kNumStages], &empty_barriers[kNumStages + 1],
            split_rank(), split_tiles++);
      if (stores) {
        if constexpr (kSlabRing)
          store_tile_by_slabs(args, smem_d, tile, accum, wg_row, warp_in_wg, lane_idx, kMathBarrierId + (kPingpong ? math_wg : 0), slabs);
        else
          store_tile(args, sched, smem_d, tile, accum, wg_row, warp_in_wg, lane_idx, kMathBarrierId + (kPingpong ? math_wg : 0));
        tr.event(TraceEvent::TmaStore, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
      }
      tr.event(TraceEvent::EpilogueEnd, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
      tr.event(TraceEvent::TileEnd, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
    }
    // Ping-pong: the last tile's arrive opened a tile that does not exist; its would-be owner takes
    // it, so no barrier is left half-arrived.
    if constexpr (kPingpong) {
      if (tile_index > 0 && tile_index % kNumMathWarpgroups == math_wg) ptx::bar_sync(kOrderBarrierId + math_wg, kNumMathThreads);
    }
    // Split-K ranks 1..: rank 0 reads our partial sums out of its own memory, then arrives on our
    // exchange-empty barrier; do not exit (taking that barrier away) before its last arrival landed.
    if constexpr (kSplitK > 1) {
      if (split_rank() != 0 && split_tiles > 0)
        ptx::mbarrier_try_wait_parity_acquire_cluster(&empty_barriers[kNumStages + 1], (split_tiles - 1) & 1);
    }
    // Keep the staging tile alive until the last store has read it.
    ptx::cp_async_bulk_wait_group_read<0>();
    tr.finish();
  }

  // ---- epilogue: accumulators -> swizzled staging tile -> TMA store (or reduce-add) ---------------
  // A math thread's index among the threads that share its tile's epilogue.
  __device__ __forceinline__ static uint32_t tile_thread_index() { return kPingpong ? threadIdx.x % 128 : threadIdx.x; }

  __device__ __forceinline__ static void store_tile(const GemmArgs& args, const Sched& sched, uint8_t* smem_d, const Tile& t,
                                                    float (&accum)[kNumWaves][kNumAccum], uint32_t wg_row, uint32_t warp_in_wg,
                                                    uint32_t lane_idx, uint32_t barrier_id) {
    // The previous tile's store must have finished reading the staging tile (every thread waits for
    // its own bulk group, which is free when it issued none), then the tile's threads agree on it.
    ptx::cp_async_bulk_wait_group_read<0>();
    ptx::bar_sync(barrier_id, kTileThreads);
    if constexpr (kFp32Out) {
      stage_fp32(smem_d, accum, wg_row, warp_in_wg, lane_idx);
    } else {
      stage_bf16(smem_d, accum, wg_row, warp_in_wg, lane_idx);
    }
    // Make the generic-proxy shared-memory writes visible to the TMA (async proxy), then store one
    // TMA_D_BLOCK_N-column slab per thread; rows past M and columns past N are clipped by the TMA.
    ptx::fence_proxy_async_shared_cta();
    ptx::bar_sync(barrier_id, kTileThreads);
    bool rows_masked = false;  // M-grouped: padding rows / rows past masked_m must stay untouched
    if constexpr (kMGrouped) {
      rows_masked = t.rows_masked;
      if (rows_masked) store_rows_masked(args, sched, t, smem_d);
    }
    const uint32_t tile_thread = tile_thread_index();
    const uint32_t col = t.n_block * BLOCK_N + tile_thread * TMA_D_BLOCK_N;
    const uint32_t row = sched.d_row(t);
    if (!rows_masked && tile_thread < kNumDStores && col < args.n) {
      const uint8_t* slab = smem_d + tile_thread * (BLOCK_M * TMA_D_BLOCK_N * kOutBytes);
      if constexpr (kKGrouped) {
        // D is the 3D map {N, M, G}: the tile lands on its group's plane; rows past M are clipped there.
        ptx::cp_reduce_async_bulk_tensor_3d_add(&args.tma_d, slab, static_cast<int32_t>(col), static_cast<int32_t>(row),
                                                static_cast<int32_t>(t.group));
      } else if constexpr (kOutput == Bf16Output::Fp32Accumulate) {
        ptx::cp_reduce_async_bulk_tensor_2d_add(&args.tma_d, slab, static_cast<int32_t>(col), static_cast<int32_t>(row));
      } else {
        ptx::cp_async_bulk_tensor_2d_store(&args.tma_d, slab, static_cast<int32_t>(col), static_cast<int32_t>(row));
      }
    }
    ptx::cp_async_bulk_commit_group();
  }

  // The slab ring's epilogue (see the header): slab s of the tile is staged into buffer slabs % kDSlabs
  // and stored by the tile's first thread, which owns every store group of the ring. Before the
  // barrier that ends slab s's staging it waits until at most kDSlabs - 2 stores are still reading,
  // so the buffer the next slab takes (last used kDSlabs - 1 slabs ago) is free once the barrier
  // opens; the store just issued reads its buffer while the next slab is staged.
  __device__ __forceinline__ static void store_tile_by_slabs(const GemmArgs& args, uint8_t* smem_d, const Tile& t,
                                                             float (&accum)[kNumWaves][kNumAccum], uint32_t wg_row,
                                                             uint32_t warp_in_wg, uint32_t lane_idx, uint32_t barrier_id,
                                                             uint32_t& slabs) {
    const bool issuer = tile_thread_index() == 0;
    const uint32_t row = t.m_block * BLOCK_M;
#pragma unroll
    for (uint32_t s = 0; s < kNumDStores; ++s) {
      uint8_t* buffer = smem_d + (slabs % kDSlabs) * SMEM_D_SLAB_BYTES;
      if constexpr (kFp32Out) {
        stage_fp32<true>(buffer, accum, wg_row, warp_in_wg, lane_idx, s * kChunksPerSlab, kChunksPerSlab);
      } else {
        stage_bf16<true>(buffer, accum, wg_row, warp_in_wg, lane_idx, s * kChunksPerSlab, kChunksPerSlab);
      }
      ptx::fence_proxy_async_shared_cta();
      if (issuer) ptx::cp_async_bulk_wait_group_read<kDSlabs - 2>();
      ptx::bar_sync(barrier_id, kTileThreads);
      const uint32_t col = t.n_block * BLOCK_N + s * TMA_D_BLOCK_N;
      if (issuer) {
        if (col < args.n) {
          if constexpr (kOutput == Bf16Output::Fp32Accumulate) {
            ptx::cp_reduce_async_bulk_tensor_2d_add(&args.tma_d, buffer, static_cast<int32_t>(col), static_cast<int32_t>(row));
          } else {
            ptx::cp_async_bulk_tensor_2d_store(&args.tma_d, buffer, static_cast<int32_t>(col), static_cast<int32_t>(row));
          }
        }
        ptx::cp_async_bulk_commit_group();
      }
      ++slabs;
    }
  }

  // M-grouped tiles whose rows are only partly valid: the tile's math threads copy the valid rows from the
  // staging tile to D, 16 bytes (8 bf16 columns) at a time -- the D swizzle permutes whole 16-byte
  // chunks, so each is contiguous in shared memory; consecutive threads take consecutive chunks of a
  // row (coalesced global stores).
  __device__ __forceinline__ static void store_rows_masked(const GemmArgs& args, const Sched& sched, const Tile& t, const uint8_t* smem_d) {
    constexpr uint32_t kChunkCols = 16 / kOutBytes;
    constexpr uint32_t kChunksPerRow = BLOCK_N / kChunkCols;
    const uint64_t d_row = sched.d_row(t);
    const uint32_t n0 = t.n_block * BLOCK_N;
    uint8_t* d = static_cast<uint8_t*>(args.d);
    for (uint32_t idx = tile_thread_index(); idx < BLOCK_M * kChunksPerRow; idx += kTileThreads) {
      const uint32_t r = idx / kChunksPerRow;
      const uint32_t c = (idx % kChunksPerRow) * kChunkCols;
      if (n0 + c < args.n && sched.row_valid(t, r)) {
        const uint4 v = *reinterpret_cast<const uint4*>(smem_d + d_offset(r, c));
        *reinterpret_cast<uint4*>(d + ((d_row + r) * args.n + n0 + c) * kOutBytes) = v;
      }
    }
  }

  // bf16: stmatrix.x4 writes two n8 chunks of 16 rows per warp. Lane l addresses row (l % 16) of the
  // warp's 16 rows, chunk i + l / 16 (the x4 matrices are rows 0-7 / 8-15 of chunk i, then of chunk
  // i + 1) -- the FP8 1D2D kernel's mapping, checked in tools/check_invariants.cu. Chunks
  // [first, first + count) of the tile; kOneSlab: they are one store box, staged at the start of
  // `dst` (the slab ring's buffer), else at their place in the whole staging tile.
  template <bool kOneSlab = false>
  __device__ __forceinline__ static void stage_bf16(uint8_t* dst, const float (&accum)[kNumWaves][kNumAccum], uint32_t wg_row,
                                                    uint32_t warp_in_wg, uint32_t lane_idx, uint32_t first = 0,
                                                    uint32_t count = kNumChunks) {
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w) {
      const uint32_t row = w * WAVE_BLOCK_M + wg_row + warp_in_wg * 16 + lane_idx % 16;
#pragma unroll
      for (uint32_t j = 0; j < count; j += 2) {
        const uint32_t i = first + j;
        const uint32_t col = ((kOneSlab ? j : i) + lane_idx / 16) * 8;
        ptx::stmatrix_m8n8_x4(dst + d_offset(row, col), ptx::cvt_rn_bf16x2_f32(accum[w][i * 4 + 0], accum[w][i * 4 + 1]),
                              ptx::cvt_rn_bf16x2_f32(accum[w][i * 4 + 2], accum[w][i * 4 + 3]),
                              ptx::cvt_rn_bf16x2_f32(accum[w][i * 4 + 4], accum[w][i * 4 + 5]),
                              ptx::cvt_rn_bf16x2_f32(accum[w][i * 4 + 6], accum[w][i * 4 + 7]));
      }
    }
  }

  // fp32: 8-byte st.shared of the fragment's column pairs (stmatrix is 16-bit only), rows r0 and
  // r0 + 8, in store_chunk order -- the 1D1D kernel's mapping, checked in tools/check_invariants_1d1d.cu.
  // Chunks [first, first + count) as stage_bf16 takes them (a swapped pair stays inside its group of
  // 4 chunks, so inside a 32-column slab).
  template <bool kOneSlab = false>
  __device__ __forceinline__ static void stage_fp32(uint8_t* dst, const float (&accum)[kNumWaves][kNumAccum], uint32_t wg_row,
                                                    uint32_t warp_in_wg, uint32_t lane_idx, uint32_t first = 0,
                                                    uint32_t count = kNumChunks) {
    const uint32_t c0 = 2 * (lane_idx % 4);
    const bool swap = store_chunk(0, lane_idx) != 0;
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w) {
      const uint32_t row0 = w * WAVE_BLOCK_M + wg_row + warp_in_wg * 16 + lane_idx / 4;
#pragma unroll
      for (uint32_t c = 0; c < count; ++c) {
        // Both register indices are constants; `swap` picks between them (no dynamic indexing).
        const uint32_t i = first + c;
        const uint32_t j = store_chunk(i, lane_idx) - (kOneSlab ? first : 0);
        const uint32_t alt = kSwapChunks ? (i ^ 2) : i;
        const float v0 = swap ? accum[w][alt * 4 + 0] : accum[w][i * 4 + 0];
        const float v1 = swap ? accum[w][alt * 4 + 1] : accum[w][i * 4 + 1];
        const float v2 = swap ? accum[w][alt * 4 + 2] : accum[w][i * 4 + 2];
        const float v3 = swap ? accum[w][alt * 4 + 3] : accum[w][i * 4 + 3];
        *reinterpret_cast<float2*>(dst + d_offset(row0, j * 8 + c0)) = make_float2(v0, v1);
        *reinterpret_cast<float2*>(dst + d_offset(row0 + 8, j * 8 + c0)) = make_float2(v2, v3);
      }
    }
  }
};

// Entry point body; the generated translation unit wraps it in an extern "C" __global__ with
// __launch_bounds__(kNumThreads, 1) and a `const __grid_constant__ GemmArgs` parameter.
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t BLOCK_K, uint32_t kNumStages, uint32_t kNumMathWarpgroups,
          uint32_t kClusterM, uint32_t kClusterN, uint32_t kSwizzleA, uint32_t kSwizzleB, uint32_t kSwizzleD,
          uint32_t kNumSMs, GemmType kGemmType, Bf16Output kOutput, bool kPingpong, uint32_t kSplitK = 1, uint32_t kDSlabs = 0>
__device__ __forceinline__ void sm90_bf16_gemm_impl(const GemmArgs& args) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  Sm90Bf16Gemm<BLOCK_M, BLOCK_N, BLOCK_K, kNumStages, kNumMathWarpgroups, kClusterM, kClusterN, kSwizzleA, kSwizzleB, kSwizzleD,
               kNumSMs, kGemmType, kOutput, kPingpong, kSplitK, kDSlabs>::run(args);
#else
  __trap();
#endif
}

}  // namespace fp8lab
