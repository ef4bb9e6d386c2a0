// The checks createGemmLaunch makes before it encodes anything, on the plain spec: the config
// against the kernel's ABI and the device (E_BAD_ARGUMENT, E_SHAPE_ALIGNMENT, E_SMEM_OVERFLOW), then
// each buffer against the bytes this GEMM reads or writes. The addon never picks a config; it only
// says what is wrong with one.
#pragma once

#include "device.h"
#include "gemm_launch_spec.h"
#include "gemm_operands.h"

namespace fp8lab {

void validate_gemm_config(const GemmLaunchSpec& s, const DeviceInfoData& device, const LoadedKernel& kernel);
void validate_gemm_buffers(const GemmLaunchSpec& s, const GemmOperands& o);

}  // namespace fp8lab
