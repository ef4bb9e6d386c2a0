// Programmatic dependent launch. PTX ISA 9.1 §9.7.13.13 (griddepcontrol).
#pragma once

namespace fp8lab::ptx {

// griddepcontrol.wait: wait until the prerequisite grids completed and their writes are visible
// (§9.7.13.13). A no-op when the kernel was not launched as a dependent.
__device__ __forceinline__ void griddepcontrol_wait() {
  asm volatile("griddepcontrol.wait;" ::: "memory");
}

// griddepcontrol.launch_dependents: allow the dependent grid to start launching (§9.7.13.13).
__device__ __forceinline__ void griddepcontrol_launch_dependents() {
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
}

}  // namespace fp8lab::ptx
