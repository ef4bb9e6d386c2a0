#include "fs_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "errors.h"

namespace fp8lab {
namespace fs = std::filesystem;

bool path_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool is_executable_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

bool try_read_file(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  *out = ss.str();
  return true;
}

std::string read_file(const std::string& path, const char* code) {
  std::string out;
  if (!try_read_file(path, &out))
    throw CodedError(code, "cannot read " + path + ": " + std::strerror(errno));
  return out;
}

void write_file_durable(const std::string& path, const std::string& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw CodedError("E_CACHE", "cannot create " + path + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      throw CodedError("E_CACHE", "cannot write " + path + ": " + std::strerror(err));
    }
    written += size_t(n);
  }
  // A full disk may only show here (delayed allocation): a file that did not reach the disk is
  // not written. EINVAL: the file system cannot sync (nothing to check).
  int synced = ::fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
  int closed = ::close(fd) == 0 ? 0 : errno;
  if (synced || closed)
    throw CodedError("E_CACHE", "cannot write " + path + ": " + std::strerror(synced ? synced : closed));
}

void fsync_dir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void make_dirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec && !fs::is_directory(path))
    throw CodedError("E_CACHE", "cannot create folder " + path + ": " + ec.message() +
                                    " (set fp8lab.jit.cacheDir or FP8LAB_JIT_CACHE_DIR to a writable folder)");
}

void remove_tree_quietly(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

std::vector<std::string> list_files_sorted(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return out;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) out.push_back(fs::relative(it->path(), root, ec).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

long long file_mtime_ns(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

bool disk_nearly_full(const std::string& path) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) != 0) return false;
  return (unsigned long long)st.f_bavail * st.f_frsize < 64ULL * 1024 * 1024;
}

std::string dir_name(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

}  // namespace fp8lab
