// Checks of what a compiler wrote, before it enters the cache and again when it is read back: a
// compiler that exits 0 on a full disk leaves a truncated cubin, and a broken or stand-in compiler
// may print junk. Each check returns "" when the output is sound, else what is wrong.
#pragma once

#include <string>
#include <vector>

namespace fp8lab {

// An ELF64 little-endian executable for EM_CUDA (190) built for SM 90 (sm_90a), whose header,
// program and section tables and every section with file contents lie inside the file.
std::string cubin_problem(const std::string& bytes);

// A `ptxas -v` report that names every entry function compiled for sm_90a with its register line.
std::string ptxas_log_problem(const std::string& log, const std::vector<std::string>& kernel_names);

}  // namespace fp8lab
