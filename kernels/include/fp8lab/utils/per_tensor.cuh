// The accuracy study's comparison inputs:
//  - per-tensor FP8 cast: ONE scale for the whole tensor (amax / 448), found with a two-pass
//    reduction (per-CTA partial maxima, then every CTA of the cast reduces the partials itself), and
//    written as a constant into the SFA / SFB layouts the GEMM reads, so the very same GEMM kernel
//    (and the no-promotion variant) runs on it;
//  - an FP32 reference GEMM on the ORIGINAL FP32 inputs (not the dequantised FP8 ones), so the
//    study shows each scaling's quantisation error and not only the kernel's arithmetic.
#pragma once
#include "cast.cuh"
#include "reference_gemm.cuh"

namespace fp8lab::utils {

// Pass 1: partials[blockIdx.x] = max |x| over a grid-stride slice of x[count]. 256 threads.
__device__ __forceinline__ void amax_partials(const float* x, uint64_t count, float* partials) {
  __shared__ float scratch[8];
  float amax = 0.0f;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) amax = fmaxf(amax, fabsf(x[i]));
  amax = block_max_256(amax, scratch);
  if (threadIdx.x == 0) partials[blockIdx.x] = amax;
}

// Pass 2: each CTA reduces the `num_partials` maxima (a few thousand at most: cheap, and it needs no
// third launch), then casts its grid-stride slice with the one scale and fills scales[num_scales]
// (the whole SFA or SFB layout, padding included) with amax / 448. 256 threads.
__device__ __forceinline__ void cast_per_tensor(const float* x, uint8_t* q, uint64_t count, const float* partials,
                                                uint32_t num_partials, float* scales, uint32_t num_scales) {
  __shared__ float scratch[8];
  float amax = 0.0f;
  for (uint32_t i = threadIdx.x; i < num_partials; i += blockDim.x) amax = fmaxf(amax, partials[i]);
  amax = fmaxf(block_max_256(amax, scratch), kAmaxFloor);
  const float inv_scale = kFp8E4m3Max / amax;
  const uint64_t first = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = first; i < count; i += stride) q[i] = cvt_e4m3_f32(x[i] * inv_scale);
  for (uint64_t i = first; i < num_scales; i += stride) scales[i] = amax / kFp8E4m3Max;
}

constexpr uint32_t kRefF32StepK = 16;  // K per shared-memory stage

// FP32 operands for tiled_reference_gemm<kRefF32StepK>: 128 rows x 16 k per operand = 2048 values,
// 8 per thread, consecutive threads reading consecutive k; out-of-range rows and k read as 0.
struct F32Loader {
  const float* a; const float* b; uint32_t m, n, k;
  uint32_t m0 = blockIdx.y * kRefTile, n0 = blockIdx.x * kRefTile;

  __device__ __forceinline__ void fetch(uint32_t) {}  // reads go straight to shared memory in stage()
  __device__ __forceinline__ void stage(uint32_t k0, float (*a_tile)[kRefTile + 1], float (*b_tile)[kRefTile + 1]) {
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const uint32_t e = threadIdx.x + 256 * i;
      const uint32_t row = e / kRefF32StepK, kk = e % kRefF32StepK;
      const uint32_t kg = k0 + kk;
      a_tile[kk][row] = (m0 + row < m && kg < k) ? a[static_cast<uint64_t>(m0 + row) * k + kg] : 0.0f;
      b_tile[kk][row] = (n0 + row < n && kg < k) ? b[static_cast<uint64_t>(n0 + row) * k + kg] : 0.0f;
    }
  }
};

// ref fp32 [m, n] = a fp32 [m, k] · b fp32 [n, k]ᵀ, FP32 FMA. Grid (ceil(n/128), ceil(m/128)),
// 256 threads; the tiling of reference_gemm with FP32 operands. Any M, N, K.
__device__ __forceinline__ void reference_gemm_f32(const float* a, const float* b, float* ref, uint32_t m, uint32_t n, uint32_t k) {
  F32Loader loader{a, b, m, n, k};
  tiled_reference_gemm<kRefF32StepK>(loader, [=](uint32_t row, uint32_t col, float v) {
    ref[static_cast<uint64_t>(row) * n + col] = v;
  }, m, n, k);
}

}  // namespace fp8lab::utils
