// createGemmLaunch: validates a GEMM spec against the device and the kernel's ABI, encodes the
// tensor maps, fills GemmArgs (kernels/include/fp8lab/gemm_args.h) and returns a handle whose run()
// is one cuLaunchKernelEx. The addon never picks a config; it only says what is wrong with one.
#include <cstring>

#include "bindings.h"
#include "errors.h"
#include "napi_util.h"
#include "tensor_map.h"

namespace fp8lab {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
uint64_t align_up(uint64_t a, uint64_t b) { return ceil_div(a, b) * b; }

struct GemmState : Launchable {
  KernelRef kernel;
  GemmArgs args;
  LaunchShape shape;
  std::vector<MemoryRef> keep;  // the buffers the tensor maps point into
  // 1D1D with C distinct from D: D = C first.
  CUdeviceptr copy_src = 0, copy_dst = 0;
  size_t copy_bytes = 0;
  void enqueue(CUstream stream) override {
    if (copy_bytes) {
      const DeviceState& s = device();
      check_cu(s.drv->cuMemcpyDtoDAsync(copy_dst, copy_src, copy_bytes, stream), "cuMemcpyDtoDAsync (C into D)");
    }
    void* params[] = {&args};
    launch_kernel(*kernel, shape, params, stream);
  }
};

struct Spec {
  std::string kind;
  int64_t m, n, k, num_groups, block_m, block_n, block_k, num_stages, num_math_warpgroups;
  int64_t cluster_m, cluster_n, split_k, swizzle_a, swizzle_b, swizzle_d, num_sms, shared_bytes;
  bool pdl;
};

const char* kSpecWhat = "GemmLaunchSpec";

void require_bytes(const char* name, const MemoryRef& buf, uint64_t needed, const std::string& layout) {
  if (buf->bytes < needed)
    throw_bad_argument(std::string("buffer ") + name + " has " + std::to_string(buf->bytes) + " bytes; this GEMM needs " +
                       std::to_string(needed) + " (" + layout + ")");
}

int swizzle_field(const Napi::Object& o, const char* name) {
  int64_t v = get_integer(o, name, kSpecWhat, 0, 128);
  if (v != 0 && v != 32 && v != 64 && v != 128)
    throw_bad_argument(std::string(kSpecWhat) + "." + name + " must be 0, 32, 64 or 128 (bytes); got " +
                       std::to_string(v));
  return int(v);
}

class GemmLaunchWrap : public Napi::ObjectWrap<GemmLaunchWrap> {
 public:
  GemmLaunchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GemmLaunchWrap>(info) {
    if (info.Length() != 2 || !info[0].IsExternal() || !info[1].IsObject())
      throw to_js_error(info.Env(), CodedError("E_BAD_ARGUMENT", "GemmLaunch is created by createGemmLaunch(spec)"));
    state_ = *info[0].As<Napi::External<std::shared_ptr<GemmState>>>().Data();
    spec_ = Napi::Persistent(info[1].As<Napi::Object>());
  }
  Napi::Value spec(const Napi::CallbackInfo& info) { return spec_.Value(); }
  Napi::Value run(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      if (!state_) throw_bad_argument("this GemmLaunch was disposed; create a new one");
      state_->enqueue(device().stream);
      return info.Env().Undefined();
    });
  }
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    state_.reset();
    return info.Env().Undefined();
  }
  std::shared_ptr<GemmState> state() const { return state_; }

 private:
  std::shared_ptr<GemmState> state_;
  Napi::ObjectReference spec_;
};

}  // namespace

Napi::Function define_gemm_launch_class(Napi::Env env) {
  return GemmLaunchWrap::DefineClass(env, "GemmLaunch",
                                     {GemmLaunchWrap::InstanceAccessor<&GemmLaunchWrap::spec>("spec"),
                                      GemmLaunchWrap::InstanceMethod<&GemmLaunchWrap::run>("run"),
                                      GemmLaunchWrap::InstanceMethod<&GemmLaunchWrap::dispose>("dispose")});
}

std::shared_ptr<Launchable> unwrap_gemm_launch(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(addon_data(env).gemm_launch_class.Value())) return nullptr;
  auto s = GemmLaunchWrap::Unwrap(v.As<Napi::Object>())->state();
  if (!s) throw_bad_argument("a GemmLaunch passed to timeGraphs was disposed");
  return s;
}

Napi::Value js_create_gemm_launch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    Napi::Object o = require_object(info[0], kSpecWhat);
    const DeviceState& dev = device();
    Spec s;
    KernelRef kernel = unwrap_kernel(o.Get("kernel"), "GemmLaunchSpec.kernel");
    s.kind = get_string(o, "kind", kSpecWhat);
    if (s.kind != "normal" && s.kind != "contiguous" && s.kind != "masked" && s.kind != "wgrad" && s.kind != "kgrouped")
      throw_bad_argument("GemmLaunchSpec.kind must be one of normal, contiguous, masked, kgrouped, wgrad (got '" +
                         s.kind + "')");
    // wgrad / kgrouped run the 1D1D kernel (impls/sm90_fp8_gemm_1d1d.cuh): fp32 D = C + A.B^T, both
    // operands scaled per 1x128; the others the 1D2D kernel (bf16 D, B per 128x128).
    const bool one_d_one_d = s.kind == "wgrad" || s.kind == "kgrouped";
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
    // Split-K (1D2D only): the two CTAs of a cluster share a tile, each runs half of K.
    s.split_k = has_field(o, "splitK") ? get_integer(o, "splitK", kSpecWhat, 1, 4) : 1;
    if (s.split_k == 3) throw_bad_argument("GemmLaunchSpec.splitK must be 1, 2 or 4 (got 3)");
    s.swizzle_a = swizzle_field(o, "swizzleA");
    s.swizzle_b = swizzle_field(o, "swizzleB");
    s.swizzle_d = swizzle_field(o, "swizzleD");
    s.num_sms = get_integer(o, "numSms", kSpecWhat, 1, 1 << 16);
    s.shared_bytes = get_integer(o, "sharedBytes", kSpecWhat, 0, int64_t(1) << 30);
    s.pdl = get_bool(o, "pdl", kSpecWhat);

    if ((s.kind == "normal" || s.kind == "wgrad") && s.num_groups != 1)
      throw_bad_argument("GemmLaunchSpec.numGroups must be 1 for kind '" + s.kind + "' (got " +
                         std::to_string(s.num_groups) + ")");
    if (s.block_k != 128)
      throw_bad_argument("GemmLaunchSpec.blockK must be 128, the scaling granularity (got " + std::to_string(s.block_k) + ")");
    if (s.k % 128 != 0)
      throw CodedError("E_SHAPE_ALIGNMENT", "K = " + std::to_string(s.k) +
                                                " is not a multiple of 128: the 1x128 / 128x128 scaling needs whole "
                                                "128-wide K blocks; pad K to " + std::to_string(align_up(s.k, 128)));
    const int64_t n_align = one_d_one_d ? 4 : 8;  // 16-byte rows of D (fp32 or bf16) for the TMA store
    if (s.n % n_align != 0)
      throw CodedError("E_SHAPE_ALIGNMENT", "N = " + std::to_string(s.n) + " is not a multiple of " +
                                                std::to_string(n_align) + ": D's rows (" + (one_d_one_d ? "fp32" : "bf16") +
                                                ") must be 16-byte aligned for the TMA store; use N = " +
                                                std::to_string(align_up(s.n, n_align)));
    if (s.split_k > 1 && (s.cluster_m * s.cluster_n != 1 || one_d_one_d))
      throw_bad_argument("GemmLaunchSpec.splitK = " + std::to_string(s.split_k) + " needs clusterM = clusterN = 1 (the cluster "
                         "splits K instead of multicasting) and the 1D2D kernel");
    const int64_t cluster = s.cluster_m * s.cluster_n * s.split_k;  // CTAs per launched cluster
    if (one_d_one_d && cluster != 1)
      throw_bad_argument("the 1D1D kernel (kind '" + s.kind + "') runs without clusters: clusterM = clusterN = 1");
    if (s.cluster_m * s.cluster_n > 2)
      throw_bad_argument("GemmLaunchSpec.clusterM * clusterN must be at most 2 (got " + std::to_string(s.cluster_m) +
                         " x " + std::to_string(s.cluster_n) + ")");
    if (s.num_sms > dev.info.sm_count)
      throw_bad_argument("GemmLaunchSpec.numSms = " + std::to_string(s.num_sms) + " exceeds the device's " +
                         std::to_string(dev.info.sm_count) + " SMs");
    if (s.num_sms % cluster != 0)
      throw_bad_argument("GemmLaunchSpec.numSms = " + std::to_string(s.num_sms) + " must be a multiple of the cluster size " +
                         std::to_string(cluster));
    const int64_t smem_total = s.shared_bytes + kernel->attributes.shared_size_bytes;
    if (smem_total > dev.info.max_shared_memory_per_block_optin)
      throw CodedError("E_SMEM_OVERFLOW", "the config needs " + std::to_string(smem_total) +
                                              " bytes of shared memory per block; the device allows " +
                                              std::to_string(dev.info.max_shared_memory_per_block_optin) +
                                              ": use fewer stages (numStages = " + std::to_string(s.num_stages) +
                                              ") or smaller blocks");
    const int64_t threads = 128 * (1 + s.num_math_warpgroups);
    if (threads > kernel->attributes.max_threads_per_block)
      throw_bad_argument("kernel " + kernel->name + " allows " + std::to_string(kernel->attributes.max_threads_per_block) +
                         " threads per block; numMathWarpgroups = " + std::to_string(s.num_math_warpgroups) +
                         " needs " + std::to_string(threads) + ": compile the kernel for the same config");

    // Buffers and their sizes.
    const uint64_t m = uint64_t(s.m), n = uint64_t(s.n), k = uint64_t(s.k), g = uint64_t(s.num_groups);
    // normal / wgrad / kgrouped: M; contiguous: ΣM (every group's rows back to back); masked: m is
    // Mmax and A / D are [G, Mmax, *] = G * Mmax rows. K-grouped groups are concatenated along K
    // (k = ΣK_g), so A and B keep M and N rows.
    const bool m_grouped = s.kind == "contiguous" || s.kind == "masked";
    const uint64_t rows_a = s.kind == "masked" ? g * m : m;
    const uint64_t rows_b = m_grouped ? g * n : n;
    const uint64_t k_blocks = k / 128;
    const uint64_t sfa_stride = align_up(rows_a, 4);
    const uint64_t sfb_stride = align_up(n, 4);  // 1D1D: SFB [ceil(K/128)][align(N, 4)]
    const uint64_t d_planes = one_d_one_d ? g : 1;
    const uint64_t d_elem = one_d_one_d ? 4 : 2;
    auto st = std::make_shared<GemmState>();
    st->kernel = kernel;
    MemoryRef a = unwrap_buffer(env, o.Get("a"), "GemmLaunchSpec.a");
    MemoryRef b = unwrap_buffer(env, o.Get("b"), "GemmLaunchSpec.b");
    MemoryRef sfa = unwrap_buffer(env, o.Get("sfa"), "GemmLaunchSpec.sfa");
    MemoryRef sfb = unwrap_buffer(env, o.Get("sfb"), "GemmLaunchSpec.sfb");
    MemoryRef d = unwrap_buffer(env, o.Get("d"), "GemmLaunchSpec.d");
    require_bytes("a", a, rows_a * k, "fp8 [" + std::to_string(rows_a) + ", " + std::to_string(k) + "]");
    require_bytes("b", b, rows_b * k, "fp8 [" + std::to_string(rows_b) + ", " + std::to_string(k) + "]");
    require_bytes("sfa", sfa, k_blocks * sfa_stride * 4,
                  "fp32 [ceil(K/128) = " + std::to_string(k_blocks) + "][alignedM = " + std::to_string(sfa_stride) + "]");
    if (one_d_one_d)
      require_bytes("sfb", sfb, k_blocks * sfb_stride * 4,
                    "fp32 [ceil(K/128) = " + std::to_string(k_blocks) + "][alignedN = " + std::to_string(sfb_stride) + "]");
    else
      require_bytes("sfb", sfb, g * ceil_div(n, 128) * k_blocks * 4,
                    "fp32 [" + std::to_string(g) + "][ceil(N/128) = " + std::to_string(ceil_div(n, 128)) +
                        "][ceil(K/128) = " + std::to_string(k_blocks) + "]");
    const std::string d_layout = std::string(one_d_one_d ? "fp32 [" : "bf16 [") +
                                 (d_planes > 1 ? std::to_string(d_planes) + ", " : "") + std::to_string(rows_a) + ", " +
                                 std::to_string(n) + "]";
    require_bytes("d", d, d_planes * rows_a * n * d_elem, d_layout);
    st->keep = {a, b, sfa, sfb, d};
    MemoryRef layout, c;
    const bool psum_layout = get_bool(o, "psumLayout", kSpecWhat);
    if (psum_layout && s.kind != "contiguous")
      throw_bad_argument("GemmLaunchSpec.psumLayout applies to kind 'contiguous' only (got '" + s.kind + "')");
    if (s.kind == "contiguous" || s.kind == "masked" || s.kind == "kgrouped") {
      const bool per_row = s.kind == "contiguous" && !psum_layout;
      if (!has_field(o, "groupedLayout"))
        throw_bad_argument("GemmLaunchSpec.groupedLayout is required for kind '" + s.kind + "' (" +
                           (per_row ? "int32 expert index per row of A"
                                    : s.kind == "masked" ? "int32 masked_m per group"
                                    : s.kind == "kgrouped" ? "int32 K per group" : "int32 psum per group") + ")");
      layout = unwrap_buffer(env, o.Get("groupedLayout"), "GemmLaunchSpec.groupedLayout");
      const uint64_t count = per_row ? rows_a : g;
      require_bytes("groupedLayout", layout, count * 4, "int32 [" + std::to_string(count) + "]");
      st->keep.push_back(layout);
    }
    // Optional device word the M-grouped kernels OR flags into (masked_m clamped, expert out of range).
    MemoryRef flags;
    if (has_field(o, "flags")) {
      if (!m_grouped) throw_bad_argument("GemmLaunchSpec.flags is only written by the M-grouped kinds (contiguous, masked)");
      flags = unwrap_buffer(env, o.Get("flags"), "GemmLaunchSpec.flags");
      require_bytes("flags", flags, 4, "uint32 [1]");
      st->keep.push_back(flags);
    }
    if (has_field(o, "c")) {
      if (!one_d_one_d) throw_bad_argument("GemmLaunchSpec.c is only read by the 1D1D kinds (wgrad, kgrouped)");
      c = unwrap_buffer(env, o.Get("c"), "GemmLaunchSpec.c");
      require_bytes("c", c, d_planes * rows_a * n * 4, d_layout);
      st->keep.push_back(c);
      // The kernel reduce-adds into D, so D must start as C: when they differ, run() copies C into D
      // first (stream-ordered, captured into graphs with the launch).
      if (c->ptr != d->ptr) {
        st->copy_src = c->ptr;
        st->copy_dst = d->ptr;
        st->copy_bytes = d_planes * rows_a * n * 4;
      }
    }

    MemoryRef trace;
    uint32_t trace_capacity = 0;
    if (has_field(o, "trace")) {
      trace = unwrap_buffer(env, o.Get("trace"), "GemmLaunchSpec.trace");
      if (!has_field(o, "traceCapacity"))
        throw_bad_argument("GemmLaunchSpec.traceCapacity is required with trace (records per slice)");
      trace_capacity = uint32_t(get_integer(o, "traceCapacity", kSpecWhat, 1, 1 << 24));
      // trace_buffer_bytes() of common/trace.cuh: one 32-byte header + records per (CTA, role), 3 roles.
      require_bytes("trace", trace, uint64_t(s.num_sms) * 3 * (32 + 16 * uint64_t(trace_capacity)),
                    std::to_string(s.num_sms) + " CTAs x 3 roles x (32 + 16 x " + std::to_string(trace_capacity) + ")");
      st->keep.push_back(trace);
    }

    // Tensor maps, per the comments in gemm_args.h.
    GemmArgs& args = st->args;
    std::memset(&args, 0, sizeof args);
    args.tma_a = encode_tma({"A", kTensorMapDataTypeUint8, 1, a->ptr, k, rows_a, k,
                                TmaBox{uint32_t(s.block_k), uint32_t(s.block_m)}, uint32_t(s.swizzle_a),
                                kTensorMapL2Promotion256B});
    args.tma_b = encode_tma({"B", kTensorMapDataTypeUint8, 1, b->ptr, k, rows_b, k,
                                TmaBox{uint32_t(s.block_k), uint32_t(s.block_n)}, uint32_t(s.swizzle_b),
                                kTensorMapL2Promotion256B});
    args.tma_sfa = encode_tma({"SFA", kTensorMapDataTypeFloat32, 4, sfa->ptr, sfa_stride, k_blocks, sfa_stride * 4,
                               TmaBox{uint32_t(s.block_m), 1}, 0, kTensorMapL2PromotionNone});
    if (one_d_one_d)
      args.tma_sfb = encode_tma({"SFB", kTensorMapDataTypeFloat32, 4, sfb->ptr, sfb_stride, k_blocks, sfb_stride * 4,
                                 TmaBox{uint32_t(s.block_n), 1}, 0, kTensorMapL2PromotionNone});
    TmaSpec d_map{"D", one_d_one_d ? kTensorMapDataTypeFloat32 : kTensorMapDataTypeBfloat16, uint32_t(d_elem), d->ptr, n,
                  rows_a, n * d_elem,
                  d_store_box(uint32_t(s.block_n), uint32_t(s.block_m), uint32_t(s.swizzle_d),
                              uint32_t(s.num_math_warpgroups), uint32_t(d_elem)),
                  uint32_t(s.swizzle_d), kTensorMapL2PromotionNone};
    if (one_d_one_d) {  // the 1D1D epilogue reduce-adds through a 3D map {N, M, G}
      d_map.planes = d_planes;
      d_map.plane_stride_bytes = rows_a * n * 4;
    }
    args.tma_d = encode_tma(d_map);
    args.sfb = reinterpret_cast<const float*>(sfb->ptr);
    args.grouped_layout = layout ? reinterpret_cast<const int32_t*>(layout->ptr) : nullptr;
    args.c = c ? reinterpret_cast<const float*>(c->ptr) : nullptr;
    args.m = uint32_t(m);
    args.n = uint32_t(n);
    args.k = uint32_t(k);
    args.num_groups = uint32_t(g);
    args.sfa_stride = uint32_t(sfa_stride);
    args.trace = trace ? reinterpret_cast<void*>(trace->ptr) : nullptr;
    // M-grouped kinds store partly valid tiles row by row through D's base pointer.
    args.d = m_grouped ? reinterpret_cast<void*>(d->ptr) : nullptr;
    args.flags = flags ? reinterpret_cast<uint32_t*>(flags->ptr) : nullptr;
    args.psum_layout = psum_layout ? 1u : 0u;
    args.trace_capacity = trace_capacity;

    st->shape.grid[0] = unsigned(s.num_sms);
    st->shape.block[0] = unsigned(threads);
    st->shape.cluster[0] = unsigned(cluster);
    st->shape.shared_bytes = unsigned(s.shared_bytes);
    st->shape.pdl = s.pdl;
    prepare_dynamic_smem(*kernel, st->shape.shared_bytes);

    // The spec as the handle reports it: every scalar field, frozen.
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
    if (psum_layout) spec.Set("psumLayout", true);
    if (trace) spec.Set("traceCapacity", Napi::Number::New(env, trace_capacity));
    spec.Freeze();
    return addon_data(env).gemm_launch_class.New({Napi::External<std::shared_ptr<GemmState>>::New(env, &st), spec});
  });
}

}  // namespace fp8lab
