// The raw candidate space the heuristics enumerate before any rule is applied. Deliberately wide:
// every combination is listed, and the rules (the kernel's, then policy's) say why each one that
// cannot or should not run is out — the config explorer shows those reasons.

export const BLOCK_K = 128;
export const BLOCK_M_CHOICES: readonly number[] = [64, 128, 256];
/** Multiples of 16 up to 256: the WGMMA N granularity the kernel instantiates. */
export const BLOCK_N_CHOICES: readonly number[] = Array.from({ length: 16 }, (_, i) => 16 * (i + 1));
export const MATH_WARPGROUP_CHOICES: readonly number[] = [1, 2];
/** (clusterM, clusterN): none, 2 CTAs sharing B (clusterM = 2), 2 CTAs sharing A (clusterN = 2). */
export const CLUSTER_CHOICES: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [2, 1],
  [1, 2],
];
/**
 * 2: the two CTAs of a cluster split each tile's K (no multicast then); enumerated after the
 * clusters. The kernel also takes 4 (`--config split_k=4`), but on the H100 4-CTA clusters measured
 * 1.6-2.3x slower than split-K 2 on every decode shape tried (2026-11-21), so policy leaves it out.
 */
export const SPLIT_K_CHOICES: readonly number[] = [1, 2];
/** The kernel's ring may be deeper, but past 16 stages nothing more is hidden (DeepGEMM's cap too). */
export const MAX_STAGES = 16;

export interface RawCandidate {
  blockM: number;
  blockN: number;
  numMathWarpgroups: number;
  clusterM: number;
  clusterN: number;
  /** 1, or 2 / 4 for split-K across the cluster (only with clusterM = clusterN = 1). */
  splitK: number;
}

/**
 * Every combination, in a fixed order (cluster mode, block_m, block_n, math WGs): the order ties fall
 * back to. Cluster modes: none, the multicast pairs, then the split-K pair.
 */
export function rawCandidates(): RawCandidate[] {
  const modes: Array<readonly [number, number, number]> = [
    ...CLUSTER_CHOICES.map(([m, n]) => [m, n, 1] as const),
    ...SPLIT_K_CHOICES.filter((s) => s > 1).map((s) => [1, 1, s] as const),
  ];
  const out: RawCandidate[] = [];
  for (const [clusterM, clusterN, splitK] of modes) {
    for (const blockM of BLOCK_M_CHOICES) {
      for (const blockN of BLOCK_N_CHOICES) {
        for (const numMathWarpgroups of MATH_WARPGROUP_CHOICES) {
          out.push({ blockM, blockN, numMathWarpgroups, clusterM, clusterN, splitK });
        }
      }
    }
  }
  return out;
}
