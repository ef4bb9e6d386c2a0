// Module registration: the exports of native/index.d.ts, plus buildInfo().
#include <cstdlib>

#include "bindings.h"
#include "errors.h"
#include "nvrtc.h"

namespace fp8lab {

AddonData& addon_data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

namespace {

Napi::Value js_build_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("napiVersion", NAPI_VERSION);
#if defined(__clang__)
  o.Set("compiler", std::string("clang ") + __clang_version__);
#elif defined(__GNUC__)
  o.Set("compiler", std::string("g++ ") + __VERSION__);
#else
  o.Set("compiler", "unknown");
#endif
  const char* home = std::getenv("CUDA_HOME");
  if (!home) home = std::getenv("CUDA_PATH");
  o.Set("nvrtcAvailable", nvrtc_available(home ? home : "/usr/local/cuda"));
  return o;
}

Napi::Object init_module(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  data->buffer_class = Napi::Persistent(define_buffer_class(env));
  data->gemm_launch_class = Napi::Persistent(define_gemm_launch_class(env));
  data->peer_launch_class = Napi::Persistent(define_peer_launch_class(env));
  data->mqa_launch_class = Napi::Persistent(define_mqa_launch_class(env));

  struct Export {
    const char* name;
    Napi::Value (*fn)(const Napi::CallbackInfo&);
  };
  const Export table[] = {
      {"probe", js_probe},
      {"buildInfo", js_build_info},
      {"compile", js_compile},
      {"cacheKey", js_cache_key},
      {"init", js_init},
      {"alloc", js_alloc},
      {"upload", js_upload},
      {"download", js_download},
      {"fill32", js_fill32},
      {"loadKernel", js_load_kernel},
      {"launch", js_launch},
      {"synchronize", js_synchronize},
      {"createGemmLaunch", js_create_gemm_launch},
      {"cublasLtInfo", js_cublaslt_info},
      {"createCublasLtLaunch", js_create_cublaslt_launch},
      {"timeGraphs", js_time_graphs},
      {"createMqaLaunch", js_create_mqa_launch},
  };
  for (const auto& e : table) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  return exports;
}

}  // namespace
}  // namespace fp8lab

static Napi::Object fp8lab_init(Napi::Env env, Napi::Object exports) { return fp8lab::init_module(env, exports); }

NODE_API_MODULE(fp8lab, fp8lab_init)
