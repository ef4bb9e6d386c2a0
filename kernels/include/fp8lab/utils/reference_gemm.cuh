// FP32 reference GEMM on the DEQUANTISED FP8 inputs: ref[m][n] = Σ_k (A[m,k]·sfa[k/128][m]) ·
// (B[n,k]·sfb[n/128][k/128]), accumulated in FP32. It reads exactly the bytes and scales the GEMM
// under test reads, so the comparison measures the kernel, not the quantisation.
//
// Shared-memory tiled SIMT: a 256-thread CTA owns a 128x128 tile of ref and walks K in steps of
// 32; each thread accumulates an 8x8 register block (rows ty + 16i, columns tx + 16j) so that the
// B operand reads are consecutive in shared memory and the A operand reads are broadcasts.
// Valid for any M, N and K % 128 == 0 (the A/B rows are read 16 bytes at a time).
#pragma once
#include "convert.cuh"

namespace fp8lab::utils {

constexpr uint32_t kRefTile = 128;  // rows and columns of ref per CTA
constexpr uint32_t kRefStepK = 32;  // K per shared-memory stage
constexpr uint32_t kRefThreads = 256;

// Dequantises a 16-byte run of fp8 values (one operand row, 16 consecutive k) into column `col`
// of a [kRefStepK][kRefTile + 1] shared tile (k-major, so the math loop reads rows of it).
__device__ __forceinline__ void dequant_16(const uint4& bytes, float scale, float (*tile)[kRefTile + 1],
                                           uint32_t k_offset, uint32_t col) {
  const uint32_t words[4] = {bytes.x, bytes.y, bytes.z, bytes.w};
#pragma unroll
  for (int w = 0; w < 4; ++w) {
    float v0, v1, v2, v3;
    cvt_f32x2_e4m3x2(static_cast<uint16_t>(words[w] & 0xffffu), v0, v1);
    cvt_f32x2_e4m3x2(static_cast<uint16_t>(words[w] >> 16), v2, v3);
    tile[k_offset + 4 * w + 0][col] = v0 * scale;
    tile[k_offset + 4 * w + 1][col] = v1 * scale;
    tile[k_offset + 4 * w + 2][col] = v2 * scale;
    tile[k_offset + 4 * w + 3][col] = v3 * scale;
  }
}

// The tiled FP32 SIMT GEMM loop shared by every reference (dense FP8, strided/grouped FP8, FP32):
// it owns the shared tiles, the 8x8 register block and the K walk; the operands come from `loader`
// and the results go to `store`. Loader provides
//   fetch(k0)                 — global reads for the step at k0, issued before the barrier so they
//                               overlap the previous step's math (may do nothing);
//   stage(k0, a_tile, b_tile) — writes the step's [kStepK][kRefTile + 1] tiles (k-major).
// store(row, col, value) is called once per in-bounds element of ref. Grid (ceil(n/128),
// ceil(m/128)), 256 threads.
template <uint32_t kStepK, typename Loader, typename Store>
__device__ __forceinline__ void tiled_reference_gemm(Loader& loader, Store store, uint32_t m, uint32_t n, uint32_t k) {
  __shared__ float a_tile[kStepK][kRefTile + 1];  // +1: the transposing stores avoid bank conflicts
  __shared__ float b_tile[kStepK][kRefTile + 1];
  const uint32_t m0 = blockIdx.y * kRefTile, n0 = blockIdx.x * kRefTile;
  const uint32_t tx = threadIdx.x % 16, ty = threadIdx.x / 16;

  float acc[8][8];
#pragma unroll
  for (int i = 0; i < 8; ++i)
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[i][j] = 0.0f;

  for (uint32_t k0 = 0; k0 < k; k0 += kStepK) {
    loader.fetch(k0);
    __syncthreads();  // the previous step's math is done with the tiles
    loader.stage(k0, a_tile, b_tile);
    __syncthreads();
#pragma unroll 4
    for (uint32_t kk = 0; kk < kStepK; ++kk) {
      float av[8], bv[8];
#pragma unroll
      for (int i = 0; i < 8; ++i) av[i] = a_tile[kk][ty + 16 * i];
#pragma unroll
      for (int j = 0; j < 8; ++j) bv[j] = b_tile[kk][tx + 16 * j];
#pragma unroll
      for (int i = 0; i < 8; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
    }
  }
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    const uint32_t row = m0 + ty + 16 * i;
    if (row >= m) continue;
#pragma unroll
    for (int j = 0; j < 8; ++j) {
      const uint32_t col = n0 + tx + 16 * j;
      if (col < n) store(row, col, acc[i][j]);
    }
  }
}

// FP8 operands with per-block scales, for tiled_reference_gemm<kRefStepK>.
// a: e4m3, row stride lda; sfa: fp32 MN-major, sfa[(kb0 + kb) * sfa_stride + row].
// b: e4m3, row stride ldb; sfb: sfb_per_row = 0: per 128x128 block, sfb[(row / 128) * sfb_stride + kb0 + kb];
//                          sfb_per_row = 1: per 1x128 (1D1D), MN-major, sfb[(kb0 + kb) * sfb_stride + row].
// Loader role: thread t reads 16 bytes of operand row t/2 at k offset (t%2)*16.
struct Fp8BlockScaledLoader {
  const uint8_t* a; uint64_t lda; const float* sfa; uint32_t sfa_stride;
  const uint8_t* b; uint64_t ldb; const float* sfb; uint32_t sfb_stride; uint32_t sfb_per_row;
  uint32_t kb0, m, n;
  uint32_t load_row = threadIdx.x / 2, load_k = (threadIdx.x % 2) * 16;
  uint32_t a_row = blockIdx.y * kRefTile + load_row, b_row = blockIdx.x * kRefTile + load_row;
  uint4 a_bytes, b_bytes;
  float a_scale, b_scale;

  __device__ __forceinline__ void fetch(uint32_t k0) {
    const uint32_t kb = kb0 + k0 / 128;
    a_bytes = make_uint4(0, 0, 0, 0); b_bytes = make_uint4(0, 0, 0, 0);
    a_scale = 0.0f; b_scale = 0.0f;
    if (a_row < m) {
      a_bytes = *reinterpret_cast<const uint4*>(a + static_cast<uint64_t>(a_row) * lda + k0 + load_k);
      a_scale = sfa[static_cast<uint64_t>(kb) * sfa_stride + a_row];
    }
    if (b_row < n) {
      b_bytes = *reinterpret_cast<const uint4*>(b + static_cast<uint64_t>(b_row) * ldb + k0 + load_k);
      b_scale = sfb_per_row ? sfb[static_cast<uint64_t>(kb) * sfb_stride + b_row]
                            : sfb[static_cast<uint64_t>(b_row / 128) * sfb_stride + kb];
    }
  }
  __device__ __forceinline__ void stage(uint32_t, float (*a_tile)[kRefTile + 1], float (*b_tile)[kRefTile + 1]) {
    dequant_16(a_bytes, a_scale, a_tile, load_k, load_row);
    dequant_16(b_bytes, b_scale, b_tile, load_k, load_row);
  }
};

// a e4m3 [m, k], sfa fp32 [k/128][sfa_stride], b e4m3 [n, k], sfb fp32 [ceil(n/128)][k/128],
// ref fp32 [m, n]. Grid (ceil(n/128), ceil(m/128)), 256 threads.
__device__ __forceinline__ void reference_gemm(const uint8_t* a, const float* sfa, const uint8_t* b, const float* sfb,
                                               float* ref, uint32_t m, uint32_t n, uint32_t k, uint32_t sfa_stride) {
  Fp8BlockScaledLoader loader{a, k, sfa, sfa_stride, b, k, sfb, k / 128, /*sfb_per_row=*/0, /*kb0=*/0, m, n};
  tiled_reference_gemm<kRefStepK>(loader, [=](uint32_t row, uint32_t col, float v) {
    ref[static_cast<uint64_t>(row) * n + col] = v;
  }, m, n, k);
}

}  // namespace fp8lab::utils
