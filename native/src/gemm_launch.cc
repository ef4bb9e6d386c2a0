// createGemmLaunch: reads the JS spec into a plain GemmLaunchSpec (gemm_launch_parse), validates it
// against the device and the kernel's ABI (gemm_launch_validate), fills GemmArgs and the launch
// shape (gemm_args_build) and returns a handle whose run() is one cuLaunchKernelEx. The addon never
// picks a config; it only says what is wrong with one.
#include "bindings.h"
#include "gemm_args_build.h"
#include "gemm_launch_parse.h"
#include "gemm_launch_validate.h"
#include "gemm_operands.h"
#include "napi_errors.h"
#include "napi_util.h"

namespace fp8lab {
namespace {

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
    Napi::Object o = require_object(info[0], "GemmLaunchSpec");
    const DeviceState& dev = device();
    GemmLaunchSpec spec = parse_gemm_launch_config(o);
    validate_gemm_config(spec, dev.info, *spec.kernel);
    parse_gemm_launch_buffers(env, o, spec);
    const GemmOperands operands = gemm_operands(spec);
    validate_gemm_buffers(spec, operands);

    auto st = std::make_shared<GemmState>();
    st->kernel = spec.kernel;
    st->keep = {spec.a, spec.b, spec.d};
    for (const MemoryRef& optional : {spec.sfa, spec.sfb, spec.grouped_layout, spec.flags, spec.c, spec.trace})
      if (optional) st->keep.push_back(optional);
    // The kernel reduce-adds into D, so D must start as C: when they differ, run() copies C into D
    // first (stream-ordered, captured into graphs with the launch).
    if (spec.c && spec.c->ptr != spec.d->ptr) {
      st->copy_src = spec.c->ptr;
      st->copy_dst = spec.d->ptr;
      st->copy_bytes = operands.d_planes * operands.rows_a * operands.n * 4;
    }
    st->args = build_gemm_args(spec, operands);
    st->shape = gemm_launch_shape(spec);
    prepare_dynamic_smem(*st->kernel, st->shape.shared_bytes);
    return addon_data(env).gemm_launch_class.New(
        {Napi::External<std::shared_ptr<GemmState>>::New(env, &st), gemm_launch_spec_object(env, spec)});
  });
}

}  // namespace fp8lab
