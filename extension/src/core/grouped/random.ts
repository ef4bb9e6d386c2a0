// A small seeded generator for the host-side draws of the grouped test cases (group sizes), so a
// recorded seed reproduces the same per-group M / K / masked_m. Pure.

/** mulberry32: 32-bit state, uniform in [0, 1). Good enough for drawing a handful of sizes. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** U(lo, hi) from a [0, 1) source. */
export function uniformIn(next: () => number, lo: number, hi: number): number {
  return lo + (hi - lo) * next();
}
