// JIT compilation with a content-addressed disk cache. Plain C++ (no N-API): compile_binding.cc
// copies the JS options into JitOptions on the main thread and runs jit_compile() on a worker.
//
// Cache layout: <cacheDir>/<key[0..2]>/<key>/{kernel.cu, kernel.cubin, ptxas.log, manifest.json,
// kernel.ptx?, kernel.sass?}. Entries are built in a fresh mkdtemp folder under <cacheDir>/tmp,
// fsynced, then renamed into place (build folders are named fp8lab-build-*, the only names the
// stale-folder sweep ever deletes); when two compilers race, the first rename wins and the loser
// uses the winner's entry. Nothing is published unless the cubin is a whole sm_90a ELF and the
// ptxas report names every kernel (cubin_check.h). A hit re-hashes the cubin and the log against
// the manifest and checks both again; a corrupt entry is moved aside, deleted and rebuilt.
//
// The key covers what changes nvcc's output: its resolved path and `--version`, the flags, the
// environment variables nvcc itself reads (NVCC_PREPEND_FLAGS, NVCC_APPEND_FLAGS, NVCC_CCBIN),
// the source and every header.
#pragma once

#include <string>
#include <vector>

namespace fp8lab {

struct JitOptions {
  std::string source;
  std::vector<std::string> kernel_names;
  std::vector<std::string> include_dirs;
  std::string cache_dir;
  std::string compiler;  // "nvcc" | "nvrtc"
  std::string nvcc_path;
  std::string cuda_home;
  std::vector<std::string> extra_flags;
  bool ptxas_check = false;
  bool dump_ptx = false;
  bool dump_sass = false;
  long long timeout_ms = 0;  // nvcc's time limit (its whole process group is killed); <= 0: none
};

struct JitResult {
  std::string key;
  std::string dir;
  std::string cubin_path;
  bool cache_hit = false;
  double elapsed_ms = 0;
  std::string ptxas_log;
  std::vector<std::string> command;
  std::string compiler_version;
};

// The key compile() would use. May run `nvcc --version` once per nvcc path+mtime (cached).
std::string jit_cache_key(const JitOptions& options);
// Compiles or finds in the cache. Throws CodedError (E_NO_COMPILER, E_COMPILE, E_COMPILE_TIMEOUT,
// E_COMPILER_OUTPUT, E_PTXAS_CHECK, E_CACHE).
JitResult jit_compile(const JitOptions& options);
// "" when the ptxas log shows no local memory use; else a summary such as "8 bytes stack frame".
std::string local_memory_summary(const std::string& ptxas_log);

}  // namespace fp8lab
