// Fixed-width integer types for the utility kernels, with or without a C++ standard library
// (NVRTC has none), matching gemm_args.h.
#pragma once

#ifdef __CUDACC_RTC__
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned long long uint64_t;
#else
#include <cstdint>
#endif
