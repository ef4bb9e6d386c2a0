// createGemmLaunch's argument at the N-API boundary: the JS GemmLaunchSpec object read into the
// plain GemmLaunchSpec (each field's type and range; E_BAD_ARGUMENT naming the field), and the
// frozen object the handle reports back as `spec`.
#pragma once

#include <napi.h>

#include "gemm_launch_spec.h"

namespace fp8lab {

// The kernel and the scalar fields (the config and the problem).
GemmLaunchSpec parse_gemm_launch_config(const Napi::Object& o);
// The buffers the kind reads into `s` (read after the config is validated, so a bad config is
// reported before a missing buffer). An optional buffer the kind does not read is refused.
void parse_gemm_launch_buffers(Napi::Env env, const Napi::Object& o, GemmLaunchSpec& s);

// Every scalar field, as the handle's `spec` (frozen).
Napi::Object gemm_launch_spec_object(Napi::Env env, const GemmLaunchSpec& s);

}  // namespace fp8lab
