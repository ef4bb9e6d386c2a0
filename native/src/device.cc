#include "device.h"

#include <map>

#include "errors.h"
#include "fs_util.h"

namespace fp8lab {
namespace {

std::mutex g_state_mutex;
DeviceState* g_state = nullptr;  // lives until the process exits
std::atomic<bool> g_lost{false};
std::mutex g_lost_mutex;
std::string g_lost_reason;  // the CUresult name of the first fault

std::string lost_reason() {
  std::lock_guard<std::mutex> lock(g_lost_mutex);
  return g_lost_reason;
}

std::mutex g_kernels_mutex;
std::map<std::string, CUmodule> g_modules;     // by cubin path
std::map<std::string, KernelRef> g_kernels;  // by path + '\0' + name

int attribute(const Driver& d, int attr, CUdevice dev, const char* what) {
  int v = 0;
  check_cu(d.cuDeviceGetAttribute(&v, attr, dev), what);
  return v;
}

}  // namespace

void check_cu(CUresult r, const char* what) {
  if (r == kCudaSuccess) return;
  std::string name = cu_error_name(r);
  if (r == kCudaErrorOutOfMemory)
    throw CodedError("E_OUT_OF_MEMORY", std::string(what) + " failed: out of device memory (" + name + ")", {}, name);
  if (is_sticky_fault(r)) {
    {
      std::lock_guard<std::mutex> lock(g_lost_mutex);
      if (g_lost_reason.empty()) g_lost_reason = name;
    }
    g_lost.store(true);
    throw CodedError("E_KERNEL_FAULT",
                     std::string(what) + " reported " + name +
                         ": a kernel faulted and the CUDA context is lost; restart the runtime worker",
                     {}, name);
  }
  throw CodedError("E_CUDA", std::string(what) + " failed: " + name, {}, name);
}

DeviceInfoData query_device(const Driver& d, int ordinal) {
  DeviceInfoData info;
  CUdevice dev = 0;
  check_cu(d.cuDeviceGet(&dev, ordinal), "cuDeviceGet");
  info.ordinal = ordinal;
  char name[256] = {0};
  check_cu(d.cuDeviceGetName(name, sizeof name - 1, dev), "cuDeviceGetName");
  info.name = name;
  info.cc_major = attribute(d, kDevAttrComputeCapabilityMajor, dev, "cuDeviceGetAttribute(cc major)");
  info.cc_minor = attribute(d, kDevAttrComputeCapabilityMinor, dev, "cuDeviceGetAttribute(cc minor)");
  info.sm_count = attribute(d, kDevAttrMultiprocessorCount, dev, "cuDeviceGetAttribute(SM count)");
  size_t total = 0;
  check_cu(d.cuDeviceTotalMem(&total, dev), "cuDeviceTotalMem");
  info.total_memory_bytes = double(total);
  info.l2_cache_bytes = attribute(d, kDevAttrL2CacheSize, dev, "cuDeviceGetAttribute(L2)");
  info.max_shared_memory_per_block_optin =
      attribute(d, kDevAttrMaxSharedMemoryPerBlockOptin, dev, "cuDeviceGetAttribute(smem optin)");
  info.clock_rate_khz = attribute(d, kDevAttrClockRate, dev, "cuDeviceGetAttribute(clock)");
  info.memory_clock_rate_khz = attribute(d, kDevAttrMemoryClockRate, dev, "cuDeviceGetAttribute(memory clock)");
  info.memory_bus_width_bits = attribute(d, kDevAttrGlobalMemoryBusWidth, dev, "cuDeviceGetAttribute(bus width)");
  char bus[64] = {0};
  check_cu(d.cuDeviceGetPCIBusId(bus, sizeof bus - 1, dev), "cuDeviceGetPCIBusId");
  info.pci_bus_id = bus;
  return info;
}

const DeviceState& init_device(int ordinal, const std::string& libcuda_path) {
  std::lock_guard<std::mutex> lock(g_state_mutex);
  if (g_state) {
    if (g_state->ordinal != ordinal)
      throw_bad_argument("the runtime is already initialised on device " + std::to_string(g_state->ordinal) +
                         "; one worker drives one device (start another worker for device " +
                         std::to_string(ordinal) + ")");
    check_cu(g_state->drv->cuCtxSetCurrent(g_state->ctx), "cuCtxSetCurrent");
    return *g_state;
  }
  const Driver& d = load_driver(libcuda_path);
  int count = 0;
  check_cu(d.cuDeviceGetCount(&count), "cuDeviceGetCount");
  if (count == 0) throw CodedError("E_NO_DEVICE", "the CUDA driver (" + d.path + ") reports no CUDA device");
  if (ordinal < 0 || ordinal >= count)
    throw_bad_argument("device ordinal " + std::to_string(ordinal) + " does not exist; devices are 0.." +
                       std::to_string(count - 1));
  auto s = std::make_unique<DeviceState>();
  s->drv = &d;
  s->ordinal = ordinal;
  s->info = query_device(d, ordinal);
  check_cu(d.cuDeviceGet(&s->dev, ordinal), "cuDeviceGet");
  check_cu(d.cuDevicePrimaryCtxRetain(&s->ctx, s->dev), "cuDevicePrimaryCtxRetain");
  check_cu(d.cuCtxSetCurrent(s->ctx), "cuCtxSetCurrent");
  check_cu(d.cuStreamCreate(&s->stream, kStreamNonBlocking), "cuStreamCreate");
  g_state = s.release();
  return *g_state;
}

const DeviceState* device_if_ready() { return g_state; }
bool context_lost() { return g_lost.load(); }

const DeviceState& device() {
  const DeviceState* s = g_state;
  if (!s) throw CodedError("E_NOT_INITIALIZED", "the device runtime is not initialised: call init() first");
  if (g_lost.load()) {
    std::string reason = lost_reason();
    throw CodedError("E_KERNEL_FAULT",
                     "the CUDA context was lost after a kernel fault (" + reason + "); restart the runtime worker", {},
                     reason);
  }
  // Once per thread: the main thread and each libuv worker thread keep the context current after.
  thread_local CUcontext current = nullptr;
  if (current != s->ctx) {
    check_cu(s->drv->cuCtxSetCurrent(s->ctx), "cuCtxSetCurrent");
    current = s->ctx;
  }
  return *s;
}

DeviceMemory::~DeviceMemory() {
  const DeviceState* s = g_state;
  if (s && ptr) {
    s->drv->cuCtxSetCurrent(s->ctx);
    s->drv->cuMemFree(ptr);  // after a fault this fails; the process is about to be replaced anyway
  }
}

MemoryRef device_alloc(size_t bytes) {
  const DeviceState& s = device();
  if (bytes == 0) throw_bad_argument("alloc(0): allocate at least 1 byte");
  CUdeviceptr p = 0;
  check_cu(s.drv->cuMemAlloc(&p, bytes), "cuMemAlloc");
  return std::make_shared<DeviceMemory>(p, bytes);
}

KernelRef find_kernel(const std::string& path, const std::string& name) {
  std::lock_guard<std::mutex> lock(g_kernels_mutex);
  auto it = g_kernels.find(path + '\0' + name);
  return it == g_kernels.end() ? nullptr : it->second;
}

KernelRef load_kernel(const std::string& path, const std::string& name) {
  const DeviceState& s = device();
  std::lock_guard<std::mutex> lock(g_kernels_mutex);
  auto it = g_kernels.find(path + '\0' + name);
  if (it != g_kernels.end()) return it->second;
  CUmodule module = nullptr;
  auto mit = g_modules.find(path);
  if (mit != g_modules.end()) {
    module = mit->second;
  } else {
    std::string image;
    if (!try_read_file(path, &image) || image.empty())
      throw_bad_argument("cannot read cubin " + path + ": pass CompileResult.cubinPath from compile()");
    check_cu(s.drv->cuModuleLoadData(&module, image.data()), "cuModuleLoadData");
    g_modules[path] = module;
  }
  auto k = std::make_shared<LoadedKernel>();
  k->name = name;
  k->cubin_path = path;
  CUresult r = s.drv->cuModuleGetFunction(&k->fn, module, name.c_str());
  if (r == kCudaErrorNotFound)
    throw_bad_argument("kernel '" + name + "' is not in " + path +
                       " (declare it extern \"C\" __global__ so its name is not mangled)");
  check_cu(r, "cuModuleGetFunction");
  auto attr = [&](int id, const char* what) {
    int v = 0;
    check_cu(s.drv->cuFuncGetAttribute(&v, id, k->fn), what);
    return v;
  };
  k->attributes.num_regs = attr(kFuncAttrNumRegs, "cuFuncGetAttribute(NUM_REGS)");
  k->attributes.local_size_bytes = attr(kFuncAttrLocalSizeBytes, "cuFuncGetAttribute(LOCAL_SIZE_BYTES)");
  k->attributes.shared_size_bytes = attr(kFuncAttrSharedSizeBytes, "cuFuncGetAttribute(SHARED_SIZE_BYTES)");
  k->attributes.const_size_bytes = attr(kFuncAttrConstSizeBytes, "cuFuncGetAttribute(CONST_SIZE_BYTES)");
  k->attributes.max_threads_per_block = attr(kFuncAttrMaxThreadsPerBlock, "cuFuncGetAttribute(MAX_THREADS)");
  k->attributes.ptx_version = attr(kFuncAttrPtxVersion, "cuFuncGetAttribute(PTX_VERSION)");
  k->attributes.binary_version = attr(kFuncAttrBinaryVersion, "cuFuncGetAttribute(BINARY_VERSION)");
  g_kernels[path + '\0' + name] = k;
  return k;
}

void prepare_dynamic_smem(LoadedKernel& k, unsigned shared_bytes) {
  if (shared_bytes <= 48 * 1024) return;  // the default limit already allows it
  const DeviceState& s = device();
  std::lock_guard<std::mutex> lock(k.mutex);
  if (k.dynamic_smem_limit == int(shared_bytes)) return;
  int needed = int(shared_bytes) + k.attributes.shared_size_bytes;
  if (needed > s.info.max_shared_memory_per_block_optin)
    throw CodedError("E_SMEM_OVERFLOW", "kernel " + k.name + " needs " + std::to_string(needed) +
                                            " bytes of shared memory; the device allows " +
                                            std::to_string(s.info.max_shared_memory_per_block_optin) +
                                            " per block: use fewer stages or smaller blocks");
  check_cu(s.drv->cuFuncSetAttribute(k.fn, kFuncAttrMaxDynamicSharedSizeBytes, int(shared_bytes)),
           "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)");
  k.dynamic_smem_limit = int(shared_bytes);
}

void launch_kernel(LoadedKernel& k, const LaunchShape& shape, void** params, CUstream stream) {
  const DeviceState& s = device();
  prepare_dynamic_smem(k, shape.shared_bytes);
  CUlaunchAttribute attrs[2] = {};
  unsigned n = 0;
  if (shape.cluster[0] * shape.cluster[1] * shape.cluster[2] > 1) {  // plain launches stay non-cluster launches
    attrs[n].id = kLaunchAttributeClusterDimension;
    attrs[n].value.clusterDim.x = shape.cluster[0];
    attrs[n].value.clusterDim.y = shape.cluster[1];
    attrs[n].value.clusterDim.z = shape.cluster[2];
    ++n;
  }
  if (shape.pdl) {
    attrs[n].id = kLaunchAttributeProgrammaticStreamSerialization;
    attrs[n].value.programmaticStreamSerializationAllowed = 1;
    ++n;
  }
  CUlaunchConfig cfg = {};
  cfg.gridDimX = shape.grid[0];
  cfg.gridDimY = shape.grid[1];
  cfg.gridDimZ = shape.grid[2];
  cfg.blockDimX = shape.block[0];
  cfg.blockDimY = shape.block[1];
  cfg.blockDimZ = shape.block[2];
  cfg.sharedMemBytes = shape.shared_bytes;
  cfg.hStream = stream;
  cfg.attrs = attrs;
  cfg.numAttrs = n;
  check_cu(s.drv->cuLaunchKernelEx(&cfg, k.fn, params, nullptr), "cuLaunchKernelEx");
}

}  // namespace fp8lab
