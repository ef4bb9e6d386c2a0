// FP32 -> FP8 e4m3 casts that write their FP32 scales straight into the layouts the GEMM reads
// (see gemm_args.h): scale = amax / 448 with amax clamped to >= 1e-4 (an all-zero group must not
// divide by zero), value = x * (448 / amax), rounded to nearest and saturated.
#pragma once
#include "convert.cuh"

namespace fp8lab::utils {

constexpr uint32_t kScaleGroup = 128;  // elements per scaling group along K (and rows per block)
constexpr float kAmaxFloor = 1e-4f;

__device__ __forceinline__ float warp_max(float v) {
  for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

// Per token (1x128): one warp per (row, k-block) group. x fp32 [rows, k] row-major ->
// q e4m3 [rows, k], sfa fp32 [ceil(k/128)][sfa_stride] (MN-major, sfa_stride = align(rows, 4)).
// Groups for the padding rows [rows, sfa_stride) write a zero scale, so the GEMM never reads
// uninitialised memory there. Launch: any number of 32-thread-multiple blocks covering
// sfa_stride * ceil(k/128) warps.
__device__ __forceinline__ void cast_per_token(const float* x, uint8_t* q, float* sfa, uint32_t rows, uint32_t k,
                                               uint32_t sfa_stride) {
  const uint32_t k_blocks = (k + kScaleGroup - 1) / kScaleGroup;
  const uint64_t group = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const uint32_t lane = threadIdx.x % 32;
  if (group >= static_cast<uint64_t>(sfa_stride) * k_blocks) return;
  // Consecutive warps take consecutive rows of one k-block: their scale writes are contiguous.
  const uint32_t kb = static_cast<uint32_t>(group / sfa_stride);
  const uint32_t row = static_cast<uint32_t>(group % sfa_stride);
  if (row >= rows) {
    if (lane == 0) sfa[static_cast<uint64_t>(kb) * sfa_stride + row] = 0.0f;
    return;
  }
  const float* src = x + static_cast<uint64_t>(row) * k;
  uint8_t* dst = q + static_cast<uint64_t>(row) * k;
  float v[4];
  float amax = 0.0f;
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const uint32_t col = kb * kScaleGroup + j * 32 + lane;
    v[j] = col < k ? src[col] : 0.0f;
    amax = fmaxf(amax, fabsf(v[j]));
  }
  amax = fmaxf(warp_max(amax), kAmaxFloor);
  const float inv_scale = kFp8E4m3Max / amax;
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const uint32_t col = kb * kScaleGroup + j * 32 + lane;
    if (col < k) dst[col] = cvt_e4m3_f32(v[j] * inv_scale);
  }
  if (lane == 0) sfa[static_cast<uint64_t>(kb) * sfa_stride + row] = amax / kFp8E4m3Max;
}

// Block-wide max over 256 threads (8 warps), result broadcast to every thread.
__device__ __forceinline__ float block_max_256(float v, float* scratch /* [8] shared */) {
  v = warp_max(v);
  if (threadIdx.x % 32 == 0) scratch[threadIdx.x / 32] = v;
  __syncthreads();
  float r = scratch[0];
#pragma unroll
  for (int w = 1; w < 8; ++w) r = fmaxf(r, scratch[w]);
  __syncthreads();  // scratch may be reused by the caller's next reduction
  return r;
}

// Per block (128x128): one 256-thread CTA per block; grid (ceil(k/128), ceil(rows/128)).
// x fp32 [rows, k] -> q e4m3 [rows, k], sfb fp32 [ceil(rows/128)][ceil(k/128)].
__device__ __forceinline__ void cast_per_block(const float* x, uint8_t* q, float* sfb, uint32_t rows, uint32_t k) {
  __shared__ float scratch[8];
  const uint32_t kb = blockIdx.x, rb = blockIdx.y;
  const uint32_t k_blocks = (k + kScaleGroup - 1) / kScaleGroup;
  constexpr uint32_t kPerThread = kScaleGroup * kScaleGroup / 256;
  float amax = 0.0f;
  for (uint32_t i = 0; i < kPerThread; ++i) {
    const uint32_t e = threadIdx.x + 256 * i;
    const uint32_t row = rb * kScaleGroup + e / kScaleGroup, col = kb * kScaleGroup + e % kScaleGroup;
    if (row < rows && col < k) amax = fmaxf(amax, fabsf(x[static_cast<uint64_t>(row) * k + col]));
  }
  amax = fmaxf(block_max_256(amax, scratch), kAmaxFloor);
  const float inv_scale = kFp8E4m3Max / amax;
  for (uint32_t i = 0; i < kPerThread; ++i) {
    const uint32_t e = threadIdx.x + 256 * i;
    const uint32_t row = rb * kScaleGroup + e / kScaleGroup, col = kb * kScaleGroup + e % kScaleGroup;
    if (row < rows && col < k) {
      const uint64_t at = static_cast<uint64_t>(row) * k + col;
      q[at] = cvt_e4m3_f32(x[at] * inv_scale);
    }
  }
  if (threadIdx.x == 0) sfb[static_cast<uint64_t>(rb) * k_blocks + kb] = amax / kFp8E4m3Max;
}

// Per channel: one scale per row over the whole of k; one 256-thread CTA per row.
// x fp32 [rows, k] -> q e4m3 [rows, k], scales fp32 [rows].
__device__ __forceinline__ void cast_per_channel(const float* x, uint8_t* q, float* scales, uint32_t rows, uint32_t k) {
  __shared__ float scratch[8];
  const uint32_t row = blockIdx.x;
  if (row >= rows) return;  // uniform across the CTA: no thread is left waiting at a barrier
  const float* src = x + static_cast<uint64_t>(row) * k;
  uint8_t* dst = q + static_cast<uint64_t>(row) * k;
  float amax = 0.0f;
  for (uint32_t col = threadIdx.x; col < k; col += 256) amax = fmaxf(amax, fabsf(src[col]));
  amax = fmaxf(block_max_256(amax, scratch), kAmaxFloor);
  const float inv_scale = kFp8E4m3Max / amax;
  for (uint32_t col = threadIdx.x; col < k; col += 256) dst[col] = cvt_e4m3_f32(src[col] * inv_scale);
  if (threadIdx.x == 0) scales[row] = amax / kFp8E4m3Max;
}

}  // namespace fp8lab::utils
