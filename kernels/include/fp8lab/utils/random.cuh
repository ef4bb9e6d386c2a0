// Deterministic counter-based random numbers: value i of a tensor depends only on (seed, i), never
// on the launch shape or the order threads run in, so a seed recorded with a result reproduces
// the exact inputs.
#pragma once
#include "types.cuh"

namespace fp8lab::utils {

// Distributions understood by fp8lab_fill_random (mirrored in extension/src/core/utilsSource.ts).
enum class Distribution : uint32_t {
  Normal = 0,    // N(0, 1)
  Outliers = 1,  // N(0, 1), with 1 row in 32 scaled x64, 1 column in 32 scaled x16, and 1 element
                 // in 1024 scaled x100: heavy tails that stress per-group scaling
  Tiny = 2,      // N(0, 1) * 2^-24: every group's amax is under the 1e-4 clamp, so quantised values
                 // sit near the bottom of e4m3's range (its subnormals start at 2^-9)
};

// SplitMix64's finaliser: a bijective 64-bit mix with full avalanche.
__device__ __forceinline__ uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// 64 random bits for counter `index` of stream `stream` under `seed`.
__device__ __forceinline__ uint64_t random_bits(uint64_t seed, uint64_t stream, uint64_t index) {
  return mix64(mix64(seed ^ (stream * 0x9e3779b97f4a7c15ull)) + index);
}

// Uniform in (0, 1): 32 bits, offset by half a step so 0 never occurs (log(0) in Box-Muller).
__device__ __forceinline__ float unit_open(uint32_t bits) {
  return (static_cast<float>(bits) + 0.5f) * 2.3283064365386963e-10f;
}

// One standard normal sample from 64 bits (Box-Muller, the cosine branch).
__device__ __forceinline__ float standard_normal(uint64_t bits) {
  const float u1 = unit_open(static_cast<uint32_t>(bits >> 32));
  const float u2 = unit_open(static_cast<uint32_t>(bits));
  return sqrtf(-2.0f * logf(u1)) * cospif(2.0f * u2);
}

// Streams keep the element draws independent of the row/column outlier draws.
constexpr uint64_t kStreamElement = 1, kStreamRow = 2, kStreamColumn = 3, kStreamTail = 4;

__device__ __forceinline__ float random_value(uint64_t seed, Distribution dist, uint64_t index, uint32_t cols) {
  float x = standard_normal(random_bits(seed, kStreamElement, index));
  if (dist == Distribution::Tiny) return x * 5.9604644775390625e-8f;  // 2^-24
  if (dist == Distribution::Outliers) {
    const uint64_t row = index / cols, col = index % cols;
    if ((random_bits(seed, kStreamRow, row) & 31u) == 0) x *= 64.0f;
    if ((random_bits(seed, kStreamColumn, col) & 31u) == 0) x *= 16.0f;
    if ((random_bits(seed, kStreamTail, index) & 1023u) == 0) x *= 100.0f;
  }
  return x;
}

// out[i] = random_value(i) for i in [0, count); grid-stride, any launch shape.
__device__ __forceinline__ void fill_random(float* out, uint64_t count, uint32_t cols, uint64_t seed, uint32_t dist) {
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride)
    out[i] = random_value(seed, static_cast<Distribution>(dist), i, cols);
}

}  // namespace fp8lab::utils
