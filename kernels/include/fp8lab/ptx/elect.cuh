// elect.sync: elect one leader lane of the warp. PTX ISA 9.1 §9.7.13.14.
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// elect.sync _|p, 0xffffffff: true in exactly one active lane of the (converged) warp (§9.7.13.14).
__device__ __forceinline__ bool elect_sync() {
  uint32_t elected;
  asm volatile(
      "{\n\t.reg .pred p;\n\t"
      "elect.sync _|p, 0xffffffff;\n\t"
      "selp.u32 %0, 1, 0, p;\n\t}"
      : "=r"(elected));
  return elected != 0;
}

}  // namespace fp8lab::ptx
