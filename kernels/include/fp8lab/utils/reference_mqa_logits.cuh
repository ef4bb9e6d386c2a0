// FP32 references for the MQA-logits kernels on the DEQUANTISED FP8 inputs: the formula as written,
// relu(Σ_d q·kv · scale) per head, times the head's weight, summed over heads in FP32. They read
// exactly the bytes the kernels read (the same Q, KV and scales, the same page layout), so a
// difference measures the kernel, not the quantisation, and they write exactly the contract:
//   plain:  every j < seq_kv of every row, -inf outside [ks[i], ke[i])
//   paged:  every j < pages(b)·64 of row b·next_n + t, -inf from context_lens[b, t] on; nothing beyond.
//
// SIMT: one CTA of 256 threads owns one output row and 64 keys. The row's Q is dequantised into
// shared memory once ([heads][dim] fp32), the 64 keys' rows likewise ([64][dim + 1]); thread
// (key k, head group g) sums heads g, g + 4, ... for key k and the four groups add up through
// shared memory. Slow and plain on purpose.
#pragma once
#include "fp8lab/mqa_args.h"
#include "fp8lab/utils/convert.cuh"

namespace fp8lab::utils {

constexpr uint32_t kRefMqaKeys = 64;
constexpr uint32_t kRefMqaThreads = 256;
constexpr uint32_t kRefMqaHeadGroups = kRefMqaThreads / kRefMqaKeys;

// Dynamic shared memory the reference CTA needs.
__host__ __device__ constexpr uint32_t reference_mqa_smem_bytes(uint32_t heads, uint32_t dim) {
  return (heads * dim + kRefMqaKeys * (dim + 1) + kRefMqaThreads) * 4;
}

__device__ __forceinline__ float e4m3_to_f32(uint8_t byte) {
  float lo, hi;
  cvt_f32x2_e4m3x2(byte, lo, hi);
  return lo;
}

// Row value of keys [key0, key0 + 64): `q` is the row's [heads][dim] e4m3, `key_row(k)` the e4m3
// row of key k of the tile (nullptr = no such key), `key_scale(k)` its scale, `weights` [heads].
// Returns the head sum for key threadIdx.x % 64 in every head group's thread 0 (group 0 writes).
template <typename KeyRow, typename KeyScale>
__device__ __forceinline__ float reference_mqa_tile(const uint8_t* q, const float* weights, uint32_t heads, uint32_t dim,
                                                    KeyRow key_row, KeyScale key_scale) {
  extern __shared__ float ref_smem[];
  float* q_f32 = ref_smem;                       // [heads][dim]
  float* kv_f32 = q_f32 + heads * dim;           // [64][dim + 1]
  float* partial = kv_f32 + kRefMqaKeys * (dim + 1);  // [256]
  for (uint32_t i = threadIdx.x; i < heads * dim; i += blockDim.x) q_f32[i] = e4m3_to_f32(q[i]);
  for (uint32_t i = threadIdx.x; i < kRefMqaKeys * dim; i += blockDim.x) {
    const uint32_t k = i / dim, d = i % dim;
    const uint8_t* row = key_row(k);
    kv_f32[k * (dim + 1) + d] = row != nullptr ? e4m3_to_f32(row[d]) : 0.0f;
  }
  __syncthreads();
  const uint32_t k = threadIdx.x % kRefMqaKeys, group = threadIdx.x / kRefMqaKeys;
  const float scale = key_row(k) != nullptr ? key_scale(k) : 0.0f;
  float sum = 0.0f;
  for (uint32_t h = group; h < heads; h += kRefMqaHeadGroups) {
    float dot = 0.0f;
    for (uint32_t d = 0; d < dim; ++d) dot += q_f32[h * dim + d] * kv_f32[k * (dim + 1) + d];
    sum += fmaxf(dot * scale, 0.0f) * weights[h];
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  float total = 0.0f;
  for (uint32_t g = 0; g < kRefMqaHeadGroups; ++g) total += partial[g * kRefMqaKeys + k];
  return total;
}

// Plain: grid (ceil(seq_kv / 64), seq_q), 256 threads, reference_mqa_smem_bytes(heads, dim).
// q e4m3 [seq_q, heads, dim], kv e4m3 [seq_kv, dim], kv_scales [seq_kv], weights [seq_q, heads].
__device__ __forceinline__ void reference_mqa_logits(const uint8_t* q, const uint8_t* kv, const float* kv_scales,
                                                     const float* weights, const int32_t* ks, const int32_t* ke,
                                                     float* logits, uint32_t seq_q, uint32_t seq_kv, uint32_t heads,
                                                     uint32_t dim, uint32_t stride_logits) {
  const uint32_t row = blockIdx.y, key0 = blockIdx.x * kRefMqaKeys;
  const auto key_row = [&](uint32_t k) -> const uint8_t* {
    return key0 + k < seq_kv ? kv + static_cast<uint64_t>(key0 + k) * dim : nullptr;
  };
  const auto key_scale = [&](uint32_t k) { return kv_scales[key0 + k]; };
  const float total = reference_mqa_tile(q + static_cast<uint64_t>(row) * heads * dim, weights + static_cast<uint64_t>(row) * heads,
                                         heads, dim, key_row, key_scale);
  const uint32_t j = key0 + threadIdx.x;
  if (threadIdx.x < kRefMqaKeys && j < seq_kv) {
    const bool in_window = ks[row] <= static_cast<int32_t>(j) && static_cast<int32_t>(j) < ke[row];
    logits[static_cast<uint64_t>(row) * stride_logits + j] = in_window ? total : -__int_as_float(0x7f800000);
  }
}

// Paged: grid (max pages per request, batch · next_n), 256 threads, reference_mqa_smem_bytes(heads, dim).
// q e4m3 [batch, next_n, heads, dim]; kv_cache uint8 [num_blocks][64 · (dim + 4)] (values, then
// scales); context_lens [batch, next_n]; block_table [batch, block_table_stride].
__device__ __forceinline__ void reference_paged_mqa_logits(const uint8_t* q, const uint8_t* kv_cache, const float* weights,
                                                           const int32_t* context_lens, const int32_t* block_table,
                                                           float* logits, uint32_t next_n, uint32_t heads, uint32_t dim,
                                                           uint32_t block_table_stride, uint32_t stride_logits) {
  const uint32_t row = blockIdx.y, b = row / next_n, page = blockIdx.x;
  int32_t longest = 0;
  for (uint32_t t = 0; t < next_n; ++t) longest = max(longest, context_lens[b * next_n + t]);
  const uint32_t pages = (static_cast<uint32_t>(longest) + kRefMqaKeys - 1) / kRefMqaKeys;
  if (page >= pages) return;
  const uint64_t page_bytes = static_cast<uint64_t>(kRefMqaKeys) * (dim + 4);
  const uint8_t* page_base = kv_cache + block_table[static_cast<uint64_t>(b) * block_table_stride + page] * page_bytes;
  const float* page_scales = reinterpret_cast<const float*>(page_base + kRefMqaKeys * dim);
  const auto key_row = [&](uint32_t k) -> const uint8_t* { return page_base + k * dim; };
  const auto key_scale = [&](uint32_t k) { return page_scales[k]; };
  const float total = reference_mqa_tile(q + static_cast<uint64_t>(row) * heads * dim, weights + static_cast<uint64_t>(row) * heads,
                                         heads, dim, key_row, key_scale);
  const uint32_t j = page * kRefMqaKeys + threadIdx.x;
  if (threadIdx.x < kRefMqaKeys) {
    const bool valid = static_cast<int32_t>(j) < context_lens[row];
    logits[static_cast<uint64_t>(row) * stride_logits + j] = valid ? total : -__int_as_float(0x7f800000);
  }
}

}  // namespace fp8lab::utils
