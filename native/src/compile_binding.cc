// compile() and cacheKey(): JS options -> JitOptions on the main thread; the compile itself runs on
// a worker thread (Napi::AsyncWorker) and settles a promise.
#include "bindings.h"
#include "jit_compile.h"
#include "napi_util.h"
#include "spawn.h"

namespace fp8lab {
namespace {

JitOptions read_options(const Napi::Value& value) {
  const std::string what = "compile options";
  Napi::Object o = require_object(value, what);
  JitOptions j;
  j.source = get_string(o, "source", what);
  if (j.source.empty()) throw_bad_argument("compile options.source is empty: pass the complete CUDA C++ source");
  j.kernel_names = get_string_array(o, "kernelNames", what);
  j.include_dirs = get_string_array(o, "includeDirs", what);
  j.cache_dir = get_string(o, "cacheDir", what);
  if (j.cache_dir.empty()) throw_bad_argument("compile options.cacheDir is empty: pass the JIT cache folder");
  j.compiler = get_string(o, "compiler", what);
  if (j.compiler != "nvcc" && j.compiler != "nvrtc")
    throw_bad_argument("compile options.compiler must be 'nvcc' or 'nvrtc' (got '" + j.compiler + "')");
  j.nvcc_path = get_string(o, "nvccPath", what, j.compiler == "nvcc");
  j.cuda_home = get_string(o, "cudaHome", what, false);
  j.extra_flags = get_string_array(o, "extraFlags", what, false);
  j.ptxas_check = get_bool(o, "ptxasCheck", what);
  j.dump_ptx = get_bool(o, "dumpPtx", what);
  j.dump_sass = get_bool(o, "dumpSass", what);
  // Up to a day; 0 or absent: no limit.
  if (has_field(o, "timeoutMs")) j.timeout_ms = get_integer(o, "timeoutMs", what, 0, 86400000);
  return j;
}

Napi::Object to_js(Napi::Env env, const JitResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("key", r.key);
  o.Set("dir", r.dir);
  o.Set("cubinPath", r.cubin_path);
  o.Set("cacheHit", r.cache_hit);
  o.Set("elapsedMs", r.elapsed_ms);
  o.Set("ptxasLog", r.ptxas_log);
  Napi::Array cmd = Napi::Array::New(env, r.command.size());
  for (size_t i = 0; i < r.command.size(); ++i) cmd.Set(uint32_t(i), r.command[i]);
  o.Set("command", cmd);
  o.Set("compilerVersion", r.compiler_version);
  return o;
}

class CompileWorker : public Napi::AsyncWorker {
 public:
  CompileWorker(Napi::Env env, JitOptions options)
      : Napi::AsyncWorker(env, "fp8lab.compile"), options_(std::move(options)), deferred_(env) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      result_ = jit_compile(options_);
    } catch (const CodedError& e) {
      error_ = std::make_unique<CodedError>(e);
    } catch (const std::exception& e) {
      error_ = std::make_unique<CodedError>("E_CACHE", e.what());
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    if (error_) deferred_.Reject(to_js_error(Env(), *error_).Value());
    else deferred_.Resolve(to_js(Env(), result_));
  }

 private:
  JitOptions options_;
  JitResult result_;
  std::unique_ptr<CodedError> error_;
  Napi::Promise::Deferred deferred_;
};

// Once per process: when it exits, the compilers still running go with it. Node joins its thread
// pool before it exits, so a compile waiting on a hung (or just long) nvcc would otherwise hold
// `process.exit()` until nvcc ends.
void end_compilers_on_exit(Napi::Env env) {
  static bool hooked = false;
  if (hooked) return;
  hooked = true;
  Napi::Object process = env.Global().Get("process").As<Napi::Object>();
  Napi::Function on = process.Get("on").As<Napi::Function>();
  on.Call(process, {Napi::String::New(env, "exit"),
                    Napi::Function::New(env, [](const Napi::CallbackInfo&) { kill_running_processes(); }, "endCompilers")});
}

}  // namespace

Napi::Value js_compile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  end_compilers_on_exit(env);
  // Bad options reject the promise rather than throw, like every other compile failure.
  JitOptions options;
  try {
    options = read_options(info[0]);
  } catch (const CodedError& e) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Reject(to_js_error(env, e).Value());
    return d.Promise();
  }
  auto* worker = new CompileWorker(env, std::move(options));
  Napi::Promise p = worker->promise();
  worker->Queue();
  return p;
}

Napi::Value js_cache_key(const Napi::CallbackInfo& info) {
  return guarded(info.Env(), [&]() -> Napi::Value {
    return Napi::String::New(info.Env(), jit_cache_key(read_options(info[0])));
  });
}

}  // namespace fp8lab
