// Warpgroup MMA: the shared-memory matrix descriptor, fence / commit / wait, and (generated) the
// FP8 mma_async shapes. PTX ISA 9.1 chapter 9.7.15.
#pragma once
#include "fp8lab/ptx/types.cuh"
#include "fp8lab/ptx/wgmma_fp8.cuh"

namespace fp8lab::ptx {

// Shared-memory matrix descriptor (§9.7.15.5.1.2), 64 bits, least-significant bit first.
// Addresses and offsets are in units of 16 bytes ("matrix-descriptor-encode(x) = (x & 0x3FFFF) >> 4").
union WgmmaDescriptor {
  uint64_t raw;
  struct {
    uint64_t start_address : 14;   // bits  0-13: tile start address >> 4
    uint64_t : 2;                  // bits 14-15: reserved
    uint64_t leading_byte_offset : 14;  // bits 16-29: LBO >> 4 (unused for swizzled K-major; 1 by convention)
    uint64_t : 2;                  // bits 30-31: reserved
    uint64_t stride_byte_offset : 14;   // bits 32-45: SBO >> 4, distance between 8-row core-matrix groups
    uint64_t : 3;                  // bits 46-48: reserved
    uint64_t base_offset : 3;      // bits 49-51: pattern start offset; 0 when tiles are 1024-aligned
    uint64_t : 10;                 // bits 52-61: reserved
    uint64_t layout_type : 2;      // bits 62-63: 0 none, 1 128B swizzle, 2 64B swizzle, 3 32B swizzle
  } bits;
};
static_assert(sizeof(WgmmaDescriptor) == 8, "the wgmma descriptor is 64 bits");

enum : uint32_t { kWgmmaLayoutSwizzle128B = 1 };

// Descriptor of a K-major operand tile stored as rows of 128 bytes with the 128-byte swizzle
// (what TMA writes with CU_TENSOR_MAP_SWIZZLE_128B and a 128-byte inner box). Rows are 128 B
// apart, 8-row groups 1024 B apart (SBO). Advancing `tile` by 32 bytes selects the next k32 slice:
// the hardware applies the XOR swizzle to the final address bits, so the tile base must be
// 1024-byte aligned (base_offset 0).
__device__ __forceinline__ uint64_t make_wgmma_desc_kmajor_sw128(const void* tile) {
  WgmmaDescriptor desc;
  desc.raw = 0;
  desc.bits.start_address = smem_u32(tile) >> 4;
  desc.bits.leading_byte_offset = 1;
  desc.bits.stride_byte_offset = 1024 >> 4;
  desc.bits.base_offset = 0;
  desc.bits.layout_type = kWgmmaLayoutSwizzle128B;
  return desc.raw;
}

// The same descriptor from its two 32-bit halves. In a loop over stages and k32 slices only the low
// half (start address >> 4, and LBO) changes, and adding a byte offset >> 4 to it is exact: shared
// memory is under 256 KB, so the 14-bit start field never carries into LBO. Kernels keep the
// constant high half (SBO, base offset, layout) in one register and build each descriptor with
// one add instead of re-encoding the address (fewer instructions between wgmmas).
__device__ __forceinline__ uint64_t wgmma_desc_from_halves(uint32_t lo, uint32_t hi) {
  uint64_t desc;
  asm("mov.b64 %0, {%1, %2};" : "=l"(desc) : "r"(lo), "r"(hi));
  return desc;
}

// The descriptors of a K-major A and B tile (128-byte swizzle) as the kernels keep them: the two low
// halves, which stages, waves and k-slices move, and the high half they share.
struct WgmmaDescOrigins {
  uint32_t a_lo, b_lo, hi;
};
__device__ __forceinline__ WgmmaDescOrigins wgmma_desc_origins_kmajor_sw128(const void* a_tile, const void* b_tile) {
  const uint64_t a = make_wgmma_desc_kmajor_sw128(a_tile);
  const uint64_t b = make_wgmma_desc_kmajor_sw128(b_tile);
  return {static_cast<uint32_t>(a), static_cast<uint32_t>(b), static_cast<uint32_t>(a >> 32)};
}

// wgmma.fence.sync.aligned: order earlier register/shared accesses before the next mma_async (§9.7.15.7.1).
__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;" ::: "memory"); }

// wgmma.commit_group.sync.aligned: close the warpgroup's open group of mma_async (§9.7.15.7.2).
__device__ __forceinline__ void wgmma_commit_group() { asm volatile("wgmma.commit_group.sync.aligned;" ::: "memory"); }

// wgmma.wait_group.sync.aligned N: wait until at most N groups are pending (§9.7.15.7.3).
template <int N>
__device__ __forceinline__ void wgmma_wait_group() {
  asm volatile("wgmma.wait_group.sync.aligned %0;" ::"n"(N) : "memory");
}

// Compiler-only fence on an accumulator register: keeps the compiler from moving reads/writes of
// `r` across the asynchronous wgmma boundary (fence/commit/wait carry no register dependencies).
__device__ __forceinline__ void wgmma_fence_operand(float& r) { asm volatile("" : "+f"(r)::"memory"); }

// The same for every register of an accumulator fragment.
template <uint32_t N>
__device__ __forceinline__ void wgmma_fence_operands(float (&r)[N]) {
#pragma unroll
  for (uint32_t i = 0; i < N; ++i) wgmma_fence_operand(r[i]);
}

// Descriptor of a K-major operand tile whose rows are `kRowBytes` (= the swizzle width: 128, 64 or
// 32 bytes) with the matching TMA swizzle: 8-row groups are 8 x kRowBytes apart (SBO). For 128 bytes
// this equals make_wgmma_desc_kmajor_sw128. The tile must start on an 8 x kRowBytes boundary
// (base_offset 0); advancing the address by 32 bytes within a row selects the next k32 slice.
template <uint32_t kRowBytes>
__device__ __forceinline__ uint64_t make_wgmma_desc_kmajor_swizzled(const void* tile) {
  static_assert(kRowBytes == 128 || kRowBytes == 64 || kRowBytes == 32, "swizzled K-major rows are 32, 64 or 128 bytes");
  WgmmaDescriptor d;
  d.raw = 0;
  d.bits.start_address = smem_u32(tile) >> 4;
  d.bits.leading_byte_offset = 1;
  d.bits.stride_byte_offset = (8 * kRowBytes) >> 4;
  d.bits.base_offset = 0;
  d.bits.layout_type = kRowBytes == 128 ? 1 : kRowBytes == 64 ? 2 : 3;  // 128B, 64B, 32B swizzle
  return d.raw;
}

}  // namespace fp8lab::ptx
