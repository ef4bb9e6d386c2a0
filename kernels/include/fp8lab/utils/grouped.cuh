// Helpers of the grouped GEMMs' tests and utilities (contiguous, masked, K-grouped, wgrad):
// a strided FP32 reference that covers every kind one group at a time, calc_diff for FP32
// outputs, a count of the words a kernel wrote where it must not, and the conversion of user
// scale tensors into the TMA-aligned MN-major layout the kernels read.
#pragma once
#include "calc_diff.cuh"
#include "reference_gemm.cuh"

namespace fp8lab::utils {

// ref[m][n] (row stride n) = C[m][n] (when c != nullptr) + Σ_k dequant(A)[m][k] · dequant(B)[n][k].
// a: e4m3, row stride lda; sfa: fp32 MN-major, sfa[(kb0 + kb) * sfa_stride + row].
// b: e4m3, row stride ldb; sfb: sfb_per_row = 0: per 128x128 block, sfb[(row / 128) * sfb_stride + kb0 + kb];
//                          sfb_per_row = 1: per 1x128 (1D1D), MN-major, sfb[(kb0 + kb) * sfb_stride + row].
// k % 128 == 0 (0 allowed: ref = C). Pointers already offset to the group. Grid (ceil(n/128),
// ceil(m/128)), 256 threads. The same tiling as reference_gemm (which only knows dense operands).
__device__ __forceinline__ void reference_gemm_strided(const uint8_t* a, uint64_t lda, const float* sfa, uint32_t sfa_stride,
                                                       const uint8_t* b, uint64_t ldb, const float* sfb, uint32_t sfb_stride,
                                                       uint32_t sfb_per_row, uint32_t kb0, const float* c, float* ref,
                                                       uint32_t m, uint32_t n, uint32_t k) {
  __shared__ float a_tile[kRefStepK][kRefTile + 1];
  __shared__ float b_tile[kRefStepK][kRefTile + 1];
  const uint32_t m0 = blockIdx.y * kRefTile, n0 = blockIdx.x * kRefTile;
  const uint32_t tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  const uint32_t load_row = threadIdx.x / 2, load_k = (threadIdx.x % 2) * 16;
  const uint32_t a_row = m0 + load_row, b_row = n0 + load_row;

  float acc[8][8];
#pragma unroll
  for (int i = 0; i < 8; ++i)
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[i][j] = 0.0f;

  for (uint32_t k0 = 0; k0 < k; k0 += kRefStepK) {
    const uint32_t kb = kb0 + k0 / 128;
    uint4 a_bytes = make_uint4(0, 0, 0, 0), b_bytes = make_uint4(0, 0, 0, 0);
    float a_scale = 0.0f, b_scale = 0.0f;
    if (a_row < m) {
      a_bytes = *reinterpret_cast<const uint4*>(a + static_cast<uint64_t>(a_row) * lda + k0 + load_k);
      a_scale = sfa[static_cast<uint64_t>(kb) * sfa_stride + a_row];
    }
    if (b_row < n) {
      b_bytes = *reinterpret_cast<const uint4*>(b + static_cast<uint64_t>(b_row) * ldb + k0 + load_k);
      b_scale = sfb_per_row ? sfb[static_cast<uint64_t>(kb) * sfb_stride + b_row]
                            : sfb[static_cast<uint64_t>(b_row / 128) * sfb_stride + kb];
    }
    __syncthreads();
    dequant_16(a_bytes, a_scale, a_tile, load_k, load_row);
    dequant_16(b_bytes, b_scale, b_tile, load_k, load_row);
    __syncthreads();
#pragma unroll 4
    for (uint32_t kk = 0; kk < kRefStepK; ++kk) {
      float av[8], bv[8];
#pragma unroll
      for (int i = 0; i < 8; ++i) av[i] = a_tile[kk][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 8; ++j) bv[j] = b_tile[kk][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 8; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
  }
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    const uint32_t row = m0 + ty + 16 * i;
    if (row >= m) continue;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      const uint32_t col = n0 + tx + 16 * j;
      if (col >= n) continue;
      const uint64_t at = static_cast<uint64_t>(row) * n + col;
      ref[at] = acc[i][j] + (c != nullptr ? c[at] : 0.0f);
    }
  }
}

// calc_diff's first pass for an FP32 output (the 1D1D kinds): same result words as calc_diff.
// A NaN in d counts as unwritten (D starts as C, which holds no NaN).
__device__ __forceinline__ void calc_diff_f32(const float* d, const float* y, uint64_t count, uint64_t* out) {
  double sxy = 0.0, sxxyy = 0.0, syy = 0.0;
  float max_abs = 0.0f;
  unsigned long long unwritten = 0, bad_ref = 0;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const float x = d[i], r = y[i];
    if (!isfinite(r)) { ++bad_ref; continue; }
    if (isnan(x)) { ++unwritten; continue; }
    const double xd = x, yd = r;
    sxy += xd * yd;
    sxxyy += xd * xd + yd * yd;
    syy += yd * yd;
    max_abs = fmaxf(max_abs, fabsf(x - r));
  }
  sxy = warp_sum(sxy); sxxyy = warp_sum(sxxyy); syy = warp_sum(syy);
  unwritten = warp_sum(unwritten); bad_ref = warp_sum(bad_ref);
  for (int offset = 16; offset > 0; offset >>= 1) max_abs = fmaxf(max_abs, __shfl_xor_sync(0xffffffffu, max_abs, offset));
  if (threadIdx.x % 32 == 0) {  // one atomic set per warp: simple, and the check is not timed
    atomicAdd(reinterpret_cast<double*>(out + kSumXY), sxy);
    atomicAdd(reinterpret_cast<double*>(out + kSumXXYY), sxxyy);
    atomicAdd(reinterpret_cast<double*>(out + kSumYY), syy);
    atomicMax(reinterpret_cast<unsigned long long*>(out + kMaxAbs), static_cast<unsigned long long>(__float_as_uint(max_abs)));
    atomicAdd(reinterpret_cast<unsigned long long*>(out + kUnwritten), unwritten);
    atomicAdd(reinterpret_cast<unsigned long long*>(out + kNonFiniteRef), bad_ref);
  }
}

__device__ __forceinline__ void max_rel_error_f32(const float* d, const float* y, uint64_t count, float floor, uint64_t* out) {
  float max_rel = 0.0f;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const float x = d[i], r = y[i];
    if (isnan(x) || !isfinite(r)) continue;
    max_rel = fmaxf(max_rel, fabsf(x - r) / fmaxf(fabsf(r), floor));
  }
  for (int offset = 16; offset > 0; offset >>= 1) max_rel = fmaxf(max_rel, __shfl_xor_sync(0xffffffffu, max_rel, offset));
  if (threadIdx.x % 32 == 0)
    atomicMax(reinterpret_cast<unsigned long long*>(out + kMaxRel), static_cast<unsigned long long>(__float_as_uint(max_rel)));
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
