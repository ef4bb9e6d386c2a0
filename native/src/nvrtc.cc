#include "nvrtc.h"

#include <dlfcn.h>

#include <map>
#include <memory>
#include <mutex>

#include "errors.h"
#include "fs_util.h"

namespace fp8lab {
namespace {

using nvrtcProgram = void*;
using nvrtcResult = int;
constexpr nvrtcResult kNvrtcSuccess = 0;

struct Nvrtc {
  std::string path;
  int major = 0, minor = 0;
  nvrtcResult (*nvrtcVersion)(int*, int*) = nullptr;
  const char* (*nvrtcGetErrorString)(nvrtcResult) = nullptr;
  nvrtcResult (*nvrtcCreateProgram)(nvrtcProgram*, const char*, const char*, int, const char* const*,
                                    const char* const*) = nullptr;
  nvrtcResult (*nvrtcDestroyProgram)(nvrtcProgram*) = nullptr;
  nvrtcResult (*nvrtcCompileProgram)(nvrtcProgram, int, const char* const*) = nullptr;
  nvrtcResult (*nvrtcGetProgramLogSize)(nvrtcProgram, size_t*) = nullptr;
  nvrtcResult (*nvrtcGetProgramLog)(nvrtcProgram, char*) = nullptr;
  nvrtcResult (*nvrtcGetCUBINSize)(nvrtcProgram, size_t*) = nullptr;
  nvrtcResult (*nvrtcGetCUBIN)(nvrtcProgram, char*) = nullptr;
  nvrtcResult (*nvrtcGetPTXSize)(nvrtcProgram, size_t*) = nullptr;
  nvrtcResult (*nvrtcGetPTX)(nvrtcProgram, char*) = nullptr;
};

std::mutex g_mutex;
std::map<std::string, std::shared_ptr<Nvrtc>> g_loaded;  // by cudaHome

std::shared_ptr<Nvrtc> load(const std::string& cuda_home, std::string* tried) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_loaded.find(cuda_home);
  if (it != g_loaded.end()) return it->second;
  std::vector<std::string> candidates;
  for (const char* name : {"libnvrtc.so.13", "libnvrtc.so.12"}) {
    if (!cuda_home.empty()) candidates.push_back(join_path(join_path(cuda_home, "lib64"), name));
    candidates.push_back(name);
  }
  for (const auto& c : candidates) {
    void* h = ::dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* why = ::dlerror();
      if (tried) *tried += "\n  " + c + ": " + (why ? why : "not loadable");
      continue;
    }
    auto n = std::make_shared<Nvrtc>();
    n->path = c;
#define FP8LAB_NVRTC_SYM(name) n->name = reinterpret_cast<decltype(n->name)>(::dlsym(h, #name))
    FP8LAB_NVRTC_SYM(nvrtcVersion);
    FP8LAB_NVRTC_SYM(nvrtcGetErrorString);
    FP8LAB_NVRTC_SYM(nvrtcCreateProgram);
    FP8LAB_NVRTC_SYM(nvrtcDestroyProgram);
    FP8LAB_NVRTC_SYM(nvrtcCompileProgram);
    FP8LAB_NVRTC_SYM(nvrtcGetProgramLogSize);
    FP8LAB_NVRTC_SYM(nvrtcGetProgramLog);
    FP8LAB_NVRTC_SYM(nvrtcGetCUBINSize);
    FP8LAB_NVRTC_SYM(nvrtcGetCUBIN);
    FP8LAB_NVRTC_SYM(nvrtcGetPTXSize);
    FP8LAB_NVRTC_SYM(nvrtcGetPTX);
#undef FP8LAB_NVRTC_SYM
    if (!n->nvrtcVersion || !n->nvrtcCreateProgram || !n->nvrtcCompileProgram || !n->nvrtcGetCUBIN) {
      if (tried) *tried += "\n  " + c + ": missing NVRTC entry points";
      ::dlclose(h);
      continue;
    }
    n->nvrtcVersion(&n->major, &n->minor);
    g_loaded[cuda_home] = n;
    return n;
  }
  return nullptr;
}

std::shared_ptr<Nvrtc> require(const std::string& cuda_home) {
  std::string tried;
  auto n = load(cuda_home, &tried);
  if (!n)
    throw CodedError("E_NO_COMPILER", "NVRTC was not found (libnvrtc.so.13 / .12); tried:" + tried +
                                          "\nUse compiler 'nvcc' (fp8lab.jit.compiler), which works without NVRTC.");
  return n;
}

}  // namespace

bool nvrtc_available(const std::string& cuda_home) { return load(cuda_home, nullptr) != nullptr; }

std::string nvrtc_identity(const std::string& cuda_home) {
  auto n = require(cuda_home);
  return "nvrtc " + std::to_string(n->major) + "." + std::to_string(n->minor);
}

NvrtcOutput nvrtc_compile(const std::string& cuda_home, const std::string& source, const std::string& name,
                          const std::vector<std::string>& options, bool want_ptx) {
  auto n = require(cuda_home);
  NvrtcOutput out;
  nvrtcProgram prog = nullptr;
  nvrtcResult r = n->nvrtcCreateProgram(&prog, source.c_str(), name.c_str(), 0, nullptr, nullptr);
  if (r != kNvrtcSuccess) {
    out.log = std::string("nvrtcCreateProgram failed: ") + (n->nvrtcGetErrorString ? n->nvrtcGetErrorString(r) : "");
    return out;
  }
  std::vector<const char*> opts;
  for (const auto& o : options) opts.push_back(o.c_str());
  r = n->nvrtcCompileProgram(prog, int(opts.size()), opts.data());
  size_t log_size = 0;
  if (n->nvrtcGetProgramLogSize && n->nvrtcGetProgramLogSize(prog, &log_size) == kNvrtcSuccess && log_size > 1) {
    std::string log(log_size, '\0');
    n->nvrtcGetProgramLog(prog, &log[0]);
    log.resize(log_size - 1);
    out.log = log;
  }
  if (r == kNvrtcSuccess) {
    size_t size = 0;
    if (n->nvrtcGetCUBINSize(prog, &size) == kNvrtcSuccess && size > 0) {
      out.cubin.resize(size);
      n->nvrtcGetCUBIN(prog, &out.cubin[0]);
      out.ok = true;
    } else {
      out.log += "\nNVRTC produced no cubin (is the architecture option a real sm_XX?)";
    }
    if (want_ptx && n->nvrtcGetPTXSize && n->nvrtcGetPTXSize(prog, &size) == kNvrtcSuccess && size > 1) {
      out.ptx.resize(size);
      n->nvrtcGetPTX(prog, &out.ptx[0]);
      out.ptx.resize(size - 1);
    }
  } else if (n->nvrtcGetErrorString) {
    out.log += std::string("\n") + n->nvrtcGetErrorString(r);
  }
  n->nvrtcDestroyProgram(&prog);
  return out;
}

}  // namespace fp8lab
