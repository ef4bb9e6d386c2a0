#include "cache_entry.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>

#include "cache_key.h"
#include "compiler_flags.h"
#include "cubin_check.h"
#include "fs_util.h"
#include "json_text.h"
#include "sha256.h"

namespace fp8lab {
namespace {

std::string iso_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

std::string manifest_json(const JitOptions& o, const std::string& key, const CompilerId& id, const Built& b) {
  std::vector<std::string> files;
  for (size_t i = 0; i < o.include_dirs.size(); ++i)
    for (const auto& rel : list_files_sorted(o.include_dirs[i])) files.push_back(std::to_string(i) + ":" + rel);
  std::vector<std::string> flags = placeholder_flags(o);
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

void discard_entry(const std::string& dir) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::string aside = dir + ".corrupt." + std::to_string(::getpid()) + "." + std::to_string(rng() % 1000000007ULL);
  if (::rename(dir.c_str(), aside.c_str()) == 0) remove_tree_quietly(aside);
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

}  // namespace fp8lab
