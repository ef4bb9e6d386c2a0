// Non-bulk asynchronous copies global -> shared (LDGSTS). PTX ISA 9.1, anchors
// #data-movement-and-conversion-instructions-cp-async, -cp-async-commit-group, -cp-async-wait-group
// (section numbers not verified here: cited by anchor).
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// cp.async.ca.shared.global [dst], [src], 4: copy 4 bytes asynchronously (any 4-byte alignment).
__device__ __forceinline__ void cp_async_ca_shared_global_4(void* dst, const void* src) {
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4;" ::"r"(smem_u32(dst)), "l"(src) : "memory");
}

// cp.async.commit_group: close this thread's open group of cp.async.
__device__ __forceinline__ void cp_async_commit_group() { asm volatile("cp.async.commit_group;" ::: "memory"); }

// cp.async.wait_group N: wait until at most N of this thread's groups are pending; the copied data
// is then visible to this thread (a barrier makes it visible to the others).
template <int N>
__device__ __forceinline__ void cp_async_wait_group() {
  asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}

}  // namespace fp8lab::ptx
