// Named CTA barriers over a subset of warps. PTX ISA 9.1 §9.7.13.1 (bar, barrier).
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// bar.sync id, count: wait until `count` threads (a multiple of 32) arrived at barrier `id` (§9.7.13.1).
// Id 0 is __syncthreads(); kernels here use ids >= 1.
__device__ __forceinline__ void bar_sync(uint32_t id, uint32_t count) {
  asm volatile("bar.sync %0, %1;" ::"r"(id), "r"(count) : "memory");
}

// bar.arrive id, count: count this warp towards barrier `id` without waiting (§9.7.13.1); the
// threads that bar.sync on it wait for the arrivals (producer / consumer handoff between warps).
__device__ __forceinline__ void bar_arrive(uint32_t id, uint32_t count) {
  asm volatile("bar.arrive %0, %1;" ::"r"(id), "r"(count) : "memory");
}

}  // namespace fp8lab::ptx
