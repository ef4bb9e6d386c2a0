#include "driver.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <memory>
#include <mutex>
#include <vector>

#include "errors.h"
#include "fs_util.h"

namespace fp8lab {
namespace {

std::mutex g_driver_mutex;
Driver* g_driver = nullptr;  // never freed: the driver stays loaded for the life of the process

const char* const kLibcudaName = "libcuda.so.1";
const char* const kLibcudaDirs[] = {"/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64",
                                    "/lib"};

std::string resolved_path(void* handle, void* symbol, const std::string& fallback) {
  Dl_info info;
  if (symbol && ::dladdr(symbol, &info) && info.dli_fname) {
    char buf[4096];
    if (::realpath(info.dli_fname, buf)) return buf;
    return info.dli_fname;
  }
  return fallback;
}

void* open_libcuda(const std::string& hint, std::string* opened, std::string* tried_report) {
  std::vector<std::string> candidates;
  if (!hint.empty()) {
    struct stat st;
    bool is_dir = ::stat(hint.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    candidates.push_back(is_dir ? join_path(hint, kLibcudaName) : hint);
  }
  candidates.push_back(kLibcudaName);  // the loader's own search path (LD_LIBRARY_PATH, ld.so.cache)
  for (const char* dir : kLibcudaDirs) candidates.push_back(join_path(dir, kLibcudaName));
  for (const auto& c : candidates) {
    void* handle = ::dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle) {
      *opened = c;
      return handle;
    }
    const char* why = ::dlerror();
    // dlerror() already names the file it tried.
    *tried_report += "\n  " + (c == kLibcudaName ? std::string("(loader search path) ") : std::string()) +
                     (why ? why : c + ": not loadable");
  }
  return nullptr;
}

template <typename T>
void resolve(PFN_cuGetProcAddress_v2 gpa2, PFN_cuGetProcAddress_v1 gpa1, const char* name, T* out) {
  void* fn = nullptr;
  CUresult r;
  if (gpa2) {
    int status = 0;
    r = gpa2(name, &fn, kCudaApiVersion, kGetProcAddressDefault, &status);
  } else {
    r = gpa1(name, &fn, kCudaApiVersion, kGetProcAddressDefault);
  }
  if (r != kCudaSuccess || !fn)
    throw CodedError("E_DRIVER_TOO_OLD", std::string("the CUDA driver does not provide ") + name +
                                             " (needs a driver for CUDA 12.3 or newer); update the NVIDIA driver");
  *out = reinterpret_cast<T>(fn);
}

}  // namespace

const Driver* loaded_driver() {
  std::lock_guard<std::mutex> lock(g_driver_mutex);
  return g_driver;
}

const Driver& load_driver(const std::string& hint) {
  std::lock_guard<std::mutex> lock(g_driver_mutex);
  if (g_driver) return *g_driver;

  std::string opened, tried;
  void* handle = open_libcuda(hint, &opened, &tried);
  if (!handle)
    throw CodedError("E_NO_DRIVER", "the NVIDIA driver library libcuda.so.1 could not be loaded; tried:" + tried +
                                        "\nInstall the NVIDIA driver, or set fp8lab.driver.libcudaPath to the "
                                        "folder holding libcuda.so.1.");

  auto d = std::make_unique<Driver>();
  d->cuDriverGetVersion = reinterpret_cast<PFN_cuDriverGetVersion>(::dlsym(handle, "cuDriverGetVersion"));
  d->cuInit = reinterpret_cast<PFN_cuInit>(::dlsym(handle, "cuInit"));
  auto gpa2 = reinterpret_cast<PFN_cuGetProcAddress_v2>(::dlsym(handle, "cuGetProcAddress_v2"));
  auto gpa1 = reinterpret_cast<PFN_cuGetProcAddress_v1>(::dlsym(handle, "cuGetProcAddress"));
  d->path = resolved_path(handle, reinterpret_cast<void*>(d->cuInit), opened);
  if (!d->cuDriverGetVersion || !d->cuInit) {
    ::dlclose(handle);
    throw CodedError("E_NO_DRIVER", d->path + " is not a usable CUDA driver library (cuInit missing)");
  }
  int version = 0;
  d->cuDriverGetVersion(&version);
  d->version = version;
  if (version < kMinDriverVersion || (!gpa2 && !gpa1)) {
    ::dlclose(handle);
    throw CodedError("E_DRIVER_TOO_OLD", "the CUDA driver at " + d->path + " supports CUDA " +
                                             std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10) +
                                             "; FP8 GEMM Lab needs a driver for CUDA 12.3 or newer");
  }
  try {
    resolve(gpa2, gpa1, "cuGetErrorName", &d->cuGetErrorName);
    resolve(gpa2, gpa1, "cuGetErrorString", &d->cuGetErrorString);
    resolve(gpa2, gpa1, "cuDeviceGetCount", &d->cuDeviceGetCount);
    resolve(gpa2, gpa1, "cuDeviceGet", &d->cuDeviceGet);
    resolve(gpa2, gpa1, "cuDeviceGetName", &d->cuDeviceGetName);
    resolve(gpa2, gpa1, "cuDeviceGetAttribute", &d->cuDeviceGetAttribute);
    resolve(gpa2, gpa1, "cuDeviceTotalMem", &d->cuDeviceTotalMem);
    resolve(gpa2, gpa1, "cuDeviceGetPCIBusId", &d->cuDeviceGetPCIBusId);
    resolve(gpa2, gpa1, "cuDevicePrimaryCtxRetain", &d->cuDevicePrimaryCtxRetain);
    resolve(gpa2, gpa1, "cuDevicePrimaryCtxRelease", &d->cuDevicePrimaryCtxRelease);
    resolve(gpa2, gpa1, "cuCtxSetCurrent", &d->cuCtxSetCurrent);
    resolve(gpa2, gpa1, "cuStreamCreate", &d->cuStreamCreate);
    resolve(gpa2, gpa1, "cuStreamDestroy", &d->cuStreamDestroy);
    resolve(gpa2, gpa1, "cuStreamQuery", &d->cuStreamQuery);
    resolve(gpa2, gpa1, "cuStreamSynchronize", &d->cuStreamSynchronize);
    resolve(gpa2, gpa1, "cuMemAlloc", &d->cuMemAlloc);
    resolve(gpa2, gpa1, "cuMemFree", &d->cuMemFree);
    resolve(gpa2, gpa1, "cuMemcpyHtoDAsync", &d->cuMemcpyHtoDAsync);
    resolve(gpa2, gpa1, "cuMemcpyDtoHAsync", &d->cuMemcpyDtoHAsync);
    resolve(gpa2, gpa1, "cuMemcpyDtoDAsync", &d->cuMemcpyDtoDAsync);
    resolve(gpa2, gpa1, "cuMemsetD32Async", &d->cuMemsetD32Async);
    resolve(gpa2, gpa1, "cuModuleLoadData", &d->cuModuleLoadData);
    resolve(gpa2, gpa1, "cuModuleUnload", &d->cuModuleUnload);
    resolve(gpa2, gpa1, "cuModuleGetFunction", &d->cuModuleGetFunction);
    resolve(gpa2, gpa1, "cuFuncGetAttribute", &d->cuFuncGetAttribute);
    resolve(gpa2, gpa1, "cuFuncSetAttribute", &d->cuFuncSetAttribute);
    resolve(gpa2, gpa1, "cuLaunchKernelEx", &d->cuLaunchKernelEx);
    resolve(gpa2, gpa1, "cuEventCreate", &d->cuEventCreate);
    resolve(gpa2, gpa1, "cuEventDestroy", &d->cuEventDestroy);
    resolve(gpa2, gpa1, "cuEventRecord", &d->cuEventRecord);
    resolve(gpa2, gpa1, "cuEventSynchronize", &d->cuEventSynchronize);
    resolve(gpa2, gpa1, "cuEventElapsedTime", &d->cuEventElapsedTime);
    resolve(gpa2, gpa1, "cuStreamBeginCapture", &d->cuStreamBeginCapture);
    resolve(gpa2, gpa1, "cuStreamEndCapture", &d->cuStreamEndCapture);
    resolve(gpa2, gpa1, "cuGraphInstantiateWithFlags", &d->cuGraphInstantiateWithFlags);
    resolve(gpa2, gpa1, "cuGraphLaunch", &d->cuGraphLaunch);
    resolve(gpa2, gpa1, "cuGraphExecDestroy", &d->cuGraphExecDestroy);
    resolve(gpa2, gpa1, "cuGraphDestroy", &d->cuGraphDestroy);
    resolve(gpa2, gpa1, "cuTensorMapEncodeTiled", &d->cuTensorMapEncodeTiled);
  } catch (...) {
    ::dlclose(handle);
    throw;
  }

  CUresult r = d->cuInit(0);
  if (r == kCudaErrorNoDevice)
    throw CodedError("E_NO_DEVICE", "the CUDA driver (" + d->path + ") loaded but reports no CUDA device",
                     std::string(), "CUDA_ERROR_NO_DEVICE");
  if (r != kCudaSuccess) {
    const char* name = nullptr;
    d->cuGetErrorName(r, &name);
    std::string n = name ? name : std::to_string(r);
    throw CodedError("E_CUDA", "cuInit failed: " + n + " (driver " + d->path + ")", std::string(), n);
  }
  g_driver = d.release();
  return *g_driver;
}

std::string cu_error_name(CUresult result) {
  const Driver* d = g_driver;
  const char* name = nullptr;
  if (d && d->cuGetErrorName && d->cuGetErrorName(result, &name) == kCudaSuccess && name) return name;
  return "CUresult " + std::to_string(result);
}

bool is_sticky_fault(CUresult r) {
  return r == kCudaErrorIllegalAddress || r == kCudaErrorLaunchTimeout || r == kCudaErrorHardwareStackError ||
         r == kCudaErrorIllegalInstruction || r == kCudaErrorMisalignedAddress || r == kCudaErrorInvalidAddressSpace ||
         r == kCudaErrorInvalidPc || r == kCudaErrorLaunchFailed || r == kCudaErrorEccUncorrectable ||
         r == kCudaErrorContained || r == kCudaErrorTensorMemoryLeak;
}

}  // namespace fp8lab
