// createMqaLaunch: the FP8 MQA-logits kernels (kernels/include/fp8lab/impls/sm90_fp8_mqa_logits.cuh,
// sm90_fp8_paged_mqa_logits.cuh). Reads the JS spec, checks it against the kernels' ABI and the
// buffers' sizes (every rejection says what would work), encodes the four tensor maps into the
// kernel's argument struct (kernels/include/fp8lab/mqa_args.h) and returns a handle whose run()
// enqueues the pair of launches one call needs:
//   plain: the main kernel, then the clean-logits kernel (-inf outside each block's key range);
//   paged: the schedule-metadata kernel (from the context lengths on the device), then the main kernel.
// The policy (which heads, dims, next_n the product offers) is TypeScript's, in core/mqa/mqaRules.ts;
// this file refuses only what the kernels cannot take or what would read or write out of bounds.
#include <cstring>
#include <string>

#include "bindings.h"
#include "fp8lab/mqa_args.h"
#include "napi_errors.h"
#include "napi_util.h"
#include "tensor_map.h"

namespace fp8lab {
namespace {

constexpr uint32_t kPageKeys = 64;        // kPagedBlockKV
constexpr uint32_t kCleanThreads = 256;   // sm90_mqa_clean_logits' block
constexpr uint32_t kMetadataThreads = 1024;

struct MqaState : Launchable {
  bool paged = false;
  KernelRef kernel, helper;
  MqaLogitsArgs plain_args{};
  PagedMqaLogitsArgs paged_args{};
  LaunchShape main_shape, helper_shape;
  // The metadata kernel's scalar arguments (paged).
  CUdeviceptr context_lens = 0, schedule = 0;
  uint32_t batch = 0, next_n = 0, split_kv = 0, num_sms = 0;
  std::vector<MemoryRef> keep;  // the buffers the tensor maps and pointers refer to

  void enqueue(CUstream stream) override {
    if (!paged) {
      void* params[] = {&plain_args};
      launch_kernel(*kernel, main_shape, params, stream);
      launch_kernel(*helper, helper_shape, params, stream);
      return;
    }
    void* meta_params[] = {&context_lens, &batch, &next_n, &split_kv, &num_sms, &schedule};
    launch_kernel(*helper, helper_shape, meta_params, stream);
    void* params[] = {&paged_args};
    launch_kernel(*kernel, main_shape, params, stream);
  }
};

// A buffer of at least `bytes`; E_BAD_ARGUMENT naming the field and both sizes otherwise.
MemoryRef sized_buffer(Napi::Env env, const Napi::Object& o, const char* field, uint64_t bytes, const std::string& shape) {
  if (!has_field(o, field)) throw_bad_argument(std::string("MqaLaunchSpec.") + field + " is required for this kind");
  MemoryRef m = unwrap_buffer(env, o.Get(field), std::string("MqaLaunchSpec.") + field);
  if (m->bytes < bytes)
    throw_bad_argument(std::string("MqaLaunchSpec.") + field + " holds " + std::to_string(m->bytes) + " bytes; " + shape + " needs " +
                       std::to_string(bytes));
  return m;
}

TmaSpec tma(const char* name, int type, uint32_t elem_bytes, CUdeviceptr base, uint64_t inner, uint64_t outer, uint64_t row_stride,
            TmaBox box, uint32_t swizzle) {
  TmaSpec t{};
  t.name = name;
  t.data_type = type;
  t.elem_bytes = elem_bytes;
  t.base = base;
  t.inner_dim = inner;
  t.outer_dim = outer;
  t.row_stride_bytes = row_stride;
  t.box = box;
  t.swizzle_bytes = swizzle;
  t.l2_promotion = kTensorMapL2Promotion256B;
  return t;
}

void copy_map(TmaDescriptor& dst, const CUtensorMap& map) {
  static_assert(sizeof(TmaDescriptor) == sizeof(CUtensorMap), "TmaDescriptor mirrors CUtensorMap");
  std::memcpy(&dst, &map, sizeof(dst));
}

class MqaLaunchWrap : public Napi::ObjectWrap<MqaLaunchWrap> {
 public:
  MqaLaunchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<MqaLaunchWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      throw to_js_error(info.Env(), CodedError("E_BAD_ARGUMENT", "MqaLaunch is created by createMqaLaunch(spec)"));
    state_ = *info[0].As<Napi::External<std::shared_ptr<MqaState>>>().Data();
  }
  Napi::Value run(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      if (!state_) throw_bad_argument("this MqaLaunch was disposed; create a new one");
      state_->enqueue(device().stream);
      return info.Env().Undefined();
    });
  }
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    state_.reset();
    return info.Env().Undefined();
  }
  std::shared_ptr<MqaState> state() const { return state_; }

 private:
  std::shared_ptr<MqaState> state_;
};

}  // namespace

Napi::Function define_mqa_launch_class(Napi::Env env) {
  return MqaLaunchWrap::DefineClass(env, "MqaLaunch",
                                    {MqaLaunchWrap::InstanceMethod<&MqaLaunchWrap::run>("run"),
                                     MqaLaunchWrap::InstanceMethod<&MqaLaunchWrap::dispose>("dispose")});
}

std::shared_ptr<Launchable> unwrap_mqa_launch(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(addon_data(env).mqa_launch_class.Value())) return nullptr;
  auto s = MqaLaunchWrap::Unwrap(v.As<Napi::Object>())->state();
  if (!s) throw_bad_argument("an MqaLaunch passed to timeGraphs was disposed");
  return s;
}

Napi::Value js_create_mqa_launch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    const std::string what = "MqaLaunchSpec";
    Napi::Object o = require_object(info[0], what);
    const DeviceState& dev = device();
    auto st = std::make_shared<MqaState>();
    st->kernel = unwrap_kernel(o.Get("kernel"), what + ".kernel");
    st->helper = unwrap_kernel(o.Get("helper"), what + ".helper");
    const std::string kind = get_string(o, "kind", what);
    if (kind != "mqa-logits" && kind != "paged-mqa-logits")
      throw_bad_argument(what + ".kind must be 'mqa-logits' or 'paged-mqa-logits'; got '" + kind + "'");
    st->paged = kind == "paged-mqa-logits";
    const uint32_t heads = uint32_t(get_integer(o, "heads", what, 1, 1024));
    const uint32_t dim = uint32_t(get_integer(o, "dim", what, 1, 1024));
    const uint32_t next_n = st->paged ? uint32_t(get_integer(o, "nextN", what, 1, 128)) : 1;
    const uint32_t warpgroups = uint32_t(get_integer(o, "numMathWarpgroups", what, 1, 4));
    const uint32_t num_sms = uint32_t(get_integer(o, "numSms", what, 1, 4096));
    const uint32_t shared_bytes = uint32_t(get_integer(o, "sharedBytes", what, 1, 1 << 20));
    const uint64_t stride = uint64_t(get_integer(o, "strideLogits", what, 1, int64_t(1) << 31));
    // The kernels' ABI (their static_asserts): what a kernel built from other values would not match.
    if (heads != 32 && heads != 64)
      throw CodedError("E_BAD_ARGUMENT", what + ".heads is " + std::to_string(heads) + "; the MQA-logits kernels take 32 or 64 heads");
    if (dim != 64 && dim != 128)
      throw CodedError("E_BAD_ARGUMENT", what + ".dim is " + std::to_string(dim) + "; the MQA-logits kernels take dim 64 or 128");
    if (next_n * heads > 128)
      throw CodedError("E_BAD_ARGUMENT", what + ": next_n x heads = " + std::to_string(next_n * heads) +
                                              " is over 128 (one wgmma N); with " + std::to_string(heads) + " heads next_n may be 1.." +
                                              std::to_string(128 / heads));
    if (warpgroups != 1 && warpgroups != 2 && warpgroups != 4) throw_bad_argument(what + ".numMathWarpgroups must be 1, 2 or 4");
    const uint32_t threads = 128 * (warpgroups + 1);
    st->main_shape.grid[0] = num_sms;
    st->main_shape.block[0] = threads;
    st->main_shape.shared_bytes = shared_bytes;
    st->main_shape.pdl = get_bool(o, "pdl", what);
    const uint32_t swizzle = dim;  // one swizzled row per head: 64 or 128 bytes
    MemoryRef q, weights, logits;

    if (!st->paged) {
      const uint32_t seq_q = uint32_t(get_integer(o, "seqQ", what, 1, int64_t(1) << 31));
      const uint32_t seq_kv = uint32_t(get_integer(o, "seqKv", what, 1, int64_t(1) << 31));
      if (stride < seq_kv)
        throw_bad_argument(what + ".strideLogits is " + std::to_string(stride) + "; the kernel writes every key < seq_kv = " +
                           std::to_string(seq_kv) + ", so rows need at least that many elements");
      const uint32_t block_q = 128 / heads, block_kv = 64 * warpgroups;
      q = sized_buffer(env, o, "q", uint64_t(seq_q) * heads * dim, "q [seq_q, heads, dim] e4m3");
      MemoryRef kv = sized_buffer(env, o, "kv", uint64_t(seq_kv) * dim, "kv [seq_kv, dim] e4m3");
      MemoryRef scales = sized_buffer(env, o, "kvScales", uint64_t(seq_kv) * 4, "kv_scales [seq_kv] fp32");
      weights = sized_buffer(env, o, "weights", uint64_t(seq_q) * heads * 4, "weights [seq_q, heads] fp32");
      MemoryRef ks = sized_buffer(env, o, "ks", uint64_t(seq_q) * 4, "cu_seq_len_k_start [seq_q] int32");
      MemoryRef ke = sized_buffer(env, o, "ke", uint64_t(seq_q) * 4, "cu_seq_len_k_end [seq_q] int32");
      logits = sized_buffer(env, o, "logits", uint64_t(seq_q) * stride * 4, "logits [seq_q, strideLogits] fp32");
      MqaLogitsArgs& a = st->plain_args;
      copy_map(a.tma_q, encode_tma(tma("Q", kTensorMapDataTypeUint8, 1, q->ptr, dim, uint64_t(seq_q) * heads, dim, {dim, block_q * heads}, swizzle)));
      copy_map(a.tma_kv, encode_tma(tma("KV", kTensorMapDataTypeUint8, 1, kv->ptr, dim, seq_kv, dim, {dim, block_kv}, swizzle)));
      // One row of seq_kv scales: its row stride is never used, but must be a multiple of 16 bytes.
      copy_map(a.tma_kv_scales, encode_tma(tma("KV scales", kTensorMapDataTypeFloat32, 4, scales->ptr, seq_kv, 1,
                                               (uint64_t(seq_kv) * 4 + 15) / 16 * 16, {block_kv, 1}, 0)));
      copy_map(a.tma_weights, encode_tma(tma("weights", kTensorMapDataTypeFloat32, 4, weights->ptr, heads, seq_q, heads * 4, {heads, block_q}, 0)));
      a.ks = reinterpret_cast<const int32_t*>(ks->ptr);
      a.ke = reinterpret_cast<const int32_t*>(ke->ptr);
      a.logits = reinterpret_cast<float*>(logits->ptr);
      a.seq_q = seq_q;
      a.seq_kv = seq_kv;
      a.stride_logits = uint32_t(stride);
      st->helper_shape.grid[0] = num_sms;
      st->helper_shape.block[0] = kCleanThreads;
      st->helper_shape.pdl = st->main_shape.pdl;
      st->keep = {q, kv, scales, weights, ks, ke, logits};
    } else {
      const uint32_t batch = uint32_t(get_integer(o, "batch", what, 1, int64_t(1) << 31));
      const uint32_t num_blocks = uint32_t(get_integer(o, "numKvBlocks", what, 1, int64_t(1) << 31));
      const uint32_t table_stride = uint32_t(get_integer(o, "blockTableStride", what, 1, int64_t(1) << 24));
      if (stride < uint64_t(table_stride) * kPageKeys)
        throw_bad_argument(what + ".strideLogits is " + std::to_string(stride) + "; a request may span blockTableStride = " +
                           std::to_string(table_stride) + " pages of 64 keys, so rows need at least " +
                           std::to_string(uint64_t(table_stride) * kPageKeys) + " elements");
      const uint64_t meta_smem = uint64_t(batch) * 4;
      if (meta_smem > uint64_t(dev.info.max_shared_memory_per_block_optin))
        throw CodedError("E_SMEM_OVERFLOW", what + ": the schedule kernel keeps one prefix sum per request (" + std::to_string(meta_smem) +
                                                " bytes for batch " + std::to_string(batch) + ") and this GPU allows " +
                                                std::to_string(dev.info.max_shared_memory_per_block_optin) + "; split the batch");
      const uint64_t page_bytes = uint64_t(kPageKeys) * (dim + 4);
      const uint64_t rows = uint64_t(batch) * next_n;
      q = sized_buffer(env, o, "q", rows * heads * dim, "q [batch, next_n, heads, dim] e4m3");
      MemoryRef cache = sized_buffer(env, o, "kvCache", uint64_t(num_blocks) * page_bytes, "kv_cache [num_blocks, 64, 1, dim + 4] uint8");
      weights = sized_buffer(env, o, "weights", rows * heads * 4, "weights [batch x next_n, heads] fp32");
      MemoryRef ctx = sized_buffer(env, o, "contextLens", rows * 4, "context_lens [batch, next_n] int32");
      MemoryRef table = sized_buffer(env, o, "blockTable", uint64_t(batch) * table_stride * 4, "block_table [batch, blockTableStride] int32");
      MemoryRef sched = sized_buffer(env, o, "schedule", (uint64_t(num_sms) + 1) * 8, "the schedule [numSms + 1][2] uint32");
      logits = sized_buffer(env, o, "logits", rows * stride * 4, "logits [batch x next_n, strideLogits] fp32");
      PagedMqaLogitsArgs& a = st->paged_args;
      copy_map(a.tma_q, encode_tma(tma("Q", kTensorMapDataTypeUint8, 1, q->ptr, dim, rows * heads, dim, {dim, next_n * heads}, swizzle)));
      TmaSpec kv = tma("KV cache", kTensorMapDataTypeUint8, 1, cache->ptr, dim, kPageKeys, dim, {dim, kPageKeys}, swizzle);
      kv.planes = num_blocks;
      kv.plane_stride_bytes = page_bytes;
      copy_map(a.tma_kv, encode_tma(kv));
      copy_map(a.tma_kv_scales, encode_tma(tma("KV cache scales", kTensorMapDataTypeFloat32, 4, cache->ptr + uint64_t(kPageKeys) * dim,
                                               kPageKeys, num_blocks, page_bytes, {kPageKeys, 1}, 0)));
      copy_map(a.tma_weights, encode_tma(tma("weights", kTensorMapDataTypeFloat32, 4, weights->ptr, heads, rows, heads * 4, {heads, next_n}, 0)));
      a.context_lens = reinterpret_cast<const int32_t*>(ctx->ptr);
      a.block_table = reinterpret_cast<const int32_t*>(table->ptr);
      a.schedule = reinterpret_cast<const uint32_t*>(sched->ptr);
      a.logits = reinterpret_cast<float*>(logits->ptr);
      a.batch = batch;
      a.block_table_stride = table_stride;
      a.stride_logits = uint32_t(stride);
      a.num_kv_blocks = num_blocks;
      st->context_lens = ctx->ptr;
      st->schedule = sched->ptr;
      st->batch = batch;
      st->next_n = next_n;
      st->split_kv = kPageKeys * warpgroups;
      st->num_sms = num_sms;
      st->helper_shape.grid[0] = 1;
      st->helper_shape.block[0] = kMetadataThreads;
      st->helper_shape.shared_bytes = unsigned(meta_smem);
      st->keep = {q, cache, weights, ctx, table, sched, logits};
    }
    prepare_dynamic_smem(*st->kernel, st->main_shape.shared_bytes);
    prepare_dynamic_smem(*st->helper, st->helper_shape.shared_bytes);
    return addon_data(env).mqa_launch_class.New({Napi::External<std::shared_ptr<MqaState>>::New(env, &st)});
  });
}

}  // namespace fp8lab
