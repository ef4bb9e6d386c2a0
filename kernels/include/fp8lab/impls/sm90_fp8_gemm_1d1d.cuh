// D (fp32) = C + A (fp8 e4m3) . B (fp8 e4m3)^T with both operands scaled per 1x128 (SFA per row of
// A, SFB per row of B, each per 128-deep K-block) -- the "1D1D" recipe of the weight gradient, for
// sm_90a. GemmType::Normal (one GEMM) and GemmType::KGrouped (G GEMMs of one M x N with their own
// K_g, concatenated along K; see k_grouped_scheduler.cuh and kernels/README.md).
//
// Same skeleton as the 1D2D kernel (persistent, warp-specialised, TMA ring of full/empty mbarriers,
// wgmma m64nNk32, FP32 promotion on CUDA cores, clusters of 2 sharing one operand by multicast); it
// differs in scheduling (groups along K), scaling (SFB is TMA'd per stage like SFA, and the promotion
// scale sfa[row] * sfb[col] differs per column) and epilogue (the fp32 tile goes through swizzled
// shared memory into a TMA reduce-add onto D, which the host initialised with C; D may alias C).
//
// Clusters (clusterM = 2: B and SFB shared; clusterN = 2: A and SFA shared): the two CTAs always work
// on tiles of the same group that share the multicast block, because the host admits a cluster only
// where that dimension's block count is even (see k_grouped_scheduler.cuh). So both CTAs run the same
// number of K-blocks at every step, every stage is released to both, and no tile goes without a peer.
//
// Shared memory (byte offsets from the 1024-aligned dynamic base; no runtime-sized part):
//   D tile    [BLOCK_N / TMA_D_BLOCK_N][BLOCK_M][TMA_D_BLOCK_N] fp32, swizzled like the D tensor map
//   A stages  [kNumStages][BLOCK_M][128] fp8, 128-byte swizzle
//   B stages  [kNumStages][BLOCK_N][128] fp8, 128-byte swizzle
//   SFA       [kNumStages][BLOCK_M] fp32 (each stage padded to 128 bytes)
//   SFB       [kNumStages][BLOCK_N] fp32 (each stage padded to 128 bytes)
//   barriers  full[kNumStages], empty[kNumStages], scales_empty[kNumStages] (8 bytes each)
// extension/src/core/kernelRules1d1d.ts mirrors this layout and every static_assert.
#pragma once
#include "fp8lab/common/math.cuh"
#include "fp8lab/common/pipeline.cuh"
#include "fp8lab/k_grouped_scheduler.cuh"
#include "fp8lab/ptx/bar.cuh"
#include "fp8lab/ptx/elect.cuh"
#include "fp8lab/ptx/fence.cuh"
#include "fp8lab/ptx/griddepcontrol.cuh"
#include "fp8lab/ptx/mbarrier.cuh"
#include "fp8lab/ptx/setmaxnreg.cuh"
#include "fp8lab/ptx/tma.cuh"
#include "fp8lab/ptx/wgmma.cuh"

namespace fp8lab {

// The template parameters are the 1D2D kernel's, in the same order, so one GemmConfig names both.
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t BLOCK_K, uint32_t kNumStages, uint32_t kNumMathWarpgroups,
          uint32_t kClusterM, uint32_t kClusterN, uint32_t kSwizzleA, uint32_t kSwizzleB, uint32_t kSwizzleD,
          uint32_t kNumSMs, GemmType kGemmType>
struct Sm90Fp8Gemm1D1D {
  // ---- roles -----------------------------------------------------------------------------------
  static constexpr uint32_t kNumMathThreads = 128 * kNumMathWarpgroups;
  static constexpr uint32_t kNumThreads = kNumMathThreads + 128;
  static constexpr uint32_t kProducerRegisters = 40;
  static constexpr uint32_t kMathRegisters = kNumMathWarpgroups == 1 ? 248 : 232;
  static constexpr uint32_t kMathBarrierId = 1;  // named barrier over the math threads only
  static constexpr uint32_t kClusterSize = kClusterM * kClusterN;  // CTAs sharing one operand by multicast

  // ---- tile geometry ---------------------------------------------------------------------------
  static constexpr uint32_t WGMMA_M = 64;
  static constexpr uint32_t WGMMA_K = 32;
  static constexpr uint32_t WAVE_BLOCK_M = WGMMA_M * kNumMathWarpgroups;
  static constexpr uint32_t kNumWaves = BLOCK_M / WAVE_BLOCK_M;
  static constexpr uint32_t kNumAccum = BLOCK_N / 2;   // f32 accumulators per thread per wave
  static constexpr uint32_t kNumChunks = BLOCK_N / 8;  // n8 column chunks of the accumulator fragment
  // fp32 D: a swizzle row of kSwizzleD bytes holds kSwizzleD / 4 columns.
  static constexpr uint32_t TMA_D_BLOCK_N = kSwizzleD == 0 ? BLOCK_N : kSwizzleD / 4;
  static constexpr uint32_t kNumDStores = BLOCK_N / TMA_D_BLOCK_N;

  // ---- shared-memory layout (bytes) --------------------------------------------------------------
  static constexpr uint32_t SMEM_D_BYTES = align_up<uint32_t>(BLOCK_M * BLOCK_N * 4, 1024);
  static constexpr uint32_t SMEM_A_STAGE_BYTES = BLOCK_M * BLOCK_K;
  static constexpr uint32_t SMEM_B_STAGE_BYTES = BLOCK_N * BLOCK_K;
  static constexpr uint32_t SMEM_SFA_STAGE_BYTES = align_up<uint32_t>(BLOCK_M * 4, 128);
  static constexpr uint32_t SMEM_SFB_STAGE_BYTES = align_up<uint32_t>(BLOCK_N * 4, 128);
  static constexpr uint32_t SMEM_A_OFFSET = SMEM_D_BYTES;
  static constexpr uint32_t SMEM_B_OFFSET = SMEM_A_OFFSET + kNumStages * SMEM_A_STAGE_BYTES;
  static constexpr uint32_t SMEM_SFA_OFFSET = SMEM_B_OFFSET + kNumStages * SMEM_B_STAGE_BYTES;
  static constexpr uint32_t SMEM_SFB_OFFSET = SMEM_SFA_OFFSET + kNumStages * SMEM_SFA_STAGE_BYTES;
  static constexpr uint32_t SMEM_BARRIER_OFFSET = SMEM_SFB_OFFSET + kNumStages * SMEM_SFB_STAGE_BYTES;
  static constexpr uint32_t kSmemFixedBytes = SMEM_BARRIER_OFFSET + 3 * kNumStages * 8;
  // TMA bytes per stage (OOB-filled box elements count too): A, B, SFA, SFB boxes.
  static constexpr uint32_t kTmaBytesPerStage = SMEM_A_STAGE_BYTES + SMEM_B_STAGE_BYTES + BLOCK_M * 4 + BLOCK_N * 4;
  // The host launches with exactly this much dynamic shared memory (independent of K).
  __host__ __device__ static constexpr uint32_t smem_bytes(uint32_t) { return kSmemFixedBytes; }

  // ---- legality (mirrored one by one in extension/src/core/kernelRules1d1d.ts, CONFIG_RULES_1D1D) --
  static_assert(kGemmType == GemmType::Normal || kGemmType == GemmType::KGrouped,
                "rule gemm-type: the 1D1D kernel implements GemmType::Normal and GemmType::KGrouped");
  static_assert(BLOCK_K == 128, "rule block-k: BLOCK_K must be 128 (the scaling granularity, one 128-byte swizzle row)");
  static_assert(BLOCK_M == 64 || BLOCK_M == 128 || BLOCK_M == 256, "rule block-m: BLOCK_M must be 64, 128 or 256");
  // wgmma takes any N that is a multiple of 8; this kernel's epilogue stores n8 chunks (no stmatrix
  // pairs), so BLOCK_N need not be a multiple of 16 here (152: DeepGEMM's 1D1D tile, 4 stages fit).
  static_assert(BLOCK_N % 8 == 0 && BLOCK_N >= 16 && BLOCK_N <= 256, "rule block-n: BLOCK_N must be a multiple of 8 in 16..256");
  static_assert(kNumMathWarpgroups == (BLOCK_M == 64 ? 1u : 2u), "rule math-warpgroups: 1 math warpgroup for BLOCK_M 64, 2 otherwise");
  static_assert(BLOCK_M % WAVE_BLOCK_M == 0 && kNumWaves <= 2, "rule waves: BLOCK_M must be 1 or 2 waves of 64 rows per math warpgroup");
  static_assert(kNumAccum * (1 + kNumWaves) <= 192,
                "rule registers: accumulators (BLOCK_N/2 x (1 + waves)) must stay within 192 registers per thread");
  static_assert(kNumStages >= 2 && kNumStages <= 32, "rule stages: kNumStages must be in 2..32");
  static_assert((kClusterM == 1 || kClusterM == 2) && (kClusterN == 1 || kClusterN == 2) && kClusterSize <= 2,
                "rule cluster: clusterM, clusterN in {1, 2} with clusterM * clusterN <= 2");
  static_assert(kNumSMs % kClusterSize == 0 && kNumSMs >= 1, "rule num-sms: the grid must be a whole number of clusters");
  static_assert(kSwizzleA == 128 && kSwizzleB == 128, "rule swizzle-ab: A and B tiles use the 128-byte swizzle (BLOCK_K = 128 bytes)");
  static_assert(kSwizzleD == 0 || kSwizzleD == 32 || kSwizzleD == 64 || kSwizzleD == 128, "rule swizzle-d: swizzleD must be 0, 32, 64 or 128");
  static_assert(BLOCK_N % TMA_D_BLOCK_N == 0 && TMA_D_BLOCK_N % 8 == 0,
                "rule swizzle-d: BLOCK_N * 4 bytes (fp32) must be a multiple of swizzleD, and swizzleD >= 32");
  static_assert(kNumDStores <= kNumMathThreads, "rule swizzle-d: one thread per TMA store");
  static_assert(kSmemFixedBytes <= 232448, "rule smem: the D tile and the stages exceed the 227 KB of shared memory");
  static_assert(SMEM_A_STAGE_BYTES % 1024 == 0 && SMEM_B_STAGE_BYTES % 1024 == 0 && SMEM_D_BYTES % 1024 == 0,
                "128-byte swizzled tiles must start on 1024-byte boundaries");
  static_assert(128 * kProducerRegisters + kNumMathThreads * kMathRegisters <= 65536, "register file: setmaxnreg split exceeds 64K");

  // Tail split (k_grouped_scheduler.cuh): a last wave that would leave SMs idle is split along K.
  // Unset, it is on for one GEMM (wgrad's ragged last waves gained) and off for K-grouped GEMMs (no
  // gain there); kernels/README.md has the runs. 1 or 0 forces it either way.
#ifdef FP8LAB_1D1D_TAIL_SPLIT
  static constexpr bool kTailSplit = FP8LAB_1D1D_TAIL_SPLIT != 0;
#else
  static constexpr bool kTailSplit = kGemmType == GemmType::Normal;
#endif
  using Sched = KGroupedScheduler<kGemmType, BLOCK_M, BLOCK_N, kNumSMs, BLOCK_K, kClusterM, kClusterN, kTailSplit>;
  using Tile = typename Sched::Tile;
  using Mma = ptx::WgmmaFp8<BLOCK_N>;

  // Byte offset of fp32 element (row, col) in the staging tile, with the TMA swizzle of kSwizzleD:
  // within each pattern, 16-byte chunk bits [4, 4+b) are XORed with bits [7, 7+b).
  __host__ __device__ __forceinline__ static uint32_t d_offset(uint32_t row, uint32_t col) {
    const uint32_t slab = col / TMA_D_BLOCK_N;
    uint32_t off = row * (TMA_D_BLOCK_N * 4) + (col % TMA_D_BLOCK_N) * 4;
    if constexpr (kSwizzleD != 0) off ^= ((off >> 7) & (kSwizzleD / 16 - 1)) << 4;
    return slab * (BLOCK_M * TMA_D_BLOCK_N * 4) + off;
  }

  // Epilogue store order. Each thread holds 2 columns per n8 chunk; a half-warp's 64-bit stores of
  // one chunk cover 4 rows x 32 bytes. With the 128-byte swizzle (32 fp32 columns per row) rows r and
  // r ^ 1 map those 32 bytes onto the same 16-byte bank pair, a 2-way conflict. So at step i the
  // threads of odd rows store chunk i ^ 2 instead (a permutation of the chunks, chosen with
  // compile-time register indices): the 4 rows then cover all 8 bank groups.
  static constexpr bool kSwapChunks = TMA_D_BLOCK_N == 32 && kNumChunks % 4 == 0;
  __host__ __device__ __forceinline__ static uint32_t store_chunk(uint32_t step, uint32_t lane_idx) {
    return kSwapChunks && ((lane_idx / 4) & 1) ? step ^ 2 : step;
  }

  __device__ __forceinline__ static void run(const GemmArgs& args) {
    extern __shared__ __align__(1024) uint8_t smem[];
    uint64_t* full_barriers = reinterpret_cast<uint64_t*>(smem + SMEM_BARRIER_OFFSET);  // [stage]
    // [stage] x 2: the stage (its A and B tiles under split release), then its scales (split release only)
    uint64_t* empty_barriers = full_barriers + kNumStages;
    const uint32_t warp_idx = __shfl_sync(0xffffffffu, threadIdx.x / 32, 0);
    const uint32_t lane_idx = threadIdx.x % 32;

    if (threadIdx.x == kNumMathThreads) {
      // Swizzle patterns and descriptors assume a 1024-aligned base, and a clustered launch must match
      // the compiled cluster with an even block count along the multicast dimension (the host checks
      // it); stop loudly otherwise.
      if ((ptx::smem_u32(smem) & 1023u) != 0 || gridDim.x % kClusterSize != 0) __trap();
      if constexpr (kClusterSize > 1) {
        if (ptx::cluster_nctarank() != kClusterSize || !Sched::pairs_share_multicast_block(args)) __trap();
      }
      ptx::prefetch_tensormap(&args.tma_a);
      ptx::prefetch_tensormap(&args.tma_b);
      ptx::prefetch_tensormap(&args.tma_sfa);
      ptx::prefetch_tensormap(&args.tma_sfb);
      ptx::prefetch_tensormap(&args.tma_d);
      for (uint32_t s = 0; s < kNumStages; ++s) {
        ptx::mbarrier_init(&full_barriers[s], 1);                          // the producer's arrive.expect_tx
        // every math warp of every CTA in the cluster releases the stage (and its scales) once
        ptx::mbarrier_init(&empty_barriers[s], kClusterSize * kNumMathThreads / 32);
        ptx::mbarrier_init(&empty_barriers[kNumStages + s], kClusterSize * kNumMathThreads / 32);
      }
      ptx::fence_mbarrier_init_release_cluster();
      ptx::fence_proxy_async_shared_cta();
    }
    if constexpr (kClusterSize > 1) {
      ptx::barrier_cluster_arrive();
      ptx::barrier_cluster_wait();
    } else {
      __syncthreads();
    }
    // Programmatic dependent launch: nothing global (grouped_layout included) is read before this.
    ptx::griddepcontrol_wait();

    if (threadIdx.x >= kNumMathThreads) {
      ptx::setmaxnreg_dec<kProducerRegisters>();
      if (warp_idx == kNumMathThreads / 32 && ptx::elect_sync()) produce(args, smem, full_barriers, empty_barriers);
    } else {
      ptx::setmaxnreg_inc<kMathRegisters>();
      consume(args, smem, full_barriers, empty_barriers, warp_idx, lane_idx);
    }
    // Clustered: the peer arrives on our barriers and multicasts into our stages; the protocols order
    // every such access before our last wait, and a cluster barrier at exit keeps both CTAs' shared
    // memory alive until the other is done with it (what compute-sanitizer's racecheck asks for).
    if constexpr (kClusterSize > 1) {
      ptx::barrier_cluster_arrive_unaligned();
      ptx::barrier_cluster_wait_unaligned();
    }
  }

  // One thread: stream the A, B, SFA and SFB K-blocks of every tile of this CTA into the ring.
  __device__ __forceinline__ static void produce(const GemmArgs& args, uint8_t* smem, uint64_t* full_barriers,
                                                 uint64_t* empty_barriers) {
    Sched sched(args, gridDim.x);
    PipelineState<kNumStages> pipe;
    const uint32_t cta_rank = kClusterSize > 1 ? ptx::cluster_ctarank() : 0;
    constexpr bool kShareA = kClusterN > 1;  // the cluster's CTAs sit side by side along N: same A rows
    constexpr bool kShareB = kClusterM > 1;  // ... along M: same B rows
    Tile tile;
    while (sched.next(tile)) {
      const int32_t a_row = static_cast<int32_t>(tile.m_block * BLOCK_M);
      const int32_t b_row = static_cast<int32_t>(tile.n_block * BLOCK_N);
      for (uint32_t kb = 0; kb < tile.num_k_blocks; ++kb) {
        // Wait until every consumer (of both CTAs when clustered) released this stage.
        ptx::mbarrier_try_wait_parity(&empty_barriers[pipe.stage], pipe.phase ^ 1);
        uint64_t* full = &full_barriers[pipe.stage];
        ptx::mbarrier_arrive_expect_tx(full, kTmaBytesPerStage);
        // K-block of this group in the concatenated K dimension (Normal: offset 0).
        const int32_t k_block = static_cast<int32_t>(tile.k_block_offset + kb);
        const int32_t k_idx = k_block * static_cast<int32_t>(BLOCK_K);
        ptx::cp_async_bulk_tensor_2d_load_or_multicast(&args.tma_a, full,
                                                       smem + SMEM_A_OFFSET + pipe.stage * SMEM_A_STAGE_BYTES, k_idx, a_row, kShareA, cta_rank);
        ptx::cp_async_bulk_tensor_2d_load_or_multicast(&args.tma_b, full,
                                                       smem + SMEM_B_OFFSET + pipe.stage * SMEM_B_STAGE_BYTES, k_idx, b_row, kShareB, cta_rank);
        // Split release: the scales may still be read by the promotion; they land on the same `full`.
        if constexpr (kSplitRelease) ptx::mbarrier_try_wait_parity(&empty_barriers[kNumStages + pipe.stage], pipe.phase ^ 1);
        ptx::cp_async_bulk_tensor_2d_load_or_multicast(&args.tma_sfa, full,
                                                       smem + SMEM_SFA_OFFSET + pipe.stage * SMEM_SFA_STAGE_BYTES, a_row, k_block, kShareA, cta_rank);
        ptx::cp_async_bulk_tensor_2d_load_or_multicast(&args.tma_sfb, full,
                                                       smem + SMEM_SFB_OFFSET + pipe.stage * SMEM_SFB_STAGE_BYTES, b_row, k_block, kShareB, cta_rank);
        pipe.advance();
      }
    }
    // Clustered: the peer's consumers arrive on our empty barriers and its multicasts land in our
    // stages; do not exit before the last kNumStages releases have landed.
    if constexpr (kClusterSize > 1) {
      for (uint32_t s = 0; s < kNumStages; ++s) {
        ptx::mbarrier_try_wait_parity(&empty_barriers[pipe.stage], pipe.phase ^ 1);
        if constexpr (kSplitRelease) ptx::mbarrier_try_wait_parity(&empty_barriers[kNumStages + pipe.stage], pipe.phase ^ 1);
        pipe.advance();
      }
    }
  }

  // A math warp releases a stage once per CTA of the cluster: lane r arrives on CTA r's barrier.
  __device__ __forceinline__ static void release_stage(uint64_t* empty, uint32_t lane_idx) {
    __syncwarp();
    if constexpr (kClusterSize == 1) {
      if (lane_idx == 0) ptx::mbarrier_arrive(empty);
    } else {
      if (lane_idx < kClusterSize) ptx::mbarrier_arrive_cluster(empty, lane_idx);
    }
  }

  // Where a math thread's wgmma operands start: the descriptors of stage 0, wave 0, k-slice 0 (its A
  // rows and B); only their low halves (the start address >> 4) move with stage, wave and k-slice.
  using Descriptors = ptx::WgmmaDescOrigins;

  // Same two choices as the 1D2D kernel's consumer (its comments say why), under the same macros.
#ifndef FP8LAB_KEEP_DESCRIPTORS
#define FP8LAB_KEEP_DESCRIPTORS 1
#endif
#ifndef FP8LAB_SPLIT_SERIAL_LOOP
#define FP8LAB_SPLIT_SERIAL_LOOP 1
#endif
  static constexpr bool kKeepDescriptors = FP8LAB_KEEP_DESCRIPTORS != 0;
  static constexpr bool kSplitSerialLoop = FP8LAB_SPLIT_SERIAL_LOOP != 0;

  // Split release: a stage's A and B tiles are released as soon as the K-block's wgmma groups
  // complete (`empty`), its scales after the promotion has read them (`scales_empty`); the producer
  // refills A and B first, so their loads run under the promotion, and the scales once they are free,
  // onto the same `full` barrier. Otherwise the whole stage is held through the promotion. Unset, it is
  // on for K-grouped GEMMs (their short per-group K-loops gained) and off for one GEMM (no gain
  // there); kernels/README.md has the runs. 1 or 0 forces it either way.
#ifdef FP8LAB_1D1D_SPLIT_RELEASE
  static constexpr bool kSplitRelease = FP8LAB_1D1D_SPLIT_RELEASE != 0;
#else
  static constexpr bool kSplitRelease = kGemmType == GemmType::KGrouped;
#endif

  // Wave w's wgmma group over one K-block on `stage`, run to completion: 4 x m64nNk32 into `accum`
  // (overwritten: scale-d 0 on the first k-slice), committed and waited for.
  __device__ __forceinline__ static void run_wgmma_group(float (&accum)[kNumAccum], const Descriptors& desc, uint32_t stage, uint32_t w) {
    const uint32_t a_lo = desc.a_lo + (stage * SMEM_A_STAGE_BYTES + w * WAVE_BLOCK_M * BLOCK_K) / 16;
    const uint32_t b_lo = desc.b_lo + stage * (SMEM_B_STAGE_BYTES / 16);
#pragma unroll
    for (uint32_t i = 0; i < kNumAccum; ++i) ptx::wgmma_fence_operand(accum[i]);
    ptx::wgmma_fence();
#pragma unroll
    for (uint32_t k = 0; k < BLOCK_K / WGMMA_K; ++k) {
      // A k32 slice is 32 bytes further along the 128-byte row (the hardware applies the swizzle).
      const uint64_t desc_a = ptx::wgmma_desc_from_halves(a_lo + k * WGMMA_K / 16, desc.hi);
      const uint64_t desc_b = ptx::wgmma_desc_from_halves(b_lo + k * WGMMA_K / 16, desc.hi);
      Mma::mma(accum, desc_a, desc_b, k > 0 ? 1u : 0u);
    }
    ptx::wgmma_commit_group();
#pragma unroll
    for (uint32_t i = 0; i < kNumAccum; ++i) ptx::wgmma_fence_operand(accum[i]);
    ptx::wgmma_wait_group<0>();
#pragma unroll
    for (uint32_t i = 0; i < kNumAccum; ++i) ptx::wgmma_fence_operand(accum[i]);
  }

  // Promotion of wave w's K-block, per element: rows r0 (accum 4i+0, 4i+1) and r1 (4i+2, 4i+3),
  // columns 8i + c0 and 8i + c0 + 1, each with its own B scale.
  __device__ __forceinline__ static void promote(float (&fin)[kNumAccum], const float (&accum)[kNumAccum], const float* sfa,
                                                 const float* sfb, uint32_t w, uint32_t r0, uint32_t r1, uint32_t c0) {
    const float sfa_0 = sfa[w * WAVE_BLOCK_M + r0];
    const float sfa_1 = sfa[w * WAVE_BLOCK_M + r1];
#pragma unroll
    for (uint32_t i = 0; i < kNumChunks; ++i) {
      const float2 sb = *reinterpret_cast<const float2*>(sfb + i * 8 + c0);
      fin[i * 4 + 0] += (sfa_0 * sb.x) * accum[i * 4 + 0];
      fin[i * 4 + 1] += (sfa_0 * sb.y) * accum[i * 4 + 1];
      fin[i * 4 + 2] += (sfa_1 * sb.x) * accum[i * 4 + 2];
      fin[i * 4 + 3] += (sfa_1 * sb.y) * accum[i * 4 + 3];
    }
  }

  // One tile's K-loop: per K-block, wait for the stage, run each valid wave's wgmma group to
  // completion, promote it with its scales, release the stage. kAllWavesValid: the caller checked
  // that every wave holds rows (wave_valid is then not read, and the loop has no test).
  template <bool kAllWavesValid>
  __device__ __forceinline__ static void k_loop(const Tile& tile, const bool (&wave_valid)[kNumWaves], float (&accum)[kNumAccum],
                                                float (&final_accum)[kNumWaves][kNumAccum], PipelineState<kNumStages>& pipe,
                                                const uint8_t* smem, uint64_t* full_barriers, uint64_t* empty_barriers,
                                                const Descriptors& desc, uint32_t r0, uint32_t r1, uint32_t c0, uint32_t lane_idx) {
    for (uint32_t kb = 0; kb < tile.num_k_blocks; ++kb) {
      ptx::mbarrier_try_wait_parity(&full_barriers[pipe.stage], pipe.phase);
      const float* sfa = reinterpret_cast<const float*>(smem + SMEM_SFA_OFFSET + pipe.stage * SMEM_SFA_STAGE_BYTES);
      const float* sfb = reinterpret_cast<const float*>(smem + SMEM_SFB_OFFSET + pipe.stage * SMEM_SFB_STAGE_BYTES);
      if constexpr (kSplitRelease) {
#pragma unroll
        for (uint32_t w = 0; w < kNumWaves; ++w) {
          const bool valid = kAllWavesValid || wave_valid[w];
          if (valid) run_wgmma_group(accum, desc, pipe.stage, w);
          // A and B are free once the last wave's group completed (waves past M run none).
          if (w == kNumWaves - 1) release_stage(&empty_barriers[pipe.stage], lane_idx);
          if (valid) promote(final_accum[w], accum, sfa, sfb, w, r0, r1, c0);
        }
        release_stage(&empty_barriers[kNumStages + pipe.stage], lane_idx);
      } else {
#pragma unroll
        for (uint32_t w = 0; w < kNumWaves; ++w) {
          if (!kAllWavesValid && !wave_valid[w]) continue;
          run_wgmma_group(accum, desc, pipe.stage, w);
          promote(final_accum[w], accum, sfa, sfb, w, r0, r1, c0);
        }
        // The scales were read from the stage above, so it is released only now (one arrive per warp;
        // warps without valid rows still waited `full` first, so the counts never run ahead).
        release_stage(&empty_barriers[pipe.stage], lane_idx);
      }
      pipe.advance();
    }
  }

  // Math warpgroups: wgmma + per-element promotion per K-block, then the fp32 reduce-add epilogue.
  __device__ __forceinline__ static void consume(const GemmArgs& args, uint8_t* smem, uint64_t* full_barriers,
                                                 uint64_t* empty_barriers, uint32_t warp_idx, uint32_t lane_idx) {
    uint8_t* smem_d = smem;  // [BLOCK_N / TMA_D_BLOCK_N][BLOCK_M][TMA_D_BLOCK_N] fp32, swizzled
    const uint32_t math_wg = warp_idx / 4;
    const uint32_t warp_in_wg = warp_idx % 4;
    // Accumulator rows of this thread inside one wave (fragment layout §9.7.15.5.1.1), and its first
    // column inside each n8 chunk.
    const uint32_t wg_row = math_wg * WGMMA_M;
    const uint32_t r0 = wg_row + warp_in_wg * 16 + lane_idx / 4;
    const uint32_t r1 = r0 + 8;
    const uint32_t c0 = 2 * (lane_idx % 4);
    Descriptors desc = ptx::wgmma_desc_origins_kmajor_sw128(smem + SMEM_A_OFFSET + wg_row * BLOCK_K, smem + SMEM_B_OFFSET);
    if constexpr (kKeepDescriptors) {
      desc.a_lo = runtime_value(desc.a_lo);
      desc.b_lo = runtime_value(desc.b_lo);
    }

    Sched sched(args, gridDim.x);
    PipelineState<kNumStages> pipe;
    Tile tile;
    while (sched.next(tile)) {
      const uint32_t m0 = tile.m_block * BLOCK_M;
      const uint32_t n0 = tile.n_block * BLOCK_N;
      // Waves of this WG holding rows of the problem (rows >= M are neither multiplied nor stored).
      bool wave_valid[kNumWaves];
      bool all_valid = true;
#pragma unroll
      for (uint32_t w = 0; w < kNumWaves; ++w) {
        wave_valid[w] = m0 + w * WAVE_BLOCK_M + wg_row < args.m;
        all_valid = all_valid && wave_valid[w];
      }

      float accum[kNumAccum];
      float final_accum[kNumWaves][kNumAccum];
#pragma unroll
      for (uint32_t w = 0; w < kNumWaves; ++w)
#pragma unroll
        for (uint32_t i = 0; i < kNumAccum; ++i) final_accum[w][i] = 0.0f;

      if (kSplitSerialLoop && all_valid)
        k_loop<kSplitSerialLoop>(tile, wave_valid, accum, final_accum, pipe, smem, full_barriers, empty_barriers, desc, r0, r1, c0, lane_idx);
      else
        k_loop<false>(tile, wave_valid, accum, final_accum, pipe, smem, full_barriers, empty_barriers, desc, r0, r1, c0, lane_idx);

      // -- epilogue: fp32 tile into the swizzled staging tile, then TMA reduce-add onto D ----------
      // The previous tile's reduce must have finished reading the staging tile.
      if (threadIdx.x < kNumDStores) ptx::cp_async_bulk_wait_group_read<0>();
      ptx::bar_sync(kMathBarrierId, kNumMathThreads);
#pragma unroll
      for (uint32_t w = 0; w < kNumWaves; ++w) {
        const uint32_t row0 = w * WAVE_BLOCK_M + r0;
        const bool swap = store_chunk(0, lane_idx) != 0;
#pragma unroll
        for (uint32_t i = 0; i < kNumChunks; ++i) {
          // 8-byte stores of chunk j = store_chunk(i, lane): conflict-free with the 128-byte swizzle
          // (checked in tools/check_invariants_1d1d.cu). Both register indices are constants.
          const uint32_t j = store_chunk(i, lane_idx);
          const uint32_t alt = kSwapChunks ? (i ^ 2) : i;
          const float v0 = swap ? final_accum[w][alt * 4 + 0] : final_accum[w][i * 4 + 0];
          const float v1 = swap ? final_accum[w][alt * 4 + 1] : final_accum[w][i * 4 + 1];
          const float v2 = swap ? final_accum[w][alt * 4 + 2] : final_accum[w][i * 4 + 2];
          const float v3 = swap ? final_accum[w][alt * 4 + 3] : final_accum[w][i * 4 + 3];
          *reinterpret_cast<float2*>(smem_d + d_offset(row0, j * 8 + c0)) = make_float2(v0, v1);
          *reinterpret_cast<float2*>(smem_d + d_offset(row0 + 8, j * 8 + c0)) = make_float2(v2, v3);
        }
      }
      // Generic-proxy writes -> visible to the TMA (async proxy), then one reduce-add per slab.
      ptx::fence_proxy_async_shared_cta();
      ptx::bar_sync(kMathBarrierId, kNumMathThreads);
      if (threadIdx.x < kNumDStores) {
        const uint32_t col = n0 + threadIdx.x * TMA_D_BLOCK_N;
        if (col < args.n) {
          // D is the 3D map {N, M, G}: rows past M (and columns past N) are clipped by the TMA.
          ptx::cp_reduce_async_bulk_tensor_3d_add(&args.tma_d, smem_d + threadIdx.x * (BLOCK_M * TMA_D_BLOCK_N * 4),
                                                  static_cast<int32_t>(col), static_cast<int32_t>(m0),
                                                  static_cast<int32_t>(tile.group));
        }
        ptx::cp_async_bulk_commit_group();
      }
      __syncwarp();
    }
    // Keep the staging tile alive until the last reduce has read it.
    if (threadIdx.x < kNumDStores) ptx::cp_async_bulk_wait_group_read<0>();
  }
};

// Entry point body; the generated translation unit wraps it in an extern "C" __global__ with
// __launch_bounds__(kNumThreads, 1) and a `const __grid_constant__ GemmArgs` parameter.
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t BLOCK_K, uint32_t kNumStages, uint32_t kNumMathWarpgroups,
          uint32_t kClusterM, uint32_t kClusterN, uint32_t kSwizzleA, uint32_t kSwizzleB, uint32_t kSwizzleD,
          uint32_t kNumSMs, GemmType kGemmType>
__device__ __forceinline__ void sm90_fp8_gemm_1d1d_impl(const GemmArgs& args) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  Sm90Fp8Gemm1D1D<BLOCK_M, BLOCK_N, BLOCK_K, kNumStages, kNumMathWarpgroups, kClusterM, kClusterN, kSwizzleA, kSwizzleB,
                  kSwizzleD, kNumSMs, kGemmType>::run(args);
#else
  __trap();
#endif
}

}  // namespace fp8lab
