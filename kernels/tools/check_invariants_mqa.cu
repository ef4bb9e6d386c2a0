// Host-side (CPU-only) checks of the MQA-logits kernels' index arithmetic, using their own
// host-callable pieces against independent statements:
//  - the paged schedule (request_pages, paged_run_start, PagedUnitCursor): every (request, split)
//    unit of every request with keys is walked exactly once, by one CTA, in order, and the runs
//    differ in length by at most one unit;
//  - the epilogue on the wgmma fragment (common/mqa_fragment.cuh, the loops of both kernels): the
//    registers a quad sums for query q are exactly q's heads, each once, each with its own weight,
//    and the quad's stores write every (query, key row) once. Needs nvcc, no GPU:
//   nvcc -std=c++17 -O1 -I kernels/include -o /tmp/cimqa kernels/tools/check_invariants_mqa.cu && /tmp/cimqa
// Prints one line per group of checks and exits non-zero on the first failure.
#include <cstdio>
#include <random>
#include <vector>

#include "fp8lab/impls/sm90_fp8_mqa_logits.cuh"
#include "fp8lab/impls/sm90_fp8_paged_mqa_logits.cuh"
#include "check_harness.h"

using namespace fp8lab;

constexpr uint32_t kPagesPerSplit = 4;  // four math warpgroups

// One batch: the metadata kernel's result computed with its own run-start function over an
// independently built prefix sum, then every CTA's cursor walked.
static void check_batch(const std::vector<int32_t>& ctx, uint32_t next_n, uint32_t num_sms) {
  const uint32_t batch = static_cast<uint32_t>(ctx.size() / next_n);
  // Independent statement of the units: ceil(ceil(max_t ctx / 64) / 4) per request.
  std::vector<uint32_t> units(batch), prefix(batch);
  uint32_t total = 0;
  for (uint32_t b = 0; b < batch; ++b) {
    int32_t longest = 0;
    for (uint32_t t = 0; t < next_n; ++t) longest = std::max(longest, ctx[b * next_n + t]);
    const uint32_t pages = (static_cast<uint32_t>(std::max(longest, 0)) + 63) / 64;
    CHECK(request_pages(ctx.data(), next_n, b) == pages, "request %u: request_pages %u, expected %u", b, request_pages(ctx.data(), next_n, b), pages);
    units[b] = (pages + kPagesPerSplit - 1) / kPagesPerSplit;
    total += units[b];
    prefix[b] = total;
  }
  std::vector<uint32_t> schedule(2 * (num_sms + 1));
  for (uint32_t c = 0; c <= num_sms; ++c) paged_run_start(prefix.data(), batch, c, num_sms, schedule[2 * c], schedule[2 * c + 1]);
  CHECK(schedule[2 * num_sms] == batch && schedule[2 * num_sms + 1] == 0, "the end marker is (%u, %u), expected (%u, 0)",
        schedule[2 * num_sms], schedule[2 * num_sms + 1], batch);

  std::vector<uint32_t> seen(total, 0);
  uint32_t longest_run = 0, shortest_run = ~0u;
  uint64_t last_unit = 0;
  bool any = false;
  for (uint32_t c = 0; c < num_sms; ++c) {
    PagedUnitCursor<kPagesPerSplit> cursor(ctx.data(), next_n, batch, schedule.data(), c);
    uint32_t run = 0;
    for (; !cursor.done(); cursor.advance()) {
      CHECK(cursor.request < batch, "CTA %u walked past the batch", c);
      CHECK(cursor.split < units[cursor.request], "CTA %u: request %u split %u of %u", c, cursor.request, cursor.split, units[cursor.request]);
      CHECK(cursor.pages == request_pages(ctx.data(), next_n, cursor.request), "CTA %u: stale page count", c);
      const uint64_t unit = (cursor.request > 0 ? prefix[cursor.request - 1] : 0) + cursor.split;
      CHECK(!any || unit == last_unit + 1, "CTA %u: unit %llu after %llu (runs must tile the units in order)", c,
            static_cast<unsigned long long>(unit), static_cast<unsigned long long>(last_unit));
      ++seen[unit];
      last_unit = unit;
      any = true;
      CHECK(++run <= total, "CTA %u does not stop", c);
    }
    longest_run = std::max(longest_run, run);
    shortest_run = std::min(shortest_run, run);
  }
  for (uint32_t u = 0; u < total; ++u) CHECK(seen[u] == 1, "unit %u walked %u times", u, seen[u]);
  CHECK(longest_run - shortest_run <= 1, "runs of %u and %u units: the cut is not even", shortest_run, longest_run);
}

// The head sum and the stores of one quad, as the kernels' loops run them: register 4i + e of lane t
// (i over the query's kChunksPerQuery chunks), with the weight at mqa_weight_column(i, t, e); then
// store step n of lane t writes mqa_store_slot(n, t). Checked against the fragment rule of
// check_harness.h: the column a register holds is (query, head) = (col / heads, col % heads).
static void check_epilogue(uint32_t queries, uint32_t heads) {
  const uint32_t n_cols = queries * heads, chunks_per_query = heads / 8, values = 2 * queries;
  const uint32_t stores_per_lane = (values + 3) / 4;
  for (uint32_t q = 0; q < queries; ++q) {
    for (uint32_t half = 0; half < 2; ++half) {
      std::vector<uint32_t> summed(heads, 0);
      for (uint32_t t = 0; t < 4; ++t) {
        for (uint32_t c = 0; c < chunks_per_query; ++c) {
          const uint32_t i = q * chunks_per_query + c;
          for (uint32_t e = 0; e < 2; ++e) {
            const uint32_t reg = 4 * i + 2 * half + e;  // accum[4i + 0/1] row r0, accum[4i + 2/3] row r0 + 8
            const uint32_t lane = t;                     // any lane with lane % 4 == t
            const uint32_t col = wgmma_fragment_col(lane, reg);
            CHECK(wgmma_fragment_row(lane, reg) == lane / 4 + 8 * half, "register %u is not in row half %u", reg, half);
            CHECK(col < n_cols && col / heads == q, "query %u sums column %u (query %u)", q, col, col / heads);
            CHECK(mqa_weight_column(i, t, e) == col, "register %u of lane %u: weight column %u, value column %u", reg, t,
                  mqa_weight_column(i, t, e), col);
            ++summed[col % heads];
          }
        }
      }
      for (uint32_t h = 0; h < heads; ++h) CHECK(summed[h] == 1, "query %u row half %u: head %u summed %u times", q, half, h, summed[h]);
    }
  }
  std::vector<uint32_t> stored(values, 0);
  for (uint32_t n = 0; n < stores_per_lane; ++n) {
    for (uint32_t t = 0; t < 4; ++t) {
      const MqaStoreSlot slot = mqa_store_slot(n, t, values);
      if (!slot.live) continue;
      CHECK(slot.query < queries && slot.half < 2, "store %u of lane %u goes to query %u half %u", n, t, slot.query, slot.half);
      CHECK(2 * slot.query + slot.half == 4 * n + t, "lane %u stores value %u as (query %u, half %u)", t, 4 * n + t, slot.query, slot.half);
      ++stored[2 * slot.query + slot.half];
    }
  }
  for (uint32_t v = 0; v < values; ++v) CHECK(stored[v] == 1, "value %u (query %u, half %u) stored %u times", v, v / 2, v % 2, stored[v]);
}

int main() {
  // The plain kernel's blocks (BLOCK_Q = 128 / heads) and the paged kernel's next_n x heads <= 128.
  check_epilogue(Sm90Fp8MqaLogits<64, 128, 3, 3, 4>::BLOCK_Q, 64);
  check_epilogue(Sm90Fp8MqaLogits<32, 128, 3, 3, 4>::BLOCK_Q, 32);
  for (uint32_t next_n : {1u, 2u}) check_epilogue(next_n, 64);
  for (uint32_t next_n : {1u, 2u, 3u, 4u}) check_epilogue(next_n, 32);
  std::printf("epilogue: every head summed once with its weight, every (query, key row) stored once\n");
  std::mt19937 rng(7);
  uint32_t batches = 0;
  // DeepGEMM-like contexts, contexts of exactly whole pages, empty requests, fewer units than SMs.
  for (uint32_t next_n : {1u, 2u, 4u}) {
    for (uint32_t batch : {1u, 3u, 17u, 256u, 1000u}) {
      for (uint32_t avg : {1u, 64u, 700u, 8192u}) {
        for (uint32_t num_sms : {1u, 7u, 132u}) {
          std::vector<int32_t> ctx(batch * next_n);
          for (uint32_t b = 0; b < batch; ++b) {
            int32_t len = static_cast<int32_t>(0.7 * avg) + static_cast<int32_t>(rng() % std::max(1u, static_cast<uint32_t>(0.6 * avg)));
            if (b % 5 == 2) len = 0;
            if (b % 7 == 3) len = (len / 64 + 1) * 64;
            for (uint32_t t = 0; t < next_n; ++t) ctx[b * next_n + t] = t + 1 == next_n ? len : static_cast<int32_t>(rng() % (len + 1));
          }
          check_batch(ctx, next_n, num_sms);
          ++batches;
        }
      }
    }
  }
  std::printf("paged schedule: %u batches, every unit walked once, runs even\n", batches);
  // A batch where nothing has keys, and negative lengths (counted as none).
  check_batch(std::vector<int32_t>(10, 0), 2, 132);
  check_batch(std::vector<int32_t>{-5, 100, -1, -1}, 2, 4);
  std::printf("empty and negative contexts: no units\n");
  std::printf("all %d checks passed\n", g_checks);
  return 0;
}
