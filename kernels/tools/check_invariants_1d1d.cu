// Host-side (CPU-only) checks of the FP32-output 1D1D kernel's index arithmetic, using the kernel's
// own host-callable pieces (KGroupedScheduler::tile_at, Sm90Fp8Gemm1D1D::d_offset and layout
// constants) against independent statements of the rules (prefix sums of K_g, the wgmma accumulator
// fragment, the TMA swizzle). Needs nvcc, no GPU:
//   nvcc -std=c++17 -O1 -I kernels/include -o /tmp/ci1d1d kernels/tools/check_invariants_1d1d.cu && /tmp/ci1d1d
// Prints one line per group of checks and exits non-zero on the first failure.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "fp8lab/impls/sm90_fp8_gemm_1d1d.cuh"
#include "check_harness.h"
#include "k_grouped_schedule_check.h"

using namespace fp8lab;

// ---- scheduler: every (group, m_block, n_block) of a non-empty group exactly once ---------------
template <uint32_t BM, uint32_t BN, uint32_t CM = 1, uint32_t CN = 1, bool kTailSplit = false>
static void check_schedule_all() {
  // K-grouped group lists: DeepGEMM-like sizes, empty groups first / inside / last, all empty, one group.
  const std::vector<std::vector<int32_t>> lists = {
      {8192, 6272, 10624, 7168}, {0, 2048, 0, 1536, 2560, 0}, {0, 0, 0}, {128}, {4096, 0},
      {2560, 1536, 2048, 1792, 2304, 2048, 1664, 2432, 2048, 1408, 2688, 2048, 1920, 2176, 2048, 0}};
  check_k_grouped_schedule_all<KGroupedScheduler<GemmType::KGrouped, BM, BN, 132, 128, CM, CN, kTailSplit>,
                               KGroupedScheduler<GemmType::Normal, BM, BN, 132, 128, CM, CN, kTailSplit>, BM, BN, 128>(lists);
}

// ---- epilogue: fragment -> float2 stores -> TMA reduce box is the identity; bank conflicts ---------
template <uint32_t BM, uint32_t BN, uint32_t SD>
static void check_epilogue() {
  constexpr uint32_t WG = BM == 64 ? 1 : 2;
  using K = Sm90Fp8Gemm1D1D<BM, BN, 128, 3, WG, 1, 1, 128, 128, SD, 132, GemmType::KGrouped>;
  constexpr uint32_t kWords = BM * BN;  // fp32 elements
  std::vector<int> owner_row(kWords, -1), owner_col(kWords, -1);
  uint32_t worst_wavefronts = 0;
  for (uint32_t wave = 0; wave < K::kNumWaves; ++wave)
    for (uint32_t wg = 0; wg < WG; ++wg)
      for (uint32_t warp = 0; warp < 4; ++warp)
        for (uint32_t i = 0; i < K::kNumChunks; ++i)
          for (uint32_t half_row = 0; half_row < 2; ++half_row) {  // the kernel's two float2 stores per chunk
            uint32_t addr[32];
            for (uint32_t lane = 0; lane < 32; ++lane) {
              // The kernel's formula: row0 = wave*WAVE + wg*64 + warp*16 + lane/4 (+8), column 8i + 2(lane%4).
              const uint32_t row = wave * K::WAVE_BLOCK_M + wg * 64 + warp * 16 + lane / 4 + half_row * 8;
              const uint32_t chunk = K::store_chunk(i, lane);  // the kernel's store order
              const uint32_t col = chunk * 8 + 2 * (lane % 4);
              addr[lane] = K::d_offset(row, col);
              CHECK(addr[lane] % 8 == 0, "float2 store not 8-byte aligned");
              CHECK(K::d_offset(row, col + 1) == addr[lane] + 4, "the two columns of a float2 are not adjacent");
              for (uint32_t e = 0; e < 2; ++e) {
                // wgmma fragment: reg 4i + 2*half_row + e of lane l in warp w holds
                // row 16w + l/4 + 8*half_row, column 8i + 2(l%4) + e.
                const uint32_t reg = chunk * 4 + half_row * 2 + e;
                const uint32_t frag_row = wave * K::WAVE_BLOCK_M + wg * 64 + warp * 16 + wgmma_fragment_row(lane, reg);
                const uint32_t frag_col = wgmma_fragment_col(lane, reg);
                const uint32_t word = addr[lane] / 4 + e;
                CHECK(word < kWords, "write outside the staging tile");
                CHECK(owner_row[word] == -1, "two elements stored at word %u", word);
                owner_row[word] = static_cast<int>(frag_row);
                owner_col[word] = static_cast<int>(frag_col);
              }
            }
            worst_wavefronts = std::max(worst_wavefronts, float2_store_wavefronts(addr));  // 64-bit stores, per half-warp
          }
  // The reduce of slab s reads box element (r, c) from slab_base + swizzle(r * row_bytes + 4c) and adds
  // it to D[g][m0 + r][n0 + s * TMA_D_BLOCK_N + c]: it must be fragment element (r, that column).
  constexpr uint32_t kSlabCols = K::TMA_D_BLOCK_N;
  for (uint32_t s = 0; s < K::kNumDStores; ++s)
    for (uint32_t r = 0; r < BM; ++r)
      for (uint32_t c = 0; c < kSlabCols; ++c) {
        const uint32_t byte = s * BM * kSlabCols * 4 + tma_swizzled_offset(r * kSlabCols * 4 + c * 4, SD);
        CHECK(owner_row[byte / 4] == static_cast<int>(r) && owner_col[byte / 4] == static_cast<int>(s * kSlabCols + c),
              "TMA reads (%u,%u) from byte %u holding fragment (%d,%d)", r, s * kSlabCols + c, byte, owner_row[byte / 4],
              owner_col[byte / 4]);
        CHECK((s * BM * kSlabCols * 4) % (SD == 0 ? 16 : SD * 8) == 0, "slab base not aligned to its swizzle pattern");
      }
  std::printf("epilogue %ux%u swizzleD %3u: fragment -> float2 stores -> TMA reduce box is the identity on all %u elements; "
              "worst %u wavefront(s) per half-warp store\n", BM, BN, SD, kWords, worst_wavefronts);
  if (SD == 128) CHECK(worst_wavefronts == 1, "the 128-byte swizzle must make the fp32 staging stores conflict-free");
}

// ---- shared-memory layout alignment and expect_tx -------------------------------------------------
template <uint32_t BM, uint32_t BN, uint32_t ST>
static void check_layout() {
  constexpr uint32_t WG = BM == 64 ? 1 : 2;
  using K = Sm90Fp8Gemm1D1D<BM, BN, 128, ST, WG, 1, 1, 128, 128, BN % 32 == 0 ? 128 : BN % 16 == 0 ? 64 : 32, 132, GemmType::KGrouped>;
  for (uint32_t s = 0; s < ST; ++s) {
    CHECK((K::SMEM_A_OFFSET + s * K::SMEM_A_STAGE_BYTES) % 1024 == 0, "A stage %u not 1024-aligned", s);
    CHECK((K::SMEM_B_OFFSET + s * K::SMEM_B_STAGE_BYTES) % 1024 == 0, "B stage %u not 1024-aligned", s);
    CHECK((K::SMEM_SFA_OFFSET + s * K::SMEM_SFA_STAGE_BYTES) % 128 == 0, "SFA stage %u not 128-aligned", s);
    CHECK((K::SMEM_SFB_OFFSET + s * K::SMEM_SFB_STAGE_BYTES) % 128 == 0, "SFB stage %u not 128-aligned", s);
  }
  CHECK(K::SMEM_BARRIER_OFFSET % 8 == 0, "barrier alignment");
  CHECK(K::kTmaBytesPerStage == BM * 128 + BN * 128 + BM * 4 + BN * 4, "expect_tx bytes");
  CHECK(K::smem_bytes(0) == K::smem_bytes(1 << 20), "1D1D shared memory must not depend on K");
  std::printf("layout   %ux%u st%u: A/B stages 1024-aligned, SFA/SFB 128-aligned, barriers 8; expect_tx %u B; %u B total\n", BM, BN,
              ST, K::kTmaBytesPerStage, K::kSmemFixedBytes);
}

int main() {
  check_schedule_all<128, 128>();
  check_schedule_all<64, 144>();
  check_schedule_all<128, 192>();
  check_schedule_all<128, 152, 2, 1>();
  check_schedule_all<128, 136, 1, 2>();
  check_schedule_all<64, 144, 2, 1>();
  check_schedule_all<128, 192, 1, 1, true>();
  check_schedule_all<64, 144, 1, 1, true>();
  CHECK(g_tail_pieces > 0, "no walk split its last wave");
  std::printf("tail split: %u pieces of split tiles, every K-block of every tile covered once\n", g_tail_pieces);

  check_epilogue<64, 64, 128>();
  check_epilogue<64, 128, 128>();
  check_epilogue<64, 144, 64>();
  check_epilogue<64, 16, 64>();
  check_epilogue<64, 48, 32>();
  check_epilogue<64, 32, 0>();
  check_epilogue<128, 64, 128>();
  check_epilogue<128, 96, 128>();
  check_epilogue<128, 128, 128>();
  check_epilogue<128, 160, 128>();
  check_epilogue<128, 192, 128>();
  check_epilogue<128, 152, 32>();
  check_epilogue<128, 136, 32>();
  check_epilogue<128, 152, 0>();
  check_epilogue<128, 136, 0>();
  check_epilogue<256, 64, 128>();

  check_layout<64, 64, 8>();
  check_layout<64, 144, 7>();
  check_layout<128, 128, 4>();
  check_layout<128, 192, 3>();
  check_layout<128, 152, 4>();

  std::printf("all %d checks passed\n", g_checks);
  return 0;
}
