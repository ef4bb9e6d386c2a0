// Runs the compiler for one JIT compile into a build folder: nvcc by argv (with the optional PTX and
// SASS dumps) or NVRTC in process, and refuses output that is not whole. Throws CodedError
// (E_NO_COMPILER, E_COMPILE, E_COMPILE_TIMEOUT, E_COMPILER_OUTPUT).
#pragma once

#include <string>
#include <vector>

#include "jit_compile.h"

namespace fp8lab {

struct Built {
  std::string cubin, log, ptx, sass, sass_note;
  std::vector<std::string> command;
};

Built build_nvcc(const JitOptions& o, const std::string& tmp);
Built build_nvrtc(const JitOptions& o);
// The compiler said it succeeded: refuse to publish what it wrote unless it is whole.
void check_output(const JitOptions& o, const Built& b, const std::string& tmp);
// "k1, k2" (or "the kernel"), for messages.
std::string join_names(const std::vector<std::string>& names);

}  // namespace fp8lab
