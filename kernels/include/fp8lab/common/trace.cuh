// Device-side pipeline recorder for the instrumented build. Compiled in only when the JIT defines
// FP8LAB_TRACE=1; otherwise TraceWriter is an empty struct whose inline calls compile to nothing,
// so the normal build carries no cost (no registers, no loads, no code).
//
// Binary layout (slices, header, 16-byte records): written down once, in
// extension/protocol/trace.ts; extension/src/core/trace/format.ts decodes it. In short: one slice
// per (CTA, role), slice = 32-byte header + capacity records; one thread per role writes its own
// slice, so no atomics; the count keeps growing past capacity and the records beyond it are
// dropped (never written), so a slice can never overrun.
//
// Cost (format version 2): %globaltimer is a slow special register, and the math warpgroups'
// writer sits on their critical path (the next wgmma.fence / *.sync.aligned waits for it). So it is
// read only at anchors: the slice start (header) and every TileBegin / TileEnd. Every other event
// records just the low 32 bits of clock64 (a cheap SM-local counter) and leaves the record's gtime
// word 0; the decoder places it by clock between the anchors of its slice. The record goes out as
// one streaming (evict-first, st.global.cs) 16-byte store so it does not displace operand tiles in L2.
//
// The writer resets its slice on every launch (header rewritten in the constructor, count
// published by finish(), records overwritten in order), so a buffer zero-filled once can be
// replayed back to back: after the last launch it holds exactly that launch's records.
//
// Use (one writer thread per role; other threads may construct one too, they record nothing):
//   TraceWriter tr(args, kTraceRoleProducer, is_writer_thread);   // at the role's start
//   tr.event(TraceEvent::TmaIssue, stage, kb, m_block, n_block);   // at each point
//   tr.finish();                                                   // once, at the role's end
#pragma once
#include "fp8lab/common/trace_format.h"
#include "fp8lab/gemm_args.h"

#ifndef FP8LAB_TRACE
#define FP8LAB_TRACE 0
#endif

namespace fp8lab {

// Values of the record's kind byte (same numbers as TraceEventKind in extension/protocol/trace.ts).
enum class TraceEvent : uint32_t {
  TileBegin = 1,
  TileEnd = 2,
  EmptyWaitBegin = 3,
  EmptyWaitEnd = 4,
  TmaIssue = 5,
  FullWaitBegin = 6,
  FullWaitEnd = 7,
  WgmmaIssue = 8,
  WgmmaDone = 9,
  StageRelease = 10,
  PromoteBegin = 11,
  PromoteEnd = 12,
  EpilogueBegin = 13,
  TmaStore = 14,
  EpilogueEnd = 15,
};

// Format constants and trace_buffer_bytes(): common/trace_format.h (shared with the host).

#if FP8LAB_TRACE && defined(__CUDA_ARCH__)

// %globaltimer: ns, the same clock on every SM (coarse: updates every ~32 ns to 1 us by GPU).
__device__ __forceinline__ uint64_t trace_globaltimer() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

// %smid: the SM running this CTA (PTX ISA 10.13 special registers).
__device__ __forceinline__ uint32_t trace_smid() {
  uint32_t s;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(s));
  return s;
}

struct TraceWriter {
  uint8_t* slice;     // nullptr: this thread records nothing
  uint32_t count;
  uint32_t capacity;

  __device__ __forceinline__ TraceWriter(const GemmArgs& args, uint32_t role, bool writer) : slice(nullptr), count(0), capacity(0) {
    if (!writer || args.trace == nullptr) return;
    capacity = args.trace_capacity;
    const uint64_t slice_bytes = kTraceHeaderBytes + static_cast<uint64_t>(capacity) * kTraceRecordBytes;
    slice = static_cast<uint8_t*>(args.trace) + (static_cast<uint64_t>(blockIdx.x) * kTraceRolesPerCta + role) * slice_bytes;
    const uint64_t g0 = trace_globaltimer();
    const uint64_t c0 = clock64();
    uint32_t* h = reinterpret_cast<uint32_t*>(slice);
    h[0] = kTraceMagic;
    h[1] = 0;
    h[2] = capacity;
    h[3] = (trace_smid() & 0xffffu) | ((role & 0xffu) << 16) | (kTraceVersion << 24);
    reinterpret_cast<uint64_t*>(slice)[2] = g0;
    reinterpret_cast<uint64_t*>(slice)[3] = c0;
  }

  // One 16-byte streaming store per event; events past the capacity are counted, not written.
  // `kind` is a constant at every call site, so the anchor test folds away at compile time.
  __device__ __forceinline__ void event(TraceEvent kind, uint32_t stage = kTraceNoStage, uint32_t kblock = kTraceNoKBlock,
                                        uint32_t tile_m = 0, uint32_t tile_n = 0) {
    if (slice == nullptr) return;
    if (count < capacity) {
      const uint32_t clk = static_cast<uint32_t>(clock64());
      const bool anchor = kind == TraceEvent::TileBegin || kind == TraceEvent::TileEnd;
      const uint32_t gt = anchor ? static_cast<uint32_t>(trace_globaltimer()) : 0u;
      const uint32_t what = (static_cast<uint32_t>(kind) & 0xffu) | ((stage & 0xffu) << 8) | ((kblock & 0xffffu) << 16);
      const uint32_t where = (tile_m & 0xffffu) | ((tile_n & 0xffffu) << 16);
      // __stcs: st.global.cs (streaming, evict-first) of the whole 16-byte record.
      __stcs(reinterpret_cast<uint4*>(slice + kTraceHeaderBytes) + count, make_uint4(clk, gt, what, where));
    }
    ++count;
  }

  // Publishes the count (events attempted); the decoder reads min(count, capacity) records.
  __device__ __forceinline__ void finish() {
    if (slice == nullptr) return;
    reinterpret_cast<volatile uint32_t*>(slice)[1] = count;
  }
};

#else

// Normal build: nothing is recorded and nothing is compiled.
struct TraceWriter {
  __host__ __device__ __forceinline__ TraceWriter(const GemmArgs&, uint32_t, bool) {}
  __host__ __device__ __forceinline__ void event(TraceEvent, uint32_t = 0, uint32_t = 0, uint32_t = 0, uint32_t = 0) {}
  __host__ __device__ __forceinline__ void finish() {}
};

#endif

}  // namespace fp8lab
