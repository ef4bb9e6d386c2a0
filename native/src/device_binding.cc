// probe, init, device buffers, kernels, launch, synchronize: the N-API side of device.cc.
#include <chrono>
#include <climits>
#include <cstring>
#include <cmath>
#include <thread>

#include "bindings.h"
#include "napi_errors.h"
#include "napi_util.h"

namespace fp8lab {
namespace {

Napi::Object device_info_to_js(Napi::Env env, const DeviceInfoData& d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("ordinal", d.ordinal);
  o.Set("name", d.name);
  Napi::Array cc = Napi::Array::New(env, 2);
  cc.Set(0u, d.cc_major);
  cc.Set(1u, d.cc_minor);
  o.Set("computeCapability", cc);
  o.Set("smCount", d.sm_count);
  o.Set("totalMemoryBytes", d.total_memory_bytes);
  o.Set("l2CacheBytes", d.l2_cache_bytes);
  o.Set("maxSharedMemoryPerBlockOptin", d.max_shared_memory_per_block_optin);
  o.Set("clockRateKHz", d.clock_rate_khz);
  o.Set("memoryClockRateKHz", d.memory_clock_rate_khz);
  o.Set("memoryBusWidthBits", d.memory_bus_width_bits);
  o.Set("pciBusId", d.pci_bus_id);
  return o;
}

std::string optional_string(const Napi::CallbackInfo& info, size_t index, const char* field, const std::string& what) {
  if (info.Length() <= index || info[index].IsUndefined() || info[index].IsNull()) return {};
  return get_string(require_object(info[index], what), field, what, false);
}

// ---- DeviceBuffer -------------------------------------------------------------------------------

class DeviceBufferWrap : public Napi::ObjectWrap<DeviceBufferWrap> {
 public:
  DeviceBufferWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DeviceBufferWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      throw to_js_error(info.Env(), CodedError("E_BAD_ARGUMENT", "DeviceBuffer is created by alloc(bytes)"));
    memory_ = *info[0].As<Napi::External<MemoryRef>>().Data();
    bytes_ = memory_->bytes;
  }
  Napi::Value bytes(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), double(bytes_)); }
  Napi::Value ptr(const Napi::CallbackInfo& info) {
    return Napi::BigInt::New(info.Env(), uint64_t(memory_ ? memory_->ptr : 0));
  }
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    memory_.reset();  // freed now, or when the last launch using it is disposed
    return info.Env().Undefined();
  }
  const MemoryRef& memory() const { return memory_; }

 private:
  MemoryRef memory_;
  size_t bytes_ = 0;
};

}  // namespace

Napi::Function define_buffer_class(Napi::Env env) {
  return DeviceBufferWrap::DefineClass(env, "DeviceBuffer",
                                       {DeviceBufferWrap::InstanceAccessor<&DeviceBufferWrap::bytes>("bytes"),
                                        DeviceBufferWrap::InstanceAccessor<&DeviceBufferWrap::ptr>("ptr"),
                                        DeviceBufferWrap::InstanceMethod<&DeviceBufferWrap::dispose>("dispose")});
}

MemoryRef unwrap_buffer(Napi::Env env, const Napi::Value& v, const std::string& what) {
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(addon_data(env).buffer_class.Value()))
    throw_bad_argument(what + " must be a DeviceBuffer from alloc()");
  DeviceBufferWrap* w = DeviceBufferWrap::Unwrap(v.As<Napi::Object>());
  if (!w->memory()) throw_bad_argument(what + " was disposed; allocate a new buffer");
  return w->memory();
}

KernelRef unwrap_kernel(const Napi::Value& v, const std::string& what) {
  Napi::Object o = require_object(v, what);
  std::string name = get_string(o, "name", what);
  std::string path = get_string(o, "cubinPath", what);
  KernelRef k = find_kernel(path, name);
  if (!k) throw_bad_argument(what + " '" + name + "' from " + path + " is not loaded: pass what loadKernel() returned");
  return k;
}

// ---- driver and device --------------------------------------------------------------------------

Napi::Value js_probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    const Driver& d = load_driver(optional_string(info, 0, "libcudaPath", "probe options"));
    int count = 0;
    check_cu(d.cuDeviceGetCount(&count), "cuDeviceGetCount");
    if (count == 0) throw CodedError("E_NO_DEVICE", "the CUDA driver (" + d.path + ") reports no CUDA device");
    Napi::Object result = Napi::Object::New(env);
    result.Set("libcudaPath", d.path);
    result.Set("driverVersion", d.version);
    Napi::Array devices = Napi::Array::New(env, count);
    for (int i = 0; i < count; ++i) devices.Set(uint32_t(i), device_info_to_js(env, query_device(d, i)));
    result.Set("devices", devices);
    return result;
  });
}

Napi::Value js_init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    int ordinal = 0;
    std::string libcuda;
    if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) {
      Napi::Object o = require_object(info[0], "init options");
      if (has_field(o, "ordinal")) ordinal = int(to_integer(o.Get("ordinal"), "init options.ordinal", 0, 1023));
      libcuda = get_string(o, "libcudaPath", "init options", false);
    }
    return device_info_to_js(env, init_device(ordinal, libcuda).info);
  });
}

Napi::Value js_alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    int64_t bytes = to_integer(info[0], "alloc(bytes): bytes", 1, int64_t(1) << 46);
    MemoryRef memory = device_alloc(size_t(bytes));
    return addon_data(env).buffer_class.New({Napi::External<MemoryRef>::New(env, &memory)});
  });
}

namespace {

struct HostView {
  uint8_t* data;
  size_t bytes;
};

HostView host_view(const Napi::Value& v, const std::string& what) {
  if (v.IsTypedArray()) {
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    return {static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset(), t.ByteLength()};
  }
  if (v.IsDataView()) {
    Napi::DataView d = v.As<Napi::DataView>();
    return {static_cast<uint8_t*>(d.ArrayBuffer().Data()) + d.ByteOffset(), d.ByteLength()};
  }
  throw_bad_argument(what + " must be an ArrayBufferView (a typed array, Buffer or DataView)");
}

size_t optional_size(const Napi::CallbackInfo& info, size_t index, const std::string& what, size_t fallback) {
  if (info.Length() <= index || info[index].IsUndefined()) return fallback;
  return size_t(to_integer(info[index], what, 0, int64_t(1) << 46));
}

void check_range(const std::string& what, size_t offset, size_t bytes, size_t capacity) {
  if (offset + bytes > capacity)
    throw_bad_argument(what + ": bytes [" + std::to_string(offset) + ", " + std::to_string(offset + bytes) +
                       ") exceed the buffer's " + std::to_string(capacity) + " bytes");
}

}  // namespace

Napi::Value js_upload(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    MemoryRef dst = unwrap_buffer(env, info[0], "upload(dst)");
    HostView src = host_view(info[1], "upload(src)");
    size_t offset = optional_size(info, 2, "upload(dstOffsetBytes)", 0);
    check_range("upload", offset, src.bytes, dst->bytes);
    if (src.bytes == 0) return env.Undefined();
    const DeviceState& s = device();
    check_cu(s.drv->cuMemcpyHtoDAsync(dst->ptr + offset, src.data, src.bytes, s.stream), "cuMemcpyHtoDAsync");
    check_cu(s.drv->cuStreamSynchronize(s.stream), "cuStreamSynchronize (upload)");
    return env.Undefined();
  });
}

Napi::Value js_download(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    MemoryRef src = unwrap_buffer(env, info[0], "download(src)");
    size_t offset = optional_size(info, 2, "download(srcOffsetBytes)", 0);
    if (offset > src->bytes) check_range("download", offset, 0, src->bytes);
    size_t bytes = optional_size(info, 1, "download(bytes)", src->bytes - offset);
    check_range("download", offset, bytes, src->bytes);
    Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, bytes);
    if (bytes == 0) return out;
    const DeviceState& s = device();
    check_cu(s.drv->cuMemcpyDtoHAsync(out.Data(), src->ptr + offset, bytes, s.stream), "cuMemcpyDtoHAsync");
    check_cu(s.drv->cuStreamSynchronize(s.stream), "cuStreamSynchronize (download)");
    return out;
  });
}

Napi::Value js_fill32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    MemoryRef dst = unwrap_buffer(env, info[0], "fill32(dst)");
    uint32_t pattern = uint32_t(to_integer(info[1], "fill32(pattern)", 0, 0xffffffffLL));
    size_t bytes = optional_size(info, 2, "fill32(bytes)", dst->bytes & ~size_t(3));
    if (bytes % 4 != 0) throw_bad_argument("fill32(bytes) must be a multiple of 4 (got " + std::to_string(bytes) + ")");
    check_range("fill32", 0, bytes, dst->bytes);
    const DeviceState& s = device();
    if (bytes) check_cu(s.drv->cuMemsetD32Async(dst->ptr, pattern, bytes / 4, s.stream), "cuMemsetD32Async");
    return env.Undefined();
  });
}

Napi::Value js_load_kernel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString())
      throw_bad_argument("loadKernel(cubinPath, name) takes two strings");
    KernelRef k = load_kernel(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
    Napi::Object attrs = Napi::Object::New(env);
    attrs.Set("numRegs", k->attributes.num_regs);
    attrs.Set("localSizeBytes", k->attributes.local_size_bytes);
    attrs.Set("sharedSizeBytes", k->attributes.shared_size_bytes);
    attrs.Set("constSizeBytes", k->attributes.const_size_bytes);
    attrs.Set("maxThreadsPerBlock", k->attributes.max_threads_per_block);
    attrs.Set("ptxVersion", k->attributes.ptx_version);
    attrs.Set("binaryVersion", k->attributes.binary_version);
    attrs.Freeze();
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", k->name);
    o.Set("cubinPath", k->cubin_path);
    o.Set("attributes", attrs);
    o.Freeze();
    return o;
  });
}

namespace {

void read_dim3(const Napi::Object& dims, const char* field, unsigned out[3], bool required) {
  std::string what = std::string("launch dims.") + field;
  if (!has_field(dims, field)) {
    if (required) throw_bad_argument(what + " is required ([x, y, z])");
    return;
  }
  Napi::Value v = dims.Get(field);
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 3) throw_bad_argument(what + " must be [x, y, z]");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < 3; ++i)
    out[i] = unsigned(to_integer(a.Get(i), what + "[" + std::to_string(i) + "]", 1, 0x7fffffff));
}

}  // namespace

Napi::Value js_launch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    KernelRef k = unwrap_kernel(info[0], "launch(kernel)");
    Napi::Object dims = require_object(info[1], "launch(dims)");
    LaunchShape shape;
    read_dim3(dims, "grid", shape.grid, true);
    read_dim3(dims, "block", shape.block, true);
    read_dim3(dims, "cluster", shape.cluster, false);
    if (has_field(dims, "sharedBytes"))
      shape.shared_bytes = unsigned(to_integer(dims.Get("sharedBytes"), "launch dims.sharedBytes", 0, 1 << 30));
    shape.pdl = get_bool(dims, "pdl", "launch dims");
    if (info.Length() < 3 || !info[2].IsArray()) throw_bad_argument("launch(args) must be an array of kernel arguments");
    Napi::Array args = info[2].As<Napi::Array>();
    std::vector<uint64_t> storage(args.Length());
    std::vector<void*> params(args.Length());
    std::vector<MemoryRef> keep;  // buffers stay alive for the call
    for (uint32_t i = 0; i < args.Length(); ++i) {
      std::string what = "launch args[" + std::to_string(i) + "]";
      Napi::Object a = require_object(args.Get(i), what);
      uint64_t& slot = storage[i];
      if (has_field(a, "ptr")) {
        Napi::Value p = a.Get("ptr");
        if (p.IsBigInt()) {
          bool lossless = true;
          slot = p.As<Napi::BigInt>().Uint64Value(&lossless);
          if (!lossless) throw_bad_argument(what + ".ptr must fit in 64 bits");
        } else {
          keep.push_back(unwrap_buffer(env, p, what + ".ptr"));
          slot = keep.back()->ptr;
        }
      } else if (has_field(a, "u32")) {
        uint32_t v = uint32_t(to_integer(a.Get("u32"), what + ".u32", 0, 0xffffffffLL));
        std::memcpy(&slot, &v, 4);
      } else if (has_field(a, "i32")) {
        int32_t v = int32_t(to_integer(a.Get("i32"), what + ".i32", INT32_MIN, INT32_MAX));
        std::memcpy(&slot, &v, 4);
      } else if (has_field(a, "f32")) {
        if (!a.Get("f32").IsNumber()) throw_bad_argument(what + ".f32 must be a number");
        float v = float(a.Get("f32").As<Napi::Number>().DoubleValue());
        std::memcpy(&slot, &v, 4);
      } else if (has_field(a, "u64")) {
        if (!a.Get("u64").IsBigInt()) throw_bad_argument(what + ".u64 must be a bigint");
        bool lossless = true;
        slot = a.Get("u64").As<Napi::BigInt>().Uint64Value(&lossless);
        if (!lossless) throw_bad_argument(what + ".u64 must fit in 64 bits");
      } else {
        throw_bad_argument(what + " must be one of {ptr}, {u32}, {i32}, {f32}, {u64}");
      }
      params[i] = &slot;
    }
    launch_kernel(*k, shape, params.data(), device().stream);
    return env.Undefined();
  });
}

// ---- synchronize ---------------------------------------------------------------------------------

namespace {

class SyncWorker : public Napi::AsyncWorker {
 public:
  SyncWorker(Napi::Env env, double timeout_ms)
      : Napi::AsyncWorker(env, "fp8lab.synchronize"), timeout_ms_(timeout_ms), deferred_(env) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      const DeviceState& s = device();  // also makes the context current on this thread
      auto start = std::chrono::steady_clock::now();
      auto nap = std::chrono::microseconds(20);
      while (true) {
        CUresult r = s.drv->cuStreamQuery(s.stream);
        if (r == kCudaSuccess) return;
        if (r != kCudaErrorNotReady) check_cu(r, "synchronize (cuStreamQuery)");
        double waited = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        if (timeout_ms_ >= 0 && waited > timeout_ms_)
          throw CodedError("E_TIMEOUT", "the stream was still busy after " + std::to_string(int64_t(timeout_ms_)) +
                                            " ms; a kernel may be hung: restart the runtime worker");
        std::this_thread::sleep_for(nap);
        if (nap < std::chrono::microseconds(1000)) nap *= 2;  // short waits stay short, long ones cost no CPU
      }
    } catch (const CodedError& e) {
      error_ = std::make_unique<CodedError>(e);
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    if (error_) deferred_.Reject(to_js_error(Env(), *error_).Value());
    else deferred_.Resolve(Env().Undefined());
  }

 private:
  double timeout_ms_;
  std::unique_ptr<CodedError> error_;
  Napi::Promise::Deferred deferred_;
};

}  // namespace

Napi::Value js_synchronize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double timeout = -1;
  try {
    if (info.Length() > 0 && !info[0].IsUndefined())
      timeout = double(to_integer(info[0], "synchronize(timeoutMs)", 0, int64_t(1) << 40));
    device();  // E_NOT_INITIALIZED / E_KERNEL_FAULT reject at once
  } catch (const CodedError& e) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Reject(to_js_error(env, e).Value());
    return d.Promise();
  }
  auto* w = new SyncWorker(env, timeout);
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

}  // namespace fp8lab
