// Something timeGraphs can capture: a GEMM launch or the cuBLASLt peer. enqueue() issues the work
// on the given stream (the runtime stream, possibly while it is being captured into a graph).
#pragma once

#include "cuda_driver_api.h"

namespace fp8lab {

struct Launchable {
  virtual ~Launchable() = default;
  virtual void enqueue(CUstream stream) = 0;
};

}  // namespace fp8lab
