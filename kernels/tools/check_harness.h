// The harness shared by the host-side (CPU-only) invariant checkers kernels/tools/check_invariants*.cu:
// a CHECK that counts and stops at the first failure, and independent statements of the hardware
// rules the kernels' index arithmetic is checked against (TMA swizzle, wgmma accumulator fragment).
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

// Checks run so far; main() prints "all N checks passed" (the unit tests match that line).
inline int g_checks = 0;

// Counts the check; on failure prints "FAILED file:line: <printf message>" and exits with 1.
#define CHECK(cond, ...)                                  \
  do {                                                    \
    ++g_checks;                                           \
    if (!(cond)) {                                        \
      std::printf("FAILED %s:%d: ", __FILE__, __LINE__);  \
      std::printf(__VA_ARGS__);                           \
      std::printf("\n");                                  \
      std::exit(1);                                       \
    }                                                     \
  } while (0)

// TMA swizzle on byte offsets inside a box whose rows are `row_bytes` wide, as the hardware defines
// it (PTX ISA 9.1 §5.5.7; CUTLASS Swizzle<b,4,3>): inside each pattern the 16-byte chunk index
// (address bits [4, 4+b)) is XORed with address bits [7, 7+b); b = log2(swizzle / 16).
inline uint32_t tma_swizzled_offset(uint32_t linear_offset, uint32_t swizzle) {
  if (swizzle == 0) return linear_offset;
  const uint32_t bits = swizzle == 32 ? 1 : swizzle == 64 ? 2 : 3;
  return linear_offset ^ (((linear_offset >> 7) & ((1u << bits) - 1)) << 4);
}

// wgmma accumulator fragment (§9.7.15.5.1.1): register `reg` of lane `lane` holds, inside its warp's
// 16-row slice, row lane/4 + 8*((reg%4) >= 2) and column 8*(reg/4) + 2*(lane%4) + reg%2.
inline uint32_t wgmma_fragment_row(uint32_t lane, uint32_t reg) { return lane / 4 + ((reg % 4) >= 2 ? 8 : 0); }
inline uint32_t wgmma_fragment_col(uint32_t lane, uint32_t reg) { return (reg / 4) * 8 + (lane % 4) * 2 + reg % 2; }

// Bank conflicts of matrix q of one stmatrix .x4 (lanes 8q..8q+7 address its eight 16-byte rows):
// rows in the same 16-byte bank quad of a 128-byte line conflict; 0 when all eight quads differ.
inline uint32_t stmatrix_matrix_conflicts(const uint32_t (&addr)[32], uint32_t q) {
  uint32_t used = 0, conflicts = 0;
  for (uint32_t j = 0; j < 8; ++j) {
    const uint32_t quad = (addr[q * 8 + j] / 16) % 8;
    if (used & (1u << quad)) conflicts++;
    used |= 1u << quad;
  }
  return conflicts;
}

// Shared-memory wavefronts of one warp's 64-bit stores (lane l writes words addr[l]/4 and +1): they
// go out per half-warp (128 bytes each), and a half-warp takes as many wavefronts as the most distinct
// words any one bank serves in it. Returns the larger half's count.
inline uint32_t float2_store_wavefronts(const uint32_t (&addr)[32]) {
  uint32_t worst = 0;
  for (uint32_t h = 0; h < 2; ++h) {
    std::vector<std::vector<uint32_t>> bank_words(32);
    for (uint32_t lane = h * 16; lane < h * 16 + 16; ++lane)
      for (uint32_t e = 0; e < 2; ++e) {
        const uint32_t word = addr[lane] / 4 + e;
        auto& v = bank_words[word % 32];
        bool found = false;
        for (uint32_t x : v) found |= x == word;
        if (!found) v.push_back(word);
      }
    for (auto& v : bank_words) worst = v.size() > worst ? static_cast<uint32_t>(v.size()) : worst;
  }
  return worst;
}
