// The one kernel parameter of every FP8 GEMM kernel, shared verbatim by the host (native/, g++) and
// the device (nvcc/NVRTC). Plain C++: no CUDA header, so the addon builds without a toolkit.
//
// The host fills it (tensor maps encoded with cuTensorMapEncodeTiled) and launches the kernel with
// it as a single `const __grid_constant__ GemmArgs` argument, so the tensor maps live in parameter
// space, where TMA may read them.
#pragma once

#ifdef __CUDACC_RTC__
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned long long uint64_t;
#else
#include <cstdint>
#endif

namespace fp8lab {

// Same size and alignment as CUtensorMap (128 bytes, 64-byte aligned); opaque here.
struct alignas(64) TmaDescriptor {
  uint64_t opaque[16];
};

enum class GemmType : uint32_t {
  Normal = 0,              // one GEMM
  MGroupedContiguous = 1,  // A = [ΣM, K] experts back to back; grouped_layout[row] = expert or -1
  MGroupedMasked = 2,      // A = [G, Mmax, K]; grouped_layout[g] = masked_m[g]
  KGrouped = 3,            // A_g [M, K_g], B_g [N, K_g] back to back; grouped_layout[g] = K_g
};

struct alignas(64) GemmArgs {
  TmaDescriptor tma_a;    // A   fp8 e4m3  [rows(A), K]            K-major, box BLOCK_K x BLOCK_M
  TmaDescriptor tma_b;    // B   fp8 e4m3  [G * N, K]              K-major, box BLOCK_K x BLOCK_N
  TmaDescriptor tma_sfa;  // SFA fp32      [ceil(K/128), rows_tma(A)] MN-major, box BLOCK_M x 1
  TmaDescriptor tma_d;    // D   bf16 (fp32 for 1D1D/K-grouped) [rows(A), N], box by the epilogue
  TmaDescriptor tma_sfb;  // SFB fp32 per 1x128 (1D1D only)  [ceil(K/128), N_tma] MN-major
  const float* sfb;       // SFB fp32 per 128x128 (1D2D)     [G][ceil(N/128)][ceil(K/128)]
  const int32_t* grouped_layout;  // see GemmType; nullptr for Normal
  const float* c;         // 1D1D / K-grouped: C [rows, N] fp32 (may alias D)
  uint32_t m;             // rows of one problem (Normal: M; masked: Mmax; contiguous: ΣM)
  uint32_t n;
  uint32_t k;             // K (K-grouped: ΣK_g)
  uint32_t num_groups;
  uint32_t sfa_stride;    // rows_tma(A): M rounded up to 4 (16-byte TMA stride for fp32)
  uint32_t reserved[3];
  // Instrumented build only (FP8LAB_TRACE=1, common/trace.cuh); nullptr / 0 in the normal build.
  void* trace;              // zero-filled device buffer of trace_buffer_bytes(gridDim.x, trace_capacity)
  uint32_t trace_capacity;  // 16-byte records per (CTA, role) slice
  uint32_t trace_reserved;
  // M-grouped kinds (contiguous, masked): D's base pointer, bf16 [rows(A), N]. Tiles whose rows are
  // only partly valid (padding rows, rows past masked_m[g]) are stored row by row through it, since
  // a TMA store cannot skip rows. Required (non-null) for those kinds; unused otherwise.
  void* d;
  // Optional (nullptr = off): a zeroed device word the kernel ORs kFlag* bits into for bad input the
  // host could not check (m_grouped_scheduler.cuh: 1 = a masked_m[g] > Mmax was clamped,
  // 2 = an expert index >= num_groups was skipped).
  uint32_t* flags;
  // Contiguous only: 0 = grouped_layout is the per-row expert index [ΣM]; 1 = it is psum[G], the
  // cumulative row ends (group g owns rows [align(psum[g-1], 128), psum[g]), psum[-1] = 0).
  uint32_t psum_layout;
  uint32_t grouped_reserved;
};

// N and K as compile-time constants: the runtime compiles the 1D2D kernels for the problem's N and K
// (the generated source defines both; M stays a runtime value), so loop trip counts and index
// arithmetic fold into constants. 0 (the default here, and FP8LAB_JIT_COMPILED_DIMS=none) reads
// them from the arguments: one cubin then serves every shape.
#ifndef FP8LAB_COMPILED_N
#define FP8LAB_COMPILED_N 0
#endif
#ifndef FP8LAB_COMPILED_K
#define FP8LAB_COMPILED_K 0
#endif
#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
__host__ __device__ __forceinline__ uint32_t compiled_n(const GemmArgs& args) { return FP8LAB_COMPILED_N != 0 ? FP8LAB_COMPILED_N : args.n; }
__host__ __device__ __forceinline__ uint32_t compiled_k(const GemmArgs& args) { return FP8LAB_COMPILED_K != 0 ? FP8LAB_COMPILED_K : args.k; }
#endif

static_assert(sizeof(TmaDescriptor) == 128, "TmaDescriptor must match CUtensorMap");
static_assert(sizeof(GemmArgs) <= 4096, "kernel parameters are limited to 4 KiB");

}  // namespace fp8lab
