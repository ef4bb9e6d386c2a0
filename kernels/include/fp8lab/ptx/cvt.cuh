// Conversions. PTX ISA 9.1, data-movement chapter, anchor #data-movement-and-conversion-instructions-cvt
// (section number not verified here: cited by anchor).
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// cvt.rn.bf16x2.f32: round two floats to bf16 (nearest even) and pack them; `lo` goes to the low
// half, i.e. the lower address / lower column (cvt: "a" goes to the upper half, "b" to the lower).
__device__ __forceinline__ uint32_t cvt_rn_bf16x2_f32(float lo, float hi) {
  uint32_t packed;
  asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(packed) : "f"(hi), "f"(lo));
  return packed;
}

}  // namespace fp8lab::ptx
