// mbarrier: 64-bit shared-memory barriers with arrival counts and transaction (byte) counts.
// PTX ISA 9.1 §9.7.13.15 (object .1-.6, init .9, expect_tx .11, arrive .13, try_wait .16).
#pragma once
#include "fp8lab/ptx/cluster.cuh"
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// mbarrier.init.shared::cta.b64: set the expected arrival count of a fresh barrier (§9.7.13.15.9).
__device__ __forceinline__ void mbarrier_init(uint64_t* bar, uint32_t arrive_count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(smem_u32(bar)), "r"(arrive_count) : "memory");
}

// mbarrier.arrive.expect_tx.shared::cta.b64: add `bytes` to the tx-count and arrive once (§9.7.13.15.13).
__device__ __forceinline__ void mbarrier_arrive_expect_tx(uint64_t* bar, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%0], %1;"
               ::"r"(smem_u32(bar)), "r"(bytes) : "memory");
}

// mbarrier.arrive.shared::cta.b64: one arrival on a barrier of this CTA (§9.7.13.15.13).
__device__ __forceinline__ void mbarrier_arrive(uint64_t* bar) {
  asm volatile("mbarrier.arrive.release.cta.shared::cta.b64 _, [%0];" ::"r"(smem_u32(bar)) : "memory");
}

// mbarrier.arrive.shared::cluster.b64: one arrival on the same barrier in CTA `cta_rank` of the
// cluster (address translated with mapa) (§9.7.13.15.13, mapa §9.7.9.23). Default semantics
// (.release.cta): the stage being released was read by wgmma, already complete (wait_group), so no
// cluster-scope release is needed (`.release.cluster` is slower: kernels/README.md, Measured choices).
__device__ __forceinline__ void mbarrier_arrive_cluster(uint64_t* bar, uint32_t cta_rank) {
  asm volatile("mbarrier.arrive.shared::cluster.b64 _, [%0];"
               ::"r"(mapa_shared_cluster(bar, cta_rank)) : "memory");
}

// mbarrier.arrive.release.cluster.shared::cluster.b64: arrive on a barrier in CTA `cta_rank`, with
// this thread's earlier writes (also to that CTA's shared memory) visible to whoever acquires the
// completed phase at cluster scope (§9.7.13.15.13). Used to hand split-K partial sums across CTAs.
__device__ __forceinline__ void mbarrier_arrive_release_cluster(uint64_t* bar, uint32_t cta_rank) {
  asm volatile("mbarrier.arrive.release.cluster.shared::cluster.b64 _, [%0];"
               ::"r"(mapa_shared_cluster(bar, cta_rank)) : "memory");
}

// mbarrier.try_wait.parity.acquire.cluster.shared::cta.b64 in a loop: like mbarrier_try_wait_parity,
// and makes the releasing threads' writes from other CTAs of the cluster visible (§9.7.13.15.16).
__device__ __forceinline__ void mbarrier_try_wait_parity_acquire_cluster(uint64_t* bar, uint32_t parity) {
  asm volatile(
      "{\n\t.reg .pred done;\n"
      "WAIT_%=:\n\t"
      "mbarrier.try_wait.parity.acquire.cluster.shared::cta.b64 done, [%0], %1;\n\t"
      "@!done bra WAIT_%=;\n\t}"
      ::"r"(smem_u32(bar)), "r"(parity) : "memory");
}

// mbarrier.try_wait.parity.shared::cta.b64 in a loop: returns once the phase whose parity is
// `parity` has completed (§9.7.13.15.16). Waiting on parity 1 of a fresh barrier returns at once.
__device__ __forceinline__ void mbarrier_try_wait_parity(uint64_t* bar, uint32_t parity) {
  asm volatile(
      "{\n\t.reg .pred done;\n"
      "WAIT_%=:\n\t"
      "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n\t"
      "@!done bra WAIT_%=;\n\t}"
      ::"r"(smem_u32(bar)), "r"(parity) : "memory");
}

}  // namespace fp8lab::ptx
