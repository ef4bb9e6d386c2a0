#include "gemm_launch_validate.h"

#include "errors.h"
#include "fp8lab/common/trace_format.h"

namespace fp8lab {
namespace {

void require_bytes(const char* name, const MemoryRef& buf, uint64_t needed, const std::string& layout) {
  if (buf->bytes < needed)
    throw_bad_argument(std::string("buffer ") + name + " has " + std::to_string(buf->bytes) + " bytes; this GEMM needs " +
                       std::to_string(needed) + " (" + layout + ")");
}

}  // namespace

// The BF16 kernel's problem rules (extension/src/core/bf16/kernelRulesBf16.ts ruleProblemBf16): bf16 rows
// of A and B and the rows of D are TMA global strides, multiples of 16 bytes; K need not fill the
// last 64-deep K-block (the TMA zero-fills it).
void validate_bf16_config(const GemmLaunchSpec& s) {
  if (s.kind == "bf16" && s.num_groups != 1)
    throw_bad_argument("GemmLaunchSpec.numGroups must be 1 for kind 'bf16' (got " + std::to_string(s.num_groups) + ")");
  // K-grouped: K = sum K_g with every K_g % 64 == 0 (no K-block spans two groups; the per-group values
  // live on the device, checked by the TypeScript side before launch), and no clusters.
  if (s.kind == "bf16-kgrouped") {
    if (s.k % 64 != 0)
      throw CodedError("E_SHAPE_ALIGNMENT", "K = " + std::to_string(s.k) +
                                                " (the sum of the groups' K) is not a multiple of 64: every K_g of kind "
                                                "'bf16-kgrouped' must be a multiple of 64 (the BF16 kernel's K-block); pad "
                                                "each group's K to a multiple of 64");
    if (s.cluster_m * s.cluster_n != 1)
      throw_bad_argument("the K-grouped BF16 GEMM (kind 'bf16-kgrouped') runs without clusters: clusterM = clusterN = 1");
  }
  if (s.block_k != 64)
    throw_bad_argument("GemmLaunchSpec.blockK must be 64 for kind 'bf16' (64 bf16 = one 128-byte swizzle row; got " +
                       std::to_string(s.block_k) + ")");
  if (s.k % 8 != 0)
    throw CodedError("E_SHAPE_ALIGNMENT", "K = " + std::to_string(s.k) +
                                              " is not a multiple of 8: the bf16 rows of A and B must be 16-byte aligned "
                                              "for the TMA; pad K to " + std::to_string(align_up_u64(s.k, 8)));
  const int64_t n_align = s.d_fp32 ? 4 : 8;
  if (s.n % n_align != 0)
    throw CodedError("E_SHAPE_ALIGNMENT", "N = " + std::to_string(s.n) + " is not a multiple of " + std::to_string(n_align) +
                                              ": D's rows (" + (s.d_fp32 ? "fp32" : "bf16") +
                                              ") must be 16-byte aligned for the TMA store; use N = " +
                                              std::to_string(align_up_u64(s.n, n_align)));
  // Split-K (2 or 4, checked with the FP8 kinds' below) runs the one-GEMM kind only.
  if (s.split_k != 1 && s.kind != "bf16")
    throw_bad_argument("GemmLaunchSpec.splitK must be 1 for kind '" + s.kind + "' (split-K is implemented for kind 'bf16'; got " +
                       std::to_string(s.split_k) + ")");
}

// The FP8 kinds' problem rules: whole 128-wide scaling blocks along K, 16-byte rows of D.
void validate_fp8_problem(const GemmLaunchSpec& s) {
  const bool one_d_one_d = s.one_d_one_d();
  if ((s.kind == "normal" || s.kind == "wgrad") && s.num_groups != 1)
    throw_bad_argument("GemmLaunchSpec.numGroups must be 1 for kind '" + s.kind + "' (got " +
                       std::to_string(s.num_groups) + ")");
  if (s.block_k != 128)
    throw_bad_argument("GemmLaunchSpec.blockK must be 128, the scaling granularity (got " + std::to_string(s.block_k) + ")");
  if (s.k % 128 != 0)
    throw CodedError("E_SHAPE_ALIGNMENT", "K = " + std::to_string(s.k) +
                                              " is not a multiple of 128: the 1x128 / 128x128 scaling needs whole "
                                              "128-wide K blocks; pad K to " + std::to_string(align_up_u64(s.k, 128)));
  const int64_t n_align = one_d_one_d ? 4 : 8;  // 16-byte rows of D (fp32 or bf16) for the TMA store
  if (s.n % n_align != 0)
    throw CodedError("E_SHAPE_ALIGNMENT", "N = " + std::to_string(s.n) + " is not a multiple of " +
                                              std::to_string(n_align) + ": D's rows (" + (one_d_one_d ? "fp32" : "bf16") +
                                              ") must be 16-byte aligned for the TMA store; use N = " +
                                              std::to_string(align_up_u64(s.n, n_align)));
}

void validate_gemm_config(const GemmLaunchSpec& s, const DeviceInfoData& device, const LoadedKernel& kernel) {
  const bool one_d_one_d = s.one_d_one_d();
  if (s.bf16()) validate_bf16_config(s);
  else validate_fp8_problem(s);
  if (s.split_k > 1 && (s.cluster_m * s.cluster_n != 1 || one_d_one_d))
    throw_bad_argument("GemmLaunchSpec.splitK = " + std::to_string(s.split_k) + " needs clusterM = clusterN = 1 (the cluster "
                       "splits K instead of multicasting) and the 1D2D or BF16 kernel");
  const int64_t cluster = s.ctas_per_cluster();
  // The 1D1D kernel's cluster pairs tiles along one dimension (k_grouped_scheduler.cuh): its block
  // count there must be even (extension/src/core/kernelRules1d1d.ts ruleClusterPairs1d1d).
  if (one_d_one_d && cluster > 1) {
    const bool along_m = s.cluster_m > 1;
    const int64_t extent = along_m ? s.m : s.n, block = along_m ? s.block_m : s.block_n;
    const int64_t blocks = block > 0 ? (extent + block - 1) / block : 0;
    if (blocks % 2 != 0)
      throw CodedError("E_INVALID_CONFIG", std::string("a ") + std::to_string(s.cluster_m) + " x " + std::to_string(s.cluster_n) +
                                               " cluster of the 1D1D kernel pairs the " + (along_m ? "M" : "N") +
                                               "-blocks of a tile row, but " + (along_m ? "M" : "N") + " = " +
                                               std::to_string(extent) + " makes " + std::to_string(blocks) + " blocks of " +
                                               std::to_string(block) + " (odd): use a 1 x 1 cluster or another tile");
  }
  if (s.cluster_m * s.cluster_n > 2)
    throw_bad_argument("GemmLaunchSpec.clusterM * clusterN must be at most 2 (got " + std::to_string(s.cluster_m) +
                       " x " + std::to_string(s.cluster_n) + ")");
  if (s.num_sms > device.sm_count)
    throw_bad_argument("GemmLaunchSpec.numSms = " + std::to_string(s.num_sms) + " exceeds the device's " +
                       std::to_string(device.sm_count) + " SMs");
  if (s.num_sms % cluster != 0)
    throw_bad_argument("GemmLaunchSpec.numSms = " + std::to_string(s.num_sms) + " must be a multiple of the cluster size " +
                       std::to_string(cluster));
  const int64_t smem_total = s.shared_bytes + kernel.attributes.shared_size_bytes;
  if (smem_total > device.max_shared_memory_per_block_optin)
    throw CodedError("E_SMEM_OVERFLOW", "the config needs " + std::to_string(smem_total) +
                                            " bytes of shared memory per block; the device allows " +
                                            std::to_string(device.max_shared_memory_per_block_optin) +
                                            ": use fewer stages (numStages = " + std::to_string(s.num_stages) +
                                            ") or smaller blocks");
  const int64_t threads = s.threads();
  if (threads > kernel.attributes.max_threads_per_block)
    throw_bad_argument("kernel " + kernel.name + " allows " + std::to_string(kernel.attributes.max_threads_per_block) +
                       " threads per block; numMathWarpgroups = " + std::to_string(s.num_math_warpgroups) +
                       " needs " + std::to_string(threads) + ": compile the kernel for the same config");
}

void validate_gemm_buffers(const GemmLaunchSpec& s, const GemmOperands& o) {
  if (s.bf16()) {
    require_bytes("a", s.a, o.rows_a * o.k * 2, "bf16 [" + std::to_string(o.rows_a) + ", " + std::to_string(o.k) + "]");
    require_bytes("b", s.b, o.rows_b * o.k * 2, "bf16 [" + std::to_string(o.rows_b) + ", " + std::to_string(o.k) + "]");
    require_bytes("d", s.d, o.d_bytes(), o.d_layout());
    if (s.c) require_bytes("c", s.c, o.d_planes * o.rows_a * o.n * 4, o.d_layout());
    if (s.grouped_layout) {
      const uint64_t count = s.contiguous() && !s.psum_layout ? o.rows_a : o.groups;
      require_bytes("groupedLayout", s.grouped_layout, count * 4, "int32 [" + std::to_string(count) + "]");
    }
    if (s.flags) require_bytes("flags", s.flags, 4, "uint32 [1]");
    if (s.trace)
      require_bytes("trace", s.trace, trace_buffer_bytes(uint32_t(s.num_sms), s.trace_capacity),
                    std::to_string(s.num_sms) + " CTAs x " + std::to_string(kTraceRolesPerCta) + " roles");
    return;
  }
  require_bytes("a", s.a, o.rows_a * o.k, "fp8 [" + std::to_string(o.rows_a) + ", " + std::to_string(o.k) + "]");
  require_bytes("b", s.b, o.rows_b * o.k, "fp8 [" + std::to_string(o.rows_b) + ", " + std::to_string(o.k) + "]");
  require_bytes("sfa", s.sfa, o.k_blocks * o.sfa_stride * 4,
                "fp32 [ceil(K/128) = " + std::to_string(o.k_blocks) + "][alignedM = " + std::to_string(o.sfa_stride) + "]");
  if (s.one_d_one_d())
    require_bytes("sfb", s.sfb, o.k_blocks * o.sfb_stride * 4,
                  "fp32 [ceil(K/128) = " + std::to_string(o.k_blocks) + "][alignedN = " + std::to_string(o.sfb_stride) + "]");
  else
    require_bytes("sfb", s.sfb, o.groups * ceil_div_u64(o.n, 128) * o.k_blocks * 4,
                  "fp32 [" + std::to_string(o.groups) + "][ceil(N/128) = " + std::to_string(ceil_div_u64(o.n, 128)) +
                      "][ceil(K/128) = " + std::to_string(o.k_blocks) + "]");
  require_bytes("d", s.d, o.d_bytes(), o.d_layout());
  if (s.grouped_layout) {
    const uint64_t count = s.contiguous() && !s.psum_layout ? o.rows_a : o.groups;
    require_bytes("groupedLayout", s.grouped_layout, count * 4, "int32 [" + std::to_string(count) + "]");
  }
  if (s.flags) require_bytes("flags", s.flags, 4, "uint32 [1]");
  if (s.c) require_bytes("c", s.c, o.d_planes * o.rows_a * o.n * 4, o.d_layout());
  if (s.trace)
    require_bytes("trace", s.trace, trace_buffer_bytes(uint32_t(s.num_sms), s.trace_capacity),
                  std::to_string(s.num_sms) + " CTAs x " + std::to_string(kTraceRolesPerCta) + " roles x (" +
                      std::to_string(kTraceHeaderBytes) + " + " + std::to_string(kTraceRecordBytes) + " x " +
                      std::to_string(s.trace_capacity) + ")");
}

}  // namespace fp8lab
