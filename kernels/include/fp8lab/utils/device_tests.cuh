// Kernels that exist only to exercise the runtime's failure paths and to measure the device:
// a deliberate illegal-address write (the worker must survive it by restarting), a kernel that
// spins (the synchronize timeout path), and a plain copy (the copy-bandwidth ceiling).
#pragma once
#include "types.cuh"

namespace fp8lab::utils {

// st.global to an address the caller picks (an unmapped one, e.g. 16): CUDA_ERROR_ILLEGAL_ADDRESS.
__device__ __forceinline__ void test_fault(uint64_t address) {
  if (threadIdx.x == 0 && blockIdx.x == 0) *reinterpret_cast<volatile uint32_t*>(address) = 0xdeadu;
}

// Spins for `seconds` of %globaltimer, or forever when seconds == 0 (the nanosleep keeps the loop
// observable, so the compiler may not delete it).
__device__ __forceinline__ void test_hang(uint32_t seconds) {
  uint64_t start, now;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  const uint64_t limit_ns = static_cast<uint64_t>(seconds) * 1000000000ull;
  do {
    __nanosleep(10000);
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  } while (seconds == 0 || now - start < limit_ns);
}

// dst[i] = src[i] over `count` 16-byte words; grid-stride. Bytes moved = 2 · 16 · count.
// Four independent 16-byte loads in flight per thread before the stores: one load per iteration
// leaves the copy latency-bound, below what the memory can deliver (kernels/README.md, Measured choices).
__device__ __forceinline__ void copy_16b(const uint4* src, uint4* dst, uint64_t count) {
  constexpr uint32_t kUnroll = 4;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  for (; i + (kUnroll - 1) * stride < count; i += kUnroll * stride) {
    uint4 v[kUnroll];
#pragma unroll
    for (uint32_t u = 0; u < kUnroll; ++u) v[u] = __ldcs(src + i + u * stride);
#pragma unroll
    for (uint32_t u = 0; u < kUnroll; ++u) __stcs(dst + i + u * stride, v[u]);
  }
  for (; i < count; i += stride) dst[i] = src[i];
}

// Streaming read of `count` 16-byte words (the HBM read rate: GEMMs mostly read). Four loads in
// flight per thread; the XOR of everything is stored only when it equals `never` (the host passes
// a value it cannot be), so the loads cannot be optimised away and nothing is written.
__device__ __forceinline__ void read_16b(const uint4* src, uint64_t count, uint32_t never, uint32_t* sink) {
  constexpr uint32_t kUnroll = 4;
  const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
  uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  uint32_t acc = 0;
  for (; i + (kUnroll - 1) * stride < count; i += kUnroll * stride) {
    uint4 v[kUnroll];
#pragma unroll
    for (uint32_t u = 0; u < kUnroll; ++u) v[u] = __ldcs(src + i + u * stride);
#pragma unroll
    for (uint32_t u = 0; u < kUnroll; ++u) acc ^= v[u].x ^ v[u].y ^ v[u].z ^ v[u].w;
  }
  for (; i < count; i += stride) acc ^= src[i].x;
  if (acc == never) *sink = acc;
}

}  // namespace fp8lab::utils
