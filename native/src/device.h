// The device side of the runtime: one device, its primary context and one stream (init()),
// device memory, loaded kernels and launches. Plain C++; the N-API layer is device_binding.cc.
//
// After a kernel fault the CUDA context is unusable; every later call throws E_KERNEL_FAULT saying
// so, and TypeScript restarts the worker process.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "driver.h"

namespace fp8lab {

struct DeviceInfoData {
  int ordinal = 0;
  std::string name;
  int cc_major = 0, cc_minor = 0;
  int sm_count = 0;
  double total_memory_bytes = 0;
  int l2_cache_bytes = 0;
  int max_shared_memory_per_block_optin = 0;
  int clock_rate_khz = 0;
  int memory_clock_rate_khz = 0;
  int memory_bus_width_bits = 0;
  std::string pci_bus_id;
};

DeviceInfoData query_device(const Driver& d, int ordinal);

struct DeviceState {
  const Driver* drv = nullptr;
  int ordinal = 0;
  CUdevice dev = 0;
  CUcontext ctx = nullptr;
  CUstream stream = nullptr;
  DeviceInfoData info;
};

// Creates the state once (primary context retained, stream created). A second init() with the same
// ordinal returns the same state; another ordinal is E_BAD_ARGUMENT.
const DeviceState& init_device(int ordinal, const std::string& libcuda_path);
// The initialised device, made current on the calling thread. Throws E_NOT_INITIALIZED before
// init(), E_KERNEL_FAULT after a fault.
const DeviceState& device();
// Without throwing: nullptr before init() (used by finalizers).
const DeviceState* device_if_ready();
bool context_lost();

// Throws the coded error for a failed driver call; a sticky fault marks the context lost.
void check_cu(CUresult result, const char* what);

// Device memory shared by handles and the launches that use it; freed when the last holder lets go.
struct DeviceMemory {
  CUdeviceptr ptr = 0;
  size_t bytes = 0;
  DeviceMemory(CUdeviceptr p, size_t b) : ptr(p), bytes(b) {}
  ~DeviceMemory();
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;
};
using MemoryRef = std::shared_ptr<DeviceMemory>;
MemoryRef device_alloc(size_t bytes);

struct KernelAttributesData {
  int num_regs = 0, local_size_bytes = 0, shared_size_bytes = 0, const_size_bytes = 0;
  int max_threads_per_block = 0, ptx_version = 0, binary_version = 0;
};

struct LoadedKernel {
  std::string name;
  std::string cubin_path;
  CUfunction fn = nullptr;
  KernelAttributesData attributes;
  std::mutex mutex;
  int dynamic_smem_limit = 48 * 1024;  // the function's current MAX_DYNAMIC_SHARED_SIZE_BYTES
};
using KernelRef = std::shared_ptr<LoadedKernel>;

// Loads a function once per (cubin path, name); later calls return the same kernel.
KernelRef load_kernel(const std::string& cubin_path, const std::string& name);
// The kernel loadKernel returned for (path, name), or nullptr.
KernelRef find_kernel(const std::string& cubin_path, const std::string& name);

struct LaunchShape {
  unsigned grid[3] = {1, 1, 1};
  unsigned block[3] = {1, 1, 1};
  unsigned cluster[3] = {1, 1, 1};
  unsigned shared_bytes = 0;
  bool pdl = false;
};
// Raises the function's dynamic shared memory limit when shared_bytes needs more than the 48 KiB
// default (E_SMEM_OVERFLOW past the device's opt-in maximum). Done at creation for GEMM launches so
// nothing but the launch itself happens while a graph is being captured.
void prepare_dynamic_smem(LoadedKernel& kernel, unsigned shared_bytes);
// cuLaunchKernelEx with cluster / PDL attributes, after prepare_dynamic_smem.
void launch_kernel(LoadedKernel& kernel, const LaunchShape& shape, void** params, CUstream stream);

}  // namespace fp8lab
