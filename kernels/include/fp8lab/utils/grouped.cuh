// Helpers of the grouped GEMMs' tests and utilities (contiguous, masked, K-grouped, wgrad):
// a strided FP32 reference that covers every kind one group at a time, calc_diff for FP32
// outputs, a count of the words a kernel wrote where it must not, and the conversion of user
// scale tensors into the TMA-aligned MN-major layout the kernels read.
#pragma once
#include "calc_diff.cuh"
#include "reference_gemm.cuh"

namespace fp8lab::utils {

// ref[m][n] (row stride n) = C[m][n] (when c != nullptr) + Σ_k dequant(A)[m][k] · dequant(B)[n][k].
// a, b, their row strides and scale layouts (sfb per 128x128 block, or per 1x128 row with
// sfb_per_row = 1 for 1D1D): as Fp8BlockScaledLoader (reference_gemm.cuh) reads them.
// k % 128 == 0 (0 allowed: ref = C). Pointers already offset to the group. Grid (ceil(n/128),
// ceil(m/128)), 256 threads. The same loader and loop as reference_gemm (dense: lda = ldb = k, kb0 = 0).
__device__ __forceinline__ void reference_gemm_strided(const uint8_t* a, uint64_t lda, const float* sfa, uint32_t sfa_stride,
                                                       const uint8_t* b, uint64_t ldb, const float* sfb, uint32_t sfb_stride,
                                                       uint32_t sfb_per_row, uint32_t kb0, const float* c, float* ref,
                                                       uint32_t m, uint32_t n, uint32_t k) {
  Fp8BlockScaledLoader loader{a, lda, sfa, sfa_stride, b, ldb, sfb, sfb_stride, sfb_per_row, kb0, m, n};
  tiled_reference_gemm<kRefStepK>(loader, [=](uint32_t row, uint32_t col, float v) {
    const uint64_t at = static_cast<uint64_t>(row) * n + col;
    ref[at] = v + (c != nullptr ? c[at] : 0.0f);
  }, m, n, k);
}

// calc_diff's first pass for an FP32 output (the 1D1D kinds): same result words as calc_diff.
// A NaN in d counts as unwritten (D starts as C, which holds no NaN).
__device__ __forceinline__ void calc_diff_f32(const float* d, const float* y, uint64_t count, uint64_t* out) {
  const DiffSums s = warp_diff_sums(F32Output{d}, y, count);
  if (threadIdx.x % 32 == 0) add_diff_sums(s, out);  // one atomic set per warp: simple, and the check is not timed
}

__device__ __forceinline__ void max_rel_error_f32(const float* d, const float* y, uint64_t count, float floor, uint64_t* out) {
  max_rel_error_of(F32Output{d}, y, count, floor, out);
}

// out[0] += number of 32-bit words of d[0, count) that differ from `pattern` (the poison): the rows
// a grouped kernel must leave untouched (contiguous padding rows, masked rows >= masked_m).
__device__ __forceinline__ void count_changed_words(const uint32_t* d, uint64_t count, uint32_t pattern,
                                                    unsigned long long* out) {
  unsigned long long changed = 0;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride)
    changed += d[i] != pattern ? 1ull : 0ull;
  changed = warp_sum(changed);
  if (threadIdx.x % 32 == 0 && changed != 0) atomicAdd(out, changed);
}

// out[0] += number of 32-bit words of d[0, count) that differ from expected[0, count): a K-grouped
// GEMM's empty group must leave D_g bit-identical to C_g.
__device__ __forceinline__ void count_differing_words(const uint32_t* d, const uint32_t* expected, uint64_t count,
                                                      unsigned long long* out) {
  unsigned long long differ = 0;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride)
    differ += d[i] != expected[i] ? 1ull : 0ull;
  differ = warp_sum(differ);
  if (threadIdx.x % 32 == 0 && differ != 0) atomicAdd(out, differ);
}

// User scales sf fp32 [rows][k_blocks] (row-major, as a per-token cast returns them) -> the kernels'
// layout dst fp32 [k_blocks][stride] (MN-major, stride = TMA-aligned rows, align(rows, 4)); the
// padding rows get 0. One thread per element of dst; grid-stride.
__device__ __forceinline__ void transform_sf_mn_major(const float* sf, float* dst, uint32_t rows, uint32_t k_blocks,
                                                      uint32_t stride) {
  const uint64_t total = static_cast<uint64_t>(k_blocks) * stride;
  const uint64_t step = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += step) {
    const uint32_t kb = static_cast<uint32_t>(i / stride), row = static_cast<uint32_t>(i % stride);
    dst[i] = row < rows ? sf[static_cast<uint64_t>(row) * k_blocks + kb] : 0.0f;
  }
}

}  // namespace fp8lab::utils
