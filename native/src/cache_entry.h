// One entry of the JIT disk cache (layout in jit_compile.h): its manifest, reading it back with
// every check a hit gets, moving a corrupt one aside, and sweeping build folders that killed
// compiles left behind.
#pragma once

#include <string>
#include <vector>

#include "compiler_identity.h"
#include "compiler_run.h"
#include "jit_compile.h"

namespace fp8lab {

// Build folders under <cacheDir>/tmp are named kBuildPrefix...: the sweep of stale ones deletes nothing else.
constexpr const char* kBuildPrefix = "fp8lab-build-";

std::string manifest_json(const JitOptions& o, const std::string& key, const CompilerId& id, const Built& b);
// A valid entry fills result and returns true; otherwise why says what is wrong.
bool read_entry(const std::string& dir, const std::string& key, const std::vector<std::string>& kernel_names,
                JitResult* result, std::string* why);
// Moves a corrupt entry out of the way (atomically, so racing readers never see half of it), then deletes it.
void discard_entry(const std::string& dir);
void remove_stale_temporaries(const std::string& tmp_root);

}  // namespace fp8lab
