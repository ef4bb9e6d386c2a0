// Split-K hand-over of one tile's fp32 accumulators between the kSplitK CTAs of a cluster (the 1D2D
// and BF16 kernels). Each rank r > 0 waits until rank 0 has emptied the exchange buffer of the
// previous tile, writes its accumulators into slot r - 1 of rank 0's buffer (st.shared::cluster) and
// arrives on rank 0's exchange-full barrier with release semantics; rank 0 waits for every rank
// (acquire), adds the slots into its own accumulators and frees them by arriving on each rank's
// exchange-empty barrier. A slot is [kNumWaves * kNumAccum / 4][kNumMathThreads] float4: consecutive
// threads write and read consecutive 16 bytes. `tile_index` counts this CTA's tiles (every rank of a
// cluster walks the same ones): the barriers' phase. Returns true on rank 0, which now holds the sum
// and stores the tile.
#pragma once
#include "fp8lab/ptx/cluster.cuh"
#include "fp8lab/ptx/mbarrier.cuh"

namespace fp8lab {

// Where accumulators 4j .. 4j+3 of wave w of math thread `thread` sit in a slot, in float4s.
template <uint32_t kNumAccum, uint32_t kNumMathThreads>
__host__ __device__ __forceinline__ uint32_t split_k_exchange_index(uint32_t w, uint32_t j, uint32_t thread) {
  return (w * (kNumAccum / 4) + j) * kNumMathThreads + thread;
}

template <uint32_t kSplitK, uint32_t kNumWaves, uint32_t kNumAccum, uint32_t kNumMathThreads>
__device__ __forceinline__ bool exchange_partial_sums(float (&accum)[kNumWaves][kNumAccum], uint8_t* exchange, uint32_t slot_bytes,
                                                      uint64_t* exchange_full, uint64_t* exchange_empty, uint32_t rank,
                                                      uint32_t tile_index) {
  const uint32_t parity = tile_index & 1;
  if (rank != 0) {
    ptx::mbarrier_try_wait_parity_acquire_cluster(exchange_empty, parity ^ 1);
    const uint32_t remote = ptx::mapa_shared_cluster(exchange, 0) + (rank - 1) * slot_bytes;
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w)
#pragma unroll
      for (uint32_t j = 0; j < kNumAccum / 4; ++j) {
        const uint32_t slot = split_k_exchange_index<kNumAccum, kNumMathThreads>(w, j, threadIdx.x);
        ptx::st_shared_cluster_v4_f32(remote + slot * 16, accum[w][4 * j], accum[w][4 * j + 1], accum[w][4 * j + 2],
                                      accum[w][4 * j + 3]);
      }
    ptx::mbarrier_arrive_release_cluster(exchange_full, 0);
    return false;
  }
  ptx::mbarrier_try_wait_parity_acquire_cluster(exchange_full, parity);
#pragma unroll
  for (uint32_t r = 1; r < kSplitK; ++r) {
    const float4* part = reinterpret_cast<const float4*>(exchange + (r - 1) * slot_bytes);
#pragma unroll
    for (uint32_t w = 0; w < kNumWaves; ++w)
#pragma unroll
      for (uint32_t j = 0; j < kNumAccum / 4; ++j) {
        const float4 v = part[split_k_exchange_index<kNumAccum, kNumMathThreads>(w, j, threadIdx.x)];
        accum[w][4 * j] += v.x;
        accum[w][4 * j + 1] += v.y;
        accum[w][4 * j + 2] += v.z;
        accum[w][4 * j + 3] += v.w;
      }
  }
#pragma unroll
  for (uint32_t r = 1; r < kSplitK; ++r) ptx::mbarrier_arrive_release_cluster(exchange_empty, r);
  return true;
}

}  // namespace fp8lab
