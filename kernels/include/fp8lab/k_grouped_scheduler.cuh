// Persistent tile scheduler of the FP32-output K-grouped GEMMs -- the FP8 1D1D kernel (BLOCK_K 128)
// and the BF16 kernel (BLOCK_K 64): GemmType::Normal (one GEMM, 1D1D only) and GemmType::KGrouped
// (G GEMMs with the same M and N and their own K_g, each a multiple of BLOCK_K).
//
// Every CTA walks linear tile indices blockIdx.x, blockIdx.x + gridDim.x, ... over the tiles of the
// non-empty groups in group order: group g owns tiles [first_g, first_g + T) where T is the tile
// count of one M x N problem, and groups with K_g = 0 own none (they are skipped, so D_g keeps C_g).
// Inside a group the (m_block, n_block) order is the normal Scheduler's L2 rasterisation (reused,
// not copied). Because a CTA's linear indices only grow, the group cursor (group index, first tile,
// and the K-block offset sum(K_<g) / BLOCK_K of that group in the concatenated K dimension) only moves
// forward: reading grouped_layout[g] once per group per CTA, no prefix-sum pass.
//
// K-grouped storage (see kernels/README.md): the groups are concatenated along K, so group g's
// K-block kb is K-block (k_block_offset + kb) of the one big A [M, sum K] / B [N, sum K] / SFA / SFB
// tensor map.
//
// Clusters of 2 (the 1D1D kernel's multicast; kClusterM = 2 shares B, kClusterN = 2 shares A): the
// CTAs of a cluster are blockIdx.x = 2c and 2c + 1, so at every step their linear indices are i and
// i ^ 1. The host admits a cluster only where the block count along the multicast's partner dimension
// is even (M blocks for clusterM = 2, N blocks for clusterN = 2; pairs_share_multicast_block). Then a
// group's tile count is even, so i and i ^ 1 always fall in the same group (same K-blocks), and inside
// it the rasterisation (even groups of the fast dimension, which is that dimension) puts them on the
// same block of the shared operand. Every step has both tiles and both share: the kernel's two CTAs
// run in lockstep with no per-tile verdict, which a group boundary between them would break.
//
// Tail split (kTailSplit, clusters of 1): when the tiles do not fill the last wave, the tiles of that
// wave are split along K into `tail_parts` pieces, so the grid's idle SMs take pieces instead of
// waiting. D += A·Bᵀ adds over K and every piece is reduce-added onto D like a whole tile, so nothing
// else changes; the pieces of one tile add in no fixed order, so those outputs may differ in their
// last bits from one run to the next.
#pragma once
#include "fp8lab/scheduler.cuh"

namespace fp8lab {

struct KGroupedTile {
  uint32_t m_block;
  uint32_t n_block;
  uint32_t group;           // D's group coordinate (0 for Normal)
  uint32_t k_block_offset;  // first K-block of this group in the concatenated K dimension
  uint32_t num_k_blocks;    // K_g / BLOCK_K (> 0: empty groups have no tiles)
  // Clusters of 1: no multicast partner (for kernels written against the cluster-aware TileInfo).
  static constexpr bool multicast = false;
  static constexpr bool peer_alive = false;
};

// A tile of a cluster of 2: the peer always has a tile of the same group sharing the multicast block.
struct KGroupedPairTile : KGroupedTile {
  static constexpr bool multicast = true;
  static constexpr bool peer_alive = true;
};

template <bool kPaired>
struct KGroupedTileFor {
  using type = KGroupedTile;
};
template <>
struct KGroupedTileFor<true> {
  using type = KGroupedPairTile;
};

template <GemmType kGemmType, uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kNumSMs, uint32_t BLOCK_K, uint32_t kClusterM = 1,
          uint32_t kClusterN = 1, bool kTailSplitRequested = false>
struct KGroupedScheduler {
  static_assert(kGemmType == GemmType::Normal || kGemmType == GemmType::KGrouped,
                "the K-grouped scheduler walks Normal or KGrouped problems");
  static constexpr uint32_t kClusterDimM = kClusterM;
  static constexpr uint32_t kClusterDimN = kClusterN;
  static constexpr uint32_t kClusterSize = kClusterM * kClusterN;
  static_assert(kClusterSize == 1 || kClusterSize == 2, "clusters of 1 or 2 CTAs");
  using Tile = typename KGroupedTileFor<(kClusterSize > 1)>::type;
  // One group's (m_block, n_block) rasterisation: the normal scheduler's, whose fast dimension is the
  // shared operand's partner (M for clusterM = 2) in even groups.
  using Raster = Scheduler<GemmType::Normal, BLOCK_M, BLOCK_N, kClusterM, kClusterN, kNumSMs>;
  // A cluster's pair must run the same K-blocks, which pieces of a split tile would not.
  static constexpr bool kTailSplit = kTailSplitRequested && kClusterSize == 1;
  // A piece keeps at least this many K-blocks, so its epilogue (a whole tile's reduce-add) stays small
  // beside its math.
  static constexpr uint32_t kMinPieceKBlocks = 4;

  Raster raster;
  uint32_t tiles_per_group;
  uint32_t num_groups;
  const int32_t* group_k;     // KGrouped: K_g per group (grouped_layout); unused for Normal
  uint32_t normal_k_blocks;   // Normal: K / BLOCK_K
  // Cursor: the group holding the last tile returned, its first linear tile and K-block offset.
  uint32_t group = 0;
  uint32_t group_first_tile = 0;
  uint32_t k_block_offset = 0;
  uint32_t step = 0;
  // Tail split: the first linear tile of the split wave, and the pieces per tile (1: no split).
  uint32_t tail_first = 0xffffffffu;
  uint32_t tail_parts = 1;

  // grid_ctas: the persistent grid (gridDim.x; the compiled SM count unless a check walks others).
  __host__ __device__ __forceinline__ explicit KGroupedScheduler(const GemmArgs& args, uint32_t grid_ctas = kNumSMs) : raster(args) {
    tiles_per_group = raster.num_tiles;
    num_groups = kGemmType == GemmType::KGrouped ? args.num_groups : 1;
    group_k = args.grouped_layout;
    normal_k_blocks = args.k / BLOCK_K;
    if constexpr (kTailSplit) plan_tail_split(grid_ctas);
  }

  // The last wave's `rem` tiles become grid / rem pieces each (at most one piece per
  // kMinPieceKBlocks K-blocks of the shortest non-empty group), when that is at least 2.
  __host__ __device__ __forceinline__ void plan_tail_split(uint32_t grid_ctas) {
    uint32_t total = 0, min_kb = 0xffffffffu;
    for (uint32_t g = 0; g < num_groups; ++g) {
      const uint32_t kb = group_k_blocks(g);
      if (kb == 0) continue;
      total += tiles_per_group;
      min_kb = kb < min_kb ? kb : min_kb;
    }
    const uint32_t rem = total % grid_ctas;
    if (rem == 0) return;
    uint32_t parts = grid_ctas / rem;
    const uint32_t most = min_kb / kMinPieceKBlocks;
    parts = parts < most ? parts : most;
    if (parts < 2) return;
    tail_parts = parts;
    tail_first = total - rem;
  }

  // Clusters: the block count along the multicast's partner dimension must be even (see the top);
  // the host refuses other shapes, the kernel traps on one that slipped through.
  __host__ __device__ __forceinline__ static bool pairs_share_multicast_block(const GemmArgs& args) {
    if constexpr (kClusterM > 1) return ceil_div(args.m, BLOCK_M) % 2 == 0;
    if constexpr (kClusterN > 1) return ceil_div(args.n, BLOCK_N) % 2 == 0;
    return true;
  }

  // K-blocks of group g; a negative or partial K_g (rejected by the host) never reads past it.
  __host__ __device__ __forceinline__ uint32_t group_k_blocks(uint32_t g) const {
    if constexpr (kGemmType == GemmType::Normal) {
      return normal_k_blocks;
    } else {
      const int32_t k = group_k[g];
      return k > 0 ? static_cast<uint32_t>(k) / BLOCK_K : 0;
    }
  }

  // The tile at `linear`; false past the last tile. Calls must come with non-decreasing `linear`
  // (the cursor only moves forward). Host-callable for tools/check_invariants_1d1d.cu and
  // tools/check_invariants_bf16.cu.
  __host__ __device__ __forceinline__ bool tile_at(uint32_t linear, KGroupedTile& tile) {
    // Tail split: linear indices past tail_first name (tile, piece) pairs, tail_parts per tile.
    uint32_t piece = 0;
    if constexpr (kTailSplit) {
      if (linear >= tail_first) {
        piece = (linear - tail_first) % tail_parts;
        linear = tail_first + (linear - tail_first) / tail_parts;
      }
    }
    while (group < num_groups) {
      const uint32_t kb = group_k_blocks(group);
      const uint32_t count = kb > 0 ? tiles_per_group : 0;
      if (linear - group_first_tile < count) {
        tile.group = group;
        tile.k_block_offset = k_block_offset;
        tile.num_k_blocks = kb;
        raster.tile_coords(linear - group_first_tile, tile.m_block, tile.n_block);
        if constexpr (kTailSplit) {
          if (linear >= tail_first) {
            // Piece p of the tile: K-blocks [p·kb/parts, (p+1)·kb/parts) of its group.
            const uint32_t lo = piece * kb / tail_parts, hi = (piece + 1) * kb / tail_parts;
            tile.k_block_offset += lo;
            tile.num_k_blocks = hi - lo;
          }
        }
        return true;
      }
      group_first_tile += count;
      k_block_offset += kb;
      ++group;
    }
    return false;
  }

  __device__ __forceinline__ bool next(KGroupedTile& tile) {
    const uint32_t linear = step * gridDim.x + blockIdx.x;
    ++step;
    return tile_at(linear, tile);
  }

  // First rows of a tile in A's, B's and (within D's group plane) D's tensor maps: groups share M and
  // N, so only the K offset and D's plane (tile.group) move with the group.
  __device__ __forceinline__ uint32_t a_row(const KGroupedTile& t) const { return t.m_block * BLOCK_M; }
  __device__ __forceinline__ uint32_t b_row(const KGroupedTile& t) const { return t.n_block * BLOCK_N; }
  __device__ __forceinline__ uint32_t d_row(const KGroupedTile& t) const { return t.m_block * BLOCK_M; }
};

}  // namespace fp8lab
