// Accuracy of MQA logits against their FP32 reference, on the GPU: each element's class must match
// (a value, -inf, or NaN = "untouched": the poison written before the launch), and over the elements
// where both hold values the float64 sums of DeepGEMM's calc_diff = 1 - 2·Σxy / Σ(x² + y²) and the
// max absolute error are accumulated. Launch any grid; zero the result first.
#pragma once
#include "fp8lab/utils/types.cuh"

namespace fp8lab::utils {

struct MqaCompareResult {
  double sum_xy;
  double sum_xxyy;
  unsigned long long class_mismatches;
  unsigned long long values;
  float max_abs;     // non-negative: ordered like its bits as an int
  uint32_t reserved;
};

// 0 value, 1 -inf, 2 NaN (untouched), 3 anything else (+inf): never produced by a correct kernel.
__device__ __forceinline__ int logit_class(float x) {
  return isnan(x) ? 2 : isinf(x) ? (x < 0 ? 1 : 3) : 0;
}

__device__ __forceinline__ void compare_mqa_logits(const float* out, const float* ref, uint64_t count, MqaCompareResult* r) {
  double sxy = 0, sxxyy = 0;
  unsigned long long bad = 0, values = 0;
  float max_abs = 0;
  const uint64_t step = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += step) {
    const float x = out[i], y = ref[i];
    const int cx = logit_class(x);
    if (cx != logit_class(y)) { ++bad; continue; }
    if (cx == 0) {
      sxy += static_cast<double>(x) * y;
      sxxyy += static_cast<double>(x) * x + static_cast<double>(y) * y;
      max_abs = fmaxf(max_abs, fabsf(x - y));
      ++values;
    }
  }
  for (int offset = 16; offset > 0; offset >>= 1) {
    sxy += __shfl_xor_sync(0xffffffffu, sxy, offset);
    sxxyy += __shfl_xor_sync(0xffffffffu, sxxyy, offset);
    bad += __shfl_xor_sync(0xffffffffu, bad, offset);
    values += __shfl_xor_sync(0xffffffffu, values, offset);
    max_abs = fmaxf(max_abs, __shfl_xor_sync(0xffffffffu, max_abs, offset));
  }
  if (threadIdx.x % 32 == 0) {
    atomicAdd(&r->sum_xy, sxy);
    atomicAdd(&r->sum_xxyy, sxxyy);
    atomicAdd(&r->class_mismatches, bad);
    atomicAdd(&r->values, values);
    atomicMax(reinterpret_cast<int*>(&r->max_abs), __float_as_int(max_abs));
  }
}

}  // namespace fp8lab::utils
