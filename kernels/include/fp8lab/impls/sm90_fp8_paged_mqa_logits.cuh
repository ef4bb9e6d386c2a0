// FP8 paged MQA logits (decode) for sm_90a: the indexer's scoring step over a paged KV cache.
//
// For request b < batch and its decode token t < next_n:
//   logits[b·next_n + t, j] = Σ_h relu(q[b,t,h,:] · kv(j) · scale(j)) · weights[b·next_n + t, h]   j < context_lens[b, t]
//                           = -inf          context_lens[b, t] <= j < pages(b) · 64
//                           (not written)   j >= pages(b) · 64
// where pages(b) = ceil(max_t context_lens[b, t] / 64) and key j lives in page block_table[b, j / 64],
// row j % 64. DeepGEMM leaves everything outside the valid keys unspecified (its 2D context_lens
// path has no clean step); we also write -inf up to the end of the last page, nothing beyond it.
//
// The cache layout is DeepGEMM's "fused" one: uint8 [num_blocks, 64, 1, dim + 4], where each page
// holds its 64 rows of dim e4m3 values first and then the 64 fp32 scales (so a page is 64·(dim+4)
// bytes, its scales start at byte 64·dim). Two tensor maps read it: a 3D one {dim, 64, num_blocks}
// for the values and a 2D one {64, num_blocks} for the scales, both with the page stride.
//
// Work split: a request's pages are cut into splits of kNumMathWarpgroups pages (SPLIT_KV keys);
// math warpgroup g takes page s·kNumMathWarpgroups + g of split s. The metadata kernel below
// (sm90_paged_mqa_logits_metadata, DeepGEMM's get_paged_mqa_logits_metadata step) cuts the list of
// all (request, split) units into gridDim.x contiguous, equal runs; CTA c walks run c. One producer
// warp per math warpgroup streams that warpgroup's pages into its own KV ring (each page's id comes
// from the block table), and producer warp 0 also loads each request's Q (all next_n tokens, all
// heads: the wgmma B operand, N = next_n · heads) and weights into a Q ring.
//
// Shared memory (byte offsets from the dynamic base, aligned to 8·dim bytes for the swizzle):
//   Q stages       [kNumQStages][next_n · heads][dim]          e4m3, swizzle = dim bytes
//   KV stages      [kNumMathWarpgroups][kNumKVStages][64][dim]  e4m3, swizzle = dim bytes
//   weight stages  [kNumQStages][next_n · heads]                fp32
//   scale stages   [kNumMathWarpgroups][kNumKVStages][64]       fp32
//   barriers       full_q, empty_q [kNumQStages]; full_kv, empty_kv [kNumMathWarpgroups][kNumKVStages]
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

constexpr uint32_t kPagedBlockKV = 64;  // keys per page (DeepGEMM's sm90 block_kv)

// Pages a request spans: its longest token's context, in whole pages (negative lengths count as 0).
// Host-callable, like the cursor and the run starts below, so tools/check_invariants_mqa.cu walks
// the real schedule on the CPU.
__host__ __device__ __forceinline__ uint32_t request_pages(const int32_t* context_lens, uint32_t next_n, uint32_t b) {
  int32_t longest = 0;
  for (uint32_t t = 0; t < next_n; ++t) longest = context_lens[b * next_n + t] > longest ? context_lens[b * next_n + t] : longest;
  return ceil_div<uint32_t>(static_cast<uint32_t>(longest), kPagedBlockKV);
}

// Where CTA c's run starts, given the inclusive prefix sum of units per request: unit
// floor(total · c / num_sms), as (request, split). The request holding it is the first b with
// prefix[b] > unit, so requests without units are never a start; c = num_sms gives (batch, 0).
__host__ __device__ __forceinline__ void paged_run_start(const uint32_t* prefix, uint32_t batch, uint32_t c, uint32_t num_sms,
                                                         uint32_t& request, uint32_t& split) {
  const uint32_t total = batch > 0 ? prefix[batch - 1] : 0;
  const uint32_t unit = static_cast<uint32_t>(static_cast<uint64_t>(total) * c / num_sms);
  uint32_t lo = 0, hi = batch;
  while (lo < hi) {
    const uint32_t mid = (lo + hi) / 2;
    if (prefix[mid] > unit) hi = mid; else lo = mid + 1;
  }
  request = lo;
  split = lo < batch ? unit - (lo > 0 ? prefix[lo - 1] : 0) : 0;
}

// Walks the (request, split) units of one CTA's run, [schedule[c], schedule[c + 1]), skipping
// requests without pages. Every role of the CTA walks the same sequence.
template <uint32_t kPagesPerSplit>
struct PagedUnitCursor {
  const int32_t* context_lens;
  uint32_t next_n, batch;
  uint32_t request, split, pages;  // current unit; pages of the current request
  uint32_t end_request, end_split;

  __host__ __device__ __forceinline__ PagedUnitCursor(const int32_t* context_lens_, uint32_t next_n_, uint32_t batch_,
                                                      const uint32_t* schedule, uint32_t cta) {
    context_lens = context_lens_;
    next_n = next_n_;
    batch = batch_;
    request = schedule[2 * cta];
    split = schedule[2 * cta + 1];
    end_request = schedule[2 * cta + 2];
    end_split = schedule[2 * cta + 3];
    pages = request < batch ? request_pages(context_lens, next_n, request) : 0;
  }

  __host__ __device__ __forceinline__ bool done() const { return request == end_request && split == end_split; }

  __host__ __device__ __forceinline__ void advance() {
    if (++split * kPagesPerSplit < pages) return;
    split = 0;
    do {
      ++request;
      pages = request < batch ? request_pages(context_lens, next_n, request) : 0;
    } while (request < batch && pages == 0 && !done());
  }
};

template <uint32_t kNextN, uint32_t kNumHeads, uint32_t kHeadDim, uint32_t kNumQStages, uint32_t kNumKVStages,
          uint32_t kNumMathWarpgroups>
struct Sm90Fp8PagedMqaLogits {
  // ---- roles -----------------------------------------------------------------------------------
  static constexpr uint32_t kNumMathThreads = 128 * kNumMathWarpgroups;
  static constexpr uint32_t kNumThreads = kNumMathThreads + 128;  // + the producer warpgroup (one warp per math WG)
  static constexpr uint32_t kProducerRegisters = 40;
  static constexpr uint32_t kMathRegisters = kNumMathWarpgroups == 4 ? 104 : kNumMathWarpgroups == 2 ? 200 : 232;

  // ---- tile geometry ---------------------------------------------------------------------------
  static constexpr uint32_t WGMMA_M = kPagedBlockKV;        // one page per math warpgroup
  static constexpr uint32_t WGMMA_K = 32;
  static constexpr uint32_t WGMMA_N = kNextN * kNumHeads;   // every token and head of the request
  static constexpr uint32_t SPLIT_KV = kPagedBlockKV * kNumMathWarpgroups;
  static constexpr uint32_t kNumAccum = WGMMA_N / 2;
  static constexpr uint32_t kNumChunks = WGMMA_N / 8;
  static constexpr uint32_t kChunksPerToken = kNumHeads / 8;
  static constexpr uint32_t kValuesPerQuad = 2 * kNextN;    // (token, row r0 | r0 + 8) pairs a quad stores
  static constexpr uint32_t kStoresPerLane = ceil_div<uint32_t>(kValuesPerQuad, 4);

  // ---- shared-memory layout (bytes) --------------------------------------------------------------
  static constexpr uint32_t kSwizzleAlign = 8 * kHeadDim;
  static constexpr uint32_t SMEM_Q_STAGE_BYTES = WGMMA_N * kHeadDim;
  static constexpr uint32_t SMEM_KV_STAGE_BYTES = kPagedBlockKV * kHeadDim;
  static constexpr uint32_t SMEM_W_STAGE_BYTES = WGMMA_N * 4;
  static constexpr uint32_t SMEM_SCALE_STAGE_BYTES = kPagedBlockKV * 4;
  static constexpr uint32_t SMEM_Q_OFFSET = 0;
  static constexpr uint32_t SMEM_KV_OFFSET = SMEM_Q_OFFSET + kNumQStages * SMEM_Q_STAGE_BYTES;
  static constexpr uint32_t SMEM_W_OFFSET = SMEM_KV_OFFSET + kNumMathWarpgroups * kNumKVStages * SMEM_KV_STAGE_BYTES;
  static constexpr uint32_t SMEM_SCALE_OFFSET = SMEM_W_OFFSET + kNumQStages * SMEM_W_STAGE_BYTES;
  static constexpr uint32_t SMEM_BARRIER_OFFSET = SMEM_SCALE_OFFSET + kNumMathWarpgroups * kNumKVStages * SMEM_SCALE_STAGE_BYTES;
  static constexpr uint32_t kSmemBytes = SMEM_BARRIER_OFFSET + 2 * (kNumQStages + kNumMathWarpgroups * kNumKVStages) * 8;
  static constexpr uint32_t kQStageTxBytes = SMEM_Q_STAGE_BYTES + SMEM_W_STAGE_BYTES;
  static constexpr uint32_t kKVStageTxBytes = SMEM_KV_STAGE_BYTES + SMEM_SCALE_STAGE_BYTES;

  // ---- legality (mirrored in extension/src/core/mqa/mqaRules.ts) -------------------------------------
  static_assert(kNumHeads == 32 || kNumHeads == 64, "rule heads: heads must be 32 or 64");
  static_assert(kHeadDim == 64 || kHeadDim == 128, "rule head-dim: dim must be 64 or 128 (one swizzled row of 64 or 128 bytes)");
  static_assert(kNextN >= 1 && WGMMA_N <= 128, "rule next-n: next_n x heads must be at most 128 (the accumulator of one wgmma)");
  static_assert(kNumMathWarpgroups == 1 || kNumMathWarpgroups == 2 || kNumMathWarpgroups == 4,
                "rule math-warpgroups: 1, 2 or 4 math warpgroups (pages per split)");
  static_assert(kNumQStages >= 2 && kNumKVStages >= 2, "rule stages: at least 2 Q and 2 KV stages");
  static_assert(kSmemBytes <= 232448, "rule smem: the Q and KV stages exceed the 227 KB of shared memory");
  static_assert(SMEM_Q_STAGE_BYTES % kSwizzleAlign == 0 && SMEM_KV_STAGE_BYTES % kSwizzleAlign == 0 &&
                SMEM_KV_OFFSET % kSwizzleAlign == 0, "swizzled tiles must start on 8-row pattern boundaries");
  static_assert(128 * kProducerRegisters + kNumMathThreads * kMathRegisters <= 65536, "register file: setmaxnreg split exceeds 64K");

  using Mma = ptx::WgmmaFp8<WGMMA_N>;
  using Cursor = PagedUnitCursor<kNumMathWarpgroups>;

  __device__ __forceinline__ static void run(const PagedMqaLogitsArgs& args) {
    extern __shared__ __align__(1024) uint8_t smem[];
    uint64_t* full_q = reinterpret_cast<uint64_t*>(smem + SMEM_BARRIER_OFFSET);  // [kNumQStages]
    uint64_t* empty_q = full_q + kNumQStages;                                     // [kNumQStages]
    uint64_t* full_kv = empty_q + kNumQStages;                                    // [kNumMathWarpgroups][kNumKVStages]
    uint64_t* empty_kv = full_kv + kNumMathWarpgroups * kNumKVStages;             // [kNumMathWarpgroups][kNumKVStages]
    const uint32_t warp_idx = __shfl_sync(0xffffffffu, threadIdx.x / 32, 0);

    if (threadIdx.x == kNumMathThreads) {
      if ((ptx::smem_u32(smem) & (kSwizzleAlign - 1)) != 0) __trap();
      ptx::prefetch_tensormap(&args.tma_q);
      ptx::prefetch_tensormap(&args.tma_kv);
      ptx::prefetch_tensormap(&args.tma_kv_scales);
      ptx::prefetch_tensormap(&args.tma_weights);
      for (uint32_t s = 0; s < kNumQStages; ++s) {
        ptx::mbarrier_init(&full_q[s], 1);
        ptx::mbarrier_init(&empty_q[s], kNumMathThreads / 32);  // every math warp releases once
      }
      for (uint32_t s = 0; s < kNumMathWarpgroups * kNumKVStages; ++s) {
        ptx::mbarrier_init(&full_kv[s], 1);
        ptx::mbarrier_init(&empty_kv[s], 4);                    // the 4 warps of the ring's warpgroup
      }
      ptx::fence_mbarrier_init_release_cluster();
      ptx::fence_proxy_async_shared_cta();
    }
    __syncthreads();
    ptx::griddepcontrol_wait();

    if (threadIdx.x >= kNumMathThreads) {
      ptx::setmaxnreg_dec<kProducerRegisters>();
      const uint32_t ring = warp_idx - kNumMathThreads / 32;
      if (ring < kNumMathWarpgroups && ptx::elect_sync())
        produce(args, smem, full_q, empty_q, full_kv + ring * kNumKVStages, empty_kv + ring * kNumKVStages, ring);
    } else {
      ptx::setmaxnreg_inc<kMathRegisters>();
      const uint32_t ring = warp_idx / 4;
      consume(args, smem, full_q, empty_q, full_kv + ring * kNumKVStages, empty_kv + ring * kNumKVStages, warp_idx,
              threadIdx.x % 32);
    }
  }

  // One thread per ring: page `split · kNumMathWarpgroups + ring` of each unit it takes part in;
  // ring 0's thread also loads each request's Q and weights when the request changes.
  __device__ __forceinline__ static void produce(const PagedMqaLogitsArgs& args, uint8_t* smem, uint64_t* full_q,
                                                 uint64_t* empty_q, uint64_t* full_kv, uint64_t* empty_kv, uint32_t ring) {
    Cursor cursor(args.context_lens, kNextN, args.batch, args.schedule, blockIdx.x);
    PipelineState<kNumQStages> q_pipe;
    PipelineState<kNumKVStages> kv_pipe;
    uint32_t loaded_request = ~0u;
    uint8_t* kv_ring = smem + SMEM_KV_OFFSET + ring * kNumKVStages * SMEM_KV_STAGE_BYTES;
    uint8_t* scale_ring = smem + SMEM_SCALE_OFFSET + ring * kNumKVStages * SMEM_SCALE_STAGE_BYTES;
    // Page ids come from the block table, a dependent global read: the id of the NEXT unit is read
    // while this one is issued, so its latency overlaps the wait on the ring instead of stalling it.
    const auto page_of = [&](const Cursor& c) { return c.split * kNumMathWarpgroups + ring; };
    const auto page_id_of = [&](const Cursor& c) -> int32_t {
      const uint32_t page = page_of(c);
      return !c.done() && page < c.pages ? args.block_table[static_cast<uint64_t>(c.request) * args.block_table_stride + page] : 0;
    };
    int32_t page_id = page_id_of(cursor);
    while (!cursor.done()) {
      const uint32_t b = cursor.request, page = page_of(cursor), pages = cursor.pages;
      cursor.advance();
      const int32_t next_page_id = page_id_of(cursor);
      if (b != loaded_request) {
        loaded_request = b;
        if (ring == 0) {
          ptx::mbarrier_try_wait_parity(&empty_q[q_pipe.stage], q_pipe.phase ^ 1);
          uint64_t* q_full = &full_q[q_pipe.stage];
          ptx::mbarrier_arrive_expect_tx(q_full, kQStageTxBytes);
          // Q rows are (request, token, head): request b starts at row b · next_n · heads.
          ptx::cp_async_bulk_tensor_2d_load(&args.tma_q, q_full, smem + SMEM_Q_OFFSET + q_pipe.stage * SMEM_Q_STAGE_BYTES, 0,
                                            static_cast<int32_t>(b * WGMMA_N));
          ptx::cp_async_bulk_tensor_2d_load(&args.tma_weights, q_full, smem + SMEM_W_OFFSET + q_pipe.stage * SMEM_W_STAGE_BYTES,
                                            0, static_cast<int32_t>(b * kNextN));
          q_pipe.advance();
        }
      }
      if (page < pages) {  // else the request ends inside this split
        ptx::mbarrier_try_wait_parity(&empty_kv[kv_pipe.stage], kv_pipe.phase ^ 1);
        uint64_t* kv_full = &full_kv[kv_pipe.stage];
        ptx::mbarrier_arrive_expect_tx(kv_full, kKVStageTxBytes);
        ptx::cp_async_bulk_tensor_3d_load(&args.tma_kv, kv_full, kv_ring + kv_pipe.stage * SMEM_KV_STAGE_BYTES, 0, 0, page_id);
        ptx::cp_async_bulk_tensor_2d_load(&args.tma_kv_scales, kv_full, scale_ring + kv_pipe.stage * SMEM_SCALE_STAGE_BYTES, 0,
                                          page_id);
        kv_pipe.advance();
      }
      page_id = next_page_id;
    }
  }

  // Math warpgroup g: for each unit, its page (if the request has it) times the request's Q tile.
  // Fragment as in the plain kernel: key rows r0 = 16·warp + lane/4 and r0 + 8 of the page; in
  // chunk i the columns 8i + 2·(lane%4) + {0, 1}; column c is (token c / heads, head c % heads).
  __device__ __forceinline__ static void consume(const PagedMqaLogitsArgs& args, uint8_t* smem, uint64_t* full_q,
                                                 uint64_t* empty_q, uint64_t* full_kv, uint64_t* empty_kv,
                                                 uint32_t warp_idx, uint32_t lane_idx) {
    const uint32_t math_wg = warp_idx / 4;
    const uint32_t quad_lane = lane_idx % 4;
    const uint32_t row0 = (warp_idx % 4) * 16 + lane_idx / 4;  // key row inside the page
    const float kNegInf = -__int_as_float(0x7f800000);
    const uint8_t* kv_ring = smem + SMEM_KV_OFFSET + math_wg * kNumKVStages * SMEM_KV_STAGE_BYTES;
    const float* scale_ring = reinterpret_cast<const float*>(smem + SMEM_SCALE_OFFSET + math_wg * kNumKVStages * SMEM_SCALE_STAGE_BYTES);

    Cursor cursor(args.context_lens, kNextN, args.batch, args.schedule, blockIdx.x);
    PipelineState<kNumQStages> q_pipe;
    PipelineState<kNumKVStages> kv_pipe;
    uint32_t loaded_request = ~0u;
    const uint8_t* q_tile = nullptr;
    float2 weights[kNumChunks];
    float accum[kNumAccum];
    for (; !cursor.done(); cursor.advance()) {
      const uint32_t b = cursor.request;
      if (b != loaded_request) {
        // A new request: release the previous Q tile (its wgmmas completed) and take the next one.
        if (loaded_request != ~0u) {
          __syncwarp();
          if (lane_idx == 0) ptx::mbarrier_arrive(&empty_q[q_pipe.stage]);
          q_pipe.advance();
        }
        loaded_request = b;
        ptx::mbarrier_try_wait_parity(&full_q[q_pipe.stage], q_pipe.phase);
        q_tile = smem + SMEM_Q_OFFSET + q_pipe.stage * SMEM_Q_STAGE_BYTES;
        const float* w_tile = reinterpret_cast<const float*>(smem + SMEM_W_OFFSET + q_pipe.stage * SMEM_W_STAGE_BYTES);
#pragma unroll
        for (uint32_t i = 0; i < kNumChunks; ++i) weights[i] = *reinterpret_cast<const float2*>(w_tile + mqa_weight_column(i, quad_lane, 0));
      }
      const uint32_t page = cursor.split * kNumMathWarpgroups + math_wg;
      if (page >= cursor.pages) continue;

      ptx::mbarrier_try_wait_parity(&full_kv[kv_pipe.stage], kv_pipe.phase);
      const uint8_t* kv_tile = kv_ring + kv_pipe.stage * SMEM_KV_STAGE_BYTES;
      const float* scales = scale_ring + kv_pipe.stage * kPagedBlockKV;
      ptx::wgmma_fence_operands(accum);
      ptx::wgmma_fence();
#pragma unroll
      for (uint32_t k = 0; k < kHeadDim / WGMMA_K; ++k) {
        const uint64_t desc_a = ptx::make_wgmma_desc_kmajor_swizzled<kHeadDim>(kv_tile + k * WGMMA_K);
        const uint64_t desc_b = ptx::make_wgmma_desc_kmajor_swizzled<kHeadDim>(q_tile + k * WGMMA_K);
        Mma::mma(accum, desc_a, desc_b, k > 0 ? 1u : 0u);
      }
      ptx::wgmma_commit_group();
      ptx::wgmma_fence_operands(accum);
      const float scale_0 = scales[row0];
      const float scale_1 = scales[row0 + 8];
      ptx::wgmma_wait_group<0>();
      ptx::wgmma_fence_operands(accum);
      __syncwarp();
      if (lane_idx == 0) ptx::mbarrier_arrive(&empty_kv[kv_pipe.stage]);
      kv_pipe.advance();

      // ReLU · weight over this thread's heads, then over the quad, then the key's scale.
      float values[kValuesPerQuad];
      mqa_head_sums<kNextN, kChunksPerToken>(accum, weights, scale_0, scale_1, values);

      // Lane t of a quad stores values 4n + t: token 2n + t/2, key row r0 + 8·(t%2).
#pragma unroll
      for (uint32_t n = 0; n < kStoresPerLane; ++n) {
        const float v = mqa_store_value(values, n, quad_lane);
        const MqaStoreSlot slot = mqa_store_slot(n, quad_lane, kValuesPerQuad);
        const uint32_t key = page * kPagedBlockKV + row0 + 8 * slot.half;
        if (slot.live) {
          const uint32_t row = b * kNextN + slot.query;
          const bool valid = static_cast<int32_t>(key) < __ldg(args.context_lens + row);
          args.logits[static_cast<uint64_t>(row) * args.stride_logits + key] = valid ? v : kNegInf;
        }
      }
    }
  }
};

// The schedule: one CTA of kMetadataThreads threads cuts the (request, split) units of all requests
// into num_sms equal contiguous runs and writes where each starts, schedule[c] = (request, split),
// with schedule[num_sms] = (batch, 0). Dynamic shared memory: batch x 4 bytes (inclusive prefix sum
// of units per request). Requests without pages own no units and are never a run's start.
constexpr uint32_t kMetadataThreads = 1024;

__device__ __forceinline__ void sm90_paged_mqa_logits_metadata_impl(const int32_t* context_lens, uint32_t batch,
                                                                     uint32_t next_n, uint32_t split_kv,
                                                                     uint32_t num_sms, uint32_t* schedule) {
  extern __shared__ uint32_t prefix[];  // [batch] inclusive prefix sum of units
  __shared__ uint32_t warp_totals[kMetadataThreads / 32];
  const uint32_t tid = threadIdx.x, lane = tid % 32, warp = tid / 32;
  const uint32_t per_thread = ceil_div<uint32_t>(batch, kMetadataThreads);
  const uint32_t first = min(tid * per_thread, batch), last = min(first + per_thread, batch);
  ptx::griddepcontrol_wait();

  // Units of this thread's contiguous requests, as a running sum in place.
  uint32_t local = 0;
  for (uint32_t b = first; b < last; ++b) {
    local += ceil_div<uint32_t>(request_pages(context_lens, next_n, b) * kPagedBlockKV, split_kv);
    prefix[b] = local;
  }
  // Exclusive scan of the threads' totals: within each warp, then over the warps.
  uint32_t inclusive = local;
  for (uint32_t offset = 1; offset < 32; offset <<= 1) {
    const uint32_t other = __shfl_up_sync(0xffffffffu, inclusive, offset);
    if (lane >= offset) inclusive += other;
  }
  if (lane == 31) warp_totals[warp] = inclusive;
  __syncthreads();
  if (warp == 0) {
    uint32_t total = warp_totals[lane];
    for (uint32_t offset = 1; offset < 32; offset <<= 1) {
      const uint32_t other = __shfl_up_sync(0xffffffffu, total, offset);
      if (lane >= offset) total += other;
    }
    warp_totals[lane] = total;  // inclusive over warps
  }
  __syncthreads();
  const uint32_t before = (warp > 0 ? warp_totals[warp - 1] : 0) + inclusive - local;
  for (uint32_t b = first; b < last; ++b) prefix[b] += before;
  __syncthreads();

  for (uint32_t c = tid; c <= num_sms; c += kMetadataThreads) paged_run_start(prefix, batch, c, num_sms, schedule[2 * c], schedule[2 * c + 1]);
}

template <uint32_t kNextN, uint32_t kNumHeads, uint32_t kHeadDim, uint32_t kNumQStages, uint32_t kNumKVStages,
          uint32_t kNumMathWarpgroups>
__device__ __forceinline__ void sm90_fp8_paged_mqa_logits_impl(const PagedMqaLogitsArgs& args) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  Sm90Fp8PagedMqaLogits<kNextN, kNumHeads, kHeadDim, kNumQStages, kNumKVStages, kNumMathWarpgroups>::run(args);
#else
  __trap();
#endif
}

}  // namespace fp8lab
