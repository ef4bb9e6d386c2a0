#include "compiler_flags.h"

#include <stdlib.h>

namespace fp8lab {
namespace {

// Environment variables nvcc reads itself: they change its output, so they are part of the key.
constexpr const char* kNvccEnvironment[] = {"NVCC_PREPEND_FLAGS", "NVCC_APPEND_FLAGS", "NVCC_CCBIN"};
constexpr const char* kArch = "sm_90a";

}  // namespace

// The compiler flags. include_args: the -I arguments (real paths, or placeholders for the key).
std::vector<std::string> nvcc_flags(const JitOptions& o, const std::vector<std::string>& include_args) {
  std::vector<std::string> f = {"-std=c++17", "-O3", "-gencode=arch=compute_90a,code=sm_90a", "--cubin",
                                "-Xptxas", "-v", "--expt-relaxed-constexpr"};
  f.insert(f.end(), include_args.begin(), include_args.end());
  f.insert(f.end(), o.extra_flags.begin(), o.extra_flags.end());
  return f;
}

std::vector<std::string> nvrtc_flags(const JitOptions& o, const std::vector<std::string>& include_args,
                                     const std::string& cuda_include) {
  std::vector<std::string> f = {"-std=c++17", std::string("-arch=") + kArch, "-default-device",
                                "--ptxas-options=-v"};  // NVRTC 13 rejects --expt-relaxed-constexpr (the kernels need no relaxed constexpr)
  f.insert(f.end(), include_args.begin(), include_args.end());
  f.push_back(cuda_include);
  f.insert(f.end(), o.extra_flags.begin(), o.extra_flags.end());
  return f;
}

std::vector<std::string> include_placeholders(const JitOptions& o) {
  std::vector<std::string> out;
  for (size_t i = 0; i < o.include_dirs.size(); ++i) out.push_back("-I@include" + std::to_string(i));
  return out;
}

std::vector<std::string> include_args(const JitOptions& o) {
  std::vector<std::string> out;
  for (const auto& d : o.include_dirs) out.push_back("-I" + d);
  return out;
}

std::vector<std::string> compiler_environment(const JitOptions& o) {
  std::vector<std::string> out;
  if (o.compiler == "nvrtc") return out;
  for (const char* name : kNvccEnvironment)
    if (const char* v = ::getenv(name)) out.push_back(std::string(name) + "=" + v);
  return out;
}

std::vector<std::string> placeholder_flags(const JitOptions& o) {
  return o.compiler == "nvrtc" ? nvrtc_flags(o, include_placeholders(o), "-I@cudaHome/include")
                               : nvcc_flags(o, include_placeholders(o));
}

}  // namespace fp8lab
