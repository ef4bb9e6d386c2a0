// Tile scheduler of the M-grouped 1D2D kinds (MoE): GemmType::MGroupedContiguous and
// GemmType::MGroupedMasked. Same interface as the normal Scheduler (next, num_k_blocks, a_row,
// b_row, d_row, sfb_block_row, valid_rows), so the 1D2D kernel only swaps the type; plus what the
// row-masked epilogue needs (Tile::rows_masked, row_valid). No clusters for these kinds.
//
// Contiguous: A [ΣM, K] (experts back to back, each padded to the M alignment 128), grouped_layout
//   [ΣM] int32 = the row's expert or -1 for padding. Tiles are the normal raster over ΣM rows; a
//   tile's expert is the one of its first row (BLOCK_M <= 128 divides the alignment, so a tile never
//   holds two experts); tiles whose first row is -1 (all padding, BLOCK_M 64) or out of range are
//   skipped. B rows of expert e start at e * N; SFB block rows at e * ceil(N/128). Padding rows at
//   a tile's end are computed but not written: such a tile is `rows_masked` and stored row by row.
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
};

template <GemmType kGemmType, uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kNumSMs>
struct MGroupedScheduler {
  static_assert(kGemmType == GemmType::MGroupedContiguous || kGemmType == GemmType::MGroupedMasked,
                "the M-grouped scheduler walks contiguous or masked problems");
  static_assert(kGemmType != GemmType::MGroupedContiguous || 128 % BLOCK_M == 0,
                "rule contiguous-block-m: BLOCK_M must divide the contiguous M alignment (128)");
  using Raster = Scheduler<GemmType::Normal, BLOCK_M, BLOCK_N, 1, 1, kNumSMs>;
  static constexpr bool kContiguous = kGemmType == GemmType::MGroupedContiguous;

  Raster raster;            // contiguous: over ΣM rows; masked: re-aimed at each group's row count
  const int32_t* layout;    // contiguous: expert per row; masked: masked_m per group
  uint32_t* flags;
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
  uint32_t step = 0;

  __host__ __device__ __forceinline__ explicit MGroupedScheduler(const GemmArgs& args) : raster(args) {
    layout = args.grouped_layout;
    flags = args.flags;
    m = args.m;
    n = args.n;
    num_groups = args.num_groups;
    num_k_blocks_ = args.k / 128;
    n_scale_blocks = ceil_div<uint32_t>(args.n, 128);
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

  enum class Slot { End, Tile, Skip };

  // The tile at `linear`. Masked calls must come with non-decreasing `linear` (forward cursor).
  // Host-callable for tools/check_invariants_grouped.cu.
  __host__ __device__ __forceinline__ Slot tile_at(uint32_t linear, MGroupedTile& t) {
    t.multicast = false;
    t.peer_alive = false;
    if constexpr (kContiguous) {
      if (linear >= raster.num_tiles) return Slot::End;
      raster.tile_coords(linear, t.m_block, t.n_block);
      const uint32_t m0 = t.m_block * BLOCK_M;
      t.rows = constexpr_min<uint32_t>(BLOCK_M, m - m0);
      // Two independent loads: the expert of the first and of the last row (padding is at the end
      // of an expert's segment, so the valid rows are a prefix).
      const int32_t expert = layout[m0];
      const int32_t last = layout[m0 + t.rows - 1];
      if (expert < 0) return Slot::Skip;
      if (static_cast<uint32_t>(expert) >= num_groups) {
        raise_flag(kFlagExpertOutOfRange);
        return Slot::Skip;
      }
      t.group = static_cast<uint32_t>(expert);
      t.rows_masked = last != expert;
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
    while (true) {
      const uint32_t linear = step * gridDim.x + blockIdx.x;
      ++step;
      const Slot s = tile_at(linear, t);
      if (s != Slot::Skip) return s == Slot::Tile;
    }
  }

  __host__ __device__ __forceinline__ uint32_t num_k_blocks(const MGroupedTile&) const { return num_k_blocks_; }
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
    if (r >= t.rows) return false;
    if constexpr (kContiguous) return layout[t.m_block * BLOCK_M + r] == static_cast<int32_t>(t.group);
    else return true;
  }
};

// The scheduler (and its tile type) of each GemmType for the 1D2D kernel.
template <GemmType kGemmType, uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kClusterM, uint32_t kClusterN, uint32_t kNumSMs>
struct SchedulerFor {
  using type = Scheduler<kGemmType, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs>;
  using Tile = TileInfo;
};
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kClusterM, uint32_t kClusterN, uint32_t kNumSMs>
struct SchedulerFor<GemmType::MGroupedContiguous, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs> {
  using type = MGroupedScheduler<GemmType::MGroupedContiguous, BLOCK_M, BLOCK_N, kNumSMs>;
  using Tile = MGroupedTile;
};
template <uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kClusterM, uint32_t kClusterN, uint32_t kNumSMs>
struct SchedulerFor<GemmType::MGroupedMasked, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs> {
  using type = MGroupedScheduler<GemmType::MGroupedMasked, BLOCK_M, BLOCK_N, kNumSMs>;
  using Tile = MGroupedTile;
};

}  // namespace fp8lab
