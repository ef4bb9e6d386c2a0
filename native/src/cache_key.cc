#include "cache_key.h"

#include "compiler_flags.h"
#include "fs_util.h"
#include "sha256.h"

namespace fp8lab {

std::string key_for(const JitOptions& o, const CompilerId& id) {
  Sha256 h;
  h.update_field(kKeySchema);
  h.update_field(o.compiler);
  h.update_field(id.identity);
  for (const auto& e : compiler_environment(o)) h.update_field("env:" + e);
  for (const auto& f : placeholder_flags(o)) h.update_field(f);
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

}  // namespace fp8lab
