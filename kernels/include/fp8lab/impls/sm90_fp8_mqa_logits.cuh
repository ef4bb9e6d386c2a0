// FP8 MQA logits, the scoring step of DeepSeek-V3.2's lightning indexer, for sm_90a:
//
//   logits[i, j] = Σ_h relu(q[i,h,:] · kv[j,:] · kv_scale[j]) · weights[i,h]     for j in [ks[i], ke[i])
//                = -inf                                                          for other j < seq_kv
//
// q e4m3 [seq_q, heads, dim], kv e4m3 [seq_kv, dim] with one fp32 scale per key, weights fp32
// [seq_q, heads], logits fp32 [seq_q, stride_logits]. All heads share the one key/value head
// ("multi-query"), so one GEMM per tile computes every head at once: the KV tile is the wgmma A
// operand (64 keys per math warpgroup = M) and BLOCK_Q queries x all their heads are the B operand
// (N = BLOCK_Q · heads = 128). The head sum then runs along N, i.e. inside each thread's fragment
// plus a 4-lane shuffle, and the ReLU · weight · head-sum never leaves registers.
//
// Structure (DeepGEMM's sm90 design, our code): a persistent grid; each CTA walks query blocks
// blockIdx.x, blockIdx.x + gridDim.x, ...; for each, the keys [start, end) that any of its queries
// needs, in BLOCK_KV = 64 · kNumMathWarpgroups steps. One elected producer thread streams Q (+ the
// block's weights) into a ring of kNumQStages and KV (+ scales) into a ring of kNumKVStages, each
// stage with a full and an empty mbarrier; the math warpgroups wait on full, run dim/32 wgmma k32
// steps, release the KV stage, and reduce/store while the producer already refills it.
//
// The window is applied after this kernel, by sm90_mqa_clean_logits: this kernel stores every key
// of its block's key range as computed (a query's keys outside its own window included), and the
// clean kernel, which waits for it, writes -inf over every key outside each query's window
// (DeepGEMM's contract with clean_logits = true: every j < seq_kv of every row is written, -inf
// outside the window). The store then reads no window per value. Keys past seq_kv and queries past
// seq_q are never written, so the logits buffer needs no padding beyond stride_logits >= seq_kv.
//
// Shared memory (byte offsets from the dynamic base, aligned to 8·dim bytes for the swizzle):
//   Q stages       [kNumQStages][BLOCK_Q · heads][dim]  e4m3, swizzle = dim bytes
//   KV stages      [kNumKVStages][BLOCK_KV][dim]        e4m3, swizzle = dim bytes
//   weight stages  [kNumQStages][BLOCK_Q][heads]        fp32
//   scale stages   [kNumKVStages][BLOCK_KV]             fp32
//   barriers       full_q, empty_q [kNumQStages], full_kv, empty_kv [kNumKVStages]
// extension/src/core/mqa/mqaRules.ts mirrors this layout and every static_assert.
#pragma once
#include "fp8lab/common/math.cuh"
#include "fp8lab/common/mqa_fragment.cuh"
#include "fp8lab/common/pipeline.cuh"
#include "fp8lab/mqa_args.h"
#include "fp8lab/ptx/elect.cuh"
#include "fp8lab/ptx/fence.cuh"
#include "fp8lab/ptx/griddepcontrol.cuh"
#include "fp8lab/ptx/mbarrier.cuh"
#include "fp8lab/ptx/setmaxnreg.cuh"
#include "fp8lab/ptx/tma.cuh"
#include "fp8lab/ptx/wgmma.cuh"

namespace fp8lab {

// The half-open range of keys one block of queries needs: the union of their windows, clipped to
// [0, seq_kv), its start rounded down to a multiple of 4 keys (below). Producer and consumers compute
// it identically, so they agree on the step count.
struct KeyRange {
  uint32_t start;
  uint32_t num_blocks;
};

template <uint32_t BLOCK_Q, uint32_t BLOCK_KV>
__device__ __forceinline__ KeyRange block_key_range(const MqaLogitsArgs& args, uint32_t q_block) {
  int32_t lo = static_cast<int32_t>(args.seq_kv), hi = 0;
#pragma unroll
  for (uint32_t i = 0; i < BLOCK_Q; ++i) {
    const uint32_t q = q_block * BLOCK_Q + i;
    if (q < args.seq_q) {
      const int32_t ks = max(args.ks[q], 0);
      const int32_t ke = min(args.ke[q], static_cast<int32_t>(args.seq_kv));
      if (ks < ke) {  // an empty window needs no keys
        lo = min(lo, ks);
        hi = max(hi, ke);
      }
    }
  }
  if (hi <= lo) return {0, 0};
  // The key scales come by TMA as one fp32 box per step, and a box must start on a 16-byte boundary
  // of the tensor (an unaligned start faults as an illegal instruction): start at a multiple of 4
  // keys. The up to 3 keys added lie outside every window of the block and the clean kernel writes
  // -inf over them, as the contract asks anyway.
  lo &= ~3;
  return {static_cast<uint32_t>(lo), ceil_div<uint32_t>(hi - lo, BLOCK_KV)};
}

template <uint32_t kNumHeads, uint32_t kHeadDim, uint32_t kNumQStages, uint32_t kNumKVStages,
          uint32_t kNumMathWarpgroups>
struct Sm90Fp8MqaLogits {
  // ---- roles -----------------------------------------------------------------------------------
  static constexpr uint32_t kNumMathThreads = 128 * kNumMathWarpgroups;
  static constexpr uint32_t kNumThreads = kNumMathThreads + 128;  // + the producer warpgroup
  // The producer needs few registers; the math threads hold a 64-float accumulator and the
  // weights. 128·32 + 512·112 = 61,440 of the 64K register file with four math warpgroups.
  static constexpr uint32_t kProducerRegisters = 32;
  static constexpr uint32_t kMathRegisters = kNumMathWarpgroups == 4 ? 112 : kNumMathWarpgroups == 2 ? 208 : 240;

  // ---- tile geometry ---------------------------------------------------------------------------
  static constexpr uint32_t WGMMA_M = 64;
  static constexpr uint32_t WGMMA_K = 32;
  static constexpr uint32_t WGMMA_N = 128;                    // BLOCK_Q queries x all heads
  static constexpr uint32_t BLOCK_Q = WGMMA_N / kNumHeads;
  static constexpr uint32_t BLOCK_KV = WGMMA_M * kNumMathWarpgroups;
  static constexpr uint32_t kNumAccum = WGMMA_N / 2;          // f32 accumulators per thread
  static constexpr uint32_t kNumChunks = WGMMA_N / 8;         // n8 column chunks of the fragment
  static constexpr uint32_t kChunksPerQuery = kNumHeads / 8;
  static constexpr uint32_t kValuesPerQuad = 2 * BLOCK_Q;     // (query, row r0 | r0 + 8) pairs a quad stores
  static constexpr uint32_t kStoresPerLane = ceil_div<uint32_t>(kValuesPerQuad, 4);

  // ---- shared-memory layout (bytes) --------------------------------------------------------------
  static constexpr uint32_t kSwizzleAlign = 8 * kHeadDim;     // one 8-row swizzle pattern
  static constexpr uint32_t SMEM_Q_STAGE_BYTES = BLOCK_Q * kNumHeads * kHeadDim;
  static constexpr uint32_t SMEM_KV_STAGE_BYTES = BLOCK_KV * kHeadDim;
  static constexpr uint32_t SMEM_W_STAGE_BYTES = BLOCK_Q * kNumHeads * 4;
  static constexpr uint32_t SMEM_SCALE_STAGE_BYTES = BLOCK_KV * 4;
  static constexpr uint32_t SMEM_Q_OFFSET = 0;
  static constexpr uint32_t SMEM_KV_OFFSET = SMEM_Q_OFFSET + kNumQStages * SMEM_Q_STAGE_BYTES;
  static constexpr uint32_t SMEM_W_OFFSET = SMEM_KV_OFFSET + kNumKVStages * SMEM_KV_STAGE_BYTES;
  static constexpr uint32_t SMEM_SCALE_OFFSET = SMEM_W_OFFSET + kNumQStages * SMEM_W_STAGE_BYTES;
  static constexpr uint32_t SMEM_BARRIER_OFFSET = SMEM_SCALE_OFFSET + kNumKVStages * SMEM_SCALE_STAGE_BYTES;
  static constexpr uint32_t kSmemBytes = SMEM_BARRIER_OFFSET + 2 * (kNumQStages + kNumKVStages) * 8;
  // TMA bytes per stage (every box counts in full, out-of-bounds parts are zero-filled).
  static constexpr uint32_t kQStageTxBytes = SMEM_Q_STAGE_BYTES + SMEM_W_STAGE_BYTES;
  static constexpr uint32_t kKVStageTxBytes = SMEM_KV_STAGE_BYTES + SMEM_SCALE_STAGE_BYTES;

  // ---- legality (mirrored in extension/src/core/mqa/mqaRules.ts) -------------------------------------
  static_assert(kNumHeads == 32 || kNumHeads == 64, "rule heads: heads must be 32 or 64 (BLOCK_Q x heads = 128 = wgmma N)");
  static_assert(kHeadDim == 64 || kHeadDim == 128, "rule head-dim: dim must be 64 or 128 (one swizzled row of 64 or 128 bytes)");
  static_assert(kNumMathWarpgroups == 1 || kNumMathWarpgroups == 2 || kNumMathWarpgroups == 4,
                "rule math-warpgroups: 1, 2 or 4 math warpgroups (BLOCK_KV = 64 x that)");
  static_assert(kNumQStages >= 2 && kNumKVStages >= 2, "rule stages: at least 2 Q and 2 KV stages");
  static_assert(kSmemBytes <= 232448, "rule smem: the Q and KV stages exceed the 227 KB of shared memory");
  static_assert(SMEM_Q_STAGE_BYTES % kSwizzleAlign == 0 && SMEM_KV_STAGE_BYTES % kSwizzleAlign == 0 &&
                SMEM_KV_OFFSET % kSwizzleAlign == 0, "swizzled tiles must start on 8-row pattern boundaries");
  static_assert(SMEM_BARRIER_OFFSET % 8 == 0, "mbarriers are 8-byte aligned");
  static_assert(128 * kProducerRegisters + kNumMathThreads * kMathRegisters <= 65536, "register file: setmaxnreg split exceeds 64K");

  using Mma = ptx::WgmmaFp8<WGMMA_N>;


  __device__ __forceinline__ static void run(const MqaLogitsArgs& args) {
    extern __shared__ __align__(1024) uint8_t smem[];
    uint64_t* full_q = reinterpret_cast<uint64_t*>(smem + SMEM_BARRIER_OFFSET);  // [kNumQStages]
    uint64_t* empty_q = full_q + kNumQStages;                                     // [kNumQStages]
    uint64_t* full_kv = empty_q + kNumQStages;                                    // [kNumKVStages]
    uint64_t* empty_kv = full_kv + kNumKVStages;                                  // [kNumKVStages]
    const uint32_t warp_idx = __shfl_sync(0xffffffffu, threadIdx.x / 32, 0);

    if (threadIdx.x == kNumMathThreads) {
      // The swizzle patterns and descriptors assume an aligned base; stop loudly otherwise.
      if ((ptx::smem_u32(smem) & (kSwizzleAlign - 1)) != 0) __trap();
      ptx::prefetch_tensormap(&args.tma_q);
      ptx::prefetch_tensormap(&args.tma_kv);
      ptx::prefetch_tensormap(&args.tma_kv_scales);
      ptx::prefetch_tensormap(&args.tma_weights);
      for (uint32_t s = 0; s < kNumQStages; ++s) {
        ptx::mbarrier_init(&full_q[s], 1);                       // the producer's arrive.expect_tx
        ptx::mbarrier_init(&empty_q[s], kNumMathThreads / 32);   // every math warp releases once
      }
      for (uint32_t s = 0; s < kNumKVStages; ++s) {
        ptx::mbarrier_init(&full_kv[s], 1);
        ptx::mbarrier_init(&empty_kv[s], kNumMathThreads / 32);
      }
      ptx::fence_mbarrier_init_release_cluster();
      ptx::fence_proxy_async_shared_cta();
    }
    __syncthreads();
    // Programmatic dependent launch: nothing global is read before this.
    ptx::griddepcontrol_wait();

    if (threadIdx.x >= kNumMathThreads) {
      ptx::setmaxnreg_dec<kProducerRegisters>();
      if (warp_idx == kNumMathThreads / 32 && ptx::elect_sync()) produce(args, smem, full_q, empty_q, full_kv, empty_kv);
    } else {
      ptx::setmaxnreg_inc<kMathRegisters>();
      consume(args, smem, full_q, empty_q, full_kv, empty_kv, warp_idx, threadIdx.x % 32);
    }
  }

  // One thread: for each query block of this CTA, its Q tile and weights, then every KV block of
  // its key range with the keys' scales. The Q ring lets the next block's Q arrive while the math
  // warpgroups finish this block's last KV steps.
  __device__ __forceinline__ static void produce(const MqaLogitsArgs& args, uint8_t* smem, uint64_t* full_q,
                                                 uint64_t* empty_q, uint64_t* full_kv, uint64_t* empty_kv) {
    const uint32_t num_q_blocks = ceil_div<uint32_t>(args.seq_q, BLOCK_Q);
    PipelineState<kNumQStages> q_pipe;
    PipelineState<kNumKVStages> kv_pipe;
    for (uint32_t q_block = blockIdx.x; q_block < num_q_blocks; q_block += gridDim.x) {
      const KeyRange keys = block_key_range<BLOCK_Q, BLOCK_KV>(args, q_block);

      ptx::mbarrier_try_wait_parity(&empty_q[q_pipe.stage], q_pipe.phase ^ 1);
      uint64_t* q_full = &full_q[q_pipe.stage];
      ptx::mbarrier_arrive_expect_tx(q_full, kQStageTxBytes);
      // Q rows are (query, head) pairs: query block b starts at row b · BLOCK_Q · heads.
      ptx::cp_async_bulk_tensor_2d_load(&args.tma_q, q_full, smem + SMEM_Q_OFFSET + q_pipe.stage * SMEM_Q_STAGE_BYTES, 0,
                                        static_cast<int32_t>(q_block * BLOCK_Q * kNumHeads));
      ptx::cp_async_bulk_tensor_2d_load(&args.tma_weights, q_full, smem + SMEM_W_OFFSET + q_pipe.stage * SMEM_W_STAGE_BYTES, 0,
                                        static_cast<int32_t>(q_block * BLOCK_Q));
      q_pipe.advance();

      for (uint32_t kb = 0; kb < keys.num_blocks; ++kb) {
        ptx::mbarrier_try_wait_parity(&empty_kv[kv_pipe.stage], kv_pipe.phase ^ 1);
        uint64_t* kv_full = &full_kv[kv_pipe.stage];
        ptx::mbarrier_arrive_expect_tx(kv_full, kKVStageTxBytes);
        const int32_t key0 = static_cast<int32_t>(keys.start + kb * BLOCK_KV);
        ptx::cp_async_bulk_tensor_2d_load(&args.tma_kv, kv_full, smem + SMEM_KV_OFFSET + kv_pipe.stage * SMEM_KV_STAGE_BYTES, 0, key0);
        ptx::cp_async_bulk_tensor_2d_load(&args.tma_kv_scales, kv_full,
                                          smem + SMEM_SCALE_OFFSET + kv_pipe.stage * SMEM_SCALE_STAGE_BYTES, key0, 0);
        kv_pipe.advance();
      }
    }
  }

  // Math warpgroup wg owns keys [64·wg, 64·wg + 64) of each KV block. Accumulator fragment
  // (§9.7.15.5.1.1): this thread holds key rows r0 = 16·warp + lane/4 and r0 + 8 of its 64, and in
  // each n8 chunk i the columns 8i + 2·(lane%4) + {0, 1}; column c is (query c / heads, head c % heads).
  __device__ __forceinline__ static void consume(const MqaLogitsArgs& args, uint8_t* smem, uint64_t* full_q,
                                                 uint64_t* empty_q, uint64_t* full_kv, uint64_t* empty_kv,
                                                 uint32_t warp_idx, uint32_t lane_idx) {
    const uint32_t math_wg = warp_idx / 4;
    const uint32_t quad_lane = lane_idx % 4;
    const uint32_t row0 = math_wg * WGMMA_M + (warp_idx % 4) * 16 + lane_idx / 4;  // key row inside the KV block
    const uint32_t num_q_blocks = ceil_div<uint32_t>(args.seq_q, BLOCK_Q);

    PipelineState<kNumQStages> q_pipe;
    PipelineState<kNumKVStages> kv_pipe;
    float accum[kNumAccum];
    for (uint32_t q_block = blockIdx.x; q_block < num_q_blocks; q_block += gridDim.x) {
      const KeyRange keys = block_key_range<BLOCK_Q, BLOCK_KV>(args, q_block);

      // After the head sum every lane of a quad holds all 2·BLOCK_Q values of its two key rows; lane
      // t stores values 4n + t (query 2n + t/2, row r0 + 8·(t%2)), so a quad writes each value once.
      const uint32_t q0 = q_block * BLOCK_Q;

      ptx::mbarrier_try_wait_parity(&full_q[q_pipe.stage], q_pipe.phase);
      const uint8_t* q_tile = smem + SMEM_Q_OFFSET + q_pipe.stage * SMEM_Q_STAGE_BYTES;
      // This thread's weights: chunk i, column 8i + 2·(lane%4) + e of the [BLOCK_Q][heads] tile.
      const float* w_tile = reinterpret_cast<const float*>(smem + SMEM_W_OFFSET + q_pipe.stage * SMEM_W_STAGE_BYTES);
      float2 weights[kNumChunks];
#pragma unroll
      for (uint32_t i = 0; i < kNumChunks; ++i) weights[i] = *reinterpret_cast<const float2*>(w_tile + mqa_weight_column(i, quad_lane, 0));

      for (uint32_t kb = 0; kb < keys.num_blocks; ++kb) {
        ptx::mbarrier_try_wait_parity(&full_kv[kv_pipe.stage], kv_pipe.phase);
        const uint8_t* kv_tile = smem + SMEM_KV_OFFSET + kv_pipe.stage * SMEM_KV_STAGE_BYTES;
        const float* scales = reinterpret_cast<const float*>(smem + SMEM_SCALE_OFFSET + kv_pipe.stage * SMEM_SCALE_STAGE_BYTES);

        // [64 keys, dim] · [BLOCK_Q·heads, dim]ᵀ in dim/32 k32 steps.
        ptx::wgmma_fence_operands(accum);
        ptx::wgmma_fence();
#pragma unroll
        for (uint32_t k = 0; k < kHeadDim / WGMMA_K; ++k) {
          const uint64_t desc_a = ptx::make_wgmma_desc_kmajor_swizzled<kHeadDim>(kv_tile + math_wg * WGMMA_M * kHeadDim + k * WGMMA_K);
          const uint64_t desc_b = ptx::make_wgmma_desc_kmajor_swizzled<kHeadDim>(q_tile + k * WGMMA_K);
          Mma::mma(accum, desc_a, desc_b, k > 0 ? 1u : 0u);
        }
        ptx::wgmma_commit_group();
        ptx::wgmma_fence_operands(accum);
        const float scale_0 = scales[row0];
        const float scale_1 = scales[row0 + 8];
        ptx::wgmma_wait_group<0>();
        ptx::wgmma_fence_operands(accum);
        // The KV tile and its scales are consumed: let the producer refill the stage now, so the
        // next load overlaps the reduction below.
        __syncwarp();
        if (lane_idx == 0) ptx::mbarrier_arrive(&empty_kv[kv_pipe.stage]);
        kv_pipe.advance();

        // ReLU · weight, summed over each query's heads, times the key's scale (rows r0 and r0 + 8).
        float values[kValuesPerQuad];
        mqa_head_sums<BLOCK_Q, kChunksPerQuery>(accum, weights, scale_0, scale_1, values);

        const uint32_t key_base = keys.start + kb * BLOCK_KV + row0;
#pragma unroll
        for (uint32_t n = 0; n < kStoresPerLane; ++n) {
          const float v = mqa_store_value(values, n, quad_lane);
          const MqaStoreSlot slot = mqa_store_slot(n, quad_lane, kValuesPerQuad);
          const uint32_t q = q0 + slot.query;
          const uint32_t key = key_base + 8 * slot.half;
          if (slot.live && q < args.seq_q && key < args.seq_kv)
            args.logits[static_cast<uint64_t>(q) * args.stride_logits + key] = v;
        }
      }
      // Every wgmma reading this Q tile has completed (wait_group 0 above): release it.
      __syncwarp();
      if (lane_idx == 0) ptx::mbarrier_arrive(&empty_q[q_pipe.stage]);
      q_pipe.advance();
    }
  }
};

// Writes -inf to every key j < seq_kv outside [ks[i], ke[i]) of row i: the window, which the main
// kernel does not apply. One warp per row, rows strided over the grid. The main kernel stores scores
// over some of these keys (its block's range is the union of its queries' windows), so this kernel
// must run after it: griddepcontrol.wait below waits for the main grid to complete and its stores to
// be visible, with or without programmatic dependent launch.
__device__ __forceinline__ void sm90_mqa_clean_logits_impl(const MqaLogitsArgs& args) {
  const float kNegInf = -__int_as_float(0x7f800000);
  const uint32_t lane = threadIdx.x % 32;
  const uint32_t warps_per_cta = blockDim.x / 32;
  const uint32_t seq_kv = args.seq_kv;
  ptx::griddepcontrol_wait();
  for (uint32_t row = blockIdx.x * warps_per_cta + threadIdx.x / 32; row < args.seq_q; row += gridDim.x * warps_per_cta) {
    const int32_t lo = min(max(args.ks[row], 0), static_cast<int32_t>(seq_kv));
    const int32_t hi = max(min(args.ke[row], static_cast<int32_t>(seq_kv)), lo);  // an empty window is all -inf
    float* out = args.logits + static_cast<uint64_t>(row) * args.stride_logits;
    for (int32_t j = static_cast<int32_t>(lane); j < lo; j += 32) out[j] = kNegInf;
    for (int32_t j = hi + static_cast<int32_t>(lane); j < static_cast<int32_t>(seq_kv); j += 32) out[j] = kNegInf;
  }
}

// Entry point body; the generated translation unit wraps it in an extern "C" __global__ with
// __launch_bounds__(kNumThreads, 1) and a `const __grid_constant__ MqaLogitsArgs` parameter.
template <uint32_t kNumHeads, uint32_t kHeadDim, uint32_t kNumQStages, uint32_t kNumKVStages, uint32_t kNumMathWarpgroups>
__device__ __forceinline__ void sm90_fp8_mqa_logits_impl(const MqaLogitsArgs& args) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  Sm90Fp8MqaLogits<kNumHeads, kHeadDim, kNumQStages, kNumKVStages, kNumMathWarpgroups>::run(args);
#else
  __trap();
#endif
}

}  // namespace fp8lab
