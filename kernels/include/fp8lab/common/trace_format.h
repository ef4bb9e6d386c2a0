// The pipeline trace buffer's format constants and size, shared by the device recorder
// (common/trace.cuh) and the host that allocates and checks the buffer (native/src). Plain C++ that
// nvcc, NVRTC and the host compiler all accept. The layout itself is written down in
// extension/protocol/trace.ts.
#pragma once
#include "fp8lab/gemm_args.h"

#if defined(__CUDACC__) || defined(__CUDACC_RTC__)
#define FP8LAB_HOST_DEVICE __host__ __device__
#else
#define FP8LAB_HOST_DEVICE
#endif

namespace fp8lab {

constexpr uint32_t kTraceMagic = 0x52543846u;  // "F8TR"
constexpr uint32_t kTraceVersion = 2;          // 2: gtime only at anchors (see trace.cuh)
constexpr uint32_t kTraceRolesPerCta = 3;      // producer, math warpgroup 0, math warpgroup 1
constexpr uint32_t kTraceRoleProducer = 0;
constexpr uint32_t kTraceHeaderBytes = 32;
constexpr uint32_t kTraceRecordBytes = 16;
constexpr uint32_t kTraceNoStage = 0xffu;
constexpr uint32_t kTraceNoKBlock = 0xffffu;

// Bytes the host allocates (and zero-fills) for a grid of num_ctas CTAs.
FP8LAB_HOST_DEVICE constexpr uint64_t trace_buffer_bytes(uint32_t num_ctas, uint32_t capacity) {
  return static_cast<uint64_t>(num_ctas) * kTraceRolesPerCta * (kTraceHeaderBytes + static_cast<uint64_t>(capacity) * kTraceRecordBytes);
}

}  // namespace fp8lab
