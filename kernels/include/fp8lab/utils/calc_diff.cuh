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

// One thread's (then one warp's) share of calc_diff's first pass. Every lane holds the warp's totals.
struct DiffSums {
  double sxy = 0.0, sxxyy = 0.0, syy = 0.0;
  float max_abs = 0.0f;
  unsigned long long unwritten = 0, bad_ref = 0;
};

// Reads output element i as float (BF16 bits or FP32); a NaN counts as unwritten (the poison).
struct Bf16Output {
  const uint16_t* d;
  __device__ __forceinline__ float operator()(uint64_t i) const { return bf16_bits_to_f32(d[i]); }
};
struct F32Output {
  const float* d;
  __device__ __forceinline__ float operator()(uint64_t i) const { return d[i]; }
};

// Grid-stride accumulation over [0, count) and a warp reduction.
template <typename Output>
__device__ __forceinline__ DiffSums warp_diff_sums(Output d, const float* y, uint64_t count) {
  DiffSums s;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const float x = d(i);
    const float r = y[i];
    if (!isfinite(r)) { ++s.bad_ref; continue; }
    if (isnan(x)) { ++s.unwritten; continue; }
    const double xd = x, yd = r;
    s.sxy += xd * yd;
    s.sxxyy += xd * xd + yd * yd;
    s.syy += yd * yd;
    s.max_abs = fmaxf(s.max_abs, fabsf(x - r));
  }
  s.sxy = warp_sum(s.sxy); s.sxxyy = warp_sum(s.sxxyy); s.syy = warp_sum(s.syy);
  s.unwritten = warp_sum(s.unwritten); s.bad_ref = warp_sum(s.bad_ref);
  for (int offset = 16; offset > 0; offset >>= 1) s.max_abs = fmaxf(s.max_abs, __shfl_xor_sync(0xffffffffu, s.max_abs, offset));
  return s;
}

// Adds one set of partial sums into the result words.
__device__ __forceinline__ void add_diff_sums(const DiffSums& s, uint64_t* out) {
  atomicAdd(reinterpret_cast<double*>(out + kSumXY), s.sxy);
  atomicAdd(reinterpret_cast<double*>(out + kSumXXYY), s.sxxyy);
  atomicAdd(reinterpret_cast<double*>(out + kSumYY), s.syy);
  atomicMax(reinterpret_cast<unsigned long long*>(out + kMaxAbs), static_cast<unsigned long long>(__float_as_uint(s.max_abs)));
  atomicAdd(reinterpret_cast<unsigned long long*>(out + kUnwritten), s.unwritten);
  atomicAdd(reinterpret_cast<unsigned long long*>(out + kNonFiniteRef), s.bad_ref);
}

__device__ __forceinline__ void calc_diff(const uint16_t* d, const float* y, uint64_t count, uint64_t* out) {
  DiffSums s = warp_diff_sums(Bf16Output{d}, y, count);
  __shared__ double s_sums[3][kDiffThreads / 32];
  __shared__ unsigned long long s_counts[2][kDiffThreads / 32];
  __shared__ float s_max[kDiffThreads / 32];
  const uint32_t warp = threadIdx.x / 32, lane = threadIdx.x % 32, warps = blockDim.x / 32;
  if (lane == 0) {
    s_sums[0][warp] = s.sxy; s_sums[1][warp] = s.sxxyy; s_sums[2][warp] = s.syy;
    s_counts[0][warp] = s.unwritten; s_counts[1][warp] = s.bad_ref; s_max[warp] = s.max_abs;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    for (uint32_t w = 1; w < warps; ++w) {
      s.sxy += s_sums[0][w]; s.sxxyy += s_sums[1][w]; s.syy += s_sums[2][w];
      s.unwritten += s_counts[0][w]; s.bad_ref += s_counts[1][w]; s.max_abs = fmaxf(s.max_abs, s_max[w]);
    }
    add_diff_sums(s, out);
  }
}

// Second pass: max |x - y| / max(|y|, floor) over the written, finite-reference elements.
template <typename Output>
__device__ __forceinline__ void max_rel_error_of(Output d, const float* y, uint64_t count, float floor, uint64_t* out) {
  float max_rel = 0.0f;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const float x = d(i);
    const float r = y[i];
    if (isnan(x) || !isfinite(r)) continue;  // counted by the first pass
    max_rel = fmaxf(max_rel, fabsf(x - r) / fmaxf(fabsf(r), floor));
  }
  for (int offset = 16; offset > 0; offset >>= 1) max_rel = fmaxf(max_rel, __shfl_xor_sync(0xffffffffu, max_rel, offset));
  if (threadIdx.x % 32 == 0)
    atomicMax(reinterpret_cast<unsigned long long*>(out + kMaxRel), static_cast<unsigned long long>(__float_as_uint(max_rel)));
}

__device__ __forceinline__ void max_rel_error(const uint16_t* d, const float* y, uint64_t count, float floor,
                                              uint64_t* out) {
  max_rel_error_of(Bf16Output{d}, y, count, floor, out);
}

}  // namespace fp8lab::utils
