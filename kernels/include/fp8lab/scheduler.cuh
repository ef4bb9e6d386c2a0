// Persistent tile scheduler with L2 rasterisation, cluster-aware.
//
// Every CTA walks the linear tile indices blockIdx.x, blockIdx.x + gridDim.x, ... A linear index is
// turned into (m_block, n_block) in swizzled groups: tiles are taken kGroupSize "1D blocks" at a
// time along the fast dimension, so the ~gridDim tiles in flight at once touch kGroupSize blocks of
// one operand and gridDim / kGroupSize of the other, which keeps both in L2.
//
// Clusters of 2 (multicast): the CTAs of a cluster are blockIdx.x = 2c and 2c + 1 (cluster dims
// (2,1,1), gridDim.x even), so at every step their linear indices are i and i ^ 1. Consecutive
// indices share the multicast operand's block when the raster runs along the other dimension and
// the group holds an even count. Rather than require that of every shape, each CTA computes its
// peer's tile as well and multicasts only when the two really share the block (both CTAs reach the
// same verdict, since the test is symmetric). `peer_alive` says whether the peer has a tile at this
// step at all (odd tile counts): consumers then release only their own CTA's stage.
//
// Grouped GEMM kinds plug in through the row-offset helpers (a_row, b_row, d_row, sfb_row) and
// num_k_blocks(); only GemmType::Normal is implemented now (the kernel static-asserts it).
#pragma once
#include "fp8lab/common/math.cuh"

namespace fp8lab {

struct TileInfo {
  uint32_t m_block;
  uint32_t n_block;
  bool multicast;   // the cluster's two CTAs share this step's multicast operand block
  bool peer_alive;  // the peer CTA has a tile at this step
};

// Split-K across a cluster (kSplitK = 2 or 4): the CTAs of a cluster take the same tile, each a
// contiguous share of its K-blocks; the kernel adds ranks 1..'s partial sums into rank 0's
// through distributed shared memory. For small-M shapes with few tiles this halves the bytes each
// SM must take in, which is what bounds them (kernels/README.md, Split-K across a cluster).
template <GemmType kGemmType, uint32_t BLOCK_M, uint32_t BLOCK_N, uint32_t kClusterM, uint32_t kClusterN,
          uint32_t kNumSMs, uint32_t kSplitK = 1>
struct Scheduler {
  static_assert(kSplitK == 1 || ((kSplitK == 2 || kSplitK == 4) && kClusterM * kClusterN == 1), "split-K uses the cluster: no multicast with it");
  static_assert(kGemmType == GemmType::Normal, "only GemmType::Normal is scheduled so far");
  static_assert(kClusterM * kClusterN <= 2, "clusters of at most 2 CTAs");
  static_assert(kNumSMs % (kClusterM * kClusterN) == 0, "the persistent grid must be a whole number of clusters");

  static constexpr uint32_t kClusterSize = kClusterM * kClusterN;
  // Multicast of A (clusterN = 2) needs neighbours in the same block row: raster along N.
  static constexpr bool kRasterAlongN = kClusterN > 1;
  static constexpr uint32_t kFastBlock = kRasterAlongN ? BLOCK_N : BLOCK_M;
  static constexpr uint32_t kSlowBlock = kRasterAlongN ? BLOCK_M : BLOCK_N;
  // L2 footprint of the tiles in flight: G fast blocks + ceil(SMs / G) slow blocks; pick G in {8, 16}.
  static constexpr uint32_t footprint(uint32_t g) { return g * kFastBlock + ceil_div(kNumSMs, g) * kSlowBlock; }
#ifndef FP8LAB_RASTER_GROUP
#define FP8LAB_RASTER_GROUP 0  // an experiment's fixed group size (FP8LAB_JIT_DEFINES); 0: by footprint
#endif
  static constexpr uint32_t kGroupSize = FP8LAB_RASTER_GROUP > 0 ? FP8LAB_RASTER_GROUP : footprint(16) < footprint(8) ? 16 : 8;
  static_assert(kGroupSize % 2 == 0, "even groups keep cluster pairs on one block");

  uint32_t num_m_blocks;
  uint32_t num_n_blocks;
  uint32_t num_tiles;
  uint32_t num_k_blocks_;
  uint32_t step = 0;

  __host__ __device__ __forceinline__ explicit Scheduler(const GemmArgs& args) {
    num_m_blocks = ceil_div(args.m, BLOCK_M);
    num_n_blocks = ceil_div(compiled_n(args), BLOCK_N);
    num_tiles = num_m_blocks * num_n_blocks;
    num_k_blocks_ = compiled_k(args) / 128;
  }

  // Linear tile index -> (m_block, n_block), rasterised in groups along the fast dimension.
  __host__ __device__ __forceinline__ void tile_coords(uint32_t linear, uint32_t& m_block, uint32_t& n_block) const {
    const uint32_t num_fast = kRasterAlongN ? num_n_blocks : num_m_blocks;
    const uint32_t num_slow = kRasterAlongN ? num_m_blocks : num_n_blocks;
    const uint32_t tiles_per_group = num_slow * kGroupSize;
    const uint32_t group = linear / tiles_per_group;
    const uint32_t first_fast = group * kGroupSize;
    const uint32_t in_group = linear - group * tiles_per_group;
    const uint32_t fast_in_group = constexpr_min(kGroupSize, num_fast - first_fast);
    const uint32_t fast = first_fast + in_group % fast_in_group;
    const uint32_t slow = in_group / fast_in_group;
    m_block = kRasterAlongN ? slow : fast;
    n_block = kRasterAlongN ? fast : slow;
  }

  // The tile at a linear index, with the cluster peer's verdicts; false past the last tile.
  // Host-callable so tools/check_invariants.cu can walk the real schedule on the CPU.
  __host__ __device__ __forceinline__ bool tile_at(uint32_t linear, TileInfo& tile) const {
    if (linear >= num_tiles) return false;
    tile_coords(linear, tile.m_block, tile.n_block);
    tile.multicast = false;
    tile.peer_alive = false;
    if constexpr (kClusterSize > 1) {
      const uint32_t peer = linear ^ 1u;
      tile.peer_alive = peer < num_tiles;
      if (tile.peer_alive) {
        uint32_t peer_m, peer_n;
        tile_coords(peer, peer_m, peer_n);
        tile.multicast = kClusterM > 1 ? peer_n == tile.n_block : peer_m == tile.m_block;
      }
    }
    return true;
  }

  // Next tile of this CTA; false when it has none left.
  __device__ __forceinline__ bool next(TileInfo& tile) {
    const uint32_t linear = step * (gridDim.x / kSplitK) + blockIdx.x / kSplitK;
    ++step;
    return tile_at(linear, tile);
  }

  // K-blocks of the whole problem (B-scale rows are this long), and this CTA's share of them.
  __device__ __forceinline__ uint32_t total_k_blocks() const { return num_k_blocks_; }
  __device__ __forceinline__ uint32_t split_rank() const { return kSplitK == 1 ? 0 : blockIdx.x % kSplitK; }
  // Rank r runs K-blocks [r * kb / kSplitK, (r + 1) * kb / kSplitK): shares differ by at most one.
  __device__ __forceinline__ uint32_t k_block_begin(const TileInfo&) const { return split_rank() * num_k_blocks_ / kSplitK; }
  __device__ __forceinline__ uint32_t num_k_blocks(const TileInfo& t) const {
    if constexpr (kSplitK == 1) return num_k_blocks_;
    return (split_rank() + 1) * num_k_blocks_ / kSplitK - k_block_begin(t);
  }
  // First row of the tile in A's / D's tensor map, and in B's; SFB row (128-column block) offset.
  __device__ __forceinline__ uint32_t a_row(const TileInfo& t) const { return t.m_block * BLOCK_M; }
  __device__ __forceinline__ uint32_t d_row(const TileInfo& t) const { return t.m_block * BLOCK_M; }
  __device__ __forceinline__ uint32_t b_row(const TileInfo& t) const { return t.n_block * BLOCK_N; }
  __device__ __forceinline__ uint32_t sfb_block_row(const TileInfo& t) const { return t.n_block * BLOCK_N / 128; }
  // Rows of A that belong to this tile's problem (Normal: M); rows past it are not computed.
  __device__ __forceinline__ uint32_t valid_rows(const TileInfo&, uint32_t m) const { return m; }
};

}  // namespace fp8lab
