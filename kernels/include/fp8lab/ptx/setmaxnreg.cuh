// setmaxnreg: warpgroup-wide change of the per-thread register limit. PTX ISA 9.1 §9.7.19.5.
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// setmaxnreg.dec.sync.aligned.u32: release registers down to kRegs per thread (§9.7.19.5).
template <uint32_t kRegs>
__device__ __forceinline__ void setmaxnreg_dec() {
  static_assert(kRegs >= 24 && kRegs <= 256 && kRegs % 8 == 0, "setmaxnreg takes 24..256, a multiple of 8");
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;" ::"n"(kRegs));
}

// setmaxnreg.inc.sync.aligned.u32: claim registers up to kRegs per thread (§9.7.19.5).
template <uint32_t kRegs>
__device__ __forceinline__ void setmaxnreg_inc() {
  static_assert(kRegs >= 24 && kRegs <= 256 && kRegs % 8 == 0, "setmaxnreg takes 24..256, a multiple of 8");
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;" ::"n"(kRegs));
}

}  // namespace fp8lab::ptx
