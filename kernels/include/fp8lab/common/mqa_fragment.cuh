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

}  // namespace fp8lab
