#include "jit_compile.h"

#include <stdlib.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "cache_entry.h"
#include "cache_key.h"
#include "compiler_identity.h"
#include "compiler_run.h"
#include "errors.h"
#include "fs_util.h"

namespace fp8lab {
namespace {

void apply_ptxas_check(const JitOptions& o, const JitResult& r) {
  if (!o.ptxas_check) return;
  std::string summary = local_memory_summary(r.ptxas_log);
  if (!summary.empty())
    throw CodedError("E_PTXAS_CHECK", "FP8LAB_JIT_PTXAS_CHECK: " + join_names(o.kernel_names) +
                                          " uses local memory (" + summary +
                                          "); lower register pressure (smaller BLOCK_N, fewer stages or math "
                                          "warpgroups) or turn the check off",
                     r.ptxas_log);
}

}  // namespace

std::string local_memory_summary(const std::string& log) {
  static const char* kPatterns[] = {" bytes stack frame", " bytes spill stores", " bytes spill loads", " bytes lmem"};
  std::string summary;
  for (const char* pat : kPatterns) {
    size_t at = 0;
    while ((at = log.find(pat, at)) != std::string::npos) {
      size_t begin = at;
      while (begin > 0 && std::isdigit((unsigned char)log[begin - 1])) --begin;
      if (begin < at && std::stoll(log.substr(begin, at - begin)) > 0) {
        std::string item = log.substr(begin, at - begin) + pat;
        if (summary.find(item) == std::string::npos) summary += (summary.empty() ? "" : ", ") + item;
      }
      at += std::strlen(pat);
    }
  }
  return summary;
}

std::string jit_cache_key(const JitOptions& o) { return key_for(o, compiler_id(o)); }

JitResult jit_compile(const JitOptions& o) {
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  CompilerId id = compiler_id(o);
  std::string key = key_for(o, id);
  std::string shard = join_path(o.cache_dir, key.substr(0, 2));
  std::string dir = join_path(shard, key);

  JitResult result;
  std::string why;
  if (path_exists(dir)) {
    if (read_entry(dir, key, o.kernel_names, &result, &why)) {
      result.cache_hit = true;
      if (result.compiler_version.empty()) result.compiler_version = id.version;
      result.elapsed_ms = elapsed();
      apply_ptxas_check(o, result);
      return result;
    }
    discard_entry(dir);  // corrupt: rebuilt below
  }

  std::string tmp_root = join_path(o.cache_dir, "tmp");
  make_dirs(tmp_root);
  remove_stale_temporaries(tmp_root);
  make_dirs(shard);
  std::string tmpl = join_path(tmp_root, kBuildPrefix + key.substr(0, 16) + "-" + std::to_string(::getpid()) + ".XXXXXX");
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data()))
    throw CodedError("E_CACHE", "cannot create a temporary folder in " + tmp_root + ": " + std::strerror(errno));
  std::string tmp = buf.data();

  try {
    write_file_durable(join_path(tmp, "kernel.cu"), o.source);
    Built b = o.compiler == "nvrtc" ? build_nvrtc(o) : build_nvcc(o, tmp);
    check_output(o, b, tmp);
    write_file_durable(join_path(tmp, "kernel.cubin"), b.cubin);  // NVRTC's bytes, or nvcc's re-written to fsync them
    write_file_durable(join_path(tmp, "ptxas.log"), b.log);
    if (!b.ptx.empty()) write_file_durable(join_path(tmp, "kernel.ptx"), b.ptx);
    if (!b.sass.empty()) write_file_durable(join_path(tmp, "kernel.sass"), b.sass);
    write_file_durable(join_path(tmp, "manifest.json"), manifest_json(o, key, id, b));
    fsync_dir(tmp);

    bool mine = false;
    for (int attempt = 0; attempt < 2 && !mine; ++attempt) {
      if (::rename(tmp.c_str(), dir.c_str()) == 0) {
        mine = true;
        break;
      }
      int err = errno;
      if (err != EEXIST && err != ENOTEMPTY)
        throw CodedError("E_CACHE", "cannot move the new cache entry to " + dir + ": " + std::strerror(err));
      // Another compiler won the race: use its entry if it is sound, else replace it.
      if (read_entry(dir, key, o.kernel_names, &result, &why)) break;
      discard_entry(dir);
    }
    if (mine) {
      fsync_dir(shard);
      result.key = key;
      result.dir = dir;
      result.cubin_path = join_path(dir, "kernel.cubin");
      result.ptxas_log = b.log;
      result.command = b.command;
    } else {
      remove_tree_quietly(tmp);
      if (result.dir.empty()) throw CodedError("E_CACHE", "could not publish cache entry " + dir + ": " + why);
    }
    result.compiler_version = id.version;
  } catch (...) {
    remove_tree_quietly(tmp);
    throw;
  }
  result.cache_hit = false;
  result.elapsed_ms = elapsed();
  apply_ptxas_check(o, result);
  return result;
}

}  // namespace fp8lab
