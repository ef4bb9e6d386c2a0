// Tile counts and wave quantisation of a persistent grid: how many output tiles a config cuts the
// problem into, how many rounds ("waves") the SMs need, and how full the last one is.

import type { GemmProblem, KernelKind } from '../../../protocol/worker';

/** The sizes one kernel launch works on, as the heuristics see them (grouped kinds use the hints). */
export interface WorkShape {
  /** Rows per group that carry work (masked: expectedM; contiguous: ΣM over groups). */
  m: number;
  n: number;
  /** K per group (k-grouped: the expected K_g). */
  k: number;
  /** Independent GEMMs whose tiles are scheduled together. */
  groups: number;
  /** Output element size: 2 (BF16) or 4 (FP32, accumulated into C). */
  outBytes: 2 | 4;
  /** The GEMM kind (the kernel overlaps across tiles for Normal GEMMs only). */
  kind: KernelKind;
  /**
   * Masked: each group's row count varies around `m` (the expected m), so its M-blocks are counted
   * on average (mBlocksPerGroup), not as if every group had exactly m rows.
   */
  raggedM?: boolean;
}

/** Contiguous layouts pad each expert's rows to this many (block_m must equal it). */
export const CONTIGUOUS_M_ALIGNMENT = 128;

export function workShape(p: GemmProblem): WorkShape {
  const g = p.numGroups ?? 1;
  switch (p.kind) {
    case 'masked':
      return { m: p.expectedM ?? p.m, n: p.n, k: p.k, groups: g, outBytes: 2, kind: p.kind, raggedM: true };
    case 'contiguous': {
      // All experts back to back, each padded to the alignment: one long M.
      const perGroup = Math.ceil((p.expectedM ?? p.m) / CONTIGUOUS_M_ALIGNMENT) * CONTIGUOUS_M_ALIGNMENT;
      return {
        m: p.expectedM !== undefined ? perGroup * g : p.m,
        n: p.n,
        k: p.k,
        groups: 1,
        outBytes: 2,
        kind: p.kind,
      };
    }
    case 'kgrouped':
      return { m: p.m, n: p.n, k: p.k, groups: g, outBytes: 4, kind: p.kind };
    case 'wgrad':
      return { m: p.m, n: p.n, k: p.k, groups: 1, outBytes: 4, kind: p.kind };
    default:
      return { m: p.m, n: p.n, k: p.k, groups: 1, outBytes: 2, kind: p.kind };
  }
}

export interface WaveInfo {
  tiles: number;
  /** SMs the grid really uses: numSms rounded down to whole clusters. */
  ctas: number;
  waves: number;
  /** Fraction of the CTAs that have a tile in the last wave (1 = a full last wave). */
  lastWaveUtilisation: number;
  /** tiles / (waves · ctas): the share of SM-rounds doing work. */
  efficiency: number;
}

/**
 * How far a masked group's row count strays from the expected m, as a fraction: DeepGEMM's tests draw
 * each group's rows uniformly from [0.7, 1.3] x the expected m, the imbalance a MoE router leaves.
 */
export const MASKED_ROW_SPREAD = 0.3;

/** E[ceil(x)] for x uniform on [lo, hi]. */
function meanCeil(lo: number, hi: number): number {
  if (!(hi > lo)) return Math.ceil(hi);
  let sum = 0;
  for (let i = Math.floor(lo); i < hi; i++) sum += (Math.min(hi, i + 1) - Math.max(lo, i)) * (i + 1);
  return sum / (hi - lo);
}

/**
 * M-blocks one group is cut into, on average. With ragged groups (masked) each group's rows spread
 * around the expected m (MASKED_ROW_SPREAD), so its last block is partly empty more often than
 * ceil(m / BLOCK_M) says: at m ≈ 192 a 64-row tile needs 3.5 blocks per group, not 3, which made
 * small tiles look free of padding. At least one block.
 */
export function mBlocksPerGroup(work: Pick<WorkShape, 'm' | 'raggedM'>, blockM: number): number {
  if (!work.raggedM) return Math.ceil(work.m / blockM);
  const mean = meanCeil((work.m * (1 - MASKED_ROW_SPREAD)) / blockM, (work.m * (1 + MASKED_ROW_SPREAD)) / blockM);
  return Math.max(1, mean);
}

export function waveInfo(work: WorkShape, blockM: number, blockN: number, numSms: number, clusterSize = 1): WaveInfo {
  const tiles = Math.round(mBlocksPerGroup(work, blockM) * Math.ceil(work.n / blockN) * work.groups);
  const ctas = Math.floor(numSms / clusterSize) * clusterSize;
  if (ctas < 1) return { tiles, ctas: 0, waves: Number.POSITIVE_INFINITY, lastWaveUtilisation: 0, efficiency: 0 };
  const waves = Math.max(1, Math.ceil(tiles / ctas));
  const inLast = tiles - (waves - 1) * ctas;
  return { tiles, ctas, waves, lastWaveUtilisation: inLast / ctas, efficiency: tiles / (waves * ctas) };
}
