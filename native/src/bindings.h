// The N-API surface: each js_* function implements one export of native/index.d.ts; the classes
// (DeviceBuffer, GemmLaunch, PeerLaunch) are handles returned by those functions.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "device.h"
#include "launchable.h"

namespace fp8lab {

struct AddonData {
  Napi::FunctionReference buffer_class;
  Napi::FunctionReference gemm_launch_class;
  Napi::FunctionReference peer_launch_class;
  Napi::FunctionReference mqa_launch_class;
};
AddonData& addon_data(Napi::Env env);

// Class registration (called from addon.cc).
Napi::Function define_buffer_class(Napi::Env env);
Napi::Function define_gemm_launch_class(Napi::Env env);
Napi::Function define_peer_launch_class(Napi::Env env);
Napi::Function define_mqa_launch_class(Napi::Env env);

// A live DeviceBuffer's memory; E_BAD_ARGUMENT naming `what` when v is not one or was disposed.
MemoryRef unwrap_buffer(Napi::Env env, const Napi::Value& v, const std::string& what);
// A live GemmLaunch / PeerLaunch, or nullptr when v is not of that class (disposed: E_BAD_ARGUMENT).
std::shared_ptr<Launchable> unwrap_gemm_launch(Napi::Env env, const Napi::Value& v);
std::shared_ptr<Launchable> unwrap_peer_launch(Napi::Env env, const Napi::Value& v);
std::shared_ptr<Launchable> unwrap_mqa_launch(Napi::Env env, const Napi::Value& v);

// Device and driver (device_binding.cc)
Napi::Value js_probe(const Napi::CallbackInfo& info);
Napi::Value js_init(const Napi::CallbackInfo& info);
Napi::Value js_alloc(const Napi::CallbackInfo& info);
Napi::Value js_upload(const Napi::CallbackInfo& info);
Napi::Value js_download(const Napi::CallbackInfo& info);
Napi::Value js_fill32(const Napi::CallbackInfo& info);
Napi::Value js_load_kernel(const Napi::CallbackInfo& info);
Napi::Value js_launch(const Napi::CallbackInfo& info);
Napi::Value js_synchronize(const Napi::CallbackInfo& info);
// JIT (compile_binding.cc)
Napi::Value js_compile(const Napi::CallbackInfo& info);
Napi::Value js_cache_key(const Napi::CallbackInfo& info);
// GEMM (gemm_launch.cc), cuBLASLt (cublaslt.cc), timing (timing.cc)
Napi::Value js_create_gemm_launch(const Napi::CallbackInfo& info);
Napi::Value js_cublaslt_info(const Napi::CallbackInfo& info);
Napi::Value js_create_cublaslt_launch(const Napi::CallbackInfo& info);
Napi::Value js_time_graphs(const Napi::CallbackInfo& info);
// FP8 MQA logits, plain and paged (mqa_launch.cc)
Napi::Value js_create_mqa_launch(const Napi::CallbackInfo& info);

// The kernel loadKernel() returned for a Kernel object ({name, cubinPath, ...}); E_BAD_ARGUMENT otherwise.
KernelRef unwrap_kernel(const Napi::Value& v, const std::string& what);

}  // namespace fp8lab
