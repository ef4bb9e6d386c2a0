// Accuracy of a BF16 output d against an FP32 reference y, reduced on the GPU (DeepGEMM's metric):
//   calc_diff = 1 - 2·Σ(x·y) / Σ(x² + y²)   with the sums in float64,
// plus the max absolute error, the number of NaN outputs (the 0xffff poison written before the
// kernel ran: elements the kernel never wrote), and Σy² (for the relative-error floor).
// A second pass gives the max relative error |x - y| / max(|y|, floor) with a floor chosen by the
// caller from Σy² (near-zero references would otherwise dominate it).
#pragma once
#include "convert.cuh"

namespace fp8lab::utils {

// Layout of the 8 x 64-bit result words (zero them before the first pass).
enum DiffWord : uint32_t {
  kSumXY = 0,        // double
  kSumXXYY = 1,      // double
  kSumYY = 2,        // double
  kMaxAbs = 3,       // float bits in the low 32 bits (non-negative floats order like integers)
  kUnwritten = 4,    // uint64 count of NaN outputs
  kMaxRel = 5,       // float bits, written by the second pass
  kNonFiniteRef = 6, // uint64 count of reference values that are NaN or Inf (a broken reference)
  kDiffWords = 8,
};

constexpr uint32_t kDiffThreads = 256;

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

__device__ __forceinline__ void calc_diff(const uint16_t* d, const float* y, uint64_t count, uint64_t* out) {
  double sxy = 0.0, sxxyy = 0.0, syy = 0.0;
  float max_abs = 0.0f;
  unsigned long long unwritten = 0, bad_ref = 0;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const float x = bf16_bits_to_f32(d[i]);
    const float r = y[i];
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
  __shared__ double s_sums[3][kDiffThreads / 32];
  __shared__ unsigned long long s_counts[2][kDiffThreads / 32];
  __shared__ float s_max[kDiffThreads / 32];
  const uint32_t warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
  if (lane == 0) {
    s_sums[0][warp] = sxy; s_sums[1][warp] = sxxyy; s_sums[2][warp] = syy;
    s_counts[0][warp] = unwritten; s_counts[1][warp] = bad_ref; s_max[warp] = max_abs;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    for (uint32_t w = 1; w < warps; ++w) {
      sxy += s_sums[0][w]; sxxyy += s_sums[1][w]; syy += s_sums[2][w];
      unwritten += s_counts[0][w]; bad_ref += s_counts[1][w]; max_abs = fmaxf(max_abs, s_max[w]);
    }
    atomicAdd(reinterpret_cast<double*>(out + kSumXY), sxy);
    atomicAdd(reinterpret_cast<double*>(out + kSumXXYY), sxxyy);
    atomicAdd(reinterpret_cast<double*>(out + kSumYY), syy);
    atomicMax(reinterpret_cast<unsigned long long*>(out + kMaxAbs), static_cast<unsigned long long>(__float_as_uint(max_abs)));
    atomicAdd(reinterpret_cast<unsigned long long*>(out + kUnwritten), unwritten);
    atomicAdd(reinterpret_cast<unsigned long long*>(out + kNonFiniteRef), bad_ref);
  }
}

__device__ __forceinline__ void max_rel_error(const uint16_t* d, const float* y, uint64_t count, float floor,
                                              uint64_t* out) {
  float max_rel = 0.0f;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const float x = bf16_bits_to_f32(d[i]);
    const float r = y[i];
    if (isnan(x) || !isfinite(r)) continue;  // counted by the first pass
    max_rel = fmaxf(max_rel, fabsf(x - r) / fmaxf(fabsf(r), floor));
  }
  for (int offset = 16; offset > 0; offset >>= 1) max_rel = fmaxf(max_rel, __shfl_xor_sync(0xffffffffu, max_rel, offset));
  if (threadIdx.x % 32 == 0)
    atomicMax(reinterpret_cast<unsigned long long*>(out + kMaxRel), static_cast<unsigned long long>(__float_as_uint(max_rel)));
}

}  // namespace fp8lab::utils
