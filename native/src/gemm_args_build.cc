#include "gemm_args_build.h"

#include <cstring>

#include "tensor_map.h"

namespace fp8lab {
namespace {

// The BF16 kernel's maps (impls/sm90_bf16_gemm.cuh): A and B bf16, box {BLOCK_K = 64, rows}, 128-byte
// swizzle; D bf16 or fp32, 2D, stored (or reduce-added) in one-swizzle-row slabs (K-grouped: fp32, 3D
// {N, M, G}, reduce-added per group plane so rows past M stay in their plane). No scales.
GemmArgs build_bf16_args(const GemmLaunchSpec& s, const GemmOperands& o) {
  GemmArgs args;
  std::memset(&args, 0, sizeof args);
  TmaSpec d_map{"D", s.d_fp32 ? kTensorMapDataTypeFloat32 : kTensorMapDataTypeBfloat16, uint32_t(o.d_elem), s.d->ptr,
                o.n, o.rows_a, o.n * o.d_elem,
                d_store_box(uint32_t(s.block_n), uint32_t(s.block_m), uint32_t(s.swizzle_d),
                            uint32_t(s.num_math_warpgroups), uint32_t(o.d_elem)),
                uint32_t(s.swizzle_d), kTensorMapL2PromotionNone};
  if (s.k_grouped()) {
    d_map.planes = o.d_planes;
    d_map.plane_stride_bytes = o.rows_a * o.n * o.d_elem;
  }
  args.tma_a = encode_tma({"A", kTensorMapDataTypeBfloat16, 2, s.a->ptr, o.k, o.rows_a, o.k * 2,
                           TmaBox{uint32_t(s.block_k), uint32_t(s.block_m)}, uint32_t(s.swizzle_a), kTensorMapL2Promotion256B});
  args.tma_b = encode_tma({"B", kTensorMapDataTypeBfloat16, 2, s.b->ptr, o.k, o.rows_b, o.k * 2,
                           TmaBox{uint32_t(s.block_k), uint32_t(s.block_n)}, uint32_t(s.swizzle_b), kTensorMapL2Promotion256B});
  args.tma_d = encode_tma(d_map);
  args.c = s.c ? reinterpret_cast<const float*>(s.c->ptr) : nullptr;
  args.m = uint32_t(o.m);
  args.n = uint32_t(o.n);
  args.k = uint32_t(o.k);
  args.num_groups = uint32_t(o.groups);
  // M-grouped (bf16-contiguous / bf16-masked): the layout, D's base for partly valid tiles, the flags;
  // K-grouped: the layout (K_g per group).
  args.grouped_layout = s.grouped_layout ? reinterpret_cast<const int32_t*>(s.grouped_layout->ptr) : nullptr;
  args.d = s.m_grouped() ? reinterpret_cast<void*>(s.d->ptr) : nullptr;
  args.flags = s.flags ? reinterpret_cast<uint32_t*>(s.flags->ptr) : nullptr;
  args.psum_layout = s.psum_layout ? 1u : 0u;
  args.trace = s.trace ? reinterpret_cast<void*>(s.trace->ptr) : nullptr;
  args.trace_capacity = s.trace_capacity;
  return args;
}

}  // namespace

GemmArgs build_gemm_args(const GemmLaunchSpec& s, const GemmOperands& o) {
  const bool one_d_one_d = s.one_d_one_d();
  GemmArgs args;
  std::memset(&args, 0, sizeof args);
  if (s.bf16()) return build_bf16_args(s, o);
  // Tensor maps, per the comments in gemm_args.h.
  args.tma_a = encode_tma({"A", kTensorMapDataTypeUint8, 1, s.a->ptr, o.k, o.rows_a, o.k,
                           TmaBox{uint32_t(s.block_k), uint32_t(s.block_m)}, uint32_t(s.swizzle_a),
                           kTensorMapL2Promotion256B});
  args.tma_b = encode_tma({"B", kTensorMapDataTypeUint8, 1, s.b->ptr, o.k, o.rows_b, o.k,
                           TmaBox{uint32_t(s.block_k), uint32_t(s.block_n)}, uint32_t(s.swizzle_b),
                           kTensorMapL2Promotion256B});
  args.tma_sfa = encode_tma({"SFA", kTensorMapDataTypeFloat32, 4, s.sfa->ptr, o.sfa_stride, o.k_blocks, o.sfa_stride * 4,
                             TmaBox{uint32_t(s.block_m), 1}, 0, kTensorMapL2PromotionNone});
  if (one_d_one_d)
    args.tma_sfb = encode_tma({"SFB", kTensorMapDataTypeFloat32, 4, s.sfb->ptr, o.sfb_stride, o.k_blocks, o.sfb_stride * 4,
                               TmaBox{uint32_t(s.block_n), 1}, 0, kTensorMapL2PromotionNone});
  TmaSpec d_map{"D", one_d_one_d ? kTensorMapDataTypeFloat32 : kTensorMapDataTypeBfloat16, uint32_t(o.d_elem), s.d->ptr, o.n,
                o.rows_a, o.n * o.d_elem,
                d_store_box(uint32_t(s.block_n), uint32_t(s.block_m), uint32_t(s.swizzle_d),
                            uint32_t(s.num_math_warpgroups), uint32_t(o.d_elem)),
                uint32_t(s.swizzle_d), kTensorMapL2PromotionNone};
  if (one_d_one_d) {  // the 1D1D epilogue reduce-adds through a 3D map {N, M, G}
    d_map.planes = o.d_planes;
    d_map.plane_stride_bytes = o.rows_a * o.n * 4;
  }
  args.tma_d = encode_tma(d_map);
  args.sfb = reinterpret_cast<const float*>(s.sfb->ptr);
  args.grouped_layout = s.grouped_layout ? reinterpret_cast<const int32_t*>(s.grouped_layout->ptr) : nullptr;
  args.c = s.c ? reinterpret_cast<const float*>(s.c->ptr) : nullptr;
  args.m = uint32_t(o.m);
  args.n = uint32_t(o.n);
  args.k = uint32_t(o.k);
  args.num_groups = uint32_t(o.groups);
  args.sfa_stride = uint32_t(o.sfa_stride);
  args.trace = s.trace ? reinterpret_cast<void*>(s.trace->ptr) : nullptr;
  // M-grouped kinds store partly valid tiles row by row through D's base pointer.
  args.d = s.m_grouped() ? reinterpret_cast<void*>(s.d->ptr) : nullptr;
  args.flags = s.flags ? reinterpret_cast<uint32_t*>(s.flags->ptr) : nullptr;
  args.psum_layout = s.psum_layout ? 1u : 0u;
  args.trace_capacity = s.trace_capacity;
  return args;
}

LaunchShape gemm_launch_shape(const GemmLaunchSpec& s) {
  LaunchShape shape;
  shape.grid[0] = unsigned(s.num_sms);
  shape.block[0] = unsigned(s.threads());
  shape.cluster[0] = unsigned(s.ctas_per_cluster());
  shape.shared_bytes = unsigned(s.shared_bytes);
  shape.pdl = s.pdl;
  return shape;
}

}  // namespace fp8lab
