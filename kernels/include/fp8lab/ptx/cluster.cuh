// Thread-block clusters: cluster-wide barrier and cluster special registers.
// PTX ISA 9.1 §9.7.13.3 (barrier.cluster), §9.7.9.23 (mapa), §10.16/§10.17 (%cluster_ctarank,
// %cluster_nctarank).
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// barrier.cluster.arrive.release.aligned: signal arrival at the cluster barrier (§9.7.13.3).
__device__ __forceinline__ void barrier_cluster_arrive() {
  asm volatile("barrier.cluster.arrive.release.aligned;" ::: "memory");
}

// barrier.cluster.wait.acquire.aligned: wait until every thread of the cluster arrived (§9.7.13.3).
__device__ __forceinline__ void barrier_cluster_wait() {
  asm volatile("barrier.cluster.wait.acquire.aligned;" ::: "memory");
}

// barrier.cluster.arrive / barrier.cluster.wait without .aligned: for threads of a warp that reach
// it at different times (the kernel's exit, where one lane of the producer warp runs longer). Waits
// for every non-exited thread of the cluster (§9.7.13.3).
__device__ __forceinline__ void barrier_cluster_arrive_unaligned() {
  asm volatile("barrier.cluster.arrive.release;" ::: "memory");
}
__device__ __forceinline__ void barrier_cluster_wait_unaligned() {
  asm volatile("barrier.cluster.wait.acquire;" ::: "memory");
}

// %cluster_ctarank: rank of this CTA in its cluster (§10.16).
__device__ __forceinline__ uint32_t cluster_ctarank() {
  uint32_t rank;
  asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(rank));
  return rank;
}

// %cluster_nctarank: number of CTAs in the cluster (§10.17).
__device__ __forceinline__ uint32_t cluster_nctarank() {
  uint32_t n;
  asm volatile("mov.u32 %0, %%cluster_nctarank;" : "=r"(n));
  return n;
}

// mapa.shared::cluster.u32: the shared::cluster address of the same variable in CTA `cta_rank`
// of the cluster (distributed shared memory) (§9.7.9.23).
__device__ __forceinline__ uint32_t mapa_shared_cluster(const void* local, uint32_t cta_rank) {
  uint32_t remote;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(remote) : "r"(smem_u32(local)), "r"(cta_rank));
  return remote;
}

// st.shared::cluster.v4.f32: store four floats into another CTA's shared memory at a
// shared::cluster address from mapa (distributed shared memory) (§9.7.9.10 st).
__device__ __forceinline__ void st_shared_cluster_v4_f32(uint32_t remote, float a, float b, float c, float d) {
  asm volatile("st.shared::cluster.v4.f32 [%0], {%1, %2, %3, %4};" ::"r"(remote), "f"(a), "f"(b), "f"(c), "f"(d) : "memory");
}

}  // namespace fp8lab::ptx
