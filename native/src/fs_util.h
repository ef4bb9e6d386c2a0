// Small file-system helpers for the JIT cache: whole-file reads, durable writes (fsync), recursive
// listings for the header hash. Errors throw CodedError("E_CACHE") naming the path.
#pragma once

#include <string>
#include <vector>

namespace fp8lab {

bool path_exists(const std::string& path);
bool is_executable_file(const std::string& path);
// Reads the whole file; throws E_CACHE (or the given code) when it cannot.
std::string read_file(const std::string& path, const char* code = "E_CACHE");
// Returns false instead of throwing.
bool try_read_file(const std::string& path, std::string* out);
// Writes the file and fsyncs it, so a renamed cache entry is complete on disk.
void write_file_durable(const std::string& path, const std::string& data);
void fsync_dir(const std::string& path);
void make_dirs(const std::string& path);
void remove_tree_quietly(const std::string& path);
// Every regular file under root, as paths relative to root, sorted bytewise.
std::vector<std::string> list_files_sorted(const std::string& root);
// mtime in nanoseconds, or -1 when the file does not exist.
long long file_mtime_ns(const std::string& path);
// Less than 64 MiB free for us on the file system holding path (false when it cannot tell).
bool disk_nearly_full(const std::string& path);
std::string dir_name(const std::string& path);
std::string join_path(const std::string& a, const std::string& b);

}  // namespace fp8lab
