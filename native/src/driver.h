// The CUDA driver, loaded lazily with dlopen so the addon loads on machines without one.
// Entry points come from cuGetProcAddress at the ABI of kCudaApiVersion, so our declarations in
// cuda_driver_api.h match what we get even on newer drivers.
#pragma once

#include <string>

#include "cuda_driver_api.h"

namespace fp8lab {

constexpr int kCudaApiVersion = 12030;     // ABI requested from cuGetProcAddress
constexpr int kMinDriverVersion = 12030;   // E_DRIVER_TOO_OLD below this

struct Driver {
  std::string path;  // the file dlopen loaded
  int version = 0;
  PFN_cuInit cuInit = nullptr;
  PFN_cuDriverGetVersion cuDriverGetVersion = nullptr;
  PFN_cuGetErrorName cuGetErrorName = nullptr;
  PFN_cuGetErrorString cuGetErrorString = nullptr;
  PFN_cuDeviceGetCount cuDeviceGetCount = nullptr;
  PFN_cuDeviceGet cuDeviceGet = nullptr;
  PFN_cuDeviceGetName cuDeviceGetName = nullptr;
  PFN_cuDeviceGetAttribute cuDeviceGetAttribute = nullptr;
  PFN_cuDeviceTotalMem cuDeviceTotalMem = nullptr;
  PFN_cuDeviceGetPCIBusId cuDeviceGetPCIBusId = nullptr;
  PFN_cuDevicePrimaryCtxRetain cuDevicePrimaryCtxRetain = nullptr;
  PFN_cuDevicePrimaryCtxRelease cuDevicePrimaryCtxRelease = nullptr;
  PFN_cuCtxSetCurrent cuCtxSetCurrent = nullptr;
  PFN_cuStreamCreate cuStreamCreate = nullptr;
  PFN_cuStreamDestroy cuStreamDestroy = nullptr;
  PFN_cuStreamQuery cuStreamQuery = nullptr;
  PFN_cuStreamSynchronize cuStreamSynchronize = nullptr;
  PFN_cuMemAlloc cuMemAlloc = nullptr;
  PFN_cuMemFree cuMemFree = nullptr;
  PFN_cuMemcpyHtoDAsync cuMemcpyHtoDAsync = nullptr;
  PFN_cuMemcpyDtoHAsync cuMemcpyDtoHAsync = nullptr;
  PFN_cuMemcpyDtoDAsync cuMemcpyDtoDAsync = nullptr;
  PFN_cuMemsetD32Async cuMemsetD32Async = nullptr;
  PFN_cuModuleLoadData cuModuleLoadData = nullptr;
  PFN_cuModuleUnload cuModuleUnload = nullptr;
  PFN_cuModuleGetFunction cuModuleGetFunction = nullptr;
  PFN_cuFuncGetAttribute cuFuncGetAttribute = nullptr;
  PFN_cuFuncSetAttribute cuFuncSetAttribute = nullptr;
  PFN_cuLaunchKernelEx cuLaunchKernelEx = nullptr;
  PFN_cuEventCreate cuEventCreate = nullptr;
  PFN_cuEventDestroy cuEventDestroy = nullptr;
  PFN_cuEventRecord cuEventRecord = nullptr;
  PFN_cuEventSynchronize cuEventSynchronize = nullptr;
  PFN_cuEventElapsedTime cuEventElapsedTime = nullptr;
  PFN_cuStreamBeginCapture cuStreamBeginCapture = nullptr;
  PFN_cuStreamEndCapture cuStreamEndCapture = nullptr;
  PFN_cuGraphInstantiateWithFlags cuGraphInstantiateWithFlags = nullptr;
  PFN_cuGraphLaunch cuGraphLaunch = nullptr;
  PFN_cuGraphExecDestroy cuGraphExecDestroy = nullptr;
  PFN_cuGraphDestroy cuGraphDestroy = nullptr;
  PFN_cuTensorMapEncodeTiled cuTensorMapEncodeTiled = nullptr;
};

// Loads (once per process) libcuda.so.1, calls cuInit(0) and resolves every entry point.
// Throws E_NO_DRIVER (with every path tried), E_DRIVER_TOO_OLD, E_NO_DEVICE or E_CUDA.
const Driver& load_driver(const std::string& libcuda_path_hint);
// The loaded driver, or nullptr when load_driver has not succeeded yet.
const Driver* loaded_driver();

// "CUDA_ERROR_ILLEGAL_ADDRESS" etc. (falls back to the number when the driver cannot say).
std::string cu_error_name(CUresult result);
// True for errors after which the context is unusable (a kernel fault).
bool is_sticky_fault(CUresult result);
// Throws a CodedError for a failed call: E_OUT_OF_MEMORY, E_KERNEL_FAULT (sticky), else E_CUDA.
void check_cu(CUresult result, const char* what);

}  // namespace fp8lab
