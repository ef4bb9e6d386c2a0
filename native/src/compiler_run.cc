#include "compiler_run.h"

#include <cstring>

#include "compiler_flags.h"
#include "cubin_check.h"
#include "errors.h"
#include "fs_util.h"
#include "nvrtc.h"
#include "spawn.h"

namespace fp8lab {
namespace {

std::string first_error_line(const std::string& log) {
  size_t at = log.find("error");
  if (at == std::string::npos) return "";
  size_t begin = log.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = log.find('\n', at);
  return log.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string seconds_text(long long ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

}  // namespace

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "the kernel" : out;
}

Built build_nvcc(const JitOptions& o, const std::string& tmp) {
  Built b;
  std::string cu = join_path(tmp, "kernel.cu");
  std::string cubin = join_path(tmp, "kernel.cubin");
  b.command = {o.nvcc_path};
  for (const auto& f : nvcc_flags(o, include_args(o))) b.command.push_back(f);
  b.command.insert(b.command.end(), {"-o", cubin, cu});
  ProcessResult p = run_process(b.command, o.timeout_ms);
  if (!p.started)
    throw CodedError("E_NO_COMPILER", "could not start nvcc at " + o.nvcc_path + ": " + std::strerror(p.spawn_errno));
  b.log = p.out + p.err;
  if (p.timed_out)
    throw CodedError("E_COMPILE_TIMEOUT", "nvcc did not finish compiling " + join_names(o.kernel_names) + " within " +
                                              seconds_text(o.timeout_ms) +
                                              "; it and every process it started were killed. Raise "
                                              "fp8lab.jit.compileTimeoutSeconds (FP8LAB_JIT_COMPILE_TIMEOUT) if the "
                                              "machine is just slow",
                     b.log);
  if (p.exit_code != 0 || !try_read_file(cubin, &b.cubin) || b.cubin.empty()) {
    std::string first = first_error_line(b.log);
    throw CodedError("E_COMPILE", "nvcc failed (exit " + std::to_string(p.exit_code) + ") compiling " +
                                      join_names(o.kernel_names) + (first.empty() ? "" : ": " + first),
                     b.log);
  }
  if (o.dump_ptx) {
    std::vector<std::string> argv = {o.nvcc_path};
    for (const auto& f : nvcc_flags(o, include_args(o))) argv.push_back(f == "--cubin" ? "--ptx" : f);
    std::string ptx = join_path(tmp, "kernel.ptx");
    argv.insert(argv.end(), {"-o", ptx, cu});
    ProcessResult pp = run_process(argv, o.timeout_ms);
    if (pp.started && pp.exit_code == 0) try_read_file(ptx, &b.ptx);
  }
  if (o.dump_sass) {
    std::string cuobjdump = join_path(dir_name(o.nvcc_path), "cuobjdump");
    if (is_executable_file(cuobjdump)) {
      ProcessResult ps = run_process({cuobjdump, "-sass", cubin}, o.timeout_ms);
      if (ps.started && ps.exit_code == 0) b.sass = ps.out;
      else b.sass_note = "cuobjdump failed: " + ps.err;
    } else {
      b.sass_note = "cuobjdump not found at " + cuobjdump;
    }
  }
  return b;
}

Built build_nvrtc(const JitOptions& o) {
  Built b;
  std::string cuda_include = "-I" + join_path(o.cuda_home, "include");
  b.command = nvrtc_flags(o, include_args(o), cuda_include);
  NvrtcOutput out = nvrtc_compile(o.cuda_home, o.source, "kernel.cu", b.command, o.dump_ptx);
  b.log = out.log;
  if (!out.ok) {
    std::string first = first_error_line(b.log);
    throw CodedError("E_COMPILE", "NVRTC failed compiling " + join_names(o.kernel_names) +
                                      (first.empty() ? "" : ": " + first),
                     b.log);
  }
  b.cubin = out.cubin;
  b.ptx = out.ptx;
  if (o.dump_sass) b.sass_note = "SASS dumps need nvcc's cuobjdump; NVRTC builds keep none";
  return b;
}

// The compiler said it succeeded: refuse to publish what it wrote unless it is whole. nvcc 13
// exits 0 when the disk fills while it writes the cubin.
void check_output(const JitOptions& o, const Built& b, const std::string& tmp) {
  std::string problem = cubin_problem(b.cubin);
  const char* what = "cubin";
  if (problem.empty()) {
    problem = ptxas_log_problem(b.log, o.kernel_names);
    what = "ptxas report";
  }
  if (problem.empty()) return;
  std::string hint = disk_nearly_full(tmp) ? " The disk holding " + tmp + " is (nearly) full: free space and try again." : "";
  throw CodedError("E_COMPILER_OUTPUT", std::string(o.compiler == "nvrtc" ? "NVRTC" : "nvcc") +
                                            " reported success compiling " + join_names(o.kernel_names) + " but its " + what +
                                            " is unusable: " + problem + "; nothing was cached." + hint,
                   b.log);
}

}  // namespace fp8lab
