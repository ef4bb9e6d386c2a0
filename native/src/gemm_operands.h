// The sizes of a GEMM's operands as the kernels read them (kernels/include/fp8lab/gemm_args.h), from
// its spec: rows of A and B per kind, scale strides, D's planes and element size. Plain C++.
#pragma once

#include <cstdint>
#include <string>

#include "gemm_launch_spec.h"

namespace fp8lab {

struct GemmOperands {
  uint64_t m, n, k, groups;
  uint64_t rows_a;      // masked: G * Mmax; else M (contiguous: ΣM)
  uint64_t rows_b;      // M-grouped: G * N; else N
  uint64_t k_blocks;    // K / 128
  uint64_t sfa_stride;  // SFA [k_blocks][align(rows_a, 4)]
  uint64_t sfb_stride;  // 1D1D: SFB [k_blocks][align(N, 4)]
  uint64_t d_planes;    // 1D1D: one fp32 D plane per group (3D map {N, M, G}); else 1
  uint64_t d_elem;      // bytes per D element: 4 (fp32) or 2 (bf16)
  uint64_t d_bytes() const { return d_planes * rows_a * n * d_elem; }
  std::string d_layout() const;  // "bf16 [rows, N]" or "fp32 [G, rows, N]", for messages
};

GemmOperands gemm_operands(const GemmLaunchSpec& spec);

inline uint64_t ceil_div_u64(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
inline uint64_t align_up_u64(uint64_t a, uint64_t b) { return ceil_div_u64(a, b) * b; }

}  // namespace fp8lab
