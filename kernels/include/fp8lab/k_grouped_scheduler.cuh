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
          uint32_t kClusterN = 1>
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

  __host__ __device__ __forceinline__ explicit KGroupedScheduler(const GemmArgs& args) : raster(args) {
    tiles_per_group = raster.num_tiles;
    num_groups = kGemmType == GemmType::KGrouped ? args.num_groups : 1;
    group_k = args.grouped_layout;
    normal_k_blocks = args.k / BLOCK_K;
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
    while (group < num_groups) {
      const uint32_t kb = group_k_blocks(group);
      const uint32_t count = kb > 0 ? tiles_per_group : 0;
      if (linear - group_first_tile < count) {
        tile.group = group;
        tile.k_block_offset = k_block_offset;
        tile.num_k_blocks = kb;
        raster.tile_coords(linear - group_first_tile, tile.m_block, tile.n_block);
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
