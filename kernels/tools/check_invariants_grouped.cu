// Host-side (CPU-only) checks of the M-grouped scheduler (m_grouped_scheduler.cuh) that the 1D2D
// kernel uses for GemmType::MGroupedContiguous and MGroupedMasked, against layouts generated like
// DeepGEMM's test generators (actual M per group = expected x U(0.7, 1.3), padded to 128; a group
// with zero rows; masked_m = 0 and masked_m > Mmax). Needs nvcc, no GPU:
//   nvcc -std=c++17 -O1 -I kernels/include -o /tmp/cig kernels/tools/check_invariants_grouped.cu && /tmp/cig
#include <cstdio>
#include <random>
#include <vector>

#include "fp8lab/m_grouped_scheduler.cuh"
#include "check_harness.h"

using namespace fp8lab;

// ---- clusters: walk all CTAs in lock step; both CTAs of a pair agree on multicast, multicast only
// when the shared operand is the same memory, peer_alive tells the truth, only even CTAs outlive peers.
template <typename S, uint32_t CM, uint32_t CN>
static void walk(const GemmArgs& args, uint32_t grid, std::vector<std::pair<uint32_t, MGroupedTile>>& out, uint32_t& mc_steps) {
  std::vector<S> scheds;
  for (uint32_t bid = 0; bid < grid; ++bid) scheds.emplace_back(args);
  std::vector<bool> done(grid, false);
  for (uint32_t step = 0;; ++step) {
    bool any = false;
    std::vector<MGroupedTile> tiles(grid);
    std::vector<bool> has(grid, false);
    for (uint32_t bid = 0; bid < grid; ++bid) {
      if (done[bid]) continue;
      for (;;) {
        const auto slot = scheds[bid].tile_at(step * grid + bid, tiles[bid]);
        if (slot == S::Slot::Skip) {
          CHECK(CM * CN == 1, "a clustered schedule must never skip");
          out.push_back({step * grid + bid, tiles[bid]});  // recorded with rows_masked semantics below
          out.back().second.dummy = true;
          break;
        }
        if (slot == S::Slot::End) done[bid] = true;
        else has[bid] = true, out.push_back({step * grid + bid, tiles[bid]});
        break;
      }
      any |= has[bid];
    }
    if (CM * CN > 1) {
      for (uint32_t bid = 0; bid < grid; ++bid) {
        if (!has[bid]) continue;
        const uint32_t peer = bid ^ 1u;
        const MGroupedTile& t = tiles[bid];
        CHECK(t.peer_alive == (peer < grid && has[peer]), "peer_alive disagrees with the peer's schedule (bid %u step %u)", bid, step);
        if (t.peer_alive) {
          const MGroupedTile& p = tiles[peer];
          CHECK(p.multicast == t.multicast, "the CTAs of a pair disagree on multicast");
          if (t.multicast) {
            CHECK(!t.dummy && !p.dummy, "multicast with a dummy tile");
            if (CM > 1) CHECK(scheds[bid].b_row(t) == scheds[peer].b_row(p), "multicast B of different memory");
            else CHECK(scheds[bid].a_row(t) == scheds[peer].a_row(p), "multicast A of different memory");
            mc_steps++;
          }
        } else {
          CHECK(!t.multicast && (bid & 1u) == 0, "only the even CTA of a pair may outlive its peer, without multicast");
        }
      }
    }
    if (!any) {
      bool all_done = true;
      for (uint32_t bid = 0; bid < grid; ++bid) all_done &= done[bid];
      if (all_done) break;
    }
  }
}

// ---- contiguous: each row with an expert is computed and written by exactly one tile; padding rows
// are never written; B / SFB rows are the expert's --------------------------------------------------
template <uint32_t BM, uint32_t BN, uint32_t CM = 1, uint32_t CN = 1>
static void check_contiguous(const std::vector<int32_t>& layout, uint32_t groups, uint32_t n, uint32_t grid, uint32_t& tiles,
                             uint32_t& mc_steps, bool use_psum = false) {
  using S = MGroupedScheduler<GemmType::MGroupedContiguous, BM, BN, 132, CM, CN>;
  GemmArgs args{};
  args.m = static_cast<uint32_t>(layout.size());
  args.n = n;
  args.k = 7168;
  args.num_groups = groups;
  args.grouped_layout = layout.data();
  // The same layout as psum[G] (cumulative row ends): the per-row `layout` stays the truth checked below.
  std::vector<int32_t> psum(groups, 0);
  if (use_psum) {
    uint32_t start = 0;
    for (uint32_t g = 0; g < groups; ++g) {
      uint32_t actual = 0;
      for (uint32_t r = start; r < layout.size() && layout[r] == static_cast<int32_t>(g); ++r) ++actual;
      psum[g] = static_cast<int32_t>(start + actual);
      start = (start + actual + 127) / 128 * 128;
    }
    args.grouped_layout = psum.data();
    args.psum_layout = 1;
  }
  uint32_t flags = 0;
  args.flags = &flags;
  const uint32_t nb = (n + BN - 1) / BN;
  std::vector<int> written(static_cast<size_t>(args.m) * nb, 0);
  std::vector<std::pair<uint32_t, MGroupedTile>> walked;
  walk<S, CM, CN>(args, grid, walked, mc_steps);
  S sched(args);
  for (auto& [linear, t] : walked) {
    {
      const uint32_t m0 = t.m_block * BM;
      if (t.dummy) {  // skipped (unclustered) or kept for the lock step (clustered): all padding, writes nothing
        for (uint32_t r = m0; r < m0 + BM && r < args.m; ++r) CHECK(layout[r] < 0, "a skipped tile holds row %u of expert %d", r, layout[r]);
        if (CM * CN > 1) for (uint32_t r = 0; r < BM; ++r) CHECK(!sched.row_valid(t, r), "a dummy tile writes row %u", r);
        continue;
      }
      tiles++;
      CHECK(t.group < groups && layout[m0] == static_cast<int32_t>(t.group), "tile expert is not its first row's");
      if (CM * CN == 1) CHECK(!t.multicast && !t.peer_alive, "no pairing without clusters");
      CHECK(t.rows == (args.m - m0 < BM ? args.m - m0 : BM), "rows");
      CHECK(sched.a_row(t) == m0 && sched.d_row(t) == m0, "contiguous A/D rows are global");
      CHECK(sched.b_row(t) == t.group * n + t.n_block * BN, "B rows of the expert");
      CHECK(sched.sfb_block_row(t) == t.group * ((n + 127) / 128) + t.n_block * BN / 128, "SFB block row of the expert");
      CHECK(sched.valid_rows(t, args.m) == m0 + t.rows, "valid_rows for the kernel's wave test");
      bool any_masked = false;
      for (uint32_t r = 0; r < BM; ++r) {
        const bool row_exists = m0 + r < args.m;
        const bool mine = row_exists && layout[m0 + r] == static_cast<int32_t>(t.group);
        any_masked |= row_exists && !mine;
        // What the kernel writes: every row (TMA) when not rows_masked, else the rows row_valid says.
        const bool writes = row_exists && (t.rows_masked ? sched.row_valid(t, r) : true);
        CHECK(writes == mine, "row %u of tile m0=%u: written %d, belongs %d", r, m0, writes, mine);
        if (writes) written[static_cast<size_t>(m0 + r) * nb + t.n_block]++;
      }
      CHECK(t.rows_masked == any_masked, "rows_masked must say whether any row is skipped");
    }
  }
  for (uint32_t r = 0; r < args.m; ++r)
    for (uint32_t j = 0; j < nb; ++j)
      CHECK(written[static_cast<size_t>(r) * nb + j] == (layout[r] >= 0 ? 1 : 0), "row %u n-block %u written %d times", r, j,
            written[static_cast<size_t>(r) * nb + j]);
  CHECK(flags == 0, "no flags for a valid layout");
}

static std::vector<int32_t> contiguous_layout(std::mt19937& rng, uint32_t groups, uint32_t expected_m, int zero_group) {
  std::uniform_real_distribution<double> u(0.7, 1.3);
  std::vector<int32_t> layout;
  for (uint32_t g = 0; g < groups; ++g) {
    const uint32_t actual = static_cast<int>(g) == zero_group ? 0 : static_cast<uint32_t>(expected_m * u(rng));
    const uint32_t aligned = (actual + 127) / 128 * 128;
    for (uint32_t r = 0; r < aligned; ++r) layout.push_back(r < actual ? static_cast<int32_t>(g) : -1);
  }
  return layout;
}

// ---- masked: the first min(masked_m[g], Mmax) rows of each group, exactly once; nothing else ------
template <uint32_t BM, uint32_t BN, uint32_t CM = 1, uint32_t CN = 1>
static void check_masked(const std::vector<int32_t>& masked_m, uint32_t mmax, uint32_t n, uint32_t grid, uint32_t& tiles,
                         uint32_t& mc_steps) {
  using S = MGroupedScheduler<GemmType::MGroupedMasked, BM, BN, 132, CM, CN>;
  GemmArgs args{};
  args.m = mmax;
  args.n = n;
  args.k = 4096;
  args.num_groups = static_cast<uint32_t>(masked_m.size());
  args.grouped_layout = masked_m.data();
  uint32_t flags = 0;
  args.flags = &flags;
  const uint32_t groups = args.num_groups, nb = (n + BN - 1) / BN;
  bool clamp_expected = false;
  for (int32_t v : masked_m) clamp_expected |= v < 0 || static_cast<uint32_t>(v) > mmax;
  std::vector<int> written(static_cast<size_t>(groups) * mmax * nb, 0);
  std::vector<std::pair<uint32_t, MGroupedTile>> walked;
  walk<S, CM, CN>(args, grid, walked, mc_steps);
  S sched(args);
  for (auto& [linear, t] : walked) {
    {
      CHECK(!t.dummy, "masked never skips");
      tiles++;
      const int32_t v = masked_m[t.group];
      const uint32_t mg = v < 0 ? 0 : (static_cast<uint32_t>(v) > mmax ? mmax : static_cast<uint32_t>(v));
      const uint32_t m0 = t.m_block * BM;
      CHECK(m0 < mg && t.n_block < nb, "tile past the group's rows");
      CHECK(t.rows == (mg - m0 < BM ? mg - m0 : BM) && t.rows_masked == (t.rows < BM), "rows / rows_masked");
      CHECK(sched.a_row(t) == t.group * mmax + m0 && sched.d_row(t) == sched.a_row(t), "A/D rows are g * Mmax + row");
      CHECK(sched.b_row(t) == t.group * n + t.n_block * BN, "B rows of the group");
      CHECK(sched.valid_rows(t, mmax) == m0 + t.rows, "valid_rows");
      for (uint32_t r = 0; r < BM; ++r) {
        const bool writes = t.rows_masked ? sched.row_valid(t, r) : true;
        CHECK(writes == (m0 + r < mg), "row %u of group %u tile m0=%u", r, t.group, m0);
        if (writes) written[(static_cast<size_t>(t.group) * mmax + m0 + r) * nb + t.n_block]++;
      }
    }
  }
  for (uint32_t g = 0; g < groups; ++g) {
    const int32_t v = masked_m[g];
    const uint32_t mg = v < 0 ? 0 : (static_cast<uint32_t>(v) > mmax ? mmax : static_cast<uint32_t>(v));
    for (uint32_t r = 0; r < mmax; ++r)
      for (uint32_t j = 0; j < nb; ++j)
        CHECK(written[(static_cast<size_t>(g) * mmax + r) * nb + j] == (r < mg ? 1 : 0), "group %u row %u n-block %u written %d times",
              g, r, j, written[(static_cast<size_t>(g) * mmax + r) * nb + j]);
  }
  CHECK((flags & kFlagMaskedMClamped) != 0 == clamp_expected, "clamp flag");
}

int main() {
  std::mt19937 rng(42);
  uint32_t tiles = 0, mc = 0;
  // Contiguous: (groups, expected M) in {(4, 8192), (8, 4096)} plus small ones, with a zero-row group.
  const std::pair<uint32_t, uint32_t> cont[] = {{4, 8192}, {8, 4096}, {8, 200}, {3, 50}};
  for (auto [groups, expected] : cont)
    for (int zero : {-1, 0, 1})
      for (uint32_t grid : {132u, 7u}) {
        const auto layout = contiguous_layout(rng, groups, expected, zero);
        if (layout.empty()) continue;
        for (uint32_t n : {4096u, 7168u, 576u}) {
          for (bool use_psum : {false, true}) {
            check_contiguous<128, 128>(layout, groups, n, grid, tiles, mc, use_psum);
            check_contiguous<64, 112>(layout, groups, n, grid, tiles, mc, use_psum);
            check_contiguous<128, 160>(layout, groups, n, grid, tiles, mc, use_psum);
            if (grid % 2 == 0) {
              check_contiguous<128, 128, 2, 1>(layout, groups, n, grid, tiles, mc, use_psum);
              check_contiguous<64, 112, 2, 1>(layout, groups, n, grid, tiles, mc, use_psum);
              check_contiguous<128, 160, 1, 2>(layout, groups, n, grid, tiles, mc, use_psum);
            }
          }
        }
      }
  std::printf("contiguous (per-row and psum layouts): every expert row written exactly once, padding rows never, B/SFB rows of the expert; clusters: "
              "pairs agree, multicast only on the same memory (%u tiles, %u multicast steps)\n", tiles, mc);
  // An out-of-range expert index is skipped and flagged.
  {
    std::vector<int32_t> layout(256, 0);
    for (uint32_t r = 128; r < 256; ++r) layout[r] = 5;
    GemmArgs args{};
    args.m = 256, args.n = 256, args.k = 128, args.num_groups = 2, args.grouped_layout = layout.data();
    uint32_t flags = 0;
    args.flags = &flags;
    MGroupedScheduler<GemmType::MGroupedContiguous, 128, 128, 132> sched(args);
    MGroupedTile t;
    uint32_t skipped = 0;
    for (uint32_t i = 0; i < 4; ++i) skipped += sched.tile_at(i, t) == decltype(sched)::Slot::Skip;
    CHECK(skipped == 2 && flags == kFlagExpertOutOfRange, "expert 5 of 2 groups must be skipped and flagged");
  }
  tiles = 0, mc = 0;
  // Masked: Mmax 4096, (groups, expected m) in {(32, 192), (6, 1024), (32, 20), (6, 20)}; masked_m = 0;
  // masked_m > Mmax (clamped + flagged).
  const std::pair<uint32_t, uint32_t> masked[] = {{32, 192}, {6, 1024}, {32, 20}, {6, 20}};
  std::uniform_real_distribution<double> u(0.7, 1.3);
  for (auto [groups, expected] : masked)
    for (int variant = 0; variant < 3; ++variant)
      for (uint32_t grid : {132u, 5u, 8u}) {
        std::vector<int32_t> mm(groups);
        for (auto& v : mm) v = static_cast<int32_t>(expected * u(rng));
        if (variant >= 1) mm[0] = 0, mm[groups - 1] = 0;
        if (variant == 2) mm[1] = 5000;
        for (uint32_t n : {4096u, 7168u}) {
          check_masked<64, 128>(mm, 4096, n, grid, tiles, mc);
          check_masked<128, 160>(mm, 4096, n, grid, tiles, mc);
          if (grid % 2 == 0) {
            check_masked<64, 128, 2, 1>(mm, 4096, n, grid, tiles, mc);
            check_masked<128, 160, 1, 2>(mm, 4096, n, grid, tiles, mc);
            check_masked<128, 96, 2, 1>(mm, 4096, n, grid, tiles, mc);  // 43 N-blocks at N 4096: pairs straddle groups
          }
        }
      }
  std::printf("masked: the first min(masked_m, Mmax) rows of every group exactly once, nothing past them; clamp flagged; "
              "clusters: pairs agree, multicast only within a group (%u tiles, %u multicast steps)\n", tiles, mc);
  std::printf("all %d checks passed\n", g_checks);
  return 0;
}
