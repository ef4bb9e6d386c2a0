// The K-grouped scheduler's walk (k_grouped_scheduler.cuh), checked on the CPU for any BLOCK_K: every
// (group, m_block, n_block) of a non-empty group exactly once over all CTAs, no tile of an empty
// group (D_g keeps C_g), groups in order (the cursor only moves forward), and each tile's K-block
// count and offset equal to K_g / BLOCK_K and the prefix sum sum(K_<g) / BLOCK_K -- independent
// statements of where a group's K-blocks sit in the concatenated K. Used by check_invariants_1d1d.cu
// (FP8, BLOCK_K 128) and check_invariants_bf16.cu (BF16, BLOCK_K 64).
#pragma once
#include <cstdio>
#include <type_traits>
#include <vector>

#include "check_harness.h"
#include "fp8lab/k_grouped_scheduler.cuh"

// One (M, N, K_g list, grid): S is the scheduler under test, walked as each CTA walks it.
template <typename S, uint32_t BM, uint32_t BN, uint32_t BK>
inline void check_k_grouped_schedule(uint32_t m, uint32_t n, const std::vector<int32_t>& ks, uint32_t grid, uint32_t& tiles_seen) {
  using namespace fp8lab;
  GemmArgs args{};
  args.m = m;
  args.n = n;
  args.num_groups = static_cast<uint32_t>(ks.size());
  args.grouped_layout = ks.data();
  uint32_t sum_k = 0;
  for (int32_t k : ks) sum_k += static_cast<uint32_t>(k);
  args.k = sum_k;
  const uint32_t mb = (m + BM - 1) / BM, nb = (n + BN - 1) / BN;
  const uint32_t groups = static_cast<uint32_t>(ks.size());
  // Independent statement: group g's first K-block is sum(K_<g) / BK.
  std::vector<uint32_t> prefix(groups, 0);
  for (uint32_t g = 1; g < groups; ++g) prefix[g] = prefix[g - 1] + static_cast<uint32_t>(ks[g - 1]) / BK;
  std::vector<int> seen(static_cast<size_t>(groups) * mb * nb, 0);
  for (uint32_t bid = 0; bid < grid; ++bid) {
    S sched(args);  // each CTA owns one scheduler, walking bid, bid + grid, ...
    KGroupedTile t;
    uint32_t last_group = 0;
    for (uint32_t step = 0; sched.tile_at(step * grid + bid, t); ++step) {
      CHECK(t.group < groups && t.m_block < mb && t.n_block < nb, "tile out of range");
      CHECK(ks[t.group] > 0, "a tile of empty group %u was scheduled (it must keep D = C)", t.group);
      CHECK(t.num_k_blocks == static_cast<uint32_t>(ks[t.group]) / BK, "group %u: %u K-blocks", t.group, t.num_k_blocks);
      CHECK(t.k_block_offset == prefix[t.group], "group %u: K-block offset %u, want %u", t.group, t.k_block_offset, prefix[t.group]);
      CHECK(t.group >= last_group, "groups must come in order for the cursor");
      last_group = t.group;
      seen[(static_cast<size_t>(t.group) * mb + t.m_block) * nb + t.n_block]++;
      tiles_seen++;
    }
  }
  for (uint32_t g = 0; g < groups; ++g)
    for (uint32_t i = 0; i < mb * nb; ++i)
      CHECK(seen[static_cast<size_t>(g) * mb * nb + i] == (ks[g] > 0 ? 1 : 0), "group %u tile %u scheduled %d times (m=%u n=%u grid=%u)",
            g, i, seen[static_cast<size_t>(g) * mb * nb + i], m, n, grid);
}

// Every list over DeepSeek-like and ragged M and N and three grids (full, odd, one CTA); with a Normal
// scheduler (SNormal, or void for none), one GEMM of 7168 as well.
template <typename SGrouped, typename SNormal, uint32_t BM, uint32_t BN, uint32_t BK>
inline void check_k_grouped_schedule_all(const std::vector<std::vector<int32_t>>& lists) {
  const uint32_t ms[] = {1, 100, 4096, 7168};
  const uint32_t ns[] = {4, 576, 2048, 7168};
  const uint32_t grids[] = {132, 131, 1};
  uint32_t tiles = 0;
  for (uint32_t m : ms)
    for (uint32_t n : ns)
      for (uint32_t grid : grids) {
        for (const auto& ks : lists) check_k_grouped_schedule<SGrouped, BM, BN, BK>(m, n, ks, grid, tiles);
        if constexpr (!std::is_void_v<SNormal>) check_k_grouped_schedule<SNormal, BM, BN, BK>(m, n, std::vector<int32_t>{7168}, grid, tiles);
      }
  std::printf("schedule %ux%u BLOCK_K %u: every tile of every non-empty group exactly once, K-block offsets = prefix sums, %u tiles\n",
              BM, BN, BK, tiles);
}
