// Tensor Memory Accelerator: bulk tensor copies between global and shared memory, and their groups.
// PTX ISA 9.1 §9.7.9.27.1.2 (cp.async.bulk.tensor), §9.7.9.27.1.3 (cp.reduce.async.bulk.tensor),
// §9.7.9.27.1.4 (cp.async.bulk.prefetch.tensor), §9.7.9.27.2.1/.2 (cp.async.bulk.commit_group /
// wait_group), §9.7.9.15 (prefetch.tensormap).
// Tensor maps are CUtensorMaps built by the host, living in kernel-parameter space (GemmArgs is a
// __grid_constant__ parameter), so their generic address is what the instructions take.
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// prefetch.tensormap: bring a tensor map into the descriptor cache before first use (§9.7.9.15).
__device__ __forceinline__ void prefetch_tensormap(const TmaDescriptor* map) {
  asm volatile("prefetch.tensormap [%0];" ::"l"(reinterpret_cast<uint64_t>(map)) : "memory");
}

// cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes: TMA load of the box
// at (c0 = inner, c1 = outer) into this CTA's shared memory; bytes are reported to `bar`.
// Out-of-bounds box elements are filled with zeros and still counted (§9.7.9.27.1.2).
__device__ __forceinline__ void cp_async_bulk_tensor_2d_load(const TmaDescriptor* map, uint64_t* bar, void* dst,
                                                             int32_t c0, int32_t c1) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4}], [%2];"
      ::"r"(smem_u32(dst)), "l"(reinterpret_cast<uint64_t>(map)), "r"(smem_u32(bar)), "r"(c0), "r"(c1)
      : "memory");
}

// cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes: a plain (non-tensor) copy of
// `bytes` contiguous bytes from global memory into this CTA's shared memory, reported to `bar`; both
// addresses 16-byte aligned, `bytes` a multiple of 16 (§9.7.9.25.4.1).
__device__ __forceinline__ void cp_async_bulk_load(void* dst, const void* src, uint32_t bytes, uint64_t* bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
               ::"r"(smem_u32(dst)), "l"(reinterpret_cast<uint64_t>(src)), "r"(bytes), "r"(smem_u32(bar))
               : "memory");
}

// ...multicast::cluster: the same load delivered to the same shared-memory offset (and the barrier
// at the same offset) of every CTA whose bit is set in `cta_mask` (§9.7.9.27.1.2).
__device__ __forceinline__ void cp_async_bulk_tensor_2d_load_multicast(const TmaDescriptor* map, uint64_t* bar,
                                                                       void* dst, int32_t c0, int32_t c1,
                                                                       uint16_t cta_mask) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes.multicast::cluster"
      " [%0], [%1, {%3, %4}], [%2], %5;"
      ::"r"(smem_u32(dst)), "l"(reinterpret_cast<uint64_t>(map)), "r"(smem_u32(bar)), "r"(c0), "r"(c1),
        "h"(cta_mask)
      : "memory");
}

// A 2D box into this CTA's shared memory, or, when the two CTAs of a cluster share it, one multicast
// load by rank 0 into the same offset and barrier of both (rank 1 issues nothing; its barrier still
// expects the bytes, which the multicast delivers).
__device__ __forceinline__ void cp_async_bulk_tensor_2d_load_or_multicast(const TmaDescriptor* map, uint64_t* bar, void* dst,
                                                                          int32_t c0, int32_t c1, bool shared, uint32_t cta_rank) {
  if (!shared) cp_async_bulk_tensor_2d_load(map, bar, dst, c0, c1);
  else if (cta_rank == 0) cp_async_bulk_tensor_2d_load_multicast(map, bar, dst, c0, c1, 0x3);
}

// cp.async.bulk.prefetch.tensor.2d.L2.global: bring the box at (c0, c1) into L2 without writing
// shared memory (§9.7.9.27.1.4).
__device__ __forceinline__ void cp_async_bulk_prefetch_tensor_2d_l2(const TmaDescriptor* map, int32_t c0, int32_t c1) {
  asm volatile("cp.async.bulk.prefetch.tensor.2d.L2.global.tile [%0, {%1, %2}];"
               ::"l"(reinterpret_cast<uint64_t>(map)), "r"(c0), "r"(c1) : "memory");
}

// cp.async.bulk.tensor.2d.global.shared::cta.bulk_group: TMA store of a shared-memory box to
// (c0, c1); elements outside the tensor are not written (§9.7.9.27.1.2).
__device__ __forceinline__ void cp_async_bulk_tensor_2d_store(const TmaDescriptor* map, const void* src,
                                                              int32_t c0, int32_t c1) {
  asm volatile("cp.async.bulk.tensor.2d.global.shared::cta.bulk_group [%0, {%2, %3}], [%1];"
               ::"l"(reinterpret_cast<uint64_t>(map)), "r"(smem_u32(src)), "r"(c0), "r"(c1)
               : "memory");
}

// The same store issued only where `pred` holds, as a predicated instruction (@p): no branch, so
// code around it may keep wgmma groups in flight (ptxas serialises wgmma across divergent branches).
__device__ __forceinline__ void cp_async_bulk_tensor_2d_store_if(bool pred, const TmaDescriptor* map, const void* src,
                                                                 int32_t c0, int32_t c1) {
  asm volatile(
      "{\n\t.reg .pred p;\n\t"
      "setp.ne.b32 p, %4, 0;\n\t"
      "@p cp.async.bulk.tensor.2d.global.shared::cta.bulk_group [%0, {%2, %3}], [%1];\n\t}"
      ::"l"(reinterpret_cast<uint64_t>(map)), "r"(smem_u32(src)), "r"(c0), "r"(c1), "r"(static_cast<uint32_t>(pred))
      : "memory");
}

// cp.reduce.async.bulk.tensor.2d.global.shared::cta.add.bulk_group: like the store, but adds the
// box into global memory (FP32 accumulate epilogues) (§9.7.9.27.1.3).
__device__ __forceinline__ void cp_reduce_async_bulk_tensor_2d_add(const TmaDescriptor* map, const void* src,
                                                                   int32_t c0, int32_t c1) {
  asm volatile("cp.reduce.async.bulk.tensor.2d.global.shared::cta.add.tile.bulk_group [%0, {%2, %3}], [%1];"
               ::"l"(reinterpret_cast<uint64_t>(map)), "r"(smem_u32(src)), "r"(c0), "r"(c1)
               : "memory");
}

// cp.reduce.async.bulk.tensor.3d.global.shared::cta.add.tile.bulk_group: the same reduce-add for a
// 3D map (c0 inner, c1 rows, c2 group): boxes are clipped per group, never spilling into the next
// group's rows (§9.7.9.27.1.3). Used by the FP32-output 1D1D / K-grouped epilogue.
__device__ __forceinline__ void cp_reduce_async_bulk_tensor_3d_add(const TmaDescriptor* map, const void* src,
                                                                   int32_t c0, int32_t c1, int32_t c2) {
  asm volatile("cp.reduce.async.bulk.tensor.3d.global.shared::cta.add.tile.bulk_group [%0, {%2, %3, %4}], [%1];"
               ::"l"(reinterpret_cast<uint64_t>(map)), "r"(smem_u32(src)), "r"(c0), "r"(c1), "r"(c2)
               : "memory");
}
// cp.async.bulk.commit_group: close the open bulk group of this thread (§9.7.9.27.2.1).
__device__ __forceinline__ void cp_async_bulk_commit_group() {
  asm volatile("cp.async.bulk.commit_group;" ::: "memory");
}

// cp.async.bulk.wait_group.read N: wait until at most N of this thread's bulk groups still read
// their shared-memory source, i.e. the source may be overwritten (§9.7.9.27.2.2).
template <int N>
__device__ __forceinline__ void cp_async_bulk_wait_group_read() {
  asm volatile("cp.async.bulk.wait_group.read %0;" ::"n"(N) : "memory");
}

// cp.async.bulk.wait_group N: wait until at most N bulk groups are pending, writes done (§9.7.9.27.2.2).
template <int N>
__device__ __forceinline__ void cp_async_bulk_wait_group() {
  asm volatile("cp.async.bulk.wait_group %0;" ::"n"(N) : "memory");
}

// cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes: TMA load of the box
// at (c0 = inner, c1, c2 = outer) into this CTA's shared memory; bytes are reported to `bar`. Used
// where the outer stride is not rows x row bytes, e.g. the pages of a paged KV cache (§9.7.9.27.1.2).
__device__ __forceinline__ void cp_async_bulk_tensor_3d_load(const TmaDescriptor* map, uint64_t* bar, void* dst,
                                                             int32_t c0, int32_t c1, int32_t c2) {
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4, %5}], [%2];"
      ::"r"(smem_u32(dst)), "l"(reinterpret_cast<uint64_t>(map)), "r"(smem_u32(bar)), "r"(c0), "r"(c1), "r"(c2)
      : "memory");
}

}  // namespace fp8lab::ptx
