// Which compiler a JIT compile runs: nvcc's resolved path and `nvcc --version` (cached per path and
// mtime), or the NVRTC library's version. The identity goes into the cache key; the short version
// back to TypeScript.
#pragma once

#include <string>

#include "jit_compile.h"

namespace fp8lab {

struct CompilerId {
  std::string identity;  // hashed into the key: the full `nvcc --version` text, or the NVRTC version
  std::string version;   // short form returned to TypeScript
};

// E_NO_COMPILER when nvcc is missing, does not answer or fails.
CompilerId compiler_id(const JitOptions& o);

}  // namespace fp8lab
