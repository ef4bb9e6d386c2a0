// stmatrix: warp-collective store of 8x8 b16 matrices from registers. PTX ISA 9.1 §9.7.14.5.16.
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// stmatrix.sync.aligned.m8n8.x4.shared.b16: four 8x8 b16 matrices. Register r_q of lane l holds
// row l/4, columns 2*(l%4) and 2*(l%4)+1 of matrix q (the mma accumulator layout); lane l gives the
// address of row l%8 of matrix l/8 (16 contiguous bytes) (§9.7.14.5.16).
__device__ __forceinline__ void stmatrix_m8n8_x4(void* row_addr, uint32_t r0, uint32_t r1, uint32_t r2, uint32_t r3) {
  asm volatile("stmatrix.sync.aligned.m8n8.x4.shared.b16 [%0], {%1, %2, %3, %4};"
               ::"r"(smem_u32(row_addr)), "r"(r0), "r"(r1), "r"(r2), "r"(r3) : "memory");
}

}  // namespace fp8lab::ptx
