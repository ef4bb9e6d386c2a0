// Tile scheduler of the M-grouped 1D2D kinds (MoE): GemmType::MGroupedContiguous and
// GemmType::MGroupedMasked. Same interface as the normal Scheduler (next, num_k_blocks, a_row,
// b_row, d_row, sfb_block_row, valid_rows), so the 1D2D kernel only swaps the type; plus what the
// row-masked epilogue needs (Tile::rows_masked, row_valid).
//
// Clusters of 2 (multicast), as in the normal Scheduler: CTAs 2c and 2c + 1 take linear tiles i and
// i ^ 1 at every step; each computes its peer's tile too and multicasts only when both share the
// block *and* it is the same memory (same expert / group for B, same group for A); `peer_alive` says
// whether the peer has any tile at this step (K is the same for every group, so both CTAs then run
// the same number of K-blocks). With clusters no tile is skipped (that would break the lock step):
// a contiguous tile whose first row is padding computes expert 0 and writes no row (`dummy`).
//
// Contiguous: A [ΣM, K] (experts back to back, each padded to the M alignment 128), grouped_layout
//   [ΣM] int32 = the row's expert or -1 for padding. Tiles are the normal raster over ΣM rows; a
//   tile's expert is the one of its first row (BLOCK_M <= 128 divides the alignment, so a tile never
//   holds two experts); tiles whose first row is -1 (all padding, BLOCK_M 64) or out of range are
//   skipped. B rows of expert e start at e * N; SFB block rows at e * ceil(N/128). Padding rows at
//   a tile's end are computed but not written: such a tile is `rows_masked` and stored row by row.
//   With args.psum_layout = 1, grouped_layout is psum[G] instead (cumulative row ends; group g owns
//   rows [align(psum[g-1], 128), psum[g])): a tile's group is found by binary search over psum.
// Masked: A [G, Mmax, K] = the [G * Mmax, K] matrix, grouped_layout[g] = masked_m[g] read here on
//   the device (clamped to Mmax; a clamp is flagged in args.flags bit 0). Group g owns
//   ceil(m_g / BLOCK_M) x ceil(N / BLOCK_N) tiles, groups in order; the normal raster runs inside a
//   group. A tile's last rows past m_g are not written (rows_masked).
#pragma once
#include "fp8lab/scheduler.cuh"

namespace fp8lab {

// Bits the kernel ORs into *args.flags (when not nullptr) for input the host could not check.
enum : uint32_t {
  kFlagMaskedMClamped = 1u,     // some masked_m[g] > Mmax (or < 0) was clamped into [0, Mmax]
  kFlagExpertOutOfRange = 2u,   // a contiguous row's expert index was >= num_groups: its tile was skipped
};

struct MGroupedTile {
  uint32_t m_block;   // contiguous: block of the ΣM rows; masked: block inside the group
  uint32_t n_block;
  bool multicast;     // always false (no clusters); the 1D2D kernel reads it
  bool peer_alive;    // always false
  uint32_t group;     // the expert
  uint32_t rows;      // rows of the tile inside A's rows of this problem (<= BLOCK_M): computed rows
  bool rows_masked;   // some of the first `rows` rows must not be written (padding / past masked_m)
  bool dummy;         // clustered contiguous only: an all-padding tile kept for the lock step; writes nothing
  uint32_t row_end;   // contiguous psum layout: the group's first row past its rows (row_valid uses it)
};

template <GemmType kGemmType, uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kNumSMs, uint32_t kClusterM = 1,
          uint32_t kClusterN = 1>
struct MGroupedScheduler {
  static_assert(kGemmType == GemmType::MGroupedContiguous || kGemmType == GemmType::MGroupedMasked,
                "the M-grouped scheduler walks contiguous or masked problems");
  static_assert(kGemmType != GemmType::MGroupedContiguous || 128 % BLOCK_M == 0,
                "rule contiguous-block-m: BLOCK_M must divide the contiguous M alignment (128)");
  // The normal raster (direction and even group size follow the cluster shape, as for Normal).
  using Raster = Scheduler<GemmType::Normal, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs>;
  static constexpr bool kContiguous = kGemmType == GemmType::MGroupedContiguous;
  static constexpr uint32_t kClusterSize = kClusterM * kClusterN;

  Raster raster;            // contiguous: over ΣM rows; masked: re-aimed at each group's row count
  const int32_t* layout;    // contiguous: expert per row; masked: masked_m per group
  uint32_t* flags;
  bool psum;                // contiguous: grouped_layout is psum[G] (cumulative row ends)
  uint32_t m;               // contiguous: ΣM; masked: Mmax
  uint32_t n;
  uint32_t num_groups;
  uint32_t num_k_blocks_;
  uint32_t n_scale_blocks;  // ceil(N / 128): SFB block rows per expert
  // Masked cursor: the group of the last tile returned, its first linear tile, its rows and tile count.
  uint32_t group = 0;
  uint32_t group_first_tile = 0;
  uint32_t group_rows = 0;
  uint32_t group_tiles = 0;
  bool group_loaded = false;
  uint32_t total_tiles = 0;  // masked with clusters: all groups' tiles (is the peer's i + 1 a tile?)
  uint32_t step = 0;

  __host__ __device__ __forceinline__ explicit MGroupedScheduler(const GemmArgs& args) : raster(args) {
    layout = args.grouped_layout;
    flags = args.flags;
    psum = kContiguous && args.psum_layout != 0;
    m = args.m;
    n = compiled_n(args);
    num_groups = args.num_groups;
    num_k_blocks_ = compiled_k(args) / 128;
    n_scale_blocks = ceil_div<uint32_t>(compiled_n(args), 128);
    if constexpr (!kContiguous && kClusterSize > 1) {
      for (uint32_t g = 0; g < num_groups; ++g)
        total_tiles += ceil_div<uint32_t>(masked_rows(g), BLOCK_M) * raster.num_n_blocks;
    }
  }

  __host__ __device__ __forceinline__ void raise_flag(uint32_t bit) const {
#ifdef __CUDA_ARCH__
    if (flags != nullptr) atomicOr(flags, bit);
#else
    if (flags != nullptr) *flags |= bit;
#endif
  }

  // Masked: rows of group g, clamped into [0, Mmax] (flagged when it had to be).
  __host__ __device__ __forceinline__ uint32_t masked_rows(uint32_t g) const {
    const int32_t v = layout[g];
    if (v < 0 || static_cast<uint32_t>(v) > m) raise_flag(kFlagMaskedMClamped);
    return v < 0 ? 0u : (static_cast<uint32_t>(v) > m ? m : static_cast<uint32_t>(v));
  }

  // Contiguous psum layout: the group owning row `row` (0-based), or -1 for a padding row; `end` gets
  // that group's first row past its rows. Binary search for the first g with psum[g] > row.
  __host__ __device__ __forceinline__ int32_t psum_group(uint32_t row, uint32_t& end) const {
    uint32_t lo = 0, hi = num_groups;
    while (lo < hi) {
      const uint32_t mid = (lo + hi) / 2;
      if (static_cast<uint32_t>(layout[mid]) > row) hi = mid;
      else lo = mid + 1;
    }
    if (lo == num_groups) return -1;  // past the last group's rows
    const uint32_t start = lo == 0 ? 0u : align_up<uint32_t>(static_cast<uint32_t>(layout[lo - 1]), 128);
    end = static_cast<uint32_t>(layout[lo]);
    return row >= start ? static_cast<int32_t>(lo) : -1;
  }
  // The expert of the tile starting at row m0 with `rows` rows; rows_masked when a row is not its.
  __host__ __device__ __forceinline__ int32_t contiguous_expert(uint32_t m0, uint32_t rows, bool& rows_masked, uint32_t& end) const {
    if (psum) {
      end = 0;
      const int32_t g = psum_group(m0, end);
      rows_masked = m0 + rows > end;
      return g;
    }
    // Two independent loads: the expert of the first and of the last row (padding is at the end
    // of an expert's segment, so the valid rows are a prefix).
    const int32_t expert = layout[m0];
    const int32_t last = layout[m0 + rows - 1];
    rows_masked = last != expert;
    end = m0 + rows;
    return expert;
  }

  enum class Slot { End, Tile, Skip };

  // The tile at `linear`. Masked calls must come with non-decreasing `linear` (forward cursor).
  // Host-callable for tools/check_invariants_grouped.cu.
  __host__ __device__ __forceinline__ Slot tile_at(uint32_t linear, MGroupedTile& t) {
    t.multicast = false;
    t.peer_alive = false;
    t.dummy = false;
    if constexpr (kContiguous) {
      if (linear >= raster.num_tiles) return Slot::End;
      raster.tile_coords(linear, t.m_block, t.n_block);
      const uint32_t m0 = t.m_block * BLOCK_M;
      t.rows = constexpr_min<uint32_t>(BLOCK_M, m - m0);
      bool masked_rows_in_tile = false;
      const int32_t expert = contiguous_expert(m0, t.rows, masked_rows_in_tile, t.row_end);
      const bool in_range = expert >= 0 && static_cast<uint32_t>(expert) < num_groups;
      if (expert >= 0 && !in_range) raise_flag(kFlagExpertOutOfRange);
      if (!in_range) {
        if constexpr (kClusterSize == 1) return Slot::Skip;
        t.dummy = true;  // keep the lock step: compute expert 0's B, write nothing
      }
      t.group = in_range ? static_cast<uint32_t>(expert) : 0u;
      t.rows_masked = t.dummy || masked_rows_in_tile;
      if constexpr (kClusterSize > 1) {
        const uint32_t peer = linear ^ 1u;
        t.peer_alive = peer < raster.num_tiles;
        if (t.peer_alive && !t.dummy) {
          uint32_t pm, pn;
          raster.tile_coords(peer, pm, pn);
          // Multicast B (clusterM): same N-block of the same expert. Multicast A (clusterN): same rows.
          uint32_t peer_end = 0;
          const int32_t peer_expert = psum ? psum_group(pm * BLOCK_M, peer_end) : layout[pm * BLOCK_M];
          const bool peer_real = peer_expert >= 0 && static_cast<uint32_t>(peer_expert) < num_groups;
          t.multicast = peer_real && (kClusterM > 1 ? pn == t.n_block && peer_expert == expert : pm == t.m_block);
        }
      }
      return Slot::Tile;
    } else {
      const uint32_t num_n_blocks = raster.num_n_blocks;
      while (group < num_groups) {
        if (!group_loaded) {
          group_rows = masked_rows(group);
          group_tiles = ceil_div<uint32_t>(group_rows, BLOCK_M) * num_n_blocks;
          group_loaded = true;
        }
        if (linear - group_first_tile < group_tiles) {
          raster.num_m_blocks = ceil_div<uint32_t>(group_rows, BLOCK_M);
          raster.num_tiles = group_tiles;
          raster.tile_coords(linear - group_first_tile, t.m_block, t.n_block);
          t.group = group;
          t.rows = constexpr_min<uint32_t>(BLOCK_M, group_rows - t.m_block * BLOCK_M);
          t.rows_masked = t.rows < BLOCK_M;
          if constexpr (kClusterSize > 1) {
            const uint32_t peer = linear ^ 1u;
            t.peer_alive = peer < total_tiles;
            // Only a peer tile of the same group can share memory; it is in this group iff its
            // index falls in the group's range (pairs straddle groups when a group's count is odd).
            if (t.peer_alive && peer - group_first_tile < group_tiles) {
              uint32_t pm, pn;
              raster.tile_coords(peer - group_first_tile, pm, pn);
              t.multicast = kClusterM > 1 ? pn == t.n_block : pm == t.m_block;
            }
          }
          return Slot::Tile;
        }
        group_first_tile += group_tiles;
        ++group;
        group_loaded = false;
      }
      return Slot::End;
    }
  }

  __device__ __forceinline__ bool next(MGroupedTile& t) {
    while (true) {  // only an unclustered contiguous schedule ever skips
      const uint32_t linear = step * gridDim.x + blockIdx.x;
      ++step;
      const Slot s = tile_at(linear, t);
      if (s != Slot::Skip) return s == Slot::Tile;
    }
  }

  __host__ __device__ __forceinline__ uint32_t num_k_blocks(const MGroupedTile&) const { return num_k_blocks_; }
  // No split-K for the grouped kinds: every CTA runs all of K (the 1D2D kernel's split-K interface).
  __host__ __device__ __forceinline__ uint32_t total_k_blocks() const { return num_k_blocks_; }
  __host__ __device__ __forceinline__ uint32_t split_rank() const { return 0; }
  __host__ __device__ __forceinline__ uint32_t k_block_begin(const MGroupedTile&) const { return 0; }
  // Rows of A (and D) in their tensor maps: contiguous rows are global, masked rows are g * Mmax + row.
  __host__ __device__ __forceinline__ uint32_t a_row(const MGroupedTile& t) const {
    return (kContiguous ? 0u : t.group * m) + t.m_block * BLOCK_M;
  }
  __host__ __device__ __forceinline__ uint32_t d_row(const MGroupedTile& t) const { return a_row(t); }
  __host__ __device__ __forceinline__ uint32_t b_row(const MGroupedTile& t) const { return t.group * n + t.n_block * BLOCK_N; }
  __host__ __device__ __forceinline__ uint32_t sfb_block_row(const MGroupedTile& t) const {
    return t.group * n_scale_blocks + t.n_block * BLOCK_N / 128;
  }
  // The 1D2D kernel computes a wave when m_block * BLOCK_M + (its first row) < valid_rows.
  __host__ __device__ __forceinline__ uint32_t valid_rows(const MGroupedTile& t, uint32_t) const {
    return t.m_block * BLOCK_M + t.rows;
  }
  // Whether row r (0-based inside the tile) of a rows_masked tile is written.
  __host__ __device__ __forceinline__ bool row_valid(const MGroupedTile& t, uint32_t r) const {
    if (r >= t.rows || t.dummy) return false;
    if constexpr (kContiguous) {
      if (psum) return t.m_block * BLOCK_M + r < t.row_end;
      return layout[t.m_block * BLOCK_M + r] == static_cast<int32_t>(t.group);
    }
    else return true;
  }
};

// The scheduler (and its tile type) of each GemmType for the 1D2D kernel (split-K: Normal only).
template <GemmType kGemmType, uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kClusterM, uint32_t kClusterN, uint32_t kNumSMs,
          uint32_t kSplitK = 1>
struct SchedulerFor {
  using type = Scheduler<kGemmType, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs, kSplitK>;
  using Tile = TileInfo;
};
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kClusterM, uint32_t kClusterN, uint32_t kNumSMs, uint32_t kSplitK>
struct SchedulerFor<GemmType::MGroupedContiguous, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs, kSplitK> {
  static_assert(kSplitK == 1, "rule split-k: the M-grouped kinds do not split K");
  using type = MGroupedScheduler<GemmType::MGroupedContiguous, BLOCK_M, BLOCK_N, kNumSMs, kClusterM, kClusterN>;
  using Tile = MGroupedTile;
};
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kClusterM, uint32_t kClusterN, uint32_t kNumSMs, uint32_t kSplitK>
struct SchedulerFor<GemmType::MGroupedMasked, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs, kSplitK> {
  static_assert(kSplitK == 1, "rule split-k: the M-grouped kinds do not split K");
  using type = MGroupedScheduler<GemmType::MGroupedMasked, BLOCK_M, BLOCK_N, kNumSMs, kClusterM, kClusterN>;
  using Tile = MGroupedTile;
};

}  // namespace fp8lab
