// The content-addressed cache key of a JIT compile (see jit_compile.h for what it covers).
#pragma once

#include <string>

#include "compiler_identity.h"
#include "jit_compile.h"

namespace fp8lab {

// Names the key's layout; bump it when what is hashed changes (old entries are then never hit).
constexpr const char* kKeySchema = "fp8lab-jit-key-v2";

std::string key_for(const JitOptions& o, const CompilerId& id);

}  // namespace fp8lab
