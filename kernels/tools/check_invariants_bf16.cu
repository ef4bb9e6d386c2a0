// Host-side (CPU-only) checks of the BF16 GEMM's index arithmetic (impls/sm90_bf16_gemm.cuh), using
// the kernel's own host-callable pieces (d_offset, store_chunk, num_k_blocks, layout constants)
// against independent statements of the hardware rules (wgmma accumulator fragment, stmatrix lane
// roles, TMA swizzle) from check_harness.h; the K-grouped form's tile walk (the kernel's own Sched,
// BLOCK_K 64) with k_grouped_schedule_check.h; the ping-pong form's staging tiles, the ring
// position its warpgroups skip to, and its stage protocol (a model of producer, TMA and both
// warpgroups with the order barriers, under random interleavings); the split-K exchange buffer and
// the ranks' K shares; the D slab ring's buffers, per-box offsets and store-group protocol. Needs nvcc, no GPU:
//   nvcc -std=c++17 -O1 -I kernels/include -o /tmp/ci_bf16 kernels/tools/check_invariants_bf16.cu && /tmp/ci_bf16
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "fp8lab/impls/sm90_bf16_gemm.cuh"
#include "check_harness.h"
#include "k_grouped_schedule_check.h"

using namespace fp8lab;

// PP: ping-pong (2 math warpgroups, each on whole tiles); else cooperative (1 for BM 64, 2 otherwise).
template <uint32_t BM, uint32_t BN, uint32_t ST, uint32_t SD, Bf16Output O, bool PP = false>
using Bf16Kernel = Sm90Bf16Gemm<BM, BN, 64, ST, PP || BM != 64 ? 2 : 1, 1, 1, 128, 128, SD, 132, GemmType::Normal, O, PP>;

// ---- bf16 D: wgmma fragment -> stmatrix.x4 -> swizzled staging tile -> TMA store box ------------
template <uint32_t BM, uint32_t BN, uint32_t SD, bool PP = false>
static void check_epilogue_bf16() {
  using K = Bf16Kernel<BM, BN, 2, SD, Bf16Output::Bf16, PP>;
  constexpr uint32_t WG = K::kWarpgroupsPerTile;  // the warpgroups whose fragments fill one tile
  constexpr uint32_t kBytes = BM * BN * 2;
  std::vector<int> owner_row(kBytes / 2, -1), owner_col(kBytes / 2, -1);
  uint32_t conflicts = 0;
  for (uint32_t wave = 0; wave < K::kNumWaves; ++wave)
    for (uint32_t wg = 0; wg < WG; ++wg)
      for (uint32_t warp = 0; warp < 4; ++warp)
        for (uint32_t i = 0; i < K::kNumChunks; i += 2) {
          uint32_t addr[32];
          for (uint32_t lane = 0; lane < 32; ++lane) {
            // stage_bf16's formula: row (l % 16) of the warp's 16 rows, chunk i + l / 16.
            const uint32_t row = wave * K::WAVE_BLOCK_M + wg * 64 + warp * 16 + lane % 16;
            addr[lane] = K::d_offset(row, (i + lane / 16) * 8);
            CHECK(addr[lane] % 16 == 0, "stmatrix row address not 16-byte aligned");
          }
          for (uint32_t q = 0; q < 4; ++q) {
            conflicts += stmatrix_matrix_conflicts(addr, q);
            // Matrix q, row j, column c comes from lane 4j + c/2, register q, half c%2; the kernel packs
            // register q from accum[(i + q/2)*4 + (q%2)*2 + {0,1}].
            const uint32_t idx_base = (i + q / 2) * 4 + (q % 2) * 2;
            for (uint32_t j = 0; j < 8; ++j)
              for (uint32_t c = 0; c < 8; ++c) {
                const uint32_t src_lane = 4 * j + c / 2, idx = idx_base + c % 2;
                const uint32_t byte = addr[q * 8 + j] + c * 2;
                CHECK(byte < kBytes, "write outside the staging tile");
                CHECK(owner_row[byte / 2] == -1, "two elements stored at byte %u", byte);
                owner_row[byte / 2] = static_cast<int>(wave * K::WAVE_BLOCK_M + wg * 64 + warp * 16 + wgmma_fragment_row(src_lane, idx));
                owner_col[byte / 2] = static_cast<int>(wgmma_fragment_col(src_lane, idx));
              }
          }
        }
  constexpr uint32_t kSlabCols = K::TMA_D_BLOCK_N;
  for (uint32_t s = 0; s < K::kNumDStores; ++s)
    for (uint32_t r = 0; r < BM; ++r)
      for (uint32_t c = 0; c < kSlabCols; ++c) {
        const uint32_t byte = s * BM * kSlabCols * 2 + tma_swizzled_offset(r * kSlabCols * 2 + c * 2, SD);
        CHECK(owner_row[byte / 2] == static_cast<int>(r) && owner_col[byte / 2] == static_cast<int>(s * kSlabCols + c),
              "TMA reads (%u,%u) from byte %u holding fragment (%d,%d)", r, s * kSlabCols + c, byte, owner_row[byte / 2], owner_col[byte / 2]);
      }
  std::printf("bf16 D   %3ux%-3u%s swizzleD %3u: fragment -> stmatrix -> TMA box is the identity on all %u elements; %u bank conflicts\n",
              BM, BN, PP ? " ping-pong" : "", SD, BM * BN, conflicts);
  if (SD != 0) CHECK(conflicts == 0, "swizzled staging must be conflict-free");
}

// ---- fp32 D: wgmma fragment -> float2 st.shared -> swizzled staging tile -> TMA store / reduce ---
template <uint32_t BM, uint32_t BN, uint32_t SD, bool PP = false>
static void check_epilogue_fp32() {
  using K = Bf16Kernel<BM, BN, 2, SD, Bf16Output::Fp32Accumulate, PP>;
  constexpr uint32_t WG = K::kWarpgroupsPerTile;
  constexpr uint32_t kWords = BM * BN;
  std::vector<int> owner_row(kWords, -1), owner_col(kWords, -1);
  uint32_t worst = 0;
  for (uint32_t wave = 0; wave < K::kNumWaves; ++wave)
    for (uint32_t wg = 0; wg < WG; ++wg)
      for (uint32_t warp = 0; warp < 4; ++warp)
        for (uint32_t i = 0; i < K::kNumChunks; ++i)
          for (uint32_t half_row = 0; half_row < 2; ++half_row) {
            uint32_t addr[32];
            for (uint32_t lane = 0; lane < 32; ++lane) {
              // stage_fp32's formula: rows r0 and r0 + 8, chunk store_chunk(i, lane), columns 2(l%4) + {0,1}.
              const uint32_t row = wave * K::WAVE_BLOCK_M + wg * 64 + warp * 16 + lane / 4 + half_row * 8;
              const uint32_t chunk = K::store_chunk(i, lane);
              const uint32_t col = chunk * 8 + 2 * (lane % 4);
              addr[lane] = K::d_offset(row, col);
              CHECK(addr[lane] % 8 == 0 && K::d_offset(row, col + 1) == addr[lane] + 4, "float2 store not 8-byte aligned and adjacent");
              for (uint32_t e = 0; e < 2; ++e) {
                const uint32_t reg = chunk * 4 + half_row * 2 + e;
                const uint32_t word = addr[lane] / 4 + e;
                CHECK(word < kWords && owner_row[word] == -1, "word %u written twice or outside the tile", word);
                owner_row[word] = static_cast<int>(wave * K::WAVE_BLOCK_M + wg * 64 + warp * 16 + wgmma_fragment_row(lane, reg));
                owner_col[word] = static_cast<int>(wgmma_fragment_col(lane, reg));
              }
            }
            worst = std::max(worst, float2_store_wavefronts(addr));  // 64-bit stores, per half-warp
          }
  constexpr uint32_t kSlabCols = K::TMA_D_BLOCK_N;
  for (uint32_t s = 0; s < K::kNumDStores; ++s)
    for (uint32_t r = 0; r < BM; ++r)
      for (uint32_t c = 0; c < kSlabCols; ++c) {
        const uint32_t byte = s * BM * kSlabCols * 4 + tma_swizzled_offset(r * kSlabCols * 4 + c * 4, SD);
        CHECK(owner_row[byte / 4] == static_cast<int>(r) && owner_col[byte / 4] == static_cast<int>(s * kSlabCols + c),
              "TMA reads (%u,%u) from byte %u holding fragment (%d,%d)", r, s * kSlabCols + c, byte, owner_row[byte / 4], owner_col[byte / 4]);
      }
  std::printf("fp32 D   %3ux%-3u%s swizzleD %3u: fragment -> float2 stores -> TMA box is the identity on all %u elements; worst %u wavefront(s)\n",
              BM, BN, PP ? " ping-pong" : "", SD, kWords, worst);
  if (SD == 128) CHECK(worst == 1, "the 128-byte swizzle must make the fp32 staging stores conflict-free");
}

// ---- layout, K-blocks and the k16 slices of a stage ------------------------------------------------
template <uint32_t BM, uint32_t BN, uint32_t ST, Bf16Output O>
static void check_layout() {
  using K = Bf16Kernel<BM, BN, ST, (BN * (O == Bf16Output::Bf16 ? 2 : 4)) % 128 == 0 ? 128 : 32, O>;
  CHECK(K::SMEM_A_OFFSET % 1024 == 0 && K::SMEM_B_OFFSET % 1024 == 0, "A/B stages must start 1024-aligned (128-byte swizzle)");
  CHECK(K::SMEM_A_STAGE_BYTES == BM * 128 && K::SMEM_B_STAGE_BYTES == BN * 128, "a stage row is one 128-byte swizzle row");
  CHECK(K::kTmaBytesPerStage == (BM + BN) * 128, "expect_tx = both boxes, zero-filled parts included");
  CHECK(K::SMEM_BARRIER_OFFSET % 8 == 0 && K::smem_bytes(0) == K::smem_bytes(1u << 20), "barriers 8-aligned; size independent of K");
  // Four k16 slices of 32 bytes tile the 128-byte row: slice k reads bf16 elements [16k, 16k + 16).
  CHECK(K::WGMMA_K * K::kElemBytes * (64 / K::WGMMA_K) == 128, "the k16 slices must cover one 128-byte row exactly");
  // Every K is covered by whole 64-deep K-blocks (the last one zero-filled past K by the TMA).
  for (uint32_t k = 8; k <= 20000; k += 8) {
    const uint32_t kb = K::num_k_blocks(k);
    CHECK(kb * 64 >= k && (kb - 1) * 64 < k, "K = %u needs %u K-blocks", k, kb);
  }
  std::printf("layout   %3ux%-3u %u stages (%s D): 1024-aligned stages, expect_tx %u B, %u B total\n", BM, BN, ST,
              O == Bf16Output::Bf16 ? "bf16" : "fp32", K::kTmaBytesPerStage, K::kSmemFixedBytes);
}

// ---- ping-pong: one staging tile per warpgroup, and the ring position a warpgroup skips to -------
template <uint32_t BM, uint32_t BN, uint32_t ST, uint32_t SD = 128>
static void check_pingpong() {
  using P = Bf16Kernel<BM, BN, ST, SD, Bf16Output::Bf16, true>;
  using C = Bf16Kernel<BM, BN, 2, SD, Bf16Output::Bf16, false>;  // its one staging tile (any stage count)
  CHECK(P::kWarpgroupsPerTile == 1 && P::kTileThreads == 128 && P::kNumDTiles == 2, "ping-pong: a tile is one warpgroup's");
  CHECK(P::SMEM_D_BYTES == 2 * P::SMEM_D_TILE_BYTES && P::SMEM_D_TILE_BYTES == C::SMEM_D_BYTES, "one staging tile per warpgroup");
  CHECK(P::SMEM_A_OFFSET == P::SMEM_D_BYTES && P::SMEM_A_OFFSET % 1024 == 0, "the stages follow both staging tiles, 1024-aligned");
  CHECK(P::kNumWaves == BM / 64 && P::kNumWaves * P::kNumAccum <= P::kMaxAccum && P::kMaxAccum == 176,
        "a warpgroup covers the tile's rows in 64-row waves, within the ping-pong accumulator limit");
  // A warpgroup skipping the other's tile of n K-blocks lands where n single steps land.
  for (uint32_t start = 0; start < 2 * ST; ++start)
    for (uint32_t n = 0; n <= 4 * ST + 3; ++n) {
      PipelineState<ST> stepped, skipped;
      for (uint32_t i = 0; i < start; ++i) stepped.advance(), skipped.advance();
      for (uint32_t i = 0; i < n; ++i) stepped.advance();
      skipped.advance(n);
      CHECK(stepped.stage == skipped.stage && stepped.phase == skipped.phase, "advance(%u) from step %u disagrees", n, start);
    }
  std::printf("pingpong %3ux%-3u %u stages: 2 staging tiles of %u B, stages at %u; ring skips agree\n", BM, BN, ST,
              P::SMEM_D_TILE_BYTES, P::SMEM_A_OFFSET);
}

// ---- ping-pong: the stage protocol of producer, TMA and both warpgroups under random interleavings --
// A model of the mbarrier protocol the kernel runs (the full / empty barriers of the ring, TMA fills
// landing in any order, the kernel's own PipelineState for every ring position, and the K-loop order
// barriers), stepped by a random scheduler: each consumer wait must find the K-block of its own tile,
// no named barrier may take a second arrive before its wait, and every run must finish. With
// `ordered` false (no order barriers) it must find the fault the first device run hit.
struct PingpongModel {
  // mbarrier: phases completed; try_wait.parity(P) passes once the phase of parity P has completed,
  // i.e. while the current phase's parity differs from P (PTX ISA 9.1 §9.7.13.15.16).
  static bool passes(uint32_t completed, uint32_t parity) { return (completed & 1u) != parity; }
};

template <uint32_t ST>
static std::string run_pingpong_model(const std::vector<uint32_t>& tile_blocks, bool ordered, uint32_t seed) {
  struct Slot { int tile = -1, kb = -1; };
  std::vector<uint32_t> full_done(ST, 0), empty_done(ST, 0);
  std::vector<Slot> data(ST);
  std::vector<std::pair<uint32_t, Slot>> in_flight;  // TMA fills issued, not landed
  const uint32_t n = static_cast<uint32_t>(tile_blocks.size());
  // Producer: tile t, K-block kb, its ring position.
  uint32_t p_tile = 0, p_kb = 0;
  PipelineState<ST> p_pipe;
  // Consumers: where each is in the kernel's consume loop.
  struct Wg {
    uint32_t tile = 0, kb = 0;  // next tile of the schedule / K-block of the current tile
    bool in_tile = false, waited_order = false, final_sync = false, done = false;
    PipelineState<ST> pipe, previous;
  } wg[2];
  uint32_t order_arrivals[2] = {0, 0};  // pending bar.arrive on barrier 3 + w
  uint32_t rng = seed * 2654435761u + 12345u;
  auto rand = [&]() { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; };
  char msg[200];
  for (uint32_t step = 0; step < 200000; ++step) {
    if (p_tile == n && in_flight.empty() && wg[0].done && wg[1].done) {
      if (order_arrivals[0] || order_arrivals[1]) return "a named barrier is left half-arrived at exit";
      return "";
    }
    const uint32_t actor = rand() % 4;
    if (actor == 0 && p_tile < n) {  // producer: wait empty (parity phase ^ 1), issue the fill
      if (!PingpongModel::passes(empty_done[p_pipe.stage], p_pipe.phase ^ 1u)) continue;
      in_flight.push_back({p_pipe.stage, Slot{static_cast<int>(p_tile), static_cast<int>(p_kb)}});
      p_pipe.advance();
      if (++p_kb == tile_blocks[p_tile]) p_kb = 0, ++p_tile;
    } else if (actor == 1 && !in_flight.empty()) {  // a TMA fill lands (any of those in flight)
      const uint32_t i = rand() % in_flight.size();
      data[in_flight[i].first] = in_flight[i].second;
      ++full_done[in_flight[i].first];
      in_flight.erase(in_flight.begin() + i);
    } else if (actor >= 2) {
      const uint32_t w = actor - 2;
      Wg& g = wg[w];
      if (g.done) continue;
      if (!g.in_tile) {
        if (g.tile == n) {  // after the loop: the would-be owner of tile n takes the last arrive
          if (ordered && n > 0 && n % 2 == w) {
            if (order_arrivals[w] == 0) continue;
            --order_arrivals[w];
          }
          g.done = true;
          continue;
        }
        if (g.tile % 2 != w) {  // the other warpgroup's tile: skip its K-blocks
          g.pipe.advance(tile_blocks[g.tile]);
          ++g.tile;
          continue;
        }
        if (ordered && g.tile > 0 && !g.waited_order) {  // bar.sync 3 + w
          if (order_arrivals[w] == 0) continue;
          --order_arrivals[w];
          g.waited_order = true;
        }
        g.in_tile = true, g.kb = 0, g.previous = g.pipe;
        continue;
      }
      if (g.kb < tile_blocks[g.tile]) {  // wait full, check the K-block, release the previous one
        if (!PingpongModel::passes(full_done[g.pipe.stage], g.pipe.phase)) continue;
        const Slot got = data[g.pipe.stage];
        if (got.tile != static_cast<int>(g.tile) || got.kb != static_cast<int>(g.kb)) {
          std::snprintf(msg, sizeof msg, "warpgroup %u read tile %d K-block %d from stage %u for tile %u K-block %u", w,
                        got.tile, got.kb, g.pipe.stage, g.tile, g.kb);
          return msg;
        }
        if (g.kb > 0) ++empty_done[g.previous.stage], g.previous.advance();
        g.pipe.advance();
        ++g.kb;
        continue;
      }
      // End of the K-loop: open the other warpgroup's next K-loop, then release the last stage.
      if (ordered) {
        if (order_arrivals[1 - w] != 0) return "a second arrive on an order barrier before its wait";
        ++order_arrivals[1 - w];
      }
      ++empty_done[g.previous.stage];
      g.in_tile = false, g.waited_order = false;
      ++g.tile;
    }
  }
  return "no progress: the protocol deadlocked";
}

template <uint32_t ST>
static void check_pingpong_protocol() {
  const std::vector<std::vector<uint32_t>> schedules = {
      {}, {3}, {1, 1}, {33, 33}, {8, 8, 8}, {33, 33, 33, 33, 33}, {1, 1, 1, 1, 1, 1, 1}, {2, 9, 1, 16, 3, 5}, {64, 1, 64, 1}};
  uint32_t runs = 0;
  for (const auto& tiles : schedules)
    for (uint32_t seed = 0; seed < 300; ++seed, ++runs) {
      const std::string err = run_pingpong_model<ST>(tiles, true, seed);
      CHECK(err.empty(), "ping-pong protocol, %u stages, %zu tiles, seed %u: %s", ST, tiles.size(), seed, err.c_str());
    }
  // Without the order barriers a warpgroup that skipped ahead reads an older phase as its own.
  uint32_t faults = 0;
  for (uint32_t seed = 0; seed < 300; ++seed) faults += !run_pingpong_model<ST>({33, 33, 33}, false, seed).empty();
  CHECK(faults > 0, "the model must catch the unordered protocol (%u stages)", ST);
  std::printf("pingpong protocol, %u stages: %u random interleavings of producer, TMA and both warpgroups correct; "
              "unordered: %u of 300 runs read a wrong K-block\n", ST, runs, faults);
}

// ---- split-K: the exchange buffer's layout and slot indexing, and the ranks' K shares --------------
template <uint32_t BM, uint32_t BN, uint32_t ST, uint32_t S, Bf16Output O>
static void check_split_k() {
  using K = Sm90Bf16Gemm<BM, BN, 64, ST, BM == 64 ? 1 : 2, 1, 1, 128, 128, 128, 132, GemmType::Normal, O, false, S>;
  using One = Sm90Bf16Gemm<BM, BN, 64, ST, BM == 64 ? 1 : 2, 1, 1, 128, 128, 128, 132, GemmType::Normal, O, false>;
  CHECK(K::kCtasPerCluster == S, "split-K: the launch's cluster is the K ranks");
  CHECK(K::SMEM_BARRIER_OFFSET == One::SMEM_BARRIER_OFFSET, "split-K leaves the D tile and the stages where they were");
  CHECK(K::SMEM_EXCHANGE_OFFSET % 16 == 0 && K::SMEM_EXCHANGE_OFFSET >= K::SMEM_BARRIER_OFFSET + (2 * ST + 2) * 8,
        "the exchange buffer follows all 2 * stages + 2 barriers, 16-aligned for float4");
  CHECK(K::SMEM_EXCHANGE_SLOT_BYTES == BM * BN * 4 && K::kSmemFixedBytes == K::SMEM_EXCHANGE_OFFSET + (S - 1) * BM * BN * 4,
        "one fp32 BLOCK_M x BLOCK_N slot per rank > 0, at the end");
  // Every (wave, accumulator quad, thread) owns one float4 of a slot, and together they fill it.
  std::vector<int> owner(K::SMEM_EXCHANGE_SLOT_BYTES / 16, 0);
  for (uint32_t t = 0; t < K::kNumMathThreads; ++t)
    for (uint32_t w = 0; w < K::kNumWaves; ++w)
      for (uint32_t j = 0; j < K::kNumAccum / 4; ++j) {
        const uint32_t i = fp8lab::split_k_exchange_index<K::kNumAccum, K::kNumMathThreads>(w, j, t);
        CHECK(i < owner.size() && owner[i]++ == 0, "exchange float4 %u of thread %u wave %u quad %u is out of the slot or shared", i, t, w, j);
      }
  // The ranks' shares of kb K-blocks: contiguous, in rank order, covering [0, kb) once, sizes within one.
  for (uint32_t kb = 0; kb <= 300; ++kb) {
    CHECK(K::split_k_begin(0, kb) == 0 && K::split_k_begin(S, kb) == kb, "the shares of %u K-blocks must cover all of them", kb);
    for (uint32_t r = 0; r < S; ++r) {
      const uint32_t n = K::split_k_begin(r + 1, kb) - K::split_k_begin(r, kb);
      CHECK(K::split_k_begin(r + 1, kb) >= K::split_k_begin(r, kb) && n >= kb / S && n <= kb / S + 1,
            "rank %u of %u gets %u of %u K-blocks", r, S, n, kb);
    }
  }
  std::printf("split-K  %3ux%-3u %u stages x%u (%s D): exchange at %u, %u B per slot, %u B total; shares of 0..300 K-blocks ok\n", BM, BN,
              ST, S, O == Bf16Output::Bf16 ? "bf16" : "fp32", K::SMEM_EXCHANGE_OFFSET, K::SMEM_EXCHANGE_SLOT_BYTES, K::kSmemFixedBytes);
}

// ---- D slab ring: R box buffers instead of the whole staging tile --------------------------------
// A box staged alone (kOneSlab) lands where the whole-tile staging puts it, shifted to its buffer's
// start (so check_epilogue_*'s fragment -> TMA box identity holds box by box); the buffers replace the
// D tile in the layout; and the issuer's waits (wait_group.read R - 2 before each box's barrier, in the
// worst case where a store reads only when a wait forces it) free every buffer before it is restaged.
// With ping-pong (PP) each math warpgroup has a ring: the same protocol per warpgroup, two rings in the layout.
template <uint32_t BM, uint32_t BN, uint32_t ST, uint32_t SD, Bf16Output O, uint32_t R, bool PP = false>
static void check_slab_ring() {
  constexpr uint32_t W = PP || BM != 64 ? 2 : 1;
  using K = Sm90Bf16Gemm<BM, BN, 64, ST, W, 1, 1, 128, 128, SD, 132, GemmType::Normal, O, PP, 1, R>;
  using Whole = Sm90Bf16Gemm<BM, BN, 64, 2, W, 1, 1, 128, 128, SD, 132, GemmType::Normal, O, PP>;  // D bytes: any stage count
  constexpr uint32_t kBox = K::TMA_D_BLOCK_N;
  constexpr uint32_t kRings = PP ? 2 : 1;
  CHECK(K::kNumDTiles == kRings && K::kTileThreads == (PP ? 128 : 128 * W), "one ring per set of threads that share a tile");
  CHECK(K::SMEM_D_SLAB_BYTES == BM * kBox * K::kOutBytes && K::SMEM_D_SLAB_BYTES % 1024 == 0, "a buffer is one 1024-aligned store box");
  CHECK(K::SMEM_D_TILE_BYTES == R * K::SMEM_D_SLAB_BYTES && K::SMEM_D_BYTES == kRings * K::SMEM_D_TILE_BYTES &&
            K::SMEM_A_OFFSET == K::SMEM_D_BYTES,
        "the rings replace the D tiles before the stages");
  CHECK(Whole::SMEM_D_BYTES - K::SMEM_D_BYTES == kRings * (K::kNumDStores - R) * K::SMEM_D_SLAB_BYTES, "the ring frees the other boxes' bytes");
  for (uint32_t box = 0; box < K::kNumDStores; ++box)
    for (uint32_t r = 0; r < BM; ++r)
      for (uint32_t c = 0; c < kBox; ++c)
        CHECK(K::d_offset(r, c) + box * K::SMEM_D_SLAB_BYTES == K::d_offset(r, box * kBox + c),
              "box %u (%u,%u): staged alone at %u, in the whole tile at %u", box, r, c, K::d_offset(r, c), K::d_offset(r, box * kBox + c));
  if constexpr (O != Bf16Output::Bf16)
    for (uint32_t lane = 0; lane < 32; ++lane)
      for (uint32_t i = 0; i < K::kNumChunks; ++i) {
        const uint32_t first = i / K::kChunksPerSlab * K::kChunksPerSlab;
        CHECK(K::store_chunk(i, lane) >= first && K::store_chunk(i, lane) < first + K::kChunksPerSlab, "a swapped fp32 chunk leaves its box");
      }
  // Store groups: box g is stored (group g) after barrier g; before barrier g the issuer waits until at
  // most R - 2 groups still read. Box g + 1 is staged after barrier g into buffer (g + 1) % R.
  const uint32_t boxes = 5 * K::kNumDStores;  // five tiles: the ring runs on across tiles
  std::vector<bool> read_done(boxes, false);
  for (uint32_t g = 0; g < boxes; ++g) {
    // Staging box g: the store that last read its buffer (group g - R) must be done.
    if (g >= R) CHECK(read_done[g - R], "box %u restages buffer %u while store %u may still read it", g, g % R, g - R);
    // wait_group.read R - 2 before barrier g: groups 0 .. g - 1 issued, all but the last R - 2 done.
    for (uint32_t j = 0; j + (R - 2) < g; ++j) read_done[j] = true;
  }
  std::printf("ring     %3ux%-3u%s %u stages x%u (%s D, swizzleD %u): %u boxes of %u B, %u B total; buffers free before reuse\n", BM,
              BN, PP ? " pp" : "", ST, R, O == Bf16Output::Bf16 ? "bf16" : "fp32", SD, K::kNumDStores, K::SMEM_D_SLAB_BYTES,
              K::kSmemFixedBytes);
}

// ---- K-grouped: the kernel's scheduler (the 1D1D one at BLOCK_K 64) over K_g lists of 64s -------
template <uint32_t BM, uint32_t BN>
static void check_k_grouped() {
  using K = Sm90Bf16Gemm<BM, BN, 64, 3, BM == 64 ? 1 : 2, 1, 1, 128, 128, 128, 132, GemmType::KGrouped, Bf16Output::Fp32Accumulate, false>;
  static_assert(std::is_same_v<typename K::Sched, KGroupedScheduler<GemmType::KGrouped, BM, BN, 132, 64>>,
                "the K-grouped BF16 kernel walks the K-grouped scheduler at its BLOCK_K");
  static_assert(std::is_same_v<typename K::Tile, KGroupedTile>, "K-grouped tiles carry their group's K-blocks");
  // K_g = 64 (one K-block), groups of odd K-block counts (a 128-deep cursor would misplace them),
  // DeepGEMM's sm90 sizes (multiples of 128), empty groups first / inside / last, all empty.
  const std::vector<std::vector<int32_t>> lists = {
      {64}, {64, 0, 64}, {0, 192, 0, 64, 320, 0}, {0, 0, 0}, {8192, 6272, 10624, 7168},
      {2560, 1536, 2048, 1792, 2304, 2048, 1664, 2432, 2048, 1408, 2688, 2048, 1920, 2176, 2048, 0}, {4160, 64, 5952}};
  check_k_grouped_schedule_all<typename K::Sched, void, BM, BN, 64>(lists);
}

int main() {
  check_k_grouped<128, 128>();
  check_k_grouped<64, 256>();
  check_k_grouped<256, 64>();
  check_epilogue_bf16<64, 16, 32>();
  check_epilogue_bf16<64, 112, 32>();
  check_epilogue_bf16<64, 256, 128>();
  check_epilogue_bf16<128, 144, 32>();
  check_epilogue_bf16<128, 176, 32>();
  check_epilogue_bf16<128, 224, 64>();
  check_epilogue_bf16<128, 256, 128>();
  check_epilogue_bf16<256, 128, 128>();
  check_epilogue_bf16<256, 64, 0>();
  check_epilogue_fp32<64, 256, 128>();
  check_epilogue_fp32<128, 128, 128>();
  check_epilogue_fp32<128, 192, 128>();
  check_epilogue_fp32<128, 16, 64>();
  check_epilogue_fp32<256, 128, 128>();
  // fp32 tiles whose rows the 128-byte swizzle does not divide (the K-grouped heuristics pick them).
  check_epilogue_fp32<128, 176, 64>();
  check_epilogue_fp32<128, 112, 64>();
  check_epilogue_fp32<64, 80, 64>();
  check_layout<128, 256, 3, Bf16Output::Bf16>();
  check_layout<256, 128, 3, Bf16Output::Bf16>();
  check_layout<64, 16, 8, Bf16Output::Bf16>();
  check_layout<128, 192, 3, Bf16Output::Fp32Accumulate>();
  check_layout<128, 128, 5, Bf16Output::Fp32Accumulate>();
  check_epilogue_bf16<128, 128, 128, true>();
  check_epilogue_bf16<64, 256, 128, true>();
  check_epilogue_fp32<128, 128, 128, true>();
  check_pingpong<128, 128, 5>();
  check_pingpong<64, 256, 4>();
  check_pingpong<128, 176, 3, 32>();
  check_epilogue_bf16<128, 176, 32, true>();
  check_pingpong_protocol<2>();
  check_pingpong_protocol<3>();
  check_pingpong_protocol<5>();
  check_split_k<64, 64, 8, 2, Bf16Output::Bf16>();
  check_split_k<64, 64, 8, 4, Bf16Output::Fp32>();
  check_split_k<64, 128, 4, 4, Bf16Output::Fp32Accumulate>();
  check_split_k<128, 128, 4, 2, Bf16Output::Bf16>();
  check_split_k<256, 64, 3, 2, Bf16Output::Bf16>();
  check_slab_ring<128, 256, 4, 128, Bf16Output::Bf16, 2>();
  check_slab_ring<128, 256, 3, 128, Bf16Output::Bf16, 3>();
  check_slab_ring<128, 192, 4, 128, Bf16Output::Bf16, 2>();
  check_slab_ring<256, 128, 4, 64, Bf16Output::Bf16, 2>();
  check_slab_ring<64, 256, 5, 128, Bf16Output::Bf16, 2>();
  check_slab_ring<128, 128, 6, 128, Bf16Output::Fp32, 2>();
  check_slab_ring<64, 256, 5, 128, Bf16Output::Fp32Accumulate, 3>();
  check_slab_ring<128, 176, 5, 32, Bf16Output::Bf16, 2, true>();
  check_slab_ring<128, 176, 5, 32, Bf16Output::Bf16, 3, true>();
  check_slab_ring<128, 160, 5, 64, Bf16Output::Bf16, 2, true>();
  check_slab_ring<128, 128, 5, 128, Bf16Output::Fp32, 2, true>();
  std::printf("all %d checks passed\n", g_checks);
  return 0;
}
