// Host-side (CPU-only) checks of the FP8 1D2D kernel's index arithmetic, using the kernel's own
// host-callable pieces (Scheduler::tile_at, Sm90Fp8Gemm1D2D::d_offset / scale_b_split / layout
// constants) against independent statements of the hardware rules (wgmma accumulator fragment,
// stmatrix lane roles, TMA swizzle). Needs nvcc, no GPU:
//   nvcc -std=c++17 -O1 -I kernels/include -o /tmp/check_invariants kernels/tools/check_invariants.cu && /tmp/check_invariants
// Prints one line per group of checks and exits non-zero on the first failure.
#include <cstdio>
#include <vector>

#include "fp8lab/impls/sm90_fp8_gemm_1d2d.cuh"
#include "check_harness.h"

using namespace fp8lab;

// ---- scheduler ---------------------------------------------------------------------------------
template <uint32_t BM, uint32_t BN, uint32_t CM, uint32_t CN>
static void check_scheduler(uint32_t m, uint32_t n, uint32_t grid, uint32_t& multicast_steps, uint32_t& pair_steps) {
  using S = Scheduler<GemmType::Normal, BM, BN, CM, CN, 132>;
  GemmArgs args{};
  args.m = m;
  args.n = n;
  args.k = 1024;
  S sched(args);
  std::vector<int> seen(sched.num_tiles, 0);
  const uint32_t max_steps = sched.num_tiles / grid + 2;
  for (uint32_t step = 0; step < max_steps; ++step) {
    for (uint32_t bid = 0; bid < grid; ++bid) {
      TileInfo t;
      const uint32_t linear = step * grid + bid;
      if (!sched.tile_at(linear, t)) continue;
      CHECK(t.m_block < sched.num_m_blocks && t.n_block < sched.num_n_blocks, "tile out of range");
      seen[t.m_block * sched.num_n_blocks + t.n_block]++;
      if (CM * CN > 1) {
        TileInfo p;
        const bool peer_has = sched.tile_at(linear ^ 1u, p);
        CHECK(t.peer_alive == peer_has, "peer_alive disagrees with the peer's schedule");
        if (peer_has) {
          CHECK(p.multicast == t.multicast, "the two CTAs of a cluster disagree on multicast (%u,%u)", t.m_block, t.n_block);
          if (t.multicast) {
            CHECK(CM > 1 ? p.n_block == t.n_block : p.m_block == t.m_block, "multicast without a shared block");
            multicast_steps++;
          }
          pair_steps++;
        } else {
          CHECK(!t.multicast, "multicast with a dead peer");
          CHECK((bid & 1u) == 0, "only the even CTA of a pair may outlive its peer");
        }
      }
    }
  }
  for (uint32_t i = 0; i < sched.num_tiles; ++i) CHECK(seen[i] == 1, "tile %u scheduled %d times (m=%u n=%u)", i, seen[i], m, n);
}

template <uint32_t BM, uint32_t BN, uint32_t CM, uint32_t CN>
static void check_scheduler_all() {
  const uint32_t ms[] = {1, 7, 64, 128, 200, 1000, 4096};
  const uint32_t ns[] = {8, 576, 2112, 4096, 7168, 24576};
  uint32_t mc = 0, pairs = 0;
  for (uint32_t m : ms)
    for (uint32_t n : ns)
      for (uint32_t grid : {132u, 130u, 2u}) check_scheduler<BM, BN, CM, CN>(m, n, grid, mc, pairs);
  std::printf("scheduler %ux%u cluster %ux%u: every tile exactly once; cluster verdicts symmetric (%u of %u paired steps multicast)\n",
              BM, BN, CM, CN, mc, pairs);
}

// ---- epilogue: wgmma fragment -> stmatrix -> swizzled staging tile -> TMA store box ------------
template <uint32_t BM, uint32_t BN, uint32_t SD>
static void check_epilogue() {
  constexpr uint32_t WG = BM == 64 ? 1 : 2;
  using K = Sm90Fp8Gemm1D2D<BM, BN, 128, 3, WG, 1, 1, 128, 128, SD, 132, GemmType::Normal>;
  constexpr uint32_t kBytes = BM * BN * 2;
  std::vector<int> owner_row(kBytes / 2, -1), owner_col(kBytes / 2, -1);
  uint32_t conflicts = 0;
  for (uint32_t wave = 0; wave < K::kNumWaves; ++wave)
    for (uint32_t wg = 0; wg < WG; ++wg)
      for (uint32_t warp = 0; warp < 4; ++warp)
        for (uint32_t i = 0; i < K::kNumChunks; i += 2) {
          // Row addresses each lane passes to stmatrix.x4 (the kernel's formula).
          uint32_t addr[32];
          for (uint32_t lane = 0; lane < 32; ++lane) {
            const uint32_t row = wave * K::WAVE_BLOCK_M + wg * 64 + warp * 16 + lane % 16;
            const uint32_t col = (i + lane / 16) * 8;
            addr[lane] = K::d_offset(row, col);
            CHECK(addr[lane] % 16 == 0, "stmatrix row address not 16-byte aligned");
          }
          for (uint32_t q = 0; q < 4; ++q) {
            // Bank groups of the 8 rows of matrix q: distinct 16-byte bank quads -> no conflict.
            conflicts += stmatrix_matrix_conflicts(addr, q);
            // Matrix q, row j, column c comes from lane 4j + c/2, register q, half c%2 (stmatrix, §9.7.14.5.16).
            // The kernel passes register q = pack(final_accum[idx], final_accum[idx+1]) with idx below.
            const uint32_t idx_base = (i + q / 2) * 4 + (q % 2) * 2;
            for (uint32_t j = 0; j < 8; ++j)
              for (uint32_t c = 0; c < 8; ++c) {
                const uint32_t src_lane = 4 * j + c / 2;
                const uint32_t idx = idx_base + c % 2;
                // wgmma accumulator fragment: element idx of lane src_lane in warp w.
                const uint32_t frag_row = wave * K::WAVE_BLOCK_M + wg * 64 + warp * 16 + wgmma_fragment_row(src_lane, idx);
                const uint32_t frag_col = wgmma_fragment_col(src_lane, idx);
                const uint32_t byte = addr[q * 8 + j] + c * 2;
                CHECK(byte < kBytes, "write outside the staging tile");
                CHECK(owner_row[byte / 2] == -1, "two elements stored at byte %u", byte);
                owner_row[byte / 2] = static_cast<int>(frag_row);
                owner_col[byte / 2] = static_cast<int>(frag_col);
              }
          }
        }
  // The TMA store of slab s reads box element (r, c) from slab_base + swizzle(r * row_bytes + 2c) and
  // writes it to D[m0 + r][n0 + s * TMA_D_BLOCK_N + c]: it must be the fragment element (r, that column).
  constexpr uint32_t kSlabCols = K::TMA_D_BLOCK_N;
  for (uint32_t s = 0; s < K::kNumDStores; ++s)
    for (uint32_t r = 0; r < BM; ++r)
      for (uint32_t c = 0; c < kSlabCols; ++c) {
        const uint32_t byte = s * BM * kSlabCols * 2 + tma_swizzled_offset(r * kSlabCols * 2 + c * 2, SD);
        CHECK(owner_row[byte / 2] == static_cast<int>(r) && owner_col[byte / 2] == static_cast<int>(s * kSlabCols + c),
              "TMA reads (%u,%u) from byte %u holding fragment (%d,%d)", r, s * kSlabCols + c, byte, owner_row[byte / 2],
              owner_col[byte / 2]);
      }
  std::printf("epilogue %ux%u swizzleD %3u: fragment -> stmatrix -> TMA box is the identity on all %u elements; %u bank conflicts\n",
              BM, BN, SD, BM * BN, conflicts);
  if (SD != 0) CHECK(conflicts == 0, "swizzled staging must be conflict-free");
}

// ---- B scales: which 128-column block every column of a tile uses -------------------------------
template <uint32_t BN>
static void check_scale_b() {
  using K = Sm90Fp8Gemm1D2D<64, BN, 128, 3, 1, 1, 1, 128, 128, (BN * 2) % 128 == 0 ? 128 : (BN * 2) % 64 == 0 ? 64 : 32, 132,
                            GemmType::Normal>;
  for (uint32_t n = 8; n <= 3000; n += 8) {
    for (uint32_t nb = 0; nb * BN < n; ++nb) {
      const uint32_t n0 = nb * BN;
      const auto split = K::scale_b_split(n0, n);
      CHECK(split.former_cols % 8 == 0 && split.former_cols > 0, "former columns must be whole n8 chunks");
      // The K-loop specialisation covers exactly these values.
      CHECK((split.former_cols / 8) % K::kFormerGapChunks == 0 && split.former_cols / 8 <= K::kMaxFormerChunks,
            "former chunk count %u outside the dispatched set", split.former_cols / 8);
      for (uint32_t j = 0; j < BN && n0 + j < n; ++j) {
        const uint32_t block = (n0 + j) / 128;
        const uint32_t kernel_block = n0 / 128 + (j < split.former_cols ? 0 : 1);
        CHECK(block == kernel_block, "BN %u n0 %u column %u: scale block %u, kernel uses %u", BN, n0, j, block, kernel_block);
        if (j >= split.former_cols) CHECK(split.needs_second, "second scale row needed but not loaded");
      }
      if (split.needs_second) CHECK(n0 / 128 + 1 < (n + 127) / 128, "second scale row past the end of SFB");
    }
  }
  std::printf("scale B  BN %3u: every column of every tile (N = 8..3000) uses its own 128-column block\n", BN);
}

// ---- shared-memory layout alignment ------------------------------------------------------------
template <uint32_t BM, uint32_t BN, uint32_t ST>
static void check_layout() {
  constexpr uint32_t WG = BM == 64 ? 1 : 2;
  using K = Sm90Fp8Gemm1D2D<BM, BN, 128, ST, WG, 1, 1, 128, 128, (BN * 2) % 128 == 0 ? 128 : (BN * 2) % 64 == 0 ? 64 : 32, 132,
                            GemmType::Normal>;
  for (uint32_t s = 0; s < ST; ++s) {
    CHECK((K::SMEM_A_OFFSET + s * K::SMEM_A_STAGE_BYTES) % 1024 == 0, "A stage %u not 1024-aligned", s);
    CHECK((K::SMEM_B_OFFSET + s * K::SMEM_B_STAGE_BYTES) % 1024 == 0, "B stage %u not 1024-aligned", s);
    CHECK((K::SMEM_SFA_OFFSET + s * K::SMEM_SFA_STAGE_BYTES) % 128 == 0, "SFA stage %u not 128-aligned", s);
  }
  CHECK(K::SMEM_BARRIER_OFFSET % 8 == 0 && K::SMEM_SFB_OFFSET % 16 == 0, "barrier/SFB alignment");
  CHECK(K::kTmaBytesPerStage == BM * 128 + BN * 128 + BM * 4, "expect_tx bytes");
  std::printf("layout   %ux%u st%u: A/B stages 1024-aligned, SFA 128-aligned, barriers 8, SFB 16; expect_tx %u B\n", BM, BN, ST,
              K::kTmaBytesPerStage);
}

int main() {
  check_scheduler_all<64, 16, 1, 1>();
  check_scheduler_all<64, 112, 1, 2>();
  check_scheduler_all<128, 128, 2, 1>();
  check_scheduler_all<256, 128, 2, 1>();
  check_scheduler_all<128, 160, 1, 2>();

  check_epilogue<64, 16, 32>();
  check_epilogue<64, 32, 64>();
  check_epilogue<64, 64, 128>();
  check_epilogue<64, 96, 64>();
  check_epilogue<64, 112, 32>();
  check_epilogue<64, 112, 0>();
  check_epilogue<64, 160, 64>();
  check_epilogue<64, 192, 128>();
  check_epilogue<128, 112, 32>();
  check_epilogue<128, 128, 128>();
  check_epilogue<128, 160, 64>();
  check_epilogue<128, 192, 128>();
  check_epilogue<256, 128, 128>();
  check_epilogue<256, 64, 0>();

  check_scale_b<16>();
  check_scale_b<64>();
  check_scale_b<96>();
  check_scale_b<112>();
  check_scale_b<128>();
  check_scale_b<144>();
  check_scale_b<160>();
  check_scale_b<192>();

  check_layout<64, 16, 8>();
  check_layout<64, 112, 8>();
  check_layout<128, 160, 5>();
  check_layout<256, 128, 3>();

  std::printf("all %d checks passed\n", g_checks);
  return 0;
}
