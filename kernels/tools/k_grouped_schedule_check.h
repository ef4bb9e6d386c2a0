// The K-grouped scheduler's walk (k_grouped_scheduler.cuh), checked on the CPU for any BLOCK_K: every
// (group, m_block, n_block) of a non-empty group exactly once over all CTAs, no tile of an empty
// group (D_g keeps C_g), groups in order (the cursor only moves forward), and each tile's K-block
// count and offset equal to K_g / BLOCK_K and the prefix sum sum(K_<g) / BLOCK_K -- independent
// statements of where a group's K-blocks sit in the concatenated K. Used by check_invariants_1d1d.cu
// (FP8, BLOCK_K 128) and check_invariants_bf16.cu (BF16, BLOCK_K 64). For a clustered scheduler
// (clusters of 2, even grids), also: where the host admits the shape, the two CTAs of every cluster
// get tiles at the same steps, of the same group, sharing the multicast block.
#pragma once
#include <algorithm>
#include <cstdio>
#include <type_traits>
#include <vector>

#include "check_harness.h"
#include "fp8lab/k_grouped_scheduler.cuh"

// Pieces of split tiles seen over every tail-split walk (0 would mean the splitting was never exercised).
inline uint32_t g_tail_pieces = 0;

inline fp8lab::GemmArgs k_grouped_args(uint32_t m, uint32_t n, const std::vector<int32_t>& ks) {
  fp8lab::GemmArgs args{};
  args.m = m;
  args.n = n;
  args.num_groups = static_cast<uint32_t>(ks.size());
  args.grouped_layout = ks.data();
  uint32_t sum_k = 0;
  for (int32_t k : ks) sum_k += static_cast<uint32_t>(k);
  args.k = sum_k;
  return args;
}

// Clusters of 2: CTAs 2c and 2c + 1 walk in lockstep -- a tile for both or for neither at every step,
// the same group and K-blocks, and the same block of the shared operand (the other block differs).
template <typename S>
inline void check_k_grouped_pairs(const fp8lab::GemmArgs& args, uint32_t grid, bool share_m_block, uint32_t& pairs_seen) {
  using namespace fp8lab;
  for (uint32_t c = 0; c < grid / 2; ++c) {
    S s0(args), s1(args);
    typename S::Tile t0, t1;
    for (uint32_t step = 0;; ++step) {
      const bool has0 = s0.tile_at(step * grid + 2 * c, t0);
      const bool has1 = s1.tile_at(step * grid + 2 * c + 1, t1);
      CHECK(has0 == has1, "cluster %u step %u: one CTA has a tile, its peer none (m=%u n=%u grid=%u)", c, step, args.m, args.n, grid);
      if (!has0) break;
      CHECK(t0.group == t1.group && t0.num_k_blocks == t1.num_k_blocks && t0.k_block_offset == t1.k_block_offset,
            "cluster %u step %u: the pair straddles groups %u and %u", c, step, t0.group, t1.group);
      CHECK(share_m_block ? (t0.m_block == t1.m_block && t0.n_block != t1.n_block) : (t0.n_block == t1.n_block && t0.m_block != t1.m_block),
            "cluster %u step %u: tiles (%u,%u) and (%u,%u) do not share the multicast block", c, step, t0.m_block, t0.n_block,
            t1.m_block, t1.n_block);
      pairs_seen++;
    }
  }
}

// One (M, N, K_g list, grid): S is the scheduler under test, walked as each CTA walks it.
template <typename S, uint32_t BM, uint32_t BN, uint32_t BK>
inline void check_k_grouped_schedule(uint32_t m, uint32_t n, const std::vector<int32_t>& ks, uint32_t grid, uint32_t& tiles_seen,
                                     uint32_t& pairs_seen) {
  using namespace fp8lab;
  const GemmArgs args = k_grouped_args(m, n, ks);
  if constexpr (S::kClusterSize > 1) {
    // A clustered launch has an even grid, and the host admits only shapes the kernel can pair.
    if (grid % 2 != 0 || !S::pairs_share_multicast_block(args)) return;
    check_k_grouped_pairs<S>(args, grid, S::kClusterDimN > 1, pairs_seen);
  }
  const uint32_t mb = (m + BM - 1) / BM, nb = (n + BN - 1) / BN;
  const uint32_t groups = static_cast<uint32_t>(ks.size());
  // Independent statement: group g's first K-block is sum(K_<g) / BK.
  std::vector<uint32_t> prefix(groups, 0);
  for (uint32_t g = 1; g < groups; ++g) prefix[g] = prefix[g - 1] + static_cast<uint32_t>(ks[g - 1]) / BK;
  // Per tile: the K-blocks its pieces cover (one piece of the whole group unless the tail is split).
  std::vector<std::vector<uint32_t>> covered(static_cast<size_t>(groups) * mb * nb);
  uint32_t pieces = 0;
  for (uint32_t bid = 0; bid < grid; ++bid) {
    S sched(args, grid);  // each CTA owns one scheduler, walking bid, bid + grid, ...
    typename S::Tile t;
    uint32_t last_group = 0;
    for (uint32_t step = 0; sched.tile_at(step * grid + bid, t); ++step) {
      CHECK(t.group < groups && t.m_block < mb && t.n_block < nb, "tile out of range");
      CHECK(ks[t.group] > 0, "a tile of empty group %u was scheduled (it must keep D = C)", t.group);
      const uint32_t kb = static_cast<uint32_t>(ks[t.group]) / BK;
      if (!S::kTailSplit) {
        CHECK(t.num_k_blocks == kb, "group %u: %u K-blocks", t.group, t.num_k_blocks);
        CHECK(t.k_block_offset == prefix[t.group], "group %u: K-block offset %u, want %u", t.group, t.k_block_offset, prefix[t.group]);
      }
      CHECK(t.num_k_blocks >= (t.num_k_blocks == kb ? 1u : S::kMinPieceKBlocks), "a piece of %u K-blocks", t.num_k_blocks);
      CHECK(t.k_block_offset >= prefix[t.group] && t.k_block_offset + t.num_k_blocks <= prefix[t.group] + kb,
            "group %u: K-blocks [%u, %u) outside the group's [%u, %u)", t.group, t.k_block_offset, t.k_block_offset + t.num_k_blocks,
            prefix[t.group], prefix[t.group] + kb);
      CHECK(t.group >= last_group, "groups must come in order for the cursor");
      last_group = t.group;
      auto& cover = covered[(static_cast<size_t>(t.group) * mb + t.m_block) * nb + t.n_block];
      for (uint32_t b = t.k_block_offset; b < t.k_block_offset + t.num_k_blocks; ++b) cover.push_back(b);
      if (t.num_k_blocks != kb) pieces++;
      tiles_seen++;
    }
  }
  // Every K-block of every tile of a non-empty group exactly once (one whole tile, or its pieces).
  for (uint32_t g = 0; g < groups; ++g)
    for (uint32_t i = 0; i < mb * nb; ++i) {
      auto& cover = covered[static_cast<size_t>(g) * mb * nb + i];
      std::sort(cover.begin(), cover.end());
      const uint32_t kb = ks[g] > 0 ? static_cast<uint32_t>(ks[g]) / BK : 0;
      bool exact = cover.size() == kb;
      for (uint32_t b = 0; exact && b < kb; ++b) exact = cover[b] == prefix[g] + b;
      CHECK(exact, "group %u tile %u: %zu K-blocks covered, want each of %u once (m=%u n=%u grid=%u)", g, i, cover.size(), kb, m, n, grid);
    }
  // With a tail split, a last wave that leaves at least half the grid idle is split.
  if constexpr (S::kTailSplit) {
    S probe(args, grid);
    uint32_t total = 0, min_kb = 0xffffffffu;
    for (int32_t k : ks)
      if (k > 0) {
        total += mb * nb;
        min_kb = std::min(min_kb, static_cast<uint32_t>(k) / BK);
      }
    const uint32_t rem = total % grid;
    const bool expect = rem > 0 && std::min(grid / rem, min_kb / S::kMinPieceKBlocks) >= 2;
    CHECK(expect == (pieces > 0), "m=%u n=%u grid=%u: %u tiles, %u in the last wave, %u pieces", m, n, grid, total, rem, pieces);
    if (expect) CHECK(pieces == rem * probe.tail_parts, "the last wave's %u tiles make %u pieces, want %u", rem, pieces, rem * probe.tail_parts);
    g_tail_pieces += pieces;
  }
}

// Every list over DeepSeek-like and ragged M and N and three grids (full, odd, one CTA); with a Normal
// scheduler (SNormal, or void for none), one GEMM of 7168 as well.
template <typename SGrouped, typename SNormal, uint32_t BM, uint32_t BN, uint32_t BK>
inline void check_k_grouped_schedule_all(const std::vector<std::vector<int32_t>>& lists) {
  const uint32_t ms[] = {1, 100, 4096, 7168};
  const uint32_t ns[] = {4, 576, 2048, 7168};
  const uint32_t grids[] = {132, 131, 78, 2, 1};
  uint32_t tiles = 0, pairs = 0;
  for (uint32_t m : ms)
    for (uint32_t n : ns)
      for (uint32_t grid : grids) {
        for (const auto& ks : lists) check_k_grouped_schedule<SGrouped, BM, BN, BK>(m, n, ks, grid, tiles, pairs);
        if constexpr (!std::is_void_v<SNormal>)
          check_k_grouped_schedule<SNormal, BM, BN, BK>(m, n, std::vector<int32_t>{7168}, grid, tiles, pairs);
      }
  std::printf("schedule %ux%u BLOCK_K %u cluster %ux%u%s: every K-block of every tile of every non-empty group exactly once, "
              "K-block offsets within prefix sums, %u tiles",
              BM, BN, BK, SGrouped::kClusterDimM, SGrouped::kClusterDimN, SGrouped::kTailSplit ? " tail split" : "", tiles);
  if constexpr (SGrouped::kClusterSize > 1) {
    CHECK(pairs > 0, "no shape of the list could be paired");
    std::printf("; %u cluster steps in lockstep on one group and one shared block", pairs);
  }
  std::printf("\n");
}
