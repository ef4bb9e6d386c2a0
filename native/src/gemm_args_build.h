// What one launch of a validated GEMM spec passes to the kernel: GemmArgs
// (kernels/include/fp8lab/gemm_args.h) with its tensor maps, pointers and sizes, and the launch
// shape (persistent grid of numSms CTAs, clusters, PDL). Plain C++ (the driver encodes the maps).
#pragma once

#include "cuda_driver_api.h"
#include "device.h"
#include "gemm_launch_spec.h"
#include "gemm_operands.h"

namespace fp8lab {

GemmArgs build_gemm_args(const GemmLaunchSpec& s, const GemmOperands& o);
LaunchShape gemm_launch_shape(const GemmLaunchSpec& s);

}  // namespace fp8lab
