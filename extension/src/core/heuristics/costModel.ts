// An analytic cost model for the persistent, warp-specialised 1D2D FP8 GEMM, in the spirit of
// DeepGEMM's sm90 heuristic (bytes through L2 with multicast halving the shared operand, divided by
// wave efficiency) with the tensor-core and pipeline terms it leaves out. It exists to rank
// candidates for one shape; its absolute µs are a prediction shown next to measurements, never a
// substitute for them.
//
// For one config the busiest SM processes `waves` tiles; each tile walks K in 128-wide blocks, and a
// K-block costs the slowest of
//   - math: WGMMA on the tensor cores (2·BM·BN·128 FLOP at 8192 FLOP/cycle/SM) plus the promotion
//     FFMAs (one per accumulator element); with one math warpgroup the promotion and the WGMMA drain
//     are serial, with two the other warpgroup's WGMMA hides them;
//   - ingest: the A, B and scale-A bytes TMA writes into this SM's shared memory;
//   - latency: a TMA round trip spread over the (stages − 1) loads in flight.
// The whole grid is also bounded by L2 (each SM's fair share: multicast halves the shared operand)
// and by HBM (the bytes that must move at least once), both divided by wave efficiency as in
// DeepGEMM, because in a partial wave the idle SMs' share of bandwidth is not used by anyone.
// Fixed costs: one pipeline fill and the launch.

import type { GemmConfig } from '../../../protocol/worker';
import { gemmBytes } from '../stats';
import type { PolicyDevice } from './device';
import { waveInfo, type WaveInfo, type WorkShape } from './tiles';

/** Constants of the model, each with where it comes from. */
export const MODEL = {
  /** Dense FP8 FLOP per cycle per SM on H100: 1979 TFLOPS at 1830 MHz over 132 SMs (NVIDIA H100 datasheet). */
  tensorFlopPerCyclePerSm: 8192,
  /** FP32 FFMA lanes per SM per cycle (4 sub-partitions x 32). */
  ffmaPerCyclePerSm: 128,
  /**
   * Model clock (GHz). 1.30 GHz x 132 SMs x 8192 FLOP = 1.40 PFLOP/s, the burst FP8 rate measured on
   * the test H100 (shared/PERF.md): the clock the tensor cores effectively run at under FP8 load.
   */
  clockGHz: 1.3,
  /** L2 → SM bytes per cycle for the whole GPU: ~8 TB/s at 1.3 GHz, capped at 64 B/cycle per SM (DeepGEMM's sm90 model). */
  l2BytesPerCycle: (numSms: number) => Math.min(64 * numSms, 8e6 / 1.3e3),
  /** Bytes per cycle TMA can land in one SM's shared memory (DeepGEMM's "L1" figure: 128 B/cycle/SM). */
  smIngestBytesPerCycle: 128,
  /** HBM bytes per cycle: the 3.02 TB/s copy rate measured on the test H100 (PERF.md), at the model clock. */
  dramBytesPerCycle: 3.02e12 / 1.3e9,
  /** Cycles from issuing a TMA load to its bytes landing (HBM latency ≈ 0.75 µs). */
  tmaLatencyCycles: 1000,
  /** Per K-block synchronisation: full-barrier wait, wgmma fence / commit, empty-barrier arrive. */
  kBlockSyncCycles: 24,
  /** wgmma.wait_group 0 latency left exposed when one math warpgroup both issues and promotes. */
  wgmmaDrainCycles: 64,
  /** Bytes per cycle the math warpgroups write D into shared memory (stmatrix) in the epilogue. */
  epilogueBytesPerCycle: 128,
  /** Launch and teardown of one persistent grid, as graph-replayed (µs). */
  launchUs: 1.5,
} as const;

export type Bound = 'tensor cores' | 'WGMMA + promotion' | 'shared-memory ingest' | 'load latency' | 'L2 bandwidth' | 'HBM bandwidth';

export interface CostBreakdown {
  /** Predicted cycles at MODEL.clockGHz and µs. */
  cycles: number;
  us: number;
  bound: Bound;
  waves: WaveInfo;
  /** Per-K-block terms of one CTA (cycles). */
  perKBlock: { math: number; ingest: number; latency: number };
  /** Grid-level terms (cycles), before the fixed costs. */
  computeCycles: number;
  l2Cycles: number;
  dramCycles: number;
  fixedCycles: number;
  /** Bytes the grid reads from L2 (A and B after multicast, scales, D). */
  l2Bytes: number;
  dramBytes: number;
}

/** Share of `blocks` blocks along a dimension that have a cluster partner (pairs of neighbours). */
export function pairedFraction(blocks: number): number {
  return blocks < 2 ? 0 : (2 * Math.floor(blocks / 2)) / blocks;
}

type CostConfig = Pick<GemmConfig, 'blockM' | 'blockN' | 'blockK' | 'numStages' | 'numMathWarpgroups' | 'clusterM' | 'clusterN'>;

export function predictCost(config: CostConfig, work: WorkShape, device: PolicyDevice): CostBreakdown {
  const { blockM: bm, blockN: bn, blockK: bk } = config;
  const clusterSize = config.clusterM * config.clusterN;
  const waves = waveInfo(work, bm, bn, device.numSms, clusterSize);
  const kBlocks = Math.ceil(work.k / bk);

  // --- one K-block of one CTA
  const mma = (2 * bm * bn * bk) / MODEL.tensorFlopPerCyclePerSm;
  const promote = (bm * bn) / MODEL.ffmaPerCyclePerSm;
  const math = config.numMathWarpgroups >= 2
    ? Math.max(mma, promote) + MODEL.kBlockSyncCycles
    : mma + MODEL.wgmmaDrainCycles + promote + MODEL.kBlockSyncCycles;
  const stageBytes = bm * bk + bn * bk + bm * 4;
  const ingest = stageBytes / MODEL.smIngestBytesPerCycle;
  const latency = MODEL.tmaLatencyCycles / Math.max(1, config.numStages - 1);
  const kBlockCycles = Math.max(math, ingest, latency);

  // --- one tile, then the busiest SM
  const outTileBytes = bm * bn * work.outBytes;
  const epilogue = (outTileBytes * (work.outBytes === 4 ? 2 : 1)) / MODEL.epilogueBytesPerCycle;
  const tileCycles = kBlocks * kBlockCycles + epilogue;
  const computeCycles = waves.waves * tileCycles;

  // --- the whole grid through L2 (fair share per SM) and HBM
  // clusterN = 2 multicasts A between two N-blocks of one block row, clusterM = 2 multicasts B
  // between two M-blocks; only the tiles that have a partner along that dimension share.
  const shareA = config.clusterN === 2 ? pairedFraction(Math.ceil(work.n / bn)) : 0;
  const shareB = config.clusterM === 2 ? pairedFraction(Math.ceil(work.m / bm)) : 0;
  const l2PerTile = kBlocks * (bm * bk * (1 - shareA / 2) + bn * bk * (1 - shareB / 2) + bm * 4 + 4 * Math.ceil(bn / 128))
    + outTileBytes * (work.outBytes === 4 ? 2 : 1);
  const l2Bytes = waves.tiles * l2PerTile;
  const eff = Math.max(waves.efficiency, 1e-9);
  const l2Cycles = l2Bytes / MODEL.l2BytesPerCycle(device.numSms) / eff;
  const dramBytes = gemmBytes({
    m: work.m * work.groups, n: work.n, k: work.k, groups: work.groups, outBytes: work.outBytes,
    readsC: work.outBytes === 4, perTokenScaleB: work.outBytes === 4,
  });
  const dramCycles = dramBytes / MODEL.dramBytesPerCycle / eff;

  const fixedCycles = MODEL.tmaLatencyCycles + epilogue + MODEL.launchUs * MODEL.clockGHz * 1e3;
  const cycles = Math.max(computeCycles, l2Cycles, dramCycles) + fixedCycles;

  let bound: Bound;
  if (computeCycles >= l2Cycles && computeCycles >= dramCycles) {
    // With one math warpgroup the promotion and the WGMMA drain add to the tensor-core time.
    const mathBound: Bound = mma >= 0.75 * math ? 'tensor cores' : 'WGMMA + promotion';
    bound = kBlockCycles === math ? mathBound : kBlockCycles === ingest ? 'shared-memory ingest' : 'load latency';
  } else {
    bound = l2Cycles >= dramCycles ? 'L2 bandwidth' : 'HBM bandwidth';
  }
  return {
    cycles: Math.round(cycles),
    us: cycles / (MODEL.clockGHz * 1e3),
    bound,
    waves,
    perKBlock: { math, ingest, latency },
    computeCycles, l2Cycles, dramCycles, fixedCycles, l2Bytes, dramBytes,
  };
}
