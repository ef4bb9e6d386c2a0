// Position in a ring of kNumStages shared-memory stages: the stage index and the phase parity of
// its barriers. Producer and consumers each keep one and advance it once per K-block, in the same
// order, so stage s is filled and drained alternately; the parity flips each time the ring wraps.
#pragma once
#include "fp8lab/ptx/types.cuh"

namespace fp8lab {

template <uint32_t kNumStages>
struct PipelineState {
  uint32_t stage = 0;
  uint32_t phase = 0;

  __host__ __device__ __forceinline__ void advance() {
    if (++stage == kNumStages) {
      stage = 0;
      phase ^= 1;
    }
  }

  // Skip n K-blocks that another consumer drains (the ping-pong warpgroups' alternate tiles).
  __host__ __device__ __forceinline__ void advance(uint32_t n) {
    const uint32_t s = stage + n;
    phase ^= (s / kNumStages) & 1;
    stage = s % kNumStages;
  }
};

}  // namespace fp8lab
