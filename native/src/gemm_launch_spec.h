// The config-to-launch spec of one GEMM: what createGemmLaunch(spec) receives (GemmLaunchSpec in
// native/index.d.ts; the TypeScript side builds it once from a GemmConfig), as a plain struct.
// gemm_launch_parse.cc fills it from the JS object; everything after that is plain C++.
#pragma once

#include <cstdint>
#include <string>

#include "device.h"

namespace fp8lab {

struct GemmLaunchSpec {
  KernelRef kernel;
  std::string kind;  // normal | contiguous | masked | wgrad | kgrouped | bf16 | bf16-contiguous | bf16-masked | bf16-kgrouped
  // The problem: normal / wgrad / kgrouped: M; contiguous: ΣM; masked: Mmax per group. K-grouped:
  // K = ΣK_g (groups concatenated along K).
  int64_t m = 0, n = 0, k = 0, num_groups = 1;
  // The config (GemmConfig's fields, same names in camelCase on the JS side).
  int64_t block_m = 0, block_n = 0, block_k = 0, num_stages = 0, num_math_warpgroups = 0;
  int64_t cluster_m = 1, cluster_n = 1, split_k = 1;
  int64_t swizzle_a = 0, swizzle_b = 0, swizzle_d = 0;
  int64_t num_sms = 0, shared_bytes = 0;
  bool pdl = false;
  bool psum_layout = false;      // contiguous: groupedLayout holds psum[G], not an expert per row
  bool d_fp32 = false;           // bf16: D is fp32 (dType 'fp32'); with c, D = C + A.B^T (bf16-kgrouped: always)
  uint32_t trace_capacity = 0;   // records per trace slice; 0 when there is no trace buffer
  // Device buffers; the optional ones are null when absent.
  MemoryRef a, b, sfa, sfb, d;
  MemoryRef grouped_layout, flags, c, trace;

  // wgrad / kgrouped run the 1D1D kernel (impls/sm90_fp8_gemm_1d1d.cuh): fp32 D = C + A.B^T, both
  // operands scaled per 1x128; the others the 1D2D kernel (bf16 D, B per 128x128).
  bool one_d_one_d() const { return kind == "wgrad" || kind == "kgrouped"; }
  // bf16 runs impls/sm90_bf16_gemm.cuh: bf16 A [M, K] and B [N, K], no scales, D bf16 or fp32
  // (fp32 with C: TMA reduce-add onto D, which starts as C).
  bool bf16() const { return kind == "bf16" || kind == "bf16-contiguous" || kind == "bf16-masked" || kind == "bf16-kgrouped"; }
  // Groups concatenated along K (K = sum K_g), one fp32 D plane per group through a 3D map {N, M, G}.
  bool k_grouped() const { return kind == "kgrouped" || kind == "bf16-kgrouped"; }
  bool fp32_d() const { return one_d_one_d() || (bf16() && d_fp32); }
  bool m_grouped() const {
    return kind == "contiguous" || kind == "masked" || kind == "bf16-contiguous" || kind == "bf16-masked";
  }
  bool contiguous() const { return kind == "contiguous" || kind == "bf16-contiguous"; }
  bool masked() const { return kind == "masked" || kind == "bf16-masked"; }
  int64_t ctas_per_cluster() const { return cluster_m * cluster_n * split_k; }
  int64_t threads() const { return 128 * (1 + num_math_warpgroups); }
};

}  // namespace fp8lab
