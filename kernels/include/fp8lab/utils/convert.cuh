// Number-format conversions the utility kernels need, written as PTX so that no CUDA header
// (cuda_fp8.h, cuda_bf16.h) is required: the JIT translation unit stays self-contained for both
// nvcc and NVRTC.
#pragma once
#include "types.cuh"

namespace fp8lab::utils {

// The largest finite e4m3 value; per-group scales map each group's amax onto it.
constexpr float kFp8E4m3Max = 448.0f;

// cvt.rn.satfinite.e4m3x2.f32: two FP32 -> packed e4m3x2, `hi` in the upper byte (PTX ISA 9.7.9.21).
__device__ __forceinline__ uint16_t cvt_e4m3x2_f32(float hi, float lo) {
  uint16_t packed;
  asm("cvt.rn.satfinite.e4m3x2.f32 %0, %1, %2;" : "=h"(packed) : "f"(hi), "f"(lo));
  return packed;
}

// One FP32 -> e4m3 byte (rounded to nearest, saturated to ±448).
__device__ __forceinline__ uint8_t cvt_e4m3_f32(float x) {
  return static_cast<uint8_t>(cvt_e4m3x2_f32(0.0f, x) & 0xffu);
}

// cvt.rn.f16x2.e4m3x2 then cvt.f32.f16: packed e4m3x2 -> two FP32, exactly (PTX ISA 9.7.9.21).
__device__ __forceinline__ void cvt_f32x2_e4m3x2(uint16_t packed, float& lo, float& hi) {
  asm("{\n\t"
      ".reg .b32 pair;\n\t"
      ".reg .b16 l16, h16;\n\t"
      "cvt.rn.f16x2.e4m3x2 pair, %2;\n\t"
      "mov.b32 {l16, h16}, pair;\n\t"
      "cvt.f32.f16 %0, l16;\n\t"
      "cvt.f32.f16 %1, h16;\n\t"
      "}"
      : "=f"(lo), "=f"(hi)
      : "h"(packed));
}

// BF16 -> FP32 is exact: the BF16 bits are the upper half of the FP32 bits.
__device__ __forceinline__ float bf16_bits_to_f32(uint16_t bits) {
  return __uint_as_float(static_cast<uint32_t>(bits) << 16);
}

}  // namespace fp8lab::utils
