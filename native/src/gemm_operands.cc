#include "gemm_operands.h"

namespace fp8lab {

GemmOperands gemm_operands(const GemmLaunchSpec& s) {
  GemmOperands o;
  o.m = uint64_t(s.m);
  o.n = uint64_t(s.n);
  o.k = uint64_t(s.k);
  o.groups = uint64_t(s.num_groups);
  // normal / wgrad / kgrouped: M; contiguous: ΣM (every group's rows back to back); masked: m is
  // Mmax and A / D are [G, Mmax, *] = G * Mmax rows. K-grouped groups are concatenated along K
  // (k = ΣK_g), so A and B keep M and N rows.
  o.rows_a = s.masked() ? o.groups * o.m : o.m;
  o.rows_b = s.m_grouped() ? o.groups * o.n : o.n;
  o.k_blocks = o.k / 128;
  o.sfa_stride = align_up_u64(o.rows_a, 4);
  o.sfb_stride = align_up_u64(o.n, 4);
  o.d_planes = s.one_d_one_d() || s.k_grouped() ? o.groups : 1;
  o.d_elem = s.fp32_d() ? 4 : 2;
  return o;
}

std::string GemmOperands::d_layout() const {
  return std::string(d_elem == 4 ? "fp32 [" : "bf16 [") + (d_planes > 1 ? std::to_string(d_planes) + ", " : "") +
         std::to_string(rows_a) + ", " + std::to_string(n) + "]";
}

}  // namespace fp8lab
