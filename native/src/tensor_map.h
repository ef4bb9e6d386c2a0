// Tensor maps (CUtensorMap) for the GEMM kernels, encoded with cuTensorMapEncodeTiled (rank 2, or 3
// for the grouped FP32 output).
#pragma once

#include <cstdint>

#include "cuda_driver_api.h"

namespace fp8lab {

struct TmaBox {
  uint32_t inner;  // elements along the contiguous dimension
  uint32_t outer;  // rows
};

// The D (output) staging box, in one place. Both kernels (impls/sm90_fp8_gemm_1d2d.cuh, bf16 D, and
// impls/sm90_fp8_gemm_1d1d.cuh, fp32 D) store each tile as BLOCK_N / TMA_D_BLOCK_N slabs of
// [BLOCK_M][TMA_D_BLOCK_N] elements, one TMA store per slab, where TMA_D_BLOCK_N is one swizzle row
// (swizzleD / element bytes) or BLOCK_N without swizzle. Every slab spans all BLOCK_M rows (the math
// warpgroups share one store), so numMathWarpgroups does not divide the box.
TmaBox d_store_box(uint32_t block_n, uint32_t block_m, uint32_t swizzle_d, uint32_t num_math_warpgroups,
                   uint32_t elem_bytes);

struct TmaSpec {
  const char* name;        // "A", "B", "SFA", "SFB", "D": named in errors
  int data_type;           // kTensorMapDataType*
  uint32_t elem_bytes;
  CUdeviceptr base;
  uint64_t inner_dim;      // elements per row
  uint64_t outer_dim;      // rows
  uint64_t row_stride_bytes;
  TmaBox box;
  uint32_t swizzle_bytes;  // 0, 32, 64, 128
  int l2_promotion;        // kTensorMapL2Promotion*
  // Rank 3 when planes > 0: a third dimension of `planes` [outer, inner] matrices (box depth 1).
  uint64_t planes = 0;
  uint64_t plane_stride_bytes = 0;
};

// Checks the TMA rules first (so the error names the operand and the rule), then encodes.
// Throws E_BAD_ARGUMENT / E_SHAPE_ALIGNMENT / E_CUDA.
CUtensorMap encode_tma(const TmaSpec& spec);

}  // namespace fp8lab
