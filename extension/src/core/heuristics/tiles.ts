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
}

/** Contiguous layouts pad each expert's rows to this many (block_m must equal it). */
export const CONTIGUOUS_M_ALIGNMENT = 128;

export function workShape(p: GemmProblem): WorkShape {
  const g = p.numGroups ?? 1;
  switch (p.kind) {
    case 'masked':
      return { m: p.expectedM ?? p.m, n: p.n, k: p.k, groups: g, outBytes: 2, kind: p.kind };
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

export function waveInfo(work: WorkShape, blockM: number, blockN: number, numSms: number, clusterSize = 1): WaveInfo {
  const tiles = Math.ceil(work.m / blockM) * Math.ceil(work.n / blockN) * work.groups;
  const ctas = Math.floor(numSms / clusterSize) * clusterSize;
  if (ctas < 1) return { tiles, ctas: 0, waves: Number.POSITIVE_INFINITY, lastWaveUtilisation: 0, efficiency: 0 };
  const waves = Math.max(1, Math.ceil(tiles / ctas));
  const inLast = tiles - (waves - 1) * ctas;
  return { tiles, ctas, waves, lastWaveUtilisation: inLast / ctas, efficiency: tiles / (waves * ctas) };
}
