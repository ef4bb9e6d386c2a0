// Our own minimal declarations of the CUDA driver API we call. The addon must build where no CUDA
// toolkit is installed, so cuda.h is never included; every value below was checked against the
// public cuda.h (CUDA 13.0). Functions are resolved at run time (see driver.cc), so only types,
// enum values and function-pointer signatures live here.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fp8lab/gemm_args.h"

namespace fp8lab {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;  // CUdeviceptr_v2 on 64-bit hosts
using cuuint32_t = uint32_t;
using cuuint64_t = uint64_t;
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
struct CUgraph_st;
struct CUgraphExec_st;
using CUcontext = CUctx_st*;
using CUmodule = CUmod_st*;
using CUfunction = CUfunc_st*;
using CUstream = CUstream_st*;
using CUevent = CUevent_st*;
using CUgraph = CUgraph_st*;
using CUgraphExec = CUgraphExec_st*;

// CUtensorMap: 128 bytes, 64-byte aligned, opaque. Identical to the kernel-side descriptor.
using CUtensorMap = TmaDescriptor;
static_assert(sizeof(CUtensorMap) == 128 && alignof(CUtensorMap) == 64, "CUtensorMap layout");

// CUresult values we name or branch on.
constexpr CUresult kCudaSuccess = 0;
constexpr CUresult kCudaErrorInvalidValue = 1;
constexpr CUresult kCudaErrorOutOfMemory = 2;
constexpr CUresult kCudaErrorNotInitialized = 3;
constexpr CUresult kCudaErrorDeinitialized = 4;
constexpr CUresult kCudaErrorNoDevice = 100;
constexpr CUresult kCudaErrorInvalidDevice = 101;
constexpr CUresult kCudaErrorEccUncorrectable = 214;
constexpr CUresult kCudaErrorContained = 226;
constexpr CUresult kCudaErrorNotFound = 500;
constexpr CUresult kCudaErrorNotReady = 600;
constexpr CUresult kCudaErrorIllegalAddress = 700;
constexpr CUresult kCudaErrorLaunchOutOfResources = 701;
constexpr CUresult kCudaErrorLaunchTimeout = 702;
constexpr CUresult kCudaErrorHardwareStackError = 714;
constexpr CUresult kCudaErrorIllegalInstruction = 715;
constexpr CUresult kCudaErrorMisalignedAddress = 716;
constexpr CUresult kCudaErrorInvalidAddressSpace = 717;
constexpr CUresult kCudaErrorInvalidPc = 718;
constexpr CUresult kCudaErrorLaunchFailed = 719;
constexpr CUresult kCudaErrorTensorMemoryLeak = 721;

// CUdevice_attribute
constexpr int kDevAttrClockRate = 13;
constexpr int kDevAttrMultiprocessorCount = 16;
constexpr int kDevAttrMemoryClockRate = 36;
constexpr int kDevAttrGlobalMemoryBusWidth = 37;
constexpr int kDevAttrL2CacheSize = 38;
constexpr int kDevAttrComputeCapabilityMajor = 75;
constexpr int kDevAttrComputeCapabilityMinor = 76;
constexpr int kDevAttrMaxSharedMemoryPerBlockOptin = 97;

// CUfunction_attribute
constexpr int kFuncAttrMaxThreadsPerBlock = 0;
constexpr int kFuncAttrSharedSizeBytes = 1;
constexpr int kFuncAttrConstSizeBytes = 2;
constexpr int kFuncAttrLocalSizeBytes = 3;
constexpr int kFuncAttrNumRegs = 4;
constexpr int kFuncAttrPtxVersion = 5;
constexpr int kFuncAttrBinaryVersion = 6;
constexpr int kFuncAttrMaxDynamicSharedSizeBytes = 8;

// Stream, event, capture and proc-address flags.
constexpr unsigned kStreamNonBlocking = 0x1;
constexpr unsigned kEventDefault = 0x0;
constexpr int kStreamCaptureModeThreadLocal = 1;  // CU_STREAM_CAPTURE_MODE_THREAD_LOCAL
constexpr cuuint64_t kGetProcAddressDefault = 0;  // CU_GET_PROC_ADDRESS_DEFAULT

// CUlaunchAttributeID
constexpr int kLaunchAttributeClusterDimension = 4;
constexpr int kLaunchAttributeProgrammaticStreamSerialization = 6;

// CUlaunchAttributeValue is a 64-byte union; we only write the members below.
union CUlaunchAttributeValue {
  char pad[64];
  struct {
    unsigned int x, y, z;
  } clusterDim;
  int programmaticStreamSerializationAllowed;
};
static_assert(sizeof(CUlaunchAttributeValue) == 64, "CUlaunchAttributeValue is 64 bytes");

// CUlaunchAttribute: a 4-byte id, padding to 8, then the 64-byte value.
struct CUlaunchAttribute {
  int id;
  char pad[8 - sizeof(int)];
  CUlaunchAttributeValue value;
};
static_assert(sizeof(CUlaunchAttribute) == 72, "CUlaunchAttribute is 72 bytes");
static_assert(offsetof(CUlaunchAttribute, value) == 8, "CUlaunchAttribute value at offset 8");

struct CUlaunchConfig {
  unsigned int gridDimX, gridDimY, gridDimZ;
  unsigned int blockDimX, blockDimY, blockDimZ;
  unsigned int sharedMemBytes;
  CUstream hStream;
  CUlaunchAttribute* attrs;
  unsigned int numAttrs;
};
static_assert(offsetof(CUlaunchConfig, hStream) == 32, "CUlaunchConfig.hStream at 32");
static_assert(sizeof(CUlaunchConfig) == 56, "CUlaunchConfig is 56 bytes");

// CUtensorMapDataType
constexpr int kTensorMapDataTypeUint8 = 0;
constexpr int kTensorMapDataTypeFloat32 = 7;
constexpr int kTensorMapDataTypeBfloat16 = 9;
// CUtensorMapInterleave
constexpr int kTensorMapInterleaveNone = 0;
// CUtensorMapSwizzle
constexpr int kTensorMapSwizzleNone = 0;
constexpr int kTensorMapSwizzle32B = 1;
constexpr int kTensorMapSwizzle64B = 2;
constexpr int kTensorMapSwizzle128B = 3;
// CUtensorMapL2promotion
constexpr int kTensorMapL2PromotionNone = 0;
constexpr int kTensorMapL2Promotion256B = 3;
// CUtensorMapFloatOOBfill
constexpr int kTensorMapFloatOobFillNone = 0;

// Function-pointer types, ABI of the version we request from cuGetProcAddress (kCudaApiVersion).
using PFN_cuGetProcAddress_v2 = CUresult (*)(const char*, void**, int, cuuint64_t, int*);
using PFN_cuGetProcAddress_v1 = CUresult (*)(const char*, void**, int, cuuint64_t);
using PFN_cuInit = CUresult (*)(unsigned int);
using PFN_cuDriverGetVersion = CUresult (*)(int*);
using PFN_cuGetErrorName = CUresult (*)(CUresult, const char**);
using PFN_cuGetErrorString = CUresult (*)(CUresult, const char**);
using PFN_cuDeviceGetCount = CUresult (*)(int*);
using PFN_cuDeviceGet = CUresult (*)(CUdevice*, int);
using PFN_cuDeviceGetName = CUresult (*)(char*, int, CUdevice);
using PFN_cuDeviceGetAttribute = CUresult (*)(int*, int, CUdevice);
using PFN_cuDeviceTotalMem = CUresult (*)(size_t*, CUdevice);
using PFN_cuDeviceGetPCIBusId = CUresult (*)(char*, int, CUdevice);
using PFN_cuDevicePrimaryCtxRetain = CUresult (*)(CUcontext*, CUdevice);
using PFN_cuDevicePrimaryCtxRelease = CUresult (*)(CUdevice);
using PFN_cuCtxSetCurrent = CUresult (*)(CUcontext);
using PFN_cuStreamCreate = CUresult (*)(CUstream*, unsigned int);
using PFN_cuStreamDestroy = CUresult (*)(CUstream);
using PFN_cuStreamQuery = CUresult (*)(CUstream);
using PFN_cuStreamSynchronize = CUresult (*)(CUstream);
using PFN_cuMemAlloc = CUresult (*)(CUdeviceptr*, size_t);
using PFN_cuMemFree = CUresult (*)(CUdeviceptr);
using PFN_cuMemcpyHtoDAsync = CUresult (*)(CUdeviceptr, const void*, size_t, CUstream);
using PFN_cuMemcpyDtoHAsync = CUresult (*)(void*, CUdeviceptr, size_t, CUstream);
using PFN_cuMemcpyDtoDAsync = CUresult (*)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
using PFN_cuMemsetD32Async = CUresult (*)(CUdeviceptr, unsigned int, size_t, CUstream);
using PFN_cuModuleLoadData = CUresult (*)(CUmodule*, const void*);
using PFN_cuModuleUnload = CUresult (*)(CUmodule);
using PFN_cuModuleGetFunction = CUresult (*)(CUfunction*, CUmodule, const char*);
using PFN_cuFuncGetAttribute = CUresult (*)(int*, int, CUfunction);
using PFN_cuFuncSetAttribute = CUresult (*)(CUfunction, int, int);
using PFN_cuLaunchKernelEx = CUresult (*)(const CUlaunchConfig*, CUfunction, void**, void**);
using PFN_cuEventCreate = CUresult (*)(CUevent*, unsigned int);
using PFN_cuEventDestroy = CUresult (*)(CUevent);
using PFN_cuEventRecord = CUresult (*)(CUevent, CUstream);
using PFN_cuEventSynchronize = CUresult (*)(CUevent);
using PFN_cuEventElapsedTime = CUresult (*)(float*, CUevent, CUevent);
using PFN_cuStreamBeginCapture = CUresult (*)(CUstream, int);  // _v2: with a capture mode
using PFN_cuStreamEndCapture = CUresult (*)(CUstream, CUgraph*);
using PFN_cuGraphInstantiateWithFlags = CUresult (*)(CUgraphExec*, CUgraph, unsigned long long);
using PFN_cuGraphLaunch = CUresult (*)(CUgraphExec, CUstream);
using PFN_cuGraphExecDestroy = CUresult (*)(CUgraphExec);
using PFN_cuGraphDestroy = CUresult (*)(CUgraph);
using PFN_cuTensorMapEncodeTiled = CUresult (*)(CUtensorMap*, int, cuuint32_t, void*, const cuuint64_t*,
                                                const cuuint64_t*, const cuuint32_t*, const cuuint32_t*, int,
                                                int, int, int);

}  // namespace fp8lab
