// Helpers of the BF16 GEMM's checks: the FP32 -> BF16 cast of random inputs, and the FP32 reference
// GEMM on the BF16 inputs (exact in FP32, so the reference differs from the kernel only by the
// order of the FP32 additions -- what DeepGEMM's calc_diff < 1e-5 for BF16 allows).
#pragma once
#include "convert.cuh"
#include "reference_gemm.cuh"

namespace fp8lab::utils {

// cvt.rn.bf16.f32: FP32 -> BF16 bits, round to nearest even (PTX ISA, cvt).
__device__ __forceinline__ uint16_t cvt_bf16_f32(float x) {
  uint16_t bits;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(bits) : "f"(x));
  return bits;
}

// q[i] = bf16(x[i]) for i < count, grid-stride. 256 threads.
__device__ __forceinline__ void cast_bf16(const float* x, uint16_t* q, uint64_t count) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) q[i] = cvt_bf16_f32(x[i]);
}

constexpr uint32_t kRefBf16StepK = 16;  // K per shared-memory stage (any K: the tail is zero-padded)

// BF16 operands for tiled_reference_gemm<kRefBf16StepK>: 128 rows x 16 k per operand, 8 per thread.
// Rows are `ld` elements apart (K-grouped: one group's K columns inside A [M, sum K_g]).
struct Bf16Loader {
  const uint16_t* a; const uint16_t* b; uint32_t m, n, k; uint64_t ld;
  uint32_t m0 = blockIdx.y * kRefTile, n0 = blockIdx.x * kRefTile;

  __device__ __forceinline__ void fetch(uint32_t) {}  // reads go straight to shared memory in stage()
  __device__ __forceinline__ void stage(uint32_t k0, float (*a_tile)[kRefTile + 1], float (*b_tile)[kRefTile + 1]) {
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const uint32_t e = threadIdx.x + 256 * i;
      const uint32_t row = e / kRefBf16StepK, kk = e % kRefBf16StepK;
      const uint32_t kg = k0 + kk;
      a_tile[kk][row] = (m0 + row < m && kg < k) ? bf16_bits_to_f32(a[static_cast<uint64_t>(m0 + row) * ld + kg]) : 0.0f;
      b_tile[kk][row] = (n0 + row < n && kg < k) ? bf16_bits_to_f32(b[static_cast<uint64_t>(n0 + row) * ld + kg]) : 0.0f;
    }
  }
};

// ref fp32 [m, n] = C (when c != nullptr) + a bf16 [m, k] . b bf16 [n, k]^T, FP32 FMA; a's and b's rows
// are `ld` (>= k) elements apart. Any M, N, K (K = 0: ref = C). Grid (ceil(n/128), ceil(m/128)), 256 threads.
__device__ __forceinline__ void reference_gemm_bf16(const uint16_t* a, const uint16_t* b, const float* c, float* ref,
                                                    uint32_t m, uint32_t n, uint32_t k, uint64_t ld) {
  Bf16Loader loader{a, b, m, n, k, ld};
  tiled_reference_gemm<kRefBf16StepK>(loader, [=](uint32_t row, uint32_t col, float v) {
    const uint64_t at = static_cast<uint64_t>(row) * n + col;
    ref[at] = v + (c != nullptr ? c[at] : 0.0f);
  }, m, n, k);
}

}  // namespace fp8lab::utils
