#include "gemm_launch_parse.h"

#include "bindings.h"
#include "napi_errors.h"
#include "napi_util.h"

namespace fp8lab {
namespace {

const char* kSpecWhat = "GemmLaunchSpec";

int swizzle_field(const Napi::Object& o, const char* name) {
  int64_t v = get_integer(o, name, kSpecWhat, 0, 128);
  if (v != 0 && v != 32 && v != 64 && v != 128)
    throw_bad_argument(std::string(kSpecWhat) + "." + name + " must be 0, 32, 64 or 128 (bytes); got " +
                       std::to_string(v));
  return int(v);
}

void parse_scalars(const Napi::Object& o, GemmLaunchSpec& s) {
  s.kind = get_string(o, "kind", kSpecWhat);
  if (s.kind != "normal" && s.kind != "contiguous" && s.kind != "masked" && s.kind != "wgrad" && s.kind != "kgrouped" &&
      s.kind != "bf16" && s.kind != "bf16-contiguous" && s.kind != "bf16-masked" && s.kind != "bf16-kgrouped")
    throw_bad_argument("GemmLaunchSpec.kind must be one of normal, contiguous, masked, kgrouped, wgrad, bf16, bf16-contiguous, "
                       "bf16-masked, bf16-kgrouped (got '" + s.kind + "')");
  // The K-grouped BF16 GEMM always writes fp32 D (D_g = C_g + A_g.B_g^T).
  s.d_fp32 = s.kind == "bf16-kgrouped";
  if (has_field(o, "dType")) {
    const std::string d_type = get_string(o, "dType", kSpecWhat);
    if (d_type != "bf16" && d_type != "fp32")
      throw_bad_argument("GemmLaunchSpec.dType must be 'bf16' or 'fp32' (got '" + d_type + "')");
    if (s.kind == "bf16-kgrouped" && d_type != "fp32")
      throw_bad_argument("GemmLaunchSpec.dType must be 'fp32' for kind 'bf16-kgrouped' (D_g = C_g + A_g.B_g^T in fp32)");
    if (s.kind != "bf16" && s.kind != "bf16-kgrouped" && !(s.bf16() && d_type == "bf16"))
      throw_bad_argument("GemmLaunchSpec.dType applies to kind 'bf16' only (the M-grouped BF16 kinds write bf16; got '" + s.kind + "')");
    s.d_fp32 = d_type == "fp32";
  }
  const int64_t kMaxDim = int64_t(1) << 31;
  s.m = get_integer(o, "m", kSpecWhat, 1, kMaxDim);
  s.n = get_integer(o, "n", kSpecWhat, 1, kMaxDim);
  s.k = get_integer(o, "k", kSpecWhat, 1, kMaxDim);
  s.num_groups = get_integer(o, "numGroups", kSpecWhat, 1, 1 << 16);
  s.block_m = get_integer(o, "blockM", kSpecWhat, 1, 256);
  s.block_n = get_integer(o, "blockN", kSpecWhat, 8, 256);
  s.block_k = get_integer(o, "blockK", kSpecWhat, 1, 1 << 16);
  s.num_stages = get_integer(o, "numStages", kSpecWhat, 1, 64);
  s.num_math_warpgroups = get_integer(o, "numMathWarpgroups", kSpecWhat, 1, 2);
  s.cluster_m = get_integer(o, "clusterM", kSpecWhat, 1, 2);
  s.cluster_n = get_integer(o, "clusterN", kSpecWhat, 1, 2);
  // Split-K (1D2D only): the CTAs of a cluster share a tile, each runs its share of K.
  s.split_k = has_field(o, "splitK") ? get_integer(o, "splitK", kSpecWhat, 1, 4) : 1;
  if (s.split_k == 3) throw_bad_argument("GemmLaunchSpec.splitK must be 1, 2 or 4 (got 3)");
  s.swizzle_a = swizzle_field(o, "swizzleA");
  s.swizzle_b = swizzle_field(o, "swizzleB");
  s.swizzle_d = swizzle_field(o, "swizzleD");
  s.num_sms = get_integer(o, "numSms", kSpecWhat, 1, 1 << 16);
  s.shared_bytes = get_integer(o, "sharedBytes", kSpecWhat, 0, int64_t(1) << 30);
  s.pdl = get_bool(o, "pdl", kSpecWhat);
}

void parse_buffers(Napi::Env env, const Napi::Object& o, GemmLaunchSpec& s) {
  s.a = unwrap_buffer(env, o.Get("a"), "GemmLaunchSpec.a");
  s.b = unwrap_buffer(env, o.Get("b"), "GemmLaunchSpec.b");
  // The FP8 kinds read scales; the BF16 kernel reads none.
  if (!s.bf16()) {
    s.sfa = unwrap_buffer(env, o.Get("sfa"), "GemmLaunchSpec.sfa");
    s.sfb = unwrap_buffer(env, o.Get("sfb"), "GemmLaunchSpec.sfb");
  } else if (has_field(o, "sfa") || has_field(o, "sfb")) {
    throw_bad_argument("GemmLaunchSpec.sfa / sfb are not read by kind 'bf16' (A and B are bf16, unscaled)");
  }
  s.d = unwrap_buffer(env, o.Get("d"), "GemmLaunchSpec.d");
  s.psum_layout = get_bool(o, "psumLayout", kSpecWhat);
  if (s.psum_layout && !s.contiguous())
    throw_bad_argument("GemmLaunchSpec.psumLayout applies to kind 'contiguous' only (got '" + s.kind + "')");
  if (s.m_grouped() || s.k_grouped()) {
    const bool per_row = s.contiguous() && !s.psum_layout;
    if (!has_field(o, "groupedLayout"))
      throw_bad_argument("GemmLaunchSpec.groupedLayout is required for kind '" + s.kind + "' (" +
                         (per_row ? "int32 expert index per row of A"
                                  : s.masked() ? "int32 masked_m per group"
                                  : s.k_grouped() ? "int32 K per group" : "int32 psum per group") + ")");
    s.grouped_layout = unwrap_buffer(env, o.Get("groupedLayout"), "GemmLaunchSpec.groupedLayout");
  }
  // Optional device word the M-grouped kernels OR flags into (masked_m clamped, expert out of range).
  if (has_field(o, "flags")) {
    if (!s.m_grouped()) throw_bad_argument("GemmLaunchSpec.flags is only written by the M-grouped kinds (contiguous, masked)");
    s.flags = unwrap_buffer(env, o.Get("flags"), "GemmLaunchSpec.flags");
  }
  if (has_field(o, "c")) {
    if (s.bf16() && !s.d_fp32)
      throw_bad_argument("GemmLaunchSpec.c (accumulate into fp32 D) needs dType 'fp32' for kind 'bf16'");
    if (!s.one_d_one_d() && !s.bf16())
      throw_bad_argument("GemmLaunchSpec.c is only read by the 1D1D kinds (wgrad, kgrouped), by bf16 with dType 'fp32' and by "
                         "bf16-kgrouped");
    s.c = unwrap_buffer(env, o.Get("c"), "GemmLaunchSpec.c");
  }
  if (has_field(o, "trace")) {
    s.trace = unwrap_buffer(env, o.Get("trace"), "GemmLaunchSpec.trace");
    if (!has_field(o, "traceCapacity"))
      throw_bad_argument("GemmLaunchSpec.traceCapacity is required with trace (records per slice)");
    s.trace_capacity = uint32_t(get_integer(o, "traceCapacity", kSpecWhat, 1, 1 << 24));
  }
}

}  // namespace

GemmLaunchSpec parse_gemm_launch_config(const Napi::Object& o) {
  GemmLaunchSpec s;
  s.kernel = unwrap_kernel(o.Get("kernel"), "GemmLaunchSpec.kernel");
  parse_scalars(o, s);
  return s;
}

void parse_gemm_launch_buffers(Napi::Env env, const Napi::Object& o, GemmLaunchSpec& s) { parse_buffers(env, o, s); }

Napi::Object gemm_launch_spec_object(Napi::Env env, const GemmLaunchSpec& s) {
  Napi::Object spec = Napi::Object::New(env);
  spec.Set("kind", s.kind);
  const std::pair<const char*, int64_t> fields[] = {
      {"m", s.m}, {"n", s.n}, {"k", s.k}, {"numGroups", s.num_groups}, {"blockM", s.block_m},
      {"blockN", s.block_n}, {"blockK", s.block_k}, {"numStages", s.num_stages},
      {"numMathWarpgroups", s.num_math_warpgroups}, {"clusterM", s.cluster_m}, {"clusterN", s.cluster_n}, {"splitK", s.split_k},
      {"swizzleA", s.swizzle_a}, {"swizzleB", s.swizzle_b}, {"swizzleD", s.swizzle_d}, {"numSms", s.num_sms},
      {"sharedBytes", s.shared_bytes}};
  for (const auto& f : fields) spec.Set(f.first, Napi::Number::New(env, double(f.second)));
  spec.Set("pdl", s.pdl);
  if (s.psum_layout) spec.Set("psumLayout", true);
  if (s.bf16()) spec.Set("dType", s.d_fp32 ? "fp32" : "bf16");
  if (s.trace) spec.Set("traceCapacity", Napi::Number::New(env, s.trace_capacity));
  spec.Freeze();
  return spec;
}

}  // namespace fp8lab
