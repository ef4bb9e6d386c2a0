#include "jit_compile.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <chrono>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <random>

#include "cubin_check.h"
#include "errors.h"
#include "fs_util.h"
#include "nvrtc.h"
#include "sha256.h"
#include "spawn.h"

namespace fp8lab {
namespace {

constexpr const char* kKeySchema = "fp8lab-jit-key-v2";
// Build folders under <cacheDir>/tmp: the sweep of stale ones deletes nothing else.
constexpr const char* kBuildPrefix = "fp8lab-build-";
// Environment variables nvcc reads itself: they change its output, so they are part of the key.
constexpr const char* kNvccEnvironment[] = {"NVCC_PREPEND_FLAGS", "NVCC_APPEND_FLAGS", "NVCC_CCBIN"};
// `nvcc --version` answers at once; a compiler that does not is not one we can use.
constexpr long long kVersionTimeoutMs = 60000;
constexpr const char* kArch = "sm_90a";

struct CompilerId {
  std::string identity;  // hashed into the key: the full `nvcc --version` text, or the NVRTC version
  std::string version;   // short form returned to TypeScript
};

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

CompilerId compiler_id(const JitOptions& o) {
  if (o.compiler == "nvrtc") {
    CompilerId id;
    id.version = nvrtc_identity(o.cuda_home);
    id.identity = id.version;
    return id;
  }
  return nvcc_id(o.nvcc_path);
}

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

// NAME=value of each variable nvcc reads that is set now (read per compile: a shell may change them).
std::vector<std::string> compiler_environment(const JitOptions& o) {
  std::vector<std::string> out;
  if (o.compiler == "nvrtc") return out;
  for (const char* name : kNvccEnvironment)
    if (const char* v = ::getenv(name)) out.push_back(std::string(name) + "=" + v);
  return out;
}

std::string key_for(const JitOptions& o, const CompilerId& id) {
  Sha256 h;
  h.update_field(kKeySchema);
  h.update_field(o.compiler);
  h.update_field(id.identity);
  for (const auto& e : compiler_environment(o)) h.update_field("env:" + e);
  std::vector<std::string> flags = o.compiler == "nvrtc" ? nvrtc_flags(o, include_placeholders(o), "-I@cudaHome/include")
                                                         : nvcc_flags(o, include_placeholders(o));
  for (const auto& f : flags) h.update_field(f);
  h.update_field(std::string("dumpPtx=") + (o.dump_ptx ? "1" : "0") + " dumpSass=" + (o.dump_sass ? "1" : "0"));
  h.update_field(o.source);
  for (size_t i = 0; i < o.include_dirs.size(); ++i) {
    for (const auto& rel : list_files_sorted(o.include_dirs[i])) {
      h.update_field(std::to_string(i) + ":" + rel);
      h.update_field(read_file(join_path(o.include_dirs[i], rel), "E_CACHE"));
    }
  }
  return h.hex();
}

std::string json_escape(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string json_array(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + json_escape(v[i]);
  return out + "]";
}

// Reads the JSON string starting at s[pos] == '"'; advances pos past it. Handles the escapes we write.
bool parse_json_string(const std::string& s, size_t& pos, std::string* out) {
  if (pos >= s.size() || s[pos] != '"') return false;
  ++pos;
  out->clear();
  while (pos < s.size()) {
    char c = s[pos++];
    if (c == '"') return true;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (pos >= s.size()) return false;
    char e = s[pos++];
    switch (e) {
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u':
        if (pos + 4 > s.size()) return false;
        out->push_back(char(std::strtol(s.substr(pos, 4).c_str(), nullptr, 16)));
        pos += 4;
        break;
      default: out->push_back(e);
    }
  }
  return false;
}

size_t find_value(const std::string& json, const std::string& field) {
  size_t at = json.find("\"" + field + "\":");
  if (at == std::string::npos) return at;
  at += field.size() + 3;
  while (at < json.size() && json[at] == ' ') ++at;
  return at;
}

bool json_get_string(const std::string& json, const std::string& field, std::string* out) {
  size_t at = find_value(json, field);
  return at != std::string::npos && parse_json_string(json, at, out);
}

bool json_get_string_array(const std::string& json, const std::string& field, std::vector<std::string>* out) {
  size_t at = find_value(json, field);
  if (at == std::string::npos || json[at] != '[') return false;
  ++at;
  out->clear();
  while (at < json.size()) {
    while (at < json.size() && (json[at] == ' ' || json[at] == ',' || json[at] == '\n')) ++at;
    if (at < json.size() && json[at] == ']') return true;
    std::string item;
    if (!parse_json_string(json, at, &item)) return false;
    out->push_back(item);
  }
  return false;
}

// A valid entry fills result and returns true; otherwise why says what is wrong.
bool read_entry(const std::string& dir, const std::string& key, const std::vector<std::string>& kernel_names,
                JitResult* result, std::string* why) {
  std::string manifest, cubin, log;
  if (!try_read_file(join_path(dir, "manifest.json"), &manifest)) return *why = "manifest.json missing", false;
  std::string stored_key, stored_sha;
  if (!json_get_string(manifest, "key", &stored_key) || stored_key != key) return *why = "manifest key differs", false;
  if (!json_get_string(manifest, "cubinSha256", &stored_sha)) return *why = "manifest has no cubinSha256", false;
  if (!try_read_file(join_path(dir, "kernel.cubin"), &cubin)) return *why = "kernel.cubin missing", false;
  if (cubin.empty() || sha256_hex(cubin) != stored_sha) return *why = "kernel.cubin does not match its sha256", false;
  if (!try_read_file(join_path(dir, "ptxas.log"), &log)) return *why = "ptxas.log missing", false;
  std::string stored_log_sha;  // absent in entries written before the log was hashed
  if (json_get_string(manifest, "ptxasLogSha256", &stored_log_sha) && sha256_hex(log) != stored_log_sha)
    return *why = "ptxas.log does not match its sha256", false;
  // Entries published before these checks existed may hold a truncated cubin or log under a
  // matching hash: they are checked again, not trusted.
  std::string problem = cubin_problem(cubin);
  if (problem.empty()) problem = ptxas_log_problem(log, kernel_names);
  if (!problem.empty()) return *why = problem, false;
  result->key = key;
  result->dir = dir;
  result->cubin_path = join_path(dir, "kernel.cubin");
  result->ptxas_log = log;
  json_get_string_array(manifest, "command", &result->command);
  json_get_string(manifest, "compilerVersion", &result->compiler_version);
  return true;
}

std::string iso_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Moves a corrupt entry out of the way (atomically, so racing readers never see half of it), then deletes it.
void discard_entry(const std::string& dir) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::string aside = dir + ".corrupt." + std::to_string(::getpid()) + "." + std::to_string(rng() % 1000000007ULL);
  if (::rename(dir.c_str(), aside.c_str()) == 0) remove_tree_quietly(aside);
}

std::string first_error_line(const std::string& log) {
  size_t at = log.find("error");
  if (at == std::string::npos) return "";
  size_t begin = log.rfind('\n', at);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = log.find('\n', at);
  return log.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "the kernel" : out;
}

std::string seconds_text(long long ms) {
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

struct Built {
  std::string cubin, log, ptx, sass, sass_note;
  std::vector<std::string> command;
};

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

std::string manifest_json(const JitOptions& o, const std::string& key, const CompilerId& id, const Built& b) {
  std::vector<std::string> files;
  for (size_t i = 0; i < o.include_dirs.size(); ++i)
    for (const auto& rel : list_files_sorted(o.include_dirs[i])) files.push_back(std::to_string(i) + ":" + rel);
  std::vector<std::string> flags = o.compiler == "nvrtc" ? nvrtc_flags(o, include_placeholders(o), "-I@cudaHome/include")
                                                         : nvcc_flags(o, include_placeholders(o));
  std::string j = "{\n";
  j += "  \"schema\": " + json_escape(kKeySchema) + ",\n";
  j += "  \"key\": " + json_escape(key) + ",\n";
  j += "  \"kernelNames\": " + json_array(o.kernel_names) + ",\n";
  j += "  \"compiler\": " + json_escape(o.compiler) + ",\n";
  j += "  \"compilerVersion\": " + json_escape(id.version) + ",\n";
  j += "  \"flags\": " + json_array(flags) + ",\n";
  j += "  \"command\": " + json_array(b.command) + ",\n";
  j += "  \"includeDirs\": " + json_array(o.include_dirs) + ",\n";
  j += "  \"includeFiles\": " + json_array(files) + ",\n";
  j += "  \"sourceSha256\": " + json_escape(sha256_hex(o.source)) + ",\n";
  j += "  \"sourceBytes\": " + std::to_string(o.source.size()) + ",\n";
  j += "  \"cubinSha256\": " + json_escape(sha256_hex(b.cubin)) + ",\n";
  j += "  \"cubinBytes\": " + std::to_string(b.cubin.size()) + ",\n";
  j += "  \"ptxasLogBytes\": " + std::to_string(b.log.size()) + ",\n";
  j += "  \"ptxasLogSha256\": " + json_escape(sha256_hex(b.log)) + ",\n";
  j += "  \"compilerEnvironment\": " + json_array(compiler_environment(o)) + ",\n";
  if (!b.ptx.empty()) j += "  \"ptxBytes\": " + std::to_string(b.ptx.size()) + ",\n";
  if (!b.sass.empty()) j += "  \"sassBytes\": " + std::to_string(b.sass.size()) + ",\n";
  if (!b.sass_note.empty()) j += "  \"sassNote\": " + json_escape(b.sass_note) + ",\n";
  j += "  \"createdAt\": " + json_escape(iso_now()) + "\n}\n";
  return j;
}

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

// Build folders left by compiles that were killed (a worker restarted mid-compile): ours (named
// kBuildPrefix...) older than an hour, far beyond any compile, are garbage. Nothing else in the
// folder is touched: a cache pointed at a shared folder must not delete other people's files.
void remove_stale_temporaries(const std::string& tmp_root) {
  const long long kHourNs = 3600LL * 1000000000LL;
  long long now = (long long)std::time(nullptr) * 1000000000LL;
  DIR* dir = ::opendir(tmp_root.c_str());
  if (!dir) return;
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name.compare(0, std::strlen(kBuildPrefix), kBuildPrefix) != 0) continue;
    struct stat st;
    std::string path = join_path(tmp_root, name);
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) continue;
    long long mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    if (now - mtime > kHourNs) stale.push_back(path);
  }
  ::closedir(dir);
  for (const auto& p : stale) remove_tree_quietly(p);
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
