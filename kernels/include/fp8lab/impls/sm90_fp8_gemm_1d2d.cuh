// D (bf16, M x N) = A (fp8 e4m3, M x K) . B (fp8 e4m3, N x K)^T, A scaled per 1x128 (SFA), B per
// 128x128 (SFB), fp32 scales -- the "1D2D" recipe, for sm_90a.
//
// Persistent and warp-specialised: threads [0, 128 * kNumMathWarpgroups) are math warpgroups, the
// last 128 threads the TMA producer warpgroup (one elected thread issues every load). A ring of
// kNumStages stages holds A, B and SFA tiles for one K-block (128) each, guarded by a full and an
// empty mbarrier per stage. Math warpgroups run 4 wgmma m64nNk32 per K-block into `accum`, then
// promote on CUDA cores: final_accum += accum * sfa[row] * sfb[n-block, k-block]. The epilogue
// converts to bf16, writes the tile with stmatrix into (swizzled) shared memory, and TMA-stores it.
//
// Shared memory (byte offsets from the 1024-aligned dynamic base; sizes in Layout below):
//   D tile    [BLOCK_N / TMA_D_BLOCK_N][BLOCK_M][TMA_D_BLOCK_N] bf16, swizzled like the D tensor map
//   A stages  [kNumStages][BLOCK_M][128] fp8, 128-byte swizzle
//   B stages  [kNumStages][BLOCK_N][128] fp8, 128-byte swizzle
//   SFA       [kNumStages][BLOCK_M] fp32 (each stage padded to 128 bytes)
//   barriers  full[kNumStages], empty[kNumStages] (8 bytes each)
//   SFB       2 buffers x [1 or 2][ceil(K/128)] fp32: this tile's B scales and the next tile's,
//             prefetched with cp.async while this tile computes (runtime size)
// extension/src/core/kernelRules.ts mirrors this layout and every static_assert below.
#pragma once
#include "fp8lab/common/math.cuh"
#include "fp8lab/common/pipeline.cuh"
#include "fp8lab/common/split_k_exchange.cuh"
#include "fp8lab/common/trace.cuh"
#include "fp8lab/ptx/bar.cuh"
#include "fp8lab/ptx/cluster.cuh"
#include "fp8lab/ptx/cp_async.cuh"
#include "fp8lab/ptx/cvt.cuh"
#include "fp8lab/ptx/elect.cuh"
#include "fp8lab/ptx/fence.cuh"
#include "fp8lab/ptx/griddepcontrol.cuh"
#include "fp8lab/ptx/mbarrier.cuh"
#include "fp8lab/ptx/setmaxnreg.cuh"
#include "fp8lab/ptx/stmatrix.cuh"
#include "fp8lab/ptx/tma.cuh"
#include "fp8lab/ptx/wgmma.cuh"
#include "fp8lab/m_grouped_scheduler.cuh"
#include "fp8lab/scheduler.cuh"

namespace fp8lab {

template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t BLOCK_K, uint32_t kNumStages, uint32_t kNumMathWarpgroups,
          uint32_t kClusterM, uint32_t kClusterN, uint32_t kSwizzleA, uint32_t kSwizzleB, uint32_t kSwizzleD,
          uint32_t kNumSMs, GemmType kGemmType, bool kPromote = true, uint32_t kSplitK = 1>
struct Sm90Fp8Gemm1D2D {
  // kSplitK = 2 or 4 splits every tile's K between the CTAs of a cluster (see scheduler.cuh); ranks
  // 1.. hand their fp32 partial sums to rank 0 through distributed shared memory, rank 0 stores the tile.
  // kPromote = false is the accuracy study's "no promotion" variant: all of K accumulates in the
  // tensor-core accumulator and the (per-tensor, hence uniform) scales are applied once at the end.
  // ---- roles -----------------------------------------------------------------------------------
  static constexpr uint32_t kNumMathThreads = 128 * kNumMathWarpgroups;
  static constexpr uint32_t kNumThreads = kNumMathThreads + 128;
  static constexpr uint32_t kClusterSize = kClusterM * kClusterN;  // CTAs sharing loads by multicast
  static constexpr uint32_t kCtasPerCluster = kClusterSize * kSplitK;  // the launch's cluster size
  static constexpr uint32_t kProducerRegisters = 40;
  static constexpr uint32_t kMathRegisters = kNumMathWarpgroups == 1 ? 248 : 232;
  static constexpr uint32_t kMathBarrierId = 1;  // named barrier over the math threads only

  // ---- tile geometry ---------------------------------------------------------------------------
  static constexpr uint32_t WGMMA_M = 64;
  static constexpr uint32_t WGMMA_K = 32;
  static constexpr uint32_t WAVE_BLOCK_M = WGMMA_M * kNumMathWarpgroups;  // rows all math WGs cover in one wave
  static constexpr uint32_t kNumWaves = BLOCK_M / WAVE_BLOCK_M;
  static constexpr uint32_t kNumAccum = BLOCK_N / 2;  // f32 accumulators per thread per wave (64 x BLOCK_N / 128)
  static constexpr uint32_t kNumChunks = BLOCK_N / 8; // n8 column chunks of the accumulator fragment
  static constexpr bool kUniformScaleB = 128 % BLOCK_N == 0;  // a tile never straddles two 128-column scale blocks
  static constexpr uint32_t TMA_D_BLOCK_N = kSwizzleD == 0 ? BLOCK_N : kSwizzleD / 2;  // columns per TMA store
  static constexpr uint32_t kNumDStores = BLOCK_N / TMA_D_BLOCK_N;

  // ---- shared-memory layout (bytes) --------------------------------------------------------------
  static constexpr uint32_t SMEM_D_BYTES = align_up<uint32_t>(BLOCK_M * BLOCK_N * 2, 1024);
  static constexpr uint32_t SMEM_A_STAGE_BYTES = BLOCK_M * BLOCK_K;
  static constexpr uint32_t SMEM_B_STAGE_BYTES = BLOCK_N * BLOCK_K;
  static constexpr uint32_t SMEM_SFA_STAGE_BYTES = align_up<uint32_t>(BLOCK_M * 4, 128);
  static constexpr uint32_t SMEM_A_OFFSET = SMEM_D_BYTES;
  static constexpr uint32_t SMEM_B_OFFSET = SMEM_A_OFFSET + kNumStages * SMEM_A_STAGE_BYTES;
  static constexpr uint32_t SMEM_SFA_OFFSET = SMEM_B_OFFSET + kNumStages * SMEM_B_STAGE_BYTES;
  static constexpr uint32_t SMEM_BARRIER_OFFSET = SMEM_SFA_OFFSET + kNumStages * SMEM_SFA_STAGE_BYTES;
  // Split-K adds two barriers (exchange full / empty) and the exchange buffer: one slot per rank > 0
  // with every math thread's fp32 accumulators, [kNumWaves * kNumAccum / 4][kNumMathThreads] float4
  // (conflict-free by thread). Only rank 0's buffer is used.
  static constexpr uint32_t kNumBarriers = 2 * kNumStages + (kSplitK > 1 ? 2 : 0);
  static constexpr uint32_t SMEM_EXCHANGE_OFFSET = align_up<uint32_t>(SMEM_BARRIER_OFFSET + kNumBarriers * 8, 16);
  static constexpr uint32_t SMEM_EXCHANGE_SLOT_BYTES = kNumMathThreads * kNumWaves * kNumAccum * 4;  // = BLOCK_M * BLOCK_N * 4
  static constexpr uint32_t SMEM_EXCHANGE_BYTES = (kSplitK - 1) * SMEM_EXCHANGE_SLOT_BYTES;
  static constexpr uint32_t SMEM_SFB_OFFSET = kSplitK > 1 ? SMEM_EXCHANGE_OFFSET + SMEM_EXCHANGE_BYTES : SMEM_BARRIER_OFFSET + 2 * kNumStages * 8;
  static constexpr uint32_t kSmemFixedBytes = SMEM_SFB_OFFSET;
  static constexpr uint32_t kTmaBytesPerStage = SMEM_A_STAGE_BYTES + SMEM_B_STAGE_BYTES + BLOCK_M * 4;
  // One SFB buffer: [1 or 2 scale-block rows][ceil(K/128)] fp32, 16-byte aligned; there are two.
  __host__ __device__ static constexpr uint32_t sfb_buffer_bytes(uint32_t k) {
    return align_up<uint32_t>(ceil_div<uint32_t>(k, 128) * (kUniformScaleB ? 1 : 2) * 4, 16);
  }
  // The host must launch with exactly this much dynamic shared memory.
  __host__ __device__ static constexpr uint32_t smem_bytes(uint32_t k) { return kSmemFixedBytes + 2 * sfb_buffer_bytes(k); }

  // ---- legality (mirrored one by one in extension/src/core/kernelRules.ts) ----------------------
  static constexpr bool kMGrouped = kGemmType == GemmType::MGroupedContiguous || kGemmType == GemmType::MGroupedMasked;
  static_assert(kGemmType == GemmType::Normal || kMGrouped,
                "rule gemm-type: the 1D2D kernel implements Normal, MGroupedContiguous and MGroupedMasked (KGrouped is 1D1D)");
  static_assert(BLOCK_K == 128, "rule block-k: BLOCK_K must be 128 (the scaling granularity, one 128-byte swizzle row)");
  static_assert(BLOCK_M == 64 || BLOCK_M == 128 || BLOCK_M == 256, "rule block-m: BLOCK_M must be 64, 128 or 256");
  static_assert(BLOCK_N % 16 == 0 && BLOCK_N >= 16 && BLOCK_N <= 256, "rule block-n: BLOCK_N must be a multiple of 16 in 16..256");
  static_assert(BLOCK_N <= 128 + constexpr_gcd<uint32_t>(BLOCK_N, 128),
                "rule scale-b-blocks: a BLOCK_N tile may straddle at most two 128-column B scale blocks");
  static_assert(kNumMathWarpgroups == (BLOCK_M == 64 ? 1u : 2u), "rule math-warpgroups: 1 math warpgroup for BLOCK_M 64, 2 otherwise");
  static_assert(BLOCK_M % WAVE_BLOCK_M == 0 && kNumWaves <= 2, "rule waves: BLOCK_M must be 1 or 2 waves of 64 rows per math warpgroup");
  static_assert(kNumAccum * (1 + kNumWaves) <= 192,
                "rule registers: accumulators (BLOCK_N/2 x (1 + waves)) must stay within 192 registers per thread");
  static_assert(kNumStages >= 2 && kNumStages <= 32, "rule stages: kNumStages must be in 2..32");
  static_assert((kClusterM == 1 || kClusterM == 2) && (kClusterN == 1 || kClusterN == 2) && kClusterSize <= 2,
                "rule cluster: clusterM, clusterN in {1, 2} with clusterM * clusterN <= 2");
  static_assert(kNumSMs % kCtasPerCluster == 0 && kNumSMs >= 1, "rule num-sms: the grid must be a whole number of clusters");
  static_assert((kSplitK == 1 || kSplitK == 2 || kSplitK == 4) && (kSplitK == 1 || kClusterSize == 1),
                "rule split-k: kSplitK is 1, 2 or 4, and above 1 only without multicast (clusterM = clusterN = 1)");
  static_assert(kSplitK == 1 || kPromote, "rule split-k: the no-promotion variant does not split K");
  static_assert(kSwizzleA == 128 && kSwizzleB == 128, "rule swizzle-ab: A and B tiles use the 128-byte swizzle (BLOCK_K = 128 bytes)");
  static_assert(kSwizzleD == 0 || kSwizzleD == 32 || kSwizzleD == 64 || kSwizzleD == 128, "rule swizzle-d: swizzleD must be 0, 32, 64 or 128");
  static_assert(BLOCK_N % TMA_D_BLOCK_N == 0 && TMA_D_BLOCK_N % 8 == 0, "rule swizzle-d: BLOCK_N * 2 bytes must be a multiple of swizzleD");
  static_assert(kNumDStores <= kNumMathThreads, "rule swizzle-d: one thread per TMA store");
  static_assert(kSmemFixedBytes <= 232448, "rule smem: the stages alone exceed the 227 KB of shared memory");
  static_assert(SMEM_A_STAGE_BYTES % 1024 == 0 && SMEM_B_STAGE_BYTES % 1024 == 0 && SMEM_D_BYTES % 1024 == 0,
                "128-byte swizzled tiles must start on 1024-byte boundaries");
  static_assert(128 * kProducerRegisters + kNumMathThreads * kMathRegisters <= 65536, "register file: setmaxnreg split exceeds 64K");

  // ---- the three overlap choices (A/B experiment macros) ------------------------------------------
  // Each macro's default is mirrored in extension/src/core/kernelRules.ts (OVERLAP_MAX_BLOCK_N,
  // OVERLAP_TILES, OVERLAP_TILES_AHEAD; overlapsKBlocks / overlapsTiles), which the cost model uses;
  // every generated translation unit built with the defaults static_asserts that the two agree, and
  // test/unit/core/overlapMacros.test.ts checks the defaults below against the TypeScript constants.
  // FP8LAB_JIT_DEFINES overrides them for a comparison run (the cost model then still assumes the
  // defaults); kernels/README.md ("Overlap") says what each one buys.
  //
  // Overlapped K-loop: with one wave per math WG, two tensor-core accumulators let K-block kb+1's
  // wgmma group run while K-block kb is promoted and its stage released, so the loop is not bound by
  // a group's issue-to-wait latency. It costs kNumAccum more registers (3 x kNumAccum <= 192), hence
  // BLOCK_N <= 128. FP8LAB_OVERLAP_MAX_BLOCK_N=0 builds the serial loop everywhere.
#ifndef FP8LAB_OVERLAP_MAX_BLOCK_N
#define FP8LAB_OVERLAP_MAX_BLOCK_N 128
#endif
  static_assert(FP8LAB_OVERLAP_MAX_BLOCK_N <= 128, "the overlapped K-loop's three accumulators need BLOCK_N <= 128");
  static constexpr bool kOverlapKBlocks = kPromote && kNumWaves == 1 && BLOCK_N <= FP8LAB_OVERLAP_MAX_BLOCK_N;

  // Overlap across tiles (Normal GEMMs on the overlapped loop): the next tile's first wgmma group is
  // issued before this tile's epilogue, so the tensor cores are not idle while the math warpgroups
  // convert, stmatrix and store -- with short K (a few K-blocks per tile) the epilogue is a large
  // share of a tile's time. The epilogue is branch-free for it. FP8LAB_OVERLAP_TILES=0 turns it off.
#ifndef FP8LAB_OVERLAP_TILES
#define FP8LAB_OVERLAP_TILES 1
#endif
  static constexpr bool kOverlapTiles = FP8LAB_OVERLAP_TILES != 0 && kOverlapKBlocks && kGemmType == GemmType::Normal && kSplitK == 1;
  // How many K-blocks of the next tile are issued before an epilogue (when every tile has that many):
  // 2 by default; FP8LAB_OVERLAP_TILES_AHEAD=1 issues one.
#ifndef FP8LAB_OVERLAP_TILES_AHEAD
#define FP8LAB_OVERLAP_TILES_AHEAD 2
#endif
  static_assert(FP8LAB_OVERLAP_TILES_AHEAD == 1 || FP8LAB_OVERLAP_TILES_AHEAD == 2, "FP8LAB_OVERLAP_TILES_AHEAD is 1 or 2");
  static constexpr uint32_t kOverlapTilesAhead = FP8LAB_OVERLAP_TILES_AHEAD;

  // Unrolled serial K-loop (two waves per math WG, BLOCK_N > 128, the M-grouped kinds): with several
  // K-blocks in one loop body, ptxas moves the next K-block's full-barrier wait and scale loads in
  // between the promotion FFMAs of the current one, so the next wgmma group is issued as soon as the
  // promotion ends instead of after a wait and an address computation at the loop's top. 4 divides
  // the K-block count of every DeepSeek shape (no remainder loop); FP8LAB_SERIAL_UNROLL=1 builds the
  // rolled loop. kernels/README.md ("Serial K-loop unroll") has the A/B.
#ifndef FP8LAB_SERIAL_UNROLL
#define FP8LAB_SERIAL_UNROLL 4
#endif
  static_assert(FP8LAB_SERIAL_UNROLL >= 1 && FP8LAB_SERIAL_UNROLL <= 16, "FP8LAB_SERIAL_UNROLL is 1..16");
  static constexpr uint32_t kSerialUnroll = FP8LAB_SERIAL_UNROLL;

  // The wgmma descriptor origins are computed once per thread and kept in registers. Left visible to
  // the compiler, they are rebuilt from the shared-memory symbol before every K-block's first wgmma
  // (under clusters a shared address carries the CTA's rank in its high bits, which the 14-bit
  // address field must mask off again each time): about ten dependent uniform instructions on the
  // path from the full barrier to the wgmma. FP8LAB_KEEP_DESCRIPTORS=0 builds the rebuilt form (A/B).
#ifndef FP8LAB_KEEP_DESCRIPTORS
#define FP8LAB_KEEP_DESCRIPTORS 1
#endif
  static constexpr bool kKeepDescriptors = FP8LAB_KEEP_DESCRIPTORS != 0;

  // The serial K-loop is instantiated twice: for tiles whose waves all hold rows (every tile of a
  // Normal GEMM, nearly every contiguous tile) with no per-K-block test, and for the rest. A test of
  // the wave inside the loop costs branches between the barrier wait, the wgmma group and the
  // promotion of every K-block, and keeps the scale products from being computed while the wgmma
  // runs. FP8LAB_SPLIT_SERIAL_LOOP=0 builds the one loop with the test (A/B).
#ifndef FP8LAB_SPLIT_SERIAL_LOOP
#define FP8LAB_SPLIT_SERIAL_LOOP 1
#endif
  static constexpr bool kSplitSerialLoop = FP8LAB_SPLIT_SERIAL_LOOP != 0;

  // Promotion picks scale block 0 for the first `former` n8 chunks of a tile and block 1 after. The
  // count depends on the tile's column offset; when it takes at most 4 values (gcd(BLOCK_N, 128) >= 32:
  // BLOCK_N 96, 160, 192, ...) the K-loop is instantiated once per value so the choice is a constant
  // (no per-chunk select in the hot loop); otherwise (112, 144) it is a runtime comparison.
  static constexpr uint32_t kFormerGapChunks = constexpr_gcd<uint32_t>(BLOCK_N, 128) / 8;
  static constexpr bool kSpecialiseFormer = !kUniformScaleB && 128 / constexpr_gcd<uint32_t>(BLOCK_N, 128) <= 4;
  static constexpr uint32_t kMaxFormerChunks = constexpr_min<uint32_t>(BLOCK_N, 128) / 8;
  template <uint32_t V>
  struct IntConst {
    static constexpr uint32_t value = V;
  };
  // Calls f(IntConst<n>) for the runtime n, which is a multiple of kFormerGapChunks in
  // [kFormerGapChunks, kMaxFormerChunks] (checked in tools/check_invariants.cu).
  template <uint32_t kCandidate, typename F>
  __device__ __forceinline__ static void dispatch_former_chunks(uint32_t n, F& f) {
    if constexpr (kCandidate <= kFormerGapChunks) {
      f(IntConst<kCandidate>{});
    } else {
      if (n == kCandidate) f(IntConst<kCandidate>{});
      else dispatch_former_chunks<kCandidate - kFormerGapChunks>(n, f);
    }
  }

  // Normal: the Scheduler; M-grouped: MGroupedScheduler (same interface, plus rows_masked / row_valid).
  using Sched = typename SchedulerFor<kGemmType, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs, kSplitK>::type;
  using Tile = typename SchedulerFor<kGemmType, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs, kSplitK>::Tile;
  using Mma = ptx::WgmmaFp8<BLOCK_N>;

  // D tile address of (row, column) inside the staging tile, with the TMA swizzle of kSwizzleD:
  // within each 1024/512/256-byte pattern, 16-byte chunk bits [4, 4+b) are XORed with bits [7, 7+b).
  __host__ __device__ __forceinline__ static uint32_t d_offset(uint32_t row, uint32_t col) {
    const uint32_t slab = col / TMA_D_BLOCK_N;
    uint32_t off = row * (TMA_D_BLOCK_N * 2) + (col % TMA_D_BLOCK_N) * 2;
    if constexpr (kSwizzleD != 0) off ^= ((off >> 7) & (kSwizzleD / 16 - 1)) << 4;
    return slab * (BLOCK_M * TMA_D_BLOCK_N * 2) + off;
  }

  // B scales of a tile starting at column n0: columns [n0, n0 + former_cols) use scale block n0/128,
  // the rest the next block; `needs_second` is false when no column of the problem (< n) is in the rest.
  struct ScaleBSplit {
    uint32_t former_cols;
    bool needs_second;
  };
  __host__ __device__ __forceinline__ static ScaleBSplit scale_b_split(uint32_t n0, uint32_t n) {
    ScaleBSplit split;
    split.former_cols = kUniformScaleB ? BLOCK_N : constexpr_min<uint32_t>(BLOCK_N, 128 - n0 % 128);
    split.needs_second = !kUniformScaleB && constexpr_min<uint32_t>(n - n0, BLOCK_N) > split.former_cols;
    return split;
  }

  __device__ __forceinline__ static void run(const GemmArgs& args) {
    extern __shared__ __align__(1024) uint8_t smem[];
    uint8_t* smem_d = smem;                                                    // see layout above
    uint8_t* smem_a = smem + SMEM_A_OFFSET;                                    // [stage][BLOCK_M][128] fp8
    uint8_t* smem_b = smem + SMEM_B_OFFSET;                                    // [stage][BLOCK_N][128] fp8
    uint8_t* smem_sfa = smem + SMEM_SFA_OFFSET;                                // [stage][BLOCK_M] fp32
    uint64_t* full_barriers = reinterpret_cast<uint64_t*>(smem + SMEM_BARRIER_OFFSET);  // [stage]
    uint64_t* empty_barriers = full_barriers + kNumStages;                     // [stage]
    float* smem_sfb = reinterpret_cast<float*>(smem + SMEM_SFB_OFFSET);       // [buffer][rows][ceil(K/128)]

    const uint32_t warp_idx = __shfl_sync(0xffffffffu, threadIdx.x / 32, 0);
    const uint32_t lane_idx = threadIdx.x % 32;

    if (threadIdx.x == kNumMathThreads) {
      // The swizzle patterns and the descriptors assume a 1024-aligned base, and the launch must
      // match the compiled cluster shape: stop loudly rather than compute garbage.
      if ((ptx::smem_u32(smem) & 1023u) != 0 || gridDim.x % kCtasPerCluster != 0) __trap();
      // A build with N and K compiled in (the runtime's default, gemm_args.h) serves that shape only;
      // the host refuses other launches before they start, this catches one that slipped through.
      if constexpr (FP8LAB_COMPILED_N != 0 || FP8LAB_COMPILED_K != 0) {
        if (compiled_n(args) != args.n || compiled_k(args) != args.k) __trap();
      }
      // M-grouped tiles with padding rows are stored row by row through args.d (TMA cannot skip rows).
      if (kMGrouped && args.d == nullptr) __trap();
      // The B-scale bulk copy (kSfbBulk) reads whole rows at 16-byte offsets from here.
      if (kSfbBulk && reinterpret_cast<uintptr_t>(args.sfb) % 16 != 0) __trap();
      if constexpr (kCtasPerCluster > 1) {
        if (ptx::cluster_nctarank() != kCtasPerCluster) __trap();
      }
      ptx::prefetch_tensormap(&args.tma_a);
      ptx::prefetch_tensormap(&args.tma_b);
      ptx::prefetch_tensormap(&args.tma_sfa);
      ptx::prefetch_tensormap(&args.tma_d);
      for (uint32_t s = 0; s < kNumStages; ++s) {
        ptx::mbarrier_init(&full_barriers[s], 1);  // the producer's arrive.expect_tx
        // every math warp of every CTA in the cluster releases the stage once
        ptx::mbarrier_init(&empty_barriers[s], kClusterSize * kNumMathThreads / 32);
      }
      if constexpr (kSplitK > 1) {
        ptx::mbarrier_init(&empty_barriers[kNumStages], (kSplitK - 1) * kNumMathThreads);  // exchange full: ranks 1..'s threads
        ptx::mbarrier_init(&empty_barriers[kNumStages + 1], kNumMathThreads);  // exchange empty: rank 0's threads
      }
      ptx::fence_mbarrier_init_release_cluster();
      ptx::fence_proxy_async_shared_cta();
    }
    if constexpr (kCtasPerCluster > 1) {
      ptx::barrier_cluster_arrive();
      ptx::barrier_cluster_wait();
    } else {
      __syncthreads();
    }
    // Programmatic dependent launch: nothing global is read or written before this.
    ptx::griddepcontrol_wait();
    // ... and let the next launch's CTAs start their prologue as soon as an SM frees up: they still
    // wait (griddepcontrol.wait) for this whole grid to finish before touching memory, so this only
    // hides launch latency and barrier setup (which matter most for short decode GEMMs).
    ptx::griddepcontrol_launch_dependents();

    if (threadIdx.x >= kNumMathThreads) {
      ptx::setmaxnreg_dec<kProducerRegisters>();
      if (warp_idx == kNumMathThreads / 32 && ptx::elect_sync()) produce(args, smem_a, smem_b, smem_sfa, full_barriers, empty_barriers, smem_sfb);
    } else {
      ptx::setmaxnreg_inc<kMathRegisters>();
      consume(args, smem_d, smem_a, smem_b, smem_sfa, full_barriers, empty_barriers, smem_sfb, warp_idx, lane_idx);
    }
    // Clustered launches: the CTAs reach into each other's shared memory (remote mbarrier arrivals,
    // multicast writes, split-K partial sums). The barrier protocols above already order every such
    // access before the target's last wait, but a CTA leaving while its peer runs is what
    // compute-sanitizer's racecheck flags; a cluster barrier at exit makes the lifetime explicit.
    if constexpr (kCtasPerCluster > 1) {
      ptx::barrier_cluster_arrive_unaligned();
      ptx::barrier_cluster_wait_unaligned();
    }
  }

  // One thread: stream A, SFA and B K-blocks of every tile of this CTA into the ring.
  __device__ __forceinline__ static void produce(const GemmArgs& args, uint8_t* smem_a, uint8_t* smem_b, uint8_t* smem_sfa,
                                                 uint64_t* full_barriers, uint64_t* empty_barriers, float* smem_sfb) {
    Sched sched(args);
    uint32_t sfb_buffer = 0;  // kSfbBulk: the buffer of this tile's B scales, as the consumer alternates them
    PipelineState<kNumStages> pipe;
    const uint32_t cta_rank = kClusterSize > 1 ? ptx::cluster_ctarank() : 0;
    TraceWriter tr(args, kTraceRoleProducer, true);  // no-op unless built with FP8LAB_TRACE=1
    Tile tile;
    while (sched.next(tile)) {
      tr.event(TraceEvent::TileBegin, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
      const uint32_t num_k_blocks = sched.num_k_blocks(tile);
      const uint32_t k_begin = sched.k_block_begin(tile);
      const int32_t a_row = static_cast<int32_t>(sched.a_row(tile));
      const int32_t b_row = static_cast<int32_t>(sched.b_row(tile));
      // Which operand comes by multicast this tile: rank 0 loads it for both CTAs; rank 1 skips it.
      const bool multicast_a = kClusterN > 1 && tile.multicast;
      const bool multicast_b = kClusterM > 1 && tile.multicast;
      for (uint32_t kb = 0; kb < num_k_blocks; ++kb) {
        // Wait until every consumer (of both CTAs when clustered) released this stage.
        tr.event(TraceEvent::EmptyWaitBegin, pipe.stage, kb, tile.m_block, tile.n_block);
        ptx::mbarrier_try_wait_parity(&empty_barriers[pipe.stage], pipe.phase ^ 1);
        tr.event(TraceEvent::EmptyWaitEnd, pipe.stage, kb, tile.m_block, tile.n_block);
        uint64_t* full = &full_barriers[pipe.stage];
        // The full bytes always arrive at this CTA: own loads plus the peer's multicast.
        if constexpr (kSfbBulk) {
          if (kb == 0) {
            uint32_t count;
            const float* rows = sfb_rows(args, sched, tile, count);
            ptx::mbarrier_arrive_expect_tx(full, kTmaBytesPerStage + count * 4);
            ptx::cp_async_bulk_load(smem_sfb + sfb_buffer * (sfb_buffer_bytes(FP8LAB_COMPILED_K) / 4), rows, count * 4, full);
            sfb_buffer ^= 1;
          } else {
            ptx::mbarrier_arrive_expect_tx(full, kTmaBytesPerStage);
          }
        } else {
          ptx::mbarrier_arrive_expect_tx(full, kTmaBytesPerStage);
        }
        uint8_t* a_dst = smem_a + pipe.stage * SMEM_A_STAGE_BYTES;
        uint8_t* sfa_dst = smem_sfa + pipe.stage * SMEM_SFA_STAGE_BYTES;
        uint8_t* b_dst = smem_b + pipe.stage * SMEM_B_STAGE_BYTES;
        const int32_t k_idx = static_cast<int32_t>((k_begin + kb) * BLOCK_K);
        if (multicast_a) {
          if (cta_rank == 0) {
            ptx::cp_async_bulk_tensor_2d_load_multicast(&args.tma_a, full, a_dst, k_idx, a_row, 0x3);
            ptx::cp_async_bulk_tensor_2d_load_multicast(&args.tma_sfa, full, sfa_dst, a_row, static_cast<int32_t>(k_begin + kb), 0x3);
          }
        } else {
          ptx::cp_async_bulk_tensor_2d_load(&args.tma_a, full, a_dst, k_idx, a_row);
          ptx::cp_async_bulk_tensor_2d_load(&args.tma_sfa, full, sfa_dst, a_row, static_cast<int32_t>(k_begin + kb));
        }
        if (multicast_b) {
          if (cta_rank == 0) ptx::cp_async_bulk_tensor_2d_load_multicast(&args.tma_b, full, b_dst, k_idx, b_row, 0x3);
        } else {
          ptx::cp_async_bulk_tensor_2d_load(&args.tma_b, full, b_dst, k_idx, b_row);
        }
        tr.event(TraceEvent::TmaIssue, pipe.stage, kb, tile.m_block, tile.n_block);
        pipe.advance();
      }
      tr.event(TraceEvent::TileEnd, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
    }
    // Clustered: the peer's consumers arrive on our empty barriers, and the peer may still
    // multicast into us; do not let this CTA exit (and its shared memory go) before the last
    // kNumStages releases have landed.
    if constexpr (kClusterSize > 1) {
      for (uint32_t s = 0; s < kNumStages; ++s) {
        ptx::mbarrier_try_wait_parity(&empty_barriers[pipe.stage], pipe.phase ^ 1);
        pipe.advance();
      }
    }
    tr.finish();
  }

  // ---- consumer: the math warpgroups ----------------------------------------------------------------
  // Per tile: wait for each K-block's stage (wait_and_issue / k_loop_serial), issue its wgmma group
  // (issue_wgmma_group), release the stage and promote with the scales (finish_k_block, promote),
  // then the epilogue (store_tile). consume() holds the state and runs the tile loop; the K-loops are
  // k_loop_overlapped_impl and k_loop_serial.
  //
  // What a math thread needs to know about itself: its accumulator rows, where it sits in the
  // cluster and warp, and the wgmma descriptor origins of its A rows and of B.
  struct MathThread {
    uint32_t wg_row;      // first row of this WG in a wave
    uint32_t warp_in_wg;
    uint32_t lane_idx;
    uint32_t r0, r1;      // accumulator rows inside one wave's 64-row slice (fragment layout §9.7.15.5.1.1)
    uint32_t cta_rank;
    ptx::WgmmaDescOrigins desc;  // stage 0, wave 0, k-slice 0 (see issue_wgmma_group)
  };

  // The ring of stages as the math threads see it.
  struct Ring {
    uint64_t* full_barriers;   // [kNumStages]: the producer's loads landed
    uint64_t* empty_barriers;  // [kNumStages]: every math warp (of every CTA sharing the stage) released it
    const uint8_t* smem_sfa;   // [kNumStages][BLOCK_M] fp32, stages SMEM_SFA_STAGE_BYTES apart
  };

  // ---- B scales: prefetched one tile ahead ----------------------------------------------------------
  // Each tile's B scales are copied (cp.async) into one of two shared buffers while the previous tile
  // computes, so no tile waits on a global load before its first wgmma.
  // dst: [1 or 2 scale-block rows][ceil(K/128)] fp32.
  // Which math threads copy B scales: all but the first warp. The first warp issues the epilogue's
  // TMA stores, and its wait for its cp.async copies (a DEPBAR on the same scoreboard) would also
  // wait for the store it has just issued, at every tile's start. FP8LAB_SFB_AFTER_STORE_WARP=0 lets
  // every math thread copy (for the A/B in kernels/README.md).
#ifndef FP8LAB_SFB_AFTER_STORE_WARP
#define FP8LAB_SFB_AFTER_STORE_WARP 1
#endif
  static constexpr uint32_t kSfbFirstThread = FP8LAB_SFB_AFTER_STORE_WARP ? 32 : 0;
  static_assert(kNumDStores <= kSfbFirstThread || kSfbFirstThread == 0, "the B-scale copiers must not issue TMA stores");

  // B scales by bulk copy: the TMA warp brings a tile's B-scale rows in one cp.async.bulk that
  // completes on the full barrier of the tile's first K-block, so the math warps neither copy them
  // nor wait for copies (and for each other) at the tile's start (kernels/README.md, "B scales").
  // Taken where it is safe and expressible: K compiled in and a multiple of 512 (whole 16-byte rows at
  // 16-byte offsets), no split-K, and tiles of at least kNumStages - 1 K-blocks. The copy into a
  // buffer is issued once the stage it rides with is free, which comes after the last K-block of the
  // tile two back, the last reader of that buffer. Elsewhere, and with FP8LAB_SFB_BULK=0 (for the
  // A/B), the math warps prefetch the next tile's B scales with cp.async (prefetch_sfb).
#ifndef FP8LAB_SFB_BULK
#define FP8LAB_SFB_BULK 1
#endif
  static constexpr bool kSfbBulk = FP8LAB_SFB_BULK != 0 && kSplitK == 1 && FP8LAB_COMPILED_K != 0 &&
                                   FP8LAB_COMPILED_K % 512 == 0 && FP8LAB_COMPILED_K / 128 + 1 >= kNumStages;

  // Tile t's B-scale rows in global memory, and how many floats of them the tile needs.
  __device__ __forceinline__ static const float* sfb_rows(const GemmArgs& args, const Sched& sched, const Tile& t,
                                                          uint32_t& count) {
    const ScaleBSplit sp = scale_b_split(t.n_block * BLOCK_N, compiled_n(args));
    const uint32_t nkb = sched.total_k_blocks();  // B-scale rows span all of K, whichever half this CTA runs
    count = nkb * (sp.needs_second ? 2 : 1);
    return args.sfb + static_cast<uint64_t>(sched.sfb_block_row(t)) * nkb;
  }

  __device__ __forceinline__ static void prefetch_sfb(const GemmArgs& args, const Sched& sched, const Tile& t, float* dst) {
    uint32_t count;
    const float* src = sfb_rows(args, sched, t, count);
    if (threadIdx.x < kSfbFirstThread) return;
    for (uint32_t i = threadIdx.x - kSfbFirstThread; i < count; i += kNumMathThreads - kSfbFirstThread)
      ptx::cp_async_ca_shared_global_4(dst + i, src + i);
    ptx::cp_async_commit_group();
  }

  // Tile t's B scales are now in `buffer`: make every math thread's copies visible to all, then
  // start copying the following tile's into the other buffer, which the K-loop that last read it
  // (every math thread has left it: they all passed this barrier) no longer needs.
  // smem_sfb: [2][sfb_buffer_floats] fp32.
  __device__ __forceinline__ static void begin_tile_scales(const GemmArgs& args, const Sched& sched, float* smem_sfb,
                                                           uint32_t sfb_buffer_floats, uint32_t buffer, bool has_following,
                                                           const Tile& following) {
    if constexpr (kSfbBulk) return;  // the scales come with the tile's first stage
    if (threadIdx.x >= kSfbFirstThread) ptx::cp_async_wait_group<0>();
    ptx::bar_sync(kMathBarrierId, kNumMathThreads);
    if (has_following) prefetch_sfb(args, sched, following, smem_sfb + (buffer ^ 1) * sfb_buffer_floats);
  }

  // A tile's B scales as the K-loop reads them: sfb[kb] (block 0) and sfb[kb + second] (block 1).
  struct TileScalesB {
    const float* sfb;        // this CTA's first K-block in the tile's buffer
    uint32_t second;         // offset of the second scale-block row (0 when the tile needs one)
    uint32_t former_chunks;  // n8 chunks that use block 0
  };
  __device__ __forceinline__ static TileScalesB scales_b_of(const GemmArgs& args, const Sched& sched, float* smem_sfb,
                                                            uint32_t sfb_buffer_floats, const Tile& t, uint32_t buffer) {
    const ScaleBSplit split = scale_b_split(t.n_block * BLOCK_N, compiled_n(args));
    TileScalesB sb;
    sb.sfb = smem_sfb + buffer * sfb_buffer_floats + sched.k_block_begin(t);
    sb.second = split.needs_second ? sched.total_k_blocks() : 0;
    sb.former_chunks = split.former_cols / 8;
    return sb;
  }

  // One K-block's wgmma group on `stage`: 4 x m64nNk32 over its 128 of K into `acc` (this WG's A
  // rows `a_offset` bytes into the stage), committed, not waited for. `accumulate`: add to acc.
  // desc: the descriptors of stage 0, k-slice 0 (their low halves move with stage and slice).
  __device__ __forceinline__ static void issue_wgmma_group(float (&acc)[kNumAccum], const ptx::WgmmaDescOrigins& desc, uint32_t stage,
                                                           uint32_t a_offset, bool accumulate) {
    const uint32_t desc_a_stage = desc.a_lo + (stage * SMEM_A_STAGE_BYTES + a_offset) / 16;
    const uint32_t desc_b_stage = desc.b_lo + stage * (SMEM_B_STAGE_BYTES / 16);
    ptx::wgmma_fence_operands(acc);
    ptx::wgmma_fence();
#pragma unroll
    for (uint32_t k = 0; k < BLOCK_K / WGMMA_K; ++k) {
      const uint64_t desc_a = ptx::wgmma_desc_from_halves(desc_a_stage + k * WGMMA_K / 16, desc.hi);
      const uint64_t desc_b = ptx::wgmma_desc_from_halves(desc_b_stage + k * WGMMA_K / 16, desc.hi);
      Mma::mma(acc, desc_a, desc_b, (k > 0 || accumulate) ? 1u : 0u);
    }
    ptx::wgmma_commit_group();
    ptx::wgmma_fence_operands(acc);
  }

  // The scales of one K-block of one wave, read while its stage is held (the producer refills the
  // stage once it is released).
  struct KBlockScales {
    float sfa_0, sfa_1, sfb_0, sfb_1;
  };
  // The overlapped loops' issue step: wait until `ahead`'s stage is full, read its scales and start
  // its wgmma group into `acc` (not waited for); `ahead` moves to the next stage.
  __device__ __forceinline__ static KBlockScales wait_and_issue(float (&acc)[kNumAccum], const Tile& t, const TileScalesB& sb, uint32_t kb,
                                                                PipelineState<kNumStages>& ahead, TraceWriter& tr, const Ring& ring,
                                                                const MathThread& me) {
    KBlockScales sc;
    if constexpr (!kSfbBulk) {
      sc.sfb_0 = sb.sfb[kb];
      sc.sfb_1 = sb.sfb[kb + sb.second];
    }
    tr.event(TraceEvent::FullWaitBegin, ahead.stage, kb, t.m_block, t.n_block);
    ptx::mbarrier_try_wait_parity(&ring.full_barriers[ahead.stage], ahead.phase);
    tr.event(TraceEvent::FullWaitEnd, ahead.stage, kb, t.m_block, t.n_block);
    if constexpr (kSfbBulk) {  // they landed with the tile's first stage
      sc.sfb_0 = sb.sfb[kb];
      sc.sfb_1 = sb.sfb[kb + sb.second];
    }
    const float* sfa = reinterpret_cast<const float*>(ring.smem_sfa + ahead.stage * SMEM_SFA_STAGE_BYTES);
    sc.sfa_0 = sfa[me.r0];
    sc.sfa_1 = sfa[me.r1];
    tr.event(TraceEvent::WgmmaIssue, ahead.stage, kb, t.m_block, t.n_block);
    issue_wgmma_group(acc, me.desc, ahead.stage, 0, false);
    ahead.advance();
    return sc;
  }

  // Promotion of one wave's K-block into fp32: rows r0 (accum 4i+0, 4i+1) and r1 (4i+2, 4i+3); chunk
  // i is columns 8i..8i+7, scaled by B's first 128-column block for the first kFormer chunks.
  // kFormer: the constant number of scale-block-0 chunks, or 0 to use the runtime `former_chunks`.
  template <uint32_t kFormer>
  __device__ __forceinline__ static void promote(float (&fin)[kNumAccum], const float (&acc)[kNumAccum], float sfa_0, float sfa_1,
                                                 float sfb_0, float sfb_1, uint32_t former_chunks) {
    const float s00 = sfa_0 * sfb_0, s10 = sfa_1 * sfb_0;
    const float s01 = sfa_0 * sfb_1, s11 = sfa_1 * sfb_1;
#pragma unroll
    for (uint32_t i = 0; i < kNumChunks; ++i) {
      const bool former = kUniformScaleB || (kFormer != 0 ? i < kFormer : i < former_chunks);
      const float sc0 = former ? s00 : s01;
      const float sc1 = former ? s10 : s11;
      fin[i * 4 + 0] += sc0 * acc[i * 4 + 0];
      fin[i * 4 + 1] += sc0 * acc[i * 4 + 1];
      fin[i * 4 + 2] += sc1 * acc[i * 4 + 2];
      fin[i * 4 + 3] += sc1 * acc[i * 4 + 3];
    }
  }

  // The overlapped loops' finish step: wait until the older wgmma group is done (the newer may stay
  // in flight), release its stage (`pipe`, which then moves on) and promote it into `fin`.
  template <uint32_t kFormer>
  __device__ __forceinline__ static void finish_k_block(float (&fin)[kNumAccum], float (&acc)[kNumAccum], const KBlockScales& sc,
                                                        uint32_t former_chunks, uint32_t kb, bool newer_in_flight, const Tile& tile,
                                                        PipelineState<kNumStages>& pipe, TraceWriter& tr, const Ring& ring,
                                                        const MathThread& me) {
    if (newer_in_flight) ptx::wgmma_wait_group<1>();
    else ptx::wgmma_wait_group<0>();
    ptx::wgmma_fence_operands(acc);
    tr.event(TraceEvent::WgmmaDone, pipe.stage, kb, tile.m_block, tile.n_block);
    release_stage(ring.empty_barriers, pipe.stage, tile.peer_alive, me.cta_rank, me.lane_idx);
    tr.event(TraceEvent::StageRelease, pipe.stage, kb, tile.m_block, tile.n_block);
    tr.event(TraceEvent::PromoteBegin, pipe.stage, kb, tile.m_block, tile.n_block);
    promote<kFormer>(fin, acc, sc.sfa_0, sc.sfa_1, sc.sfb_0, sc.sfb_1, former_chunks);
    tr.event(TraceEvent::PromoteEnd, pipe.stage, kb, tile.m_block, tile.n_block);
    pipe.advance();
  }

  // The overlapped K-loop (kOverlapKBlocks): even K-blocks accumulate in `accum`, odd ones in
  // `accum_odd`, both promoted into `fin`. K-block 0 is already issued (`even`), and with kAhead = 2
  // K-block 1 too (`second`). wait_and_issue starts the next group; finish_k_block waits until the
  // older group is done (the newer may stay in flight), releases its stage and promotes it.
  // Steady state: two groups in flight at every wait, no branches between issue and finish.
  template <uint32_t kAhead, uint32_t kFormer>
  __device__ __forceinline__ static void k_loop_overlapped_impl(const Tile& tile, const TileScalesB& sb, uint32_t num_k_blocks,
                                                                float (&fin)[kNumAccum], float (&accum)[kNumAccum], float (&accum_odd)[kNumAccum],
                                                                KBlockScales even, const KBlockScales& second,
                                                                PipelineState<kNumStages>& pipe, PipelineState<kNumStages>& ahead,
                                                                TraceWriter& tr, const Ring& ring, const MathThread& me) {
    auto issue = [&](float (&acc)[kNumAccum], uint32_t kb) { return wait_and_issue(acc, tile, sb, kb, ahead, tr, ring, me); };
    auto finish = [&](float (&acc)[kNumAccum], const KBlockScales& sc, uint32_t kb, bool newer_in_flight) {
      finish_k_block<kFormer>(fin, acc, sc, sb.former_chunks, kb, newer_in_flight, tile, pipe, tr, ring, me);
    };
    uint32_t kb = 0;
    // A trip count known at compile time (K compiled in) lets the compiler restructure these loops,
    // and ptxas then loses track of the groups in flight and serialises the wgmma (C7514).
    if constexpr (FP8LAB_COMPILED_K != 0) num_k_blocks = runtime_value(num_k_blocks);
    if constexpr (kAhead == 2) {  // K-blocks 0 and 1 are in flight; at the loop's top only kb + 1
      KBlockScales odd = second;
      finish(accum, even, 0, true);
      for (; kb + 3 < num_k_blocks; kb += 2) {
        even = issue(accum, kb + 2);
        finish(accum_odd, odd, kb + 1, true);
        odd = issue(accum_odd, kb + 3);
        finish(accum, even, kb + 2, true);
      }
      if (kb + 2 < num_k_blocks) {  // K-blocks kb + 1 and kb + 2 left
        even = issue(accum, kb + 2);
        finish(accum_odd, odd, kb + 1, true);
        finish(accum, even, kb + 2, false);
      } else {
        finish(accum_odd, odd, kb + 1, false);
      }
    } else {  // K-block kb is in flight at the top
      for (; kb + 2 < num_k_blocks; kb += 2) {
        const KBlockScales odd = issue(accum_odd, kb + 1);
        finish(accum, even, kb, true);
        even = issue(accum, kb + 2);
        finish(accum_odd, odd, kb + 1, true);
      }
      if (kb + 1 < num_k_blocks) {  // two K-blocks left
        const KBlockScales odd = issue(accum_odd, kb + 1);
        finish(accum, even, kb, true);
        finish(accum_odd, odd, kb + 1, false);
      } else {
        finish(accum, even, kb, false);
      }
    }
  }

  // The serial K-loop: per K-block, wait for the stage, run each valid wave's wgmma group to
  // completion, release the stage, promote into final_accum. Also the no-promotion variant's loop
  // (all of K in the tensor-core accumulator, the uniform scales applied once at the end).
  // kAllWavesValid: the caller checked that every wave holds rows (wave_valid is then not read).
  template <uint32_t kFormer, bool kAllWavesValid>
  __device__ __forceinline__ static void k_loop_serial(const Tile& tile, const TileScalesB& sb, uint32_t num_k_blocks,
                                                       const bool (&wave_valid)[kNumWaves], float (&final_accum)[kNumWaves][kNumAccum],
                                                       float (&accum)[kNumAccum], PipelineState<kNumStages>& pipe,
                                                       PipelineState<kNumStages>& ahead, TraceWriter& tr, const Ring& ring,
                                                       const MathThread& me) {
#pragma unroll kSerialUnroll
    for (uint32_t kb = 0; kb < num_k_blocks; ++kb) {
      float sfb_0, sfb_1;
      if constexpr (!kSfbBulk) {
        sfb_0 = sb.sfb[kb];
        sfb_1 = sb.sfb[kb + sb.second];
      }
      tr.event(TraceEvent::FullWaitBegin, pipe.stage, kb, tile.m_block, tile.n_block);
      ptx::mbarrier_try_wait_parity(&ring.full_barriers[pipe.stage], pipe.phase);
      tr.event(TraceEvent::FullWaitEnd, pipe.stage, kb, tile.m_block, tile.n_block);
      if constexpr (kSfbBulk) {  // they landed with the tile's first stage
        sfb_0 = sb.sfb[kb];
        sfb_1 = sb.sfb[kb + sb.second];
      }
      const float* sfa = reinterpret_cast<const float*>(ring.smem_sfa + pipe.stage * SMEM_SFA_STAGE_BYTES);
#pragma unroll
      for (uint32_t w = 0; w < kNumWaves; ++w) {
        // Read the A scales before releasing the stage: the producer may refill it right after.
        float sfa_0 = 0.0f, sfa_1 = 0.0f;
        const bool valid = kAllWavesValid || wave_valid[w];
        if (valid) {
          sfa_0 = sfa[w * WAVE_BLOCK_M + me.r0];
          sfa_1 = sfa[w * WAVE_BLOCK_M + me.r1];
          tr.event(TraceEvent::WgmmaIssue, pipe.stage, kb, tile.m_block, tile.n_block);
          // Without promotion the tensor-core accumulator of a wave carries all of K.
          float (&acc)[kNumAccum] = kPromote ? accum : final_accum[w];
          issue_wgmma_group(acc, me.desc, pipe.stage, w * WAVE_BLOCK_M * BLOCK_K, !kPromote && kb > 0);
          ptx::wgmma_wait_group<0>();
          ptx::wgmma_fence_operands(acc);
          tr.event(TraceEvent::WgmmaDone, pipe.stage, kb, tile.m_block, tile.n_block);
        }
        if (w == kNumWaves - 1) {
          release_stage(ring.empty_barriers, pipe.stage, tile.peer_alive, me.cta_rank, me.lane_idx);
          tr.event(TraceEvent::StageRelease, pipe.stage, kb, tile.m_block, tile.n_block);
        }
        if (!kPromote) {
          // Scales are uniform (per-tensor inputs): apply them once, after the last K-block.
          if (valid && kb == num_k_blocks - 1) {
#pragma unroll
            for (uint32_t i = 0; i < kNumAccum; ++i) final_accum[w][i] *= (i % 4 < 2 ? sfa_0 : sfa_1) * sfb_0;
          }
        } else if (valid) {
          tr.event(TraceEvent::PromoteBegin, pipe.stage, kb, tile.m_block, tile.n_block);
          promote<kFormer>(final_accum[w], accum, sfa_0, sfa_1, sfb_0, sfb_1, sb.former_chunks);
          tr.event(TraceEvent::PromoteEnd, pipe.stage, kb, tile.m_block, tile.n_block);
        }
      }
      pipe.advance();
    }
    ahead = pipe;
  }

  // Math warpgroups: wgmma + promotion per K-block, then the bf16 epilogue, per tile.
  // Preconditions (run() traps otherwise, or the launch is refused on the host):
  //   smem            1024-byte aligned; its layout as above (SMEM_*_OFFSET), smem_bytes(K) in size
  //   smem_a          [kNumStages][BLOCK_M][128] fp8, smem_b [kNumStages][BLOCK_N][128] fp8, 128-byte swizzle
  //   smem_sfa        [kNumStages][BLOCK_M] fp32; smem_sfb [2][1 or 2][ceil(K/128)] fp32
  //   full_barriers   [kNumStages], initialised to 1 arrival (+ the stage's TMA bytes per fill)
  //   empty_barriers  [kNumStages], kClusterSize * kNumMathThreads / 32 arrivals (+ split-K exchange pair)
  //   warp_idx        < kNumMathThreads / 32 (a math warp); args.k a multiple of 128
  __device__ __forceinline__ static void consume(const GemmArgs& args, uint8_t* smem_d, uint8_t* smem_a, uint8_t* smem_b,
                                                 uint8_t* smem_sfa, uint64_t* full_barriers, uint64_t* empty_barriers,
                                                 float* smem_sfb, uint32_t warp_idx, uint32_t lane_idx) {
    const uint32_t math_wg = warp_idx / 4;          // 0 .. kNumMathWarpgroups-1
    const uint32_t warp_in_wg = warp_idx % 4;
    // Accumulator rows of this thread inside one wave's 64-row slice (fragment layout §9.7.15.5.1.1).
    const uint32_t wg_row = math_wg * WGMMA_M;      // first row of this WG in a wave
    const uint32_t r0 = wg_row + warp_in_wg * 16 + lane_idx / 4;
    const uint32_t r1 = r0 + 8;
    const uint32_t cta_rank = kClusterSize > 1 ? ptx::cluster_ctarank() : 0;
    // wgmma descriptors of stage 0, wave 0, k-slice 0 of this WG's A rows and of B: the K-loop only
    // adds (stage, wave, slice) byte offsets >> 4 to their low halves (see wgmma_desc_from_halves).
    ptx::WgmmaDescOrigins desc = ptx::wgmma_desc_origins_kmajor_sw128(smem_a + wg_row * BLOCK_K, smem_b);
    if constexpr (kKeepDescriptors) {
      desc.a_lo = runtime_value(desc.a_lo);
      desc.b_lo = runtime_value(desc.b_lo);
    }
    const MathThread me{wg_row, warp_in_wg, lane_idx, r0, r1, cta_rank, desc};
    const Ring ring{full_barriers, empty_barriers, smem_sfa};
    Sched sched(args);
    PipelineState<kNumStages> pipe;   // the next stage to finish: wait for its wgmma group, release it
    PipelineState<kNumStages> ahead;  // the next stage to issue; the overlapped loops run one K-block ahead of pipe
    TraceWriter tr(args, 1 + math_wg, threadIdx.x % 128 == 0);  // no-op unless FP8LAB_TRACE=1
    // SFB: two buffers of sfb_buffer_floats, this tile's B scales and the next tile's (prefetch_sfb).
    const uint32_t sfb_buffer_floats = sfb_buffer_bytes(compiled_k(args)) / 4;

    // The overlapped loops' issue step (wait_and_issue) on `ahead`'s stage.
    auto issue = [&](float (&acc)[kNumAccum], const Tile& t, const TileScalesB& sb, uint32_t kb) {
      return wait_and_issue(acc, t, sb, kb, ahead, tr, ring, me);
    };

    // Tensor-core accumulators: `accum` (the serial loop; even K-blocks of the overlapped one) and
    // `accum_odd` (odd K-blocks of the overlapped loop).
    float accum[kNumAccum];
    float accum_odd[kNumAccum];
    uint32_t sfb_buffer = 0;
    uint32_t split_tiles = 0;  // tiles handed over so far (split-K exchange barrier phases)
    Tile tile, next_tile;
    const bool has_tile = sched.next(tile);
    bool has_next = has_tile && sched.next(next_tile);
    if (!has_tile) {
      tr.finish();
      return;
    }
    if constexpr (!kSfbBulk) prefetch_sfb(args, sched, tile, smem_sfb);
    // kOverlapTiles: a tile's first kAhead K-blocks are issued before its turn of the loop, K-block 0
    // into `accum` (first_scales) and, with kAhead = 2, K-block 1 into `accum_odd` (second_scales).
    KBlockScales first_scales{}, second_scales{};
    // The tile loop, instantiated per kAhead: kOverlapTilesAhead (2) when every tile has at least that
    // many K-blocks (two groups keep the tensor cores busy through an epilogue longer than one
    // K-block), else 1. A compile-time count keeps the wgmma structure static; ptxas serialises what
    // it cannot track.
    auto tile_loop = [&](auto ahead_tag) {
      constexpr uint32_t kAhead = decltype(ahead_tag)::value;
      auto issue_ahead = [&](const Tile& t, const TileScalesB& s) {
        first_scales = issue(accum, t, s, 0);
        if constexpr (kAhead == 2) second_scales = issue(accum_odd, t, s, 1);
      };
      if constexpr (kOverlapTiles) {
        begin_tile_scales(args, sched, smem_sfb, sfb_buffer_floats, 0, has_next, next_tile);
        issue_ahead(tile, scales_b_of(args, sched, smem_sfb, sfb_buffer_floats, tile, 0));
      }
      // One turn per tile. The loop is left only by the `break`s at the bottom, on paths with no wgmma
      // group in flight: ptxas serialises wgmma when a path out of a loop may carry one (C7514/C7517).
      while (true) {
        const uint32_t num_k_blocks = sched.num_k_blocks(tile);
        tr.event(TraceEvent::TileBegin, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
        if constexpr (!kOverlapTiles) begin_tile_scales(args, sched, smem_sfb, sfb_buffer_floats, sfb_buffer, has_next, next_tile);
        const TileScalesB sb = scales_b_of(args, sched, smem_sfb, sfb_buffer_floats, tile, sfb_buffer);

        // Waves of this WG that hold rows of the problem. M-grouped kinds skip the others (a masked
        // group may fill a fraction of its tile); a Normal GEMM multiplies every wave -- rows past M are
        // TMA's zero fill and are never stored -- so its K-loop has no branch between a wgmma group and
        // the promotion that reads it (ptxas would inject a wait there: C7517).
        const uint32_t valid_rows = sched.valid_rows(tile, args.m);
        bool wave_valid[kNumWaves];
#pragma unroll
        for (uint32_t w = 0; w < kNumWaves; ++w)
          wave_valid[w] = !kMGrouped || tile.m_block * BLOCK_M + w * WAVE_BLOCK_M + wg_row < valid_rows;

        float final_accum[kNumWaves][kNumAccum];
#pragma unroll
        for (uint32_t w = 0; w < kNumWaves; ++w)
#pragma unroll
          for (uint32_t i = 0; i < kNumAccum; ++i) final_accum[w][i] = 0.0f;

        auto k_loop_overlapped = [&](auto former_tag, KBlockScales even, const KBlockScales& second) {
          k_loop_overlapped_impl<kAhead, decltype(former_tag)::value>(tile, sb, num_k_blocks, final_accum[0], accum, accum_odd, even, second,
                                                                      pipe, ahead, tr, ring, me);
        };

        auto k_loop = [&](auto former_tag) {
          constexpr uint32_t kFormer = decltype(former_tag)::value;
          bool all_valid = true;
#pragma unroll
          for (uint32_t w = 0; w < kNumWaves; ++w) all_valid = all_valid && wave_valid[w];
          if constexpr (kSplitSerialLoop) {
            if (all_valid) return k_loop_serial<kFormer, true>(tile, sb, num_k_blocks, wave_valid, final_accum, accum, pipe, ahead, tr, ring, me);
          }
          k_loop_serial<kFormer, false>(tile, sb, num_k_blocks, wave_valid, final_accum, accum, pipe, ahead, tr, ring, me);
        };
        // Rows past M (a whole wave of this WG) take the serial loop, which skips their wgmma, and so
        // does a split-K rank whose share of K is empty (K-blocks < kSplitK: nothing to issue); with
        // kOverlapTiles every tile is overlapped (its first group is issued before the tile starts,
        // and rows past M are zeros from TMA's out-of-bounds fill, neither harmful nor stored).
        auto run_k_loop = [&](auto former_tag) {
          if constexpr (kOverlapTiles) {
            k_loop_overlapped(former_tag, first_scales, second_scales);
          } else {
            if constexpr (kOverlapKBlocks) {
              // (Only split-K can leave a CTA no K-block; testing it elsewhere costs the 248-register
              // one-warpgroup tiles a spill.)
              const bool has_k_blocks = kSplitK == 1 || num_k_blocks > 0;
              if (wave_valid[0] && has_k_blocks) return k_loop_overlapped(former_tag, issue(accum, tile, sb, 0), KBlockScales{});
            }
            k_loop(former_tag);
          }
        };
        if constexpr (kUniformScaleB) run_k_loop(IntConst<kNumChunks>{});
        else if constexpr (kSpecialiseFormer) dispatch_former_chunks<kMaxFormerChunks / kFormerGapChunks * kFormerGapChunks>(sb.former_chunks, run_k_loop);
        else run_k_loop(IntConst<0>{});

        // The tile after the next one: its B scales are prefetched while the next tile computes.
        Tile following;
        const bool has_following = has_next && sched.next(following);
        if constexpr (kOverlapTiles) {
          // Start the next tile's first wgmma group now: the tensor cores work on it through this
          // tile's epilogue (for short K the epilogue is a large share of a tile's time). The last
          // tile leaves the loop on its own path, so no path out of the loop has a group in flight
          // (otherwise ptxas waits for the group at every turn of the loop: warning C7514).
          if (!has_next) {
            store_tile(args, sched, tr, smem_d, tile, final_accum, wg_row, warp_in_wg, lane_idx);
            tr.event(TraceEvent::TileEnd, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
            break;
          }
          begin_tile_scales(args, sched, smem_sfb, sfb_buffer_floats, sfb_buffer ^ 1, has_following, following);
          issue_ahead(next_tile, scales_b_of(args, sched, smem_sfb, sfb_buffer_floats, next_tile, sfb_buffer ^ 1));
          store_tile(args, sched, tr, smem_d, tile, final_accum, wg_row, warp_in_wg, lane_idx);
        } else {
          bool stores = true;  // split-K ranks 1.. hand their sums to rank 0 and store nothing
          if constexpr (kSplitK > 1) {
            // -- split-K: rank 1 hands its fp32 partial sums to rank 0, which adds them and stores ----
            stores = exchange_partial_sums<kSplitK, kNumWaves, kNumAccum, kNumMathThreads>(
                final_accum, smem_d + SMEM_EXCHANGE_OFFSET, SMEM_EXCHANGE_SLOT_BYTES, &empty_barriers[kNumStages],
                &empty_barriers[kNumStages + 1], sched.split_rank(), split_tiles++);
          }
          if (stores) store_tile(args, sched, tr, smem_d, tile, final_accum, wg_row, warp_in_wg, lane_idx);
        }
        tr.event(TraceEvent::TileEnd, kTraceNoStage, kTraceNoKBlock, tile.m_block, tile.n_block);
        if (!has_next) break;
        tile = next_tile;
        next_tile = following;
        has_next = has_following;
        sfb_buffer ^= 1;
      }
    };
    if constexpr (kOverlapTiles) {
      if (kOverlapTilesAhead == 2 && sched.total_k_blocks() >= 2) tile_loop(IntConst<2>{});
      else tile_loop(IntConst<1>{});
    } else {
      tile_loop(IntConst<1>{});
    }
    // Keep the staging tile alive until the last store has read it.
    if (threadIdx.x < kNumDStores) ptx::cp_async_bulk_wait_group_read<0>();
    // Split-K ranks 1..: rank 0 reads our partial sums out of its own memory, then arrives on our
    // exchange-empty barrier; do not exit (taking that barrier away) before the last arrival landed.
    if constexpr (kSplitK > 1) {
      if (sched.split_rank() != 0 && split_tiles > 0) ptx::mbarrier_try_wait_parity_acquire_cluster(&empty_barriers[kNumStages + 1], (split_tiles - 1) & 1);
    }
    tr.finish();
  }

  // ---- epilogue: bf16 via stmatrix into the staging tile, then TMA store --------------------------
  // Without branches (kOverlapTiles keeps the next tile's first wgmma group in flight across it):
  // waiting for, committing and issuing bulk stores are per thread, so every thread runs them and
  // only the store itself is predicated to its one thread per TMA_D_BLOCK_N columns.
  __device__ __forceinline__ static void store_tile(const GemmArgs& args, const Sched& sched, TraceWriter& tr,
                                                    uint8_t* smem_d,  // [kNumDStores][BLOCK_M][TMA_D_BLOCK_N] bf16, swizzled
                                                    const Tile& t, float (&final_accum)[kNumWaves][kNumAccum],
                                                    uint32_t wg_row, uint32_t warp_in_wg, uint32_t lane_idx) {
    const uint32_t n0 = t.n_block * BLOCK_N;
    tr.event(TraceEvent::EpilogueBegin, kTraceNoStage, kTraceNoKBlock, t.m_block, t.n_block);
    // The previous tile's store must have finished reading the staging tile.
    ptx::cp_async_bulk_wait_group_read<0>();
    ptx::bar_sync(kMathBarrierId, kNumMathThreads);
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w) {
      // Lane l addresses row (l % 16) of the warp's 16 rows, chunk i + l / 16 (stmatrix x4 matrices:
      // rows 0-7 / 8-15 of chunk i, then of chunk i + 1).
      const uint32_t row = w * WAVE_BLOCK_M + wg_row + warp_in_wg * 16 + lane_idx % 16;
#pragma unroll
      for (uint32_t i = 0; i < kNumChunks; i += 2) {
        const uint32_t col = (i + lane_idx / 16) * 8;
        ptx::stmatrix_m8n8_x4(smem_d + d_offset(row, col),
                              ptx::cvt_rn_bf16x2_f32(final_accum[w][i * 4 + 0], final_accum[w][i * 4 + 1]),
                              ptx::cvt_rn_bf16x2_f32(final_accum[w][i * 4 + 2], final_accum[w][i * 4 + 3]),
                              ptx::cvt_rn_bf16x2_f32(final_accum[w][i * 4 + 4], final_accum[w][i * 4 + 5]),
                              ptx::cvt_rn_bf16x2_f32(final_accum[w][i * 4 + 6], final_accum[w][i * 4 + 7]));
      }
    }
    // Make the generic-proxy stmatrix writes visible to the TMA (async proxy), then store.
    ptx::fence_proxy_async_shared_cta();
    ptx::bar_sync(kMathBarrierId, kNumMathThreads);
    bool rows_masked = false;  // M-grouped: padding rows / rows past masked_m must stay untouched
    if constexpr (kMGrouped) {
      rows_masked = t.rows_masked;
      if (rows_masked) store_rows_masked(args, sched, t, smem_d, n0);
    }
    const uint32_t col = n0 + threadIdx.x * TMA_D_BLOCK_N;
    ptx::cp_async_bulk_tensor_2d_store_if(!rows_masked && threadIdx.x < kNumDStores && col < compiled_n(args), &args.tma_d,
                                          smem_d + threadIdx.x * (BLOCK_M * TMA_D_BLOCK_N * 2),
                                          static_cast<int32_t>(col), static_cast<int32_t>(sched.d_row(t)));
    ptx::cp_async_bulk_commit_group();
    tr.event(TraceEvent::TmaStore, kTraceNoStage, kTraceNoKBlock, t.m_block, t.n_block);
    tr.event(TraceEvent::EpilogueEnd, kTraceNoStage, kTraceNoKBlock, t.m_block, t.n_block);
  }

  // M-grouped tiles whose rows are only partly valid (padding rows, rows past masked_m[g]): a TMA
  // store cannot skip rows, so the math threads copy the valid rows from the staging tile to D,
  // 16 bytes (8 columns) at a time -- the D swizzle permutes whole 16-byte chunks, so each chunk is
  // contiguous in shared memory. Consecutive threads take consecutive chunks of a row (coalesced).
  __device__ __forceinline__ static void store_rows_masked(const GemmArgs& args, const Sched& sched, const Tile& tile,
                                                           const uint8_t* smem_d, uint32_t n0) {
    constexpr uint32_t kChunksPerRow = BLOCK_N / 8;
    const uint64_t d_row = sched.d_row(tile);
    uint8_t* d = static_cast<uint8_t*>(args.d);
    for (uint32_t idx = threadIdx.x; idx < BLOCK_M * kChunksPerRow; idx += kNumMathThreads) {
      const uint32_t r = idx / kChunksPerRow;
      const uint32_t c = (idx % kChunksPerRow) * 8;
      if (n0 + c < compiled_n(args) && sched.row_valid(tile, r)) {
        const uint4 v = *reinterpret_cast<const uint4*>(smem_d + d_offset(r, c));
        *reinterpret_cast<uint4*>(d + ((d_row + r) * compiled_n(args) + n0 + c) * 2) = v;
      }
    }
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
};

// Entry point body; the generated translation unit wraps it in an extern "C" __global__ with
// __launch_bounds__(kNumThreads, 1) and a `const __grid_constant__ GemmArgs` parameter.
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t BLOCK_K, uint32_t kNumStages, uint32_t kNumMathWarpgroups,
          uint32_t kClusterM, uint32_t kClusterN, uint32_t kSwizzleA, uint32_t kSwizzleB, uint32_t kSwizzleD,
          uint32_t kNumSMs, GemmType kGemmType, bool kPromote = true, uint32_t kSplitK = 1>
__device__ __forceinline__ void sm90_fp8_gemm_1d2d_impl(const GemmArgs& args) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  Sm90Fp8Gemm1D2D<BLOCK_M, BLOCK_N, BLOCK_K, kNumStages, kNumMathWarpgroups, kClusterM, kClusterN, kSwizzleA, kSwizzleB,
                  kSwizzleD, kNumSMs, kGemmType, kPromote, kSplitK>::run(args);
#else
  __trap();
#endif
}

}  // namespace fp8lab
