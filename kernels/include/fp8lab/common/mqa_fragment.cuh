// Where the MQA-logits kernels' epilogue finds and leaves things in the wgmma accumulator fragment
// (§9.7.15.5.1.1), in one place for the plain and the paged kernel and for the CPU checks
// (tools/check_invariants_mqa.cu). The accumulator is [64 keys] x [N = queries (or tokens) x heads]:
// register 4i + e of quad lane t holds key row r0 + 8·(e >= 2) and column 8i + 2t + e % 2, and
// column c is (query c / heads, head c % heads).
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab {

// The weight a register of chunk i multiplies: column 8i + 2·quad_lane + (e % 2) of the [queries][heads] tile.
__host__ __device__ constexpr uint32_t mqa_weight_column(uint32_t chunk, uint32_t quad_lane, uint32_t e) {
  return chunk * 8 + 2 * quad_lane + e % 2;
}

// After the quad's head sum every lane holds the 2·queries values (query q, row half) at index
// 2q + half; lane t stores index 4n + t, so each is written once by one lane.
struct MqaStoreSlot {
  uint32_t query;  // query (token) inside the block
  uint32_t half;   // 0: key row r0, 1: key row r0 + 8
  bool live;       // false past the last value (fewer than 4 per store step)
};
__host__ __device__ constexpr MqaStoreSlot mqa_store_slot(uint32_t n, uint32_t quad_lane, uint32_t values_per_quad) {
  return MqaStoreSlot{2 * n + quad_lane / 2, quad_lane % 2, 4 * n + quad_lane < values_per_quad};
}

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
// FP8LAB_MQA_SPLIT_SUMS=1 (experiment, DeepGEMM's order): each row's two columns per chunk in
// chains of their own, half as deep.
#ifndef FP8LAB_MQA_SPLIT_SUMS
#define FP8LAB_MQA_SPLIT_SUMS 0
#endif

// The fused epilogue's reduction: for each of kGroups queries (tokens), relu(accum) x weight summed
// over this thread's kChunksPerGroup chunks of heads, then over the quad (the other heads' columns),
// times the key's scale once at the end (relu(x · s) = s · relu(x) for the non-negative quantisation
// scales). values[2g + half] is query g's logit for key row r0 + 8·half; every quad lane holds all.
template <uint32_t kGroups, uint32_t kChunksPerGroup, uint32_t kNumAccum, uint32_t kNumChunks>
__device__ __forceinline__ void mqa_head_sums(const float (&accum)[kNumAccum], const float2 (&weights)[kNumChunks],
                                              float scale_0, float scale_1, float (&values)[2 * kGroups]) {
#pragma unroll
  for (uint32_t g = 0; g < kGroups; ++g) {
    float sum_0 = 0.0f, sum_1 = 0.0f;
    // FP8LAB_MQA_SPLIT_SUMS: the second column of each pair in a chain of its own, added at the end.
    float sum_0b = 0.0f, sum_1b = 0.0f;
    float& odd_0 = FP8LAB_MQA_SPLIT_SUMS ? sum_0b : sum_0;
    float& odd_1 = FP8LAB_MQA_SPLIT_SUMS ? sum_1b : sum_1;
#pragma unroll
    for (uint32_t c = 0; c < kChunksPerGroup; ++c) {
      const uint32_t i = g * kChunksPerGroup + c;
      sum_0 = fmaf(fmaxf(accum[4 * i + 0], 0.0f), weights[i].x, sum_0);
      odd_0 = fmaf(fmaxf(accum[4 * i + 1], 0.0f), weights[i].y, odd_0);
      sum_1 = fmaf(fmaxf(accum[4 * i + 2], 0.0f), weights[i].x, sum_1);
      odd_1 = fmaf(fmaxf(accum[4 * i + 3], 0.0f), weights[i].y, odd_1);
    }
    if (FP8LAB_MQA_SPLIT_SUMS) sum_0 += sum_0b, sum_1 += sum_1b;
#pragma unroll
    for (uint32_t offset = 1; offset < 4; offset <<= 1) {
      sum_0 += __shfl_xor_sync(0xffffffffu, sum_0, offset);
      sum_1 += __shfl_xor_sync(0xffffffffu, sum_1, offset);
    }
    values[2 * g + 0] = sum_0 * scale_0;
    values[2 * g + 1] = sum_1 * scale_1;
  }
}

// The value quad lane `quad_lane` stores at store step n (index 4n + quad_lane, see mqa_store_slot),
// chosen with constant register indices: a dynamic index would put `values` in local memory.
template <uint32_t kValues>
__device__ __forceinline__ float mqa_store_value(const float (&values)[kValues], uint32_t n, uint32_t quad_lane) {
  float v = values[4 * n];
#pragma unroll
  for (uint32_t t = 1; t < 4; ++t)
    if (4 * n + t < kValues && quad_lane == t) v = values[4 * n + t];
  return v;
}
#endif

}  // namespace fp8lab
