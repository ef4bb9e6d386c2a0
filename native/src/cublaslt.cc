// The cuBLASLt peer: block-scaled FP8 matmul (A per 1x128, B per 128x128, FP32 scales, BF16 out),
// or (PeerLaunchSpec.dataType 'bf16') the plain BF16 matmul (BF16 out, or FP32 out with an optional
// FP32 C accumulated), on the same buffers our kernels use. libcublasLt is dlopen()ed; its types and enum values are
// declared here (no cublasLt.h), checked against cublasLt.h / library_types.h of CUDA 12.9-13.0.
//
// Layout mapping. Our tensors are row-major: A [M, K], B [N, K], D [M, N]. cuBLAS is column-major,
// so the same bytes are A' = K x M, B' = K x N, D' = N x M. We compute D' = op(B') * A' with
// cuBLAS "A" = our B transposed (N x K) and cuBLAS "B" = our A (K x M): the TN form FP8 requires,
// m = N, n = M, k = K. Hence cuBLAS's A scales are our 128x128 SFB (BLK128x128_32F) and its B
// scales are our 1x128 SFA (VEC128_32F). cuBLASLt reads the "GEMM-ready" scale layouts (as
// NVIDIA Transformer Engine hands them to cublasLtMatmul):
//   VEC128_32F     (our A): [ceil(K/128)][roundup(M, 4)] fp32, M contiguous -- exactly our SFA;
//   BLK128x128_32F (our B): [ceil(N/128)][roundup(ceil(K/128), 4)] fp32, K blocks contiguous.
// Our SFB rows are ceil(K/128) long, so when that is not a multiple of 4 createCublasLtLaunch
// makes a padded copy once, at creation (a snapshot: re-create the launch after re-uploading SFB);
// run() stays a pure cublasLtMatmul.
//
// Which algorithm: the heuristic is asked for up to 16; where it offers fewer, the configurations
// cuBLASLt's own enumeration accepts for the problem (AlgoGetIds, AlgoInit over tiles, stages and
// split-K, AlgoCheck) follow, up to 64. createCublasLtLaunch takes the one at options.algorithm
// (default 0, the heuristic's favourite); PeerLaunch.algorithm() says which it is, so the benchmark
// can check and time every one and keep the fastest. The same list-building serves both data types:
// only the matrix types (MatmulTypes) and the FP8 scale attributes differ.
#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>
#include <map>
#include <vector>

#include "bindings.h"
#include "napi_errors.h"
#include "fs_util.h"
#include "napi_util.h"

namespace fp8lab {
namespace {

using cublasStatus_t = int;
using cublasLtHandle_t = void*;
using cublasLtMatmulDesc_t = void*;
using cublasLtMatrixLayout_t = void*;
using cublasLtMatmulPreference_t = void*;
struct cublasLtMatmulAlgo_t {
  uint64_t data[8];
};
struct cublasLtMatmulHeuristicResult_t {
  cublasLtMatmulAlgo_t algo;
  size_t workspaceSize;
  cublasStatus_t state;
  float wavesCount;
  int reserved[4];
};
static_assert(sizeof(cublasLtMatmulHeuristicResult_t) == 96, "cublasLtMatmulHeuristicResult_t layout");

constexpr cublasStatus_t kCublasStatusSuccess = 0;
constexpr int kCudaR32F = 0;        // cudaDataType CUDA_R_32F
constexpr int kCudaR16BF = 14;      // CUDA_R_16BF
constexpr int kCudaR8FE4M3 = 28;    // CUDA_R_8F_E4M3
constexpr int kCublasCompute32F = 68;
constexpr int kCublasOpN = 0;
constexpr int kCublasOpT = 1;
// cublasLtMatmulDescAttributes_t
constexpr int kDescTransA = 3;
constexpr int kDescTransB = 4;
constexpr int kDescAScalePointer = 17;
constexpr int kDescBScalePointer = 18;
constexpr int kDescAScaleMode = 31;
constexpr int kDescBScaleMode = 32;
// cublasLtMatmulMatrixScale_t
constexpr int32_t kScaleVec128_32F = 4;
constexpr int32_t kScaleBlk128x128_32F = 5;
// cublasLtMatmulPreferenceAttributes_t
constexpr int kPrefMaxWorkspaceBytes = 1;
// cublasLtMatmulAlgoConfigAttributes_t
constexpr int kAlgoConfigId = 0;
constexpr int kAlgoConfigTileId = 1;
constexpr int kAlgoConfigSplitKNum = 2;
constexpr int kAlgoConfigReductionScheme = 3;
constexpr int kAlgoConfigCtaSwizzling = 4;
constexpr int kAlgoConfigStagesId = 6;
constexpr int kAlgoConfigClusterShapeId = 8;
// cublasLtMatmulAlgoCapAttributes_t
constexpr int kAlgoCapSplitKSupport = 0;
constexpr int kAlgoCapReductionSchemeMask = 1;
constexpr int kAlgoCapTileIds = 6;
constexpr int kAlgoCapStagesIds = 13;
// cublasLtReductionScheme_t: in place, then in a workspace of the compute type, then of the output type
constexpr uint32_t kReductionSchemes[] = {1, 2, 4};
// The heuristic is asked for this many algorithms; where it offers fewer (for block-scaled FP8 it
// offers one), cuBLASLt's own enumeration (AlgoGetIds, AlgoInit, AlgoCheck) adds the configurations
// it accepts for the problem, up to kMaxAlgorithms in all. The benchmark checks and races every one.
constexpr int kHeuristicAlgorithms = 16;
constexpr int kMaxAlgorithms = 64;
constexpr int kMaxAlgorithmIds = 64;
constexpr int kMaxEnumerationChecks = 4096;
constexpr uint32_t kSplitKCounts[] = {1, 2, 3, 4, 6, 8};
constexpr uint64_t kHeuristicWorkspaces[] = {32u << 20, 4u << 20, 1u << 20, 0};
constexpr size_t kMinVersion = 120900;           // cuBLAS 12.9: first with the 1x128 / 128x128 modes
constexpr size_t kWorkspaceBytes = 32u << 20;    // 32 MiB, as DeepGEMM's and PyTorch's Hopper defaults

// The cudaDataType of each matrix of one matmul (cuBLAS's A = our B, cuBLAS's B = our A, C, D):
// what the algorithm enumeration (AlgoGetIds / AlgoInit) is asked for.
struct MatmulTypes {
  int a, b, c, d;
  bool block_scaled;  // FP8 with 1x128 / 128x128 scales
  std::string key() const { return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." + std::to_string(d); }
};
constexpr MatmulTypes kFp8Types{kCudaR8FE4M3, kCudaR8FE4M3, kCudaR16BF, kCudaR16BF, true};
constexpr MatmulTypes kBf16Types{kCudaR16BF, kCudaR16BF, kCudaR16BF, kCudaR16BF, false};
constexpr MatmulTypes kBf16Fp32OutTypes{kCudaR16BF, kCudaR16BF, kCudaR32F, kCudaR32F, false};

struct CublasLt {
  std::string path;
  size_t version = 0;
  size_t (*GetVersion)() = nullptr;
  cublasStatus_t (*Create)(cublasLtHandle_t*) = nullptr;
  cublasStatus_t (*MatmulDescCreate)(cublasLtMatmulDesc_t*, int, int) = nullptr;
  cublasStatus_t (*MatmulDescDestroy)(cublasLtMatmulDesc_t) = nullptr;
  cublasStatus_t (*MatmulDescSetAttribute)(cublasLtMatmulDesc_t, int, const void*, size_t) = nullptr;
  cublasStatus_t (*MatrixLayoutCreate)(cublasLtMatrixLayout_t*, int, uint64_t, uint64_t, int64_t) = nullptr;
  cublasStatus_t (*MatrixLayoutDestroy)(cublasLtMatrixLayout_t) = nullptr;
  cublasStatus_t (*MatmulPreferenceCreate)(cublasLtMatmulPreference_t*) = nullptr;
  cublasStatus_t (*MatmulPreferenceDestroy)(cublasLtMatmulPreference_t) = nullptr;
  cublasStatus_t (*MatmulPreferenceSetAttribute)(cublasLtMatmulPreference_t, int, const void*, size_t) = nullptr;
  cublasStatus_t (*MatmulAlgoGetHeuristic)(cublasLtHandle_t, cublasLtMatmulDesc_t, cublasLtMatrixLayout_t,
                                           cublasLtMatrixLayout_t, cublasLtMatrixLayout_t, cublasLtMatrixLayout_t,
                                           cublasLtMatmulPreference_t, int, cublasLtMatmulHeuristicResult_t*,
                                           int*) = nullptr;
  cublasStatus_t (*AlgoConfigGetAttribute)(const cublasLtMatmulAlgo_t*, int, void*, size_t, size_t*) = nullptr;
  cublasStatus_t (*AlgoConfigSetAttribute)(cublasLtMatmulAlgo_t*, int, const void*, size_t) = nullptr;
  cublasStatus_t (*AlgoCapGetAttribute)(const cublasLtMatmulAlgo_t*, int, void*, size_t, size_t*) = nullptr;
  cublasStatus_t (*AlgoGetIds)(cublasLtHandle_t, int, int, int, int, int, int, int, int*, int*) = nullptr;
  cublasStatus_t (*AlgoInit)(cublasLtHandle_t, int, int, int, int, int, int, int, cublasLtMatmulAlgo_t*) = nullptr;
  cublasStatus_t (*AlgoCheck)(cublasLtHandle_t, cublasLtMatmulDesc_t, cublasLtMatrixLayout_t, cublasLtMatrixLayout_t,
                              cublasLtMatrixLayout_t, cublasLtMatrixLayout_t, const cublasLtMatmulAlgo_t*,
                              cublasLtMatmulHeuristicResult_t*) = nullptr;
  cublasStatus_t (*Matmul)(cublasLtHandle_t, cublasLtMatmulDesc_t, const void*, const void*, cublasLtMatrixLayout_t,
                           const void*, cublasLtMatrixLayout_t, const void*, const void*, cublasLtMatrixLayout_t, void*,
                           cublasLtMatrixLayout_t, const cublasLtMatmulAlgo_t*, void*, size_t, CUstream) = nullptr;
  cublasLtHandle_t handle = nullptr;  // created on first use with a device
  MemoryRef workspace;                // shared by every launch: they all run on the one stream
};

std::mutex g_mutex;
std::map<std::string, std::shared_ptr<CublasLt>> g_libs;  // by the path that was opened

struct LibOptions {
  std::string path;
  std::string cuda_home;
  int algorithm = 0;  // index into the heuristic's list (createCublasLtLaunch only)
};

LibOptions read_lib_options(const Napi::CallbackInfo& info, size_t index, const std::string& what) {
  LibOptions o;
  if (info.Length() > index && !info[index].IsUndefined() && !info[index].IsNull()) {
    Napi::Object obj = require_object(info[index], what);
    o.path = get_string(obj, "path", what, false);
    o.cuda_home = get_string(obj, "cudaHome", what, false);
    if (obj.Has("algorithm") && !obj.Get("algorithm").IsUndefined())
      o.algorithm = int(get_integer(obj, "algorithm", what, 0, kMaxAlgorithms - 1));
  }
  return o;
}

std::shared_ptr<CublasLt> load_cublaslt(const LibOptions& opts) {
  std::vector<std::string> candidates;
  const char* names[] = {"libcublasLt.so.13", "libcublasLt.so.12"};
  if (!opts.path.empty()) {
    struct stat st;
    if (::stat(opts.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      for (const char* n : names) candidates.push_back(join_path(opts.path, n));
    } else {
      candidates.push_back(opts.path);
    }
  }
  if (!opts.cuda_home.empty())
    for (const char* n : names) candidates.push_back(join_path(join_path(opts.cuda_home, "lib64"), n));
  for (const char* n : names) candidates.push_back(n);
  for (const char* n : names) candidates.push_back(join_path("/usr/local/cuda/lib64", n));

  std::lock_guard<std::mutex> lock(g_mutex);
  std::string tried, too_old;
  for (const auto& c : candidates) {
    auto it = g_libs.find(c);
    if (it != g_libs.end()) return it->second;
    void* h = ::dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* why = ::dlerror();
      tried += "\n  " + c + ": " + (why ? why : "not loadable");
      continue;
    }
    auto lib = std::make_shared<CublasLt>();
    lib->path = c;
#define FP8LAB_LT_SYM(field, name) lib->field = reinterpret_cast<decltype(lib->field)>(::dlsym(h, name))
    FP8LAB_LT_SYM(GetVersion, "cublasLtGetVersion");
    FP8LAB_LT_SYM(Create, "cublasLtCreate");
    FP8LAB_LT_SYM(MatmulDescCreate, "cublasLtMatmulDescCreate");
    FP8LAB_LT_SYM(MatmulDescDestroy, "cublasLtMatmulDescDestroy");
    FP8LAB_LT_SYM(MatmulDescSetAttribute, "cublasLtMatmulDescSetAttribute");
    FP8LAB_LT_SYM(MatrixLayoutCreate, "cublasLtMatrixLayoutCreate");
    FP8LAB_LT_SYM(MatrixLayoutDestroy, "cublasLtMatrixLayoutDestroy");
    FP8LAB_LT_SYM(MatmulPreferenceCreate, "cublasLtMatmulPreferenceCreate");
    FP8LAB_LT_SYM(MatmulPreferenceDestroy, "cublasLtMatmulPreferenceDestroy");
    FP8LAB_LT_SYM(MatmulPreferenceSetAttribute, "cublasLtMatmulPreferenceSetAttribute");
    FP8LAB_LT_SYM(MatmulAlgoGetHeuristic, "cublasLtMatmulAlgoGetHeuristic");
    FP8LAB_LT_SYM(AlgoConfigGetAttribute, "cublasLtMatmulAlgoConfigGetAttribute");
    FP8LAB_LT_SYM(AlgoConfigSetAttribute, "cublasLtMatmulAlgoConfigSetAttribute");
    FP8LAB_LT_SYM(AlgoCapGetAttribute, "cublasLtMatmulAlgoCapGetAttribute");
    FP8LAB_LT_SYM(AlgoGetIds, "cublasLtMatmulAlgoGetIds");
    FP8LAB_LT_SYM(AlgoInit, "cublasLtMatmulAlgoInit");
    FP8LAB_LT_SYM(AlgoCheck, "cublasLtMatmulAlgoCheck");
    FP8LAB_LT_SYM(Matmul, "cublasLtMatmul");
#undef FP8LAB_LT_SYM
    if (!lib->GetVersion || !lib->Create || !lib->Matmul || !lib->MatmulAlgoGetHeuristic ||
        !lib->MatmulDescSetAttribute || !lib->MatrixLayoutCreate || !lib->MatmulPreferenceCreate) {
      tried += "\n  " + c + ": missing cuBLASLt entry points";
      ::dlclose(h);
      continue;
    }
    lib->version = lib->GetVersion();
    if (lib->version < kMinVersion) {
      too_old += "\n  " + c + ": version " + std::to_string(lib->version);
      ::dlclose(h);
      continue;
    }
    g_libs[c] = lib;
    return lib;
  }
  throw CodedError("E_NO_CUBLASLT", "cuBLASLt 12.9 or newer (block-scaled FP8) was not found; " +
                                        (too_old.empty() ? std::string() : "too old:" + too_old + "\n") +
                                        "tried:" + tried +
                                        "\nInstall the CUDA toolkit's cuBLAS (12.9+) or set its path; only the "
                                        "cuBLASLt peer column needs it.");
}

void check_lt(cublasStatus_t s, const char* what, const char* code = "E_NO_CUBLASLT") {
  if (s != kCublasStatusSuccess)
    throw CodedError(code, std::string(what) + " failed with cublasStatus_t " + std::to_string(s));
}

// What one algorithm of the heuristic's list is, as cuBLASLt names it (enum values, not names:
// the tile and stage enums grow with every release).
struct AlgorithmInfo {
  int index = 0, found = 0;
  bool from_heuristic = true;
  int64_t id = -1, tile = -1, stages = -1, split_k = -1, reduction = -1, swizzle = -1, cluster = -1;
  double waves = 0;
  uint64_t workspace = 0;
};

// cuBLASLt wants the exact size of each attribute: 4 bytes for most, 2 for the shape ids.
int64_t algo_attribute(const CublasLt& lib, const cublasLtMatmulAlgo_t& algo, int attr) {
  if (!lib.AlgoConfigGetAttribute) return -1;
  for (size_t size : {size_t(4), size_t(2), size_t(8)}) {
    uint64_t value = 0;
    size_t written = 0;
    if (lib.AlgoConfigGetAttribute(&algo, attr, &value, size, &written) != kCublasStatusSuccess || written != size) continue;
    if (size == 2) return int64_t(uint16_t(value));
    if (size == 4) return int64_t(uint32_t(value));
    return int64_t(value);
  }
  return -1;
}

// An array-valued capability of an algorithm (tile or stage ids); {0} ("undefined") when it has none.
std::vector<uint32_t> cap_list(const CublasLt& lib, const cublasLtMatmulAlgo_t& algo, int attr) {
  size_t bytes = 0;
  std::vector<uint32_t> ids;
  if (lib.AlgoCapGetAttribute(&algo, attr, nullptr, 0, &bytes) == kCublasStatusSuccess && bytes >= 4) {
    ids.resize(bytes / 4);
    if (lib.AlgoCapGetAttribute(&algo, attr, ids.data(), ids.size() * 4, &bytes) != kCublasStatusSuccess) ids.clear();
  }
  if (ids.empty()) ids.push_back(0);
  return ids;
}

uint32_t cap_u32(const CublasLt& lib, const cublasLtMatmulAlgo_t& algo, int attr) {
  uint32_t value = 0;
  size_t written = 0;
  return lib.AlgoCapGetAttribute(&algo, attr, &value, sizeof value, &written) == kCublasStatusSuccess ? value : 0;
}

struct AlgorithmEntry {
  cublasLtMatmulAlgo_t algo;
  size_t workspace;
  float waves;
  bool from_heuristic;
};

std::map<std::string, std::vector<AlgorithmEntry>> g_algorithms;  // by library path and shape

// The heuristic's usable algorithms in its order, then (when it offered fewer than
// kHeuristicAlgorithms) every configuration of every algorithm id that AlgoCheck accepts for the
// problem, without repeats, up to kMaxAlgorithms.
std::vector<AlgorithmEntry> list_algorithms(CublasLt& lib, const MatmulTypes& types, cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t a,
                                            cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t d, cublasStatus_t* heuristic_status) {
  std::vector<AlgorithmEntry> list;
  auto seen = [&](const cublasLtMatmulAlgo_t& x) {
    for (const auto& e : list)
      if (std::memcmp(&e.algo, &x, sizeof x) == 0) return true;
    return false;
  };
  // The heuristic's favourites under our workspace and under the smaller ones other callers offer
  // (a caller with less workspace gets another split-K from the same heuristic).
  for (uint64_t workspace : kHeuristicWorkspaces) {
    cublasLtMatmulPreference_t pref = nullptr;
    check_lt(lib.MatmulPreferenceCreate(&pref), "cublasLtMatmulPreferenceCreate");
    lib.MatmulPreferenceSetAttribute(pref, kPrefMaxWorkspaceBytes, &workspace, sizeof workspace);
    cublasLtMatmulHeuristicResult_t results[kHeuristicAlgorithms] = {};
    int returned = 0;
    cublasStatus_t hs = lib.MatmulAlgoGetHeuristic(lib.handle, desc, a, b, d, d, pref, kHeuristicAlgorithms, results, &returned);
    lib.MatmulPreferenceDestroy(pref);
    if (workspace == kWorkspaceBytes) *heuristic_status = hs;
    for (int i = 0; hs == kCublasStatusSuccess && i < returned && i < kHeuristicAlgorithms; ++i)
      if (results[i].state == kCublasStatusSuccess && results[i].workspaceSize <= kWorkspaceBytes && !seen(results[i].algo))
        list.push_back({results[i].algo, results[i].workspaceSize, results[i].wavesCount, true});
  }
  if (int(list.size()) >= kHeuristicAlgorithms || !lib.AlgoGetIds || !lib.AlgoInit || !lib.AlgoCheck ||
      !lib.AlgoCapGetAttribute || !lib.AlgoConfigSetAttribute)
    return list;

  // The same kernels with every split-K count and reduction scheme they take.
  const size_t favourites = list.size();
  for (size_t f = 0; f < favourites && int(list.size()) < kMaxAlgorithms; ++f) {
    const uint32_t reductions = cap_u32(lib, list[f].algo, kAlgoCapReductionSchemeMask);
    for (uint32_t splits : kSplitKCounts) {
      for (uint32_t reduction : kReductionSchemes) {
        if (splits == 1 && reduction != kReductionSchemes[0]) continue;
        if (splits > 1 && !(reductions & reduction)) continue;
        cublasLtMatmulAlgo_t algo = list[f].algo;
        lib.AlgoConfigSetAttribute(&algo, kAlgoConfigSplitKNum, &splits, sizeof splits);
        uint32_t scheme = splits > 1 ? reduction : 0;
        lib.AlgoConfigSetAttribute(&algo, kAlgoConfigReductionScheme, &scheme, sizeof scheme);
        cublasLtMatmulHeuristicResult_t checked{};
        if (int(list.size()) >= kMaxAlgorithms || seen(algo)) continue;
        if (lib.AlgoCheck(lib.handle, desc, a, b, d, d, &algo, &checked) == kCublasStatusSuccess &&
            checked.state == kCublasStatusSuccess && checked.workspaceSize <= kWorkspaceBytes)
          list.push_back({algo, checked.workspaceSize, checked.wavesCount, false});
      }
    }
  }

  int ids[kMaxAlgorithmIds] = {};
  int id_count = 0;
  if (lib.AlgoGetIds(lib.handle, kCublasCompute32F, kCudaR32F, types.a, types.b, types.c, types.d,
                     kMaxAlgorithmIds, ids, &id_count) != kCublasStatusSuccess)
    return list;
  int checks = 0;  // AlgoCheck calls of the enumeration, bounded so a large capability list stays quick
  for (int i = 0; i < id_count && int(list.size()) < kMaxAlgorithms && checks < kMaxEnumerationChecks; ++i) {
    cublasLtMatmulAlgo_t base{};
    if (lib.AlgoInit(lib.handle, kCublasCompute32F, kCudaR32F, types.a, types.b, types.c, types.d, ids[i],
                     &base) != kCublasStatusSuccess)
      continue;
    const bool split_k = cap_u32(lib, base, kAlgoCapSplitKSupport) != 0;
    const uint32_t reductions = cap_u32(lib, base, kAlgoCapReductionSchemeMask);
    uint32_t reduction = 0;
    for (uint32_t r : kReductionSchemes)
      if (reductions & r) { reduction = r; break; }
    for (uint32_t tile : cap_list(lib, base, kAlgoCapTileIds)) {
      for (uint32_t stages : cap_list(lib, base, kAlgoCapStagesIds)) {
        for (uint32_t splits : kSplitKCounts) {
          if (splits > 1 && (!split_k || reduction == 0)) continue;
          if (int(list.size()) >= kMaxAlgorithms || ++checks > kMaxEnumerationChecks) break;
          cublasLtMatmulAlgo_t algo = base;
          lib.AlgoConfigSetAttribute(&algo, kAlgoConfigTileId, &tile, sizeof tile);
          lib.AlgoConfigSetAttribute(&algo, kAlgoConfigStagesId, &stages, sizeof stages);
          lib.AlgoConfigSetAttribute(&algo, kAlgoConfigSplitKNum, &splits, sizeof splits);
          if (splits > 1) lib.AlgoConfigSetAttribute(&algo, kAlgoConfigReductionScheme, &reduction, sizeof reduction);
          cublasLtMatmulHeuristicResult_t checked{};
          if (lib.AlgoCheck(lib.handle, desc, a, b, d, d, &algo, &checked) != kCublasStatusSuccess ||
              checked.state != kCublasStatusSuccess || checked.workspaceSize > kWorkspaceBytes || seen(algo))
            continue;
          list.push_back({algo, checked.workspaceSize, checked.wavesCount, false});
        }
      }
    }
  }
  return list;
}

struct PeerState : Launchable {
  std::shared_ptr<CublasLt> lib;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t layout_a = nullptr, layout_b = nullptr, layout_d = nullptr;
  cublasLtMatmulAlgo_t algo{};
  AlgorithmInfo info;
  MemoryRef a, b, d, c, sfa_lt, sfb_lt;  // c: BF16 with FP32 out only (beta = 1); else D is also C with beta 0
  float alpha = 1.0f, beta = 0.0f;

  void enqueue(CUstream stream) override {
    device();  // context current on this thread, or the coded error
    const CUdeviceptr c_ptr = c ? c->ptr : d->ptr;
    cublasStatus_t s = lib->Matmul(lib->handle, desc, &alpha, reinterpret_cast<void*>(b->ptr), layout_a,
                                   reinterpret_cast<void*>(a->ptr), layout_b, &beta, reinterpret_cast<void*>(c_ptr),
                                   layout_d, reinterpret_cast<void*>(d->ptr), layout_d, &algo,
                                   reinterpret_cast<void*>(lib->workspace->ptr), kWorkspaceBytes, stream);
    if (s != kCublasStatusSuccess)
      throw CodedError("E_CUDA", "cublasLtMatmul failed with cublasStatus_t " + std::to_string(s));
  }
  ~PeerState() override {
    if (!lib) return;
    if (layout_a) lib->MatrixLayoutDestroy(layout_a);
    if (layout_b) lib->MatrixLayoutDestroy(layout_b);
    if (layout_d) lib->MatrixLayoutDestroy(layout_d);
    if (desc) lib->MatmulDescDestroy(desc);
  }
};

class PeerLaunchWrap : public Napi::ObjectWrap<PeerLaunchWrap> {
 public:
  PeerLaunchWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PeerLaunchWrap>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
      throw to_js_error(info.Env(), CodedError("E_BAD_ARGUMENT", "PeerLaunch is created by createCublasLtLaunch(spec)"));
    state_ = *info[0].As<Napi::External<std::shared_ptr<PeerState>>>().Data();
  }
  Napi::Value run(const Napi::CallbackInfo& info) {
    return guarded(info.Env(), [&]() -> Napi::Value {
      if (!state_) throw_bad_argument("this PeerLaunch was disposed; create a new one");
      state_->enqueue(device().stream);
      return info.Env().Undefined();
    });
  }
  Napi::Value dispose(const Napi::CallbackInfo& info) {
    state_.reset();
    return info.Env().Undefined();
  }
  // The algorithm this launch runs: its place in the heuristic's list and cuBLASLt's own ids.
  Napi::Value algorithm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guarded(env, [&]() -> Napi::Value {
      if (!state_) throw_bad_argument("this PeerLaunch was disposed; create a new one");
      const AlgorithmInfo& a = state_->info;
      Napi::Object o = Napi::Object::New(env);
      o.Set("index", a.index);
      o.Set("found", a.found);
      o.Set("fromHeuristic", a.from_heuristic);
      o.Set("id", double(a.id));
      o.Set("tile", double(a.tile));
      o.Set("stages", double(a.stages));
      o.Set("splitK", double(a.split_k));
      o.Set("reductionScheme", double(a.reduction));
      o.Set("ctaSwizzling", double(a.swizzle));
      o.Set("clusterShape", double(a.cluster));
      o.Set("wavesCount", a.waves);
      o.Set("workspaceBytes", double(a.workspace));
      return o;
    });
  }
  std::shared_ptr<PeerState> state() const { return state_; }

 private:
  std::shared_ptr<PeerState> state_;
};

std::vector<float> download_floats(const DeviceState& s, const MemoryRef& buf, size_t count) {
  std::vector<float> host(count);
  check_cu(s.drv->cuMemcpyDtoHAsync(host.data(), buf->ptr, count * 4, s.stream), "cuMemcpyDtoHAsync (scales)");
  check_cu(s.drv->cuStreamSynchronize(s.stream), "cuStreamSynchronize (scales)");
  return host;
}

MemoryRef upload_floats(const DeviceState& s, const std::vector<float>& host) {
  MemoryRef buf = device_alloc(host.size() * 4);
  check_cu(s.drv->cuMemcpyHtoDAsync(buf->ptr, host.data(), host.size() * 4, s.stream), "cuMemcpyHtoDAsync (scales)");
  check_cu(s.drv->cuStreamSynchronize(s.stream), "cuStreamSynchronize (scales)");
  return buf;
}

}  // namespace

Napi::Function define_peer_launch_class(Napi::Env env) {
  return PeerLaunchWrap::DefineClass(env, "PeerLaunch",
                                     {PeerLaunchWrap::InstanceMethod<&PeerLaunchWrap::run>("run"),
                                      PeerLaunchWrap::InstanceMethod<&PeerLaunchWrap::dispose>("dispose"),
                                      PeerLaunchWrap::InstanceMethod<&PeerLaunchWrap::algorithm>("algorithm")});
}

std::shared_ptr<Launchable> unwrap_peer_launch(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(addon_data(env).peer_launch_class.Value())) return nullptr;
  auto s = PeerLaunchWrap::Unwrap(v.As<Napi::Object>())->state();
  if (!s) throw_bad_argument("a PeerLaunch passed to timeGraphs was disposed");
  return s;
}

Napi::Value js_cublaslt_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    auto lib = load_cublaslt(read_lib_options(info, 0, "cublasLtInfo options"));
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", lib->path);
    o.Set("version", double(lib->version));
    return o;
  });
}

Napi::Value js_create_cublaslt_launch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guarded(env, [&]() -> Napi::Value {
    const char* what = "PeerLaunchSpec";
    Napi::Object o = require_object(info[0], what);
    const DeviceState& dev = device();
    const int64_t kMaxDim = int64_t(1) << 31;
    const uint64_t m = uint64_t(get_integer(o, "m", what, 1, kMaxDim));
    const uint64_t n = uint64_t(get_integer(o, "n", what, 1, kMaxDim));
    const uint64_t k = uint64_t(get_integer(o, "k", what, 1, kMaxDim));
    const std::string data_type = has_field(o, "dataType") ? get_string(o, "dataType", what) : "fp8";
    if (data_type != "fp8" && data_type != "bf16")
      throw_bad_argument("PeerLaunchSpec.dataType must be 'fp8' or 'bf16' (got '" + data_type + "')");
    const bool bf16 = data_type == "bf16";
    const std::string d_type = has_field(o, "dType") ? get_string(o, "dType", what) : "bf16";
    if (d_type != "bf16" && (d_type != "fp32" || !bf16))
      throw_bad_argument("PeerLaunchSpec.dType must be 'bf16'" + std::string(bf16 ? " or 'fp32'" : " for FP8") + " (got '" + d_type + "')");
    const bool d_fp32 = d_type == "fp32";
    const MatmulTypes types = !bf16 ? kFp8Types : d_fp32 ? kBf16Fp32OutTypes : kBf16Types;
    if (!bf16 && k % 128 != 0)
      throw CodedError("E_SHAPE_ALIGNMENT", "K = " + std::to_string(k) + " is not a multiple of 128 (block scaling)");
    if (bf16 && k % 8 != 0)
      throw CodedError("E_SHAPE_ALIGNMENT", "K = " + std::to_string(k) + " is not a multiple of 8 (16-byte bf16 rows of A and B)");
    const uint64_t n_align = d_fp32 ? 4 : 8;
    if (n % n_align != 0)
      throw CodedError("E_SHAPE_ALIGNMENT", "N = " + std::to_string(n) + " is not a multiple of " + std::to_string(n_align) +
                                                " (16-byte " + d_type + " rows of D)");
    auto st = std::make_shared<PeerState>();
    st->a = unwrap_buffer(env, o.Get("a"), "PeerLaunchSpec.a");
    st->b = unwrap_buffer(env, o.Get("b"), "PeerLaunchSpec.b");
    MemoryRef sfa, sfb;
    if (!bf16) {
      sfa = unwrap_buffer(env, o.Get("sfa"), "PeerLaunchSpec.sfa");
      sfb = unwrap_buffer(env, o.Get("sfb"), "PeerLaunchSpec.sfb");
    } else if (has_field(o, "sfa") || has_field(o, "sfb")) {
      throw_bad_argument("PeerLaunchSpec.sfa / sfb are not read with dataType 'bf16'");
    }
    st->d = unwrap_buffer(env, o.Get("d"), "PeerLaunchSpec.d");
    if (has_field(o, "c")) {
      if (!d_fp32) throw_bad_argument("PeerLaunchSpec.c (accumulated into D) needs dataType 'bf16' with dType 'fp32'");
      st->c = unwrap_buffer(env, o.Get("c"), "PeerLaunchSpec.c");
      st->beta = 1.0f;
    }
    const uint64_t kb = k / 128, nb = (n + 127) / 128, aligned_m = (m + 3) / 4 * 4, l4 = (kb + 3) / 4 * 4;
    auto need = [](const char* name, const MemoryRef& buf, uint64_t bytes) {
      if (buf->bytes < bytes)
        throw_bad_argument(std::string("buffer ") + name + " has " + std::to_string(buf->bytes) + " bytes; needs " +
                           std::to_string(bytes));
    };
    const uint64_t in_bytes = bf16 ? 2 : 1, out_bytes = d_fp32 ? 4 : 2;
    need("a", st->a, m * k * in_bytes);
    need("b", st->b, n * k * in_bytes);
    if (!bf16) {
      need("sfa", sfa, kb * aligned_m * 4);
      need("sfb", sfb, nb * kb * 4);
    }
    need("d", st->d, m * n * out_bytes);
    if (st->c) need("c", st->c, m * n * 4);

    LibOptions lib_opts = read_lib_options(info, 1, "createCublasLtLaunch options");
    st->lib = load_cublaslt(lib_opts);
    CublasLt& lib = *st->lib;
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      if (!lib.handle) check_lt(lib.Create(&lib.handle), "cublasLtCreate");
      if (!lib.workspace) lib.workspace = device_alloc(kWorkspaceBytes);
    }

    // cuBLASLt-layout scales (see the header comment).
    st->sfa_lt = sfa;
    if (bf16 || kb % 4 == 0) {
      st->sfb_lt = sfb;
    } else {
      std::vector<float> sfb_host = download_floats(dev, sfb, nb * kb);
      std::vector<float> sfb_lt(nb * l4, 0.0f);
      for (uint64_t i = 0; i < nb; ++i) std::memcpy(&sfb_lt[i * l4], &sfb_host[i * kb], kb * 4);
      st->sfb_lt = upload_floats(dev, sfb_lt);
    }

    check_lt(lib.MatmulDescCreate(&st->desc, kCublasCompute32F, kCudaR32F), "cublasLtMatmulDescCreate");
    int32_t trans_a = kCublasOpT, trans_b = kCublasOpN;
    check_lt(lib.MatmulDescSetAttribute(st->desc, kDescTransA, &trans_a, sizeof trans_a), "set TRANSA");
    check_lt(lib.MatmulDescSetAttribute(st->desc, kDescTransB, &trans_b, sizeof trans_b), "set TRANSB");
    if (types.block_scaled) {
      int32_t mode_a = kScaleBlk128x128_32F, mode_b = kScaleVec128_32F;
      void* scale_a = reinterpret_cast<void*>(st->sfb_lt->ptr);  // cuBLAS A = our B
      void* scale_b = reinterpret_cast<void*>(st->sfa_lt->ptr);  // cuBLAS B = our A
      check_lt(lib.MatmulDescSetAttribute(st->desc, kDescAScaleMode, &mode_a, sizeof mode_a), "set A_SCALE_MODE");
      check_lt(lib.MatmulDescSetAttribute(st->desc, kDescBScaleMode, &mode_b, sizeof mode_b), "set B_SCALE_MODE");
      check_lt(lib.MatmulDescSetAttribute(st->desc, kDescAScalePointer, &scale_a, sizeof scale_a), "set A_SCALE_POINTER");
      check_lt(lib.MatmulDescSetAttribute(st->desc, kDescBScalePointer, &scale_b, sizeof scale_b), "set B_SCALE_POINTER");
    }
    check_lt(lib.MatrixLayoutCreate(&st->layout_a, types.a, k, n, int64_t(k)), "cublasLtMatrixLayoutCreate(A)");
    check_lt(lib.MatrixLayoutCreate(&st->layout_b, types.b, k, m, int64_t(k)), "cublasLtMatrixLayoutCreate(B)");
    check_lt(lib.MatrixLayoutCreate(&st->layout_d, types.d, n, m, int64_t(n)), "cublasLtMatrixLayoutCreate(D)");

    // The list is the same for every launch of a shape (pointers do not change what is valid), so it
    // is made once per shape and library.
    std::vector<AlgorithmEntry> list;
    cublasStatus_t hs = kCublasStatusSuccess;
    {
      const std::string key = lib.path + ":" + types.key() + ":" + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
      std::lock_guard<std::mutex> lock(g_mutex);
      auto it = g_algorithms.find(key);
      if (it != g_algorithms.end()) {
        list = it->second;
      } else {
        list = list_algorithms(lib, types, st->desc, st->layout_a, st->layout_b, st->layout_d, &hs);
        if (!list.empty()) g_algorithms[key] = list;
      }
    }
    const int found = int(list.size());
    if (found == 0)
      throw CodedError("E_NO_CUBLASLT", "cuBLASLt " + std::to_string(lib.version) + " (" + lib.path +
                                            ") has no " + (bf16 ? "BF16" : "block-scaled FP8") + " algorithm for M=" + std::to_string(m) +
                                            " N=" + std::to_string(n) + " K=" + std::to_string(k) +
                                            " (cublasLtMatmulAlgoGetHeuristic status " + std::to_string(hs) + ")");
    if (lib_opts.algorithm >= found)
      throw_bad_argument("cuBLASLt offers " + std::to_string(found) + " algorithm(s) for M=" + std::to_string(m) +
                         " N=" + std::to_string(n) + " K=" + std::to_string(k) + "; algorithm must be 0.." +
                         std::to_string(found - 1) + ", not " + std::to_string(lib_opts.algorithm));
    const AlgorithmEntry& chosen = list[lib_opts.algorithm];
    st->algo = chosen.algo;
    st->info.index = lib_opts.algorithm;
    st->info.found = found;
    st->info.from_heuristic = chosen.from_heuristic;
    st->info.id = algo_attribute(lib, chosen.algo, kAlgoConfigId);
    st->info.tile = algo_attribute(lib, chosen.algo, kAlgoConfigTileId);
    st->info.stages = algo_attribute(lib, chosen.algo, kAlgoConfigStagesId);
    st->info.split_k = algo_attribute(lib, chosen.algo, kAlgoConfigSplitKNum);
    st->info.reduction = algo_attribute(lib, chosen.algo, kAlgoConfigReductionScheme);
    st->info.swizzle = algo_attribute(lib, chosen.algo, kAlgoConfigCtaSwizzling);
    st->info.cluster = algo_attribute(lib, chosen.algo, kAlgoConfigClusterShapeId);
    st->info.waves = chosen.waves;
    st->info.workspace = chosen.workspace;
    return addon_data(env).peer_launch_class.New({Napi::External<std::shared_ptr<PeerState>>::New(env, &st)});
  });
}

}  // namespace fp8lab
