// Inputs of the MQA-logits kernels, made on the GPU from counter-based random numbers (random.cuh)
// by DeepGEMM's test recipe: q = e4m3(randn) (no scale: the weights absorb it), keys quantised per
// token with scale = max(amax, 1e-4) / 448, weights = randn. Generating on the GPU keeps the large
// cases (a 4096-request paged cache is 4 Gi values) to milliseconds.
#pragma once
#include "fp8lab/utils/convert.cuh"
#include "fp8lab/utils/random.cuh"

namespace fp8lab::utils {

constexpr uint64_t kStreamMqaQ = 11, kStreamMqaKeys = 12, kStreamMqaWeights = 13;

// out[i] = e4m3(N(0, 1)) for i in [0, count); grid-stride.
__device__ __forceinline__ void fill_e4m3_normal(uint8_t* out, uint64_t count, uint64_t seed, uint64_t stream) {
  const uint64_t step = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += step)
    out[i] = cvt_e4m3_f32(standard_normal(random_bits(seed, stream, i)));
}

// out[i] = N(0, 1); grid-stride.
__device__ __forceinline__ void fill_f32_normal(float* out, uint64_t count, uint64_t seed, uint64_t stream) {
  const uint64_t step = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += step)
    out[i] = standard_normal(random_bits(seed, stream, i));
}

// Key row r: `dim` <= 128 values N(0, 1) quantised per token into values[0, dim) and *scale; one
// warp per row.
__device__ __forceinline__ void quantise_key_row(uint64_t r, uint32_t dim, uint64_t seed, uint8_t* values, float* scale) {
  const uint32_t lane = threadIdx.x % 32;
  float x[4];
  float amax = 0.0f;
#pragma unroll
  for (uint32_t i = 0; i < 4; ++i) {
    const uint32_t d = lane + 32 * i;
    x[i] = d < dim ? standard_normal(random_bits(seed, kStreamMqaKeys, r * dim + d)) : 0.0f;
    amax = fmaxf(amax, fabsf(x[i]));
  }
  for (int offset = 16; offset > 0; offset >>= 1) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, offset));
  const float s = fmaxf(amax, 1e-4f) / kFp8E4m3Max;
#pragma unroll
  for (uint32_t i = 0; i < 4; ++i) {
    const uint32_t d = lane + 32 * i;
    if (d < dim) values[d] = cvt_e4m3_f32(x[i] / s);
  }
  if (lane == 0) *scale = s;
}

// Plain keys: kv [rows, dim] e4m3, kv_scales [rows] fp32. Any launch shape (warps stride rows).
__device__ __forceinline__ void quantise_plain_keys(uint8_t* kv, float* kv_scales, uint64_t rows, uint32_t dim, uint64_t seed) {
  const uint64_t warps = static_cast<uint64_t>(gridDim.x) * blockDim.x / 32;
  for (uint64_t r = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; r < rows; r += warps)
    quantise_key_row(r, dim, seed, kv + r * dim, kv_scales + r);
}

// Paged keys in DeepGEMM's fused layout: page p holds 64 rows of dim e4m3 values, then their 64
// fp32 scales; pages are 64 · (dim + 4) bytes apart.
__device__ __forceinline__ void quantise_paged_keys(uint8_t* cache, uint64_t num_pages, uint32_t dim, uint64_t seed) {
  const uint64_t rows = num_pages * 64, page_bytes = 64ull * (dim + 4);
  const uint64_t warps = static_cast<uint64_t>(gridDim.x) * blockDim.x / 32;
  for (uint64_t r = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32; r < rows; r += warps) {
    uint8_t* page = cache + (r / 64) * page_bytes;
    quantise_key_row(r, dim, seed, page + (r % 64) * dim, reinterpret_cast<float*>(page + 64 * dim) + r % 64);
  }
}

}  // namespace fp8lab::utils
