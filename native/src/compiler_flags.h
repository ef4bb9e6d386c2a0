// The argv a JIT compile passes to nvcc or NVRTC, the -I arguments (real paths, or placeholders
// that keep the cache key independent of where the headers live), and the environment variables
// nvcc reads itself (they change its output, so they are part of the key).
#pragma once

#include <string>
#include <vector>

#include "jit_compile.h"

namespace fp8lab {

std::vector<std::string> nvcc_flags(const JitOptions& o, const std::vector<std::string>& include_args);
std::vector<std::string> nvrtc_flags(const JitOptions& o, const std::vector<std::string>& include_args,
                                     const std::string& cuda_include);
std::vector<std::string> include_placeholders(const JitOptions& o);
std::vector<std::string> include_args(const JitOptions& o);
// The flags with placeholder paths: what the key hashes and the manifest records.
std::vector<std::string> placeholder_flags(const JitOptions& o);
// NAME=value of each variable nvcc reads that is set now (read per compile: a shell may change them).
std::vector<std::string> compiler_environment(const JitOptions& o);

}  // namespace fp8lab
