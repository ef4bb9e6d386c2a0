// GPU check of the FP8 MQA-logits kernels against their FP32 references (Hopper only). Built and
// run by test/gpu/mqa-pass.sh:
//   nvcc -std=c++17 -O2 -gencode=arch=compute_90a,code=sm_90a -I kernels/include kernels/tools/mqa_logits_check.cu
//   ./mqa_logits_check correctness | small | bench
// correctness: many shapes (ragged and empty windows, lengths off the block sizes, partial last
//              pages, next_n 1 and 2, heads 32/64, dim 64/128); small: a few tiny shapes (for
//              compute-sanitizer); bench: DeepGEMM's test shapes, timed (median of CUDA-event
//              timings with L2 flushed between launches), each also checked.
// Each case prints one line, "PASS ..." or "FAIL ...", and the run ends with "mqa-check: N passed,
// M failed". A case passes when every element has the reference's class (value / -inf / untouched,
// from a NaN poison written before the launch) and calc_diff (DeepGEMM's metric, float64) over the
// values is below 1e-5 (FP32 reference of the same FP8 inputs; DeepGEMM's own bound for this
// comparison is 5e-6 through a BF16 reference, and 1e-3 against unquantised inputs).
// Inputs follow DeepGEMM's test recipe: q = e4m3(randn), kv = per-token e4m3 with scale amax/448,
// weights = randn.
#include <cuda.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "fp8lab/impls/sm90_fp8_mqa_logits.cuh"
#include "fp8lab/impls/sm90_fp8_paged_mqa_logits.cuh"
#include "fp8lab/utils/mqa_compare.cuh"
#include "fp8lab/utils/mqa_inputs.cuh"
#include "fp8lab/utils/reference_mqa_logits.cuh"

using namespace fp8lab;

constexpr uint32_t kQStages = 3, kKVStages = 3, kMathWGs = 4;

// ---- kernels ----------------------------------------------------------------------------------------
template <uint32_t H, uint32_t D>
__global__ void __launch_bounds__(128 * (kMathWGs + 1), 1) plain_kernel(const __grid_constant__ MqaLogitsArgs args) {
  sm90_fp8_mqa_logits_impl<H, D, kQStages, kKVStages, kMathWGs>(args);
}
template <uint32_t N, uint32_t H, uint32_t D>
__global__ void __launch_bounds__(128 * (kMathWGs + 1), 1) paged_kernel(const __grid_constant__ PagedMqaLogitsArgs args) {
  sm90_fp8_paged_mqa_logits_impl<N, H, D, kQStages, kKVStages, kMathWGs>(args);
}
__global__ void __launch_bounds__(256) clean_kernel(const __grid_constant__ MqaLogitsArgs args) { sm90_mqa_clean_logits_impl(args); }
__global__ void __launch_bounds__(kMetadataThreads, 1) metadata_kernel(const int32_t* c, uint32_t batch, uint32_t next_n,
                                                                       uint32_t split_kv, uint32_t num_sms, uint32_t* out) {
  sm90_paged_mqa_logits_metadata_impl(c, batch, next_n, split_kv, num_sms, out);
}
__global__ void __launch_bounds__(256) ref_plain_kernel(const uint8_t* q, const uint8_t* kv, const float* s, const float* w,
                                                        const int32_t* ks, const int32_t* ke, float* out, uint32_t seq_q,
                                                        uint32_t seq_kv, uint32_t h, uint32_t d, uint32_t stride) {
  utils::reference_mqa_logits(q, kv, s, w, ks, ke, out, seq_q, seq_kv, h, d, stride);
}
__global__ void __launch_bounds__(256) ref_paged_kernel(const uint8_t* q, const uint8_t* cache, const float* w,
                                                        const int32_t* ctx, const int32_t* table, float* out, uint32_t next_n,
                                                        uint32_t h, uint32_t d, uint32_t table_stride, uint32_t stride) {
  utils::reference_paged_mqa_logits(q, cache, w, ctx, table, out, next_n, h, d, table_stride, stride);
}

__global__ void fill_e4m3_kernel(uint8_t* out, uint64_t count, uint64_t seed, uint64_t stream) {
  utils::fill_e4m3_normal(out, count, seed, stream);
}
__global__ void fill_f32_kernel(float* out, uint64_t count, uint64_t seed, uint64_t stream) {
  utils::fill_f32_normal(out, count, seed, stream);
}
__global__ void plain_keys_kernel(uint8_t* kv, float* s, uint64_t rows, uint32_t dim, uint64_t seed) {
  utils::quantise_plain_keys(kv, s, rows, dim, seed);
}
__global__ void paged_keys_kernel(uint8_t* cache, uint64_t pages, uint32_t dim, uint64_t seed) {
  utils::quantise_paged_keys(cache, pages, dim, seed);
}

// Element classes and calc_diff sums of out against ref (utils/mqa_compare.cuh).
using CompareResult = utils::MqaCompareResult;
__global__ void compare_kernel(const float* out, const float* ref, uint64_t count, CompareResult* r) {
  utils::compare_mqa_logits(out, ref, count, r);
}

// ---- host helpers -----------------------------------------------------------------------------------
#define CUDA_CHECK(x)                                                                             \
  do {                                                                                            \
    cudaError_t e_ = (x);                                                                         \
    if (e_ != cudaSuccess) { std::printf("CUDA error %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, __LINE__); std::exit(2); } \
  } while (0)

using EncodeTiled = CUresult (*)(CUtensorMap*, CUtensorMapDataType, cuuint32_t, void*, const cuuint64_t*, const cuuint64_t*,
                                 const cuuint32_t*, const cuuint32_t*, CUtensorMapInterleave, CUtensorMapSwizzle,
                                 CUtensorMapL2promotion, CUtensorMapFloatOOBfill);
static EncodeTiled encode_tiled() {
  static EncodeTiled fn = nullptr;
  if (!fn) {
    cudaDriverEntryPointQueryResult q;
#if CUDART_VERSION >= 12050
    CUDA_CHECK(cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", reinterpret_cast<void**>(&fn), 12000, cudaEnableDefault, &q));
#else
    CUDA_CHECK(cudaGetDriverEntryPoint("cuTensorMapEncodeTiled", reinterpret_cast<void**>(&fn), cudaEnableDefault, &q));
#endif
    if (!fn) { std::printf("cuTensorMapEncodeTiled not found\n"); std::exit(2); }
  }
  return fn;
}

// A tiled map of `rank` dims (dims[0] innermost), byte strides of dims 1.. , box, swizzle in bytes.
static TmaDescriptor make_map(CUtensorMapDataType type, const void* base, uint32_t rank, const uint64_t* dims,
                              const uint64_t* strides, const uint32_t* box, uint32_t swizzle) {
  CUtensorMap map;
  const cuuint32_t elem_strides[3] = {1, 1, 1};
  const CUtensorMapSwizzle sw = swizzle == 128 ? CU_TENSOR_MAP_SWIZZLE_128B : swizzle == 64 ? CU_TENSOR_MAP_SWIZZLE_64B
                                : swizzle == 32 ? CU_TENSOR_MAP_SWIZZLE_32B : CU_TENSOR_MAP_SWIZZLE_NONE;
  const CUresult r = encode_tiled()(&map, type, rank, const_cast<void*>(base), dims, strides, box, elem_strides,
                                    CU_TENSOR_MAP_INTERLEAVE_NONE, sw, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                                    CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) { std::printf("cuTensorMapEncodeTiled failed (%d)\n", int(r)); std::exit(2); }
  TmaDescriptor d;
  std::memcpy(&d, &map, sizeof(d));
  return d;
}

template <typename T>
static T* upload(const std::vector<T>& v) {
  T* p = nullptr;
  CUDA_CHECK(cudaMalloc(&p, std::max<size_t>(v.size(), 1) * sizeof(T)));
  if (!v.empty()) CUDA_CHECK(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  return p;
}

template <typename T>
static T* device_alloc(uint64_t count) {
  T* p = nullptr;
  CUDA_CHECK(cudaMalloc(&p, std::max<uint64_t>(count, 1) * sizeof(T)));
  return p;
}

static int g_num_sms = 0;
static int g_passed = 0, g_failed = 0;
static float* g_flush = nullptr;  // 256 MiB written between timed launches (flushes the 50 MB L2)
constexpr size_t kFlushBytes = size_t(256) << 20;

// Times `launch` (median of `iters` CUDA-event timings, L2 flushed before each); microseconds.
template <typename Launch>
static double time_us(Launch launch, int iters) {
  cudaEvent_t a, b;
  CUDA_CHECK(cudaEventCreate(&a));
  CUDA_CHECK(cudaEventCreate(&b));
  std::vector<float> ms;
  for (int i = 0; i < iters + 2; ++i) {
    CUDA_CHECK(cudaMemsetAsync(g_flush, i & 0xff, kFlushBytes));
    CUDA_CHECK(cudaEventRecord(a));
    launch();
    CUDA_CHECK(cudaEventRecord(b));
    CUDA_CHECK(cudaEventSynchronize(b));
    float t = 0;
    CUDA_CHECK(cudaEventElapsedTime(&t, a, b));
    if (i >= 2) ms.push_back(t);  // two warm-up launches
  }
  std::sort(ms.begin(), ms.end());
  CUDA_CHECK(cudaEventDestroy(a));
  CUDA_CHECK(cudaEventDestroy(b));
  return ms[ms.size() / 2] * 1e3;
}

static bool compare(const float* out, const float* ref, uint64_t count, const char* what, std::string& line) {
  CompareResult* r;
  CUDA_CHECK(cudaMalloc(&r, sizeof(CompareResult)));
  CUDA_CHECK(cudaMemset(r, 0, sizeof(CompareResult)));
  compare_kernel<<<g_num_sms * 4, 256>>>(out, ref, count, r);
  CUDA_CHECK(cudaGetLastError());
  CompareResult h;
  CUDA_CHECK(cudaMemcpy(&h, r, sizeof(h), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaFree(r));
  const double diff = h.sum_xxyy > 0 ? 1.0 - 2.0 * h.sum_xy / h.sum_xxyy : 0.0;
  const bool ok = h.class_mismatches == 0 && diff < 1e-5 && std::isfinite(diff);
  char buf[256];
  std::snprintf(buf, sizeof(buf), "%s calc_diff=%.3e max_abs=%.3e values=%llu class_mismatches=%llu", what, diff,
                double(h.max_abs), h.values, h.class_mismatches);
  line = buf;
  return ok;
}

static void report(bool ok, const std::string& desc, const std::string& cmp, double us, double flops, double bytes) {
  (ok ? g_passed : g_failed)++;
  if (us > 0)
    std::printf("%s %s %s | %.1f us %.0f TFLOPS %.0f GB/s\n", ok ? "PASS" : "FAIL", desc.c_str(), cmp.c_str(), us,
                flops / us / 1e6, bytes / us / 1e3);
  else
    std::printf("%s %s %s\n", ok ? "PASS" : "FAIL", desc.c_str(), cmp.c_str());
  std::fflush(stdout);
}

// ---- plain ------------------------------------------------------------------------------------------
enum class Windows { Causal, ContextParallel, Ragged };

template <uint32_t H, uint32_t D>
static void run_plain(uint32_t seq_q, uint32_t seq_kv, Windows windows, bool bench, uint64_t seed) {
  using K = Sm90Fp8MqaLogits<H, D, kQStages, kKVStages, kMathWGs>;
  std::mt19937_64 rng(seed);
  const uint64_t q_count = uint64_t(seq_q) * H * D, kv_count = uint64_t(seq_kv) * D, w_count = uint64_t(seq_q) * H;
  std::vector<int32_t> ks(seq_q), ke(seq_q);
  uint64_t pairs = 0;
  for (uint32_t i = 0; i < seq_q; ++i) {
    if (windows == Windows::Causal) {  // DeepGEMM's disable_cp: ks = 0, ke = i + (seq_kv - seq_q)
      ks[i] = 0;
      ke[i] = int32_t(i + seq_kv - seq_q);
    } else if (windows == Windows::ContextParallel) {  // its CP rank cp_size / 3, two chunks
      const uint32_t chunk = seq_q / 2, cp_size = seq_kv / seq_q, cp_id = cp_size / 3;
      ks[i] = 0;
      ke[i] = int32_t(i < chunk ? cp_id * chunk + i : (cp_size * 2 - 1 - cp_id) * chunk + (i - chunk));
    } else {  // ragged: random start and length, some empty, some running past seq_kv, some from < 0
      const int32_t start = int32_t(rng() % (seq_kv + 8)) - 4;
      const int32_t len = rng() % 7 == 0 ? 0 : int32_t(rng() % (seq_kv / 2 + 70));
      ks[i] = start;
      ke[i] = start + len;
    }
    const int32_t lo = std::max(ks[i], 0), hi = std::min(ke[i], int32_t(seq_kv));
    pairs += hi > lo ? uint64_t(hi - lo) : 0;
  }
  const uint32_t stride = (seq_kv + 3) / 4 * 4;  // 16-byte rows; the kernel needs only >= seq_kv

  uint8_t *d_q = device_alloc<uint8_t>(q_count), *d_kv = device_alloc<uint8_t>(kv_count);
  float *d_s = device_alloc<float>(seq_kv), *d_w = device_alloc<float>(w_count), *d_out, *d_ref;
  fill_e4m3_kernel<<<g_num_sms * 8, 256>>>(d_q, q_count, seed, utils::kStreamMqaQ);
  plain_keys_kernel<<<g_num_sms * 8, 256>>>(d_kv, d_s, seq_kv, D, seed);
  fill_f32_kernel<<<g_num_sms * 8, 256>>>(d_w, w_count, seed, utils::kStreamMqaWeights);
  CUDA_CHECK(cudaGetLastError());
  int32_t *d_ks = upload(ks), *d_ke = upload(ke);
  const size_t out_bytes = size_t(seq_q) * stride * 4;
  CUDA_CHECK(cudaMalloc(&d_out, out_bytes));
  CUDA_CHECK(cudaMalloc(&d_ref, out_bytes));
  CUDA_CHECK(cudaMemset(d_out, 0xff, out_bytes));  // NaN poison: "untouched"
  CUDA_CHECK(cudaMemset(d_ref, 0xff, out_bytes));

  MqaLogitsArgs args{};
  {
    const uint64_t dq[2] = {D, uint64_t(seq_q) * H}, sq[1] = {D};
    const uint32_t bq[2] = {D, K::BLOCK_Q * H};
    args.tma_q = make_map(CU_TENSOR_MAP_DATA_TYPE_UINT8, d_q, 2, dq, sq, bq, D);
    const uint64_t dk[2] = {D, seq_kv}, sk[1] = {D};
    const uint32_t bk[2] = {D, K::BLOCK_KV};
    args.tma_kv = make_map(CU_TENSOR_MAP_DATA_TYPE_UINT8, d_kv, 2, dk, sk, bk, D);
    const uint64_t ds[2] = {seq_kv, 1}, ss[1] = {(uint64_t(seq_kv) * 4 + 15) / 16 * 16};
    const uint32_t bs[2] = {K::BLOCK_KV, 1};
    args.tma_kv_scales = make_map(CU_TENSOR_MAP_DATA_TYPE_FLOAT32, d_s, 2, ds, ss, bs, 0);
    const uint64_t dw[2] = {H, seq_q}, sw[1] = {H * 4};
    const uint32_t bw[2] = {H, K::BLOCK_Q};
    args.tma_weights = make_map(CU_TENSOR_MAP_DATA_TYPE_FLOAT32, d_w, 2, dw, sw, bw, 0);
  }
  args.ks = d_ks; args.ke = d_ke; args.logits = d_out;
  args.seq_q = seq_q; args.seq_kv = seq_kv; args.stride_logits = stride;

  CUDA_CHECK(cudaFuncSetAttribute(plain_kernel<H, D>, cudaFuncAttributeMaxDynamicSharedMemorySize, K::kSmemBytes));
  const auto launch = [&] {
    plain_kernel<H, D><<<g_num_sms, K::kNumThreads, K::kSmemBytes>>>(args);
    clean_kernel<<<g_num_sms, 256>>>(args);
  };
  launch();
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaDeviceSynchronize());
  ref_plain_kernel<<<dim3((seq_kv + 63) / 64, seq_q), 256, utils::reference_mqa_smem_bytes(H, D)>>>(
      d_q, d_kv, d_s, d_w, d_ks, d_ke, d_ref, seq_q, seq_kv, H, D, stride);
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaDeviceSynchronize());

  std::string cmp;
  const bool ok = compare(d_out, d_ref, uint64_t(seq_q) * stride, "", cmp);
  double us = 0;
  if (bench) us = time_us(launch, 10);
  const char* wname = windows == Windows::Causal ? "causal" : windows == Windows::ContextParallel ? "cp" : "ragged";
  char desc[160];
  std::snprintf(desc, sizeof(desc), "mqa-logits H=%u D=%u SQ=%u SK=%u windows=%s", H, D, seq_q, seq_kv, wname);
  // FLOPs of the useful pairs (DeepGEMM's count); bytes: inputs + the logits written.
  const double bytes = double(q_count + kv_count) + 4.0 * (seq_kv + w_count + 2 * seq_q) + 4.0 * double(seq_q) * seq_kv;
  report(ok, desc, cmp, us, 2.0 * double(pairs) * H * D, bytes);
  for (void* p : {(void*)d_q, (void*)d_kv, (void*)d_s, (void*)d_w, (void*)d_ks, (void*)d_ke, (void*)d_out, (void*)d_ref})
    CUDA_CHECK(cudaFree(p));
}

// ---- paged ------------------------------------------------------------------------------------------
template <uint32_t N, uint32_t H, uint32_t D>
static void run_paged(uint32_t batch, uint32_t avg_kv, bool bench, uint64_t seed, bool exact_pages = false) {
  using K = Sm90Fp8PagedMqaLogits<N, H, D, kQStages, kKVStages, kMathWGs>;
  constexpr uint32_t kPage = kPagedBlockKV;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  // Context lengths as DeepGEMM's test draws them: [0.7, 1.3) x avg per request; earlier tokens of
  // a request see a random prefix, the last token the whole context. Some requests are empty.
  std::vector<int32_t> ctx(size_t(batch) * N);
  std::vector<uint32_t> pages(batch);
  uint32_t max_pages = 0, total_pages = 0;
  uint64_t sum_ctx = 0;
  for (uint32_t b = 0; b < batch; ++b) {
    int32_t len = int32_t(0.7f * avg_kv) + int32_t(rng() % std::max<uint32_t>(1, uint32_t(0.6f * avg_kv)));
    if (exact_pages) len = len / kPage * kPage + kPage;  // whole last page
    if (!bench && batch > 4 && b % 13 == 5) len = 0;     // empty requests: no units
    for (uint32_t t = 0; t < N; ++t) ctx[b * N + t] = t + 1 == N ? len : int32_t(float(len + 1) * unit(rng));
    pages[b] = (len + kPage - 1) / kPage;
    max_pages = std::max(max_pages, pages[b]);
    total_pages += pages[b];
    sum_ctx += len;
  }
  // Pages in a random order: a request's pages are scattered through the cache.
  std::vector<int32_t> pool(std::max<uint32_t>(total_pages, 1));
  for (uint32_t i = 0; i < pool.size(); ++i) pool[i] = int32_t(i);
  std::shuffle(pool.begin(), pool.end(), rng);
  const uint32_t table_stride = std::max<uint32_t>(max_pages, 1);
  std::vector<int32_t> table(size_t(batch) * table_stride, 0);
  for (uint32_t b = 0, next = 0; b < batch; ++b)
    for (uint32_t p = 0; p < pages[b]; ++p) table[size_t(b) * table_stride + p] = pool[next++];
  const uint32_t num_blocks = uint32_t(pool.size());
  const size_t page_bytes = size_t(kPage) * (D + 4);
  const uint64_t q_count = uint64_t(batch) * N * H * D, w_count = uint64_t(batch) * N * H;
  const uint32_t stride = std::max<uint32_t>(max_pages * kPage, 4);

  uint8_t *d_q = device_alloc<uint8_t>(q_count), *d_cache = device_alloc<uint8_t>(num_blocks * page_bytes);
  float *d_w = device_alloc<float>(w_count), *d_out, *d_ref;
  fill_e4m3_kernel<<<g_num_sms * 8, 256>>>(d_q, q_count, seed, utils::kStreamMqaQ);
  paged_keys_kernel<<<g_num_sms * 8, 256>>>(d_cache, num_blocks, D, seed);
  fill_f32_kernel<<<g_num_sms * 8, 256>>>(d_w, w_count, seed, utils::kStreamMqaWeights);
  CUDA_CHECK(cudaGetLastError());
  int32_t *d_ctx = upload(ctx), *d_table = upload(table);
  uint32_t* d_sched;
  CUDA_CHECK(cudaMalloc(&d_sched, (g_num_sms + 1) * 2 * sizeof(uint32_t)));
  const size_t out_bytes = size_t(batch) * N * stride * 4;
  CUDA_CHECK(cudaMalloc(&d_out, out_bytes));
  CUDA_CHECK(cudaMalloc(&d_ref, out_bytes));
  CUDA_CHECK(cudaMemset(d_out, 0xff, out_bytes));
  CUDA_CHECK(cudaMemset(d_ref, 0xff, out_bytes));

  PagedMqaLogitsArgs args{};
  {
    const uint64_t dq[2] = {D, uint64_t(batch) * N * H}, sq[1] = {D};
    const uint32_t bq[2] = {D, N * H};
    args.tma_q = make_map(CU_TENSOR_MAP_DATA_TYPE_UINT8, d_q, 2, dq, sq, bq, D);
    const uint64_t dk[3] = {D, kPage, num_blocks}, sk[2] = {D, page_bytes};
    const uint32_t bk[3] = {D, kPage, 1};
    args.tma_kv = make_map(CU_TENSOR_MAP_DATA_TYPE_UINT8, d_cache, 3, dk, sk, bk, D);
    const uint64_t ds[2] = {kPage, num_blocks}, ss[1] = {page_bytes};
    const uint32_t bs[2] = {kPage, 1};
    args.tma_kv_scales = make_map(CU_TENSOR_MAP_DATA_TYPE_FLOAT32, d_cache + kPage * D, 2, ds, ss, bs, 0);
    const uint64_t dw[2] = {H, uint64_t(batch) * N}, sw[1] = {H * 4};
    const uint32_t bw[2] = {H, N};
    args.tma_weights = make_map(CU_TENSOR_MAP_DATA_TYPE_FLOAT32, d_w, 2, dw, sw, bw, 0);
  }
  args.context_lens = d_ctx; args.block_table = d_table; args.schedule = d_sched; args.logits = d_out;
  args.batch = batch; args.block_table_stride = table_stride; args.stride_logits = stride; args.num_kv_blocks = num_blocks;

  CUDA_CHECK(cudaFuncSetAttribute(paged_kernel<N, H, D>, cudaFuncAttributeMaxDynamicSharedMemorySize, K::kSmemBytes));
  const uint32_t meta_smem = std::max<uint32_t>(batch, 1) * 4;
  CUDA_CHECK(cudaFuncSetAttribute(metadata_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, meta_smem));
  metadata_kernel<<<1, kMetadataThreads, meta_smem>>>(d_ctx, batch, N, K::SPLIT_KV, g_num_sms, d_sched);
  CUDA_CHECK(cudaGetLastError());
  // The schedule must cover every (request, split) unit exactly once, in order.
  std::vector<uint32_t> sched((g_num_sms + 1) * 2);
  CUDA_CHECK(cudaMemcpy(sched.data(), d_sched, sched.size() * 4, cudaMemcpyDeviceToHost));
  uint64_t units = 0;
  for (uint32_t b = 0; b < batch; ++b) units += (pages[b] + kMathWGs - 1) / kMathWGs;
  bool sched_ok = sched[2 * g_num_sms] == batch && sched[2 * g_num_sms + 1] == 0 && sched[0] <= batch;
  for (int c = 0; c < g_num_sms && sched_ok; ++c)
    sched_ok = sched[2 * c] < sched[2 * c + 2] || (sched[2 * c] == sched[2 * c + 2] && sched[2 * c + 1] <= sched[2 * c + 3]);

  const auto launch = [&] { paged_kernel<N, H, D><<<g_num_sms, K::kNumThreads, K::kSmemBytes>>>(args); };
  launch();
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaDeviceSynchronize());
  if (max_pages > 0) {
    ref_paged_kernel<<<dim3(max_pages, batch * N), 256, utils::reference_mqa_smem_bytes(H, D)>>>(
        d_q, d_cache, d_w, d_ctx, d_table, d_ref, N, H, D, table_stride, stride);
    CUDA_CHECK(cudaGetLastError());
  }
  CUDA_CHECK(cudaDeviceSynchronize());

  std::string cmp;
  bool ok = compare(d_out, d_ref, uint64_t(batch) * N * stride, sched_ok ? "schedule=ok" : "schedule=BROKEN", cmp);
  ok = ok && sched_ok;
  double us = 0;
  if (bench) us = time_us([&] {
    metadata_kernel<<<1, kMetadataThreads, meta_smem>>>(d_ctx, batch, N, K::SPLIT_KV, g_num_sms, d_sched);
    launch();
  }, 10);
  char desc[192];
  std::snprintf(desc, sizeof(desc), "paged-mqa-logits next_n=%u H=%u D=%u batch=%u avg_kv=%u units=%llu", N, H, D, batch,
                avg_kv, (unsigned long long)units);
  // DeepGEMM's count: FLOPs over Σ context x next_n; bytes = Q + weights + the cache read + logits.
  const double bytes = double(q_count) + 4.0 * w_count + double(sum_ctx) * (D + 4) + 4.0 * double(sum_ctx) * N;
  report(ok, desc, cmp, us, 2.0 * double(sum_ctx) * N * H * D, bytes);
  for (void* p : {(void*)d_q, (void*)d_cache, (void*)d_w, (void*)d_ctx, (void*)d_table, (void*)d_sched, (void*)d_out, (void*)d_ref})
    CUDA_CHECK(cudaFree(p));
}

// ---- the lists --------------------------------------------------------------------------------------
template <uint32_t H, uint32_t D>
static void plain_case(uint32_t sq, uint32_t sk, Windows w, bool bench, uint64_t seed) { run_plain<H, D>(sq, sk, w, bench, seed); }

static void correctness() {
  uint64_t seed = 1;
  for (Windows w : {Windows::Causal, Windows::Ragged}) {
    for (auto [sq, sk] : {std::pair<uint32_t, uint32_t>{1, 1}, {3, 100}, {37, 509}, {128, 1024}, {255, 3000}, {513, 4097}}) {
      if (w == Windows::Causal && sq > sk) continue;
      plain_case<64, 128>(sq, sk, w, false, seed++);
      plain_case<32, 128>(sq, sk, w, false, seed++);
      plain_case<64, 64>(sq, sk, w, false, seed++);
      plain_case<32, 64>(sq, sk, w, false, seed++);
    }
  }
  plain_case<64, 128>(1024, 8192, Windows::ContextParallel, false, seed++);
  plain_case<32, 128>(512, 4096, Windows::ContextParallel, false, seed++);
  for (auto [batch, avg] : {std::pair<uint32_t, uint32_t>{1, 1}, {1, 64}, {3, 100}, {17, 700}, {64, 2000}, {300, 1500}}) {
    run_paged<1, 64, 128>(batch, avg, false, seed++);
    run_paged<2, 64, 128>(batch, avg, false, seed++);
    run_paged<1, 32, 128>(batch, avg, false, seed++);
    run_paged<2, 32, 128>(batch, avg, false, seed++);
    run_paged<1, 64, 64>(batch, avg, false, seed++);
    run_paged<2, 64, 128>(batch, avg, false, seed++, /*exact_pages=*/true);
  }
  run_paged<4, 32, 128>(17, 700, false, seed++);  // next_n x heads = 128 with 32 heads
  run_paged<4, 32, 128>(64, 2000, false, seed++);
}

// The ragged-window cases of correctness() alone (what a sanitizer run narrows down to).
static void ragged() {
  uint64_t seed = 1;
  for (auto [sq, sk] : {std::pair<uint32_t, uint32_t>{1, 1}, {3, 100}, {37, 509}, {128, 1024}, {255, 3000}, {513, 4097}}) {
    plain_case<64, 128>(sq, sk, Windows::Ragged, false, seed++);
    plain_case<32, 128>(sq, sk, Windows::Ragged, false, seed++);
    plain_case<64, 64>(sq, sk, Windows::Ragged, false, seed++);
    plain_case<32, 64>(sq, sk, Windows::Ragged, false, seed++);
  }
}

static void small() {
  plain_case<64, 128>(5, 300, Windows::Ragged, false, 11);
  plain_case<32, 64>(9, 200, Windows::Causal, false, 12);
  run_paged<1, 64, 128>(3, 150, false, 13);
  run_paged<2, 32, 128>(5, 200, false, 14);
}

// DeepGEMM's tests/test_attention.py shapes for sm90 (FP32 logits): plain seq_q in {2048, 8192}
// x seq_kv in {8192, 65536} x heads {32, 64} x dim 128 (its 32 and 64 too), causal and CP windows;
// paged batch {256, 4096} x next_n {1, 2} x heads {32, 64} x dim 128 x avg_kv {8192, 65536} with
// batch x avg_kv <= 32 Mi tokens.
static void bench() {
  uint64_t seed = 100;
  for (uint32_t sq : {2048u, 8192u})
    for (uint32_t sk : {8192u, 65536u})
      for (Windows w : {Windows::ContextParallel, Windows::Causal}) {
        if (w == Windows::ContextParallel && sk % sq != 0) continue;
        plain_case<32, 128>(sq, sk, w, true, seed++);
        plain_case<64, 128>(sq, sk, w, true, seed++);
      }
  for (uint32_t batch : {256u, 4096u})
    for (uint32_t avg : {8192u, 65536u}) {
      if (uint64_t(batch) * avg > (32ull << 20)) continue;
      run_paged<1, 32, 128>(batch, avg, true, seed++);
      run_paged<1, 64, 128>(batch, avg, true, seed++);
      run_paged<2, 32, 128>(batch, avg, true, seed++);
      run_paged<2, 64, 128>(batch, avg, true, seed++);
    }
}

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "correctness";
  int dev = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  cudaDeviceProp prop;
  CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
  if (prop.major != 9) { std::printf("mqa-check: needs a Hopper GPU (sm_90), found %s (sm_%d%d)\n", prop.name, prop.major, prop.minor); return 2; }
  g_num_sms = prop.multiProcessorCount;
  // The references keep a row's Q and 64 key rows in shared memory: up to 66 KB.
  CUDA_CHECK(cudaFuncSetAttribute(ref_plain_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, utils::reference_mqa_smem_bytes(64, 128)));
  CUDA_CHECK(cudaFuncSetAttribute(ref_paged_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, utils::reference_mqa_smem_bytes(64, 128)));
  std::printf("mqa-check %s on %s (%d SMs)\n", mode.c_str(), prop.name, g_num_sms);
  if (mode == "bench") CUDA_CHECK(cudaMalloc(&g_flush, kFlushBytes));
  if (mode == "correctness") correctness();
  else if (mode == "small") small();
  else if (mode == "ragged") ragged();
  else if (mode == "bench") bench();
  else { std::printf("usage: mqa_logits_check correctness|ragged|small|bench\n"); return 2; }
  std::printf("mqa-check: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
