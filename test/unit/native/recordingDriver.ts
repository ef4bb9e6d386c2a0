// A recording test double of libcuda.so.1, for exercising the addon's device paths on a machine
// without a GPU. It implements the driver entry points the addon resolves, keeps "device" memory
// in host memory (so upload/download/fill32 round-trip real bytes), and appends one JSON line per
// interesting call (launch configurations, tensor-map encodings, attribute changes) to
// $FP8LAB_TEST_DRIVER_LOG, so tests can assert what the addon asked the driver to do.
// $FP8LAB_TEST_DRIVER_MODE switches behaviour: 'busy' (the stream never drains), 'fault' (the
// stream reports CUDA_ERROR_ILLEGAL_ADDRESS). It measures nothing: event times are not simulated,
// so timing tests only check structure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const source = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef struct { unsigned x, y, z; } Dim3;
typedef struct { int id; char pad[4]; union { char raw[64]; Dim3 cluster; int pdl; } value; } Attr;
typedef struct {
  unsigned gx, gy, gz, bx, by, bz, smem; void* stream; Attr* attrs; unsigned nattrs;
} Config;

static const char* mode(void) { const char* m = getenv("FP8LAB_TEST_DRIVER_MODE"); return m ? m : ""; }
static void logline(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void logline(const char* fmt, ...) {
  const char* path = getenv("FP8LAB_TEST_DRIVER_LOG");
  if (!path) return;
  FILE* f = fopen(path, "a");
  if (!f) return;
  va_list ap; va_start(ap, fmt); vfprintf(f, fmt, ap); va_end(ap);
  fputc('\n', f); fclose(f);
}

CUresult cuInit(unsigned flags) { return 0; }
CUresult cuDriverGetVersion(int* v) { *v = 13000; return 0; }
static CUresult getErrorName(CUresult r, const char** s) {
  *s = r == 700 ? "CUDA_ERROR_ILLEGAL_ADDRESS" : r == 2 ? "CUDA_ERROR_OUT_OF_MEMORY" : r == 1 ? "CUDA_ERROR_INVALID_VALUE" : "CUDA_ERROR_UNKNOWN";
  return 0;
}
static CUresult getErrorString(CUresult r, const char** s) { return getErrorName(r, s); }
static CUresult deviceGetCount(int* n) { *n = 1; return 0; }
static CUresult deviceGet(int* d, int ordinal) { if (ordinal != 0) return 101; *d = 0; return 0; }
static CUresult deviceGetName(char* name, int len, int d) { snprintf(name, len, "Recording H100"); return 0; }
static CUresult deviceGetAttribute(int* v, int attr, int d) {
  switch (attr) {
    case 13: *v = 1980000; break;      /* clock */
    case 16: *v = 132; break;          /* SMs */
    case 36: *v = 2619000; break;      /* memory clock */
    case 37: *v = 5120; break;         /* bus width */
    case 38: *v = 52428800; break;     /* L2 */
    case 75: *v = 9; break;
    case 76: *v = 0; break;
    case 97: *v = 232448; break;       /* smem opt-in */
    default: *v = 0;
  }
  return 0;
}
static CUresult deviceTotalMem(size_t* b, int d) { *b = (size_t)80 << 30; return 0; }
static CUresult deviceGetPCIBusId(char* s, int len, int d) { snprintf(s, len, "0000:19:00.0"); return 0; }
static CUresult primaryCtxRetain(void** ctx, int d) { *ctx = (void*)0x1000; return 0; }
static CUresult primaryCtxRelease(int d) { return 0; }
static CUresult ctxSetCurrent(void* ctx) { return 0; }
static CUresult streamCreate(void** s, unsigned flags) { *s = (void*)0x2000; logline("{\"call\":\"cuStreamCreate\",\"flags\":%u}", flags); return 0; }
static CUresult streamDestroy(void* s) { return 0; }
static CUresult streamQuery(void* s) {
  if (!strcmp(mode(), "busy")) return 600;
  if (!strcmp(mode(), "fault")) return 700;
  return 0;
}
static CUresult streamSynchronize(void* s) { return !strcmp(mode(), "fault") ? 700 : 0; }
static CUresult memAlloc(CUdeviceptr* p, size_t bytes) {
  void* m = NULL;
  if (posix_memalign(&m, 256, bytes)) return 2;
  *p = (CUdeviceptr)m;
  return 0;
}
static CUresult memFree(CUdeviceptr p) { free((void*)p); return 0; }
static CUresult memcpyHtoD(CUdeviceptr dst, const void* src, size_t n, void* s) { memcpy((void*)dst, src, n); return 0; }
static CUresult memcpyDtoH(void* dst, CUdeviceptr src, size_t n, void* s) { memcpy(dst, (void*)src, n); return 0; }
static CUresult memsetD32(CUdeviceptr dst, unsigned v, size_t n, void* s) {
  for (size_t i = 0; i < n; ++i) ((unsigned*)dst)[i] = v;
  logline("{\"call\":\"cuMemsetD32Async\",\"words\":%zu}", n);
  return 0;
}
static CUresult moduleLoadData(void** m, const void* image) {
  if (memcmp(image, "\x7f" "ELF", 4) != 0) return 200;
  *m = (void*)0x3000; return 0;
}
static CUresult moduleUnload(void* m) { return 0; }
typedef struct { char name[128]; } Func;
static CUresult moduleGetFunction(void** f, void* m, const char* name) {
  if (!strcmp(name, "missing_kernel")) return 500;
  Func* fn = calloc(1, sizeof(Func)); snprintf(fn->name, sizeof fn->name, "%s", name); *f = fn; return 0;
}
static CUresult funcGetAttribute(int* v, int attr, void* f) {
  switch (attr) {
    case 0: *v = 384; break;   /* max threads per block */
    case 1: *v = 0; break;     /* static smem */
    case 2: *v = 0; break;
    case 3: *v = 0; break;
    case 4: *v = 168; break;   /* registers */
    case 5: *v = 90; break;
    case 6: *v = 90; break;
    default: *v = 0;
  }
  return 0;
}
static CUresult funcSetAttribute(void* f, int attr, int v) {
  logline("{\"call\":\"cuFuncSetAttribute\",\"kernel\":\"%s\",\"attr\":%d,\"value\":%d}", ((Func*)f)->name, attr, v);
  return 0;
}
static CUresult launchKernelEx(const Config* c, void* f, void** params, void** extra) {
  const char* name = ((Func*)f)->name;
  char attrs[512] = "";
  for (unsigned i = 0; i < c->nattrs; ++i) {
    char one[96];
    if (c->attrs[i].id == 4)
      snprintf(one, sizeof one, "%s{\"id\":4,\"cluster\":[%u,%u,%u]}", i ? "," : "", c->attrs[i].value.cluster.x, c->attrs[i].value.cluster.y, c->attrs[i].value.cluster.z);
    else
      snprintf(one, sizeof one, "%s{\"id\":%d,\"value\":%d}", i ? "," : "", c->attrs[i].id, c->attrs[i].value.pdl);
    strncat(attrs, one, sizeof attrs - strlen(attrs) - 1);
  }
  char args[512] = "";
  if (!strncmp(name, "gemm", 4)) {
    const unsigned char* a = (const unsigned char*)params[0];
    const uint64_t* maps = (const uint64_t*)a;  /* each map's first word: its inner dimension (see encode) */
    snprintf(args, sizeof args, "\"gemm\":{\"mapInner\":[%llu,%llu,%llu,%llu,%llu],\"sfb\":%llu,\"layout\":%llu,\"m\":%u,\"n\":%u,\"k\":%u,\"groups\":%u,\"sfaStride\":%u,\"trace\":%llu,\"traceCapacity\":%u}",
             (unsigned long long)maps[0], (unsigned long long)maps[16], (unsigned long long)maps[32], (unsigned long long)maps[48], (unsigned long long)maps[64],
             (unsigned long long)*(const uint64_t*)(a + 640), (unsigned long long)*(const uint64_t*)(a + 648),
             *(const unsigned*)(a + 664), *(const unsigned*)(a + 668), *(const unsigned*)(a + 672), *(const unsigned*)(a + 676), *(const unsigned*)(a + 680),
             (unsigned long long)*(const uint64_t*)(a + 696), *(const unsigned*)(a + 704));
  } else {
    /* Utility test kernels are named argsN: N 8-byte argument slots. */
    int n = !strncmp(name, "args", 4) ? atoi(name + 4) : 0;
    strcat(args, "\"args\":[");
    for (int i = 0; i < n; ++i) {
      char one[32]; snprintf(one, sizeof one, "%s%llu", i ? "," : "", (unsigned long long)*(const uint64_t*)params[i]);
      strncat(args, one, sizeof args - strlen(args) - 1);
    }
    strcat(args, "]");
  }
  logline("{\"call\":\"cuLaunchKernelEx\",\"kernel\":\"%s\",\"grid\":[%u,%u,%u],\"block\":[%u,%u,%u],\"smem\":%u,\"attrs\":[%s],%s}",
          name, c->gx, c->gy, c->gz, c->bx, c->by, c->bz, c->smem, attrs, args);
  return 0;
}
static CUresult eventCreate(void** e, unsigned flags) { *e = malloc(1); return 0; }
static CUresult eventDestroy(void* e) { free(e); return 0; }
static CUresult eventRecord(void* e, void* s) { return 0; }
static CUresult eventSynchronize(void* e) { return 0; }
static CUresult eventElapsedTime(float* ms, void* a, void* b) { *ms = 1.0f; return 0; }
static int capturing = 0;
static CUresult beginCapture(void* s, int mode) { capturing = 1; logline("{\"call\":\"cuStreamBeginCapture\",\"mode\":%d}", mode); return 0; }
static CUresult endCapture(void* s, void** g) { capturing = 0; *g = malloc(1); logline("{\"call\":\"cuStreamEndCapture\"}"); return 0; }
static CUresult graphInstantiate(void** e, void* g, unsigned long long flags) { *e = malloc(1); return 0; }
static CUresult graphLaunch(void* e, void* s) { logline("{\"call\":\"cuGraphLaunch\"}"); return 0; }
static CUresult graphExecDestroy(void* e) { free(e); return 0; }
static CUresult graphDestroy(void* g) { free(g); return 0; }
static CUresult tensorMapEncodeTiled(void* map, int dtype, unsigned rank, void* addr, const uint64_t* dims, const uint64_t* strides,
                                     const unsigned* box, const unsigned* estrides, int interleave, int swizzle, int l2, int oob) {
  if (rank < 1 || rank > 5) return 1;
  memset(map, 0, 128);
  ((uint64_t*)map)[0] = dims[0];
  char d[128] = "", st[128] = "", b[96] = "", e[96] = "";
  for (unsigned i = 0; i < rank; ++i) {
    char one[32];
    snprintf(one, sizeof one, "%s%llu", i ? "," : "", (unsigned long long)dims[i]); strcat(d, one);
    snprintf(one, sizeof one, "%s%u", i ? "," : "", box[i]); strcat(b, one);
    snprintf(one, sizeof one, "%s%u", i ? "," : "", estrides[i]); strcat(e, one);
    if (i + 1 < rank) { snprintf(one, sizeof one, "%s%llu", i ? "," : "", (unsigned long long)strides[i]); strcat(st, one); }
  }
  logline("{\"call\":\"cuTensorMapEncodeTiled\",\"dtype\":%d,\"rank\":%u,\"addr\":%llu,\"dims\":[%s],\"strides\":[%s],\"box\":[%s],\"elementStrides\":[%s],\"interleave\":%d,\"swizzle\":%d,\"l2\":%d,\"oob\":%d}",
          dtype, rank, (unsigned long long)(uintptr_t)addr, d, st, b, e, interleave, swizzle, l2, oob);
  return 0;
}
static CUresult memcpyDtoD(CUdeviceptr dst, CUdeviceptr src, size_t n, void* s) {
  memcpy((void*)dst, (const void*)src, n);
  logline("{\"call\":\"cuMemcpyDtoDAsync\",\"dst\":%llu,\"src\":%llu,\"bytes\":%zu}", dst, src, n);
  return 0;
}

struct Entry { const char* name; void* fn; };
static const struct Entry table[] = {
  {"cuGetErrorName", (void*)getErrorName}, {"cuGetErrorString", (void*)getErrorString},
  {"cuDeviceGetCount", (void*)deviceGetCount}, {"cuDeviceGet", (void*)deviceGet}, {"cuDeviceGetName", (void*)deviceGetName},
  {"cuDeviceGetAttribute", (void*)deviceGetAttribute}, {"cuDeviceTotalMem", (void*)deviceTotalMem},
  {"cuDeviceGetPCIBusId", (void*)deviceGetPCIBusId}, {"cuDevicePrimaryCtxRetain", (void*)primaryCtxRetain},
  {"cuDevicePrimaryCtxRelease", (void*)primaryCtxRelease}, {"cuCtxSetCurrent", (void*)ctxSetCurrent},
  {"cuStreamCreate", (void*)streamCreate}, {"cuStreamDestroy", (void*)streamDestroy}, {"cuStreamQuery", (void*)streamQuery},
  {"cuStreamSynchronize", (void*)streamSynchronize}, {"cuMemAlloc", (void*)memAlloc}, {"cuMemFree", (void*)memFree},
  {"cuMemcpyHtoDAsync", (void*)memcpyHtoD}, {"cuMemcpyDtoDAsync", (void*)memcpyDtoD}, {"cuMemcpyDtoHAsync", (void*)memcpyDtoH}, {"cuMemsetD32Async", (void*)memsetD32},
  {"cuModuleLoadData", (void*)moduleLoadData}, {"cuModuleUnload", (void*)moduleUnload},
  {"cuModuleGetFunction", (void*)moduleGetFunction}, {"cuFuncGetAttribute", (void*)funcGetAttribute},
  {"cuFuncSetAttribute", (void*)funcSetAttribute}, {"cuLaunchKernelEx", (void*)launchKernelEx},
  {"cuEventCreate", (void*)eventCreate}, {"cuEventDestroy", (void*)eventDestroy}, {"cuEventRecord", (void*)eventRecord},
  {"cuEventSynchronize", (void*)eventSynchronize}, {"cuEventElapsedTime", (void*)eventElapsedTime},
  {"cuStreamBeginCapture", (void*)beginCapture}, {"cuStreamEndCapture", (void*)endCapture},
  {"cuGraphInstantiateWithFlags", (void*)graphInstantiate}, {"cuGraphLaunch", (void*)graphLaunch},
  {"cuGraphExecDestroy", (void*)graphExecDestroy}, {"cuGraphDestroy", (void*)graphDestroy},
  {"cuTensorMapEncodeTiled", (void*)tensorMapEncodeTiled},
};
CUresult cuGetProcAddress_v2(const char* name, void** fn, int version, uint64_t flags, int* status) {
  logline("{\"call\":\"cuGetProcAddress\",\"symbol\":\"%s\",\"version\":%d}", name, version);
  for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i)
    if (!strcmp(table[i].name, name)) { *fn = table[i].fn; if (status) *status = 0; return 0; }
  *fn = NULL; if (status) *status = 1; return 500;
}
`;

/** Compiles the double into dir/libcuda.so.1 and returns that folder. */
export function buildRecordingDriver(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'recording_libcuda.c');
  fs.writeFileSync(src, source);
  execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', path.join(dir, 'libcuda.so.1'), src], { stdio: 'pipe' });
  return dir;
}

export interface DriverCall {
  call: string;
  [key: string]: unknown;
}

export function readDriverLog(file: string): DriverCall[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DriverCall);
}
