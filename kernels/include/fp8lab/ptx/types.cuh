// Fixed-width integer types (NVRTC has no <cstdint>) and the shared-memory address conversion that
// every PTX wrapper taking a `.shared` operand needs (cvta.to.shared; PTX ISA 9.1 anchor
// #data-movement-and-conversion-instructions-cvta, section number not verified here).
#pragma once
#include "fp8lab/gemm_args.h"

#ifdef __CUDACC_RTC__
// gemm_args.h declares the 32/64-bit ones for NVRTC; the kernels also use these.
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
#endif

namespace fp8lab::ptx {

// Generic pointer into shared memory -> 32-bit .shared::cta address.
__device__ __forceinline__ uint32_t smem_u32(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

}  // namespace fp8lab::ptx
