// Memory fences between proxies and for barrier initialisation. PTX ISA 9.1 §9.7.13.4 (membar/fence).
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab::ptx {

// fence.proxy.async.shared::cta: order this thread's generic-proxy shared-memory accesses (st.shared,
// stmatrix) with later async-proxy accesses (TMA store, wgmma operand reads) and vice versa (§9.7.13.4).
__device__ __forceinline__ void fence_proxy_async_shared_cta() {
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}

// fence.mbarrier_init.release.cluster: make prior mbarrier.init visible to the cluster and the async
// proxy before other CTAs or TMA touch the barriers (§9.7.13.4, .op_restrict = .mbarrier_init).
__device__ __forceinline__ void fence_mbarrier_init_release_cluster() {
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
}

}  // namespace fp8lab::ptx
