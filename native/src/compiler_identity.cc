#include "compiler_identity.h"

#include <limits.h>
#include <stdlib.h>

#include <cstring>
#include <map>
#include <mutex>

#include "errors.h"
#include "fs_util.h"
#include "nvrtc.h"
#include "spawn.h"

namespace fp8lab {
namespace {

// `nvcc --version` answers at once; a compiler that does not is not one we can use.
constexpr long long kVersionTimeoutMs = 60000;

std::mutex g_version_mutex;
std::map<std::string, std::pair<long long, CompilerId>> g_nvcc_versions;  // path -> (mtime, id)

CompilerId nvcc_id(const std::string& nvcc) {
  if (nvcc.empty() || !is_executable_file(nvcc))
    throw CodedError("E_NO_COMPILER", "nvcc was not found or is not executable at '" + nvcc +
                                          "'; install the CUDA toolkit (12.3 or newer) or set fp8lab.jit.nvccPath "
                                          "(FP8LAB_JIT_NVCC_COMPILER) to its nvcc");
  long long mtime = file_mtime_ns(nvcc);
  {
    std::lock_guard<std::mutex> lock(g_version_mutex);
    auto it = g_nvcc_versions.find(nvcc);
    if (it != g_nvcc_versions.end() && it->second.first == mtime) return it->second.second;
  }
  ProcessResult p = run_process({nvcc, "--version"}, kVersionTimeoutMs);
  if (p.timed_out)
    throw CodedError("E_NO_COMPILER", "'" + nvcc + " --version' did not answer within " + std::to_string(kVersionTimeoutMs / 1000) +
                                          " s; is it a working nvcc?");
  if (!p.started || p.exit_code != 0)
    throw CodedError("E_NO_COMPILER", "'" + nvcc + " --version' failed" +
                                          (p.started ? " (exit " + std::to_string(p.exit_code) + ")"
                                                     : std::string(": ") + std::strerror(p.spawn_errno)),
                     p.out + p.err);
  CompilerId id;
  char resolved[PATH_MAX];
  // Two toolkits can print the same --version; the file that runs tells them apart.
  id.identity = "nvcc\n" + std::string(::realpath(nvcc.c_str(), resolved) ? resolved : nvcc.c_str()) + "\n" + p.out;
  size_t at = p.out.find("release ");
  if (at != std::string::npos) {
    size_t end = p.out.find('\n', at);
    id.version = p.out.substr(at, end == std::string::npos ? std::string::npos : end - at);
  } else {
    id.version = p.out;
  }
  std::lock_guard<std::mutex> lock(g_version_mutex);
  g_nvcc_versions[nvcc] = {mtime, id};
  return id;
}

}  // namespace

CompilerId compiler_id(const JitOptions& o) {
  if (o.compiler == "nvrtc") {
    CompilerId id;
    id.version = nvrtc_identity(o.cuda_home);
    id.identity = id.version;
    return id;
  }
  return nvcc_id(o.nvcc_path);
}

}  // namespace fp8lab
